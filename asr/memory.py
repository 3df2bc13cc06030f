"""Keep freed heap memory in the process, so that Whisper's encoder does not page-fault its buffers afresh.

Each Whisper encoder pass allocates and frees about 430 MB of activations (one 30 s window: attention
scores of 8 heads x 1500 x 1500 float32 per layer are 72 MB alone). glibc hands such blocks to the
kernel on ``free`` (``mmap``/``munmap`` above ``M_MMAP_THRESHOLD``; a thread's own arena cannot hold a
block over 64 MB at all), so the next pass touches fresh pages and the kernel zeroes every one of them.
Measured on the project's 2-core VM (Firecracker, 2026-11-29, one pinned core, ``perf``): about
105 000-155 000 minor page faults per 30 s encoder pass, ``clear_page_erms`` the largest single item of
the profile, and 12-23 CPU-s per pass; with the settings below, 0-750 faults and 7-11 CPU-s per pass.

The settings, applied with ``mallopt`` (glibc only; elsewhere nothing happens):

- ``M_ARENA_MAX`` = 1: threads created from now on (CTranslate2's) share the main arena, which grows with
  ``brk`` and has no 64 MB limit per block;
- ``M_MMAP_THRESHOLD`` = 1 GiB: blocks are carved from the heap instead of being mapped one by one;
- ``M_TRIM_THRESHOLD`` = 2 GiB: freed memory at the top of the heap stays with the process.

The cost: the process keeps its peak heap (a few hundred MB for Whisper base) until it exits. Call it
before the model's threads start (:func:`asr.whisper_engine.load_whisper_model` does).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

SETTINGS = ((M_ARENA_MAX, 1), (M_MMAP_THRESHOLD, 1 << 30), (M_TRIM_THRESHOLD, (1 << 31) - 1))

_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Apply the glibc settings above once per process; True when they are in force."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        log.info("mallopt not available: freed memory goes back to the kernel")
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _applied = all(mallopt(param, value) == 1 for param, value in SETTINGS)
    if not _applied:
        log.warning("mallopt refused a setting: Whisper's buffers may page-fault on every pass")
    return _applied
