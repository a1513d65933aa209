"""Samples are partitioned by round on PostgreSQL (core/partitions.py, docs/DECISIONS.md): creating a campaign makes
its rounds' partitions once committed; a round without one sends its samples to DEFAULT, and the daily job makes it
and moves them; a person is still in a tube once, and seen once a round without one; a dropped round empties the
links pointing into it (a test obligation's sample), as delete() does."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.partitions import SAMPLES, partitions_create, partitions_drop
from screening.models import Sample, Tube
from screening.services import campaign_create, tubes_register
from screening.tests.conftest import DAY1
from tracing.models import TestObligation

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite keeps plain tables"
)


def partition_holding(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM screening_sample WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def partition_exists(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        return cursor.fetchone()[0] is not None


@on_postgresql
def test_a_new_campaign_makes_its_rounds_partitions_once_committed(areas, django_capture_on_commit_callbacks):
    starts = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(
            name="全员核酸",
            scope_codes=["440704"],
            rounds=[(starts + timedelta(days=n), starts + timedelta(days=n, hours=8)) for n in range(2)],
        )
    assert all(partition_exists(f"screening_sample_r{r.pk}") for r in campaign.rounds.all())


@on_postgresql
def test_samples_of_a_round_without_partition_wait_in_default_until_the_job(make_person, tube_item, round1):
    # The conftest's campaign was made in the test's transaction, which never commits: its rounds have no partition.
    assert not partition_exists(f"screening_sample_r{round1.pk}")
    [(status, answer)] = tubes_register([tube_item([make_person("A"), make_person("A")])])
    assert status == 201
    samples = list(Sample.all_objects.filter(tube_id=answer["tube_id"]).values_list("pk", flat=True))
    assert {partition_holding(pk) for pk in samples} == {"screening_sample_default"}
    partitions_create()  # the round ended in 2022, but has rows in DEFAULT
    assert {partition_holding(pk) for pk in samples} == {f"screening_sample_r{round1.pk}"}
    assert Sample.objects.filter(pk__in=samples).count() == 2


def test_a_person_is_in_a_tube_once_and_seen_once_a_round_without_one(make_person, tube_item, round1, site):
    person = make_person("A")
    [(status, answer)] = tubes_register([tube_item([person])])
    partitions_create()  # on PostgreSQL: the round's partition now holds the sample, and answers for it
    tube = Tube.objects.get(pk=answer["tube_id"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.all_objects.create(tube=tube, round=round1, person=person, grid=person.grid, sampled_at=DAY1)
    Sample.all_objects.create(round=round1, person=person, grid=person.grid, sampled_at=DAY1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.all_objects.create(round=round1, person=person, grid=person.grid, sampled_at=DAY1)
    assert Sample.all_objects.filter(person=person).count() == 2


@on_postgresql
def test_an_ended_rounds_partition_is_dropped_and_its_obligations_let_go(make_person, tube_item, round1, campaign):
    person = make_person("A")
    [(_status, answer)] = tubes_register([tube_item([person])])
    partitions_create()  # round 1's partition, the sample moved into it
    sample = Sample.all_objects.get(tube_id=answer["tube_id"])
    assert partition_holding(sample.pk) == f"screening_sample_r{round1.pk}"
    obligation = TestObligation.all_objects.create(
        person=person, grid=person.grid, reason="arrival", due_from=DAY1, due_by=DAY1 + timedelta(days=1), sample=sample
    )
    later_round = campaign.rounds.get(number=3)
    before = round1.ends_at + timedelta(hours=1)  # round 1 is over then; rounds 2 and 3 are not
    rows, dropped = partitions_drop(Sample, before)
    assert (rows, dropped) == (1, 1)
    assert not partition_exists(f"screening_sample_r{round1.pk}")
    assert not Sample.all_objects.filter(pk=sample.pk).exists()
    obligation.refresh_from_db()
    assert obligation.sample_id is None
    assert later_round.ends_at > before


def test_nothing_is_dropped_on_a_plain_table(db):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the samples are partitioned (the other tests)")
    assert partitions_drop(Sample, timezone.now()) == (0, 0)
    assert SAMPLES.table == Sample._meta.db_table
