from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from laowu.audit.models import AuditEvent
from laowu.audit.services import audit_purge, audit_record, audit_verify_chain

pytestmark = pytest.mark.django_db


def test_rows_cannot_be_updated_or_deleted():
    event = audit_record(event="login_ok", username="a")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="b")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).username == "a"


def test_chain_links_rows_and_detects_tampering():
    for i in range(5):
        audit_record(event="login_failed", username=f"u{i}")
    report = audit_verify_chain()
    assert report.ok and report.checked >= 5
    target = AuditEvent.objects.order_by("id")[2]
    with connection.cursor() as cursor:  # an attacker with database rights, bypassing the app
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_guard")
        cursor.execute("UPDATE audit_auditevent SET username = 'x' WHERE id = %s", [target.pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_guard")
    report = audit_verify_chain()
    assert not report.ok and report.broken_at == target.pk


def test_purge_never_removes_rows_younger_than_180_days():
    young = audit_record(event="login_ok", username="young")
    old = audit_record(event="login_ok", username="old")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_guard")
        cursor.execute(
            "UPDATE audit_auditevent SET at = %s WHERE id = %s", [timezone.now() - timedelta(days=181), old.pk]
        )
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_guard")
    deleted = audit_purge(older_than_days=1)  # asks for 1 day; the floor is 180
    assert deleted == 1
    assert AuditEvent.objects.filter(pk=young.pk).exists()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_details_are_scrubbed_of_newlines_and_id_numbers():
    event = audit_record(event="import", username="a\nb", detail={"note": "530502199001011234 ok\r\nforged"})
    assert "\n" not in event.username
    assert "530502199001011234" not in str(event.detail)
    assert "\n" not in str(event.detail["note"])


def test_a_hex_digest_is_not_taken_for_an_id_number():
    """A file's SHA-256 may hold 18 digits in a row; it is kept whole (the ID next to Chinese text is not)."""
    digest = ("4cfc7a0fdfa8b" + "330502199001011234" + "cb0794d9d9965cfff14c7f150db0b6321d2")[:64]
    event = audit_record(event="import", detail={"file_sha256": digest, "note": "身份证530502199001011234号"})
    assert event.detail["file_sha256"] == digest
    assert "530502199001011234" not in event.detail["note"] and "530502" in event.detail["note"]


def test_auditor_reads_the_log_and_others_cannot(client, make_user, login):
    from laowu.accounts.roles import Role

    audit_record(event="login_ok", username="someone")
    login(make_user(role=Role.AUDITOR, region="00"))
    assert "someone" in client.get("/audit/").content.decode()
    from django.test import Client

    sysadmin = login(make_user(role=Role.SYSTEM_ADMIN, region="00"), Client())
    assert sysadmin.get("/audit/").status_code == 403


def test_data_history_records_changes_with_context_outside_requests(make_user):
    from laowu.accounts.models import UserEvent
    from laowu.core.audit_context import audit_context

    user = make_user()
    with audit_context(source="command", note="bulk fix"):
        type(user).objects.filter(pk=user.pk).update(display_name="改名")  # a bulk update, no save()
    event = UserEvent.objects.filter(pgh_obj_id=user.pk).order_by("-pgh_id").first()
    assert event.display_name == "改名"
    assert event.pgh_context.metadata["source"] == "command"
