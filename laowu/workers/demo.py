"""Demo registry: households and laborers in every demo village (Shahe's and Baoshan's), made by
``laowu.workers.synthetic`` (the population the benchmarks use too), with their certificates.

Loaded first of the domain apps: training enrols these people, placements gives the ones marked
away, local or returned their stints, and the job orders find their candidates among them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection

from laowu.core.audit_context import audit_context
from laowu.core.demo import SHAHE
from laowu.workers.models import Certificate, Household, Person, PovertyStatus
from laowu.workers.synthetic import PersonFactory

# People per village: the townships of the demo station logins in some depth (Shahe, the
# township the report describes, and Longyang's Lujiang town), a few in every other village.
PER_VILLAGE = {SHAHE: 50, "530502106": 50}
PER_OTHER_VILLAGE = 3


def load(ctx: Any) -> None:
    from laowu.regions.models import Region, RegionLevel

    villages = list(
        Region.objects.filter(is_demo=True, level=RegionLevel.VILLAGE).values_list("code", "is_poor_village")
    )
    if Person.objects.filter(region__code__in=[v for v, _ in villages]).exists():
        ctx.log.append("registry: already loaded")
        return
    factory = PersonFactory(seed=ctx.rng.randrange(10**6), today=datetime.date.today())
    rng = ctx.rng
    households: list[tuple[Household, list[Any]]] = []
    for code, poor in villages:
        size = PER_VILLAGE.get(code[:9], PER_OTHER_VILLAGE)
        made = 0
        number = 1
        while made < size:
            members = factory.household(code)
            if code.startswith(SHAHE):  # Shahe's officers work by group (组)
                members_region = f"{code}{rng.randrange(1, 5):03d}"
                for m in members:
                    m.region_id = members_region
            status = PovertyStatus.GENERAL
            if poor and rng.random() < 0.45:
                status = PovertyStatus.LIFTED if rng.random() < 0.8 else PovertyStatus.MONITORED
            household = Household(
                region_id=members[0].region_id, number=f"{code[-6:]}{number:03d}", poverty_status=status
            )
            households.append((household, members))
            made += len(members)
            number += 1
    with audit_context(source="demo"):
        Household.objects.bulk_create([h for h, _ in households], batch_size=2000)
        people: list[Person] = []
        certificates: list[Certificate] = []
        for household, members in households:
            for m in members:
                person = Person(
                    region_id=m.region_id,
                    name=m.name,
                    name_initials=m.name_initials,
                    birth_date=m.birth_date,
                    sex=m.sex,
                    ethnicity=m.ethnicity,
                    education=m.education,
                    health=m.health,
                    political_status=m.political_status,
                    phone=m.phone,
                    household=household,
                    relation_to_head=m.relation_to_head,
                    trades=m.trades,
                    labor_status=m.labor_status,
                    wants_to_go_out=m.wants_to_go_out,
                    preferred_destinations=m.preferred_destinations,
                    preferred_trades=m.preferred_trades,
                    available_from=m.available_from,
                )
                person.set_id_number(m.id_number)
                people.append(person)
        Person.objects.bulk_create(people, batch_size=500)
        index = 0
        for _household, members in households:
            for m in members:
                person = people[index]
                index += 1
                for kind, trade in m.certificates:
                    # A health certificate (健康证) is valid for a year; special operation ones for six.
                    days = rng.randrange(10, 330) if kind == "health" else rng.randrange(60, 2500)
                    issued = datetime.date.today() - datetime.timedelta(days=days)
                    valid = {"health": 365, "special": 365 * 6}.get(kind)
                    certificates.append(
                        Certificate(
                            person=person,
                            kind=kind,
                            trade=trade,
                            number=f"{issued:%Y}{person.pk:07d}{kind[:2].upper()}",
                            issuer="县人力资源和社会保障局",
                            issued_on=issued,
                            valid_until=issued + datetime.timedelta(days=valid) if valid else None,
                        )
                    )
        # The first member of each household is its head (户主): one UPDATE for all.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE workers_household h SET head_id = p.id FROM workers_person p"
                " WHERE p.household_id = h.id AND p.relation_to_head = '02' AND h.head_id IS NULL"
            )
        Certificate.objects.bulk_create(certificates, batch_size=2000)
    ctx.log.append(f"registry: {len(people)} people in {len(households)} households, {len(certificates)} certificates")
