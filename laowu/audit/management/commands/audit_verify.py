from typing import Any

from django.core.management.base import BaseCommand, CommandError

from laowu.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(f"chain broken at id {report.broken_at} after {report.checked} good rows")
        self.stdout.write(f"audit chain intact: {report.checked} rows")
