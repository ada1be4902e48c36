"""Demo employers, agencies, site visits and labor bases.

Agencies are the ones the source reports name (昆明鑫德有限公司, 保山万鑫职业介绍部, 深圳百灵
职业介绍所, 深圳永信职业介绍所, 沙河银桥劳务公司, 沙河金花劳务派遣公司); employers are synthetic but
in the destinations and industries the reports name, each with a well-formed credit code (correct
check characters, not a real company). Shahe has its 15 labor bases with key contacts.
"""

from __future__ import annotations

import datetime
from typing import Any

from laowu.employers import services
from laowu.employers.credit_codes import credit_code_generate
from laowu.employers.models import AgencyKind, Verdict

SHAHE = "620723101"

# name, kind, address region, registered by, licence (years left; negative = expired)
AGENCIES = [
    ("昆明鑫德有限公司", AgencyKind.COMPANY, "530111", "5305", 3),
    ("保山万鑫职业介绍部", AgencyKind.EMPLOYMENT_SERVICE, "530502", "530524", 2),
    ("深圳百灵职业介绍所", AgencyKind.EMPLOYMENT_SERVICE, "440306", SHAHE, 2),
    ("深圳永信职业介绍所", AgencyKind.EMPLOYMENT_SERVICE, "440307", SHAHE, 4),
    ("沙河银桥劳务公司", AgencyKind.COMPANY, SHAHE, SHAHE, 3),
    ("沙河金花劳务派遣公司", AgencyKind.DISPATCH, SHAHE, SHAHE, 3),
]

# name, industry (GB/T 4754 division), address region, registered by, staff
EMPLOYERS = [
    ("深圳宝安鸿达电子有限公司", "39", "440306", "530502", 2600),
    ("东莞华盛制衣有限公司", "18", "441900119", "530521", 1200),
    ("广州番禺力丰鞋业有限公司", "19", "440113", "530502", 1800),
    ("上海嘉定锦程包装制品有限公司", "22", "310114", "530524", 420),
    ("苏州吴中瑞景精密电子有限公司", "39", "320506", "530521", 3100),
    ("北京朝阳安佳家政服务有限公司", "80", "110105", "530523", 260),
    ("北京京卫保安服务有限公司", "72", "110108", "530581", 900),
    ("青岛崂山海景大酒店有限公司", "61", "370212", "530581", 380),
    ("乌鲁木齐天山丝路餐饮管理有限公司", "62", "650102", SHAHE, 150),
    ("西宁青建建筑工程有限公司", "47", "630104", SHAHE, 700),
    ("甘肃陇电铁路电气化工程有限公司", "48", "620102", SHAHE, 1100),
    ("张掖沙建建筑有限公司", "47", "620702", SHAHE, 1600),
    ("惠州宏利玩具有限公司", "24", "441302", "530502", 800),
]
FAILED_VISIT = "广州番禺力丰鞋业有限公司"
BLACKLISTED = ("惠州宏利玩具有限公司", "2023 年拖欠 12 名务工人员 3 个月工资，经劳动监察督办后仍未结清。")
UNVISITED = {"苏州吴中瑞景精密电子有限公司"}

VISITORS = {
    "5305": "市扶贫办 李建华、杨丽",
    "530502": "隆阳区扶贫办 赵永明、段红梅",
    "530521": "施甸县扶贫办 杨国富",
    "530523": "龙陵县劳动保障局 字学文",
    "530524": "昌宁县扶贫办 茶志刚、张萍",
    "530581": "腾冲县劳动保障局 尹春华",
    SHAHE: "沙河镇 副镇长 刘明德、劳务工作站 陈晓燕",
}
FINDINGS_OK = [
    "厂区规范，宿舍 8 人一间有空调，食堂干净；劳动合同文本规范，工资按月发放到卡。",
    "查看了车间与宿舍，与工友座谈 6 人，反映工资按时发放，加班有加班费。",
    "营业执照、许可证齐全，驻厂管理员 1 名，承诺保底工资并书面确认。",
]
FINDINGS_BAD = "宿舍 14 人一间且无热水，近两月工资延迟发放，计件单价未公示。"

# Shahe's 15 labor bases: name, destination region, partner name, key contact, since.
SHAHE_BASES = [
    ("深圳宝安劳务基地", "440306", "深圳百灵职业介绍所", "王淑珍", 2006),
    ("深圳龙岗劳务基地", "440307", "深圳永信职业介绍所", "汪世明", 2007),
    ("东莞长安劳务基地", "441900119", "东莞华盛制衣有限公司", "顾学明", 2008),
    ("乌鲁木齐餐饮劳务基地", "650102", "乌鲁木齐天山丝路餐饮管理有限公司", "张华林", 2005),
    ("库尔勒天然气劳务基地", "652801", "沙河银桥劳务公司", "宋瑞", 2006),
    ("西宁建筑劳务基地", "630104", "西宁青建建筑工程有限公司", "贾天海", 2004),
    ("格尔木工矿劳务基地", "632801", "沙河银桥劳务公司", "马宏斌", 2005),
    ("酒泉铁路电气化劳务基地", "620902", "甘肃陇电铁路电气化工程有限公司", "李永红", 2006),
    ("敦煌高速公路劳务基地", "620982", "甘肃陇电铁路电气化工程有限公司", "何建军", 2007),
    ("张掖城建劳务基地", "620702", "张掖沙建建筑有限公司", "魏志强", 2004),
    ("高台小康住宅劳务基地", "620724", "张掖沙建建筑有限公司", "孙玉林", 2008),
    ("兰州城关劳务基地", "620102", "沙河金花劳务派遣公司", "樊金花", 2008),
    ("成都武侯家政劳务基地", "510107", "沙河金花劳务派遣公司", "赵桂兰", 2009),
    ("上海嘉定包装劳务基地", "310114", "上海嘉定锦程包装制品有限公司", "周文涛", 2009),
    ("苏州吴中电子劳务基地", "320506", "深圳永信职业介绍所", "陈立新", 2010),
]
BAOSHAN_BASES = [
    ("530524", "东莞长安务工基地", "441900119", "东莞华盛制衣有限公司", "茶永福", 2004),
    ("530502", "深圳宝安务工基地", "440306", "深圳宝安鸿达电子有限公司", "段家顺", 2003),
    ("530521", "苏州吴中务工基地", "320506", "昆明鑫德有限公司", "杨开华", 2004),
]


def _phone(ctx: Any) -> str:
    return "1" + ctx.rng.choice("35789") + "".join(ctx.rng.choice("0123456789") for _ in range(9))


def load(ctx: Any) -> None:
    from laowu.employers.models import Agency, Employer

    if Employer.objects.filter(name=EMPLOYERS[0][0]).exists():
        ctx.log.append("employers: already loaded")
        return
    today = datetime.date.today()
    parties: dict[str, Any] = {}
    for name, kind, address, registered_by, years in AGENCIES:
        parties[name] = services.agency_create(
            actor=None,
            region_code=registered_by,
            name=name,
            kind=kind,
            credit_code=credit_code_generate(ctx.rng, address[:6]),
            address_region_id=address,
            address="",
            contact_name=ctx.rng.choice(["刘", "王", "杨", "李", "张"]) + ctx.rng.choice(["经理", "主任", "站长"]),
            contact_phone=_phone(ctx),
            licence_no=f"{address[:6]}{ctx.rng.randint(100000, 999999)}",
            licence_valid_from=today.replace(year=today.year - 2),
            licence_valid_until=today.replace(year=today.year + years),
        )
    for name, industry, address, registered_by, staff in EMPLOYERS:
        parties[name] = services.employer_create(
            actor=None,
            region_code=registered_by,
            name=name,
            credit_code=credit_code_generate(ctx.rng, address[:6]),
            industry_code=industry,
            scale=staff,
            address_region_id=address,
            contact_name=ctx.rng.choice(["人事部 ", "行政部 "])
            + ctx.rng.choice(["陈", "黄", "林", "吴", "郑"])
            + "主管",
            contact_phone=_phone(ctx),
        )
    visits = 0
    for name, party in parties.items():
        if name in UNVISITED:
            continue
        day = today - datetime.timedelta(days=ctx.rng.randint(40, 400))
        verdict = Verdict.FAILED if name == FAILED_VISIT else Verdict.PASSED
        services.site_visit_record(
            actor=None,
            party=party,
            visit_date=day,
            visitors=VISITORS.get(party.region_id, "劳务工作站 工作人员"),
            findings=FINDINGS_BAD if verdict == Verdict.FAILED else ctx.rng.choice(FINDINGS_OK),
            verdict=verdict,
        )
        visits += 1
    name, reason = BLACKLISTED
    services.party_blacklist(actor=None, party=parties[name], reason=reason)
    bases = 0
    for base_name, destination, partner_name, contact, year in SHAHE_BASES:
        _base(ctx, SHAHE, base_name, destination, parties[partner_name], contact, year)
        bases += 1
    for region, base_name, destination, partner_name, contact, year in BAOSHAN_BASES:
        _base(ctx, region, base_name, destination, parties[partner_name], contact, year)
        bases += 1
    ctx.log.append(
        f"employers: {Employer.objects.count()}, agencies: {Agency.objects.count()}, visits: {visits}, bases: {bases}"
    )


def _base(ctx: Any, region: str, name: str, destination: str, partner: Any, contact: str, year: int) -> None:
    from laowu.employers.models import Agency

    is_agency = isinstance(partner, Agency)
    services.labor_base_create(
        actor=None,
        region_code=region,
        name=name,
        destination_region_id=destination,
        employer_id=None if is_agency else partner.pk,
        agency_id=partner.pk if is_agency else None,
        key_contact_name=contact,
        key_contact_phone=_phone(ctx),
        since=datetime.date(year, ctx.rng.randint(1, 12), 1),
    )
