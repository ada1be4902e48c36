from __future__ import annotations

from typing import Any

from laowu.regions.models import Region, RegionQuerySet


def region_list(*, user: Any, query: str = "", level: int | None = None, parent: str = "") -> RegionQuerySet:
    qs = Region.objects.restrict(user).search(query)
    if level is not None:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("code")


def region_get(*, user: Any, code: str) -> Region:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Region.objects.restrict(user), code=code)
