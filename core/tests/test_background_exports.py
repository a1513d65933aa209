"""Exports as background tasks (core.exports): progress to the total, a masked file by default, full numbers only
with the permission and a reason, the owner's alone, deleted after EXPORT_KEEP_HOURS, and the web answering while
a worker writes one."""

import threading
import time
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.services import token_issue
from core.context import acting_as, user_actor
from core.exports import export_run, export_start, exports_purge
from core.models import AuditEvent, Export
from core.testing import tasks_drain


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def people(make_person):
    found = [make_person("A", phone=f"1391234{n:04d}") for n in range(7)]
    found.append(make_person("B", name="隔壁网格人"))
    return found


def start(client, on_commit, **data):
    with on_commit(execute=True):
        return client.post(reverse("exports:start"), data)


def rows_of(export):
    with export.file.open("rb") as data:
        return list(load_workbook(BytesIO(data.read())).active.values)


def test_a_grid_workers_export_runs_to_its_total_masked_and_audited(
    client, users, areas, people, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_PROGRESS_ROWS = 2
    client.force_login(users["gwen"])
    response = start(client, django_capture_on_commit_callbacks, list="registry.persons", area=areas["A"].code)
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    export = Export.all_objects.get()
    assert (export.status, export.rows_done, export.rows_total, export.percent) == ("done", 7, 7, 100)
    assert export.owner == users["gwen"] and not export.revealed
    rows = rows_of(export)
    assert len(rows) == 8 and {r[3] for r in rows[1:]} == {p.name for p in people[:7]}
    assert {r[6] for r in rows[1:]} == {p.masked_id_number for p in people[:7]}
    assert {r[7] for r in rows[1:]} == {p.masked_phone for p in people[:7]}
    flat = " ".join(str(c) for r in rows for c in r)
    assert all(p.id_number not in flat and p.phone not in flat for p in people) and "隔壁网格人" not in flat
    summaries = list(AuditEvent.objects.filter(action="export", actor_name="gwen").values_list("summary", flat=True))
    assert sorted(summaries) == ["registry.persons: 7 rows", "registry.persons: requested"]
    page = client.get(reverse("exports:list"))
    assert reverse("exports:download", args=[export.pk]) in page.content.decode()
    download = client.get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(BytesIO(b"".join(download.streaming_content))).active.max_row == 8
    assert AuditEvent.objects.filter(action="export", summary="registry.persons: downloaded").count() == 1


def test_the_task_reads_as_the_owner_whatever_the_parameters_say(users, areas, people):
    """A saved parameter naming another grid cannot widen the export: the task acts in the owner's scope."""
    with acting_as(user_actor(users["gwen"])):
        export = export_start("registry.persons", {"area": areas["A"].code})
    Export.all_objects.filter(pk=export.pk).update(params={"area": areas["B"].code})
    assert export_run(export.pk).status == "failed"
    assert "Http404" in Export.all_objects.get(pk=export.pk).error and not Export.all_objects.get(pk=export.pk).file


def test_reveal_needs_a_reason_and_the_permission(client, users, areas, people, django_capture_on_commit_callbacks):
    client.force_login(users["dana"])
    grid_page = client.get(reverse("registry:grid", args=[areas["A"].code])).content.decode()
    assert 'name="reveal"' in grid_page and 'name="reveal_reason"' in grid_page
    refused = start(
        client,
        django_capture_on_commit_callbacks,
        list="registry.persons",
        area=areas["A"].code,
        reveal="1",
        reveal_reason=" ",
    )
    assert refused.status_code == 400 and not Export.all_objects.exists()
    assert "full numbers" in refused.content.decode() or "完整号码" in refused.content.decode()
    done = start(
        client,
        django_capture_on_commit_callbacks,
        list="registry.persons",
        area=areas["A"].code,
        reveal="1",
        reveal_reason="核对疫苗接种名单",
    )
    assert done.status_code == 302
    export = Export.all_objects.get()
    assert export.revealed and export.reveal_reason == "核对疫苗接种名单" and export.status == "done"
    assert {r[6] for r in rows_of(export)[1:]} == {p.id_number for p in people[:7]}
    asked = AuditEvent.objects.get(action="export", summary__contains="requested")
    assert asked.detail["revealed"] is True and asked.detail["reason"] == "核对疫苗接种名单"

    client.force_login(users["gwen"])
    grid_page = client.get(reverse("registry:grid", args=[areas["A"].code])).content.decode()
    assert 'name="list" value="registry.persons"' in grid_page and 'name="reveal"' not in grid_page
    forced = start(
        client,
        django_capture_on_commit_callbacks,
        list="registry.persons",
        area=areas["A"].code,
        reveal="1",
        reveal_reason="我想看",
    )
    assert forced.status_code == 403 and Export.all_objects.count() == 1


def test_another_users_export_is_not_found(client, users, areas, people):
    with acting_as(user_actor(users["dana"])):
        export = export_start("registry.persons", {"area": areas["A"].code})
    export_run(export.pk)
    client.force_login(users["gwen"])
    assert client.get(reverse("exports:progress", args=[export.pk])).status_code == 404
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    assert str(export.name) not in client.get(reverse("exports:list")).content.decode()
    _, raw = token_issue(users["gwen"], "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/v1/exports/{export.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/exports/{export.pk}/file", **auth).status_code == 404
    client.force_login(users["dana"])
    assert client.get(reverse("exports:progress", args=[export.pk])).status_code == 200
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 200


def test_a_role_without_the_lists_permission_cannot_start_it(client, users, areas, django_capture_on_commit_callbacks):
    client.force_login(users["lou"])  # logistics: no registry.export_lists
    assert start(client, django_capture_on_commit_callbacks, list="registry.persons").status_code == 403
    client.force_login(users["gwen"])
    assert (
        start(client, django_capture_on_commit_callbacks, list="registry.persons", area=areas["B"].code).status_code
        == 404
    )
    unknown = start(client, django_capture_on_commit_callbacks, list="no.such")
    assert unknown.status_code == 400 and not Export.all_objects.exists()


def test_the_api_starts_follows_and_downloads(client, users, areas, people, django_capture_on_commit_callbacks):
    _, raw = token_issue(users["gwen"], "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = {"list": "registry.persons", "params": {"area": areas["A"].code}}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/exports", body, content_type="application/json", **auth)
    assert started.status_code == 201 and started.json()["status"] == "queued"
    status = client.get(f"/api/v1/exports/{started.json()['id']}", **auth).json()
    assert (status["status"], status["rows_done"], status["rows_total"]) == ("done", 7, 7)
    data = b"".join(client.get(status["download_url"], **auth).streaming_content)
    assert load_workbook(BytesIO(data)).active.max_row == 8
    refused = client.post("/api/v1/exports", {**body, "reveal_reason": "x"}, content_type="application/json", **auth)
    assert refused.status_code == 403
    bad = client.post(
        "/api/v1/exports", {"list": "care.relief", "params": {"start": "soon"}}, content_type="application/json", **auth
    )
    assert bad.status_code == 422 and "start" in bad.json()["errors"]


def test_the_purge_deletes_old_files_and_rows_and_audits(users, areas, people, settings, media):
    with acting_as(user_actor(users["gwen"])):
        old = export_start("registry.persons", {"area": areas["A"].code})
        fresh = export_start("registry.persons", {"area": areas["A"].code})
    old, fresh = export_run(old.pk), export_run(fresh.pk)
    old_file = media / old.file.name
    assert old_file.exists()
    Export.all_objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.EXPORT_KEEP_HOURS + 1)
    )
    assert exports_purge() == 1
    assert not old_file.exists() and (media / fresh.file.name).exists()
    assert list(Export.all_objects.values_list("pk", flat=True)) == [fresh.pk]
    event = AuditEvent.objects.get(action="delete", detail__model="core.Export")
    assert event.detail["deleted"] == 1 and event.detail["older_than_hours"] == settings.EXPORT_KEEP_HOURS


@pytest.mark.django_db(transaction=True)
def test_a_page_answers_while_a_worker_writes_an_export(live_server, users, areas, settings):
    """The database task backend and its real worker in a thread; meanwhile the live server answers a page."""
    import urllib.request

    from registry.models import Person
    from registry.testing import synthetic_id_number

    n = 4000
    Person.all_objects.bulk_create(
        Person(
            grid=areas["A"],
            name=f"居民{i}",
            name_initials="jm",
            id_number=synthetic_id_number(i),
            id_last4=synthetic_id_number(i)[-4:],
            phone=f"139{i:08d}",
            phone_last4=f"{i:04d}"[-4:],
        )
        for i in range(n)
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EXPORT_PROGRESS_ROWS = 200
    with acting_as(user_actor(users["dana"])):
        export = export_start("registry.persons", {"area": areas["district"].code})
    assert Export.all_objects.get(pk=export.pk).status == "queued"  # enqueued, not run

    worker = threading.Thread(target=tasks_drain, args=["test"])
    worker.start()
    answered, seen = [], set()
    deadline = time.monotonic() + 120
    while worker.is_alive() and time.monotonic() < deadline:
        state = Export.all_objects.get(pk=export.pk)
        seen.add((state.status, state.rows_done))
        if state.status == "running":
            began = time.perf_counter()
            # Asked while the export runs; the worker (a thread here) may finish it before the answer is back.
            with urllib.request.urlopen(live_server.url + reverse("login")) as page:
                answered.append((page.status, time.perf_counter() - began, state.status))
        time.sleep(0.05)
    worker.join(timeout=120)
    export = Export.all_objects.get(pk=export.pk)
    assert (export.status, export.rows_done, export.rows_total) == ("done", n, n)
    assert any(status == 200 and during == "running" for status, _, during in answered), (answered, seen)
    assert any(status == "running" and 0 < done < n for status, done in seen), seen
    assert max(seconds for _, seconds, _ in answered) < 5
