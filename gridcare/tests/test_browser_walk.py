"""Every demo role's pages in a real browser (issue #11): logged in as each demo user, every page the menu links
(and, one level down, the pages the home page links) is opened at phone width (390×844) and desktop width
(1366×900), in Chinese and in English, and measured:

- the answer is 200;
- the page does not scroll sideways, and no box in it (outside the menu) is wider inside than it is (a table or
  list wider than its container, whether it scrolls or is clipped);
- no table cell is narrower than two characters;
- the browser's console shows no refusal by the Content-Security-Policy (an inline script, style or handler; a
  source the policy does not name);
- in English, no Chinese character is left once the demo's data values (names of persons, areas, compounds, sites
  … — every text stored in the database) are taken out; in Chinese, no English sentence of ours (a msgid of two
  words or more from our .po files, untranslated) shows.

Every failure of every page is collected and reported at once, so one run tells all."""

import gettext
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from core.discovery import project_app_labels
from core.tests.browser import chromium, csp_violations, log_in, set_viewport, skip_without_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

skip_without_chromium()
pytest.importorskip("selenium.webdriver")

ROLES = [
    "admin",
    "street",
    "community",
    "grid1",
    "grid2",
    "medic",
    "lab",
    "volunteers",
    "checkpoint",
    "tracing",
    "logistics",
    "volunteer",
]
# WALK_ROLES=grid1,medic walks only those (while fixing their pages); the suite walks every role.
ROLES = [r for r in os.environ.get("WALK_ROLES", ",".join(ROLES)).split(",") if r]
LANGUAGES = ["zh-hans", "en"]
WIDTHS = [(390, 844), (1366, 900)]
OUR_APPS = project_app_labels()
CJK = re.compile(r"[\u3400-\u9fff]+")
# Links that are files, not pages: their answer is checked, not their layout.
FILE_LINK = re.compile(r"\.(pdf|xlsx|csv|png|svg)(\?|$)|[?&]format=")

# One script per page: everything the checks need, measured in the page itself.
MEASURE = r"""
const nav = (el) => !!el.closest('nav');
const path = (el) => {
  const parts = [];
  for (let e = el; e && e !== document.body && parts.length < 5; e = e.parentElement) {
    let part = e.tagName.toLowerCase();
    if (e.id) part += '#' + e.id;
    else if (e.classList.length) part += '.' + [...e.classList].join('.');
    parts.unshift(part);
  }
  return parts.join(' > ');
};
const nav_entry = performance.getEntriesByType('navigation')[0];
const out = {
  status: nav_entry ? nav_entry.responseStatus : 0,
  page_width: document.documentElement.scrollWidth,
  inner_width: window.innerWidth,
  overflowing: [],
  narrow_cells: [],
  text: [],
  lang: document.documentElement.lang,
};
const wide = [];
for (const el of document.body.querySelectorAll('*')) {
  // Not a box anyone sees: a closed menu's panel, a screen-reader-only label (clipped to 1 px on purpose), the
  // shapes inside a chart (the <svg> itself is measured).
  if (nav(el) || el.clientWidth <= 1 || !el.checkVisibility() || (el.closest('svg') && el.tagName !== 'svg')) continue;
  const style = getComputedStyle(el);
  if (style.display === 'inline' || style.display === 'contents') continue;
  if (el.scrollWidth > el.clientWidth + 1) wide.push(el);
}
// The deepest box that overflows is the culprit; its ancestors overflow only because it does.
for (const el of wide) {
  if (wide.some((other) => other !== el && el.contains(other))) continue;
  out.overflowing.push(`${path(el)} (${el.scrollWidth} px inside ${el.clientWidth} px)`);
}
for (const cell of document.querySelectorAll('td, th')) {
  const width = cell.getBoundingClientRect().width;
  const two_chars = 2 * parseFloat(getComputedStyle(cell).fontSize);
  const empty = !cell.innerText.trim() && !cell.querySelector('input, select, button, img, svg');
  if (width > 0 && width < two_chars - 0.5 && !empty && !nav(cell)) {
    out.narrow_cells.push(`${path(cell)} "${cell.innerText.trim().slice(0, 20)}" (${width.toFixed(0)} px)`);
  }
}
// Visible text, without the language switch (its button names the other language in that language).
const page_lang = document.documentElement.lang;
const foreign = (el) => el.closest('form.lang') || (el.closest('[lang]') || document.documentElement).lang !== page_lang;
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!node.data.trim() || !el || foreign(el) || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes(el.tagName)) continue;
  const shown = el.tagName === 'OPTION' ? el.closest('select').checkVisibility() : el.checkVisibility();
  if (shown) out.text.push(node.data.trim());
}
for (const el of document.querySelectorAll('[placeholder], [aria-label], input[type=submit][value]')) {
  if (foreign(el) || !el.checkVisibility()) continue;
  for (const attr of ['placeholder', 'aria-label', 'value']) {
    if (el.hasAttribute(attr) && (attr !== 'value' || el.type === 'submit')) out.text.push(el.getAttribute(attr));
  }
}
return out;
"""

LINKS = r"""
const here = location.origin;
const links = (selector) => [...document.querySelectorAll(selector)]
  .map((a) => a.href).filter((href) => href.startsWith(here + '/'));
return {menu: links('nav a[href]'), page: links('main a[href]')};
"""

STATUS = r"""
const done = arguments[arguments.length - 1];
fetch(arguments[0], {method: 'HEAD', credentials: 'same-origin'}).then((r) => done(r.status), () => done(0));
"""


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def data_values():
    """Every text the database holds (outside fields with choices, whose labels are ours and translated) that has
    a Chinese character: the demo's names of persons, areas, compounds, buildings, sites, campaigns, groups … An
    English page may show them as they are; nothing else of it may be Chinese. A value with an English twin
    (`name` beside a filled-in `name_en`, as special groups have) is not data the page may show in Chinese.
    Longest first, so that a name is taken out whole before a shorter name inside it."""
    values = set()
    for label in OUR_APPS:
        if not apps.is_installed(label):
            continue
        for model in apps.get_app_config(label).get_models():
            texts = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField) and not f.choices
            ]
            for field in texts:
                rows = model._base_manager.all()
                if f"{field}_en" in texts:
                    rows = rows.filter(**{f"{field}_en": ""})
                for value in rows.values_list(field, flat=True).distinct().iterator():
                    if value and CJK.search(value):
                        values.add(value.strip())
    for name in get_user_model()._base_manager.values_list("first_name", "last_name"):
        values.update(part for part in name if part and CJK.search(part))
        if all(name):
            values.update({name[0] + name[1], name[1] + name[0]})
    return sorted(values, key=len, reverse=True)


def our_msgids():
    """The English sentences of our own catalogues (two words or more, translated into something else), as the
    literal pieces between placeholders and tags: a Chinese page showing one of them shows untranslated text."""
    pieces = set()
    for mo in Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.mo"):
        with mo.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog
        for msgid, msgstr in catalog.items():
            if isinstance(msgid, tuple):
                msgid = msgid[0]
            if not msgid:
                continue
            msgid = msgid.split("\x04")[-1]
            for piece in re.split(r"%\(\w+\)[sdif]|%[sdif]|\{[^}]*\}|<[^>]*>|\s[·—|:]\s", msgid):
                piece = piece.strip(" .,:;·()\n")
                if len(re.findall(r"[A-Za-z]+", piece)) >= 2 and piece not in msgstr:
                    pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


def calls_for_grid1(n=4):
    """A demo this small may plan grid1 no call today: a few of the grid's residents join the ledger, paired with
    grid1, so that the today list has cards to measure."""
    from care.services import followup_plan_day, ledger_entry_save, pairing_assign
    from registry.models import Person, SpecialGroup

    grid1 = get_user_model().objects.get(username="grid1")
    group = SpecialGroup.objects.get(code="elderly_alone")
    persons = list(Person.objects.filter(grid=grid1.area, ledger_entries__isnull=True).order_by("pk")[:n])
    for person in persons:
        ledger_entry_save(person, group, needs=["medicine"])
        pairing_assign(person, grid1)
    followup_plan_day(person_ids=[p.pk for p in persons])


def text_problems(text, language, values, msgids):
    if language == "en":
        for value in values:
            if value in text:
                text = text.replace(value, " ")
        left = sorted(set(CJK.findall(text)))
        return [f"Chinese in English: {', '.join(left[:15])}"] if left else []
    shown = [m for m in msgids if re.search(r"(?<![A-Za-z])" + re.escape(m) + r"(?![A-Za-z])", text)]
    return [f"English in Chinese: {' | '.join(shown[:15])}"] if shown else []


def page_problems(driver, url, language, values, msgids):
    driver.get(url)
    seen = driver.execute_script(MEASURE)
    problems = []
    if seen["status"] != 200:
        problems.append(f"answered {seen['status']}")
    if urlsplit(driver.current_url).path == reverse("login") != urlsplit(url).path:
        problems.append("sent to the login page")
    if seen["page_width"] > seen["inner_width"]:
        problems.append(f"page scrolls sideways ({seen['page_width']} px in {seen['inner_width']} px)")
    problems += [f"box overflows: {box}" for box in seen["overflowing"][:10]]
    problems += [f"cell narrower than two characters: {cell}" for cell in seen["narrow_cells"][:5]]
    problems += text_problems("\n".join(seen["text"]), language, values, msgids)
    problems += [f"refused by the Content-Security-Policy: {message}" for message in csp_violations(driver)]
    return problems


def walk(driver, base_url, username, language, width, values, msgids):
    """{url: [problem, …]} for the home page, its menu's pages and (one level) the pages it links."""
    home = base_url + "/"
    found = {}
    found[home] = page_problems(driver, home, language, values, msgids)
    links = driver.execute_script(LINKS)
    seen_paths = {"/"}
    targets = []
    for url in links["menu"] + links["page"]:
        # The home page may link one list per child area: one of each is enough for the layout.
        path = urlsplit(url).path
        if path not in seen_paths and "logout" not in path:
            seen_paths.add(path)
            targets.append(url)
    if not links["menu"]:
        found[home].append("the menu links nothing")
    for url in targets:
        if FILE_LINK.search(url):
            status = driver.execute_async_script(STATUS, url)
            found[url] = [] if status == 200 else [f"answered {status}"]
        else:
            found[url] = page_problems(driver, url, language, values, msgids)
    return found


def test_the_checks_catch_what_they_look_for(live_server, browser):
    """Each check, on a page made to fail it: a 404, a box with a wider table inside, a squeezed cell, an English
    sentence of ours on a Chinese page and Chinese that is no data value on an English page."""
    msgids = our_msgids()
    set_viewport(browser, 390, 844)
    assert page_problems(browser, live_server.url + "/no-such-page/", "zh-hans", [], []) == ["answered 404"]
    browser.get(live_server.url + "/static/gridcare/site.css")
    browser.execute_script(
        "document.documentElement.lang = 'zh-hans';document.body.innerHTML = arguments[0];",
        '<main><div id="box" style="width:100px"><table style="width:300px"><tr><td>1</td></tr></table></div>'
        '<table style="width:40px"><tr><td id="tiny">网格员名称</td><td>网格员名称</td></tr></table>'
        f"<p>{msgids[-1]}</p><p>中福1网格</p></main>",
    )
    seen = browser.execute_script(MEASURE)
    assert [box for box in seen["overflowing"] if box.startswith("main > div#box (")], seen["overflowing"]
    assert [cell for cell in seen["narrow_cells"] if "td#tiny" in cell], seen["narrow_cells"]
    text = "\n".join(seen["text"])
    assert text_problems(text, "zh-hans", ["中福1网格"], msgids) == [f"English in Chinese: {msgids[-1]}"]
    assert text_problems(text, "en", ["中福1网格"], msgids) == ["Chinese in English: 网格员名称"]
    assert text_problems(text, "en", ["中福1网格", "网格员名称"], msgids) == []


def test_every_role_every_menu_page_fits_and_speaks_one_language(live_server, browser):
    call_command("demo", residents=3000, seed=1, password="walk-the-pages-9", stdout=open(os.devnull, "w"))
    calls_for_grid1()
    values, msgids = data_values(), our_msgids()
    report = []
    for username in ROLES:
        for language in LANGUAGES:
            log_in(browser, live_server.url, get_user_model().objects.get(username=username), language)
            for width, height in WIDTHS:
                set_viewport(browser, width, height)
                for url, problems in walk(browser, live_server.url, username, language, width, values, msgids).items():
                    where = f"{username} {language} {width}px {url.removeprefix(live_server.url)}"
                    report += [f"{where}: {problem}" for problem in problems]
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)
