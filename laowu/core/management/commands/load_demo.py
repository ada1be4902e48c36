from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from laowu.core.demo import demo_load, demo_loaded


class Command(BaseCommand):
    help = "Load the demo data set (Baoshan city's five counties and Shahe town)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the demo is already loaded")
        parser.add_argument("--seed", type=int, default=2004)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and demo_loaded():
            self.stdout.write("demo data already loaded")
            return
        started = time.monotonic()
        self.stdout.write("loading demo data ...")
        demo_load(seed=options["seed"], stdout=self.stdout)
        self.stdout.write(f"demo data loaded in {time.monotonic() - started:.1f} s")
