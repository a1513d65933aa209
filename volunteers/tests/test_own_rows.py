"""The owner walker: a volunteer (vera) of the same community as another volunteer walks every volunteers page and
API route, GET and POST, and must see nothing of the other's shifts and errands nor of the resident they serve;
routes naming the other's rows must refuse. Her own rows she does see (so the markers could have matched)."""

from django.urls import reverse
from django.utils import timezone

from accounts.services import token_issue
from core.context import system_actor
from gridcare.api import api
from gridcare.tests.routes import api_operations, body_text, fill, fill_openapi, url_routes
from registry.testing import synthetic_id_number
from volunteers import services
from volunteers.models import Errand, Shift, Volunteer
from volunteers.testing import leak_objects

REFUSALS = {401, 403, 404, 405, 422}
SHARED = {"site_id", "code"}  # a site and its printed code: any volunteer may stand at any site


def test_a_volunteer_reaches_only_their_own_shifts_and_errands(client, users, make_person):
    victim = make_person("B", name="隔壁网格甲", phone="13998765432")
    values = leak_objects(victim)
    other = Volunteer.all_objects.get(pk=values["volunteer_id"])
    markers = [
        victim.name,
        victim.phone,
        victim.masked_phone,
        other.name,
        other.phone,
        other.masked_phone,
        Errand.all_objects.get(pk=values["errand_id"]).address,
    ]
    with system_actor():
        vera = Volunteer.all_objects.create(
            name="维拉本人",
            phone="13700007777",
            id_number=synthetic_id_number(99_001),
            community=other.community,
            roles=["order_keeping"],
            verified_at=timezone.now(),
            user=users["vera"],
        )
        site = Shift.all_objects.get(pk=values["shift_id"]).site
        services.shift_assign(site, vera, role="order_keeping", starts_at=timezone.now(), hours=2, by=None)
    client.force_login(users["vera"])
    problems, walked = [], 0
    for route in url_routes():
        if not (route.name or "").startswith("volunteers:"):
            continue
        url = fill(route, values, victim.grid)
        assert url is not None, route.name
        names_other = bool(set(route.params) - SHARED)
        for method in ("GET", "POST"):
            response = client.generic(method, url)
            walked += 1
            text = body_text(response)
            shown = [m for m in markers if m and m in text]
            if shown:
                problems.append(f"{method} {url}: {response.status_code} shows {shown}")
            elif names_other and response.status_code not in REFUSALS:
                problems.append(f"{method} {url}: answered {response.status_code} for another volunteer's row")
    _, raw = token_issue(users["vera"], "owner walk")
    for path, method in api_operations(api.get_openapi_schema()):
        if not path.startswith("/api/v1/volunteers") or method != "GET":
            continue
        url, _names = fill_openapi(path, values)
        response = client.generic(method, url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        shown = [m for m in markers if m and m in body_text(response)]
        if response.status_code != 200 or shown:
            problems.append(f"{method} {url} by token: {response.status_code} shows {shown}")
    assert walked > 20 and not problems, "\n".join(problems)
    assert Errand.all_objects.get(pk=values["errand_id"]).claimed_by == other  # nothing vera posted took it
    own = client.get(reverse("volunteers:mine")).content.decode()
    assert site.name in own  # her own shift is there
    mine = client.get("/api/v1/volunteers/shifts", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [s["site"] for s in mine] == [site.name]
