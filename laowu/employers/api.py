"""API for employers, agencies, site visits and labor bases (same selectors and services as
the pages; out of scope → 404, missing capability → 403, bad input → 400 with a message)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from laowu.core.api import require_api_cap
from laowu.core.audit_context import client_ip
from laowu.core.masking import can_view_sensitive, mask_phone
from laowu.employers import selectors, services
from laowu.employers.models import AgencyKind, Verdict

router = Router(tags=["employers"])


def _masked(value: str, context: Any) -> str:
    request = (context or {}).get("request")
    user = getattr(request, "auth", None)
    return value if can_view_sensitive(user) else mask_phone(value)


class PartyOut(Schema):
    id: int
    name: str
    credit_code: str
    region_code: str = Field(..., alias="region_id")
    address_region_code: str = Field(..., alias="address_region_id")
    address: str
    contact_name: str
    contact_phone: str
    is_blacklisted: bool
    blacklist_reason: str
    vetted: bool = False
    last_visit_date: datetime.date | None = None

    @staticmethod
    def resolve_contact_phone(obj: Any, context: Any) -> str:
        return _masked(obj.contact_phone, context)

    @staticmethod
    def resolve_vetted(obj: Any) -> bool:
        return selectors.party_is_vetted(obj)


class EmployerOut(PartyOut):
    industry_code: str


class AgencyOut(PartyOut):
    kind: str
    licence_no: str
    licence_valid_from: datetime.date | None
    licence_valid_until: datetime.date | None


class PartyIn(Schema):
    region_code: str
    name: str
    credit_code: str = ""
    address_region_code: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    notes: str = ""


class EmployerIn(PartyIn):
    industry_code: str = ""
    scale: int | None = None


class AgencyIn(PartyIn):
    kind: AgencyKind = AgencyKind.EMPLOYMENT_SERVICE
    licence_no: str = ""
    licence_valid_from: datetime.date | None = None
    licence_valid_until: datetime.date | None = None


class ReasonIn(Schema):
    reason: str


class VisitIn(Schema):
    visit_date: datetime.date
    visitors: str
    findings: str
    verdict: Verdict


class VisitOut(Schema):
    id: int
    employer_id: int | None
    agency_id: int | None
    visit_date: datetime.date
    visitors: str
    findings: str
    verdict: str
    region_code: str = Field(..., alias="region_id")


class ReputationOut(Schema):
    score: int | None
    grade: str
    placements: int
    returns_3m: int
    disputes: int
    shortfalls: int
    explanation: list[str]


class BaseIn(Schema):
    region_code: str
    name: str
    destination_region_code: str
    employer_id: int | None = None
    agency_id: int | None = None
    key_contact_name: str
    key_contact_phone: str
    since: datetime.date
    until: datetime.date | None = None
    notes: str = ""


class BaseOut(Schema):
    id: int
    name: str
    region_code: str = Field(..., alias="region_id")
    destination_region_code: str = Field(..., alias="destination_region_id")
    employer_id: int | None
    agency_id: int | None
    key_contact_name: str
    key_contact_phone: str
    since: datetime.date
    until: datetime.date | None

    @staticmethod
    def resolve_key_contact_phone(obj: Any, context: Any) -> str:
        return _masked(obj.key_contact_phone, context)


def _party_fields(payload: PartyIn) -> dict[str, Any]:
    data = payload.dict()
    data.pop("region_code")
    data["address_region_id"] = data.pop("address_region_code")
    return data


# --- employers ---


@router.get("/employers", response=list[EmployerOut])
@paginate(LimitOffsetPagination)
def employer_list(request: HttpRequest, q: str = "", status: str = "", industry: str = "") -> Any:
    user = require_api_cap(request, "employers.view")
    qs = selectors.employer_list(user=user, filters={"q": q, "status": status, "industry": industry})
    return qs


@router.get("/employers/{pk}", response=EmployerOut)
def employer_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "employers.view")
    return selectors.employer_get(user=user, pk=pk)


@router.post("/employers", response={201: EmployerOut})
def employer_create(request: HttpRequest, payload: EmployerIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = services.employer_create(
        actor=user, region_code=payload.region_code, ip=client_ip(request), **_party_fields(payload)
    )
    return 201, selectors.employer_get(user=user, pk=party.pk)


@router.get("/employers/{pk}/reputation", response=ReputationOut)
def employer_reputation(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "employers.view")
    return _reputation_out(selectors.party_reputation(party=selectors.employer_get(user=user, pk=pk)))


@router.post("/employers/{pk}/blacklist", response=EmployerOut)
def employer_blacklist(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = selectors.employer_get(user=user, pk=pk)
    services.party_blacklist(actor=user, party=party, reason=payload.reason, ip=client_ip(request))
    return selectors.employer_get(user=user, pk=pk)


@router.post("/employers/{pk}/unblacklist", response=EmployerOut)
def employer_unblacklist(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = selectors.employer_get(user=user, pk=pk)
    services.party_unblacklist(actor=user, party=party, reason=payload.reason, ip=client_ip(request))
    return selectors.employer_get(user=user, pk=pk)


@router.post("/employers/{pk}/visits", response={201: VisitOut})
def employer_visit(request: HttpRequest, pk: int, payload: VisitIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = selectors.employer_get(user=user, pk=pk)
    visit = services.site_visit_record(actor=user, party=party, ip=client_ip(request), **payload.dict())
    return 201, visit


# --- agencies ---


@router.get("/agencies", response=list[AgencyOut])
@paginate(LimitOffsetPagination)
def agency_list(request: HttpRequest, q: str = "", status: str = "", kind: str = "") -> Any:
    user = require_api_cap(request, "employers.view")
    qs = selectors.agency_list(user=user, filters={"q": q, "status": status, "kind": kind})
    return qs


@router.get("/agencies/{pk}", response=AgencyOut)
def agency_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "employers.view")
    return selectors.agency_get(user=user, pk=pk)


@router.post("/agencies", response={201: AgencyOut})
def agency_create(request: HttpRequest, payload: AgencyIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = services.agency_create(
        actor=user, region_code=payload.region_code, ip=client_ip(request), **_party_fields(payload)
    )
    return 201, selectors.agency_get(user=user, pk=party.pk)


@router.get("/agencies/{pk}/reputation", response=ReputationOut)
def agency_reputation(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "employers.view")
    return _reputation_out(selectors.party_reputation(party=selectors.agency_get(user=user, pk=pk)))


@router.post("/agencies/{pk}/blacklist", response=AgencyOut)
def agency_blacklist(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = selectors.agency_get(user=user, pk=pk)
    services.party_blacklist(actor=user, party=party, reason=payload.reason, ip=client_ip(request))
    return selectors.agency_get(user=user, pk=pk)


@router.post("/agencies/{pk}/unblacklist", response=AgencyOut)
def agency_unblacklist(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = selectors.agency_get(user=user, pk=pk)
    services.party_unblacklist(actor=user, party=party, reason=payload.reason, ip=client_ip(request))
    return selectors.agency_get(user=user, pk=pk)


@router.post("/agencies/{pk}/visits", response={201: VisitOut})
def agency_visit(request: HttpRequest, pk: int, payload: VisitIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    party = selectors.agency_get(user=user, pk=pk)
    visit = services.site_visit_record(actor=user, party=party, ip=client_ip(request), **payload.dict())
    return 201, visit


def _reputation_out(rep: Any) -> dict[str, Any]:
    return {
        "score": rep.score,
        "grade": rep.grade,
        "placements": rep.counts.placements,
        "returns_3m": rep.counts.returns_3m,
        "disputes": rep.counts.disputes,
        "shortfalls": rep.counts.shortfalls,
        "explanation": rep.explanation,
    }


# --- visits and bases ---


@router.get("/visits", response=list[VisitOut])
@paginate(LimitOffsetPagination)
def visit_list(request: HttpRequest, verdict: str = "", q: str = "") -> Any:
    user = require_api_cap(request, "employers.view")
    return selectors.visit_list(user=user, filters={"verdict": verdict, "q": q})


@router.get("/bases", response=list[BaseOut])
@paginate(LimitOffsetPagination)
def base_list(request: HttpRequest, q: str = "", destination: str = "", active: str = "") -> Any:
    user = require_api_cap(request, "employers.view")
    qs = selectors.labor_base_list(user=user, filters={"q": q, "destination": destination, "active": active})
    return qs


@router.get("/bases/{pk}", response=BaseOut)
def base_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "employers.view")
    return selectors.labor_base_get(user=user, pk=pk)


@router.post("/bases", response={201: BaseOut})
def base_create(request: HttpRequest, payload: BaseIn) -> Any:
    user = require_api_cap(request, "employers.edit")
    data = payload.dict()
    region = data.pop("region_code")
    data["destination_region_id"] = data.pop("destination_region_code")
    base = services.labor_base_create(actor=user, region_code=region, ip=client_ip(request), **data)
    return 201, base
