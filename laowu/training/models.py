"""Training (技能培训): courses by trade, classes, trainees, attendance, exams.

A passed exam lands on the person as ``workers.Certificate`` rows and adds the course's trade to
``Person.trades`` (training/services.py::enrolment_record_result), so it counts in matching and
in the "train before export" (先培训后输出) check of placements.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import F, Q

from laowu.core.codetables import choices, code_table
from laowu.core.scope import RegionScopedModel, TimeStampedModel, region_prefix_index


class FundingSource(models.TextChoices):
    POVERTY_FUND = "poverty_fund", "扶贫专项资金"
    EMPLOYMENT_FUND = "employment_fund", "就业专项资金"
    TOWNSHIP = "township", "乡镇财政"
    EMPLOYER = "employer", "用工单位（委托培训）"
    SELF = "self", "个人自费"
    OTHER = "other", "其他"


class ClassStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    RUNNING = "running", "培训中"
    FINISHED = "finished", "已结业"
    CANCELLED = "cancelled", "已取消"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "在训"
    PASSED = "passed", "考核合格"
    FAILED = "failed", "考核不合格"
    WITHDRAWN = "withdrawn", "退训"


@pghistory.track()
class Course(RegionScopedModel, TimeStampedModel):
    """A training course (培训课程) for one trade (工种), offered by a county or township."""

    trade = models.CharField("工种", max_length=8, choices=choices("trade"))
    name = models.CharField("课程名称", max_length=100)
    hours = models.PositiveSmallIntegerField("学时", default=40)
    certificate_kind = models.CharField(
        "结业证书类别", max_length=16, choices=choices("certificate"), default="training"
    )
    description = models.TextField("课程简介", blank=True)

    class Meta:
        verbose_name = "培训课程"
        verbose_name_plural = "培训课程"
        indexes = [region_prefix_index()]

    def __str__(self) -> str:
        return self.name

    @property
    def trade_name(self) -> str:
        return code_table("trade").name(self.trade)


@pghistory.track()
class TrainingClass(RegionScopedModel, TimeStampedModel):
    """A class (培训班, 期) of a course: dates, place, teacher, capacity, cost and who pays."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="classes", verbose_name="课程")
    name = models.CharField("班级名称", max_length=100)
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期")
    place = models.CharField("培训地点", max_length=200)
    teacher = models.CharField("授课教师", max_length=100, blank=True)
    capacity = models.PositiveIntegerField("计划人数")
    cost = models.DecimalField("培训费用（元）", max_digits=12, decimal_places=2, default=0)
    funding_source = models.CharField(
        "经费来源", max_length=20, choices=FundingSource.choices, default=FundingSource.POVERTY_FUND
    )
    status = models.CharField("状态", max_length=12, choices=ClassStatus.choices, default=ClassStatus.PLANNED)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        indexes = [
            region_prefix_index(name="trainingclass_region_pfx"),
            models.Index(fields=["start_date"], name="trainingclass_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="trainingclass_dates",
                violation_error_message="结业日期不能早于开班日期。",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gt=0), name="trainingclass_capacity", violation_error_message="计划人数须大于 0。"
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="trainingclass_cost", violation_error_message="培训费用不能为负数。"
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Enrolment(RegionScopedModel, TimeStampedModel):
    """A trainee (学员) in a class, with the exam result and certificate numbers.

    ``region`` is the trainee's own village, so a village or township sees its people's training
    records even when the class is run by the county.
    """

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="enrolments", verbose_name="培训班"
    )
    person = models.ForeignKey(
        "workers.Person", on_delete=models.PROTECT, related_name="training_enrolments", verbose_name="学员"
    )
    status = models.CharField("状态", max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    exam_date = models.DateField("考核日期", null=True, blank=True)
    exam_score = models.DecimalField("考核成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    training_certificate_no = models.CharField("培训证书编号", max_length=50, blank=True)
    qualification_certificate_no = models.CharField("职业资格证书编号", max_length=50, blank=True)
    qualification_level = models.CharField("职业资格等级", max_length=20, blank=True)

    class Meta:
        verbose_name = "学员"
        verbose_name_plural = "学员"
        indexes = [region_prefix_index(), models.Index(fields=["person", "status"], name="enrolment_person_status")]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "person"], name="enrolment_once_per_class"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.training_class_id}"


class Attendance(models.Model):
    """One trainee's attendance (考勤) on one day of the class."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField("日期")
    present = models.BooleanField("出勤", default=True)

    class Meta:
        verbose_name = "考勤"
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_once_per_day")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.day}"
