"""Import jobs (导入记录): who imported which file, when, how, with what result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from laowu.core.scope import RegionScopedModel, TimeStampedModel, region_prefix_index


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "处理中"
    CHECKED = "checked", "校验通过，待导入"
    INVALID = "invalid", "有错误，未导入"
    COMMITTED = "committed", "已导入"
    FAILED = "failed", "处理失败"


class ImportPolicy(models.TextChoices):
    """What to do with a row whose ID number is already registered."""

    UPDATE = "update", "更新已登记人员（空白单元格不覆盖原有信息）"
    SKIP = "skip", "跳过已登记人员"
    REFUSE = "refuse", "遇已登记人员报错，整个文件不导入"


class ImportJob(RegionScopedModel, TimeStampedModel):
    """One uploaded file and its runs: a dry run (校验) and, when clean, the commit (导入).

    ``region`` is the importing user's region: the job (and its file) is visible in that
    subtree only. The file is kept under the data folder by its SHA-256 until it is purged.
    """

    target = models.CharField("导入对象", max_length=20)
    profile = models.CharField("文件格式", max_length=40)
    options = models.JSONField("选项", default=dict, blank=True)
    policy = models.CharField("已登记人员", max_length=10, choices=ImportPolicy.choices, default=ImportPolicy.UPDATE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    filename = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField("文件 SHA-256", max_length=64)
    file_size = models.BigIntegerField("文件大小（字节）")
    stored_path = models.CharField("存储位置", max_length=300)
    status = models.CharField("状态", max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    commit_requested = models.BooleanField("已请求导入", default=False)
    phase = models.CharField("阶段", max_length=40, blank=True)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("无变化", default=0)
    skipped_count = models.PositiveIntegerField("跳过", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    summary = models.JSONField("摘要", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        indexes = [region_prefix_index(), models.Index(fields=["-created_at"], name="importjob_created")]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("imports:job_detail", args=[self.pk])

    @property
    def target_label(self) -> str:
        from laowu.imports.engine import get_target

        try:
            return str(get_target(self.target).label)
        except LookupError:
            return self.target

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportIssue(models.Model):
    """One problem found in a file: the row (as Excel numbers it), the column and the reason."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues", verbose_name="导入记录")
    row = models.PositiveIntegerField("行号")
    column = models.CharField("列", max_length=60)
    message = models.CharField("原因", max_length=500)

    class Meta:
        verbose_name = "导入错误"
        verbose_name_plural = "导入错误"
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="importissue_job_row")]

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.message}"
