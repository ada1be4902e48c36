from typing import Any

from django.core.management.base import BaseCommand

from laowu.core.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format + a manifest of row counts and checksums)."

    def handle(self, *args: Any, **options: Any) -> None:
        dump = backup_create()
        self.stdout.write(f"backup written: {dump} ({dump.stat().st_size} bytes)")
