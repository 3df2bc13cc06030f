"""The SQL store: tables, saving calls, inspectors' reviews, the engine factory and schema migration.

``tables`` (SQLModel rows) ← ``reviews`` (verdicts, adjustments, rescoring) ← ``calls`` (save a call,
``CallWriter`` for live calls). ``db`` opens the engine; ``migrate`` adds new columns to old files.
The names below are the package's public surface (``from copilot.store import load_call``).
"""

from copilot.store.calls import (
    CallWriter,
    list_calls,
    load_call,
    review_flag,
    save_result,
    set_audio_path,
)
from copilot.store.tables import (
    RECORD_FIELDS,
    CallRow,
    FlagRow,
    RecordRow,
    ReviewLogRow,
    ScoreAdjustmentRow,
    ScoreItemRow,
    UtteranceRow,
    _now,
)

__all__ = [
    "RECORD_FIELDS", "CallRow", "CallWriter", "FlagRow", "RecordRow", "ReviewLogRow", "ScoreAdjustmentRow",
    "ScoreItemRow", "UtteranceRow", "_now", "list_calls", "load_call", "review_flag", "save_result",
    "set_audio_path",
]
