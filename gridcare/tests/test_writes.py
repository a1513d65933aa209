"""The write walker, beside the leak walker: every write route (page, API operation, admin add/change/delete) ×
every role. A user of the neighbouring area and a role without the permission are refused (403/404) and change
nothing — not a row, not an `updated_at`, not an audit row; the rightful roles (from accounts.roles, the table
docs/ROLES.md is generated from) succeed and do change something. Every GET, as every role, changes nothing."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from gridcare.api import api
from gridcare.tests.routes import api_operations, app_leak_objects, app_testing_modules, fill, url_routes
from gridcare.tests.test_leaks import victim  # noqa: F401 (fixture)
from gridcare.tests.writes import INSIDE, NEIGHBOUR, attempt, changes, refused_roles, rightful_roles, snapshot

REFUSED = {401, 403, 404, 422}


@pytest.fixture
def walkers(users, areas, django_user_model):
    found = {name: user for name, user in users.items()}
    for role, (username, area_key) in NEIGHBOUR.items():
        if username not in found:
            found[username] = django_user_model.objects.create_user(username, role=role, area=areas[area_key])
    return found


def app_write_cases(values):
    return [case for module in app_testing_modules() for case in getattr(module, "write_cases", lambda v: [])(values)]


def public_routes():
    """Routes anyone may post to (login, language, public forms): each app lists them in PUBLIC_WRITE_ROUTES with
    their own tests of limits and validation."""
    return {name for module in app_testing_modules() for name in getattr(module, "PUBLIC_WRITE_ROUTES", ())}


def refused(response, page=False):
    """403/404 (401, 422); a redirect to a login page. A page whose form names an object outside the user's area
    (its choices hold only theirs) may also answer its form error: a 400, or a redirect back with the message."""
    location = response.get("Location", "")
    if page and response.status_code in (302, 400):
        return True
    return response.status_code in REFUSED or (
        response.status_code == 302
        and (location.startswith(reverse("login")) or location.startswith(reverse("admin:login")))
    )


class Clients(dict):
    """One logged-in test client per walker, logged in before any snapshot (a login touches last_login and the
    audit log)."""

    def __missing__(self, username):
        from django.test import Client

        client = Client()
        client.force_login(self.users[username])
        self[username] = client
        return client


@pytest.fixture
def clients(walkers):
    found = Clients()
    found.users = walkers
    for username in walkers:
        found[username]  # noqa: B018 (logs in)
    return found


def walk_case(clients, case, before):
    problems = []
    if not rightful_roles(case):
        problems.append(f"{case.route}: no role holds {case.perm}")
    for role in rightful_roles(case):
        response, changed = attempt(clients[INSIDE[role]], case, before)
        if response.status_code >= 400 or refused(response) or (case.writes and not changed):
            problems.append(f"{case.route} as {role} (rightful): {response.status_code}, changed {changed}")
        if case.area == "B" and role in NEIGHBOUR:  # "own": the route writes in the actor's own area
            response, changed = attempt(clients[NEIGHBOUR[role][0]], case, before)
            if not refused(response, page=case.is_page) or changed:
                problems.append(f"{case.route} as {role} of the next area: {response.status_code}, changed {changed}")
    for role in refused_roles(case):
        response, changed = attempt(clients[INSIDE[role]], case, before)
        if not refused(response) or changed:
            problems.append(f"{case.route} as {role} (no {case.perm}): {response.status_code}, changed {changed}")
    return problems


def test_every_write_route_has_a_case_and_every_other_route_refuses_posts(clients, victim):  # noqa: F811
    values = app_leak_objects(victim)
    covered = {case.route for case in app_write_cases(values)} | public_routes()
    client = clients["dana"]
    missing = []
    for route in url_routes():
        if route.is_api or route.name.startswith("admin:") or route.name in covered:
            continue
        url = fill(route, values, victim.grid)
        response, changed = attempt(client, _post(url))
        if response.status_code != 405 or changed:
            missing.append(f"{route.name} {route.pattern}: POST answered {response.status_code}, changed {changed}")
    for path, method in api_operations(api.get_openapi_schema()):
        if method != "GET" and f"{method} {path}" not in covered:
            missing.append(f"{method} {path}")
    assert not missing, (
        "write routes without a write case (offer write_cases in <app>/testing.py), or read "
        "pages that accept POST (decorate them with require_safe):\n" + "\n".join(missing)
    )


def _post(url):
    from gridcare.tests.writes import WriteCase

    return WriteCase(route="", url=url, perm="")


def test_write_routes_refuse_the_next_area_and_roles_without_the_permission(clients, victim):  # noqa: F811
    values = app_leak_objects(victim)
    cases = app_write_cases(values)
    problems = []
    before = snapshot()
    for case in cases:
        problems += walk_case(clients, case, before)
    assert not problems, "\n".join(problems)


def test_reads_never_write(clients, victim):  # noqa: F811
    """Every page and API GET, as every role: nothing changes (a GET that plans, counts or caches in the database
    would show here) but the audit log (an export is audited)."""
    values = app_leak_objects(victim)
    routes = [r for r in url_routes() if not r.name.startswith("admin:") and r.name not in ("logout",)]
    api_paths = [p for p, m in api_operations(api.get_openapi_schema()) if m == "GET"]
    problems = []
    for role in Role:
        client = clients[INSIDE[role]]
        before = snapshot(audit=False)
        for route in routes:
            url = fill(route, values, victim.grid)
            if url and not route.is_api:
                client.get(url)
        for path in api_paths:
            url = path
            for name, value in values.items():
                url = url.replace("{" + name + "}", str(value))
            client.get(url)
        changed = changes(before, snapshot(audit=False))
        if changed:
            problems.append(f"GETs as {role} changed {changed}")
    assert not problems, "\n".join(problems)
