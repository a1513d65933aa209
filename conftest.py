"""Shared test fixtures: a small district built through the same code as the demo, and one named user per role.

Areas (codes nest by prefix):
  440704 江海区 → 440704001 礼乐街道 → 440704001001 中福社区 → grids 440704001001001 (A) and 440704001001002 (B)
                                     → 440704001002 新创村 → grid 440704001002001 (C)
              → 440704002 外海街道 → 440704002001 银泉社区 → grid 440704002001001 (D)
Users: dana (district admin), stella (street staff, 礼乐), cora (community staff, 中福), gwen (grid worker, A),
       greg (grid worker, B — gwen's neighbour), mia (medic), lena (lab), vic (volunteer lead, 中福),
       cass (checkpoint staff, 中福), tess (tracing staff), lou (logistics staff), vera (volunteer, 中福).
"""

import threading

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import override_settings

from core.context import acting_as, current_actor, system_actor

PASSWORD = "correct-horse-9"


def at_once(fn, n=2, actors=None):
    """Runs fn(i) in n threads released together, each acting as actors[i] (default: whoever acts here — a thread
    starts as nobody, core.context fails closed); returns what each returned, or the exception it raised. For
    race tests on a real database (`django_db(transaction=True)`)."""
    from django.db import connection

    barrier = threading.Barrier(n)
    answers = [None] * n
    actors = actors or [current_actor()] * n

    def run(i):
        try:
            with acting_as(actors[i]):
                barrier.wait()
                answers[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 (the test looks at what each thread got)
            answers[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 at its cheapest. The real parameters spend ~0.1 s and 100 MB per hash by design, and the suite makes
    a dozen users per test and logs in thousands of times. The hashes are still "argon2$…" with their parameters in
    them, so a served process of a test (gunicorn, on the real settings) verifies them."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing():
    with override_settings(PASSWORD_HASHERS=["conftest.QuickArgon2PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _system_actor():
    """Test setup acts as the system (no area filter), as commands and tasks do."""
    with system_actor():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Limits and the login mutex count in the database cache (core.limits), whose table a transactional test's
    flush leaves alone: every test that uses a database starts with it empty. The same flush takes the data
    migrations' rows (REFERENCE_SEEDS) along, so they are put back when they are gone, whichever test ran before."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from django.core.cache import cache

    from registry.models import SpecialGroup

    cache.clear()
    if not SpecialGroup.objects.exists():
        reseed_reference_data()


# Rows that data migrations seed. A transactional test flushes the database when it ends, taking them along: the
# autouse fixture above puts them back (idempotently) for the next test.
REFERENCE_SEEDS = [
    ("registry.migrations.0002_special_groups_and_search", "seed_groups"),
    ("care.migrations.0002_seed_plans_and_risk", "seed"),
    ("care.migrations.0006_risk_names_in_english", "name_risk_levels_in_english"),
    ("tracing.migrations.0002_protocol_versions", "add_editions"),
    ("tracing.migrations.0003_arrivals", "add_arrival_rules"),
]


def reseed_reference_data():
    import importlib

    from django.apps import apps

    for module, function in REFERENCE_SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def areas(db):
    from registry.models import Area

    def make(code, name, level, parent=None):
        return Area.all_objects.create(code=code, name=name, level=level, parent=parent)

    d = make("440704", "江海区", 1)
    lile = make("440704001", "礼乐街道", 2, d)
    zhongfu = make("440704001001", "中福社区", 3, lile)
    xinchuang = make("440704001002", "新创村", 3, lile)
    waihai = make("440704002", "外海街道", 2, d)
    yinquan = make("440704002001", "银泉社区", 3, waihai)
    return {
        "district": d,
        "lile": lile,
        "zhongfu": zhongfu,
        "xinchuang": xinchuang,
        "waihai": waihai,
        "yinquan": yinquan,
        "A": make("440704001001001", "中福1网格", 4, zhongfu),
        "B": make("440704001001002", "中福2网格", 4, zhongfu),
        "C": make("440704001002001", "新创1网格", 4, xinchuang),
        "D": make("440704002001001", "银泉1网格", 4, yinquan),
    }


@pytest.fixture
def users(areas, django_user_model):
    from accounts.roles import Role

    def make(username, role, area):
        return django_user_model.objects.create_user(username, password=PASSWORD, role=role, area=area)

    return {
        "dana": make("dana", Role.DISTRICT_ADMIN, areas["district"]),
        "stella": make("stella", Role.STREET_STAFF, areas["lile"]),
        "cora": make("cora", Role.COMMUNITY_STAFF, areas["zhongfu"]),
        "gwen": make("gwen", Role.GRID_WORKER, areas["A"]),
        "greg": make("greg", Role.GRID_WORKER, areas["B"]),
        "mia": make("mia", Role.MEDIC, areas["district"]),
        "lena": make("lena", Role.LAB, areas["district"]),
        "vic": make("vic", Role.VOLUNTEER_LEAD, areas["zhongfu"]),
        "cass": make("cass", Role.CHECKPOINT_STAFF, areas["zhongfu"]),
        "tess": make("tess", Role.TRACING_STAFF, areas["district"]),
        "lou": make("lou", Role.LOGISTICS_STAFF, areas["district"]),
        "vera": make("vera", Role.VOLUNTEER, areas["zhongfu"]),
    }


@pytest.fixture
def make_person(areas):
    """make_person("A", name=..., id_number=...) → a person in a new household of a building in grid A."""
    from registry.models import Building, Household
    from registry.services import person_create
    from registry.testing import synthetic_id_number

    counter = {"n": 0}

    def make(grid_key="A", **fields):
        counter["n"] += 1
        grid = areas[grid_key]
        building, _ = Building.all_objects.get_or_create(
            grid=grid, name="1栋", defaults={"address": f"{grid.name}路1号", "floors": 6, "units": 2}
        )
        household = Household.all_objects.create(
            building=building, grid=grid, unit=1, floor=1 + counter["n"] % 6, room=f"{100 + counter['n']}"
        )
        fields.setdefault("name", f"测试{counter['n']}")
        fields.setdefault("id_number", synthetic_id_number(counter["n"]))
        fields.setdefault("phone", f"138{counter['n']:08d}")
        return person_create(grid=grid, household=household, **fields)

    return make
