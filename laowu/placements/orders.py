"""What placements reads from a job order (jobs.JobOrder), in one place.

Job orders and the registry share one trade table (``laowu/core/codetables/trade.csv``), so an
order's trade codes are the registry's.
"""

from __future__ import annotations

from typing import Any


def training_trade(order: Any) -> str:
    """The registry trade an order requires training in, or "" when it does not require it."""
    if not order.training_required:
        return ""
    return str(order.training_trade_code or "")


def industry_section(order: Any) -> str:
    from laowu.jobs.codetables import industry_section as section

    return section(order.industry_code) if order.industry_code else ""


def employer_name(order: Any) -> str:
    return order.employer.name if order.employer_id else (order.agency.name if order.agency_id else "")
