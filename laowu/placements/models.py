"""The organised export process (有组织输出) and the record of work away from home.

- ``Stint`` (务工记录): a person's period of work away, by channel; the 外出务工台帐 is built on it.
- ``StintWage``: wages reported by month for a stint (by the agency, the station or the worker).
- ``Application`` (报名) of a person to a job order, moved only by ``services.application_transition``;
  ``ApplicationEvent`` records each move (who, when, why).
- ``Batch`` (批次): a departure group with escort and send-off; members are applications.
- ``FollowUpCase`` (跟踪服务): not arrived, lost contact, returned, dispute, arrears.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from laowu.core.codetables import choices
from laowu.core.scope import RegionScopedModel, TimeStampedModel, region_prefix_index
from laowu.placements.choices import (
    FINAL_STATUSES,
    ApplicationStatus,
    BatchStatus,
    Channel,
    DestinationScope,
    FollowUpKind,
    FollowUpStatus,
    Industry,
    WageReporter,
)


class PersonKey(Func):
    """``int8range(person_id, person_id, '[]')``: equality of the person as a range, so that the
    exclusion constraint needs only core GiST range support, not the btree_gist extension
    (docs/decisions/0050-stint-overlap-without-btree-gist.md)."""

    function = "int8range"
    output_field = BigIntegerRangeField()


class DateRange(Func):
    """PostgreSQL ``daterange(start, end, '[]')``: a NULL end is an open (running) stint."""

    function = "daterange"
    output_field = DateRangeField()


_CLOSED = RangeBoundary(inclusive_lower=True, inclusive_upper=True)


@pghistory.track()
class Stint(RegionScopedModel, TimeStampedModel):
    """A stint of work away from home (外出务工记录).

    ``region`` is the person's home village (as on the person). ``destination_scope`` is derived
    from the home and destination codes by ``placements.scope.destination_scope`` and stored for
    reporting. One person cannot hold two overlapping stints (exclusion constraint below, and a
    clear message from ``services.stint_create``).
    """

    person = models.ForeignKey("workers.Person", on_delete=models.PROTECT, related_name="stints", verbose_name="人员")
    application = models.OneToOneField(
        "placements.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stint",
        verbose_name="报名（有组织输出）",
    )
    channel = models.CharField("输出渠道", max_length=16, choices=Channel.choices)
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="用工单位"
    )
    agency = models.ForeignKey(
        "employers.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="中介机构"
    )
    employer_name = models.CharField("用工单位名称", max_length=200, blank=True)
    destination = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="务工地", db_index=False
    )
    destination_scope = models.CharField("输出范围", max_length=16, choices=DestinationScope.choices, editable=False)
    industry = models.CharField("行业", max_length=1, choices=Industry.choices, blank=True)
    trade = models.CharField("工种", max_length=8, choices=choices("trade"), blank=True)
    occupation = models.CharField("职业（岗位）", max_length=100, blank=True)
    start_date = models.DateField("外出日期")
    end_date = models.DateField("返回日期", null=True, blank=True)
    end_reason = models.CharField("返回原因", max_length=200, blank=True)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "务工记录"
        verbose_name_plural = "务工记录"
        indexes = [
            region_prefix_index(),
            region_prefix_index("destination", name="stint_destination_pfx"),
            models.Index(fields=["person", "start_date"], name="stint_person_start"),
            models.Index(fields=["start_date"], name="stint_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="stint_dates",
                violation_error_message="返回日期不能早于外出日期。",
            ),
            ExclusionConstraint(
                name="stint_no_overlap",
                expressions=[
                    (PersonKey("person", "person", _CLOSED), RangeOperators.EQUAL),
                    (
                        DateRange("start_date", "end_date", _CLOSED),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message="同一人的务工记录时间不能重叠。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.start_date:%Y-%m-%d}"

    @property
    def is_running(self) -> bool:
        return self.end_date is None


class StintWage(models.Model):
    """Wage of one month of a stint (月工资), in 元; one row per stint and month."""

    stint = models.ForeignKey(Stint, on_delete=models.CASCADE, related_name="wages", verbose_name="务工记录")
    month = models.DateField("月份")  # the first day of the month
    amount = models.DecimalField("工资（元）", max_digits=12, decimal_places=2)
    reporter = models.CharField("报告方", max_length=16, choices=WageReporter.choices, default=WageReporter.STATION)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报告人",
    )
    reported_at = models.DateTimeField("报告时间", auto_now=True)

    class Meta:
        verbose_name = "月工资"
        verbose_name_plural = "月工资"
        constraints = [
            models.UniqueConstraint(fields=["stint", "month"], name="stintwage_once_per_month"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="stintwage_amount", violation_error_message="工资不能为负数。"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stint_id} {self.month:%Y-%m} {self.amount}"


@pghistory.track()
class Batch(RegionScopedModel, TimeStampedModel):
    """A departure batch (批次): escorted group travel to the job, with a send-off (欢送会).

    The contact fields feed the contact card (联系卡) handed to every member.
    """

    name = models.CharField("批次名称", max_length=100)
    job_orders = models.ManyToManyField("jobs.JobOrder", related_name="batches", verbose_name="用工信息")
    departure_date = models.DateField("出发日期")
    destination_note = models.CharField("目的地", max_length=200, blank=True)
    transport = models.CharField("交通方式", max_length=100, blank=True)
    escort_name = models.CharField("护送人员", max_length=50, blank=True)
    escort_phone = models.CharField("护送人员电话", max_length=20, blank=True)
    send_off_note = models.TextField("欢送会", blank=True)
    station_phone = models.CharField("乡镇劳务工作站电话", max_length=20, blank=True)
    onsite_manager = models.CharField("中介驻厂管理人员", max_length=50, blank=True)
    onsite_manager_phone = models.CharField("驻厂管理人员电话", max_length=20, blank=True)
    base_contact = models.CharField("劳务基地重点联系人", max_length=50, blank=True)
    base_contact_phone = models.CharField("基地联系人电话", max_length=20, blank=True)
    status = models.CharField("状态", max_length=12, choices=BatchStatus.choices, default=BatchStatus.PLANNED)

    class Meta:
        verbose_name = "批次"
        verbose_name_plural = "批次"
        indexes = [region_prefix_index()]

    def __str__(self) -> str:
        return self.name


@pghistory.track(
    exclude=["health_check_result_enc"],
    model_name="ApplicationHistory",
    obj_field=pghistory.ObjForeignKey(related_name="history", db_index=True),
)
class Application(RegionScopedModel, TimeStampedModel):
    """An application (报名) of a person to a job order, through screening to the job.

    ``status`` changes only through ``placements.services.application_transition`` (the one
    transition table); screening reads the order's own requirement fields. The health-check
    result text is stored encrypted (SECURITY.md item 17), the pass/fail flag in clear.
    """

    person = models.ForeignKey(
        "workers.Person", on_delete=models.PROTECT, related_name="applications", verbose_name="人员"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.REGISTERED
    )
    job_order = models.ForeignKey(
        "jobs.JobOrder", on_delete=models.PROTECT, related_name="applications", verbose_name="用工信息"
    )
    registered_on = models.DateField("报名日期")
    planned_departure = models.DateField("计划出发日期", null=True, blank=True, help_text="按此日期计算年龄")
    # Screening (初审, 政审).
    political_review_passed = models.BooleanField("政审通过", null=True, blank=True)
    screened_on = models.DateField("初审日期", null=True, blank=True)
    # Health check (体检).
    health_check_date = models.DateField("体检日期", null=True, blank=True)
    health_check_hospital = models.CharField("体检医院", max_length=100, blank=True)
    health_check_passed = models.BooleanField("体检合格", null=True, blank=True)
    health_check_result_enc = models.BinaryField("体检结论（密文）", null=True, blank=True, editable=False)
    health_check_fee = models.DecimalField("体检费（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    # Interview (面试) and contract (就业合同).
    interview_date = models.DateField("面试日期", null=True, blank=True)
    contract_signed_on = models.DateField("合同签订日期", null=True, blank=True)
    contract_term_months = models.PositiveSmallIntegerField("合同期限（月）", null=True, blank=True)
    contract_wage = models.DecimalField("合同工资（元/月）", max_digits=12, decimal_places=2, null=True, blank=True)
    guaranteed_wage = models.DecimalField("保底工资（元/月）", max_digits=12, decimal_places=2, null=True, blank=True)
    # Documents, one-stop (一条龙办证): fees at cost (工本费).
    doc_id_card = models.BooleanField("身份证", default=False)
    doc_work_permit = models.BooleanField("务工证", default=False)
    doc_marriage_cert = models.BooleanField("婚育证", default=False)
    document_fees = models.DecimalField("办证工本费（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    # Contacts for the contact card (联系卡).
    emergency_contact = models.CharField("家庭联系人", max_length=50, blank=True)
    emergency_phone = models.CharField("家庭联系电话", max_length=20, blank=True)
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name="批次"
    )
    departed_on = models.DateField("出发日期", null=True, blank=True)
    arrived_on = models.DateField("到岗日期", null=True, blank=True)
    closed_reason = models.CharField("退出 / 淘汰原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        indexes = [
            region_prefix_index(name="application_region_pfx"),
            models.Index(fields=["status"], name="application_status"),
        ]
        constraints = [
            # One open application per person and order, also when two officers register the
            # same people at once (services.application_register gives the friendly message).
            models.UniqueConstraint(
                fields=["person", "job_order"],
                condition=~Q(status__in=FINAL_STATUSES),
                name="application_one_open_per_order",
                violation_error_message="该人员已报名该岗位，正在办理中。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.job_order_id}"


class ApplicationEvent(models.Model):
    """One move of an application (who, when, from, to, why); written by the transition service."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=16, choices=ApplicationStatus.choices)
    to_status = models.CharField("新状态", max_length=16, choices=ApplicationStatus.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    reason = models.CharField("原因 / 说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "报名记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.from_status}→{self.to_status}"


class AgencyUser(models.Model):
    """Which agency (中介机构) an account of role "agency" acts for (docs/decisions/0052).

    An agency user sees only applications, batches and stints of its agency's job orders, and
    may confirm arrivals and report wages for them; region scope does not apply to it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_link", verbose_name="账户"
    )
    agency = models.ForeignKey(
        "employers.Agency", on_delete=models.CASCADE, related_name="user_links", verbose_name="中介机构"
    )

    class Meta:
        verbose_name = "中介机构账户"

    def __str__(self) -> str:
        return f"{self.user_id} → {self.agency_id}"


@pghistory.track()
class FollowUpCase(RegionScopedModel, TimeStampedModel):
    """A follow-up case (跟踪服务): not arrived, lost contact, returned, dispute, arrears.

    Disputes and arrears are only opened here; their handling proper belongs to a later issue.
    """

    person = models.ForeignKey(
        "workers.Person", on_delete=models.PROTECT, related_name="followups", verbose_name="人员"
    )
    stint = models.ForeignKey(
        Stint, on_delete=models.SET_NULL, null=True, blank=True, related_name="followups", verbose_name="务工记录"
    )
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="followups", verbose_name="报名"
    )
    kind = models.CharField("类别", max_length=16, choices=FollowUpKind.choices)
    status = models.CharField("状态", max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    opened_on = models.DateField("登记日期")
    closed_on = models.DateField("办结日期", null=True, blank=True)
    outcome = models.TextField("处理结果", blank=True)
    notes = models.TextField("情况说明", blank=True)

    class Meta:
        verbose_name = "跟踪服务"
        verbose_name_plural = "跟踪服务"
        indexes = [region_prefix_index(name="followupcase_region_pfx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.person_id}"
