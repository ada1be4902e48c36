from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.employers import services as employer_services
from laowu.employers.models import Verdict
from laowu.employers.tests import factories as ef
from laowu.jobs import services
from laowu.jobs.models import JobOrder, JobOrderStatus, JobOrderTransition
from laowu.jobs.tests.factories import job_order

pytestmark = pytest.mark.django_db
S = JobOrderStatus


@pytest.fixture
def county(make_user):
    return make_user(role=Role.COUNTY_OFFICE, region="530502")


def test_full_lifecycle_records_who_when_why(county):
    order = job_order()
    services.job_order_transition(actor=county, order=order, to_status=S.VETTED)
    services.job_order_transition(actor=county, order=order, to_status=S.PUBLISHED)
    services.job_order_transition(actor=county, order=order, to_status=S.FILLED)
    services.job_order_transition(actor=county, order=order, to_status=S.CLOSED)
    order.refresh_from_db()
    assert order.status == S.CLOSED and order.published_at is not None
    steps = list(order.transitions.values_list("from_status", "to_status", "actor_id"))
    assert steps == [
        ("", S.DRAFT, None),
        (S.DRAFT, S.VETTED, county.pk),
        (S.VETTED, S.PUBLISHED, county.pk),
        (S.PUBLISHED, S.FILLED, county.pk),
        (S.FILLED, S.CLOSED, county.pk),
    ]
    audited = AuditEvent.objects.filter(object_type="jobs.joborder", object_id=str(order.pk), event="update")
    assert audited.count() == 4


@pytest.mark.parametrize(
    "start,target",
    [(S.DRAFT, S.PUBLISHED), (S.DRAFT, S.FILLED), (S.VETTED, S.FILLED), (S.PUBLISHED, S.DRAFT)],
)
def test_transitions_not_in_the_table_are_refused_with_a_clear_message(county, start, target):
    order = job_order()
    JobOrder.objects.filter(pk=order.pk).update(status=start)
    order.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.job_order_transition(actor=county, order=order, to_status=target)
    message = " ".join(exc.value.messages)
    assert "不能变为" in message and "当前可执行" in message
    order.refresh_from_db()
    assert order.status == start
    assert not JobOrderTransition.objects.filter(order=order, from_status=start, to_status=target).exists()


def test_terminal_state_says_so(county):
    order = job_order()
    services.job_order_transition(actor=county, order=order, to_status=S.WITHDRAWN, reason="企业取消招工")
    with pytest.raises(ValidationError, match="终态"):
        services.job_order_transition(actor=county, order=order, to_status=S.DRAFT)


def test_withdraw_needs_a_reason(county):
    order = job_order()
    with pytest.raises(ValidationError, match="原因"):
        services.job_order_transition(actor=county, order=order, to_status=S.WITHDRAWN)


def test_unvetted_employer_order_cannot_be_vetted_or_published(county):
    order = job_order(employer=ef.employer(vetted=False))
    with pytest.raises(ValidationError, match="尚未通过实地考察"):
        services.job_order_transition(actor=county, order=order, to_status=S.VETTED)
    order.refresh_from_db()
    assert order.status == S.DRAFT


def test_failed_latest_visit_blocks_publishing_even_after_vetting(county):
    employer = ef.employer()
    order = job_order(employer=employer)
    services.job_order_transition(actor=county, order=order, to_status=S.VETTED)
    ef.visit(employer, Verdict.FAILED, datetime.date(2024, 5, 1))
    with pytest.raises(ValidationError, match="尚未通过实地考察"):
        services.job_order_transition(actor=county, order=order, to_status=S.PUBLISHED)
    order.refresh_from_db()
    assert order.status == S.VETTED


def test_blacklisted_employer_order_cannot_be_published(county):
    employer = ef.employer()
    order = job_order(employer=employer)
    services.job_order_transition(actor=county, order=order, to_status=S.VETTED)
    employer_services.party_blacklist(actor=county, party=employer, reason="拖欠工资")
    with pytest.raises(ValidationError, match="黑名单"):
        services.job_order_transition(actor=county, order=order, to_status=S.PUBLISHED)
    order.refresh_from_db()
    assert order.status == S.VETTED and order.published_at is None


def test_blacklisted_agency_blocks_even_with_a_vetted_employer(county):
    agency = ef.agency()
    order = job_order(employer=ef.employer(), agency=agency)
    employer_services.party_blacklist(actor=county, party=agency, reason="虚假招工")
    with pytest.raises(ValidationError, match="中介机构.*黑名单"):
        services.job_order_transition(actor=county, order=order, to_status=S.VETTED)


def test_agency_with_expired_licence_cannot_publish(county):
    agency = ef.agency(licence_valid_until=datetime.date(2020, 12, 31), licence_valid_from=datetime.date(2018, 1, 1))
    order = job_order(agency=agency)
    with pytest.raises(ValidationError, match="许可证"):
        services.job_order_transition(actor=county, order=order, to_status=S.VETTED)


def test_township_station_may_not_vet(make_user):
    station = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    order = job_order("530502106")
    with pytest.raises(PermissionDenied):
        services.job_order_transition(actor=station, order=order, to_status=S.VETTED)


def test_only_drafts_can_be_edited(county):
    order = job_order()
    services.job_order_update(actor=county, order=order, headcount=40)
    services.job_order_transition(actor=county, order=order, to_status=S.VETTED)
    with pytest.raises(ValidationError, match="只有草稿可以修改"):
        services.job_order_update(actor=county, order=order, headcount=50)
    order.refresh_from_db()
    assert order.headcount == 40


def test_requirements_are_validated_with_field_messages():
    employer = ef.employer()
    with pytest.raises(ValidationError) as exc:
        job_order(
            employer=employer,
            min_age=40,
            max_age=30,
            wage_min=Decimal("3000"),
            wage_max=Decimal("2000"),
            trade_codes=["bricklayer", "wizard"],
            training_required=True,
        )
    errors = exc.value.message_dict
    assert {"max_age", "wage_max", "trade_codes", "training_trade_code"} <= set(errors)
    assert "wizard" in " ".join(errors["trade_codes"])
