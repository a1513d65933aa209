"""Privacy: nothing shown beside the ID mask undoes it (finding 1), the register needs `registry.view_person`
wherever it is read (finding 3), and the admin neither searches nor filters by number digits unaudited (finding 5)."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.services import token_issue
from conftest import PASSWORD
from core.models import AuditEvent
from registry.testing import synthetic_id_number

BIRTH = date(1957, 3, 14)


@pytest.fixture
def person(make_person):
    return make_person("A", name="陈出生", id_number=synthetic_id_number(7, birth=BIRTH), phone="13912345678")


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user, 'test')[1]}"}


def birth_date_shown(body, birth):
    forms = [f"{birth:%Y-%m-%d}", f"{birth:%Y%m%d}", f"{birth.year}年{birth.month}月{birth.day}日", f"{birth:%b}"]
    return [f for f in forms if f in body]


@pytest.fixture
def without_reveal(monkeypatch):
    """Community staff as a deployment that keeps reveals to the street and district would have them: the role
    table itself narrowed for this test (the backend reads it on every check)."""
    perms = ROLE_PERMISSIONS[Role.COMMUNITY_STAFF] - {"registry.reveal_identity"}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.COMMUNITY_STAFF, perms)


def test_medic_gets_age_and_no_birth_date_from_the_api(client, users, person):
    birth = person.birth_date
    listed = client.get("/api/v1/persons", **bearer(users["mia"])).json()["items"]
    [item] = [p for p in listed if p["id"] == person.pk]
    detail = client.get(f"/api/v1/persons/{person.pk}", **bearer(users["mia"])).json()
    searched = client.get("/api/v1/persons", {"q": "陈出生"}, **bearer(users["mia"])).json()["items"]
    for body in (item, detail, searched[0]):
        assert "birth_date" not in body and body["age"] == person.age
        assert not birth_date_shown(str(body), birth)


def test_medic_gets_age_and_no_birth_date_from_the_person_page(client, users, person):
    body = login(client, "mia").get(reverse("registry:person", args=[person.pk])).content.decode()
    assert person.name in body and f"{person.age}" in body
    assert not birth_date_shown(body, person.birth_date)


def test_admin_change_page_shows_age_not_birth_date(client, users, person, without_reveal):
    url = reverse("admin:registry_person_change", args=[person.pk])
    response = login(client, "mia").get(url)
    assert response.status_code == 302  # a medic has no back office at all
    client.logout()
    body = login(client, "cora").get(url).content.decode()
    assert person.name in body and f"{person.age}" in body
    assert not birth_date_shown(body, person.birth_date)
    assert person.id_number not in body and "13912345678" not in body


@pytest.mark.parametrize("lookup", ["birth_date__year", "birth_date", "id_number__startswith", "phone__startswith"])
def test_admin_changelist_refuses_filters_on_numbers_and_birth_dates(client, users, person, lookup):
    values = {"birth_date__year": "1957", "birth_date": "1957-03-14", "id_number__startswith": "44070419570314"}
    url = reverse("admin:registry_person_changelist")
    response = login(client, "cora").get(url, {lookup: values.get(lookup, "1391234")})
    assert response.status_code == 400 or person.name not in response.content.decode()


def test_volunteer_lead_may_not_read_persons_through_the_api(client, users, person):
    headers = bearer(users["vic"])
    assert client.get("/api/v1/persons", **headers).status_code == 403
    assert client.get("/api/v1/persons", {"q": "陈"}, **headers).status_code == 403
    assert client.get(f"/api/v1/persons/{person.pk}", **headers).status_code == 403
    assert client.get("/api/v1/areas", **headers).status_code == 200  # the area tree is theirs to see


def test_volunteer_lead_may_not_look_up_persons_at_the_desk(client, users, person):
    url = reverse("screening:desk_lookup")
    response = login(client, "vic").post(url, {"q": person.id_number})
    assert response.status_code == 403 and person.name not in response.content.decode()
    client.logout()
    assert login(client, "mia").post(url, {"q": person.id_number}).json()["name"] == person.name


def test_admin_search_by_seven_digits_without_reveal_finds_nobody(client, users, person, without_reveal):
    url = reverse("admin:registry_person_changelist")
    login(client, "cora")
    for term in ("1391234", "4407041957"):
        body = client.get(url, {"q": term}).content.decode()
        assert person.name not in body
    assert person.name in client.get(url, {"q": "5678"}).content.decode()  # the last 4 still find
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()


def test_admin_search_by_digits_with_reveal_is_an_audited_reveal(client, users, person):
    url = reverse("admin:registry_person_changelist")
    body = login(client, "cora").get(url, {"q": "1391234"}).content.decode()
    assert person.name in body and "13912345678" not in body
    event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
    assert (event.actor_name, event.summary, event.target_id) == ("cora", "admin search", str(person.pk))
    assert event.detail["persons"] == [person.pk] and "1391234" not in str(event.detail)
    login(client, "cora").get(url, {"q": "5678"})
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).count() == 1  # last 4: no reveal


def test_help_request_admin_shows_no_full_phone(client, users, areas, person):
    from care.services import help_request_create

    request = help_request_create(
        area=areas["A"], kind="supplies", channel="hotline", requester_name="陈家属", requester_phone="13700001111",
        description="缺米",
    )  # fmt: skip
    login(client, "cora")
    body = client.get(reverse("admin:care_helprequest_change", args=[request.pk])).content.decode()
    assert request.receipt in body and "137****1111" in body and "13700001111" not in body
    body = client.get(reverse("admin:care_helprequest_changelist"), {"requester_phone__startswith": "137"})
    assert body.status_code == 400 or request.receipt not in body.content.decode()
