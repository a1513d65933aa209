import re

import phonenumbers
import pytest
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.masking import mask_id_number, mask_phone
from registry.identity import IdentityError, parse_phone, parse_ric
from registry.testing import synthetic_id_number


@pytest.fixture(autouse=True)
def english():
    """The reasons are compared in English below; the Chinese ones are the catalog's (test_reasons_speak_…)."""
    with translation.override("en"):
        yield


def test_reasons_speak_the_active_language_and_name_their_field():
    """phonenumbers and python-stdnum explain in English; we never pass their words on, and ours are translated
    when shown, wherever the error is shown."""
    with pytest.raises(IdentityError) as bad_phone:
        parse_phone("12345")
    with pytest.raises(IdentityError) as bad_id:
        parse_ric("44070419800101123")
    assert (bad_phone.value.field, bad_id.value.field) == ("phone", "id_number")
    with translation.override("zh-hans"):
        assert (str(bad_phone.value), str(bad_id.value)) == ("不是有效的大陆电话号码", "身份证号码应为 18 位")
    assert str(bad_phone.value) == "phone number is not a valid mainland number"


def test_masks_keep_region_and_last_four():
    assert mask_id_number("440704199001011234") == "440704********1234"
    assert mask_phone("13812345678") == "138****5678"


def test_full_width_digits_and_lower_x_are_read():
    number = synthetic_id_number(7)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    assert parse_ric(full_width)[0] == number


def test_birth_date_and_sex_come_from_the_number():
    number = synthetic_id_number(0, female=True)
    _, birth, sex = parse_ric(number)
    assert (birth.year, sex) == (1980, "F")


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("4.40704E+17", "Excel"),
        ("44070419800101123", "18 characters"),
    ],
)
def test_bad_numbers_say_why(raw, reason):
    with pytest.raises(IdentityError, match=reason):
        parse_ric(raw)


def test_bad_check_digit():
    number = synthetic_id_number(3)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(IdentityError, match="check digit"):
        parse_ric(wrong)


def test_phone_numbers():
    assert parse_phone("+86 138-1234-5678") == "13812345678"
    assert parse_phone("") == ""
    with pytest.raises(IdentityError):
        parse_phone("12345")


@settings(max_examples=2000, deadline=None)
@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
@example("11000008000")  # phonenumbers refuses to parse it at all: CI's hypothesis found it
def test_the_mobile_shortcut_accepts_exactly_what_phonenumbers_accepts(text):
    """parse_phone's fast path for a plain 11-digit number must agree with phonenumbers' parse, validity and format."""
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:  # "1100…": phonenumbers reads 00 as an international prefix
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        assert parse_phone(text) == re.sub(r"\D", "", national)
    else:
        with pytest.raises(IdentityError):
            parse_phone(text)
