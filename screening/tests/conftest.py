"""A campaign over the conftest district: 3 daily rounds from 5 September 2022, one site per community, 10-in-1
tubes except single tubes in grid D."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = datetime(2022, 9, 5, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(areas, users):
    """…with mia (the district medic) assigned to both sites."""
    from screening.services import campaign_create, site_create

    c = campaign_create(
        name="区域核酸筛查 9月5日-7日",
        scope_codes=["440704"],
        rounds=[(DAY1 + timedelta(days=n), DAY1 + timedelta(days=n, hours=12, minutes=30)) for n in range(3)],
        pooling=[("440704002001001", 1, "sealed")],
    )
    site_create(c, name="中福社区广场", area=areas["zhongfu"], desks=4, medics=[users["mia"]])
    site_create(c, name="银泉社区党群服务中心", area=areas["yinquan"], desks=2, medics=[users["mia"]])
    return c


@pytest.fixture
def round1(campaign):
    return campaign.rounds.get(number=1)


@pytest.fixture
def site(campaign):
    return campaign.sites.get(name="中福社区广场")


@pytest.fixture
def tube_item(round1, site):
    """tube_item(persons, code=…, key=…) → an API body for one closed tube."""
    counter = {"n": 0}

    def make(persons, code=None, key=None, pool_size=10, closed_at=None):
        counter["n"] += 1
        entries = [p if isinstance(p, dict) else {"person_id": p.pk} for p in persons]
        return {
            "client_key": key or f"desk1-{counter['n']}",
            "round": round1.pk,
            "site": site.pk,
            "tube_code": code or f"T{counter['n']:08d}",
            "pool_size": pool_size,
            "closed_at": (closed_at or DAY1 + timedelta(minutes=counter["n"])).isoformat(),
            "persons": entries,
        }

    return make
