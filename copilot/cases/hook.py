"""The analyzer's one post-processing step for the case directory (called where the record is made).

It marks where the record's case number comes from (``case_source``: ``directory`` when the directory
resolved it, ``parsed`` when it comes from parsing the words only and is unverified, None when the call gave
none), fills the case number, the judge's full name and the caller's role from a resolved case, offers a pick
list when several cases fit, and sends the case card once the caller's name or role matches the case.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from copilot.cases.directory import CaseDirectory
from copilot.cases.evidence import FRAGMENT_TURNS, Span, judge_words, spans_in_turns
from copilot.cases.resolve import Resolution, TurnText, judge_alone, resolve
from copilot.events import CaseCard, Event, Suggestion
from copilot.record import CallRecord
from copilot.text.numbers import find_case_numbers

log = logging.getLogger(__name__)

CLEAR_READING = 0.95
"""A case number read with nothing guessed (``find_case_numbers`` confidence)."""
_HEAD = re.compile(r"^（(\d{4})）([\u4e00-\u9fff]\d{2,4})")


def _uncovered_head(directory: CaseDirectory, case_number: str | None, texts: list[TurnText]) -> bool:
    """The number was said whole and clearly (some turn reads it with nothing guessed: year, province, court
    code, type and serial), and its year and court are a group of which the directory holds no case at all. The
    directory cannot confirm that number, so it may not replace it by another court's case nor name a judge for
    it: candidates are only offered as a pick list for the agent to check. A number whose head was guessed from
    garbled words (「2020-03」 read as 浙03) is still corrected from the directory."""
    m = _HEAD.match(case_number or "")
    if not m or (int(m.group(1)), m.group(2)) in directory.groups:
        return False
    head = m.group(0)
    return any(h.confidence >= CLEAR_READING and h.value.startswith(head)
               for tt in texts for h in find_case_numbers(tt.text))


_SOME_JUDGE = re.compile(r"([\u4e00-\u9fff]{0,2})([\u4e00-\u9fff])法官")


def _judge_said(texts: list[TurnText]) -> bool:
    """Some 「X法官」 was said, X a name the ASR may have garbled (中法官 for 朱法官), not 承办法官 and the like, nor
    such a role word heard as its exact homophone (城办法官, 成半法官). A near sound is still a name (是行法官: 邢)."""
    from copilot.analysis.extractor import NOT_JUDGE_PREFIX
    from copilot.cases.phonetic import name_similarity

    for t in texts:
        for m in _SOME_JUDGE.finditer(judge_words(t.text)):
            before = m.group(1) + m.group(2)
            if not any(before.endswith(p) or (len(p) >= 2 and len(before) >= len(p)
                                              and name_similarity(before[-len(p):], p, surname_first=False) >= 0.99)
                       for p in NOT_JUDGE_PREFIX):
                return True
    return False


def _surname_before_title(texts: list[TurnText], judge: str) -> bool:
    """The resolved case's judge's surname heard right before 法官 as a word the name rules leave out (请法官 for
    秦法官, 找法官 for 赵法官: 请, 找, 和, 由 … are verbs and particles before a title far more often than names)."""
    from copilot.cases.phonetic import surname_similarity

    return bool(judge) and any(surname_similarity(m.group(2), judge) >= 0.9
                               for t in texts for m in _SOME_JUDGE.finditer(judge_words(t.text)))


TITLE_NEAR = 0.8
"""Two characters heard for 法官 with the first one's initial lost or changed (爬关, 趴官: the final and 官 kept):
mean pinyin similarity to 法官 at least this, 官 itself the same sound."""
_TITLE = "法官"


def _surname_before_near_title(texts: list[TurnText], judge: str) -> bool:
    """The resolved case's judge's surname (the same sound) right before two characters that sound nearly like
    法官 (「凡趴关」 for 樊法官: 法 fǎ heard as 趴 pā). Only the directory's judge of the case resolved from other
    evidence is checked this way, never a free-text name: 法官 heard this loosely would make any 「X把关」 a judge.
    Two characters that are a word of the dictionary (把关, 发光) are that word, not the title."""
    import jieba

    from copilot.cases.phonetic import char_similarity, name_similarity, surname_similarity

    if not judge:
        return False
    jieba.initialize()
    for t in texts:
        text = t.text
        for k in range(1, len(text) - 1):
            pair = text[k:k + 2]
            if (pair != _TITLE and char_similarity(pair[1], "官") >= 0.95
                    and name_similarity(pair, _TITLE, surname_first=False) >= TITLE_NEAR
                    and not jieba.get_FREQ(pair) and surname_similarity(text[k - 1], judge) >= 0.9):
                return True
    return False


def _judge_courts(directory: CaseDirectory, case_number: str | None, near: tuple[str, ...]) -> tuple[str, ...] | None:
    """Where the judge alone may be looked for: the court of the parsed number when the directory holds that court,
    none at all when it does not (the judges of other courts cannot confirm it), else the courts the digits point
    at (all courts when none)."""
    m = _HEAD.match(case_number or "")
    if not m:
        return near
    court = m.group(2)
    return (court,) if court in directory.judges() else None


class CaseHook:
    def __init__(self, directory: CaseDirectory | None) -> None:
        self.directory = directory
        self._spans: dict[int, list[Span]] = {}
        self._turns: dict[int, TurnText] = {}
        self._picked: tuple[str, ...] = ()
        self._card: str | None = None
        self.resolution: Resolution | None = None

    def apply(self, turns: list[Any], record: CallRecord, t: float) -> tuple[CallRecord, list[Event]]:
        """The record completed from the directory, and the events that go with it (pick list, case card)."""
        record = replace(record, case_source="parsed" if record.case_number else None)
        if not self.directory:
            return record, []
        new = [tv for tv in turns if tv.index not in self._turns]
        for tv in new:
            self._turns[tv.index] = TurnText(tv.index, tv.speaker, tv.plain)
        if new:  # spans of the new turns, and those running on from the turn before each
            first = min(tv.index for tv in new)
            window = [self._turns[i] for i in sorted(self._turns) if i >= first - FRAGMENT_TURNS]
            superseded: set[tuple[int, str]] = set()
            found = spans_in_turns([(t.index, t.speaker, t.text) for t in window], superseded)
            for i, spans in found.items():
                if i >= first:
                    self._spans[i] = spans
            for i, text in superseded:  # the first part of a number that ran on into a new turn
                if i < first:
                    self._spans[i] = [s for s in self._spans.get(i, []) if s.text != text]
        texts = [self._turns[tv.index] for tv in turns]
        spans = [s for tv in turns for s in self._spans[tv.index]]
        try:
            res = resolve(self.directory, texts, spans)
        except Exception as exc:  # noqa: BLE001 - a directory failure must not end the call
            log.warning("case directory lookup failed: %s", exc)
            return record, []
        uncovered = _uncovered_head(self.directory, record.case_number, texts)
        if uncovered and res.status == "resolved":
            res = replace(res, status="ambiguous", case=None)
        self.resolution = res
        events: list[Event] = []
        if res.status == "resolved" and res.case is not None:
            case = res.case
            record = replace(record, case_number=case.case_number, case_source="directory")
            named = (res.judge_heard or _judge_said(texts) or _surname_before_title(texts, case.judge_name)
                     or _surname_before_near_title(texts, case.judge_name))
            if case.judge_name and named:
                record = replace(record, judge_name=case.judge_name)
            elif record.judge_name and not named:
                # the words took a role heard as a homophone for a name (成半法官 for 承办法官): no judge was named
                record = replace(record, judge_name=None)
            if res.caller_role:
                record = replace(record, caller_role=res.caller_role)
            if res.identity_matched and self._card != case.case_number:
                self._card = case.case_number
                events.append(CaseCard(t=t, **case.card()))
        elif not uncovered:  # not resolved: the judge alone, when the spoken name fits one judge of the court
            courts = _judge_courts(self.directory, record.case_number, res.courts)
            try:
                judge = judge_alone(self.directory, texts, courts) if courts is not None else None
            except Exception as exc:  # noqa: BLE001 - a directory failure must not end the call
                log.warning("case directory judge lookup failed: %s", exc)
                judge = None
            if judge is not None:
                record = replace(record, judge_name=judge)
        if res.status == "ambiguous":
            numbers = tuple(c.case.case_number for c in res.candidates)
            record = replace(record, case_candidates=numbers)
            if numbers and numbers != self._picked:
                self._picked = numbers
                text = "；".join(f"{c.case.case_number}（{c.case.judge_name or '—'}）" for c in res.candidates)
                events.append(Suggestion(t=t, kind="case_pick", text=text,
                                         reason="案号听不清，以下案件都可能，请与来电人核对"))
        return record, events
