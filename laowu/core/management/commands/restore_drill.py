from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from laowu.core.backup import restore_drill


class Command(BaseCommand):
    help = "Restore the latest (or a given) backup into a scratch database and compare it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--file", help="a .dump file; default: the latest in the backup folder")

    def handle(self, *args: Any, **options: Any) -> None:
        report = restore_drill(dump=Path(options["file"]) if options["file"] else None)
        if not report.ok:
            for line in report.mismatches:
                self.stderr.write(line)
            raise CommandError(f"restore drill FAILED for {report.dump}")
        self.stdout.write(f"restore drill passed: {report.tables} tables match ({report.dump.name})")
