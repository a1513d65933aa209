"""Exports for the project-wide leak and write walkers: another user's export is not found, and a role without a
list's permission (or a user outside the area the list names) cannot start it. And `tasks_drain`, the database
task worker run in-process until its queue is empty, for the tests and the bench that watch a task run."""


def tasks_drain(worker_id):
    """Runs django-tasks' database worker on the default queue until nothing is left, then closes the thread's
    connection (call it in a thread: the caller watches the rows meanwhile)."""
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    try:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()
    finally:
        connection.close()


def leak_objects(person):
    """An export of the person's grid owned by the district admin (dana), for the export routes' `export_id`, and
    the grid's code for the write cases."""
    from django.contrib.auth import get_user_model

    from core.context import acting_as, user_actor
    from core.exports import export_start

    owner = (
        get_user_model().objects.filter(username="dana").first()
        or get_user_model().objects.filter(is_superuser=True).first()
    )
    # Left queued: a finished file is in the language it was asked in, which the page-language walk would read as
    # the other language; core/tests/test_background_exports.py downloads another user's finished file.
    with acting_as(user_actor(owner)):
        export = export_start("registry.persons", {"area": person.grid.code})
    return {"export_id": export.pk, "exports:grid_code": person.grid.code}


def write_cases(values):
    """Starting an export (page and API) of grid B's persons and of its help requests."""
    from django.urls import reverse

    from gridcare.tests.writes import WriteCase

    grid = values["exports:grid_code"]
    start = reverse("exports:start")
    return [
        WriteCase("exports:start", start, "registry.export_lists", data={"list": "registry.persons", "area": grid}),
        WriteCase("exports:start", start, "care.view_helprequest", data={"list": "care.requests", "area": grid}),
        WriteCase(
            "POST /api/v1/exports",
            "/api/v1/exports",
            "registry.export_lists",
            json=True,
            data={"list": "registry.persons", "params": {"area": grid}},
        ),
    ]


def exported(client, key, **params):
    """The .xlsx bytes of list `key` exported as the client's user, through the pages: start (POST), the task run
    (a test's transaction holds back the on-commit enqueue, so it is run here as the worker would), download."""
    from django.urls import reverse

    from core.exports import export_run
    from core.models import Export

    response = client.post(reverse("exports:start"), {"list": key, **params})
    assert response.status_code == 302, f"starting {key} answered {response.status_code}"
    export = Export.all_objects.filter(status=Export.Status.QUEUED).latest("pk")
    assert export_run(export.pk).status == Export.Status.DONE, export.error
    download = client.get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)
