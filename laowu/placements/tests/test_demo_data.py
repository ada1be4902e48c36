from __future__ import annotations

import datetime
import random

import pytest

from laowu.core.demo import DemoContext
from laowu.placements import demo as placements_demo
from laowu.placements.choices import Channel
from laowu.placements.models import Batch, FollowUpCase, Stint
from laowu.placements.tests.conftest import make_order
from laowu.training import demo as training_demo
from laowu.training.models import Enrolment
from laowu.training.tests.factories import make_person
from laowu.workers.models import LaborStatus, Person

pytestmark = pytest.mark.django_db


def test_demo_stints_follow_the_reported_ratios_and_statuses(villages, make_user):
    statuses = [LaborStatus.WORKING_AWAY] * 5 + [LaborStatus.RETURNED] * 2 + [LaborStatus.WORKING_LOCAL]
    for index in range(240):
        make_person(villages["wusan"], birth=datetime.date(1990, 1, 1), labor_status=statuses[index % len(statuses)])
    for _ in range(12):
        make_person(villages["xitou"], birth=datetime.date(1995, 1, 1), labor_status=LaborStatus.SURPLUS)
    order = make_order()
    ctx = DemoContext(rng=random.Random(7), users={"station_shahe": make_user()})
    training_demo.load(ctx)
    placements_demo.load(ctx)
    stints = Stint.objects.all()
    shares = {c: stints.filter(channel=c).count() / stints.count() for c in Channel.values}
    # Shahe: organised 8 : self-arranged 5 : local 8 (local also covers everyone marked local).
    assert 0.28 < shares["organised"] < 0.45 and 0.15 < shares["self_arranged"] < 0.32
    assert 0.30 < shares["local"] < 0.46
    # Three years of history up to today, not a fixed calendar.
    today = datetime.date.today()
    years = set(stints.values_list("start_date__year", flat=True))
    assert years == {today.year - 2, today.year - 1, today.year}
    assert not stints.filter(start_date__gt=today).exists()
    running = set(stints.filter(end_date__isnull=True).values_list("person_id", flat=True))
    away = set(Person.objects.filter(labor_status__in=["working_away", "working_local"]).values_list("pk", flat=True))
    assert running == away  # the one status rule held for the bulk load
    assert Enrolment.objects.filter(status="passed").exists()
    assert Person.objects.exclude(trades=[]).exists()
    batch = Batch.objects.get(job_orders=order)
    assert batch.members.filter(status="arrived").count() >= 8
    assert batch.departure_date.year == today.year and batch.departure_date < today
    # The member who did not arrive is a case for follow-up.
    missing = batch.members.get(status="not_arrived")
    assert FollowUpCase.objects.filter(application=missing, person=missing.person).exists()
    assert (
        Stint.objects.filter(application__batch=batch, channel="organised").count()
        == batch.members.filter(status="arrived").count()
    )
