"""The 外出务工台帐 import target: ledger rows → stints (务工记录) of people already registered.

A row names a person (ID number, cross-checked by name and, where given, village), a period away
(外出时间 to 返乡时间) and where and for whom. A row whose person and start date match an existing
stint updates it (blank cells keep what it had); any other row creates a stint. Every stint rule
is the one in ``services.py`` (destination scope from region codes, end after start, no overlap
with another stint of the same person — in the database or elsewhere in the file — and the wage
rule); the person's labor status then follows by ``labor_status_sync``, one call for everyone.

Rows go through the ORM in a few bulk statements rather than the registry's COPY machinery:
a township's away ledger has hundreds to a few thousand rows, not a million, so each row's
pghistory trigger records its own history (in the import's audit context) and the whole file
still takes a handful of queries: one per distinct village, destination, employer or agency text,
then one each for the people, their stints and wages, and the bulk writes.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core import crypto, idcard
from laowu.core.codetables import code_table
from laowu.core.masking import mask_id_number
from laowu.core.scope import scope_prefix
from laowu.imports.engine import Counts, ImportContext
from laowu.imports.reader import LOST_PRECISION
from laowu.placements import services
from laowu.placements.choices import Channel, Industry, WageReporter
from laowu.placements.models import Stint, StintWage
from laowu.regions.models import Region, RegionLevel
from laowu.workers import validation
from laowu.workers.importer import RegionResolver
from laowu.workers.models import Person
from laowu.workers.validation import FieldError

# Fields the ledger's columns give a stint (besides person, start date, employer and agency).
_STINT_VALUES = ("channel", "destination_id", "industry", "trade", "occupation", "end_date", "end_reason", "notes")
# What a stint row changes, compared to decide updated / unchanged.
_COMPARED = (*services.STINT_FIELDS, "employer_id", "agency_id", "destination_scope")
_UPDATE_FIELDS = [
    "channel",
    "employer",
    "agency",
    "employer_name",
    "destination",
    "destination_scope",
    "industry",
    "trade",
    "occupation",
    "end_date",
    "end_reason",
    "notes",
    "updated_at",
]
# Model field (as named in a ValidationError) -> the profile field whose column it came from.
_ERROR_FIELD = {
    "destination": "destination",
    "destination_id": "destination",
    "destination_scope": "destination",
    "end_date": "end_date",
    "start_date": "start_date",
    "channel": "channel",
    "industry": "industry",
    "trade": "trade",
    "occupation": "occupation",
    "end_reason": "end_reason",
    "employer_name": "employer",
    "notes": "notes",
    "month": "wage_month",
    "amount": "wage",
}
# The fields full_clean leaves to this module (resolved in bulk above) or to the database.
_CLEAN_EXCLUDE = ["person", "application", "employer", "agency", "destination", "region"]
_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?|\s*月?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_MONEY_NOISE = str.maketrans({",": "", "，": "", "元": "", " ": "", "￥": "", "¥": ""})
EXCEL_EPOCH = datetime.date(1899, 12, 30)


# --- cell rules -------------------------------------------------------------------------------


def rule_date(text: str, *, month_only: bool = False) -> datetime.date:
    """A date as township files write it: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日, 20260301,
    an Excel serial number, or only year and month (2026-03, 2026年3月) for the 1st of the month."""
    text = text.strip()
    if text.isdigit() and 20000 <= int(text) <= 80000:  # an Excel date serial typed as a number
        serial = EXCEL_EPOCH + datetime.timedelta(days=int(text))
        return serial.replace(day=1) if month_only else serial
    text = text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    match = _DATE_PARTS.match(text) or _COMPACT_DATE.match(text)
    if match:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
        if month_only:
            day = 1
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            pass
        else:
            if 1950 <= value.year <= 2100:
                return value
    example = "2026-03" if month_only else "2026-03-01"
    raise FieldError(f"「{text}」不是有效日期（格式 {example}）")


def rule_money(text: str) -> Decimal:
    try:
        value = Decimal(text.translate(_MONEY_NOISE))
    except InvalidOperation:
        raise FieldError(f"「{text}」不是有效金额（填写数字，如 4500）") from None
    if not value.is_finite():
        raise FieldError(f"「{text}」不是有效金额（填写数字，如 4500）")
    return value.quantize(Decimal("0.01"))


def rule_channel(text: str) -> str:
    for value, label in Channel.choices:
        if text in (value, label):
            return str(value)
    raise FieldError(f"「{text}」不是有效的输出渠道（可填：{'、'.join(str(label) for _, label in Channel.choices)}）")


def rule_industry(text: str) -> str:
    from laowu.jobs.codetables import industry, industry_section

    upper = text.upper()
    for value, label in Industry.choices:
        if upper == value or text == label:
            return str(value)
    if text.isdigit() and industry_section(text.zfill(2)):
        return industry_section(text.zfill(2))
    code = next((c for c, name in industry().rows if name == text), None)
    if code and industry_section(code):
        return industry_section(code)
    raise FieldError(f"「{text}」不是国民经济行业门类（如 建筑业、制造业，或门类字母、2 位大类代码）")


def rule_trade(text: str) -> str:
    code = code_table("trade").lookup(text)
    if code is None:
        raise FieldError(f"「{text}」不是已知的工种")
    return code


def _limited(limit: int) -> Any:
    def rule(text: str) -> str:
        if len(text) > limit:
            raise FieldError(f"超过 {limit} 个字")
        return text

    return rule


RULES: dict[str, Any] = {
    "channel": rule_channel,
    "industry": rule_industry,
    "trade": rule_trade,
    "occupation": _limited(100),
    "end_reason": _limited(200),
    "start_date": rule_date,
    "end_date": rule_date,
    "wage": rule_money,
    "wage_month": lambda text: rule_date(text, month_only=True),
    "phone": validation.rule_phone,
    "notes": validation.rule_notes,
}
_CACHED = {"channel", "industry", "trade", "start_date", "end_date", "wage_month"}


# --- names to records -------------------------------------------------------------------------

_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
    "镇",
    "乡",
)
_SKIPPED_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


class DestinationResolver:
    """A destination as a region code: the code itself, or a place name (广东省深圳市, 广东深圳,
    新疆, 深圳市南山区) read as a chain of province, city, county and township names, with or
    without their 省/市/县 suffixes. One query for the index of provinces, cities and counties,
    one per county whose townships a name reaches into; cached per distinct text."""

    MAX_KEY = 12

    def __init__(self) -> None:
        self.cache: dict[str, str | FieldError] = {}
        self._index: dict[str, set[str]] | None = None
        self.names: dict[str, str] = {}

    def _keys(self) -> dict[str, set[str]]:
        if self._index is None:
            index: dict[str, set[str]] = defaultdict(set)
            rows = Region.objects.filter(
                level__in=(RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
            ).values_list("code", "name", "full_name")
            for code, name, full_name in rows:
                self.names[code] = full_name or name
                if name in _SKIPPED_NAMES:
                    continue
                index[name].add(code)
                index[_short(name)].add(code)
            self._index = index
        return self._index

    def resolve(self, text: str) -> str:
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

    def _resolve(self, text: str) -> str:
        code = idcard.normalise(text)
        if code.isdigit():
            if not Region.objects.filter(code=code).exists():
                raise FieldError(f"务工地代码「{code}」不存在（省 2 位、市 4 位、县 6 位、乡镇 9 位）")
            return code
        place = text.replace(" ", "").removeprefix("中国")
        index = self._keys()
        candidates: set[str] = set()
        position = 0
        while position < len(place):
            token_codes: set[str] = set()
            for length in range(min(self.MAX_KEY, len(place) - position), 1, -1):
                token_codes = index.get(place[position : position + length], set())
                if token_codes:
                    break
            if not token_codes:
                break
            narrowed = (
                {c for c in token_codes if any(c.startswith(p) and c != p for p in candidates)}
                if candidates
                else token_codes
            )
            if not narrowed:
                break
            candidates = narrowed
            position += length
        if not candidates:
            raise FieldError(f"无法识别务工地「{text}」，请填写区划代码（见“务工地代码”表）或“省+市+县”名称")
        best = self._one(text, candidates)
        rest = place[position:]
        if rest and len(best) == 6:  # a township of the county, when the name goes on
            township = self._township(best, rest)
            if township:
                return township
        return best

    def _one(self, text: str, candidates: set[str]) -> str:
        shortest = min(candidates, key=len)
        if all(c.startswith(shortest) for c in candidates):
            return shortest  # 吉林 is the province, not also its city
        options = "、".join(f"{self.names.get(c, c)}（{c}）" for c in sorted(candidates)[:5])
        raise FieldError(f"「{text}」有多个同名地区：{options}，请填写区划代码或加上省市名称")

    def _township(self, county: str, rest: str) -> str | None:
        rows = Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=county).values_list("code", "name")
        matches = [code for code, name in rows if rest.startswith(name) or rest.startswith(_short(name))]
        return matches[0] if len(matches) == 1 else None


class PartyResolver:
    """An employer or agency named in a row: by name or credit code among those the user sees
    (their subtree's and, read-only, the offices' above them). One query per distinct text."""

    def __init__(self, model: Any, user: Any) -> None:
        self.model = model
        self.user = user
        self.cache: dict[str, tuple[int, str] | None | FieldError] = {}

    def resolve(self, text: str) -> tuple[int, str] | None:
        """(id, name), or None when no such party is registered; FieldError when ambiguous."""
        if text not in self.cache:
            try:
                self.cache[text] = self._resolve(text)
            except FieldError as exc:
                self.cache[text] = exc
        found = self.cache[text]
        if isinstance(found, FieldError):
            raise found
        return found

    def _resolve(self, text: str) -> tuple[int, str] | None:
        qs = self.model.objects.restrict(self.user)
        code = text.strip().upper()
        if len(code) == 18 and code.isalnum():
            by_code = list(qs.filter(credit_code=code).values_list("pk", "name")[:2])
            if len(by_code) == 1:
                return by_code[0]
        matches = list(qs.filter(name=text).values_list("pk", "name")[:3])
        if len(matches) > 1:
            raise FieldError(f"有多个名为「{text}」的{self.model._meta.verbose_name}，请改填统一社会信用代码")
        return matches[0] if matches else None


# --- the writer ---------------------------------------------------------------------------------


@dataclass
class _Row:
    row_no: int
    name: str
    id_hash: str
    masked: str
    start: datetime.date
    region: str = ""
    region_text: str = ""
    phone: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    employer: tuple[str, int | None, str] | None = None  # (text, id, name)
    agency: tuple[str, int, str] | None = None  # (text, id, name)
    wage: Decimal | None = None
    wage_month: datetime.date | None = None
    # Set by finish:
    person: Any = None
    stint: Stint | None = None
    original: tuple[Any, ...] | None = None  # the matched stint's compared values
    fields_changed: bool = False
    wage_change: tuple[datetime.date, Decimal] | None = None


class StintWriter:
    """Validates rows as they come (``feed``); ``finish`` checks them against the registry,
    the stints already recorded and each other, then writes (see the module docstring)."""

    def __init__(self, context: ImportContext) -> None:
        self.ctx = context
        self.issues = context.issues
        self.profile = context.profile
        self.user = context.user
        self.policy = context.options.get("policy", "update")
        self.plan = sorted(context.header.columns.items())
        self.fields = {f for _, f in self.plan}
        self.label = {f: context.header.headers.get(i, self.profile.label_of(f)) for i, f in self.plan}
        self.value_maps = self.profile.value_maps
        self.villages = RegionResolver(context.user)
        self.destinations = DestinationResolver()
        from laowu.employers.models import Agency, Employer

        self.employers = PartyResolver(Employer, context.user)
        self.agencies = PartyResolver(Agency, context.user)
        self.caches: dict[str, dict[str, Any]] = {key: {} for key in _CACHED}
        self.rows = 0
        self.wages: dict[tuple[int, datetime.date], StintWage] = {}
        self.clean: list[_Row] = []
        self.keys: dict[tuple[str, datetime.date], int] = {}
        # No 工种 column: an occupation that names a trade gives the trade too.
        self.trade_from_occupation = "trade" not in self.fields

    def start(self, cursor: Any) -> None:
        pass

    # --- cells ----------------------------------------------------------------------------
    def _error(self, row_no: int, key: str, message: str) -> None:
        self.issues.add(row_no, self.label.get(key) or self.profile.label_of(key), message)

    def _clean(self, row_no: int, key: str, text: str) -> Any:
        mapped = self.value_maps.get(key)
        if mapped and text in mapped:
            text = mapped[text]
        cache = self.caches.get(key)
        value = cache.get(text) if cache is not None else None
        if value is None:
            try:
                value = RULES[key](text)
            except FieldError as exc:
                value = exc
            if cache is not None:
                cache[text] = value
        if isinstance(value, FieldError):
            self._error(row_no, key, str(value))
            return None
        return value

    def _resolve(self, row_no: int, key: str, resolver: Any, text: str) -> Any:
        try:
            return resolver.resolve(text)
        except FieldError as exc:
            self._error(row_no, key, str(exc))
            return None

    def feed(self, row_no: int, cells: list[str]) -> None:
        self.rows += 1
        width = len(cells)
        raw = {f: cells[i] for i, f in self.plan if i < width and cells[i]}
        before = self.issues.count
        name = ""
        if not raw.get("name"):
            self._error(row_no, "name", "不能为空")
        else:
            try:
                name = validation.rule_name(raw["name"])
            except FieldError as exc:
                self._error(row_no, "name", str(exc))
        number = ""
        id_text = raw.get("id_number", "")
        if id_text == LOST_PRECISION:
            self._error(
                row_no, "id_number", "Excel 把身份证号存成了数字，后几位已丢失；请将该列设为“文本”格式后重新录入"
            )
        else:
            try:
                number = idcard.parse(id_text).number
            except idcard.IdNumberError as exc:
                self._error(row_no, "id_number", str(exc))
        start = None
        if not raw.get("start_date"):
            self._error(row_no, "start_date", "不能为空")
        else:
            start = self._clean(row_no, "start_date", raw["start_date"])
        values: dict[str, Any] = {}
        for key in ("channel", "industry", "trade", "occupation", "end_date", "end_reason", "notes"):
            if raw.get(key):
                value = self._clean(row_no, key, raw[key])
                if value is not None:
                    values[key] = value
        if self.trade_from_occupation and "occupation" in values:
            trade = code_table("trade").lookup(values["occupation"])
            if trade:
                values["trade"] = trade
        if raw.get("destination"):
            code = self._resolve(row_no, "destination", self.destinations, raw["destination"])
            if code:
                values["destination_id"] = code
        region = ""
        if raw.get("region"):
            try:
                region = self.villages.code(raw["region"])
            except FieldError as exc:
                self._error(row_no, "region", str(exc))
        employer = agency = None
        if raw.get("employer"):
            text = raw["employer"]
            if len(text) > 200:
                self._error(row_no, "employer", "超过 200 个字")
            else:
                try:
                    party = self.employers.resolve(text)
                except FieldError as exc:
                    self._error(row_no, "employer", str(exc))
                else:
                    employer = (text, party[0], party[1]) if party else (text, None, text)
        if raw.get("agency"):
            text = raw["agency"]
            try:
                party = self.agencies.resolve(text)
            except FieldError as exc:
                self._error(row_no, "agency", str(exc))
            else:
                if party is None:
                    self._error(
                        row_no,
                        "agency",
                        f"中介机构「{text}」未登记（或不在您可查看的范围内）；请先在“中介机构”中登记，或将此格留空",
                    )
                else:
                    agency = (text, party[0], party[1])
        phone = self._clean(row_no, "phone", raw["phone"]) if raw.get("phone") else ""
        wage = self._clean(row_no, "wage", raw["wage"]) if raw.get("wage") else None
        wage_month = self._clean(row_no, "wage_month", raw["wage_month"]) if raw.get("wage_month") else None
        if raw.get("wage_month") and not raw.get("wage"):
            self._error(row_no, "wage", "填写了工资月份，请同时填写月工资")
        if number and start is not None:
            id_hash = crypto.blind_index(number)
            first = self.keys.get((id_hash, start))
            if first is not None:
                self._error(row_no, "start_date", f"与第 {first} 行是同一人、同一外出时间的务工记录（重复）")
            else:
                self.keys[(id_hash, start)] = row_no
        if self.issues.count != before or start is None:
            return
        self.clean.append(
            _Row(
                row_no=row_no,
                name=name,
                id_hash=crypto.blind_index(number),
                masked=mask_id_number(number),
                start=start,
                region=region,
                region_text=raw.get("region", ""),
                phone=phone or "",
                values=values,
                employer=employer,
                agency=agency,
                wage=wage,
                wage_month=wage_month,
            )
        )

    # --- checks against the registry, the stints and each other -------------------------------
    def finish(self, cursor: Any, *, write: bool) -> Counts:
        counts = Counts(rows=self.rows)
        rows = self.clean
        if not rows:
            return counts
        prefix = scope_prefix(self.user)
        people_qs = Person.objects.filter(id_number_hash__in={r.id_hash for r in rows}).select_related("region")
        if write:  # serialise with stint_create/stint_update on these people (they lock the person too)
            people_qs = people_qs.select_for_update(of=("self",)).order_by("pk")
        people = {p.id_number_hash: p for p in people_qs}
        placed: list[_Row] = []
        for row in rows:
            person = people.get(row.id_hash)
            if person is None:
                self._error(row.row_no, "id_number", f"身份证号 {row.masked} 未在劳动力台帐中登记，请先导入劳动力台帐")
            elif prefix is None or not person.region_id.startswith(prefix):
                where = person.region.full_name or person.region.name
                self._error(
                    row.row_no,
                    "id_number",
                    f"身份证号 {row.masked} 的人员登记在「{where}」，不在您的管辖范围内，不能登记其务工记录",
                )
            elif validation.rule_name(person.name) != row.name:
                self._error(
                    row.row_no, "name", f"与劳动力台帐中该身份证号登记的姓名「{person.name}」不一致，请核对身份证号"
                )
            elif row.region and not (
                person.region_id.startswith(row.region) or row.region.startswith(person.region_id)
            ):
                where = person.region.full_name or person.region.name
                self._error(row.row_no, "region", f"此人登记在「{where}」，与本行填写的「{row.region_text}」不一致")
            else:
                row.person = person
                placed.append(row)
        person_ids = {r.person.pk for r in placed}
        existing: dict[int, list[Stint]] = defaultdict(list)
        for stint in Stint.objects.filter(person_id__in=person_ids).select_related("agency").order_by("start_date"):
            existing[stint.person_id].append(stint)
        by_key = {(s.person_id, s.start_date): s for stints in existing.values() for s in stints}
        self.wages = {(w.stint_id, w.month): w for w in StintWage.objects.filter(stint__person_id__in=person_ids)}
        merged: list[_Row] = []
        for row in placed:
            match = by_key.get((row.person.pk, row.start))
            if match is not None and self.policy == "skip":
                counts.skipped += 1
                continue
            if match is not None and self.policy == "refuse":
                self._error(
                    row.row_no,
                    "start_date",
                    f"此人 {row.start:%Y-%m-%d} 外出的务工记录已登记；所选方式为遇已登记记录报错",
                )
                continue
            if self._merge(row, match):
                merged.append(row)
        self._check_overlaps(merged, existing)
        self._check_phones(merged)
        if self.issues:
            return counts
        creates = [r for r in merged if r.original is None]
        changed = [r for r in merged if r.original is not None and self._changed(r)]
        counts.created = len(creates)
        counts.updated = len(changed)
        counts.unchanged = len(merged) - len(creates) - len(changed)
        if write:
            self._write(creates, changed, merged, counts)
        return counts

    def _merge(self, row: _Row, match: Stint | None) -> bool:
        """Apply the row to a copy of its stint (or a new one) and check it by the stint rules."""
        person = row.person
        if match is None:
            stint = Stint(person=person, region_id=person.region_id, start_date=row.start)
            for key, label in (("channel", "输出渠道"), ("destination_id", "务工地区")):
                if key not in row.values:
                    self._error(row.row_no, _ERROR_FIELD.get(key, key), f"新登记的务工记录须填写{label}")
                    return False
        else:
            stint = copy.copy(match)
            stint.person = person
            row.original = tuple(getattr(match, key) for key in _COMPARED)
        for key in _STINT_VALUES:
            if key in row.values:
                setattr(stint, key, row.values[key])
        if row.employer is not None:
            text, employer_id, name = row.employer
            if match is None or text != match.employer_name:  # the same text keeps the link as it is
                stint.employer_id, stint.employer_name = employer_id, name
        if row.agency is not None:
            text, agency_id, _name = row.agency
            if match is None or match.agency is None or text != match.agency.name:
                stint.agency_id = agency_id
        try:
            if match is None or "destination_id" in row.values:
                services.stint_derive_scope(stint, home=person.region_id)
            services.stint_check_dates(stint)
            stint.full_clean(exclude=_CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False)
            if row.wage is not None:
                month = row.wage_month or services.latest_wage_month(stint)
                services.wage_check(stint, month, row.wage)
                old = self.wages.get((match.pk, month)) if match is not None else None
                if old is None or old.amount != row.wage:
                    row.wage_change = (month, row.wage)
        except ValidationError as exc:
            self._validation_error(row.row_no, exc)
            return False
        row.stint = stint
        if row.original is not None:
            row.fields_changed = tuple(getattr(stint, key) for key in _COMPARED) != row.original
        return True

    def _validation_error(self, row_no: int, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self._error(row_no, _ERROR_FIELD.get(key, "start_date"), message)
        else:
            for message in exc.messages:
                self._error(row_no, "start_date", message)

    def _check_overlaps(self, merged: list[_Row], existing: dict[int, list[Stint]]) -> None:
        """No two stints of a person overlap once the file is in: rows against the stints they do
        not replace, and rows against each other (the later row is named)."""
        by_person: dict[int, list[_Row]] = defaultdict(list)
        for row in merged:
            by_person[row.person.pk].append(row)
        for person_id, person_rows in by_person.items():
            replaced = {r.stint.pk for r in person_rows if r.stint is not None and r.stint.pk is not None}
            kept = [s for s in existing.get(person_id, []) if s.pk not in replaced]
            for index, row in enumerate(person_rows):
                assert row.stint is not None
                clash = services.stint_find_overlap(row.stint, kept)
                if clash is not None:
                    message = services.stint_overlap_message(row.stint, clash, name=row.person.name)
                    self._error(row.row_no, "start_date", message)
                    continue
                earlier = {id(r.stint): r for r in person_rows[:index]}
                other = services.stint_find_overlap(row.stint, [r.stint for r in person_rows[:index] if r.stint])
                if other is not None:
                    first = earlier[id(other)]
                    end = f"{other.end_date:%Y-%m-%d}" if other.end_date else "今"
                    self._error(
                        row.row_no,
                        "start_date",
                        f"与第 {first.row_no} 行的务工记录（{other.start_date:%Y-%m-%d} 至 {end}）时间重叠，"
                        "同一人的务工时间不能重叠",
                    )

    def _check_phones(self, merged: list[_Row]) -> None:
        seen: dict[int, _Row] = {}
        for row in merged:
            if not row.phone:
                continue
            first = seen.get(row.person.pk)
            if first is not None and first.phone != row.phone:
                self._error(row.row_no, "phone", f"与第 {first.row_no} 行同一人的联系电话不一致")
            seen.setdefault(row.person.pk, row)

    def _phone_changes(self, merged: list[_Row]) -> dict[int, tuple[Person, str]]:
        return {r.person.pk: (r.person, r.phone) for r in merged if r.phone and r.phone != r.person.phone}

    def _changed(self, row: _Row) -> bool:
        return row.fields_changed or row.wage_change is not None or bool(row.phone and row.phone != row.person.phone)

    # --- writes ---------------------------------------------------------------------------
    def _write(self, creates: list[_Row], changed: list[_Row], merged: list[_Row], counts: Counts) -> None:
        now = timezone.now()
        updates = [r.stint for r in changed if r.fields_changed and r.stint is not None]
        for stint in updates:
            stint.updated_at = now
        new = [r.stint for r in creates if r.stint is not None]
        try:
            with transaction.atomic():
                # Updates first: a stint ended by the file makes room for the next one it adds.
                Stint.objects.bulk_update(updates, _UPDATE_FIELDS, batch_size=500)
                Stint.objects.bulk_create(new, batch_size=1000)
        except IntegrityError as exc:  # another officer saved an overlapping stint meanwhile
            if "stint_no_overlap" not in str(exc):
                raise
            self.issues.add(0, "务工记录", "与其他人刚刚录入的务工记录时间重叠，未导入任何数据；请重新校验")
            return
        wage_new: list[StintWage] = []
        wage_changed: list[StintWage] = []
        reporter = self.user if getattr(self.user, "pk", None) else None
        for row in merged:
            if row.wage_change is None or row.stint is None:
                continue
            month, amount = row.wage_change
            wage = self.wages.get((row.stint.pk, month)) if row.original is not None else None
            if wage is None:
                wage_new.append(
                    StintWage(
                        stint=row.stint, month=month, amount=amount, reporter=WageReporter.STATION, reported_by=reporter
                    )
                )
            else:
                wage.amount, wage.reporter, wage.reported_by, wage.reported_at = (
                    amount,
                    WageReporter.STATION,
                    reporter,
                    now,
                )
                wage_changed.append(wage)
        StintWage.objects.bulk_create(wage_new, batch_size=1000)
        StintWage.objects.bulk_update(
            wage_changed, ["amount", "reporter", "reported_by", "reported_at"], batch_size=500
        )
        phones = self._phone_changes(merged)
        people = []
        for person, phone in phones.values():
            person.phone, person.version, person.updated_at = phone, person.version + 1, now
            people.append(person)
        Person.objects.bulk_update(people, ["phone", "version", "updated_at"], batch_size=500)
        status_changed = services.labor_status_sync(person_ids={r.person.pk for r in merged})
        counts.extra.update(
            {
                "wages_written": len(wage_new) + len(wage_changed),
                "phones_updated": len(people),
                "labor_status_changed": status_changed,
            }
        )
        audit_record(
            event=AuditEventType.IMPORT,
            user=self.user,
            ip=self.ctx.options.get("ip", ""),
            object_type="imports.importjob",
            object_id=str(self.ctx.options.get("job_id") or ""),
            object_repr=str(self.ctx.options.get("filename", ""))[:200],
            detail={
                "target": "stint",
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


class StintTarget:
    """Stints from a 外出务工台帐 (劳动力外出务工台帐), of people already in the registry."""

    key = "stint"
    label = "外出务工记录"
    capability = "placements.edit"
    unit = "条"
    policy_label = "已登记的务工记录"
    policy_choices = (
        ("update", "更新已登记的务工记录（同一人、同一外出时间；空白单元格不覆盖原有信息）"),
        ("skip", "跳过已登记的务工记录"),
        ("refuse", "遇已登记的务工记录报错，整个文件不导入"),
    )

    def writer(self, context: ImportContext) -> StintWriter:
        return StintWriter(context)

    def template(self, *, profile: Any, ledger: str, user: Any) -> bytes:
        from laowu.placements.ledger_xlsx import stint_template

        return stint_template(profile=profile, user=user)
