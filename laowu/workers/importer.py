"""The registry's import target: ledger rows → people and households, at a million rows a go.

Each row is cleaned by the rules of ``validation.py`` (the one place for person data rules;
values that repeat — codes, villages, names — are cleaned once per distinct text), then streamed
with COPY into a temporary table. ``finish`` checks the whole file against itself and the
registry (duplicate ID numbers, people registered elsewhere, transfers, the chosen policy for
people already registered) and, if nothing is wrong, writes households and people with a few
set-based statements, each recording its history events (``core/history.py``).

Blank cells: a new person gets the field's default; an existing person keeps what they had
(an import never erases data it was not given).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from typing import Any

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core import crypto, idcard
from laowu.core.history import bulk_history, bulk_write
from laowu.core.masking import mask_id_number
from laowu.core.scope import scope_prefix
from laowu.imports.engine import ISSUE_CAP, Counts, ImportContext
from laowu.imports.reader import LOST_PRECISION
from laowu.regions.models import Region, RegionLevel
from laowu.workers import validation
from laowu.workers.models import Household, LaborStatus, Person
from laowu.workers.selectors import Ledger
from laowu.workers.validation import FieldError

# Staging columns, in COPY order. NULL (\N) = blank in the file.
STAGE_COLUMNS = (
    ("row_no", "integer"),
    ("id_hash", "text"),
    ("id_enc", "bytea"),
    ("id_masked", "text"),
    ("birth_date", "date"),
    ("sex", "text"),
    ("name", "text"),
    ("name_initials", "text"),
    ("region_id", "text"),
    ("household_number", "text"),
    ("poverty_status", "text"),
    ("ethnicity", "text"),
    ("education", "text"),
    ("health", "text"),
    ("political_status", "text"),
    ("phone", "text"),
    ("relation_to_head", "text"),
    ("trades", "text[]"),
    ("labor_status", "text"),
    ("wants_to_go_out", "boolean"),
    ("preferred_destinations", "text[]"),
    ("preferred_trades", "text[]"),
    ("available_from", "date"),
    ("notes", "text"),
)
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
_ARRAYS = {"trades", "preferred_trades", "preferred_destinations"}
_CACHED = {key for key in validation.RULES if key not in ("phone", "notes")}
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
FLUSH_BYTES = 1 << 20


def _stage_type(name: str, fallback: str) -> str:
    """The person column's own type where there is one (varchar(8)[] = varchar(8)[] compares)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import connection

    try:
        return str(Person._meta.get_field(name).db_type(connection))
    except FieldDoesNotExist:
        return fallback


def _sql_default(key: str) -> str:
    default = validation.RULES[key][1]
    if default is None:
        return "NULL"
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, list):
        return "'{}'"
    return f"'{default}'"


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return "{" + ",".join(value) + "}"  # codes only: digits and letters
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).translate(_ESCAPE)


class RegionResolver:
    """A row's village or group, from a code, a village name, or county/township/village names:
    one query per distinct text, always inside the user's subtree."""

    def __init__(self, user: Any) -> None:
        prefix = scope_prefix(user)
        self.prefix = "" if prefix is None else prefix
        self.allowed = prefix is not None
        self.cache: dict[Any, tuple[str, str] | FieldError] = {}

    def _scoped(self) -> Any:
        qs = Region.objects.filter(level__in=(RegionLevel.VILLAGE, RegionLevel.GROUP))
        return qs.filter(code__startswith=self.prefix) if self.prefix else qs

    def resolve(self, text: str) -> tuple[str, str]:
        """(code, full name) or raises FieldError."""
        found = self.cache.get(text)
        if found is None:
            try:
                found = self._resolve(text)
            except FieldError as exc:
                found = exc
            self.cache[text] = found
        if isinstance(found, FieldError):
            raise found
        return found

    def _resolve(self, text: str) -> tuple[str, str]:
        if not self.allowed:
            raise FieldError("您没有可管辖的区划")
        code = idcard.normalise(text)
        if code.isdigit():
            validation.rule_region(code)
            region = Region.objects.filter(code=code).only("code", "level", "full_name", "name").first()
            if region is None:
                raise FieldError(f"区划代码 {code} 不存在（请先导入村组名单）")
            if region.level not in (RegionLevel.VILLAGE, RegionLevel.GROUP):
                raise FieldError(f"「{region.full_name or region.name}」不是村或组")
            if not code.startswith(self.prefix):
                raise FieldError(f"「{region.full_name or region.name}」不在您的管辖范围内")
            return region.code, region.full_name or region.name
        matches = list(self._scoped().filter(name=text).values_list("code", "full_name")[:6])
        if not matches:
            matches = list(self._scoped().filter(full_name__endswith=text).values_list("code", "full_name")[:6])
        if not matches:
            if Region.objects.filter(level=RegionLevel.VILLAGE, name=text).exists():
                raise FieldError(f"「{text}」不在您的管辖范围内")
            raise FieldError(f"在您的辖区内找不到村（社区）或组「{text}」，请填写 12 位区划代码")
        if len(matches) > 1:
            names = "、".join(f"{full}（{code}）" for code, full in matches[:5])
            raise FieldError(f"「{text}」有多个同名村组：{names}，请填写区划代码")
        return matches[0][0], matches[0][1]

    def resolve_names(self, county: str, township: str, village: str) -> tuple[str, str]:
        key = (county, township, village)
        found = self.cache.get(key)
        if found is None:
            try:
                found = self._resolve_names(county, township, village)
            except FieldError as exc:
                found = exc
            self.cache[key] = found
        if isinstance(found, FieldError):
            raise found
        return found

    def _resolve_names(self, county: str, township: str, village: str) -> tuple[str, str]:
        if not village:
            raise FieldError("行政村不能为空")
        qs = self._scoped().filter(level=RegionLevel.VILLAGE, name=village)
        if township:
            qs = qs.filter(parent__name=township)
        if county:
            qs = qs.filter(parent__parent__name=county)
        matches = list(qs.values_list("code", "full_name")[:3])
        where = "".join(p for p in (county, township) if p)
        if not matches:
            raise FieldError(f"在您的辖区内找不到「{where}{village}」（请先导入该乡镇的村组名单）")
        if len(matches) > 1:
            raise FieldError(f"「{where}{village}」有多个同名村，请在文件中填写县、乡名称")
        return matches[0][0], matches[0][1]


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


class PersonWriter:
    """Validates rows into the staging table; ``finish`` checks and writes (see module doc)."""

    def __init__(self, context: ImportContext) -> None:
        self.ctx = context
        self.issues = context.issues
        self.profile = context.profile
        self.policy = context.options.get("policy", "update")
        ledger = context.options.get("ledger", Ledger.RESOURCE)
        self.new_defaults = {"labor_status": LaborStatus.SURPLUS} if ledger == Ledger.SURPLUS else {}
        self.plan = sorted(context.header.columns.items())
        self.fields = {f for _, f in self.plan}
        self.label = {f: context.header.headers.get(i, self.profile.label_of(f)) for i, f in self.plan}
        self.regions = RegionResolver(context.user)
        self.region_by_names = self.profile.region.get("by") == "names"
        self.region_fields = tuple(self.profile.region.get("fields", ()))
        self.value_maps = self.profile.value_maps
        self.derive = self.profile.derive
        self.caches: dict[str, dict[str, Any]] = {key: {} for key in _CACHED}
        self.name_cache: dict[str, Any] = {}
        self.seen: dict[bytes, int] = {}
        self.households: dict[tuple[str, str], tuple[str | None, int]] = {}
        self.heads: dict[tuple[str, str], int] = {}
        self.rows = 0
        self.buffer: list[str] = []
        self.buffered = 0
        self.cursor: Any = None
        self.index_key = crypto._index_key()
        self.encrypt = crypto.encrypt

    # --- streaming ----------------------------------------------------------------------
    def start(self, cursor: Any) -> None:
        columns = ", ".join(f"{name} {_stage_type(name, kind)}" for name, kind in STAGE_COLUMNS)
        # Dropped at commit; dropped first too, for a caller's transaction that ran one before.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.imp_person, pg_temp.imp_match")
        cursor.execute(f"CREATE TEMP TABLE imp_person ({columns}) ON COMMIT DROP")
        self.cursor = cursor

    def _flush(self) -> None:
        """One COPY per megabyte of rows: between them the connection is free for the lookups
        that validation makes (a village seen for the first time)."""
        if self.buffer:
            names = ", ".join(n for n, _ in STAGE_COLUMNS)
            with self.cursor.cursor.copy(f"COPY imp_person ({names}) FROM STDIN") as copy:
                copy.write("".join(self.buffer))
            self.buffer.clear()
            self.buffered = 0

    def _error(self, row_no: int, key: str, message: str) -> None:
        self.issues.add(row_no, self.label.get(key) or validation.LABELS.get(key, key), message)

    def _clean(self, row_no: int, key: str, text: str) -> Any:
        mapped = self.value_maps.get(key)
        if mapped and text in mapped:
            text = mapped[text]
        cache = self.caches.get(key)
        if cache is not None:
            value = cache.get(text)
            if value is None:
                try:
                    value = validation.RULES[key][0](text)
                except FieldError as exc:
                    value = exc
                cache[text] = value
        else:
            try:
                value = validation.RULES[key][0](text)
            except FieldError as exc:
                value = exc
        if isinstance(value, FieldError):
            self._error(row_no, key, str(value))
            return None
        return value

    def feed(self, row_no: int, cells: list[str]) -> None:
        self.rows += 1
        width = len(cells)
        raw = {f: cells[i] for i, f in self.plan if i < width and cells[i]}
        ok = True
        errors_before = self.issues.count
        # Name.
        name_text = raw.get("name", "")
        name = initials = None
        if not name_text:
            self._error(row_no, "name", "不能为空")
        else:
            cached = self.name_cache.get(name_text)
            if cached is None:
                try:
                    clean = validation.rule_name(name_text)
                    cached = (clean, validation.name_initials(clean))
                except FieldError as exc:
                    cached = exc
                if len(self.name_cache) < 500_000:
                    self.name_cache[name_text] = cached
            if isinstance(cached, FieldError):
                self._error(row_no, "name", str(cached))
            else:
                name, initials = cached
        # ID number: birth date and sex come from it.
        id_text = raw.get("id_number", "")
        number = None
        if id_text == LOST_PRECISION:
            self._error(
                row_no, "id_number", "Excel 把身份证号存成了数字，后几位已丢失；请将该列设为“文本”格式后重新录入"
            )
        else:
            try:
                parsed = idcard.parse(id_text)
                number = parsed.number
                birth, sex = parsed.birth_date.isoformat(), parsed.sex
            except idcard.IdNumberError as exc:
                self._error(row_no, "id_number", str(exc))
        # Village or group.
        region = None
        try:
            if self.region_by_names:
                county, township, village = (raw.get(f, "") for f in self.region_fields)
                region, _ = self.regions.resolve_names(county, township, village)
            elif raw.get("region"):
                region, _ = self.regions.resolve(raw["region"])
            else:
                self._error(row_no, "region", "不能为空")
        except FieldError as exc:
            self._error(row_no, self.region_fields[-1] if self.region_by_names else "region", str(exc))
        # Coded and free fields.
        values: dict[str, Any] = {}
        for key in PERSON_FIELDS:
            text = raw.get(key)
            if text:
                value = self._clean(row_no, key, text)
                if value is not None:
                    values[key] = value
        for key in ("household_number", "poverty_status"):
            text = raw.get(key)
            if text:
                value = self._clean(row_no, key, text)
                if value is not None:
                    values[key] = value
        for key, rules in self.derive.items():
            if key not in values:
                derived = _derive(rules, raw)
                if derived is not None:
                    value = self._clean(row_no, key, derived)
                    if value is not None:
                        values[key] = value
        if self.issues.count != errors_before:
            ok = False
        if number is not None:
            digest = hmac.digest(self.index_key, number.encode(), hashlib.sha256)
            first = self.seen.get(digest)
            if first is not None:
                self._error(row_no, "id_number", f"与第 {first} 行的身份证号重复")
                ok = False
            else:
                self.seen[digest] = row_no
        household = values.get("household_number")
        if region and household:
            hh_key = (region, household)
            poverty = values.get("poverty_status")
            known = self.households.get(hh_key)
            if known is None:
                self.households[hh_key] = (poverty, row_no)
            elif poverty and known[0] and poverty != known[0]:
                self._error(row_no, "poverty_status", f"同一户（户编号 {household}）与第 {known[1]} 行的贫困状态不一致")
                ok = False
            elif poverty and not known[0]:
                self.households[hh_key] = (poverty, known[1])
            if values.get("relation_to_head") == validation.HEAD_RELATION:
                head = self.heads.get(hh_key)
                if head is not None:
                    self._error(row_no, "relation_to_head", f"同一户（户编号 {household}）第 {head} 行已是户主")
                    ok = False
                else:
                    self.heads[hh_key] = row_no
        elif values.get("poverty_status") and not household:
            self._error(row_no, "poverty_status", "贫困状态属于户，请同时填写户编号")
            ok = False
        if not ok or self.issues:
            return  # once anything is wrong nothing is written: stop staging, keep checking
        assert number is not None and region is not None
        line = [
            str(row_no),
            digest.hex(),
            "\\\\x" + self.encrypt(number).hex(),
            mask_id_number(number),
            birth,
            sex,
            _copy_text(name),
            _copy_text(initials),
            region,
        ]
        line.extend(_copy_text(values.get(key)) for key, _ in STAGE_COLUMNS[9:])
        text = "\t".join(line) + "\n"
        self.buffer.append(text)
        self.buffered += len(text)
        if self.buffered >= FLUSH_BYTES:
            self._flush()

    # --- checks and writes ----------------------------------------------------------------
    def finish(self, cursor: Any, *, write: bool) -> Counts:
        self._flush()
        counts = Counts(rows=self.rows)
        if self.issues:
            return counts
        cursor.execute("ANALYZE imp_person")
        cursor.execute(
            "CREATE TEMP TABLE imp_match ON COMMIT DROP AS "
            "SELECT s.row_no, p.id AS person_id, p.region_id AS current_region, p.name AS current_name "
            "FROM imp_person s JOIN workers_person p ON p.id_number_hash = s.id_hash"
        )
        cursor.execute("SELECT count(*) FROM imp_match")
        matched = cursor.fetchone()[0]
        if matched:
            cursor.execute("ANALYZE imp_match")
            self._check_matches(cursor)
        if self.issues:
            return counts
        counts.created = self.rows - matched
        if self.policy == "skip":
            counts.skipped = matched
        elif matched:
            cursor.execute(
                f"SELECT count(*) FROM imp_person s JOIN imp_match m ON m.row_no = s.row_no "
                f"JOIN workers_person t ON t.id = m.person_id "
                f"LEFT JOIN workers_household h ON h.region_id = s.region_id AND h.number = s.household_number "
                f"WHERE {self._changed_sql()}"
            )
            counts.updated = cursor.fetchone()[0]
            counts.unchanged = matched - counts.updated
        if not write:
            return counts
        self._write(cursor, counts)
        return counts

    def _check_matches(self, cursor: Any) -> None:
        prefix = self.regions.prefix
        cursor.execute(
            "SELECT m.row_no, m.current_region, m.current_name, r.full_name "
            "FROM imp_match m JOIN imp_person s ON s.row_no = m.row_no "
            "JOIN regions_region r ON r.code = m.current_region "
            "WHERE NOT starts_with(m.current_region, %s) OR (%s AND m.current_region <> s.region_id) OR %s "
            "ORDER BY m.row_no LIMIT %s",
            [prefix, self.policy == "update", self.policy == "refuse", ISSUE_CAP + 1],
        )
        for row_no, current, current_name, full_name in cursor.fetchall():
            if not current.startswith(prefix):
                self._error(
                    row_no,
                    "id_number",
                    f"该号码已在「{full_name}」登记，不能重复登记；如本人已迁入，请联系上级主管部门办理迁移",
                )
            elif self.policy == "refuse":
                self._error(
                    row_no, "id_number", f"该号码已登记（{current_name}，{full_name}）；所选方式为遇已登记人员报错"
                )
            elif self.policy == "update":
                self._error(
                    row_no,
                    "region",
                    f"此人已登记在「{full_name}」，与本行填写的村组不同；变更村组请在人员页面办理「迁移」",
                )

    def _changed_sql(self) -> str:
        """A matched row would change its person (blank cells change nothing)."""
        parts = [f"(s.{key} IS NOT NULL AND s.{key} IS DISTINCT FROM t.{key})" for key in PERSON_FIELDS]
        parts.append("(s.name IS DISTINCT FROM t.name)")
        parts.append("(h.id IS NOT NULL AND h.id IS DISTINCT FROM t.household_id)")
        return "(" + " OR ".join(parts) + ")"

    def _write(self, cursor: Any, counts: Counts) -> None:
        user = self.ctx.user
        metadata = {
            "source": "import",
            "user": getattr(user, "pk", None),
            "username": getattr(user, "username", ""),
            "import_job": self.ctx.options.get("job_id"),
        }
        hh_table = Household._meta.db_table
        p_table = Person._meta.db_table
        with bulk_history(cursor, metadata=metadata) as context_id:
            # Households the file names that do not exist yet.
            counts.extra["households_created"] = bulk_write(
                cursor,
                Household,
                label="insert",
                context_id=context_id,
                sql=(
                    f"INSERT INTO {hh_table} AS t (region_id, number, poverty_status, address, notes, "
                    f"created_at, updated_at) "
                    f"SELECT DISTINCT ON (region_id, household_number) region_id, household_number, "
                    f"COALESCE(poverty_status, 'general'), '', '', now(), now() FROM imp_person "
                    f"WHERE household_number IS NOT NULL AND household_number <> '' "
                    f"ORDER BY region_id, household_number, poverty_status NULLS LAST "
                    f"ON CONFLICT (region_id, number) DO NOTHING RETURNING t.*"
                ),
            )
            counts.extra["households_updated"] = bulk_write(
                cursor,
                Household,
                label="update",
                context_id=context_id,
                sql=(
                    f"UPDATE {hh_table} AS t SET poverty_status = s.poverty_status, updated_at = now() "
                    f"FROM (SELECT DISTINCT region_id, household_number, poverty_status FROM imp_person "
                    f"WHERE poverty_status IS NOT NULL AND household_number IS NOT NULL) s "
                    f"WHERE t.region_id = s.region_id AND t.number = s.household_number "
                    f"AND t.poverty_status <> s.poverty_status RETURNING t.*"
                ),
            )
            defaults = {key: _sql_default(key) for key in PERSON_FIELDS}
            for key, value in self.new_defaults.items():
                defaults[key] = f"'{value}'"
            insert_cols = ", ".join(PERSON_FIELDS)
            insert_vals = ", ".join(f"COALESCE(s.{key}, {defaults[key]})" for key in PERSON_FIELDS)
            counts.created = bulk_write(
                cursor,
                Person,
                label="insert",
                context_id=context_id,
                sql=(
                    f"INSERT INTO {p_table} AS t (name, name_initials, id_number_enc, id_number_hash, "
                    f"id_number_masked, birth_date, sex, region_id, household_id, version, stint_count, early_return_count, "
                    f"created_at, updated_at, "
                    f"{insert_cols}) "
                    f"SELECT s.name, s.name_initials, s.id_enc, s.id_hash, s.id_masked, s.birth_date, s.sex, "
                    f"s.region_id, h.id, 1, 0, 0, now(), now(), {insert_vals} "
                    f"FROM imp_person s LEFT JOIN {hh_table} h "
                    f"ON h.region_id = s.region_id AND h.number = s.household_number "
                    f"WHERE NOT EXISTS (SELECT 1 FROM imp_match m WHERE m.row_no = s.row_no) "
                    f"ORDER BY s.row_no RETURNING t.*"
                ),
            )
            if self.policy == "update" and counts.updated:
                sets = ", ".join(f"{key} = COALESCE(s.{key}, t.{key})" for key in PERSON_FIELDS)
                counts.updated = bulk_write(
                    cursor,
                    Person,
                    label="update",
                    context_id=context_id,
                    sql=(
                        f"UPDATE {p_table} AS t SET name = s.name, name_initials = s.name_initials, {sets}, "
                        f"household_id = COALESCE(h.id, t.household_id), version = t.version + 1, "
                        f"updated_at = now() "
                        f"FROM imp_person s JOIN imp_match m ON m.row_no = s.row_no "
                        f"LEFT JOIN {hh_table} h ON h.region_id = s.region_id AND h.number = s.household_number "
                        f"WHERE t.id = m.person_id AND {self._changed_sql()} RETURNING t.*"
                    ),
                )
            counts.extra["heads_set"] = bulk_write(
                cursor,
                Household,
                label="update",
                context_id=context_id,
                sql=(
                    f"UPDATE {hh_table} AS t SET head_id = p.id, updated_at = now() "
                    f"FROM imp_person s JOIN {p_table} p ON p.id_number_hash = s.id_hash "
                    f"WHERE s.relation_to_head = '{validation.HEAD_RELATION}' AND t.region_id = s.region_id "
                    f"AND t.number = s.household_number AND t.head_id IS DISTINCT FROM p.id RETURNING t.*"
                ),
            )
        audit_record(
            event=AuditEventType.IMPORT,
            user=user,
            ip=self.ctx.options.get("ip", ""),
            object_type="imports.importjob",
            object_id=str(self.ctx.options.get("job_id") or ""),
            object_repr=str(self.ctx.options.get("filename", ""))[:200],
            detail={
                "target": "person",
                "profile": self.profile.key,
                "policy": self.policy,
                "file_sha256": self.ctx.options.get("file_sha256", ""),
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

    def writer(self, context: ImportContext) -> PersonWriter:
        return PersonWriter(context)

    def template(self, *, profile: Any, ledger: str, user: Any) -> bytes:
        from laowu.workers.ledger_xlsx import ledger_template

        return ledger_template(profile=profile, ledger=ledger, user=user)
