"""The control pages at 390 px in both languages: no horizontal scroll (and a screenshot to look at)."""

import pytest

from core.tests.browser import chromium, log_in, set_viewport, skip_without_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

skip_without_chromium()


def test_control_pages_fit_a_phone(live_server, users, areas, make_person, tmp_path):
    from registry.models import Building, Compound
    from tracing.testing import leak_control

    person = make_person("B", name="明泰居民")
    compound = Compound.all_objects.create(name="明泰城", community=areas["zhongfu"])
    Building.all_objects.filter(pk=person.household.building_id).update(compound=compound)
    ids = leak_control(person)
    driver = chromium()
    set_viewport(driver, 390, 844)
    try:
        for language in ("zh-hans", "en"):
            log_in(driver, live_server.url, users["cora"], language)
            for path in (
                "/tracing/controls/",
                f"/tracing/controls/{ids['control_id']}/",
                "/tracing/controls/new/",
                f"/tracing/notice/{ids['notice_id']}/",
                f"/registry/persons/{person.pk}/",
            ):
                driver.get(live_server.url + path)
                width = driver.execute_script("return document.documentElement.scrollWidth")
                driver.save_screenshot(str(tmp_path / f"{language}{path.replace('/', '_')}.png"))
                assert width <= 390, f"{path} in {language} is {width} px wide"
    finally:
        driver.quit()
