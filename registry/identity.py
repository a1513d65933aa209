"""Reading ID and phone numbers as people and spreadsheets write them."""

import re
import unicodedata
from datetime import date
from functools import lru_cache

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

EXCEL_FLOAT = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
# Mainland mobile numbers as phonenumbers' own metadata describes them: matching one plain 11-digit number against
# it is a few hundred times faster than parse + is_valid_number + format, which an import of 100,000 rows felt.
CN_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)


class IdentityError(ValueError):
    """A value that cannot be accepted; the message says why, for the person correcting it, and `field` which value
    it is ("id_number" or "phone"). Messages are translated lazily: `str(exc)` is in the active language, so every
    page, API answer and import report shows it in the user's, however it reached them. python-stdnum's and
    phonenumbers' own errors are English and never shown: each is mapped to one of ours."""

    def __init__(self, message, field="id_number"):
        super().__init__(message)
        self.field = field


def clean_text(value):
    """Full-width digits and letters to ASCII, spaces and separators out."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s\-‐–—_]", "", text)


def parse_ric(raw):
    """A resident ID card number (GB 11643) → (number, birth_date, sex 'M'/'F'). Raises IdentityError."""
    number = clean_text(raw).upper()
    if EXCEL_FLOAT.match(number):
        raise IdentityError(_("ID number was turned into a number by Excel (e.g. 4.40704E+17); its digits are lost"))
    if number.endswith(".0") and number[:-2].isdigit():
        number = number[:-2]
    try:  # clean_text has compacted it as ric.compact would
        if len(number) != 18:
            raise InvalidLength()
        if not number[:-1].isdigit():
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
        birth = _birth_date(number)
    except InvalidLength:
        raise IdentityError(_("ID number must have 18 characters")) from None
    except InvalidChecksum:
        raise IdentityError(_("ID number check digit is wrong")) from None
    except InvalidComponent:
        raise IdentityError(_("ID number has an impossible birth date")) from None
    except (InvalidFormat, ValidationError):
        raise IdentityError(_("ID number has characters other than digits and a final X")) from None
    if not known_region(number[:6]):
        raise IdentityError(_("ID number starts with an unknown region code"))
    # localdate() is slow enough to feel in a 100,000-row import, and almost every birth date is years back
    if birth.year >= timezone.now().year - 1 and birth > timezone.localdate():
        raise IdentityError(_("ID number has a birth date in the future"))
    sex = "M" if int(number[16]) % 2 else "F"
    return number, birth, sex


def _birth_date(number):
    """ric.get_birth_date without its second compact() of the number, which cost an import as much as the rest."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidComponent() from None


@lru_cache(maxsize=8192)  # a district's residents share a few hundred codes; the lookup is slow
def known_region(code):
    """Any region code that ever existed. python-stdnum's own check also wants the county to have existed in the
    birth year, which wrongly refuses people born before their district was created (江海区 dates from 1994,
    and 18-digit numbers were issued from 1999 by the place of registration)."""
    return bool(numdb.get("cn/loc").info(code)[-1][1])


def parse_other_document(raw):
    number = clean_text(raw).upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        raise IdentityError(_("document number must be 5 to 20 letters or digits"))
    return number


def parse_phone(raw):
    """A mainland mobile or fixed line → its national digits ('13812345678', '07503123456'). '' stays ''."""
    text = clean_text(raw)
    if not text:
        return ""
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if len(text) == 11 and text.isdigit() and CN_MOBILE.fullmatch(text):
        return text
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise IdentityError(_("phone number is not a number"), "phone") from None
    if not phonenumbers.is_valid_number(parsed):
        raise IdentityError(_("phone number is not a valid mainland number"), "phone")
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)
