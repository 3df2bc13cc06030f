"""Python's cyclic garbage collector paused while a large, acyclic structure is built (the phrasebook read and
compiled, a trained model unpickled).

Building one allocates hundreds of thousands of objects, and every 700 allocations the collector scans the young
ones, now and then all of them: a fifth of the CPU time of loading went to scans that free nothing. Paused, the
structures are not scanned at all: when the last pause ends, everything alive is moved to the permanent generation
(``gc.freeze``), so no later full collection walks the phrasebook and the models again (the first one after loading
took ~100 ms CPU, in the middle of whichever call it fell due in; it is still freed by reference counting when
dropped). Nested and concurrent pauses (the server loads in threads) re-enable the collector only when the last one
ends, and only if it was on before."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """The collector off for the duration of the block (see the module's docstring)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                # everything alive now (what was built, and all else in the process) leaves the collector's
                # generations, so no later full collection scans it again (one took ~100 ms in the middle of a call,
                # whenever it fell due); a reference cycle made garbage while paused is never collected after this
                gc.freeze()
                gc.enable()
