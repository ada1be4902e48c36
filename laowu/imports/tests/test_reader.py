"""The streamed .xlsx reader gives what the loading reader gives, falls back to it where it
cannot stream, and names the row where a broken file breaks off."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from laowu.accounts.roles import Role
from laowu.imports import reader
from laowu.imports.headers import detect
from laowu.imports.models import ImportStatus
from laowu.imports.profiles import get_profile
from laowu.imports.reader import ReadError, normalise, open_table
from laowu.imports.tests.files import person_row, township_xlsx
from laowu.imports.tests.test_person_import import WUSAN, check, issues
from laowu.workers.models import Person


@pytest.fixture
def station(make_user: Any, villages: dict[str, str]) -> Any:
    return make_user(role=Role.TOWNSHIP_STATION, region="620723101")


def _rows(table: reader.Table) -> list[list[str]]:
    return [[normalise(c) for c in row] for row in table.raw_rows()]


def _rewrite_sheet(path: Path, change: Any) -> None:
    """Rewrite the first worksheet's XML of an .xlsx in place."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(n for n in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    members[name] = change(members[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def test_a_streamed_sheet_gives_the_loading_readers_rows_and_header(tmp_path: Path, monkeypatch: Any) -> None:
    rows = [person_row(i, WUSAN) for i in range(40)]
    rows[5][-1] = ""  # a row whose last cells are blank is as wide as the others
    path = township_xlsx(tmp_path / "ledger.xlsx", rows, blank_rows_at=(7,))
    streamed = open_table(path)
    assert streamed.merged is None  # streamed: merged cells are not known
    streamed_rows = _rows(streamed)
    monkeypatch.setattr(reader, "_stream_xlsx", lambda path: None)
    loaded = open_table(path)
    assert loaded.merged  # the loading reader knows them
    loaded_rows = _rows(loaded)
    assert streamed_rows == loaded_rows
    assert streamed.height == loaded.height == len(loaded_rows)
    profile = get_profile("laowu_person")
    guessed = detect(streamed_rows[:16], profile, None)
    known = detect(loaded_rows[:16], profile, loaded.merged)
    assert guessed == known and not guessed.missing
    assert "preferred_destinations" in guessed.columns.values()  # a column under a group header


def test_a_sheet_that_declares_no_size_is_streamed_with_its_size_counted_or_estimated(tmp_path: Path) -> None:
    small = township_xlsx(tmp_path / "small.xlsx", [person_row(i, WUSAN) for i in range(5)])
    _rewrite_sheet(small, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    table = open_table(small)
    assert table.merged is None and table.height == len(_rows(table))  # counted: all of it was read
    big = township_xlsx(tmp_path / "big.xlsx", [person_row(i, WUSAN) for i in range(5000)])
    _rewrite_sheet(big, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    table = open_table(big)
    rows = len(_rows(table))
    assert table.merged is None and abs(table.height - rows) < rows * 0.05  # estimated from the size


def test_a_file_that_breaks_off_names_the_row_and_imports_nothing(station: Any, tmp_path: Path) -> None:
    path = township_xlsx(tmp_path / "broken.xlsx", [person_row(i, WUSAN) for i in range(60)])

    def break_off(xml: bytes) -> bytes:
        cut = xml.index(b'<row r="40"')
        return xml[:cut] + b'<row r="40"><c r="A40" t="s"><v>1'  # the file ends inside a cell

    _rewrite_sheet(path, break_off)
    with pytest.raises(ReadError, match="读取到第"):
        _rows(open_table(path))
    job = check(station, path)
    assert job.status == ImportStatus.INVALID
    assert any(column == "文件" and "读取到第" in message for _, column, message in issues(job))
    assert Person.objects.count() == 0
