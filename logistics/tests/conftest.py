import pytest

from core.context import system_actor


@pytest.fixture
def sites(areas, make_person):
    """50 sampling sites over four grids and two communities, and a few residents so footfall differs."""
    from datetime import timedelta

    from django.utils import timezone

    from screening.services import campaign_create, site_create

    for key, n in (("A", 3), ("B", 1), ("C", 2), ("D", 5)):
        for i in range(n):
            make_person(key, name=f"居民{key}{i}")
    with system_actor():
        start = timezone.now() - timedelta(hours=1)
        screening = campaign_create(
            name="区域筛查", scope_codes=["440704"], rounds=[(start, start + timedelta(hours=12))]
        )
        keys = ["A", "B", "C", "D", "zhongfu", "yinquan"]
        return [site_create(screening, name=f"采样点{n}", area=areas[keys[n % len(keys)]]) for n in range(50)]


@pytest.fixture
def campaign(sites):
    from logistics.testing import donation_campaign

    return donation_campaign(sites)
