"""The tracer's pages on a phone (390 px), in Chinese and English: nothing scrolls sideways, one language per page,
and the chain of transmission is drawn by the packaged ECharts (a canvas appears), the text list beside it."""

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import actor_for
from core.context import acting_as
from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium
from gridcare.tests.test_browser_walk import data_values, our_msgids, page_problems
from registry.services import person_create
from registry.testing import synthetic_id_number
from tracing.models import Contact, Venue, VenueVisit
from tracing.services import case_create, contact_add, contact_confirm

skip_without_chromium()
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to keep a PNG of each page


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def _chain(users, make_person, areas):
    first = make_person("A", name="欧阳明")
    for k in range(2):
        person_create(
            grid=first.grid, household=first.household, name=f"欧阳家属{k}", id_number=synthetic_id_number(800 + k)
        )
    venue = Venue.all_objects.create(name="中福市场东门生鲜档口", area=areas["zhongfu"], code="v-browser")
    at = timezone.now() - timedelta(hours=4)
    VenueVisit.all_objects.create(venue=venue, person=first, grid=first.grid, visited_at=at)
    for n in range(3):
        other = make_person("B" if n else "D", name=f"顾客{n}")
        VenueVisit.all_objects.create(venue=venue, person=other, grid=other.grid, visited_at=at + timedelta(minutes=n))
    colleague = make_person("C", name="司徒工友")
    with acting_as(actor_for(users["tess"])):
        case1 = case_create(first, sampled_on=timezone.localdate(), onset_on=timezone.localdate() - timedelta(days=1))
        contact_confirm(contact_add(case1, colleague, relation="workplace", note="同一车间"))
        for contact in Contact.all_objects.filter(case=case1, relation="household"):
            contact_confirm(contact)
        case2 = case_create(colleague, sampled_on=timezone.localdate())
    return case1, case2


def test_the_tracers_pages_fit_a_phone_in_both_languages_and_draw_the_chain(
    live_server, browser, users, areas, make_person
):
    case1, case2 = _chain(users, make_person, areas)
    values, msgids = data_values(), our_msgids()
    pages = [
        reverse("home"),
        reverse("tracing:case_list"),
        reverse("tracing:contacts_waiting"),
        reverse("tracing:case_new") + "?q=欧阳",
        reverse("tracing:case_detail", args=[case1.pk]),
        reverse("tracing:case_detail", args=[case2.pk]),
    ]
    report = []
    for language in ("zh-hans", "en"):
        log_in(browser, live_server.url, users["tess"], language)
        set_viewport(browser, 390, 844)
        for n, page in enumerate(pages):
            report += [
                f"{language} {page}: {p}"
                for p in page_problems(browser, live_server.url + page, language, values, msgids)
            ]
            if page.startswith(reverse("tracing:case_detail", args=[case2.pk])):
                drawn = browser.execute_script("return document.querySelectorAll('#chain-graph canvas').length")
                assert drawn >= 1, "ECharts drew no chain (is node_modules installed? `make install` runs npm ci)"
            if SHOTS:
                browser.execute_cdp_cmd(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": 390, "height": 2400, "deviceScaleFactor": 1, "mobile": True},
                )
                browser.save_screenshot(os.path.join(SHOTS, f"cases-{language}-{n}.png"))
                set_viewport(browser, 390, 844)
    assert not report, "\n".join(report)
