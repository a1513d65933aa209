"""The Chinese catalogs are complete: every entry of every app's .po has a translation that is not fuzzy and keeps
the placeholders of its msgid, and every translatable string in the code and templates is in its app's .po. This
is the CI check of issue #11 ("CI fails on an untranslated .po entry"); it runs in `make test` like any test."""

import ast
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from core.discovery import project_app_labels

ROOT = Path(settings.BASE_DIR)
APPS = project_app_labels()
CATALOG = "locale/zh_Hans/LC_MESSAGES/django.po"
# What makemessages reads (its default extensions) and what it must not walk into.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
SKIPPED_DIRS = {"locale", "__pycache__", "node_modules", ".git"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstrs: list = field(default_factory=list)
    flags: set = field(default_factory=set)
    line: int = 0

    @property
    def key(self):
        return (self.msgctxt, self.msgid)


def parse_po(path):
    """The live (not obsolete) entries of a .po file, header excluded. Enough of the format for our catalogs:
    msgctxt, msgid, msgid_plural, msgstr[n], continuation lines and '#,' flags."""
    entries, entry, target = [], Entry(), None

    def finish():
        nonlocal entry
        if entry.msgid or entry.msgstrs:
            entries.append(entry)
        entry = Entry()

    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            target = None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, value = line.partition(" ")
            if keyword == "msgctxt" and (entry.msgid or entry.msgstrs):
                finish()
            entry.line = entry.line or number
            target = keyword
            if keyword.startswith("msgstr"):
                entry.msgstrs.append("")
            _append(entry, target, ast.literal_eval(value))
    finish()
    return [e for e in entries if e.msgid]


def _append(entry, target, text):
    if target == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif target == "msgid":
        entry.msgid += text
    elif target == "msgid_plural":
        entry.msgid_plural += text
    elif target and target.startswith("msgstr"):
        entry.msgstrs[-1] += text


def catalogs():
    return [ROOT / app / CATALOG for app in APPS]


def test_every_app_has_a_catalog():
    assert [path for path in catalogs() if not path.exists()] == []


@pytest.mark.parametrize("app", APPS)
def test_catalog_has_no_untranslated_or_fuzzy_entry(app):
    path = ROOT / app / CATALOG
    bad = [
        f"{path.relative_to(ROOT)}:{e.line}: {'fuzzy' if 'fuzzy' in e.flags else 'untranslated'}: {e.msgid!r}"
        for e in parse_po(path)
        if "fuzzy" in e.flags or not all(s.strip() for s in e.msgstrs)
    ]
    assert bad == [], "fill in the translation (and drop '#, fuzzy'):\n" + "\n".join(bad)


@pytest.mark.parametrize("app", APPS)
def test_catalog_keeps_placeholders_and_compiles(app):
    """msgfmt --check: a translation that drops or renames %(name)s or {name} would fail at render time."""
    path = ROOT / app / CATALOG
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _copy_sources(target):
    """The project's sources (not the venv, var/ or the catalogs) into target, each app with an empty locale/."""
    for app in APPS:
        (target / app / "locale").mkdir(parents=True)
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        top = relative.parts[0]
        if top in (".venv", "var") or top.startswith(".") or SKIPPED_DIRS & set(relative.parts):
            continue
        if path.is_file() and not path.is_symlink() and path.suffix in SOURCE_SUFFIXES:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory, monkeypatch_module):
    """What `makemessages -l zh_Hans` finds in a copy of the tree today (about a second), per app."""
    tree = tmp_path_factory.mktemp("tree")
    _copy_sources(tree)
    monkeypatch_module.chdir(tree)
    with override_settings(LOCALE_PATHS=[str(tree / "gridcare" / "locale")]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    return {app: parse_po(tree / app / CATALOG) for app in APPS}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("app", APPS)
def test_catalog_holds_every_string_of_the_code(app, extracted):
    have = {e.key for e in parse_po(ROOT / app / CATALOG)}
    missing = [f"{e.msgid!r}" for e in extracted[app] if e.key not in have]
    assert missing == [], (
        f"strings of {app}/ missing from {app}/{CATALOG}; run `gridcare makemessages -l zh_Hans --ignore '.venv/*' "
        "--ignore 'var/*'` in the app directory and translate them:\n" + "\n".join(missing)
    )


def test_the_parser_sees_what_msgfmt_sees():
    """The checks above are only as good as the parser: its counts agree with msgfmt's own statistics."""
    for path in catalogs():
        entries = parse_po(path)
        done = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        translated = sum(1 for e in entries if "fuzzy" not in e.flags and all(s for s in e.msgstrs))
        assert done.stderr.startswith(f"{translated} translated message"), (path, done.stderr)


def test_a_fuzzy_or_empty_entry_is_caught(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: a.py:1\nmsgid "kept"\nmsgstr "保留"\n\n'
        '#, fuzzy\nmsgid "guessed"\nmsgstr "猜的"\n\n'
        'msgid "one %(n)s"\nmsgid_plural "many %(n)s"\nmsgstr[0] ""\n\n'
        'msgctxt "door"\nmsgid "open"\nmsgstr ""\n"开"\n\n'
        '#~ msgid "gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = {e.msgid: e for e in parse_po(po)}
    assert set(entries) == {"kept", "guessed", "one %(n)s"} | {"open"}
    assert "fuzzy" in entries["guessed"].flags
    assert entries["one %(n)s"].msgstrs == [""]
    assert entries["open"].key == ("door", "open") and entries["open"].msgstrs == ["开"]
