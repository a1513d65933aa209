import io

import pytest
from django.core.management import call_command

from screening.models import Hold, Sample, Tube


@pytest.mark.django_db(transaction=True)
def test_a_small_three_day_campaign_through_the_http_api_matches_the_database(campaign, users, make_person):
    for n in range(60):
        make_person("ABCD"[n % 4])
    out = io.StringIO()
    call_command("simulate_screening", days=3, campaign=campaign.pk, positives=1, lost=0.5, show_up=0.8, stdout=out)
    text = out.getvalue()
    assert "simulation OK" in text, text
    assert "MISMATCH" not in text and "DUPLICATES" not in text
    assert Tube.objects.filter(round__campaign=campaign).count() > 3 * 6
    assert Hold.objects.exists()
    assert Sample.objects.filter(is_repeat=True).exists()  # re-samples after the positive pools
