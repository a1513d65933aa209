import random
from io import StringIO

from care.demo import build_demo
from care.models import HelpRequest, LedgerEntry, Pairing
from registry.models import PersonGroup


def test_demo_puts_every_tagged_person_in_the_ledger_with_a_contact(make_person, group, users):
    people = [make_person(key) for key in ("A", "B", "C", "D", "D")]
    for person in people:
        PersonGroup.objects.create(person=person, group=group)
    build_demo(rng=random.Random(1), stdout=StringIO())
    assert LedgerEntry.objects.count() == 5
    paired = set(Pairing.objects.filter(ended_at__isnull=True).values_list("person_id", flat=True))
    assert paired == {p.pk for p in people}
    assert Pairing.objects.get(person=people[0], ended_at__isnull=True).worker == users["gwen"]
    assert HelpRequest.objects.count() == 5
