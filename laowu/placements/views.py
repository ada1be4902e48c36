from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from laowu.core.masking import can_view_sensitive
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.core.xlsx import DeleteOnClose
from laowu.placements import selectors, services
from laowu.placements.choices import Channel, DestinationScope, FollowUpKind, FollowUpStatus, Industry
from laowu.placements.forms import FollowUpCloseForm, FollowUpOpenForm, StintEndForm, StintForm, WageForm
from laowu.training.views import error_text, form_errors
from laowu.workers.models import Person
from laowu.workers.selectors import person_list

STINT_FILTER_KEYS = ("q", "channel", "scope", "industry", "running", "year", "region", "destination")


def _stint_toolbar(request: AuthedRequest) -> dict[str, str | None]:
    """导入 and 导出 of the stint list; the export link carries the current query."""
    query = urlencode({k: request.GET[k] for k in STINT_FILTER_KEYS if request.GET.get(k)})
    can_export = request.user.has_cap("registry.export")
    return {
        "import_url": f"{reverse('imports:upload', args=['stint'])}?ledger=away"
        if request.user.has_cap("placements.edit")
        else None,
        "export_url": f"{reverse('placements:stint_export')}?{query}" if can_export else None,
    }


@require_cap("placements.view")
def stint_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.stint_list(user=request.user, filters=request.GET))
    rows_only = bool(request.htmx and not request.htmx.boosted)
    template = "placements/_stint_rows.html" if rows_only else "placements/stint_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "f": request.GET,
            "channels": Channel.choices,
            "scopes": DestinationScope.choices,
            "industries": Industry.choices,
            "rows_only": rows_only,
            **_stint_toolbar(request),
        },
    )


@require_cap("registry.export")
def stint_export_view(request: AuthedRequest) -> HttpResponse:
    """GET shows the export form for the current query; POST sends the workbook. With
    ``ledger=away`` (the 外出务工台帐 page's 导出) the query is the ledger's person filters."""
    if not request.user.has_cap("placements.view"):
        raise PermissionDenied
    from_ledger = request.GET.get("ledger") == "away"
    if from_ledger:
        from laowu.workers.selectors import FILTER_KEYS

        filters: dict[str, str] = {}
        person_filters: dict[str, str] | None = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    else:
        filters = {k: request.GET[k] for k in STINT_FILTER_KEYS if request.GET.get(k)}
        person_filters = None
    error = ""
    if request.method == "POST":
        try:
            export = services.stint_export(
                user=request.user,
                filters=filters,
                person_filters=person_filters,
                full=request.POST.get("full") == "1",
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            response: Any = FileResponse(DeleteOnClose(export.path), content_type=export.content_type)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
            return response
    back = (
        f"{reverse('workers:ledger_away')}?{request.GET.urlencode()}"
        if from_ledger
        else f"{reverse('placements:stint_list')}?{urlencode(filters)}"
    )
    context = {
        "filters": person_filters if from_ledger else filters,
        "from_ledger": from_ledger,
        "can_full": can_view_sensitive(request.user),
        "error": error,
        "back": back,
    }
    return render(request, "placements/stint_export.html", context, status=400 if error else 200)


@require_cap("placements.edit")
def stint_create_view(request: AuthedRequest) -> HttpResponse:
    person_id = request.GET.get("person", "")
    if not person_id.isdigit():
        query = request.GET.get("q", "").strip()
        people = (
            list(person_list(user=request.user, filters={"q": query}).select_related("region")[:50]) if query else []
        )
        return render(request, "placements/person_pick.html", {"people": people, "q": query})
    person = get_object_or_404(Person.objects.restrict(request.user), pk=int(person_id))
    form = StintForm(request.POST or None, initial={"channel": Channel.SELF_ARRANGED})
    if request.method == "POST" and form.is_valid():
        try:
            stint = services.stint_create(user=request.user, person=person, values=form.values())
        except ValidationError as exc:
            form_errors(form, exc)
            if hasattr(exc, "error_dict") and "destination" in exc.message_dict:
                form.add_error("destination_code", exc.message_dict["destination"])
        else:
            messages.success(request, f"已登记 {person.name} 的务工记录。")
            return redirect("placements:stint_detail", pk=stint.pk)
    return render(request, "placements/stint_form.html", {"form": form, "person": person})


@require_cap("placements.view")
def stint_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    stint = selectors.stint_get(user=request.user, pk=pk)
    return render(
        request,
        "placements/stint_detail.html",
        {
            "stint": stint,
            "wages": stint.wages.order_by("month"),
            "followups": stint.followups.order_by("-opened_on"),
            "end_form": StintEndForm(),
            "wage_form": WageForm(),
            "followup_form": FollowUpOpenForm(),
            "can_edit": request.user.has_cap("placements.edit"),
        },
    )


@require_cap("placements.edit")
def stint_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    stint = selectors.stint_get(user=request.user, pk=pk)
    form = StintForm(request.POST or None, instance=stint)
    if request.method == "POST" and form.is_valid():
        fresh = selectors.stint_get(user=request.user, pk=pk)
        try:
            services.stint_update(user=request.user, stint=fresh, values=form.values())
        except ValidationError as exc:
            form_errors(form, exc)
            if hasattr(exc, "error_dict") and "destination" in exc.message_dict:
                form.add_error("destination_code", exc.message_dict["destination"])
        else:
            messages.success(request, "务工记录已保存。")
            return redirect("placements:stint_detail", pk=pk)
    return render(request, "placements/stint_form.html", {"form": form, "person": stint.person, "stint": stint})


@require_cap("placements.edit")
@require_POST
def stint_end_view(request: AuthedRequest, pk: int) -> HttpResponse:
    stint = selectors.stint_get(user=request.user, pk=pk)
    form = StintEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写有效的返回日期。")
    else:
        try:
            services.stint_end(
                user=request.user,
                stint=stint,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"{stint.person.name} 已登记返乡。")
    return redirect("placements:stint_detail", pk=pk)


@require_cap("placements.edit")
@require_POST
def stint_wage_view(request: AuthedRequest, pk: int) -> HttpResponse:
    stint = selectors.stint_get(user=request.user, pk=pk)
    form = WageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写月份和金额。")
    else:
        try:
            services.stint_wage_report(
                user=request.user, stint=stint, month=form.cleaned_data["month"], amount=form.cleaned_data["amount"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "工资已登记。")
    return redirect("placements:stint_detail", pk=pk)


@require_cap("placements.edit")
@require_POST
def stint_delete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    stint = selectors.stint_get(user=request.user, pk=pk)
    try:
        services.stint_delete(user=request.user, stint=stint)
    except (ValidationError, PermissionDenied):
        messages.error(request, "无法删除该务工记录。")
        return redirect("placements:stint_detail", pk=pk)
    messages.success(request, "务工记录已删除。")
    return redirect("placements:stint_list")


@require_cap("placements.edit")
@require_POST
def stint_followup_view(request: AuthedRequest, pk: int) -> HttpResponse:
    stint = selectors.stint_get(user=request.user, pk=pk)
    form = FollowUpOpenForm(request.POST)
    if form.is_valid():
        services.followup_open(
            user=request.user,
            person=stint.person,
            stint=stint,
            kind=form.cleaned_data["kind"],
            notes=form.cleaned_data["notes"],
        )
        messages.success(request, "已登记跟踪服务。")
    return redirect("placements:stint_detail", pk=pk)


@require_cap("placements.view")
def followup_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.followup_list(user=request.user, filters=request.GET))
    return render(
        request,
        "placements/followup_list.html",
        {"page": page, "f": request.GET, "kinds": FollowUpKind.choices, "statuses": FollowUpStatus.choices},
    )


@require_cap("placements.edit")
def followup_close_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.followup_get(user=request.user, pk=pk)
    form = FollowUpCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_close(user=request.user, case=case, outcome=form.cleaned_data["outcome"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "已办结。")
            return redirect("placements:followup_list")
    return render(request, "placements/followup_close.html", {"form": form, "case": case})
