from __future__ import annotations

import time
from pathlib import Path

import pytest
from stdnum.cn import uscc

from laowu.core.demo import demo_load
from laowu.employers.models import Agency, Employer, LaborBase
from laowu.employers.selectors import party_is_vetted
from laowu.jobs.bulletin_render import bulletin_docx, bulletin_pdf
from laowu.jobs.models import Bulletin, JobOrder, JobOrderStatus

pytestmark = pytest.mark.django_db


def test_demo_employers_jobs_and_bulletins(tmp_path: Path):
    started = time.monotonic()
    demo_load()
    elapsed = time.monotonic() - started
    assert elapsed < 20, elapsed  # the whole demo, regions' villages included
    named = {
        "昆明鑫德有限公司",
        "保山万鑫职业介绍部",
        "深圳百灵职业介绍所",
        "深圳永信职业介绍所",
        "沙河银桥劳务公司",
        "沙河金花劳务派遣公司",
    }
    assert named <= set(Agency.objects.values_list("name", flat=True))
    codes = list(Employer.objects.values_list("credit_code", flat=True)) + list(
        Agency.objects.values_list("credit_code", flat=True)
    )
    assert codes and all(uscc.is_valid(c) for c in codes)
    assert LaborBase.objects.filter(region_id="620723101").count() == 15
    # The rules hold in the demo: nothing published from a blacklisted or unvetted party.
    for order in JobOrder.objects.filter(status=JobOrderStatus.PUBLISHED).select_related("employer", "agency"):
        for party in (order.employer, order.agency):
            if party is not None:
                assert not party.is_blacklisted and party_is_vetted(party), order
    assert JobOrder.objects.filter(status=JobOrderStatus.PUBLISHED).count() >= 10
    issues = list(Bulletin.objects.filter(region_id="620723101").order_by("number"))
    assert [b.number for b in issues] == [1, 2] and issues[1].items.count() > issues[0].items.count() - 1
    pdf = bulletin_pdf(issues[1])
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    (tmp_path / "b.pdf").write_bytes(pdf)
    assert bulletin_docx(issues[1])[:2] == b"PK"
    _matching_works_on_the_demo()


def _matching_works_on_the_demo():
    """Each demo station finds candidates with reasons for most of the orders it can see, in
    its own villages; and demo people get recommended orders."""
    from laowu.accounts.models import User
    from laowu.jobs.matching import candidates_for_order, open_orders, orders_for_person

    for username in ("station_shahe", "station_lujiang", "county_changning"):
        user = User.objects.get(username=username)
        orders = list(open_orders(user=user))
        assert orders, username
        found = {o.pk: candidates_for_order(user=user, order=o, limit=20) for o in orders}
        assert sum(1 for c in found.values() if c) >= len(orders) // 2, (
            username,
            {k: len(v) for k, v in found.items()},
        )
        for candidates in found.values():
            for c in candidates:
                assert c.person.region_id.startswith(user.region_id) and c.reasons
                assert sum(r.points for r in c.reasons) == c.score
        assert any(r.points > 0 for c in sum(found.values(), []) for r in c.reasons)
        # The other way round: a candidate's recommended orders hold that order, same score.
        order_pk, candidates = next((k, v) for k, v in found.items() if v)
        recommended = {m.order.pk: m.score for m in orders_for_person(user=user, person=candidates[0].person)}
        assert recommended[order_pk] == candidates[0].score, username
