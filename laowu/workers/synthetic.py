"""Synthetic rural laborers for the demo and the benchmarks: plain values, no database.

One generator so that the demo (``workers/demo.py``, a few thousand people through the ORM)
and the benchmarks (``bench/people.py``, a million rows by COPY) show the same population:
households of a head, a spouse and grown children; ID numbers valid by GB 11643 with the
village's county as address code; ages, sex, education, health, trades, labor status and
intent in proportions close to the national migrant-worker monitoring report (average age 43,
men 62% of those who go out) and to the seed reports (construction, electronics, garments ...).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from laowu.core import idcard

# Surnames and given-name characters with their pinyin initials (for ``name_initials``).
SURNAMES = (
    "张z 王w 李l 刘l 陈c 杨y 赵z 黄h 周z 吴w 徐x 孙s 马m 朱z 胡h 郭g 何h 高g 罗l 段d 杞q 番f 尹y 蔺l 樊f 贾j".split()
)
GIVEN_MALE = "建j 国g 明m 军j 海h 强q 伟w 平p 志z 文w 永y 成c 天t 小x 春c 金j 福f 忠z 学x 荣r".split()
GIVEN_FEMALE = "秀x 英y 芳f 玉y 兰l 红h 梅m 丽l 艳y 娟j 花h 琴q 燕y 霞x 凤f 金j 春c 小x 文w 桂g".split()

_MALE_TRADES = [("01", 12), ("02", 5), ("03", 6), ("04", 6), ("05", 5), ("06", 4), ("08", 7), ("09", 5)]
_MALE_TRADES += [("13", 6), ("14", 3), ("15", 2), ("17", 6), ("20", 4), ("21", 3), ("23", 3), ("28", 2)]
_FEMALE_TRADES = [("11", 8), ("12", 5), ("16", 12), ("17", 10), ("18", 5), ("19", 6), ("21", 3), ("22", 8)]
_FEMALE_TRADES += [("26", 4), ("27", 6), ("03", 1)]
_EDUCATION = [("80", 20), ("70", 48), ("60", 11), ("40", 8), ("47", 2), ("30", 4), ("20", 1), ("90", 6)]
_HEALTH = [("1", 86), ("2", 9), ("3", 3), ("4", 1), ("6", 1)]
# Labor status of people of working age (surplus and returned make the surplus ledger).
_STATUS = [
    ("farming", 28),
    ("surplus", 22),
    ("working_away", 30),
    ("working_local", 9),
    ("returned", 7),
    ("other", 2),
]
# Where people of a province want to go: region-code prefixes (province / city / county).
DESTINATIONS = {
    "53": [("44", 20), ("4403", 10), ("4419", 8), ("33", 10), ("32", 6), ("31", 3), ("5301", 25), ("53", 10)],
    "62": [("65", 25), ("63", 12), ("6209", 12), ("6207", 10), ("62", 10), ("4403", 8), ("44", 6), ("5101", 5)],
}
DEFAULT_DESTINATIONS = [("44", 30), ("33", 20), ("32", 15), ("31", 10), ("11", 5)]
_ETHNICITY = {"53": [("01", 80), ("07", 6), ("18", 5), ("20", 4), ("14", 3), ("03", 2)], "62": [("01", 95), ("03", 5)]}


def _pick(rng: random.Random, rows: list[tuple[str, int]]) -> str:
    return rng.choices([r[0] for r in rows], weights=[r[1] for r in rows])[0]


@dataclass
class SyntheticPerson:
    """The values of one ``workers.Person`` (plus what a stint or certificate would need)."""

    region_id: str
    name: str
    name_initials: str
    id_number: str
    birth_date: datetime.date
    sex: str
    ethnicity: str
    education: str
    health: str
    political_status: str
    phone: str
    relation_to_head: str
    trades: list[str]
    labor_status: str
    wants_to_go_out: bool
    preferred_destinations: list[str]
    preferred_trades: list[str]
    available_from: datetime.date | None
    certificates: list[tuple[str, str]] = field(default_factory=list)  # (kind, trade)


class PersonFactory:
    """Makes people with unique valid ID numbers. ``today`` fixes the ages."""

    def __init__(self, seed: int = 2004, today: datetime.date | None = None) -> None:
        self.rng = random.Random(seed)
        self.today = today or datetime.date.today()
        self._used: set[str] = set()

    def _id_number(self, county: str, birth: datetime.date, male: bool) -> str:
        rng = self.rng
        for _ in range(1000):
            sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = idcard.make(county, birth, sequence)
            if number not in self._used:
                self._used.add(number)
                return number
            birth = birth + datetime.timedelta(days=1)
        raise RuntimeError("no free ID number")  # pragma: no cover - 500 numbers a day and sex

    def _birth(self, age: int) -> datetime.date:
        start = self.today.replace(year=self.today.year - age - 1) + datetime.timedelta(days=1)
        return start + datetime.timedelta(days=self.rng.randrange(0, 365))

    def person(self, village: str, *, age: int, male: bool, relation: str = "", surname: str = "") -> SyntheticPerson:
        rng = self.rng
        sur = surname or rng.choice(SURNAMES)
        given = [rng.choice(GIVEN_MALE if male else GIVEN_FEMALE) for _ in range(rng.choice((1, 2, 2)))]
        birth = self._birth(age)
        number = self._id_number(village[:6], birth, male)
        province = village[:2]
        status = _pick(rng, _STATUS)
        if age >= 58 and status in ("working_away", "surplus") and rng.random() < 0.5:
            status = "farming"
        elif age < 19 and rng.random() < 0.5:
            status = "student"
        trades: list[str] = []
        for _ in range(rng.choices((0, 1, 2), weights=(50, 38, 12))[0]):
            trade = _pick(rng, _MALE_TRADES if male else _FEMALE_TRADES)
            if trade not in trades:
                trades.append(trade)
        wants_out = status in ("working_away",) or (
            status in ("surplus", "returned") and rng.random() < 0.72 or status == "farming" and rng.random() < 0.12
        )
        destinations: list[str] = []
        if wants_out:
            for _ in range(rng.choice((1, 1, 2))):
                code = _pick(rng, DESTINATIONS.get(province, DEFAULT_DESTINATIONS))
                if code not in destinations:
                    destinations.append(code)
        preferred = []
        if wants_out and rng.random() < 0.45:
            preferred = [
                trades[0] if trades and rng.random() < 0.6 else _pick(rng, _MALE_TRADES if male else _FEMALE_TRADES)
            ]
        certificates = []
        for trade in trades:
            roll = rng.random()
            if roll < 0.25:
                certificates.append(("training", trade))
            elif roll < 0.37:
                certificates.append(("qualification", trade))
            if trade in ("08", "09", "02", "23") and rng.random() < 0.5:
                certificates.append(("special", trade))
        if "13" in trades or rng.random() < 0.04:
            certificates.append(("driving", ""))
        if rng.random() < 0.1:
            certificates.append(("health", ""))
        available = None
        if status in ("surplus", "returned") and rng.random() < 0.1:
            available = self.today + datetime.timedelta(days=rng.randrange(10, 120))
        return SyntheticPerson(
            region_id=village,
            name=sur[0] + "".join(g[0] for g in given),
            name_initials=sur[1] + "".join(g[1] for g in given),
            id_number=number,
            birth_date=birth,
            sex="1" if male else "2",
            ethnicity=_pick(rng, _ETHNICITY.get(province, [("01", 1)])),
            education=_pick(rng, _EDUCATION) if rng.random() > 0.01 else "",
            health=_pick(rng, _HEALTH),
            political_status="01" if rng.random() < 0.05 else ("03" if age < 28 and rng.random() < 0.3 else "13"),
            phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            relation_to_head=relation,
            trades=trades,
            labor_status=status,
            wants_to_go_out=wants_out,
            preferred_destinations=destinations,
            preferred_trades=preferred,
            available_from=available,
            certificates=certificates,
        )

    def household(self, village: str) -> list[SyntheticPerson]:
        """A head of household (户主), often a spouse, and the children of working age."""
        rng = self.rng
        head_age = rng.randrange(30, 63)
        male = rng.random() < 0.85
        head = self.person(village, age=head_age, male=male, relation="02")
        surname = next(s for s in SURNAMES if s[0] == head.name[0])
        members = [head]
        if rng.random() < 0.85:
            spouse_age = max(18, min(64, head_age + rng.randrange(-5, 4) * (1 if male else -1)))
            members.append(self.person(village, age=spouse_age, male=not male, relation="10"))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            age = head_age - rng.randrange(22, 32)
            if age < 16:
                continue
            son = rng.random() < 0.52
            members.append(self.person(village, age=age, male=son, relation="20" if son else "30", surname=surname))
        return members

    def people(self, villages: list[str], n: int) -> Iterator[SyntheticPerson]:
        """``n`` people in households, spread over the villages in turn."""
        made = 0
        index = 0
        while made < n:
            for member in self.household(villages[index % len(villages)]):
                if made >= n:
                    return
                yield member
                made += 1
            index += 1
