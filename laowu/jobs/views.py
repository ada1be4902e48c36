"""Pages for job orders and bulletins. Views only call selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from laowu.core.audit_context import client_ip
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.employers import selectors as employer_selectors
from laowu.employers.forms import apply_errors
from laowu.jobs import bulletin_render, codetables, selectors, services
from laowu.jobs.forms import BulletinCompileForm, BulletinDistributionForm, JobOrderForm, TransitionForm
from laowu.jobs.models import JobOrderStatus


@require_cap("jobs.view")
def joborder_list_view(request: AuthedRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "status", "place", "industry")}
    page = paginate(request, selectors.job_order_list(user=request.user, filters=filters))
    return render(
        request,
        "jobs/joborder_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": JobOrderStatus.choices,
            "industries": codetables.industry_division_choices(None),
            "can_edit": request.user.has_cap("jobs.edit"),
        },
    )


@require_cap("jobs.view")
def joborder_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    order = selectors.job_order_get(user=request.user, pk=pk)
    writable = selectors.job_order_writable(user=request.user, order=order)
    actions = services.allowed_transitions(user=request.user, order=order) if writable else []
    needs_party_check = any(t.needs_good_party for _to, t in actions)
    return render(
        request,
        "jobs/joborder_detail.html",
        {
            "order": order,
            "summary": selectors.job_order_summary(order),
            "writable": writable and request.user.has_cap("jobs.edit"),
            "editable": writable and order.status in services.EDITABLE_STATES and request.user.has_cap("jobs.edit"),
            "actions": actions,
            "problems": services.party_problems(order) if needs_party_check else [],
            "transitions": order.transitions.select_related("actor").all(),
            "can_match": request.user.has_cap("registry.view"),
        },
    )


def _parties(user: Any) -> tuple[Any, Any]:
    employers = (
        employer_selectors.employer_list(user=user)
        .filter(is_blacklisted=False)
        .select_related(None)
        .only("pk", "name")[:500]
    )
    agencies = (
        employer_selectors.agency_list(user=user)
        .filter(is_blacklisted=False)
        .select_related(None)
        .only("pk", "name")[:500]
    )
    return employers, agencies


def _joborder_form(request: AuthedRequest, pk: int | None) -> HttpResponse:
    order = selectors.job_order_get(user=request.user, pk=pk) if pk else None
    if order is not None and not selectors.job_order_writable(user=request.user, order=order):
        raise PermissionDenied
    if order is not None and order.status not in services.EDITABLE_STATES:
        messages.error(request, f"「{order.get_status_display()}」状态的用工信息不能修改，只有草稿可以修改。")
        return redirect("jobs:joborder_detail", order.pk)
    employers, agencies = _parties(request.user)
    initial = (
        JobOrderForm.initial_from(order)
        if order
        else {"region": request.user.region_id, "housing": "free", "meals": "paid"}
    )
    form = JobOrderForm(request.POST or None, initial=initial, employers=employers, agencies=agencies)
    if order is not None:
        form.fields["region"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            if order is None:
                order = services.job_order_create(
                    actor=request.user,
                    region_code=form.cleaned_data["region"],
                    ip=client_ip(request),
                    **form.service_kwargs(),
                )
                messages.success(request, "已录入用工信息（草稿），审核通过后才能发布。")
            else:
                services.job_order_update(
                    actor=request.user, order=order, ip=client_ip(request), **form.service_kwargs()
                )
                messages.success(request, "已保存。")
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("region", "该区划不在您的管辖范围内。")
        else:
            return redirect("jobs:joborder_detail", order.pk)
    return render(request, "jobs/joborder_form.html", {"form": form, "order": order})


@require_cap("jobs.edit")
def joborder_create_view(request: AuthedRequest) -> HttpResponse:
    return _joborder_form(request, None)


@require_cap("jobs.edit")
def joborder_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _joborder_form(request, pk)


@require_POST
@require_cap("jobs.edit")
def joborder_delete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    order = selectors.job_order_get(user=request.user, pk=pk)
    try:
        services.job_order_delete(actor=request.user, order=order, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("jobs:joborder_detail", pk)
    messages.success(request, "已删除。")
    return redirect("jobs:joborder_list")


@require_POST
@require_cap("jobs.view")
def joborder_transition_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """One endpoint for every lifecycle action; the service's table decides (and checks caps)."""
    order = selectors.job_order_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求无效。")
        return redirect("jobs:joborder_detail", pk)
    try:
        services.job_order_transition(
            actor=request.user,
            order=order,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, "您无权执行此操作，或该信息由上级单位登记。")
    else:
        messages.success(request, f"状态已变为「{order.get_status_display()}」。")
    return redirect("jobs:joborder_detail", pk)


# --- bulletins --------------------------------------------------------------------------------


@require_cap("jobs.view")
def bulletin_list_view(request: AuthedRequest) -> HttpResponse:
    filters = {"year": request.GET.get("year", "")}
    page = paginate(request, selectors.bulletin_list(user=request.user, filters=filters))
    figures = selectors.bulletin_figures(user=request.user)
    return render(
        request,
        "jobs/bulletin_list.html",
        {"page": page, "filters": filters, "figures": figures, "can_edit": request.user.has_cap("jobs.edit")},
    )


@require_cap("jobs.edit")
def bulletin_compile_view(request: AuthedRequest) -> HttpResponse:
    region_code = request.POST.get("region") or request.GET.get("region") or request.user.region_id
    form = BulletinCompileForm(
        request.POST or None, initial={"region": region_code, "issue_date": timezone.localdate()}
    )
    candidates = list(services.bulletin_candidates(region_code=region_code)[:200])
    if request.method == "POST" and form.is_valid():
        ids = [int(v) for v in request.POST.getlist("orders") if v.isdigit()]
        try:
            bulletin = services.bulletin_compile(
                actor=request.user,
                region_code=form.cleaned_data["region"],
                issue_date=form.cleaned_data["issue_date"],
                title=form.cleaned_data["title"],
                editor_note=form.cleaned_data["editor_note"],
                order_ids=ids,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("region", "该区划不在您的管辖范围内。")
        else:
            messages.success(request, f"已编印第 {bulletin.number} 期。")
            return redirect("jobs:bulletin_detail", bulletin.pk)
    return render(request, "jobs/bulletin_compile.html", {"form": form, "candidates": candidates})


@require_cap("jobs.view")
def bulletin_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    form = BulletinDistributionForm(
        request.POST or None,
        initial={
            "copies_printed": bulletin.copies_printed,
            "people_informed": bulletin.people_informed,
            "distributed_at": bulletin.distributed_at or timezone.localdate(),
        },
    )
    if request.method == "POST":
        if not request.user.has_cap("jobs.edit"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.bulletin_record_distribution(
                    actor=request.user, bulletin=bulletin, ip=client_ip(request), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "发放情况已保存。")
                return redirect("jobs:bulletin_detail", pk)
    return render(
        request,
        "jobs/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "items": selectors.bulletin_items(bulletin),
            "form": form,
            "can_edit": request.user.has_cap("jobs.edit"),
        },
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_cap("jobs.view")
def bulletin_pdf_view(request: AuthedRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return _download(
        bulletin_render.bulletin_pdf(bulletin), "application/pdf", f"{bulletin.title}第{bulletin.number}期.pdf"
    )


@require_cap("jobs.view")
def bulletin_docx_view(request: AuthedRequest, pk: int) -> HttpResponse:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return _download(
        bulletin_render.bulletin_docx(bulletin),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{bulletin.title}第{bulletin.number}期.docx",
    )


@require_cap("jobs.view")
def bulletin_mobile_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The issue on a phone: a village officer opens it and reads it out or shows it."""
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    return render(
        request, "jobs/bulletin_mobile.html", {"bulletin": bulletin, "items": selectors.bulletin_items(bulletin)}
    )
