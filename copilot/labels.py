"""Chinese labels for codes, for everything an agent, inspector or trainer reads."""

SERVICE_TYPE_ZH = {
    "contact_judge": "联系法官",
    "info_query": "信息查询",
    "consultation": "诉讼咨询",
    "appointment": "预约服务",
    "complaint": "投诉举报和意见建议",
    "out_of_scope": "不属于热线服务范围",
}
ROLE_ZH = {"party": "当事人", "litigation_agent": "代理人", "defender": "辩护人", "petitioner": "信访人",
           "other": "其他"}
FLAG_ZH = {
    "greeting_missing": "问候语缺失",
    "answer_late": "接听超时",
    "banned_phrase": "禁止用语",
    "nonstandard_wording": "不规范用语",
    "wait_apology_missing": "久等未致歉",
    "silent_call_script_missing": "无声电话话术缺失",
    "referral_missing": "未告知转介单位",
    "judge_callback_missing": "未留言回复",
    "complaint_not_forwarded": "投诉未转交",
    "closing_missing": "结束语缺失",
}
RECORD_ZH = {
    "caller_role": "来电人身份", "caller_name": "来电人", "phone": "电话", "case_number": "案号",
    "judge_name": "法官", "summary": "摘要", "callback_required": "需回复", "referral": "转介", "dialect": "方言",
    "case_source": "案号来源", "case_candidates": "待核对案号",
}
CASE_SOURCE_ZH = {"directory": "案件库已核对", "parsed": "仅语音识别，未核对"}
"""``record.case_source`` (copilot.cases): resolved from the court's case directory, or parsed from speech only."""
SUGGESTION_ZH = {"greeting": "问候语", "script": "情景话术", "referral": "转介", "checklist": "处置要点",
                 "closing": "结束语", "replacement": "规范用语", "case_pick": "核对案号"}
