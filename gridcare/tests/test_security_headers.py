"""Security headers and the Content-Security-Policy: every page answers with them; no template holds a script,
style or event handler the policy would refuse; `check --deploy` is clean under the production settings; and in a
real browser the main pages of several roles break no rule of the policy."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from gridcare.tests.routes import url_routes

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PUBLIC_PAGES = ["/accounts/login/", "/care/help/", "/care/help/status/", "/tracing/arrive/", "/volunteers/sign-up/"]


def policy_of(response):
    header = response.headers.get("Content-Security-Policy", "")
    return dict(part.strip().partition(" ")[::2] for part in header.split(";") if part.strip())


def header_problems(url, response):
    problems = (
        [] if policy_of(response) == POLICY else [f"{url}: CSP {response.headers.get('Content-Security-Policy')!r}"]
    )
    for name, value in HEADERS.items():
        # whitenoise answers static files before Django's clickjacking middleware; frame-ancestors covers them
        if name == "X-Frame-Options" and "/static/" in url:
            continue
        if response.headers.get(name) != value:
            problems.append(f"{url}: {name} {response.headers.get(name)!r}")
    return problems


@pytest.mark.django_db
def test_every_page_answers_with_the_security_headers(client, users):
    """Every route without parameters (pages, API, admin), as the district admin and anonymously, and a 404, a
    static file and the public pages: whatever the status, the headers are there."""
    urls = sorted({route.pattern for route in url_routes() if not route.params and "logout" not in route.pattern})
    problems = []
    for who in ("anonymous", "dana"):
        if who != "anonymous":
            client.force_login(users[who])
        for url in [*urls, "/no-such-page/", "/static/gridcare/site.css"]:
            problems += header_problems(f"{who} {url}", client.get(url))
    assert not problems, "\n".join(problems)
    assert len(urls) > 100


def test_the_tile_server_joins_the_policy(settings):
    from gridcare.settings import _origin

    assert _origin("https://tiles.example.cn/{z}/{x}/{y}.png") == "https://tiles.example.cn"
    assert _origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"


# What the policy refuses, as it is written in a template. A <script> with a src or holding JSON data
# (json_script) is allowed; so is hx-vals with plain JSON.
INLINE = [
    ("an inline script", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)),
    ("an event handler attribute", re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)),
    ("a javascript: URL", re.compile(r"javascript:", re.I)),
    ("htmx's hx-on", re.compile(r"\b(?:data-)?hx-on", re.I)),
    ("htmx's hx-vars", re.compile(r"\b(?:data-)?hx-vars", re.I)),
    ("htmx's js: values", re.compile(r"\b(?:data-)?hx-(?:vals|headers)\s*=\s*['\"]\s*js:", re.I)),
    ("an inline style attribute", re.compile(r"<[^>]*\sstyle\s*=", re.I)),
    ("an inline <style>", re.compile(r"<style[\s>]", re.I)),
]


def inline_code(text):
    """[(what, line number), …] of what the policy would refuse in a template's text."""
    found = []
    for what, pattern in INLINE:
        for match in pattern.finditer(text):
            found.append((what, text.count("\n", 0, match.start()) + 1))
    return found


def our_templates():
    root = Path(settings.BASE_DIR)
    return sorted(p for p in root.glob("*/templates/**/*.html") if "node_modules" not in p.parts)


def test_no_template_holds_inline_script_style_or_handlers():
    templates = our_templates()
    assert len(templates) > 100
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}"
        for path in templates
        for what, line in inline_code(path.read_text())
    ]
    assert not found, "\n".join(found)


def test_the_template_scan_catches_what_it_looks_for():
    allowed = (
        '<script src="/static/a.js" defer></script><script type="application/json" id="d">{}</script>'
        '<button hx-post="/x/" hx-vals=\'{"done": "1"}\'>ok</button><a href="/x/" class="onward">x</a>'
    )
    assert inline_code(allowed) == []
    refused = [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        "<body\n  onload='go()'>",
        '<a href="javascript:go()">',
        '<div hx-on:click="go()">',
        '<div hx-on::after-request="go()">',
        '<div hx-vars="a:go()">',
        "<div hx-vals='js:{a: go()}'>",
        '<p style="color:red">',
        "<style>p { color: red }</style>",
    ]
    for text in refused:
        assert inline_code(text), text


PRODUCTION_ENV = {
    "GRIDCARE_PRODUCTION": "1",
    "TLS": "1",
    "SECRET_KEY": "k3Jf9-QvT2pX7mZ0aW8rL5nB1cY4hD6sE-gU3iO9pA2sD5fG8hJ",
    "ALLOWED_HOSTS": "grid.example.cn",
    "DEBUG": "",
}


def test_check_deploy_is_clean_under_the_production_settings(tmp_path):
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "GRIDCARE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gridcare.settings",
    }
    code = "import django; django.setup(); from django.core.management import call_command; call_command('check', deploy=True, fail_level='WARNING')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 50}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is not set"),
        ({"ALLOWED_HOSTS": "*"}, "not '*'"),
        ({"DEBUG": "1"}, "DEBUG is on"),
    ],
)
def test_production_settings_refuse_to_load_without_a_key_and_hosts(tmp_path, change, message):
    env = {**os.environ, **PRODUCTION_ENV, **change, "GRIDCARE_VAR_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "gridcare.settings"
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and message in done.stderr, done.stderr


# The browser: the main pages of several roles, in a real Chromium on the live server, break no rule.
@pytest.fixture(scope="module")
def browser():
    from core.tests.browser import chromium, skip_without_chromium

    skip_without_chromium()
    pytest.importorskip("selenium.webdriver")
    driver = chromium()
    yield driver
    driver.quit()


def main_pages(username):
    user = get_user_model().objects.get(username=username)
    pages = {
        "admin": ["/", "/command/", "/command/map/", "/command/wall/", "/registry/mine/", "/jobs/", "/exports/"]
        + ["/admin/", "/admin/registry/person/", "/admin/accounts/user/add/", "/api/v1/docs"],
        "grid1": ["/", "/care/today/", "/screening/knock/", f"/registry/grids/{user.area.code}/"],
        "medic": ["/", "/screening/desk/", "/screening/"],
        "checkpoint": ["/", "/tracing/gate/"],
        "tracing": ["/", "/tracing/cases/", "/tracing/arrivals/"],
        "street": ["/", "/command/", f"/registry/areas/{user.area.code}/"],
    }
    return pages[username]


# Pages whose script draws: that it did (a refused library would leave them empty), and the charts' tooltips shown,
# since ECharts writes a tooltip only when one is shown.
TOOLTIPS = """
const charts = [...document.querySelectorAll('.chart')].map((box) => echarts.getInstanceByDom(box)).filter(Boolean);
charts.forEach((chart) => chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0}));
return charts.length > 0;
"""
DRAWN = {
    "/command/": TOOLTIPS,
    "/command/map/": "return !!document.querySelector('.maplibregl-canvas');",
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_of_several_roles_break_no_rule_of_the_policy(live_server, browser):
    from conftest import reseed_reference_data
    from core.tests.browser import csp_violations, log_in, set_viewport

    reseed_reference_data()
    call_command("demo", residents=400, seed=1, password="csp-walk-pages-9", stdout=open(os.devnull, "w"))
    set_viewport(browser, 390, 844)
    found = []
    browser.delete_all_cookies()
    for url in PUBLIC_PAGES:
        browser.get(live_server.url + url)
        found += [f"anonymous {url}: {v}" for v in csp_violations(browser)]
    for username in ("admin", "grid1", "medic", "checkpoint", "tracing", "street"):
        log_in(browser, live_server.url, get_user_model().objects.get(username=username))
        for url in main_pages(username):
            browser.get(live_server.url + url)
            # The map and the charts draw after the page has loaded: their refusals come a little later.
            browser.execute_async_script("setTimeout(arguments[arguments.length - 1], 1500)")
            if drew := DRAWN.get(url):
                assert browser.execute_script(drew), f"{username} {url} did not draw"
            found += [f"{username} {url}: {v}" for v in csp_violations(browser)]
    assert not found, "\n".join(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_check_sees_a_refusal(live_server, browser):
    """An inline script on a page served with the policy is refused, and the console says so."""
    from core.tests.browser import csp_violations

    browser.get(live_server.url + "/accounts/login/")
    csp_violations(browser)
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = '1'; document.body.append(s);"
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>');"
    )
    seen = csp_violations(browser)
    assert any("inline script" in v and "script-src" in v for v in seen), seen
    assert any("inline style" in v and "style-src" in v for v in seen), seen
