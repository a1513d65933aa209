"""Property tests (hypothesis) of the pooled-tube rules and the coverage arithmetic: batches a desk could send —
any pool size, persons repeated, unknown, from the sealed grid, tube codes reused — through the same service the
batch API calls, and random samplings of the conftest district counted by coverage."""

import re
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.tiles import percent
from registry.models import Person
from screening.models import Sample, Tube
from screening.selectors import coverage
from screening.services import POOL_SIZES, tubes_register

SEALED_GRID = "D"  # the conftest campaign pools grid D's persons one to a tube
FIELD = re.compile(r"^(client_key|round|site|tube_code|pool_size|closed_at|persons(\[\d+\](\.\w+)?)?)$")
EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def people(make_person):
    """Four persons in each of grids A, B and D."""
    return [make_person(grid) for grid in ("A", "B", SEALED_GRID) for _ in range(4)]


tube = st.fixed_dictionaries(
    {
        "pool_size": st.sampled_from([*POOL_SIZES, 0, 3]),
        # indexes into `people`; -1 is a person id nobody has
        "persons": st.lists(st.integers(min_value=-1, max_value=11), min_size=1, max_size=12),
        "code": st.integers(min_value=0, max_value=3),  # a small range: codes collide within a batch
    }
)
batches = st.lists(tube, min_size=1, max_size=6)
examples = count()


@EXAMPLES
@given(batch=batches)
def test_every_accepted_tube_keeps_the_rules_and_every_refusal_names_its_field(people, tube_item, areas, batch):
    run = next(examples)
    items = [
        tube_item(
            [{"person_id": people[i].pk if i >= 0 else 999_999_999} for i in t["persons"]],
            code=f"P{run}-{t['code']}",
            key=f"prop-{run}-{n}",
            pool_size=t["pool_size"],
        )
        for n, t in enumerate(batch)
    ]
    answers = tubes_register(items)

    assert len(answers) == len(items)
    for item, (status, answer) in zip(items, answers, strict=True):
        if status == 201:
            tube = Tube.objects.get(code=item["tube_code"])
            persons = list(Sample.objects.filter(tube=tube).values_list("person__grid__code", flat=True))
            assert tube.pool_size in POOL_SIZES and len(persons) == len(item["persons"]) <= tube.pool_size
            assert len(set(p["person_id"] for p in item["persons"])) == len(item["persons"])
            if areas[SEALED_GRID].code in persons:
                assert tube.pool_size == 1  # the sealed grid's persons never share a tube
        else:
            assert status == 422, answer
            assert answer["errors"] and all(FIELD.match(field) for field in answer["errors"]), answer["errors"]
    codes = [item["tube_code"] for item, (status, _a) in zip(items, answers, strict=True) if status == 201]
    assert len(codes) == len(set(codes))  # a code is one tube

    rows = Tube.objects.count(), Sample.objects.count()
    # A desk's retry of the whole batch: each accepted tube answers as before, each refused one is refused again
    # (its errors may grow: a tube later in the batch took its code), and nothing is written twice.
    again = tubes_register(items)
    assert [status for status, _a in again] == [status for status, _a in answers]
    assert [a for a in again if a[0] == 201] == [a for a in answers if a[0] == 201]
    assert (Tube.objects.count(), Sample.objects.count()) == rows


@EXAMPLES
@given(sampled=st.sets(st.integers(min_value=0, max_value=11)))
def test_coverage_adds_up_at_every_level(people, tube_item, round1, areas, sampled):
    run = next(examples)
    Sample.all_objects.all().delete()
    Tube.objects.all().delete()
    chosen = [people[i] for i in sorted(sampled)]
    if chosen:
        items = [tube_item([p], code=f"C{run}-{p.pk}", key=f"cov-{run}-{p.pk}", pool_size=1) for p in chosen]
        assert {status for status, _a in tubes_register(items)} == {201}

    district = coverage(round1, areas["district"])
    expected = Person.all_objects.count()  # the campaign's rule takes every conftest person
    assert district["expected"] == expected and district["sampled"] == len(chosen)
    assert district["sampled"] + district["missing"] == district["expected"]
    for key in ("expected", "sampled", "missing", "excluded", "resulted", "positive"):
        assert sum(child[key] for child in district["children"]) == district[key]
    street = coverage(round1, areas["lile"])
    assert street["sampled"] == sum(1 for p in chosen if p.grid.code.startswith(areas["lile"].code))
    shown = percent(district["sampled"], district["expected"])
    assert (shown == 100) == (district["missing"] == 0) and 0 <= shown <= 100
