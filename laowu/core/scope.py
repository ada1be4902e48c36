"""Region scope: every record belongs to a region node; a user sees only the subtree of theirs.

Region codes are hierarchical (2/4/6/9/12/15 digits), so "in the subtree of X" is "code starts
with X's code": a prefix match on an indexed varchar column (``varchar_pattern_ops``), no joins.
Everything that reads records for a user goes through ``RegionScopedQuerySet.restrict``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from laowu.accounts.models import User


def scope_prefix(user: Any) -> str | None:
    """The region-code prefix a user may see: "" for the whole country, None for nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    region_id = getattr(user, "region_id", None)
    if not region_id:
        return None
    from laowu.regions.models import Region

    return "" if region_id == Region.ROOT_CODE else region_id


def in_scope(user: Any, region_code: str | None) -> bool:
    prefix = scope_prefix(user)
    if prefix is None or not region_code:
        return False
    return region_code.startswith(prefix)


def require_in_scope(user: Any, region_code: str | None) -> None:
    """Raise ``Http404`` (not 403: do not confirm that the record exists) when out of scope."""
    if not in_scope(user, region_code):
        raise Http404("out of scope")


def require_writable_region(user: Any, region_code: str | None) -> None:
    """For saves: the target region must be inside the user's subtree."""
    if not in_scope(user, region_code):
        raise PermissionDenied("region out of scope")


class RegionScopedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may see."""

    def restrict(self, user: User | Any) -> Self:
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        field = getattr(self.model, "region_field", "region")
        return self.filter(**{f"{field}__code__startswith": prefix})

    def in_region(self, region_code: str) -> Self:
        field = getattr(self.model, "region_field", "region")
        return self.filter(**{f"{field}__code__startswith": region_code})


class RegionScopedManager(models.Manager.from_queryset(RegionScopedQuerySet)):  # type: ignore[misc]
    pass


def region_prefix_index(field: str = "region", name: str | None = None) -> models.Index:
    """Index for prefix (subtree) lookups on a region code column."""
    return models.Index(
        fields=[field],
        name=name or f"%(app_label)s_%(class)s_{field}_pfx",
        opclasses=["varchar_pattern_ops"],
    )


class RegionScopedModel(models.Model):
    """Base for every record that belongs to a region node."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所属区划",
        db_index=False,
    )

    objects = RegionScopedManager()

    region_field = "region"

    class Meta:
        abstract = True
        indexes = [region_prefix_index()]


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True
