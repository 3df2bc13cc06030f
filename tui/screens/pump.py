"""Pump an event stream into a screen as :class:`CallEvent` messages (the screens' one event interface)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from copilot.errors import user_errors
from tui.messages import CallEvent, StreamEnded


def freeze_heap() -> None:
    """Move everything alive now (phrasebook, rules, models, the screen's widgets) out of the cyclic
    garbage collector's sight: on a slow machine one full collection over them stalled the screen for
    seconds mid-call (measured with ``python -m benchmarks.tui``). Objects made later are collected as usual."""
    gc.collect()
    gc.freeze()


async def pump(target: Any, open_stream: Callable[[], Any]) -> None:
    """Open the stream, set ``target.stream``, post every event; always ends with :class:`StreamEnded`."""
    try:
        target.stream = stream = open_stream()
        first = True
        async for ev in stream:
            target.post_message(CallEvent(ev, getattr(stream, "last_sent", 0.0)))
            if first:  # the source has built its pipeline by now
                first = False
                freeze_heap()
    except user_errors() as exc:
        target.post_message(StreamEnded(str(exc)))
    except (OSError, ValueError) as exc:  # a file or socket the source could not use
        target.post_message(StreamEnded(f"{type(exc).__name__}: {exc}"))
    else:
        target.post_message(StreamEnded())
