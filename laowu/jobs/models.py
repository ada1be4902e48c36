"""Job orders (用工信息), their lifecycle events and the job bulletins (信息服务) compiled from them.

Requirement fields are plain columns and arrays of codes so that matching can filter on them
directly (age range, sex, minimum education, health codes, trades, certificate kinds, place).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from laowu.core.scope import (
    RegionScopedManager,
    RegionScopedModel,
    RegionScopedQuerySet,
    TimeStampedModel,
    region_prefix_index,
    scope_prefix,
)
from laowu.jobs.codetables import (
    Sex,
    validate_certificate_kinds,
    validate_education,
    validate_health_codes,
    validate_industry_division,
    validate_occupation,
    validate_trade,
    validate_trade_codes,
)


class JobOrderStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    VETTED = "vetted", "已审核"
    PUBLISHED = "published", "已发布"
    FILLED = "filled", "已招满"
    CLOSED = "closed", "已关闭"
    WITHDRAWN = "withdrawn", "已撤回"


# Orders that were published: offices below the registering one may read them.
PUBLISHED_STATES = (JobOrderStatus.PUBLISHED, JobOrderStatus.FILLED, JobOrderStatus.CLOSED)


class Provision(models.TextChoices):
    """Housing / meals arrangement."""

    NONE = "none", "不提供"
    FREE = "free", "免费提供"
    PAID = "paid", "提供（自费）"
    ALLOWANCE = "allowance", "发放补贴"


class JobOrderQuerySet(RegionScopedQuerySet):
    def restrict(self, user: object) -> JobOrderQuerySet:
        """Orders registered in the user's subtree; and published orders of the offices above
        (a county publishes to its townships and villages), read-only."""
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        ancestors = [prefix[:n] for n in (2, 4, 6, 9, 12) if n < len(prefix)]
        return self.filter(
            Q(region__code__startswith=prefix) | Q(region__code__in=ancestors, status__in=PUBLISHED_STATES)
        )

    def open(self) -> JobOrderQuerySet:
        return self.filter(status=JobOrderStatus.PUBLISHED)


class JobOrderManager(RegionScopedManager.from_queryset(JobOrderQuerySet)):  # type: ignore[misc]
    pass


@pghistory.track()
class JobOrder(RegionScopedModel, TimeStampedModel):
    """A job order (用工信息): positions an employer offers, directly or through an agency."""

    title = models.CharField("岗位名称", max_length=100)
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_orders",
        verbose_name="用工单位",
    )
    agency = models.ForeignKey(
        "employers.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_orders",
        verbose_name="中介机构",
    )
    headcount = models.PositiveIntegerField("招用人数")
    description = models.TextField("工作内容", blank=True)
    # Requirements: each a column or an array of codes, for matching.
    min_age = models.PositiveSmallIntegerField("最低年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最高年龄", null=True, blank=True)
    sex = models.CharField("性别要求", max_length=1, blank=True, choices=Sex.CHOICES, default=Sex.ANY)
    min_education = models.CharField(
        "最低学历", max_length=2, blank=True, validators=[validate_education], help_text="GB/T 4658-2006"
    )
    health_codes = ArrayField(
        models.CharField(max_length=2),
        verbose_name="可接受的健康状况",
        default=list,
        blank=True,
        validators=[validate_health_codes],
        help_text="GB/T 2261.3 代码；留空为不限",
    )
    trade_codes = ArrayField(
        models.CharField(max_length=32),
        verbose_name="要求工种",
        default=list,
        blank=True,
        validators=[validate_trade_codes],
    )
    certificate_kinds = ArrayField(
        models.CharField(max_length=32),
        verbose_name="要求证书",
        default=list,
        blank=True,
        validators=[validate_certificate_kinds],
    )
    training_required = models.BooleanField("须先培训", default=False, help_text="先培训后输出")
    training_trade_code = models.CharField("培训工种", max_length=32, blank=True, validators=[validate_trade])
    other_requirements = models.CharField("其他要求", max_length=300, blank=True)
    # Pay, in yuan per month.
    wage_min = models.DecimalField("月工资下限（元）", max_digits=12, decimal_places=2)
    wage_max = models.DecimalField("月工资上限（元）", max_digits=12, decimal_places=2)
    guaranteed_wage = models.DecimalField(
        "保底工资（元/月）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="中介机构承诺的保底工资线；低于此数的差额由中介补足",
    )
    # Place and terms.
    place_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="工作地点区划"
    )
    work_address = models.CharField("工作地址", max_length=200, blank=True)
    industry_code = models.CharField(
        "行业", max_length=2, blank=True, validators=[validate_industry_division], help_text="GB/T 4754-2017 大类"
    )
    occupation_code = models.CharField(
        "职业大类", max_length=2, blank=True, validators=[validate_occupation], help_text="职业分类大典（2022）"
    )
    contract_months = models.PositiveSmallIntegerField("合同期限（月）", null=True, blank=True)
    deadline = models.DateField("报名截止日期", null=True, blank=True)
    housing = models.CharField("住宿", max_length=12, choices=Provision.choices, default=Provision.NONE)
    meals = models.CharField("伙食", max_length=12, choices=Provision.choices, default=Provision.NONE)
    travel_arrangements = models.CharField(
        "交通安排", max_length=300, blank=True, help_text="如：中介派人护送，路费由企业报销"
    )
    status = models.CharField("状态", max_length=12, choices=JobOrderStatus.choices, default=JobOrderStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )

    objects = JobOrderManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "用工信息"
        verbose_name_plural = "用工信息"
        ordering = ["-created_at", "-pk"]
        indexes = [
            region_prefix_index(),
            region_prefix_index("place_region", "jobs_joborder_place_pfx"),
            models.Index(fields=["status", "deadline"], name="jobs_joborder_status_dl"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(employer__isnull=False) | Q(agency__isnull=False),
                name="joborder_has_party",
                violation_error_message="请选择用工单位或中介机构（至少一个）。",
            ),
            models.CheckConstraint(
                condition=Q(wage_max__gte=models.F("wage_min")),
                name="joborder_wage_range",
                violation_error_message="月工资上限不能低于下限。",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gte=models.F("min_age")),
                name="joborder_age_range",
                violation_error_message="最高年龄不能低于最低年龄。",
            ),
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="joborder_headcount_positive",
                violation_error_message="招用人数至少为 1。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.party_name}）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("jobs:joborder_detail", args=[self.pk])

    @property
    def party_name(self) -> str:
        names = [str(p) for p in (self.employer, self.agency) if p is not None]
        return " / ".join(names)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not self.employer_id and not self.agency_id:
            errors["employer"] = "请选择用工单位或中介机构（至少一个）。"
        if self.wage_min is not None and self.wage_max is not None and self.wage_max < self.wage_min:
            errors["wage_max"] = "月工资上限不能低于下限。"
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            errors["max_age"] = "最高年龄不能低于最低年龄。"
        if self.min_age is not None and self.min_age < 16:
            errors["min_age"] = "不得招用未满 16 周岁的未成年人。"
        if self.training_required and not self.training_trade_code:
            errors["training_trade_code"] = "须先培训时请选择培训工种。"
        if self.guaranteed_wage is not None and self.guaranteed_wage <= 0:
            errors["guaranteed_wage"] = "保底工资须大于 0。"
        if errors:
            raise ValidationError(errors)


class JobOrderTransition(models.Model):
    """One lifecycle transition of a job order (用工信息状态变更): who, when, why.

    (Row-level data history is pghistory's ``JobOrderEvent``; this is the business log.)"""

    order = models.ForeignKey(JobOrder, on_delete=models.CASCADE, related_name="transitions", verbose_name="用工信息")
    from_status = models.CharField("原状态", max_length=12, choices=JobOrderStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=JobOrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "用工信息状态变更"
        verbose_name_plural = "用工信息状态变更"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["order", "at"], name="jobs_transition_order_at")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


@pghistory.track()
class Bulletin(RegionScopedModel, TimeStampedModel):
    """A job bulletin issue (信息服务), e.g. 《沙河信息服务》: numbered per region, printed and
    handed out to villages; the distribution figures are entered when it is distributed."""

    number = models.PositiveIntegerField("期号")
    title = models.CharField("刊名", max_length=100)
    issue_date = models.DateField("编印日期")
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="编印人",
    )
    editor_note = models.TextField("编者按", blank=True)
    copies_printed = models.PositiveIntegerField("印发份数", default=0)
    people_informed = models.PositiveIntegerField("告知人数", default=0, help_text="通过本期信息获知用工信息的人数")
    distributed_at = models.DateField("发放日期", null=True, blank=True)

    class Meta:
        verbose_name = "用工信息简报"
        verbose_name_plural = "用工信息简报"
        ordering = ["-issue_date", "-number"]
        indexes = [region_prefix_index()]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"],
                name="bulletin_number_per_region",
                violation_error_message="本区划已有该期号的简报。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} 第 {self.number} 期"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("jobs:bulletin_detail", args=[self.pk])


class BulletinItem(models.Model):
    """One job order in a bulletin issue, with the text as printed (a snapshot)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="items", verbose_name="简报")
    order = models.ForeignKey(
        JobOrder, on_delete=models.PROTECT, related_name="bulletin_items", verbose_name="用工信息"
    )
    position = models.PositiveSmallIntegerField("序号")
    snapshot = models.JSONField("刊登内容", default=dict)

    class Meta:
        verbose_name = "简报条目"
        verbose_name_plural = "简报条目"
        ordering = ["bulletin", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "order"],
                name="bulletinitem_order_once",
                violation_error_message="同一条用工信息在一期简报中只能刊登一次。",
            ),
            models.UniqueConstraint(
                fields=["bulletin", "position"], name="bulletinitem_position_once", violation_error_message="序号重复。"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin} #{self.position}"
