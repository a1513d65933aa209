"""The desk in a real browser: a keyboard-wedge scanner types each code and Enter into the focused input; the
network is cut, tubes close offline and wait; when it returns they reach the server exactly once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core.tests.browser import chromium, set_viewport, skip_without_chromium
from registry.testing import synthetic_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

skip_without_chromium()

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def browser():
    driver = chromium()
    set_viewport(driver, 390, 844)
    yield driver
    driver.quit()


@pytest.fixture
def campaign_round(areas, users):
    """An open round with one site, 万达广场, where mia works."""
    from screening.models import Campaign, Round, Site

    now = timezone.now()
    campaign = Campaign.objects.create(name="区域核酸筛查", default_pool_size=10)
    campaign.scope.add(areas["district"])
    rnd = Round.objects.create(
        campaign=campaign, number=1, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=10)
    )
    site = Site.objects.create(campaign=campaign, name="万达广场", area=areas["lile"], desks=4)
    site.medics.add(users["mia"])
    return rnd, site


def log_in(driver, live_server, user):
    client = Client()
    client.force_login(user)
    driver.get(live_server.url + "/static/gridcare/site.css")  # a page on the origin, to set its cookie
    driver.add_cookie(
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "path": "/"}
    )


def wedge_scan(driver, text):
    """What a keyboard-wedge scanner does: a burst of keystrokes into whatever has focus, then Enter."""
    driver.switch_to.active_element.send_keys(text + Keys.ENTER)


PROBE = (
    "const done = arguments[0];"
    "fetch('/api/v1/screening/tubes/check?code=PROBE', {method: 'GET'}).then(() => done(true), () => done(false));"
)


def set_offline(driver, offline):
    """Cut or restore the page's network, then wait until the page itself sees it that way: the emulation can
    take a moment to apply to a page a service worker controls."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    WebDriverWait(driver, 10).until(lambda d: d.execute_async_script(PROBE) is not offline)


def waiting_count(driver):
    return int(driver.find_element(By.ID, "waiting").text)


def test_desk_scans_goes_offline_and_syncs_each_tube_exactly_once(
    live_server, browser, users, make_person, campaign_round
):
    from screening.models import Sample, Tube

    persons = [make_person("A" if i % 2 else "D") for i in range(22)]
    rnd, site = campaign_round
    taken = Tube.objects.create(round=rnd, site=site, code="T0000009", pool_size=1, closed_at=timezone.now())
    log_in(browser, live_server, users["mia"])
    browser.get(live_server.url + "/screening/desk/")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "scan")

    # Online: one 10-in-1 tube, closed automatically at its pool size, sent at once.
    wedge_scan(browser, "T0000001")
    for person in persons[:10]:
        wedge_scan(browser, person.id_number)
    wait.until(lambda d: Tube.objects.filter(code="T0000001").exists() and waiting_count(d) == 0)
    assert Sample.objects.filter(tube__code="T0000001").count() == 10

    # Offline: a full tube and a tube closed by hand, with one person not in the register and one typo caught.
    set_offline(browser, True)
    wedge_scan(browser, "T0000002")
    for person in persons[10:20]:
        wedge_scan(browser, person.id_number)
    wedge_scan(browser, "T0000003")
    typo = persons[0].id_number[:-2] + str((int(persons[0].id_number[-2]) + 1) % 10) + persons[0].id_number[-1]
    wedge_scan(browser, typo)
    assert "check digit" in browser.find_element(By.ID, "say").text or "校验" in browser.find_element(By.ID, "say").text
    newcomer = synthetic_id_number(4000)
    wedge_scan(browser, newcomer)
    wedge_scan(browser, persons[0].id_number)  # a person may be re-sampled in another tube
    browser.find_element(By.ID, "close").click()
    wedge_scan(browser, taken.code)  # used at another desk: only the server can know, once online
    wedge_scan(browser, persons[20].id_number)
    wedge_scan(browser, persons[21].id_number)
    browser.find_element(By.ID, "close").click()
    wait.until(lambda d: waiting_count(d) == 3)
    browser.find_element(By.ID, "sync").click()  # a retry while offline must not lose or send anything
    assert waiting_count(browser) == 3
    assert sorted(Tube.objects.values_list("code", flat=True)) == ["T0000001", "T0000009"]  # nothing sent offline

    # Back online: the `online` event sends them, each exactly once, even with a manual resend on top; the tube
    # with the used code is refused whole and waits for correction.
    set_offline(browser, False)
    browser.execute_script("window.dispatchEvent(new Event('online'))")
    wait.until(lambda d: waiting_count(d) == 0 and d.find_elements(By.CSS_SELECTOR, "#rejected .card"))
    browser.find_element(By.ID, "sync").click()
    assert sorted(Tube.objects.values_list("code", flat=True)) == ["T0000001", "T0000002", "T0000003", "T0000009"]
    assert Sample.objects.count() == 22

    # Corrected and resent under the same client key: stored once, with its two persons.
    code_box = browser.find_element(By.CSS_SELECTOR, "#rejected input")
    code_box.clear()
    code_box.send_keys("T0000010")
    browser.find_element(By.CSS_SELECTOR, "#rejected button.primary").click()
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#rejected .card"))
    assert Sample.objects.filter(tube__code="T0000010").count() == 2
    assert Sample.objects.count() == 24
    assert Sample.objects.filter(
        tube__code="T0000003", person__id_number=newcomer, person__is_provisional=True
    ).exists()

    # The service worker holds the page for an offline reload; the device's counters survive the reload.
    assert browser.execute_async_script(
        "const done = arguments[0];"
        "navigator.serviceWorker.ready.then(() => caches.match('/screening/desk/')).then((r) => done(!!r && r.ok));"
    )
    browser.refresh()
    wait.until(lambda d: d.find_element(By.ID, "sent").text == "4" and waiting_count(d) == 0)


def test_desk_refuses_a_sealed_zone_person_in_a_10_person_tube_at_the_scan_and_from_the_queue(
    live_server, browser, users, make_person, campaign_round, areas
):
    """Online the lookup refuses the person at the scan; offline the server refuses the tube when it arrives, the
    desk shows the reason on that tube and sends the others; dropping the person and resending stores it."""
    from screening.models import PoolingRule, Sample, Tube

    rnd, site = campaign_round
    PoolingRule.objects.create(campaign=rnd.campaign, area=areas["D"], zone="sealed", pool_size=1)
    neighbour, sealed, other = make_person("A"), make_person("D"), make_person("A")
    log_in(browser, live_server, users["mia"])
    browser.get(live_server.url + "/screening/desk/")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "scan")
    assert "万达广场" in browser.find_element(By.ID, "desk-head").text

    wedge_scan(browser, "Z0000001")
    wedge_scan(browser, neighbour.id_number)
    wedge_scan(browser, sealed.id_number)
    wait.until(
        lambda d: "single tube" in d.find_element(By.ID, "say").text or "单管" in d.find_element(By.ID, "say").text
    )
    assert "Z0000001: 1 /" in browser.find_element(By.ID, "open-tube").text  # only the neighbour stays in
    browser.find_element(By.ID, "close").click()
    wait.until(lambda d: Tube.objects.filter(code="Z0000001").exists() and waiting_count(d) == 0)

    set_offline(browser, True)
    wedge_scan(browser, "Z0000002")
    wedge_scan(browser, other.id_number)
    wedge_scan(browser, sealed.id_number)  # offline: nobody can tell yet
    browser.find_element(By.ID, "close").click()
    wedge_scan(browser, "Z0000003")
    wedge_scan(browser, other.id_number)
    browser.find_element(By.ID, "close").click()
    set_offline(browser, False)
    browser.execute_script("window.dispatchEvent(new Event('online'))")
    wait.until(lambda d: waiting_count(d) == 0 and d.find_elements(By.CSS_SELECTOR, "#rejected .card"))
    card = browser.find_element(By.CSS_SELECTOR, "#rejected .card").text
    assert "Z0000002" in card and ("single tube" in card or "单管" in card)
    assert sorted(Tube.objects.values_list("code", flat=True)) == ["Z0000001", "Z0000003"]

    browser.find_elements(By.CSS_SELECTOR, "#rejected ul.persons button")[1].click()  # take the sealed person out
    browser.find_element(By.CSS_SELECTOR, "#rejected button.primary").click()
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#rejected .card"))
    assert list(Sample.objects.filter(tube__code="Z0000002").values_list("person_id", flat=True)) == [other.pk]
