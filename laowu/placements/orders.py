"""What placements reads from a job order (jobs.JobOrder), in one place.

The jobs app keeps its own trade list (project codes such as ``bricklayer``) while the registry
and training use ``core/codetables/trade.csv`` (``01`` ...); ``registry_trade`` maps by name.
"""

from __future__ import annotations

from typing import Any

from laowu.core.codetables import code_table


def registry_trade(order_trade_code: str) -> str:
    """The registry trade code for a jobs trade code ("bricklayer" → "01"); "" if unknown."""
    if not order_trade_code:
        return ""
    table = code_table("trade")
    if order_trade_code in table.names:
        return order_trade_code
    from laowu.jobs.codetables import trades

    jobs_table: Any = trades()
    name = ""
    for code, label in getattr(jobs_table, "rows", []):
        if code == order_trade_code:
            name = label
            break
    for candidate in (name, name.split("（")[0], name.rstrip("工员"), name.split("（")[0].rstrip("工员")):
        found = table.lookup(candidate)
        if found:
            return found
    return ""


def training_trade(order: Any) -> str:
    """The registry trade an order requires training in, or "" when it does not require it."""
    if not order.training_required:
        return ""
    return registry_trade(order.training_trade_code) or order.training_trade_code


def industry_section(order: Any) -> str:
    from laowu.jobs.codetables import industry_section as section

    return section(order.industry_code) if order.industry_code else ""


def employer_name(order: Any) -> str:
    return order.employer.name if order.employer_id else (order.agency.name if order.agency_id else "")
