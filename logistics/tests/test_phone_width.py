"""Every donations page at 390 px, in Chinese and in English, as the public and as logistics staff: no
horizontal scroll. SCREENSHOTS=<dir> keeps a PNG of each."""

import os

import pytest

from core.context import system_actor
from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium
from logistics.models import Delivery
from logistics.services import delivery_receive, plan_build
from logistics.testing import pledge

skip_without_chromium()


@pytest.fixture
def driver():
    browser = chromium()
    yield browser
    browser.quit()


def pages(campaign, receipt):
    return {
        "pledge": f"/logistics/give/{campaign.pk}/",
        "progress": f"/logistics/give/{campaign.pk}/progress/",
        "receipt": f"/logistics/receipt/{receipt}/",
        "campaigns": "/logistics/",
        "campaign": f"/logistics/campaigns/{campaign.pk}/",
        "plan": f"/logistics/campaigns/{campaign.pk}/plan/",
        "deliveries": f"/logistics/deliveries/?day={campaign.first_day.isoformat()}",
        "stock": f"/logistics/campaigns/{campaign.pk}/stock/",
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_fits_a_phone(live_server, driver, campaign, users, language):
    mine = pledge(campaign, 1200, donor="江门市江海区某某爱心企业有限公司")
    pledge(campaign, 35, donor="陈女士", may_name=False)
    with system_actor():
        plan_build(campaign)
        delivery_receive(Delivery.all_objects.first(), received_quantity=0)
    log_in(driver, live_server.url, users["lou"], language)
    set_viewport(driver, 390, 844)
    wide = []
    for name, path in pages(campaign, mine.receipt).items():
        driver.get(live_server.url + path)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        if width > 390:
            wide.append(f"{name}: {width} px")
        if os.environ.get("SCREENSHOTS"):
            driver.save_screenshot(os.path.join(os.environ["SCREENSHOTS"], f"{name}-{language}.png"))
    assert not wide, wide
