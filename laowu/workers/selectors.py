"""Reads of the registry. The three ledgers are filters over one Person table."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from laowu.core import crypto, idcard
from laowu.core.scope import scope_prefix
from laowu.workers.models import SURPLUS_STATUSES, WORKING_AGE, Household, LaborStatus, Person, PovertyStatus


class Ledger:
    RESOURCE = "resource"  # 农村劳动力资源台帐
    SURPLUS = "surplus"  # 农村富余劳动力资源台帐
    AWAY = "away"  # 劳动力外出务工台帐

    LABELS = {RESOURCE: "农村劳动力资源台帐", SURPLUS: "农村富余劳动力资源台帐", AWAY: "劳动力外出务工台帐"}


def _years_ago(years: int, today: datetime.date) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def ledger_queryset(qs: QuerySet[Person], ledger: str, today: datetime.date | None = None) -> QuerySet[Person]:
    """Narrow a queryset to one ledger (the single definition of each ledger)."""
    today = today or datetime.date.today()
    if ledger == Ledger.SURPLUS:
        return qs.filter(labor_status__in=SURPLUS_STATUSES)
    if ledger == Ledger.AWAY:
        return qs.filter(labor_status=LaborStatus.WORKING_AWAY)
    low, high = WORKING_AGE
    return qs.filter(birth_date__gt=_years_ago(high + 1, today), birth_date__lte=_years_ago(low, today))


FILTER_KEYS = (
    "region",
    "status",
    "sex",
    "age_min",
    "age_max",
    "education",
    "trade",
    "poverty",
    "wants_out",
    "q",
    "sort",
)


def person_list(
    *, user: Any, ledger: str = Ledger.RESOURCE, filters: Mapping[str, str] | None = None
) -> QuerySet[Person]:
    """People the user may see, in one ledger, filtered by the list page's query parameters.

    Filters (all optional, as strings from a query string): region (code prefix inside the
    user's scope), status, sex, age_min, age_max, education, trade, poverty, wants_out ("1" or
    "0"), q (name, pinyin initials, phone or full ID number), sort (a key of ``SORTS``).
    """
    # Query-string values: the last one of each key, without NUL (PostgreSQL refuses it).
    filters = {key: str((filters or {}).get(key) or "").replace("\x00", "") for key in FILTER_KEYS}
    today = datetime.date.today()
    qs = ledger_queryset(Person.objects.restrict(user), ledger, today)
    qs = _code_range(qs, scope_prefix(user) or "")
    region = (filters.get("region") or "").strip()
    if region.isdigit() and region.isascii():
        qs = _code_range(qs.filter(region__code__startswith=region), region)
    if filters.get("status"):
        qs = qs.filter(labor_status=filters["status"])
    if filters.get("sex") in ("1", "2"):
        qs = qs.filter(sex=filters["sex"])
    age_min, age_max = _age(filters.get("age_min")), _age(filters.get("age_max"))
    if age_min is not None:
        qs = qs.filter(birth_date__lte=_years_ago(age_min, today))
    if age_max is not None:
        qs = qs.filter(birth_date__gt=_years_ago(age_max + 1, today))
    if filters.get("education"):
        qs = qs.filter(education=filters["education"])
    if filters.get("trade"):
        qs = qs.filter(trades__contains=[filters["trade"]])
    if filters.get("poverty"):
        qs = qs.filter(household__poverty_status=filters["poverty"])
    if filters.get("wants_out") == "1":
        qs = qs.filter(wants_to_go_out=True)
    elif filters.get("wants_out") == "0":
        qs = qs.filter(wants_to_go_out=False)
    text = (filters.get("q") or "").strip()
    if text:
        qs = _search(qs, text)
    return qs.select_related("region", "household").order_by(*_ordering(filters.get("sort")))


def next_code_prefix(prefix: str) -> str | None:
    """The first digit string of ``prefix``'s length after every code that starts with it
    ("530521" → "530522", "53059" → "53060"); None when there is none ("999")."""
    if not (prefix.isascii() and prefix.isdigit()):
        return None
    upper = int(prefix) + 1
    text = str(upper).zfill(len(prefix))
    return text if len(text) == len(prefix) else None


def _code_range(qs: QuerySet[Person], prefix: str) -> QuerySet[Person]:
    """The subtree also as a range of codes: the (region, id) index then reads just the subtree
    in page order (a LIKE prefix alone uses that index only under the C collation)."""
    if not prefix or not (prefix.isascii() and prefix.isdigit()):
        return qs
    qs = qs.filter(region_id__gte=prefix)
    upper = next_code_prefix(prefix)
    return qs.filter(region_id__lt=upper) if upper else qs


# Sortable columns of the ledger pages (whitelist): parameter value -> ORDER BY, ties by id.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name_initials", "id"),
    "-name": ("-name_initials", "-id"),
    "age": ("-birth_date", "id"),
    "-age": ("birth_date", "-id"),
    "region": ("region_id", "id"),
    "-region": ("-region_id", "-id"),
    "status": ("labor_status", "id"),
    "-status": ("-labor_status", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "region"


def _ordering(sort: str | None) -> tuple[str, ...]:
    return SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT])


def _age(raw: object) -> int | None:
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return min(int(text), 150)


def _search(qs: QuerySet[Person], text: str) -> QuerySet[Person]:
    normalised = idcard.normalise(text)
    if len(normalised) in (15, 18) and normalised[:17].isdigit():
        try:
            number = idcard.parse(normalised).number
        except idcard.IdNumberError:
            return qs.none()
        return qs.filter(id_number_hash=crypto.blind_index(number))
    if normalised.isdigit():
        return qs.filter(phone__startswith=normalised)
    if text.isascii():
        return qs.filter(name_initials__startswith=text.lower())
    return qs.filter(name__startswith=text) if len(text) <= 2 else qs.filter(name__contains=text)


def person_get(*, user: Any, pk: int) -> Person:
    return get_object_or_404(Person.objects.restrict(user).select_related("household", "region"), pk=pk)


# Fields of a person's history shown in the timeline (others are bookkeeping).
TIMELINE_FIELDS: dict[str, str] = {
    "name": "姓名",
    "id_number_masked": "身份证号",
    "region_id": "所在村组",
    "ethnicity": "民族",
    "education": "文化程度",
    "health": "健康状况",
    "political_status": "政治面貌",
    "phone": "联系电话",
    "household_id": "所在户",
    "relation_to_head": "与户主关系",
    "trades": "技能（工种）",
    "labor_status": "劳动力状态",
    "wants_to_go_out": "有外出意愿",
    "preferred_destinations": "意向务工地",
    "preferred_trades": "意向工种",
    "available_from": "最早可外出日期",
    "notes": "备注",
}
_SOURCES = {"web": "网页", "api": "接口", "import": "导入", "demo": "演示数据", "job": "后台任务", "command": "命令"}


def person_timeline(*, person: Person, limit: int = 200) -> list[dict[str, Any]]:
    """Every recorded change of a person (pghistory events), newest first: who, when, what.

    Values are shown as users read them; phone numbers stay masked in the timeline."""
    from laowu.workers.models import PersonEvent  # type: ignore[attr-defined]
    from laowu.workers.services import display_value

    events = list(
        PersonEvent.objects.filter(pgh_obj_id=person.pk).select_related("pgh_context").order_by("pgh_id")[:limit]
    )
    timeline: list[dict[str, Any]] = []
    previous: Any = None
    for event in events:
        changes = []
        for field, label in TIMELINE_FIELDS.items():
            new = getattr(event, field)
            old = getattr(previous, field) if previous is not None else None
            if previous is not None and old == new:
                continue
            if previous is None and new in (None, "", []):
                continue
            key = field.removesuffix("_id") if field in ("region_id", "household_id") else field
            changes.append({"label": label, "old": display_value(key, old), "new": display_value(key, new)})
        previous = event
        if not changes:
            continue
        meta = event.pgh_context.metadata if event.pgh_context_id else {}
        timeline.append(
            {
                "at": event.pgh_created_at,
                "action": "登记" if event.pgh_label == "insert" else "修改",
                "who": meta.get("username") or "",
                "source": _SOURCES.get(meta.get("source", ""), meta.get("source", "")),
                "changes": changes,
            }
        )
    timeline.reverse()
    return timeline


def household_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[Household]:
    """Households the user may see: region subtree, number prefix, poverty status."""
    filters = filters or {}
    qs = Household.objects.restrict(user)
    region = (filters.get("region") or "").strip()
    if region.isdigit() and region.isascii():
        qs = qs.filter(region__code__startswith=region)
    number = (filters.get("q") or "").strip()
    if number:
        qs = qs.filter(number__startswith=number)
    if filters.get("poverty") in PovertyStatus.values:
        qs = qs.filter(poverty_status=filters["poverty"])
    return qs.select_related("region", "head").order_by("region_id", "number")


def household_get(*, user: Any, pk: int) -> Household:
    return get_object_or_404(Household.objects.restrict(user).select_related("region", "head"), pk=pk)


def household_members(*, user: Any, household: Household) -> QuerySet[Person]:
    return (
        Person.objects.restrict(user)
        .filter(household=household)
        .select_related("region")
        .order_by("relation_to_head", "birth_date")
    )
