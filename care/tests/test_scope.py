"""Every care page that names an object answers 404 to a user of another area."""

import pytest
from django.urls import reverse

from care.testing import leak_objects

PUBLIC = {"public_request", "public_status"}


def care_patterns():
    from care import urls

    return [(p.name, list(p.pattern.converters)) for p in urls.urlpatterns]


@pytest.mark.parametrize("name,kwargs", [p for p in care_patterns() if p[1]])
def test_wrong_area_gets_404_on_every_object_view(client, users, areas, make_person, django_user_model, name, kwargs):
    person = make_person("B")
    values = leak_objects(person)
    # Community staff hold every care permission a page needs: only the area differs.
    other = django_user_model.objects.create_user("cleo", role="community_staff", area=areas["xinchuang"])
    client.force_login(other)
    url = reverse(f"care:{name}", kwargs={k: values[k] for k in kwargs})
    response = client.post(url, {}) if name in POST_ONLY else client.get(url)
    assert response.status_code == 404, url
    client.force_login(users["cora"])
    allowed = client.post(url, {}) if name in POST_ONLY else client.get(url)
    assert allowed.status_code in (200, 302), url


POST_ONLY = {"followup_record", "spot_check", "request_step", "relief_deliver", "medicine_deliver"}


def test_list_pages_leave_out_other_areas(client, users, make_person):
    person = make_person("B", name="隔壁网格人")
    leak_objects(person)
    client.force_login(users["gwen"])
    for name in ("ledger", "today", "supervision", "requests", "relief", "medicine", "unpaired", "to_survey"):
        page = client.get(reverse(f"care:{name}")).content.decode()
        assert "隔壁网格人" not in page, name


def test_medic_and_volunteer_lead_cannot_open_the_ledger(client, users):
    client.force_login(users["vic"])
    assert client.get(reverse("care:ledger")).status_code == 403
