from typing import Any

from django.core.management.base import BaseCommand

from laowu.audit.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit rows older than AUDIT_RETENTION_DAYS (never younger than 180 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"purged {audit_purge()} rows")
