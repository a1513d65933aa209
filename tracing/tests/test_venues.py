"""Venues (场所码): staff pages scoped to the area, the poster, the public scan page and the retention purge."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from core.context import system_actor
from core.models import AuditEvent
from screening.codes import person_code
from tracing.models import Venue, VenueVisit
from tracing.services import venue_create, venue_visits_purge
from tracing.views import SCAN_COOKIE


@pytest.fixture
def venue(areas):
    with system_actor():
        return venue_create(area=areas["zhongfu"], name="中福超市", kind=Venue.Kind.SHOP)


def _scan_url(venue):
    return reverse("tracing:venue_scan", args=[venue.code])


def _logged_in(username):
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_venue_codes_are_long_random_and_unique(areas):
    with system_actor():
        codes = {venue_create(area=areas["zhongfu"], name=f"店{n}", kind="shop").code for n in range(20)}
    assert len(codes) == 20 and all(len(c) >= 20 for c in codes)


def test_community_staff_create_a_venue_and_print_its_poster(users, areas):
    cora = _logged_in("cora")
    response = cora.post(
        reverse("tracing:venue_new"), {"name": "明泰城东门", "kind": "gate", "area": areas["zhongfu"].pk}
    )
    venue = Venue.objects.get(name="明泰城东门")
    assert response.status_code == 302 and response["Location"] == reverse("tracing:venue_poster", args=[venue.pk])
    poster = cora.get(response["Location"]).content.decode()
    assert "<svg" in poster and "明泰城东门" in poster
    assert f"http://testserver{_scan_url(venue)}" in poster
    assert "扫描此码" in poster and "Scan this code" in poster  # Chinese, with English beneath, on every poster
    assert "onclick" not in poster


def test_venue_list_is_scoped_and_filters_by_area_and_type(users, areas, venue):
    with system_actor():
        venue_create(area=areas["xinchuang"], name="新创村门岗", kind=Venue.Kind.COMPOUND_GATE)
    cora = _logged_in("cora")
    page = cora.get(reverse("tracing:venue_list")).content.decode()
    assert "中福超市" in page and "新创村门岗" not in page
    dana = _logged_in("dana")
    assert "新创村门岗" in dana.get(reverse("tracing:venue_list")).content.decode()
    gates = dana.get(reverse("tracing:venue_list"), {"kind": "gate"}).content.decode()
    assert "新创村门岗" in gates and "中福超市" not in gates
    zhongfu = dana.get(reverse("tracing:venue_list"), {"area": areas["zhongfu"].pk}).content.decode()
    assert "中福超市" in zhongfu and "新创村门岗" not in zhongfu
    assert cora.get(reverse("tracing:venue_edit", args=[Venue.objects.get(name="新创村门岗").pk])).status_code == 404


def test_posters_of_an_area_in_one_printout(users, areas, venue):
    with system_actor():
        venue_create(area=areas["zhongfu"], name="中福药店", kind=Venue.Kind.SHOP)
    page = _logged_in("cora").get(reverse("tracing:venue_posters", args=[areas["zhongfu"].pk]) + "?size=a5")
    text = page.content.decode()
    assert text.count("venue-poster a5") == 2 and "中福药店" in text and "中福超市" in text


def test_a_scan_by_id_number_and_phone_logs_one_visit_and_shows_nothing_of_the_person(make_person, venue):
    person = make_person("B", name="扫码居民")
    response = Client().post(_scan_url(venue), {"id_number": person.id_number.lower(), "phone": person.phone})
    text = response.content.decode()
    assert response.status_code == 200 and "中福超市" in text
    assert "扫码居民" not in text and person.id_number not in text and person.phone[-4:] not in text
    visit = VenueVisit.all_objects.get()
    assert (visit.person, visit.venue, visit.grid, visit.source) == (person, venue, person.grid, "scan")
    assert timezone.localtime(visit.visited_at).strftime("%H:%M") in text


def test_the_phone_remembers_the_person_and_a_double_tap_logs_once(make_person, venue):
    person = make_person("A")
    phone = Client()
    phone.post(_scan_url(venue), {"person_code": person_code(person)})
    assert phone.cookies[SCAN_COOKIE].value and str(person.id_number) not in phone.cookies[SCAN_COOKIE].value
    page = phone.get(_scan_url(venue)).content.decode()
    assert 'name="remembered"' in page
    again = phone.post(_scan_url(venue), {"remembered": "1"})
    assert again.status_code == 200
    assert VenueVisit.all_objects.count() == 1  # within a minute: the same visit
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        phone.post(_scan_url(venue), {"remembered": "1"})
    assert VenueVisit.all_objects.filter(person=person).count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"id_number": "", "phone": ""}, "id_number", "身份证"),
        ({"id_number": "110101199003074514", "phone": "12"}, "phone", "手机"),
        ({"id_number": "110101199003074514", "phone": ""}, "phone", "手机"),
    ],
)
def test_wrong_input_names_the_field_in_chinese(venue, data, field, message):
    response = Client().post(_scan_url(venue), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field]) or message in response.content.decode()
    assert not VenueVisit.all_objects.exists()


def test_no_match_is_one_answer_for_a_wrong_phone_and_an_unknown_id(make_person, venue):
    person = make_person("A")
    wrong_phone = Client().post(_scan_url(venue), {"id_number": person.id_number, "phone": "13700000000"})
    unknown = Client().post(_scan_url(venue), {"id_number": "110101199003074514", "phone": person.phone})
    forged = Client().post(_scan_url(venue), {"person_code": person_code(person)[:-2] + "xx"})
    for response in (wrong_phone, unknown, forged):
        assert response.status_code == 400
        assert "没有匹配" in response.content.decode()
    assert not VenueVisit.all_objects.exists()


def test_guessing_is_rate_limited(venue, settings):
    settings.VENUE_SCAN_MISSES_PER_HOUR = 3
    answers = [
        Client().post(_scan_url(venue), {"id_number": "110101199003074514", "phone": "13700000000"}).status_code
        for _ in range(5)
    ]
    assert answers == [400, 400, 400, 429, 429]


def test_an_inactive_venue_or_a_bad_code_is_a_friendly_404(venue):
    assert Client().get(reverse("tracing:venue_scan", args=["no-such-code"])).status_code == 404
    Venue.all_objects.filter(pk=venue.pk).update(active=False)
    response = Client().get(_scan_url(venue))
    assert response.status_code == 404 and "场所码" in response.content.decode()


def test_english_scan_page(venue):
    client = Client(headers={"accept-language": "en"})
    text = client.get(_scan_url(venue)).content.decode()
    assert "Check in" in text and "ID number" in text


def test_retention_purge_deletes_old_visits_keeps_young_ones_and_is_audited(make_person, venue):
    person = make_person("A")
    now = timezone.now()
    for days in (30, 22, 20, 1):
        VenueVisit.all_objects.create(
            venue=venue, person=person, grid=person.grid, visited_at=now - timedelta(days=days)
        )
    with time_machine.travel(now, tick=False), system_actor():
        assert venue_visits_purge() == 2
    left = sorted((now - v).days for v in VenueVisit.all_objects.values_list("visited_at", flat=True))
    assert left == [1, 20]
    audit = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, detail__model="tracing.VenueVisit")
    assert audit.detail["deleted"] == 2 and audit.detail["older_than_days"] == 21
    assert audit.detail["cutoff"] == (now - timedelta(days=21)).isoformat()


def test_the_purge_is_a_daily_job_of_the_scheduler(make_person, venue):
    from core.scheduler import job_named

    job = job_named("core.retention_purge")
    assert job is not None and job.schedule.key.startswith("daily")
    person = make_person("A")
    VenueVisit.all_objects.create(
        venue=venue, person=person, grid=person.grid, visited_at=timezone.now() - timedelta(days=40)
    )
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False), system_actor():
        job.run()
    assert not VenueVisit.all_objects.exists()


def test_visits_follow_the_person_to_their_new_grid(make_person, areas, venue):
    from registry.models import Building, Household
    from registry.services import person_move

    person = make_person("A")
    VenueVisit.all_objects.create(venue=venue, person=person, grid=person.grid, visited_at=timezone.now())
    building = Building.all_objects.create(grid=areas["B"], name="9栋", address="中福2网格路9号", floors=6, units=1)
    household = Household.all_objects.create(building=building, grid=areas["B"], unit=1, floor=3, room="301")
    with system_actor():
        person_move(person, grid=areas["B"], household=household)
    assert list(VenueVisit.all_objects.values_list("grid", flat=True)) == [areas["B"].pk]
