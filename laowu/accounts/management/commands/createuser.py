from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from laowu.accounts.roles import Role
from laowu.accounts.services import user_create


class Command(BaseCommand):
    help = "Create an account with a role and a region (the first security admin, for instance)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", required=True, help="region code, 00 for the whole country")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="omit to be asked (never put passwords in shell history)")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or getpass.getpass("密码: ")
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                role=options["role"],
                region_code=options["region"],
                display_name=options["name"],
                must_change_password=True,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"created {user.username} ({user.role_label}, {user.region_id})")
