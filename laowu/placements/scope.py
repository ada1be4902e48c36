"""Destination scope (输出范围) from region codes: the one function, never by place names.

Region codes nest by prefix: province 2 digits, city 4, county 6, township 9 (GB/T 2260 and the
statistical division code). Comparing the home (village) code with the destination code at these
lengths gives 省外 / 市外省内 / 县外市内 / 乡外县内 / 乡内.
"""

from __future__ import annotations

from laowu.placements.choices import DestinationScope

# (prefix length, scope when the codes differ at that length, name of the level for messages)
_LEVELS = (
    (2, DestinationScope.OUT_OF_PROVINCE, "省"),
    (4, DestinationScope.OUT_OF_CITY, "市"),
    (6, DestinationScope.OUT_OF_COUNTY, "县"),
    (9, DestinationScope.OUT_OF_TOWNSHIP, "乡镇"),
)


class ScopeError(ValueError):
    """The Chinese message says which code is too short to decide."""


def destination_scope(home_code: str, destination_code: str) -> DestinationScope:
    """Scope of a destination seen from a home region (village or finer).

    The destination needs only as many digits as it takes to differ from home: "44" (Guangdong)
    is enough for a Gansu village; a destination in the home county needs the township (9 digits).
    """
    home, dest = (home_code or "").strip(), (destination_code or "").strip()
    if not home.isdigit() or len(home) < 9:
        raise ScopeError(f"户籍所在地代码「{home}」应精确到乡镇（至少 9 位）")
    if not dest.isdigit() or len(dest) < 2:
        raise ScopeError(f"务工地代码「{dest}」不是有效的区划代码")
    same = ""
    for length, scope, level in _LEVELS:
        if len(dest) < length:
            raise ScopeError(f"务工地代码「{dest}」与户籍地同{same}，需精确到{level}才能判断输出范围")
        if home[:length] != dest[:length]:
            return scope
        same = level
    return DestinationScope.IN_TOWNSHIP
