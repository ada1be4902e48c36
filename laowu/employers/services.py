"""Writes for employers, agencies, site visits and labor bases.

Every function is keyword-only and atomic, validates with ``full_clean()``, checks that the
actor may write in the record's region, and appends an audit row (phones masked).
``actor=None`` is for the system itself (demo load, commands): no capability or scope check.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from laowu.audit.models import AuditEventType
from laowu.audit.services import audit_record
from laowu.core.masking import mask_phone
from laowu.core.scope import require_writable_region
from laowu.employers.models import Agency, Employer, LaborBase, SiteVisit, Verdict

PARTY_FIELDS = (
    "name",
    "credit_code",
    "address_region_id",
    "address",
    "contact_name",
    "contact_phone",
    "notes",
)
EMPLOYER_FIELDS = (*PARTY_FIELDS, "industry_code", "scale")
AGENCY_FIELDS = (*PARTY_FIELDS, "kind", "licence_no", "licence_valid_from", "licence_valid_until")
LABOR_BASE_FIELDS = (
    "name",
    "destination_region_id",
    "employer_id",
    "agency_id",
    "key_contact_name",
    "key_contact_phone",
    "since",
    "until",
    "notes",
)
_MASKED = {"contact_phone", "key_contact_phone"}

Party = Employer | Agency


def _require(actor: Any, cap: str, region_code: str) -> None:
    if actor is None:
        return
    if not actor.has_cap(cap):
        raise PermissionDenied(cap)
    require_writable_region(actor, region_code)


def _shown(name: str, value: Any) -> Any:
    if name in _MASKED:
        return mask_phone(value)
    if isinstance(value, datetime.date | models.Model):
        return str(value)
    return value


def _changes(instance: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    changed = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changed[name] = [_shown(name, old), _shown(name, value)]
    return changed


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    return fields


def _save(
    *, actor: Any, instance: models.Model, fields: dict[str, Any], ip: str, event: str, extra: dict | None = None
) -> None:
    changes = _changes(instance, fields)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        audit_record(event=event, user=actor, ip=ip, obj=instance, detail={"changes": changes, **(extra or {})})


def _normalise_party(fields: dict[str, Any]) -> dict[str, Any]:
    if "credit_code" in fields:
        from stdnum.cn import uscc

        fields["credit_code"] = uscc.compact(fields["credit_code"] or "")
    return fields


def _party_create(
    *, model: type[Party], allowed: tuple[str, ...], actor: Any, region_code: str, ip: str, fields: dict
) -> Any:
    _require(actor, "employers.edit", region_code)
    instance = model(region_id=region_code)
    _save(
        actor=actor,
        instance=instance,
        fields=_normalise_party(_only(fields, allowed)),
        ip=ip,
        event=AuditEventType.CREATE,
    )
    return instance


def _party_update(*, party: Party, allowed: tuple[str, ...], actor: Any, ip: str, fields: dict) -> Any:
    _require(actor, "employers.edit", party.region_id)
    _save(
        actor=actor, instance=party, fields=_normalise_party(_only(fields, allowed)), ip=ip, event=AuditEventType.UPDATE
    )
    return party


def employer_create(*, actor: Any, region_code: str, ip: str = "", **fields: Any) -> Employer:
    """Register an employer (用工单位) in ``region_code`` (the registering office's node)."""
    return _party_create(
        model=Employer, allowed=EMPLOYER_FIELDS, actor=actor, region_code=region_code, ip=ip, fields=fields
    )


def employer_update(*, actor: Any, employer: Employer, ip: str = "", **fields: Any) -> Employer:
    return _party_update(party=employer, allowed=EMPLOYER_FIELDS, actor=actor, ip=ip, fields=fields)


def agency_create(*, actor: Any, region_code: str, ip: str = "", **fields: Any) -> Agency:
    """Register an intermediary agency (中介机构) in ``region_code``."""
    return _party_create(
        model=Agency, allowed=AGENCY_FIELDS, actor=actor, region_code=region_code, ip=ip, fields=fields
    )


def agency_update(*, actor: Any, agency: Agency, ip: str = "", **fields: Any) -> Agency:
    return _party_update(party=agency, allowed=AGENCY_FIELDS, actor=actor, ip=ip, fields=fields)


def party_delete(*, actor: Any, party: Party, ip: str = "") -> None:
    """Delete an employer or agency that nothing refers to (no visits, bases, job orders)."""
    _require(actor, "employers.edit", party.region_id)
    label = str(party)
    with transaction.atomic():
        try:
            party.delete()
        except ProtectedError:
            raise ValidationError(f"「{label}」已有考察记录、劳务基地或用工信息，不能删除；如不再合作请列入黑名单。")
        audit_record(
            event=AuditEventType.DELETE,
            user=actor,
            ip=ip,
            object_type=party._meta.label_lower,
            object_id=str(party.pk or ""),
            object_repr=label,
        )


def party_blacklist(*, actor: Any, party: Party, reason: str, ip: str = "") -> Party:
    """Put an employer or agency on the blacklist (黑名单). A reason is required and audited;
    its job orders can no longer be vetted or published."""
    _require(actor, "employers.edit", party.region_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "列入黑名单必须说明原因。"})
    if party.is_blacklisted:
        raise ValidationError(f"「{party}」已在黑名单中。")
    fields = {"is_blacklisted": True, "blacklist_reason": reason[:500], "blacklisted_at": timezone.now()}
    _save(actor=actor, instance=party, fields=fields, ip=ip, event=AuditEventType.UPDATE, extra={"action": "blacklist"})
    return party


def party_unblacklist(*, actor: Any, party: Party, reason: str, ip: str = "") -> Party:
    """Take a party off the blacklist; the reason is audited, the old reason kept in the audit."""
    _require(actor, "employers.edit", party.region_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "移出黑名单必须说明原因。"})
    if not party.is_blacklisted:
        raise ValidationError(f"「{party}」不在黑名单中。")
    fields = {"is_blacklisted": False, "blacklist_reason": "", "blacklisted_at": None}
    _save(
        actor=actor,
        instance=party,
        fields=fields,
        ip=ip,
        event=AuditEventType.UPDATE,
        extra={"action": "unblacklist", "reason": reason[:500]},
    )
    return party


def site_visit_record(
    *,
    actor: Any,
    party: Party,
    visit_date: datetime.date,
    visitors: str,
    findings: str,
    verdict: str,
    region_code: str = "",
    ip: str = "",
) -> SiteVisit:
    """Record a site visit (考察). The latest visit decides whether the party is vetted."""
    region_code = region_code or party.region_id
    _require(actor, "employers.edit", region_code)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "请选择考察结论。"})
    if visit_date and visit_date > timezone.localdate():
        raise ValidationError({"visit_date": "考察日期不能晚于今天。"})
    visit = SiteVisit(region_id=region_code)
    if isinstance(party, Employer):
        visit.employer = party
    else:
        visit.agency = party
    fields = {"visit_date": visit_date, "visitors": visitors, "findings": findings, "verdict": verdict}
    _save(actor=actor, instance=visit, fields=fields, ip=ip, event=AuditEventType.CREATE)
    return visit


def labor_base_create(*, actor: Any, region_code: str, ip: str = "", **fields: Any) -> LaborBase:
    """Register a labor base (劳务基地) with its key contact on site (重点联系人)."""
    _require(actor, "employers.edit", region_code)
    base = LaborBase(region_id=region_code)
    _save(actor=actor, instance=base, fields=_only(fields, LABOR_BASE_FIELDS), ip=ip, event=AuditEventType.CREATE)
    return base


def labor_base_update(*, actor: Any, base: LaborBase, ip: str = "", **fields: Any) -> LaborBase:
    _require(actor, "employers.edit", base.region_id)
    _save(actor=actor, instance=base, fields=_only(fields, LABOR_BASE_FIELDS), ip=ip, event=AuditEventType.UPDATE)
    return base


def labor_base_delete(*, actor: Any, base: LaborBase, ip: str = "") -> None:
    _require(actor, "employers.edit", base.region_id)
    label, pk = str(base), base.pk
    with transaction.atomic():
        base.delete()
        audit_record(
            event=AuditEventType.DELETE,
            user=actor,
            ip=ip,
            object_type=base._meta.label_lower,
            object_id=str(pk),
            object_repr=label,
        )
