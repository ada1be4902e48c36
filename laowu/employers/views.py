"""Pages for employers, agencies, site visits and labor bases. Views only call selectors and
services; out-of-scope records are 404, records of an office above are read-only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from laowu.core.audit_context import client_ip
from laowu.core.types import AuthedRequest
from laowu.core.views import paginate, require_cap
from laowu.employers import selectors, services
from laowu.employers.forms import (
    AgencyForm,
    EmployerForm,
    LaborBaseForm,
    PartyForm,
    ReasonForm,
    SiteVisitForm,
    apply_errors,
)
from laowu.employers.models import AgencyKind, Verdict
from laowu.jobs import codetables
from laowu.regions.models import Region


@dataclass(frozen=True)
class PartyKind:
    key: str  # "employer" / "agency"
    label: str
    form: type[PartyForm]
    lister: Callable[..., Any]
    getter: Callable[..., Any]
    creator: Callable[..., Any]
    updater: Callable[..., Any]


KINDS = {
    "employer": PartyKind(
        "employer",
        "用工单位",
        EmployerForm,
        selectors.employer_list,
        selectors.employer_get,
        services.employer_create,
        services.employer_update,
    ),
    "agency": PartyKind(
        "agency",
        "中介机构",
        AgencyForm,
        selectors.agency_list,
        selectors.agency_get,
        services.agency_create,
        services.agency_update,
    ),
}

_FILTER_KEYS = ("q", "status", "industry", "kind", "address")


def _party_list(request: AuthedRequest, kind: PartyKind) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in _FILTER_KEYS}
    page = paginate(request, kind.lister(user=request.user, filters=filters))
    return render(
        request,
        "employers/party_list.html",
        {
            "kind": kind,
            "page": page,
            "filters": filters,
            "industries": codetables.industry_division_choices(None),
            "agency_kinds": AgencyKind.choices,
            "can_edit": request.user.has_cap("employers.edit"),
        },
    )


def _party_detail(request: AuthedRequest, kind: PartyKind, pk: int) -> HttpResponse:
    party = kind.getter(user=request.user, pk=pk)
    from laowu.jobs.selectors import job_order_list

    orders = job_order_list(user=request.user, filters={kind.key: pk})[:20]
    return render(
        request,
        "employers/party_detail.html",
        {
            "kind": kind,
            "party": party,
            "vetted": selectors.party_is_vetted(party),
            "visits": selectors.party_visits(user=request.user, party=party),
            "reputation": selectors.party_reputation(party=party),
            "writable": request.user.has_cap("employers.edit")
            and selectors.party_writable(user=request.user, party=party),
            "orders": orders,
            "bases": party.bases.select_related("destination_region").all(),
            "reason_form": ReasonForm(),
        },
    )


def _party_form(request: AuthedRequest, kind: PartyKind, pk: int | None) -> HttpResponse:
    party = kind.getter(user=request.user, pk=pk) if pk else None
    if party is not None and not selectors.party_writable(user=request.user, party=party):
        raise PermissionDenied
    initial: dict[str, Any] = {"region": request.user.region_id}
    if party is not None:
        initial = {
            name: getattr(party, f"{name}_id" if name in ("region", "address_region") else name)
            for name in kind.form.base_fields
        }
    form = kind.form(request.POST or None, initial=initial)
    if party is not None:
        form.fields["region"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            if party is None:
                party = kind.creator(
                    actor=request.user,
                    region_code=form.cleaned_data["region"],
                    ip=client_ip(request),
                    **form.service_kwargs(),
                )
                messages.success(request, f"已登记{kind.label}「{party}」。")
            else:
                kind.updater(actor=request.user, ip=client_ip(request), **{kind.key: party}, **form.service_kwargs())
                messages.success(request, "已保存。")
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("region", "该区划不在您的管辖范围内。")
        else:
            return redirect(f"employers:{kind.key}_detail", party.pk)
    return render(request, "employers/party_form.html", {"kind": kind, "form": form, "party": party})


def _party_delete(request: AuthedRequest, kind: PartyKind, pk: int) -> HttpResponse:
    party = kind.getter(user=request.user, pk=pk)
    try:
        services.party_delete(actor=request.user, party=party, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"employers:{kind.key}_detail", pk)
    messages.success(request, f"已删除「{party}」。")
    return redirect(f"employers:{kind.key}_list")


def _party_blacklist(request: AuthedRequest, kind: PartyKind, pk: int, on: bool) -> HttpResponse:
    party = kind.getter(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        if on:
            services.party_blacklist(actor=request.user, party=party, reason=reason, ip=client_ip(request))
            messages.success(request, f"已将「{party}」列入黑名单。")
        else:
            services.party_unblacklist(actor=request.user, party=party, reason=reason, ip=client_ip(request))
            messages.success(request, f"已将「{party}」移出黑名单。")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"employers:{kind.key}_detail", pk)


def _party_visit(request: AuthedRequest, kind: PartyKind, pk: int) -> HttpResponse:
    party = kind.getter(user=request.user, pk=pk)
    form = SiteVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = party.region_id if selectors.party_writable(user=request.user, party=party) else request.user.region_id
        try:
            services.site_visit_record(
                actor=request.user, party=party, region_code=region, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "考察记录已保存。")
            return redirect(f"employers:{kind.key}_detail", pk)
    return render(request, "employers/visit_form.html", {"kind": kind, "party": party, "form": form})


# One small function per URL so each carries its own capability for the URL walk.
@require_cap("employers.view")
def employer_list_view(request: AuthedRequest) -> HttpResponse:
    return _party_list(request, KINDS["employer"])


@require_cap("employers.edit")
def employer_create_view(request: AuthedRequest) -> HttpResponse:
    return _party_form(request, KINDS["employer"], None)


@require_cap("employers.view")
def employer_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_detail(request, KINDS["employer"], pk)


@require_cap("employers.edit")
def employer_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_form(request, KINDS["employer"], pk)


@require_POST
@require_cap("employers.edit")
def employer_delete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_delete(request, KINDS["employer"], pk)


@require_POST
@require_cap("employers.edit")
def employer_blacklist_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_blacklist(request, KINDS["employer"], pk, on=True)


@require_POST
@require_cap("employers.edit")
def employer_unblacklist_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_blacklist(request, KINDS["employer"], pk, on=False)


@require_cap("employers.edit")
def employer_visit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_visit(request, KINDS["employer"], pk)


@require_cap("employers.view")
def agency_list_view(request: AuthedRequest) -> HttpResponse:
    return _party_list(request, KINDS["agency"])


@require_cap("employers.edit")
def agency_create_view(request: AuthedRequest) -> HttpResponse:
    return _party_form(request, KINDS["agency"], None)


@require_cap("employers.view")
def agency_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_detail(request, KINDS["agency"], pk)


@require_cap("employers.edit")
def agency_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_form(request, KINDS["agency"], pk)


@require_POST
@require_cap("employers.edit")
def agency_delete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_delete(request, KINDS["agency"], pk)


@require_POST
@require_cap("employers.edit")
def agency_blacklist_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_blacklist(request, KINDS["agency"], pk, on=True)


@require_POST
@require_cap("employers.edit")
def agency_unblacklist_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_blacklist(request, KINDS["agency"], pk, on=False)


@require_cap("employers.edit")
def agency_visit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _party_visit(request, KINDS["agency"], pk)


@require_cap("employers.view")
def visit_list_view(request: AuthedRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "verdict")}
    page = paginate(request, selectors.visit_list(user=request.user, filters=filters))
    return render(request, "employers/visit_list.html", {"page": page, "filters": filters, "verdicts": Verdict.choices})


@require_cap("employers.view")
def base_list_view(request: AuthedRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "destination", "active")}
    page = paginate(request, selectors.labor_base_list(user=request.user, filters=filters))
    return render(
        request,
        "employers/base_list.html",
        {"page": page, "filters": filters, "can_edit": request.user.has_cap("employers.edit")},
    )


def _base_form(request: AuthedRequest, pk: int | None) -> HttpResponse:
    base = selectors.labor_base_get(user=request.user, pk=pk) if pk else None
    if base is not None and not selectors.party_writable(user=request.user, party=base):
        raise PermissionDenied
    employers = (
        selectors.employer_list(user=request.user)
        .filter(is_blacklisted=False)
        .select_related(None)
        .only("pk", "name")[:500]
    )
    agencies = (
        selectors.agency_list(user=request.user)
        .filter(is_blacklisted=False)
        .select_related(None)
        .only("pk", "name")[:500]
    )
    initial: dict[str, Any] = {"region": request.user.region_id}
    if base is not None:
        initial = {
            "region": base.region_id,
            "name": base.name,
            "destination_region": base.destination_region_id,
            "employer": base.employer_id,
            "agency": base.agency_id,
            "key_contact_name": base.key_contact_name,
            "key_contact_phone": base.key_contact_phone,
            "since": base.since,
            "until": base.until,
            "notes": base.notes,
        }
    form = LaborBaseForm(request.POST or None, initial=initial, employers=employers, agencies=agencies)
    if base is not None:
        form.fields["region"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            if base is None:
                services.labor_base_create(
                    actor=request.user,
                    region_code=form.cleaned_data["region"],
                    ip=client_ip(request),
                    **form.service_kwargs(),
                )
            else:
                services.labor_base_update(
                    actor=request.user, base=base, ip=client_ip(request), **form.service_kwargs()
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("region", "该区划不在您的管辖范围内。")
        else:
            messages.success(request, "劳务基地已保存。")
            return redirect("employers:base_list")
    return render(request, "employers/base_form.html", {"form": form, "base": base})


@require_cap("employers.edit")
def base_create_view(request: AuthedRequest) -> HttpResponse:
    return _base_form(request, None)


@require_cap("employers.edit")
def base_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _base_form(request, pk)


@require_POST
@require_cap("employers.edit")
def base_delete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    base = selectors.labor_base_get(user=request.user, pk=pk)
    services.labor_base_delete(actor=request.user, base=base, ip=client_ip(request))
    messages.success(request, f"已删除劳务基地「{base}」。")
    return redirect("employers:base_list")


@require_cap("employers.view")
def place_search_view(request: AuthedRequest) -> HttpResponse:
    """Region picker for addresses and places: anywhere in China (public division data)."""
    query = str(next((v for k, v in request.GET.items() if k == "q" or k.endswith("_q")), "")).strip()
    results = list(Region.objects.filter(level__lte=5).search(query).order_by("level", "code")[:20]) if query else []
    return render(request, "regions/_region_options.html", {"results": results})
