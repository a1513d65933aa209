"""`gridcare demo --residents N --seed S [--password PW] [--reset]`: builds the demo district and one login per role.

The register comes from registry.demo; then each later app's `<app>.demo.build_demo(rng=, stdout=)` adds its own
demo data, each with its own random stream so that one app's changes do not reshuffle another's data."""

import importlib
import random
import secrets
import time
import unicodedata

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import translation

from core.commands import SystemCommand
from registry import demo as register_demo
from registry.models import Area, SpecialGroup

# Apps that add demo data on top of the register, in this order.
DEMO_APPS = ["screening", "care", "tracing", "logistics", "volunteers", "notices"]
# username, role, area: the district, a street or community by name, or "<community>/<n>" for its n-th grid.
DEMO_USERS = [
    ("admin", "district_admin", "江海区"),
    ("street", "street_staff", "礼乐街道"),
    ("community", "community_staff", "中福社区"),
    ("grid1", "grid_worker", "中福社区/1"),
    ("grid2", "grid_worker", "中福社区/2"),
    ("medic", "medic", "江海区"),
    ("lab", "lab", "江海区"),
    ("volunteers", "volunteer_lead", "中福社区"),
    ("checkpoint", "checkpoint_staff", "中福社区"),
    ("tracing", "tracing_staff", "江海区"),
    ("logistics", "logistics_staff", "江海区"),
    ("volunteer", "volunteer", "中福社区"),
]
# The demo staff's names (family name, given name), so pages show "王芳 · 社区工作人员", not a username.
DEMO_NAMES = {
    "admin": ("陈", "明"),
    "street": ("李", "强"),
    "community": ("王", "芳"),
    "grid1": ("张", "伟"),
    "grid2": ("刘", "洋"),
    "medic": ("赵", "敏"),
    "lab": ("孙", "丽"),
    "volunteers": ("周", "杰"),
    "checkpoint": ("吴", "刚"),
    "tracing": ("郑", "静"),
    "logistics": ("冯", "军"),
    "volunteer": ("何", "勇"),
}


class Command(SystemCommand):
    help = "Builds the demo district (Jianghai) with synthetic residents and one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=30_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--password", help="password of every demo user (default: a random one, printed)")
        parser.add_argument("--reset", action="store_true", help="delete the register and demo data first")
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument(
            "--venue-scans", type=int, default=20_000, help="venue visits over the last 7 days (tracing's demo)"
        )

    def handle(self, *args, **options):
        # The demo district is Chinese whatever language the caller's thread happens to speak (names made from
        # labels, "东城社区养老机构", are data: they must not come out in English when a test ran in English before).
        with translation.override(settings.LANGUAGE_CODE):
            self.build(**options)

    def build(self, *, residents, seed, password, reset, url, venue_scans=20_000, **options):
        if residents < 1:
            raise CommandError("--residents must be at least 1")
        phase = Phases(self.stdout)
        if reset:
            with phase("reset"):
                demo_reset()
        elif Area.all_objects.exists():
            raise CommandError("The register already has data; run `gridcare demo --reset` to replace it.")
        with phase("register"):
            register_demo.build_demo(rng=random.Random(seed), stdout=self.stdout, residents=residents)
        # Users before the apps' demo data, so that an app can give the named users work (grid1's follow-ups).
        password = password or secrets.token_urlsafe(9)
        with phase("users"):
            logins = demo_users_create(password)
        # Options of one app's demo, passed to that app only.
        app_options = {"tracing": {"venue_scans": venue_scans}}
        for offset, label in enumerate(DEMO_APPS, start=1):
            module = demo_module(label)
            if module is not None:
                with phase(label):
                    module.build_demo(
                        rng=random.Random(f"{seed}:{label}:{offset}"), stdout=self.stdout, **app_options.get(label, {})
                    )
        with phase("statistics"):
            # Without table statistics SQLite's planner prefers the area index over the name index and search
            # scans the whole district; PostgreSQL's autovacuum would analyze only later.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        phase.total()
        self.stdout.write("")
        self.stdout.write(f"{'username':<12} {'role':<16} {pad('area', 16)} password")
        for username, role, area in logins:
            self.stdout.write(f"{username:<12} {role:<16} {pad(area, 16)} {password}")
        self.stdout.write(f"\nOpen {url}")


class Phases:
    """Times each phase of the build and prints it."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.started = time.perf_counter()

    def __call__(self, name):
        return _Phase(self, name)

    def total(self):
        self.stdout.write(f"demo built in {time.perf_counter() - self.started:.1f} s")


class _Phase:
    def __init__(self, phases, name):
        self.phases, self.name = phases, name

    def __enter__(self):
        self.started = time.perf_counter()

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.phases.stdout.write(f"  {self.name}: {time.perf_counter() - self.started:.1f} s")


def pad(text, width):
    """Pads to a terminal width, counting each Chinese character as two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def demo_module(label):
    if not apps.is_installed(label):
        return None
    try:
        return importlib.import_module(f"{label}.demo")
    except ModuleNotFoundError as exc:
        if exc.name != f"{label}.demo":
            raise
        return None


def demo_users_create(password):
    """One user per role (replacing earlier demo users of the same names). Returns [(username, role, area name)]."""
    User = get_user_model()
    encoded = make_password(password)  # hashed once: Argon2 is slow on purpose
    logins = []
    for username, role, where in DEMO_USERS:
        area = demo_area(where)
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.area, user.is_active = role, area, True
        user.last_name, user.first_name = DEMO_NAMES[username]
        user.password = encoded
        user.save()
        logins.append((username, role, area.name))
    return logins


def demo_area(where):
    name, _, grid_number = where.partition("/")
    area = Area.all_objects.filter(name=name).order_by("code").first()
    if grid_number:
        area = Area.all_objects.filter(parent=area).order_by("code")[int(grid_number) - 1]
    return area


def _reference_models():
    """Tables of the demo apps that hold reference data, not demo data: they survive a reset."""
    if not apps.is_installed("tracing"):
        return []
    from tracing.models import ArrivalRule, Division, ProtocolVersion, TracingSettings

    return [ProtocolVersion, TracingSettings, ArrivalRule, Division]


def demo_reset():
    """Deletes the register and everything that hangs on it (every table of the register's and the demo apps'
    models, except the special-group list, tracing's protocol editions and settings) and the demo users. Foreign keys are checked at commit, so the tables
    can be emptied in any order."""
    keep = {SpecialGroup, *_reference_models()}
    labels = ["registry"] + [label for label in DEMO_APPS if apps.is_installed(label)]
    models = [
        m for label in labels for m in apps.get_app_config(label).get_models(include_auto_created=True) if m not in keep
    ]
    User = get_user_model()
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        # Users bound to a deleted area lose the binding; the demo's own users are recreated.
        User.objects.filter(area__isnull=False).update(area=None)
        User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).delete()
