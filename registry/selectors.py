"""Reads of the register. Every query goes through the scoped default managers, so a caller sees only its subtree;
each function runs a fixed number of queries whatever the size of the area."""

import re
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q

from core.discovery import app_modules
from core.inputs import search_text
from registry.models import Area, Building, Household, Person, PersonGroup, SpecialGroup

SEARCH_LIMIT = 50
STREET = Area.Level.STREET
BUILDING_PAGE_SIZE = 20  # households a building page shows before "more"
_DIGITS4 = re.compile(r"^\d{4}$")
_LETTERS = re.compile(r"^[a-z]+$")


def areas_down_to(level):
    """Every area of `level` or above (a smaller level number), in code order."""
    return list(Area.objects.filter(level__lte=level).order_by("code"))


def special_groups():
    return list(SpecialGroup.objects.all())


def _grid_to_child(area):
    """{grid id: child area id} for every grid under `area` (a child that is itself a grid maps to itself)."""
    children = {a.code: a.pk for a in Area.objects.filter(parent=area)}
    length = Area.CODE_LENGTH[area.level + 1] if area.level < Area.Level.GRID else None
    grids = Area.objects.filter(level=Area.Level.GRID, code__startswith=area.code).values_list("pk", "code")
    return {pk: children[code[:length]] for pk, code in grids if code[:length] in children}


def area_counts(grid_ids):
    """Persons and persons per special group, by grid: ({grid id: n}, {grid id: {group id: n}})."""
    persons = dict(
        Person.objects.filter(grid_id__in=grid_ids)
        .order_by()
        .values("grid_id")
        .annotate(n=Count("id"))
        .values_list("grid_id", "n")
    )
    groups = defaultdict(dict)
    rows = (
        PersonGroup.objects.filter(person__grid_id__in=grid_ids)
        .order_by()
        .values("person__grid_id", "group_id")
        .annotate(n=Count("id"))
        .values_list("person__grid_id", "group_id", "n")
    )
    for grid_id, group_id, n in rows:
        groups[grid_id][group_id] = n
    return persons, groups


def area_children_with_counts(area):
    """The area's children, each with `.person_count` and `.group_counts` ({group id: n}), plus the area's own
    totals on `area.person_count` / `area.group_counts`. Four queries, whatever the number of children."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    grid_to_child = _grid_to_child(area) if area.level < Area.Level.GRID else {area.pk: area.pk}
    persons, groups = area_counts(list(grid_to_child))
    by_child = {child.pk: child for child in children}
    for child in [*children, area]:
        child.person_count = 0
        child.group_counts = defaultdict(int)
    for grid_id, child_id in grid_to_child.items():
        for target in (by_child.get(child_id), area):
            if target is None:
                continue
            target.person_count += persons.get(grid_id, 0)
            for group_id, n in groups.get(grid_id, {}).items():
                target.group_counts[group_id] += n
    return children


def grid_buildings(grid):
    """A grid's buildings with household, person and special-group-person counts. Two queries."""
    buildings = list(
        Building.objects.filter(grid=grid)
        .select_related("compound")
        .annotate(household_count=Count("households", distinct=True))
        .order_by("compound__name", "address", "name")
    )
    counts = defaultdict(lambda: [0, 0])
    rows = (
        Person.objects.filter(grid=grid, household__isnull=False)
        .order_by()
        .values("household__building_id")
        .annotate(n=Count("id", distinct=True), special=Count("group_tags__person_id", distinct=True))
        .values_list("household__building_id", "n", "special")
    )
    for building_id, n, special in rows:
        counts[building_id] = [n, special]
    for building in buildings:
        building.person_count, building.special_count = counts[building.pk]
    return buildings


def building_households(building, page=1, per_page=BUILDING_PAGE_SIZE):
    """One page of a building's households (a Django Page, door order), each with `.members` (persons with their
    special groups). A tower holds 500 doors; a phone needs the first few floors and a "more" link. Four queries."""
    households = Household.objects.filter(building=building).order_by("unit", "floor", "room")
    page = Paginator(households, per_page).get_page(page)
    members = defaultdict(list)
    persons = Person.objects.filter(household__in=[h.pk for h in page.object_list]).only(
        "name", "sex", "birth_date", "relation", "residence_status", "household_id", "grid_id"
    )
    for person in _with_groups(persons).order_by("household_id", "id"):
        members[person.household_id].append(person)
    for household in page.object_list:
        household.members = members[household.pk]
    return page


def grid_unhoused(grid):
    """Persons of a grid not (yet) placed in a household, e.g. registered on the spot (not the erased: nobody is to
    place them)."""
    unhoused = Person.objects.filter(grid=grid, household__isnull=True).exclude(
        residence_status=Person.ResidenceStatus.ERASED
    )
    return list(_with_groups(unhoused).order_by("name"))


def _with_groups(queryset):
    return queryset.prefetch_related(Prefetch("special_groups", queryset=SpecialGroup.objects.order_by("sort")))


def person_get(pk):
    """A person with what the person page shows, or Person.DoesNotExist outside the caller's scope."""
    return Person.objects.select_related("grid__parent__parent", "household__building__compound").get(pk=pk)


def person_banners(person):
    """What other apps say of the person at the top of their page (a control of where they live, …): each app's
    selectors may offer `person_banners(person) -> [{"text", "level", "url"}]`, found without registry importing
    them."""
    from core.discovery import app_modules

    return [
        b
        for module in app_modules("selectors")
        if module.__name__ != __name__
        for b in getattr(module, "person_banners", lambda p: [])(person)
    ]


def person_detail(person):
    """Household members, special groups, residence history and the audit trail of changes to the person."""
    from core.models import AuditEvent

    members = []
    if person.household_id:
        members = list(Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk).order_by("id"))
    return {
        "banners": person_banners(person),
        "groups": list(person.special_groups.order_by("sort")),
        "members": members,
        "residences": list(person.residences.select_related("grid", "household__building").order_by("-started_at")),
        "trail": list(
            AuditEvent.objects.filter(target_type=Person._meta.label_lower, target_id=str(person.pk))
            .select_related("actor")
            .order_by("-at")[:50]
        ),
        "sections": person_sections(person),
    }


def person_sections(person):
    """What other apps show of the person (each app's selectors.person_sections(person) -> [{"template": …, …}]),
    without the register importing them."""

    return [
        section
        for module in app_modules("selectors")
        if module.__name__ != __name__ and hasattr(module, "person_sections")
        for section in module.person_sections(person)
    ]


def _range(field, prefix):
    """`field` starts with `prefix`, as a range both databases answer from a B-tree index (SQLite's LIKE does
    not use an index; PostgreSQL's does only with pattern ops)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def person_search(q, limit=SEARCH_LIMIT):
    """Persons matching `q` within the caller's scope, best matches first, at most `limit`.

    4 digits → the last 4 of the ID or phone number; latin letters → pinyin initials (张伟 → zw) by prefix;
    anything else → name by prefix; failing that, name containing it; failing that, building address containing
    it."""
    q = search_text(q)
    if not q:
        return []
    base = Person.objects.select_related("grid", "household__building").order_by()
    if _DIGITS4.match(q):
        return list(base.filter(Q(id_last4=q) | Q(phone_last4=q)).order_by("name", "id")[:limit])
    if _LETTERS.match(q.lower()):
        q = q.lower()
        return list(base.filter(_range("name_initials", q)).order_by("name_initials", "name", "id")[:limit])
    found = list(base.filter(_range("name", q)).order_by("name", "id")[:limit])
    if found:
        return found
    # Only when no name starts with it: a given name without the surname, or an address. These scan (on
    # PostgreSQL the trigram GIN indexes serve `contains`, LIKE '%q%'; `icontains` would not), so they stay off
    # the common path.
    found = list(base.filter(name__contains=q).order_by("name", "id")[:limit])
    if found:
        return found
    buildings = Building.objects.filter(address__contains=q).values("pk")
    return list(base.filter(household__building__in=buildings).order_by("household_id", "id")[:limit])


def person_export_rows(area):
    """Every person under `area`, in ledger order, with what an export row shows."""
    return _with_groups(
        Person.objects.filter(grid__code__startswith=area.code).select_related("grid", "household__building")
    ).order_by("grid__code", "household__building__address", "household__unit", "household__room", "id")


def area_by_code(code):
    """The area with this code inside the caller's scope; Http404 outside it (as for a code that does not exist)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Area.objects.all(), code=code)


def area_children(area):
    """The area's children in the caller's scope, in code order (boundaries included). One query."""
    return list(Area.objects.filter(parent=area).order_by("code"))


def person_data(person):
    """The register's part of a person's data export (registry.personal_data): their entry, household, tags and
    where they lived."""
    from registry.models import Residence

    return [
        Person.objects.filter(pk=person.pk),
        Household.objects.filter(pk=person.household_id),
        PersonGroup.objects.filter(person=person),
        Residence.objects.filter(person=person),
    ]
