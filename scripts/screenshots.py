#!/usr/bin/env python
"""`make screenshots`: builds a small demo district in a scratch directory, serves it, logs in through the login
page as the demo users and saves what a phone (390×844) shows of the grid worker's home, today list and knock
list (the running round, else the latest), the medic's sampling desk and the street's command map into
docs/screenshots/, in Chinese.

Nothing of the project's own database is touched: the demo lives in a temporary SQLite file (GRIDCARE_VAR_DIR)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screenshots-9"
RESIDENTS = int(os.environ.get("RESIDENTS", "30000"))  # make demo's size: grid1 has calls to make today
GRIDCARE = [str(Path(sys.executable).parent / "gridcare")]


def main():
    scratch = Path(tempfile.mkdtemp(prefix="gridcare-shots-"))
    env = {**os.environ, "GRIDCARE_VAR_DIR": str(scratch), "DATABASE_URL": f"sqlite:///{scratch / 'demo.sqlite3'}"}
    os.environ.update(env)
    run([*GRIDCARE, "migrate", "--no-input", "-v0"], env)
    run([*GRIDCARE, "demo", "--residents", str(RESIDENTS), "--password", PASSWORD], env)
    port = free_port()
    server = subprocess.Popen(
        [*GRIDCARE, "serve", f"127.0.0.1:{port}", "--workers", "1", "--no-tasks"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/accounts/login/")
        shoot(base)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    print(f"saved in {OUT.relative_to(ROOT)}/")


def shoot(base):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcare.settings")
    import django

    django.setup()
    from core.tests.browser import chromium, set_viewport

    OUT.mkdir(parents=True, exist_ok=True)
    pages = {
        "grid1": [
            ("grid-worker-home", "/"),
            ("grid-worker-today", "/care/today/"),
            ("grid-worker-knock", knock_path()),
        ],
        "medic": [("medic-desk", "/screening/desk/")],
        # The district's dashboard on a phone, in both languages, and its wall screen on a wide screen.
        "admin": [
            ("dashboard", "/command/"),
            ("dashboard-en", "/command/", {"language": "en"}),
            ("dashboard-wall", "/command/wall/", {"width": 1600, "height": 900}),
        ],
        "street": [("map", "/command/map/")],
    }
    for username, shots in pages.items():
        driver = chromium()
        try:
            log_in(driver, base, username)
            for name, path, *options in shots:
                options = options[0] if options else {}
                set_viewport(driver, options.get("width", 390), options.get("height", 844))
                driver.add_cookie({"name": "django_language", "value": options.get("language", "zh-hans"), "path": "/"})
                driver.get(base + path)
                time.sleep(1)  # let htmx, the charts and the desk's script settle
                wait_for_map(driver)
                driver.save_screenshot(str(OUT / f"{name}.png"))
                print(f"  {name}.png  {path}")
        finally:
            driver.quit()


def wait_for_map(driver, seconds=20):
    """On the map page, until MapLibre has drawn the areas (command/map.js marks the element ready)."""
    deadline = time.monotonic() + seconds
    while driver.execute_script("const m = document.getElementById('map'); return m && !m.dataset.ready"):
        if time.monotonic() > deadline:
            raise RuntimeError("the map did not load")
        time.sleep(0.2)
    time.sleep(0.5)  # the last frame


def knock_path():
    """grid1's knock list of the round being worked on (the menu's own choice of round)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from core.context import system_actor
    from screening.selectors import round_current

    with system_actor():
        grid = get_user_model().objects.get(username="grid1").area
        return reverse("screening:knock_list", args=[round_current(grid).pk, grid.code])


def log_in(driver, base, username):
    """Through the login page, as a person would (and in Chinese, the default)."""
    from selenium.webdriver.common.by import By

    driver.get(base + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main button.primary").click()
    time.sleep(0.5)
    # Chinese, as the district's phones are set (headless Chromium would ask for English).
    driver.add_cookie({"name": "django_language", "value": "zh-hans", "path": "/"})


def run(argv, env):
    subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


if __name__ == "__main__":
    main()
