"""Reads for employers, agencies, site visits and labor bases: always region-restricted."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404

from laowu.core.scope import in_scope
from laowu.employers.models import Agency, Employer, LaborBase, PartyQuerySet, SiteVisit, Verdict
from laowu.employers.reputation import Reputation, outcome_counts, reputation_score


def _party_filters(qs: PartyQuerySet, filters: dict[str, Any]) -> PartyQuerySet:
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(credit_code__startswith=q.upper()) | Q(contact_name__contains=q))
    address = (filters.get("address") or "").strip()
    if address.isdigit():
        qs = qs.filter(address_region__code__startswith=address)
    status = filters.get("status") or ""
    if status == "blacklisted":
        qs = qs.filter(is_blacklisted=True)
    elif status == "vetted":
        qs = qs.filter(is_blacklisted=False, last_visit_verdict=Verdict.PASSED)
    elif status == "unvetted":
        qs = qs.filter(is_blacklisted=False).exclude(last_visit_verdict=Verdict.PASSED)
    return qs


def employer_list(*, user: Any, filters: dict[str, Any] | None = None) -> PartyQuerySet:
    filters = filters or {}
    qs = Employer.objects.restrict(user).with_vetting().select_related("address_region", "region")
    qs = _party_filters(qs, filters)
    industry = filters.get("industry") or ""
    if industry:
        qs = qs.filter(industry_code=industry)
    return qs.order_by("name", "pk")


def employer_get(*, user: Any, pk: int) -> Employer:
    qs = Employer.objects.restrict(user).with_vetting().select_related("address_region", "region")
    return get_object_or_404(qs, pk=pk)


def agency_list(*, user: Any, filters: dict[str, Any] | None = None) -> PartyQuerySet:
    filters = filters or {}
    qs = Agency.objects.restrict(user).with_vetting().select_related("address_region", "region")
    qs = _party_filters(qs, filters)
    kind = filters.get("kind") or ""
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name", "pk")


def agency_get(*, user: Any, pk: int) -> Agency:
    qs = Agency.objects.restrict(user).with_vetting().select_related("address_region", "region")
    return get_object_or_404(qs, pk=pk)


def party_is_vetted(party: Employer | Agency) -> bool:
    """Vetted (已考察) = the latest site visit passed. Uses the annotation when present."""
    verdict = getattr(party, "last_visit_verdict", None)
    if verdict is None and not hasattr(party, "last_visit_verdict"):
        latest = party.visits.order_by("-visit_date", "-pk").values_list("verdict", flat=True).first()
        verdict = latest
    return verdict == Verdict.PASSED


def party_writable(*, user: Any, party: Any) -> bool:
    """Records registered by an office above the user are visible but read-only."""
    return in_scope(user, party.region_id)


def party_reputation(*, party: Employer | Agency) -> Reputation:
    return reputation_score(outcome_counts(party))


def visit_list(*, user: Any, filters: dict[str, Any] | None = None) -> Any:
    filters = filters or {}
    qs = SiteVisit.objects.restrict(user).select_related("employer", "agency", "region")
    verdict = filters.get("verdict") or ""
    if verdict in Verdict.values:
        qs = qs.filter(verdict=verdict)
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(employer__name__contains=q) | Q(agency__name__contains=q) | Q(visitors__contains=q))
    return qs.order_by("-visit_date", "-pk")


def party_visits(*, user: Any, party: Employer | Agency) -> Any:
    """A party's visits: all of them (the party is already known to be visible to the user)."""
    return party.visits.select_related("region").order_by("-visit_date", "-pk")


def labor_base_list(*, user: Any, filters: dict[str, Any] | None = None) -> Any:
    filters = filters or {}
    qs = LaborBase.objects.restrict(user).select_related("destination_region", "employer", "agency", "region")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(name__contains=q) | Q(employer__name__contains=q) | Q(agency__name__contains=q) | Q(key_contact_name=q)
        )
    destination = (filters.get("destination") or "").strip()
    if destination.isdigit():
        qs = qs.filter(destination_region__code__startswith=destination)
    if filters.get("active") == "1":
        qs = qs.filter(until__isnull=True)
    return qs.order_by("-since", "pk")


def labor_base_get(*, user: Any, pk: int) -> LaborBase:
    qs = LaborBase.objects.restrict(user).select_related("destination_region", "employer", "agency", "region")
    return get_object_or_404(qs, pk=pk)
