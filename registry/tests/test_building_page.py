"""The building page shows a page of households at a time: a tower of 500 doors must open fast on a phone."""

import pytest
from django.urls import reverse

from registry.models import Building, Household, SpecialGroup
from registry.services import person_create
from registry.testing import synthetic_id_number


@pytest.fixture
def tower(areas):
    """25 households of two persons each in grid A, the first tagged elderly living alone."""
    building = Building.all_objects.create(grid=areas["A"], address="明泰城9栋", name="9栋", floors=26, units=1)
    n = 0
    for floor in range(1, 26):
        household = Household.all_objects.create(building=building, grid=areas["A"], floor=floor, room=f"{floor}01")
        for relation in ("head", "spouse"):
            n += 1
            person_create(
                grid=areas["A"],
                household=household,
                name=f"住户{n}",
                id_number=synthetic_id_number(n),
                relation=relation,
            )
    first = household.persons.model.all_objects.get(name="住户1")
    first.group_tags.model.all_objects.create(person=first, group=SpecialGroup.objects.get(code="elderly_alone"))
    return building


def test_first_page_shows_20_households_and_a_link_to_the_rest(client, users, tower, django_assert_max_num_queries):
    client.force_login(users["gwen"])
    url = reverse("registry:building", args=[tower.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert body.count('class="household"') == 20
    assert "住户1<" in body and "住户40<" in body and "住户41<" not in body
    first = tower.households.order_by("floor").first().persons.order_by("pk").first()
    assert f'href="{reverse("registry:person", args=[first.pk])}">住户1<' in body
    assert "户主" in body and "独居老人" in body
    assert f"{url}?page=2" in body and "已显示 20 / 25" in body


def test_more_appends_the_next_households_as_a_fragment(client, users, tower):
    client.force_login(users["gwen"])
    url = reverse("registry:building", args=[tower.pk])
    body = client.get(f"{url}?page=2", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<html" not in body and body.count('class="household"') == 5
    assert "住户41<" in body and "住户50<" in body and "page=3" not in body
    assert "head of household" in body


@pytest.mark.parametrize("page", ["0", "99", "x"])
def test_a_page_out_of_range_shows_a_page_not_an_error(client, users, tower, page):
    client.force_login(users["gwen"])
    response = client.get(reverse("registry:building", args=[tower.pk]) + f"?page={page}")
    assert response.status_code == 200 and 'class="household"' in response.content.decode()
