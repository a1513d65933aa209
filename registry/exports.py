"""The register's exportable lists (core.exports): built acting as the user who asked, through the scoped managers,
so an export holds only what that user may see."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.exports import Column, ExportList
from registry import selectors
from registry.models import Area, Person, PersonGroup, SpecialGroup

# One export row of a person, read as a tuple (the whole register is 365,000 of them: no model instances).
ROW_FIELDS = (
    "id",
    "grid__name",
    "household_id",
    "household__building__address",
    "household__unit",
    "household__room",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "relation",
    "residence_status",
)
ID, GRID, HOUSEHOLD, ADDRESS, UNIT, ROOM, NAME, SEX, BIRTH, ID_NUMBER, PHONE, RELATION, RESIDENCE = range(
    len(ROW_FIELDS)
)


def person_columns(tags):
    """The columns of a person row; `tags(person_id)` gives the person's special groups' labels."""
    sexes, relations, residences = (
        {key: str(label) for key, label in choices}
        for choices in (Person.Sex.choices, Person.Relation.choices, Person.ResidenceStatus.choices)
    )
    door = gettext("unit %(unit)s, %(room)s")
    today = timezone.localdate()

    def age(row):
        born = row[BIRTH]
        if born is None:
            return None
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    return [
        Column(_("grid"), lambda r: r[GRID]),
        Column(_("address"), lambda r: r[ADDRESS] if r[HOUSEHOLD] else ""),
        Column(_("door"), lambda r: door % {"unit": r[UNIT], "room": r[ROOM]} if r[HOUSEHOLD] else ""),
        Column(_("name"), lambda r: r[NAME]),
        Column(_("sex"), lambda r: sexes.get(r[SEX], "")),
        Column(_("age"), age),
        Column(_("ID number"), lambda r: r[ID_NUMBER], sensitive="id_number", width=22),
        Column(_("phone"), lambda r: r[PHONE], sensitive="phone", width=16),
        Column(_("relation"), lambda r: relations.get(r[RELATION], "")),
        Column(_("residence"), lambda r: residences.get(r[RESIDENCE], "")),
        Column(_("special groups"), lambda r: tags(r[ID])),
    ]


def _tags_of(persons):
    """person id → "、"-joined labels of their special groups, read on first use, in one query for all `persons`."""
    found = {}

    def tags(person_id):
        if not found:
            labels = {g.pk: g.label for g in SpecialGroup.objects.order_by("sort")}
            order = list(labels)
            pairs = PersonGroup.objects.filter(person__in=persons.values("pk")).values_list("person_id", "group_id")
            grouped = {}
            for pid, gid in pairs:
                grouped.setdefault(pid, []).append(gid)
            found.update(
                {pid: "、".join(labels[g] for g in sorted(gids, key=order.index)) for pid, gids in grouped.items()}
            )
            found[None] = ""
        return found.get(person_id, "")

    return tags


# A search exports what the search page would find, a few more at most.
SEARCH_EXPORT_LIMIT = 5000


def persons(user, params):
    """The persons of an area (`area`, default the user's own) in ledger order, or those a search `q` finds."""
    q = params.get("q", "")
    if q:
        found = [p.pk for p in selectors.person_search(q, limit=SEARCH_EXPORT_LIMIT)]
        persons = Person.objects.filter(pk__in=found)
        at = {pk: i for i, pk in enumerate(found)}
        rows = sorted(persons.values_list(*ROW_FIELDS), key=lambda row: at[row[ID]])
        return person_columns(_tags_of(persons)), rows, f"{_('Search')}-{q}"
    code = params.get("area") or (user.area.code if user.area_id else "")
    area = get_object_or_404(Area, code=code)
    persons = Person.objects.filter(grid__code__startswith=area.code)
    rows = persons.order_by(
        "grid__code", "household__building__address", "household__unit", "household__room", "id"
    ).values_list(*ROW_FIELDS)
    return person_columns(_tags_of(persons)), rows, f"{_('residents')}-{area.name}"


EXPORTS = [ExportList("registry.persons", _("residents"), "registry.export_lists", persons, params=("area", "q"))]
