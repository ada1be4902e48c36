"""What an agency user (role agency, capability agency.portal) may see: the applications,
batches and stints of its own agency's job orders. The link is ``AgencyUser`` (decision 0052)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from laowu.placements.models import AgencyUser, Application, Batch, Stint


def agency_id_of(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False) or not user.has_cap("agency.portal"):
        return None
    return AgencyUser.objects.filter(user_id=user.pk).values_list("agency_id", flat=True).first()


def agency_applications(user: Any) -> QuerySet[Application]:
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Application.objects.none()
    return Application.objects.filter(job_order__agency_id=agency_id)


def agency_application_ids(user: Any) -> QuerySet[Application]:
    return agency_applications(user)


def agency_batches(user: Any) -> QuerySet[Batch]:
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Batch.objects.none()
    return Batch.objects.filter(job_orders__agency_id=agency_id).distinct()


def agency_stints(user: Any) -> QuerySet[Stint]:
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Stint.objects.none()
    return Stint.objects.filter(agency_id=agency_id)
