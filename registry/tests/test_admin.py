import re

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from conftest import PASSWORD
from core.models import AuditEvent
from registry.models import Person


@pytest.fixture
def people(make_person):
    return {"A": make_person("A", name="甲一", phone="13811112222"), "D": make_person("D", name="丁一")}


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


@pytest.mark.parametrize("username", ["gwen", "mia", "vic"])
def test_front_line_roles_cannot_enter_the_admin(client, users, username):
    login(client, username)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_community_staff_sees_only_their_persons_masked(client, users, people, django_assert_max_num_queries):
    login(client, "cora")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:registry_person_changelist"))
    body = response.content.decode()
    assert "甲一" in body and "丁一" not in body
    assert people["A"].masked_id_number in body and "138****2222" in body
    assert people["A"].id_number not in body and "13811112222" not in body


def test_change_form_shows_masked_read_only_numbers_and_audits_changes(client, users, people):
    login(client, "cora")
    person = people["A"]
    url = reverse("admin:registry_person_change", args=[person.pk])
    body = client.get(url).content.decode()
    assert person.id_number not in body and "13811112222" not in body and person.masked_id_number in body
    data = {
        "name": "甲二",
        "relation": "head",
        "residence_status": "away",
        "mobility": "normal",
        "group_tags-TOTAL_FORMS": "0",
        "group_tags-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.all_objects.get(pk=person.pk)
    assert (person.name, person.residence_status, person.name_initials) == ("甲二", "away", "je")
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(person.pk))
    assert event.actor_name == "cora" and event.detail["changes"]["name"] == ["甲一", "甲二"]


def test_admin_person_of_another_community_is_not_found(client, users, people):
    login(client, "cora")
    response = client.get(reverse("admin:registry_person_change", args=[people["D"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_adding_a_person_validates_the_id_number(client, users, areas):
    login(client, "cora")
    data = {
        "grid": areas["A"].pk,
        "name": "新人",
        "id_type": "ric",
        "id_number": "440704198001010010",  # wrong check digit
        "phone": "",
        "relation": "head",
        "residence_status": "resident",
        "mobility": "normal",
        "group_tags-TOTAL_FORMS": "0",
        "group_tags-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:registry_person_add"), data)
    assert response.status_code == 200 and not Person.all_objects.filter(name="新人").exists()
    from registry.testing import synthetic_id_number

    data["id_number"] = synthetic_id_number(77)
    assert client.post(reverse("admin:registry_person_add"), data).status_code == 302
    person = Person.all_objects.get(name="新人")
    assert person.residences.count() == 1
    assert AuditEvent.objects.filter(action="create", target_id=str(person.pk), actor_name="cora").exists()


def test_audit_log_is_for_district_admins_and_read_only(client, users, people):
    login(client, "cora")
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403
    client.logout()
    login(client, "dana")
    response = client.get(reverse("admin:core_auditevent_changelist"), {"action__exact": "create"})
    assert response.status_code == 200 and "甲一" in response.content.decode()
    event = AuditEvent.objects.first()
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403


def test_token_issued_once_and_revoked(client, users):
    login(client, "dana")
    response = client.post(
        reverse("admin:accounts_apitoken_add"), {"user": users["gwen"].pk, "name": "gwen's phone"}, follow=True
    )
    token = ApiToken.objects.get(name="gwen's phone")
    shown = [str(m) for m in response.context["messages"]]
    raw = re.search(r"gc_[\w-]+", shown[0])[0]
    assert ApiToken.hash(raw) == token.key_hash
    client.post(reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
