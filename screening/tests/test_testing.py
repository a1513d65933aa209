from screening.models import Hold
from screening.testing import leak_objects


def test_leak_objects_names_every_kwarg(make_person):
    person = make_person("A")
    kwargs = leak_objects(person)
    assert {"round_id", "site_id", "tube_id", "tube_code", "request_id", "hold_id", "alert_id"} <= set(kwargs)
    assert Hold.objects.get(pk=kwargs["hold_id"]).person == person
