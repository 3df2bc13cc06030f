"""What was and wasn't done of a service type's handling checklist (phrasebook ``checklist`` steps).

Each step is judged from evidence the analysis already has, never from the step's wording alone:

- **missed**: a flag (not dismissed) whose check covers the step was raised (``FLAG_STEP_WORDS``);
- **done**: every record field the step asks for is filled (``FIELD_WORDS``: the value is the evidence),
  or a check covering the step ran on this call and raised nothing;
- **open**: no evidence either way (the inspector decides).

The two tables are data: which words of a step name a record field, and which words of a step a check
covers. A step matches a row when it contains one of the row's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "case_number": ("案号",),
    "phone": ("联系电话", "电话"),
    "caller_name": ("姓名",),
    "caller_role": ("身份",),
    "judge_name": ("承办法官",),
}
"""Record field → words of a checklist step that ask for it."""

FLAG_STEP_WORDS: dict[str, tuple[str, ...]] = {
    "judge_callback_missing": ("留言", "回复（回电）"),
    "complaint_not_forwarded": ("转交", "记录投诉"),
    "referral_missing": ("联系相应单位", "单位名称"),
    "identity_not_verified": ("核实来电人身份",),
    "outcome_promised": ("实体问题", "倾向性意见"),
}
"""Flag code → words of the checklist steps its check covers."""

CHECK_APPLIES: dict[str, tuple[str, ...]] = {
    "judge_callback_missing": ("contact_judge",),
    "complaint_not_forwarded": ("complaint",),
    "referral_missing": ("out_of_scope",),
    "identity_not_verified": ("info_query", "contact_judge"),
    "outcome_promised": ("consultation", "info_query", "contact_judge"),
}
"""Flag code → service types whose calls its check examines (a pass counts as evidence only there)."""

STATE_MARK = {"done": "✔", "missed": "✘", "open": "○"}
STATE_ZH = {"done": "已做", "missed": "未做", "open": "待核"}


@dataclass(frozen=True)
class StepStatus:
    step: str
    state: str
    """``done``, ``missed`` or ``open``."""
    why: str = ""


def _fields_of(step: str) -> list[str]:
    return [f for f, words in FIELD_WORDS.items() if any(w in step for w in words)]


def _checks_of(step: str) -> list[str]:
    return [c for c, words in FLAG_STEP_WORDS.items() if any(w in step for w in words)]


def step_status(step: str, service_type: str, record: dict[str, Any], flags: list[dict[str, Any]]) -> StepStatus:
    from copilot.labels import FLAG_ZH

    raised = {f["code"] for f in flags if f.get("review") != "dismissed"}
    checks = _checks_of(step)
    missed = [c for c in checks if c in raised]
    if missed:
        return StepStatus(step, "missed", "、".join(FLAG_ZH.get(c, c) for c in missed))
    fields = _fields_of(step)
    if fields and all(record.get(f) not in (None, "") for f in fields):
        from copilot.labels import ROLE_ZH

        shown = [ROLE_ZH.get(record[f], record[f]) if f == "caller_role" else record[f] for f in fields]
        return StepStatus(step, "done", "，".join(str(v) for v in shown))
    passed = [c for c in checks if service_type in CHECK_APPLIES.get(c, ())]
    if passed:
        return StepStatus(step, "done", "检查通过")
    if fields:
        from copilot.labels import RECORD_ZH

        empty = [RECORD_ZH.get(f, f) for f in fields if record.get(f) in (None, "")]
        return StepStatus(step, "open", f"记录缺{'、'.join(empty)}")
    return StepStatus(step, "open", "")


def checklist_status(checklists: dict[str, tuple[str, ...]], service_types: list[str] | tuple[str, ...],
                     record: dict[str, Any] | None, flags: list[dict[str, Any]]) -> list[tuple[str, list[StepStatus]]]:
    """For each service type of the call that has a checklist: its steps with their status."""
    out = []
    for code in service_types:
        steps = checklists.get(code, ())
        if steps:
            out.append((code, [step_status(s, code, record or {}, flags) for s in steps]))
    return out
