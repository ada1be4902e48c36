"""Fast bulk load of synthetic people for benchmarks: PostgreSQL COPY straight into the tables.

``generate_people(connection, n, village_codes, seed)`` writes ``n`` rows into workers_person
(valid GB 11643 numbers with the village's county as address code, encrypted with its blind
index through ``laowu.core.crypto``), their certificates into workers_certificate and their
stints into placements_stint (running ones for people away, ended ones for the returned, and
earlier ones, some of them short: early returns). The population is the demo's
(``laowu.workers.synthetic``). People are not put in households (household_id is NULL).

Data-history triggers (pghistory) would write one event row per person: the load disables the
tables' user triggers for its own transaction (``ALTER TABLE ... DISABLE TRIGGER USER``) and
enables them again before it returns. Constraint triggers (foreign keys) stay on.

Reusable: any benchmark that needs a large registry calls it on a Django connection to a
benchmark database (never the development database; see ``bench/matching.py::bench_database``).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from laowu.core import crypto
from laowu.core.masking import mask_id_number
from laowu.placements.scope import ScopeError, destination_scope
from laowu.placements.services import EARLY_RETURN_DAYS
from laowu.workers.synthetic import DEFAULT_DESTINATIONS, DESTINATIONS, PersonFactory

PERSON_COLUMNS = (
    "id",
    "region_id",
    "created_at",
    "updated_at",
    "name",
    "name_initials",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "birth_date",
    "sex",
    "ethnicity",
    "education",
    "health",
    "political_status",
    "phone",
    "relation_to_head",
    "trades",
    "labor_status",
    "wants_to_go_out",
    "preferred_destinations",
    "preferred_trades",
    "available_from",
    "notes",
    "version",
    "stint_count",
    "early_return_count",
)
CERTIFICATE_COLUMNS = (
    "person_id",
    "created_at",
    "updated_at",
    "kind",
    "trade",
    "number",
    "level",
    "issuer",
    "issued_on",
)
STINT_COLUMNS = (
    "region_id",
    "created_at",
    "updated_at",
    "person_id",
    "channel",
    "employer_name",
    "destination_id",
    "destination_scope",
    "industry",
    "trade",
    "occupation",
    "start_date",
    "end_date",
    "end_reason",
    "notes",
)
TABLES = ("workers_person", "workers_certificate", "placements_stint")
STINT_COUNTS = f"""
UPDATE workers_person p SET stint_count = s.n, early_return_count = s.early
FROM (
    SELECT person_id, count(*) AS n,
           count(*) FILTER (WHERE end_date IS NOT NULL AND end_date < start_date + {EARLY_RETURN_DAYS}) AS early
    FROM placements_stint WHERE person_id >= %s GROUP BY person_id
) s
WHERE s.person_id = p.id
"""


@dataclass
class Loaded:
    people: int
    certificates: int
    stints: int
    seconds: float
    first_id: int


def _stint_destination(rng: random.Random, home: str) -> tuple[str, str]:
    rows = DESTINATIONS.get(home[:2], DEFAULT_DESTINATIONS)
    for _ in range(5):
        code = rng.choices([r[0] for r in rows], weights=[r[1] for r in rows])[0]
        try:
            return code, destination_scope(home, code)
        except ScopeError:  # same province, code too short to tell: pick again
            continue
    return "44", destination_scope(home, "44")


def _stints(rng: random.Random, pk: int, home: str, status: str, today: datetime.date) -> list[tuple[Any, ...]]:
    """Earlier stints (some short: early returns), then the current or last one by status."""
    periods: list[tuple[datetime.date, datetime.date | None]] = []
    cursor = today - datetime.timedelta(days=rng.randrange(900, 1800))
    for _ in range(rng.choices((0, 1, 2), weights=(55, 30, 15))[0] if status != "farming" else 0):
        days = rng.randrange(30, 80) if rng.random() < 0.25 else rng.randrange(150, 330)
        periods.append((cursor, cursor + datetime.timedelta(days=days)))
        cursor = cursor + datetime.timedelta(days=days + rng.randrange(30, 120))
    start = max(cursor, today - datetime.timedelta(days=rng.randrange(30, 400)))
    if status in ("working_away", "working_local"):
        periods.append((start, None))
    elif status == "returned":
        end = min(
            today - datetime.timedelta(days=rng.randrange(5, 60)),
            start + datetime.timedelta(days=rng.randrange(40, 300)),
        )
        periods.append((start, max(start, end)))
    rows = []
    for begin, end in periods:
        if status == "working_local" and end is None:
            code, scope, channel = home[:9], "in_township", "local"
        else:
            code, scope = _stint_destination(rng, home)
            channel = "organised" if rng.random() < 0.4 else "self_arranged"
        now = datetime.datetime.now(datetime.UTC)
        rows.append(
            (home, now, now, pk, channel, "", code, scope, "", "", "", begin, end, "合同期满返乡" if end else "", "")
        )
    return rows


def _copy(cursor: Any, table: str, columns: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate_people(
    connection: Any,
    n: int,
    village_codes: list[str],
    seed: int = 2004,
    *,
    today: datetime.date | None = None,
    with_related: bool = True,
    chunk: int = 50_000,
) -> Loaded:
    """Load ``n`` synthetic people into ``village_codes`` (12-digit codes that exist), with
    certificates and stints unless ``with_related`` is false. ``connection`` is a Django
    database connection; the caller owns the transaction (the load runs in one)."""
    started = time.monotonic()
    today = today or datetime.date.today()
    factory = PersonFactory(seed=seed, today=today)
    rng = random.Random(seed + 1)
    certificates = stints = 0
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor, for COPY
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM workers_person")
        first_id = cursor.fetchone()[0] + 1
        pk = first_id
        people = factory.people(village_codes, n)
        done = 0
        while done < n:
            batch = []
            for _ in range(min(chunk, n - done)):
                batch.append(next(people))
            now = datetime.datetime.now(datetime.UTC)
            person_rows, cert_rows, stint_rows = [], [], []
            for p in batch:
                person_rows.append(
                    (
                        pk,
                        p.region_id,
                        now,
                        now,
                        p.name,
                        p.name_initials,
                        crypto.encrypt(p.id_number),
                        crypto.blind_index(p.id_number),
                        mask_id_number(p.id_number),
                        p.birth_date,
                        p.sex,
                        p.ethnicity,
                        p.education,
                        p.health,
                        p.political_status,
                        p.phone,
                        p.relation_to_head,
                        p.trades,
                        p.labor_status,
                        p.wants_to_go_out,
                        p.preferred_destinations,
                        p.preferred_trades,
                        p.available_from,
                        "",
                        1,
                        0,  # stint counters: set from the stints below (STINT_COUNTS)
                        0,
                    )
                )
                if with_related:
                    for kind, trade in p.certificates:
                        issued = today - datetime.timedelta(days=rng.randrange(30, 2500))
                        cert_rows.append((pk, now, now, kind, trade, f"B{pk:09d}{kind[:2]}", "", "县人社局", issued))
                    stint_rows.extend(_stints(rng, pk, p.region_id, p.labor_status, today))
                pk += 1
            _copy(cursor, "workers_person", PERSON_COLUMNS, person_rows)
            if with_related:
                _copy(cursor, "workers_certificate", CERTIFICATE_COLUMNS, cert_rows)
                _copy(cursor, "placements_stint", STINT_COLUMNS, stint_rows)
            certificates += len(cert_rows)
            stints += len(stint_rows)
            done += len(batch)
        cursor.execute("SELECT setval(pg_get_serial_sequence('workers_person', 'id'), %s)", [pk - 1])
        # The stint counters matching ranks by (placements.services.labor_status_sync in the app).
        cursor.execute(STINT_COUNTS, [first_id])
        # Django's foreign keys are deferred: check them now, so that the triggers can be enabled.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute(f"ANALYZE {table}")
    return Loaded(n, certificates, stints, time.monotonic() - started, first_id)
