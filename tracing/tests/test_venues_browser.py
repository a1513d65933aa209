"""The venue pages at 390 px in Chinese and English: no horizontal scroll; the public scan page checks in with one
tap on a phone that scanned before. Screenshots go to $SCREENSHOTS_DIR when it is set."""

import os

import pytest
from django.urls import reverse
from selenium.webdriver.support.ui import WebDriverWait

from core.context import system_actor
from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium
from screening.codes import person_code
from tracing.models import Venue, VenueVisit
from tracing.services import venue_create

skip_without_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def driver():
    browser = chromium()
    yield browser
    browser.quit()


def _wide(driver):
    return driver.execute_script("return document.documentElement.scrollWidth")


def _shot(driver, name):
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        driver.save_screenshot(os.path.join(folder, f"{name}.png"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_venue_pages_fit_a_phone(driver, live_server, users, areas, make_person, language):
    with system_actor():
        venue = venue_create(
            area=areas["zhongfu"], name="中福社区明泰城东门便利店", kind=Venue.Kind.SHOP, address="中福路88号"
        )
    person = make_person("A")
    log_in(driver, live_server.url, users["cora"], language)
    set_viewport(driver, 390, 844)
    pages = {
        "list": reverse("tracing:venue_list"),
        "new": reverse("tracing:venue_new"),
        "poster": reverse("tracing:venue_poster", args=[venue.pk]),
        "posters_a5": reverse("tracing:venue_posters", args=[areas["zhongfu"].pk]) + "?size=a5",
        "scan": reverse("tracing:venue_scan", args=[venue.code]),
        "unknown": reverse("tracing:venue_scan", args=["no-such-venue"]),
    }
    for name, path in pages.items():
        driver.get(live_server.url + path)
        _shot(driver, f"venues_{name}_{language}")
        assert _wide(driver) <= 390, f"{name} scrolls sideways in {language}"
    # The phone of a resident: identify once by the registration code, then one tap next time.
    driver.get(live_server.url + pages["scan"])
    driver.find_element("name", "person_code").send_keys(person_code(person))
    driver.find_element("css selector", "#scan-identify button").click()
    # A click returns before the answer arrives: wait for the logged page, not a fixed time.
    WebDriverWait(driver, 10).until(lambda d: d.find_elements("css selector", ".scanned"))
    _shot(driver, f"venues_scanned_{language}")
    assert _wide(driver) <= 390
    assert VenueVisit.all_objects.filter(person=person).count() == 1
    driver.get(live_server.url + pages["scan"])
    _shot(driver, f"venues_scan_remembered_{language}")
    assert driver.find_elements("name", "remembered")
