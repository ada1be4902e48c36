from typing import Any

from django.core.management.base import BaseCommand

from laowu.accounts.services import users_disable_inactive


class Command(BaseCommand):
    help = "Disable accounts unused for ACCOUNT_INACTIVE_DAYS (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"disabled {users_disable_inactive()} accounts")
