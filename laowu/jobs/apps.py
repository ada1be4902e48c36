from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Job orders (用工信息), job bulletins (信息服务) and matching."""

    name = "laowu.jobs"
    label = "jobs"
    verbose_name = "用工信息"
