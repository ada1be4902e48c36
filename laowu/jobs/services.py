"""Writes for job orders (用工信息) and job bulletins (信息服务).

The lifecycle of a job order lives in ONE table, ``TRANSITIONS``, enforced by ONE function,
``job_order_transition``: draft → vetted → published → filled / closed / withdrawn. Only orders
whose employer and agency are vetted (latest site visit passed) and not blacklisted can be
vetted or published. Every transition stores who, when and why (``JobOrderTransition``) and an
audit row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core.scope import require_writable_region
from laowu.employers.models import Agency, Employer
from laowu.employers.selectors import party_is_vetted
from laowu.jobs.models import (
    Bulletin,
    BulletinItem,
    JobOrder,
    JobOrderStatus,
    JobOrderTransition,
)
from laowu.regions.models import Region

S = JobOrderStatus


@dataclass(frozen=True)
class Transition:
    cap: str  # capability the actor needs
    label: str  # the action's name on buttons and in messages
    needs_good_party: bool = False  # employer/agency must be vetted and not blacklisted
    needs_reason: bool = False


# The one source of truth for what may follow what.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, S.VETTED): Transition("jobs.vet", "审核通过", needs_good_party=True),
    (S.DRAFT, S.WITHDRAWN): Transition("jobs.edit", "撤回", needs_reason=True),
    (S.VETTED, S.PUBLISHED): Transition("jobs.vet", "发布", needs_good_party=True),
    (S.VETTED, S.DRAFT): Transition("jobs.vet", "退回修改", needs_reason=True),
    (S.VETTED, S.WITHDRAWN): Transition("jobs.edit", "撤回", needs_reason=True),
    (S.PUBLISHED, S.FILLED): Transition("jobs.edit", "标记招满"),
    (S.PUBLISHED, S.CLOSED): Transition("jobs.edit", "关闭", needs_reason=True),
    (S.PUBLISHED, S.WITHDRAWN): Transition("jobs.vet", "撤回已发布信息", needs_reason=True),
    (S.FILLED, S.CLOSED): Transition("jobs.edit", "关闭"),
}

EDITABLE_STATES = (S.DRAFT,)

JOB_ORDER_FIELDS = (
    "title",
    "employer_id",
    "agency_id",
    "headcount",
    "description",
    "min_age",
    "max_age",
    "sex",
    "min_education",
    "health_codes",
    "trade_codes",
    "certificate_kinds",
    "training_required",
    "training_trade_code",
    "other_requirements",
    "wage_min",
    "wage_max",
    "guaranteed_wage",
    "place_region_id",
    "work_address",
    "industry_code",
    "occupation_code",
    "contract_months",
    "deadline",
    "housing",
    "meals",
    "travel_arrangements",
)


def allowed_transitions(*, user: Any, order: JobOrder) -> list[tuple[str, Transition]]:
    """The actions this user could try on this order now (for buttons)."""
    return [
        (to, t) for (frm, to), t in TRANSITIONS.items() if frm == order.status and (user is None or user.has_cap(t.cap))
    ]


def party_problems(order: JobOrder, *, on: datetime.date | None = None) -> list[str]:
    """Why the order's employer/agency cannot stand behind a vetted or published order."""
    on = on or timezone.localdate()
    problems: list[str] = []
    parties: list[Employer | Agency] = [p for p in (order.employer, order.agency) if p is not None]
    for party in parties:
        kind = "用工单位" if isinstance(party, Employer) else "中介机构"
        if party.is_blacklisted:
            problems.append(f"{kind}「{party}」已列入黑名单（{party.blacklist_reason}）。")
        elif not party_is_vetted(party):
            problems.append(f"{kind}「{party}」尚未通过实地考察。")
        if isinstance(party, Agency) and not party.licence_valid_on(on):
            problems.append(f"中介机构「{party}」没有有效期内的许可证。")
    return problems


def _require(actor: Any, cap: str, region_code: str) -> None:
    if actor is None:
        return
    if not actor.has_cap(cap):
        raise PermissionDenied(cap)
    require_writable_region(actor, region_code)


def _only(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(JOB_ORDER_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    return fields


def _audit_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str | list):
        return value
    return str(value)


def job_order_create(*, actor: Any, region_code: str, ip: str = "", **fields: Any) -> JobOrder:
    """Register a job order as a draft in ``region_code`` (the registering office's node)."""
    _require(actor, "jobs.edit", region_code)
    order = JobOrder(region_id=region_code, status=S.DRAFT, created_by=actor)
    for name, value in _only(fields).items():
        setattr(order, name, value)
    order.full_clean()
    with transaction.atomic():
        order.save()
        JobOrderTransition.objects.create(order=order, from_status="", to_status=S.DRAFT, actor=actor, reason="录入")
        audit_record(event=AuditEventType.CREATE, user=actor, ip=ip, obj=order, detail={"status": S.DRAFT})
    return order


def job_order_update(*, actor: Any, order: JobOrder, ip: str = "", **fields: Any) -> JobOrder:
    """Edit a draft. A vetted order goes back to draft first (``退回修改``); later ones are fixed."""
    _require(actor, "jobs.edit", order.region_id)
    if order.status not in EDITABLE_STATES:
        raise ValidationError(f"「{order.get_status_display()}」状态的用工信息不能修改，只有草稿可以修改。")
    changes = {}
    for name, value in _only(fields).items():
        old = getattr(order, name)
        if old != value:
            changes[name] = [_audit_value(old), _audit_value(value)]
        setattr(order, name, value)
    order.full_clean()
    with transaction.atomic():
        order.save()
        audit_record(event=AuditEventType.UPDATE, user=actor, ip=ip, obj=order, detail={"changes": changes})
    return order


def job_order_transition(*, actor: Any, order: JobOrder, to_status: str, reason: str = "", ip: str = "") -> JobOrder:
    """Move an order along its lifecycle; refuse anything ``TRANSITIONS`` does not allow."""
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        # Lock the row: two officers pressing 发布 at once must not both succeed.
        locked = JobOrder.objects.select_for_update(of=("self",)).select_related("employer", "agency").get(pk=order.pk)
        current = locked.status
        names = dict(S.choices)
        rule = TRANSITIONS.get((current, to_status))
        if rule is None:
            allowed = [f"「{t.label}」" for (frm, _to), t in TRANSITIONS.items() if frm == current]
            hint = f"当前可执行：{'、'.join(allowed)}。" if allowed else "该状态为终态，不能再变更。"
            raise ValidationError(
                f"「{names.get(current, current)}」状态的用工信息不能变为「{names.get(to_status, to_status)}」。{hint}",
                code="transition_not_allowed",
            )
        _require(actor, rule.cap, locked.region_id)
        if rule.needs_reason and not reason:
            raise ValidationError({"reason": f"「{rule.label}」须填写原因。"})
        if rule.needs_good_party:
            problems = party_problems(locked)
            if problems:
                raise ValidationError(f"不能{rule.label}：" + " ".join(problems), code="party_not_vetted")
        locked.status = to_status
        update = ["status", "updated_at"]
        if to_status == S.PUBLISHED:
            locked.published_at = timezone.now()
            update.append("published_at")
        locked.save(update_fields=update)
        JobOrderTransition.objects.create(
            order=locked, from_status=current, to_status=to_status, actor=actor, reason=reason
        )
        audit_record(
            event=AuditEventType.UPDATE,
            user=actor,
            ip=ip,
            obj=locked,
            detail={"transition": [current, to_status], "reason": reason},
        )
    order.status, order.published_at = locked.status, locked.published_at
    return order


def job_order_delete(*, actor: Any, order: JobOrder, ip: str = "") -> None:
    """Only a draft that was never in a bulletin may be deleted; otherwise withdraw it."""
    _require(actor, "jobs.edit", order.region_id)
    if order.status != S.DRAFT or order.bulletin_items.exists():
        raise ValidationError("只能删除草稿；已审核或发布过的用工信息请撤回。")
    label, pk = str(order), order.pk
    with transaction.atomic():
        order.delete()
        audit_record(
            event=AuditEventType.DELETE,
            user=actor,
            ip=ip,
            object_type="jobs.joborder",
            object_id=str(pk),
            object_repr=label,
        )


# --- bulletins --------------------------------------------------------------------------------


def bulletin_candidates(*, region_code: str) -> Any:
    """Published orders a bulletin for ``region_code`` may carry: those registered in its
    subtree or by the offices above it, open (not past the deadline)."""
    ancestors = [region_code[:n] for n in (2, 4, 6, 9, 12) if n < len(region_code)]
    today = timezone.localdate()
    return (
        JobOrder.objects.filter(status=S.PUBLISHED)
        .filter(Q(region__code__startswith=region_code) | Q(region__code__in=ancestors))
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
        .select_related("employer", "agency", "place_region")
        .order_by("-published_at", "pk")
    )


def _snapshot(order: JobOrder) -> dict[str, Any]:
    """The text as printed: later edits to the order do not change a printed issue."""
    from laowu.jobs.selectors import job_order_summary

    return job_order_summary(order)


def bulletin_compile(
    *,
    actor: Any,
    region_code: str,
    issue_date: datetime.date,
    title: str = "",
    order_ids: list[int] | None = None,
    editor_note: str = "",
    ip: str = "",
) -> Bulletin:
    """Compile the next numbered issue for a region from its published orders."""
    _require(actor, "jobs.edit", region_code)
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": f"区划 {region_code} 不存在。"})
    candidates = bulletin_candidates(region_code=region_code)
    if order_ids is not None:
        chosen = list(candidates.filter(pk__in=order_ids))
        missing = set(order_ids) - {o.pk for o in chosen}
        if missing:
            raise ValidationError(f"以下用工信息不是本区划可刊登的已发布信息：{'、'.join(map(str, sorted(missing)))}。")
    else:
        chosen = list(candidates)
    if not chosen:
        raise ValidationError("没有可刊登的已发布用工信息。")
    with transaction.atomic():
        # Lock the region row so two issues compiled at once get consecutive numbers.
        Region.objects.select_for_update().get(code=region_code)
        last = Bulletin.objects.filter(region_id=region_code).aggregate(n=Max("number"))["n"] or 0
        bulletin = Bulletin(
            region_id=region_code,
            number=last + 1,
            title=title or f"{region.name}信息服务",
            issue_date=issue_date,
            compiled_by=actor,
            editor_note=editor_note,
        )
        bulletin.full_clean()
        bulletin.save()
        BulletinItem.objects.bulk_create(
            BulletinItem(bulletin=bulletin, order=order, position=i, snapshot=_snapshot(order))
            for i, order in enumerate(chosen, start=1)
        )
        audit_record(
            event=AuditEventType.CREATE,
            user=actor,
            ip=ip,
            obj=bulletin,
            detail={"number": bulletin.number, "items": len(chosen)},
        )
    return bulletin


def bulletin_record_distribution(
    *,
    actor: Any,
    bulletin: Bulletin,
    copies_printed: int,
    people_informed: int,
    distributed_at: datetime.date | None,
    ip: str = "",
) -> Bulletin:
    """Enter the figures the reports need: copies printed and people informed."""
    _require(actor, "jobs.edit", bulletin.region_id)
    if copies_printed < 0 or people_informed < 0:
        raise ValidationError("份数和人数不能为负数。")
    if distributed_at and distributed_at < bulletin.issue_date:
        raise ValidationError({"distributed_at": "发放日期不能早于编印日期。"})
    old = [bulletin.copies_printed, bulletin.people_informed]
    bulletin.copies_printed = copies_printed
    bulletin.people_informed = people_informed
    bulletin.distributed_at = distributed_at
    bulletin.full_clean()
    with transaction.atomic():
        bulletin.save()
        audit_record(
            event=AuditEventType.UPDATE,
            user=actor,
            ip=ip,
            obj=bulletin,
            detail={"copies_printed": [old[0], copies_printed], "people_informed": [old[1], people_informed]},
        )
    return bulletin


# --- shortlist → applications ---------------------------------------------------------------


def shortlist_register(
    *, user: Any, order: JobOrder, person_ids: list[int], values: dict[str, Any] | None = None
) -> list[Any]:
    """Turn a shortlist of matching candidates into applications (报名) to ``order``, all or
    nothing: each person must be in the user's scope and meet the order's hard requirements
    (``matching.requirements``), then ``placements.services.application_register`` registers
    them. If any one cannot be registered, none is, and the error names each such person."""
    from django.http import Http404

    from laowu.jobs.matching import unmet_requirements
    from laowu.placements.services import application_register
    from laowu.workers.models import Person

    if user is None or not user.has_cap("placements.edit"):
        raise PermissionDenied("placements.edit")
    ids = list(dict.fromkeys(int(pk) for pk in person_ids))
    if not ids:
        raise ValidationError({"person_ids": ["请至少选择一人。"]})
    if order.status != S.PUBLISHED:
        raise ValidationError(f"用工信息「{order.title}」当前为「{order.get_status_display()}」，不能报名。")
    people = {p.pk: p for p in Person.objects.restrict(user).filter(pk__in=ids)}
    unmet = unmet_requirements(user=user, order=order, person_ids=ids)
    created: list[Any] = []
    errors: list[str] = []
    with transaction.atomic():
        for pk in ids:
            person = people.get(pk)
            if person is None:
                errors.append(f"编号 {pk}：人员不存在或不在您的管辖范围内。")
            elif unmet.get(pk):
                errors.append(f"{person.name}：不符合用工要求——{'；'.join(unmet[pk])}。")
            else:
                try:
                    created.append(application_register(user=user, person=person, job_order=order, values=values))
                except ValidationError as exc:
                    errors.append("；".join(exc.messages))
                except (PermissionDenied, Http404):
                    errors.append(f"{person.name}：不在您可办理的区划范围内。")
        if errors:
            # Raised inside the block: every application registered above is rolled back.
            raise ValidationError({"person_ids": errors})
    return created
