import pytest

from accounts.services import actor_for
from core.context import acting_as
from registry.models import Area, Household, Person


@pytest.fixture
def people(make_person):
    return {key: make_person(key) for key in ("A", "A", "B", "C", "D")}


def visible_names(user):
    with acting_as(actor_for(user)):
        return set(Person.objects.values_list("grid__code", flat=True))


def test_grid_worker_sees_only_their_grid(users, people, areas):
    assert visible_names(users["gwen"]) == {areas["A"].code}
    assert visible_names(users["greg"]) == {areas["B"].code}


def test_community_street_and_district_see_their_subtrees(users, people, areas):
    assert visible_names(users["cora"]) == {areas["A"].code, areas["B"].code}
    assert visible_names(users["stella"]) == {areas["A"].code, areas["B"].code, areas["C"].code}
    assert visible_names(users["dana"]) == {a.code for a in (areas["A"], areas["B"], areas["C"], areas["D"])}


def test_related_managers_are_scoped_too(users, make_person, areas):
    person = make_person("B")
    with acting_as(actor_for(users["gwen"])):
        assert not Household.objects.filter(pk=person.household_id).exists()
        assert list(areas["zhongfu"].persons.all()) == []
        assert Area.objects.filter(code=areas["B"].code).count() == 0
        assert Area.objects.filter(code=areas["A"].code).count() == 1


def test_anonymous_sees_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    with acting_as(actor_for(AnonymousUser())):
        assert Person.objects.count() == 0
        assert Area.objects.count() == 0


def test_narrowing_keeps_to_the_area_and_never_widens(users, people, areas):
    from core.context import narrowed_to

    with acting_as(actor_for(users["cora"])):
        with narrowed_to(areas["B"]):
            assert set(Person.objects.values_list("grid__code", flat=True)) == {areas["B"].code}
    with acting_as(actor_for(users["gwen"])):
        with narrowed_to(areas["district"]):
            assert Person.objects.count() == 0


def test_api_search_within_an_area_searches_inside_it(client, users, make_person, areas):
    for key in ("A", "B"):
        make_person(key, name="张伟")
    client.force_login(users["cora"])
    found = client.get("/api/v1/persons", {"q": "zw", "area": areas["B"].code}).json()["items"]
    assert [p["name"] for p in found] == ["张伟"]
    assert client.get("/api/v1/persons", {"q": "zw", "area": areas["D"].code}).status_code == 404
