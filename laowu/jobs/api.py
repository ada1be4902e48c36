"""API for job orders (with the lifecycle actions) and bulletins: the pages' selectors and
services, so the same rules hold (scope → 404, capability → 403, refused transition → 400)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from laowu.core.api import BoundedPagination, require_api_cap
from laowu.core.audit_context import client_ip
from laowu.jobs import bulletin_render, matching, selectors, services
from laowu.jobs.models import JobOrderStatus, Provision

router = Router(tags=["jobs"])


class JobOrderIn(Schema):
    region_code: str
    title: str
    employer_id: int | None = None
    agency_id: int | None = None
    headcount: int
    description: str = ""
    min_age: int | None = None
    max_age: int | None = None
    sex: str = ""
    min_education: str = ""
    health_codes: list[str] = []
    trade_codes: list[str] = []
    certificate_kinds: list[str] = []
    training_required: bool = False
    training_trade_code: str = ""
    other_requirements: str = ""
    wage_min: Decimal
    wage_max: Decimal
    guaranteed_wage: Decimal | None = None
    place_region_code: str
    work_address: str = ""
    industry_code: str = ""
    occupation_code: str = ""
    contract_months: int | None = None
    deadline: datetime.date | None = None
    housing: Provision = Provision.NONE
    meals: Provision = Provision.NONE
    travel_arrangements: str = ""


class JobOrderOut(Schema):
    id: int
    region_code: str = Field(..., alias="region_id")
    status: str
    title: str
    employer_id: int | None
    agency_id: int | None
    headcount: int
    min_age: int | None
    max_age: int | None
    sex: str
    min_education: str
    health_codes: list[str]
    trade_codes: list[str]
    certificate_kinds: list[str]
    training_required: bool
    training_trade_code: str
    wage_min: Decimal
    wage_max: Decimal
    guaranteed_wage: Decimal | None
    place_region_code: str = Field(..., alias="place_region_id")
    industry_code: str
    occupation_code: str
    contract_months: int | None
    deadline: datetime.date | None
    housing: str
    meals: str
    travel_arrangements: str
    published_at: datetime.datetime | None


class TransitionIn(Schema):
    to_status: JobOrderStatus
    reason: str = ""


class TransitionOut(Schema):
    from_status: str
    to_status: str
    actor: str | None = None
    at: datetime.datetime
    reason: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.username if obj.actor_id else None


class BulletinIn(Schema):
    region_code: str
    issue_date: datetime.date
    title: str = ""
    editor_note: str = ""
    order_ids: list[int] | None = None


class DistributionIn(Schema):
    copies_printed: int
    people_informed: int
    distributed_at: datetime.date | None = None


class BulletinOut(Schema):
    id: int
    region_code: str = Field(..., alias="region_id")
    number: int
    title: str
    issue_date: datetime.date
    copies_printed: int
    people_informed: int
    distributed_at: datetime.date | None


class BulletinDetailOut(BulletinOut):
    items: list[dict[str, Any]]


class FiguresOut(Schema):
    issues: int
    items: int
    copies_printed: int
    people_informed: int


def _fields(payload: JobOrderIn) -> dict[str, Any]:
    data = payload.dict()
    data.pop("region_code")
    data["place_region_id"] = data.pop("place_region_code")
    return data


@router.get("/orders", response=list[JobOrderOut])
@paginate(BoundedPagination)
def order_list(request: HttpRequest, q: str = "", status: str = "", place: str = "", industry: str = "") -> Any:
    user = require_api_cap(request, "jobs.view")
    return selectors.job_order_list(user=user, filters={"q": q, "status": status, "place": place, "industry": industry})


@router.get("/orders/{pk}", response=JobOrderOut)
def order_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "jobs.view")
    return selectors.job_order_get(user=user, pk=pk)


@router.post("/orders", response={201: JobOrderOut})
def order_create(request: HttpRequest, payload: JobOrderIn) -> Any:
    user = require_api_cap(request, "jobs.edit")
    order = services.job_order_create(
        actor=user, region_code=payload.region_code, ip=client_ip(request), **_fields(payload)
    )
    return 201, order


@router.put("/orders/{pk}", response=JobOrderOut)
def order_update(request: HttpRequest, pk: int, payload: JobOrderIn) -> Any:
    user = require_api_cap(request, "jobs.edit")
    order = selectors.job_order_get(user=user, pk=pk)
    return services.job_order_update(actor=user, order=order, ip=client_ip(request), **_fields(payload))


@router.post("/orders/{pk}/transition", response=JobOrderOut)
def order_transition(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    """Lifecycle action: vetted, published, filled, closed, withdrawn, draft (returned)."""
    user = require_api_cap(request, "jobs.view")
    order = selectors.job_order_get(user=user, pk=pk)
    return services.job_order_transition(
        actor=user, order=order, to_status=payload.to_status, reason=payload.reason, ip=client_ip(request)
    )


@router.get("/orders/{pk}/transitions", response=list[TransitionOut])
def order_transitions(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "jobs.view")
    return selectors.job_order_get(user=user, pk=pk).transitions.select_related("actor")


@router.get("/bulletins", response=list[BulletinOut])
@paginate(BoundedPagination)
def bulletin_list(request: HttpRequest, year: str = "") -> Any:
    user = require_api_cap(request, "jobs.view")
    return selectors.bulletin_list(user=user, filters={"year": year})


@router.get("/bulletins/figures", response=FiguresOut)
def bulletin_figures(
    request: HttpRequest, region: str = "", start: datetime.date | None = None, end: datetime.date | None = None
) -> Any:
    user = require_api_cap(request, "jobs.view")
    return selectors.bulletin_figures(user=user, region_code=region, start=start, end=end)


@router.get("/bulletins/{pk}", response=BulletinDetailOut)
def bulletin_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "jobs.view")
    bulletin = selectors.bulletin_get(user=user, pk=pk)
    return {**BulletinOut.from_orm(bulletin).dict(), "items": selectors.bulletin_items(bulletin)}


@router.post("/bulletins", response={201: BulletinOut})
def bulletin_compile(request: HttpRequest, payload: BulletinIn) -> Any:
    user = require_api_cap(request, "jobs.edit")
    bulletin = services.bulletin_compile(
        actor=user,
        region_code=payload.region_code,
        issue_date=payload.issue_date,
        title=payload.title,
        editor_note=payload.editor_note,
        order_ids=payload.order_ids,
        ip=client_ip(request),
    )
    return 201, bulletin


@router.post("/bulletins/{pk}/distribution", response=BulletinOut)
def bulletin_distribution(request: HttpRequest, pk: int, payload: DistributionIn) -> Any:
    user = require_api_cap(request, "jobs.edit")
    bulletin = selectors.bulletin_get(user=user, pk=pk)
    return services.bulletin_record_distribution(actor=user, bulletin=bulletin, ip=client_ip(request), **payload.dict())


@router.get("/bulletins/{pk}/pdf")
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_api_cap(request, "jobs.view")
    return HttpResponse(
        bulletin_render.bulletin_pdf(selectors.bulletin_get(user=user, pk=pk)), content_type="application/pdf"
    )


# --- matching, both ways ----------------------------------------------------------------------


class ReasonOut(Schema):
    text: str
    points: int


class CandidateOut(Schema):
    person_id: int
    name: str
    sex: str
    id_number_masked: str
    region_code: str
    region_name: str
    labor_status: str
    score: int
    reasons: list[ReasonOut]


class OrderMatchOut(Schema):
    order: JobOrderOut
    party: str
    place: str
    score: int
    reasons: list[ReasonOut]


class ShortlistIn(Schema):
    person_ids: list[int] = Field(..., min_length=1, max_length=500)
    planned_departure: datetime.date | None = None


class ApplicationOut(Schema):
    id: int
    person_id: int
    job_order_id: int
    status: str
    registered_on: datetime.date


def _reasons(reasons: list[Any]) -> list[dict[str, Any]]:
    return [{"text": r.text, "points": r.points} for r in reasons]


def _matching_user(request: HttpRequest) -> Any:
    """Matching lists people: the registry's capability as well as the jobs' one."""
    require_api_cap(request, "jobs.view")
    return require_api_cap(request, "registry.view")


@router.get("/orders/{pk}/candidates", response=list[CandidateOut])
def order_candidates(
    request: HttpRequest,
    pk: int,
    limit: int = Query(matching.DEFAULT_LIMIT, ge=1, le=matching.MAX_LIMIT),
    region: str = "",
    wants_out: str = "",
    experienced: str = "",
) -> Any:
    """The order's ranked candidates from the surplus pool in the caller's scope, with reasons
    (each with the points it adds to the score)."""
    user = _matching_user(request)
    order = selectors.job_order_get(user=user, pk=pk)
    filters = {"region": region, "wants_out": wants_out, "experienced": experienced}
    return [
        {
            "person_id": c.person.pk,
            "name": c.person.name,
            "sex": c.person.sex,
            "id_number_masked": c.person.id_number_masked,
            "region_code": c.person.region_id,
            "region_name": c.person.region.name,
            "labor_status": c.person.labor_status,
            "score": c.score,
            "reasons": _reasons(c.reasons),
        }
        for c in matching.candidates_for_order(user=user, order=order, limit=limit, filters=filters)
    ]


@router.post("/orders/{pk}/applications", response={201: list[ApplicationOut]})
def order_shortlist_register(request: HttpRequest, pk: int, payload: ShortlistIn) -> Any:
    """Register a shortlist for the order (报名), all or nothing: 400 with one message per
    person who cannot be registered, and nobody registered."""
    user = require_api_cap(request, "placements.edit")
    order = selectors.job_order_get(user=user, pk=pk)
    values = {"planned_departure": payload.planned_departure} if payload.planned_departure else None
    return 201, services.shortlist_register(user=user, order=order, person_ids=payload.person_ids, values=values)


@router.get("/people/{pk}/matching-orders", response=list[OrderMatchOut])
def person_matching_orders(request: HttpRequest, pk: int, limit: int = Query(50, ge=1, le=matching.MAX_LIMIT)) -> Any:
    """Open job orders for a person, best first, with reasons; empty for people outside the
    surplus pool."""
    from laowu.workers.selectors import person_get

    user = _matching_user(request)
    person = person_get(user=user, pk=pk)
    return [
        {
            "order": m.order,
            "party": m.order.party_name,
            "place": m.order.place_region.full_name or m.order.place_region.name,
            "score": m.score,
            "reasons": _reasons(m.reasons),
        }
        for m in matching.orders_for_person(user=user, person=person, limit=limit)
    ]
