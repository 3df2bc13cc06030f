"""Chinese labels for codes, for everything an agent, inspector or trainer reads.

Flag names and severities come from the flag registry, ``phrasebook/data/flags.toml``, and service-type names
from ``phrasebook/data/service_types.toml`` (files the court edits); the other vocabularies are fixed by
formats.md §3.
"""

from phrasebook.registry import flag_names, flag_registry, service_type_names

SERVICE_TYPE_ZH = service_type_names()
"""code → Chinese name of every service type (service_types.toml ``name_zh``), in the file's order."""
ROLE_ZH = {"party": "当事人", "litigation_agent": "代理人", "defender": "辩护人", "petitioner": "信访人",
           "other": "其他"}
FLAG_ZH = flag_names()
"""code → Chinese name of every flag code (flags.toml)."""
FLAG_SEVERITY = {f.code: f.severity for f in flag_registry()}
"""code → ``red`` or ``amber`` (flags.toml)."""
FLAG_EXPLANATION_ZH = {f.code: f.explanation for f in flag_registry()}
"""code → when the flag is raised, in Chinese (flags.toml)."""
RECORD_ZH = {
    "caller_role": "来电人身份", "caller_name": "来电人", "phone": "电话", "case_number": "案号",
    "judge_name": "法官", "summary": "摘要", "callback_required": "需回复", "referral": "转介", "dialect": "方言",
    "case_source": "案号来源", "case_candidates": "待核对案号",
}
CASE_SOURCE_ZH = {"directory": "案件库已核对", "parsed": "仅语音识别，未核对"}
"""``record.case_source`` (copilot.cases): resolved from the court's case directory, or parsed from speech only."""
SUGGESTION_ZH = {"greeting": "问候语", "script": "情景话术", "referral": "转介", "checklist": "处置要点",
                 "closing": "结束语", "replacement": "规范用语", "case_pick": "核对案号"}
