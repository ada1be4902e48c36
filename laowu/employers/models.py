"""Employers (用工单位), intermediary agencies (中介机构), site visits (考察) and labor bases (劳务基地).

Each record belongs to the region of the office that registered it (``region``, the scope);
the organisation's own address is a separate region (``address_region``, anywhere in China).
"""

from __future__ import annotations

import datetime

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery

from laowu.core.scope import (
    RegionScopedManager,
    RegionScopedModel,
    RegionScopedQuerySet,
    TimeStampedModel,
    region_prefix_index,
    scope_prefix,
)
from laowu.jobs.codetables import validate_industry_division


def validate_credit_code(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError as StdnumError

    if not value:
        return
    try:
        uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            f"「{value}」不是有效的统一社会信用代码（18 位，末位为校验码）。", code="invalid_credit_code"
        )


class PartyQuerySet(RegionScopedQuerySet):
    """Employers and agencies: a user sees those registered in their subtree and, read-only,
    those registered by the offices above them (a county's partners serve its townships)."""

    def restrict(self, user: object) -> PartyQuerySet:
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        ancestors = [prefix[:n] for n in (2, 4, 6, 9, 12) if n < len(prefix)]
        return self.filter(Q(region__code__startswith=prefix) | Q(region__code__in=ancestors))

    def with_vetting(self) -> PartyQuerySet:
        """Annotate ``last_visit_date`` and ``last_visit_verdict`` (the latest site visit decides)."""
        field = str(self.model._meta.model_name)  # "employer" or "agency"
        latest = SiteVisit.objects.filter(**{field: OuterRef("pk")}).order_by("-visit_date", "-pk")
        return self.annotate(
            last_visit_date=Subquery(latest.values("visit_date")[:1]),
            last_visit_verdict=Subquery(latest.values("verdict")[:1]),
        )

    def vetted(self) -> PartyQuerySet:
        """Only those whose latest site visit passed (a later failed visit revokes vetting)."""
        return self.with_vetting().filter(last_visit_verdict=Verdict.PASSED)


class PartyManager(RegionScopedManager.from_queryset(PartyQuerySet)):  # type: ignore[misc]
    pass


class Party(RegionScopedModel, TimeStampedModel):
    """What employers and agencies share: identity, address, contact, blacklist."""

    name = models.CharField("名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code])
    address_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在地区划",
        help_text="单位所在地（可为全国任一县区或乡镇）",
    )
    address = models.CharField("详细地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    notes = models.TextField("备注", blank=True)
    is_blacklisted = models.BooleanField("已列入黑名单", default=False)
    blacklist_reason = models.CharField("黑名单原因", max_length=500, blank=True)
    blacklisted_at = models.DateTimeField("列入黑名单时间", null=True, blank=True)

    objects = PartyManager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.credit_code = (self.credit_code or "").strip().upper()
        if self.is_blacklisted and not self.blacklist_reason.strip():
            raise ValidationError({"blacklist_reason": "列入黑名单必须说明原因。"})


@pghistory.track()
class Employer(Party):
    """An employer (用工单位): the company where laborers work."""

    industry_code = models.CharField(
        "行业", max_length=2, blank=True, validators=[validate_industry_division], help_text="GB/T 4754-2017 大类"
    )
    scale = models.PositiveIntegerField("职工人数", null=True, blank=True)

    class Meta:
        verbose_name = "用工单位"
        verbose_name_plural = "用工单位"
        ordering = ["name", "pk"]
        indexes = [region_prefix_index()]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="employer_credit_code_unique",
                violation_error_message="该统一社会信用代码已登记为用工单位。",
            ),
        ]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("employers:employer_detail", args=[self.pk])


class AgencyKind(models.TextChoices):
    COMPANY = "company", "中介公司"
    EMPLOYMENT_SERVICE = "employment_service", "职业介绍所"
    DISPATCH = "dispatch", "劳务派遣公司"


@pghistory.track()
class Agency(Party):
    """An intermediary agency (中介机构): 中介公司, 职业介绍所 or 劳务派遣公司, licensed."""

    kind = models.CharField("类型", max_length=24, choices=AgencyKind.choices, default=AgencyKind.EMPLOYMENT_SERVICE)
    licence_no = models.CharField(
        "许可证号", max_length=50, blank=True, help_text="人力资源服务许可证或劳务派遣经营许可证编号"
    )
    licence_valid_from = models.DateField("许可证有效期起", null=True, blank=True)
    licence_valid_until = models.DateField("许可证有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "中介机构"
        verbose_name_plural = "中介机构"
        ordering = ["name", "pk"]
        indexes = [region_prefix_index()]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="agency_credit_code_unique",
                violation_error_message="该统一社会信用代码已登记为中介机构。",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.licence_valid_from and self.licence_valid_until and self.licence_valid_until < self.licence_valid_from:
            raise ValidationError({"licence_valid_until": "有效期至不能早于有效期起。"})

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("employers:agency_detail", args=[self.pk])

    def licence_valid_on(self, day: datetime.date) -> bool:
        """True when the licence number is on file and ``day`` lies within its validity."""
        if not self.licence_no or self.licence_valid_until is None:
            return False
        starts_ok = self.licence_valid_from is None or self.licence_valid_from <= day
        return starts_ok and self.licence_valid_until >= day


class Verdict(models.TextChoices):
    PASSED = "passed", "考察合格"
    FAILED = "failed", "考察不合格"


@pghistory.track()
class SiteVisit(RegionScopedModel, TimeStampedModel):
    """A site visit (考察) to an employer or agency. A passed latest visit means "vetted"."""

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name="用工单位"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name="中介机构"
    )
    visit_date = models.DateField("考察日期")
    visitors = models.CharField("考察人员", max_length=200)
    findings = models.TextField("考察情况")
    verdict = models.CharField("结论", max_length=8, choices=Verdict.choices)

    class Meta:
        verbose_name = "考察记录"
        verbose_name_plural = "考察记录"
        ordering = ["-visit_date", "-pk"]
        indexes = [region_prefix_index()]
        constraints = [
            models.CheckConstraint(
                condition=Q(employer__isnull=False, agency__isnull=True)
                | Q(employer__isnull=True, agency__isnull=False),
                name="sitevisit_one_party",
                violation_error_message="考察对象须为一个用工单位或一个中介机构。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.visit_date:%Y-%m-%d} {self.get_verdict_display()}"

    @property
    def party(self) -> Employer | Agency | None:
        return self.employer or self.agency

    def clean(self) -> None:
        super().clean()
        if bool(self.employer_id) == bool(self.agency_id):
            raise ValidationError("考察对象须为一个用工单位或一个中介机构。")


@pghistory.track()
class LaborBase(RegionScopedModel, TimeStampedModel):
    """A labor base (劳务基地): a standing partnership with a destination, with a key contact."""

    name = models.CharField("基地名称", max_length=100)
    destination_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="基地所在地"
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="bases", verbose_name="合作用工单位"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="bases", verbose_name="合作中介机构"
    )
    key_contact_name = models.CharField("重点联系人", max_length=50)
    key_contact_phone = models.CharField("重点联系人电话", max_length=20)
    since = models.DateField("建立日期")
    until = models.DateField("终止日期", null=True, blank=True)
    notes = models.TextField("备注", blank=True)

    objects = PartyManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "劳务基地"
        verbose_name_plural = "劳务基地"
        ordering = ["-since", "pk"]
        indexes = [region_prefix_index()]
        constraints = [
            models.CheckConstraint(
                condition=Q(employer__isnull=False) | Q(agency__isnull=False),
                name="laborbase_has_partner",
                violation_error_message="请选择合作用工单位或中介机构（至少一个）。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not self.employer_id and not self.agency_id:
            raise ValidationError("请选择合作用工单位或中介机构（至少一个）。")
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": "终止日期不能早于建立日期。"})

    @property
    def is_active(self) -> bool:
        return self.until is None
