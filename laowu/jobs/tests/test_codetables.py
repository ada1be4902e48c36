from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from laowu.jobs import codetables


def test_industry_table_has_20_sections_and_97_divisions():
    assert len(codetables.industry_sections()) == 20
    divisions = codetables.industry_divisions()
    assert len(divisions) == 97
    assert [c for c, _ in divisions] == [f"{n:02d}" for n in range(1, 98)]
    assert codetables.industry_section("39") == "C"
    assert codetables.industry_section("62") == "H"
    assert codetables.industry().name("47") == "房屋建筑业"


def test_occupation_has_eight_major_groups():
    assert [c for c, _ in codetables.occupation().rows] == [str(n) for n in range(1, 9)]


def test_education_at_least_junior_middle_excludes_primary_and_other():
    codes = codetables.education_codes_at_least("70")
    assert "70" in codes and "20" in codes and "60" in codes
    assert "80" not in codes and "90" not in codes


def test_validators_name_the_bad_code():
    with pytest.raises(ValidationError, match="ZZ"):
        codetables.validate_industry_division("ZZ")
    with pytest.raises(ValidationError, match="nosuch"):
        codetables.validate_trade_codes(["bricklayer", "nosuch"])
    codetables.validate_trade_codes(["bricklayer"])
    codetables.validate_industry_division("39")
