from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class AuditConfig(AppConfig):
    """The security audit trail (安全审计): append-only, hash-chained."""

    name = "laowu.audit"
    label = "audit"
    verbose_name = "安全审计"
    nav = NavSection(
        label="安全审计",
        order=950,
        links=(NavLink("审计日志", "audit:event_list", "audit.view"),),
    )
