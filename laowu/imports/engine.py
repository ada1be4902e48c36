"""The import engine: read a file, find its header, feed every row to a target's writer, and
either roll everything back (dry run, or any error) or commit it, in one transaction.

A target (``TARGETS``) is a capability's half of an import: ``laowu/workers/importer.py`` turns
rows into people and households, ``laowu/placements/importer.py`` into stints. A writer
validates each row as it arrives, streams the clean values into a temporary table with COPY,
then checks the rows against each other and the database, and writes them set-based with the
same history events the row triggers would have made (``laowu/core/history.py``).

All or nothing: the writes and the job's final state commit together. A process killed half-way
leaves its transaction to be rolled back by PostgreSQL: no partial rows, and the job can run again.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, transaction

from laowu.imports import split
from laowu.imports.headers import SCAN_ROWS, HeaderMap, detect
from laowu.imports.profiles import Profile, get_profile
from laowu.imports.reader import ReadError, Table, normalise, open_table

# target key -> "module:Class"; a target class has ``key``, ``label``, ``capability``,
# ``writer(context)`` and ``template(...)``.
TARGETS = {
    "person": "laowu.workers.importer:PersonTarget",
    "stint": "laowu.placements.importer:StintTarget",
}
ISSUE_CAP = 5000  # issues kept (all are counted)
PROGRESS_EVERY = 5000  # rows between progress reports
# Rows taken from the reader at a time. A batch of rows that are all data (each with more than two
# filled cells, so neither blank nor a footer) goes to a writer's ``feed_many`` at once: row by row,
# the checks and calls cost 1.6 s a million rows (1,000,000-row benchmark ledger), more than a
# tenth of the whole reading.
BATCH = 10_000
_FOOTER_WORDS = (
    "填表",
    "制表",
    "审核",
    "负责人",
    "合计",
    "总计",
    "说明",
    "注：",
    "注:",
    "备注：",
    "单位负责人",
    "联系电话：",
)

Progress = Callable[[int, int, str], None]


@dataclass
class Issue:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"第 {self.row} 行「{self.column}」：{self.message}" if self.row else f"「{self.column}」：{self.message}"
        )


@dataclass
class Issues:
    items: list[Issue] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < ISSUE_CAP:
            self.items.append(Issue(row, column, message))

    def __bool__(self) -> bool:
        return self.count > 0

    def merge(self, other: Issues) -> None:
        """Another list's issues into this one, in row order (the cap kept)."""
        self.items = sorted(self.items + other.items, key=lambda issue: issue.row)[:ISSUE_CAP]
        self.count += other.count


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    extra: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportContext:
    user: Any
    profile: Profile
    options: dict[str, Any]
    dry_run: bool
    header: HeaderMap
    issues: Issues = field(default_factory=Issues)
    # Rows skipped as footers ("填表人：..."), reported in the summary.
    footers: list[int] = field(default_factory=list)
    # Data rows in the file (an upper bound: blank rows count), for writers that plan by size.
    total_rows: int = 0


class Writer(Protocol):
    def start(self, cursor: Any) -> None: ...
    def feed(self, row_no: int, cells: list[str]) -> None: ...
    # Optional: ``feed_many(first_row_no, rows)``, rows numbered on from ``first_row_no``, none
    # of them blank or a footer (``run_import``'s batches).
    def finish(self, cursor: Any, *, write: bool) -> Counts: ...


@dataclass
class ImportResult:
    counts: Counts
    issues: Issues
    committed: bool
    header: HeaderMap | None
    footers: list[int]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues


def get_target(key: str) -> Any:
    try:
        module, _, name = TARGETS[key].partition(":")
    except KeyError:
        raise LookupError(f"未知的导入对象：{key}") from None
    return getattr(importlib.import_module(module), name)()


def _is_footer(cells: list[Any]) -> bool:
    if len(cells) - cells.count("") > 2:  # list.count runs in C: most rows leave here
        return False
    filled = [c for c in cells if c]
    return len(filled) <= 2 and str(filled[0]).strip().startswith(_FOOTER_WORDS)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector off while a file is read: a million rows allocate
    tens of millions of lists and tuples, and each full collection walks every object alive,
    the import's own caches of hundreds of thousands of entries among them. Reading and
    cleaning make almost no reference cycles; one collection at the end frees what they made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def _failed(issues: Issues, started: float, header: HeaderMap | None = None) -> ImportResult:
    return ImportResult(Counts(), issues, False, header, [], time.monotonic() - started)


def run_import(
    *,
    path: Path,
    filename: str,
    target: str,
    profile: str,
    user: Any,
    options: dict[str, Any] | None = None,
    dry_run: bool = True,
    progress: Progress | None = None,
    on_commit: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Run one import. ``dry_run`` checks everything and writes nothing. ``on_commit`` runs inside
    the writing transaction after the data is written (the job records its result there, so the
    data and the record of it commit together)."""
    started = time.monotonic()
    issues = Issues()
    the_target = get_target(target)
    the_profile = get_profile(profile)
    if the_profile.target != target:
        issues.add(0, "文件格式", f"「{the_profile.label}」不能用于导入{the_target.label}")
        return _failed(issues, started)
    try:
        table: Table = open_table(path, filename)
    except ReadError as exc:
        issues.add(0, "文件", str(exc))
        return _failed(issues, started)
    writer_class_raw = bool(getattr(the_target, "raw_cells", False))
    rows: Iterator[list[Any]] = table.raw_rows()
    head: list[list[Any]] = []
    for row in rows:
        head.append(row)
        if len(head) >= SCAN_ROWS + 1:
            break
    header = detect([[normalise(c) for c in row] for row in head], the_profile, table.merged)
    header_row = (header.header_rows[-1] + 1) if header.header_rows else 1
    for label in header.missing:
        issues.add(header_row, label, "缺少此列（请使用导入模板，或检查表头文字）")
    for label in header.duplicates:
        issues.add(header_row, label, "与前面的列重复（同一信息只能有一列）")
    if issues:
        return _failed(issues, started, header)
    total = max(table.height - header.data_start, 0)
    context = ImportContext(
        user=user, profile=the_profile, options=dict(options or {}), dry_run=dry_run, header=header, total_rows=total
    )
    result: ImportResult | None = None
    with _no_cyclic_gc(), transaction.atomic():
        with connection.cursor() as cursor:
            writer: Writer = the_target.writer(context)
            writer.start(cursor)
            if progress:
                progress(0, total, "校验")

            def feed_all(report: Progress | None) -> int:
                done = 0
                index = header.data_start  # 0-based, of the batch's first row
                feed_many = getattr(writer, "feed_many", None)
                source = chain(head[header.data_start :], rows)
                try:
                    while batch := list(islice(source, BATCH)):
                        cells_batch = batch if writer_class_raw else [[normalise(c) for c in raw] for raw in batch]
                        # Checked only for a writer that takes batches (the others go row by row anyway).
                        if feed_many is not None and False not in [
                            len(cells) - cells.count("") > 2 and any(raw)
                            for raw, cells in zip(batch, cells_batch, strict=True)
                        ]:
                            feed_many(index + 1, cells_batch)
                        else:
                            for offset, (raw, cells) in enumerate(zip(batch, cells_batch, strict=True)):
                                if not any(raw):
                                    continue
                                if _is_footer(cells):
                                    context.footers.append(index + offset + 1)
                                    continue
                                writer.feed(index + offset + 1, cells)
                        index += len(batch)
                        if report and (done + len(batch)) // PROGRESS_EVERY > done // PROGRESS_EVERY:
                            report(done + len(batch), total, "校验")
                        done += len(batch)
                except ReadError as exc:  # a streamed file that breaks off: nothing of it is written
                    context.issues.add(0, "文件", str(exc))
                return done

            reader_peak_mb = 0.0
            try:
                if split.available() and getattr(writer, "split_ready", lambda: False)():
                    done, reader_peak_mb = split.run(writer, feed_all, progress, context.footers)
                else:
                    done = feed_all(progress)
            except BaseException:
                # A writer with a database thread stops it before the transaction is rolled back
                # on this connection (a thread still using it would break the rollback).
                abort = getattr(writer, "abort", None)
                if abort is not None:
                    abort()
                raise
            if progress:
                progress(done, total, "写入" if not (dry_run or context.issues) else "检查")
            fed = time.monotonic()
            write = not dry_run and not context.issues
            counts = writer.finish(cursor, write=write)
            write = write and not context.issues  # finish may find cross-row problems
        finished = time.monotonic()
        timings = {"read_validate_s": round(fed - started, 2), "check_write_s": round(finished - fed, 2)}
        # A writer may time its own steps (seconds spent in each kind of statement).
        timings |= {key: round(value, 2) for key, value in getattr(writer, "timings", {}).items()}
        if reader_peak_mb:  # the reading process's own peak (split.py)
            timings["reader_peak_mb"] = round(reader_peak_mb)
        result = ImportResult(counts, context.issues, write, header, context.footers, finished - started, timings)
        if write and on_commit is not None:
            on_commit(result)
        if not write:
            transaction.set_rollback(True)
    return result
