from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from laowu.placements import services
from laowu.placements.choices import Channel
from laowu.training.tests.factories import make_person
from laowu.workers.models import LaborStatus, Person

pytestmark = pytest.mark.django_db


def _stint(user, village, **extra):
    person = make_person(village)
    values = {
        "channel": Channel.SELF_ARRANGED,
        "employer_name": "新疆天然气公司",
        "destination_id": "65",
        "start_date": datetime.date(2024, 3, 1),
        **extra,
    }
    return services.stint_create(user=user, person=person, values=values)


@pytest.fixture
def stints(make_user, villages):
    shahe = _stint(make_user(), villages["wusan"])
    longyang = _stint(make_user(region="530502"), villages["mangang"], destination_id="44")
    return shahe, longyang


def test_stint_pages_deny_other_region_with_404(make_user, login, stints):
    shahe, longyang = stints
    client = login(make_user())
    for name in ("stint_detail", "stint_edit"):
        assert client.get(reverse(f"placements:{name}", args=[longyang.pk])).status_code == 404
    assert (
        client.post(reverse("placements:stint_end", args=[longyang.pk]), {"end_date": "2024-12-01"}).status_code == 404
    )
    assert client.get(reverse("placements:stint_detail", args=[shahe.pk])).status_code == 200
    listing = client.get(reverse("placements:stint_list")).content.decode()
    assert f"/placements/stints/{shahe.pk}/" in listing and f"/placements/stints/{longyang.pk}/" not in listing


def test_stint_api_denies_other_region_with_404(make_user, login, stints):
    shahe, longyang = stints
    client = login(make_user())
    assert client.get(f"/api/placements/stints/{longyang.pk}").status_code == 404
    assert (
        client.post(
            f"/api/placements/stints/{longyang.pk}/wages",
            {"month": "2024-04-01", "amount": "3000"},
            content_type="application/json",
        ).status_code
        == 404
    )
    ids = [s["id"] for s in client.get("/api/placements/stints").json()["items"]]
    assert ids == [shahe.pk]


def test_create_overlapping_stint_through_page_shows_message(make_user, login, villages):
    user = make_user()
    stint = _stint(user, villages["wusan"])
    client = login(user)
    response = client.post(
        reverse("placements:stint_create") + f"?person={stint.person_id}",
        {"channel": "local", "destination_code": "620723101", "start_date": "2024-05-01", "employer_name": "沙建公司"},
    )
    assert response.status_code == 200
    assert "同一人的务工时间不能重叠" in response.content.decode()


def test_end_stint_through_api_sets_returned(make_user, login, villages):
    user = make_user()
    stint = _stint(user, villages["wusan"])
    client = login(user)
    response = client.post(
        f"/api/placements/stints/{stint.pk}/end",
        {"end_date": "2024-11-30", "reason": "返乡"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=stint.person_id).labor_status == LaborStatus.RETURNED


def test_create_stint_through_api_with_bad_destination_is_400(make_user, login, villages):
    user = make_user()
    person = make_person(villages["wusan"])
    client = login(user)
    response = client.post(
        "/api/placements/stints",
        {"person_id": person.pk, "channel": "local", "destination_id": "6207", "start_date": "2024-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "精确到县" in str(response.json()["errors"])


def test_stint_list_query_count(make_user, login, villages, django_assert_max_num_queries):
    user = make_user()
    for _ in range(6):
        _stint(user, villages["wusan"])
    client = login(user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("placements:stint_list")).status_code == 200
