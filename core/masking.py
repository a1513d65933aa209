"""ID and phone numbers are shown masked everywhere unless a user with the reveal permission asks, with a reason."""

import re


def mask_id_number(value):
    """440704199001011234 → 440704********1234; shorter documents keep their first 2 and last 2."""
    if not value:
        return ""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)


def mask_phone(value):
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)


_ID_NUMBER_IN_TEXT = re.compile(r"\b\d{17}[\dXx]\b")
_PHONE_IN_TEXT = re.compile(r"\b1\d{10}\b")


def mask_numbers_in(text):
    """Free text (an error message quoting a row, say) with every ID and mobile number in it masked."""
    text = _ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m[0]), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m[0]), text)
