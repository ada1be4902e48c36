"""Import profiles: which spreadsheet column is which field, as data (``profiles/*.json``).

A profile is a column map plus optional value maps and derivation rules, so the next county
system's export is a new JSON file, not new code. Keys of a profile:

- ``key``, ``label``, ``target`` (``person``, ``stint``), ``description``;
- ``columns``: ``[{"field", "header", "aliases", "required", "group", "width", "note"}]`` — the
  header a template writes, the other spellings files use, and the two-row header's group;
- ``region``: ``{"by": "code_or_name"}`` (one column of codes or village names) or
  ``{"by": "names", "fields": [county, township, village]}`` (names resolved in the tree);
- ``value_maps``: ``{field: {text in file: value}}`` applied before the field's own rules;
- ``derive``: ``{field: [rule, ...]}``, the first rule that gives a value wins; a rule reads
  one source column: ``{"from", "map": {...}}``, ``{"from", "nonempty": value}``,
  ``{"from", "at_least": number, "value": value}``.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
_PAREN_NOTE = re.compile(r"[(（][^)）]*[)）]$")
_DROP = str.maketrans({" ": "", "\u3000": "", "\n": "", "\r": "", "\t": "", "*": "", "＊": "", "：": "", ":": ""})
_PARENS = str.maketrans({"（": "(", "）": ")"})


def header_key(text: str) -> str:
    """A header cell as compared with aliases: no spaces, stars or colons, ASCII parentheses."""
    return str(text or "").translate(_DROP).translate(_PARENS).lower()


def header_keys(text: str) -> tuple[str, ...]:
    """The header as written and without a trailing note in parentheses (身份证号(18位))."""
    key = header_key(text)
    bare = _PAREN_NOTE.sub("", key.replace("(", "（").replace(")", "）")).translate(_PARENS)
    return (key, bare) if bare and bare != key else (key,)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    group: str = ""
    width: int = 12
    note: str = ""

    @property
    def keys(self) -> set[str]:
        return {header_key(self.header), *(header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class Profile:
    key: str
    label: str
    target: str
    columns: tuple[Column, ...]
    description: str = ""
    region: dict[str, Any] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    derive: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def by_key(self) -> dict[str, str]:
        """Header key → field, over every header and alias."""
        mapping: dict[str, str] = {}
        for column in self.columns:
            for key in column.keys:
                mapping.setdefault(key, column.field)
        return mapping

    def column(self, field_key: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_key), None)

    def label_of(self, field_key: str) -> str:
        column = self.column(field_key)
        return column.header if column else field_key


def _load(path: Path) -> Profile:
    data = json.loads(path.read_text(encoding="utf-8"))
    columns = tuple(
        Column(
            field=c["field"],
            header=c["header"],
            aliases=tuple(c.get("aliases", ())),
            required=bool(c.get("required", False)),
            group=c.get("group", ""),
            width=int(c.get("width", 12)),
            note=c.get("note", ""),
        )
        for c in data["columns"]
    )
    return Profile(
        key=data["key"],
        label=data["label"],
        target=data["target"],
        columns=columns,
        description=data.get("description", ""),
        region=data.get("region", {"by": "code_or_name"}),
        value_maps=data.get("value_maps", {}),
        derive=data.get("derive", {}),
    )


@functools.cache
def profiles() -> dict[str, Profile]:
    """Every profile on disk, by key."""
    found = {}
    for path in sorted(PROFILE_DIR.glob("*.json")):
        profile = _load(path)
        found[profile.key] = profile
    return found


def profiles_for(target: str) -> list[Profile]:
    return [p for p in profiles().values() if p.target == target]


def get_profile(key: str) -> Profile:
    try:
        return profiles()[key]
    except KeyError:
        raise LookupError(f"未知的导入格式：{key}") from None
