from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from laowu.core.audit_context import audit_context
from laowu.placements.services import labor_status_refresh


class Command(BaseCommand):
    help = "Labor status of people whose stints ended or started by date in the last days (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="how many days to look back (default 7)")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source="command", command="labor_status_refresh"):
            changed = labor_status_refresh(days=options["days"])
        self.stdout.write(f"labor status changed for {changed} people")
