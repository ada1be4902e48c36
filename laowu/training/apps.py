from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Training (培训): courses, classes, enrolment, exams, certificates."""

    name = "laowu.training"
    label = "training"
    verbose_name = "技能培训"
