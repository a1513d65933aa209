import pytest
from django.urls import reverse

from care.services import followup_plan_day, ledger_entry_save, pairing_assign
from registry.models import SpecialGroup


@pytest.fixture
def group():
    return SpecialGroup.objects.get(code="elderly_alone")


@pytest.fixture
def paired(make_person, users, group):
    """paired("A", "gwen") → a ledger person in grid A whose contact is gwen, planned for today."""

    def make(grid_key="A", worker="gwen", **fields):
        person = make_person(grid_key, **fields)
        ledger_entry_save(person, group, needs=["medicine"])
        pairing_assign(person, users[worker])
        followup_plan_day(person_ids=[person.pk])
        return person

    return make


@pytest.fixture
def login(client, users):
    def as_user(name):
        client.force_login(users[name])
        return client

    return as_user


@pytest.fixture
def public_post(client, areas):
    """public_post(**fields) → the public help form posted by `client` for 中福社区, as a resident would."""

    def post(**extra):
        data = {
            "community": areas["zhongfu"].pk,
            "kind": "supplies",
            "requester_name": "周居民",
            "requester_phone": "13700001111",
            "description": "家里没米了",
            **extra,
        }
        return client.post(reverse("care:public_request"), data)

    return post
