"""What placements tells an employer's or agency's reputation (employers/reputation.py): the
stints of the people it took (placements), those that ended within ``EARLY_RETURN_DAYS`` of
their start (came back within 3 months), and the monthly wage reports below the contract's
guaranteed wage (保底工资未兑现). Disputes come with the wage-recovery capability."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F

from laowu.employers.reputation import OutcomeCounts
from laowu.placements.models import Stint, StintWage
from laowu.placements.services import early_return_q


def _party_field(party: Any) -> str | None:
    from laowu.employers.models import Agency, Employer

    if isinstance(party, Employer):
        return "employer"
    if isinstance(party, Agency):
        return "agency"
    return None


def stint_outcomes(party: Any) -> OutcomeCounts:
    field = _party_field(party)
    if field is None or party.pk is None:
        return OutcomeCounts()
    counts = Stint.objects.filter(**{field: party}).aggregate(n=Count("pk"), early=Count("pk", filter=early_return_q()))
    shortfalls = StintWage.objects.filter(
        **{f"stint__{field}": party},
        stint__application__guaranteed_wage__isnull=False,
        amount__lt=F("stint__application__guaranteed_wage"),
    ).count()
    return OutcomeCounts(placements=counts["n"], returns_3m=counts["early"], shortfalls=shortfalls)
