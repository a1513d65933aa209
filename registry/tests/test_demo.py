import io
import random
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F

from accounts.models import User
from accounts.roles import Role
from accounts.services import actor_for
from core.context import acting_as
from gridcare.management.commands.demo import DEMO_USERS
from registry.demo import RegisterBuilder
from registry.identity import parse_ric
from registry.models import Area, Building, Compound, Household, Person, PersonGroup, Residence, name_initials

RESIDENTS = 2000
PASSWORD = "demo-pass-1"


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("demo", residents=RESIDENTS, seed=7, password=PASSWORD, stdout=out)
    return out.getvalue()


def people():
    return list(Person.all_objects.order_by("id"))


def test_it_is_deterministic_for_a_seed(db):
    def persons(seed):
        builder = RegisterBuilder(random.Random(seed), 500, date(2026, 1, 1))
        builder.build()
        return builder.rows[Person]

    assert persons(3) == persons(3)
    assert [p[3] for p in persons(3)] != [p[3] for p in persons(4)]


def test_the_same_seed_builds_the_same_register_again(demo):
    first = list(Person.all_objects.values_list("name", "id_number", "phone", "household__room", "grid__code"))
    call_command("demo", residents=RESIDENTS, seed=7, password=PASSWORD, reset=True, stdout=io.StringIO())
    again = list(Person.all_objects.values_list("name", "id_number", "phone", "household__room", "grid__code"))
    assert first == again


def test_it_builds_the_district_of_the_page(demo):
    assert Area.all_objects.get(code="440704").name == "江海区"
    streets = Area.all_objects.filter(level=Area.Level.STREET)
    assert sorted(streets.values_list("name", flat=True)) == ["外海街道", "江南街道", "礼乐街道"]
    communities = Area.all_objects.filter(level=Area.Level.COMMUNITY)
    assert 28 <= communities.count() <= 34
    waihai = communities.filter(code__startswith="440704002")
    assert (waihai.filter(is_village=False).count(), waihai.filter(is_village=True).count()) == (7, 12)
    for code_prefix, name in [("440704001", "中福社区"), ("440704001", "新创村"), ("440704002", "银泉社区")]:
        assert communities.filter(code__startswith=code_prefix, name=name).exists()
    assert communities.get(name="新中社区").code.startswith("440704003")
    assert 280 <= Area.all_objects.filter(level=Area.Level.GRID).count() <= 320
    named = {"明泰城", "海逸华庭", "乐苑小区", "新南小区"}
    assert named <= set(Compound.all_objects.values_list("name", flat=True))
    # Codes nest by prefix: every area's code starts with its parent's.
    assert not Area.all_objects.exclude(parent=None).exclude(code__startswith=F("parent__code")).exists()


def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_and_sex(demo):
    persons = people()
    assert len(persons) == RESIDENTS
    assert len({p.id_number for p in persons}) == RESIDENTS
    for p in persons:
        number, birth, sex = parse_ric(p.id_number)
        assert (number, birth, sex) == (p.id_number, p.birth_date, p.sex)
        assert p.id_last4 == p.id_number[-4:]
    local = sum(p.id_number.startswith("440704") for p in persons)
    assert 0.4 * RESIDENTS < local < 0.9 * RESIDENTS


def test_names_phones_and_initials_are_plausible(demo):
    persons = people()
    assert all(2 <= len(p.name) <= 3 for p in persons)
    assert all(p.name_initials == name_initials(p.name) for p in persons)
    phones = [p.phone for p in persons if p.phone]
    assert len(set(phones)) == len(phones)
    assert all(len(phone) == 11 and phone[0] == "1" and p.phone_last4 == phone[-4:] for phone, p in zip(
        phones, [p for p in persons if p.phone], strict=True))  # fmt: skip
    assert all(not p.phone for p in persons if p.age < 14)


def test_every_person_lives_in_a_household_of_their_grid_with_one_residence(demo):
    assert not Person.all_objects.filter(household=None).exists()
    assert not Person.all_objects.exclude(household__grid=F("grid")).exists()
    assert not Household.all_objects.exclude(building__grid=F("grid")).exists()
    assert not Building.all_objects.exclude(grid__level=Area.Level.GRID).exists()
    assert Residence.all_objects.filter(ended_at=None, grid=F("person__grid")).count() == RESIDENTS
    heads = Person.all_objects.filter(relation=Person.Relation.HEAD).values("household").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in heads)
    assert heads.count() == Household.all_objects.count()


def test_ages_and_special_groups_come_at_realistic_rates(demo):
    persons = people()
    elderly = [p for p in persons if p.age >= 65]
    assert 0.08 < len(elderly) / RESIDENTS < 0.18
    tagged = {}
    for code, person_id in PersonGroup.all_objects.values_list("group__code", "person_id"):
        tagged.setdefault(code, set()).add(person_id)
    by_id = {p.id: p for p in persons}
    household_size = dict(Household.all_objects.annotate(n=Count("persons")).values_list("id", "n"))
    alone = {p.id for p in elderly if household_size[p.household_id] == 1}
    assert tagged["elderly_alone"] == alone and 0.05 < len(alone) / len(elderly) < 0.4
    assert all(by_id[i].sex == "F" and 20 <= by_id[i].age <= 41 for i in tagged["pregnant"])
    assert all(by_id[i].age < 16 for i in tagged["left_behind_child"])
    assert 0 < len(tagged["mental_disorder"]) < 0.015 * RESIDENTS
    assert all(by_id[i].mobility != Person.Mobility.NORMAL for i in tagged["mobility_impaired"])
    statuses = set(Person.all_objects.values_list("residence_status", flat=True))
    assert statuses == {"registered", "resident", "floating", "away"}


def test_it_creates_one_scoped_login_per_role_and_prints_them(demo, client):
    named = [username for username, _, _ in DEMO_USERS]
    users = {u.username: u for u in User.objects.filter(username__in=named).select_related("area")}
    assert len(users) == len(DEMO_USERS)
    assert {u.role for u in users.values()} == set(Role)  # every role has a demo login
    for username, user in users.items():
        assert username in demo and user.area.name in demo
    assert len({u.password for u in users.values()}) == 1  # one password, hashed once
    grid1, grid2 = users["grid1"], users["grid2"]
    assert grid1.area.parent == grid2.area.parent == users["community"].area
    assert users["street"].area.name == "礼乐街道" and users["admin"].area.code == "440704"
    assert Building.all_objects.filter(grid=grid1.area, compound__name="明泰城").exists()
    assert Building.all_objects.filter(grid=grid2.area, compound__name="海逸华庭").exists()
    with acting_as(actor_for(grid1, None)):
        visible = set(Person.objects.values_list("id", flat=True))
    assert visible == set(Person.all_objects.filter(grid=grid1.area).values_list("id", flat=True))
    assert client.login(username="grid1", password=PASSWORD)
    assert PASSWORD in demo and "http://127.0.0.1:8000/" in demo


def test_it_refuses_a_register_that_has_data_unless_reset(demo):
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", residents=10, password=PASSWORD, stdout=io.StringIO())
    call_command("demo", residents=10, password=PASSWORD, reset=True, stdout=io.StringIO())
    assert Person.all_objects.count() == 10
    assert User.objects.filter(username="admin").count() == 1
