from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class JobsConfig(AppConfig):
    """Job orders (用工信息), job bulletins (信息服务) and matching."""

    name = "laowu.jobs"
    label = "jobs"
    verbose_name = "用工信息"
    nav = NavSection(
        label="用工与中介",
        order=300,
        links=(
            NavLink("用工信息", "jobs:joborder_list", "jobs.view", order=50),
            NavLink("信息服务简报", "jobs:bulletin_list", "jobs.view", order=60),
        ),
    )
