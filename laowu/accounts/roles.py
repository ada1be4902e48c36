"""Roles and what each may do: the one place where a capability is granted.

A capability is a dotted string checked with ``user.has_cap(...)``. Separation of duties
(SECURITY.md item 8): the system admin runs the system but reads no audit log and no personal
data; the security admin manages accounts; the auditor reads the audit trail and writes nothing.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VILLAGE_OFFICER = "village_officer", "村劳务信息员"
    TOWNSHIP_STATION = "township_station", "乡镇劳务工作站"
    COUNTY_OFFICE = "county_office", "县级主管部门"
    CITY_OFFICE = "city_office", "市级主管部门"
    AGENCY = "agency", "中介机构"
    AUDITOR = "auditor", "审计管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"


# Capabilities, grouped by area. Apps check these names; they are granted only here.
CAPABILITIES: dict[str, str] = {
    "regions.view": "查看行政区划",
    "regions.edit": "维护行政区划（导入村组）",
    "registry.view": "查看劳动力台帐",
    "registry.edit": "登记、修改劳动力信息",
    "registry.import": "导入台帐",
    "registry.export": "导出个人信息",
    "registry.transfer": "跨区域迁移人员",
    "sensitive.view": "查看完整身份证号、电话、银行卡号",
    "employers.view": "查看用工单位与中介机构",
    "employers.edit": "维护用工单位、中介机构、考察与基地",
    "jobs.view": "查看用工信息",
    "jobs.edit": "录入用工信息",
    "jobs.vet": "审核、发布用工信息",
    "placements.view": "查看报名、批次与务工记录",
    "placements.edit": "办理报名、批次与务工记录",
    "training.view": "查看培训",
    "training.edit": "组织培训",
    "reports.view": "查看统计报表",
    "agency.portal": "中介机构：确认到岗、报告工资",
    "accounts.manage": "管理用户账户",
    "audit.view": "查看审计日志",
    "system.manage": "系统维护（备份、区划）",
    "api.use": "使用接口",
}

_VILLAGE = {
    "regions.view",
    "registry.view",
    "registry.edit",
    "employers.view",
    "jobs.view",
    "placements.view",
    "training.view",
    "api.use",
}
_TOWNSHIP = _VILLAGE | {
    "registry.import",
    "registry.export",
    "sensitive.view",
    "jobs.edit",
    "placements.edit",
    "training.edit",
    "reports.view",
    "regions.edit",
}
_COUNTY = _TOWNSHIP | {"registry.transfer", "employers.edit", "jobs.vet"}
_CITY = {
    "regions.view",
    "registry.view",
    "employers.view",
    "jobs.view",
    "placements.view",
    "training.view",
    "reports.view",
    "api.use",
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.VILLAGE_OFFICER: frozenset(_VILLAGE),
    Role.TOWNSHIP_STATION: frozenset(_TOWNSHIP),
    Role.COUNTY_OFFICE: frozenset(_COUNTY),
    Role.CITY_OFFICE: frozenset(_CITY),
    Role.AGENCY: frozenset({"agency.portal", "jobs.view", "api.use"}),
    Role.AUDITOR: frozenset({"audit.view"}),
    Role.SECURITY_ADMIN: frozenset({"accounts.manage", "regions.view"}),
    Role.SYSTEM_ADMIN: frozenset({"system.manage", "regions.view", "regions.edit"}),
}

assert all(cap in CAPABILITIES for caps in ROLE_CAPABILITIES.values() for cap in caps)

# Accounts of these roles must use a second factor before admin pages (SECURITY.md item 5).
SECOND_FACTOR_ROLES = frozenset(
    {Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN, Role.AUDITOR}
)
