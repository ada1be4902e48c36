from __future__ import annotations

import pytest

from laowu.audit.models import AuditEvent
from laowu.core.backup import backup_create, restore_drill

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_and_restore_drill_match(tmp_path, villages):
    dump = backup_create(directory=tmp_path)
    assert dump.exists() and dump.with_suffix(".json").exists()
    report = restore_drill(dump=dump)
    assert report.ok, report.mismatches
    assert report.tables > 10
    assert AuditEvent.objects.filter(event="backup").exists()
    assert AuditEvent.objects.filter(event="restore", outcome="success").exists()


def test_restore_drill_detects_a_tampered_dump(tmp_path, villages):
    dump = backup_create(directory=tmp_path)
    data = bytearray(dump.read_bytes())
    data[-10] ^= 0xFF
    dump.write_bytes(bytes(data))
    report = restore_drill(dump=dump)
    assert not report.ok
