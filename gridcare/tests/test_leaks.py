"""The leak test: every URL pattern and every API operation, walked as grid worker gwen (grid A) with a person in
the neighbouring grid B, must not show B's person; routes naming B's objects must refuse. The Django admin is walked
again as a back-office user of another community. A route the walker cannot fill fails the test."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.services import token_issue
from conftest import PASSWORD
from gridcare.api import api
from gridcare.tests.routes import (
    API_PREFIX,
    api_operations,
    app_leak_objects,
    body_text,
    fill,
    fill_openapi,
    names_scoped_object,
    url_routes,
)
from registry.models import Compound, Person, PersonGroup, SpecialGroup

# Object routes may refuse with 404 (not in your area), 403 (your role may not use this page at all) or 405; a
# redirect is accepted only to a login page or, in the admin, to the admin index (Django's "does not exist").
REFUSALS = {403, 404, 405, 401, 422}


@pytest.fixture
def victim(make_person, areas):
    make_person("A", name="本格居民")
    person = make_person("B", name="隔壁网格甲", phone="13998765432")
    PersonGroup.all_objects.create(person=person, group=SpecialGroup.objects.get(code="elderly_alone"))
    building = person.household.building
    building.compound = Compound.all_objects.create(name="明泰城", community=areas["zhongfu"])
    building.save(update_fields=["compound"])
    return Person.all_objects.select_related("household__building", "grid").get(pk=person.pk)


def markers(person):
    return [person.name, person.id_number, person.masked_id_number, person.phone, person.masked_phone]


def leaked(text, person):
    return [m for m in markers(person) if m and m in text]


def redirect_ok(response):
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )


def check_page(client, url, person, *, object_route, extra=None):
    problems = []
    calls = [("GET", {}), ("GET", {"HTTP_HX_REQUEST": "true"})]
    if object_route:
        calls.append(("POST", {}))
    for method, headers in calls:
        response = client.generic(method, url + (extra or ""), **headers)
        text = body_text(response)
        if leaked(text, person):
            problems.append(f"{method} {url}{extra or ''}: {response.status_code} shows {leaked(text, person)}")
        elif object_route and not (response.status_code in REFUSALS or redirect_ok(response) or _admin_gone(response)):
            problems.append(f"{method} {url}: answered {response.status_code} for another grid's object")
    return problems


def _admin_gone(response):
    return response.status_code == 302 and response.get("Location", "").startswith(reverse("admin:index"))


def walk_pages(client, person, values, *, only_admin=False):
    problems, unfilled = [], []
    # Searches that would find the person without echoing a marker back in the search box.
    queries = [f"?q={person.name[:2]}&area={person.grid.code}", f"?q={person.name_initials}", f"?q={person.id_last4}"]
    for route in url_routes():
        if route.is_api or (only_admin and not route.name.startswith("admin:")):
            continue
        url = fill(route, values, person.grid)
        if url is None:
            unfilled.append(f"{route.name or '(unnamed)'} {route.pattern}")
            continue
        object_route = names_scoped_object(route, values)
        problems += check_page(client, url, person, object_route=object_route)
        if not route.params:
            for query in queries:
                problems += check_page(client, url, person, object_route=False, extra=query)
    return problems, unfilled


def test_grid_worker_walks_every_route_and_sees_nobody_from_the_next_grid(client, users, victim, db):
    values = app_leak_objects(victim)
    assert client.login(username="gwen", password=PASSWORD)
    problems, unfilled = walk_pages(client, victim, values)
    assert not unfilled, "routes the leak walker cannot fill (offer leak_objects in <app>/testing.py):\n" + "\n".join(
        unfilled
    )
    assert not problems, "\n".join(problems)
    # The walk was done logged in, and gwen does see her own grid (so the markers could have matched).
    own = client.get(reverse("registry:search"), {"q": "本格居民"})
    assert own.status_code == 200 and "本格居民" in own.content.decode()


def test_every_api_operation_refuses_the_next_grids_person(client, users, victim):
    values = app_leak_objects(victim)
    schema = api.get_openapi_schema()
    problems, unfilled = [], []
    for path, method in api_operations(schema):
        url, names = fill_openapi(path, values)
        if url is None:
            unfilled.append(f"{method} {path}")
            continue
        _, raw = token_issue(users["gwen"], "leak test")  # fresh each time: one operation revokes its token
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        queries = [
            f"?q={victim.name[:2]}&area={victim.grid.code}",
            f"?q={victim.name_initials}",
            f"?q={victim.id_last4}",
        ]
        for extra in ("", *queries):
            if extra and (names or method != "GET"):
                continue
            response = client.generic(method, url + extra, "{}", content_type="application/json", **auth)
            text = body_text(response)
            if leaked(text, victim):
                problems.append(f"{method} {url}{extra}: {response.status_code} shows {leaked(text, victim)}")
            elif set(names) - values.get("shared", set()) and response.status_code < 400:
                problems.append(f"{method} {url}: answered {response.status_code} for another grid's object")
    assert not unfilled, "API operations the leak walker cannot fill:\n" + "\n".join(unfilled)
    assert not problems, "\n".join(problems)
    assert all(path.startswith(API_PREFIX) for path in schema["paths"])


def test_back_office_of_another_community_walks_the_admin(client, users, areas, victim, django_user_model):
    django_user_model.objects.create_user("cleo", password=PASSWORD, role=Role.COMMUNITY_STAFF, area=areas["xinchuang"])
    assert client.login(username="cleo", password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
    problems, unfilled = walk_pages(client, victim, app_leak_objects(victim), only_admin=True)
    assert not unfilled, "\n".join(unfilled)
    assert not problems, "\n".join(problems)
