"""Cases and contacts: a case from screening's to-trace row or by hand, the proposals (household, co-located visits,
secondary through a confirmed close contact), confirm and dismiss, the chain of transmission, and who may see it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from core.models import AuditEvent
from registry.services import person_create
from registry.testing import synthetic_id_number
from screening.models import Campaign, TraceEntry
from screening.services import campaign_create, results_record, site_create, tube_register
from tracing.models import Case, Contact, Isolation, Venue, VenueVisit
from tracing.selectors import case_chain


@pytest.fixture
def positive(areas):
    """positive(person) → the to-trace row of a positive single tube of `person`, closed an hour ago."""
    start = timezone.now() - timedelta(hours=2)
    campaign = campaign_create(
        name="流调测试",
        kind=Campaign.Kind.NUCLEIC_ACID,
        scope_codes=["440704"],
        rounds=[(start, start + timedelta(hours=12))],
    )
    round_ = campaign.rounds.get()
    site = site_create(campaign, name="中福社区广场", area=areas["zhongfu"])
    closed_at = timezone.now() - timedelta(hours=1)

    def make(person):
        code = f"S{person.pk:07d}"
        status, answer = tube_register(
            {
                "client_key": f"case-{person.pk}",
                "round": round_.pk,
                "site": site.pk,
                "tube_code": code,
                "pool_size": 1,
                "closed_at": closed_at.isoformat(),
                "persons": [{"person_id": person.pk}],
            }
        )
        assert status == 201, answer
        results_record(
            [{"tube_code": code, "result": "positive", "resulted_at": timezone.now().isoformat(), "lab": ""}]
        )
        return TraceEntry.all_objects.get(person=person)

    return make


_n = {"n": 500}


def member_of(person, name):
    """Another person registered in `person`'s household."""
    _n["n"] += 1
    return person_create(
        grid=person.grid,
        household=person.household,
        name=name,
        id_number=synthetic_id_number(_n["n"]),
        phone=f"139{_n['n']:08d}",
    )


@pytest.fixture
def venue(areas):
    return Venue.all_objects.create(name="永辉超市", kind=Venue.Kind.SHOP, area=areas["zhongfu"], code="v-yonghui")


def visit(venue, person, at):
    return VenueVisit.all_objects.create(venue=venue, person=person, grid=person.grid, visited_at=at)


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def contacts_of(case):
    return {c.person_id: (c.kind, c.relation, c.status, c.through_id) for c in Contact.all_objects.filter(case=case)}


def test_a_case_opened_from_a_to_trace_row_proposes_its_household_and_who_was_at_its_venues(
    client, users, areas, make_person, positive, venue
):
    case_person = make_person("A", name="病例甲")
    wife, son = member_of(case_person, "妻子"), member_of(case_person, "儿子")
    near, later, elsewhere = make_person("B", name="同时段顾客"), make_person("D", name="晚到顾客"), make_person("C")
    other_venue = Venue.all_objects.create(name="菜市场", area=areas["xinchuang"], code="v-market")
    at = timezone.now() - timedelta(days=1)
    case_visit = visit(venue, case_person, at)
    near_visit = visit(venue, near, at + timedelta(minutes=20))  # inside ±30 minutes: a contact
    visit(venue, later, at + timedelta(minutes=45))  # outside the window
    visit(other_venue, elsewhere, at)  # same moment, another venue
    entry = positive(case_person)

    login(client, "tess")
    inbox = client.get(reverse("tracing:case_list"))
    assert inbox.status_code == 200 and "病例甲" in inbox.content.decode()
    onset = timezone.localdate() - timedelta(days=2)
    response = client.post(reverse("tracing:case_open", args=[entry.pk]), {"onset_on": onset.isoformat()})

    case = Case.objects.get(person=case_person)
    assert response.status_code == 302 and response["Location"] == reverse("tracing:case_detail", args=[case.pk])
    assert case.source == Case.Source.SCREENING and case.trace_entry == entry and case.onset_on == onset
    assert case.sampled_on == timezone.localdate(entry.tube.closed_at)
    assert case.created_by == users["tess"] and case.grid == areas["A"]
    assert contacts_of(case) == {
        wife.pk: ("close", "household", "proposed", None),
        son.pk: ("close", "household", "proposed", None),
        near.pk: ("close", "venue", "proposed", None),
    }
    by_venue = Contact.all_objects.get(case=case, person=near)
    assert by_venue.venue_visit == near_visit and by_venue.grid == areas["B"]
    assert by_venue.note == f"永辉超市 {timezone.localtime(near_visit.visited_at):%m-%d %H:%M}"
    assert case_visit.pk != near_visit.pk
    # The row left the inbox; a second open is refused with a message, not a second case.
    assert (
        reverse("tracing:case_open", args=[entry.pk]) not in client.get(reverse("tracing:case_list")).content.decode()
    )
    again = client.post(reverse("tracing:case_open", args=[entry.pk]), {"asymptomatic": "1"}, follow=True)
    assert again.status_code == 200 and Case.objects.count() == 1


def test_proposing_again_adds_nobody_twice_and_a_dismissed_contact_stays_dismissed(
    client, users, make_person, positive, venue
):
    case_person = make_person("A")
    wife = member_of(case_person, "妻子")
    at = timezone.now() - timedelta(hours=5)
    visit(venue, case_person, at)
    visit(venue, make_person("B"), at - timedelta(minutes=10))
    login(client, "tess")
    client.post(reverse("tracing:case_open", args=[positive(case_person).pk]), {"asymptomatic": "1"})
    case = Case.objects.get(person=case_person)
    assert case.onset_on is None and len(contacts_of(case)) == 2
    proposed = Contact.objects.get(case=case, person=wife)
    client.post(reverse("tracing:contact_dismiss", args=[proposed.pk]), {"reason": "出差在外"})
    late = make_person("C")
    visit(venue, late, at + timedelta(minutes=29))  # a visit logged after the first run
    client.post(reverse("tracing:case_propose", args=[case.pk]))
    client.post(reverse("tracing:case_propose", args=[case.pk]))
    contacts = contacts_of(case)
    assert len(contacts) == 3 and contacts[late.pk][1] == "venue"
    assert contacts[wife.pk][2] == "dismissed"
    assert AuditEvent.objects.filter(target_id=str(proposed.pk), detail__status="dismissed").count() == 1
    # A second tap on dismiss or confirm changes nothing.
    response = client.post(reverse("tracing:contact_confirm", args=[proposed.pk]), follow=True)
    assert response.status_code == 200 and Contact.objects.get(pk=proposed.pk).status == "dismissed"
    assert not Isolation.objects.filter(person=wife).exists()


def test_confirming_a_close_contact_opens_their_isolation_and_proposes_their_household_as_secondary(
    client, users, make_person, positive, venue
):
    case_person = make_person("A")
    at = timezone.now() - timedelta(hours=3)
    visit(venue, case_person, at)
    customer = make_person("B", name="顾客")
    visit(venue, customer, at)
    child = member_of(customer, "顾客女儿")
    login(client, "tess")
    client.post(reverse("tracing:case_open", args=[positive(case_person).pk]), {"asymptomatic": "1"})
    case = Case.objects.get()
    close = Contact.objects.get(case=case, person=customer)
    assert child.pk not in contacts_of(case)  # secondary only once the close contact is confirmed

    client.post(reverse("tracing:contact_confirm", args=[close.pk]))
    close.refresh_from_db()
    assert close.status == "confirmed"
    assert close.isolation.person == customer and close.isolation.kind == Isolation.Kind.CLOSE
    assert close.isolation.identified_by == users["tess"]
    assert contacts_of(case)[child.pk] == ("secondary", "household", "proposed", close.pk)
    assert AuditEvent.objects.filter(target_id=str(close.pk), detail__status="confirmed").exists()

    secondary = Contact.objects.get(case=case, person=child)
    client.post(reverse("tracing:contact_confirm", args=[secondary.pk]))
    assert Isolation.objects.get(person=child).kind == Isolation.Kind.SECONDARY
    page = client.get(reverse("tracing:case_detail", args=[case.pk])).content.decode()
    assert "顾客女儿" in page and customer.id_number not in page and customer.masked_id_number in page


def test_a_case_by_hand_and_contacts_by_hand_close_and_secondary(client, users, make_person):
    person = make_person("B", name="外区通报病例")
    login(client, "tess")
    found = client.get(reverse("tracing:case_new"), {"q": person.id_number[-4:]})
    assert found.status_code == 200 and "外区通报病例" in found.content.decode()
    sampled = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("tracing:case_add"), {"person": person.pk, "sampled_on": sampled.isoformat(), "asymptomatic": "1"}
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and case.source == Case.Source.MANUAL and case.sampled_on == sampled
    colleague, friend = make_person("D", name="同事"), make_person("C", name="同事的朋友")
    url = reverse("tracing:contact_add", args=[case.pk])
    client.post(url, {"id_number": colleague.id_number, "relation": "workplace", "note": "同一车间"})
    close = Contact.objects.get(case=case, person=colleague)
    assert (close.kind, close.relation, close.note, close.grid.code) == (
        "close",
        "workplace",
        "同一车间",
        colleague.grid.code,
    )
    client.post(reverse("tracing:contact_confirm", args=[close.pk]))
    client.post(url, {"id_number": friend.id_number, "relation": "meal", "through": close.pk})
    assert contacts_of(case)[friend.pk] == ("secondary", "meal", "proposed", close.pk)


@pytest.mark.parametrize(
    "data, field_text",
    [
        ({"id_number": "440704", "relation": "meal"}, "ID number"),
        ({"id_number": synthetic_id_number(9999), "relation": "meal"}, "No person with this ID number"),
        ({"id_number": "", "relation": "venue"}, "relation"),
    ],
)
def test_a_contact_by_hand_with_bad_input_says_what_is_wrong(client, users, make_person, data, field_text):
    with_case = make_person("A")
    case = Case.all_objects.create(person=with_case, grid=with_case.grid, sampled_on=timezone.localdate())
    login(client, "tess")
    client.cookies["django_language"] = "en"
    response = client.post(reverse("tracing:contact_add", args=[case.pk]), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and field_text in response.content.decode()
    assert not Contact.objects.exists()


def test_a_case_by_hand_refuses_dates_in_the_future_and_a_missing_person(client, users, make_person):
    person = make_person("A")
    login(client, "tess")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = client.post(
        reverse("tracing:case_add"), {"person": person.pk, "sampled_on": tomorrow, "asymptomatic": "1"}
    )
    nobody = client.post(reverse("tracing:case_add"), {"sampled_on": tomorrow, "onset_on": tomorrow})
    no_onset = client.post(reverse("tracing:case_add"), {"person": person.pk, "sampled_on": timezone.localdate()})
    assert (future.status_code, nobody.status_code, no_onset.status_code) == (400, 400, 400)
    assert "未来" in future.content.decode()
    assert not Case.objects.exists()


def test_the_chain_of_transmission_has_generations_and_the_contacts_as_leaves(client, users, make_person):
    first = make_person("A", name="一代")
    second = make_person("B", name="二代")
    leaf = make_person("D", name="二代密接")
    login(client, "tess")
    client.post(
        reverse("tracing:case_add"), {"person": first.pk, "sampled_on": timezone.localdate(), "asymptomatic": "1"}
    )
    case1 = Case.objects.get(person=first)
    client.post(reverse("tracing:contact_add", args=[case1.pk]), {"id_number": second.id_number, "relation": "meal"})
    client.post(reverse("tracing:contact_confirm", args=[Contact.objects.get(person=second).pk]))
    # The confirmed contact tests positive: their case is infected by the case they were traced from.
    client.post(
        reverse("tracing:case_add"), {"person": second.pk, "sampled_on": timezone.localdate(), "asymptomatic": "1"}
    )
    case2 = Case.objects.get(person=second)
    assert case2.infected_by == case1
    client.post(reverse("tracing:contact_add", args=[case2.pk]), {"id_number": leaf.id_number, "relation": "other"})

    chain = case_chain(case2)
    nodes = {n["id"]: n for n in chain["nodes"]}
    assert {k: (n["generation"], n["case"]) for k, n in nodes.items()} == {
        f"c{case1.pk}": (0, True),
        f"c{case2.pk}": (1, True),
        f"p{leaf.pk}": (2, False),
    }
    assert nodes[f"c{case2.pk}"]["current"] and first.id_number not in nodes[f"c{case1.pk}"]["name"]
    assert sorted((link["source"], link["target"]) for link in chain["links"]) == sorted(
        [(f"c{case1.pk}", f"c{case2.pk}"), (f"c{case2.pk}", f"p{leaf.pk}")]
    )
    page = client.get(reverse("tracing:case_detail", args=[case1.pk])).content.decode()
    assert 'id="chain-data"' in page and "vendor/echarts/echarts.min.js" in page
    assert "一代" in page and "二代" in page  # the chain as text, for a page without JS
    # On the first case's page the second is shown as a case among its contacts.
    assert (
        "is a case"
        in client.get(reverse("tracing:case_detail", args=[case1.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_community_staff_see_their_areas_cases_only_and_may_not_decide(
    client, users, areas, make_person, django_user_model
):
    person = make_person("A", name="中福病例")
    case = Case.all_objects.create(person=person, grid=person.grid, sampled_on=timezone.localdate())
    contact = Contact.all_objects.create(case=case, person=make_person("A"), grid=areas["A"], relation="household")
    django_user_model.objects.create_user("cleo", password=PASSWORD, role="community_staff", area=areas["xinchuang"])
    login(client, "cora")
    assert client.get(reverse("tracing:case_detail", args=[case.pk])).status_code == 200
    assert "中福病例" in client.get(reverse("tracing:case_list")).content.decode()
    assert client.post(reverse("tracing:contact_confirm", args=[contact.pk])).status_code == 403
    login(client, "cleo")
    assert client.get(reverse("tracing:case_detail", args=[case.pk])).status_code == 404
    assert "中福病例" not in client.get(reverse("tracing:case_list")).content.decode()
    login(client, "gwen")  # grid workers have no tracing pages
    assert client.get(reverse("tracing:case_list")).status_code == 403
    assert Contact.objects.get(pk=contact.pk).status == "proposed"


def test_the_tracers_home_shows_the_days_work(client, users, make_person, positive):
    positive(make_person("A", name="待流调"))
    login(client, "tess")
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "to trace, not yet cases" in page and "待流调" in page
    assert reverse("tracing:case_list") in page


def test_a_case_and_its_persons_contacts_follow_them_when_they_move(users, areas, make_person):
    from registry.models import Household
    from registry.services import person_move

    person = make_person("A")
    case = Case.all_objects.create(person=person, grid=person.grid, sampled_on=timezone.localdate())
    other_case_person = make_person("A")
    other = Case.all_objects.create(person=other_case_person, grid=areas["A"], sampled_on=timezone.localdate())
    contact = Contact.all_objects.create(case=other, person=person, grid=areas["A"], relation="meal")
    target = make_person("D").household
    person_move(person, grid=areas["D"], household=Household.all_objects.get(pk=target.pk), reason="搬家")
    case.refresh_from_db()
    contact.refresh_from_db()
    assert case.grid == areas["D"] and contact.grid == areas["D"]
    assert Case.all_objects.get(pk=other.pk).grid == areas["A"]


def test_a_case_by_hand_with_a_person_that_is_not_a_number_is_a_form_error(client, users):
    login(client, "tess")
    response = client.post(reverse("tracing:case_add"), {"person": "abc", "sampled_on": "2026-13-40"})
    assert response.status_code == 400 and not Case.objects.exists()
