"""Move an application through the process in tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from laowu.placements import services

STEPS: list[tuple[str, dict[str, Any]]] = [
    ("screen", {"political_review_passed": True}),
    (
        "health_check",
        {
            "health_check_date": datetime.date(2024, 2, 20),
            "health_check_hospital": "临泽县人民医院",
            "health_check_passed": True,
            "health_check_fee": Decimal("27.00"),
        },
    ),
    ("interview", {"interview_date": datetime.date(2024, 2, 22)}),
    (
        "sign_contract",
        {
            "contract_signed_on": datetime.date(2024, 2, 23),
            "contract_term_months": 12,
            "contract_wage": Decimal("3600.00"),
            "guaranteed_wage": Decimal("2800.00"),
        },
    ),
    (
        "documents",
        {"doc_id_card": True, "doc_work_permit": True, "doc_marriage_cert": True, "document_fees": Decimal("15.00")},
    ),
]


def advance(user: Any, app: Any, until: str = "documents", skip: tuple[str, ...] = ()) -> Any:
    for action, data in STEPS:
        if action not in skip:
            app = services.application_transition(user=user, application=app, action=action, data=data)
        if action == until:
            break
    return app
