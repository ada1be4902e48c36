"""Unified social credit codes (统一社会信用代码, GB 32100-2015) for demo and test data.

Layout: registration authority (9 = market regulator) + kind (1 = enterprise) + the 6-digit
region code + the 9-character organisation code (GB 11714, with its own check character) +
the check character of the whole code. Validation is python-stdnum's ``stdnum.cn.uscc``.
"""

from __future__ import annotations

import random

from stdnum.cn import uscc

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_check(body: str) -> str:
    """GB 11714 check character of an 8-digit organisation code body."""
    remainder = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def credit_code_generate(rng: random.Random, region6: str, prefix: str = "91") -> str:
    """A well-formed code with correct check characters (synthetic: not a real company)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    partial = prefix + region6 + body + organisation_check(body)
    return partial + uscc.calc_check_digit(partial)
