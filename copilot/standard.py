"""The standard's timing constants (DB330503/T02.3-2018), in one place: every module that times a call reads them
from here (docs/vocabulary.md). Names and scores of flags live in ``phrasebook/data/flags.toml``, service-type
names in ``phrasebook/data/service_types.toml``; this module holds only numbers of seconds.
"""

from __future__ import annotations

from asr.monitor import SILENT_STEP_S

__all__ = ["ANNOUNCEMENT_LIMIT_S", "ANSWER_LIMIT_S", "SILENT_STEP_S", "TRANSFER_LIMIT_S"]

ANSWER_LIMIT_S = 15.0
"""A.3: 「铃响不得超过15秒后接听」. A call that rang longer is ``answer_late`` (strictly more than 15 s); from 15 s
on the agent owes the apology 「让您久等了」 (``wait_apology_missing``, the suggestion at the start of the call); the
§7 indicator ``timely_response_rate`` counts calls answered within it."""

ANNOUNCEMENT_LIMIT_S = 20.0
"""§7: the IVR announcement within 20 s."""

TRANSFER_LIMIT_S = 40.0
"""§7: a transfer to an agent within 40 s."""

# SILENT_STEP_S (5 s) is defined in asr.monitor, which reports the caller's silence on that step and imports nothing
# of the project; the pipeline (A.3 script step k after k × 5 s) and the live screen's countdown read it from here.
