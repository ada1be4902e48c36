"""Matching, both ways (人岗匹配): the ranked candidates of a job order from the surplus pool in
the user's scope, and the ranked open job orders for a person.

- Hard requirements (``requirements``) filter in SQL: age on the order's date, sex, minimum
  education (ranks of GB/T 4658 in the shared code table), health codes, trades, certificate
  kinds, training before export (先培训后输出, the one rule ``training.selectors.trained_in``),
  labor status in the surplus pool, the user's region scope, not applied to the order before.
- A score ranks, computed in SQL too (``ORDER BY score DESC LIMIT n``), from ``WEIGHTS``.
- Reasons (``Reason``) are built in Python for the returned rows only, in a fixed number of
  queries. Each reason carries the points it adds, so the reasons add up to the score.

Both directions use the same requirements and the same weights; ``tests/test_matching.py``
checks that they agree. Decisions: docs/decisions/0060-matching.md.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from laowu.core.codetables import code_table
from laowu.jobs import codetables
from laowu.jobs.models import JobOrder, JobOrderStatus
from laowu.placements.models import Application
from laowu.regions.models import Region
from laowu.training.selectors import trained_in, trained_trades
from laowu.workers.models import SURPLUS_STATUSES, Certificate, Person

# The score: points per fact, in one place. A candidate's score is the sum of the points of the
# facts that hold; every fact that adds points is named in the candidate's reasons.
WEIGHTS: dict[str, int] = {
    # per trade of the order that the person has (瓦工, 电工 ...)
    "trade": 30,
    # the person is trained in a trade of the order: a passed class or a certificate
    "trained": 15,
    # the person wants to go where the order is (a preferred region code is a prefix of its place)
    "destination": 15,
    # the person wants to work in a trade of the order (意向工种)
    "preferred_trade": 10,
    # the person is registered as wanting to go out (有外出意愿)
    "wants_out": 10,
    # the person has worked away before (any stint): knows the road
    "experience": 10,
    # the person came back early at least once (placements.services.EARLY_RETURN_DAYS)
    "early_return": -15,
}
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


@dataclass(frozen=True)
class Reason:
    """One fact of a match in Chinese, with the points it adds to the score (0: a requirement
    that is met, shown so that officers see why the person fits)."""

    text: str
    points: int = 0

    @property
    def tone(self) -> str:
        return "plus" if self.points > 0 else "minus" if self.points < 0 else "fit"

    def __str__(self) -> str:
        return self.text


@dataclass
class Candidate:
    person: Person
    score: int
    reasons: list[Reason]


@dataclass
class OrderMatch:
    order: JobOrder
    score: int
    reasons: list[Reason]


@dataclass(frozen=True)
class Requirement:
    """A hard requirement of an order as a filter on ``Person``; ``label`` says what fails."""

    key: str
    label: str
    q: Q


# --- dates, trades, places -----------------------------------------------------------------


def match_date(order: JobOrder, today: datetime.date | None = None) -> datetime.date:
    """The date ages are taken on: the order's registration deadline while it is ahead (people
    leave after it, and screening takes the age at departure), else today."""
    today = today or timezone.localdate()
    return order.deadline if order.deadline and order.deadline > today else today


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def place_prefixes(code: str) -> list[str]:
    """Every region code the place lies in (province, city, county ... itself)."""
    return [code[:n] for n in (2, 4, 6, 9, 12, 15) if n <= len(code)]


def order_trades(order: JobOrder) -> list[str]:
    """The trades an order asks for: its trade codes and the trade it requires training in."""
    trades = list(dict.fromkeys(order.trade_codes or []))
    if order.training_required and order.training_trade_code and order.training_trade_code not in trades:
        trades.append(order.training_trade_code)
    return trades


def _valid_certificates(today: datetime.date) -> QuerySet[Certificate]:
    return Certificate.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def _names(table: str, codes: Iterable[str]) -> str:
    return "、".join(code_table(table).name(c) or c for c in codes)


# --- hard requirements ---------------------------------------------------------------------


def requirements(order: JobOrder, *, on: datetime.date, today: datetime.date | None = None) -> list[Requirement]:
    """The order's hard requirements as filters on Person (only those the order sets)."""
    today = today or timezone.localdate()
    reqs = [Requirement("surplus", "不在富余劳动力台帐中", Q(labor_status__in=SURPLUS_STATUSES))]
    if order.min_age is not None:
        reqs.append(
            Requirement("min_age", f"未满 {order.min_age} 岁", Q(birth_date__lte=_years_before(on, order.min_age)))
        )
    if order.max_age is not None:
        reqs.append(
            Requirement("max_age", f"超过 {order.max_age} 岁", Q(birth_date__gt=_years_before(on, order.max_age + 1)))
        )
    if order.sex:
        reqs.append(Requirement("sex", f"限{order.get_sex_display()}性", Q(sex=order.sex)))
    if order.min_education:
        name = codetables.education().name(order.min_education)
        reqs.append(
            Requirement(
                "education",
                f"文化程度低于{name}",
                Q(education__in=codetables.education_codes_at_least(order.min_education)),
            )
        )
    if order.health_codes:
        reqs.append(Requirement("health", "健康状况不符合要求", Q(health__in=list(order.health_codes))))
    if order.trade_codes:
        reqs.append(
            Requirement(
                "trades", f"没有{_names('trade', order.trade_codes)}技能", Q(trades__overlap=list(order.trade_codes))
            )
        )
    for kind in dict.fromkeys(order.certificate_kinds or []):
        holders = _valid_certificates(today).filter(kind=kind).values("person_id")
        reqs.append(Requirement(f"certificate_{kind}", f"没有{_names('certificate', [kind])}", Q(pk__in=holders)))
    if order.training_required and order.training_trade_code:
        trade = order.training_trade_code
        reqs.append(Requirement("training", f"尚未完成{_names('trade', [trade])}培训（须先培训）", trained_in(trade)))
    applied = Application.objects.filter(job_order_id=order.pk).values("person_id")
    reqs.append(Requirement("not_applied", "已报名过该岗位", ~Q(pk__in=applied)))
    return reqs


def unmet_requirements(
    *, user: Any, order: JobOrder, person_ids: Iterable[int], today: datetime.date | None = None
) -> dict[int, list[str]]:
    """For people in the user's scope: the labels of the order's requirements each one fails
    (an empty list: a candidate). People out of scope are left out. One query."""
    today = today or timezone.localdate()
    reqs = requirements(order, on=match_date(order, today), today=today)
    checks = {f"req_{r.key}": ExpressionWrapper(r.q, output_field=BooleanField()) for r in reqs}
    rows = Person.objects.restrict(user).filter(pk__in=list(person_ids)).annotate(**checks).values("pk", *checks)
    return {row["pk"]: [r.label for r in reqs if not row[f"req_{r.key}"]] for row in rows}


# --- the score, person side ----------------------------------------------------------------


def _when(condition: Q, points: int) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0), output_field=IntegerField())


def _person_score(order: JobOrder) -> Any:
    w = WEIGHTS
    parts: list[Any] = [_when(Q(trades__contains=[t]), w["trade"]) for t in dict.fromkeys(order.trade_codes or [])]
    trades = order_trades(order)
    if trades:
        parts.append(_when(trained_in(trades), w["trained"]))
        parts.append(_when(Q(preferred_trades__overlap=trades), w["preferred_trade"]))
    parts.append(_when(Q(preferred_destinations__overlap=place_prefixes(order.place_region_id)), w["destination"]))
    parts.append(_when(Q(wants_to_go_out=True), w["wants_out"]))
    parts.append(_when(Q(stint_count__gt=0), w["experience"]))
    parts.append(_when(Q(early_return_count__gt=0), w["early_return"]))
    return functools.reduce(operator.add, parts)


CANDIDATE_FILTER_KEYS = ("region", "wants_out", "experienced")


def candidate_queryset(
    *, user: Any, order: JobOrder, filters: Mapping[str, Any] | None = None, today: datetime.date | None = None
) -> QuerySet[Person]:
    """People in the user's scope who meet every hard requirement of the order, with their
    ``match_score``, best first. Filters: region (a code prefix), wants_out ("1"), experienced
    ("1": has worked away before)."""
    today = today or timezone.localdate()
    filters = {k: str((filters or {}).get(k) or "").replace("\x00", "").strip() for k in CANDIDATE_FILTER_KEYS}
    reqs = requirements(order, on=match_date(order, today), today=today)
    qs = Person.objects.restrict(user).filter(*[r.q for r in reqs])
    if filters["region"].isdigit() and filters["region"].isascii():
        qs = qs.filter(region__code__startswith=filters["region"])
    if filters["wants_out"] == "1":
        qs = qs.filter(wants_to_go_out=True)
    if filters["experienced"] == "1":
        qs = qs.filter(stint_count__gt=0)
    return qs.annotate(match_score=_person_score(order)).order_by("-match_score", "pk")


def candidates_for_order(
    *,
    user: Any,
    order: JobOrder,
    limit: int = DEFAULT_LIMIT,
    filters: Mapping[str, Any] | None = None,
    today: datetime.date | None = None,
) -> list[Candidate]:
    """The best ``limit`` candidates of the surplus pool in the user's scope, with reasons.

    The caller has fetched ``order`` through a scope-checked selector (``job_order_get``)."""
    today = today or timezone.localdate()
    limit = max(1, min(int(limit), MAX_LIMIT))
    # Rank on the columns the index ``person_surplus_match`` covers (an index-only scan), then
    # read the rows of the ones returned.
    qs: Any = candidate_queryset(user=user, order=order, filters=filters, today=today)
    ranked: list[tuple[int, int]] = list(qs.values_list("pk", "match_score")[:limit])
    rows = Person.objects.select_related("region").defer("id_number_enc", "notes").in_bulk([pk for pk, _ in ranked])
    people = [rows[pk] for pk, _ in ranked if pk in rows]
    scores = dict(ranked)
    facts = _facts(people, today)
    names = _region_names(place_prefixes(order.place_region_id))
    on = match_date(order, today)
    return [
        Candidate(person=p, score=scores[p.pk], reasons=explain(order, p, facts[p.pk], on=on, region_names=names))
        for p in people
    ]


# --- the other way: orders for a person ----------------------------------------------------


def open_orders(*, user: Any, today: datetime.date | None = None) -> QuerySet[JobOrder]:
    """Published orders the user may see, registration not closed."""
    today = today or timezone.localdate()
    return (
        JobOrder.objects.restrict(user)
        .filter(status=JobOrderStatus.PUBLISHED)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
    )


def _order_age(person: Person, today: datetime.date) -> Any:
    """The person's age on each order's ``match_date``, as a SQL expression."""
    on = Case(When(deadline__gt=today, then=F("deadline")), default=Value(today), output_field=DateField())
    age = Func(on, Value(person.birth_date, output_field=DateField()), function="age")
    return Cast(Func(Value("year"), age, function="date_part"), IntegerField())


def person_pool_problem(person: Person) -> str:
    """Why a person gets no recommendations at all (not in the surplus pool), or ""."""
    if person.labor_status in SURPLUS_STATUSES:
        return ""
    return f"{person.name} 当前为「{person.get_labor_status_display()}」，不在富余劳动力台帐中，不推荐岗位。"


def order_queryset(
    *, user: Any, person: Person, facts: Facts | None = None, today: datetime.date | None = None
) -> QuerySet[JobOrder]:
    """Open orders in the user's scope whose hard requirements the person meets, with their
    ``match_score`` for this person, best first. The mirror of ``requirements``."""
    today = today or timezone.localdate()
    if person_pool_problem(person):
        return JobOrder.objects.none()
    facts = facts or _facts([person], today)[person.pk]
    trades = list(dict.fromkeys(person.trades or []))
    rank = codetables.education_rank(person.education)
    educations = [c for c, _ in codetables.education().rows if codetables.education_rank(c) <= rank] if rank else []
    trained = sorted(facts.trained)
    qs = (
        open_orders(user=user, today=today)
        .annotate(match_age=_order_age(person, today))
        .filter(Q(min_age__isnull=True) | Q(min_age__lte=F("match_age")))
        .filter(Q(max_age__isnull=True) | Q(max_age__gte=F("match_age")))
        .filter(Q(sex="") | Q(sex=person.sex))
        .filter(Q(min_education="") | Q(min_education__in=educations))
        .filter(Q(health_codes=[]) | Q(health_codes__contains=[person.health]))
        .filter(Q(trade_codes=[]) | (Q(trade_codes__overlap=trades) if trades else Q(pk__in=[])))
        .filter(certificate_kinds__contained_by=sorted(facts.certificate_kinds))
        .filter(Q(training_required=False) | Q(training_trade_code="") | Q(training_trade_code__in=trained))
        .exclude(pk__in=Application.objects.filter(person_id=person.pk).values("job_order_id"))
    )
    return (
        qs.annotate(match_score=_order_score(person, facts))
        .select_related("employer", "agency", "place_region", "region")
        .order_by("-match_score", "-wage_max", "pk")
    )


def _order_score(person: Person, facts: Facts) -> Any:
    w = WEIGHTS

    def asks(codes: list[str]) -> Q:
        """The order asks for one of these trades (``order_trades``)."""
        return Q(trade_codes__overlap=codes) | Q(training_required=True, training_trade_code__in=codes)

    parts: list[Any] = [_when(Q(trade_codes__contains=[t]), w["trade"]) for t in dict.fromkeys(person.trades or [])]
    if facts.trained:
        parts.append(_when(asks(sorted(facts.trained)), w["trained"]))
    if person.preferred_trades:
        parts.append(_when(asks(list(person.preferred_trades)), w["preferred_trade"]))
    if person.preferred_destinations:
        wanted = functools.reduce(
            operator.or_, (Q(place_region__code__startswith=d) for d in person.preferred_destinations)
        )
        parts.append(_when(wanted, w["destination"]))
    constant = (w["wants_out"] if person.wants_to_go_out else 0) + facts.stint_points
    parts.append(Value(constant, output_field=IntegerField()))
    return functools.reduce(operator.add, parts)


def orders_for_person(
    *, user: Any, person: Person, limit: int = 50, today: datetime.date | None = None
) -> list[OrderMatch]:
    """The best ``limit`` open orders for a person, with reasons. The caller has fetched
    ``person`` through a scope-checked selector (``person_get``)."""
    today = today or timezone.localdate()
    limit = max(1, min(int(limit), MAX_LIMIT))
    facts = _facts([person], today)[person.pk]
    orders = list(order_queryset(user=user, person=person, facts=facts, today=today)[:limit])
    names = _region_names(person.preferred_destinations or [])
    return [
        OrderMatch(
            order=o,
            score=o.match_score,  # type: ignore[attr-defined]
            reasons=explain(o, person, facts, on=match_date(o, today), region_names=names),
        )
        for o in orders
    ]


# --- facts and reasons (Python, for the returned rows only) --------------------------------


@dataclass
class Facts:
    """What the reasons need about one person beyond the Person row."""

    certificates: list[Certificate] = field(default_factory=list)  # valid today
    trained: dict[str, str] = field(default_factory=dict)  # trade -> "class" or certificate kind
    stints: int = 0
    early_returns: int = 0

    @property
    def certificate_kinds(self) -> set[str]:
        return {c.kind for c in self.certificates}

    @property
    def stint_points(self) -> int:
        return (WEIGHTS["experience"] if self.stints else 0) + (WEIGHTS["early_return"] if self.early_returns else 0)


def _facts(people: list[Person], today: datetime.date) -> dict[int, Facts]:
    """Certificates and training of these people (three queries for any number); the stint
    counters are on the Person rows."""
    facts = {p.pk: Facts(stints=p.stint_count, early_returns=p.early_return_count) for p in people}
    if not people:
        return facts
    ids = list(facts)
    for cert in _valid_certificates(today).filter(person_id__in=ids).order_by("-issued_on", "pk"):
        facts[cert.person_id].certificates.append(cert)
    for pk, trained in trained_trades(person_ids=ids).items():
        facts[pk].trained = trained
    return facts


def _region_names(codes: Iterable[str]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


def _age_text(order: JobOrder, age: int) -> str:
    if order.min_age is not None and order.max_age is not None:
        return f"年龄 {age} 岁，符合 {order.min_age}–{order.max_age} 岁"
    if order.min_age is not None:
        return f"年龄 {age} 岁，符合 {order.min_age} 岁以上"
    if order.max_age is not None:
        return f"年龄 {age} 岁，符合 {order.max_age} 岁以下"
    return f"年龄 {age} 岁"


def explain(
    order: JobOrder, person: Person, facts: Facts, *, on: datetime.date, region_names: Mapping[str, str]
) -> list[Reason]:
    """Why this person fits this order, in Chinese: the requirements met (0 points) and every
    fact that adds or takes points (the same facts and ``WEIGHTS`` as the SQL score)."""
    w = WEIGHTS
    reasons = [Reason(_age_text(order, person.age_on(on)))]
    if order.sex:
        reasons.append(Reason(f"性别{person.get_sex_display()}，符合要求"))
    if order.min_education:
        have = codetables.education().name(person.education)
        need = codetables.education().name(order.min_education)
        reasons.append(Reason(f"文化程度{have}，符合{need}及以上"))
    if order.health_codes:
        reasons.append(Reason(f"健康状况：{code_table('health').name(person.health)}"))
    trades = code_table("trade")
    for trade in dict.fromkeys(order.trade_codes or []):
        if trade in (person.trades or []):
            reasons.append(Reason(f"有{trades.name(trade)}技能", w["trade"]))
    for kind in dict.fromkeys(order.certificate_kinds or []):
        cert = next((c for c in facts.certificates if c.kind == kind), None)
        if cert is not None:
            what = trades.name(cert.trade) if cert.trade else ""
            reasons.append(Reason(f"持有{what}{code_table('certificate').name(kind)}"))
    asked = order_trades(order)
    trained = [t for t in asked if t in facts.trained]
    if trained:
        how = facts.trained[trained[0]]
        text = (
            f"已完成{trades.name(trained[0])}培训"
            if how == "class"
            else f"持有{trades.name(trained[0])}{code_table('certificate').name(how)}"
        )
        if order.training_required and order.training_trade_code in trained:
            text += "（本岗位须先培训）"
        reasons.append(Reason(text, w["trained"]))
    wanted_trades = [t for t in asked if t in (person.preferred_trades or [])]
    if wanted_trades:
        reasons.append(Reason(f"意向工种：{'、'.join(trades.name(t) for t in wanted_trades)}", w["preferred_trade"]))
    prefixes = place_prefixes(order.place_region_id)
    places = [d for d in person.preferred_destinations or [] if d in prefixes]
    if places:
        best = max(places, key=len)
        reasons.append(Reason(f"意向去{region_names.get(best, best)}", w["destination"]))
    if person.wants_to_go_out:
        reasons.append(Reason("有外出意愿", w["wants_out"]))
    if facts.stints:
        text = f"曾外出务工 {facts.stints} 次"
        if facts.early_returns:
            text += f"，{facts.early_returns} 次 3 个月内返乡"
        reasons.append(Reason(text, facts.stint_points))
    if person.available_from and person.available_from > on:
        reasons.append(Reason(f"{person.available_from:%Y-%m-%d} 起才能外出"))
    return reasons
