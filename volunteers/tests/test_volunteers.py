"""Sign-up, verification, shifts and gaps, errands: through the pages and services, on a real database."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from conftest import at_once
from core.context import SYSTEM, acting_as, system_actor
from registry.testing import synthetic_id_number
from screening.models import Campaign, Site
from volunteers import selectors, services
from volunteers.models import Errand, Shift, Volunteer


def sign_up_data(areas, **changes):
    return {
        "kind": "volunteer",
        "name": "骑手小王",
        "phone": "13912345678",
        "id_number": synthetic_id_number(4242),
        "community": areas["zhongfu"].pk,
        "roles": ["delivery", "order_keeping"],
        "vehicle": "电动车",
    } | changes


def volunteer(areas, n, roles=("order_keeping",), community="zhongfu", user=None):
    with system_actor():
        return Volunteer.all_objects.create(
            name=f"志愿者{n}",
            phone=f"1370000{n:04d}",
            id_number=synthetic_id_number(5000 + n),
            community=areas[community],
            roles=list(roles),
            verified_at=timezone.now(),
            user=user,
        )


@pytest.fixture
def site(areas):
    campaign = Campaign.objects.create(name="第一轮")
    return Site.objects.create(campaign=campaign, name="万达广场", area=areas["A"], desks=1)


def test_public_sign_up_validates_with_the_registers_parsers_and_is_idempotent(client, areas):
    bad = client.post(reverse("volunteers:sign_up"), sign_up_data(areas, id_number="440704199001011234"))
    assert bad.status_code == 422 and "身份证号码校验位错误" in bad.content.decode()
    assert not Volunteer.all_objects.exists()
    for _ in range(2):  # a retried form makes one row
        done = client.post(reverse("volunteers:sign_up"), sign_up_data(areas))
        assert done.status_code == 200 and "13912345678" not in done.content.decode()
    assert Volunteer.all_objects.count() == 1


def test_public_sign_up_errors_name_the_field_in_either_language(client, areas):
    data = sign_up_data(areas, phone="123", kind="report_in")
    text = client.post(reverse("volunteers:sign_up"), data).content.decode()
    assert "不是有效的大陆电话号码" in text and "双报到的党员干部须填写工作单位" in text
    client.cookies["django_language"] = "en"
    bad = client.post(reverse("volunteers:sign_up"), data)
    text = bad.content.decode()
    assert bad.status_code == 422
    assert "phone number is not a valid mainland number" in text and "must give their work unit" in text
    assert not Volunteer.all_objects.exists()


def test_public_errand_page_answers_only_the_askers_code(client, areas, make_person):
    make_person("A", name="别人家", phone="13811112222")
    answer = client.post(
        reverse("volunteers:ask_errand"),
        {
            "grid": areas["A"].pk,
            "kind": "groceries",
            "items": "米两袋",
            "recipient_name": "李阿姨",
            "phone": "13822223333",
            "address": "3栋201",
        },
    )
    errand = Errand.all_objects.get()
    text = answer.content.decode()
    assert errand.handoff_code in text and "别人家" not in text and "13811112222" not in text


def test_lead_verifies_and_creates_a_login(client, users, areas):
    with system_actor():
        v = services.volunteer_sign_up(**(sign_up_data(areas) | {"community": areas["zhongfu"]}))
    client.force_login(users["vic"])
    assert "139****5678" in client.get(reverse("volunteers:list")).content.decode()
    client.post(reverse("volunteers:verify", args=[v.pk]))
    made = client.post(reverse("volunteers:login", args=[v.pk]))
    v.refresh_from_db()
    assert v.verified_at and v.user.role == "volunteer" and v.user.area == areas["zhongfu"]
    assert made.status_code == 200 and v.user.username in made.content.decode()


def test_gap_board_proposes_the_nearest_under_their_hours_and_flags_twelve_hours(areas, site, users):
    near, far, tired = volunteer(areas, 1), volunteer(areas, 2, community="yinquan"), volunteer(areas, 3)
    now = timezone.make_aware(datetime.combine(timezone.localdate(), time(21, 0)))
    with acting_as(SYSTEM):
        Shift.all_objects.create(
            site=site,
            volunteer=tired,
            role="order_keeping",
            starts_at=now - timedelta(hours=14),
            ends_at=now,
            checked_in_at=now - timedelta(hours=13),
            checked_out_at=now - timedelta(minutes=5),
        )
        board = selectors.gap_board(site, now)
        gap = next(g for g in board["gaps"] if g.role == "order_keeping")
        assert (gap.needed, gap.present) == (1, 0)
        assert gap.proposals == [near]  # far is in another street, tired is over 12 hours today
        assert far not in gap.proposals
        assert [(v, over) for v, _h, over in selectors.volunteer_hours(now)] == [(tired, True)]
        services.shift_assign(site, near, role="order_keeping", starts_at=now, hours=4, by=None)
        services.shift_check_in(near, site, services.check_in_code(site), now=now)
        gap = next(g for g in selectors.gap_board(site, now)["gaps"] if g.role == "order_keeping")
        assert (gap.present, gap.short) == (1, 0)


def test_check_in_needs_the_sites_code(areas, site):
    v = volunteer(areas, 4)
    with acting_as(SYSTEM):
        services.shift_assign(site, v, role="order_keeping", starts_at=timezone.now(), hours=2, by=None)
        with pytest.raises(ValidationError):
            services.shift_check_in(v, site, "guessed")


def test_errand_delivery_needs_the_residents_code_and_fulfils_a_medicine_schedule(areas, make_person, users):
    from care.models import MedicineDelivery, MedicineSchedule

    person = make_person("B", name="王大爷")
    v = volunteer(areas, 5, roles=("delivery",), user=users["vera"])
    with acting_as(SYSTEM):
        schedule = MedicineSchedule.all_objects.create(
            person=person, grid=person.grid, medicine="降压药", next_on=timezone.localdate()
        )
        errand = services.errand_from_medicine_schedule(schedule)
        assert services.errand_from_medicine_schedule(schedule) == errand  # one open errand per schedule
        services.errand_claim(errand, v)
        with pytest.raises(ValidationError):
            services.errand_deliver(errand, v, code="xxxx")
        services.errand_deliver(errand, v, code=errand.handoff_code, amount=30, paid_by="resident")
    errand.refresh_from_db()
    assert errand.status == "delivered" and errand.paid_by == "resident"
    assert MedicineDelivery.all_objects.filter(schedule=schedule).count() == 1


def test_guessing_the_hand_off_code_locks_the_errand(areas, make_person, users):
    person = make_person("B", name="李奶奶")
    v = volunteer(areas, 6, roles=("delivery",), user=users["vera"])
    with acting_as(SYSTEM), translation.override("en"):
        errand = services.errand_create(
            person.grid,
            person=person,
            kind=Errand.Kind.GROCERIES,
            source=Errand.Source.GRID_WORKER,
            items="米",
            recipient_name=person.name,
            phone="13800138000",
            address="中福路1号",
        )
        services.errand_claim(errand, v)
        wrong = next(f"{n:04d}" for n in range(10_000) if f"{n:04d}" != errand.handoff_code)
        for _ in range(services.HANDOFF_MISSES_PER_HOUR):
            with pytest.raises(ValidationError, match="wrong"):
                services.errand_deliver(errand, v, code=wrong)
        with pytest.raises(ValidationError, match="too many"):
            services.errand_deliver(errand, v, code=errand.handoff_code)  # even the right one, for the hour
    errand.refresh_from_db()
    assert errand.status == "claimed"


@pytest.mark.django_db(transaction=True)
def test_an_errand_cannot_be_claimed_by_two_volunteers_at_once(areas, users):
    first, second = volunteer(areas, 6, roles=("delivery",)), volunteer(areas, 7, roles=("delivery",))
    with system_actor():
        errand = Errand.all_objects.create(
            grid=areas["A"], kind="groceries", source="public", items="米", recipient_name="住户", address="1栋"
        )
    answers = at_once(lambda i: services.errand_claim(errand, (first, second)[i]), actors=[SYSTEM, SYSTEM])
    claimed = [a for a in answers if isinstance(a, Errand)]
    refused = [a for a in answers if isinstance(a, ValidationError)]
    assert len(claimed) == 1 and len(refused) == 1, answers
    errand.refresh_from_db()
    assert errand.claimed_by in (first, second) and errand.status == "claimed"
