"""Reads of the organised export process, always restricted to what the user may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from laowu.placements.models import FollowUpCase, Stint


def stint_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[Stint]:
    """Stints in scope. Filters: q (person name), person (id), channel, scope, region, running
    ("1" running / "0" ended), year (started in), industry, destination (code prefix)."""
    filters = filters or {}
    qs = Stint.objects.restrict(user).select_related("person", "destination", "region")
    region = (filters.get("region") or "").strip()
    if region.isdigit():
        qs = qs.filter(region__code__startswith=region)
    if str(filters.get("person") or "").isdigit():
        qs = qs.filter(person_id=int(filters["person"]))
    for key, field in (("channel", "channel"), ("scope", "destination_scope"), ("industry", "industry")):
        if filters.get(key):
            qs = qs.filter(**{field: filters[key]})
    destination = (filters.get("destination") or "").strip()
    if destination.isdigit():
        qs = qs.filter(destination__code__startswith=destination)
    if filters.get("running") == "1":
        qs = qs.filter(end_date__isnull=True)
    elif filters.get("running") == "0":
        qs = qs.filter(end_date__isnull=False)
    if str(filters.get("year") or "").isdigit():
        qs = qs.filter(start_date__year=int(filters["year"]))
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(person__name__startswith=text) | Q(employer_name__contains=text))
    return qs.order_by("-start_date", "-id")


def stint_get(*, user: Any, pk: int) -> Stint:
    return get_object_or_404(Stint.objects.restrict(user).select_related("person", "destination"), pk=pk)


def followup_list(*, user: Any, filters: Mapping[str, str] | None = None) -> QuerySet[FollowUpCase]:
    filters = filters or {}
    qs = FollowUpCase.objects.restrict(user).select_related("person", "region")
    for key in ("kind", "status"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    return qs.order_by("-opened_on", "-id")


def followup_get(*, user: Any, pk: int) -> FollowUpCase:
    return get_object_or_404(FollowUpCase.objects.restrict(user).select_related("person"), pk=pk)
