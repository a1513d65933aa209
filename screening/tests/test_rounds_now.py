"""Screening "now": a round's status, the index, the desk on the running round, refusals of tubes outside their
round and of persons whose zone pools fewer than the tube (page, API, a desk's offline batch)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.services import token_issue
from conftest import PASSWORD
from screening.models import Round, Sample, Tube
from screening.services import campaign_create, site_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(areas, users):
    """A campaign over the district: round 1 ended yesterday, round 2 running since two hours, round 3 tomorrow;
    grid D is sealed (single tubes); mia works its one site."""
    start = timezone.now() - timedelta(hours=2)
    campaign = campaign_create(
        name="区域核酸筛查 now",
        scope_codes=["440704"],
        rounds=[(start + timedelta(days=d), start + timedelta(days=d, hours=12)) for d in (-1, 0, 1)],
        pooling=[(areas["D"].code, 1, "sealed")],
    )
    site = site_create(campaign, name="万达广场采样点", area=areas["district"], medics=[users["mia"]])
    ended, running, upcoming = campaign.rounds.order_by("number")
    return {"campaign": campaign, "site": site, "ended": ended, "running": running, "upcoming": upcoming}


def _tube(live, round_key, persons, *, code, pool_size=10, closed_at=None):
    return {
        "client_key": f"k-{code}",
        "round": live[round_key].pk,
        "site": live["site"].pk,
        "tube_code": code,
        "pool_size": pool_size,
        "closed_at": (closed_at or timezone.now()).isoformat(),
        "persons": [{"person_id": p.pk} for p in persons],
    }


def _api(client, path, body, user, language="zh-hans"):
    _token, raw = token_issue(user, "test")
    return client.post(
        f"/api/v1/screening{path}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_a_round_is_upcoming_running_then_ended(live):
    running = live["running"]
    assert running.status_at(running.starts_at - timedelta(seconds=1)) == Round.Status.UPCOMING
    assert running.status_at(running.starts_at) == Round.Status.RUNNING
    assert running.status_at(running.ends_at) == Round.Status.ENDED
    assert [live[k].status for k in ("ended", "running", "upcoming")] == ["ended", "running", "upcoming"]
    with override("zh-hans"):
        assert str(running) == "区域核酸筛查 now · 第 2 轮"


def test_the_index_lists_rounds_newest_first_with_year_status_and_coverage(client, users, live, make_person):
    sampled, _missing = make_person("A"), make_person("A")
    _api(client, "/tubes", _tube(live, "running", [sampled], code="IDX00001"), users["mia"])
    client.login(username="dana", password=PASSWORD)
    body = client.get(reverse("screening:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    positions = [body.index(f"第 {n} 轮") for n in (3, 2, 1)]
    assert positions == sorted(positions)  # newest first
    assert "即将开始" in body and "进行中" in body and "已结束" in body
    assert f"{timezone.localtime(live['running'].starts_at):%Y-%m-%d}" in body
    assert "已采样 50.0%" in body  # one of the two expected persons
    assert "天" not in body


def test_the_desk_opens_on_the_running_round_and_names_round_and_site_at_the_top(client, users, live):
    client.login(username="mia", password=PASSWORD)
    body = client.get(reverse("screening:desk"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    head = body[body.index('id="desk-head"') : body.index("</p>", body.index('id="desk-head"'))]
    assert "第 2 轮" in head and "万达广场采样点" in head
    offered = [
        key
        for key in ("ended", "running", "upcoming")
        if f'value="{live[key].pk}" data-campaign="{live["campaign"].pk}" data-ends' in body
    ]
    assert offered == ["running"] and body.count("data-ends=") == 1


def test_with_no_round_running_the_desk_says_which_ended_and_which_comes(client, users, live):
    live["running"].delete()
    client.login(username="mia", password=PASSWORD)
    body = client.get(reverse("screening:desk"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No round is running now" in body
    assert "Round 1 ended at" in body and "Round 3 starts at" in body
    assert 'id="scan"' in body


def test_the_api_refuses_a_tube_of_an_ended_or_future_round_naming_it(client, users, live, make_person):
    person = make_person("A")
    ended = _api(client, "/tubes", _tube(live, "ended", [person], code="END00001"), users["mia"])
    future = _api(client, "/tubes", _tube(live, "upcoming", [person], code="FUT00001"), users["mia"], "en")
    assert ended.status_code == 422 and "第 1 轮已于" in ended.json()["errors"]["round"]
    assert future.status_code == 422 and "Round 3 has not started" in future.json()["errors"]["round"]
    assert not Tube.objects.exists()


def test_a_tube_closed_during_the_round_and_sent_after_it_ended_is_taken(client, users, live, make_person):
    """A desk offline at the end of a round sends its tubes late: their closing time decides."""
    person = make_person("A")
    late = _tube(live, "ended", [person], code="LATE0001", closed_at=live["ended"].ends_at - timedelta(minutes=5))
    assert _api(client, "/tubes", late, users["mia"]).status_code == 201


def test_a_sealed_zone_person_in_a_10_person_tube_is_refused_with_the_reason(client, users, live, make_person):
    neighbour, sealed = make_person("A"), make_person("D")
    refused = _api(client, "/tubes", _tube(live, "running", [neighbour, sealed], code="ZONE0001"), users["mia"])
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"persons[1]": "封控区：只能单管采样，请为此人单独采一管"}
    single = _api(client, "/tubes", _tube(live, "running", [sealed], code="ZONE0002", pool_size=1), users["mia"])
    assert single.status_code == 201
    assert list(Sample.objects.values_list("person_id", "tube__pool_size")) == [(sealed.pk, 1)]


def test_an_offline_batch_keeps_its_good_tubes_and_refuses_the_bad_ones_for_good(client, users, live, make_person):
    """What the desk sends when it comes back online: each refusal is final (the same answer again, never a
    retry that could succeed), the other tubes are stored once."""
    a, b, sealed = make_person("A"), make_person("B"), make_person("D")
    batch = {
        "tubes": [
            _tube(live, "running", [a], code="OFF00001"),
            _tube(live, "running", [b, sealed], code="OFF00002"),
            _tube(live, "ended", [b], code="OFF00003"),
        ]
    }
    first = _api(client, "/tubes/batch", batch, users["mia"], "en").json()
    again = _api(client, "/tubes/batch", batch, users["mia"], "en").json()
    statuses = [r["http_status"] for r in first["results"]]
    assert statuses == [201, 422, 422] and [r["http_status"] for r in again["results"]] == statuses
    assert "sealed zone: single tubes only" in first["results"][1]["errors"]["persons[1]"]
    assert "Round 1 ended at" in first["results"][2]["errors"]["round"]
    assert list(Tube.objects.values_list("code", flat=True)) == ["OFF00001"]


def test_the_desk_lookup_refuses_a_sealed_zone_person_for_a_10_person_tube(client, users, live, make_person):
    sealed, neighbour = make_person("D"), make_person("A")
    client.login(username="mia", password=PASSWORD)
    url = reverse("screening:desk_lookup")

    def ask(person, size):
        data = {"q": person.id_number, "round": live["running"].pk, "pool_size": size}
        return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en").json()

    assert ask(sealed, 10)["refused"] == "sealed zone: single tubes only, sample this person in a single tube"
    assert "refused" not in ask(sealed, 1) and "refused" not in ask(neighbour, 10)


def test_the_knock_list_names_its_round(client, users, live, make_person):
    make_person("A")
    client.login(username="gwen", password=PASSWORD)
    url = reverse("screening:knock_list", args=[live["running"].pk, users["gwen"].area.code])
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "区域核酸筛查 now · 第 2 轮" in body
