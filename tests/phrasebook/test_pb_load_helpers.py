"""What makes loading the phrasebook cheaper must not change it: the per-character punctuation test answers as
the per-text one did, and pausing the garbage collector leaves it as it was found."""

from __future__ import annotations

import gc
import threading
import unicodedata

from phrasebook.gcpause import paused_gc
from phrasebook.source import has_punct_or_space, is_punct_or_space
from phrasebook.tables import example_key


def _former(text: str) -> bool:
    return any(c.isspace() or unicodedata.category(c)[0] in "PZ" for c in text)


def test_the_punctuation_test_answers_as_before_for_every_bmp_character():
    for cp in range(0x10000):
        c = chr(cp)
        assert is_punct_or_space(c) == has_punct_or_space(c) == _former(c), hex(cp)
    for text in ("", "您好", "您好，12368！", "a b", "请问\u3000还有", "（2024）浙0502民初1873号"):
        assert has_punct_or_space(text) == _former(text)
    assert example_key("您好， 请问 ABC！") == "您好请问abc"


def test_a_paused_collector_is_restored_as_it_was_found():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: still off when the inner block ends
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_concurrent_pauses_turn_the_collector_on_once_the_last_one_ends():
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with paused_gc():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    assert inside.wait(10)
    with paused_gc():
        pass
    assert not gc.isenabled()  # the other thread still builds
    release.set()
    t.join(10)
    assert gc.isenabled()


def test_what_a_pause_built_is_left_out_of_later_full_collections():
    # the phrasebook and models are long-lived: frozen when the last pause ends, no full collection scans them again
    # (old code: the first full collection after loading walked them all, ~100 ms in the middle of a call)
    gc.unfreeze()
    try:
        with paused_gc():
            built = [{"k": [i]} for i in range(1000)]
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()
