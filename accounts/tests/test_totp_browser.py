"""The second factor's pages in headless Chromium at phone width (390 px) and desktop width, in both languages:
nothing scrolls sideways or overflows, no text of the other language, nothing refused by the Content-Security-Policy
(the QR code is inline SVG, the page has no script of its own). Skipped without Chromium."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium
from gridcare.tests.test_browser_walk import data_values, our_msgids, page_problems

skip_without_chromium()
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def test_enrolment_code_step_and_account_page_fit_a_phone(live_server, browser, users, settings):
    values, msgids = data_values(), our_msgids()
    cora, gwen = users["cora"], users["gwen"]
    report = []

    def check(user, url, mode, language, width):
        settings.STAFF_TOTP = mode
        log_in(browser, live_server.url, user, language)  # a new session each time: it owes its step
        problems = page_problems(browser, live_server.url + reverse(url), language, values, msgids)
        if urlsplit(browser.current_url).path != reverse(url):
            problems.append(f"sent on to {browser.current_url}")
        report.extend(f"{language} {width}px {url}: {problem}" for problem in problems)

    for language in ("zh-hans", "en"):
        for width, height in ((390, 844), (1280, 800)):
            set_viewport(browser, width, height)
            TOTPDevice.objects.filter(user=cora).delete()
            check(cora, "totp_enrol", "required", language, width)
            TOTPDevice.objects.filter(user=cora).update(confirmed=True)
            check(cora, "totp_verify", "required", language, width)
            check(gwen, "account", "optional", language, width)
    assert not report, "\n".join(report)
