"""The 12368 phrasebook: phrase tables as editable TOML data, their validator, and the matcher.

Imports nothing of the copilot, asr or tui packages.
"""

from .errors import PhrasebookError
from .find import PhraseIndex, find_all
from .loader import DATA_DIR, check_phrasebook, load_phrasebook
from .matcher import Hit, Matcher
from .model import (
    BannedEntry,
    Closing,
    Cue,
    Deduction,
    DialectWord,
    FlagDef,
    FuzzyConfig,
    Greeting,
    Phrasebook,
    Referral,
    Replacement,
    Rubric,
    RubricItem,
    Script,
    ServiceType,
)

__all__ = [
    "DATA_DIR",
    "BannedEntry",
    "Closing",
    "Cue",
    "Deduction",
    "DialectWord",
    "FlagDef",
    "FuzzyConfig",
    "Greeting",
    "Hit",
    "Matcher",
    "PhraseIndex",
    "Phrasebook",
    "PhrasebookError",
    "Referral",
    "Replacement",
    "Rubric",
    "RubricItem",
    "Script",
    "ServiceType",
    "check_phrasebook",
    "find_all",
    "load_phrasebook",
]
