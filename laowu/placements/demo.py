"""Demo history over the last three years: stints by channel and destination scope in the proportions of the
source reports, monthly wages, and escorted batches to the demo's published job orders.

- Shahe (沙河镇): organised 8,000 : self-arranged 5,000 : local transfer 8,000 person-times in three
  years; of the organised, about 10% to the south-east coast, the rest to the north-west bases.
- Baoshan (保山市, 2004): 16,000 exported, about 12,400 organised by the counties, 4,200 of them
  organised out of the province; the rest self-arranged.
Scaled to the demo's population (the people the registry demo marked away, local or returned),
keeping those ratios. Statuses are then set by the one rule, ``labor_status_sync``. Last,
Shahe's station imports 五三村's 外出务工台帐 for the month through the import pages' services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q

from laowu.core.audit_context import audit_context
from laowu.core.demo import BAOSHAN_COUNTIES, SHAHE
from laowu.placements import services
from laowu.placements.choices import Channel, DestinationScope
from laowu.placements.models import Stint, StintWage
from laowu.placements.scope import ScopeError, destination_scope
from laowu.workers.models import LaborStatus, Person

# (channel, weight) per area, from the reports.
CHANNELS = {
    SHAHE: [(Channel.ORGANISED, 8), (Channel.SELF_ARRANGED, 5), (Channel.LOCAL, 8)],
    "5305": [(Channel.ORGANISED, 124), (Channel.SELF_ARRANGED, 36)],
}
# Destinations (code, weight, employer, industry section) per area and channel.
DESTINATIONS = {
    (SHAHE, Channel.ORGANISED): [
        ("4403", 10, "深圳百灵电子有限公司", "C"),
        ("65", 30, "新疆天然气公司工程处", "B"),
        ("63", 20, "青海铁路电气化工程项目部", "E"),
        ("6209", 25, "酒泉风电基地建设项目部", "E"),
        ("6206", 15, "敦煌宾馆", "H"),
    ],
    (SHAHE, Channel.SELF_ARRANGED): [
        ("65", 40, "新疆餐饮业个体", "H"),
        ("5101", 20, "成都奥瑞金包装厂", "C"),
        ("620702", 40, "张掖市区建筑工地", "E"),
    ],
    (SHAHE, Channel.LOCAL): [
        ("620723101", 60, "沙建公司项目部", "E"),
        ("620723102", 40, "临泽县城个体餐饮", "H"),
    ],
    ("5305", Channel.ORGANISED): [
        ("4419", 20, "东莞制衣厂", "C"),
        ("4403", 10, "深圳电子装配厂", "C"),
        ("31", 4, "上海宾馆服务", "H"),
        ("5301", 46, "昆明鑫德有限公司派遣", "O"),
        ("5304", 20, "玉溪卷烟厂配套企业", "C"),
    ],
    ("5305", Channel.SELF_ARRANGED): [
        ("53", 0, "", ""),
        ("5301", 60, "昆明建筑工地", "E"),
        ("4401", 40, "广州鞋厂", "C"),
    ],
}
WAGE_RANGE = {
    DestinationScope.OUT_OF_PROVINCE: (4500, 6500),
    DestinationScope.OUT_OF_CITY: (3800, 5500),
    DestinationScope.OUT_OF_COUNTY: (3200, 4800),
    DestinationScope.OUT_OF_TOWNSHIP: (2800, 4200),
    DestinationScope.IN_TOWNSHIP: (2600, 4000),
}


def _weighted(rng: Any, rows: list[Any]) -> Any:
    total = sum(r[1] for r in rows)
    pick = rng.uniform(0, total)
    for row in rows:
        pick -= row[1]
        if pick <= 0:
            return row
    return rows[-1]


def _area(region_id: str) -> str:
    return SHAHE if region_id.startswith(SHAHE) else "5305"


def _spring(rng: Any, year: int) -> datetime.date:
    """Most people leave after the Spring Festival: a day in February to April."""
    return datetime.date(year, rng.randrange(2, 5), rng.randrange(1, 28))


def _shahe_channels(rng: Any, forced: list[Any]) -> list[Any]:
    """Channels for Shahe's stints, 8 : 5 : 8 overall. ``forced`` holds, per stint, LOCAL (the
    person works locally now), ``False`` (a running stint away: not local) or ``None`` (free)."""
    total = len(forced)
    weights = dict(CHANNELS[SHAHE])
    want_local = round(total * weights[Channel.LOCAL] / sum(weights.values()))
    free = [i for i, f in enumerate(forced) if f is None]
    rng.shuffle(free)
    local_needed = max(0, min(len(free), want_local - sum(1 for f in forced if f == Channel.LOCAL)))
    local = set(free[:local_needed])
    out = []
    away_weights = [
        (Channel.ORGANISED, weights[Channel.ORGANISED]),
        (Channel.SELF_ARRANGED, weights[Channel.SELF_ARRANGED]),
    ]
    for i, f in enumerate(forced):
        if f == Channel.LOCAL or i in local:
            out.append(Channel.LOCAL)
        else:
            out.append(_weighted(rng, away_weights)[0])
    return out


def _stints(ctx: Any, today: datetime.date) -> tuple[list[Stint], list[int]]:
    """Three years of stints up to ``today``: about 45% of the people had an earlier stint that
    ended; everyone away, local or returned has a last one (running, or ended for the returned)."""
    rng = ctx.rng
    first_year = today.year - 2
    statuses = (LaborStatus.WORKING_AWAY, LaborStatus.WORKING_LOCAL, LaborStatus.RETURNED)
    people = list(
        Person.objects.filter(labor_status__in=statuses)
        .filter(region__code__regex=r"^(" + "|".join([SHAHE, *BAOSHAN_COUNTIES]) + ")")
        .order_by("pk")
        .values_list("pk", "region_id", "labor_status")
    )
    # (person, home, start, end, forced channel) per stint, channels chosen after.
    plans: list[tuple[int, str, datetime.date, datetime.date | None, Any]] = []
    for person_id, region_id, status in people:
        last_end = datetime.date(first_year - 1, 12, 1)
        if rng.random() < 0.45:
            start = _spring(rng, first_year + (1 if rng.random() < 0.3 else 0))
            last_end = start + datetime.timedelta(days=rng.randrange(150, 300))
            plans.append((person_id, region_id, start, last_end, None))
        # The last stint: this year's spring for most of those away now, else an earlier spring.
        year = rng.choices([first_year, first_year + 1, today.year], weights=[1, 3, 6])[0]
        start = _spring(rng, year)
        if start <= last_end + datetime.timedelta(days=20):
            start = last_end + datetime.timedelta(days=rng.randrange(20, 120))
        start = min(start, today - datetime.timedelta(days=30))
        end = None
        if status == LaborStatus.RETURNED:
            end = min(
                today - datetime.timedelta(days=rng.randrange(5, 60)),
                start + datetime.timedelta(days=rng.randrange(120, 330)),
            )
            end = max(end, start)
        forced: Any = None
        if status == LaborStatus.WORKING_LOCAL:
            forced = Channel.LOCAL
        elif status == LaborStatus.WORKING_AWAY:
            forced = False
        plans.append((person_id, region_id, start, end, forced))
    shahe = [i for i, plan in enumerate(plans) if _area(plan[1]) == SHAHE]
    channels: dict[int, Any] = dict(zip(shahe, _shahe_channels(rng, [plans[i][4] for i in shahe]), strict=True))
    stints: list[Stint] = []
    for i, (person_id, region_id, start, end, _) in enumerate(plans):
        area = _area(region_id)
        chan = channels.get(i) or _weighted(rng, CHANNELS[area])[0]
        rows = [r for r in DESTINATIONS[(area, chan)] if r[1]]
        code, _, employer, industry = _weighted(rng, rows)
        try:
            scope = destination_scope(region_id, code)
        except ScopeError:
            continue
        stints.append(
            Stint(
                person_id=person_id,
                region_id=region_id,
                channel=chan,
                employer_name=employer,
                destination_id=code,
                destination_scope=scope,
                industry=industry,
                start_date=start,
                end_date=end,
                end_reason="合同期满返乡" if end else "",
            )
        )
    return stints, [p[0] for p in people]


def _wages(ctx: Any, stints: list[Stint], today: datetime.date) -> list[StintWage]:
    rng = ctx.rng
    wages = []
    for stint in stints:
        low, high = WAGE_RANGE[DestinationScope(stint.destination_scope)]
        base = rng.randrange(low, high)
        month = stint.start_date.replace(day=1)
        last = (stint.end_date or today).replace(day=1)
        count = 0
        while month <= last and count < 12:
            if month > stint.start_date.replace(day=1) or stint.start_date.day <= 10:
                amount = Decimal(base + rng.randrange(-300, 400)).quantize(Decimal("1.00"))
                wages.append(StintWage(stint=stint, month=month, amount=amount, reporter="station"))
            month = (month + datetime.timedelta(days=32)).replace(day=1)
            count += 1
    return wages


def _batches(ctx: Any, today: datetime.date) -> str:
    """One escorted batch per published demo order whose county has a demo station/county user,
    formed from the order's best matching candidates (up to five batches). All but the last left
    this spring or summer and arrived (one member of the first did not arrive: a follow-up case);
    the last is still being organised and leaves in the coming weeks (one applicant withdrew)."""
    from laowu.jobs.matching import candidates_for_order
    from laowu.jobs.models import JobOrder, JobOrderStatus
    from laowu.jobs.services import shortlist_register

    rng = ctx.rng
    users = [
        u
        for key, u in ctx.users.items()
        if key in ("station_shahe", "station_lujiang", "county_longyang", "county_changning")
    ]
    pairs: list[tuple[Any, Any]] = []
    for order in JobOrder.objects.filter(status=JobOrderStatus.PUBLISHED).order_by("pk"):
        user = next(
            (
                u
                for u in users
                if u.region_id.startswith(order.region_id[:6]) or order.region_id.startswith(u.region_id)
            ),
            None,
        )
        if user is not None and len(pairs) < 5:
            pairs.append((order, user))
    # The batch is formed from the order's best matching candidates (laowu/jobs/matching.py),
    # not those who were still away when it left (their stint would overlap the new one).
    plans = []
    for index, (order, user) in enumerate(pairs):
        departure = min(datetime.date(today.year, 3 + index, 8), today - datetime.timedelta(days=10))
        busy = set(
            Stint.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=departure)).values_list(
                "person_id", flat=True
            )
        )
        found = candidates_for_order(user=user, order=order, limit=40)
        pool = [c.person for c in found if c.person.pk not in busy][:16]
        if len(pool) >= 4:
            plans.append((index, order, user, departure, pool))
    made = members = 0
    for position, (index, order, user, departure, pool) in enumerate(plans):
        organising = position == len(plans) - 1 and position > 0  # the last is still being organised
        if organising:
            departure = today + datetime.timedelta(days=12 + index)
        batch = services.batch_save(
            user=user,
            values={
                "region_id": user.region_id,
                "name": f"{departure.year}年第{index + 1}批 · {order.title}",
                "departure_date": departure,
                "destination_note": order.place_region.full_name,
                "transport": rng.choice(["包车至火车站，乘火车硬座", "大巴直达", "火车卧铺"]),
                "escort_name": rng.choice(["张干事", "李站长", "王主任"]),
                "escort_phone": "139" + f"{rng.randrange(10**8):08d}",
                "send_off_note": "镇党委、政府举行“劳务大军欢送仪式”，领导为务工人员送行并发放补助。",
                "station_phone": "0936-55" + f"{rng.randrange(10**5):05d}",
            },
            job_orders=[order],
        )
        made += 1
        shortlist = shortlist_register(
            user=user, order=order, person_ids=[p.pk for p in pool], values={"planned_departure": departure}
        )
        for position, app in enumerate(shortlist):
            steps: list[tuple[str, dict[str, Any]]] = [
                ("screen", {"political_review_passed": True}),
                (
                    "health_check",
                    {
                        "health_check_date": departure - datetime.timedelta(days=14),
                        "health_check_hospital": "县人民医院",
                        "health_check_passed": position % 9 != 8,
                        "health_check_fee": Decimal("27.00"),
                    },
                ),
                ("interview", {"interview_date": departure - datetime.timedelta(days=10)}),
                (
                    "sign_contract",
                    {
                        "contract_signed_on": departure - datetime.timedelta(days=7),
                        "contract_term_months": 12,
                        "contract_wage": order.wage_min,
                        "guaranteed_wage": order.guaranteed_wage,
                    },
                ),
                (
                    "documents",
                    {
                        "doc_id_card": True,
                        "doc_work_permit": True,
                        "doc_marriage_cert": rng.random() < 0.5,
                        "document_fees": Decimal("15.00"),
                    },
                ),
            ]
            try:
                for action, data in steps:
                    app = services.application_transition(user=user, application=app, action=action, data=data)
            except Exception:  # failed health check, training required ...: the application stops there
                continue
            services.batch_add_members(user=user, batch=batch, applications=[app])
            members += 1
        if organising:
            member = batch.members.order_by("-id").first()
            if member is not None:
                services.application_transition(
                    user=user, application=member, action="withdraw", reason="家中老人生病，本人退出"
                )
                members -= 1
            continue
        services.batch_transition(user=user, batch=batch, action="depart")
        ids = list(batch.members.order_by("id").values_list("id", flat=True))
        missing = ids[-1:] if made == 1 else []
        arrived = [i for i in ids if i not in missing]
        services.batch_transition(
            user=user,
            batch=batch,
            action="arrive",
            application_ids=arrived,
            data={"arrived_on": departure + datetime.timedelta(days=2)},
        )
        if missing:
            services.batch_transition(
                user=user,
                batch=batch,
                action="not_arrived",
                application_ids=missing,
                reason="下车后未随队报到，电话关机",
            )
    return f"batches: {made} with {members} members"


def _away_ledger_import(ctx: Any, today: datetime.date) -> str:
    """Shahe's station imports 五三村's away ledger for this month through the import machinery
    (校验, then 导入), so that 导入记录 shows a stint import with its counts: people back home
    leaving again (new stints) and people coming back (their running stints ended)."""
    import tempfile

    from laowu.core.xlsx import LedgerBook
    from laowu.imports.models import ImportJob
    from laowu.imports.profiles import get_profile
    from laowu.imports.services import import_start, import_submit
    from laowu.placements.ledger_xlsx import PROFILE, ledger_columns

    user = ctx.users.get("station_shahe")
    village = f"{SHAHE}201"  # 五三村
    if user is None or ImportJob.objects.filter(target="stint", user=user).exists():
        return "away ledger import: skipped"
    people = Person.objects.filter(region__code__startswith=village).order_by("pk")
    leaving = list(people.filter(labor_status=LaborStatus.RETURNED)[:6])
    running = list(
        Stint.objects.filter(person__region__code__startswith=village, end_date__isnull=True)
        .exclude(channel=Channel.LOCAL)
        .select_related("person")
        .order_by("pk")[:3]
    )
    profile = get_profile(PROFILE)
    columns = [c.field for c in profile.columns]
    rows: list[dict[str, Any]] = []
    for person in leaving:
        rows.append(
            {
                "name": person.name,
                "id_number": person.id_number,
                "region": person.region_id,
                "channel": "自谋输出",
                "destination": "新疆维吾尔自治区",
                "employer": "新疆棉花加工厂",
                "industry": "制造业",
                "start_date": (today - datetime.timedelta(days=2)).isoformat(),
            }
        )
    for stint in running:
        rows.append(
            {
                "name": stint.person.name,
                "id_number": stint.person.id_number,
                "start_date": stint.start_date.isoformat(),
                "end_date": (today - datetime.timedelta(days=3)).isoformat(),
                "end_reason": "年底返乡",
                "wage": str(ctx.rng.randrange(4500, 6500)),
            }
        )
    if not rows:
        return "away ledger import: no one to import"
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/ledger.xlsx"
        book = LedgerBook(path)
        book.ledger_sheet("台帐", "沙河镇五三村劳动力外出务工台帐", ledger_columns(profile))
        for values in rows:
            book.write_row([values.get(key, "") for key in columns])
        book.close()
        with open(path, "rb") as handle:
            content = handle.read()
    job = import_submit(
        user=user,
        target="stint",
        profile=PROFILE,
        filename=f"五三村外出务工台帐（{today:%Y年%m月}）.xlsx",
        chunks=[content],
        options={"ledger": "away"},
    )
    job = import_start(user=user, job=import_start(user=user, job=job), commit=True)
    return f"away ledger import: {job.get_status_display()}, {job.created_count} new, {job.updated_count} updated"


def load(ctx: Any) -> None:
    today = datetime.date.today()
    with audit_context(source="demo"):
        stints, person_ids = _stints(ctx, today)
        Stint.objects.bulk_create(stints, batch_size=2000)
        StintWage.objects.bulk_create(_wages(ctx, stints, today), batch_size=5000)
        services.labor_status_sync(person_ids=person_ids, today=today)
        ctx.log.append(f"stints: {len(stints)}")
        ctx.log.append(_batches(ctx, today))
    ctx.log.append(_away_ledger_import(ctx, today))
