"""Writing and checking the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from laowu.audit.models import AuditEvent, Outcome
from laowu.core.logging import scrub

# The hash expression, shared by the insert trigger and the verifier (migration 0002).
HASH_SQL = "laowu_audit_hash"


def _clean(value: Any) -> Any:
    """Neutralise newlines and long numbers in anything stored (SECURITY.md item 16)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def audit_record(
    *,
    event: str,
    user: Any = None,
    username: str = "",
    ip: str = "",
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. Call it last in a transaction: the chain lock is held to commit."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if user is not None and getattr(user, "pk", None):
        username = username or user.username
        user_id = user.pk
    else:
        user_id = None
    return AuditEvent.objects.create(
        user_id=user_id,
        username=_clean(username)[:150],
        ip=ip[:45],
        event=event,
        object_type=object_type[:64],
        object_id=_clean(object_id)[:64],
        object_repr=_clean(object_repr)[:200],
        outcome=outcome,
        detail=_clean(detail or {}),
    )


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every row's hash and its link to the previous row."""
    checked = 0
    previous: str | None = None
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, prev_hash, hash, {HASH_SQL}(a) FROM audit_auditevent a WHERE id > %s ORDER BY id LIMIT %s",
                [last_id, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            for row_id, prev_hash, stored, computed in rows:
                if stored != computed or (previous is not None and prev_hash != previous):
                    return ChainReport(checked, row_id)
                previous = stored
                checked += 1
                last_id = row_id
    return ChainReport(checked, None)


def audit_purge(*, older_than_days: int | None = None, user: Any = None) -> int:
    """Delete rows older than the retention period (never younger than 180 days)."""
    days = max(older_than_days or settings.AUDIT_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS)
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL laowu.audit_purge = 'on'")
        cursor.execute("DELETE FROM audit_auditevent WHERE at < %s", [cutoff])
        deleted = cursor.rowcount
        cursor.execute("SET LOCAL laowu.audit_purge = 'off'")
        audit_record(event="purge", user=user, detail={"deleted": deleted, "cutoff": cutoff.isoformat()})
    return deleted
