"""No English in Chinese pages, no Chinese in English pages (issue #11, part 4): every page each role can open
(and its htmx fragment, and the Excel downloads' cells) is rendered in both languages with the test client, and
what a person reads — text, button values, titles, placeholders, labels of stacked tables, the JSON islands of
translated strings — is checked once the data shown on it (names, addresses, notes, codes: values of the rows in
the database) is taken out. The browser walk at phone width is the browser tests'; this is the fast one."""

import json
import re
import zipfile
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from conftest import PASSWORD
from core.discovery import project_app_labels
from core.translated import NamedInLanguages
from gridcare.tests.routes import app_leak_objects, fill, url_routes
from registry.models import Compound, Person, PersonGroup, SpecialGroup

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Words a Chinese page may show as they are: names of formats and standards, and the other language's own name
# on the language switch ("中文" on English pages, "English" on Chinese ones).
KEPT_AS_THEY_ARE = {"English", "中文", "API", "Excel", "CSV", "GBK", "UTF", "xlsx", "xls", "ods", "csv", "PDF"}
# The names of our commands, quoted on the pages whose numbers they make; the receipt number's pattern; the
# placeholders of the desk's translated strings ({code}); model labels the audit log names ("accounts.user").
KEPT_PHRASES = re.compile(r"\bcare-plan-day\b|\bcare-escalate\b|\bHR(-X+)+\b|\{\w+\}|\b[a-z_]+\.[a-z_]+\b")
# What Django's admin writes untranslated (the alt text of its yes/no icons and of the search icon) and the keys
# its own Chinese help for multiple selection names.
KEPT_IN_THE_ADMIN = {"True", "False", "None", "Search", "Control", "Command", "Mac"}
# Reference rows named per language (core.translated.NamedInLanguages): their names must follow the language, so
# they do not count as data.
NAMED_IN_LANGUAGES = {
    (m._meta.app_label, m._meta.model_name) for m in apps.get_models() if issubclass(m, NamedInLanguages)
}
# Reports kept as they were written when a background job ran (an import's rejected rows).
STORED_REPORTS = {("registry", "importjob")}
ROLES = ["dana", "cora", "gwen", "mia", "lena", "vic", "cass", "tess", "lou", "vera"]
PROJECT_APPS = set(project_app_labels())
ATTRIBUTES_READ = {"title", "placeholder", "aria-label", "alt", "data-label"}


class ReadText(HTMLParser):
    """What a reader sees: text outside <script>/<style>, the strings of JSON islands, attributes that are read
    (and the value of buttons). Text marked as another language (`lang` on an element: an example written as
    residents write it) and `<code>` (an address of the API) belong to no page language."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip, self._json, self._marked = [], 0, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "code" or (tag != "html" and "lang" in attrs):
            self._marked.append(tag)
        if tag in ("script", "style"):
            self._skip += 1
            self._json = attrs.get("type") == "application/json"
        for name in ATTRIBUTES_READ & set(attrs):
            self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button"):
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if self._marked and tag == self._marked[-1]:
            self._marked.pop()
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
            self._json = False

    def handle_data(self, data):
        if self._marked:
            return
        if not self._skip:
            self.parts.append(data)
        elif self._json and data.strip():
            self.parts.extend(_strings(json.loads(data)))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def read_text(response):
    """What the response shows a reader, one piece of text per line."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if content[:2] == b"PK":  # an Excel download: its cells
        with zipfile.ZipFile(BytesIO(content)) as book:
            names = [n for n in book.namelist() if n.endswith("sharedStrings.xml") or "/worksheets/" in n]
            xml = " ".join(book.read(n).decode() for n in names)
        return "\n".join(re.findall(r"<t[^>]*>([^<]*)</t>", xml))
    if not kind.startswith("text/html"):
        return ""
    parser = ReadText()
    parser.feed(content.decode())
    return "\n".join(parser.parts)


class Data:
    """Every text value stored in the project's rows, except choice codes and (outside the admin, which edits
    them) the names of reference rows that are named per language: what a page may show in either language."""

    def __init__(self, *, with_named=False):
        values = set()
        for model in apps.get_models():
            label = (model._meta.app_label, model._meta.model_name)
            if label[0] not in PROJECT_APPS:
                continue
            if label in NAMED_IN_LANGUAGES and not with_named:
                continue
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if (isinstance(f, models.CharField | models.TextField) and not f.choices)
                or (isinstance(f, models.JSONField) and label in STORED_REPORTS)
            ]
            manager = getattr(model, "all_objects", model._base_manager)
            for row in manager.values_list(*fields) if fields else ():
                values.update(v.strip() for v in _strings(list(row)) if v.strip())
        # One character (a unit such as 箱, the risk scale's 低/中/高 in the admin) is data only where it stands alone,
        # never as a piece of a longer word, which could be an untranslated label.
        self.characters = {v for v in values if len(v) == 1}
        self.values = sorted(values - self.characters, key=len, reverse=True)
        # A chart cuts long names short ("leak test site" → "leak test"): a piece of text that begins a value is data.
        self.beginnings = {v[:n] for v in values for n in range(3, len(v) + 1)}

    def strip(self, text):
        pieces = [p for p in text.splitlines() if p.strip() not in self.beginnings]
        text = "\n".join(pieces)
        for value in self.values:
            text = text.replace(value, " ")
        text = CJK.sub(lambda run: " " if run.group() in self.characters else run.group(), text)
        return KEPT_PHRASES.sub(" ", text)


def wrong_language(text, language, data, kept=frozenset()):
    text = data.strip(text)
    kept = KEPT_AS_THEY_ARE | kept
    if language == "en":
        return [w for w in CJK.findall(text) if w not in kept]
    return [w for w in ENGLISH_WORD.findall(text) if w not in kept]


@pytest.fixture
def resident(make_person, areas):
    """A person of grid A with what every app keeps about a person (the leak walker's objects), in a compound."""
    person = make_person("A", name="本格居民", phone="13912345678")
    PersonGroup.all_objects.create(person=person, group=SpecialGroup.objects.get(code="elderly_alone"))
    building = person.household.building
    building.compound = Compound.all_objects.create(name="明泰城", community=areas["zhongfu"])
    building.save(update_fields=["compound"])
    return Person.all_objects.select_related("household__building", "grid").get(pk=person.pk)


def page_urls(values, area):
    """Every page a browser opens (not the API, not the admin's object pages), with its parameters filled."""
    for route in url_routes():
        # (An import's error sheet gives back the uploaded rows under the file's own headers: data, any language.)
        if route.is_api or route.name in ("set_language", "logout", "registry:person_call", "imports:errors"):
            continue
        if route.name.startswith("admin:") and (route.params or route.name.endswith("_delete")):
            continue
        url = fill(route, values, area)
        if url is not None:
            yield url


def walk(client, urls, language, data, admin_data):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    problems, seen = [], 0
    for url in urls:
        in_admin = url.startswith("/admin/")
        for headers in ({},) if in_admin else ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            if response.status_code != 200:
                continue
            seen += 1
            if in_admin:
                found = wrong_language(read_text(response), language, admin_data, KEPT_IN_THE_ADMIN)
            else:
                found = wrong_language(read_text(response), language, data)
            if found:
                problems.append(f"{url}{' (htmx)' if headers else ''}: {sorted(set(found))[:12]}")
    return problems, seen


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_of_every_role_speaks_one_language(client, users, resident, language):
    values = app_leak_objects(resident)
    urls = list(page_urls(values, resident.grid))
    data, admin_data = Data(), Data(with_named=True)
    problems, pages = [], 0
    for username in ROLES:
        assert client.login(username=username, password=PASSWORD)
        found, seen = walk(client, urls, language, data, admin_data)
        problems += [f"{username} {p}" for p in found]
        pages += seen
        client.logout()
    found, seen = walk(client, urls, language, data, admin_data)  # the public pages, and the login page
    problems += [f"anonymous {p}" for p in found]
    assert pages + seen > 150, "the walk opened too few pages to mean anything"
    assert problems == [], f"{language} pages showing the other language:\n" + "\n".join(problems)


def test_the_check_sees_each_kind_of_slip(db):
    data = Data()
    data.values, data.beginnings = ["本格居民", "rice", "leak test site"], {"leak test"}
    data.characters = {"箱"}
    assert wrong_language("Name: 本格居民 · rice\nleak test", "en", data) == []
    assert wrong_language("3,000 箱 pledged · 箱子", "en", data) == ["箱子"]
    assert wrong_language("Name: 本格居民 · 独居老人", "en", data) == ["独居老人"]
    assert wrong_language("姓名：本格居民 · received · API · HR-XXXX-XX", "zh-hans", data) == ["received"]
    assert wrong_language("是 True", "zh-hans", data, KEPT_IN_THE_ADMIN) == []
