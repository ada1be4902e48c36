"""Writes of the organised export process: stints and their wages, follow-up cases.

Two rules live here and only here:
- ``labor_status_sync``: a person's labor status follows their stints (外出务工 / 本地务工 while
  one runs, 返乡 when it has ended). Every path that starts, ends or changes a stint calls it;
  the demo calls it in bulk.
- ``_check_no_overlap``: one person, one stint at a time, with a clear Chinese message; the
  database's exclusion constraint ``stint_no_overlap`` backs it up under concurrency.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core.scope import require_in_scope, require_writable_region
from laowu.placements.choices import Channel, FollowUpKind, FollowUpStatus, WageReporter
from laowu.placements.models import FollowUpCase, Stint, StintWage
from laowu.placements.scope import ScopeError, destination_scope
from laowu.regions.models import Region
from laowu.workers.models import LaborStatus, Person

OVERLAP_MESSAGE = "{name} 在 {start} 至 {end} 已有务工记录（{where}），同一人的务工时间不能重叠。"
STINT_FIELDS = (
    "channel",
    "employer_name",
    "destination_id",
    "industry",
    "trade",
    "occupation",
    "start_date",
    "end_date",
    "end_reason",
    "notes",
)


# --- the labor-status rule ------------------------------------------------------------------


def labor_status_sync(*, person_ids: Iterable[int], today: datetime.date | None = None) -> int:
    """Make the labor status of these people follow their stints. Returns rows changed.

    Running stint (started, not ended by today): 外出务工, or 本地务工 for a local transfer
    (就地转移). No running stint and a status that a stint had set: 返乡. Other statuses (in
    school, farming ...) are left alone by stints that ended long ago.
    """
    ids = list(person_ids)
    if not ids:
        return 0
    today = today or datetime.date.today()
    running = Stint.objects.filter(person_id__in=ids, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    away = set(running.exclude(channel=Channel.LOCAL).values_list("person_id", flat=True))
    local = set(running.filter(channel=Channel.LOCAL).values_list("person_id", flat=True)) - away
    changed = 0
    for status, group in ((LaborStatus.WORKING_AWAY, away), (LaborStatus.WORKING_LOCAL, local)):
        if group:
            changed += (
                Person.objects.filter(pk__in=group)
                .exclude(labor_status=status)
                .update(labor_status=status, version=F("version") + 1)
            )
    changed += (
        Person.objects.filter(pk__in=ids, labor_status__in=[LaborStatus.WORKING_AWAY, LaborStatus.WORKING_LOCAL])
        .exclude(pk__in=away | local)
        .update(labor_status=LaborStatus.RETURNED, version=F("version") + 1)
    )
    return changed


# --- stints ---------------------------------------------------------------------------------


def _check_no_overlap(stint: Stint) -> None:
    others = Stint.objects.filter(person_id=stint.person_id).exclude(pk=stint.pk)
    if stint.end_date is not None:
        others = others.filter(start_date__lte=stint.end_date)
    clash = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=stint.start_date)).first()
    if clash is not None:
        raise ValidationError(
            OVERLAP_MESSAGE.format(
                name=stint.person.name,
                start=f"{clash.start_date:%Y-%m-%d}",
                end=f"{clash.end_date:%Y-%m-%d}" if clash.end_date else "今",
                where=clash.employer_name or clash.get_channel_display(),
            )
        )


def _derive_scope(stint: Stint) -> None:
    if not stint.destination_id:
        raise ValidationError({"destination": "请填写务工地区划代码。"})
    if not Region.objects.filter(code=stint.destination_id).exists():
        raise ValidationError({"destination": f"务工地代码「{stint.destination_id}」不存在。"})
    try:
        stint.destination_scope = destination_scope(stint.person.region_id, stint.destination_id)
    except ScopeError as exc:
        raise ValidationError({"destination": str(exc)})


def _save_stint(stint: Stint) -> None:
    _derive_scope(stint)
    stint.full_clean(validate_constraints=False)
    _check_no_overlap(stint)
    try:
        with transaction.atomic():
            stint.save()
    except IntegrityError as exc:  # a concurrent save won the race: the constraint speaks
        if "stint_no_overlap" in str(exc):
            raise ValidationError(f"{stint.person.name} 的务工时间与另一条记录重叠，请刷新后重试。")
        raise


@transaction.atomic
def stint_create(*, user: Any, person: Person, values: dict[str, Any], application: Any = None) -> Stint:
    """Record a stint (for organised export it is created on arrival; self-arranged and local
    transfers are entered directly). The person's labor status follows."""
    require_in_scope(user, person.region_id)
    require_writable_region(user, person.region_id)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise one person's stints
    stint = Stint(person=person, region_id=person.region_id)
    for key in (*STINT_FIELDS, "employer_id", "agency_id"):
        if key in values and hasattr(stint, key):
            setattr(stint, key, values[key])
    if application is not None:
        stint.application = application  # type: ignore[attr-defined]
    _save_stint(stint)
    labor_status_sync(person_ids=[person.pk])
    audit_record(
        event=AuditEventType.CREATE,
        user=user,
        obj=stint,
        detail={"channel": stint.channel, "destination": stint.destination_id, "start": str(stint.start_date)},
    )
    return stint


@transaction.atomic
def stint_update(*, user: Any, stint: Stint, values: dict[str, Any]) -> Stint:
    require_writable_region(user, stint.region_id)
    Person.objects.select_for_update().filter(pk=stint.person_id).first()
    changes: dict[str, list[str]] = {}
    for key in STINT_FIELDS:
        if key in values and getattr(stint, key) != values[key]:
            changes[key] = [str(getattr(stint, key)), str(values[key])]
            setattr(stint, key, values[key])
    _save_stint(stint)
    labor_status_sync(person_ids=[stint.person_id])
    audit_record(event=AuditEventType.UPDATE, user=user, obj=stint, detail=changes)
    return stint


@transaction.atomic
def stint_end(*, user: Any, stint: Stint, end_date: datetime.date, reason: str = "") -> Stint:
    """End a stint (返乡): the person's status becomes 返乡 unless another stint runs."""
    require_writable_region(user, stint.region_id)
    if stint.end_date is not None:
        raise ValidationError("该务工记录已结束。")
    if end_date < stint.start_date:
        raise ValidationError({"end_date": "返回日期不能早于外出日期。"})
    stint.end_date = end_date
    stint.end_reason = reason.strip()[:200]
    _save_stint(stint)
    labor_status_sync(person_ids=[stint.person_id])
    audit_record(event=AuditEventType.UPDATE, user=user, obj=stint, detail={"end_date": str(end_date)})
    return stint


@transaction.atomic
def stint_delete(*, user: Any, stint: Stint) -> None:
    require_writable_region(user, stint.region_id)
    person_id = stint.person_id
    audit_record(event=AuditEventType.DELETE, user=user, obj=stint, detail={"start": str(stint.start_date)})
    stint.delete()
    labor_status_sync(person_ids=[person_id])


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def stint_wage_report(
    *, user: Any, stint: Stint, month: datetime.date, amount: Decimal, reporter: str = WageReporter.STATION
) -> StintWage:
    """Report (or correct) one month's wage. The caller has checked the user may see the stint."""
    month = first_of_month(month)
    if month < first_of_month(stint.start_date) or (stint.end_date and month > stint.end_date):
        raise ValidationError({"month": f"{month:%Y-%m} 不在务工期内。"})
    if month > first_of_month(datetime.date.today()):
        raise ValidationError({"month": "不能报告未来月份的工资。"})
    if amount < 0 or amount > Decimal("200000"):
        raise ValidationError({"amount": "工资金额不合理（应在 0 至 200,000 元之间）。"})
    wage, created = StintWage.objects.update_or_create(
        stint=stint,
        month=month,
        defaults={"amount": amount, "reporter": reporter, "reported_by": user if getattr(user, "pk", None) else None},
    )
    audit_record(
        event=AuditEventType.CREATE if created else AuditEventType.UPDATE,
        user=user,
        obj=stint,
        detail={"wage_month": f"{month:%Y-%m}", "amount": str(amount)},
    )
    return wage


# --- follow-up cases ------------------------------------------------------------------------


@transaction.atomic
def followup_open(
    *, user: Any, person: Person, kind: str, notes: str = "", stint: Stint | None = None, **links: Any
) -> FollowUpCase:
    case = FollowUpCase(
        person=person,
        region_id=person.region_id,
        kind=kind,
        notes=notes,
        stint=stint,
        opened_on=datetime.date.today(),
        **links,
    )
    case.full_clean()
    case.save()
    audit_record(event=AuditEventType.CREATE, user=user, obj=case, detail={"kind": kind})
    return case


@transaction.atomic
def followup_close(*, user: Any, case: FollowUpCase, outcome: str) -> FollowUpCase:
    require_writable_region(user, case.region_id)
    if not outcome.strip():
        raise ValidationError({"outcome": "请填写处理结果。"})
    case.status = FollowUpStatus.CLOSED
    case.outcome = outcome.strip()
    case.closed_on = datetime.date.today()
    case.save(update_fields=["status", "outcome", "closed_on", "updated_at"])
    audit_record(event=AuditEventType.UPDATE, user=user, obj=case, detail={"status": "closed"})
    if case.kind == FollowUpKind.RETURNED:
        labor_status_sync(person_ids=[case.person_id])
    return case
