"""The laborer registry: one person registry behind the three ledgers (三本台帐).

- 农村劳动力资源台帐: every person of working age in the area (``Person.objects``).
- 农村富余劳动力资源台帐: persons surplus to farm work (``LaborStatus.SURPLUS_STATUSES``).
- 劳动力外出务工台帐: persons working away now (status ``working_away``; stints in placements).
The ledgers are selectors over this one table (workers/selectors.py), never copies.
"""

from __future__ import annotations

import datetime

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from laowu.core import crypto
from laowu.core.codetables import choices
from laowu.core.history import track_bulk_aware
from laowu.core.masking import mask_id_number
from laowu.core.scope import RegionScopedModel, TimeStampedModel, region_prefix_index


class PovertyStatus(models.TextChoices):
    LIFTED = "lifted", "脱贫户"
    MONITORED = "monitored", "监测户"
    GENERAL = "general", "一般户"


class LaborStatus(models.TextChoices):
    FARMING = "farming", "在家务农"
    SURPLUS = "surplus", "富余劳动力"
    WORKING_AWAY = "working_away", "外出务工"
    WORKING_LOCAL = "working_local", "本地务工"
    RETURNED = "returned", "返乡"
    STUDENT = "student", "在校生"
    UNABLE = "unable", "丧失劳动能力"
    OTHER = "other", "其他"


# The surplus ledger: those available for transfer (one definition, used by every selector).
SURPLUS_STATUSES = (LaborStatus.SURPLUS, LaborStatus.RETURNED)
# Columns matching reads for the surplus pool (covered by the index ``person_surplus_match``).
MATCHING_COLUMNS = [
    "id",
    "region",
    "sex",
    "education",
    "health",
    "trades",
    "preferred_trades",
    "preferred_destinations",
    "wants_to_go_out",
    "stint_count",
    "early_return_count",
]
# Working age used by the resource ledger (labor statistics practice: 16 to 64).
WORKING_AGE = (16, 64)


class Sex(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"


@track_bulk_aware()
class Household(RegionScopedModel, TimeStampedModel):
    """A household (户): members, head, poverty status, income by year."""

    number = models.CharField("户编号", max_length=32)
    head = models.ForeignKey(
        "workers.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="户主"
    )
    poverty_status = models.CharField(
        "贫困状态", max_length=16, choices=PovertyStatus.choices, default=PovertyStatus.GENERAL
    )
    address = models.CharField("住址", max_length=200, blank=True)
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"
        indexes = [region_prefix_index()]
        constraints = [models.UniqueConstraint(fields=["region", "number"], name="household_number_per_region")]

    def __str__(self) -> str:
        return f"{self.number}"


class HouseholdIncome(models.Model):
    """Per-capita net income of a household in one year (人均纯收入), for the labor-income share."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField("年份")
    per_capita_net_income = models.DecimalField("人均纯收入（元）", max_digits=12, decimal_places=2)
    labor_income = models.DecimalField("劳务收入（元）", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "家庭收入"
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="household_income_year")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"


@track_bulk_aware(exclude=["id_number_enc"])
class Person(RegionScopedModel, TimeStampedModel):
    """A rural laborer (农村劳动力), keyed by the resident ID number, one row in the whole system.

    The ID number is stored encrypted (``id_number_enc``); ``id_number_hash`` is its keyed blind
    index (unique: one person per ID number across every region) and ``id_number_masked`` its
    display form. Birth date and sex come from the ID number, never typed. ``region`` is the
    village (12 digits) or group (15 digits) the person lives in.
    """

    # Collation "C" for name and phone: their indexes then serve prefix searches (LIKE '王明%',
    # LIKE '1391234%'), which a locale collation's cannot, and build faster (decision 0067).
    name = models.CharField("姓名", max_length=50, db_collation="C")
    name_initials = models.CharField("姓名拼音首字母", max_length=20, blank=True)
    id_number_enc = models.BinaryField("身份证号（密文）", editable=False)
    # Collation "C": the blind index is hex, compared byte by byte (no locale rules per comparison
    # in the unique index that every imported row is matched against).
    id_number_hash = models.CharField("身份证号索引", max_length=64, editable=False, db_collation="C")
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, editable=False)
    ethnicity = models.CharField("民族", max_length=2, choices=choices("ethnicity"), default="01")
    education = models.CharField("文化程度", max_length=2, choices=choices("education"), blank=True)
    health = models.CharField("健康状况", max_length=1, choices=choices("health"), default="1")
    political_status = models.CharField("政治面貌", max_length=2, choices=choices("political"), default="13")
    phone = models.CharField("联系电话", max_length=20, blank=True, db_collation="C")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name="所在户"
    )
    relation_to_head = models.CharField("与户主关系", max_length=2, choices=choices("relation"), blank=True)
    trades = ArrayField(models.CharField(max_length=8), default=list, blank=True, verbose_name="技能（工种）")
    labor_status = models.CharField(
        "劳动力状态", max_length=16, choices=LaborStatus.choices, default=LaborStatus.FARMING
    )
    wants_to_go_out = models.BooleanField("有外出意愿", default=False)
    preferred_destinations = ArrayField(
        models.CharField(max_length=12), default=list, blank=True, verbose_name="意向务工地（区划代码）"
    )
    preferred_trades = ArrayField(models.CharField(max_length=8), default=list, blank=True, verbose_name="意向工种")
    available_from = models.DateField("最早可外出日期", null=True, blank=True)
    notes = models.TextField("备注", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    # Derived from the person's stints (placements.Stint) by placements.services.labor_status_sync,
    # like the labor status: matching ranks a million people by them without reading stints.
    stint_count = models.PositiveSmallIntegerField("外出务工次数", default=0, editable=False)
    early_return_count = models.PositiveSmallIntegerField("3 个月内返乡次数", default=0, editable=False)

    class Meta:
        verbose_name = "劳动力"
        verbose_name_plural = "劳动力"
        indexes = [
            region_prefix_index(),
            # The ledger pages' default order (village, then id): the first page over a million
            # people is read in index order instead of sorted (bench/registry.py).
            models.Index(fields=["region", "id"], name="person_region_order"),
            # Pattern operators (byte order) on both columns: the region's serve a subtree's prefix
            # (status 返乡 in one township, count: 20 ms -> 0.9 ms over 1,000,000 people), which
            # the database's collation cannot, and the build sorts by bytes (1.45 -> 0.95 s of CPU).
            models.Index(
                fields=["labor_status", "region"],
                name="person_status_region",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["name_initials"], name="person_initials_pfx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["phone"], name="person_phone"),
            models.Index(fields=["birth_date"], name="person_birth"),
            GinIndex(fields=["trades"], name="person_trades_gin"),
            # Matching (jobs/matching.py): the surplus pool by birth date, with every column the
            # hard requirements and the score read, so that ranking is an index-only scan.
            models.Index(
                fields=["birth_date"],
                include=MATCHING_COLUMNS,
                condition=models.Q(labor_status__in=SURPLUS_STATUSES),
                name="person_surplus_match",
            ),
        ]
        # A constraint, not ``unique=True``: the hash is never searched by prefix, so no second
        # (varchar_pattern_ops) index to maintain on every imported row.
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="person_id_number_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number(self) -> str:
        """The full ID number: only for code paths that checked the view-sensitive capability."""
        return crypto.decrypt(self.id_number_enc)

    def set_id_number(self, number18: str) -> None:
        self.id_number_enc = crypto.encrypt(number18)
        self.id_number_hash = crypto.blind_index(number18)
        self.id_number_masked = mask_id_number(number18)

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class Certificate(TimeStampedModel):
    """A certificate a person holds (培训证书, 职业资格证书, 特种作业操作证 ...); counts in matching."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certificates", verbose_name="人员")
    kind = models.CharField("证书类别", max_length=16, choices=choices("certificate"))
    trade = models.CharField("工种", max_length=8, choices=choices("trade"), blank=True)
    number = models.CharField("证书编号", max_length=50, blank=True)
    level = models.CharField("等级", max_length=20, blank=True)
    issuer = models.CharField("发证机关", max_length=100, blank=True)
    issued_on = models.DateField("发证日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "证书"
        verbose_name_plural = "证书"
        indexes = [models.Index(fields=["person", "kind"], name="certificate_person_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
