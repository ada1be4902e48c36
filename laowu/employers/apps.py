from django.apps import AppConfig


class EmployersConfig(AppConfig):
    """Employers (用工单位), intermediary agencies (中介机构), site visits, labor bases."""

    name = "laowu.employers"
    label = "employers"
    verbose_name = "用工单位与中介"
