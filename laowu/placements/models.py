"""The organised export process (有组织输出) and the record of work away from home.

- ``Stint`` (务工记录): a person's period of work away, by channel; the 外出务工台帐 is built on it.
- ``StintWage``: wages reported by month for a stint (by the agency, the station or the worker).
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
    channel = models.CharField("输出渠道", max_length=16, choices=Channel.choices)
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
