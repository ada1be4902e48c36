from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class EmployersConfig(AppConfig):
    """Employers (用工单位), intermediary agencies (中介机构), site visits, labor bases."""

    name = "laowu.employers"
    label = "employers"
    verbose_name = "用工单位与中介"
    nav = NavSection(
        label="用工与中介",
        order=300,
        links=(
            NavLink("用工单位", "employers:employer_list", "employers.view", order=10),
            NavLink("中介机构", "employers:agency_list", "employers.view", order=20),
            NavLink("考察记录", "employers:visit_list", "employers.view", order=30),
            NavLink("劳务基地", "employers:base_list", "employers.view", order=40),
        ),
    )
