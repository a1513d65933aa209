"""The register's command-centre tile: its numbers are the register's own counts, one level down too."""

from core.context import acting_as, user_actor
from core.tiles import tiles_all, tiles_for
from registry.models import Household, Person, PersonGroup, SpecialGroup
from registry.tiles import population, population_by_child


def test_population_tile_counts_residents_households_and_groups(areas, make_person):
    zhang = make_person("A", name="张伟")
    make_person("B", name="王芳")
    make_person("D", name="李娜")
    PersonGroup.all_objects.create(person=zhang, group=SpecialGroup.objects.get(code="elderly_alone"))
    figures = {f.key: f.value for f in population(areas["zhongfu"], None)}
    assert figures["persons"] == Person.all_objects.filter(grid__code__startswith="440704001001").count() == 2
    assert figures["households"] == Household.all_objects.filter(grid__code__startswith="440704001001").count()
    assert figures["group_elderly_alone"] == 1
    children = population_by_child(areas["district"], None)
    assert children["440704001"]["persons"] == 2 and children["440704002"]["persons"] == 1


def test_a_user_sees_the_tile_only_with_its_permission_and_only_inside_their_area(users, areas, make_person):
    make_person("D", name="李娜")
    assert "registry.population" in {t.key for t in tiles_for(users["cora"])}
    assert "registry.population" not in {t.key for t in tiles_for(users["lena"])}
    keys = [t.key for t in tiles_all()]
    assert len(keys) == len(set(keys))
    with acting_as(user_actor(users["cora"])):
        # the street is outside cora's scope: its numbers are only what she may see (none of grid D's)
        figures = {f.key: f.value for f in population(areas["waihai"], None)}
    assert figures["persons"] == 0
