from __future__ import annotations

import datetime
import random

import pytest

from laowu.core import crypto, idcard
from laowu.core.codetables import code_table


def test_valid_number_gives_birth_date_and_sex():
    number = idcard.make("530502", datetime.date(1990, 3, 7), 123)  # odd sequence: male
    parsed = idcard.parse(number)
    assert parsed.birth_date == datetime.date(1990, 3, 7) and parsed.sex == "1"
    assert idcard.parse(idcard.make("530502", datetime.date(1990, 3, 7), 124)).sex == "2"


def test_known_public_example_check_digit():
    # GB 11643 worked example: 11010519491231002X
    assert idcard.parse("11010519491231002X").number == "11010519491231002X"


def test_the_check_character_is_gb_11643s_weighted_sum_for_every_remainder():
    # The standard's definition, digit by digit: the sum of digit x weight, mod 11, looked up in
    # "10X98765432"; over 2,000 random numbers, which between them reach all 11 remainders.
    rng = random.Random(11643)
    seen: set[int] = set()
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        remainder = sum(int(c) * w for c, w in zip(first17, idcard._WEIGHTS, strict=True)) % 11
        assert idcard.check_char(first17) == "10X98765432"[remainder], first17
        seen.add(remainder)
    assert seen == set(range(11))


def test_wrong_check_digit_is_refused_with_the_right_one_named():
    good = idcard.make("530502", datetime.date(1990, 3, 7), 123)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(idcard.IdNumberError, match="校验位"):
        idcard.parse(bad)


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "不能为空"),
        ("5305021990", "18 位"),
        ("530502199002300011", "不是有效日期"),
        ("990502199003070011", "省级代码"),
    ],
)
def test_bad_numbers_say_why(raw, fragment):
    with pytest.raises(idcard.IdNumberError, match=fragment):
        idcard.parse(raw)


def test_fullwidth_spaces_and_lowercase_x_are_normalised():
    number = "11010519491231002X"
    messy = "１１０１０５ 1949 1231 002x"
    assert idcard.parse(messy).number == number


def test_the_clean_fast_path_agrees_with_parse_and_leaves_the_rest_to_it():
    good = idcard.make("620723", datetime.date(1990, 3, 1), 37)
    parsed = idcard.parse(good)
    assert idcard.parse_clean(good) == (parsed.number, parsed.birth_date.isoformat(), parsed.sex)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    bad_date = idcard.make("620723", datetime.date(1990, 3, 1), 37)[:10] + "0230" + good[14:]
    for raw in (wrong_check, "99" + good[2:], bad_date, good.lower()[:17] + "x", good[:-1], " " + good[1:]):
        assert idcard.parse_clean(raw) is None


def test_fifteen_digit_number_is_upgraded():
    parsed = idcard.parse("110105491231002")
    assert parsed.upgraded_from_15 and parsed.number == "11010519491231002X"


def test_encrypt_roundtrip_and_blind_index_is_stable_and_keyed():
    blob = crypto.encrypt("11010519491231002X")
    assert b"11010519491231002X" not in blob
    assert crypto.decrypt(blob) == "11010519491231002X"
    assert crypto.encrypt("x") != crypto.encrypt("x")  # random nonce
    assert crypto.blind_index("a") == crypto.blind_index("a") != crypto.blind_index("b")


def test_the_importers_blind_indexer_gives_the_blind_index():
    digest = crypto.blind_indexer()
    for value in ("11010519491231002X", "530502199001011234", "", "王"):
        assert digest(value.encode()).hex() == crypto.blind_index(value)


def test_code_tables_read_codes_names_and_aliases():
    education = code_table("education")
    assert education.lookup("初中") == "70" and education.lookup("文盲") == "90"
    assert education.lookup("70") == "70" and education.name("70") == "初级中学"
    assert code_table("ethnicity").lookup("彝") == "07"
    assert code_table("ethnicity").lookup("火星族") is None
    assert len(code_table("ethnicity").names) == 56


def test_masks_keep_the_first_and_last_digits_only():
    from laowu.core.masking import mask_id_number, mask_phone

    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"  # any other length by the same rule
    assert mask_id_number("") == mask_id_number(None) == ""
    assert mask_phone("13912345678") == "139****5678"
