"""Reads for job orders and bulletins: always region-restricted."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from laowu.core.scope import in_scope
from laowu.jobs import codetables
from laowu.jobs.models import Bulletin, JobOrder, JobOrderQuerySet, JobOrderStatus, Provision


def job_order_list(*, user: Any, filters: dict[str, Any] | None = None) -> JobOrderQuerySet:
    filters = filters or {}
    qs = JobOrder.objects.restrict(user).select_related("employer", "agency", "place_region", "region")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(employer__name__contains=q) | Q(agency__name__contains=q))
    status = filters.get("status") or ""
    if status in JobOrderStatus.values:
        qs = qs.filter(status=status)
    place = (filters.get("place") or "").strip()
    if place.isdigit():
        qs = qs.filter(place_region__code__startswith=place)
    industry = filters.get("industry") or ""
    if industry:
        qs = qs.filter(industry_code=industry)
    for key in ("employer", "agency"):
        value = str(filters.get(key) or "")
        if value.isdigit():
            qs = qs.filter(**{f"{key}_id": int(value)})
    return qs.order_by("-created_at", "-pk")


def job_order_get(*, user: Any, pk: int) -> JobOrder:
    qs = JobOrder.objects.restrict(user).select_related("employer", "agency", "place_region", "region", "created_by")
    return get_object_or_404(qs, pk=pk)


def job_order_writable(*, user: Any, order: JobOrder) -> bool:
    """Published orders of an office above are visible to its townships, but read-only."""
    return in_scope(user, order.region_id)


def _money(value: Decimal | None) -> str:
    return f"{value:,.2f}" if value is not None else ""


def job_order_summary(order: JobOrder) -> dict[str, Any]:
    """The order as text a villager reads: used by bulletins (snapshot), PDF, Word, phone page."""
    requirements = []
    if order.min_age or order.max_age:
        if order.min_age and order.max_age:
            requirements.append(f"年龄 {order.min_age}-{order.max_age} 岁")
        elif order.min_age:
            requirements.append(f"年龄 {order.min_age} 岁以上")
        else:
            requirements.append(f"年龄 {order.max_age} 岁以下")
    if order.sex:
        requirements.append(f"限{order.get_sex_display()}性")
    if order.min_education:
        requirements.append(f"{codetables.education().name(order.min_education)}及以上")
    if order.health_codes:
        requirements.append("身体" + "或".join(codetables.health().name(c) for c in order.health_codes))
    if order.trade_codes:
        requirements.append("会" + "、".join(codetables.trades().name(c) for c in order.trade_codes))
    if order.certificate_kinds:
        requirements.append("持" + "、".join(codetables.certificate_kinds().name(c) for c in order.certificate_kinds))
    if order.training_required:
        requirements.append(f"须先参加{codetables.trades().name(order.training_trade_code)}培训")
    if order.other_requirements:
        requirements.append(order.other_requirements)
    terms = []
    if order.contract_months:
        terms.append(f"合同 {order.contract_months} 个月")
    if order.housing != Provision.NONE:
        terms.append(f"住宿{order.get_housing_display()}")
    if order.meals != Provision.NONE:
        terms.append(f"伙食{order.get_meals_display()}")
    place = order.place_region.full_name or order.place_region.name
    return {
        "order_id": order.pk,
        "title": order.title,
        "employer": str(order.employer) if order.employer else "",
        "agency": str(order.agency) if order.agency else "",
        "headcount": order.headcount,
        "place": place + (f" {order.work_address}" if order.work_address else ""),
        "industry": codetables.industry().name(order.industry_code) if order.industry_code else "",
        "wage": f"{_money(order.wage_min)}-{_money(order.wage_max)} 元/月",
        "guaranteed_wage": f"{_money(order.guaranteed_wage)} 元/月" if order.guaranteed_wage is not None else "",
        "requirements": "，".join(requirements) or "不限",
        "terms": "，".join(terms),
        "travel": order.travel_arrangements,
        "description": order.description,
        "deadline": order.deadline.isoformat() if order.deadline else "",
        "contact": _contact(order),
    }


def _contact(order: JobOrder) -> str:
    """Who villagers should ask: the registering office, not the employer's private phone."""
    return f"{order.region.full_name or order.region.name}劳务工作站"


def bulletin_list(*, user: Any, filters: dict[str, Any] | None = None) -> Any:
    filters = filters or {}
    qs = Bulletin.objects.restrict(user).select_related("region").annotate(item_count=Count("items"))
    year = str(filters.get("year") or "")
    if year.isdigit():
        qs = qs.filter(issue_date__year=int(year))
    return qs.order_by("-issue_date", "-number")


def bulletin_get(*, user: Any, pk: int) -> Bulletin:
    qs = Bulletin.objects.restrict(user).select_related("region", "compiled_by")
    return get_object_or_404(qs, pk=pk)


def bulletin_items(bulletin: Bulletin) -> list[dict[str, Any]]:
    return [dict(item.snapshot, position=item.position) for item in bulletin.items.order_by("position")]


def bulletin_figures(
    *, user: Any, region_code: str = "", start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[str, int]:
    """The figures reports need: issues, job items published, copies printed, people informed."""
    qs = Bulletin.objects.restrict(user)
    if region_code:
        qs = qs.in_region(region_code)
    if start:
        qs = qs.filter(issue_date__gte=start)
    if end:
        qs = qs.filter(issue_date__lte=end)
    totals = qs.aggregate(
        issues=Count("pk", distinct=True), copies=Sum("copies_printed"), people=Sum("people_informed")
    )
    items = qs.aggregate(n=Count("items"))["n"]
    return {
        "issues": totals["issues"] or 0,
        "items": items or 0,
        "copies_printed": totals["copies"] or 0,
        "people_informed": totals["people"] or 0,
    }
