"""Reputation (信誉) of an employer or agency, computed from outcomes, never typed in.

``reputation_score`` is a pure function of four counts. The counts come from capabilities
built later (placements: people placed and returns within 3 months; cases: disputes; wages:
guaranteed-wage shortfalls). Each registers a provider with ``register_outcome_provider``;
until then every count is 0 and the score says there is no record yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Weights: one place to tune them. Penalties are on rates, so a large agency is not punished
# for its size; each penalty is capped so no single factor decides alone.
RETURN_WEIGHT = 40  # points lost at a 100% early-return rate
DISPUTE_WEIGHT = 30  # points lost at 1 dispute per 10 placements or more
SHORTFALL_WEIGHT = 30  # points lost at 1 guaranteed-wage shortfall per 10 placements or more
SMALL_SAMPLE = 10  # fewer placements than this: the score is marked as indicative only
GRADES = ((85, "良好"), (70, "一般"), (0, "较差"))


@dataclass(frozen=True)
class OutcomeCounts:
    """The inputs: what happened to the people this party took."""

    placements: int = 0  # people placed (人次)
    returns_3m: int = 0  # of them, returned home within 3 months (3 个月内返乡)
    disputes: int = 0  # labor disputes / arrears cases (劳资纠纷)
    shortfalls: int = 0  # months a guaranteed wage was not met (保底工资未兑现)

    def __add__(self, other: OutcomeCounts) -> OutcomeCounts:
        return OutcomeCounts(
            self.placements + other.placements,
            self.returns_3m + other.returns_3m,
            self.disputes + other.disputes,
            self.shortfalls + other.shortfalls,
        )


@dataclass(frozen=True)
class Reputation:
    score: int | None  # 0-100, None when there is no record
    grade: str
    counts: OutcomeCounts
    explanation: list[str] = field(default_factory=list)


def reputation_score(counts: OutcomeCounts) -> Reputation:
    """Score 0-100 from outcome counts, with one line of explanation per factor."""
    if counts.placements <= 0:
        lines = ["暂无输出记录，暂不评分。"]
        if counts.disputes or counts.shortfalls:
            lines.append(f"已有纠纷 {counts.disputes} 起、保底工资未兑现 {counts.shortfalls} 次，请关注。")
        return Reputation(None, "暂无记录", counts, lines)
    placed = counts.placements
    return_rate = min(1.0, counts.returns_3m / placed)
    dispute_rate = counts.disputes / placed
    shortfall_rate = counts.shortfalls / placed
    return_penalty = RETURN_WEIGHT * return_rate
    dispute_penalty = DISPUTE_WEIGHT * min(1.0, dispute_rate * 10)
    shortfall_penalty = SHORTFALL_WEIGHT * min(1.0, shortfall_rate * 10)
    score = max(0, min(100, round(100 - return_penalty - dispute_penalty - shortfall_penalty)))
    grade = next(label for floor, label in GRADES if score >= floor)
    lines = [
        f"输出 {placed} 人次。",
        f"3 个月内返乡 {counts.returns_3m} 人（{return_rate:.0%}），扣 {return_penalty:.1f} 分。",
        f"劳资纠纷 {counts.disputes} 起（每百人次 {dispute_rate * 100:.1f} 起），扣 {dispute_penalty:.1f} 分。",
        f"保底工资未兑现 {counts.shortfalls} 次（每百人次 {shortfall_rate * 100:.1f} 次），扣 {shortfall_penalty:.1f} 分。",
        f"得分 {score}（满分 100），评价：{grade}。",
    ]
    if placed < SMALL_SAMPLE:
        lines.append(f"样本少于 {SMALL_SAMPLE} 人次，仅供参考。")
    return Reputation(score, grade, counts, lines)


OutcomeProvider = Callable[[Any], OutcomeCounts]
_PROVIDERS: list[OutcomeProvider] = []


def register_outcome_provider(provider: OutcomeProvider) -> None:
    """Called from another app's ``AppConfig.ready``: ``provider(party) -> OutcomeCounts``."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def outcome_counts(party: Any) -> OutcomeCounts:
    total = OutcomeCounts()
    for provider in _PROVIDERS:
        total = total + provider(party)
    return total
