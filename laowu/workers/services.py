"""Writes to the registry: register, update, transfer and unmask a person; households.

Every service is keyword-only and atomic, checks the user's region scope, validates through
``validation.clean_person`` (the one place for person data rules) and writes its audit row
(masked old → new values) in the same transaction. Data history (who/when/what of every row
change) is recorded by the pghistory triggers on Person and Household.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core import crypto
from laowu.core.audit_context import context_ip
from laowu.core.codetables import code_table
from laowu.core.masking import can_view_sensitive, mask_id_number, mask_phone
from laowu.core.scope import in_scope, require_in_scope
from laowu.regions.models import Region, RegionLevel
from laowu.workers.models import Household, HouseholdIncome, Person, PovertyStatus
from laowu.workers.selectors import FILTER_KEYS, Ledger
from laowu.workers.validation import HEAD_RELATION, LABELS, Cleaned, clean_person

# Person fields a register/update may set from clean_person's values (region: transfer only).
_PERSON_FIELDS = (
    "name",
    "name_initials",
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
# Fields shown in audit details and the timeline, with how to display a value.
_CODED = {
    "ethnicity": "ethnicity",
    "education": "education",
    "health": "health",
    "political_status": "political",
    "relation_to_head": "relation",
}


class PersonConflict(Exception):
    """Someone saved the person after the editor loaded it (stale version, SECURITY.md item 22)."""

    def __init__(self, current: Person) -> None:
        super().__init__("该人员信息已被他人修改，请核对后重新保存。")
        self.current = current


class DuplicateIdNumber(ValidationError):
    """The ID number is already registered; ``existing_id`` is set only when the user may see it."""

    def __init__(self, message: str, existing_id: int | None = None) -> None:
        super().__init__({"id_number": [message]})
        self.existing_id = existing_id


def _request_ip() -> str:
    return context_ip()


def _invalid(cleaned: Cleaned) -> ValidationError:
    return ValidationError(cleaned.messages_by_field())


def _field_error(key: str, message: str) -> ValidationError:
    return ValidationError({key: [f"{LABELS.get(key, key)}：{message}"]})


def display_value(field: str, value: Any) -> str:
    """A field value as users read it (names for codes, masked numbers)."""
    if value is None or value == "" or value == []:
        return ""
    if field == "phone":
        return mask_phone(value)
    if field in ("id_number", "id_number_masked"):
        return mask_id_number(value)
    if field in _CODED:
        return code_table(_CODED[field]).name(value) or str(value)
    if field in ("trades", "preferred_trades"):
        return "、".join(code_table("trade").name(c) or c for c in value)
    if field == "preferred_destinations":
        return "、".join(value)
    if field == "labor_status":
        from laowu.workers.models import LaborStatus

        return str(LaborStatus(value).label) if value in LaborStatus.values else str(value)
    if field == "poverty_status":
        return str(PovertyStatus(value).label) if value in PovertyStatus.values else str(value)
    if field == "sex":
        return {"1": "男", "2": "女"}.get(value, str(value))
    if field == "wants_to_go_out":
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[str]]:
    """{field: [old, new]} for changed fields, masked and readable (audit detail)."""
    return {
        key: [display_value(key, old.get(key)), display_value(key, new[key])] for key in new if old.get(key) != new[key]
    }


def _check_region(user: Any, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _field_error("region", f"区划代码 {code} 不存在")
    if region.level not in (RegionLevel.VILLAGE, RegionLevel.GROUP):
        raise _field_error("region", f"「{region.full_name or region.name}」不是村或组，请选择村或组")
    if not in_scope(user, region.code):
        raise _field_error("region", f"「{region.full_name or region.name}」不在您的管辖范围内")
    return region


def _check_unique_id(user: Any, number: str, exclude_pk: int | None = None) -> None:
    """One person per ID number in the whole system; out of scope, name only the region."""
    qs = Person.objects.filter(id_number_hash=crypto.blind_index(number)).select_related("region")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    existing = qs.first()
    if existing is None:
        return
    where = existing.region.full_name or existing.region.name
    if in_scope(user, existing.region_id):
        raise DuplicateIdNumber(f"身份证号：该号码已登记（{existing.name}，{where}），请勿重复登记", existing.pk)
    raise DuplicateIdNumber(
        f"身份证号：该号码已在「{where}」登记，不能重复登记；如本人已迁入，请联系上级主管部门办理迁移"
    )


def _require_edit(user: Any) -> None:
    if not user.has_cap("registry.edit"):
        raise PermissionDenied("registry.edit")


def _household_for(region: Region, number: str, poverty_status: str | None) -> Household:
    household = Household.objects.filter(region=region, number=number).first()
    if household is None:
        household = Household(region=region, number=number, poverty_status=poverty_status or PovertyStatus.GENERAL)
        household.full_clean()
        household.save()
    return household


@transaction.atomic
def person_register(*, user: Any, data: Mapping[str, Any]) -> Person:
    """Register a laborer (登记): validated, in a village or group of the user's scope, unique by
    ID number across the system. ``household_number`` (optional) joins or creates the household
    in the same region; relation 户主 makes the person its head."""
    _require_edit(user)
    cleaned = clean_person(data)
    if cleaned.errors:
        raise _invalid(cleaned)
    values = cleaned.values
    region = _check_region(user, values["region_id"])
    _check_unique_id(user, values["id_number"])
    person = Person(region=region, birth_date=values["birth_date"], sex=values["sex"])
    for key in _PERSON_FIELDS:
        if key in values:
            setattr(person, key, values[key])
    person.set_id_number(values["id_number"])
    household = None
    if values.get("household_number"):
        household = _household_for(region, values["household_number"], values.get("poverty_status"))
        person.household = household
    person.full_clean(exclude=["id_number_hash"])  # uniqueness checked above, by the blind index
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        _check_unique_id(user, values["id_number"])  # a concurrent registration won
        raise
    if household is not None and person.relation_to_head == HEAD_RELATION:
        household.head = person
        household.save(update_fields=["head", "updated_at"])
    audit_record(
        event=AuditEventType.CREATE,
        user=user,
        ip=_request_ip(),
        obj=person,
        detail={
            "region": region.code,
            "id_number": person.id_number_masked,
            "changes": _changes({}, {k: getattr(person, k) for k in _PERSON_FIELDS if k != "name_initials"}),
        },
    )
    return person


def _parse_version(version: Any) -> int:
    try:
        return int(str(version))
    except (TypeError, ValueError):
        raise ValidationError({"version": ["版本号无效，请刷新页面后重试"]})


@transaction.atomic
def person_update(*, user: Any, person: Person, data: Mapping[str, Any], version: Any) -> Person:
    """Change a person's data with optimistic locking: ``version`` is the one the editor loaded;
    if someone saved since, raise ``PersonConflict`` and change nothing. Only the keys present
    in ``data`` change; the region changes only through ``person_transfer``."""
    _require_edit(user)
    require_in_scope(user, person.region_id)
    expected = _parse_version(version)
    current = Person.objects.select_for_update(of=("self",)).select_related("region").get(pk=person.pk)
    require_in_scope(user, current.region_id)
    if current.version != expected:
        raise PersonConflict(current)
    cleaned = clean_person(data, partial=True)
    values = cleaned.values
    if "region_id" in values and values["region_id"] != current.region_id:
        cleaned.error("region", "迁移到其他村组请使用「迁移」功能")
    if cleaned.errors:
        raise _invalid(cleaned)
    old = {k: getattr(current, k) for k in _PERSON_FIELDS}
    new = {k: values[k] for k in _PERSON_FIELDS if k in values and k != "name_initials"}
    changes = _changes(old, new)
    if "id_number" in values and crypto.blind_index(values["id_number"]) != current.id_number_hash:
        _check_unique_id(user, values["id_number"], exclude_pk=current.pk)
        changes["id_number"] = [current.id_number_masked, mask_id_number(values["id_number"])]
        current.set_id_number(values["id_number"])
        current.birth_date = values["birth_date"]
        current.sex = values["sex"]
    if not changes:
        return current
    for key in _PERSON_FIELDS:
        if key in values:
            setattr(current, key, values[key])
    current.version += 1
    current.full_clean(exclude=["id_number_hash"])
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        _check_unique_id(user, values["id_number"], exclude_pk=current.pk)
        raise
    audit_record(event=AuditEventType.UPDATE, user=user, ip=_request_ip(), obj=current, detail={"changes": changes})
    return current


@transaction.atomic
def person_transfer(*, user: Any, person: Person, to_region: str, reason: str) -> Person:
    """Move a person to another village or group (迁移), explicitly and logged. Needs
    ``registry.transfer``; the person and the target must both be in the user's scope. A person
    whose household stays behind leaves it (and stops being its head)."""
    if not user.has_cap("registry.transfer"):
        raise PermissionDenied("registry.transfer")
    require_in_scope(user, person.region_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["迁移原因：不能为空"]})
    current = Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)
    require_in_scope(user, current.region_id)
    target = _check_region(user, str(to_region or "").strip())
    if target.code == current.region_id:
        raise _field_error("region", "目标村组与现所在村组相同")
    source = current.region_id
    left_household = None
    household = current.household
    if household is not None and not target.code.startswith(household.region_id[:12]):
        left_household = household.number
        if household.head_id == current.pk:
            household.head = None
            household.save(update_fields=["head", "updated_at"])
        current.household = None
        current.relation_to_head = ""
    current.region = target
    current.version += 1
    current.save()
    audit_record(
        event=AuditEventType.UPDATE,
        user=user,
        ip=_request_ip(),
        obj=current,
        detail={
            "action": "transfer",
            "from": source,
            "to": target.code,
            "reason": reason[:200],
            "left_household": left_household or "",
        },
    )
    return current


def person_unmask(*, user: Any, person: Person, reason: str) -> dict[str, str]:
    """The full ID and phone number, for a user holding ``sensitive.view``, with a reason;
    logged as an ``unmask`` audit event (SECURITY.md item 11)."""
    if not can_view_sensitive(user):
        raise PermissionDenied("sensitive.view")
    require_in_scope(user, person.region_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["查看原因：不能为空"]})
    with transaction.atomic():
        audit_record(
            event=AuditEventType.UNMASK,
            user=user,
            ip=_request_ip(),
            obj=person,
            detail={"fields": ["id_number", "phone"], "reason": reason[:200]},
        )
    return {"id_number": person.id_number, "phone": person.phone}


# Households (户) ---------------------------------------------------------------------------

_HOUSEHOLD_FIELDS = ("number", "poverty_status", "address", "notes")
_HOUSEHOLD_LABELS = {"number": "户编号", "poverty_status": "贫困状态", "address": "住址", "notes": "备注"}


def _clean_household(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in _HOUSEHOLD_FIELDS:
        if partial and key not in data:
            continue
        text = str(data.get(key) or "").replace("\x00", "").strip()
        if key == "number":
            if not text:
                errors[key] = ["户编号：不能为空"]
            elif len(text) > 32:
                errors[key] = ["户编号：超过 32 个字符"]
        elif key == "poverty_status":
            match = next((v for v, label in PovertyStatus.choices if text in (v, label)), None)
            if text and match is None:
                errors[key] = [f"贫困状态：「{text}」无效（可填：脱贫户、监测户、一般户）"]
            text = match or PovertyStatus.GENERAL
        elif key == "address":
            text = text[:200]
        values[key] = text
    if errors:
        raise ValidationError(errors)
    return values


def _check_household_number(region_id: str, number: str, exclude_pk: int | None = None) -> None:
    qs = Household.objects.filter(region_id=region_id, number=number)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError({"number": [f"户编号：本村组已有户编号 {number}"]})


@transaction.atomic
def household_create(*, user: Any, data: Mapping[str, Any]) -> Household:
    """Create a household (户) in a village or group of the user's scope."""
    _require_edit(user)
    values = _clean_household(data, partial=False)
    region = _check_region(user, str(data.get("region") or "").strip())
    _check_household_number(region.code, values["number"])
    household = Household(region=region, **values)
    household.full_clean()
    household.save()
    audit_record(
        event=AuditEventType.CREATE,
        user=user,
        ip=_request_ip(),
        obj=household,
        detail={"region": region.code, "changes": _changes({}, values)},
    )
    return household


@transaction.atomic
def household_update(*, user: Any, household: Household, data: Mapping[str, Any]) -> Household:
    _require_edit(user)
    require_in_scope(user, household.region_id)
    current = Household.objects.select_for_update().get(pk=household.pk)
    values = _clean_household(data, partial=True)
    if "number" in values:
        _check_household_number(current.region_id, values["number"], exclude_pk=current.pk)
    changes = _changes({k: getattr(current, k) for k in _HOUSEHOLD_FIELDS}, values)
    if not changes:
        return current
    for key, value in values.items():
        setattr(current, key, value)
    current.full_clean()
    current.save()
    audit_record(event=AuditEventType.UPDATE, user=user, ip=_request_ip(), obj=current, detail={"changes": changes})
    return current


@transaction.atomic
def household_add_member(
    *, user: Any, household: Household, person: Person, relation: str, make_head: bool = False
) -> Person:
    """Put a person into a household with their relation to the head (GB/T 4761). Relation 户主
    (or ``make_head``) makes the person the head; the former head then needs a new relation."""
    _require_edit(user)
    require_in_scope(user, household.region_id)
    require_in_scope(user, person.region_id)
    code = code_table("relation").lookup(relation)
    if code is None:
        raise ValidationError({"relation": [f"与户主关系：「{relation}」无效"]})
    if make_head:
        code = HEAD_RELATION
    hh = Household.objects.select_for_update().get(pk=household.pk)
    member = Person.objects.select_for_update().get(pk=person.pk)
    if not member.region_id.startswith(hh.region_id[:12]):
        raise ValidationError({"person": ["人员与该户不在同一村，请先办理迁移"]})
    old = {"household": member.household_id, "relation_to_head": member.relation_to_head}
    member.household = hh
    member.relation_to_head = code
    member.version += 1
    member.save()
    previous_head = hh.head_id
    if code == HEAD_RELATION and hh.head_id != member.pk:
        hh.head = member
        hh.save(update_fields=["head", "updated_at"])
    elif code != HEAD_RELATION and hh.head_id == member.pk:
        hh.head = None
        hh.save(update_fields=["head", "updated_at"])
    audit_record(
        event=AuditEventType.UPDATE,
        user=user,
        ip=_request_ip(),
        obj=hh,
        detail={
            "action": "add_member",
            "person": member.pk,
            "changes": {
                "household": [str(old["household"] or ""), str(hh.pk)],
                "relation_to_head": [
                    display_value("relation_to_head", old["relation_to_head"]),
                    display_value("relation_to_head", code),
                ],
                "head": [str(previous_head or ""), str(hh.head_id or "")],
            },
        },
    )
    return member


@transaction.atomic
def household_set_income(
    *,
    user: Any,
    household: Household,
    year: Any,
    per_capita_net_income: Any,
    labor_income: Any = None,
) -> HouseholdIncome:
    """Record (or correct) the per-capita net income (人均纯收入, 元) of one year."""
    _require_edit(user)
    require_in_scope(user, household.region_id)
    errors: dict[str, list[str]] = {}
    try:
        year_value = int(str(year))
        if not 1978 <= year_value <= datetime.date.today().year:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [f"年份：「{year}」无效"]
        year_value = 0
    amounts: dict[str, Decimal | None] = {}
    for key, raw, label in (
        ("per_capita_net_income", per_capita_net_income, "人均纯收入"),
        ("labor_income", labor_income, "劳务收入"),
    ):
        if key == "labor_income" and (raw is None or str(raw).strip() == ""):
            amounts[key] = None
            continue
        try:
            amount = Decimal(str(raw).replace(",", "").replace("元", "").strip())
            if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
                raise InvalidOperation
            amounts[key] = amount.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors[key] = [f"{label}：「{raw}」不是有效金额（元，最多两位小数）"]
    if errors:
        raise ValidationError(errors)
    income = HouseholdIncome.objects.filter(household=household, year=year_value).first()
    old = {}
    if income is None:
        income = HouseholdIncome(household=household, year=year_value)
    else:
        old = {"per_capita_net_income": income.per_capita_net_income, "labor_income": income.labor_income}
    income.per_capita_net_income = amounts["per_capita_net_income"]  # type: ignore[assignment]
    income.labor_income = amounts["labor_income"]
    income.full_clean()
    income.save()
    new = {"per_capita_net_income": income.per_capita_net_income, "labor_income": income.labor_income}
    audit_record(
        event=AuditEventType.UPDATE if old else AuditEventType.CREATE,
        user=user,
        ip=_request_ip(),
        obj=household,
        detail={"action": "income", "year": year_value, "changes": _changes(old, new)},
    )
    return income


# Export (导出) ---------------------------------------------------------------------------------


@dataclass
class PersonExport:
    """An export ready to send: a finished workbook (``path``) or streamed CSV ``lines``."""

    filename: str
    content_type: str
    path: Path | None = None
    lines: Iterator[str] | None = None
    rows: int = 0


def _export_audit(
    *, user: Any, ledger: str, filters: Mapping[str, str], fmt: str, full: bool, rows: int, reason: str
) -> None:
    with transaction.atomic():
        audit_record(
            event=AuditEventType.EXPORT,
            user=user,
            ip=_request_ip(),
            object_type="workers.person",
            object_repr=Ledger.LABELS.get(ledger, ledger),
            detail={
                "ledger": ledger,
                "format": fmt,
                "rows": rows,
                "full_numbers": full,
                "reason": reason[:200],
                "filters": {k: str(v)[:50] for k, v in filters.items() if v and k in FILTER_KEYS},
            },
        )


def person_export(
    *,
    user: Any,
    ledger: str,
    filters: Mapping[str, str],
    fmt: str = "xlsx",
    full: bool = False,
    reason: str = "",
) -> PersonExport:
    """Export a filtered ledger in the user's scope: masked numbers unless ``full`` (needs
    ``sensitive.view`` and a reason), logged with its row count (SECURITY.md items 11-13).
    Excel is written row by row to a temporary file; CSV streams."""
    from django.conf import settings

    from laowu.core.xlsx import export_file
    from laowu.workers.ledger_xlsx import people_csv_lines, write_people_xlsx
    from laowu.workers.selectors import person_list

    if not user.has_cap("registry.export"):
        raise PermissionDenied("registry.export")
    if ledger not in Ledger.LABELS:
        raise ValidationError({"ledger": ["未知的台帐"]})
    reason = (reason or "").strip()
    if full:
        if not can_view_sensitive(user):
            raise PermissionDenied("sensitive.view")
        if not reason:
            raise ValidationError({"reason": ["导出完整身份证号和电话须填写用途"]})
    qs = person_list(user=user, ledger=ledger, filters=filters)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M")
    base = f"{Ledger.LABELS[ledger]}-{stamp}"
    if fmt == "csv":

        def lines() -> Iterator[str]:
            sent = 0
            try:
                for line in people_csv_lines(qs.iterator(chunk_size=2000), full=full):
                    yield line
                    sent += 1
            finally:
                _export_audit(
                    user=user,
                    ledger=ledger,
                    filters=filters,
                    fmt="csv",
                    full=full,
                    rows=max(sent - 1, 0),
                    reason=reason,
                )

        return PersonExport(filename=f"{base}.csv", content_type="text/csv; charset=utf-8", lines=lines())
    limit = settings.EXPORT_XLSX_MAX_ROWS
    if qs.order_by()[: limit + 1].count() > limit:
        raise ValidationError(f"符合条件的超过 {limit:,} 人：请缩小查询范围分批导出 Excel，或导出 CSV（不限行数）")
    with export_file(".xlsx") as path:
        rows = write_people_xlsx(path, qs.iterator(chunk_size=2000), title=Ledger.LABELS[ledger], full=full)
    _export_audit(user=user, ledger=ledger, filters=filters, fmt="xlsx", full=full, rows=rows, reason=reason)
    return PersonExport(
        filename=f"{base}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        path=path,
        rows=rows,
    )
