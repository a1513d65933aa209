"""Finding people and the grid page, through the HTTP stack (middleware, scoping, templates) with Django's test
client, as the demo users: search as the district admin over every resident, the grid page as a grid worker.

Queries are the kinds people type: a full name, a surname plus one character, pinyin initials of two or three
letters, the last 4 digits of an ID number. They are taken from residents spread over the whole district."""

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from bench.common import BENCH_PASSWORD, Result, p95, timed_ms
from registry.models import Area, Building, Person
from registry.selectors import BUILDING_PAGE_SIZE

SEARCH_TARGET_MS = 50
PAGE_TARGET_MS = 100


def logged_in(username):
    client = Client()
    if not client.login(username=username, password=BENCH_PASSWORD):
        raise RuntimeError(f"cannot log in as {username}")
    return client


def sample_queries(n=40):
    total = Person.all_objects.count()
    step = max(1, total // n)
    rows = Person.all_objects.order_by("id").values_list("name", "name_initials", "id_last4")[::step][:n]
    queries = []
    for name, initials, last4 in rows:
        queries += [name, name[:2], initials[:2], initials[:3], last4]
    return queries


def measure(client, urls, repeat, **headers):
    durations = []
    for url in urls:
        durations += timed_ms(lambda u=url: _get(client, u, **headers), repeat=repeat, warmup=1)
    return durations


def _get(client, url, **headers):
    response = client.get(url, **headers)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def run(database):
    total = Person.all_objects.count()
    search_url = reverse("registry:search")
    queries = sample_queries()
    admin = logged_in("admin")
    search = measure(admin, [f"{search_url}?q={q}" for q in queries], repeat=2)

    worker = logged_in("grid1")
    grid = get_user_model().objects.select_related("area").get(username="grid1").area
    grid_page = measure(worker, [reverse("registry:grid", args=[grid.code])], repeat=40)
    buildings = Building.all_objects.filter(grid=grid).annotate(doors=Count("households"))[:10]
    building_pages = measure(worker, [reverse("registry:building", args=[b.pk]) for b in buildings], repeat=4)
    # The "more" button: the next households as the htmx fragment the page appends.
    towers = [b for b in buildings if b.doors > BUILDING_PAGE_SIZE]
    more = [f"{reverse('registry:building', args=[b.pk])}?page=2" for b in towers]
    building_pages += measure(worker, more, repeat=4, HTTP_HX_REQUEST="true")
    grid_persons = Person.all_objects.filter(grid=grid).count()
    grids = Area.all_objects.filter(level=Area.Level.GRID).count()

    def result(name, durations, target, note):
        value = round(p95(durations), 1)
        return Result(name, value, "ms p95", f"< {target} ms p95", value < target, database, note)

    return [
        result(
            f"name/pinyin search over {total:,} people",
            search,
            SEARCH_TARGET_MS,
            f"{len(queries)} queries (names, name prefixes, initials, last 4) ×2, as the district admin, full page",
        ),
        result(
            "grid page (buildings with counts)",
            grid_page,
            PAGE_TARGET_MS,
            f"grid worker's grid: {grid_persons} persons, {len(buildings)}+ buildings; {grids} grids in the district",
        ),
        result(
            "building page (households → persons)",
            building_pages,
            PAGE_TARGET_MS,
            f"{len(buildings)} buildings of the grid worker's grid ({max(b.doors for b in buildings)} doors at most), "
            f"the first {BUILDING_PAGE_SIZE} households and, for {len(towers)} of them, the next {BUILDING_PAGE_SIZE} "
            "(the htmx fragment of “more households”)",
        ),
    ]
