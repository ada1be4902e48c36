from __future__ import annotations

from django.db import models

from laowu.core.scope import RegionScopedQuerySet


class RegionLevel(models.IntegerChoices):
    COUNTRY = 0, "全国"
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县/区"
    TOWNSHIP = 4, "乡/镇"
    VILLAGE = 5, "村/社区"
    GROUP = 6, "组"


# Code length by level: GB/T 2260 (2/4/6) and the statistical division code (9/12), plus a
# 3-digit group (组) number under a village.
CODE_LENGTHS = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
    RegionLevel.GROUP: 15,
}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTHS.items()}


class RegionQuerySet(RegionScopedQuerySet):
    def restrict(self, user: object) -> RegionQuerySet:
        """A region is in scope when its own code lies in the user's subtree."""
        from laowu.core.scope import scope_prefix

        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        return self.filter(code__startswith=prefix) if prefix else self

    def search(self, text: str) -> RegionQuerySet:
        text = text.strip()
        if not text:
            return self
        if text.isdigit():
            return self.filter(code__startswith=text)
        if text.isascii():
            return self.filter(pinyin_initials__startswith=text.lower())
        return self.filter(name__contains=text)


class Region(models.Model):
    """A node of the administrative division tree (行政区划): province down to village group.

    The primary key is the division code itself, so records that belong to a region store the
    code and "in the subtree of X" is a prefix match on that column.
    """

    ROOT_CODE = "00"

    code = models.CharField("区划代码", max_length=15, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    full_name = models.CharField("全称", max_length=300, blank=True)
    pinyin_initials = models.CharField("拼音首字母", max_length=100, blank=True)
    is_poor_village = models.BooleanField("贫困村", default=False)
    is_paired_aid_village = models.BooleanField("挂钩扶贫村", default=False)
    paired_unit = models.CharField("挂钩单位", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["code"], name="region_code_pfx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["pinyin_initials"], name="region_pinyin_pfx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "code"], name="region_level_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$"),
                name="region_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return RegionLevel(self.level).label

    def ancestors_codes(self) -> list[str]:
        """Codes of the ancestors, top first (derived from the code, no queries)."""
        if self.code == self.ROOT_CODE:
            return []
        codes = [self.ROOT_CODE]
        for length in (2, 4, 6, 9, 12):
            if length < len(self.code):
                codes.append(self.code[:length])
        return codes
