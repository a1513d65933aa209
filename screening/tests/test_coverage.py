from datetime import date, timedelta

from registry.models import Person
from screening.models import KnockOutcome
from screening.selectors import (
    coverage,
    coverage_building,
    household_persons,
    knock_list,
    missing_persons,
    phone_list,
    rounds_missed,
)
from screening.services import knock_record, notice_acknowledge, results_record, tube_register


def test_coverage_by_child_area_down_to_the_person(areas, make_person, tube_item, round1):
    a = [make_person("A") for _ in range(4)]
    b = [make_person("B") for _ in range(2)]
    d = [make_person("D") for _ in range(3)]
    make_person("A", residence_status=Person.ResidenceStatus.MOVED_OUT)  # not expected
    tube_register(tube_item(a[:3] + b[:1], code="T1"))
    results_record([{"tube_code": "T1", "result": "negative", "resulted_at": "2022-09-05T12:00:00+08:00"}])
    knock_record(round1, d[0].household, outcome=KnockOutcome.Outcome.AWAY, where="广州", until=date(2022, 9, 30))

    district = coverage(round1, areas["district"])
    assert {k: district[k] for k in ("expected", "sampled", "missing", "excluded", "resulted", "positive")} == {
        "expected": 8,
        "sampled": 4,
        "missing": 4,
        "excluded": 1,
        "resulted": 4,
        "positive": 0,
    }
    streets = {c["code"]: c for c in district["children"]}
    assert streets[areas["lile"].code]["sampled"] == 4 and streets[areas["lile"].code]["expected"] == 6
    assert streets[areas["waihai"].code]["missing"] == 2
    community = coverage(round1, areas["zhongfu"])
    assert [c["code"] for c in community["children"]] == [areas["A"].code, areas["B"].code]
    grid = coverage(round1, areas["A"])
    assert grid["missing"] == 1 and len(grid["children"]) == 1
    building = coverage_building(round1, a[0].household.building)
    assert sum(c["sampled"] for c in building["children"]) == 3
    states = [row["state"] for row in household_persons(round1, a[3].household)]
    assert states == ["missing"]
    assert list(missing_persons(round1, areas["A"])) == [a[3]]


def test_coverage_of_the_district_in_few_queries(areas, make_person, tube_item, round1, django_assert_max_num_queries):
    for _ in range(5):
        make_person("A")
    with django_assert_max_num_queries(6):
        coverage(round1, areas["district"])


def test_knock_list_in_door_order_and_outcomes(areas, make_person, round1, users):
    people = [make_person("A") for _ in range(3)]
    notice_acknowledge(round1, people[0])
    doors = knock_list(round1, areas["A"])
    assert [d["household"] for d in doors] == sorted(
        (p.household for p in people), key=lambda h: (h.building.address, h.unit, h.floor, h.room)
    )
    assert list(phone_list(round1, areas["A"])) == sorted(
        people[1:], key=lambda p: (p.household.floor, p.household.room)
    )

    knock_record(round1, people[1].household, outcome=KnockOutcome.Outcome.NOT_HOME, user=users["gwen"])
    knock_record(round1, people[2].household, outcome=KnockOutcome.Outcome.MOVED_OUT, user=users["gwen"])
    doors = {d["household"].pk: d for d in knock_list(round1, areas["A"])}
    assert people[2].household.pk not in doors  # excluded for the campaign
    assert doors[people[1].household.pk]["last_outcome"].outcome == "not_home"  # back on the next pass

    knock_record(round1, people[1].household, outcome=KnockOutcome.Outcome.NEEDS_HOME)
    from screening.models import HomeSamplingRequest

    assert HomeSamplingRequest.objects.get(person=people[1]).source == "knock"


def test_rounds_missed_across_rounds(areas, make_person, tube_item, campaign, site):
    a, b = make_person("A"), make_person("A")
    rounds = list(campaign.rounds.order_by("number"))
    for r in rounds:
        item = tube_item([a], closed_at=r.starts_at + timedelta(minutes=5))  # a tube belongs to its round's hours
        item["round"] = r.pk
        tube_register(item)
    item = tube_item([b])
    item["round"] = rounds[0].pk
    tube_register(item)
    rows = rounds_missed(campaign, areas["A"])
    assert [(row["person"], row["missed"], row["rounds_so_far"]) for row in rows] == [(b, 2, 3)]


def test_a_roll_call_counts_people_seen_at_their_door(areas, make_person):
    from datetime import timedelta

    from django.utils import timezone

    from screening.services import campaign_create

    people = [make_person("C") for _ in range(3)]
    start = timezone.now() - timedelta(hours=1)
    campaign = campaign_create(
        name="台风后逐户点名",
        kind="roll_call",
        scope_codes=[areas["xinchuang"].code],
        rounds=[(start, start + timedelta(hours=8))],
    )
    round_ = campaign.rounds.get()
    knock_record(round_, people[0].household, outcome=KnockOutcome.Outcome.SAMPLED)
    knock_record(round_, people[0].household, outcome=KnockOutcome.Outcome.SAMPLED)  # a second tap counts once
    knock_record(round_, people[1].household, outcome=KnockOutcome.Outcome.NOT_HOME)
    data = coverage(round_, areas["xinchuang"])
    assert (data["expected"], data["sampled"], data["missing"]) == (3, 1, 2)
    assert [d["household"] for d in knock_list(round_, areas["C"])] == [people[1].household, people[2].household]


def test_knock_list_and_missing_page_in_a_fixed_number_of_queries(
    areas, make_person, round1, django_assert_max_num_queries
):
    for _ in range(12):
        make_person("A")
    notice_acknowledge(round1, make_person("A"))
    # persons, samples, exclusions, households with buildings, notice acks, knocks
    with django_assert_max_num_queries(6):
        doors = knock_list(round1, areas["A"])
        [p["person"].household.building.address for d in doors for p in d["persons"]]
    with django_assert_max_num_queries(2):
        list(missing_persons(round1, areas["A"]).select_related("household__building")[:50])
