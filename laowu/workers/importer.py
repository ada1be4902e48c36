"""The registry's import target: ledger rows → people and households, a million rows at a go.

Rows are cleaned by the rules of ``validation.py`` (the one place for person data rules), a
chunk of ``CHUNK`` rows at a time and column by column: a value that repeats (a code, a village,
a name) is cleaned once, unique values (ID and phone numbers) by a fast path of the same rule.
Clean chunks go to a writer thread that owns the database connection while the file is read:
it copies each chunk into a temporary table, matches it against the registry and — when the run
writes — inserts households and people, updates people already registered, and records the
history events of every row it writes (``core/history.py``), one set-based statement each. So
PostgreSQL's work on one chunk runs on the second core while Python cleans the next.

All or nothing: everything happens in the engine's one transaction; the first error stops the
writing (checking goes on, to list every error), and any error rolls the whole file back.
Blank cells: a new person gets the field's default; a person already registered keeps what
they had (an import never erases data it was not given).
"""

from __future__ import annotations

import datetime
import os
import queue
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat, zip_longest
from typing import Any

from django.db import DatabaseError, transaction

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core import crypto, idcard
from laowu.core.history import bulk_history_start, bulk_history_stop, bulk_record_inserted, bulk_write, event_table
from laowu.core.masking import mask_id_number
from laowu.core.scope import scope_prefix
from laowu.imports.engine import ISSUE_CAP, Counts, ImportContext
from laowu.imports.reader import LOST_PRECISION, normalise
from laowu.regions.models import Region, RegionLevel
from laowu.workers import validation
from laowu.workers.models import Household, LaborStatus, Person
from laowu.workers.selectors import Ledger
from laowu.workers.validation import FieldError

CHUNK = 10_000
# The GIL's switch interval while the database thread runs: at Python's 5 ms the thread waited
# that long for the GIL after each reply from the server (COPY of the 1,000,000-row benchmark
# file: 9.6 s in the thread against 2.2 s alone; at 0.5 ms, 4.2 s).
SWITCH_INTERVAL = 0.0005
# Python's own 5 ms where the database thread has time to spare (a fresh registry is written by
# COPY alone: ``_fresh_chunk``) and the cleaning is the slower side: each forced switch costs
# the main thread (1,000,000-row empty-registry import: 78.2 s at 0.5 ms, 67.8 s at 5 ms).
FRESH_SWITCH_INTERVAL = 0.005
# A file at least this large, and at least half the size of the registry, is written in bulk
# mode: the person table's secondary indexes are dropped inside the import's transaction and
# built again at its end (a sorted build costs a fraction of a million index insertions). The
# table is locked for the import (ledger pages wait); a rollback brings the indexes back.
BULK_MIN_ROWS = 50_000
BULK_LOCK_TIMEOUT = "10s"
# Staging columns, in COPY order (``pid`` is filled by the person id sequence). NULL = blank.
STAGE_COLUMNS = (
    "row_no",
    "id_enc",
    "id_hash",
    "id_masked",
    "birth_date",
    "sex",
    "name",
    "name_initials",
    "region_id",
    "household_number",
    "poverty_status",
    "ethnicity",
    "education",
    "health",
    "political_status",
    "phone",
    "relation_to_head",
    "trades",
    "labor_status",
    "wants_to_go_out",
    "preferred_destinations",
    "preferred_trades",
    "available_from",
    "notes",
)
_STAGE_FALLBACK = {"row_no": "integer", "id_hash": "text", "id_enc": "bytea", "id_masked": "text"}
_STAGE_FALLBACK |= {"household_number": "text", "poverty_status": "text"}
# Person fields filled from the row (blank → default on insert, kept on update).
PERSON_FIELDS = (
    "ethnicity",
    "education",
    "health",
    "political_status",
    "phone",
    "relation_to_head",
    "trades",
    "labor_status",
    "wants_to_go_out",
    "preferred_destinations",
    "preferred_trades",
    "available_from",
    "notes",
)
# Counters every new person starts from: a fresh registry's COPY leaves them to the table.
FRESH_COUNTERS = ("version", "stint_count", "early_return_count")
# Fields cleaned through a cache (their values repeat); the rest value by value.
_CACHED = tuple(k for k in (*PERSON_FIELDS, "household_number", "poverty_status") if k not in ("phone", "notes"))
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"
NULL_BYTES = NULL.encode()
# A row's ID-number columns (ciphertext, blind index, masked number, birth date, sex) and name
# columns (name, initials) each come out of the cleaning as one piece of COPY text.
NULL_IDS = b"\t".join([NULL_BYTES] * 5)
NULL_NAME = b"\t".join([NULL_BYTES] * 2)
# Fields with a value per person (few repeat): a chunk's column goes to bytes in one piece
# (``_copy_bytes``), not through a table of values (``_BytesOf``).
_UNIQUE = ("phone", "notes", "household_number")
# An error message the reading process leaves to the importing one: this prefix, then the cell's
# text, to be resolved by ``RegionResolver`` with the database (``PersonWriter._word_deferred``).
DEFERRED = "\x00region:"
# Read and clean the file in a child process (imports/split.py) where the platform can fork.
SPLIT = True
# The check's count of rows that change a person column, in its counts' ``extra`` as this prefix
# and the column's name; the commit gets the check's ``extra`` as the option ``checked_extra``.
CHANGED_PREFIX = "changed:"
COLUMNS_COUNTED = "changed_columns_counted"  # in the check's ``extra`` once it counted them


def _fresh_default_sql() -> dict[str, str]:
    """Columns a fresh registry's COPY leaves to the table (``PersonWriter._fresh_defaults``):
    the times, and the counters every new person starts from."""
    counters = {name: _sql_default(getattr(Person._meta.get_field(name), "default", None)) for name in FRESH_COUNTERS}
    return {"created_at": "now()", "updated_at": "now()", **counters}


def _stage_type(name: str) -> str:
    """The person column's own type where there is one (varchar(8)[] = varchar(8)[] compares)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import connection

    try:
        return str(Person._meta.get_field(name).db_type(connection))
    except FieldDoesNotExist:
        return _STAGE_FALLBACK[name]


def _sql_default(default: Any) -> str:
    """A new person's default value (``PersonWriter._new_default``) as an SQL literal."""
    if default is None:
        return "NULL"
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, list):
        return "'{}'"
    return f"'{default}'"


def copy_text(value: Any) -> str:
    """A clean value as PostgreSQL's COPY text format writes it."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return "{" + ",".join(value) + "}"  # codes only: digits and letters
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).translate(_ESCAPE)


class _Bad:
    """A cell value that failed its rule (kept in the caches, reported per row)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


class _RuleCache(dict):  # type: ignore[type-arg]
    """Raw cell → COPY text (or ``_Bad``), computed on first sight by the field's rule."""

    def __init__(self, key: str, value_map: dict[str, str] | None) -> None:
        super().__init__()
        self.key = key
        self.rule = validation.RULES[key][0]
        self.value_map = value_map or {}
        self.bad = False

    def __missing__(self, raw: Any) -> Any:
        text = normalise(raw)
        text = self.value_map.get(text, text)
        if not text or text == LOST_PRECISION:
            result: Any = NULL
        else:
            try:
                result = copy_text(self.rule(text))
            except FieldError as exc:
                result = _Bad(str(exc))
                self.bad = True
        if len(self) < 200_000:
            self[raw] = result
        return result


class RegionResolver:
    """A row's village or group, from a code, a village name, or county/township/village names,
    always inside the user's subtree: the subtree's villages and groups are read once."""

    def __init__(self, user: Any) -> None:
        prefix = scope_prefix(user)
        self.allowed = prefix is not None
        self.prefix = prefix or ""
        self.by_code: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        self.full_names: dict[str, str] = {}
        self.by_names: dict[tuple[str, str, str], list[str]] = {}
        self.cache: dict[Any, str | _Bad] = {}
        self.loaded = False
        # In an import's reading process (imports/split.py), which has no database: what needs
        # the database to be worded is left to the importing process (``DEFERRED``).
        self.offline = False

    def _load(self) -> None:
        self.loaded = True
        if not self.allowed:
            return
        qs = Region.objects.filter(level__in=(RegionLevel.VILLAGE, RegionLevel.GROUP))
        if self.prefix:
            qs = qs.filter(code__startswith=self.prefix)
        for code, name, full_name, level, township, county in qs.values_list(
            "code", "name", "full_name", "level", "parent__name", "parent__parent__name"
        ):
            self.by_code[code] = full_name or name
            self.full_names[code] = full_name or name
            self.by_name.setdefault(name, []).append(code)
            if level == RegionLevel.VILLAGE:
                self.by_names.setdefault((county or "", township or "", name), []).append(code)

    def resolve(self, raw: Any) -> str | _Bad:
        found = self.cache.get(raw)
        if found is None:
            found = self.cache[raw] = self._resolve(normalise(raw))
        return found

    def code(self, raw: Any) -> str:
        """The village or group code for a cell, or ``FieldError`` saying why not."""
        found = self.resolve(raw)
        if isinstance(found, _Bad):
            raise FieldError(found.message)
        return found

    def _resolve(self, text: str) -> str | _Bad:
        if not self.loaded:
            self._load()
        if not text:
            return _Bad("不能为空")
        if not self.allowed:
            return _Bad("您没有可管辖的区划")
        code = idcard.normalise(text)
        if code.isascii() and code.isdigit():
            try:
                validation.rule_region(code)
            except FieldError as exc:
                return _Bad(str(exc))
            if code in self.by_code:
                return code
            if self.offline:
                return _Bad(DEFERRED + code)
            region = Region.objects.filter(code=code).only("code", "level", "full_name", "name").first()
            if region is None:
                return _Bad(f"区划代码 {code} 不存在（请先导入村组名单）")
            if region.level not in (RegionLevel.VILLAGE, RegionLevel.GROUP):
                return _Bad(f"「{region.full_name or region.name}」不是村或组")
            return _Bad(f"「{region.full_name or region.name}」不在您的管辖范围内")
        matches = self.by_name.get(text) or [c for c, full in self.full_names.items() if full.endswith(text)][:6]
        if not matches:
            if self.offline:
                return _Bad(DEFERRED + text)
            if Region.objects.filter(level=RegionLevel.VILLAGE, name=text).exists():
                return _Bad(f"「{text}」不在您的管辖范围内")
            return _Bad(f"在您的辖区内找不到村（社区）或组「{text}」，请填写 12 位区划代码")
        if len(matches) > 1:
            names = "、".join(f"{self.full_names[c]}（{c}）" for c in matches[:5])
            return _Bad(f"「{text}」有多个同名村组：{names}，请填写区划代码")
        return matches[0]

    def resolve_names(self, county: Any, township: Any, village: Any) -> str | _Bad:
        key = (county, township, village)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._resolve_names(normalise(county), normalise(township), normalise(village))
        return found

    def _resolve_names(self, county: str, township: str, village: str) -> str | _Bad:
        if not self.loaded:
            self._load()
        if not village:
            return _Bad("行政村不能为空")
        matches = [
            codes
            for (c, t, v), codes in self.by_names.items()
            if v == village and (not township or t == township) and (not county or c == county)
        ]
        flat = [code for codes in matches for code in codes]
        where = "".join(p for p in (county, township) if p)
        if not flat:
            return _Bad(f"在您的辖区内找不到「{where}{village}」（请先导入该乡镇的村组名单）")
        if len(flat) > 1:
            return _Bad(f"「{where}{village}」有多个同名村，请在文件中填写县、乡名称")
        return flat[0]


def _lock_within(cursor: Any, *statements: str) -> bool:
    """Run ``LOCK TABLE`` statements waiting at most ``BULK_LOCK_TIMEOUT``; False (and nothing
    locked) if someone holds a table longer, e.g. a long page being read."""
    try:
        with transaction.atomic():
            cursor.execute(f"SET LOCAL lock_timeout = '{BULK_LOCK_TIMEOUT}'")
            for statement in statements:
                cursor.execute(statement)
    except DatabaseError:
        return False
    finally:
        cursor.execute("SET LOCAL lock_timeout = 0")
    return True


def _copy_bytes(column: Sequence[str]) -> list[bytes]:
    """A column of COPY text as bytes, value by value, in one join, encode and split: COPY text
    holds no raw line break (``copy_text`` escapes it)."""
    return "\n".join(column).encode().split(b"\n")


class _BytesOf(dict):  # type: ignore[type-arg]
    """A field's COPY text → its bytes; a blank (NULL) → ``fill``: NULL for the staging table, the
    field's default for a new person copied straight into the person table."""

    def __init__(self, fill: bytes) -> None:
        super().__init__()
        self.fill = fill

    def __missing__(self, text: str) -> bytes:
        value = self.fill if text == NULL else text.encode()
        if len(self) < 10_000:
            self[text] = value
        return value


def _transpose(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """A chunk's rows as columns, in one pass in C: 2.3x faster than taking twenty columns out
    one by one (1.1 s against 2.5 s a million 24-cell rows). Rows are as wide as the widest before
    them (``reader._padded``), so a chunk's first rows can be shorter: blanks fill them."""
    if len(set(map(len, rows))) == 1:
        return list(zip(*rows, strict=True))
    return list(zip_longest(*rows, fillvalue=""))


def _kept_live(definition: str) -> bool:
    """An index a fresh registry's import keeps up row by row instead of building it at the end:
    one led by the village or the household, or by the labor status (a handful of values, then
    the village). A ledger lists a village's people together and the import numbers people and
    households in file order, so each chunk's entries land together at the end of a few key
    ranges: cheap on the database side, which has time to spare while the rows are cleaned (the
    status index kept up so, 1,000,000-row ledger: the person COPY 1.7-2.1 s longer, the reading
    no longer, the end 1.0 s shorter; bench/README.md). The randomly ordered ones (name, phone,
    birth date, trades, the ID number) are built at the end, where a sorted build beats a million
    scattered insertions (kept up, the ID-number index alone made the COPY 3 s longer and the
    database the reading's long pole)."""
    columns = definition.partition(" USING ")[2].partition("(")[2]
    return columns.startswith(("region_id", "household_id", "labor_status"))


def _index_columns(cursor: Any, table: str) -> dict[str, set[str]]:
    """Index name -> the columns it reads: key and INCLUDE columns, and any column its expressions
    or predicate name (found by name in their text: at worst one too many). PostgreSQL updates a
    row without touching the table's indexes (HOT) only when none of these columns change."""
    cursor.execute(
        "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE i.indrelid = %s::regclass AND (a.attnum = ANY (i.indkey) "
        "OR pg_get_expr(i.indpred, i.indrelid) ~ ('\\m' || a.attname || '\\M') "
        "OR pg_get_expr(i.indexprs, i.indrelid) ~ ('\\m' || a.attname || '\\M'))",
        [table],
    )
    found: dict[str, set[str]] = {}
    for index, column in cursor.fetchall():
        found.setdefault(index, set()).add(column)
    return found


def _derive(rules: list[dict[str, Any]], raw: dict[str, str]) -> str | None:
    """The first derivation rule of a profile that gives a value (profiles.py explains them)."""
    for rule in rules:
        text = raw.get(rule["from"], "")
        if not text:
            continue
        if "map" in rule:
            value = rule["map"].get(text)
            if value is not None:
                return str(value)
        elif "nonempty" in rule:
            if text not in rule.get("except", ()):
                return str(rule["nonempty"])
        elif "at_least" in rule:
            try:
                if float(text) >= float(rule["at_least"]):
                    return str(rule["value"])
            except ValueError:
                continue
    return None


class _DatabaseThread(threading.Thread):
    """Runs one chunk's statements after another on the import's connection (see module doc)."""

    def __init__(self, writer: PersonWriter, connection: Any) -> None:
        super().__init__(name="laowu-import-db", daemon=True)
        self.writer = writer
        self.connection = connection
        self.jobs: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.connection.cursor() as cursor:
                while True:
                    job = self.jobs.get()
                    if job is None:
                        return
                    if self.error is None:
                        if job[0] == "fresh":
                            self.writer._fresh_chunk(cursor, *job[1:])
                        else:
                            self.writer._database_chunk(cursor, *job[1:])
        except BaseException as exc:  # handed to the main thread in finish()
            self.error = exc
            while self.jobs.get() is not None:  # let the producer finish
                pass


class PersonWriter:
    """Cleans rows into chunks for the database thread; ``finish`` waits and reports."""

    def __init__(self, context: ImportContext) -> None:
        self.ctx = context
        self.issues = context.issues
        self.profile = context.profile
        self.policy = context.options.get("policy", "update")
        ledger = context.options.get("ledger", Ledger.RESOURCE)
        self.new_defaults = {"labor_status": LaborStatus.SURPLUS} if ledger == Ledger.SURPLUS else {}
        self.plan = sorted(context.header.columns.items())
        self.index = {f: i for i, f in self.plan}
        self.label = {f: context.header.headers.get(i, self.profile.label_of(f)) for i, f in self.plan}
        self.regions = RegionResolver(context.user)
        self.region_by_names = self.profile.region.get("by") == "names"
        self.region_fields = tuple(self.profile.region.get("fields", ()))
        self.derive = self.profile.derive
        self.caches = {key: _RuleCache(key, self.profile.value_maps.get(key)) for key in _CACHED}
        self.name_cache: dict[Any, Any] = {}
        self.bytes_of: dict[tuple[str | None, bool], _BytesOf] = {}  # ``_bytes``
        self.bad_names = False  # a name cell failed its rule (and may be in ``name_cache``)
        self.seen: dict[bytes, int] = {}
        # (village, number) -> (poverty status, first row, id this writer gave it or NULL)
        self.households: dict[tuple[str, str], tuple[str, int, str]] = {}
        self.next_hid: int | None = None  # the next household id to give (fresh registry)
        self.next_pid = 0  # the next person id to give (fresh registry)
        self.heads: dict[tuple[str, str], int] = {}
        self.head_pids: dict[tuple[str, str], int] = {}  # fresh registry: the head's person id
        self.touched: set[tuple[str, str]] = set()  # households a chunk gave a status or head
        self.new_households: list[tuple[str, str]] = []  # numbered in this chunk (fresh registry), in order
        self.restore_defaults: list[str] = []  # statements giving the tables their own defaults back
        self.pending: list[list[Any]] = []  # rows not yet cleaned, and their numbers
        self.pending_nos: list[int] = []
        self.rows = 0
        self.blind_indexer = crypto.blind_indexer()
        self.aead = crypto._aead()
        self.lock = threading.Lock()
        self.db_counts = {"matched": 0, "changed": 0, "created": 0, "updated": 0}
        self.db_extra: dict[str, int] = {}
        self.thread: _DatabaseThread | None = None
        self.write = not context.dry_run
        self.context_id = ""
        self.rebuild: list[str] = []  # statements that build dropped indexes again (bulk mode)
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition) to add again
        self.fresh = False  # bulk mode found the registry empty: nothing to match
        # Seconds per step, in the job's summary ("db_*" on the database thread, "wait_db_s":
        # the cleaning waiting for it).
        self.timings: dict[str, float] = {}
        # Where clean chunks go: the database thread's queue, or in a reading process
        # (imports/split.py) the pipe to the importing process (``child_begin``).
        self.sink: Any = None

    # --- reading in a child process (imports/split.py) -----------------------------------------
    def split_ready(self) -> bool:
        return SPLIT and self.thread is not None

    def fork_prepare(self) -> None:
        """Before the fork: what the child needs from the database, read now (the villages)."""
        if not self.regions.loaded:
            self.regions._load()
        # This process's main thread now only passes chunks on: the database thread need not
        # wait for the GIL after each reply from the server.
        sys.setswitchinterval(SWITCH_INTERVAL)

    def child_begin(self, send: Any) -> None:
        self.sink = send
        self.regions.offline = True

    def child_end(self) -> dict[str, Any]:
        """In the child after the last row: the last chunk sent, and what the importing process
        needs of the reading (counts, every error, the ids given, the cleaning's timings)."""
        self._chunk()
        return {
            "rows": self.rows,
            "issues": self.issues,
            "next_hid": self.next_hid,
            "next_pid": self.next_pid,
            "timings": self.timings,
        }

    def parent_job(self, job: Any) -> None:
        self.sink(job)

    def parent_end(self, state: dict[str, Any]) -> None:
        self.rows = state["rows"]
        self.next_hid, self.next_pid = state["next_hid"], state["next_pid"]
        with self.lock:
            self.issues.merge(state["issues"])
        for key, value in state["timings"].items():
            self.timings[key] = self.timings.get(key, 0.0) + value

    def abort(self) -> None:
        """The reading failed: the database thread stops (the engine then rolls everything back)."""
        self._stop_thread()

    def _stop_thread(self) -> None:
        """The database thread finishes the chunks it holds and ends; Python's switch interval back."""
        thread = self.thread
        if thread is not None and thread.is_alive():
            thread.jobs.put(None)
            thread.join()
            sys.setswitchinterval(self.switch_interval)

    @contextmanager
    def _clock(self, key: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - started

    # --- the main thread ----------------------------------------------------------------------
    def start(self, cursor: Any) -> None:
        columns = ", ".join(f"{name} {_stage_type(name)}" for name in STAGE_COLUMNS)
        # Dropped at commit; dropped first too, for a caller's transaction that ran one before.
        # A chunk is copied into ``imp_raw``, then read once into ``imp_chunk`` together with what
        # the registry holds for it (``_database_chunk``).
        cursor.execute("DROP TABLE IF EXISTS pg_temp.imp_raw, pg_temp.imp_chunk")
        cursor.execute(f"CREATE TEMP TABLE imp_raw ({columns}) ON COMMIT DROP")
        cursor.execute(
            f"CREATE TEMP TABLE imp_chunk (pid bigint, matched boolean NOT NULL, current_region text, "
            f"current_name text, hid bigint, {columns}) ON COMMIT DROP"
        )
        # The sequence named once: pg_get_serial_sequence() in the statement would look it up per row.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Person._meta.db_table])
        self.person_sequence = cursor.fetchone()[0]
        # Every statement of a chunk touches a few thousand rows of tables that grow by a million
        # during the import, faster than statistics follow (the import's rows are invisible to
        # autovacuum until it commits): row estimates go stale and the planner hashes a whole
        # growing table per chunk. Index lookups are always the right plan here.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        if self.write:
            user = self.ctx.user
            metadata = {
                "source": "import",
                "user": getattr(user, "pk", None),
                "username": getattr(user, "username", ""),
                "import_job": self.ctx.options.get("job_id"),
            }
            self.context_id = bulk_history_start(cursor, metadata=metadata)
            # Foreign keys are checked as each statement ends (in the database thread, beside the
            # cleaning), not all at commit; a household's head is a person inserted just after it.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attname = 'head_id')]",
                [Household._meta.db_table, Household._meta.db_table],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'SET CONSTRAINTS "{name}" DEFERRED')
            self.rebuild = self._bulk_mode(cursor)
            table_name = Person._meta.db_table
            if self.fresh:
                # No household exists and none can be added meanwhile (the tables are locked):
                # number them here, as the rows arrive, from the sequence (set past them at the end).
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Household._meta.db_table])
                self.next_hid = int(cursor.fetchone()[0])
                # People too: each chunk is copied straight into the person table (``_fresh_job``).
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table_name])
                self.next_pid = int(cursor.fetchone()[0])
                self._fresh_defaults(cursor)
        self.thread = _DatabaseThread(self, cursor.cursor.connection)
        self.sink = self.thread.jobs.put
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(FRESH_SWITCH_INTERVAL if self.fresh else SWITCH_INTERVAL)
        self.thread.start()

    def _bulk_mode(self, cursor: Any) -> list[str]:
        """For a file that writes many rows (see ``BULK_MIN_ROWS``): drop the person table's secondary indexes
        and (unless most writes are updates) the foreign keys of people and households, to build and check them once at the end
        (``_bulk_finish``); returns the statements that build the indexes again. Keeps the primary
        key, and the unique ID-number index where the file is matched against it. A registry that
        is empty under the lock is not matched at all: its unique ID-number index is dropped too
        (the cleaning names every number the file repeats; building the index again at the end
        checks it once more), the indexes led by village, household or status stay (``_kept_live``), and
        the tables are emptied again by TRUNCATE (``_fresh_truncate``), for which the foreign keys
        other tables hold on them are dropped too and added again at the end.
        Falls back to row-by-row upkeep if the tables cannot be locked within
        ``BULK_LOCK_TIMEOUT`` (someone is reading a long page)."""
        table, households = Person._meta.db_table, Household._meta.db_table
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        existing = max(int(cursor.fetchone()[0]), 0)
        # The rows to write: as the check counted them (a file of unchanged people writes
        # nothing and needs no index rebuilt), else the file's size.
        writes = self.ctx.options.get("checked_writes")
        writes = self.ctx.total_rows if writes is None else int(writes)
        if writes < BULK_MIN_ROWS or writes * 2 < existing:
            return []
        if not _lock_within(
            cursor,
            f"LOCK TABLE {table}, {households} IN ACCESS EXCLUSIVE MODE",
            f"LOCK TABLE {Region._meta.db_table} IN SHARE ROW EXCLUSIVE MODE",
        ):
            return []
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table}) AND NOT EXISTS (SELECT 1 FROM {households})")
        self.fresh = bool(cursor.fetchone()[0])
        # A fresh registry's tables are emptied by TRUNCATE (``_fresh_truncate``), which the keys
        # other tables hold on them would refuse: those are dropped and added again too.
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND (conrelid IN (%s::regclass, %s::regclass) "
            "OR (%s AND confrelid IN (%s::regclass, %s::regclass))) ORDER BY 1, 2",
            [table, households, self.fresh, table, households],
        )
        self.foreign_keys = cursor.fetchall()
        # Updates keep the foreign keys: PostgreSQL checks one on update only where its column
        # changed, and a re-import rarely moves anyone, while adding a key again checks the whole
        # table (2.7 s for 1,000,000 people). New people are checked once at the end instead.
        created = self.ctx.options.get("checked_created")
        mostly_updates = not self.fresh and created is not None and int(created) * 2 < writes
        if mostly_updates:
            self.foreign_keys = []
        for fk_table, name, _ in self.foreign_keys:
            cursor.execute(f'ALTER TABLE {fk_table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = (quote_ident(i.indexname))::regclass AND c.contype IN ('p', 'u'))",
            [table],
        )
        found = cursor.fetchall()
        if self.fresh:  # kept: a fresh registry's rows come in their order (``_kept_live``)
            found = [(name, definition) for name, definition in found if not _kept_live(definition)]
        elif mostly_updates and (changing := self._checked_columns()) is not None:
            # Kept: every index over none of the columns the check found changing. The pages
            # have room (the table's fillfactor, migration 0008), so each update writes its new
            # version beside the old one without touching the index (a HOT update), and the
            # index needs no rebuild.
            referenced = _index_columns(cursor, table)
            found = [(name, definition) for name, definition in found if referenced.get(name, changing) & changing]
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
        rebuild = [definition for _, definition in found]
        if self.fresh:
            # 1,000,000 numbers in random order: 3 s of scattered insertions while the rows are
            # copied, 0.7 s for a sorted build at the end (bench/registry.py).
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'u' ORDER BY conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            self._fresh_truncate(cursor)
            # The new files are synced at commit (``_fresh_truncate``). The kernel is asked to start
            # writing this session's pages out every 2 MB instead of holding them all for that sync
            # (1,000,000-row ledger: the commit took 1.16 s, 0.57 s so).
            cursor.execute("SET LOCAL backend_flush_after = '2MB'")
        return rebuild

    def _fresh_truncate(self, cursor: Any) -> None:
        """A fresh registry's empty tables emptied once more, by TRUNCATE: each then has new files,
        created in this transaction, and a server at ``wal_level = minimal`` (the embedded one:
        ``laowu/db.py``) writes what goes into them straight to those files and syncs them at
        commit instead of logging every row to the WAL (docs/decisions/0068-minimal-wal.md).
        The history tables go too where they are empty (no one was ever registered and deleted),
        locked first: a timeline being read holds them for a moment."""
        tables = [Person._meta.db_table, Household._meta.db_table]
        events = [event_table(model) for model in (Person, Household)]
        if not _lock_within(cursor, f"LOCK TABLE {', '.join(events)} IN ACCESS EXCLUSIVE MODE"):
            events = []
        for name in events:
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {name})")
            if cursor.fetchone()[0]:
                tables.append(name)
        cursor.execute(f"TRUNCATE {', '.join(tables)}")

    def _fresh_defaults(self, cursor: Any) -> None:
        """A fresh registry's COPY leaves out the columns that are the same for every row (the
        creation and update times are the transaction's ``now()``, the counters start from
        their defaults): the tables default them for this transaction (``_fresh_default_sql``), and
        ``finish`` gives them their own defaults back. Parsing two timestamps per row costs the
        server 0.4 s a million rows (bench/README.md)."""
        defaults = _fresh_default_sql()
        for model in (Person, Household):
            table = model._meta.db_table
            columns = {field.column for field in model._meta.concrete_fields}
            wanted = {column: value for column, value in defaults.items() if column in columns}
            cursor.execute(
                "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
                [table, list(wanted)],
            )
            own = dict(cursor.fetchall())
            cursor.execute(
                f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {c} SET DEFAULT {v}" for c, v in wanted.items())
            )
            self.restore_defaults.append(
                f"ALTER TABLE {table} "
                + ", ".join(
                    f"ALTER COLUMN {c} DROP DEFAULT" if own.get(c) is None else f"ALTER COLUMN {c} SET DEFAULT {own[c]}"
                    for c in wanted
                )
            )

    def _checked_columns(self) -> set[str] | None:
        """The person columns the check found this file changing (None: not known)."""
        extra = self.ctx.options.get("checked_extra") or {}
        if not extra.get(COLUMNS_COUNTED):
            return None
        return {key[len(CHANGED_PREFIX) :] for key, count in extra.items() if key.startswith(CHANGED_PREFIX) and count}

    def _bulk_finish(self, cursor: Any) -> None:
        """Bulk mode's end: build the dropped indexes, then add the foreign keys again (each
        checked by one join over the table; a row that fails one fails the import)."""
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        with self._clock("db_index_build_s"):
            for definition in self.rebuild:
                cursor.execute(definition)
        with self._clock("db_analyze_s"):
            cursor.execute(f"ANALYZE {Person._meta.db_table}")
            cursor.execute(f"ANALYZE {Household._meta.db_table}")
        # Each key is checked by one join over the whole table: a hash join, not the index lookup
        # per row that ``start`` asks of the chunks' statements (the four keys of 1,000,000 people
        # and 359,391 households added again in a transaction: 1.31 s so, 0.24-0.32 s by hash).
        cursor.execute("SET LOCAL enable_hashjoin = on")
        cursor.execute("SET LOCAL enable_mergejoin = on")
        with self._clock("db_foreign_keys_s"):
            for fk_table, name, definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {fk_table} ADD CONSTRAINT "{name}" {definition}')

    def _error(self, row_no: int, key: str, message: str) -> None:
        with self.lock:
            self.issues.add(row_no, self.label.get(key) or validation.LABELS.get(key, key), message)

    def feed(self, row_no: int, cells: list[Any]) -> None:
        self.pending.append(cells)
        self.pending_nos.append(row_no)
        if len(self.pending) >= CHUNK:
            self._chunk()

    def feed_many(self, first_row_no: int, rows: list[list[Any]]) -> None:
        self.pending += rows
        self.pending_nos += range(first_row_no, first_row_no + len(rows))
        if len(self.pending) >= CHUNK:
            self._chunk()

    def _column(self, cols: list[tuple[Any, ...]], key: str) -> Sequence[Any] | None:
        """A field's column of a chunk (``_transpose``), None where the file has no such column."""
        index = self.index.get(key)
        if index is None:
            return None
        if index < len(cols):
            return cols[index]
        return ("",) * len(cols[0])  # the column is blank in every row of this chunk

    def _chunk(self) -> None:
        """Clean one chunk column by column and hand its COPY text to the database thread."""
        pending, row_nos = self.pending, self.pending_nos
        self.pending, self.pending_nos = [], []
        if not pending:
            return
        with self._clock("clean_s"):
            job = self._clean(row_nos, pending)
        if job is not None and self.thread is not None:
            with self._clock("wait_db_s"):
                self.sink(job)

    def _clean(self, row_nos: list[int], pending: list[list[Any]]) -> tuple[Any, ...] | None:
        """A chunk's job for the database thread: ``("stage", COPY text)``, or for a fresh
        registry ``("fresh", ...)`` (``_fresh_job``); None once the file has an error."""
        self.rows += len(pending)
        first_hid = self.next_hid
        n = len(pending)
        cols = _transpose(pending)
        columns: dict[str, list[str]] = {}
        # Coded and repeated fields: one rule call per distinct cell.
        for key in _CACHED:
            column = self._column(cols, key)
            if column is None:
                continue
            cache = self.caches[key]
            if key == "household_number" and not cache.value_map:
                # Hundreds of thousands of distinct numbers (more than the cache keeps): a plain
                # one is its own clean value (what the rule gives it), the rest go by the cache.
                values = [
                    raw if type(raw) is str and raw.isalnum() and raw.isascii() and len(raw) <= 32 else cache[raw]
                    for raw in column
                ]
            else:
                values = list(map(cache.__getitem__, column))
            if cache.bad:
                for i, value in enumerate(values):
                    if type(value) is _Bad:
                        self._error(row_nos[i], key, value.message)
            columns[key] = values
        if self.derive:
            self._derive_columns(cols, row_nos, columns)
        for key in ("phone", "notes"):
            column = self._column(cols, key)
            if column is not None:
                columns[key] = self._unique_values(key, column, row_nos)
        names = self._names(cols, row_nos)
        regions = self._regions(cols, row_nos)
        ids = self._ids(cols, row_nos)
        pids = range(self.next_pid, self.next_pid + n) if self.fresh else None
        hids = self._households(row_nos, regions, columns, pids)
        if self.issues or not self.thread:
            return None  # once anything is wrong nothing more is staged; checking goes on
        if pids is not None and first_hid is not None:
            self.next_pid += n
            return self._fresh_job(pids, ids, names, regions, columns, hids, first_hid)
        stage = [
            _copy_bytes(list(map(str, row_nos))),
            ids,
            names,
            self._bytes(None, regions),
            *(self._bytes(key, columns.get(key), n) for key in STAGE_COLUMNS[9:]),
        ]
        # The COPY text is put together as bytes: joining str pieces where a name makes a row
        # UCS-2 and encoding the result costs 3.5x as much (13.4 ms against 3.9 ms a 10,000-row
        # chunk). The reading process sends the bytes through its pipe as they are.
        return ("stage", b"\n".join(map(b"\t".join, zip(*stage, strict=True))) + b"\n")

    def _bytes(self, key: str | None, column: Sequence[str] | None, n: int = 0, *, fill: bool = False) -> list[bytes]:
        """A clean column (COPY text) as bytes; ``key`` None: the villages. ``fill``: blanks take
        what a new person gets (``_new_default``), else they stay NULL. A column the file does not
        have is all blank."""
        table = self.bytes_of.get((key, fill))
        if table is None:
            blank = copy_text(self._new_default(key)).encode() if fill and key is not None else NULL_BYTES
            table = self.bytes_of[(key, fill)] = _BytesOf(blank)
        if column is None:
            return [table.fill] * n
        n = len(column)
        if n and column.count(column[0]) == n:  # the same value all through (a blank column)
            return [table[column[0]]] * n
        if key in _UNIQUE:
            if fill and NULL in column:
                column = [table.fill.decode() if value == NULL else value for value in column]
            return _copy_bytes(column)
        return list(map(table.__getitem__, column))

    def _fresh_job(
        self,
        pids: range,
        ids: list[bytes],
        names: list[bytes],
        regions: list[str],
        columns: dict[str, list[str]],
        hids: list[str],
        first_hid: int,
    ) -> tuple[Any, ...]:
        """A fresh registry's chunk as COPY text for the person and household tables themselves:
        ids given here (the tables are locked and empty: ``start``), blanks filled with the
        field's default as the INSERT of ``_write_chunk`` would, the households first seen in
        this chunk with their status and head, and the ones an earlier chunk wrote that this
        one gave a status or a head (updated, with an update event, as ``_write_chunk`` does)."""
        n = len(names)
        stage = [
            _copy_bytes(list(map(str, pids))),
            names,
            ids,
            self._bytes(None, regions),
            _copy_bytes(hids),
            *(self._bytes(field, columns.get(field), n, fill=True) for field in PERSON_FIELDS),
        ]
        people = b"\n".join(map(b"\t".join, zip(*stage, strict=True))) + b"\n"
        # Households: new ones (numbered from ``first_hid`` by ``_households``, in that order) and
        # old ones this chunk gave a status or a head.
        households, head_pids = self.households, self.head_pids
        new, self.new_households = self.new_households, []
        late = sorted((int(households[key][2]), key) for key in self.touched if int(households[key][2]) < first_hid)
        self.touched.clear()
        lines = []
        for key in new:
            status, _, hid = households[key]
            head = head_pids.get(key)
            lines.append(
                f"{hid}\t{key[0]}\t{key[1]}\t{'general' if status == NULL else status}\t"
                f"{NULL if head is None else head}\t\t\n"
            )
        updates = []
        for hid_number, key in late:
            status = households[key][0]
            updates.append((hid_number, None if status == NULL else status, head_pids.get(key)))
        last_hid = (self.next_hid or first_hid) - 1
        return ("fresh", people, pids[0], pids[-1], "".join(lines).encode(), first_hid, last_hid, updates)

    def _new_default(self, key: str) -> Any:
        """What a new person gets for a blank cell: the field's default, or the ledger's own
        (the surplus ledger's labor status); staged and fresh writes both take it from here."""
        return self.new_defaults.get(key, validation.RULES[key][1])

    def _unique_values(self, key: str, column: Sequence[Any], row_nos: list[int]) -> list[str]:
        """Phone and notes, value by value: blank cells and (phone) plain 11-digit mobile numbers
        as the rule would keep them, in one pass; the rest by the rule."""
        out: list[Any]  # None: the rule decides (below)
        if key == "phone":
            out = [
                raw
                if type(raw) is str
                and len(raw) == 11
                and raw.isdigit()
                and raw.isascii()
                and raw[1] in "3456789"
                and raw[0] == "1"
                else NULL
                if raw == "" or raw is None
                else None
                for raw in column
            ]
        else:
            out = [NULL if raw == "" or raw is None else None for raw in column]
        if None not in out:
            return out
        rule = validation.RULES[key][0]
        for i, value in enumerate(out):
            if value is None:
                try:
                    out[i] = copy_text(rule(normalise(column[i])))
                except FieldError as exc:
                    self._error(row_nos[i], key, str(exc))
                    out[i] = NULL
        return out

    def _names(self, cols: list[tuple[Any, ...]], row_nos: list[int]) -> list[bytes]:
        """Each row's name and pinyin initials as one piece of COPY text, each distinct cell
        cleaned once (``name_cache``)."""
        cache = self.name_cache
        column = self._column(cols, "name") or [""] * len(row_nos)
        found: list[Any] = list(map(cache.get, column))
        if None in found:
            for i, value in enumerate(found):
                if value is None:
                    raw = column[i]
                    value = cache.get(raw)
                    if value is None:
                        value = self._clean_name(raw)
                        if len(cache) < 500_000:
                            cache[raw] = value
                    found[i] = value
        if self.bad_names:
            for i, value in enumerate(found):
                if type(value) is _Bad:
                    self._error(row_nos[i], "name", value.message)
                    found[i] = NULL_NAME
        return found

    def _clean_name(self, raw: Any) -> bytes | _Bad:
        text = normalise(raw)
        if not text.replace(" ", ""):
            self.bad_names = True
            return _Bad("不能为空")
        try:
            clean = validation.rule_name(text)
        except FieldError as exc:
            self.bad_names = True
            return _Bad(str(exc))
        return f"{copy_text(clean)}\t{copy_text(validation.name_initials(clean))}".encode()

    def _regions(self, cols: list[tuple[Any, ...]], row_nos: list[int]) -> list[str]:
        if self.region_by_names:
            parts = [self._column(cols, f) or [""] * len(row_nos) for f in self.region_fields]
            found = [self.regions.resolve_names(*names) for names in zip(*parts, strict=True)]
            label = self.region_fields[-1]
        else:
            column = self._column(cols, "region") or [""] * len(row_nos)
            found = list(map(self.regions.resolve, column))
            label = "region"
        out: list[str] = []
        for i, value in enumerate(found):
            if type(value) is _Bad:
                self._error(row_nos[i], label, value.message)
                out.append(NULL)
            else:
                out.append(value)  # type: ignore[arg-type]
        return out

    def _ids(self, cols: list[tuple[Any, ...]], row_nos: list[int]) -> list[bytes]:
        """Each row's ID-number columns as one piece of COPY text (ciphertext, blind index, masked
        number, birth date, sex); a number the file repeats is named. Column by column, each step
        in one ``map`` (3.3 µs a row value by value, about 2 µs so). A clean 18-character number
        goes by ``idcard.parse_clean``; anything else by ``idcard.parse``, which words the errors
        (a chunk with one is not written: its pieces are all blank)."""
        n = len(row_nos)
        column = self._column(cols, "id_number") or [""] * n
        parse_clean = idcard.parse_clean
        parsed: list[Any] = [parse_clean(raw) if type(raw) is str else None for raw in column]
        valid, rows = parsed, row_nos
        if None in parsed:
            for i, clean in enumerate(parsed):
                if clean is None:
                    parsed[i] = self._parse_id(row_nos[i], column[i])
            valid = [clean for clean in parsed if clean is not None]
            rows = [row_no for row_no, clean in zip(row_nos, parsed, strict=True) if clean is not None]
        numbers = [clean[0] for clean in valid]
        data = list(map(str.encode, numbers))
        macs = list(map(self.blind_indexer, data))
        # The first row of each number: a row that finds another row's there repeats it.
        firsts = list(map(self.seen.setdefault, macs, rows))
        if firsts != rows:
            for first, row_no in zip(firsts, rows, strict=True):
                if first != row_no:
                    self._error(row_no, "id_number", f"与第 {first} 行的身份证号重复")
        if len(valid) < n or self.issues:
            return [NULL_IDS] * n  # nothing of the chunk is written
        random = os.urandom(12 * n)
        nonces = [random[i : i + 12] for i in range(0, 12 * n, 12)]
        sealed = list(map(self.aead.encrypt, nonces, data, repeat(None)))
        return [
            f"\\\\x{nonce.hex()}{box.hex()}\t{mac.hex()}\t{mask_id_number(number)}\t{clean[1]}\t{clean[2]}".encode()
            for nonce, box, mac, number, clean in zip(nonces, sealed, macs, numbers, valid, strict=True)
        ]

    def _parse_id(self, row_no: int, raw: Any) -> tuple[str, str, str] | None:
        """(number, birth date, sex) of an ID cell that is not already clean, or None with the
        row's error recorded."""
        if raw == LOST_PRECISION or (type(raw) is float and raw >= 1e15):
            self._error(
                row_no, "id_number", "Excel 把身份证号存成了数字，后几位已丢失；请将该列设为“文本”格式后重新录入"
            )
            return None
        try:
            parsed = idcard.parse(raw)
        except idcard.IdNumberError as exc:
            self._error(row_no, "id_number", str(exc))
            return None
        return parsed.number, parsed.birth_date.isoformat(), parsed.sex

    def _households(
        self, row_nos: list[int], regions: list[str], columns: dict[str, list[str]], pids: range | None = None
    ) -> list[str]:
        """Household rules across the whole file: one poverty status, at most one head. Returns
        each row's household id where this writer numbers new households itself (``fresh``)."""
        n = len(row_nos)
        numbers = columns.get("household_number") or [NULL] * n
        poverty = columns.get("poverty_status") or [NULL] * n
        relation = columns.get("relation_to_head") or [NULL] * n
        households, heads = self.households, self.heads
        head_code = validation.HEAD_RELATION
        hids = [NULL] * n
        last_key: tuple[str, str] | None = None
        known: tuple[str, int, str] = (NULL, 0, NULL)
        for i in range(n):
            number = numbers[i]
            status = poverty[i]
            if number == NULL or number == "" or type(number) is _Bad:
                if status != NULL and status != "" and type(status) is not _Bad:
                    self._error(row_nos[i], "poverty_status", "贫困状态属于户，请同时填写户编号")
                continue
            key = (regions[i], number)
            if key != last_key:  # a household's members mostly follow each other
                found = households.get(key)
                if found is None:
                    hid = NULL
                    if self.next_hid is not None:
                        hid = str(self.next_hid)
                        self.next_hid += 1
                        self.new_households.append(key)
                    found = households[key] = (status, row_nos[i], hid)
                known, last_key = found, key
            if status != NULL and status != known[0]:
                if known[0] == NULL:
                    known = households[key] = (status, known[1], known[2])
                    if pids is not None:
                        self.touched.add(key)
                else:
                    self._error(
                        row_nos[i], "poverty_status", f"同一户（户编号 {number}）与第 {known[1]} 行的贫困状态不一致"
                    )
            hids[i] = known[2]
            if relation[i] == head_code:
                head = heads.get(key)
                if head is not None:
                    self._error(row_nos[i], "relation_to_head", f"同一户（户编号 {number}）第 {head} 行已是户主")
                else:
                    heads[key] = row_nos[i]
                    if pids is not None:
                        self.head_pids[key] = pids[i]
                        self.touched.add(key)
        return hids

    def _derive_columns(self, cols: list[tuple[Any, ...]], row_nos: list[int], columns: dict[str, list[str]]) -> None:
        sources = {rule["from"] for rules in self.derive.values() for rule in rules}
        source_columns = {s: self._column(cols, s) for s in sources}
        for key, rules in self.derive.items():
            existing = columns.get(key)
            cache = self.caches[key]
            out = list(existing) if existing else [NULL] * len(row_nos)
            for i in range(len(row_nos)):
                if out[i] != NULL:
                    continue
                raw = {s: normalise(col[i]) for s, col in source_columns.items() if col is not None}
                derived = _derive(rules, raw)
                if derived is not None:
                    value = cache[derived]
                    if type(value) is _Bad:
                        self._error(row_nos[i], key, value.message)
                    else:
                        out[i] = value
            columns[key] = out

    def finish(self, cursor: Any, *, write: bool) -> Counts:
        self._chunk()
        with self._clock("wait_db_s"):
            self._stop_thread()
        if self.thread is not None and self.thread.error is not None:
            raise self.thread.error
        self._word_deferred()
        cursor.execute("RESET enable_hashjoin")
        cursor.execute("RESET enable_mergejoin")
        if self.write:
            bulk_history_stop(cursor)
            for statement in self.restore_defaults:
                cursor.execute(statement)
            if self.next_hid is not None:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Household._meta.db_table, self.next_hid]
                )
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Person._meta.db_table, self.next_pid]
                )
            if self.rebuild and not self.issues:
                self._bulk_finish(cursor)
            self.db_extra["bulk_mode"] = int(bool(self.rebuild))
            self.db_extra["foreign_keys_dropped"] = len(self.foreign_keys)
            self.db_extra["indexes_rebuilt"] = len(self.rebuild)
        counts = Counts(rows=self.rows)
        if self.issues:
            return counts
        matched = self.db_counts["matched"]
        counts.created = self.rows - matched
        if self.policy == "skip":
            counts.skipped = matched
        elif self.policy == "update":
            counts.updated = self.db_counts["changed"]
            counts.unchanged = matched - counts.updated
        counts.extra = dict(self.db_extra)
        if write and self.write:
            self._audit(counts)
        return counts

    def _word_deferred(self) -> None:
        """Errors the reading process left to this one (``DEFERRED``), worded with the database."""
        worded: dict[str, str] = {}
        for issue in self.issues.items:
            if issue.message.startswith(DEFERRED):
                text = issue.message[len(DEFERRED) :]
                if text not in worded:
                    found = self.regions._resolve(text)
                    worded[text] = found.message if isinstance(found, _Bad) else "区划代码无法识别"
                issue.message = worded[text]

    # --- the database thread ------------------------------------------------------------------
    def _fresh_chunk(
        self,
        cursor: Any,
        people: bytes,
        first_pid: int,
        last_pid: int,
        households: bytes,
        first_hid: int,
        last_hid: int,
        updates: list[tuple[int, str | None, int | None]],
    ) -> None:
        """A fresh registry's chunk (``_fresh_job``): COPY into the tables themselves, then the
        history events of the rows just copied, read back by their id range."""
        if self.issues:
            return
        hh, people_table, ctx = Household._meta.db_table, Person._meta.db_table, self.context_id
        if households:
            with self._clock("db_household_copy_s"):
                with cursor.copy(
                    f"COPY {hh} (id, region_id, number, poverty_status, head_id, address, notes) FROM STDIN"
                ) as copy:
                    copy.write(households)
            with self._clock("db_household_events_s"):
                self._add(
                    "households_created",
                    bulk_record_inserted(cursor, Household, context_id=ctx, first_id=first_hid, last_id=last_hid),
                )
        columns = ", ".join(PERSON_FIELDS)
        with self._clock("db_person_copy_s"):
            with cursor.copy(
                f"COPY {people_table} (id, name, name_initials, id_number_enc, id_number_hash, id_number_masked, "
                f"birth_date, sex, region_id, household_id, {columns}) FROM STDIN"
            ) as copy:
                copy.write(people)
        with self._clock("db_person_events_s"):
            self._add(
                "people_created",
                bulk_record_inserted(cursor, Person, context_id=ctx, first_id=first_pid, last_id=last_pid),
            )
        if updates:
            with self._clock("db_household_update_s"):
                self._add(
                    "households_updated",
                    bulk_write(
                        cursor,
                        Household,
                        label="update",
                        context_id=ctx,
                        sql=(
                            f"UPDATE {hh} AS t SET poverty_status = COALESCE(v.status, t.poverty_status), "
                            f"head_id = COALESCE(v.head, t.head_id), updated_at = now() "
                            f"FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS v(id, status, head) "
                            f"WHERE t.id = v.id AND (COALESCE(v.status, t.poverty_status) <> t.poverty_status "
                            f"OR COALESCE(v.head, t.head_id) IS DISTINCT FROM t.head_id) RETURNING t.*"
                        ),
                        params=[[u[0] for u in updates], [u[1] for u in updates], [u[2] for u in updates]],
                    ),
                )

    def _database_chunk(self, cursor: Any, text: bytes) -> None:
        """One chunk: staged by COPY, then read once into ``imp_chunk`` with its match in the
        registry by ID number (the person's id into ``pid``, a new id for a new person) and its
        household's id where the household exists (``hid``), then written. Every statement joins
        by an index lookup per staged row (see ``start``)."""
        names = ", ".join(STAGE_COLUMNS)
        with self._clock("db_copy_s"):
            cursor.execute("TRUNCATE imp_raw, imp_chunk")
            with cursor.copy(f"COPY imp_raw ({names}) FROM STDIN") as copy:
                copy.write(text)
        raw = ", ".join(f"r.{name}" for name in STAGE_COLUMNS)
        with self._clock("db_match_s"):
            cursor.execute(
                f"WITH staged AS (INSERT INTO imp_chunk (pid, matched, current_region, current_name, hid, {names}) "
                f"SELECT COALESCE(p.id, nextval('{self.person_sequence}'::regclass)), p.id IS NOT NULL, "
                f"p.region_id, p.name, h.id, {raw} FROM imp_raw r "
                f"LEFT JOIN {Person._meta.db_table} p ON p.id_number_hash = r.id_hash "
                f"LEFT JOIN {Household._meta.db_table} h ON h.region_id = r.region_id "
                f"AND h.number = r.household_number RETURNING matched) "
                "SELECT count(*) FILTER (WHERE matched) FROM staged"
            )
            matched = int(cursor.fetchone()[0])
            self.db_counts["matched"] += matched
            if matched:
                self._check_matches(cursor)
        if self.write and not self.issues:
            self._write_chunk(cursor, matched)
        elif matched and self.policy == "update":
            # The check counts the people that would change, and per column how many: the
            # commit's bulk mode rebuilds only the indexes over columns that change (``_bulk_mode``).
            changes = self._column_changes()
            counted = ", ".join(f"count(*) FILTER (WHERE {condition})" for condition in changes.values())
            cursor.execute(
                f"SELECT count(*) FILTER (WHERE {self._changed_sql()}), {counted} "
                f"FROM imp_chunk s JOIN {Person._meta.db_table} t ON t.id = s.pid WHERE s.matched"
            )
            changed, *per_column = cursor.fetchone()
            self.db_counts["changed"] += changed
            self.db_extra[COLUMNS_COUNTED] = 1
            for column, count in zip(changes, per_column, strict=True):
                if count:
                    self._add(f"{CHANGED_PREFIX}{column}", count)

    def _lookup_households(self, cursor: Any) -> None:
        with self._clock("db_household_lookup_s"):
            cursor.execute(
                f"UPDATE imp_chunk s SET hid = h.id FROM {Household._meta.db_table} h "
                "WHERE s.hid IS NULL AND h.region_id = s.region_id AND h.number = s.household_number"
            )

    def _check_matches(self, cursor: Any) -> None:
        cursor.execute(
            "SELECT s.row_no, s.current_region, s.current_name, r.full_name "
            "FROM imp_chunk s JOIN regions_region r ON r.code = s.current_region "
            "WHERE s.matched AND (NOT starts_with(s.current_region, %s) "
            "OR (%s AND s.current_region <> s.region_id) OR %s) ORDER BY s.row_no LIMIT %s",
            [self.regions.prefix, self.policy == "update", self.policy == "refuse", ISSUE_CAP + 1],
        )
        for row_no, current, current_name, full_name in cursor.fetchall():
            if not current.startswith(self.regions.prefix):
                message = f"该号码已在「{full_name}」登记，不能重复登记；如本人已迁入，请联系上级主管部门办理迁移"
                self._error(row_no, "id_number", message)
            elif self.policy == "refuse":
                self._error(
                    row_no, "id_number", f"该号码已登记（{current_name}，{full_name}）；所选方式为遇已登记人员报错"
                )
            else:
                self._error(
                    row_no,
                    "region",
                    f"此人已登记在「{full_name}」，与本行填写的村组不同；变更村组请在人员页面办理「迁移」",
                )

    @staticmethod
    def _column_changes() -> dict[str, str]:
        """Person column -> the condition under which a matched row changes it (blank cells
        change nothing; the name's initials follow the name)."""
        changes = {key: f"(s.{key} IS NOT NULL AND s.{key} IS DISTINCT FROM t.{key})" for key in PERSON_FIELDS}
        changes["name"] = changes["name_initials"] = "(s.name IS DISTINCT FROM t.name)"
        changes["household_id"] = "(s.hid IS NOT NULL AND s.hid IS DISTINCT FROM t.household_id)"
        return changes

    def _changed_sql(self) -> str:
        """A matched row would change its person."""
        return "(" + " OR ".join(dict.fromkeys(self._column_changes().values())) + ")"

    def _add(self, key: str, value: int) -> None:
        self.db_extra[key] = self.db_extra.get(key, 0) + value

    def _write_chunk(self, cursor: Any, matched: int) -> None:
        hh, people = Household._meta.db_table, Person._meta.db_table
        ctx = self.context_id

        def write(cursor: Any, model: Any, *, label: str, **kwargs: Any) -> int:
            with self._clock(f"db_{model._meta.model_name}_{label}_s"):
                return bulk_write(cursor, model, label=label, **kwargs)

        # Households of this chunk: new ones with their head (a person id drawn for the row),
        # known ones get a new poverty status or head when the file gives one.
        grouped = (
            "SELECT s.region_id, s.household_number, max(s.poverty_status) AS poverty_status, "
            f"max(s.pid) FILTER (WHERE s.relation_to_head = '{validation.HEAD_RELATION}') AS head "
            "FROM imp_chunk s WHERE s.household_number IS NOT NULL AND s.hid IS NULL GROUP BY 1, 2"
        )
        by_id = (
            "SELECT s.hid, max(s.poverty_status) AS poverty_status, "
            f"max(s.pid) FILTER (WHERE s.relation_to_head = '{validation.HEAD_RELATION}') AS head "
            "FROM imp_chunk s WHERE s.hid IS NOT NULL GROUP BY 1"
        )
        self._add(
            "households_created",
            write(
                cursor,
                Household,
                label="insert",
                context_id=ctx,
                sql=(
                    f"INSERT INTO {hh} AS t (region_id, number, poverty_status, head_id, address, notes, "
                    f"created_at, updated_at) SELECT g.region_id, g.household_number, "
                    f"COALESCE(g.poverty_status, 'general'), g.head, '', '', now(), now() FROM ({grouped}) g "
                    "ON CONFLICT (region_id, number) DO NOTHING RETURNING t.*"
                ),
            ),
        )
        self._lookup_households(cursor)
        if self.policy == "update" and matched:
            sets = ", ".join(f"{key} = COALESCE(s.{key}, t.{key})" for key in PERSON_FIELDS)
            self.db_counts["changed"] += write(
                cursor,
                Person,
                label="update",
                context_id=ctx,
                sql=(
                    f"UPDATE {people} AS t SET name = s.name, name_initials = s.name_initials, {sets}, "
                    f"household_id = COALESCE(s.hid, t.household_id), version = t.version + 1, updated_at = now() "
                    f"FROM imp_chunk s WHERE t.id = s.pid AND s.matched AND {self._changed_sql()} RETURNING t.*"
                ),
            )
        defaults = {key: _sql_default(self._new_default(key)) for key in PERSON_FIELDS}
        columns = ", ".join(PERSON_FIELDS)
        values = ", ".join(f"COALESCE(s.{key}, {defaults[key]})" for key in PERSON_FIELDS)
        self._add(
            "people_created",
            write(
                cursor,
                Person,
                label="insert",
                context_id=ctx,
                sql=(
                    f"INSERT INTO {people} AS t (id, name, name_initials, id_number_enc, id_number_hash, "
                    f"id_number_masked, birth_date, sex, region_id, household_id, version, stint_count, "
                    f"early_return_count, created_at, updated_at, {columns}) "
                    f"SELECT s.pid, s.name, s.name_initials, s.id_enc, s.id_hash, s.id_masked, s.birth_date, s.sex, "
                    f"s.region_id, s.hid, 1, 0, 0, now(), now(), {values} FROM imp_chunk s "
                    f"WHERE NOT s.matched RETURNING t.*"
                ),
            ),
        )
        self._add(
            "households_updated",
            write(
                cursor,
                Household,
                label="update",
                context_id=ctx,
                sql=(
                    f"UPDATE {hh} AS t SET poverty_status = COALESCE(g.poverty_status, t.poverty_status), "
                    f"head_id = COALESCE(g.head, t.head_id), updated_at = now() FROM ({by_id}) g "
                    f"WHERE t.id = g.hid "
                    f"AND (COALESCE(g.poverty_status, t.poverty_status) <> t.poverty_status "
                    f"OR COALESCE(g.head, t.head_id) IS DISTINCT FROM t.head_id) RETURNING t.*"
                ),
            ),
        )

    def _audit(self, counts: Counts) -> None:
        options = self.ctx.options
        audit_record(
            event=AuditEventType.IMPORT,
            user=self.ctx.user,
            ip=options.get("ip", ""),
            object_type="imports.importjob",
            object_id=str(options.get("job_id") or ""),
            object_repr=str(options.get("filename", ""))[:200],
            detail={
                "target": "person",
                "profile": self.profile.key,
                "policy": self.policy,
                "file_sha256": options.get("file_sha256", ""),
                "rows": counts.rows,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "skipped": counts.skipped,
                **counts.extra,
            },
        )


class PersonTarget:
    """People and households from a ledger file (劳动力资源台帐 / 富余劳动力资源台帐)."""

    key = "person"
    label = "劳动力"
    capability = "registry.import"
    raw_cells = True  # the writer normalises column by column (engine.py)

    def writer(self, context: ImportContext) -> PersonWriter:
        return PersonWriter(context)

    def template(self, *, profile: Any, ledger: str, user: Any) -> bytes:
        from laowu.workers.ledger_xlsx import ledger_template

        return ledger_template(profile=profile, ledger=ledger, user=user)
