"""The numbers page's per-hour figure says what it averages over, beside the last hour's count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening import selectors, services

pytestmark = pytest.mark.django_db


def test_per_hour_is_an_average_over_the_hours_it_names(client, users, areas, make_person):
    now = timezone.now()
    campaign = services.campaign_create(
        name="区域核酸筛查", scope_codes=["440704"], rounds=[(now - timedelta(hours=6), now + timedelta(hours=6))]
    )
    round_ = campaign.rounds.get()
    site = services.site_create(campaign, name="万达广场", area=areas["lile"], desks=2)
    for n, hours_ago in ((4, 4), (2, 0.5)):  # 4 samples four hours ago, 2 in the last hour
        status, answer = services.tube_register(
            {
                "client_key": f"k-{hours_ago}",
                "round": round_.pk,
                "site": site.pk,
                "tube_code": f"T{n}",
                "pool_size": 5,
                "closed_at": (now - timedelta(hours=hours_ago)).isoformat(),
                "persons": [{"person_id": make_person("A").pk} for _ in range(n)],
            }
        )
        assert status == 201, answer
    row = next(r for r in selectors.round_numbers(round_, now=now) if r["site"] == site)
    assert (row["samples"], row["hours_sampling"], row["samples_per_hour"]) == (6, 3.5, round(6 / 3.5, 1))
    assert row["samples_last_hour"] == 2
    client.force_login(users["dana"])
    for language, words in (("en", ("per hour, on average", "over 3.5 h")), ("zh-hans", ("平均每小时", "3.5 小时内"))):
        client.cookies["django_language"] = language
        page = client.get(reverse("screening:numbers", args=[round_.pk])).content.decode()
        assert all(word in page for word in words), language
