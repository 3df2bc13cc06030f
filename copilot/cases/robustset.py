"""A text-level robustness set for case and judge resolution: directory cases said with ASR-like name and digit errors.

``python -m copilot.cases.robustset generate tests/data/cases/robust.jsonl`` builds the set (deterministic);
``python -m copilot.cases.robustset measure tests/data/cases/robust.jsonl`` scores the analyzer on it with the
directory (the true cases of tests/data/cases/true_cases.csv among ``--distractors`` generated ones, the
same store as ``copilot.cases.measure``). ``python -m copilot.cases.robustset neighbours tests/data/cases/robust.jsonl``
adds to each clean number the directory lacks the surname of the judge of a case one digit from it, or of the same
serial in another group, and counts the wrong cases filled in (``measure_neighbours``).

Each call is two to four turns built from one directory case. The errors are the ASR's classes, simulated
with pypinyin rather than listed by hand:

- a name character (the surname, sometimes a given-name character) replaced by another character that sounds
  the same or nearly so (``phonetic.char_similarity`` ≥ 0.7: 姚→杨, 黄→王, 胡→吴, 陆→路);
- the judge's surname before 法官 replaced the same way;
- the case number garbled: a serial digit dropped, a digit replaced by the digit that sounds most like it
  (一/七, 四/十→…), the type code as a homophone (民初→名出), year and court run together, the province lost;
  the agent's read-back garbled independently or not said.

Negatives: calls that say no case number (names only), calls whose case number is not in the directory
(a clean number one serial away from nobody's — the resolver must not pick a neighbour), and calls naming a
judge whose name sounds like no judge of the directory.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from copilot.cases.phonetic import char_similarity

CN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
TYPE_HOMOPHONES = {"民初": ("名出", "明初", "民出"), "执": ("直", "职"), "民终": ("民中", "名中"),
                   "刑初": ("行出", "形初"), "执保": ("直保",), "民特": ("名特",), "民督": ("名督",)}
CALLER = ("我叫{name}，案号是{number}，我想问一下{judge}现在案子怎么样了。",
          "你好，我是{name}，我的案子{number}，{judge}一直没联系我。",
          "我是当事人{name}，{number}这个案子，请问{judge}什么时候开庭？",
          "喂，{number}，我叫{name}，想找{judge}。")
AGENT = ("好的{sur}{title}，我跟您核对一下，案号是{number}，对吗？", "{sur}{title}您好，请稍等，我查询一下{number}。",
         "好的，请稍等。")
NO_NUMBER = ("我叫{name}，我想问一下{judge}的电话是多少。", "我是{name}，上次开庭{judge}说让我等通知。")


def _pool() -> str:
    from copilot.cases.generate import GIVEN, SURNAMES

    common = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
              "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
              "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又"
              "么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入"
              "常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西"
              "被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认"
              "六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才"
              "科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商"
              "非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选"
              "标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价"
              "严龙飞杨姚黄胡吴陆路程成孙僧朱曾郑钱沈俞戴潘韩徐许蒋")
    return "".join(dict.fromkeys(SURNAMES + GIVEN + common))


def near_chars(ch: str, pool: str, *, surname: bool, at: float = 0.7) -> list[str]:
    """Characters of ``pool`` that sound like ``ch`` (pinyin similarity ≥ ``at``), excluding ``ch``."""
    return [c for c in pool if c != ch and char_similarity(c, ch, surname) >= at]


def garble_name(name: str, rng: random.Random, pool: str) -> str:
    """The name with its surname (and sometimes a given-name character) replaced by a near-sounding character."""
    out = list(name)
    subs = near_chars(name[0], pool, surname=True)
    if subs:
        out[0] = rng.choice(subs)
    if len(name) >= 3 and rng.random() < 0.3:
        i = rng.randrange(1, len(name))
        subs = near_chars(name[i], pool, surname=False)
        if subs:
            out[i] = rng.choice(subs)
    return "".join(out)


def _closest_digit(d: str) -> str:
    scores = sorted(((char_similarity(CN[x], CN[d]), x) for x in CN if x != d), reverse=True)
    return scores[0][1]


def garble_number(number: str, rng: random.Random) -> str:
    """What the ASR may write for a canonical case number."""
    year, rest = number[1:5], number[6:-1]
    prov = rest[:1]
    court = "".join(c for c in rest[1:5] if c.isdigit())
    code_and_serial = rest[1 + len(court):]
    code = "".join(c for c in code_and_serial if not c.isdigit())
    serial = code_and_serial[len(code):]
    form = rng.random()
    if len(serial) >= 3 and form < 0.3:  # a serial digit dropped
        k = rng.randrange(len(serial))
        serial = serial[:k] + serial[k + 1:]
    elif form < 0.55:  # a digit heard as the digit that sounds most like it
        k = rng.randrange(len(serial))
        new = _closest_digit(serial[k])
        if not (k == 0 and new == "0"):
            serial = serial[:k] + new + serial[k + 1:]
    heard_code = rng.choice(TYPE_HOMOPHONES.get(code, (code,))) if rng.random() < 0.6 else code
    style = rng.randrange(4)
    if style == 0:
        return f"{year}.{court}{heard_code}{serial}号"
    if style == 1:
        return "".join(CN[c] for c in year) + "年" + prov + "".join(CN[c] for c in court) + heard_code + \
            "".join(CN[c] for c in serial) + "号"
    if style == 2:
        return f"{year}{court}{heard_code}{serial}号"
    return f"{year}年{prov}{court}{heard_code}{serial}号"


def _person(party: str) -> str:
    from copilot.cases.resolve import _person as person

    return person(party)


def _judge_said(judge: str, rng: random.Random, pool: str) -> tuple[str, bool]:
    r = rng.random()
    if r < 0.45:
        return garble_name(judge, rng, pool)[0] + "法官", True
    if r < 0.75:
        return judge[0] + "法官", False
    return judge + "法官", False


def generate(rows: list[dict[str, str]], *, n: int = 300, seed: int = 12368) -> list[dict[str, Any]]:
    """``n`` positive calls from random directory cases with people as parties, plus negatives (a third as many of
    each kind)."""
    rng = random.Random(seed)
    pool = _pool()
    existing = {r["case_number"] for r in rows}
    people = [r for r in rows if any(len(_person(p.rsplit(":", 1)[0])) in (2, 3) and p.endswith(":party")
                                     for p in r["parties"].split(";"))]
    calls: list[dict[str, Any]] = []
    for i, r in enumerate(rng.sample(people, n)):
        party = next(_person(p.rsplit(":", 1)[0]) for p in r["parties"].split(";")
                     if p.endswith(":party") and len(_person(p.rsplit(":", 1)[0])) in (2, 3))
        name = garble_name(party, rng, pool) if rng.random() < 0.7 else party
        judge, _garbled = _judge_said(r["judge_name"], rng, pool)
        said = garble_number(r["case_number"], rng)
        turns = [("agent", "您好，12368，请问有什么可以帮您？"),
                 ("caller", rng.choice(CALLER).format(name=name, number=said, judge=judge))]
        agent = rng.choice(AGENT)
        turns.append(("agent", agent.format(sur=party[0], title=rng.choice(("先生", "女士")),
                                            number=garble_number(r["case_number"], rng))))
        calls.append({"call_id": f"RB-{i:04d}", "kind": "garbled", "turns": turns,
                      "case_number": r["case_number"], "judge_name": r["judge_name"], "judge_said": True})
    k = n // 3
    for i, r in enumerate(rng.sample(people, k)):  # no case number said: names only
        party = next(_person(p.rsplit(":", 1)[0]) for p in r["parties"].split(";") if p.endswith(":party"))
        judge, _g = _judge_said(r["judge_name"], rng, pool)
        turns = [("agent", "您好，12368，请问有什么可以帮您？"),
                 ("caller", rng.choice(NO_NUMBER).format(name=party, judge=judge))]
        calls.append({"call_id": f"RB-N{i:03d}", "kind": "no_number", "turns": turns, "case_number": None,
                      "judge_name": r["judge_name"], "judge_said": True})
    for i, r in enumerate(rng.sample(rows, k)):  # a clean number the directory does not hold
        head = r["case_number"][:r["case_number"].rfind(next(c for c in reversed(r["case_number"][:-1])
                                                               if not c.isdigit())) + 1]
        serial = next(s for s in (rng.randint(100, 6000) for _ in range(1000)) if f"{head}{s}号" not in existing)
        number = f"{head}{serial}号"
        turns = [("agent", "您好，12368，请问有什么可以帮您？"),
                 ("caller", f"我想查一下案号{number}的情况。")]
        calls.append({"call_id": f"RB-A{i:03d}", "kind": "absent", "turns": turns, "case_number": None,
                      "judge_name": None, "judge_said": False, "said_number": number})
    judges = {r["judge_name"] for r in rows if r["judge_name"]}
    surnames = {j[0] for j in judges}
    strangers = [c for c in pool if c not in surnames and all(char_similarity(c, s, True) < 0.6 for s in surnames)]
    for i in range(k):  # a judge nobody in the directory sounds like
        sur = rng.choice(strangers) if strangers else "欧阳"
        turns = [("agent", "您好，12368，请问有什么可以帮您？"),
                 ("caller", f"我想找{sur}法官，他一直不接电话。")]
        calls.append({"call_id": f"RB-J{i:03d}", "kind": "unknown_judge", "turns": turns, "case_number": None,
                      "judge_name": None, "judge_said": True, "spoken_judge": f"{sur}法官"})
    return calls


def _transcript(call: dict[str, Any]):
    from copilot.transcript import Transcript, Turn

    turns = tuple(Turn(sp, 3.0 * i, 3.0 * i + 2.5, text) for i, (sp, text) in enumerate(call["turns"]))
    return Transcript(call["call_id"], turns)


def measure(calls: list[dict[str, Any]], directory: Any) -> dict[str, Any]:
    """Case and judge accuracy and false resolutions of the analyzer with ``directory``."""
    from copilot.analysis import analyze_transcript

    out: dict[str, dict[str, int]] = {}
    wrong: list[dict[str, Any]] = []
    for call in calls:
        rec = analyze_transcript(_transcript(call), cases=directory)["record"]
        k = out.setdefault(call["kind"], {"calls": 0, "case_ok": 0, "judge_ok": 0, "false_case": 0,
                                          "wrong_judge": 0, "invented_judge": 0})
        k["calls"] += 1
        got = rec.get("case_number") if rec.get("case_source") == "directory" else None
        if call["case_number"] is not None:
            k["case_ok"] += got == call["case_number"]
            k["false_case"] += got is not None and got != call["case_number"]
        else:
            k["case_ok"] += got is None
            k["false_case"] += got is not None
        judge = rec.get("judge_name")
        if call["judge_name"] is not None:
            k["judge_ok"] += judge == call["judge_name"]
            k["wrong_judge"] += judge != call["judge_name"] and judge in directory_judges(directory)
        else:
            invented = judge is not None and judge in directory_judges(directory)
            k["judge_ok"] += not invented
            k["invented_judge"] += invented
        if got != call["case_number"] or (call["judge_name"] and judge != call["judge_name"]):
            wrong.append({"call": call["call_id"], "kind": call["kind"], "want": call["case_number"],
                          "got": got, "judge_want": call["judge_name"], "judge_got": judge})
    total = {key: sum(v[key] for v in out.values()) for key in ("calls", "false_case", "wrong_judge",
                                                                 "invented_judge")}
    return {"by_kind": out, "total": total, "wrong": wrong}


def measure_neighbours(calls: list[dict[str, Any]], directory: Any, seed: int = 5) -> dict[str, Any]:
    """The robustness set's *absent* numbers (read clean, not in the directory) with a judge's surname said that
    fits another case of the directory: (a) a neighbour of the serial (one edit or one swap away, same year and
    court), (b) the same serial and type code in another group (another year or court), (c) the same serial and type
    code in another year of the court, the court code said garbled and the court named by its place. Each is a wrong case if
    filled in (the directory lacks the number said); a pick list is what the agent should get. Counts the calls
    resolved to a case (false)."""
    import random
    import re as _re

    from sqlalchemy import text

    from copilot.analysis import analyze_transcript
    from copilot.cases.directory import serial_variants
    from copilot.cases.evidence import court_places

    places = dict(court_places())
    rng = random.Random(seed)
    out = {"neighbour": {"calls": 0, "false_case": 0}, "other_group": {"calls": 0, "false_case": 0},
           "court_named": {"calls": 0, "false_case": 0}}
    for call in calls:
        if call["kind"] != "absent":
            continue
        m = _re.match(r"(（(\d{4})）(.\d+)(\D+?))(\d+)号$", call["said_number"])
        if m is None:
            continue
        prefix, code, serial = m.group(1), m.group(4), m.group(5)
        near = [directory.get(f"{prefix}{v}号") for v, sc in serial_variants(serial).items() if sc < 1.0]
        with directory.engine.connect() as conn:
            other = [directory.get(r[0]) for r in conn.execute(text(
                "SELECT case_number FROM cases WHERE serial = :s AND type_code = :t AND case_number <> :n"),
                {"s": int(serial), "t": code, "n": call["said_number"]})]
        for kind, pool in (("neighbour", [c for c in near if c]), ("other_group", [c for c in other if c])):
            if not pool:
                continue
            case = rng.choice(pool)
            said = dict(call, turns=[*call["turns"], ("agent", f"好的，承办是{case.judge_name[:1]}法官。")])
            rec = analyze_transcript(_transcript(said), cases=directory)["record"]
            out[kind]["calls"] += 1
            out[kind]["false_case"] += rec.get("case_source") == "directory"
        # (c) the court code said garbled (its first 0 lost) and the court named by its place, the same serial and type
        # code held by the directory in another year of that court: the court named confirms a court, not a year
        year, court = m.group(2), m.group(3)
        same_court = [c for c in other if c and c.court == court and str(c.year) != year]
        if same_court and court in places and "0" in court:
            garbled = court[1:].replace("0", "", 1)
            said = dict(call, turns=[call["turns"][0], ("caller", f"我在{places[court]}法院有个案子，案号是{year}年这"
                                                                  f"{garbled}{code}{serial}号，想查一下。")])
            rec = analyze_transcript(_transcript(said), cases=directory)["record"]
            out["court_named"]["calls"] += 1
            out["court_named"]["false_case"] += rec.get("case_source") == "directory"
    return out


_JUDGES: dict[int, set[str]] = {}


def directory_judges(directory: Any) -> set[str]:
    key = id(directory)
    if key not in _JUDGES:
        from sqlalchemy import text

        with directory.engine.connect() as conn:
            _JUDGES[key] = {r[0] for r in conn.execute(text("SELECT DISTINCT judge_name FROM cases"))}
    return _JUDGES[key]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("generate", "measure", "neighbours"))
    ap.add_argument("file")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--distractors", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=12368)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)

    from copilot.cases.directory import CaseDirectory
    from copilot.cases.generate import read_csv_rows
    from copilot.cases.measure import TRUE_CSV, build_store

    with tempfile.TemporaryDirectory() as tmp:
        engine = build_store(Path(tmp), TRUE_CSV, a.distractors, a.seed)
        if a.action == "generate":
            rows = read_csv_rows(Path(tmp) / "directory.csv")
            calls = generate(rows, n=a.n, seed=a.seed)
            with open(a.file, "w", encoding="utf-8") as fh:
                for c in calls:
                    fh.write(json.dumps(c, ensure_ascii=False) + "\n")
            print(f"{len(calls)} calls → {a.file}")
            return 0
        calls = [json.loads(x) for x in Path(a.file).read_text(encoding="utf-8").splitlines() if x.strip()]
        measure_fn = measure_neighbours if a.action == "neighbours" else measure
        report = measure_fn(calls, CaseDirectory(engine))
        engine.dispose()
    if a.action == "neighbours":
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    if not a.verbose:
        report.pop("wrong")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
