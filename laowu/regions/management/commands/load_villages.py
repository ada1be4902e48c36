from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from laowu.core.audit_context import audit_context
from laowu.regions.services import read_table, villages_load


class Command(BaseCommand):
    help = "Load a county's village (12-digit) and group (15-digit) list from CSV or Excel."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--county", default="", help="refuse rows outside this code prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = read_table(Path(options["file"]))
        with audit_context(source="command"):
            result = villages_load(rows=rows, dry_run=options["dry_run"], scope=options["county"])
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} errors; nothing was written")
        verb = "would load" if options["dry_run"] else "loaded"
        self.stdout.write(f"{verb}: {result.created} new, {result.updated} updated")
