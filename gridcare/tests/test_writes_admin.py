"""The write walker's back-office half: every admin add, change and delete page × every role. A role without the
permission, or of the next area for area-bound objects, is refused and changes nothing; the rightful back-office
roles get the form (add, change) or delete the object."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.roles import BACK_OFFICE_ROLES, ROLE_PERMISSIONS, Role
from gridcare.tests.routes import admin_object_id, app_leak_objects
from gridcare.tests.test_leaks import victim  # noqa: F401 (fixture)
from gridcare.tests.test_writes import clients, refused, walkers  # noqa: F401 (fixtures)
from gridcare.tests.writes import INSIDE, NEIGHBOUR, WriteCase, attempt, snapshot

pytestmark = pytest.mark.django_db


def admin_cases(values, person):
    """(model, url, perm) for the admin's add, change and delete of every registered model; the object is the walked
    person's (or their grid's) where the model is bound to an area."""
    for model in admin.site._registry:
        opts = model._meta
        route = type("R", (), {"pattern": f"/admin/{opts.app_label}/{opts.model_name}/x/"})
        object_id = admin_object_id(route, values, person.grid)
        if object_id is not None and not model._base_manager.filter(pk=object_id).exists():
            object_id = None
        base = f"admin:{opts.app_label}_{opts.model_name}"
        yield model, reverse(f"{base}_add"), f"{opts.app_label}.add_{opts.model_name}", None
        if object_id is not None:
            yield (
                model,
                reverse(f"{base}_change", args=[object_id]),
                f"{opts.app_label}.change_{opts.model_name}",
                object_id,
            )
            yield (
                model,
                reverse(f"{base}_delete", args=[object_id]),
                f"{opts.app_label}.delete_{opts.model_name}",
                object_id,
            )


def test_admin_writes_follow_the_role_table_and_the_area(clients, walkers, victim):  # noqa: F811
    """A role without the permission — or of the next area, for area-bound objects — posting to an admin add,
    change or delete page is refused and changes nothing. The rightful back-office roles get the form (add,
    change) or delete the object."""
    values = app_leak_objects(victim)
    problems = []
    before = snapshot()
    for model, url, perm, object_id in admin_cases(values, victim):
        bound = hasattr(model, "area_path")
        data = {"post": "yes"}
        for role in Role:
            user = walkers[INSIDE[role]]
            may = role in BACK_OFFICE_ROLES and perm in ROLE_PERMISSIONS[role] and _admin_allows(model, url, user)
            client = clients[user.username]
            response, changed = attempt(client, _admin_post(url, data), before)
            if may:
                if url.endswith("/delete/") and not changed and response.status_code != 200:
                    problems.append(f"{url} as {role} (rightful): {response.status_code}, changed {changed}")
                elif not url.endswith("/delete/") and client.get(url).status_code != 200:
                    problems.append(f"GET {url} as {role} (rightful): refused")
            elif changed or not (refused(response) or _admin_gone(response)):
                problems.append(f"{url} as {role} (no {perm}): {response.status_code}, changed {changed}")
            if may and bound and object_id is not None and role in NEIGHBOUR:
                response, changed = attempt(clients[NEIGHBOUR[role][0]], _admin_post(url, data), before)
                if changed or not (refused(response) or _admin_gone(response)):
                    problems.append(f"{url} as {role} of the next area: {response.status_code}, changed {changed}")
    assert not problems, "\n".join(problems)


def _admin_allows(model, url, user):
    """Whether the model's admin itself offers the page (some are read-only by design, e.g. the audit log)."""
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.user = user
    model_admin = admin.site._registry[model]
    verb = "add" if url.endswith("/add/") else "delete" if url.endswith("/delete/") else "change"
    return getattr(model_admin, f"has_{verb}_permission")(request)


def _admin_post(url, data):
    return WriteCase(route="admin", url=url, perm="", data=data)


def _admin_gone(response):
    return response.status_code == 302 and response.get("Location", "").startswith(reverse("admin:index"))
