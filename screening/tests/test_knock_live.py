"""Live counters on the knock list: a tap at a door answers with that door's row only and the page's counters,
swapped out of band by htmx."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(areas):
    now = timezone.now()
    campaign = services.campaign_create(
        name="区域核酸筛查", scope_codes=["440704"], rounds=[(now - timedelta(hours=3), now + timedelta(hours=9))]
    )
    return campaign.rounds.get()


def counters(html):
    return {name: int(n) for name, n in re.findall(r'id="(knock-[a-z-]+)">(\d+)<', html)}


def knock(client, round_, person, outcome, whole_door=False, **extra):
    data = {"outcome": outcome, **extra} if whole_door else {"outcome": outcome, "person": person.pk, **extra}
    url = reverse("screening:knock_record", args=[round_.pk, person.household_id])
    return client.post(url, data, HTTP_HX_REQUEST="true").content.decode()


def test_a_knock_answers_one_row_and_the_counters_out_of_band(client, users, areas, round_, make_person):
    first, second, third = (make_person("A") for _ in range(3))
    make_person("B")  # the neighbouring grid's door is on no counter of grid A
    client.force_login(users["gwen"])
    page = client.get(reverse("screening:knock_list", args=[round_.pk, areas["A"].code])).content.decode()
    assert counters(page) == {"knock-missing": 3, "knock-doors": 3, "knock-not-home": 0, "knock-knocked": 0}
    assert "hx-swap-oob" not in page

    answer = knock(client, round_, first, "not_home", whole_door=True)
    assert answer.count('class="door"') == 1 and f'id="door-{first.household_id}"' in answer
    assert first.name in answer and second.name not in answer and third.name not in answer
    assert '<div class="figures" id="knock-counts" hx-swap-oob="true">' in answer
    assert counters(answer) == {"knock-missing": 3, "knock-doors": 3, "knock-not-home": 1, "knock-knocked": 1}

    answer = knock(client, round_, second, "away", where="广州", until="2030-01-01")
    assert second.name not in answer  # nobody left at that door: its row says so
    assert counters(answer) == {"knock-missing": 2, "knock-doors": 2, "knock-not-home": 1, "knock-knocked": 2}

    answer = knock(client, round_, first, "will_go")  # the person's own knock, later than the door's "not home"
    assert counters(answer) == {"knock-missing": 2, "knock-doors": 2, "knock-not-home": 0, "knock-knocked": 2}
    page = client.get(reverse("screening:knock_list", args=[round_.pk, areas["A"].code])).content.decode()
    assert counters(page) == counters(answer)


def test_a_notice_read_answers_the_row_without_counters(client, users, round_, make_person):
    person = make_person("A")
    client.force_login(users["gwen"])
    url = reverse("screening:notice_ack", args=[round_.pk, person.pk])
    answer = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'id="door-{person.household_id}"' in answer and "hx-swap-oob" not in answer


def test_the_counters_agree_with_the_list(areas, round_, make_person, users):
    persons = [make_person("A") for _ in range(5)]
    services.knock_record(round_, persons[0].household, outcome="moved_out", user=users["gwen"])
    services.knock_record(round_, persons[1].household, outcome="not_home", person=persons[1], user=users["gwen"])
    doors = selectors.knock_list(round_, areas["A"])
    counts = selectors.knock_counts(round_, areas["A"])
    assert counts["missing"] == sum(len(d["persons"]) for d in doors) == 4
    assert counts["doors"] == len(doors) == 4
    assert counts["not_home"] == 1 and counts["knocked"] == 2
    only = selectors.knock_list(round_, areas["A"], household=persons[1].household)
    assert [d["household"] for d in only] == [persons[1].household]
    assert only[0]["persons"][0]["last_outcome"].outcome == "not_home"
