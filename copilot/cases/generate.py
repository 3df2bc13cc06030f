"""Realistic synthetic case directories (for benchmarks, tests and measurements; never real data).

Case numbers follow the court's own pattern: per court, year and type code the serials are a sample of
1..N, N depending on how busy that kind of court is with that type; each court has its own judges, each
judge sits in one department; parties are people and companies with the roles of formats.md §3.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from copilot.cases.importing import COLUMNS, import_cases

HUZHOU = ("浙05", "浙0502", "浙0503", "浙0521", "浙0522", "浙0523", "浙0591")
"""The courts of the dev set and the fixtures (湖州中院 and six basic courts)."""


def zhejiang_courts() -> tuple[str, ...]:
    """The high court, 11 intermediate courts and about 10 basic courts in each city (codes as the courts use)."""
    out = ["浙"]
    for city in range(1, 12):
        out.append(f"浙{city:02d}")
        for d in (2, 3, 4, 5, 6, 21, 22, 23, 24, 81, 82, 83):
            out.append(f"浙{city:02d}{d:02d}")
    return tuple(out)


SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "建国明华伟芳敏静丽强磊军洋勇艳杰娟涛超秀英霞平刚桂兰文辉晓燕立新根宝美玲海峰志红卫东春梅金凤雪琴佳怡子涵浩然宇轩欣悦"
COMPANY = ("湖州{}纺织有限公司", "{}建设工程有限公司", "浙江{}科技有限公司", "{}商贸有限公司", "{}物业服务有限公司")
LAW_FIRM = ("浙江{}律师事务所", "湖州{}律师事务所")
STATUS = ("已立案", "审理中", "已排期", "已开庭", "调解中", "鉴定中", "已判决", "已结案", "执行中", "终结本次执行")
# type code: (share of cases, serial range at a basic court, department); intermediate and high courts differ below
BASIC_TYPES = {"民初": (0.52, 6000, "民一庭"), "执": (0.2, 3500, "执行局"), "执保": (0.05, 900, "执行局"),
               "刑初": (0.06, 700, "刑事审判庭"), "执恢": (0.03, 400, "执行局"), "执异": (0.02, 200, "执行局"),
               "行初": (0.02, 150, "行政审判庭"), "破": (0.01, 60, "民二庭"), "民特": (0.05, 900, "民二庭"),
               "民督": (0.04, 500, "民二庭")}
UPPER_TYPES = {"民终": (0.6, 3000, "民一庭"), "刑终": (0.1, 300, "刑事审判庭"), "行终": (0.08, 300, "行政审判庭"),
               "民初": (0.1, 200, "民二庭"), "执复": (0.07, 200, "执行局"), "民辖终": (0.05, 300, "立案庭")}


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def judges_for(court: str, rng: random.Random, n: int = 24) -> dict[str, list[str]]:
    """Judges per department of one court."""
    depts = sorted({d for _s, _n, d in (*BASIC_TYPES.values(), *UPPER_TYPES.values())})
    out: dict[str, list[str]] = {d: [] for d in depts}
    for i in range(n):
        out[depts[i % len(depts)]].append(person(rng))
    return out


def _parties(rng: random.Random, code: str) -> str:
    names = []
    if rng.random() < 0.3:
        names.append(f"{rng.choice(COMPANY).format(rng.choice(GIVEN) + rng.choice(GIVEN))}:party")
    names += [f"{person(rng)}:party" for _ in range(rng.choice((1, 1, 2)))]
    if rng.random() < 0.4:
        lawyer = rng.choice(LAW_FIRM).format(rng.choice(GIVEN) + rng.choice(GIVEN)) + person(rng)
        names.append(f"{lawyer}:{'defender' if code.startswith('刑') else 'litigation_agent'}")
    return ";".join(names)


def generate_rows(n: int, *, seed: int = 0, courts: Iterable[str] | None = None,
                  years: Iterable[int] = range(2019, 2027), exclude: Iterable[str] = (),
                  judges: dict[str, dict[str, list[str]]] | None = None) -> Iterator[dict[str, str]]:
    """``n`` distinct cases spread over ``courts`` × ``years`` (by court size), none of them in ``exclude``."""
    rng = random.Random(seed)
    courts = tuple(courts or zhejiang_courts())
    years = tuple(years)
    seen = set(exclude)
    judges = dict(judges or {})
    # serial ranges scale with n so the directory stays as dense as a court's real list
    groups = []
    for c in courts:
        digits = len(c) - 1
        types = BASIC_TYPES if digits == 4 else UPPER_TYPES
        weight = 1.0 if digits == 4 else (0.6 if digits == 2 else 0.2)
        for y in years:
            for code, (share, top, dept) in types.items():
                groups.append((c, y, code, dept, share * weight, top))
    total_w = sum(g[4] for g in groups)
    made = 0
    for c, y, code, dept, w, top in groups:
        want = max(1, round(n * w / total_w)) if made < n else 0
        if made + want > n:
            want = n - made
        if want <= 0:
            continue
        span = max(top, int(want * 1.25))
        serials = rng.sample(range(1, span + 1), min(want, span))
        pool = judges.setdefault(c, judges_for(c, random.Random(f"{seed}{c}")))
        for s in serials:
            number = f"（{y}）{c}{code}{s}号"
            if number in seen:
                continue
            seen.add(number)
            filed = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            status = rng.choice(STATUS)
            hearing = ""
            if status in ("已排期", "审理中", "鉴定中"):
                hearing = f"{min(y + 1, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.choice((9, 10, 14, 15)):02d}:{rng.choice(('00', '30'))}"
            yield {"case_number": number, "judge_name": rng.choice(pool[dept] or [person(rng)]),
                   "department": dept, "clerk_name": person(rng), "status": status, "filed_on": filed,
                   "next_hearing": hearing, "parties": _parties(rng, code)}
            made += 1
    while made < n:  # rounding: top up from the first groups
        c, y, code, dept, _w, top = groups[rng.randrange(len(groups))]
        s = rng.randint(1, top * 3)
        number = f"（{y}）{c}{code}{s}号"
        if number in seen:
            continue
        seen.add(number)
        yield {"case_number": number, "judge_name": person(rng), "department": dept, "clerk_name": person(rng),
               "status": rng.choice(STATUS), "filed_on": f"{y}-01-15", "next_hearing": "",
               "parties": _parties(rng, code)}
        made += 1


def write_csv(path: str | Path, rows: Iterable[dict[str, str]]) -> int:
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow(r)
            n += 1
    return n


def read_csv_rows(path: str | Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def case_row(number: str, judge: str, parties: str, dept: str = "民一庭", status: str = "审理中") -> dict[str, str]:
    """One directory row written by hand (tests, examples): filed on 1 February of the number's year."""
    return {"case_number": number, "judge_name": judge, "department": dept, "clerk_name": "", "status": status,
            "filed_on": f"{number[1:5]}-02-01", "next_hearing": "", "parties": parties}


def store_among_distractors(folder: str | Path, true_rows: list[dict[str, str]], distractors: int, *, seed: int,
                            courts: Iterable[str], years: Iterable[int]) -> Any:
    """A SQLite store in ``folder``: ``true_rows`` among ``distractors`` generated cases of the same courts and years.

    The import is strict: a true row the importer rejects raises instead of leaving the directory without it."""
    from copilot.store.db import make_engine

    folder = Path(folder)
    rows = generate_rows(distractors, seed=seed, courts=list(courts), years=list(years),
                         exclude={r["case_number"] for r in true_rows})
    csv_path = folder / "directory.csv"
    write_csv(csv_path, [*true_rows, *rows])
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    import_cases(engine, csv_path, strict=True)
    return engine
