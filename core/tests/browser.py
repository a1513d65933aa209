"""Headless Chromium for the browser tests (Debian's chromium and chromedriver; selenium never downloads one)."""

import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


def skip_without_chromium():
    if not (CHROMIUM and CHROMEDRIVER) and os.environ.get("CI") != "true":
        pytest.skip("headless Chromium and chromedriver are not installed", allow_module_level=True)


def chromium():
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-extensions",
        "--hide-scrollbars",
        "--window-size=1366,900",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for csp_violations()
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(20)
    driver.set_page_load_timeout(60)
    return driver


def set_viewport(driver, width, height):
    """The page's viewport exactly (a window size leaves the browser's own frame to guess)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def log_in(driver, base_url, user, language="zh-hans"):
    """A session made by the test client, handed to the browser (no password typing per user and language)."""
    client = Client()
    client.force_login(user)
    driver.get(base_url + "/static/gridcare/site.css")  # a page on the origin, to set its cookies
    driver.delete_all_cookies()
    driver.add_cookie(
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "path": "/"}
    )
    driver.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "path": "/"})


def csp_violations(driver):
    """The Content-Security-Policy refusals in the browser's console since the last call (reading empties it).
    Chromium logs each from the source "security" ("Executing inline script violates the following Content Security
    Policy directive …"; older ones began "Refused to …")."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry.get("source") == "security"
        or "Content Security Policy" in entry["message"]
        or "Refused to" in entry["message"]
    ]
