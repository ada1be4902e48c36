"""Registry API: people (the three ledgers' filters) and households, through the same selectors
and services as the pages. ID and phone numbers are always masked here; the full values come
only from ``POST /people/{id}/unmask`` with a reason (logged). Out of scope → 404."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from laowu.core.api import require_api_cap
from laowu.core.masking import mask_phone
from laowu.workers import selectors, services
from laowu.workers.models import Household, Person

router = Router(tags=["workers"])

MAX_LIMIT = 200


class PersonOut(Schema):
    id: int
    name: str
    id_number: str  # masked: first 6 + last 4
    sex: str
    birth_date: datetime.date
    region_code: str
    region_name: str
    ethnicity: str
    education: str
    health: str
    political_status: str
    phone: str  # masked: 3 + 4
    household_id: int | None
    relation_to_head: str
    trades: list[str]
    labor_status: str
    wants_to_go_out: bool
    preferred_destinations: list[str]
    preferred_trades: list[str]
    available_from: datetime.date | None
    notes: str
    version: int
    updated_at: datetime.datetime


class PersonPage(Schema):
    items: list[PersonOut]
    limit: int
    offset: int
    has_next: bool


class LedgerFilters(Schema):
    """The ledger pages' filters (``selectors.person_list``), shared by list and export."""

    ledger: Literal["resource", "surplus", "away"] = "resource"
    region: str = ""
    status: str = ""
    sex: str = ""
    education: str = ""
    trade: str = ""
    poverty: str = ""
    wants_out: str = ""
    q: str = ""
    sort: str = ""


class PersonFilters(LedgerFilters):
    age_min: int | None = None
    age_max: int | None = None
    limit: int = 50
    offset: int = 0


class PersonIn(Schema):
    name: str
    id_number: str
    region: str
    ethnicity: str = ""
    education: str = ""
    health: str = ""
    political_status: str = ""
    phone: str = ""
    household_number: str = ""
    relation_to_head: str = ""
    poverty_status: str = ""
    trades: list[str] = []
    labor_status: str = ""
    wants_to_go_out: bool = False
    preferred_destinations: list[str] = []
    preferred_trades: list[str] = []
    available_from: str = ""
    notes: str = ""


class PersonPatch(Schema):
    version: int
    name: str | None = None
    id_number: str | None = None
    ethnicity: str | None = None
    education: str | None = None
    health: str | None = None
    political_status: str | None = None
    phone: str | None = None
    relation_to_head: str | None = None
    trades: list[str] | None = None
    labor_status: str | None = None
    wants_to_go_out: bool | None = None
    preferred_destinations: list[str] | None = None
    preferred_trades: list[str] | None = None
    available_from: str | None = None
    notes: str | None = None


class ConflictOut(Schema):
    code: str
    message: str
    current_version: int


class UnmaskIn(Schema):
    reason: str


class UnmaskOut(Schema):
    id_number: str
    phone: str


class HouseholdOut(Schema):
    id: int
    number: str
    region_code: str
    head_id: int | None
    poverty_status: str
    address: str
    notes: str


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]
    incomes: dict[str, str]


class HouseholdIn(Schema):
    number: str
    region: str
    poverty_status: str = ""
    address: str = ""
    notes: str = ""


def _person_out(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "id_number": person.id_number_masked,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "region_code": person.region_id,
        "region_name": person.region.full_name or person.region.name,
        "ethnicity": person.ethnicity,
        "education": person.education,
        "health": person.health,
        "political_status": person.political_status,
        "phone": mask_phone(person.phone),
        "household_id": person.household_id,
        "relation_to_head": person.relation_to_head,
        "trades": person.trades,
        "labor_status": person.labor_status,
        "wants_to_go_out": person.wants_to_go_out,
        "preferred_destinations": person.preferred_destinations,
        "preferred_trades": person.preferred_trades,
        "available_from": person.available_from,
        "notes": person.notes,
        "version": person.version,
        "updated_at": person.updated_at,
    }


def _raw(payload: Schema, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """Schema values as the raw text clean_person reads (lists joined, booleans as 是/否)."""
    data: dict[str, Any] = {}
    for key, value in payload.dict(exclude_unset=True, exclude=exclude or set()).items():
        if value is None:
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        data[key] = value
    return data


def _page(filters: PersonFilters) -> tuple[int, int]:
    if not 1 <= filters.limit <= MAX_LIMIT:
        raise ValidationError({"limit": [f"limit 应在 1 到 {MAX_LIMIT} 之间"]})
    if not 0 <= filters.offset <= 1_000_000:
        raise ValidationError({"offset": ["offset 应在 0 到 1000000 之间"]})
    return filters.limit, filters.offset


@router.get("/people/", response=PersonPage)
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    """People of one ledger, with the ledger pages' filters; pages by limit/offset (no count)."""
    user = require_api_cap(request, "registry.view")
    limit, offset = _page(filters)
    values = {k: "" if v is None else str(v) for k, v in filters.dict().items()}
    qs = selectors.person_list(user=user, ledger=filters.ledger, filters=values)
    rows = list(qs[offset : offset + limit + 1])
    return {
        "items": [_person_out(p) for p in rows[:limit]],
        "limit": limit,
        "offset": offset,
        "has_next": len(rows) > limit,
    }


@router.get("/people/{int:person_id}", response=PersonOut)
def person_detail(request: HttpRequest, person_id: int) -> Any:
    user = require_api_cap(request, "registry.view")
    return _person_out(selectors.person_get(user=user, pk=person_id))


@router.post("/people/", response={201: PersonOut})
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    user = require_api_cap(request, "registry.edit")
    person = services.person_register(user=user, data=_raw(payload))
    return 201, _person_out(selectors.person_get(user=user, pk=person.pk))


@router.patch("/people/{int:person_id}", response={200: PersonOut, 409: ConflictOut})
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    """Change the given fields; ``version`` is the one read before. A stale version → 409."""
    user = require_api_cap(request, "registry.edit")
    person = selectors.person_get(user=user, pk=person_id)
    try:
        services.person_update(
            user=user, person=person, data=_raw(payload, exclude={"version"}), version=payload.version
        )
    except services.PersonConflict as exc:
        return 409, {
            "code": "conflict",
            "message": "该人员信息已被他人修改，请重新读取后再保存。",
            "current_version": exc.current.version,
        }
    return 200, _person_out(selectors.person_get(user=user, pk=person_id))


@router.post("/people/{int:person_id}/unmask", response=UnmaskOut)
def person_unmask(request: HttpRequest, person_id: int, payload: UnmaskIn) -> Any:
    """The full ID and phone number (needs sensitive.view and a reason; logged)."""
    user = require_api_cap(request, "sensitive.view")
    person = selectors.person_get(user=user, pk=person_id)
    return services.person_unmask(user=user, person=person, reason=payload.reason)


def _household_out(household: Household) -> dict[str, Any]:
    return {
        "id": household.pk,
        "number": household.number,
        "region_code": household.region_id,
        "head_id": household.head_id,
        "poverty_status": household.poverty_status,
        "address": household.address,
        "notes": household.notes,
    }


@router.get("/households/", response=list[HouseholdOut])
def household_list(
    request: HttpRequest, region: str = "", q: str = "", poverty: str = "", limit: int = 50, offset: int = 0
) -> Any:
    user = require_api_cap(request, "registry.view")
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= 1_000_000:
        raise HttpError(400, f"limit 应在 1 到 {MAX_LIMIT} 之间，offset 不小于 0")
    qs = selectors.household_list(user=user, filters={"region": region, "q": q, "poverty": poverty})
    return [_household_out(h) for h in qs[offset : offset + limit]]


@router.get("/households/{int:household_id}", response=HouseholdDetailOut)
def household_detail(request: HttpRequest, household_id: int) -> Any:
    user = require_api_cap(request, "registry.view")
    household = selectors.household_get(user=user, pk=household_id)
    members = selectors.household_members(user=user, household=household)
    return {
        **_household_out(household),
        "members": [_person_out(p) for p in members],
        "incomes": {str(i.year): f"{i.per_capita_net_income:.2f}" for i in household.incomes.order_by("year")},
    }


@router.post("/households/", response={201: HouseholdOut})
def household_create(request: HttpRequest, payload: HouseholdIn) -> Any:
    user = require_api_cap(request, "registry.edit")
    household = services.household_create(user=user, data=payload.dict())
    return 201, _household_out(household)
