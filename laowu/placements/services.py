"""Writes of the organised export process: stints and their wages, follow-up cases.

Two rules live here and only here:
- ``labor_status_sync``: a person's labor status follows their stints (外出务工 / 本地务工 while
  one runs, 返乡 when it has ended). Every path that starts, ends or changes a stint calls it;
  the demo calls it in bulk.
- ``periods_overlap``: one person, one stint at a time (closed date ranges, a running stint has
  no end), with a clear Chinese message (``stint_overlap_message``); the database's exclusion
  constraint ``stint_no_overlap`` backs it up under concurrency.

The checks of one stint (``stint_derive_scope``, ``stint_check_dates``, ``stint_find_overlap``,
``wage_check``) are public so that the 外出务工台帐 import (``importer.py``) applies the very same
rules to thousands of rows at once without a query per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.http import Http404

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core import crypto
from laowu.core.masking import can_view_sensitive
from laowu.core.scope import require_in_scope, require_writable_region
from laowu.placements.choices import (
    FINAL_STATUSES,
    ApplicationStatus,
    BatchStatus,
    Channel,
    FollowUpKind,
    FollowUpStatus,
    WageReporter,
)
from laowu.placements.models import Application, ApplicationEvent, Batch, FollowUpCase, Stint, StintWage
from laowu.placements.orders import employer_name, industry_section, training_trade
from laowu.placements.scope import ScopeError, destination_scope
from laowu.regions.models import Region
from laowu.workers.models import LaborStatus, Person

# A stint that ended within this many days came back early ("3 个月内返乡"); matching counts them.
EARLY_RETURN_DAYS = 90


def early_return_q() -> Q:
    """Stints that ended within ``EARLY_RETURN_DAYS`` of their start (matching's counters and
    reputation's returns within 3 months both count these)."""
    return Q(end_date__isnull=False, end_date__lt=F("start_date") + datetime.timedelta(days=EARLY_RETURN_DAYS))


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
    """Make the labor status (and the stint counters) of these people follow their stints.
    Returns the number of people whose labor status changed.

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
    _stint_counts_sync(ids)
    return changed


def labor_status_refresh(*, today: datetime.date | None = None, days: int = 7) -> int:
    """The daily run of the labor-status rule for stints whose dates came by themselves: an end
    date typed in the future that has now passed, or a start date that has now come. Looks back
    ``days`` days so that a missed run is caught up; running it twice changes nothing."""
    today = today or datetime.date.today()
    since = today - datetime.timedelta(days=days)
    person_ids = (
        Stint.objects.filter(
            Q(end_date__gte=since, end_date__lt=today) | Q(start_date__gte=since, start_date__lte=today)
        )
        .values_list("person_id", flat=True)
        .distinct()
    )
    return labor_status_sync(person_ids=person_ids, today=today)


def _stint_counts_sync(ids: list[int]) -> None:
    """The counters on Person that matching ranks by: stints, and stints that ended within
    ``EARLY_RETURN_DAYS`` (came back early). Derived data: no version bump."""
    early = early_return_q()
    counts = {
        row["person_id"]: (row["n"], row["early"])
        for row in Stint.objects.filter(person_id__in=ids)
        .values("person_id")
        .annotate(n=Count("pk"), early=Count("pk", filter=early))
    }
    current = Person.objects.filter(pk__in=ids).values_list("pk", "stint_count", "early_return_count")
    groups: dict[tuple[int, int], list[int]] = {}
    for pk, n, e in current:
        want = counts.get(pk, (0, 0))
        if (n, e) != want:
            groups.setdefault(want, []).append(pk)
    for (n, e), pks in groups.items():
        Person.objects.filter(pk__in=pks).update(stint_count=n, early_return_count=e)


# --- stints ---------------------------------------------------------------------------------


def periods_overlap(
    start: datetime.date, end: datetime.date | None, other_start: datetime.date, other_end: datetime.date | None
) -> bool:
    """Two stints' periods share a day (both ends inclusive; no end = still running)."""
    return (end is None or other_start <= end) and (other_end is None or other_end >= start)


def stint_overlap_message(stint: Stint, clash: Stint, *, name: str) -> str:
    return OVERLAP_MESSAGE.format(
        name=name,
        start=f"{clash.start_date:%Y-%m-%d}",
        end=f"{clash.end_date:%Y-%m-%d}" if clash.end_date else "今",
        where=clash.employer_name or clash.get_channel_display(),
    )


def stint_find_overlap(stint: Stint, others: Iterable[Stint]) -> Stint | None:
    """The first of ``others`` (other stints of the same person) whose period overlaps ``stint``'s."""
    for other in others:
        if other is stint or (other.pk is not None and other.pk == stint.pk):
            continue
        if periods_overlap(stint.start_date, stint.end_date, other.start_date, other.end_date):
            return other
    return None


def _check_no_overlap(stint: Stint) -> None:
    clash = stint_find_overlap(stint, Stint.objects.filter(person_id=stint.person_id).exclude(pk=stint.pk))
    if clash is not None:
        raise ValidationError(stint_overlap_message(stint, clash, name=stint.person.name))


def stint_check_dates(stint: Stint) -> None:
    if stint.end_date is not None and stint.start_date is not None and stint.end_date < stint.start_date:
        raise ValidationError({"end_date": "返回日期不能早于外出日期。"})


def stint_derive_scope(stint: Stint, *, home: str) -> None:
    """Set the stint's destination scope from the home and destination codes (the destination
    is known to exist)."""
    try:
        stint.destination_scope = destination_scope(home, stint.destination_id)
    except ScopeError as exc:
        raise ValidationError({"destination": str(exc)})


def _derive_scope(stint: Stint) -> None:
    if not stint.destination_id:
        raise ValidationError({"destination": "请填写务工地区划代码。"})
    if not Region.objects.filter(code=stint.destination_id).exists():
        raise ValidationError({"destination": f"务工地代码「{stint.destination_id}」不存在。"})
    stint_derive_scope(stint, home=stint.person.region_id)


def _save_stint(stint: Stint) -> None:
    _derive_scope(stint)
    stint_check_dates(stint)
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
def stint_create(*, user: Any, person: Person, values: dict[str, Any]) -> Stint:
    """Record a stint directly (自谋输出, 就地转移, or an organised one entered afterwards).
    Organised stints are created on arrival by ``application_transition``. Status follows."""
    require_in_scope(user, person.region_id)
    require_writable_region(user, person.region_id)
    return _stint_insert(user=user, person=person, values=values)


def _stint_insert(*, user: Any, person: Person, values: dict[str, Any], application: Any = None) -> Stint:
    Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise one person's stints
    stint = Stint(person=person, region_id=person.region_id)
    for key in (*STINT_FIELDS, "employer_id", "agency_id"):
        if key in values:
            setattr(stint, key, values[key])
    if application is not None:
        stint.application = application
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
    stint.end_date = end_date  # _save_stint checks it against the start (stint_check_dates)
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


def wage_check(stint: Stint, month: datetime.date, amount: Decimal) -> None:
    """A month's wage fits its stint: a month of the stint, not in the future, a sane amount."""
    if month < first_of_month(stint.start_date) or (stint.end_date and month > stint.end_date):
        raise ValidationError({"month": f"{month:%Y-%m} 不在务工期内。"})
    if month > first_of_month(datetime.date.today()):
        raise ValidationError({"month": "不能报告未来月份的工资。"})
    if amount < 0 or amount > Decimal("200000"):
        raise ValidationError({"amount": "工资金额不合理（应在 0 至 200,000 元之间）。"})


def latest_wage_month(stint: Stint, today: datetime.date | None = None) -> datetime.date:
    """The month a wage reported without a month belongs to: this month, or the stint's last."""
    today = today or datetime.date.today()
    last = min(today, stint.end_date) if stint.end_date else today
    return first_of_month(last)


@transaction.atomic
def stint_wage_report(
    *, user: Any, stint: Stint, month: datetime.date, amount: Decimal, reporter: str = WageReporter.STATION
) -> StintWage:
    """Report (or correct) one month's wage. The caller has checked the user may see the stint."""
    month = first_of_month(month)
    wage_check(stint, month, amount)
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


# --- applications: the one transition table -------------------------------------------------

Check = Callable[[Application], str | None]  # returns a Chinese reason when the check fails


def _age_on_departure(app: Application) -> int:
    return app.person.age_on(app.planned_departure or datetime.date.today())


def check_eligible(app: Application) -> str | None:
    """The order's requirements: age at the departure date, sex, health."""
    order = app.job_order
    age = _age_on_departure(app)
    if order.min_age is not None and age < order.min_age:
        return f"出发时年龄 {age} 岁，低于要求的 {order.min_age} 岁"
    if order.max_age is not None and age > order.max_age:
        return f"出发时年龄 {age} 岁，超过要求的 {order.max_age} 岁"
    if order.sex and app.person.sex != order.sex:
        return "性别不符合用工要求"
    if order.health_codes and app.person.health not in order.health_codes:
        return f"健康状况（{app.person.get_health_display()}）不符合用工要求"
    return None


def check_political_review(app: Application) -> str | None:
    return None if app.political_review_passed else "政审未通过或未登记"


def check_health_passed(app: Application) -> str | None:
    if app.health_check_passed is None or not app.health_check_date:
        return "尚未登记体检结果"
    return None if app.health_check_passed else "体检不合格"


def check_training(app: Application) -> str | None:
    """先培训后输出: when the order requires it, a passed training of the trade."""
    from laowu.core.codetables import code_table
    from laowu.training.selectors import training_passed

    trade = training_trade(app.job_order)
    if not trade:
        return None
    if training_passed(person_id=app.person_id, trade=trade):
        return None
    return f"用工要求先培训：尚无「{code_table('trade').name(trade) or trade}」培训合格记录"


def check_training_required(app: Application) -> str | None:
    return None if training_trade(app.job_order) else "该用工信息不要求先培训，可直接面试"


def check_contract(app: Application) -> str | None:
    if not app.contract_signed_on:
        return "尚未签订就业合同"
    if not app.contract_term_months or app.contract_wage is None:
        return "就业合同缺少期限或工资"
    if app.guaranteed_wage is not None and app.guaranteed_wage > app.contract_wage:
        return "保底工资不能高于合同工资"
    return None


def check_documents(app: Application) -> str | None:
    missing = [label for flag, label in ((app.doc_id_card, "身份证"), (app.doc_work_permit, "务工证")) if not flag]
    return f"证件未办齐：{'、'.join(missing)}" if missing else None


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    checks: tuple[Check, ...] = ()
    needs_reason: bool = False
    agency_may: bool = False  # the agency of the order may do it (agency.portal)


S = ApplicationStatus
_OPEN = tuple(s for s in S.values if s not in FINAL_STATUSES)
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "screen", "初审（年龄、健康、政审）", (S.REGISTERED,), S.SCREENED, (check_eligible, check_political_review)
        ),
        Transition("health_check", "登记体检", (S.SCREENED,), S.HEALTH_CHECKED, (check_health_passed,)),
        Transition("train", "培训合格", (S.HEALTH_CHECKED,), S.TRAINED, (check_training_required, check_training)),
        Transition("interview", "面试通过", (S.HEALTH_CHECKED, S.TRAINED), S.INTERVIEWED, (check_training,)),
        Transition("sign_contract", "签订就业合同", (S.INTERVIEWED,), S.CONTRACTED, (check_contract,)),
        Transition("documents", "证件办齐", (S.CONTRACTED,), S.DOCUMENTS_READY, (check_documents,)),
        Transition(
            "depart",
            "出发",
            (S.DOCUMENTS_READY,),
            S.DEPARTED,
            (check_contract, check_health_passed, check_training, check_documents),
        ),
        Transition("arrive", "确认到岗", (S.DEPARTED,), S.ARRIVED, agency_may=True),
        Transition("start_work", "正式上岗", (S.ARRIVED,), S.ON_JOB, agency_may=True),
        Transition("not_arrived", "未到岗", (S.DEPARTED,), S.NOT_ARRIVED, needs_reason=True, agency_may=True),
        Transition("withdraw", "本人退出", _OPEN, S.WITHDRAWN, needs_reason=True),
        Transition("reject", "不予通过", _OPEN, S.REJECTED, needs_reason=True),
    )
}

# Input each action may carry: field -> parser. Applied before the checks run.
_DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "screen": ("political_review_passed",),
    "health_check": ("health_check_date", "health_check_hospital", "health_check_passed", "health_check_fee"),
    "interview": ("interview_date",),
    "sign_contract": ("contract_signed_on", "contract_term_months", "contract_wage", "guaranteed_wage"),
    "documents": ("doc_id_card", "doc_work_permit", "doc_marriage_cert", "document_fees"),
    "depart": ("departed_on",),
    "arrive": ("arrived_on",),
}


def available_actions(app: Application) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if app.status in t.sources]


def _may_act(user: Any, app: Application, transition: Transition) -> None:
    if user.has_cap("placements.edit"):
        require_writable_region(user, app.region_id)
        return
    if transition.agency_may and user.has_cap("agency.portal") and agency_owns(user, app):
        return
    raise PermissionDenied("not allowed")


def agency_owns(user: Any, app: Application) -> bool:
    """Whether an agency user acts for the agency of this application's order."""
    from laowu.placements.agency import agency_application_ids

    return agency_application_ids(user).filter(pk=app.pk).exists()


@transaction.atomic
def application_transition(
    *,
    user: Any,
    application: Application,
    action: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    health_result_text: str = "",
) -> Application:
    """Move an application by one action of ``TRANSITIONS``: check the source status and the
    preconditions, apply the action's data, record an ApplicationEvent and an audit row, and do
    the action's effects (arrival creates the organised stint; not arrived opens a follow-up)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(f"未知操作：{action}")
    _may_act(user, application, transition)
    app = (
        Application.objects.select_for_update(of=("self",))
        .select_related("person", "job_order__employer", "job_order__agency", "batch")
        .get(pk=application.pk)
    )
    if app.status not in transition.sources:
        raise ValidationError(
            f"{app.person.name}：当前状态为「{app.get_status_display()}」，不能执行「{transition.label}」"
        )
    reason = (reason or "").strip()[:200]
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": f"「{transition.label}」须填写原因"})
    for field in _DATA_FIELDS.get(action, ()):
        if data and field in data and data[field] is not None:
            setattr(app, field, data[field])
    today = datetime.date.today()
    if action == "screen":
        app.screened_on = today
    elif action == "health_check":
        if health_result_text:
            app.health_check_result_enc = crypto.encrypt(health_result_text.strip())
        if app.health_check_passed is False:
            transition = Transition("health_check", "体检不合格", (S.SCREENED,), S.REJECTED)
            reason = reason or "体检不合格"
    elif action == "depart":
        app.departed_on = app.departed_on or (app.batch.departure_date if app.batch_id else today)
    elif action == "arrive":
        app.arrived_on = app.arrived_on or today
    failures = [text for check in transition.checks if (text := check(app))]
    if failures:
        raise ValidationError(f"{app.person.name}：不能「{transition.label}」——{'；'.join(failures)}")
    before = app.status
    app.status = transition.target
    if transition.target in (S.WITHDRAWN, S.REJECTED, S.NOT_ARRIVED):
        app.closed_reason = reason
    # A transition never changes whose application it is, for which order, where or in which
    # batch: those keys (and the one-open-application constraint) are the database's to keep,
    # and re-reading them costs five queries per person in a bulk action.
    app.full_clean(exclude=["person", "job_order", "region", "batch"], validate_constraints=False)
    app.save()
    ApplicationEvent.objects.create(
        application=app,
        action=action,
        from_status=before,
        to_status=app.status,
        user=user if getattr(user, "pk", None) else None,
        reason=reason,
    )
    if action == "arrive":
        order = app.job_order
        _stint_insert(
            user=user,
            person=app.person,
            application=app,
            values={
                "channel": Channel.ORGANISED,
                "employer_id": order.employer_id,
                "agency_id": order.agency_id,
                "employer_name": employer_name(order),
                "destination_id": order.place_region_id,
                "industry": industry_section(order),
                "occupation": order.title[:100],
                "start_date": app.arrived_on,
            },
        )
    elif action == "not_arrived":
        case = FollowUpCase(
            person=app.person,
            region_id=app.region_id,
            application=app,
            kind=FollowUpKind.NOT_ARRIVED,
            notes=reason,
            opened_on=today,
        )
        case.save()
    audit_record(
        event=AuditEventType.UPDATE,
        user=user,
        obj=app,
        detail={"action": action, "from": before, "to": app.status, "reason": reason},
    )
    return app


def application_bulk_transition(
    *,
    user: Any,
    applications: Iterable[Application],
    action: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    health_result_text: str = "",
) -> tuple[int, list[str]]:
    """Apply one action to many applications, each in its own transaction: the ones that pass
    move, the others stay and are reported (name and reason). ``data`` (the facts the action
    records, e.g. one health-check date and hospital for a group) applies to every one."""
    done, errors = 0, []
    for app in applications:
        try:
            application_transition(
                user=user,
                application=app,
                action=action,
                reason=reason,
                data=data,
                health_result_text=health_result_text,
            )
            done += 1
        except ValidationError as exc:
            errors.append("；".join(exc.messages))
        except PermissionDenied:
            errors.append(f"{app.person.name}：无权操作")
    return done, errors


@transaction.atomic
def application_register(
    *, user: Any, person: Person, job_order: Any, values: dict[str, Any] | None = None
) -> Application:
    """Register a person for a published job order (报名). ``values``: planned_departure,
    emergency_contact, emergency_phone."""
    from laowu.jobs.models import JobOrderStatus

    require_in_scope(user, person.region_id)
    require_writable_region(user, person.region_id)
    if job_order.status != JobOrderStatus.PUBLISHED:
        raise ValidationError(f"用工信息「{job_order.title}」当前为「{job_order.get_status_display()}」，不能报名。")
    if Application.objects.filter(person=person, job_order=job_order).exclude(status__in=FINAL_STATUSES).exists():
        raise ValidationError(f"{person.name} 已报名该岗位，正在办理中。")
    app = Application(
        person=person, job_order=job_order, region_id=person.region_id, registered_on=datetime.date.today()
    )
    for key in ("planned_departure", "emergency_contact", "emergency_phone"):
        if values and key in values:
            setattr(app, key, values[key])
    app.full_clean(validate_constraints=False)  # checked just above, and by the database below
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as exc:  # a concurrent registration of the same person won the race
        if "application_one_open_per_order" in str(exc):
            raise ValidationError(f"{person.name} 已报名该岗位，正在办理中。")
        raise
    ApplicationEvent.objects.create(
        application=app, action="register", from_status=S.REGISTERED, to_status=S.REGISTERED, user=user
    )
    audit_record(event=AuditEventType.CREATE, user=user, obj=app, detail={"job_order": job_order.pk})
    return app


def application_register_many(
    *, user: Any, people: Iterable[Person], job_order: Any, values: dict[str, Any] | None = None
) -> list[Application]:
    """Register many people for one published job order at once (批量报名): all or nothing.

    Each person goes through ``application_register``; if any of them cannot be registered, no
    one is, and the ValidationError names every person who failed and why."""
    people = list(people)
    if not people:
        raise ValidationError("请至少选择一名人员。")
    created: list[Application] = []
    errors: list[str] = []
    with transaction.atomic():
        for person in people:
            try:
                created.append(application_register(user=user, person=person, job_order=job_order, values=values))
            except ValidationError as exc:
                errors.extend(exc.messages)
            except (PermissionDenied, Http404):
                errors.append(f"{person.name}：不在您的管辖范围内")
        if errors:
            raise ValidationError(errors)  # rolls back the ones already registered
    return created


def health_result_text(app: Application, user: Any) -> str:
    """The decrypted health-check conclusion, only for users who may see sensitive data."""
    if not app.health_check_result_enc or not can_view_sensitive(user):
        return ""
    return crypto.decrypt(app.health_check_result_enc)


# --- batches ----------------------------------------------------------------------------------

BATCH_FIELDS = (
    "region_id",
    "name",
    "departure_date",
    "destination_note",
    "transport",
    "escort_name",
    "escort_phone",
    "send_off_note",
    "station_phone",
    "onsite_manager",
    "onsite_manager_phone",
    "base_contact",
    "base_contact_phone",
)


@transaction.atomic
def batch_save(*, user: Any, values: dict[str, Any], job_orders: Iterable[Any], batch: Batch | None = None) -> Batch:
    """Create or update a batch for one or more job orders the user may see."""
    from laowu.jobs.models import JobOrder

    creating = batch is None
    obj = batch or Batch()
    if not creating:
        require_writable_region(user, obj.region_id)
    for key in BATCH_FIELDS:
        if key in values:
            setattr(obj, key, values[key])
    require_writable_region(user, obj.region_id)
    orders = list(job_orders)
    if not orders:
        raise ValidationError({"job_orders": "请至少选择一条用工信息。"})
    visible = set(JobOrder.objects.restrict(user).filter(pk__in=[o.pk for o in orders]).values_list("pk", flat=True))
    if len(visible) != len(orders):
        raise ValidationError({"job_orders": "所选用工信息不在您的管辖范围内。"})
    obj.full_clean()
    obj.save()
    obj.job_orders.set(orders)
    audit_record(event=AuditEventType.CREATE if creating else AuditEventType.UPDATE, user=user, obj=obj)
    return obj


@transaction.atomic
def batch_add_members(*, user: Any, batch: Batch, applications: Iterable[Application]) -> tuple[int, list[str]]:
    """Put applications into a batch: of the batch's orders, not yet departed, not in another batch."""
    require_writable_region(user, batch.region_id)
    order_ids = set(batch.job_orders.values_list("pk", flat=True))
    done, errors = 0, []
    for app in applications:
        require_writable_region(user, app.region_id)
        if app.job_order_id not in order_ids:
            errors.append(f"{app.person.name}：所报岗位不属于本批次的用工信息")
        elif app.status in FINAL_STATUSES or app.status in (S.DEPARTED, S.ARRIVED):
            errors.append(f"{app.person.name}：当前状态「{app.get_status_display()}」不能加入批次")
        elif app.batch_id and app.batch_id != batch.pk:
            errors.append(f"{app.person.name}：已在其他批次中")
        else:
            Application.objects.filter(pk=app.pk).update(batch=batch)
            done += 1
    audit_record(event=AuditEventType.UPDATE, user=user, obj=batch, detail={"members_added": done})
    return done, errors


@transaction.atomic
def batch_remove_member(*, user: Any, batch: Batch, application: Application) -> None:
    require_writable_region(user, batch.region_id)
    if application.batch_id != batch.pk or application.status in (S.DEPARTED, S.ARRIVED, S.ON_JOB):
        raise ValidationError("已出发的成员不能移出批次。")
    Application.objects.filter(pk=application.pk).update(batch=None)
    audit_record(event=AuditEventType.UPDATE, user=user, obj=batch, detail={"member_removed": application.pk})


def batch_sync_status(batch: Batch) -> None:
    """A batch is departed once any member departed, closed once no member is still travelling."""
    statuses = set(batch.members.values_list("status", flat=True))
    if S.DEPARTED in statuses:
        new = BatchStatus.DEPARTED
    elif statuses & {S.ARRIVED, S.ON_JOB, S.NOT_ARRIVED}:
        new = BatchStatus.CLOSED
    else:
        new = BatchStatus.PLANNED
    if batch.status != new:
        Batch.objects.filter(pk=batch.pk).update(status=new)
        batch.status = new


def batch_transition(
    *,
    user: Any,
    batch: Batch,
    action: str,
    application_ids: Iterable[int] | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    health_result_text: str = "",
) -> tuple[int, list[str]]:
    """One action for the selected members of a batch (all members when none selected)."""
    members = batch.members.select_related("person").order_by("id")
    ids = list(application_ids or [])
    if ids:
        members = members.filter(pk__in=ids)
    result = application_bulk_transition(
        user=user,
        applications=list(members),
        action=action,
        reason=reason,
        data=data,
        health_result_text=health_result_text,
    )
    batch_sync_status(batch)
    return result


# --- the away ledger as a workbook ------------------------------------------------------------


@dataclass
class StintExport:
    """A finished export workbook, ready to send (and delete)."""

    filename: str
    content_type: str
    path: Any
    rows: int


def stint_export_queryset(
    *, user: Any, filters: Mapping[str, str] | None = None, person_filters: Mapping[str, str] | None = None
) -> Any:
    """Stints to export: the stint list's filters, or — for the 外出务工台帐 page
    (``person_filters``) — the stints running today of the people that ledger shows, with the
    latest reported wage and its month."""
    from django.db.models import OuterRef, Subquery

    from laowu.placements.selectors import stint_list
    from laowu.workers.selectors import Ledger, person_list

    qs = stint_list(user=user, filters=filters or {})
    if person_filters is not None:
        today = datetime.date.today()
        people = person_list(user=user, ledger=Ledger.AWAY, filters=person_filters).order_by().values("pk")
        qs = qs.filter(person__in=people, start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
    latest = StintWage.objects.filter(stint=OuterRef("pk")).order_by("-month")
    return qs.select_related("person__region", "agency").annotate(
        latest_wage_month=Subquery(latest.values("month")[:1]),
        latest_wage=Subquery(latest.values("amount")[:1]),
    )


def stint_export(
    *,
    user: Any,
    filters: Mapping[str, str] | None = None,
    person_filters: Mapping[str, str] | None = None,
    full: bool = False,
    reason: str = "",
) -> StintExport:
    """Export stints in the user's scope as the 外出务工台帐 in the import template's layout:
    masked numbers unless ``full`` (needs ``sensitive.view`` and a reason), logged with its row
    count (SECURITY.md items 11-13). Written row by row to a temporary file."""
    from django.conf import settings

    from laowu.core.audit_context import context_ip
    from laowu.core.xlsx import export_file
    from laowu.placements.ledger_xlsx import TITLE, write_stints_xlsx

    if not (user.has_cap("registry.export") and user.has_cap("placements.view")):
        raise PermissionDenied("registry.export")
    reason = (reason or "").strip()
    if full:
        if not can_view_sensitive(user):
            raise PermissionDenied("sensitive.view")
        if not reason:
            raise ValidationError({"reason": ["导出完整身份证号和电话须填写用途"]})
    qs = stint_export_queryset(user=user, filters=filters, person_filters=person_filters)
    limit = settings.EXPORT_XLSX_MAX_ROWS
    if qs.order_by()[: limit + 1].count() > limit:
        raise ValidationError(f"符合条件的务工记录超过 {limit:,} 条：请缩小查询范围分批导出")
    with export_file(".xlsx") as path:
        rows = write_stints_xlsx(path, qs.iterator(chunk_size=2000), title=TITLE, full=full)
    used = {k: str(v)[:50] for k, v in {**(filters or {}), **(person_filters or {})}.items() if v}
    with transaction.atomic():
        audit_record(
            event=AuditEventType.EXPORT,
            user=user,
            ip=context_ip(),
            object_type="placements.stint",
            object_repr=TITLE,
            detail={
                "ledger": "away",
                "format": "xlsx",
                "rows": rows,
                "full_numbers": full,
                "reason": reason[:200],
                "filters": used,
            },
        )
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M")
    return StintExport(
        filename=f"{TITLE}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        path=path,
        rows=rows,
    )
