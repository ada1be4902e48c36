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
