from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from laowu.core.api import BoundedPagination, require_api_cap
from laowu.regions import selectors

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None
    full_name: str
    is_poor_village: bool
    is_paired_aid_village: bool


@router.get("/", response=list[RegionOut])
@paginate(BoundedPagination)
def region_list(request: HttpRequest, q: str = "", level: int | None = None, parent: str = "") -> Any:
    user = require_api_cap(request, "regions.view")
    return selectors.region_list(user=user, query=q, level=level, parent=parent)


@router.get("/{code}", response=RegionOut)
def region_detail(request: HttpRequest, code: str) -> Any:
    user = require_api_cap(request, "regions.view")
    return selectors.region_get(user=user, code=code)
