"""Visits are partitioned by local day on PostgreSQL (core/partitions.py): a visit lands in its day's partition,
and the retention purge drops the days wholly older than the cutoff, clearing what pointed into them as delete()
would (a gate entry's alert goes, a contact's visit becomes empty), then deletes the rest row by row; its audit row
counts both."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.context import system_actor
from core.models import AuditEvent
from core.partitions import VENUE_VISITS, partition_for, partitions_cover, partitions_create
from tracing.models import Case, Contact, EntryAlert, Venue, VenueVisit
from tracing.services import venue_create, venue_visits_purge

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite keeps plain tables"
)


@pytest.fixture
def venue(areas):
    with system_actor():
        return venue_create(area=areas["zhongfu"], name="中福东门", kind=Venue.Kind.COMPOUND_GATE)


def visit(venue, person, at):
    return VenueVisit.all_objects.create(venue=venue, person=person, grid=person.grid, visited_at=at)


def partition_holding(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM tracing_venuevisit WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@on_postgresql
def test_a_visit_lands_in_its_local_days_partition(make_person, venue):
    now = timezone.now()
    here = visit(venue, make_person("A"), now)
    assert partition_holding(here.pk) == f"tracing_venuevisit_p{timezone.localdate():%Y%m%d}"
    far = visit(venue, make_person("A"), now + timedelta(days=400))
    assert partition_holding(far.pk) == "tracing_venuevisit_default"


@on_postgresql
def test_the_purge_drops_whole_old_days_and_deletes_the_rest(make_person, venue):
    now = timezone.now()
    partitions_create(now=now - timedelta(days=30))  # the days 30 to 23 days ago
    person = make_person("A")
    in_dropped_day = [visit(venue, person, now - timedelta(days=30)), visit(venue, person, now - timedelta(days=30))]
    in_default = visit(venue, person, now - timedelta(days=21, hours=1))  # no partition made for that day
    kept = visit(venue, person, now - timedelta(days=1))
    day = partition_for(VENUE_VISITS, in_dropped_day[0].visited_at)
    assert {partition_holding(v.pk) for v in in_dropped_day} == {day.name}
    assert partition_holding(in_default.pk) == "tracing_venuevisit_default"
    alert = EntryAlert.all_objects.create(
        visit=in_dropped_day[0], person=person, grid=person.grid, code_colour="red", created_at=now
    )
    case = Case.all_objects.create(person=make_person("A"), grid=person.grid, sampled_on=timezone.localdate())
    contact = Contact.all_objects.create(
        case=case, person=person, grid=person.grid, relation="venue", venue_visit=in_dropped_day[1]
    )

    assert venue_visits_purge() == 3
    assert list(VenueVisit.all_objects.values_list("pk", flat=True)) == [kept.pk]
    assert not EntryAlert.all_objects.filter(pk=alert.pk).exists()
    contact.refresh_from_db()
    assert contact.venue_visit_id is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [day.name])
        assert cursor.fetchone()[0] is None
    [audit] = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, detail__model="tracing.VenueVisit")
    assert audit.detail["deleted"] == 3 and audit.detail["dropped"] == 2


def test_the_purge_counts_no_dropped_rows_where_nothing_is_partitioned(make_person, venue):
    person = make_person("A")
    visit(venue, person, timezone.now() - timedelta(days=22))
    assert venue_visits_purge() == 1
    [audit] = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, detail__model="tracing.VenueVisit")
    assert audit.detail["deleted"] == 1 and audit.detail["dropped"] == 0


@on_postgresql
def test_a_load_of_past_days_gets_their_partitions_first(make_person, venue):
    """The demo's visits of the last days: partitions_cover makes each day's partition, so none waits in DEFAULT."""
    now = timezone.now()
    early = visit(venue, make_person("A"), now - timedelta(days=12))
    assert partition_holding(early.pk) == "tracing_venuevisit_default"
    assert partitions_cover(VenueVisit, now - timedelta(days=14), now) >= 14 - 7
    assert partition_holding(early.pk) == partition_for(VENUE_VISITS, early.visited_at).name
    assert partition_holding(visit(venue, make_person("A"), now - timedelta(days=13)).pk).endswith(
        f"{timezone.localtime(now - timedelta(days=13)):%Y%m%d}"
    )
