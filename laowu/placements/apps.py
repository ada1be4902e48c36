from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    """The organised export process: applications, batches, stints, cards (有组织输出)."""

    name = "laowu.placements"
    label = "placements"
    verbose_name = "劳务输出"
