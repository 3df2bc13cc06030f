"""Each indicator in words (Chinese and English) with the standard's limit, DB330503/T02.3-2018 §7."""

from __future__ import annotations

import operator
from dataclasses import dataclass

from copilot.standard import ANSWER_LIMIT_S
from phrasebook.registry import evaluated_codes, flag_names, service_type_names

FLAG_CODES = evaluated_codes()
"""formats.md §3 flag codes (flags.toml ``evaluated``), always listed in flag rates (other codes are added when seen)."""

FLAG_ZH = flag_names()
"""code → Chinese name, from the flag registry flags.toml."""

SERVICE_TYPE_ZH = service_type_names()
"""code → Chinese name, from service_types.toml (the same table as copilot.labels.SERVICE_TYPE_ZH)."""

_OPS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge}


@dataclass(frozen=True)
class Limit:
    """A requirement of the standard: ``value op bound`` passes."""

    op: str
    """``<``, ``<=`` or ``>=``."""
    bound: float

    def passes(self, value: float | None) -> bool | None:
        """``None`` when there is no value to judge."""
        return None if value is None else bool(_OPS[self.op](value, self.bound))

    def as_json(self) -> dict[str, object]:
        return {"op": self.op, "value": self.bound}


@dataclass(frozen=True)
class Indicator:
    """One reported indicator."""

    key: str
    zh: str
    en: str
    unit: str
    """``rate`` (fraction 0–1), ``seconds``, ``per100`` (per 100 calls), ``score``, ``mix`` (fractions by code)."""
    definition_zh: str
    definition_en: str
    limit: Limit | None = None
    source: str = "standard"
    """``standard`` (§7 / §6.2) or ``copilot`` (the copilot's own analysis)."""


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "average_answer_s", "平均应答时限", "Average answer time", "seconds",
        "用户拨号完毕后，自听到回铃音时起，至座席员应答所需要的时间（标准定义）；取人工座席接起的来电 ring_s 的平均值。",
        "From the ringback tone the caller hears to the agent's answer (the standard's definition); "
        "the mean ring_s over inbound calls answered by an agent.",
        Limit("<", ANSWER_LIMIT_S),
    ),
    Indicator(
        "total_connection_rate", "总接通率", "Total connection rate", "rate",
        "话务接通总量（包括漏话回拨量）与进入呼叫中心的呼叫总量之比的日均值；话务接通总量 = 电脑座席员接起数 + 人工座席员接起数"
        "（标准定义）。按来电时间所带时区分日；次日回拨计入漏话当日；无来电的日子不计入平均。",
        "Per day, inbound calls answered by an agent or the IVR plus missed inbound calls that got a callback, "
        "over inbound calls entered that day; the mean of the daily values (the standard's definition). Days "
        "are local to entered_at's offset; a next-day callback counts for the missed call's day; days without "
        "inbound calls are not averaged.",
        Limit(">=", 0.90),
    ),
    Indicator(
        "announcement_within_20s_rate", "语音自动应答前信息插播时长达标率", "Pre-IVR announcement within 20 s", "rate",
        "有信息插播的来电中，插播时长 ≤ 20 秒的比例；标准要求每次插播 ≤ 20 秒，故达标为 100%。",
        "Share of inbound calls with an announcement before the IVR menu whose announcement lasted ≤ 20 s; the "
        "standard requires every announcement ≤ 20 s, so passing means 100 %.",
        Limit(">=", 1.0),
    ),
    Indicator(
        "transfer_within_40s_rate", "语音应答转人工等待时长达标率", "IVR-to-human wait within 40 s", "rate",
        "由语音应答转人工的来电中，等待时长 ≤ 40 秒的比例；标准要求每次等待 ≤ 40 秒，故达标为 100%。",
        "Share of inbound calls transferred from the IVR to a human that waited ≤ 40 s; the standard requires "
        "every wait ≤ 40 s, so passing means 100 %.",
        Limit(">=", 1.0),
    ),
    Indicator(
        "timely_response_rate", "及时响应率", "Timely response rate", "rate",
        f"人工座席接起的来电中，应答时长 ≤ {ANSWER_LIMIT_S:g} 秒（附录A.3：铃响不得超过{ANSWER_LIMIT_S:g}秒后接听）的比例。",
        f"Share of inbound calls answered by an agent with ring_s ≤ {ANSWER_LIMIT_S:g} s (Appendix A.3: answer within "
        f"{ANSWER_LIMIT_S:g} s).",
        Limit(">=", 0.99),
    ),
    Indicator(
        "timely_reply_rate", "及时回复率", "Timely reply rate", "rate",
        "需回复的服务事项中，在回复期限前（含）已回复的比例；期限未到且尚未回复的事项不计入。",
        "Share of matters with a reply due that were replied by the due time; matters not yet due and not yet "
        "replied are left out.",
        Limit(">=", 0.95),
    ),
    Indicator(
        "effective_completion_rate", "有效办结率", "Effective completion rate", "rate",
        "已办结的服务事项占全部服务事项的比例。",
        "Completed matters over all matters.",
        Limit(">=", 0.99),
    ),
    Indicator(
        "satisfaction_rate", "群众满意率", "Satisfaction rate", "rate",
        "评价为“满意”的事项占已评价事项的比例（标准要求每季度公布，无限值）。",
        "Matters rated satisfied over rated matters (the standard requires it to be reported quarterly; no limit).",
    ),
    Indicator(
        "greeting_compliance_rate", "标准问候语使用率", "Greeting compliance", "rate",
        "本系统分析的通话中，座席首句含标准问候语（无 greeting_missing 标记）的比例。",
        "Share of the copilot's analysed calls whose first agent turn has the standard greeting (no "
        "greeting_missing flag).",
        source="copilot",
    ),
    Indicator(
        "banned_phrases_per_100_calls", "每百通禁止用语次数", "Banned phrases per 100 calls", "per100",
        "本系统分析的通话中 banned_phrase 标记总数 × 100 ÷ 通话数。",
        "banned_phrase flags in the copilot's analysed calls × 100 ÷ analysed calls.",
        source="copilot",
    ),
    Indicator(
        "flag_rates", "各类标记发生率", "Flag rates", "mix",
        "每种标记：至少出现一次该标记的通话占分析通话的比例。",
        "Per flag code: analysed calls with at least one such flag over analysed calls.",
        source="copilot",
    ),
    Indicator(
        "service_type_mix", "服务类型构成", "Service-type mix", "mix",
        "每种服务类型：主要需求为该类型的通话占已识别类型通话的比例。",
        "Per service type: analysed calls whose primary need is that type over analysed calls with a type.",
        source="copilot",
    ),
    Indicator(
        "average_score", "平均质检得分", "Average score", "score",
        "本系统评分的通话的平均总分。",
        "Mean total score of the copilot's scored calls.",
        source="copilot",
    ),
)

BY_KEY = {i.key: i for i in INDICATORS}
LIMITS = {i.key: i.limit for i in INDICATORS if i.limit is not None}
