"""What placements tells an employer's or agency's reputation (employers/reputation.py): the
stints of the people it took (placements), those that ended within ``EARLY_RETURN_DAYS`` of
their start (came back within 3 months), and the monthly wage reports below the contract's
guaranteed wage (保底工资未兑现). Disputes come with the wage-recovery capability."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, Q

from laowu.employers.reputation import OutcomeCounts
from laowu.placements.models import Stint, StintWage
from laowu.placements.services import EARLY_RETURN_DAYS


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
    early = Q(end_date__isnull=False, end_date__lt=F("start_date") + datetime.timedelta(days=EARLY_RETURN_DAYS))
    counts = Stint.objects.filter(**{field: party}).aggregate(n=Count("pk"), early=Count("pk", filter=early))
    shortfalls = StintWage.objects.filter(
        **{f"stint__{field}": party},
        stint__application__guaranteed_wage__isnull=False,
        amount__lt=F("stint__application__guaranteed_wage"),
    ).count()
    return OutcomeCounts(placements=counts["n"], returns_3m=counts["early"], shortfalls=shortfalls)
