"""The benchmarks run in CI in their smoke size (the full size is run by hand: bench/README.md)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_matching_benchmark_smoke():
    from bench.matching import run

    lines: list[str] = []
    figures = run(n_people=2_000, n_orders=200, runs=3, out=lines.append)
    assert figures["registered"] == 2_000 and figures["orders"]["open_orders"] >= 200
    assert figures["candidates"]["total"] > 0 and figures["candidates"]["queries"] <= 6
    assert any("candidates_for_order" in line and "median" in line for line in lines)


def test_registry_benchmark_smoke():
    from bench.registry import run

    lines: list[str] = []
    figures = run(2_000, lines.append, runs=2, in_process=True)
    assert figures["people"] == 2_000 and figures["person_events"] == 4_000  # inserts, then the updates
    assert figures["import into an empty registry"]["created"] == 2_000
    assert figures["the same file again (all unchanged)"]["unchanged"] == 2_000
    assert figures["every phone changed (all updates)"]["updated"] == 2_000
    assert figures["ledger_page"]["median_ms"] > 0
    assert any(line.startswith("physical limit") for line in lines)
