"""Registry import: all or nothing with a dry run, every error by row/column/reason, real
township files, scope, policies for people already registered, history and audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from laowu.accounts.roles import Role
from laowu.audit.models import AuditEvent
from laowu.core import crypto
from laowu.imports import services
from laowu.imports.models import ImportJob, ImportStatus
from laowu.imports.tests.files import first_data_row, person_id, person_row, simple_xlsx, township_xlsx
from laowu.workers.models import Household, LaborStatus, Person

pytestmark = pytest.mark.django_db
WUSAN = "620723101201"
XITOU = "620723101202"
MANGANG = "530502106201"


@pytest.fixture
def station(make_user: Any, villages: dict[str, str]) -> Any:
    return make_user(role=Role.TOWNSHIP_STATION, region="620723101")


def submit(
    user: Any, path: Path, *, profile: str = "laowu_person", policy: str = "update", **options: Any
) -> ImportJob:
    return services.import_submit(
        user=user,
        target="person",
        profile=profile,
        filename=path.name,
        chunks=[path.read_bytes()],
        policy=policy,
        options=options,
    )


def check(user: Any, path: Path, **kwargs: Any) -> ImportJob:
    job = submit(user, path, **kwargs)
    return services.import_start(user=user, job=job)


def commit(user: Any, job: ImportJob) -> ImportJob:
    return services.import_start(user=user, job=job, commit=True)


def issues(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(i.row, i.column, i.message) for i in job.issues.order_by("row", "id")]


def test_one_bad_row_in_a_thousand_commits_nothing_then_the_fixed_file_imports_fully_and_twice_is_no_duplicate(
    station: Any, tmp_path: Path
) -> None:
    rows = [person_row(i, WUSAN) for i in range(1000)]
    good_id = rows[499][2]
    rows[499][2] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # wrong check character
    bad = township_xlsx(tmp_path / "bad.xlsx", rows)
    job = check(station, bad)
    assert job.status == ImportStatus.INVALID
    assert job.error_count == 1
    row, column, message = issues(job)[0]
    assert row == first_data_row() + 499
    assert column == "身份证号"
    assert "校验位错误" in message
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    with pytest.raises(Exception, match="校验通过"):
        commit(station, job)
    assert Person.objects.count() == 0

    rows[499][2] = good_id
    fixed = township_xlsx(tmp_path / "fixed.xlsx", rows)
    job = check(station, fixed)
    assert job.status == ImportStatus.CHECKED, issues(job)[:3]
    assert (job.created_count, job.error_count) == (1000, 0)
    assert Person.objects.count() == 0  # the dry run wrote nothing
    job = commit(station, job)
    assert job.status == ImportStatus.COMMITTED
    assert Person.objects.filter(region_id=WUSAN).count() == 1000
    assert Household.objects.count() == 334
    assert Household.objects.filter(head__isnull=False).count() == 334

    again = commit(station, check(station, township_xlsx(tmp_path / "again.xlsx", rows)))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1000)
    assert Person.objects.count() == 1000 and Household.objects.count() == 334


def test_township_file_quirks_are_read(station: Any, tmp_path: Path) -> None:
    """Title row, unit line, merged two-row header, blank rows, full-width digits and spaces
    inside ID numbers, a lower-case x, a footer line."""
    number = person_id(7)
    spaced = number[:6] + " " + number[6:14] + "　" + number[14:]
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in person_id(8))
    rows = [
        person_row(7, WUSAN, 身份证号=spaced),
        person_row(8, "五三村", 身份证号=full_width, 联系电话="１３９００００００１１"),
        person_row(9, XITOU, 文化程度="文盲或半文盲", 劳动力状态="外出"),
    ]
    path = township_xlsx(tmp_path / "quirks.xlsx", rows, blank_rows_at=(1, 2))
    job = commit(station, check(station, path))
    assert job.status == ImportStatus.COMMITTED, issues(job)
    assert job.created_count == 3
    assert job.summary["footers"], "the footer line is reported as skipped"
    p7 = Person.objects.get(id_number_hash=crypto.blind_index(number))
    assert p7.name and p7.region_id == WUSAN and p7.id_number == number
    p8 = Person.objects.get(id_number_hash=crypto.blind_index(person_id(8)))
    assert p8.region_id == WUSAN and p8.phone == "13900000011"
    p9 = Person.objects.get(id_number_hash=crypto.blind_index(person_id(9)))
    assert p9.education == "90" and p9.labor_status == LaborStatus.WORKING_AWAY
    assert p9.birth_date.isoformat().replace("-", "") == person_id(9)[6:14]


def test_every_error_is_named_by_row_column_and_reason(station: Any, tmp_path: Path) -> None:
    rows = [person_row(i, WUSAN) for i in range(6)]
    rows[1][2] = rows[0][2]  # duplicate ID in the file
    rows[2][1] = ""  # no name
    rows[3][3] = MANGANG  # Longyang village: outside a Shahe user's scope
    rows[4][8] = "博士后"  # unknown education
    rows[5][9] = "12345"  # bad phone
    job = check(station, township_xlsx(tmp_path / "errors.xlsx", rows))
    first = first_data_row()
    found = issues(job)
    assert job.status == ImportStatus.INVALID and job.error_count == 5
    assert (first + 1, "身份证号", f"与第 {first} 行的身份证号重复") in found
    assert (first + 2, "姓名", "不能为空") in found
    assert any(r == first + 3 and c == "所在村组" and "不在您的管辖范围内" in m for r, c, m in found)
    assert any(r == first + 4 and c == "文化程度" and "博士后" in m for r, c, m in found)
    assert any(r == first + 5 and c == "联系电话" for r, c, m in found)
    assert Person.objects.count() == 0


def test_rows_read_in_batches_are_numbered_as_rows_read_one_by_one(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The engine hands a batch of data rows to the writer at once and reads a batch with a blank
    row or a footer row by row: every error and footer names the same row either way."""
    from laowu.imports import engine

    rows = [person_row(i, WUSAN) for i in range(20)]
    rows[3][9] = "12345"  # bad phone, in a batch of data rows only
    rows[13][2] = rows[1][2]  # a number repeated after the blank row
    rows[17][8] = "博士后"  # unknown education, in the last batch
    path = township_xlsx(tmp_path / "batches.xlsx", rows, blank_rows_at=(10,))
    found = []
    for batch in (4, engine.BATCH):
        monkeypatch.setattr(engine, "BATCH", batch)
        job = check(station, path)
        assert job.status == ImportStatus.INVALID and job.error_count == 3
        found.append((sorted(issues(job)), job.summary["footers"]))
    first = first_data_row()
    assert found[0] == found[1]
    errors, footers = found[0]
    assert [(row, column) for row, column, _ in errors] == [
        (first + 3, "联系电话"),
        (first + 14, "身份证号"),
        (first + 18, "文化程度"),
    ]
    assert errors[1][2] == f"与第 {first + 1} 行的身份证号重复"
    assert footers == [first + 22]  # after the 20 rows, the blank row and the line left empty


def test_missing_required_column_and_unreadable_file(station: Any, tmp_path: Path) -> None:
    path = simple_xlsx(tmp_path / "noid.xlsx", ["姓名", "所在村组"], [["王一", WUSAN]])
    job = check(station, path)
    assert job.status == ImportStatus.INVALID
    assert ("身份证号", "缺少此列") == (issues(job)[0][1], issues(job)[0][2][:4])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    job = check(station, broken)
    assert job.status == ImportStatus.INVALID
    assert "无法读取" in issues(job)[0][2]


def test_an_id_number_that_excel_stored_as_a_number_is_explained(station: Any, tmp_path: Path) -> None:
    number = person_id(1)
    path = simple_xlsx(
        tmp_path / "float.xlsx", ["姓名", "身份证号", "所在村组"], [["王一", float(number[:17] + "0"), WUSAN]]
    )
    job = check(station, path)
    assert "文本" in issues(job)[0][2] and issues(job)[0][1] == "身份证号"


def test_a_person_registered_in_another_county_is_refused_naming_only_the_region(
    station: Any, make_user: Any, tmp_path: Path
) -> None:
    longyang = make_user(role=Role.TOWNSHIP_STATION, region="530502106")
    number = person_id(3)
    commit(
        longyang,
        check(
            longyang, simple_xlsx(tmp_path / "ly.xlsx", ["姓名", "身份证号", "所在村组"], [["杨某", number, MANGANG]])
        ),
    )
    assert Person.objects.filter(region_id=MANGANG).count() == 1
    job = check(station, simple_xlsx(tmp_path / "sh.xlsx", ["姓名", "身份证号", "所在村组"], [["王某", number, WUSAN]]))
    ((row, column, message),) = issues(job)
    assert column == "身份证号" and "芒岗村" in message and "杨某" not in message
    assert Person.objects.filter(region_id=WUSAN).count() == 0


def test_policies_for_people_already_registered(station: Any, tmp_path: Path) -> None:
    header = ["姓名", "身份证号", "所在村组", "联系电话", "文化程度"]
    first = [["王一", person_id(1), WUSAN, "13900000001", "初中"], ["王二", person_id(2), WUSAN, "13900000002", "小学"]]
    commit(station, check(station, simple_xlsx(tmp_path / "a.xlsx", header, first)))
    # Update: a changed phone is written, a blank education keeps the old value, a new person is added.
    second = [["王一", person_id(1), WUSAN, "13900000009", ""], ["王二", person_id(2), WUSAN, "13900000002", "小学"]]
    second.append(["王三", person_id(3), WUSAN, "", "高中"])
    job = commit(station, check(station, simple_xlsx(tmp_path / "b.xlsx", header, second)))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 1)
    one = Person.objects.get(id_number_hash=crypto.blind_index(person_id(1)))
    assert one.phone == "13900000009" and one.education == "70" and one.version == 2
    # Skip: nothing of the known people changes.
    third = [["王一", person_id(1), WUSAN, "13900000777", ""]]
    job = commit(station, check(station, simple_xlsx(tmp_path / "c.xlsx", header, third), policy="skip"))
    assert (job.created_count, job.skipped_count) == (0, 1)
    assert Person.objects.get(pk=one.pk).phone == "13900000009"
    # Refuse: the whole file is refused, naming the row.
    job = check(
        station,
        simple_xlsx(tmp_path / "d.xlsx", header, third + [["王四", person_id(4), WUSAN, "", ""]]),
        policy="refuse",
    )
    assert job.status == ImportStatus.INVALID and issues(job)[0][0] == 2
    assert not Person.objects.filter(id_number_hash=crypto.blind_index(person_id(4))).exists()
    # A known person in another village of the same town is a transfer, not an update.
    moved = [["王一", person_id(1), XITOU, "", ""]]
    job = check(station, simple_xlsx(tmp_path / "e.xlsx", header, moved))
    assert job.status == ImportStatus.INVALID and "迁移" in issues(job)[0][2]


def test_imports_record_history_with_who_and_an_audit_row(station: Any, tmp_path: Path) -> None:
    from laowu.workers.models import PersonEvent  # type: ignore[attr-defined]

    header = ["姓名", "身份证号", "所在村组", "联系电话"]
    commit(
        station,
        check(station, simple_xlsx(tmp_path / "a.xlsx", header, [["王一", person_id(1), WUSAN, "13900000001"]])),
    )
    person = Person.objects.get()
    events = list(PersonEvent.objects.filter(pgh_obj_id=person.pk).select_related("pgh_context"))
    assert [e.pgh_label for e in events] == ["insert"]  # the trigger was off, the bulk writer wrote one
    assert events[0].pgh_context.metadata["username"] == station.username
    assert events[0].pgh_context.metadata["source"] == "import"
    second = commit(
        station,
        check(station, simple_xlsx(tmp_path / "b.xlsx", header, [["王一", person_id(1), WUSAN, "13900000002"]])),
    )
    events = list(PersonEvent.objects.filter(pgh_obj_id=person.pk).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"] and events[1].phone == "13900000002"
    # This job's own audit row (other jobs' rows may exist: the audit log is never rolled back).
    audit = AuditEvent.objects.filter(event="import", outcome="success", object_id=str(second.pk)).first()
    assert audit is not None and audit.detail["updated"] == 1 and len(audit.detail["file_sha256"]) == 64
    # Outside imports the triggers still record every change.
    from laowu.workers.services import person_update

    person.refresh_from_db()
    person_update(user=station, person=person, data={"phone": "13900000003"}, version=person.version)
    assert PersonEvent.objects.filter(pgh_obj_id=person.pk).count() == 3


def test_a_job_that_dies_half_way_leaves_nothing_and_runs_again(station: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from laowu.core import history
    from laowu.workers import importer

    path = township_xlsx(tmp_path / "ok.xlsx", [person_row(i, WUSAN) for i in range(30)])
    job = check(station, path)
    assert job.status == ImportStatus.CHECKED
    calls = {"n": 0}
    real = history.bulk_write

    def dies_after_households(*args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 3:  # households are written; people are next
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "bulk_write", dies_after_households)
    with pytest.raises(RuntimeError):
        commit(station, job)
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    monkeypatch.setattr(importer, "bulk_write", real)
    job = commit(station, services.import_start(user=station, job=job))
    assert job.status == ImportStatus.COMMITTED and Person.objects.count() == 30


def test_national_monitoring_roster_imports_with_names_and_derived_status(station: Any, tmp_path: Path) -> None:
    header = ["县", "乡", "行政村", "自然村", "户编号", "人编号", "姓名", "证件号码", "人数", "与户主关系", "民族",
              "文化程度", "在校生状况", "健康状况", "劳动技能", "务工时间（月）", "户类型", "监测对象类型", "联系电话"]  # fmt: skip
    rows = [
        ["临泽县", "沙河镇", "五三村", "一组", "620723101201001", "1", "贾一", person_id(1), 3, "户主", "汉族",
         "初中", "非在校生", "健康", "普通劳动力", 8, "脱贫户", "", "13900000001"],
        ["临泽县", "沙河镇", "五三村", "一组", "620723101201001", "2", "贾二", person_id(2), 3, "之子", "汉族",
         "高中", "高中", "健康", "无劳动力", 0, "脱贫户", "", ""],
        ["临泽县", "沙河镇", "西头号村", "三组", "620723101202009", "1", "贾三", person_id(3), 1, "户主", "回族",
         "小学", "非在校生", "长期慢性病", "普通劳动力", 2, "一般农户", "边缘易致贫户", ""],
    ]  # fmt: skip
    job = commit(
        station, check(station, simple_xlsx(tmp_path / "fanpin.xlsx", header, rows), profile="national_monitoring")
    )
    assert job.status == ImportStatus.COMMITTED, issues(job)
    people = {p.name: p for p in Person.objects.select_related("household")}
    assert people["贾一"].region_id == WUSAN and people["贾一"].labor_status == LaborStatus.WORKING_AWAY
    assert people["贾二"].labor_status == LaborStatus.STUDENT and people["贾二"].relation_to_head == "20"
    assert people["贾三"].labor_status == LaborStatus.SURPLUS and people["贾三"].health == "3"
    assert people["贾一"].household_id == people["贾二"].household_id
    assert people["贾一"].household.head_id == people["贾一"].pk and people["贾一"].household.poverty_status == "lifted"
    assert people["贾三"].household.poverty_status == "monitored"


def test_csv_in_gbk_is_read(station: Any, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"姓名,身份证号,所在村组\n王一,{person_id(1)},{WUSAN}\n".encode("gb18030"))
    job = commit(station, check(station, path))
    assert job.status == ImportStatus.COMMITTED and Person.objects.get().name == "王一"


def test_rows_that_stop_early_get_blanks_beside_wider_rows_of_the_same_chunk(station: Any, tmp_path: Path) -> None:
    """CSV rows (like streamed Excel rows) leave out their trailing blank cells, and a row can
    run past the header (a stray cell): rows are padded to the widest seen so far, so a chunk
    whose first rows are shorter than a later one is cleaned column by column all the same (the
    short rows' missing cells are blanks)."""
    from laowu.workers import importer

    lines = ["姓名,身份证号,所在村组,联系电话,备注,文化程度"]
    lines += [f"王{i},{person_id(i)},{WUSAN}" for i in range(3)]  # stop before the phone
    lines += [f"李一,{person_id(3)},{WUSAN},13912345678,会开挖掘机,初中,（多余）"]  # past the header
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job = commit(station, check(station, path))
    assert job.status == ImportStatus.COMMITTED and job.created_count == 4, job.message
    people = {p.name: p for p in Person.objects.all()}
    assert people["李一"].phone == "13912345678" and people["李一"].notes == "会开挖掘机"
    assert people["李一"].education == "70"
    assert people["王0"].phone == "" and people["王0"].notes == "" and people["王0"].education == ""
    cols = importer._transpose([["a"], ["b", "c"], ["d", "e"]])
    assert cols == [("a", "b", "d"), ("", "c", "e")]


def test_a_village_officer_cannot_import(make_user: Any, villages: Any, tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    officer = make_user(role=Role.VILLAGE_OFFICER, region=WUSAN)
    with pytest.raises(PermissionDenied):
        submit(officer, simple_xlsx(tmp_path / "x.xlsx", ["姓名"], [["王一"]]))


def _person_indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'workers_person'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_a_fresh_registry_keeps_up_the_indexes_its_rows_arrive_in_order_of() -> None:
    """A fresh registry's import keeps up, row by row, the person indexes whose entries arrive in
    key order a few ranges at a time (village, household, labor status then village) and builds
    the randomly ordered ones at the end (``importer._kept_live``; bench/README.md has the times)."""
    from django.db import connection

    from laowu.workers import importer

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'workers_person' "
            "AND indexname NOT IN ('workers_person_pkey', 'person_id_number_unique')"
        )
        kept = {name for name, definition in cursor.fetchall() if importer._kept_live(definition)}
    assert kept == {
        "person_region_order",
        "person_status_region",
        "workers_person_region_pfx",
        "workers_person_household_id_fd7c2603",
    }


def _foreign_keys(*, incoming: bool = True) -> set[tuple[str, str, str]]:
    """The foreign keys of people and households, and (``incoming``) other tables' keys on them."""
    from django.db import connection

    tables = "('workers_person'::regclass, 'workers_household'::regclass)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE contype = 'f' AND (conrelid IN {tables} OR (%s AND confrelid IN {tables}))",
            [incoming],
        )
        return set(cursor.fetchall())


def _filenodes(*tables: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(t::regclass) FROM unnest(%s::text[]) AS t", [list(tables)])
        return [row[0] for row in cursor.fetchall()]


def test_bulk_mode_builds_the_dropped_indexes_again_and_a_failed_file_keeps_them(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from laowu.workers import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    before, keys = _person_indexes(), _foreign_keys()
    # person: region, household; household: region, head
    assert len(before) >= 8 and len(_foreign_keys(incoming=False)) == 4
    assert len(keys) > 4  # and those of certificates, stints, incomes... on them
    rows = [person_row(i, WUSAN) for i in range(40)]
    job = commit(station, check(station, township_xlsx(tmp_path / "bulk.xlsx", rows)))
    assert job.status == ImportStatus.COMMITTED and job.summary["extra"]["bulk_mode"] == 1
    assert _person_indexes() == before and _foreign_keys() == keys
    assert Person.objects.filter(name_initials__startswith="wm").exists()  # the data went in
    # The same file again writes nothing, as its check counted: no index is dropped for it.
    job = commit(station, check(station, township_xlsx(tmp_path / "again.xlsx", rows)))
    assert job.status == ImportStatus.COMMITTED and job.unchanged_count == 40
    assert job.summary["extra"]["bulk_mode"] == 0
    # A file whose commit fails half-way rolls its index drops back too.
    rows = [person_row(i, WUSAN) for i in range(40, 80)]
    job = check(station, township_xlsx(tmp_path / "bulk2.xlsx", rows))
    real = importer.bulk_write

    def dies(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("killed")

    monkeypatch.setattr(importer, "bulk_write", dies)
    with pytest.raises(RuntimeError):
        commit(station, job)
    monkeypatch.setattr(importer, "bulk_write", real)
    assert _person_indexes() == before and _foreign_keys() == keys and Person.objects.count() == 40


def test_bulk_mode_checks_the_foreign_keys_it_dropped(station: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """A row that would break a foreign key while bulk mode has them dropped fails the import when
    they are added again at its end (here a village code that no region has)."""
    from django.db import IntegrityError

    from laowu.workers import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    keys = _foreign_keys()
    rows = [person_row(i, WUSAN) for i in range(30)]
    job = check(station, township_xlsx(tmp_path / "fk.xlsx", rows))
    monkeypatch.setattr(importer.RegionResolver, "resolve", lambda self, raw: "530521999999")
    with pytest.raises(IntegrityError):
        commit(station, job)
    assert Person.objects.count() == 0 and _foreign_keys() == keys


def test_a_fresh_registry_checks_its_dropped_unique_id_number_index_again(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Into an empty registry the unique ID-number index is dropped and built again at the end:
    should the cleaning ever let a repeated number through, building it fails the import, and the
    rollback brings the index back."""
    from django.db import IntegrityError

    from laowu.workers import importer

    class Forgetful(dict):  # type: ignore[type-arg]
        def __setitem__(self, key: Any, value: Any) -> None:
            pass

        def setdefault(self, key: Any, default: Any = None) -> Any:
            return default

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    indexes = _person_indexes()
    rows = [person_row(i, WUSAN) for i in range(30)]
    rows.append(person_row(3, WUSAN, 序号=31, 户编号="H99999", 与户主关系="户主"))  # row 3's number again
    job = check(station, township_xlsx(tmp_path / "twice.xlsx", rows))
    assert job.status == ImportStatus.INVALID and "重复" in job.issues.get().message  # the check names it
    job = check(station, township_xlsx(tmp_path / "twice.xlsx", rows))
    job.status, job.created_count = ImportStatus.CHECKED, 31  # as if the check had passed
    job.save(update_fields=["status", "created_count"])
    real_init = importer.PersonWriter.__init__

    def forgetful_init(self: Any, context: Any) -> None:
        real_init(self, context)
        self.seen = Forgetful()

    monkeypatch.setattr(importer.PersonWriter, "__init__", forgetful_init)
    with pytest.raises(IntegrityError, match="could not create unique index"):
        commit(station, job)
    assert Person.objects.count() == 0 and _person_indexes() == indexes


def test_a_fresh_registry_numbers_its_households_while_reading_across_chunks(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Into an empty registry (bulk mode) the cleaning numbers new households itself; a household
    whose members fall in two chunks is one household, with its head, and the id sequence is set
    past the ids given, so households added afterwards do not collide."""
    from laowu.workers import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    monkeypatch.setattr(importer, "CHUNK", 7)  # households of 3 rows straddle chunks of 7
    rows = [person_row(i, WUSAN) for i in range(30)]
    job = commit(station, check(station, township_xlsx(tmp_path / "fresh.xlsx", rows)))
    assert job.status == ImportStatus.COMMITTED and job.summary["extra"]["bulk_mode"] == 1, job.message
    assert Household.objects.count() == 10 and job.summary["extra"]["households_created"] == 10
    for household in Household.objects.all():
        members = list(household.members.order_by("id_number_masked").values_list("relation_to_head", flat=True))
        assert len(members) == 3 and household.head is not None and household.head.household_id == household.pk
    later = Household.objects.create(region_id=XITOU, number="NEW-1", poverty_status="general")
    assert later.pk > max(Household.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def _registry_snapshot() -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]], dict[str, list[str]]]:
    """People by blind index (every tracked field but ids and times, the household by number),
    households by number (status, the head's blind index), and each person's event labels."""
    from laowu.workers.models import PersonEvent  # type: ignore[attr-defined]

    skip = {"id", "household", "created_at", "updated_at", "id_number_enc"}
    fields = [f.name for f in Person._meta.concrete_fields if f.name not in skip]
    people = {
        p.id_number_hash: (*(getattr(p, f) for f in fields), p.household.number if p.household else None)
        for p in Person.objects.select_related("household")
    }
    households = {
        h.number: (h.region_id, h.poverty_status, h.head.id_number_hash if h.head else None)
        for h in Household.objects.select_related("head")
    }
    events: dict[str, list[str]] = {}
    for event in PersonEvent.objects.order_by("pgh_id"):
        events.setdefault(event.id_number_hash, []).append(event.pgh_label)
    return people, households, events


def test_a_fresh_registry_copied_straight_into_its_tables_equals_the_row_by_row_import(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Into an empty registry the rows are copied into the person and household tables themselves
    (``_fresh_job``), not staged: the same file must give the same people, households and history
    as the staged import — blanks take the field's default (the surplus ledger's own status too),
    a household whose head and poverty status come in a later chunk than its first member gets
    them there (with an update event, as the staged import gives), and ids given by the import do
    not collide with people added afterwards."""
    from django.db import connection

    from laowu.workers import importer
    from laowu.workers.models import HouseholdEvent  # type: ignore[attr-defined]

    monkeypatch.setattr(importer, "CHUNK", 7)
    rows = []
    for i in range(30):
        # The head is each household's last row and only it gives the poverty status; blanks elsewhere.
        overrides: dict[str, Any] = {"与户主关系": "户主" if i % 3 == 2 else "子"}
        if i % 3 != 2:
            overrides["贫困状态"] = ""
        if i % 4 == 0:
            overrides.update({"民族": "", "文化程度": "", "劳动力状态": "", "有外出意愿": "", "意向务工地": ""})
        rows.append(person_row(i, WUSAN, **overrides))
    path = township_xlsx(tmp_path / "fresh.xlsx", rows)
    results = []
    for bulk_min in (10, 10**9):  # bulk mode into the empty registry, then the staged import
        monkeypatch.setattr(importer, "BULK_MIN_ROWS", bulk_min)
        job = commit(station, check(station, path, ledger="surplus"))
        assert job.status == ImportStatus.COMMITTED and job.created_count == 30, job.message
        assert job.summary["extra"]["bulk_mode"] == int(bulk_min == 10)
        results.append((_registry_snapshot(), HouseholdEvent.objects.count()))
        if bulk_min == 10:
            blank = Person.objects.get(id_number_hash=crypto.blind_index(person_id(0)))
            assert (blank.labor_status, blank.ethnicity, blank.education) == (LaborStatus.SURPLUS, "01", "")
            assert blank.preferred_destinations == [] and blank.wants_to_go_out is False
            # The times and counters the COPY left to the tables' defaults for its transaction
            # (``_fresh_defaults``): every row has them, and the tables have their own defaults back.
            assert (blank.version, blank.stint_count, blank.early_return_count) == (1, 0, 0)
            stamps = set(Person.objects.values_list("created_at", "updated_at"))
            stamps |= set(Household.objects.values_list("created_at", "updated_at"))
            assert len(stamps) == 1 and len(set(next(iter(stamps)))) == 1
            assert abs((next(iter(stamps))[0] - timezone.now()).total_seconds()) < 600
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT table_name, column_name FROM information_schema.columns WHERE column_default "
                    "IS NOT NULL AND table_name IN ('workers_person', 'workers_household') "
                    "AND column_name <> 'id'"
                )
                assert cursor.fetchall() == []
            first = Household.objects.get(number="H00000")
            assert first.poverty_status == "lifted" and first.head is not None
            assert first.head.id_number_hash == crypto.blind_index(person_id(2))
            later = Person(name="后来", region_id=XITOU, birth_date="1990-01-01", sex="1")
            later.set_id_number(person_id(99))
            later.save()
            assert later.pk > max(Person.objects.exclude(pk=later.pk).values_list("pk", flat=True))
            later.delete()
        with connection.cursor() as cursor:  # the deferred head check first, then an empty registry again
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "TRUNCATE workers_person, workers_household, workers_personevent, workers_householdevent CASCADE"
            )
    (fresh, fresh_household_events), (staged, staged_household_events) = results
    assert fresh == staged
    people, households, events = fresh
    assert len(people) == 30 and len(households) == 10
    assert all(labels == ["insert"] for labels in events.values())
    assert fresh_household_events == staged_household_events > 10  # inserts, then the late heads


def test_a_fresh_registry_is_written_into_new_files_and_keeps_the_history_it_had(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Into an empty registry the tables are emptied again by TRUNCATE, so their rows go into
    files created in the import's transaction (unlogged at ``wal_level = minimal``,
    docs/decisions/0068-minimal-wal.md): the person and household tables get new files, the
    history tables too while they are empty, but not once they hold events (someone registered
    and deleted): those events stay. Other tables' keys on people and households come back, also
    after a commit that fails."""
    from django.db import IntegrityError

    from laowu.core.history import event_table
    from laowu.workers import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    tables = ("workers_person", "workers_household", event_table(Person), event_table(Household))
    keys = _foreign_keys()
    before = _filenodes(*tables)
    rows = [person_row(i, WUSAN) for i in range(30)]
    job = commit(station, check(station, township_xlsx(tmp_path / "fresh.xlsx", rows)))
    assert job.status == ImportStatus.COMMITTED and job.created_count == 30, job.message
    after = _filenodes(*tables)
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert _foreign_keys() == keys

    # Registered and deleted: the registry is empty again, the history is not.
    events = Person.pgh_event_model.objects.count()  # type: ignore[attr-defined]
    Person.objects.update(household=None)
    Household.objects.all().delete()
    Person.objects.all().delete()
    assert events > 0 and Person.pgh_event_model.objects.count() >= events  # type: ignore[attr-defined]
    kept = Person.pgh_event_model.objects.count()  # type: ignore[attr-defined]
    before = _filenodes(*tables)
    job = commit(station, check(station, township_xlsx(tmp_path / "again.xlsx", rows)))
    assert job.status == ImportStatus.COMMITTED and job.created_count == 30, job.message
    after = _filenodes(*tables)
    assert after[0] != before[0] and after[1] != before[1] and after[2] == before[2]
    assert Person.pgh_event_model.objects.count() == kept + 30  # type: ignore[attr-defined]
    assert _foreign_keys() == keys

    # A commit that fails after the TRUNCATE brings everything back.
    Person.objects.update(household=None)
    Household.objects.all().delete()
    Person.objects.all().delete()
    kept = Person.pgh_event_model.objects.count()  # type: ignore[attr-defined]
    job = check(station, township_xlsx(tmp_path / "third.xlsx", rows))
    monkeypatch.setattr(importer.RegionResolver, "resolve", lambda self, raw: "530521999999")
    with pytest.raises(IntegrityError):
        commit(station, job)
    assert Person.objects.count() == 0 and _foreign_keys() == keys
    assert Person.pgh_event_model.objects.count() == kept  # type: ignore[attr-defined]


def test_bulk_mode_keeps_the_foreign_keys_when_most_writes_are_updates(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A re-import that mostly updates people keeps the foreign keys (an update is checked only
    where its key changed); one that mostly adds people drops them and checks them at the end."""
    from laowu.workers import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    keys = _foreign_keys()
    rows = [person_row(i, WUSAN) for i in range(30)]
    job = commit(station, check(station, township_xlsx(tmp_path / "first.xlsx", rows)))
    # Into the empty registry: every key on the tables goes (they are emptied by TRUNCATE).
    assert job.summary["extra"]["bulk_mode"] == 1 and job.summary["extra"]["foreign_keys_dropped"] == len(keys)
    changed = [person_row(i, WUSAN, 联系电话=f"137{i:08d}") for i in range(30)]
    job = commit(station, check(station, township_xlsx(tmp_path / "changed.xlsx", changed)))
    assert job.status == ImportStatus.COMMITTED and job.updated_count == 30, job.message
    assert job.summary["extra"]["bulk_mode"] == 1 and job.summary["extra"]["foreign_keys_dropped"] == 0
    assert _foreign_keys() == keys and Person.objects.filter(phone__startswith="137").count() == 30


def _person_updates_in_transaction() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relid = 'workers_person'::regclass"
        )
        return cursor.fetchone()


def test_a_re_import_rebuilds_only_the_indexes_over_the_columns_it_changes(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The check counts, per column, the people a file would change; the commit's bulk mode then
    drops and builds again only the indexes over those columns, and every update leaves the kept
    indexes alone (HOT: the person table's pages have room for a second version of each row)."""
    from laowu.workers import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    indexes = _person_indexes()
    rows = [person_row(i, WUSAN) for i in range(30)]
    job = commit(station, check(station, township_xlsx(tmp_path / "first.xlsx", rows)))
    # Into the empty registry: all but the primary key and the four led by village, household or
    # status (``importer._kept_live``).
    assert job.status == ImportStatus.COMMITTED and job.summary["extra"]["indexes_rebuilt"] == len(indexes) - 5
    # Every phone changed: the check names the column, the commit rebuilds the phone index alone.
    changed = [person_row(i, WUSAN, 联系电话=f"137{i:08d}") for i in range(30)]
    job = check(station, township_xlsx(tmp_path / "phones.xlsx", changed))
    assert {k: v for k, v in job.summary["extra"].items() if k.startswith("changed")} == {
        "changed:phone": 30,
        "changed_columns_counted": 1,
    }
    updates, hot = _person_updates_in_transaction()
    job = commit(station, job)
    assert job.status == ImportStatus.COMMITTED and job.updated_count == 30, job.message
    assert job.summary["extra"]["bulk_mode"] == 1 and job.summary["extra"]["indexes_rebuilt"] == 1
    assert _person_updates_in_transaction() == (updates + 30, hot + 30)  # all HOT
    assert _person_indexes() == indexes
    assert sorted(Person.objects.filter(phone__startswith="137").values_list("phone", flat=True)) == [
        f"137{i:08d}" for i in range(30)
    ]
    # The labor status of twenty people: the indexes over it (by status; matching's partial index).
    changed = [
        person_row(i, WUSAN, 联系电话=f"137{i:08d}", 劳动力状态="外出务工" if i < 20 else "富余劳动力")
        for i in range(30)
    ]
    job = check(station, township_xlsx(tmp_path / "status.xlsx", changed))
    assert {k: v for k, v in job.summary["extra"].items() if k.startswith("changed:")} == {"changed:labor_status": 20}
    job = commit(station, job)
    assert job.status == ImportStatus.COMMITTED and job.updated_count == 20, job.message
    assert job.summary["extra"]["indexes_rebuilt"] == 2 and _person_indexes() == indexes
    assert Person.objects.filter(labor_status=LaborStatus.WORKING_AWAY).count() == 20
    # Without the check's figures (an older job), every secondary index is dropped as before.
    job = check(station, township_xlsx(tmp_path / "phones2.xlsx", rows))
    job.summary["extra"] = {}
    job.save(update_fields=["summary"])
    job = commit(station, job)
    assert job.status == ImportStatus.COMMITTED and job.updated_count == 30, job.message
    assert job.summary["extra"]["indexes_rebuilt"] == len(indexes) - 2 and _person_indexes() == indexes


def test_the_cyclic_gc_is_off_while_a_file_is_read_and_on_again_after_even_a_crash(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import gc

    from laowu.workers import importer

    monkeypatch.setattr(importer, "SPLIT", False)  # ``seen`` is this process's (split: test below)
    seen: list[bool] = []
    real_feed = importer.PersonWriter.feed

    def feed(self: Any, row_no: int, cells: list[Any]) -> None:
        seen.append(gc.isenabled())
        real_feed(self, row_no, cells)

    monkeypatch.setattr(importer.PersonWriter, "feed", feed)
    job = check(station, township_xlsx(tmp_path / "gc.xlsx", [person_row(i, WUSAN) for i in range(5)]))
    assert job.status == ImportStatus.CHECKED and seen == [False] * 5 and gc.isenabled()

    def dies(self: Any, row_no: int, cells: list[Any]) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(importer.PersonWriter, "feed", dies)
    with pytest.raises(RuntimeError):
        check(station, township_xlsx(tmp_path / "gc2.xlsx", [person_row(i, WUSAN) for i in range(5)]))
    assert gc.isenabled()


def test_a_file_read_in_a_child_process_gives_what_reading_it_here_gives(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The split (imports/split.py) and the in-process path find the same errors, worded the same
    (also those the child leaves to this process: a village outside the subtree, an unknown name),
    and write the same people and households."""
    from laowu.workers import importer

    rows = [person_row(i, WUSAN) for i in range(12)]
    rows[1][2] = rows[0][2]  # duplicate ID
    rows[3][3] = MANGANG  # a village code outside the subtree: worded with the database
    rows[4][3] = "没有这个村"  # a village name nobody has: worded with the database
    rows[5][8] = "博士后"
    bad = township_xlsx(tmp_path / "bad.xlsx", rows)
    good = township_xlsx(tmp_path / "good.xlsx", [person_row(i, WUSAN) for i in range(12)])
    found = {}
    for split in (True, False):
        monkeypatch.setattr(importer, "SPLIT", split)
        job = check(station, bad)
        assert job.status == ImportStatus.INVALID
        found[split] = issues(job)
        assert ("timings" in job.summary) and (("reader_peak_mb" in job.summary["timings"]) == split)
    assert found[True] == found[False] and len(found[True]) == 4
    messages = " ".join(m for _, _, m in found[True])
    assert "不在您的管辖范围内" in messages and "找不到村（社区）或组「没有这个村」" in messages
    assert importer.DEFERRED not in messages
    written = {}
    for split in (True, False):
        monkeypatch.setattr(importer, "SPLIT", split)
        Person.objects.all().delete()
        Household.objects.all().delete()
        job = commit(station, check(station, good))
        assert job.status == ImportStatus.COMMITTED and job.created_count == 12, issues(job)
        written[split] = sorted(
            Person.objects.values_list(
                "id_number_hash", "name", "household__number", "household__head__name", "relation_to_head", "phone"
            )
        )
        assert Household.objects.count() == 4
    assert written[True] == written[False] and len(written[True]) == 12


@pytest.mark.parametrize("how", ["error", "killed"])
def test_a_reading_process_that_fails_or_is_killed_leaves_nothing_and_the_import_runs_again(
    station: Any, tmp_path: Path, monkeypatch: Any, how: str
) -> None:
    """The child dies half-way through the file (an error, or SIGKILL): the import fails, nothing
    is written, this process's database session is intact (the child never closed it) and the
    same job then runs to the end."""
    import os
    import signal

    from django.db import connection

    from laowu.imports import split
    from laowu.workers import importer

    monkeypatch.setattr(importer, "BULK_MIN_ROWS", 10)
    monkeypatch.setattr(importer, "CHUNK", 7)  # chunks reach the database before the child dies
    path = township_xlsx(tmp_path / "ok.xlsx", [person_row(i, WUSAN) for i in range(40)])
    job = check(station, path)
    assert job.status == ImportStatus.CHECKED
    real_feed = importer.PersonWriter.feed
    parent = os.getpid()

    def dies(self: Any, row_no: int, cells: list[Any]) -> None:
        if self.rows >= 21 and os.getpid() != parent:
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise ValueError("broken reader")
        real_feed(self, row_no, cells)

    monkeypatch.setattr(importer.PersonWriter, "feed", dies)
    with pytest.raises(ValueError if how == "error" else split.ChildFailed):
        commit(station, job)
    with connection.cursor() as cursor:  # the session lives on
        cursor.execute("SELECT count(*) FROM workers_person")
        assert cursor.fetchone()[0] == 0
    assert Household.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    monkeypatch.setattr(importer.PersonWriter, "feed", real_feed)
    job = commit(station, services.import_start(user=station, job=job))
    assert job.status == ImportStatus.COMMITTED and Person.objects.count() == 40


def test_a_failing_read_stops_the_database_thread_before_the_rollback(
    station: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """In-process reading that raises half-way: the writer's database thread is stopped first,
    so the rollback on the shared connection works and the session is usable again."""
    from django.db import connection

    from laowu.workers import importer

    monkeypatch.setattr(importer, "SPLIT", False)
    monkeypatch.setattr(importer, "CHUNK", 7)
    real_feed = importer.PersonWriter.feed

    def dies(self: Any, row_no: int, cells: list[Any]) -> None:
        if self.rows >= 14:
            raise ValueError("broken reader")
        real_feed(self, row_no, cells)

    monkeypatch.setattr(importer.PersonWriter, "feed", dies)
    with pytest.raises(ValueError):
        check(station, township_xlsx(tmp_path / "ok.xlsx", [person_row(i, WUSAN) for i in range(30)]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    assert not [t for t in __import__("threading").enumerate() if t.name == "laowu-import-db"]
