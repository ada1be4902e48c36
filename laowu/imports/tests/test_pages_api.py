"""Import and export pages and API: upload → check → commit in the browser's forms, the job
page's errors, region scope (another township's job is a 404), the template, exports masked
and audited, capabilities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.imports.models import ImportJob, ImportStatus
from laowu.imports.tests.files import first_data_row, person_id, person_row, township_xlsx
from laowu.workers.models import Person

pytestmark = pytest.mark.django_db
WUSAN = "620723101201"


@pytest.fixture
def station(make_user: Any, villages: dict[str, str]) -> Any:
    return make_user(role=Role.TOWNSHIP_STATION, region="620723101")


def _upload(client: Any, path: Path, **data: Any) -> Any:
    with open(path, "rb") as handle:
        return client.post(
            "/imports/new/person/?ledger=resource",
            {"file": handle, "profile": "laowu_person", "policy": "update", **data},
        )


def test_upload_check_errors_then_commit_on_the_pages(login: Any, station: Any, tmp_path: Path) -> None:
    client = login(station)
    rows = [person_row(i, WUSAN) for i in range(20)]
    rows[4][2] = "123"  # a short ID number
    response = _upload(client, township_xlsx(tmp_path / "bad.xlsx", rows))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert job.status == ImportStatus.INVALID and "未写入任何数据" in page
    assert f'<td class="num">{first_data_row() + 4}</td><td>身份证号</td>' in page and "18 位" in page
    assert "commit-import" not in page  # no import button for a file with errors
    errors_xlsx = client.get(f"/imports/{job.pk}/issues.xlsx")
    assert errors_xlsx.status_code == 200 and errors_xlsx["Content-Type"].startswith("application/vnd.openxml")

    rows[4][2] = person_id(4)
    response = _upload(client, township_xlsx(tmp_path / "good.xlsx", rows))
    job = ImportJob.objects.order_by("-id").first()
    assert job is not None and job.status == ImportStatus.CHECKED
    assert "commit-import" in client.get(response["Location"]).content.decode()
    assert Person.objects.count() == 0
    response = client.post(f"/imports/{job.pk}/start/", {"commit": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and Person.objects.count() == 20
    # Committing again is refused with a message, and writes nothing.
    client.post(f"/imports/{job.pk}/start/", {"commit": "1"})
    assert Person.objects.count() == 20
    assert "已导入" in client.get("/imports/").content.decode()


def test_another_townships_import_job_is_not_found(login: Any, make_user: Any, station: Any, tmp_path: Path) -> None:
    client = login(station)
    _upload(client, township_xlsx(tmp_path / "a.xlsx", [person_row(0, WUSAN)]))
    job = ImportJob.objects.get()
    other = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    other_client = login(other, client.__class__())
    for url in (f"/imports/{job.pk}/", f"/imports/{job.pk}/issues.xlsx", f"/api/imports/{job.pk}"):
        assert other_client.get(url).status_code == 404, url
    assert other_client.post(f"/imports/{job.pk}/start/", {"commit": "1"}).status_code == 404
    assert other_client.post(f"/api/imports/{job.pk}/commit").status_code == 404
    assert job.filename not in other_client.get("/imports/").content.decode()


def test_a_village_officer_may_not_import(login: Any, make_user: Any, villages: Any, tmp_path: Path) -> None:
    officer = make_user(role=Role.VILLAGE_OFFICER, region=WUSAN)
    client = login(officer)
    assert client.get("/imports/new/person/").status_code == 403
    assert _upload(client, township_xlsx(tmp_path / "a.xlsx", [person_row(0, WUSAN)])).status_code == 403
    assert client.get("/workers/export/").status_code == 403
    assert ImportJob.objects.count() == 0


def test_the_template_is_the_ledger_layout_and_its_header_is_recognised(
    login: Any, station: Any, tmp_path: Path
) -> None:
    client = login(station)
    response = client.get("/imports/template/person/?profile=laowu_person&ledger=surplus")
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[:2] == ["台帐", "填表说明"] and "村组代码" in book.sheet_names
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "沙河镇农村富余劳动力资源台帐"
    assert "基本情况" in rows[1] and "身份证号" in rows[2]
    codes = book.get_sheet_by_name("村组代码").to_python()
    assert [WUSAN, "甘肃省张掖市临泽县沙河镇五三村"] in [[str(c) for c in r[:2]] for r in codes]
    # Filled in, the template imports (surplus ledger: blank status becomes 富余劳动力).
    from bench.xlsx_fast import write_xlsx

    filled = rows[:3] + [["王一", person_id(1), WUSAN]]
    write_xlsx(tmp_path / "filled.xlsx", filled)
    with open(tmp_path / "filled.xlsx", "rb") as handle:
        client.post(
            "/imports/new/person/", {"file": handle, "profile": "laowu_person", "policy": "update", "ledger": "surplus"}
        )
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED, list(job.issues.values_list("message", flat=True))
    client.post(f"/imports/{job.pk}/start/", {"commit": "1"})
    assert Person.objects.get().labor_status == "surplus"


def test_api_submit_follow_and_commit(login: Any, station: Any, tmp_path: Path) -> None:
    client = login(station)
    path = township_xlsx(tmp_path / "api.xlsx", [person_row(i, WUSAN) for i in range(5)])
    with open(path, "rb") as handle:
        response = client.post("/api/imports/", {"file": handle, "target": "person", "ledger": "resource"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "checked" and body["created"] == 5 and body["errors"] == 0
    assert client.get(f"/api/imports/{body['id']}").json()["status"] == "checked"
    committed = client.post(f"/api/imports/{body['id']}/commit").json()
    assert committed["status"] == "committed" and Person.objects.count() == 5
    again = client.post(f"/api/imports/{body['id']}/commit")
    assert again.status_code == 400 and again.json()["code"]


def test_export_is_masked_scoped_and_audited(login: Any, station: Any, make_user: Any, tmp_path: Path) -> None:
    client = login(station)
    path = township_xlsx(tmp_path / "a.xlsx", [person_row(i, WUSAN) for i in range(3)])
    _upload(client, path)
    client.post(f"/imports/{ImportJob.objects.get().pk}/start/", {"commit": "1"})
    # Someone in Longyang, who must not appear in a Shahe export.
    longyang = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    from laowu.workers.services import person_register

    person_register(
        user=longyang, data={"name": "杨某", "id_number": person_id(99, "530502"), "region": "530502106201"}
    )
    response = client.post("/workers/export/?ledger=resource", {"format": "csv", "full": "0"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and text.count("\n") == 4  # header + 3 people
    assert person_id(0) not in text and person_id(0)[:6] + "********" + person_id(0)[-4:] in text
    assert "杨某" not in text
    audit = AuditEvent.objects.filter(event="export").order_by("-id").first()
    assert audit is not None and audit.detail["rows"] == 3 and audit.detail["full_numbers"] is False
    # Full numbers need a reason; with one, they are in the file and the audit says so.
    refused = client.post("/workers/export/?ledger=resource", {"format": "xlsx", "full": "1", "reason": ""})
    assert refused.status_code == 400 and "用途" in refused.content.decode()
    full = client.post("/workers/export/?ledger=resource", {"format": "xlsx", "full": "1", "reason": "核对"})
    out = tmp_path / "full.xlsx"
    out.write_bytes(b"".join(full.streaming_content))
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert person_id(0) in [str(r[1]) for r in sheet]
    assert AuditEvent.objects.filter(event="export", detail__full_numbers=True, detail__rows=3).exists()
    # The API export goes through the same service.
    api = client.get("/api/workers/people/export", {"format": "csv"})
    assert api.status_code == 200 and b"".join(api.streaming_content).decode("utf-8-sig").count("\n") == 4
