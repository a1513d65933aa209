from registry.models import Person
from registry.testing import synthetic_id_number
from screening.models import Alert, Sample, Tube
from screening.services import tube_register, tubes_register


def test_a_closed_tube_is_registered_with_its_persons(make_person, tube_item, users):
    people = [make_person("A") for _ in range(3)]
    status, answer = tube_register(tube_item(people, code="T1"), user=users["mia"])
    assert status == 201
    assert answer["samples"] == 3
    tube = Tube.objects.get(code="T1")
    assert sorted(Sample.objects.filter(tube=tube).values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    assert set(Sample.objects.filter(tube=tube).values_list("grid_id", flat=True)) == {people[0].grid_id}


def test_persons_by_id_number_and_full_width_digits(make_person, tube_item):
    person = make_person("A")
    wide = person.id_number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    status, answer = tube_register(tube_item([{"id_number": wide}]))
    assert status == 201
    assert Sample.objects.get(tube__code=answer["tube_code"]).person == person


def test_a_bad_tube_stores_nothing_and_names_every_bad_entry(make_person, tube_item):
    good = make_person("A")
    bad_check = good.id_number[:-1] + ("0" if good.id_number[-1] != "0" else "1")
    tube_register(tube_item([good], code="USED"))
    item = tube_item([good, {"id_number": bad_check}, {"person_id": 999999}], code="USED")
    status, answer = tube_register(item)
    assert status == 422
    assert set(answer["errors"]) == {"tube_code", "persons[1].id_number", "persons[2].person_id"}
    assert Tube.objects.count() == 1


def test_the_desk_corrects_a_rejected_tube_under_the_same_key(make_person, tube_item):
    person = make_person("A")
    item = tube_item([{"id_number": "440704198001011234"}], key="k-fix")
    assert tube_register(item)[0] == 422
    item["persons"] = [{"person_id": person.pk}]
    assert tube_register(item)[0] == 201


def test_one_bad_tube_does_not_lose_the_good_ones(make_person, tube_item):
    a, b = make_person("A"), make_person("B")
    items = [tube_item([a]), tube_item([{"id_number": "12345"}]), tube_item([b])]
    statuses = [s for s, _ in tubes_register(items)]
    assert statuses == [201, 422, 201]
    assert Sample.objects.count() == 2


def test_same_key_same_body_replays_and_another_body_conflicts(make_person, tube_item):
    a, b = make_person("A"), make_person("A")
    item = tube_item([a], key="k1")
    first = tube_register(item)
    assert tube_register(dict(item)) == first
    other = dict(item, persons=[{"person_id": b.pk}])
    status, answer = tube_register(other)
    assert status == 409
    assert "client_key" in answer["errors"]
    assert Tube.objects.count() == 1 and Sample.objects.count() == 1


def test_duplicate_keys_inside_one_batch(make_person, tube_item):
    a = make_person("A")
    item = tube_item([a], key="dup")
    other = dict(item, tube_code="ZZZ")
    answers = tubes_register([item, dict(item), other])
    assert [s for s, _ in answers] == [201, 201, 409]
    assert answers[0] == answers[1]
    assert Tube.objects.count() == 1


def test_a_tube_code_used_twice_in_one_batch_refuses_the_second(make_person, tube_item):
    a, b = make_person("A"), make_person("A")
    answers = tubes_register([tube_item([a], code="SAME"), tube_item([b], code="SAME")])
    assert [s for s, _ in answers] == [201, 422]


def test_too_many_persons_for_the_pool(make_person, tube_item):
    people = [make_person("A") for _ in range(6)]
    status, answer = tube_register(tube_item(people, pool_size=5))
    assert status == 422 and "persons" in answer["errors"]


def test_an_unknown_valid_id_number_registers_a_provisional_person_flagged_for_its_grid(areas, tube_item):
    number = synthetic_id_number(4242)
    status, answer = tube_register(tube_item([{"id_number": number, "name": "新来", "grid": areas["B"].code}]))
    assert status == 201
    person = Person.objects.get(id_number=number)
    assert person.is_provisional and person.grid == areas["B"]
    assert answer["provisional_person_ids"] == [person.pk]
    assert Alert.objects.filter(kind=Alert.Kind.PROVISIONAL, area=areas["B"], person=person).exists()


def test_without_a_grid_the_provisional_person_waits_in_the_communitys_holding_grid(areas, tube_item):
    number = synthetic_id_number(4243)
    assert tube_register(tube_item([{"id_number": number}]))[0] == 201
    person = Person.objects.get(id_number=number)
    assert person.grid.code == areas["zhongfu"].code + "999"
    assert person.grid.parent == areas["zhongfu"]


def test_a_second_sample_in_the_same_round_is_kept_and_flagged(make_person, tube_item):
    a = make_person("A")
    tube_register(tube_item([a]))
    status, answer = tube_register(tube_item([a], pool_size=1))
    assert status == 201
    assert answer["repeat_person_ids"] == [a.pk]
    assert Sample.objects.filter(person=a, is_repeat=True).count() == 1


def test_a_person_twice_in_one_tube_is_refused(make_person, tube_item):
    a = make_person("A")
    status, answer = tube_register(tube_item([a, {"id_number": a.id_number}]))
    assert status == 422 and "persons[1]" in answer["errors"]
