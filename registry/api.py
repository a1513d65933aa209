"""Registry reads for devices and apps, scoped like the pages (the default managers filter by the caller's area).
ID and phone numbers leave only masked, and no birth date leaves at all: it is the eight digits the ID mask hides, so
persons carry their age instead. Every read of persons needs `registry.view_person` (a volunteer lead may see the
area tree, not the people in it)."""

from contextlib import nullcontext

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from core.access import require
from core.context import narrowed_to
from core.pagination import PageNumberPagination
from registry import selectors
from registry.models import Area, Person

router = Router(tags=["registry"])


class AreaOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None = Field(None, alias="parent.code")


class GroupCount(Schema):
    code: str
    name: str
    count: int


class ChildCount(Schema):
    code: str
    name: str
    level: int
    persons: int


class AreaDetailOut(AreaOut):
    persons: int
    groups: list[GroupCount]
    children: list[ChildCount]


class PersonOut(Schema):
    id: int
    name: str
    grid_code: str = Field(alias="grid.code")
    household_id: int | None
    id_type: str
    masked_id_number: str
    masked_phone: str
    sex: str
    age: int | None
    relation: str
    residence_status: str
    mobility: str
    special_groups: list[str]

    @staticmethod
    def resolve_special_groups(person):
        return [g.code for g in person.special_groups.all()]


class PersonDetailOut(PersonOut):
    address: str
    door: str

    @staticmethod
    def resolve_address(person):
        return person.household.building.address if person.household_id else ""

    @staticmethod
    def resolve_door(person):
        return person.household.door_label if person.household_id else ""


@router.get("/areas", response=list[AreaOut], summary="Areas in your scope")
@paginate(PageNumberPagination, page_size=100)
def area_list(request, level: int | None = None):
    areas = Area.objects.select_related("parent").order_by("code")
    return areas.filter(level=level) if level else areas


@router.get("/areas/{code}", response=AreaDetailOut, summary="One area with persons counted by child and group")
def area_detail(request, code: str):
    area = get_object_or_404(Area.objects.select_related("parent"), code=code)
    children = selectors.area_children_with_counts(area)
    return {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "parent": area.parent,
        "persons": area.person_count,
        "groups": [
            {"code": g.code, "name": g.label, "count": area.group_counts.get(g.pk, 0)}
            for g in selectors.special_groups()
        ],
        "children": [{"code": c.code, "name": c.name, "level": c.level, "persons": c.person_count} for c in children],
    }


@router.get("/persons", response=list[PersonOut], summary="Persons in your scope; ?area=CODE narrows, ?q= searches")
@paginate(PageNumberPagination, page_size=50)
def person_list(request, area: str | None = None, q: str | None = None):
    require("registry.view_person")
    within = get_object_or_404(Area, code=area) if area else None
    if q:
        with narrowed_to(within) if within else nullcontext():
            found = selectors.person_search(q, limit=200)
        prefetch_related_objects(found, "special_groups")
        return found
    persons = Person.objects.select_related("grid").prefetch_related("special_groups").order_by("id")
    return persons.filter(grid__code__startswith=within.code) if within else persons


@router.get("/persons/{int:person_id}", response=PersonDetailOut, summary="One person (numbers masked)")
def person_detail(request, person_id: int):
    require("registry.view_person")
    return get_object_or_404(
        Person.objects.select_related("grid", "household__building").prefetch_related("special_groups"),
        pk=person_id,
    )
