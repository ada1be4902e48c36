from django.apps import AppConfig

from laowu.core.nav import NavLink, NavSection


class TrainingConfig(AppConfig):
    """Training (培训): courses, classes, enrolment, exams, certificates."""

    name = "laowu.training"
    label = "training"
    verbose_name = "技能培训"
    nav = NavSection(
        label="技能培训",
        order=400,
        links=(
            NavLink("培训班", "training:class_list", "training.view", order=10),
            NavLink("培训记录", "training:enrolment_list", "training.view", order=20),
            NavLink("培训课程", "training:course_list", "training.view", order=30),
        ),
    )
