"""Matching pages: a job order's candidates (匹配候选人) with 加入报名, and a person's
recommended job orders (推荐岗位) with 报名. Views only call selectors and services.

Both pages list people or orders for people, so they need ``registry.view`` (an agency, which
has ``jobs.view`` only, never sees the surplus pool) as well as ``jobs.view``; registering needs
``placements.edit`` (checked again by the service).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from laowu.core.types import AuthedRequest
from laowu.core.views import require_cap
from laowu.jobs import matching, selectors, services
from laowu.jobs.models import JobOrderStatus
from laowu.workers.selectors import person_get

LIMITS = (50, 100, 200)


def _require_jobs_view(request: AuthedRequest) -> None:
    if not request.user.has_cap("jobs.view"):
        raise PermissionDenied


def _date(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _register_errors(request: AuthedRequest, exc: ValidationError) -> None:
    messages.error(request, "未办理任何报名（须全部符合才办理）：")
    for text in exc.messages[:30]:
        messages.error(request, text)
    if len(exc.messages) > 30:
        messages.error(request, f"另有 {len(exc.messages) - 30} 人不能报名，未列出。")


@require_cap("registry.view")
def joborder_candidates_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The order's ranked candidates in the user's scope; POST registers the selected ones."""
    _require_jobs_view(request)
    order = selectors.job_order_get(user=request.user, pk=pk)
    can_register = request.user.has_cap("placements.edit") and order.status == JobOrderStatus.PUBLISHED
    if request.method == "POST":
        if not request.user.has_cap("placements.edit"):
            raise PermissionDenied
        ids = [int(v) for v in request.POST.getlist("person") if v.isdigit() and len(v) < 18]
        planned = _date(request.POST.get("planned_departure", ""))
        try:
            created = services.shortlist_register(
                user=request.user,
                order=order,
                person_ids=ids,
                values={"planned_departure": planned} if planned else None,
            )
        except ValidationError as exc:
            _register_errors(request, exc)
        except PermissionDenied:
            messages.error(request, "您无权为该岗位办理报名。")
        else:
            names = "、".join(a.person.name for a in created[:10]) + ("等" if len(created) > 10 else "")
            messages.success(request, f"已为 {len(created)} 人报名「{order.title}」：{names}。请在报名办理中继续初审。")
        return redirect(request.get_full_path())
    filters = {key: request.GET.get(key, "") for key in matching.CANDIDATE_FILTER_KEYS}
    try:
        limit = int(request.GET.get("limit", matching.DEFAULT_LIMIT))
    except ValueError:
        limit = matching.DEFAULT_LIMIT
    limit = limit if limit in LIMITS else matching.DEFAULT_LIMIT
    context = {
        "order": order,
        "candidates": matching.candidates_for_order(user=request.user, order=order, limit=limit, filters=filters),
        "f": filters,
        "limit": limit,
        "limits": LIMITS,
        "can_register": can_register,
        "match_date": matching.match_date(order),
        "weights": matching.WEIGHTS,
    }
    template = (
        "jobs/_candidate_rows.html" if request.htmx and not request.htmx.boosted else "jobs/joborder_candidates.html"
    )
    return render(request, template, context)


@require_cap("registry.view")
def person_orders_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The open job orders recommended for a person; POST registers the person for one."""
    _require_jobs_view(request)
    person = person_get(user=request.user, pk=pk)
    if request.method == "POST":
        if not request.user.has_cap("placements.edit"):
            raise PermissionDenied
        raw = request.POST.get("order", "")
        order = selectors.job_order_get(user=request.user, pk=int(raw) if raw.isdigit() and len(raw) < 18 else 0)
        try:
            created = services.shortlist_register(user=request.user, order=order, person_ids=[person.pk])
        except ValidationError as exc:
            _register_errors(request, exc)
        except PermissionDenied:
            messages.error(request, "您无权为该人员办理报名。")
        else:
            messages.success(request, f"{person.name} 已报名「{order.title}」。")
            return redirect("placements:application_detail", pk=created[0].pk)
        return redirect("jobs:person_orders", pk=person.pk)
    return render(
        request,
        "jobs/person_orders.html",
        {
            "person": person,
            "matches": matching.orders_for_person(user=request.user, person=person),
            "problem": matching.person_pool_problem(person),
            "can_register": request.user.has_cap("placements.edit"),
        },
    )
