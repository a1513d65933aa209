"""Isolation part: every page at 390 px, in Chinese and English, without horizontal scroll (headless Chromium,
live server). SHOTS=<dir> keeps a screenshot of each."""

import os
from datetime import timedelta

import pytest
from django.urls import reverse

from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium
from tracing import services
from tracing.models import Isolation
from tracing.tests.test_isolation import T0, as_user, isolate

skip_without_chromium()
pytestmark = pytest.mark.django_db(transaction=True)


def test_isolation_pages_fit_a_phone_in_both_languages(live_server, users, make_person):
    import time_machine

    person = make_person("B", name="欧阳隔离测试")
    with time_machine.travel(T0, tick=False), as_user(users["tess"]):
        isolation = services.isolation_open(person, kind=Isolation.Kind.CLOSE)
    with time_machine.travel(T0 + timedelta(minutes=35), tick=False):
        isolate(isolation, users["greg"])
    waiting = make_person("A", name="待接收")
    with as_user(users["tess"]):
        services.isolation_open(waiting, kind=Isolation.Kind.SECONDARY)
    pages = [
        reverse("tracing:isolation_list"),
        reverse("tracing:isolation_list") + "?stage=isolating",
        reverse("tracing:isolation_detail", args=[isolation.pk]),
        reverse("tracing:handover_list"),
        reverse("tracing:isolation_times"),
        reverse("registry:person", args=[person.pk]),
    ]
    shots = os.environ.get("SHOTS")
    driver = chromium()
    try:
        set_viewport(driver, 390, 844)
        for language in ("zh-hans", "en"):
            log_in(driver, live_server.url, users["cora"], language=language)
            for n, url in enumerate(pages):
                driver.get(live_server.url + url)
                width = driver.execute_script("return document.documentElement.scrollWidth")
                assert width <= 390, f"{url} ({language}) is {width} px wide"
                assert "Server Error" not in driver.page_source and "404" not in driver.title, url
                if shots:
                    driver.save_screenshot(os.path.join(shots, f"{language}-{n}.png"))
    finally:
        driver.quit()
