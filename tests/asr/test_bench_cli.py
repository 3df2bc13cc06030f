"""``python -m benchmarks.asr`` command line: a wrong call folder is refused before any model is loaded."""

from __future__ import annotations

import pytest

from benchmarks.asr import main


def test_a_calls_folder_without_recordings_is_refused_with_the_layout_it_expects(tmp_path, capsys):
    (tmp_path / "calls").mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["--calls", str(tmp_path), "--fixtures", "3"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "audio") in err and "*.flac" in err and "<name>.json" in err
