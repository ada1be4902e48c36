from django.apps import AppConfig


class WorkersConfig(AppConfig):
    """The laborer registry (劳动力资源台帐): people, households, the three ledgers."""

    name = "laowu.workers"
    label = "workers"
    verbose_name = "劳动力台帐"
