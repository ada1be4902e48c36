"""Finding the header in a township spreadsheet and mapping its columns to fields.

Real files open with a title row ("XX镇农村劳动力资源台帐"), maybe a unit/date line, then a
header of one or two rows: a two-row header has group cells merged across several columns
("外出意向") above their sub-headers ("意向务工地"), and single headers merged down both rows.
The header is the row (or pair of rows) among the first ``SCAN_ROWS`` whose cells match the most
known column names of the profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from laowu.imports.profiles import Profile, header_keys

SCAN_ROWS = 15
IGNORED_HEADERS = {"序号", "编号", "no", "no.", "序", "行号"}


@dataclass
class HeaderMap:
    columns: dict[int, str]  # column index -> field
    data_start: int  # 0-based index of the first data row
    header_rows: tuple[int, ...]  # 0-based indexes of the header row(s)
    headers: dict[int, str] = field(default_factory=dict)  # column index -> header text as read
    ignored: list[str] = field(default_factory=list)  # headers that map to no field
    duplicates: list[str] = field(default_factory=list)  # a second column for a field already mapped
    missing: list[str] = field(default_factory=list)  # labels of required columns not found


def _filled(row: list[str], width: int, merged_spans: list[tuple[int, int]]) -> list[str]:
    """A header row with each merged cell's text spread over its columns."""
    cells = list(row) + [""] * (width - len(row))
    for first, last in merged_spans:
        if first < len(cells) and cells[first]:
            for col in range(first + 1, min(last + 1, width)):
                if not cells[col]:
                    cells[col] = cells[first]
    return cells


def _match(text: str, lookup: dict[str, str]) -> str | None:
    for key in header_keys(text):
        if key in lookup:
            return lookup[key]
    return None


def _candidates(upper: str, lower: str) -> list[str]:
    """What a column's header may be in a two-row header, best first."""
    out = []
    if lower:
        out += [lower, upper + lower]
    if upper:
        out.append(upper)
    return out


def _guessed_spans(head: list[list[str]], width: int) -> dict[int, list[tuple[int, int]]]:
    """Merged group cells where the reader cannot say (a streamed sheet): a filled cell whose
    row below has sub-headers under it and under the empty cells to its right spans those cells."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for index in range(min(SCAN_ROWS, len(head) - 1)):
        upper = list(head[index]) + [""] * (width - len(head[index]))
        lower = list(head[index + 1]) + [""] * (width - len(head[index + 1]))
        col = 0
        while col < width:
            end = col
            if upper[col] and lower[col]:
                while end + 1 < width and not upper[end + 1] and lower[end + 1]:
                    end += 1
            if end > col:
                spans.setdefault(index, []).append((col, end))
            col = end + 1
    return spans


def detect(head: list[list[str]], profile: Profile, merged: tuple | None = ()) -> HeaderMap:
    """The best header among the first rows of ``head``; ``missing`` lists required columns not
    found. ``merged`` is the sheet's merged ranges, or None if the reader does not know them."""
    lookup = profile.by_key()
    width = max((len(r) for r in head), default=0)
    spans: dict[int, list[tuple[int, int]]] = {}
    if merged is None:
        spans = _guessed_spans(head, width)
    for (r1, c1), (r2, c2) in merged or ():
        if c2 > c1:
            for r in range(r1, r2 + 1):
                spans.setdefault(r, []).append((c1, c2))
    best: tuple[int, dict[int, str], dict[int, str], tuple[int, ...]] = (0, {}, {}, ())
    for index in range(min(SCAN_ROWS, len(head))):
        upper = _filled(head[index], width, spans.get(index, []))
        options: list[tuple[tuple[int, ...], list[list[str]]]] = [((index,), [[u] for u in upper])]
        if index + 1 < len(head):
            lower = _filled(head[index + 1], width, spans.get(index + 1, []))
            options.append(((index, index + 1), [_candidates(u, lo) for u, lo in zip(upper, lower, strict=True)]))
        for rows, per_column in options:
            mapped: dict[int, str] = {}
            texts: dict[int, str] = {}
            for col, candidates in enumerate(per_column):
                for text in candidates:
                    found = _match(text, lookup)
                    if found:
                        mapped[col] = found
                        texts[col] = text
                        break
                else:
                    if candidates:
                        texts[col] = candidates[0]
            score = len(set(mapped.values()))
            if score > best[0] or (score == best[0] and score and len(rows) < len(best[3])):
                best = (score, mapped, texts, rows)
    score, mapped, texts, rows = best
    if not rows:
        required = [c.header for c in profile.columns if c.required]
        return HeaderMap({}, 0, (), missing=required or ["表头"])
    columns: dict[int, str] = {}
    duplicates: list[str] = []
    for col in sorted(mapped):
        if mapped[col] in columns.values():
            duplicates.append(texts[col])
        else:
            columns[col] = mapped[col]
    ignored = [
        texts[col]
        for col in sorted(texts)
        if col not in mapped and texts[col] and header_keys(texts[col])[0] not in IGNORED_HEADERS
    ]
    missing = [c.header for c in profile.columns if c.required and c.field not in columns.values()]
    return HeaderMap(
        columns=columns,
        data_start=rows[-1] + 1,
        header_rows=rows,
        headers={col: texts[col] for col in columns},
        ignored=ignored,
        duplicates=duplicates,
        missing=missing,
    )
