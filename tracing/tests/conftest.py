"""Arrivals' fixtures: a few divisions (the full table is loaded by `gridcare load-divisions`), a risk area, and
screening's campaign fixtures for tests fulfilled by samples."""

from datetime import date

import pytest

from screening.tests.conftest import DAY1, campaign, round1, site, tube_item  # noqa: F401 (fixtures)


@pytest.fixture
def divisions(db):
    """广东省 › 广州市 › 天河区 / 越秀区, and 湖北省 › 武汉市 › 江岸区; 天河区 medium risk, 武汉市 high risk, both
    from 1 September 2022."""
    from tracing.models import Division, RiskArea

    def make(code, name, level, parent=None):
        return Division.objects.create(code=code, name=name, level=level, parent=parent)

    gd = make("44", "广东省", 1)
    gz = make("4401", "广州市", 2, gd)
    hb = make("42", "湖北省", 1)
    wh = make("4201", "武汉市", 2, hb)
    found = {
        "guangdong": gd,
        "guangzhou": gz,
        "tianhe": make("440106", "天河区", 3, gz),
        "yuexiu": make("440104", "越秀区", 3, gz),
        "hubei": hb,
        "wuhan": wh,
        "jiangan": make("420102", "江岸区", 3, wh),
    }
    RiskArea.objects.create(division=found["tianhe"], level="medium", starts_on=date(2022, 9, 1))
    RiskArea.objects.create(division=found["wuhan"], level="high", starts_on=date(2022, 9, 1))
    RiskArea.objects.create(division=found["yuexiu"], level="low", starts_on=date(2022, 9, 1))
    return found
