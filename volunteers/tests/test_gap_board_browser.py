"""The gap board in a real browser (live server, Chromium at 390 px): the lead sends the proposed volunteer, who
checks in by the site's QR on their own phone, and the gap turns green without a reload (htmx refresh)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium
from registry.testing import synthetic_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

skip_without_chromium()

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

# Read in one script call: htmx swaps the board every few seconds, so an element found earlier may be gone.
ROW_CLASS = "return document.querySelector('tr[data-role=order_keeping]').className"
BOARD_TEXT = "return document.getElementById('board').innerText"


@pytest.fixture
def browser():
    driver = chromium()
    set_viewport(driver, 390, 844)
    yield driver
    driver.quit()


def test_a_gap_turns_green_when_the_proposed_volunteer_checks_in(browser, live_server, areas, users):
    from screening.models import Campaign, Site
    from volunteers import services
    from volunteers.models import Volunteer, VolunteerSettings

    VolunteerSettings.objects.create(pk=1, roles_per_desk={"order_keeping": 1})
    site = Site.objects.create(campaign=Campaign.objects.create(name="第一轮"), name="万达广场", area=areas["A"])
    Volunteer.all_objects.create(
        name="骑手小王",
        phone="13700001234",
        id_number=synthetic_id_number(7001),
        community=areas["zhongfu"],
        roles=["order_keeping"],
        verified_at=timezone.now(),
        user=users["vera"],
    )
    log_in(browser, live_server.url, users["vic"])
    browser.get(live_server.url + reverse("volunteers:board", args=[site.pk]))
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-role=order_keeping]")
    assert "gap" in row.get_attribute("class").split()
    row.find_element(By.XPATH, ".//button[contains(., '骑手小王')]").click()  # the proposal: send them
    WebDriverWait(browser, 10).until(lambda d: "骑手小王" in d.execute_script(BOARD_TEXT))
    assert "gap" in browser.execute_script(ROW_CLASS).split()

    phone = Client()  # the volunteer's own phone, logged in, opens the QR's address and checks in
    phone.force_login(users["vera"])
    checked = phone.post(reverse("volunteers:check_in", args=[site.pk, services.check_in_code(site)]))
    assert checked.status_code == 302

    WebDriverWait(browser, 15).until(lambda d: "filled" in d.execute_script(ROW_CLASS).split())
    color = browser.execute_script(
        "return getComputedStyle(document.querySelector('tr[data-role=order_keeping] td')).color"
    )
    assert color == "rgb(10, 125, 50)"  # var(--ok), green
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
