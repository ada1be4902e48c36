from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class PlacementsConfig(AppConfig):
    """The organised export process: applications, batches, stints, cards (有组织输出)."""

    name = "laowu.placements"
    label = "placements"
    verbose_name = "劳务输出"
    nav = NavSection(
        label="劳务输出",
        order=300,
        links=(
            NavLink("报名办理", "placements:application_list", "placements.view", order=10),
            NavLink("输出批次", "placements:batch_list", "placements.view", order=20),
            NavLink("批次到岗确认", "placements:portal_batch_list", "agency.portal", order=50),
            NavLink("务工记录", "placements:stint_list", "placements.view", order=30),
            NavLink("跟踪服务", "placements:followup_list", "placements.view", order=40),
        ),
    )

    def ready(self) -> None:
        from laowu.employers.reputation import register_outcome_provider
        from laowu.placements.reputation import stint_outcomes

        register_outcome_provider(stint_outcomes)
