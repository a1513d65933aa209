import pytest
from django.urls import reverse

from conftest import PASSWORD
from core.models import AuditEvent
from registry.models import SpecialGroup


@pytest.fixture
def people(make_person):
    zhang = make_person("A", name="张伟", phone="13812345678")
    PersonGroupTag = zhang.group_tags.model
    PersonGroupTag.all_objects.create(person=zhang, group=SpecialGroup.objects.get(code="elderly_alone"))
    return {"zhang": zhang, "li": make_person("A", name="李娜"), "wang": make_person("B", name="王芳")}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_area_drill_down_counts_children_and_groups(client, users, areas, people, django_assert_max_num_queries):
    login(client, users["dana"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:area", args=[areas["zhongfu"].code]))
    assert response.status_code == 200
    rows = {c.name: (c.person_count, c.group_list[0]) for c in response.context["children"]}
    assert rows == {"中福1网格": (2, 1), "中福2网格": (1, 0)}
    assert response.context["area"].person_count == 3


def test_area_of_another_street_is_404(client, users, areas):
    login(client, users["stella"])
    assert client.get(reverse("registry:area", args=[areas["waihai"].code])).status_code == 404
    assert client.get(reverse("registry:area", args=[areas["lile"].code])).status_code == 200


def test_grid_page_lists_buildings_and_household_members(client, users, areas, people, django_assert_max_num_queries):
    login(client, users["gwen"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("registry:grid", args=[areas["A"].code]))
    assert response.status_code == 200
    [building] = response.context["buildings"]
    assert (building.household_count, building.person_count, building.special_count) == (2, 2, 1)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:building", args=[building.pk]))
    body = response.content.decode()
    assert "张伟" in body and "李娜" in body and "独居老人" in body


def test_grid_and_building_of_neighbour_are_404(client, users, areas, people):
    login(client, users["gwen"])
    assert client.get(reverse("registry:grid", args=[areas["B"].code])).status_code == 404
    building_b = people["wang"].household.building
    assert client.get(reverse("registry:building", args=[building_b.pk])).status_code == 404


def test_person_page_is_masked_with_history(client, users, people):
    login(client, users["gwen"])
    zhang = people["zhang"]
    body = client.get(reverse("registry:person", args=[zhang.pk])).content.decode()
    assert zhang.masked_id_number in body and zhang.id_number not in body
    assert "138****5678" in body and "13812345678" not in body
    assert "李娜" not in body  # a different household
    assert reverse("registry:person_call", args=[zhang.pk]) in body
    assert reverse("registry:person_reveal", args=[zhang.pk]) not in body  # grid workers may not reveal


def test_person_of_neighbouring_grid_is_404(client, users, people):
    login(client, users["gwen"])
    for name in ("person", "person_reveal"):
        assert client.get(reverse(f"registry:{name}", args=[people["wang"].pk])).status_code == 404
    assert client.post(reverse("registry:person_call", args=[people["wang"].pk])).status_code == 404


def test_reveal_needs_permission_and_reason_and_is_audited(client, users, people):
    zhang = people["zhang"]
    url = reverse("registry:person_reveal", args=[zhang.pk])
    login(client, users["gwen"])
    assert client.post(url, {"reason": "check"}).status_code == 403
    client.logout()
    login(client, users["cora"])
    response = client.post(url, {"reason": ""})
    assert zhang.id_number not in response.content.decode()
    response = client.post(url, {"reason": "家属核对身份"})
    assert zhang.id_number in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, target_id=str(zhang.pk))
    assert (event.actor_name, event.summary, event.ip) == ("cora", "家属核对身份", "127.0.0.1")


def test_call_link_audits_and_dials(client, users, people):
    from care.services import pairing_assign

    pairing_assign(people["zhang"], users["gwen"])
    login(client, users["gwen"])
    response = client.post(reverse("registry:person_call", args=[people["zhang"].pk]))
    assert response.status_code == 302 and response["Location"] == "tel:13812345678"
    assert AuditEvent.objects.filter(action="reveal", summary="phone call", actor_name="gwen").count() == 1


def test_volunteer_lead_cannot_open_persons(client, users, people):
    login(client, users["vic"])
    assert client.get(reverse("registry:person", args=[people["zhang"].pk])).status_code == 403
    assert client.get(reverse("registry:search"), {"q": "zw"}).status_code == 403


def test_export_is_masked_scoped_and_audited(client, users, areas, people):
    from io import BytesIO

    from openpyxl import load_workbook

    from core.testing import exported

    login(client, users["gwen"])
    data = exported(client, "registry.persons", area=areas["A"].code)
    rows = list(load_workbook(BytesIO(data)).active.values)
    names = {row[3] for row in rows[1:]}
    assert names == {"张伟", "李娜"}
    assert "138****5678" in {row[7] for row in rows}
    refused = client.post(reverse("exports:start"), {"list": "registry.persons", "area": areas["B"].code})
    assert refused.status_code == 404
    # asked for, written, downloaded
    assert AuditEvent.objects.filter(action="export", actor_name="gwen").count() == 3


@pytest.mark.parametrize("username", ["dana", "stella", "cora", "gwen", "mia", "vic"])
def test_home_page_per_role(client, users, people, username, django_assert_max_num_queries):
    login(client, users[username])
    with django_assert_max_num_queries(15):
        response = client.get("/")
    assert response.status_code == 200
    assert users[username].area.name in response.content.decode()
