"""Region scope: a Shahe township user cannot reach Longyang's regions, users or records."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import LONGYANG, SHAHE
from laowu.accounts.models import User
from laowu.accounts.roles import Role
from laowu.core.scope import in_scope, scope_prefix
from laowu.regions.models import Region

pytestmark = pytest.mark.django_db


def test_scope_prefix_by_node(make_user):
    assert scope_prefix(make_user(region=SHAHE)) == SHAHE
    assert scope_prefix(make_user(region="00")) == ""
    assert scope_prefix(make_user(region=SHAHE, is_active=False)) is None


def test_in_scope_is_a_subtree_test(make_user, villages):
    user = make_user(region=SHAHE)
    assert in_scope(user, villages["wusan"])
    assert not in_scope(user, villages["mangang"])
    assert not in_scope(user, "620723")  # the parent county is above, not inside


def test_region_queryset_restrict(make_user, villages):
    user = make_user(region=SHAHE)
    codes = set(Region.objects.restrict(user).values_list("code", flat=True))
    assert codes == {SHAHE, villages["wusan"], villages["xitou"]}


def test_township_user_gets_404_for_other_region_detail(client, make_user, login, villages):
    login(make_user(role=Role.TOWNSHIP_STATION, region=SHAHE))
    assert client.get(f"/regions/{villages['wusan']}/").status_code == 200
    assert client.get(f"/regions/{villages['mangang']}/").status_code == 404
    assert client.get(f"/regions/{LONGYANG}/").status_code == 404


def test_township_user_search_and_list_never_show_other_regions(client, make_user, login, villages):
    login(make_user(role=Role.TOWNSHIP_STATION, region=SHAHE))
    for url in ("/regions/?q=芒岗", "/regions/?q=530502", "/regions/search/?q=芒岗", f"/regions/?parent={LONGYANG}"):
        body = client.get(url).content.decode()
        assert "芒岗村" not in body and "530502106201" not in body, url
    assert "五三村" in client.get("/regions/?q=五三").content.decode()


def test_pinyin_initials_search(client, make_user, login, villages):
    login(make_user(role=Role.COUNTY_OFFICE, region="620723"))
    body = client.get("/regions/search/?q=shz").content.decode()
    assert "沙河镇" in body


def test_security_admin_of_shahe_cannot_see_or_manage_longyang_users(client, make_user, login):
    shahe_admin = make_user(role=Role.SECURITY_ADMIN, region=SHAHE)
    longyang_user = make_user(role=Role.TOWNSHIP_STATION, region="530502106", username="lujiang_station")
    login(shahe_admin)
    assert "lujiang_station" not in client.get("/accounts/users/").content.decode()
    assert client.get(f"/accounts/users/{longyang_user.pk}/").status_code == 404
    assert client.post(f"/accounts/users/{longyang_user.pk}/disable/").status_code == 404
    longyang_user.refresh_from_db()
    assert longyang_user.is_active


def test_security_admin_cannot_create_a_user_outside_scope(client, make_user, login):
    login(make_user(role=Role.SECURITY_ADMIN, region=SHAHE))
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "intruder",
            "display_name": "x",
            "role": Role.COUNTY_OFFICE,
            "region": LONGYANG,
            "password": "Strong#Pass2026",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="intruder").exists()


def test_role_change_is_audited_and_ends_sessions(make_user, login):
    from laowu.audit.models import AuditEvent, AuditEventType

    admin = make_user(role=Role.SECURITY_ADMIN, region="00")
    target = make_user(role=Role.VILLAGE_OFFICER, region=SHAHE)
    target_client = login(target, Client())
    admin_client = login(admin, Client())
    response = admin_client.post(f"/accounts/users/{target.pk}/", {"role": Role.TOWNSHIP_STATION, "region": SHAHE})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.TOWNSHIP_STATION
    event = AuditEvent.objects.get(event=AuditEventType.ROLE_CHANGE)
    assert event.detail["old"]["role"] == Role.VILLAGE_OFFICER
    assert target_client.get("/").status_code == 302
