"""Registry pages: the three ledgers, a person's page, register/edit/transfer/unmask, households.

Views only call selectors and services. ID and phone numbers reach the HTML masked; the full
values appear only in the response to a logged unmask request (SECURITY.md item 11).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from laowu.core import crypto, idcard
from laowu.core.codetables import choices
from laowu.core.masking import can_view_sensitive, mask_phone
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.regions.models import Region
from laowu.workers import selectors, services
from laowu.workers.forms import HouseholdForm, IncomeForm, MemberForm, PersonForm, TransferForm
from laowu.workers.models import Household, LaborStatus, Person, PovertyStatus
from laowu.workers.selectors import Ledger

LEDGER_URLS = {
    Ledger.RESOURCE: "workers:ledger_resource",
    Ledger.SURPLUS: "workers:ledger_surplus",
    Ledger.AWAY: "workers:ledger_away",
}


def _optional_url(name: str) -> str | None:
    """The URL of a page another part of the app may provide (import, export), or None."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _region_label(code: str) -> str:
    if not code:
        return ""
    region = Region.objects.filter(code=code).only("name", "full_name").first()
    return (region.full_name or region.name) if region else code


def _bulk_register_url(request: AuthedRequest, ledger: str) -> str | None:
    """批量报名 from the surplus ledger, with the ledger's filters (placements reads the same keys)."""
    if ledger != Ledger.SURPLUS or not request.user.has_cap("placements.edit"):
        return None
    params = request.GET.copy()
    for key in ("page", "size", "sort", "ledger", "status"):
        params.pop(key, None)
    return f"{reverse('placements:application_bulk_register')}?{params.urlencode()}"


@require_cap("registry.view")
def ledger_view(request: AuthedRequest, ledger: str = Ledger.RESOURCE) -> HttpResponse:
    """One of the three ledgers (三本台帐): filters, search, sort, pages without COUNT(*)."""
    if ledger not in Ledger.LABELS:
        raise Http404
    qs = selectors.person_list(user=request.user, ledger=ledger, filters=request.GET)
    page = paginate(request, qs)
    params = request.GET.copy()
    params.pop("page", None)
    params["ledger"] = ledger
    query = params.urlencode()
    import_url = _optional_url("workers:import_upload") if request.user.has_cap("registry.import") else None
    export_url = _optional_url("workers:ledger_export") if request.user.has_cap("registry.export") else None
    context = {
        "page": page,
        "ledger": ledger,
        "ledger_label": Ledger.LABELS[ledger],
        "ledger_tabs": [(key, label, reverse(LEDGER_URLS[key])) for key, label in Ledger.LABELS.items()],
        "f": request.GET,
        "region_label": _region_label(request.GET.get("region", "")),
        "statuses": LaborStatus.choices,
        "educations": choices("education"),
        "trades": choices("trade"),
        "povertys": PovertyStatus.choices,
        "import_url": f"{import_url}?ledger={ledger}" if import_url else None,
        "export_url": f"{export_url}?{query}" if export_url else None,
        "can_edit": request.user.has_cap("registry.edit"),
        "bulk_register_url": _bulk_register_url(request, ledger),
    }
    rows_only = bool(request.htmx and not request.htmx.boosted)
    context["rows_only"] = rows_only  # the rows, and the toolbar whose links carry the query
    return render(request, "workers/_person_rows.html" if rows_only else "workers/ledger.html", context)


def _detail_context(request: AuthedRequest, person: Person) -> dict[str, Any]:
    household = person.household if person.household_id and person.household else None
    members = list(selectors.household_members(user=request.user, household=household)) if household else []
    return {
        "person": person,
        "household": household,
        "members": members,
        "incomes": list(household.incomes.order_by("-year")) if household else [],
        "certificates": list(person.certificates.order_by("-issued_on")),
        "timeline": selectors.person_timeline(person=person),
        "phone_masked": mask_phone(person.phone),
        "can_unmask": can_view_sensitive(request.user),
        "can_edit": request.user.has_cap("registry.edit"),
        "can_transfer": request.user.has_cap("registry.transfer"),
        "can_match": request.user.has_cap("jobs.view"),
    }


@require_cap("registry.view")
def person_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    return render(request, "workers/person_detail.html", _detail_context(request, person))


@require_cap("sensitive.view")
@require_POST
def person_unmask_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Show the full ID and phone number once, after a reason; the request is logged."""
    person = selectors.person_get(user=request.user, pk=pk)
    reason = request.POST.get("reason", "")
    try:
        full = services.person_unmask(user=request.user, person=person, reason=reason)
    except ValidationError as exc:
        context = {"person": person, "phone_masked": mask_phone(person.phone), "error": exc.messages[0]}
        return render(request, "workers/_sensitive.html", context, status=400 if not request.htmx else 200)
    context = {"person": person, "full": full}
    if request.htmx:
        return render(request, "workers/_sensitive.html", context)
    return render(request, "workers/person_detail.html", _detail_context(request, person) | context)


@require_cap("registry.edit")
def person_register_view(request: AuthedRequest) -> HttpResponse:
    existing_url = None
    if request.method == "POST":
        form = PersonForm(request.POST, region_label=_region_label(request.POST.get("region", "")))
        if form.is_valid():
            try:
                person = services.person_register(user=request.user, data=form.service_data())
            except services.DuplicateIdNumber as exc:
                form.add_service_errors(exc)
                if exc.existing_id:
                    existing_url = reverse("workers:person_detail", args=[exc.existing_id])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"已登记：{person.name}")
                return redirect("workers:person_detail", pk=person.pk)
    else:
        region = request.user.region_id if len(request.user.region_id) in (12, 15) else ""
        form = PersonForm(initial={"region": region}, region_label=_region_label(region))
    return render(request, "workers/person_form.html", {"form": form, "existing_url": existing_url})


@require_cap("registry.edit")
def person_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    masked = {"id_number": person.id_number_masked, "phone": mask_phone(person.phone)}
    conflict = None
    if request.method == "POST":
        form = PersonForm(request.POST, edit=True, masked=masked)
        if form.is_valid():
            try:
                services.person_update(
                    user=request.user, person=person, data=form.service_data(), version=request.POST.get("version")
                )
            except services.PersonConflict as exc:
                # Keep the user's input; show what is saved now; saving again overwrites it.
                conflict = _conflict_rows(form, exc.current)
                data = request.POST.copy()
                data["version"] = str(exc.current.version)
                form = PersonForm(data, edit=True, masked=masked)
                form.is_valid()
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "已保存。")
                return redirect("workers:person_detail", pk=person.pk)
    else:
        initial = {
            key: getattr(person, key) for key in services._PERSON_FIELDS if key not in ("phone", "name_initials")
        }
        initial["version"] = person.version
        form = PersonForm(initial=initial, edit=True, masked=masked)
    return render(
        request,
        "workers/person_form.html",
        {"form": form, "person": person, "conflict": conflict},
        status=409 if conflict else 200,
    )


def _conflict_rows(form: PersonForm, current: Person) -> list[dict[str, str]]:
    """Fields where the saved record differs from what the user typed."""
    rows = []
    typed = form.service_data()
    for key in services._PERSON_FIELDS:
        if key in ("name_initials",) or key not in typed or key not in form.fields:
            continue
        field = form.fields[key]
        raw = typed[key]
        if key in ("trades", "preferred_trades"):
            mine = services.display_value(key, [c for c in raw.split("、") if c])
        elif key == "wants_to_go_out":
            mine = raw
        else:
            mine = services.display_value(key, raw)
        saved = services.display_value(key, getattr(current, key))
        if mine != saved:
            rows.append({"label": str(field.label), "saved": saved, "mine": mine})
    return rows


@require_cap("registry.transfer")
def person_transfer_view(request: AuthedRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = TransferForm(request.POST)
        form.fields["region"].widget.label = _region_label(request.POST.get("region", ""))  # type: ignore[attr-defined]
        if form.is_valid():
            try:
                services.person_transfer(
                    user=request.user,
                    person=person,
                    to_region=form.cleaned_data["region"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "已迁移。")
                return redirect("workers:person_detail", pk=person.pk)
    else:
        form = TransferForm()
    return render(request, "workers/person_transfer.html", {"form": form, "person": person})


# Households -------------------------------------------------------------------------------


@require_cap("registry.view")
def household_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.household_list(user=request.user, filters=request.GET))
    context = {
        "page": page,
        "f": request.GET,
        "povertys": PovertyStatus.choices,
        "region_label": _region_label(request.GET.get("region", "")),
        "can_edit": request.user.has_cap("registry.edit"),
    }
    template = "workers/_household_rows.html" if request.htmx else "workers/household_list.html"
    return render(request, template, context)


def _household_context(request: AuthedRequest, household: Household, **extra: Any) -> dict[str, Any]:
    return {
        "household": household,
        "members": list(selectors.household_members(user=request.user, household=household)),
        "incomes": list(household.incomes.order_by("-year")),
        "member_form": extra.pop("member_form", None) or MemberForm(),
        "income_form": extra.pop("income_form", None) or IncomeForm(),
        "can_edit": request.user.has_cap("registry.edit"),
        **extra,
    }


@require_cap("registry.view")
def household_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    return render(request, "workers/household_detail.html", _household_context(request, household))


@require_cap("registry.edit")
def household_create_view(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = HouseholdForm(request.POST, region_label=_region_label(request.POST.get("region", "")))
        if form.is_valid():
            try:
                household = services.household_create(user=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"已新建户：{household.number}")
                return redirect("workers:household_detail", pk=household.pk)
    else:
        region = request.user.region_id if len(request.user.region_id) in (12, 15) else ""
        form = HouseholdForm(initial={"region": region}, region_label=_region_label(region))
    return render(request, "workers/household_form.html", {"form": form})


@require_cap("registry.edit")
def household_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = HouseholdForm(request.POST, edit=True)
        if form.is_valid():
            try:
                services.household_update(user=request.user, household=household, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "已保存。")
                return redirect("workers:household_detail", pk=household.pk)
    else:
        form = HouseholdForm(
            initial={k: getattr(household, k) for k in ("number", "poverty_status", "address", "notes")}, edit=True
        )
    return render(request, "workers/household_form.html", {"form": form, "household": household})


@require_cap("registry.edit")
@require_POST
def household_member_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        person = _person_by_id_number(request, form.cleaned_data["id_number"])
        if person is None:
            form.add_error("id_number", "成员身份证号：在您的管辖范围内未找到该号码的人员，请先登记")
        else:
            try:
                services.household_add_member(
                    user=request.user, household=household, person=person, relation=form.cleaned_data["relation"]
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, f"已将 {person.name} 加入本户。")
                return redirect("workers:household_detail", pk=household.pk)
    context = _household_context(request, household, member_form=form)
    return render(request, "workers/household_detail.html", context, status=400)


def _person_by_id_number(request: AuthedRequest, raw: str) -> Person | None:
    try:
        number = idcard.parse(raw).number
    except idcard.IdNumberError:
        return None
    return Person.objects.restrict(request.user).filter(id_number_hash=crypto.blind_index(number)).first()


@require_cap("registry.edit")
@require_POST
def household_income_view(request: AuthedRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    form = IncomeForm(request.POST)
    if form.is_valid():
        try:
            services.household_set_income(user=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已记录 {form.cleaned_data['year']} 年收入。")
            return redirect("workers:household_detail", pk=household.pk)
    context = _household_context(request, household, income_form=form)
    return render(request, "workers/household_detail.html", context, status=400)
