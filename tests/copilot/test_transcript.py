import json

import pytest

from copilot.errors import TranscriptError
from copilot.transcript import load_transcript

GOOD = {"call_id": "T-1", "ring_seconds": 3.0,
        "turns": [{"speaker": "agent", "start": 0.1, "end": 2.0, "text": "您好！12368！请问有什么可以帮助您？"},
                  {"speaker": "caller", "start": 2.5, "end": 5.0, "text": "我想查一下案子"}]}


def write(tmp_path, data, name="t.json"):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def test_good_transcript_loads(tmp_path):
    tr = load_transcript(write(tmp_path, GOOD))
    assert tr.call_id == "T-1" and len(tr.turns) == 2 and tr.ring_seconds == 3.0


@pytest.mark.parametrize("mutate, where, what", [
    (lambda d: d.pop("call_id"), "t.json", "call_id"),
    (lambda d: d.__setitem__("turns", {}), "t.json", "turns"),
    (lambda d: d["turns"][1].__setitem__("speaker", "judge"), "turns[1]", "speaker"),
    (lambda d: d["turns"][0].__setitem__("start", "zero"), "turns[0]", "start"),
    (lambda d: d["turns"][1].__setitem__("start", 0.0), "turns[1]", "backwards"),
    (lambda d: d["turns"][0].__setitem__("end", 0.0), "turns[0]", "before"),
    (lambda d: d["turns"][1].__setitem__("text", "  "), "turns[1]", "empty"),
    (lambda d: d["turns"][1].__setitem__("text", 5), "turns[1]", "text"),
    (lambda d: d.__setitem__("ring_seconds", -1), "t.json", "ring_seconds"),
])
def test_bad_fields_name_file_and_field(tmp_path, mutate, where, what):
    d = json.loads(json.dumps(GOOD))
    mutate(d)
    with pytest.raises(TranscriptError) as e:
        load_transcript(write(tmp_path, d))
    msg = str(e.value)
    assert "t.json" in msg and where in msg and what in msg


def test_malformed_json_gives_line(tmp_path):
    with pytest.raises(TranscriptError, match=r"line 3, column"):
        load_transcript(write(tmp_path, '{\n"call_id": "x",\n"turns": [,]\n}'))


def test_missing_file(tmp_path):
    with pytest.raises(TranscriptError, match="cannot read"):
        load_transcript(tmp_path / "nope.json")


def test_huge_file_is_refused_without_reading(tmp_path):
    p = tmp_path / "big.json"
    with open(p, "wb") as f:
        f.truncate(100 * 1000 * 1000)  # sparse 100 MB file
    with pytest.raises(TranscriptError, match="100 MB"):
        load_transcript(p)
