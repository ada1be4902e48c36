"""Demo training (2023-2025): courses by trade and classes in Shahe and the Baoshan counties,
trainees from each area's people under 40, exams with certificates. Shahe's report names the
trades (瓦工, 架子工, 抹灰工, 混凝土工, 电工, 家电维修, 家政服务, 驾驶, 安全管理); about 85% pass.
Everything is bulk-created; passed trades are added to ``Person.trades`` in one UPDATE."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from laowu.core.audit_context import audit_context
from laowu.core.codetables import code_table
from laowu.core.demo import BAOSHAN_COUNTIES, SHAHE
from laowu.training.models import ClassStatus, Course, Enrolment, EnrolmentStatus, FundingSource, TrainingClass
from laowu.workers.models import Certificate, Person

TRADES = ["01", "02", "03", "04", "08", "10", "11", "13", "15", "16", "17", "12"]
PLACES = {SHAHE: "沙河镇劳动力培训基地"}
TEACHERS = ["李建军", "王淑珍", "张海龙", "刘秀英", "陈志强", "樊金花", "杨开明", "段玉兰"]
CLASSES_PER_YEAR = 5  # per area; Shahe's 109 classes in several years, scaled to the demo


def load(ctx: Any) -> None:
    rng = ctx.rng
    today = datetime.date.today()
    areas = [SHAHE, *BAOSHAN_COUNTIES]
    with audit_context(source="demo"):
        classes: list[tuple[TrainingClass, str]] = []
        for area in areas:
            people = list(
                Person.objects.filter(
                    region__code__startswith=area, birth_date__gt=today.replace(year=today.year - 40)
                ).values_list("pk", "region_id")[:4000]
            )
            if not people:
                continue
            courses = Course.objects.bulk_create(
                [
                    Course(
                        region_id=area,
                        trade=t,
                        name=f"{code_table('trade').name(t)}技能培训",
                        hours=rng.choice((40, 60, 80)),
                    )
                    for t in TRADES
                ]
            )
            for year in (2023, 2024, 2025):
                for number in range(1, CLASSES_PER_YEAR + 1):
                    course = rng.choice(courses)
                    start = datetime.date(year, rng.choice((3, 4, 5, 9, 10, 11)), rng.randrange(1, 20))
                    end = start + datetime.timedelta(days=rng.choice((10, 15, 20, 30)))
                    capacity = rng.choice((30, 40, 50))
                    klass = TrainingClass(
                        region_id=area,
                        course=course,
                        name=f"{year}年第{number}期{course.trade_name}培训班",
                        start_date=start,
                        end_date=end,
                        place=PLACES.get(area, "县职业技术学校"),
                        teacher=rng.choice(TEACHERS),
                        capacity=capacity,
                        cost=Decimal(capacity * rng.choice((200, 300, 400))),
                        funding_source=rng.choice(list(FundingSource.values)[:3]),
                        status=ClassStatus.FINISHED if end < today else ClassStatus.RUNNING,
                    )
                    classes.append((klass, area))
        TrainingClass.objects.bulk_create([k for k, _ in classes])
        enrolments: list[Enrolment] = []
        certificates: list[Certificate] = []
        trades_by_person: dict[int, set[str]] = {}
        people_by_area = {
            area: list(
                Person.objects.filter(
                    region__code__startswith=area, birth_date__gt=today.replace(year=today.year - 40)
                ).values_list("pk", "region_id")[:4000]
            )
            for area in areas
        }
        for klass, area in classes:
            pool = people_by_area[area]
            chosen = rng.sample(pool, min(len(pool), int(klass.capacity * rng.uniform(0.7, 1.0))))
            finished = klass.status == ClassStatus.FINISHED
            for serial, (person_id, region_id) in enumerate(chosen, start=1):
                passed = finished and rng.random() < 0.85
                cert_no = f"PX{klass.start_date:%Y}{klass.pk:04d}{serial:03d}" if passed else ""
                qualification = (
                    f"ZG{area}{klass.start_date:%y}{klass.pk:03d}{serial:03d}" if passed and rng.random() < 0.4 else ""
                )
                enrolments.append(
                    Enrolment(
                        training_class=klass,
                        person_id=person_id,
                        region_id=region_id,
                        status=(EnrolmentStatus.PASSED if passed else EnrolmentStatus.FAILED)
                        if finished
                        else EnrolmentStatus.ENROLLED,
                        exam_date=klass.end_date if finished else None,
                        exam_score=Decimal(rng.randrange(60, 98) if passed else rng.randrange(30, 60))
                        if finished
                        else None,
                        training_certificate_no=cert_no,
                        qualification_certificate_no=qualification,
                        qualification_level="初级" if qualification else "",
                    )
                )
                if passed:
                    trade = klass.course.trade
                    trades_by_person.setdefault(person_id, set()).add(trade)
                    certificates.append(
                        Certificate(
                            person_id=person_id, kind="training", trade=trade, number=cert_no, issued_on=klass.end_date
                        )
                    )
                    if qualification:
                        certificates.append(
                            Certificate(
                                person_id=person_id,
                                kind="qualification",
                                trade=trade,
                                number=qualification,
                                level="初级",
                                issued_on=klass.end_date,
                            )
                        )
        Enrolment.objects.bulk_create(enrolments, ignore_conflicts=True, batch_size=2000)
        Certificate.objects.bulk_create(certificates, batch_size=2000)
        with connection.cursor() as cursor:
            for trade in TRADES:
                ids = [pk for pk, trades in trades_by_person.items() if trade in trades]
                if ids:
                    cursor.execute(
                        "UPDATE workers_person SET trades = array_append(trades, %s) WHERE id = ANY(%s) AND NOT (%s = ANY(trades))",
                        [trade, ids, trade],
                    )
    ctx.log.append(f"training: {len(classes)} classes, {len(enrolments)} trainees, {len(certificates)} certificates")
