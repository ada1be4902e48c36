"""Reputation reads what placements knows: placements, returns within 3 months, wage shortfalls."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from laowu.employers import selectors
from laowu.employers.models import Employer
from laowu.placements import services
from laowu.placements.choices import Channel
from laowu.placements.models import StintWage
from laowu.placements.tests.conftest import make_order
from laowu.training.tests.factories import make_person

pytestmark = pytest.mark.django_db


def _stint(user, person, order, start, end=None):
    stint = services.stint_create(
        user=user,
        person=person,
        values={
            "channel": Channel.SELF_ARRANGED,
            "employer_id": order.employer_id,
            "agency_id": order.agency_id,
            "employer_name": order.employer.name,
            "destination_id": "4403",
            "industry": "C",
            "start_date": start,
        },
    )
    if end is not None:
        stint = services.stint_end(user=user, stint=stint, end_date=end, reason="返乡")
    return stint


def test_reputation_counts_placements_and_early_returns(make_user, villages):
    user = make_user()
    order = make_order()
    other = Employer.objects.create(name="东莞制衣厂", region_id="620723", address_region_id="4419")
    people = [make_person(villages["wusan"]) for _ in range(4)]
    start = datetime.date(2025, 3, 1)
    _stint(user, people[0], order, start, start + datetime.timedelta(days=30))  # back within 3 months
    _stint(user, people[1], order, start, start + datetime.timedelta(days=200))
    _stint(user, people[2], order, start)
    rep = selectors.party_reputation(party=order.employer)
    assert (rep.counts.placements, rep.counts.returns_3m) == (3, 1)
    assert rep.score is not None and rep.score < 100
    assert selectors.party_reputation(party=order.agency).counts.placements == 3
    # Another employer's record is its own.
    assert selectors.party_reputation(party=other).counts.placements == 0
    assert selectors.party_reputation(party=other).score is None


def test_wage_reports_below_the_guaranteed_wage_are_shortfalls(make_user, villages):
    user = make_user()
    order = make_order()
    person = make_person(villages["wusan"])
    stint = _stint(user, person, order, datetime.date(2025, 3, 1))
    app = services.application_register(user=user, person=person, job_order=order)
    app.guaranteed_wage = Decimal("2800")
    app.save(update_fields=["guaranteed_wage"])
    stint.application = app
    stint.save(update_fields=["application"])
    StintWage.objects.create(stint=stint, month=datetime.date(2025, 4, 1), amount=Decimal("2500"), reporter="agency")
    StintWage.objects.create(stint=stint, month=datetime.date(2025, 5, 1), amount=Decimal("3200"), reporter="agency")
    assert selectors.party_reputation(party=order.employer).counts.shortfalls == 1
