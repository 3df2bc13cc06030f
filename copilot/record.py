"""The call record (来电记录): what the agent writes down about a call, as one typed value (docs/vocabulary.md).

The extractor fills it, the case directory completes it, the ``record`` event and the analysis result carry its
``to_dict()`` (docs/formats.md §2 ``record``), the store keeps its ``store_fields()`` (``records`` table), the agent's
edits come back through ``from_dict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["CallRecord", "STORED_FIELDS"]

STORED_FIELDS = ("caller_role", "caller_name", "phone", "case_number", "judge_name", "summary",
                 "callback_required", "referral", "dialect", "resolved")
"""The record fields the store keeps (the ``records`` table's columns)."""

_OPTIONAL = ("case_candidates", "resolved")
"""Fields written by ``to_dict`` only when set (None: not known)."""


@dataclass(frozen=True)
class CallRecord:
    """One call's record. The first eight fields are formats.md §2's ``record``; the rest are added (§2 permits
    added fields)."""

    caller_role: str | None = None
    """formats.md §3 caller role (``party``, ``litigation_agent``, ``defender``, ``petitioner``, ``other``)."""
    caller_name: str | None = None
    phone: str | None = None
    """Digits only."""
    case_number: str | None = None
    """Normalised: ``（2023）浙0503民初1234号``."""
    judge_name: str | None = None
    """As said: ``王法官`` or a full name."""
    summary: str | None = None
    callback_required: bool = False
    referral: str | None = None
    """The unit or number the agent referred the caller to."""
    referral_suggested: str | None = None
    """Out of scope: the unit the need model and the referral directory suggest."""
    dialect: bool = False
    dialect_words: tuple[str, ...] = ()
    """The caller's dialect words (live events only; the analysis result leaves them out)."""
    case_source: str | None = None
    """``directory`` (checked against the court's case directory) or ``parsed`` (from speech only)."""
    case_candidates: tuple[str, ...] | None = None
    """Case numbers the directory found equally likely (the agent picks one); None when not ambiguous."""
    resolved: bool | None = None
    """The agent's 「已办结」 tick; None when not given."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys of a record dict this type does not know (kept, written back after the known ones)."""

    def to_dict(self, *, dialect_words: bool = True) -> dict[str, Any]:
        """The record as JSON: every field in declaration order (``case_candidates``/``resolved`` only when set),
        then ``extra``. ``dialect_words=False`` is the §2 analysis result's form."""
        d: dict[str, Any] = {}
        for f in fields(self):
            name = f.name
            if name == "extra" or (name == "dialect_words" and not dialect_words):
                continue
            value = getattr(self, name)
            if name in _OPTIONAL and value is None:
                continue
            d[name] = list(value) if isinstance(value, tuple) else value
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CallRecord:
        """A record from its dict (an event, a result, a stored row's dump, the record form's values); unknown keys
        go to ``extra`` (a stored row's ``call_id``/``updated_at``/``edited_by_agent`` are left out)."""
        known = {f.name for f in fields(cls)} - {"extra"}
        kw: dict[str, Any] = {k: v for k, v in d.items() if k in known}
        if kw.get("dialect_words") is not None:
            kw["dialect_words"] = tuple(kw["dialect_words"])
        else:
            kw.pop("dialect_words", None)
        if kw.get("case_candidates") is not None:
            kw["case_candidates"] = tuple(kw["case_candidates"])
        for flag in ("callback_required", "dialect"):
            if flag in kw:
                kw[flag] = bool(kw[flag])
        skip = {"call_id", "updated_at", "edited_by_agent"}
        return cls(**kw, extra={k: v for k, v in d.items() if k not in known and k not in skip})

    def store_fields(self) -> dict[str, Any]:
        """The columns of its ``records`` row that are known (None left out, so the column default applies)."""
        return {k: getattr(self, k) for k in STORED_FIELDS if getattr(self, k) is not None}
