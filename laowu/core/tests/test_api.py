from __future__ import annotations

import pytest
from django.test import Client

from conftest import SHAHE
from laowu.accounts.roles import Role
from laowu.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def _client(user) -> tuple[Client, dict[str, str]]:
    _token, plain = api_token_create(user=user, name="test")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_token_authenticates_and_me_reports_scope(make_user):
    client, headers = _client(make_user(role=Role.TOWNSHIP_STATION, region=SHAHE))
    data = client.get("/api/me", **headers).json()
    assert data["region_code"] == SHAHE
    assert "registry.view" in data["capabilities"]


def test_bad_token_is_401_json():
    response = Client().get("/api/me", HTTP_AUTHORIZATION="Bearer lw_nope")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_revoked_token_stops_working(make_user):
    from django.utils import timezone

    user = make_user()
    token, plain = api_token_create(user=user, name="t")
    token.revoked_at = timezone.now()
    token.save()
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_api_region_scope(make_user, villages):
    client, headers = _client(make_user(role=Role.TOWNSHIP_STATION, region=SHAHE))
    assert client.get(f"/api/regions/{villages['wusan']}", **headers).status_code == 200
    response = client.get(f"/api/regions/{villages['mangang']}", **headers)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    listed = client.get("/api/regions/?q=芒岗", **headers).json()
    assert listed["count"] == 0


def test_api_capability_is_checked(make_user):
    client, headers = _client(make_user(role=Role.AUDITOR, region="00"))
    response = client.get("/api/regions/", **headers)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_openapi_schema_is_served(make_user):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/regions/" in response.json()["paths"]


def test_nul_bytes_and_huge_numbers_are_400_not_500(make_user):
    client, headers = _client(make_user(role=Role.COUNTY_OFFICE, region="620723"))
    assert client.get("/api/regions/?q=%00", **headers).status_code == 400
    assert client.get("/api/regions/?offset=99999999999999999999", **headers).status_code == 400
    assert client.get("/regions/?q=a%00b").status_code == 400
