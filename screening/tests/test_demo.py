import io
import random
from datetime import timedelta

from django.utils import timezone

from screening.demo import CAMPAIGN_PREFIX, RESULT_AFTER, WANDA, build_demo
from screening.models import Campaign, HomeSamplingRequest, Round, Sample, Tube
from screening.selectors import coverage_percent, desk_rounds, round_list
from screening.services import pool_size_for


def test_the_demo_campaign(areas, users, make_person):
    for _ in range(3):
        make_person("A")
    bedridden = make_person("B", mobility="bedridden")
    out = io.StringIO()
    build_demo(rng=random.Random(1), stdout=out)
    campaign = Campaign.objects.get(name__startswith=CAMPAIGN_PREFIX)
    assert campaign.rounds.count() == 3
    assert campaign.sites.filter(name=WANDA, area=areas["district"]).exists()
    assert campaign.sites.count() == 50
    assert campaign.sites.filter(medics=users["mia"]).count() == 50  # the demo medic works every desk
    running = campaign.rounds.get(number=2)
    assert list(HomeSamplingRequest.objects.filter(round=running).values_list("person_id", "source")) == [
        (bedridden.pk, "standing")
    ]
    assert "50 sites" in out.getvalue()


def test_the_demo_is_dated_from_the_day_it_is_built_with_a_round_running_now(areas, users, make_person):
    people = [make_person(grid) for grid in "ABCD" for _ in range(15)]
    now = timezone.now()
    build_demo(rng=random.Random(2), stdout=io.StringIO(), now=now)
    campaign = Campaign.objects.get(name__startswith=CAMPAIGN_PREFIX)
    first, second, third = campaign.rounds.order_by("number")
    assert [r.status_at(now) for r in (first, second, third)] == [
        Round.Status.ENDED,
        Round.Status.RUNNING,
        Round.Status.UPCOMING,
    ]
    local_first = timezone.localtime(first.starts_at)
    assert campaign.name.startswith(f"{CAMPAIGN_PREFIX} {local_first.month}月{local_first.day}日")

    # Round 1 ended with every tube resulted; round 2's samples reach up to now, the recent ones still pending.
    assert not Tube.objects.filter(round=first, result=Tube.Result.PENDING).exists()
    assert Sample.objects.filter(round=first).count() > len(people) // 2
    times = sorted(Sample.objects.filter(round=second).values_list("sampled_at", flat=True))
    assert times and second.starts_at <= times[0] and times[-1] <= now
    assert times[-1] > now - timedelta(hours=1)  # samples are still coming in
    pending = Tube.objects.filter(round=second, result=Tube.Result.PENDING)
    assert pending.exists() and all(t.closed_at > now - RESULT_AFTER for t in pending)
    assert not Sample.objects.filter(round=third).exists()

    # Each tube holds persons of one zone, no more than the zone pools (the demo's sealed grid: single tubes).
    rules = list(campaign.pooling_rules.select_related("area"))
    for tube in Tube.objects.prefetch_related("samples__grid"):
        grids = {s.grid.code for s in tube.samples.all()}
        assert len(grids) == 1 and tube.samples.count() <= tube.pool_size == pool_size_for(campaign, grids.pop(), rules)

    # The index and the desk see it live: coverage of round 2 is under way, the medic's desk opens on it.
    assert 0 < coverage_percent(second, areas["district"]) < 100
    statuses = {r.pk: r.current_status for r in round_list(areas["district"], now)}
    assert statuses[second.pk] == Round.Status.RUNNING
    assert desk_rounds(users["mia"], now)["running"] == [second]
