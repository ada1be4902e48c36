"""Benchmark of the registry (issue 3): a 1,000,000-row ledger imported end to end, measured
against the physical limit, and the ledger page over 1,000,000 people. Prints its figures.

    source scripts/_bootstrap.sh && python bench/registry.py              # 1,000,000 rows
    source scripts/_bootstrap.sh && python bench/registry.py --rows 2000  # a quick run

What it does, in its own database (``laowu_bench_registry``; never the development database):
1. writes a ledger .xlsx in the import template's layout (title row, merged two-row header, the
   synthetic population of ``laowu/workers/synthetic.py`` in Baoshan's villages), cached in
   ``var/bench/``, and a second file with every phone number changed;
2. the physical limit: the file's raw read (python-calamine's row iterator over every cell;
   fastexcel's sheet load too when it can run here) and a raw PostgreSQL COPY of the same rows
   into a table with a unique index on the ID number;
3. the import end to end (read, validate, dedupe, write people and households, history, audit),
   each in a child process whose peak memory is read by the parent: the dry run, the commit
   into an empty registry, the same file again (all unchanged), the changed file (all updates);
4. the first page (50 rows) of filtered ledger pages for a city user over the 1,000,000 people.
Targets: import < 60 s, peak memory < 2 GiB, within 3x of read + COPY; ledger page median < 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_DB = "laowu_bench_registry"
CITY = "5305"
IMPORT_TARGET_S = 60.0
MEMORY_TARGET_MB = 2048
RATIO_TARGET = 3.0
PAGE_TARGET_MS = 150.0
PAGE_QUERIES = [
    "",
    "status=surplus",
    "status=surplus&sex=2&age_min=18&age_max=40",
    "education=70&wants_out=1",
    "trade=01",
    "region=530521&status=working_away",
    "poverty=lifted&age_min=16&age_max=45",
    "q=zj",
    "q=1391234",  # phone prefix
    "q=" + quote("王明"),  # name prefix
    "sort=-age&status=returned",
]


# --only: a part of the run, by these keys (each step needs the ones before it: "updates" alone
# runs against whatever registry the last run left).
STEP_KEYS = {
    "dry run (check only)": "dry",
    "import into an empty registry": "empty",
    "the same file again (all unchanged)": "unchanged",
    "every phone changed (all updates)": "updates",
}


def bench_database_url() -> str:
    from urllib.parse import urlparse, urlunparse

    from laowu import db

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return db.embedded_url(BENCH_DB)
    parts = urlparse(url)
    if parts.path.lstrip("/") == BENCH_DB:
        return url
    db._ensure_database(urlunparse(parts._replace(path="/postgres")), BENCH_DB)
    return urlunparse(parts._replace(path=f"/{BENCH_DB}"))


def setup_django(migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("LAOWU_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laowu.settings")
    import django

    django.setup()
    from django.conf import settings

    assert settings.DATABASES["default"]["NAME"] == BENCH_DB
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


# --- the file ----------------------------------------------------------------------------------


def villages(per_township: int) -> list[str]:
    from laowu.regions.models import Region, RegionLevel
    from laowu.regions.services import villages_load

    townships = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=CITY).values_list("code", flat=True)
    )
    codes = [f"{t}{200 + i:03d}" for t in townships for i in range(per_township)]
    existing = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    rows = [["区划代码", "名称"]] + [[c, f"测试{c[-3:]}村"] for c in codes if c not in existing]
    if len(rows) > 1:
        result = villages_load(rows=rows, is_demo=True)
        assert not result.errors, result.errors[:3]
    return codes


def ledger_rows(n: int, codes: list[str], seed: int, changed: bool = False) -> tuple[list[list[Any]], list[tuple]]:
    """(header rows, data rows) of a ledger in the template layout, and the merged cells."""
    from laowu.core.codetables import code_table
    from laowu.imports.profiles import get_profile
    from laowu.workers.models import LaborStatus
    from laowu.workers.synthetic import PersonFactory

    profile = get_profile("laowu_person")
    columns = profile.columns
    width = len(columns)
    title = ["保山市农村劳动力资源台帐"] + [""] * (width - 1)
    groups, subs, merges = [], [], [(0, 0, 0, width - 1)]
    index = 0
    while index < width:
        group = columns[index].group
        end = index
        while group and end + 1 < width and columns[end + 1].group == group:
            end += 1
        if not group:
            groups.append(columns[index].header)
            subs.append("")
            merges.append((1, index, 2, index))
        else:
            groups += [group] + [""] * (end - index)
            subs += [c.header for c in columns[index : end + 1]]
            if end > index:
                merges.append((1, index, 1, end))
        index = end + 1
    names = {
        key: code_table(key).names for key in ("ethnicity", "education", "health", "political", "relation", "trade")
    }
    status = dict(LaborStatus.choices)
    rng = random.Random(seed)
    poverty = ("脱贫户",) * 20 + ("监测户",) * 5 + ("一般户",) * 75
    household = ""
    household_poverty = ""
    serial = 0
    rows: list[list[Any]] = [title, groups, subs]
    for person in PersonFactory(seed=seed).people(codes, n):
        if person.relation_to_head == "02" or not household:
            serial += 1
            household = f"{person.region_id[-6:]}{serial:07d}"
            household_poverty = rng.choice(poverty)
        phone = person.phone
        if changed:
            phone = phone[:-1] + str((int(phone[-1]) + 1) % 10)
        rows.append(
            [
                person.name,
                person.id_number,
                person.region_id,
                household,
                names["relation"].get(person.relation_to_head, ""),
                household_poverty,
                names["ethnicity"].get(person.ethnicity, ""),
                names["education"].get(person.education, ""),
                names["health"].get(person.health, ""),
                names["political"].get(person.political_status, ""),
                phone,
                "、".join(names["trade"][t] for t in person.trades),
                str(status[person.labor_status]),
                "是" if person.wants_to_go_out else "否",
                "、".join(person.preferred_destinations),
                "、".join(names["trade"][t] for t in person.preferred_trades),
                person.available_from.isoformat() if person.available_from else "",
                "",
            ]
        )
    return rows, merges


def ledger_file(n: int, codes: list[str], seed: int, changed: bool, out: Any) -> tuple[Path, list[list[Any]]]:
    from bench.xlsx_fast import write_xlsx
    from laowu.db import data_dir

    folder = data_dir() / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"ledger-{n}-{seed}{'-changed' if changed else ''}.xlsx"
    started = time.monotonic()
    rows, merges = ledger_rows(n, codes, seed, changed)
    if not path.exists():
        write_xlsx(path, rows, merges=merges)
        out(f"wrote {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - started:.1f} s")
    return path, rows


# --- the physical limit ------------------------------------------------------------------------


def raw_read(path: Path) -> dict[str, float]:
    """Seconds to read every cell: calamine's iterator, and fastexcel's load where it runs."""
    from python_calamine import CalamineWorkbook

    figures: dict[str, float] = {}
    started = time.monotonic()
    cells = 0
    for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        cells += len(row)
    figures["calamine"] = time.monotonic() - started
    try:
        import fastexcel

        started = time.monotonic()
        fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
        figures["fastexcel"] = time.monotonic() - started
    except Exception:
        pass
    return figures


def copy_text(rows: list[list[Any]]) -> str:
    """The data rows as COPY text (what ``raw_copy`` sends)."""
    return "".join("\t".join(str(v) for v in row) + "\n" for row in rows[3:])


def raw_copy(text: str) -> float:
    """Seconds for PostgreSQL to COPY the data rows (``copy_text``) into a table with a unique
    index on the ID number (the write half of the physical limit)."""
    from django.db import connection, transaction

    width = text[: text.index("\n")].count("\t") + 1
    columns = ", ".join(f"c{i} text" for i in range(width))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({columns})")
        cursor.execute("CREATE UNIQUE INDEX ON bench_raw_copy (c1)")
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy("COPY bench_raw_copy FROM STDIN") as copy:
            for offset in range(0, len(text), 1 << 22):
                copy.write(text[offset : offset + (1 << 22)])
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_copy")
    return seconds


# --- the import --------------------------------------------------------------------------------


def bench_user() -> Any:
    from laowu.accounts.models import User
    from laowu.accounts.roles import Role

    user, _ = User.objects.get_or_create(
        username="bench_city_station", defaults={"role": Role.TOWNSHIP_STATION, "region_id": CITY}
    )
    if user.role != Role.TOWNSHIP_STATION or user.region_id != CITY:
        user.role, user.region_id = Role.TOWNSHIP_STATION, CITY
        user.save()
    return user


def clear_registry() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE workers_person, workers_household, workers_personevent, workers_householdevent, "
            "workers_certificate, imports_importissue CASCADE"
        )


def _job(user: Any, path: Path) -> Any:
    from laowu.imports import services

    with open(path, "rb") as handle:
        return services.import_submit(
            user=user,
            target="person",
            profile="laowu_person",
            filename=path.name,
            chunks=iter(lambda: handle.read(1 << 20), b""),
        )


def import_child(job_id: int, commit: bool) -> dict[str, Any]:
    """In a child process: run one job, report wall time and peak memory."""
    from django.db import connection

    from laowu.imports.services import import_execute
    from laowu.imports.split import peak_mb

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    server_cpu = _cpu_seconds(backend)
    started = time.monotonic()
    job = import_execute(job_id=job_id, commit=commit)
    seconds = time.monotonic() - started
    timings = job.summary.get("timings", {})
    own_peak = peak_mb()
    return {
        "seconds": seconds,
        "status": job.status,
        "rows": job.total_rows,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "errors": job.error_count,
        # The import's peak: this process's and, when the file was read in a child process
        # (laowu/imports/split.py), the child's added (an upper bound: pages they share count twice).
        "peak_mb": own_peak + timings.get("reader_peak_mb", 0),
        # CPU seconds of the PostgreSQL backend serving the import (a server on this machine).
        "server_cpu_s": round(_cpu_seconds(backend) - server_cpu, 1),
        "timings": timings,
    }


def _person_updates() -> tuple[int, int]:
    """Person rows updated so far, and how many of them were HOT (no index touched)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'workers_person'::regclass"
        )
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _wal_lsn() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


def _wal_bytes_since(lsn: str) -> int:
    """WAL bytes the server wrote since ``lsn`` (the whole server's: nothing else runs meanwhile)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [lsn])
        return int(cursor.fetchone()[0])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def run_import(user: Any, path: Path, *, commit: bool, in_process: bool) -> dict[str, Any]:
    from laowu.imports.models import ImportStatus

    job = _job(user, path)
    if commit:  # checked first, as on the pages (its counts plan the commit); the check is timed on its own
        from laowu.imports.services import import_execute

        job = import_execute(job_id=job.pk, commit=False)
        assert job.status == ImportStatus.CHECKED, job.message
    if in_process:
        return import_child(job.pk, commit)
    env = {**os.environ, "DATABASE_URL": bench_database_url()}
    args = [sys.executable, __file__, "--child", str(job.pk)] + (["--commit"] if commit else [])
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- the ledger page ---------------------------------------------------------------------------


def ledger_pages(user: Any, runs: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    session = client.session  # what the login view records (accounts/middleware.py checks it)
    session["login_at"] = session["last_seen"] = time.time()
    session.save()
    samples: list[float] = []
    per_query: dict[str, float] = {}
    for query in PAGE_QUERIES:
        url = f"/workers/resource/?{query}"
        response = client.get(url)  # warm
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        times = []
        for _ in range(runs):
            started = time.monotonic()
            response = client.get(url)
            times.append((time.monotonic() - started) * 1000)
            assert response.status_code == 200
        per_query[query or "(no filter)"] = statistics.median(times)
        samples += times
    return {
        "median_ms": statistics.median(samples),
        "p90_ms": _p90(samples),
        "max_ms": max(samples),
        "per_query": per_query,
    }


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def run(
    n_rows: int, out: Any, *, runs: int = 15, in_process: bool = False, seed: int = 2026, only: tuple[str, ...] = ()
) -> dict[str, Any]:
    from django.db import connection

    from laowu.workers.models import Household, Person

    per_township = max(1, min(8, n_rows // 1500))
    codes = villages(per_township)
    user = bench_user()
    path, rows = ledger_file(n_rows, codes, seed, False, out)
    changed_path, _ = ledger_file(n_rows, codes, seed, True, out)
    figures: dict[str, Any] = {"rows": n_rows, "villages": len(codes)}
    text = copy_text(rows)
    del rows
    figures["read"] = raw_read(path)
    figures["copy_s"] = raw_copy(text)
    fastest_read = min(figures["read"].values())
    limit = fastest_read + figures["copy_s"]
    reads = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(figures["read"].items()))
    out(f"physical limit: raw read {reads}; raw COPY {figures['copy_s']:.1f} s; read + COPY {limit:.1f} s")
    if not only or "empty" in only:
        clear_registry()
    steps = [
        ("dry run (check only)", path, False),
        ("import into an empty registry", path, True),
        ("the same file again (all unchanged)", path, True),
        ("every phone changed (all updates)", changed_path, True),
    ]
    if only:
        steps = [step for step in steps if STEP_KEYS[step[0]] in only]
    for label, file, commit in steps:
        # The limit again just before each import: a shared machine's speed drifts over the
        # minutes of a run (seen: the same import 40 s and 67 s a quarter of an hour apart).
        here = min(raw_read(file).values()) + raw_copy(text)
        before, wal_before = _person_updates(), _wal_lsn()
        result = run_import(user, file, commit=commit, in_process=in_process)
        after = _person_updates()
        result["wal_mb"] = round(_wal_bytes_since(wal_before) / 1e6)
        result["person_updates"], result["hot_updates"] = after[0] - before[0], after[1] - before[1]
        result["ratio_first"] = result["seconds"] / limit
        result["limit_s"] = here
        result["ratio"] = result["seconds"] / here
        figures[label] = result
        out(
            f"{label}: {result['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB, {result['ratio']:.2f}x read + COPY "
            f"measured just before it ({here:.1f} s; {result['ratio_first']:.2f}x the first) "
            f"(created {result['created']:,}, updated {result['updated']:,}, unchanged {result['unchanged']:,}, "
            f"errors {result['errors']:,}; {result['status']}; server CPU {result['server_cpu_s']} s; "
            f"WAL {result['wal_mb']:,} MB; "
            f"person rows updated {result['person_updates']:,}, of them HOT {result['hot_updates']:,}; {result['timings']})"
        )
    people, households = Person.objects.count(), Household.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workers_personevent")
        events = cursor.fetchone()[0]
    figures.update(people=people, households=households, person_events=events)
    out(f"registry: {people:,} people, {households:,} households, {events:,} history events")
    with connection.cursor() as cursor:
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"  # a test's transaction
        cursor.execute(f"{verb} workers_person")
        cursor.execute(f"{verb} workers_household")
    if only:
        return figures
    pages = ledger_pages(user, runs)
    figures["ledger_page"] = pages
    out(
        f"ledger page, first 50 rows, {len(PAGE_QUERIES)} filters x {runs} runs over {people:,} people: "
        f"median {pages['median_ms']:.0f} ms, p90 {pages['p90_ms']:.0f} ms, max {pages['max_ms']:.0f} ms"
    )
    for query, ms in pages["per_query"].items():
        out(f"    {query}: {ms:.0f} ms")
    main_import = figures["import into an empty registry"]
    verdicts = [
        ("import < 60 s", main_import["seconds"] < IMPORT_TARGET_S),
        ("peak memory < 2 GiB", max(figures[s[0]]["peak_mb"] for s in steps) < MEMORY_TARGET_MB),
        (
            "within 3x of read + COPY measured before each run",
            all(figures[s[0]]["ratio"] <= RATIO_TARGET for s in steps),
        ),
        ("within 3x of the first read + COPY", all(figures[s[0]]["ratio_first"] <= RATIO_TARGET for s in steps)),
        ("ledger page median < 150 ms", pages["median_ms"] < PAGE_TARGET_MS),
    ]
    out("targets: " + "; ".join(f"{name} — {'met' if ok else 'NOT met'}" for name, ok in verdicts))
    figures["targets_met"] = all(ok for _, ok in verdicts)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", default="", help="comma-separated steps: " + ", ".join(STEP_KEYS.values()))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--commit", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_django(migrate=False)
        print(json.dumps(import_child(args.child, args.commit)))
        return
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('wal_level')")
        version, wal_level = cursor.fetchone()
    print(f"database {BENCH_DB}, PostgreSQL {version} (wal_level {wal_level}); {os.cpu_count()} cores")
    only = tuple(key for key in args.only.split(",") if key)
    unknown = set(only) - set(STEP_KEYS.values())
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    run(args.rows, lambda line: print(line, flush=True), runs=args.runs, only=only)


if __name__ == "__main__":
    main()
