from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class WorkersConfig(AppConfig):
    """The laborer registry (劳动力资源台帐): people, households, the three ledgers."""

    name = "laowu.workers"
    label = "workers"
    verbose_name = "劳动力台帐"
    nav = NavSection(
        label="劳动力台帐",
        order=100,
        links=(
            NavLink("劳动力资源台帐", "workers:ledger_resource", "registry.view", order=10),
            NavLink("富余劳动力台帐", "workers:ledger_surplus", "registry.view", order=20),
            NavLink("外出务工台帐", "workers:ledger_away", "registry.view", order=30),
            NavLink("户信息", "workers:household_list", "registry.view", order=40),
            NavLink("登记劳动力", "workers:person_register", "registry.edit", order=50),
        ),
    )
