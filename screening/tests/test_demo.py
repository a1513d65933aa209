import io
import random

from screening.demo import CAMPAIGN_NAME, WANDA, build_demo
from screening.models import Campaign, HomeSamplingRequest


def test_the_demo_campaign(areas, users, make_person):
    for _ in range(3):
        make_person("A")
    bedridden = make_person("B", mobility="bedridden")
    out = io.StringIO()
    build_demo(rng=random.Random(1), stdout=out)
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    assert campaign.rounds.count() == 3
    assert campaign.sites.filter(name=WANDA, area=areas["district"]).exists()
    assert campaign.sites.count() == 50
    assert campaign.sites.filter(medics=users["mia"]).count() == 50  # the demo medic works every desk
    assert list(HomeSamplingRequest.objects.values_list("person_id", "source")) == [(bedridden.pk, "standing")]
    assert "50 sites" in out.getvalue()
