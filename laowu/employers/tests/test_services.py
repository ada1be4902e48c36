from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from stdnum.cn import uscc

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.employers import selectors, services
from laowu.employers.credit_codes import credit_code_generate
from laowu.employers.models import Employer, Verdict
from laowu.employers.reputation import OutcomeCounts, reputation_score
from laowu.employers.tests import factories

pytestmark = pytest.mark.django_db


def test_generated_credit_codes_are_valid_and_a_changed_character_is_refused():
    rng = random.Random(1)
    codes = [credit_code_generate(rng, "440306") for _ in range(50)]
    assert all(uscc.is_valid(c) for c in codes)
    bad = codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.employer_create(
            actor=None, region_code="530502", name="坏码厂", credit_code=bad, address_region_id="440306"
        )
    assert "统一社会信用代码" in str(exc.value)
    assert not Employer.objects.filter(name="坏码厂").exists()


def test_credit_code_is_unique_with_a_chinese_message():
    first = factories.employer()
    with pytest.raises(ValidationError, match="已登记"):
        services.employer_create(
            actor=None,
            region_code="530502",
            name="另一家",
            credit_code=first.credit_code.lower(),
            address_region_id="440306",
        )


def test_create_writes_audit_row_with_masked_phone(make_user):
    actor = make_user(role=Role.COUNTY_OFFICE, region="530502")
    employer = factories.employer(vetted=False)
    services.employer_update(actor=actor, employer=employer, contact_phone="13987654321")
    row = AuditEvent.objects.filter(object_type="employers.employer", event="update").latest("id")
    assert row.detail["changes"]["contact_phone"] == ["138****5678", "139****4321"]
    assert "13987654321" not in str(row.detail)


def test_another_county_cannot_write_the_record(make_user):
    other = make_user(role=Role.COUNTY_OFFICE, region="530521")
    employer = factories.employer()
    with pytest.raises(PermissionDenied):
        services.employer_update(actor=other, employer=employer, name="改名")
    employer.refresh_from_db()
    assert employer.name != "改名"


def test_blacklist_needs_a_reason_and_is_audited(make_user):
    actor = make_user(role=Role.COUNTY_OFFICE, region="530502")
    employer = factories.employer()
    with pytest.raises(ValidationError, match="原因"):
        services.party_blacklist(actor=actor, party=employer, reason="  ")
    services.party_blacklist(actor=actor, party=employer, reason="拖欠工资三个月")
    employer.refresh_from_db()
    assert employer.is_blacklisted and employer.blacklist_reason == "拖欠工资三个月"
    row = AuditEvent.objects.filter(object_type="employers.employer").latest("id")
    assert row.detail["action"] == "blacklist" and row.user_id == actor.pk
    services.party_unblacklist(actor=actor, party=employer, reason="已结清欠薪")
    employer.refresh_from_db()
    assert not employer.is_blacklisted


def test_latest_visit_decides_vetting():
    employer = factories.employer(vetted=False)
    assert not selectors.party_is_vetted(employer)
    factories.visit(employer, Verdict.PASSED, datetime.date(2024, 1, 1))
    assert selectors.party_is_vetted(Employer.objects.get(pk=employer.pk))
    factories.visit(employer, Verdict.FAILED, datetime.date(2024, 6, 1))
    assert not selectors.party_is_vetted(Employer.objects.get(pk=employer.pk))
    assert not Employer.objects.vetted().filter(pk=employer.pk).exists()
    factories.visit(employer, Verdict.PASSED, datetime.date(2024, 9, 1))
    assert Employer.objects.vetted().filter(pk=employer.pk).exists()


def test_visit_in_the_future_is_refused():
    employer = factories.employer(vetted=False)
    with pytest.raises(ValidationError, match="考察日期"):
        factories.visit(employer, Verdict.PASSED, datetime.date.today() + datetime.timedelta(days=3))


def test_scope_township_sees_own_and_ancestor_records_but_not_another_branch(make_user):
    longyang = factories.employer("530502")
    lujiang = factories.employer("530502106")
    shahe = factories.employer("620723101")
    station = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    seen = set(selectors.employer_list(user=station).values_list("pk", flat=True))
    assert seen == {longyang.pk, lujiang.pk}
    shahe_user = make_user(role=Role.TOWNSHIP_STATION, region="620723101")
    seen = set(selectors.employer_list(user=shahe_user).values_list("pk", flat=True))
    assert seen == {shahe.pk}
    assert selectors.party_writable(user=station, party=lujiang)
    assert not selectors.party_writable(user=station, party=longyang)


def test_labor_base_needs_a_partner():
    with pytest.raises(ValidationError, match="合作"):
        services.labor_base_create(
            actor=None,
            region_code="620723101",
            name="无主基地",
            destination_region_id="440306",
            key_contact_name="贾天海",
            key_contact_phone="13900001111",
            since=datetime.date(2008, 3, 1),
        )


def test_party_with_visits_cannot_be_deleted():
    employer = factories.employer()
    with pytest.raises(ValidationError, match="不能删除"):
        services.party_delete(actor=None, party=employer)
    assert Employer.objects.filter(pk=employer.pk).exists()


def test_reputation_without_record_and_with_outcomes():
    empty = reputation_score(OutcomeCounts())
    assert empty.score is None and "暂无" in empty.explanation[0]
    good = reputation_score(OutcomeCounts(placements=100, returns_3m=5))
    assert good.score == 98 and good.grade == "良好"
    bad = reputation_score(OutcomeCounts(placements=20, returns_3m=10, disputes=2, shortfalls=2))
    assert bad.score == 100 - 20 - 30 - 30 and bad.grade == "较差"
    assert any("保底工资" in line for line in bad.explanation)
    small = reputation_score(OutcomeCounts(placements=3))
    assert small.score == 100 and any("仅供参考" in line for line in small.explanation)
