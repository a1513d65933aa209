"""Synthetic identities for tests and the demo: valid check digits, never a real person's number."""

from datetime import date, timedelta

from stdnum.cn import ric

DEFAULT_PREFIX = "440704"


def synthetic_id_number(n, birth=date(1980, 1, 1), prefix=DEFAULT_PREFIX, female=None):
    """The n-th synthetic resident ID for a birth date: sequence digits from n, a valid check digit."""
    birth = birth + timedelta(days=(n // 500) % 3650)
    seq = n % 500 * 2 + (0 if female is None else (0 if female else 1))
    body = f"{prefix}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def leak_objects(person):
    """URL kwargs naming the register's objects of `person`, for the route-walking leak test
    (gridcare/tests/test_leaks.py): each app's testing.py may offer one for its own objects."""
    return {
        "person_id": person.pk,
        "building_id": person.household.building_id,
        "household_id": person.household_id,
        "code": person.grid.code,
        "compound_id": person.household.building.compound_id,
    }
