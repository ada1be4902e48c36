from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class AccountsConfig(AppConfig):
    """Accounts, roles, region assignment, login and session rules."""

    name = "laowu.accounts"
    label = "accounts"
    verbose_name = "用户与权限"
    nav = NavSection(
        label="系统管理",
        order=900,
        links=(
            NavLink("用户管理", "accounts:user_list", "accounts.manage", order=10),
            NavLink("接口令牌", "accounts:token_list", "api.use", order=90),
        ),
    )
