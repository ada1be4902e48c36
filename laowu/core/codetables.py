"""Code tables as data (laowu/core/codetables/*.csv): one place, looked up, never repeated.

``code_table("education")`` gives a ``CodeTable`` with ``choices`` for model fields, ``name(code)``
for display and ``lookup(text)`` that reads a code, a name or an alias (as township files write
them) and returns the code or None.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "codetables"


@dataclass(frozen=True)
class CodeTable:
    key: str
    names: dict[str, str]
    by_text: dict[str, str]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return list(self.names.items())

    def name(self, code: str | None) -> str:
        return self.names.get(code or "", "")

    def lookup(self, text: str | None) -> str | None:
        if text is None:
            return None
        text = str(text).strip()
        if not text:
            return None
        if text in self.names:
            return text
        if text.isdigit() and text.zfill(2) in self.names:
            return text.zfill(2)
        return self.by_text.get(text)


@functools.cache
def code_table(key: str) -> CodeTable:
    names: dict[str, str] = {}
    by_text: dict[str, str] = {}
    with open(DATA_DIR / f"{key}.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].strip()
            names[code] = row["name"].strip()
            by_text[row["name"].strip()] = code
            for alias in (row.get("aliases") or "").split("|"):
                if alias.strip():
                    by_text.setdefault(alias.strip(), code)
    return CodeTable(key, names, by_text)


def choices(key: str) -> list[tuple[str, str]]:
    return code_table(key).choices
