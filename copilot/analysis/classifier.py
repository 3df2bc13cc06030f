"""Service-type classification over the call so far: a trained need model plus the precise rules.

Per caller turn, the need model (need_model.py, trained on the phrasebook's example sentences) gives
the probability of each service type and of ``none`` (no need expressed: a greeting, a name, a
number …). The precise rules add to it: the phrasebook's regex cues (找X法官 …) and strong literal cues
heard from the caller; the agent's own words (帮您查询, 为您转接, 登记预约 …, once per call); and the
agent saying that the matter is not court business or naming another unit (evidence for out of scope).

The primary need is the first in-scope request (formats.md §2): the first caller turn whose in-scope
evidence is clear, else the type with most evidence over the call. A call without evidence is
``out_of_scope`` with a low confidence, and says so (``no_evidence``), instead of a confident guess.
The rule cue scores of the earlier classifier are still computed (``scores``): the checker's
"wants a judge" test reads them.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from copilot.analysis.checklist import FIELD_WORDS
from copilot.analysis.rules import IN_SCOPE, SERVICE_TYPES, Rules
from copilot.analysis.turns import TurnView

CUE_MIN_CONF = 0.85
"""Fuzzy confidence at which a garbled cue still counts."""
HOMOPHONE_CONF = 0.9
"""A cue of three or more characters heard as a full homophone (every syllable the same; ASR writes 及检检查
for 纪检监察) counts at this confidence, however different the characters: homophones are the commonest
ASR error in Mandarin, and three equal syllables in a row are rarely chance."""
AGENT_WEIGHT = 0.6
"""Agent turns are evidence too, but the caller's words define the need; an agent cue counts once per call."""
NEED_THRESHOLD = 2.0
"""Evidence needed before a type is reported as a need of the call."""
NEED_THRESHOLD_CALL = 1.5
"""Evidence over the whole call (agent replies included) that still makes a need when the opening is unclear."""
SECONDARY_RATIO = 0.5
"""A further need must have at least this share of the primary's evidence."""

TURN_CLEAR = 0.4
"""A caller turn states a need when its evidence for one type (model probability + rule bonus) reaches this
and is at least CLEAR_MARGIN times its evidence for out of scope."""
CLEAR_MARGIN = 1.2
AGENT_MODEL = 0.75
"""Weight of the need model's reading of an agent turn in the call's evidence (the agent's answer names the service
given)."""
RULE_BONUS = 0.3
"""Added to a turn's evidence for a type per precise rule hit (a regex cue, or a literal cue of weight
≥ PRECISE_WEIGHT) from the caller; at most RULE_BONUS_MAX per type and turn."""
RULE_BONUS_MAX = 0.6
PRECISE_WEIGHT = 2.5
AGENT_CLEAR = 0.6
"""An agent turn names the service given when its evidence for one in-scope type reaches this (used only when no
caller turn states a need clearly and none is clearly out of scope)."""
AGENT_BONUS = 0.12
"""Call evidence per distinct agent cue (the agent's words say what is being done)."""
AGENT_SCOPE = 1.0
"""Call evidence for out_of_scope when the agent says the matter is not the hotline's or the court's business."""
AGENT_REFERRAL = 0.3
"""Call evidence for out_of_scope when the agent names another unit or hotline."""
NO_EVIDENCE = 0.45
"""Below this much need evidence in the caller's turns (and nothing from the agent that names a service or another
unit), the call has no evidence: out_of_scope, low confidence."""
NO_EVIDENCE_CONFIDENCE = 0.2
EPISODE_FIRST = 1.5
"""The request's episode (see ``_episode``): weight of the caller turn that states the request …"""
EPISODE_AGENT = 1.0
"""… of each agent turn after it (the agent's answer shows which service is being given) …"""
EPISODE_CALLER = 0.2
"""… of each later caller turn on the same matter (until one opens a new matter: 还有 / 另外 / 顺便问 …) …"""
EPISODE_DECAY = 0.7
"""… each weight shrinking by this factor per turn of the same side, so the exchange right after the request counts
most and a second request late in the call little;"""
EPISODE_REFERRAL = 0.6
"""… and out of scope gains this when the agent's first reply says the matter is not the court's or names another
unit (「消费纠纷请打12315」 after 「我要投诉这个商家」)."""
REFERRAL_AFTER_QUESTIONS = True
"""… and so does the agent's first *answer* after questions that only ask about the request, when it says in so many
words that the matter is not the court's (「请问这件事和法院的案子有关系吗？」 then 「这个不归我们管」): a question gives no
service and refers nowhere yet. (Naming a unit later in the call does not count: a court or department named while
the agent handles the request is no referral.)"""
EPISODE_SHORT = 6
"""Agent turns shorter than this many characters weigh in proportion (a name or 「好的」 says little)."""
EPISODE_CONFIRMED = 1.5
"""… and an agent turn that restates the request as a question (「您是想……，对吗？」) which the caller's next turn
confirms (「对」「是的」「就是这个意思」) adds this × its evidence, not decayed: the need in the agent's words, agreed by
the caller, is the best evidence of what was asked (a vague opening 「想问个事情」, a grievance told before the
request, a reading the caller corrects)."""
ACK_FOLLOW_UP = True
"""A caller turn after the first that opens by acknowledging the agent (好个 / 哦 / 行 …), names nothing of the court's
business and opens no new matter, said after the agent has clearly named the service it gives, is a follow-up on that
service and not the request."""
WAIT_GRUMBLE = True
"""A caller turn that reads as a complaint but says no complaint word, answered by the agent's apology for the wait,
is a grumble about the wait, not the request. So is one whose own words grumble about getting through (the
caller_wait_complaint rule: 「终于打通了，你们这电话太难打了」) when more caller turns follow, whether or not the agent
apologised (an agent who forgets the apology does not make the grumble the request): the request is looked for after it,
and without a clear one the call's evidence as a whole decides."""
OOS_EPISODE = True
"""After a caller turn clearly out of scope that the agent's first reply refers out (not ours, or another unit named),
a later in-scope reading that opens no new matter (还有 / 另外 …) is a follow-up on the same matter when it names
nothing of the court's business (``_COURT_MATTER``) and the out-of-scope turn read with its exchange (``_episode``)
stays out of scope."""
AGENT_KEEPS_SCOPE = True
"""Out of scope needs the agent's word: when no caller turn states a clear in-scope request, a turn read as out of scope
that the agent never refers out (it says nothing like 「不属于法院」 and names no other unit anywhere in the call) while
its own words clearly give an in-scope service in a turn that asks nothing (an answer, not 「请问有案号吗？」) is the
court's matter (a court-procedure question framed by a workplace or family story); the service given is the call's."""
PARTICULARS_ONLY = True
"""A caller turn that answers the agent's mid-call question with particulars only — a judge's name with its title, a
case number, a phone number (「柯法官。」「二一一，承办是某法官」) — states no need: it is neither the call's request
nor evidence in the request's exchange, and the agent's question that asked for it gives no service either (「请问承办法官
是哪位？」 asks who handles the case, whatever the caller wants of that judge). When the opening request is garbled by the
recogniser, such a clear later answer would otherwise decide the call (contact_judge for an appointment)."""
PARTICULARS_REST = 4
"""At most this many characters left, with particulars and fillers taken out, for a turn to be particulars only."""
FRAGMENT = 4
"""A caller turn this short right after another caller turn is a piece of one utterance, not a request of its own."""
STRENGTH_SCALE = 0.8
"""Confidence = share of the primary × (1 − exp(−evidence / STRENGTH_SCALE)): little evidence, little confidence."""

TURN_SHARE_WEIGHT = 1.0
"""Weight of the deciding turn's share in the raw confidence (the rest: the call share)."""
CALIBRATION = (1.081, 2.740)
"""Platt scaling (a, b) of the raw confidence: sigmoid(a · logit(raw) + b), fitted on dev and blind set1 (calls
clean/ASR/Whisper and single sentences) by `benchmarks/understanding.py --fit-calibration`; a fresh blind set
measures it out of sample (ECE)."""

_SCOPE = re.compile(
    r"不(?:在|属于)[^，。？！]{0,10}(?:服务|受理|业务)范围|不是(?:我们)?(?:法院|12368|热线)(?:的)?(?:业务|受理范围|管的)"
    r"|不(?:归|由)(?:我们)?法院(?:管|受理|处理|负责|出)|不是法院(?:出|办|管)的|法院(?:管不了|不管|不受理这类|不处理这类)"
    r"|不(?:是)?在(?:我们)?法院(?:办|处理|受理)"
    r"|(?:这个|这类|这种)(?:事情|问题|事)?(?:不是|不属于)(?:我们)?(?:法院|12368|热线)"
    r"|(?:这个|这类|这种)(?:事情|问题|事)?(?:不归|不由)我们(?:管|受理|处理)")
"""The agent telling the caller the matter is not court business (a referral follows); at the court's hotline
「这个不归我们管」 says it without naming the court."""


_NEW_MATTER = re.compile(r"还有(?!什么|没有|哪|谁|啥|其他办法|别的办法)|另外|顺便|再问|再咨询|还想问|还要问|另一个|另一件|别的事|其他事|其它事|还有一桩|再有")
"""Words that open a new matter in a caller turn (after an out-of-scope matter)."""


_COURT_MATTER = re.compile(r"法院|法庭|法官|庭长|书记员|起诉|告他|告她|告伊|告到|去告|诉讼|立案|开庭|判决|判了|判好|上诉|撤诉"
                           r"|调解|执行|案子|案件|官司|传票|律师")
"""Words that name the court's own business: a follow-up after an out-of-scope matter that says none of them
(「要带啥东西去？」「几点上班？」) is elliptical and belongs to that matter; one that names them (「那我到法院起诉要准备
什么？」) may open the court's matter."""


_ASKS = re.compile(r"[?？]|请问|有没有|是不是|[吗嘛](?:[，。,.!！\s]|$)|呢\s*$")
"""An agent turn that asks (「请问有案号吗？」, unpunctuated 「请问有案号嘛法院这边有没有收到」): it asks for particulars
and gives no service yet."""
_ACK = re.compile(r"^(?:好的?|好个|好嘞|哦|噢|嗯|行|那好|晓得了|知道了)")
"""A caller turn that opens by acknowledging what the agent said (canonical text)."""
_WAIT_APOLOGY = re.compile(r"久等|线路忙|线路繁忙|占线")
"""The agent's apology for the wait (scripts.toml wait_complaint: 「不好意思，刚才因为线路忙，让您久等了！」)."""
_COMPLAINT_SAID = ("投诉", "意见", "反映", "举报", "不满", "态度")
"""A caller turn that says it complains in so many words is a complaint, whatever the agent apologises for."""
_COMPLAINT_SOUNDS: list[tuple[str, ...]] = []


def _says_complaint(plain: str) -> bool:
    """``plain`` says one of ``_COMPLAINT_SAID``, as written or as the recogniser heard it (头诉 for 投诉: the same
    loose syllables)."""
    if any(w in plain for w in _COMPLAINT_SAID):
        return True
    from phrasebook.pinyin import syllables

    if not _COMPLAINT_SOUNDS:
        _COMPLAINT_SOUNDS.extend(tuple(syllables(w)) for w in _COMPLAINT_SAID)
    heard = tuple(syllables(plain))
    return any(heard[i:i + len(w)] == w for w in _COMPLAINT_SOUNDS for i in range(len(heard) - len(w) + 1))


_PARTICULAR = re.compile(r"[^找想要请约见问跟和同给联系我你您他她伊]{1,3}(?:法官|庭长|书记员)|[0-9零〇一二三四五六七八九十百千幺两]{2,}"
                         r"|[0-9]+")
"""A particular in a caller's answer: a judge's name with its title (not 找/约/联系 … a judge: that is a request), a
number (a case number, a phone)."""
_PARTICULAR_ROLE = re.compile(r"(?:我是)?(?:原告|被告|申请人|被申请人|申请执行人|被执行人|当事人|上诉人|被上诉人|代理人|辩护人)")
"""The caller's role in the case, a particular too (「我是被执行人」), taken out before the judge's name is looked for."""
_PARTICULAR_FILLERS = re.compile(r"案号|电话|手机|号码|承办|主审|法官|是|的|号|年|呃|嗯|啊|哦|对|好|我")
"""The words around particulars in an answer (案号是 …, 承办是 …)."""
_PARTICULAR_ASKS = re.compile(r"找|联系|约|想|转|帮|问|在")
"""Words of a request left beside a particular (「我找柯法官」 asks for the judge; it does not name one)."""


def _particulars_only(plain: str) -> bool:
    """``plain`` (canonical caller text) gives at least one particular and says little else: at most
    ``PARTICULARS_REST`` characters are left once particulars and their fillers are taken out. A bare agreement
    (「对，就是这个」 to the agent's restatement) gives no particular and is no particulars answer."""
    rest = _PARTICULAR.sub("", _PARTICULAR_ROLE.sub("", plain))
    return len(rest) < len(plain) and len(_PARTICULAR_FILLERS.sub("", rest)) <= PARTICULARS_REST \
        and _PARTICULAR_ASKS.search(rest) is None


ASK_REST = 8
"""An agent turn asks only when at most this many characters are said outside its question (the clauses that ask, and
in a clause the words from 请问 on): 「好的，郑律师，」."""
ASK_CLAUSE = 14
"""A clause that asks without 请问 is the question when it is this short (「案号是多少？」); a long one, unpunctuated text
that only ends in 好吗 (「…我给法官留言请他回电给您好吗」), says more than its question."""


_CLAUSE_PUNCT = re.compile(r"[^，。？！；,.?!;…]+[，。？！；,.?!;…]*")
"""A clause with the punctuation that ends it."""


def _asks_only(turn: TurnView) -> bool:
    """The agent ``turn`` says little besides its question (see ``ASK_REST``)."""
    return _asks_only_text(turn.text)


@lru_cache(maxsize=4096)
def _asks_only_text(text: str) -> bool:
    """``_asks_only`` of a turn's text (a pure function of the text: read once per text, not once per turn added)."""
    rest = 0
    for m in _CLAUSE_PUNCT.finditer(text):
        clause = m.group(0)
        cut = clause.find("请问")
        if cut >= 0:
            clause = clause[:cut]
        elif _ASKS.search(clause) is not None and len(clause) <= ASK_CLAUSE:
            continue
        rest += sum(1 for ch in clause if "\u4e00" <= ch <= "\u9fff" or ch.isalnum())
    return rest <= ASK_REST


def _position(turns: list[TurnView], turn: TurnView) -> int:
    return turn.index if turn.index < len(turns) and turns[turn.index] is turn else turns.index(turn)


def _asks_record_field(turn: TurnView) -> bool:
    """An agent turn that asks for one of the record's particulars a checklist step asks for (its words:
    ``checklist.FIELD_WORDS``, 案号 / 联系电话 / 姓名 …)."""
    return _asks(turn.text) and any(w in turn.plain for w in _FIELD_WORDS)


_FIELD_WORDS = tuple(w for ws in FIELD_WORDS.values() for w in ws)


@lru_cache(maxsize=4096)
def _asks(text: str) -> bool:
    """``_ASKS`` found in a turn's text (asked of the same turns on every turn added: read once per text)."""
    return _ASKS.search(text) is not None


_RESTATE = re.compile(r"(?:您|你)(?:是|这边|这次|今天)?(?:想|要|需要|打算|希望|的意思是)"
                      r".{2,}(?:对吗|是吗|对不对|是不是|对吧|是吧|没错吧)[吧呢啊]?$")
"""An agent turn that ends by asking the caller to confirm what the agent took the request to be (「您是想……，对吗？」;
not a question about a fact, 「判决已经生效了，对吗？」)."""


@lru_cache(maxsize=4096)
def _restates(plain: str) -> bool:
    """``_RESTATE`` found in a turn's canonical text (asked of the same agent turns on every turn added)."""
    return _RESTATE.search(plain) is not None


_AGREE = re.compile(r"^[嗯哦啊呃]*(?:对(?!方|面|于)|是的|是啊|是呀|是滴|没错|就是(?:这|那|搿|这样)|嗯+$)")
"""A caller turn that opens by agreeing (canonical text, no punctuation)."""


_CLAUSE = re.compile(r"[，。？！；,.?!;…]+")
PART_MIN = 4
"""Shortest clause (characters) judged on its own."""
WINDOW, STRIDE = 12, 6
"""Windows over unpunctuated (ASR) text longer than 2 × WINDOW."""
MAX_PARTS = 4
PART_WEIGHT = 0.5
"""A part speaks for the turn a little less than the whole turn does."""
PART_SKIP = 0.6
"""Parts are not read when the whole turn already gives one type this much (they could not change it)."""


def _parts(turn: TurnView) -> list[str]:
    """The parts of a turn judged on their own, as canonical text: its clauses (split where the source has
    punctuation, mapped through the canonical text's index, so nothing is normalised twice), or for
    long unpunctuated (ASR) text overlapping windows."""
    plain, index = turn.plain, turn.norm.index
    cuts = [m.start() for m in _CLAUSE.finditer(turn.text)]
    if cuts:
        bounds = [0] + [bisect_left(index, c, 0, len(plain)) for c in cuts] + [len(plain)]
        clauses = [plain[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b - a >= PART_MIN]
        if len(clauses) >= 2:
            return clauses[:MAX_PARTS]
    if len(plain) > 2 * WINDOW:
        starts = list(range(0, len(plain) - WINDOW + 1, STRIDE))
        if len(starts) > MAX_PARTS:  # spread over the whole turn: the request is often said last
            starts = [starts[round(k * (len(starts) - 1) / (MAX_PARTS - 1))] for k in range(MAX_PARTS)]
        return [plain[i:i + WINDOW + STRIDE // 2] for i in starts]
    return []


clause_parts = _parts


def _position_weight(k: int) -> float:
    """The k-th caller turn with content (0-based): the opening request weighs most."""
    return 1.6 if k == 0 else 1.3 if k == 1 else 1.0 / (1.0 + 0.1 * (k - 2))


@dataclass
class Classification:
    service_type: str = "out_of_scope"
    confidence: float = 0.0
    service_types: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    """Rule cue scores (the earlier classifier's; the checker reads contact_judge)."""
    referral: str | None = None
    probabilities: dict[str, float] = field(default_factory=dict)
    """Share of the call's need evidence per service type (sums to 1 when there is any)."""
    needs: dict[str, str] = field(default_factory=dict)
    """The need within each type found (催办, 查开庭 …), from the example groups."""
    no_evidence: bool = False
    """True when the caller spoke but nothing said points to a need: the type is a low-confidence default."""

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.scores.items(), key=lambda kv: -kv[1])


class Classifier:
    def __init__(self, rules: Rules) -> None:
        self.r = rules
        self._hits: dict[int, list[tuple[str, float, str]]] = {}
        """Cue hits per turn index: a turn is matched once, however often the call is re-classified."""
        self._evidence: dict[int, dict[str, float]] = {}
        """Model + rule evidence per caller turn index (predicted once per turn)."""
        self._needs: dict[tuple[int, str], tuple[str, str]] = {}
        self._calibrated: dict[int, dict[str, float]] = {}
        self._scope: dict[int, tuple[bool, bool]] = {}
        self._particulars: dict[int, bool] = {}
        """Caller turns that say nothing but particulars (``_particulars_only``), by turn index."""
        self._rule_state: list | None = None
        """Calibrated model probabilities per turn (best of the whole turn and its parts)."""
        self._model = None
        self._restated: TurnView | None = None
        """The agent turn that restated the request and was confirmed, in the last episode read (``_episode``)."""
        self.grumbles: Callable[[TurnView], bool] | None = None
        """Whether a caller turn grumbles about getting through (the checker's caller_wait_complaint rule; set by the
        analyzer). Without it, only the agent's wait apology marks a grumble (``WAIT_GRUMBLE``)."""

    def cue_hits(self, turn: TurnView) -> list[tuple[str, float, str]]:
        """(service type, weight, words) for every cue found in one turn; one hit per cue."""
        cached = self._hits.get(turn.index)
        if cached is not None:
            return cached
        out: list[tuple[str, float, str]] = []
        self._hits[turn.index] = out
        seen: set[str] = set()
        for h in self.r.cue_matcher.find(turn.plain):
            conf = max(h.confidence, HOMOPHONE_CONF) if h.kind == "pinyin" else h.confidence
            if conf < CUE_MIN_CONF or h.phrase_id in seen:
                continue
            seen.add(h.phrase_id)
            code, idx = h.phrase_id.split("|")
            cue = self.r.cues[int(idx)]
            if cue.caller_only and turn.is_agent:
                continue
            out.append((code, cue.weight * conf, turn.said(h.start, h.end) or h.phrase))
        for cue in self.r.cue_regexes:
            if cue.caller_only and turn.is_agent:
                continue
            m = cue.regex.search(turn.plain)
            if m:
                out.append((cue.service_type, cue.weight, turn.said(m.start(), m.end()) or m.group(0)))
        return out

    # ------------------------------------------------------------ model + rules
    @property
    def model(self):
        if self._model is None:
            self._model = self.r.need_model()
        return self._model

    def turn_evidence(self, turn: TurnView) -> dict[str, float]:
        """Evidence per label (service codes and ``none``) of one turn: model probability + rule bonus.

        A turn that says several things (「我是被告王某，案号是…，我想问问怎么上诉」) states a need when
        one of its parts does: each label gets the larger of the whole turn's probability and that of
        its best part (clauses split at punctuation; for unpunctuated ASR text, overlapping windows).
        """
        cached = self._evidence.get(turn.index)
        if cached is not None:
            return cached
        logits = self.model.logits_many([turn.plain])
        raw = self.model.probabilities(logits, temperature=1.0)
        cal = self.model.probabilities(logits)
        ev, calibrated = dict(raw[0]), dict(cal[0])
        # parts only for a caller turn whose whole does not already state a clear in-scope need
        # parts weigh PART_WEIGHT (0.5): they cannot change a turn whose whole already reads clearly
        clear = max(ev[c] for c in SERVICE_TYPES) >= PART_SKIP
        parts = [] if turn.is_agent or clear else _parts(turn)
        if parts:
            logits = self.model.logits_many(parts)
            for probs, cprobs in zip(self.model.probabilities(logits, temperature=1.0),
                                     self.model.probabilities(logits), strict=True):
                for code in SERVICE_TYPES:
                    if PART_WEIGHT * probs[code] > ev[code]:
                        ev[code] = PART_WEIGHT * probs[code]
                    calibrated[code] = max(calibrated[code], cprobs[code])
        self._calibrated[turn.index] = calibrated
        bonus: dict[str, float] = defaultdict(float)
        for cue_code, w, _words in self.cue_hits(turn):
            if w >= PRECISE_WEIGHT or self._is_regex_hit(cue_code, _words, turn):
                bonus[cue_code] = min(RULE_BONUS_MAX, bonus[cue_code] + RULE_BONUS)
        for code, b in bonus.items():
            ev[code] = ev.get(code, 0.0) + b
        self._evidence[turn.index] = ev
        return ev

    def _agent_scope(self, turn: TurnView) -> tuple[bool, bool]:
        """(the agent says it is not court business, the agent names another unit), once per turn."""
        got = self._scope.get(turn.index)
        if got is None:
            names_unit = bool(self.r.referral_units.find(turn.plain, fuzzy=False))
            if names_unit and PARTICULARS_ONLY and _asks_record_field(turn):
                # 「…东门街道…，请问您怎么称呼？电话多少？」: the agent reading back an address while it collects the
                # caller's particulars names no unit to turn to
                names_unit = False
            got = (bool(_SCOPE.search(turn.plain)), names_unit)
            self._scope[turn.index] = got
        return got

    def _is_regex_hit(self, code: str, words: str, turn: TurnView) -> bool:
        return any(c.service_type == code and c.regex.search(turn.plain) and not (c.caller_only and turn.is_agent)
                   for c in self.r.cue_regexes)

    def turn_need(self, turn: TurnView, label: str) -> tuple[str, str]:
        key = (turn.index, label)
        if key not in self._needs:
            self._needs[key] = self.model.predict_need(turn.plain, label)
        return self._needs[key]

    def classify(self, turns: list[TurnView]) -> Classification:
        rule_scores, rule_evidence = self._rule_scores(turns)
        c = Classification(scores=dict(rule_scores))
        caller = [t for t in turns if not t.is_agent and t.has_content]
        if not caller:  # silent call (so far): no need expressed
            c.service_type, c.confidence, c.service_types = "out_of_scope", 1.0, ["out_of_scope"]
            return c
        agg: dict[str, float] = defaultdict(float)
        evs = []
        no_need = self._states_no_need(turns, caller)
        for k, t in enumerate(caller):
            ev = self.turn_evidence(t)
            evs.append(ev)
            if no_need[k]:
                continue  # particulars volunteered in the opening, a fragment the recogniser cut off: no need stated
            w = _position_weight(k)
            for code in SERVICE_TYPES:
                agg[code] += w * ev.get(code, 0.0)
        caller_total = sum(agg[code] for code in SERVICE_TYPES)
        # the agent's words
        seen: set[tuple[str, str]] = set()
        agent_said = ""  # the first in-scope service the agent's own words clearly name
        agent_said_at = -1
        agent_gave = ""  # the first in-scope service clearly given by an agent turn that asks nothing (an answer)
        scope_said = False
        referral_named = False
        for t in turns:
            if not t.is_agent:
                continue
            if AGENT_MODEL and t.has_content:
                aev = self.turn_evidence(t)
                for code in SERVICE_TYPES:
                    agg[code] += AGENT_MODEL * aev.get(code, 0.0)
                if not agent_said:
                    said = max(IN_SCOPE, key=lambda code, aev=aev: aev.get(code, 0.0))
                    if aev.get(said, 0.0) >= AGENT_CLEAR and aev.get(said, 0.0) >= CLEAR_MARGIN * aev.get(
                            "out_of_scope", 0.0):
                        agent_said, agent_said_at = said, t.index
                if not agent_gave and not _asks(t.text):
                    said = max(IN_SCOPE, key=lambda code, aev=aev: aev.get(code, 0.0))
                    if aev.get(said, 0.0) >= AGENT_CLEAR and aev.get(said, 0.0) >= CLEAR_MARGIN * aev.get(
                            "out_of_scope", 0.0):
                        agent_gave = said
            for code, w, words in self.cue_hits(t):
                if w >= 2.0 and (code, words) not in seen:
                    seen.add((code, words))
                    agg[code] += AGENT_BONUS
            scope, names_unit = self._agent_scope(t)
            if not scope_said and scope:
                scope_said = True
                agg["out_of_scope"] += AGENT_SCOPE
            if not referral_named and names_unit:
                referral_named = True
                agg["out_of_scope"] += AGENT_REFERRAL
        total = sum(agg[code] for code in SERVICE_TYPES)
        c.probabilities = {code: round(agg[code] / total, 3) for code in SERVICE_TYPES} if total else {}
        # the primary: the first caller turn with a clear in-scope request, else the most evidence
        primary, at = "", -1
        oos_before = False
        episode: dict[str, float] | None = None
        oos_at = -1  # the first caller turn clearly out of scope
        oos_episode: tuple[dict[str, float], dict[str, float]] | None = None
        for k, ev in enumerate(evs):
            best = max(IN_SCOPE, key=lambda code, ev=ev: ev.get(code, 0.0))
            oos = ev.get("out_of_scope", 0.0)
            if ev.get(best, 0.0) < TURN_CLEAR and (oos < TURN_CLEAR or oos_before):
                # neither a clear request nor the first clear out-of-scope turn: nothing below can act on it, so the
                # tests for follow-ups, particulars and grumbles (the last matches the caller's rules) are not asked
                continue
            # after an out-of-scope matter, a clear in-scope request that opens a new matter (还有 / 另外 /
            # 顺便问) is the call's request: 「公积金…」「请拨12329」「好的，还有，我的案子开庭定了没有？」;
            # a follow-up on the same matter (那我该怎么办) must outweigh the out-of-scope evidence, and the
            # out-of-scope matter read with its own exchange must not stay out of scope (「判决后房子过户去哪里办」
            # 「不动产登记中心」「要带啥东西去」: what to bring there is still the registry's business)
            new_matter = _NEW_MATTER.search(caller[k].plain) is not None
            if ACK_FOLLOW_UP and k > 0 and agent_said and 0 <= agent_said_at < caller[k].index and not new_matter \
                    and _ACK.search(caller[k].plain) is not None and _COURT_MATTER.search(caller[k].plain) is None:
                # 「好个，要等多少辰光？」 after the agent has named the service it gives: a question about that service,
                # not a request of its own
                continue
            if PARTICULARS_ONLY and k > 0 and self._answers_particulars(turns, caller[k]) or no_need[k]:
                # 「柯法官。」 after the agent's 「请问承办法官是哪位？」: particulars asked for, not the request
                continue
            if WAIT_GRUMBLE and best == "complaint" and not _says_complaint(caller[k].plain) and (
                    self._wait_apology_after(turns, caller[k])
                    or (k + 1 < len(caller) and self.grumbles is not None and self.grumbles(caller[k]))):
                # a grumble about the wait (「这电话太难打了」) that the agent answers with the wait apology
                # (「不好意思，刚才线路忙，让您久等了！请讲」) is settled there: the request comes after it
                continue
            if oos_before and not new_matter and ev.get(best, 0.0) >= TURN_CLEAR and OOS_EPISODE \
                    and _COURT_MATTER.search(caller[k].plain) is None and self._referred(turns, caller[oos_at]):
                if oos_episode is None:
                    oos_episode = self._episode(turns, caller[oos_at])
                top = max(SERVICE_TYPES, key=lambda code: oos_episode[0][code])
                if top == "out_of_scope":
                    continue
                # the opening that read as out of scope is, with its exchange, an in-scope request (「工资卡被冻了…我要
                # 找执行法官」: 工资 is no wage dispute here): it is the call's request
                primary, at, episode = top, oos_at, oos_episode[1]
                break
            if ev.get(best, 0.0) >= TURN_CLEAR and ev.get(best, 0.0) >= CLEAR_MARGIN * oos and (
                    not oos_before or agg[best] >= agg["out_of_scope"] or new_matter):
                primary, at = best, k
                # the request is read with the exchange that follows it: a borderline first reading (查退费 vs
                # 咨询退费) is settled by what the caller goes on to ask and the agent goes on to do; a grumble about
                # the busy line or a preamble is not acted on, the request after it is
                scores, episode = self._episode(turns, caller[k])
                top = max(SERVICE_TYPES, key=lambda code: scores[code])
                if not (oos_before and top == "out_of_scope"):
                    primary = top
                break
            if oos >= TURN_CLEAR and not oos_before:
                oos_before, oos_at = True, k
        if not primary and oos_at >= 0 and self._referred(turns, caller[oos_at]):
            # no in-scope request after a clearly out-of-scope turn the agent referred out (or only follow-ups on its
            # matter): that matter, read with its exchange, is the call's
            if oos_episode is None:
                oos_episode = self._episode(turns, caller[oos_at])
            if max(SERVICE_TYPES, key=lambda code: oos_episode[0][code]) == "out_of_scope":
                primary, at, episode = "out_of_scope", oos_at, oos_episode[1]
        if not primary and AGENT_KEEPS_SCOPE and agent_gave and oos_before and not (scope_said or referral_named):
            # a caller turn read as out of scope (a wage story, 「厂里发不出工资…要破产了」) that the agent never refers
            # out — no 「不属于」, no other unit named in the whole call — while clearly giving an in-scope service (how
            # claims go in the court's bankruptcy case; an answer, not the agent's question for a case number, which asks
            # whether the matter is the court's at all): the matter is the court's, and the service given is the call's
            primary = agent_gave
        if not primary and agent_said and not (scope_said or referral_named or oos_before):
            # the caller's words say nothing clearly (a garbled recording, a rambling caller) and nothing clearly
            # out of scope: the service the agent names and gives is the call's (「上门立案的预约我已经帮您登记了」)
            primary = agent_said
        if not primary:
            best = max(SERVICE_TYPES, key=lambda code: agg[code])
            # no evidence: the caller's words point nowhere and the agent names no service and no other unit
            if caller_total < NO_EVIDENCE and not (agent_said or scope_said or referral_named):
                c.no_evidence = True
                primary = "out_of_scope"
            else:
                primary = best
        # secondary needs: other in-scope types clearly asked for in a turn of their own
        needs = [primary]
        for code in sorted(IN_SCOPE, key=lambda x: -agg[x]):
            if code != primary and any(ev.get(code, 0.0) >= TURN_CLEAR for ev in evs) \
                    and agg[code] >= SECONDARY_RATIO * agg[primary]:
                needs.append(code)
        c.service_type, c.service_types = primary, needs
        if c.no_evidence:
            c.confidence = NO_EVIDENCE_CONFIDENCE
            c.evidence = {"out_of_scope": ["未听出明确诉求"]}
            return c
        c.confidence = round(self._confidence(primary, agg, total, episode if at >= 0 else None), 3)
        # evidence: the need within the type (from the example groups), then the rule words
        evidence: dict[str, list[str]] = {}
        restated = self._restated if at >= 0 else None
        if restated is not None and self.turn_evidence(restated).get(primary, 0.0) < TURN_CLEAR:
            restated = None
        for code in needs:
            k_best = at if code == primary and at >= 0 else max(range(len(evs)), key=lambda k: evs[k].get(code, 0.0))
            # the need within the type: in the agent's restatement the caller confirmed, else in the request turn
            need, ref = self.turn_need(restated if code == primary and restated is not None else caller[k_best], code)
            if need:
                c.needs[code] = need
            words = ([need] if need else []) + [w for w in rule_evidence.get(code, []) if w != need]
            evidence[code] = words
        c.evidence = evidence
        if primary == "out_of_scope":
            c.referral = self.suggest_referral(turns)
            if c.referral is None:
                k_best = max(range(len(evs)), key=lambda k: evs[k].get("out_of_scope", 0.0))
                c.referral = self._referral_label(self.turn_need(caller[k_best], "out_of_scope")[1])
        return c

    def _episode(self, turns: list[TurnView], request: TurnView) -> tuple[dict[str, float], dict[str, float]]:
        """Evidence per service type of the request in ``request`` read together with the exchange after it: the
        request turn (EPISODE_FIRST), every later agent turn (EPISODE_AGENT) and later caller turn on the same matter
        (EPISODE_CALLER), each side's weights decaying by EPISODE_DECAY per turn; out of scope gains EPISODE_REFERRAL
        when the agent's first reply says the matter is not the court's or names another unit. Returned twice: from
        the decision probabilities (with rule bonuses) and from the calibrated ones (for the confidence)."""
        self._restated = None
        ev, cal = self.turn_evidence(request), self._calibrated.get(request.index, {})
        scores = {code: EPISODE_FIRST * ev.get(code, 0.0) for code in SERVICE_TYPES}
        calibrated = {code: EPISODE_FIRST * cal.get(code, 0.0) for code in SERVICE_TYPES}
        n_agent = n_caller = 0
        answered = False  # the agent has answered the request (not only asked about it)
        confirming = False  # the caller's reply to a confirmed restatement (「对，就是要他们给个答复」) weighs as much
        at = turns.index(request) if request.index >= len(turns) or turns[request.index] is not request \
            else request.index
        # the request turn may itself be the caller's agreement with the agent's restatement just before it (an
        # opening too long or too garbled to read clearly, 「您是想预约…，对吗？」「对，想…」): that restatement is the
        # request in the agent's words, confirmed, and weighs as a confirmed restatement after the request does
        before = next((j for j in range(at - 1, -1, -1) if turns[j].has_content), -1)
        if EPISODE_CONFIRMED and before >= 0 and turns[before].is_agent and self._confirmed(turns, before):
            self._restated = turns[before]
            aev, acal = self.turn_evidence(turns[before]), self._calibrated.get(turns[before].index, {})
            for code in SERVICE_TYPES:
                scores[code] += EPISODE_CONFIRMED * aev.get(code, 0.0)
                calibrated[code] += EPISODE_CONFIRMED * acal.get(code, 0.0)
        for j in range(at + 1, len(turns)):
            t = turns[j]
            if t.has_content and (self._asks_particulars(turns, j) if t.is_agent
                                  else PARTICULARS_ONLY and self._answers_particulars(turns, t)):
                continue  # a question for particulars and the answer giving them: no service asked or given
            if t.is_agent:
                if t.has_content:
                    w = EPISODE_AGENT * EPISODE_DECAY ** n_agent * min(1.0, len(t.plain) / EPISODE_SHORT)
                    if EPISODE_CONFIRMED and self._confirmed(turns, j):
                        w += EPISODE_CONFIRMED
                        confirming = True
                        if self._restated is None:
                            self._restated = t
                    aev, acal = self.turn_evidence(t), self._calibrated.get(t.index, {})
                    if any(self._agent_scope(t)):
                        # an agent turn that refers the caller out (「物业的事请拨12345反映」) speaks of the other unit's
                        # business: its words (反映, 投诉 …) are no evidence of a service the court gives
                        aev = {"out_of_scope": aev.get("out_of_scope", 0.0)}
                        acal = {"out_of_scope": acal.get("out_of_scope", 0.0)}
                    for code in SERVICE_TYPES:
                        scores[code] += w * aev.get(code, 0.0)
                        calibrated[code] += w * acal.get(code, 0.0)
                if (n_agent == 0 and any(self._agent_scope(t))) or (
                        REFERRAL_AFTER_QUESTIONS and not answered and self._agent_scope(t)[0]):
                    scores["out_of_scope"] += EPISODE_REFERRAL
                    calibrated["out_of_scope"] += EPISODE_REFERRAL
                if t.has_content and not _asks(t.text):
                    answered = True
                n_agent += 1
            elif t.has_content:
                if _NEW_MATTER.search(t.plain) is not None:
                    break
                w = EPISODE_CALLER * EPISODE_DECAY ** n_caller + (EPISODE_CONFIRMED if confirming else 0.0)
                confirming = False
                cev, ccal = self.turn_evidence(t), self._calibrated.get(t.index, {})
                for code in SERVICE_TYPES:
                    scores[code] += w * cev.get(code, 0.0)
                    calibrated[code] += w * ccal.get(code, 0.0)
                n_caller += 1
        return scores, calibrated

    def _answers_particulars(self, turns: list[TurnView], turn: TurnView) -> bool:
        """``turn`` (a caller's) gives particulars only, in answer to an agent question asked after the caller has
        already spoken (not the greeting's 「请问有什么可以帮您？」) that is not the agent's restatement of the request
        (「您是想联系执行法官…，对吗？」「对，法官姓毛」 agrees to the request)."""
        if turn.is_agent:
            return False
        only = self._particulars.get(turn.index)
        if only is None:
            only = self._particulars[turn.index] = _particulars_only(turn.plain)
        if not only:
            return False
        at = _position(turns, turn)
        prev = next((j for j in range(at - 1, -1, -1) if turns[j].has_content), -1)
        if prev < 0 or not turns[prev].is_agent or not _asks(turns[prev].text) \
                or _restates(turns[prev].plain):
            return False
        return any(not t.is_agent and t.has_content for t in turns[:prev])

    def _states_no_need(self, turns: list[TurnView], caller: list[TurnView]) -> list[bool]:
        """For each caller turn ``caller[k]``, whether it states no need by itself: (a) it gives particulars only (a
        case number, the caller's role in the case, who handles it: 「…号，我是被执行人，执行法官是某法官」) in the
        opening, before the agent has said anything after the greeting — what the caller then asks is the request; or
        (b) it is a fragment of at most ``FRAGMENT`` characters right after another caller turn (the recogniser cut one
        utterance at a pause: 「…想问问能不能分期。」「怎么弄，对，」), too short to read on its own. (Asked on every
        turn added, for the whole call: the first agent turn after the caller's first is looked for once.)"""
        if not PARTICULARS_ONLY:
            return [False] * len(caller)
        first = _position(turns, caller[0])
        agent_from = next((j for j in range(first, len(turns)) if turns[j].is_agent and turns[j].has_content),
                          len(turns))
        out = []
        for k, turn in enumerate(caller):
            at = _position(turns, turn)
            if k > 0 and len(turn.plain) <= FRAGMENT:
                prev = next((j for j in range(at - 1, -1, -1) if turns[j].has_content), -1)
                if prev >= 0 and not turns[prev].is_agent:
                    out.append(True)
                    continue
            if agent_from < at:  # the agent has spoken since the caller's first turn
                out.append(False)
                continue
            only = self._particulars.get(turn.index)
            if only is None:
                only = self._particulars[turn.index] = _particulars_only(turn.plain)
            out.append(only)
        return out

    def _asks_particulars(self, turns: list[TurnView], j: int) -> bool:
        """The agent turn ``turns[j]`` only asks (besides an acknowledgement and a name: 「好的，郑律师，请问案号是多少？」) a
        question that the caller's next turn answers with particulars only. An agent turn that also gives the service
        (「好的，给您预约周四上午九点，…，请问您的联系电话？」) is kept: the service it gives is evidence."""
        if not PARTICULARS_ONLY or not _asks(turns[j].text) or not _asks_only(turns[j]):
            return False
        nxt = next((turns[i] for i in range(j + 1, len(turns)) if turns[i].has_content), None)
        return nxt is not None and self._answers_particulars(turns, nxt)

    @staticmethod
    def _wait_apology_after(turns: list[TurnView], turn: TurnView) -> bool:
        """The agent's next turn after ``turn`` apologises for the wait (the standard wait script)."""
        at = turns.index(turn)
        reply = next((t for t in turns[at + 1:] if t.has_content), None)
        return reply is not None and reply.is_agent and _WAIT_APOLOGY.search(reply.plain) is not None

    def _referred(self, turns: list[TurnView], request: TurnView) -> bool:
        """The agent's first reply after ``request`` says the matter is not the court's or names another unit."""
        at = turns.index(request)
        reply = next((t for t in turns[at + 1:] if t.is_agent and t.has_content), None)
        return reply is not None and any(self._agent_scope(reply))

    @staticmethod
    def _confirmed(turns: list[TurnView], j: int) -> bool:
        """The agent turn ``turns[j]`` restates the request as a question and the caller's next turn agrees."""
        if not _restates(turns[j].plain):
            return False
        nxt = next((turns[i] for i in range(j + 1, len(turns)) if turns[i].has_content), None)
        return nxt is not None and not nxt.is_agent and _AGREE.search(nxt.plain) is not None

    @staticmethod
    def _confidence(primary: str, agg: dict[str, float], total: float, deciding: dict[str, float] | None) -> float:
        """How likely the primary is right: the deciding turn's share of its need evidence, averaged with
        the primary's share of the whole call's evidence (without a clear turn: the call share, damped when
        the evidence is thin)."""
        share = agg[primary] / total if total else 0.0
        if deciding is None:
            raw = share * (1.0 - math.exp(-total / STRENGTH_SCALE))
        else:
            turn_total = sum(deciding.get(code, 0.0) for code in SERVICE_TYPES)
            turn_share = deciding.get(primary, 0.0) / turn_total if turn_total else 0.0
            raw = TURN_SHARE_WEIGHT * turn_share + (1.0 - TURN_SHARE_WEIGHT) * share
        a, b = CALIBRATION
        raw = min(max(raw, 1e-3), 1 - 1e-3)
        return 1.0 / (1.0 + math.exp(-(a * math.log(raw / (1.0 - raw)) + b)))

    def _referral_label(self, key: str) -> str | None:
        for r in self.r.referrals:
            if key and key in (r.number, r.unit):
                return r.label
        return None

    def _rule_scores(self, turns: list[TurnView]) -> tuple[dict[str, float], dict[str, list[str]]]:
        """The earlier classifier's cue scores and words (position-weighted caller cues, agent cues once).

        Incremental: a live call only grows, so only the turns added since the last call are read."""
        state = self._rule_state
        if state is None or state[0] > len(turns) or (turns and state[4] is not turns[0]):
            state = self._rule_state = [0, defaultdict(float), defaultdict(list), set(), turns[0] if turns else None, 0]
        done, scores, evidence, agent_said, _first, k = state
        for t in turns[done:]:
            hits = self.cue_hits(t)
            if t.is_agent:
                for code, w, words in hits:
                    if (code, words) in agent_said:
                        continue
                    agent_said.add((code, words))
                    scores[code] += AGENT_WEIGHT * w
                    if words not in evidence[code]:
                        evidence[code].append(words)
                continue
            if not t.has_content:
                continue
            pw = _position_weight(k)
            for code, w, words in hits:
                scores[code] += pw * w
                if words not in evidence[code]:
                    evidence[code].append(words)
            k += 1
        state[0], state[5] = len(turns), k
        return dict(scores), {code: list(v) for code, v in evidence.items()}

    def suggest_referral(self, turns: list[TurnView]) -> str | None:
        """The referral unit whose cues best fit what the caller said."""
        best: dict[int, float] = defaultdict(float)
        for t in turns:
            if t.is_agent:
                continue
            for h in self.r.referral_need.find(t.plain, fuzzy=False):
                best[int(h.phrase_id)] += 1.0
        if not best:
            return None
        i = max(best.items(), key=lambda kv: kv[1])[0]
        return self.r.referrals[i].label
