"""Reads of the registry. The three ledgers are filters over one Person table."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from laowu.core import crypto, idcard
from laowu.workers.models import SURPLUS_STATUSES, WORKING_AGE, LaborStatus, Person


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


def person_list(
    *, user: Any, ledger: str = Ledger.RESOURCE, filters: Mapping[str, str] | None = None
) -> QuerySet[Person]:
    """People the user may see, in one ledger, filtered by the list page's query parameters.

    Filters (all optional, as strings from a query string): region (code prefix inside the
    user's scope), status, sex, age_min, age_max, education, trade, poverty, wants_out ("1"),
    q (name, pinyin initials, phone or full ID number).
    """
    filters = filters or {}
    today = datetime.date.today()
    qs = ledger_queryset(Person.objects.restrict(user), ledger, today)
    region = (filters.get("region") or "").strip()
    if region.isdigit():
        qs = qs.filter(region__code__startswith=region)
    if filters.get("status"):
        qs = qs.filter(labor_status=filters["status"])
    if filters.get("sex") in ("1", "2"):
        qs = qs.filter(sex=filters["sex"])
    if str(filters.get("age_min") or "").isdigit():
        qs = qs.filter(birth_date__lte=_years_ago(int(filters["age_min"]), today))
    if str(filters.get("age_max") or "").isdigit():
        qs = qs.filter(birth_date__gt=_years_ago(int(filters["age_max"]) + 1, today))
    if filters.get("education"):
        qs = qs.filter(education=filters["education"])
    if filters.get("trade"):
        qs = qs.filter(trades__contains=[filters["trade"]])
    if filters.get("poverty"):
        qs = qs.filter(household__poverty_status=filters["poverty"])
    if filters.get("wants_out") == "1":
        qs = qs.filter(wants_to_go_out=True)
    text = (filters.get("q") or "").strip()
    if text:
        qs = _search(qs, text)
    return qs


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
    return get_object_or_404(Person.objects.restrict(user).select_related("household"), pk=pk)
