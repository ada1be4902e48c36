from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class RegionsConfig(AppConfig):
    """The administrative division tree (行政区划)."""

    name = "laowu.regions"
    label = "regions"
    verbose_name = "行政区划"
    nav = NavSection(
        label="系统管理",
        order=900,
        links=(NavLink("行政区划", "regions:region_list", "regions.view"),),
    )
