"""Live counters in a real browser: a tap on the today list or the knock list changes the page's counters
without reloading the page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
skip_without_chromium()
pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def browser():
    driver = chromium()
    set_viewport(driver, 390, 844)
    yield driver
    driver.quit()


def counter(driver, element_id):
    return int(driver.find_element(By.ID, element_id).text)


def mark_page(driver):
    """A flag only this very page holds: a reload would lose it."""
    driver.execute_script("window.notReloaded = true")


def tap_and_wait(driver, button, element_id, expected):
    button.click()
    # The swap replaces the counters while they are read: a counter gone stale is read again.
    wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
    wait.until(lambda d: counter(d, element_id) == expected)
    assert driver.execute_script("return window.notReloaded === true"), "the page was reloaded"


def test_a_tap_on_the_today_list_updates_its_counters_in_place(live_server, browser, users, make_person):
    from care.services import followup_plan_day, ledger_entry_save, pairing_assign
    from registry.models import SpecialGroup

    group = SpecialGroup.objects.get(code="elderly_alone")
    for _ in range(3):
        person = make_person("A")
        ledger_entry_save(person, group, needs=["medicine"])
        pairing_assign(person, users["gwen"])
    followup_plan_day()
    log_in(browser, live_server.url, users["gwen"])
    browser.get(live_server.url + reverse("care:today"))
    assert (counter(browser, "today-left"), counter(browser, "today-done")) == (3, 0)
    mark_page(browser)
    first = browser.find_elements(By.CSS_SELECTOR, ".card.task")[0]
    tap_and_wait(browser, first.find_element(By.CSS_SELECTOR, "button[value=well]"), "today-done", 1)
    assert counter(browser, "today-left") == 2
    second = browser.find_elements(By.CSS_SELECTOR, ".card.task")[1]
    tap_and_wait(browser, second.find_element(By.CSS_SELECTOR, "button[value=not_reached]"), "today-not-reached", 1)
    assert (counter(browser, "today-left"), counter(browser, "today-done")) == (2, 1)


def test_a_knock_updates_the_knock_lists_counters_in_place(live_server, browser, users, areas, make_person):
    from screening import services

    now = timezone.now()
    campaign = services.campaign_create(
        name="区域核酸筛查", scope_codes=["440704"], rounds=[(now - timedelta(hours=3), now + timedelta(hours=9))]
    )
    round_ = campaign.rounds.get()
    persons = [make_person("A") for _ in range(3)]
    log_in(browser, live_server.url, users["gwen"])
    browser.get(live_server.url + reverse("screening:knock_list", args=[round_.pk, areas["A"].code]))
    assert (counter(browser, "knock-missing"), counter(browser, "knock-knocked")) == (3, 0)
    mark_page(browser)
    door = browser.find_element(By.ID, f"door-{persons[0].household_id}")
    tap_and_wait(browser, door.find_element(By.CSS_SELECTOR, "button[value=not_home]"), "knock-not-home", 1)
    assert (counter(browser, "knock-missing"), counter(browser, "knock-knocked")) == (3, 1)
    door = browser.find_element(By.ID, f"door-{persons[1].household_id}")
    tap_and_wait(browser, door.find_element(By.CSS_SELECTOR, ".knock-row button[value=moved_out]"), "knock-missing", 2)
    assert (counter(browser, "knock-doors"), counter(browser, "knock-knocked")) == (2, 2)
