"""The demo data set: Baoshan city's five counties and Shahe town, with one login per role.

Villages are synthetic (marked ``is_demo``) under the real townships of the source documents;
Shahe's village names are the ones its report names. Each app adds its own part through a
``demo.py`` module with ``load(ctx)``, called in INSTALLED_APPS order.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from laowu.accounts.roles import Role

DEMO_PASSWORD = "Demo#2026lw"
BAOSHAN_COUNTIES = ["530502", "530521", "530523", "530524", "530581"]
SHAHE = "620723101"

# Shahe's villages named in its report (五三村, 西头号村, 东寨村, 沙河村, 化音村) first.
SHAHE_VILLAGES = ["五三村", "西头号村", "东寨村", "沙河村", "化音村", "兰家堡村", "新丰村", "合水村"]
YUNNAN_VILLAGE_NAMES = [
    "大寨村",
    "新街村",
    "河湾村",
    "松林村",
    "坝子村",
    "石头寨村",
    "龙塘村",
    "芒岗村",
    "红星村",
    "中和村",
    "小田坝村",
    "大地村",
    "清平村",
    "老街村",
    "核桃林村",
    "丙弄村",
    "水箐村",
    "团山村",
    "白岩村",
    "梨树村",
]
PAIRED_UNITS = ["市人社局", "市财政局", "区交通局", "县农业局", "县供销社", "市邮政公司"]

DEMO_USERS = [
    # username, display name, role, region, what to try
    ("city_baoshan", "保山市扶贫办", Role.CITY_OFFICE, "5305", "全市五县区"),
    ("county_longyang", "隆阳区扶贫办", Role.COUNTY_OFFICE, "530502", "隆阳区"),
    ("county_changning", "昌宁县劳动保障局", Role.COUNTY_OFFICE, "530524", "昌宁县"),
    ("station_lujiang", "潞江镇劳务工作站", Role.TOWNSHIP_STATION, "530502106", "隆阳区潞江镇"),
    ("station_shahe", "沙河镇劳务工作站", Role.TOWNSHIP_STATION, SHAHE, "甘肃临泽县沙河镇"),
    ("village_wusan", "五三村劳务信息员", Role.VILLAGE_OFFICER, SHAHE + "201", "沙河镇五三村"),
    ("agency_xinde", "昆明鑫德有限公司", Role.AGENCY, "5305", "中介机构"),
    ("auditor", "审计管理员", Role.AUDITOR, "00", "只读审计日志"),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, "00", "管理账户"),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, "00", "系统维护"),
]


@dataclass
class DemoContext:
    rng: random.Random
    villages: list[str] = field(default_factory=list)
    users: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


def _village_rows(rng: random.Random) -> list[list[str]]:
    from laowu.regions.models import Region, RegionLevel

    rows = [["区划代码", "名称", "贫困村", "挂钩扶贫村", "挂钩单位"]]
    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP)
        .filter(code__regex=r"^(" + "|".join(BAOSHAN_COUNTIES) + r")[0-9]{3}$")
        .exclude(name__endswith="街道")
        .values_list("code", flat=True)
    )
    for township in townships:
        names = rng.sample(YUNNAN_VILLAGE_NAMES, 4)
        for index, name in enumerate(names):
            poor = rng.random() < 0.5
            paired = poor and rng.random() < 0.4
            rows.append(
                [
                    f"{township}{200 + index:03d}",
                    name,
                    "是" if poor else "",
                    "是" if paired else "",
                    rng.choice(PAIRED_UNITS) if paired else "",
                ]
            )
    for index, name in enumerate(SHAHE_VILLAGES):
        rows.append([f"{SHAHE}{201 + index:03d}", name, "是" if index < 3 else "", "", ""])
    # Groups (组) under Shahe's villages, where village officers work.
    for index in range(len(SHAHE_VILLAGES)):
        for group in range(1, 5):
            rows.append([f"{SHAHE}{201 + index:03d}{group:03d}", f"{group}组", "", "", ""])
    return rows


def demo_load(*, seed: int = 2004, stdout: Any = None) -> DemoContext:
    from laowu.accounts.models import User
    from laowu.accounts.services import user_create
    from laowu.core.audit_context import audit_context
    from laowu.regions.services import villages_load

    ctx = DemoContext(rng=random.Random(seed))
    with audit_context(source="demo"):
        result = villages_load(rows=_village_rows(ctx.rng), is_demo=True)
        if result.errors:
            raise RuntimeError("; ".join(map(str, result.errors[:5])))
        ctx.log.append(f"villages and groups: {result.created + result.updated}")
        for username, display_name, role, region, _note in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    actor=None,
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    region_code=region,
                    display_name=display_name,
                    must_change_password=False,
                )
            ctx.users[username] = user
        ctx.log.append(f"users: {len(ctx.users)}")
        from django.apps import apps

        for config in apps.get_app_configs():
            if not config.name.startswith("laowu.") or config.name == "laowu.core":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.load(ctx)
    if stdout is not None:
        for line in ctx.log:
            stdout.write(f"  {line}\n")
    return ctx


def demo_loaded() -> bool:
    from laowu.regions.models import Region

    return Region.objects.filter(is_demo=True).exists()


def print_logins() -> None:
    from laowu.accounts.models import User

    present = set(User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list("username", flat=True))
    if not present:
        return
    print(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for username, display_name, _role, _region, note in DEMO_USERS:
        if username in present:
            print(f"  {username:<18} {display_name}（{note}）")
    print()
