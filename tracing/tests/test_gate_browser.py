"""The gate in a real browser at 390 px: a keyboard-wedge scanner types the ID number and Enter, one tap on the
colour records the entry; with the network cut, entries queue on the device; when it returns they reach the server
exactly once, even with a manual resend on top."""

import pytest
from django.utils import timezone

from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

skip_without_chromium()

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

PROBE = (
    "const done = arguments[0];"
    "fetch('/static/tracing/gate.css', {cache: 'no-store'}).then(() => done(true), () => done(false));"
)


@pytest.fixture
def browser():
    driver = chromium()
    set_viewport(driver, 390, 844)
    yield driver
    driver.quit()


def set_offline(driver, offline):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    WebDriverWait(driver, 10).until(lambda d: d.execute_async_script(PROBE) is not offline)


def wedge_scan(driver, text):
    driver.switch_to.active_element.send_keys(text + Keys.ENTER)


def tap(driver, colour):
    driver.find_element(By.CSS_SELECTOR, f'button[data-colour="{colour}"]').click()


def queued(driver):
    return int(driver.find_element(By.ID, "queued").text)


def test_one_scan_and_one_tap_record_an_entry_and_a_lost_connection_loses_and_duplicates_nothing(
    live_server, browser, users, make_person, areas
):
    from tracing.models import EntryAlert, Venue, VenueVisit

    gate = Venue.objects.create(name="明泰城北门", kind=Venue.Kind.COMPOUND_GATE, area=areas["zhongfu"], code="g-1")
    persons = [make_person("B") for _ in range(4)]
    log_in(browser, live_server.url, users["cass"], language="en")
    browser.get(live_server.url + "/tracing/gate/")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "scan")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390

    # Online: one scan, one tap.
    wedge_scan(browser, persons[0].id_number)
    tap(browser, "green")
    wait.until(lambda d: VenueVisit.all_objects.count() == 1 and queued(d) == 0)
    visit = VenueVisit.all_objects.get()
    assert (visit.person_id, visit.venue_id, visit.source, visit.code_colour, visit.direction, visit.temperature) == (
        persons[0].pk,
        gate.pk,
        "gate",
        "green",
        "in",
        None,
    )
    assert browser.switch_to.active_element.get_attribute("id") == "scan"  # ready for the next person

    # Offline: three more, one going out (the direction sticks), one with a fever typed; the gate says what to do.
    set_offline(browser, True)
    browser.find_element(By.ID, "dir-out").click()
    wedge_scan(browser, persons[1].id_number)
    tap(browser, "green")
    wedge_scan(browser, persons[2].id_number)
    browser.find_element(By.ID, "temp").send_keys("38.4")
    tap(browser, "green")
    assert "fever clinic" in browser.find_element(By.ID, "say").text
    wedge_scan(browser, persons[3].id_number)
    tap(browser, "red")
    assert "call the community" in browser.find_element(By.ID, "say").text
    wait.until(lambda d: queued(d) == 3)
    browser.find_element(By.ID, "sync").click()  # a retry while offline sends nothing and loses nothing
    assert queued(browser) == 3
    assert VenueVisit.all_objects.count() == 1

    # Back online, the `online` event sends them; a manual resend on top duplicates nothing.
    set_offline(browser, False)
    browser.execute_script("window.dispatchEvent(new Event('online'))")
    browser.find_element(By.ID, "sync").click()
    wait.until(lambda d: queued(d) == 0 and VenueVisit.all_objects.count() == 4)
    browser.find_element(By.ID, "sync").click()
    assert VenueVisit.all_objects.count() == 4
    assert VenueVisit.all_objects.filter(direction="out").count() == 3
    assert sorted(VenueVisit.all_objects.values_list("person_id", flat=True)) == sorted(p.pk for p in persons)
    assert set(EntryAlert.all_objects.values_list("person_id", flat=True)) == {persons[2].pk, persons[3].pk}
    assert browser.find_element(By.ID, "sent").text == "4"

    # The service worker holds the page for a reload with no connection.
    assert browser.execute_async_script(
        "const done = arguments[0];"
        "navigator.serviceWorker.ready.then(() => caches.match('/tracing/gate/')).then((r) => done(!!r && r.ok));"
    )

    # A lost answer: the device resends an entry the server already has (same client key); it is stored once.
    browser.execute_script(
        "const k = Object.keys(localStorage).find((x) => x.endsWith('.queue'));"
        "localStorage.setItem(k, JSON.stringify([arguments[0]]));",
        {
            "client_key": "resent-1",
            "venue": gate.pk,
            "person": persons[0].id_number,
            "code_colour": "green",
            "direction": "in",
            "temperature": None,
            "at": timezone.now().isoformat(),
            "label": "x",
            "state": "waiting",
        },
    )
    browser.refresh()
    wait.until(lambda d: queued(d) == 0 and VenueVisit.all_objects.count() == 5)
    browser.execute_script(
        "const k = Object.keys(localStorage).find((x) => x.endsWith('.queue'));"
        "localStorage.setItem(k, JSON.stringify([arguments[0]]));",
        {
            "client_key": "resent-1",
            "venue": gate.pk,
            "person": persons[0].id_number,
            "code_colour": "green",
            "direction": "in",
            "temperature": None,
            "at": timezone.now().isoformat(),
            "label": "x",
            "state": "waiting",
        },
    )
    browser.refresh()
    wait.until(lambda d: queued(d) == 0 or d.find_elements(By.CSS_SELECTOR, "#rejected .card"))
    assert VenueVisit.all_objects.count() == 5  # same key, (here) another time: a conflict, never a second row
