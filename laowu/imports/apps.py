from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class ImportsConfig(AppConfig):
    """Imports (导入): uploaded files, their dry runs, errors and commits, for every target."""

    name = "laowu.imports"
    label = "imports"
    verbose_name = "数据导入"
    nav = NavSection(
        label="劳动力台帐",
        order=100,
        links=(NavLink("导入记录", "imports:job_list", "registry.import", order=60),),
    )
