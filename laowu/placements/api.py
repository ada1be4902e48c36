"""Placements API: applications and their transitions, batches, arrival confirmation and wage
reports by agencies (only for their own agency's workers: placements/agency.py), stints."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from laowu.core.api import require_api_cap
from laowu.placements import selectors, services
from laowu.placements.choices import WageReporter
from laowu.training.pagination import BoundedPagination
from laowu.workers.models import Person

router = Router(tags=["placements"])


class StintOut(Schema):
    id: int
    person_id: int
    person_name: str
    region_id: str
    channel: str
    employer_name: str
    destination_id: str
    destination_scope: str
    industry: str
    trade: str
    occupation: str
    start_date: datetime.date
    end_date: datetime.date | None
    end_reason: str

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name


class StintIn(Schema):
    person_id: int
    channel: str
    destination_id: str
    start_date: datetime.date
    end_date: datetime.date | None = None
    employer_name: str = ""
    industry: str = ""
    trade: str = ""
    occupation: str = ""
    notes: str = ""


class StintEndIn(Schema):
    end_date: datetime.date
    reason: str = ""


class WageIn(Schema):
    month: datetime.date
    amount: Decimal


class WageOut(Schema):
    stint_id: int
    month: datetime.date
    amount: Decimal
    reporter: str


@router.get("/stints", response=list[StintOut])
@paginate(BoundedPagination)
def stint_list(
    request: HttpRequest,
    person: int | None = None,
    channel: str = "",
    scope: str = "",
    running: str = "",
    year: int | None = None,
    region: str = "",
) -> Any:
    user = require_api_cap(request, "placements.view")
    filters = {
        "person": str(person or ""),
        "channel": channel,
        "scope": scope,
        "running": running,
        "year": str(year or ""),
        "region": region,
    }
    return selectors.stint_list(user=user, filters=filters)


@router.get("/stints/{pk}", response=StintOut)
def stint_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "placements.view")
    return selectors.stint_get(user=user, pk=pk)


@router.post("/stints", response={201: StintOut})
def stint_create(request: HttpRequest, payload: StintIn) -> Any:
    """Enter a stint directly (自谋输出 / 就地转移, or an organised one entered afterwards)."""
    user = require_api_cap(request, "placements.edit")
    person = get_object_or_404(Person.objects.restrict(user), pk=payload.person_id)
    values = payload.dict(exclude={"person_id"})
    return 201, services.stint_create(user=user, person=person, values=values)


@router.post("/stints/{pk}/end", response=StintOut)
def stint_end(request: HttpRequest, pk: int, payload: StintEndIn) -> Any:
    user = require_api_cap(request, "placements.edit")
    stint = selectors.stint_get(user=user, pk=pk)
    return services.stint_end(user=user, stint=stint, end_date=payload.end_date, reason=payload.reason)


@router.get("/stints/{pk}/wages", response=list[WageOut])
def stint_wages(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "placements.view")
    return selectors.stint_get(user=user, pk=pk).wages.order_by("month")


@router.post("/stints/{pk}/wages", response=WageOut)
def stint_wage_report(request: HttpRequest, pk: int, payload: WageIn) -> Any:
    user = require_api_cap(request, "placements.edit")
    stint = selectors.stint_get(user=user, pk=pk)
    return services.stint_wage_report(
        user=user, stint=stint, month=payload.month, amount=payload.amount, reporter=WageReporter.STATION
    )


# --- applications and batches ----------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    person_id: int
    person_name: str
    region_id: str
    job_order_id: int
    status: str
    registered_on: datetime.date
    planned_departure: datetime.date | None
    political_review_passed: bool | None
    health_check_date: datetime.date | None
    health_check_passed: bool | None
    contract_signed_on: datetime.date | None
    contract_wage: Decimal | None
    guaranteed_wage: Decimal | None
    batch_id: int | None
    departed_on: datetime.date | None
    arrived_on: datetime.date | None
    closed_reason: str

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name


class ApplicationIn(Schema):
    person_id: int
    job_order_id: int
    planned_departure: datetime.date | None = None
    emergency_contact: str = ""
    emergency_phone: str = ""


class TransitionIn(Schema):
    action: str
    reason: str = ""
    health_result_text: str = ""
    political_review_passed: bool | None = None
    health_check_date: datetime.date | None = None
    health_check_hospital: str | None = None
    health_check_passed: bool | None = None
    health_check_fee: Decimal | None = None
    interview_date: datetime.date | None = None
    contract_signed_on: datetime.date | None = None
    contract_term_months: int | None = None
    contract_wage: Decimal | None = None
    guaranteed_wage: Decimal | None = None
    doc_id_card: bool | None = None
    doc_work_permit: bool | None = None
    doc_marriage_cert: bool | None = None
    document_fees: Decimal | None = None
    departed_on: datetime.date | None = None
    arrived_on: datetime.date | None = None


class BatchOut(Schema):
    id: int
    region_id: str
    name: str
    departure_date: datetime.date
    destination_note: str
    transport: str
    escort_name: str
    status: str
    job_order_ids: list[int]

    @staticmethod
    def resolve_job_order_ids(obj: Any) -> list[int]:
        return [o.pk for o in obj.job_orders.all()]


class ArrivalIn(Schema):
    application_ids: list[int] = []
    arrived_on: datetime.date | None = None


class ResultOut(Schema):
    done: int
    errors: list[str]


@router.get("/applications", response=list[ApplicationOut])
@paginate(BoundedPagination)
def application_list(
    request: HttpRequest, status: str = "", order: int | None = None, batch: int | None = None, q: str = ""
) -> Any:
    user = require_api_cap(request, "placements.view")
    filters = {"status": status, "order": str(order or ""), "batch": str(batch or ""), "q": q}
    return selectors.application_list(user=user, filters=filters)


@router.get("/applications/{pk}", response=ApplicationOut)
def application_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "placements.view")
    return selectors.application_get(user=user, pk=pk)


@router.post("/applications", response={201: ApplicationOut})
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    from laowu.jobs.models import JobOrder

    user = require_api_cap(request, "placements.edit")
    person = get_object_or_404(Person.objects.restrict(user), pk=payload.person_id)
    order = get_object_or_404(JobOrder.objects.restrict(user), pk=payload.job_order_id)
    values = payload.dict(include={"planned_departure", "emergency_contact", "emergency_phone"})
    return 201, services.application_register(user=user, person=person, job_order=order, values=values)


@router.get("/applications/{pk}/transitions", response=list[str])
def application_actions(request: HttpRequest, pk: int) -> Any:
    """The actions the application's current status allows (from the transition table)."""
    user = require_api_cap(request, "placements.view")
    return [t.action for t in services.available_actions(selectors.application_get(user=user, pk=pk))]


@router.post("/applications/{pk}/transitions", response=ApplicationOut)
def application_transition(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    user = require_api_cap(request, "placements.edit")
    app = selectors.application_get(user=user, pk=pk)
    data = payload.dict(exclude={"action", "reason", "health_result_text"}, exclude_none=True)
    return services.application_transition(
        user=user,
        application=app,
        action=payload.action,
        reason=payload.reason,
        data=data,
        health_result_text=payload.health_result_text,
    )


@router.get("/batches", response=list[BatchOut])
@paginate(BoundedPagination)
def batch_list(request: HttpRequest, status: str = "", year: int | None = None) -> Any:
    user = require_api_cap(request, "placements.view")
    return selectors.batch_list(user=user, filters={"status": status, "year": str(year or "")}).prefetch_related(
        "job_orders"
    )


@router.get("/batches/{pk}", response=BatchOut)
def batch_detail(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "placements.view")
    return selectors.batch_get(user=user, pk=pk)


@router.get("/batches/{pk}/members", response=list[ApplicationOut])
def batch_members(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "placements.view")
    return list(selectors.batch_members(selectors.batch_get(user=user, pk=pk), user))


# --- the agency's endpoints (capability agency.portal): its own batches and workers ------------


@router.get("/agency/batches", response=list[BatchOut])
@paginate(BoundedPagination)
def agency_batch_list(request: HttpRequest) -> Any:
    user = require_api_cap(request, "agency.portal")
    return selectors.agency_batch_list(user=user).prefetch_related("job_orders")


@router.get("/agency/batches/{pk}/members", response=list[ApplicationOut])
def agency_batch_members(request: HttpRequest, pk: int) -> Any:
    user = require_api_cap(request, "agency.portal")
    return list(selectors.batch_members(selectors.agency_batch_get(user=user, pk=pk)))


@router.post("/agency/batches/{pk}/arrivals", response=ResultOut)
def agency_confirm_arrival(request: HttpRequest, pk: int, payload: ArrivalIn) -> Any:
    """Confirm arrival of the listed members (all members when the list is empty)."""
    user = require_api_cap(request, "agency.portal")
    batch = selectors.agency_batch_get(user=user, pk=pk)
    data = {"arrived_on": payload.arrived_on} if payload.arrived_on else None
    done, errors = services.batch_transition(
        user=user, batch=batch, action="arrive", application_ids=payload.application_ids, data=data
    )
    return {"done": done, "errors": errors}


@router.get("/agency/stints", response=list[StintOut])
@paginate(BoundedPagination)
def agency_stint_list(request: HttpRequest) -> Any:
    user = require_api_cap(request, "agency.portal")
    from laowu.placements.agency import agency_stints

    return agency_stints(user).select_related("person").order_by("-start_date", "-id")


@router.post("/agency/stints/{pk}/wages", response=WageOut)
def agency_wage_report(request: HttpRequest, pk: int, payload: WageIn) -> Any:
    """An agency reports one month's wage of one of its own workers."""
    user = require_api_cap(request, "agency.portal")
    stint = selectors.agency_stint_get(user=user, pk=pk)
    return services.stint_wage_report(
        user=user, stint=stint, month=payload.month, amount=payload.amount, reporter=WageReporter.AGENCY
    )
