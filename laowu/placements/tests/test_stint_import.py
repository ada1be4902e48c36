"""Issue 5, the third ledger: the 外出务工台帐 imports as stints through the registry's import
machinery (template, dry run, every error by row/column/reason, all or nothing), by the stint
rules that live in services.py, and exports in the same layout."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.imports import services as imports
from laowu.imports.models import ImportJob, ImportStatus
from laowu.imports.reader import open_table
from laowu.imports.tests.files import first_data_row, township_xlsx
from laowu.placements import services
from laowu.placements.choices import Channel, DestinationScope
from laowu.placements.ledger_xlsx import export_headers
from laowu.placements.models import Stint, StintWage
from laowu.training.tests.factories import make_person
from laowu.workers.models import LaborStatus, Person

pytestmark = pytest.mark.django_db

HEADER = [
    ("", "序号"),
    ("基本情况", "姓名"),
    ("基本情况", "身份证号码"),
    ("基本情况", "所在村组"),
    ("外出务工情况", "输出方式"),
    ("外出务工情况", "务工地点"),
    ("外出务工情况", "务工单位"),
    ("外出务工情况", "中介机构"),
    ("外出务工情况", "从事行业"),
    ("外出务工情况", "从事工种"),
    ("外出务工情况", "外出时间"),
    ("外出务工情况", "返乡时间"),
    ("", "月工资"),
    ("", "联系电话"),
    ("", "备注"),
]
FIRST = first_data_row()


@pytest.fixture
def station(make_user: Any, villages: dict[str, str]) -> Any:
    return make_user(role=Role.TOWNSHIP_STATION, region="620723101")


@pytest.fixture
def people(villages: dict[str, str]) -> list[Person]:
    return [make_person(villages["wusan"], name=f"王{'一二三四五六七八九十'[i]}") for i in range(10)]


def row(person: Person, index: int = 0, **overrides: Any) -> list[Any]:
    values = {
        "序号": index + 1,
        "姓名": person.name,
        "身份证号码": person.id_number,
        "所在村组": "五三村",
        "输出方式": "自谋输出",
        "务工地点": "广东省深圳市",
        "务工单位": "深圳百灵电子厂",
        "中介机构": "",
        "从事行业": "制造业",
        "从事工种": "电子装配工",
        "外出时间": "2025-03-01",
        "返乡时间": "",
        "月工资": "",
        "联系电话": "",
        "备注": "",
    }
    values.update(overrides)
    return [values[h] for _, h in HEADER]


def ledger(path: Path, rows: list[list[Any]]) -> Path:
    return township_xlsx(path, rows, title="沙河镇劳动力外出务工台帐", header=HEADER)


def check(user: Any, path: Path, *, policy: str = "update") -> ImportJob:
    job = imports.import_submit(
        user=user,
        target="stint",
        profile="laowu_stint",
        filename=path.name,
        chunks=[path.read_bytes()],
        policy=policy,
        options={"ledger": "away"},
    )
    return imports.import_start(user=user, job=job)


def commit(user: Any, job: ImportJob) -> ImportJob:
    return imports.import_start(user=user, job=job, commit=True)


def issues(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.message) for i in job.issues.order_by("row", "id")]


def sheet_rows(path: Path) -> list[list[str]]:
    """The ledger sheet as the importer reads it (normalised text)."""
    return list(open_table(path).rows())


def status(person: Person) -> str:
    return Person.objects.get(pk=person.pk).labor_status


def test_one_bad_row_commits_nothing_then_the_fixed_file_imports_and_twice_is_no_duplicate(
    station: Any, people: list[Person], tmp_path: Path
) -> None:
    rows = [row(p, i) for i, p in enumerate(people)]
    rows[6][HEADER.index(("外出务工情况", "输出方式"))] = "坐飞机"
    job = check(station, ledger(tmp_path / "bad.xlsx", rows))
    assert job.status == ImportStatus.INVALID and job.error_count == 1
    ((row_no, column, message),) = issues(job)
    assert (row_no, column) == (FIRST + 6, "输出方式") and "坐飞机" in message and "有组织输出" in message
    with pytest.raises(Exception, match="校验通过"):
        commit(station, job)
    assert Stint.objects.count() == 0

    rows[6][HEADER.index(("外出务工情况", "输出方式"))] = "自发外出"  # an alias the profile maps
    job = check(station, ledger(tmp_path / "fixed.xlsx", rows))
    assert job.status == ImportStatus.CHECKED, issues(job)
    assert job.created_count == 10 and Stint.objects.count() == 0  # the dry run wrote nothing
    job = commit(station, job)
    assert job.status == ImportStatus.COMMITTED
    stint = Stint.objects.get(person=people[0])
    assert stint.destination_id == "4403" and stint.destination_scope == DestinationScope.OUT_OF_PROVINCE
    assert (stint.channel, stint.industry, stint.trade) == (Channel.SELF_ARRANGED, "C", "17")
    assert stint.region_id == people[0].region_id and stint.employer_name == "深圳百灵电子厂"
    audit = AuditEvent.objects.filter(event="import", detail__target="stint").get()
    assert audit.detail["created"] == 10 and audit.detail["labor_status_changed"] == 10

    again = commit(station, check(station, ledger(tmp_path / "again.xlsx", rows)))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 10)
    assert Stint.objects.count() == 10


def test_a_running_stint_makes_the_person_away_and_an_end_date_in_the_file_brings_them_back(
    station: Any, people: list[Person], tmp_path: Path
) -> None:
    person = people[0]
    commit(station, check(station, ledger(tmp_path / "a.xlsx", [row(person, 月工资="5200")])))
    assert status(person) == LaborStatus.WORKING_AWAY
    stint = Stint.objects.get(person=person)
    wage = StintWage.objects.get(stint=stint)
    assert wage.amount == Decimal("5200.00") and wage.month == datetime.date.today().replace(day=1)
    # The same person and start date: an update. Blank cells keep what the stint had.
    ended = row(person, 返乡时间="2025-11-30", 务工单位="", 从事工种="", 务工地点="", 月工资="")
    job = commit(station, check(station, ledger(tmp_path / "b.xlsx", [ended])))
    assert (job.created_count, job.updated_count) == (0, 1)
    stint.refresh_from_db()
    assert stint.end_date == datetime.date(2025, 11, 30)
    assert stint.employer_name == "深圳百灵电子厂" and stint.trade == "17" and stint.destination_id == "4403"
    assert status(person) == LaborStatus.RETURNED
    assert Stint.objects.filter(person=person).count() == 1


def test_overlap_with_a_recorded_stint_and_between_two_rows_is_refused(
    station: Any, people: list[Person], tmp_path: Path
) -> None:
    first, second = people[0], people[1]
    services.stint_create(
        user=station,
        person=first,
        values={
            "channel": Channel.SELF_ARRANGED,
            "employer_name": "新疆天然气公司",
            "destination_id": "65",
            "start_date": datetime.date(2024, 3, 1),
            "end_date": datetime.date(2025, 4, 30),
        },
    )
    rows = [
        row(first, 0, 外出时间="2025-04-01"),  # inside the recorded stint
        row(second, 1, 外出时间="2024-01-01", 返乡时间="2024-12-31"),
        row(second, 2, 外出时间="2024-06-01", 返乡时间="2025-02-28"),  # inside the row above
        row(second, 3, 外出时间="2025-03-01"),  # after both: fine
    ]
    job = check(station, ledger(tmp_path / "overlap.xlsx", rows))
    found = issues(job)
    assert job.status == ImportStatus.INVALID and len(found) == 2, found
    assert found[0][0] == FIRST and found[0][1] == "外出时间"
    assert "2024-03-01 至 2025-04-30 已有务工记录（新疆天然气公司）" in found[0][2]
    assert found[1][0] == FIRST + 2 and f"与第 {FIRST + 1} 行的务工记录" in found[1][2]
    assert Stint.objects.count() == 1


def test_an_unregistered_person_or_one_outside_the_users_scope_is_an_error(
    station: Any, people: list[Person], villages: dict[str, str], tmp_path: Path
) -> None:
    from laowu.core import idcard

    outsider = make_person(villages["mangang"], name="杨某")
    stranger = idcard.make("620723", datetime.date(1990, 1, 1), 777)
    rows = [
        row(people[0], 0),
        row(outsider, 1, 所在村组=""),
        row(people[1], 2, 身份证号码=stranger),
        row(people[2], 3, 姓名="李四"),
        row(people[3], 4, 所在村组="西头号村"),
    ]
    found = issues(check(station, ledger(tmp_path / "who.xlsx", rows)))
    assert len(found) == 4, found
    assert found[0][:2] == (FIRST + 1, "身份证号码") and "不在您的管辖范围内" in found[0][2]
    assert "杨某" not in found[0][2]
    masked = f"{stranger[:6]}{'*' * 8}{stranger[-4:]}"
    assert found[1] == (FIRST + 2, "身份证号码", f"身份证号 {masked} 未在劳动力台帐中登记，请先导入劳动力台帐")
    assert found[2][:2] == (FIRST + 3, "姓名") and people[2].name in found[2][2]
    assert found[3][:2] == (FIRST + 4, "所在村组") and "五三村" in found[3][2]
    assert Stint.objects.count() == 0


def test_rule_errors_by_row_and_column(station: Any, people: list[Person], tmp_path: Path) -> None:
    from laowu.employers.models import Employer

    Employer.objects.create(name="深圳百灵电子厂", region_id="620723", address_region_id="4403")
    rows = [
        row(people[0], 0, 外出时间="2025-05-01", 返乡时间="2025-04-01"),  # ends before it starts
        row(people[1], 1, 务工地点="朝阳区"),  # two of them in China
        row(people[2], 2, 务工地点="620723101"),  # the home township itself: 乡内
        row(people[3], 3, 中介机构="不存在的中介公司"),
        row(people[4], 4, 输出方式="", 外出时间="2025-02-01"),
        row(people[5], 5, 外出时间="2025年13月"),
        row(people[6], 6, 月工资="三千"),
        row(people[7], 7, 务工地点="新疆阿克苏", 外出时间="2025.6"),
    ]
    job = check(station, ledger(tmp_path / "rules.xlsx", rows))
    found = {r: (c, m) for r, c, m in issues(job)}
    assert found[FIRST][0] == "返乡时间" and "早于" in found[FIRST][1]
    assert found[FIRST + 1][0] == "务工地点" and "北京市朝阳区（110105）" in found[FIRST + 1][1]
    assert FIRST + 2 not in found  # a destination in the home township is 乡内, a valid scope
    assert found[FIRST + 3][0] == "中介机构" and "未登记" in found[FIRST + 3][1]
    assert found[FIRST + 4] == ("输出方式", "新登记的务工记录须填写输出渠道")
    assert found[FIRST + 5][0] == "外出时间"
    assert found[FIRST + 6][0] == "月工资"
    assert FIRST + 7 not in found
    assert job.error_count == 6


def test_names_resolve_to_registered_employers_and_regions(station: Any, people: list[Person], tmp_path: Path) -> None:
    from laowu.employers.models import Agency, Employer

    employer = Employer.objects.create(name="深圳百灵电子厂", region_id="620723", address_region_id="4403")
    agency = Agency.objects.create(name="深圳永信职业介绍所", region_id="620723101", address_region_id="4403")
    rows = [
        row(people[0], 0, 中介机构="深圳永信职业介绍所", 输出方式="有组织"),
        row(people[1], 1, 务工单位="个体餐馆", 务工地点="新疆阿克苏", 从事行业="餐饮", 外出时间="2025.6"),
    ]
    job = commit(station, check(station, ledger(tmp_path / "names.xlsx", rows)))
    assert job.status == ImportStatus.COMMITTED, issues(job)
    one = Stint.objects.get(person=people[0])
    assert (one.employer_id, one.agency_id, one.channel) == (employer.pk, agency.pk, Channel.ORGANISED)
    two = Stint.objects.get(person=people[1])
    assert two.employer_id is None and two.employer_name == "个体餐馆"
    assert two.destination_id == "6529" and two.industry == "H" and two.start_date == datetime.date(2025, 6, 1)


def test_the_template_downloads_and_its_header_is_recognised(station: Any, login: Any, tmp_path: Path) -> None:
    client = login(station)
    response = client.get("/imports/template/stint/?profile=laowu_stint&ledger=away")
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    from python_calamine import CalamineWorkbook

    names = CalamineWorkbook.from_path(str(path)).sheet_names
    assert names[:2] == ["台帐", "代码表"] and "务工地代码" in names
    rows = sheet_rows(path)
    assert "沙河镇劳动力外出务工台帐" in rows[0][0]
    headers = rows[2]  # row 1 the title, rows 2-3 the two-row header
    assert headers[:2] == ["姓名", "身份证号"] and "外出时间" in headers
    job = check(station, path)  # the empty template is recognised: no missing column
    assert job.status == ImportStatus.CHECKED and job.summary["header_rows"] == [2, 3]
    upload = client.get("/imports/new/stint/?ledger=away").content.decode()
    assert "已登记的务工记录" in upload and "下载模板" in upload


def test_export_then_import_changes_nothing(station: Any, people: list[Person], tmp_path: Path, login: Any) -> None:
    from laowu.employers.models import Agency

    Agency.objects.create(name="深圳永信职业介绍所", region_id="620723101", address_region_id="4403")
    rows = [
        row(people[0], 0, 中介机构="深圳永信职业介绍所", 月工资="5200", 联系电话="13912345678"),
        row(people[1], 1, 外出时间="2024-03-01", 返乡时间="2024-10-31", 月工资="4100.50", 备注="合同期满"),
        row(people[1], 2, 外出时间="2025-02-01", 输出方式="就地转移", 务工地点="620723102"),
    ]
    commit(station, check(station, ledger(tmp_path / "a.xlsx", rows)))
    assert status(people[1]) == LaborStatus.WORKING_LOCAL
    client = login(station)
    response = client.post("/placements/stints/export/", {"full": "1", "reason": "核对台帐"})
    assert response.status_code == 200
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(b"".join(response.streaming_content))
    rows = sheet_rows(exported)
    assert [low or top for top, low in zip(rows[1], rows[2], strict=True)] == export_headers()
    assert len(rows) == 3 + 3
    before = list(Stint.objects.order_by("pk").values())
    wages = list(StintWage.objects.order_by("pk").values_list("stint_id", "month", "amount"))
    job = commit(station, check(station, exported))
    assert job.status == ImportStatus.COMMITTED, issues(job)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 3)
    assert list(Stint.objects.order_by("pk").values()) == before
    assert list(StintWage.objects.order_by("pk").values_list("stint_id", "month", "amount")) == wages


def test_export_masks_by_default_is_audited_and_reached_from_the_away_ledger(
    station: Any, people: list[Person], tmp_path: Path, login: Any
) -> None:
    commit(station, check(station, ledger(tmp_path / "a.xlsx", [row(people[0], 联系电话="13912345678")])))
    client = login(station)
    ledger_page = client.get("/workers/away/").content.decode()
    assert "/workers/export/?ledger=away" in ledger_page
    redirect = client.get("/workers/export/?ledger=away&q=王")
    assert redirect.status_code == 302 and redirect["Location"].startswith("/placements/stints/export/?ledger=away")
    assert client.get(redirect["Location"]).status_code == 200
    response = client.post(redirect["Location"], {})
    exported = tmp_path / "masked.xlsx"
    exported.write_bytes(b"".join(response.streaming_content))
    values = sheet_rows(exported)[3]
    number = people[0].id_number
    assert values[1] == f"{number[:6]}{'*' * 8}{number[-4:]}" and values[3] == "139****5678"
    assert number not in str(values)
    audit = AuditEvent.objects.filter(event="export", object_type="placements.stint").get()
    assert audit.detail["rows"] == 1 and audit.detail["full_numbers"] is False
    list_page = client.get("/placements/stints/?channel=self_arranged").content.decode()
    assert "/placements/stints/export/?channel=self_arranged" in list_page and "/imports/new/stint/" in list_page
    # Full numbers need a reason.
    assert client.post("/placements/stints/export/", {"full": "1"}).status_code == 400


def test_a_role_without_the_capability_can_neither_import_nor_export(
    make_user: Any, villages: dict[str, str], login: Any, tmp_path: Path
) -> None:
    officer = make_user(role=Role.VILLAGE_OFFICER, region=villages["wusan"])
    path = ledger(tmp_path / "x.xlsx", [])
    with pytest.raises(PermissionDenied):
        imports.import_submit(
            user=officer, target="stint", profile="laowu_stint", filename=path.name, chunks=[path.read_bytes()]
        )
    with pytest.raises(PermissionDenied):
        services.stint_export(user=officer)
    city = make_user(role=Role.CITY_OFFICE, region="6207")
    with pytest.raises(PermissionDenied):
        services.stint_export(user=city)
    client = login(officer, Client())
    assert client.get("/imports/new/stint/").status_code == 403
    assert client.get("/placements/stints/export/").status_code == 403
    assert "/placements/stints/export/" not in client.get("/placements/stints/").content.decode()


def test_imported_stints_record_history_with_the_import_context(
    station: Any, people: list[Person], tmp_path: Path
) -> None:
    from laowu.placements.models import StintEvent  # type: ignore[attr-defined]

    job = commit(station, check(station, ledger(tmp_path / "a.xlsx", [row(people[0])])))
    event = StintEvent.objects.select_related("pgh_context").get()
    assert event.pgh_label == "insert"
    assert event.pgh_context.metadata["source"] == "import"
    assert event.pgh_context.metadata["import_job"] == job.pk
    assert event.pgh_context.metadata["username"] == station.username


def test_one_file_ends_a_running_stint_and_records_the_next_one(
    station: Any, people: list[Person], tmp_path: Path
) -> None:
    person = people[0]
    commit(station, check(station, ledger(tmp_path / "a.xlsx", [row(person, 外出时间="2025-03-01")])))
    rows = [
        row(person, 0, 外出时间="2025-03-01", 返乡时间="2025-12-31"),
        row(person, 1, 外出时间="2026-02-15", 务工地点="65", 务工单位="新疆棉花加工厂"),
    ]
    job = commit(station, check(station, ledger(tmp_path / "b.xlsx", rows)))
    assert (job.status, job.created_count, job.updated_count) == (ImportStatus.COMMITTED, 1, 1), issues(job)
    assert list(Stint.objects.filter(person=person).order_by("start_date").values_list("end_date", flat=True)) == [
        datetime.date(2025, 12, 31),
        None,
    ]
    assert status(person) == LaborStatus.WORKING_AWAY


def test_policies_for_stints_already_recorded(station: Any, people: list[Person], tmp_path: Path) -> None:
    commit(station, check(station, ledger(tmp_path / "a.xlsx", [row(people[0])])))
    changed = [row(people[0], 0, 备注="改了"), row(people[1], 1)]
    job = commit(station, check(station, ledger(tmp_path / "skip.xlsx", changed), policy="skip"))
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert Stint.objects.get(person=people[0]).notes == ""
    job = check(station, ledger(tmp_path / "refuse.xlsx", changed), policy="refuse")
    assert job.status == ImportStatus.INVALID and issues(job)[0][0] == FIRST
    assert "遇已登记记录报错" in issues(job)[0][2]
    assert Stint.objects.count() == 2


def test_the_import_pages_check_then_import_a_stint_file(
    station: Any, people: list[Person], tmp_path: Path, login: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(station)
    path = ledger(tmp_path / "pages.xlsx", [row(people[0]), row(people[1], 1)])
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(
        "/imports/new/stint/?ledger=away",
        {"file": upload, "profile": "laowu_stint", "policy": "update", "ledger": "away"},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get(target="stint")
    page = client.get(response["Location"]).content.decode()
    assert "已登记的务工记录" in page and "校验通过" in page and 'id="commit-import"' in page
    response = client.post(f"/imports/{job.pk}/start/", {"commit": "1"}, follow=True)
    body = response.content.decode()
    assert "已导入：新增 2 条" in body and Stint.objects.count() == 2
    listing = client.get("/imports/").content.decode()
    assert "外出务工记录" in listing and "导入外出务工台帐" in listing
