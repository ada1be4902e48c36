"""The ledger layout is read back by the import's header detection, also when an export is
written row by row (constant memory, where a cell merged down two rows cannot be written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from laowu.core.xlsx import LedgerBook, SheetColumn
from laowu.imports.headers import detect
from laowu.imports.profiles import get_profile
from laowu.imports.reader import open_table


@pytest.mark.parametrize("constant_memory", [False, True])
def test_every_header_of_a_grouped_ledger_is_found_again(tmp_path: Path, constant_memory: bool) -> None:
    profile = get_profile("laowu_person")
    columns = [SheetColumn(c.header, group=c.group) for c in profile.columns]
    path = tmp_path / "ledger.xlsx"
    book = LedgerBook(str(path), constant_memory=constant_memory)
    book.ledger_sheet("台帐", "农村劳动力资源台帐", columns)
    book.write_row(["王一"])
    book.close()
    table = open_table(path)
    header = detect(list(table.rows()), profile, table.merged)
    assert sorted(header.columns.values()) == sorted(c.field for c in profile.columns)
    assert header.data_start == 3
