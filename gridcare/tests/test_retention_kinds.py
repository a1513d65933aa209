"""Retention per data kind (core.retention): the dry-run report counts what a direct query counts, the purge (the
command with --apply, the daily job) deletes or anonymises exactly those rows and audits each kind, and the report
page is the district admin's alone."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from core.models import AuditEvent
from core.retention import retention_report
from notices.models import Delivery, Notice
from screening.models import Sample, Tube
from screening.services import tubes_register
from screening.tests.conftest import campaign, round1, site, tube_item  # noqa: F401 (fixtures)
from tracing.models import ArrivalReport, Case, Contact, Division, Isolation, Venue, VenueVisit
from tracing.services import case_create, contact_add, isolation_open, venue_create

NOW = timezone.now()
NOTICE = {"title": "核酸通知", "body": "请参加", "audience": "area", "phone_after_hours": 2, "knock_after_hours": 6}


def ago(days):
    return NOW - timedelta(days=days)


@pytest.fixture
def world(make_person, areas, round1, tube_item, campaign):  # noqa: F811
    """For each kind, rows past their keeping time and rows inside it."""
    people = [make_person("A") for _ in range(6)]
    venue = venue_create(area=areas["zhongfu"], name="中福超市", kind=Venue.Kind.SHOP)
    for days in (30, 22, 20, 1):
        VenueVisit.all_objects.create(venue=venue, person=people[0], grid=people[0].grid, visited_at=ago(days))
    origin = Division.objects.create(code="44", name="广东省", level=1)
    for n, days in enumerate((40, 29, 27)):
        ArrivalReport.all_objects.create(
            person=people[1], grid=people[1].grid, channel="worker", name=people[1].name,
            id_number=people[1].id_number, phone=people[1].phone, origin=origin, arrived_at=ago(days),
            transport="car", address="中福路1号", receipt=f"R{n}",
        )  # fmt: skip
    old_case, new_case = (
        case_create(people[2], sampled_on=ago(200).date()),
        case_create(people[3], sampled_on=timezone.localdate()),
    )
    Case.all_objects.filter(pk=old_case.pk).update(created_at=ago(200))
    close = contact_add(old_case, people[4], relation=Contact.Relation.HOUSEHOLD)
    contact_add(old_case, people[5], relation=Contact.Relation.MEAL, through=close)
    contact_add(new_case, people[4], relation=Contact.Relation.HOUSEHOLD)
    for person, days, stage in ((people[4], 200, "released"), (people[5], 10, "released"), (people[2], 300, "")):
        isolation = isolation_open(person, kind=Isolation.Kind.CLOSE)
        if stage:
            Isolation.all_objects.filter(pk=isolation.pk).update(stage=stage, released_at=ago(days))
    tubes_register([tube_item(people[:3]), tube_item(people[3:5])])  # the 2022 round: long ended
    notice = Notice.all_objects.create(area=areas["A"], sent_at=ago(100), **NOTICE)
    for person in people[:2]:
        Delivery.all_objects.create(notice=notice, person=person, grid=person.grid, channel="sms", body=person.name)
    fresh = Notice.all_objects.create(area=areas["A"], sent_at=ago(1), **NOTICE)
    Delivery.all_objects.create(notice=fresh, person=people[0], grid=areas["A"], channel="sms", body="x")
    return people


def direct_counts():
    """What is due, counted by hand from the defaults: 21 days of visits, 28 of arrivals, 180 of contacts, ended
    isolations, samples of ended rounds, 90 of notice messages."""
    return {
        "tracing.venue_visits": VenueVisit.all_objects.filter(visited_at__lt=ago(21)).count(),
        "tracing.arrival_reports": ArrivalReport.all_objects.filter(arrived_at__lt=ago(28)).count(),
        "tracing.contacts": Contact.all_objects.filter(case__created_at__lt=ago(180)).count(),
        "tracing.isolations": Isolation.all_objects.filter(stage="released", released_at__lt=ago(180)).count(),
        "screening.samples": Sample.all_objects.filter(round__ends_at__lt=ago(180)).count(),
        "notices.deliveries": Delivery.all_objects.filter(notice__sent_at__lt=ago(90)).count(),
        "registry.import_files": 0,
        "core.audit": 0,  # kept for good by default
    }


def test_the_report_counts_what_a_direct_query_counts(world):
    due = {line.kind.key: line.due for line in retention_report(NOW)}
    assert due == direct_counts()
    assert due["tracing.venue_visits"] == 2 and due["tracing.contacts"] == 2 and due["screening.samples"] == 5
    assert due["tracing.arrival_reports"] == 2 and due["tracing.isolations"] == 1 and due["notices.deliveries"] == 2


def test_the_dry_run_changes_nothing_and_speaks_the_asked_language(world):
    before = direct_counts(), AuditEvent.objects.count()
    out = StringIO()
    call_command("retention", language="en", stdout=out)
    assert "venue visits and gate entry logs: kept 21 days" in out.getvalue() and "2 rows due: delete" in out.getvalue()
    assert "arrival reports: kept 28 days" in out.getvalue() and "anonymise" in out.getvalue()
    assert "audit log: kept for good" in out.getvalue()
    call_command("retention", stdout=(zh := StringIO()))
    assert "场所扫码和卡口登记" in zh.getvalue() and "匿名化" in zh.getvalue() and "rows" not in zh.getvalue()
    assert (direct_counts(), AuditEvent.objects.count()) == before


def test_apply_deletes_or_anonymises_exactly_the_rows_due_and_audits_each_kind(world):
    due = direct_counts()
    kept = {
        "visits": set(VenueVisit.all_objects.filter(visited_at__gte=ago(21)).values_list("pk", flat=True)),
        "contacts": set(Contact.all_objects.filter(case__created_at__gte=ago(180)).values_list("pk", flat=True)),
        "isolations": Isolation.all_objects.count() - due["tracing.isolations"],
    }
    call_command("retention", "--apply", stdout=StringIO())
    assert set(VenueVisit.all_objects.values_list("pk", flat=True)) == kept["visits"]
    assert set(Contact.all_objects.values_list("pk", flat=True)) == kept["contacts"]
    assert Isolation.all_objects.count() == kept["isolations"] and not Sample.all_objects.exists()
    assert not Tube.objects.exists()
    arrivals = ArrivalReport.all_objects.order_by("arrived_at")
    assert ArrivalReport.all_objects.count() == 3  # kept for the counts
    assert [(a.person_id, a.name, a.id_number, a.phone, a.address) for a in arrivals[:2]] == [
        (None, "", "", "", "")
    ] * 2
    assert arrivals[2].id_number == world[1].id_number
    assert Delivery.all_objects.filter(body="", person=None).count() == 2 and Delivery.all_objects.count() == 3
    purges = AuditEvent.objects.filter(summary__startswith="retention:")
    counts = {e.detail["model"]: e.detail.get("deleted", e.detail.get("anonymised")) for e in purges}
    assert counts == {
        "tracing.VenueVisit": 2,
        "tracing.ArrivalReport": 2,
        "tracing.Contact": 2,
        "tracing.Isolation": 1,
        "screening.Sample": 5,
        "screening.Tube": 2,
        "notices.Delivery": 2,
    }
    assert all(line.due == 0 for line in retention_report())  # nothing left to do


def test_the_daily_job_runs_every_kind(world):
    from core.scheduler import job_named

    job_named("core.retention_purge").run()
    assert not Sample.all_objects.exists() and VenueVisit.all_objects.count() == 2


def test_the_report_page_is_the_district_admins_and_only_reads(client, users, world):
    url = reverse("core:retention")
    client.login(username="dana", password=PASSWORD)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "venue visits and gate entry logs" in page and "anonymise" in page and "for good" in page
    assert client.post(url).status_code == 405
    assert direct_counts()["tracing.venue_visits"] == 2
    for name in ("stella", "cora", "gwen", "tess"):
        client.login(username=name, password=PASSWORD)
        assert client.get(url).status_code == 403


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def test_the_audit_log_of_a_period_exports_for_an_inspector_and_the_export_is_audited(
    client, users, media, django_capture_on_commit_callbacks
):
    from io import BytesIO

    from openpyxl import load_workbook

    from core.audit import audit_record
    from core.models import Export

    audit_record(AuditEvent.Action.UPDATE, summary="今天的改动")
    client.login(username="dana", password=PASSWORD)
    assert 'value="core.audit"' in client.get(reverse("core:retention")).content.decode()
    today, yesterday = timezone.localdate(), timezone.localdate() - timedelta(days=1)

    def export(start, end):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("exports:start"), {"list": "core.audit", "start": start, "end": end})
        assert response.status_code == 302
        with Export.all_objects.latest("id").file.open("rb") as data:
            return [row[5] for row in list(load_workbook(BytesIO(data.read())).active.values)[1:]]

    assert "今天的改动" in export(str(today), str(today))
    assert export(str(yesterday), str(yesterday)) == []  # the audit rows of the first export are today's
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, detail__list="core.audit").count() >= 2
    refused = client.post(reverse("exports:start"), {"list": "core.audit", "start": "2026-13-01"})
    assert refused.status_code == 400
    client.login(username="stella", password=PASSWORD)
    assert client.post(reverse("exports:start"), {"list": "core.audit"}).status_code == 403


def test_a_purge_in_batches_deletes_all_its_rows_with_one_audit_row(world):
    from core.retention import rows_purge

    due = VenueVisit.all_objects.filter(visited_at__lt=ago(21))
    assert rows_purge(due, days=21, batch=1) == 2 and not due.exists() and VenueVisit.all_objects.count() == 2
    assert AuditEvent.objects.filter(detail__model="tracing.VenueVisit", detail__deleted=2).count() == 1
