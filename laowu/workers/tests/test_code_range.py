"""The subtree as a range of codes (selectors._code_range) keeps exactly the subtree."""

from __future__ import annotations

import pytest

from laowu.workers.selectors import next_code_prefix


@pytest.mark.parametrize(
    ("prefix", "upper"),
    [("530521", "530522"), ("53059", "53060"), ("5309", "5310"), ("0", "1"), ("999", None), ("53x", None), ("", None)],
)
def test_next_code_prefix(prefix, upper):
    assert next_code_prefix(prefix) == upper


def test_every_code_of_the_subtree_is_inside_the_range_and_no_other():
    prefix, upper = "53059", next_code_prefix("53059")
    assert upper is not None
    for code in ("530590000000", "530599999999", "53059"):
        assert prefix <= code < upper
    for code in ("530600000000", "530589999999", "530610000000"):
        assert not (prefix <= code < upper)
    # A shorter code can fall inside ("5306"); the prefix condition stays beside the range.
