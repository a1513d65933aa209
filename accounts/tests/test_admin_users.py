"""The back office's users are area-bound like everything else: a district admin lists, opens and changes the users
of their own district only, and cannot make or move a user into another district."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from conftest import PASSWORD
from registry.models import Area


@pytest.fixture
def other_district(django_user_model):
    district = Area.all_objects.create(code="440705", name="新会区", level=1)
    admin = django_user_model.objects.create_user("dora", password=PASSWORD, role=Role.DISTRICT_ADMIN, area=district)
    return {"area": district, "admin": admin}


def change_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "area": user.area_id,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "08:00:00",
    }
    data.update(changes)
    return data


def test_another_districts_admin_neither_sees_nor_changes_our_users(client, users, other_district):
    gwen = users["gwen"]
    client.force_login(other_district["admin"])
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert listing.status_code == 200
    shown = {u.username for u in listing.context["cl"].result_list}
    assert shown == {"dora"}
    change = reverse("admin:accounts_user_change", args=[gwen.pk])
    assert client.get(change).status_code == 302  # the admin's "no such object": back to the index
    client.post(change, change_form(gwen, role=Role.DISTRICT_ADMIN))
    gwen.refresh_from_db()
    assert gwen.role == Role.GRID_WORKER
    client.post(reverse("admin:accounts_user_delete", args=[gwen.pk]), {"post": "yes"})
    assert type(gwen).objects.filter(pk=gwen.pk).exists()


def test_a_district_admin_keeps_users_inside_the_district(client, users, areas, other_district):
    gwen = users["gwen"]
    client.force_login(users["dana"])
    shown = {u.username for u in client.get(reverse("admin:accounts_user_changelist")).context["cl"].result_list}
    assert "gwen" in shown and "dora" not in shown

    change = reverse("admin:accounts_user_change", args=[gwen.pk])
    moved = client.post(change, change_form(gwen, area=other_district["area"].pk))
    assert moved.status_code == 200 and "area" in moved.context["adminform"].form.errors
    gwen.refresh_from_db()
    assert gwen.area == areas["A"]
    assert client.post(change, change_form(gwen, area=areas["B"].pk)).status_code == 302
    gwen.refresh_from_db()
    assert gwen.area == areas["B"]

    add = reverse("admin:accounts_user_add")
    new = {"username": "nia", "password1": "a-long-pass-9281", "password2": "a-long-pass-9281", "role": Role.GRID_WORKER}
    refused = client.post(add, {**new, "area": other_district["area"].pk})
    assert refused.status_code == 200 and "area" in refused.context["adminform"].form.errors
    assert client.post(add, {**new, "area": ""}).status_code == 200, "a user without an area would see nothing"
    assert client.post(add, {**new, "area": areas["A"].pk}).status_code == 302
    assert type(gwen).objects.get(username="nia").area == areas["A"]
