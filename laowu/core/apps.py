from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared machinery: region scope, audit context, generic views, the import engine."""

    name = "laowu.core"
    label = "core"
    verbose_name = "核心"
