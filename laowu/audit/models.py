from __future__ import annotations

from django.db import models


class AuditEventType(models.TextChoices):
    LOGIN_OK = "login_ok", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    LOCKOUT = "lockout", "账户锁定"
    UNLOCK = "unlock", "账户解锁"
    IP_BLOCKED = "ip_blocked", "IP 限制"
    SESSION_EXPIRED = "session_expired", "会话超时"
    PASSWORD_CHANGE = "password_change", "修改密码"
    PASSWORD_RESET = "password_reset", "重置密码"
    USER_CREATE = "user_create", "创建用户"
    ROLE_CHANGE = "role_change", "角色变更"
    USER_DISABLE = "user_disable", "停用账户"
    USER_ENABLE = "user_enable", "启用账户"
    TOKEN_CREATE = "token_create", "创建接口令牌"
    TOKEN_REVOKE = "token_revoke", "吊销接口令牌"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    UNMASK = "unmask", "查看完整敏感信息"
    IMPORT = "import", "导入"
    EXPORT = "export", "导出"
    BACKUP = "backup", "备份"
    RESTORE = "restore", "恢复"
    PURGE = "purge", "清理过期审计"
    ACCESS_DENIED = "access_denied", "越权访问"


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AuditEvent(models.Model):
    """One entry of the security audit trail (审计日志).

    Rows cannot be updated or deleted through the application: a trigger refuses it (only a
    purge of rows older than the retention period, in a session that asks for it, may delete).
    A BEFORE INSERT trigger chains each row to the previous one by SHA-256, so an edit made
    behind the application's back is detectable (``audit.services.audit_verify_chain``).
    """

    at = models.DateTimeField("时间", db_default=models.functions.Now())
    user_id = models.BigIntegerField("用户ID", null=True, blank=True)  # no FK: rows outlive users
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.CharField("IP", max_length=45, blank=True)
    event = models.CharField("事件", max_length=32, choices=AuditEventType.choices)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    object_repr = models.CharField("对象描述", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["username", "event", "at"], name="audit_user_event_at"),
            models.Index(fields=["ip", "event", "at"], name="audit_ip_event_at"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_event_display()}"
