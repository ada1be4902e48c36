"""Pages of the organised export process: applications, batches, the agency portal, rosters."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core.codetables import choices
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.placements import selectors, services
from laowu.placements.choices import ApplicationStatus, BatchStatus
from laowu.placements.forms import ApplicationForm, BatchForm, BulkRegisterForm, TransitionForm
from laowu.placements.models import Application, Batch
from laowu.placements.selectors import as_id
from laowu.training.views import error_text, form_errors
from laowu.workers.models import Person
from laowu.workers.selectors import Ledger, person_list

# The actions offered for many applications at once (application list and batch page), in the
# order of the process. Each runs ``services.application_transition`` once per application.
BULK_ACTIONS = (
    "screen",
    "health_check",
    "train",
    "interview",
    "sign_contract",
    "documents",
    "depart",
    "arrive",
    "start_work",
)
# Bulk actions that record facts (政审, 体检, 面试, 合同, 证件): the facts are entered once for the
# whole selection on a confirmation page holding the action's own form (forms.TRANSITION_FIELDS).
FORM_ACTIONS = frozenset({"screen", "health_check", "interview", "sign_contract", "documents"})
BULK_REGISTER_LIMIT = 200  # people listed on the bulk registration page at once


def _orders(user: Any) -> Any:
    from laowu.jobs.models import JobOrder, JobOrderStatus

    return (
        JobOrder.objects.restrict(user)
        .filter(status=JobOrderStatus.PUBLISHED)
        .select_related("employer", "agency")  # str(order) names both
        .order_by("-created_at")
    )


def _ids(request: AuthedRequest) -> list[int]:
    return [pk for v in request.POST.getlist("app") if (pk := as_id(v)) is not None]


def _action(request: AuthedRequest) -> str:
    """The chosen action: a clicked button's value comes after the toolbar's select."""
    return next((a for a in reversed(request.POST.getlist("action")) if a), "")


def _next_url(request: AuthedRequest, default: str) -> str:
    """Where to go back to: the posted ``next`` when it is a path on this site, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _bulk_initial(action: str, apps: list[Application]) -> dict[str, Any]:
    """Sensible defaults for the facts of a bulk action; claims (政审, 证件) stay unticked."""
    today = timezone.localdate()
    if action == "health_check":
        return {"health_check_date": today, "health_check_passed": "1"}
    if action == "interview":
        return {"interview_date": today}
    if action == "sign_contract":
        initial: dict[str, Any] = {"contract_signed_on": today}
        orders = {a.job_order_id: a.job_order for a in apps}
        if len(orders) == 1:  # one order: its contract terms are the group's terms
            order = next(iter(orders.values()))
            initial.update(
                contract_term_months=order.contract_months,
                contract_wage=order.wage_min,
                guaranteed_wage=order.guaranteed_wage,
            )
        return initial
    return {}


def _bulk_facts(
    request: AuthedRequest, *, action: str, apps: list[Application], post_url: str, back: tuple[str, str]
) -> tuple[HttpResponse | None, dict[str, Any]]:
    """The confirmation step of a bulk action that records facts. Returns the confirmation page
    while the facts are still to be entered (or are invalid), else the transition's arguments."""
    if action not in FORM_ACTIONS:
        return None, {"reason": request.POST.get("reason", "")}
    if request.POST.get("confirm") == "1":
        form = TransitionForm(request.POST, action=action)
        if form.is_valid():
            return None, {
                "data": form.data_values(),
                "reason": form.cleaned_data.get("reason", ""),
                "health_result_text": form.cleaned_data.get("health_result_text", ""),
            }
    else:
        form = TransitionForm(action=action, initial=_bulk_initial(action, apps))
    page = render(
        request,
        "placements/bulk_transition.html",
        {
            "transition": services.TRANSITIONS[action],
            "form": form,
            "apps": apps,
            "post_url": post_url,
            "back_url": back[0],
            "back_label": back[1],
        },
    )
    return page, {}


def _report(request: AuthedRequest, done: int, errors: list[str], label: str) -> None:
    if done:
        messages.success(request, f"{label}：{done} 人办理成功。")
    for text in errors[:20]:
        messages.error(request, text)
    if len(errors) > 20:
        messages.error(request, f"另有 {len(errors) - 20} 人未通过，未列出。")


@require_cap("placements.view")
def application_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.application_list(user=request.user, filters=request.GET))
    return render(
        request,
        "placements/application_list.html",
        {
            "page": page,
            "f": request.GET,
            "statuses": ApplicationStatus.choices,
            "actions": [services.TRANSITIONS[a] for a in BULK_ACTIONS],
            "batches": selectors.batch_list(user=request.user, filters={"status": BatchStatus.PLANNED})[:50],
            "orders": _order_filter_choices(request.user),
        },
    )


def _order_filter_choices(user: Any) -> list[Any]:
    from laowu.jobs.models import PUBLISHED_STATES, JobOrder

    orders = JobOrder.objects.restrict(user).filter(status__in=PUBLISHED_STATES)
    return list(orders.only("pk", "title").order_by("-created_at")[:100])


@require_cap("placements.edit")
def application_create_view(request: AuthedRequest) -> HttpResponse:
    person_id = request.GET.get("person", "")
    if not person_id.isdigit():
        query = request.GET.get("q", "").strip()
        people = (
            list(person_list(user=request.user, filters={"q": query}).select_related("region")[:50]) if query else []
        )
        return render(request, "placements/person_pick.html", {"people": people, "q": query, "for_application": True})
    person = get_object_or_404(Person.objects.restrict(request.user), pk=int(person_id))
    form = ApplicationForm(request.POST or None, orders=_orders(request.user))
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in ("planned_departure", "emergency_contact", "emergency_phone")}
        try:
            app = services.application_register(
                user=request.user, person=person, job_order=form.cleaned_data["job_order"], values=values
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"{person.name} 已报名。")
            return redirect("placements:application_detail", pk=app.pk)
    return render(request, "placements/application_form.html", {"form": form, "person": person})


@require_cap("placements.view")
def application_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    app = selectors.application_get(user=request.user, pk=pk)
    actions = services.available_actions(app)
    return render(
        request,
        "placements/application_detail.html",
        {
            "app": app,
            "events": app.events.select_related("user"),
            "forms": [(t, TransitionForm(action=t.action)) for t in actions],
            "health_text": services.health_result_text(app, request.user),
            "can_edit": request.user.has_cap("placements.edit"),
        },
    )


@require_cap("placements.edit")
@require_POST
def application_transition_view(request: AuthedRequest, pk: int) -> HttpResponse:
    app = selectors.application_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    if action not in services.TRANSITIONS:
        messages.error(request, "未知操作。")
        return redirect("placements:application_detail", pk=pk)
    form = TransitionForm(request.POST, action=action)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(str(e) for e in errs)}")
        return redirect("placements:application_detail", pk=pk)
    try:
        services.application_transition(
            user=request.user,
            application=app,
            action=action,
            reason=form.cleaned_data.get("reason", ""),
            data=form.data_values(),
            health_result_text=form.cleaned_data.get("health_result_text", ""),
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已办理「{services.TRANSITIONS[action].label}」。")
    return redirect("placements:application_detail", pk=pk)


@require_cap("placements.edit")
def application_bulk_register_view(request: AuthedRequest) -> HttpResponse:
    """批量报名: tick people of the surplus ledger, register them all for one order, or none."""
    orders = _orders(request.user)
    order_id = as_id(request.POST.get("job_order") if request.method == "POST" else request.GET.get("order"))
    order = orders.filter(pk=order_id).first() if order_id is not None else None
    filters = {k: request.GET.get(k, "") for k in ("q", "region", "sex", "age_min", "age_max", "trade", "wants_out")}
    if order is not None and request.GET.get("match") == "1":  # the order's own limits
        filters.update(
            age_min=str(order.min_age or ""), age_max=str(order.max_age or ""), sex=order.sex or filters["sex"]
        )
    form = BulkRegisterForm(request.POST or None, orders=orders, initial={"job_order": order})
    chosen = [pk for v in request.POST.getlist("person") if (pk := as_id(v)) is not None]
    if request.method == "POST" and form.is_valid():
        order = form.cleaned_data["job_order"]
        people = list(Person.objects.restrict(request.user).filter(pk__in=chosen).order_by("region_id", "id"))
        try:
            if len(people) != len(set(chosen)):
                raise ValidationError("所选人员中有人不在您的管辖范围内，未报名任何人。")
            values = {"planned_departure": form.cleaned_data["planned_departure"]}
            created = services.application_register_many(
                user=request.user, people=people, job_order=order, values=values
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"已为 {len(created)} 人报名「{order.title}」。")
            # The order's applications, up to 100 on one page: the next bulk steps start here.
            return redirect(reverse("placements:application_list") + f"?order={order.pk}&size=100")
    people = list(person_list(user=request.user, ledger=Ledger.SURPLUS, filters=filters)[: BULK_REGISTER_LIMIT + 1])
    registered: set[int] = set()
    if order is not None and people:
        registered = set(
            Application.objects.filter(job_order=order, person_id__in=[p.pk for p in people])
            .exclude(status__in=services.FINAL_STATUSES)
            .values_list("person_id", flat=True)
        )
    return render(
        request,
        "placements/application_bulk_register.html",
        {
            "form": form,
            "orders": orders,
            "order": order,
            "people": people[:BULK_REGISTER_LIMIT],
            "more": len(people) > BULK_REGISTER_LIMIT,
            "limit": BULK_REGISTER_LIMIT,
            "registered": registered,
            "chosen": set(chosen),
            "f": {**request.GET.dict(), **filters},
            "trades": choices("trade"),
        },
    )


@require_cap("placements.edit")
@require_POST
def application_bulk_view(request: AuthedRequest) -> HttpResponse:
    """Bulk action on the selected applications of the list page (or add them to a batch)."""
    back = _next_url(request, "placements:application_list")
    apps = list(selectors.application_list(user=request.user).filter(pk__in=_ids(request)))
    action = _action(request)
    if not apps:
        messages.error(request, "请先勾选要办理的报名。")
    elif action.startswith("batch:") and action[6:].isdigit():
        batch = selectors.batch_get(user=request.user, pk=int(action[6:]))
        done, errors = services.batch_add_members(user=request.user, batch=batch, applications=apps)
        _report(request, done, errors, f"加入批次「{batch.name}」")
    elif action in BULK_ACTIONS:
        page, values = _bulk_facts(
            request,
            action=action,
            apps=apps,
            post_url=reverse("placements:application_bulk"),
            back=(back, "报名办理"),
        )
        if page is not None:
            return page
        done, errors = services.application_bulk_transition(
            user=request.user, applications=apps, action=action, **values
        )
        _report(request, done, errors, services.TRANSITIONS[action].label)
    else:
        messages.error(request, "请选择操作。")
    return redirect(back)


@require_cap("placements.view")
def batch_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.batch_list(user=request.user, filters=request.GET))
    return render(
        request, "placements/batch_list.html", {"page": page, "f": request.GET, "statuses": BatchStatus.choices}
    )


@require_cap("placements.edit")
def batch_edit_view(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk) if pk else None
    initial: dict[str, Any] = {"region_id": request.user.region_id}
    if batch is not None:
        initial = {name: getattr(batch, name) for name in services.BATCH_FIELDS}
        initial["job_orders"] = list(batch.job_orders.all())
    form = BatchForm(request.POST or None, initial=initial, orders=_orders(request.user))
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "job_orders"}
        try:
            saved = services.batch_save(
                user=request.user, values=values, job_orders=form.cleaned_data["job_orders"], batch=batch
            )
        except ValidationError as exc:
            form_errors(form, exc)
        except PermissionDenied:
            form.add_error("region_id", "该区划不在您的管辖范围内。")
        else:
            messages.success(request, "批次已保存。")
            return redirect("placements:batch_detail", pk=saved.pk)
    return render(request, "placements/batch_form.html", {"form": form, "batch": batch})


@require_cap("placements.view")
def batch_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    members = list(selectors.batch_members(batch, request.user))
    candidates = []
    if request.user.has_cap("placements.edit") and batch.status == BatchStatus.PLANNED:
        candidates = list(
            selectors.application_list(user=request.user, filters={"unbatched": "1"})
            .filter(job_order__in=batch.job_orders.all())
            .exclude(status__in=[*services.FINAL_STATUSES, ApplicationStatus.DEPARTED, ApplicationStatus.ARRIVED])[:200]
        )
    return render(
        request,
        "placements/batch_detail.html",
        {
            "batch": batch,
            "members": members,
            "status_counts": _status_counts(members),
            "orders": batch.job_orders.select_related("employer", "agency"),
            "candidates": candidates,
            "actions": [services.TRANSITIONS[a] for a in BULK_ACTIONS],
            "can_edit": request.user.has_cap("placements.edit"),
            "portal": False,
        },
    )


def _status_counts(members: list[Application]) -> list[tuple[str, int]]:
    """How many members are in each status, in the order of the process."""
    counts = Counter(a.status for a in members)
    return [(label, counts[value]) for value, label in ApplicationStatus.choices if counts[value]]


@require_cap("placements.edit")
@require_POST
def batch_action_view(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    return _batch_action(request, batch, "placements:batch_detail")


def _batch_action(request: AuthedRequest, batch: Batch, back: str) -> HttpResponse:
    action = _action(request)
    ids = _ids(request)
    if action == "add":
        apps = list(selectors.application_list(user=request.user).filter(pk__in=ids))
        done, errors = services.batch_add_members(user=request.user, batch=batch, applications=apps)
        _report(request, done, errors, "加入批次")
    elif action in services.TRANSITIONS:
        page = None
        values: dict[str, Any] = {"reason": request.POST.get("reason", "")}
        if action in FORM_ACTIONS:
            members = selectors.batch_members(batch, request.user)
            apps = list(members.filter(pk__in=ids) if ids else members)
            if not apps:  # never let an empty selection turn into "all members" on confirmation
                messages.error(request, "所选人员不是本批次您管辖范围内的成员。")
                return redirect(back, pk=batch.pk)
            ids = [a.pk for a in apps]
            page, values = _bulk_facts(
                request,
                action=action,
                apps=apps,
                post_url=reverse("placements:batch_action", args=[batch.pk]),
                back=(reverse(back, args=[batch.pk]), batch.name),
            )
        if page is not None:
            return page
        done, errors = services.batch_transition(
            user=request.user, batch=batch, action=action, application_ids=ids, **values
        )
        _report(request, done, errors, services.TRANSITIONS[action].label)
    else:
        messages.error(request, "请选择操作。")
    return redirect(back, pk=batch.pk)


@require_cap("placements.view")
def batch_roster_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The batch roster (花名册) as xlsx; ID numbers masked unless the user may see them."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    return _roster(request, batch)


def _roster(request: AuthedRequest, batch: Batch) -> HttpResponse:
    import xlsxwriter

    from laowu.core.masking import can_view_sensitive, mask_phone

    sensitive = can_view_sensitive(request.user)
    members = list(selectors.batch_members(batch))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("花名册")
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, f"{batch.name}（出发日期 {batch.departure_date:%Y-%m-%d}，护送：{batch.escort_name}）", bold)
    headers = ["序号", "姓名", "性别", "身份证号", "户籍村组", "联系电话", "岗位", "状态", "出发日期", "到岗日期"]
    for col, title in enumerate(headers):
        sheet.write(2, col, title, bold)
    for row, app in enumerate(members, start=3):
        person = app.person
        values = [
            row - 2,
            person.name,
            person.get_sex_display(),
            person.id_number if sensitive else person.id_number_masked,
            person.region.name,
            person.phone if sensitive else mask_phone(person.phone),
            app.job_order.title,
            app.get_status_display(),
            f"{app.departed_on:%Y-%m-%d}" if app.departed_on else "",
            f"{app.arrived_on:%Y-%m-%d}" if app.arrived_on else "",
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(value))
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 9, 16)
    book.close()
    audit_record(
        event=AuditEventType.EXPORT, user=request.user, obj=batch, detail={"rows": len(members), "full_ids": sensitive}
    )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=roster-{batch.pk}.xlsx"
    return response


# --- the agency portal (role agency, capability agency.portal) ---------------------------------


@require_cap("agency.portal")
def portal_batch_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.agency_batch_list(user=request.user))
    return render(request, "placements/batch_list.html", {"page": page, "f": {}, "portal": True})


@require_cap("agency.portal")
def portal_batch_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.agency_batch_get(user=request.user, pk=pk)
    members = list(selectors.batch_members(batch))
    return render(
        request,
        "placements/batch_detail.html",
        {
            "batch": batch,
            "members": members,
            "status_counts": _status_counts(members),
            "orders": batch.job_orders.select_related("employer", "agency"),
            "actions": [services.TRANSITIONS[a] for a in ("arrive", "start_work", "not_arrived")],
            "can_edit": True,
            "portal": True,
        },
    )


@require_cap("agency.portal")
@require_POST
def portal_batch_action_view(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.agency_batch_get(user=request.user, pk=pk)
    if _action(request) not in ("arrive", "start_work", "not_arrived"):
        raise PermissionDenied
    return _batch_action(request, batch, "placements:portal_batch_detail")


def _card_response(request: AuthedRequest, entries: list[Any], name: str) -> HttpResponse:
    from laowu.placements.cards import cards_pdf

    kind = "contact" if request.GET.get("kind") == "contact" else "archive"
    pdf = cards_pdf(kind=kind, entries=entries, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename={kind}-{name}.pdf"
    return response


@require_cap("placements.view")
def batch_cards_view(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(user=request.user, pk=pk)
    members = list(
        selectors.batch_members(batch, request.user).select_related(
            "batch", "job_order__employer", "job_order__agency", "job_order__place_region", "stint__destination"
        )
    )
    entries = [(a.person, a, getattr(a, "stint", None)) for a in members]
    return _card_response(request, entries, f"batch-{batch.pk}")


@require_cap("placements.view")
def application_card_view(request: AuthedRequest, pk: int) -> HttpResponse:
    app = selectors.application_get(user=request.user, pk=pk)
    return _card_response(request, [(app.person, app, getattr(app, "stint", None))], f"application-{app.pk}")
