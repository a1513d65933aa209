"""colocated_visits equals a brute-force check: a seeded random week of a few hundred visits, plus visits placed
exactly on the window's edges (±30 minutes in, ±30 minutes and a second out) and a case visit on each side of
the traced-from day's first moment."""

import random
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from core.context import system_actor
from tracing.models import Case, TracingSettings, Venue, VenueVisit
from tracing.selectors import colocated_visits
from tracing.services import venue_create


def brute_force(case, visits, window, since, until):
    """{person id: (earliest co-located visit's time, its id)} by comparing every pair."""
    mine = [v for v in visits if v.person_id == case.person_id and since <= v.visited_at <= until]
    found = {}
    for v in visits:
        if v.person_id == case.person_id:
            continue
        if any(c.venue_id == v.venue_id and abs(c.visited_at - v.visited_at) <= window for c in mine):
            best = found.get(v.person_id)
            if best is None or v.visited_at < best[0]:
                found[v.person_id] = (v.visited_at, v.pk)
    return found


@pytest.fixture
def world(make_person, areas):
    with system_actor():
        venues = [venue_create(area=areas["zhongfu"], name=f"场所{n}", kind=Venue.Kind.SHOP) for n in range(4)]
    people = [make_person("A" if n % 2 else "B") for n in range(25)]
    return venues, people


def _visit(venue, person, at):
    return VenueVisit.all_objects.create(venue=venue, person=person, grid=person.grid, visited_at=at)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_colocated_visits_equals_brute_force(world, seed):
    venues, people = world
    rng = random.Random(seed)
    case_person = people[0]
    onset = timezone.localdate() - timedelta(days=2)
    case = Case.all_objects.create(person=case_person, grid=case_person.grid, sampled_on=onset, onset_on=onset)
    since = timezone.make_aware(datetime.combine(case.traced_from, time.min))
    window = timedelta(minutes=TracingSettings.current().colocation_minutes)
    now = timezone.now()
    # The case's own visits: random ones, one at the traced-from day's first moment, one a second before it.
    edge_in = _visit(venues[0], case_person, since)
    edge_out = _visit(venues[1], case_person, since - timedelta(seconds=1))
    for _ in range(12):
        _visit(rng.choice(venues), case_person, now - timedelta(seconds=rng.randint(0, 8 * 86400)))
    # Everyone else: random visits, some bunched around the case's visits.
    case_visits = list(VenueVisit.all_objects.filter(person=case_person))
    for _ in range(300):
        person = rng.choice(people[1:])
        if rng.random() < 0.4:
            anchor = rng.choice(case_visits)
            at = anchor.visited_at + timedelta(seconds=rng.randint(-3600, 3600))
            venue = anchor.venue if rng.random() < 0.8 else rng.choice(venues)
        else:
            at, venue = now - timedelta(seconds=rng.randint(0, 8 * 86400)), rng.choice(venues)
        _visit(venue, person, min(at, now))
    # Exactly on the window's edges of the case's visit at the traced-from moment, and one second beyond.
    on_edge = [_visit(venues[0], people[1], since + window), _visit(venues[0], people[2], since - window)]
    beyond = [
        _visit(venues[0], people[3], since + window + timedelta(seconds=1)),
        _visit(venues[1], people[4], edge_out.visited_at),  # beside the case's visit before tracing starts
    ]
    visits = list(VenueVisit.all_objects.all())

    found = {c.person_id: (c.visited_at, c.visit_id) for c in colocated_visits(case, until=now)}

    expected = brute_force(case, visits, window, since, now)
    assert found == expected
    assert {v.person_id for v in on_edge} <= set(found)
    assert found[people[2].pk][0] <= since - window  # this visit, or an earlier one of the same person
    for v in beyond:
        assert v.person_id not in found or found[v.person_id][1] != v.pk
    assert case_person.pk not in found and edge_in.visited_at == since


def test_the_case_visit_each_contact_is_matched_to_is_one_within_the_window(world):
    venues, people = world
    case_person, other = people[0], people[1]
    now = timezone.now()
    case = Case.all_objects.create(person=case_person, grid=case_person.grid, sampled_on=timezone.localdate())
    first = _visit(venues[0], case_person, now - timedelta(hours=5))
    _visit(venues[0], case_person, now - timedelta(hours=4))
    mine = _visit(venues[0], other, now - timedelta(hours=5, minutes=10))
    [found] = colocated_visits(case)
    assert (found.person_id, found.visit_id, found.case_visit_id, found.venue_id) == (
        other.pk,
        mine.pk,
        first.pk,
        venues[0].pk,
    )
