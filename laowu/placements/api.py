"""Placements API: stints and monthly wage reports (applications and batches join when job
orders exist). Agencies report wages only for their own workers (see ``_agency_stints``)."""

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
