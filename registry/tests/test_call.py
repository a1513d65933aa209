"""The call link (finding 5): a POST, for persons on the worker's lists only, limited per hour, audited, and
through a privacy-number bridge when one is configured."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listed(make_person, users):
    """A person in grid A paired with gwen (her care list)."""
    from care.services import pairing_assign

    person = make_person("A", name="陈名单", phone=PHONE)
    pairing_assign(person, users["gwen"])
    return person


@pytest.fixture
def gwen(client, users):
    client.force_login(users["gwen"])
    return client


def call(client, person):
    return client.post(reverse("registry:person_call", args=[person.pk]))


def reveals(person):
    return AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL, target_id=str(person.pk), summary="phone call")


def test_a_get_is_refused(gwen, listed):
    response = gwen.get(reverse("registry:person_call", args=[listed.pk]))
    assert response.status_code == 405 and PHONE not in response.get("Location", "")
    assert not reveals(listed).exists()


def test_the_person_page_offers_a_csrf_protected_form(gwen, listed):
    body = gwen.get(reverse("registry:person", args=[listed.pk])).content.decode()
    url = reverse("registry:person_call", args=[listed.pk])
    assert f'<form method="post" action="{url}">' in body and "csrfmiddlewaretoken" in body
    assert f'href="{url}"' not in body


def test_a_person_on_the_workers_list_is_dialled_and_audited(gwen, listed):
    response = call(gwen, listed)
    assert response.status_code == 302 and response["Location"] == f"tel:{PHONE}"
    event = reveals(listed).get()
    assert event.actor_name == "gwen" and event.detail["fields"] == ["phone"]


def test_a_person_of_the_grid_not_on_the_workers_lists_is_403(gwen, make_person):
    stranger = make_person("A", name="陈不在", phone="13900000000")
    response = call(gwen, stranger)
    assert response.status_code == 403 and "13900000000" not in response.get("Location", "")
    assert not reveals(stranger).exists()


def test_a_person_of_the_neighbouring_grid_is_404(client, users, make_person):
    from care.services import pairing_assign

    theirs = make_person("B", phone="13900000001")
    pairing_assign(theirs, users["greg"])
    client.force_login(users["gwen"])
    assert call(client, theirs).status_code == 404


def test_an_open_help_request_puts_the_person_on_the_list(gwen, make_person, areas):
    from care.services import help_request_create

    person = make_person("A", phone="13900000002")
    assert call(gwen, person).status_code == 403
    help_request_create(
        area=areas["A"], kind="supplies", channel="hotline", requester_name="家属", description="缺米", person=person
    )
    assert call(gwen, person).status_code == 302


def test_the_running_rounds_knock_list_puts_the_person_on_the_list(gwen, make_person):
    from screening.services import campaign_create

    person = make_person("A", phone="13900000003")
    assert call(gwen, person).status_code == 403
    now = timezone.now()
    campaign_create(
        name="今日筛查", scope_codes=["440704"], rounds=[(now - timedelta(hours=1), now + timedelta(hours=8))]
    )
    assert call(gwen, person).status_code == 302


@override_settings(CALL_LIMIT_PER_HOUR=3)
def test_beyond_the_hourly_limit_is_429(gwen, listed):
    assert [call(gwen, listed).status_code for _ in range(4)] == [302, 302, 302, 429]
    assert reveals(listed).count() == 3


@override_settings(CALL_BRIDGE_BACKEND="registry.calls.DevelopmentBridge")
def test_through_the_bridge_the_phone_gets_a_virtual_number(gwen, listed):
    response = call(gwen, listed)
    body = response.content.decode()
    assert response.status_code == 200 and PHONE not in body and PHONE not in response.get("Location", "")
    event = reveals(listed).get()
    virtual = event.detail["virtual_number"]
    assert virtual.startswith("95013") and f'href="tel:{virtual}"' in body and event.detail["bridged"] is True
