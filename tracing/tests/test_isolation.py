"""Isolation part: the path of a risk person, tests due on the protocol's days, hand-over to the community the
person lives in (real HTTP), escalation with a frozen clock, protocol versions for new contacts only, and the
health-code colour."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext

from core.access import NotInScope
from core.context import Scope, acting_as, current_actor, system_actor
from core.models import AuditEvent
from registry.services import person_move
from tracing import selectors, services
from tracing.models import HandOver, Isolation, ProtocolVersion, TracingSettings
from tracing.models import TestObligation as Obligation

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2022, 9, 6, 9, 0, tzinfo=SHANGHAI)


def as_user(user):
    return acting_as(current_actor().replace(user=user, scope=Scope.of_area(user.area), system=False))


def isolate(isolation, user, *, place=Isolation.Place.CENTRAL):
    with as_user(user):
        services.isolation_notify(isolation)
        services.isolation_transfer(isolation, place=place, site_name="江海区集中隔离点")
        services.isolation_isolate(isolation)
    return isolation


def take_all_tests(isolation, result="negative"):
    """Every test due taken, as screening's fulfilment would record it (that part is the arrivals helper's)."""
    for obligation in Obligation.all_objects.filter(isolation=isolation):
        sample = make_sample(isolation.person, obligation.due_from + timedelta(hours=10), result)
        Obligation.all_objects.filter(pk=obligation.pk).update(fulfilled_at=sample.sampled_at, sample=sample)


def make_sample(person, at, result="negative"):
    """A single-tube sample of `person` at `at` with its result: the rows screening keeps."""
    from screening.models import Campaign, Sample, Site, Tube
    from screening.services import campaign_create, site_create

    with system_actor():
        campaign = Campaign.objects.filter(name="隔离检测").first() or campaign_create(
            name="隔离检测", scope_codes=["440704"], rounds=[(T0 - timedelta(days=30), T0 + timedelta(days=60))]
        )
        site = Site.objects.filter(campaign=campaign).first() or site_create(campaign, name="隔离点", area=person.grid)
        round_ = campaign.rounds.get()
    tube = Tube.objects.create(
        round=round_,
        site=site,
        code=f"ISO{Tube.objects.count():06d}",
        pool_size=1,
        closed_at=at,
        result=result,
        resulted_at=at + timedelta(hours=6),
    )
    return Sample.all_objects.create(
        tube=tube, round=round_, person=person, grid=person.grid, sampled_at=at, result=result
    )


@pytest.fixture
def contact(make_person, users):
    """A close contact in grid B (中福), identified by tess (district tracing staff) at T0."""
    person = make_person("B")
    with time_machine.travel(T0, tick=False), as_user(users["tess"]):
        isolation = services.isolation_open(person, kind=Isolation.Kind.CLOSE)
    return isolation


def test_steps_are_timestamped_attributed_and_audited(contact, users):
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        isolate(contact, users["greg"])
    contact.refresh_from_db()
    assert contact.stage == Isolation.Stage.ISOLATING
    assert contact.notified_by == contact.transferred_by == contact.isolated_by == users["greg"]
    assert contact.isolating_since == T0 + timedelta(minutes=20)
    assert AuditEvent.objects.filter(target_type="tracing.isolation", target_id=str(contact.pk)).count() == 3
    with as_user(users["greg"]), pytest.raises(services.StepRefused):
        services.isolation_notify(contact)  # already past that step


def test_a_neighbouring_grid_worker_and_a_volunteer_may_not_take_a_step(contact, users):
    with as_user(users["gwen"]), pytest.raises(NotInScope):
        services.isolation_notify(contact)
    with as_user(users["vera"]), pytest.raises(PermissionDenied):
        services.isolation_notify(contact)


def test_transfer_to_a_centralised_site_needs_its_name(contact, users):
    with as_user(users["greg"]), pytest.raises(services.ValidationError) as refused:
        services.isolation_transfer(contact, place=Isolation.Place.CENTRAL, site_name=" ")
    assert "site_name" in refused.value.message_dict


def test_tests_due_follow_the_protocol_days_central_then_home(contact, users):
    """9th edition: days 1, 2, 3, 5, 7 centralised, then day 3 of the 3 home days (day 10)."""
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        isolate(contact, users["greg"])
    days = [timezone_day(o.due_from) for o in Obligation.all_objects.filter(isolation=contact)]
    assert days == [6, 7, 8, 10, 12, 15]
    assert set(Obligation.all_objects.filter(isolation=contact).values_list("reason", flat=True)) == {"isolation"}
    assert services.isolation_ends_at(contact) == datetime(2022, 9, 16, tzinfo=SHANGHAI)


def timezone_day(at):
    return at.astimezone(SHANGHAI).day


def test_release_waits_for_the_days_and_negative_tests(contact, users):
    with time_machine.travel(T0, tick=False):
        isolate(contact, users["greg"])
    with time_machine.travel(T0 + timedelta(days=10), tick=False):  # 9/16 09:00: days over, no tests taken
        assert selectors.isolation_release_blocker(contact) == gettext("a test due has not been taken")
        with as_user(users["greg"]), pytest.raises(services.StepRefused):
            services.isolation_release(contact)
        take_all_tests(contact)
        with as_user(users["cora"]):
            assert [i.pk for i in selectors.isolation_due_for_release()] == [contact.pk]
        with as_user(users["greg"]):
            services.isolation_release(contact)
    contact.refresh_from_db()
    assert contact.stage == Isolation.Stage.RELEASED and contact.released_by == users["greg"]


def test_escalation_to_a_case_drops_tests_not_yet_due(contact, users):
    with time_machine.travel(T0, tick=False):
        isolate(contact, users["greg"])
    with time_machine.travel(T0 + timedelta(days=2), tick=False), as_user(users["tess"]):
        services.isolation_escalate(contact)
    contact.refresh_from_db()
    assert contact.stage == Isolation.Stage.ESCALATED
    assert Obligation.all_objects.filter(isolation=contact).count() == 3  # days 1-3 stay, 5, 7, 10 dropped


def test_a_contact_identified_by_district_staff_is_handed_over_to_their_community(contact, users, make_person):
    handover = HandOver.all_objects.get(isolation=contact)
    assert handover.grid_id == contact.grid_id and handover.handed_by == users["tess"]
    # Identified by their own community: no hand-over.
    own = make_person("A")
    with as_user(users["cora"]):
        services.isolation_open(own, kind=Isolation.Kind.CLOSE)
    assert not HandOver.all_objects.filter(person=own).exists()


def test_handover_appears_on_the_receiving_communitys_list_within_a_second_and_stays_until_accepted(
    client, users, make_person
):
    """Real HTTP: tess identifies a person of 中福; cora (中福's community staff) GETs her list; cleo (新创村) does
    not see them."""
    person = make_person("B", name="推送测试")
    client.force_login(users["cora"])
    # Not there before; this first request also loads the URLconf, templates and catalogs, so the timed one
    # measures the hand-over, not the process warming up.
    assert "推送测试" not in client.get(reverse("tracing:handover_list")).content.decode()
    started = time.monotonic()
    with as_user(users["tess"]):
        services.isolation_open(person, kind=Isolation.Kind.CLOSE)
    page = client.get(reverse("tracing:handover_list"))
    assert time.monotonic() - started < 1.0
    assert "推送测试" in page.content.decode()
    handover = HandOver.all_objects.get(person=person)
    assert "推送测试" in client.get(reverse("tracing:handover_list")).content.decode()  # stays
    client.post(reverse("tracing:handover_accept", args=[handover.pk]))
    handover.refresh_from_db()
    assert handover.accepted_by == users["cora"]
    assert "推送测试" not in client.get(reverse("tracing:handover_list")).content.decode()
    assert AuditEvent.objects.filter(target_type="tracing.handover", summary="hand-over accepted").count() == 1


def test_handover_list_of_another_community_does_not_show_the_person(contact, client, django_user_model, areas):
    cleo = django_user_model.objects.create_user("cleo", role="community_staff", area=areas["xinchuang"])
    client.force_login(cleo)
    assert contact.person.name not in client.get(reverse("tracing:handover_list")).content.decode()
    handover = HandOver.all_objects.get(isolation=contact)
    assert client.post(reverse("tracing:handover_accept", args=[handover.pk])).status_code == 404


def test_unaccepted_handover_escalates_after_the_configured_minutes(contact, users, areas):
    TracingSettings.objects.filter(pk=1).update(handover_escalate_minutes=30)
    from core.scheduler import scheduler_tick

    with system_actor():
        assert services.handover_escalate_overdue(now=T0 + timedelta(minutes=29)) == 0
        with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
            scheduler_tick(T0 + timedelta(minutes=31))  # the every-minute job, run by the scheduler
            scheduler_tick(T0 + timedelta(minutes=31, seconds=30))
    handover = HandOver.all_objects.get(isolation=contact)
    if handover.escalated_at is None:  # the scheduler's first tick only plans the job; run it as the job would
        with system_actor():
            assert services.handover_escalate_overdue(now=T0 + timedelta(minutes=31)) == 1
        handover.refresh_from_db()
    assert handover.escalated_to == areas["lile"]
    with system_actor():
        assert services.handover_escalate_overdue(now=T0 + timedelta(minutes=90)) == 0  # once
    with as_user(users["stella"]):  # the street sees it, escalated
        assert [h.pk for h in selectors.handover_list() if h.escalated_at] == [handover.pk]


def test_a_person_who_moves_while_handed_over_is_handed_to_the_new_community(contact, users, areas):
    from registry.models import Person

    person = Person.all_objects.get(pk=contact.person_id)
    with as_user(users["dana"]):
        person_move(person, grid=areas["C"], reason="搬家")
    handover = HandOver.all_objects.get(isolation=contact)
    contact.refresh_from_db()
    assert handover.grid == areas["C"] == contact.grid
    assert handover.from_area == areas["zhongfu"] and handover.accepted_at is None


def test_changing_the_protocol_changes_new_contacts_tests_not_existing_ones(contact, users, make_person):
    with time_machine.travel(T0, tick=False):
        isolate(contact, users["greg"])
    before = Obligation.all_objects.filter(isolation=contact).count()
    TracingSettings.objects.filter(pk=1).update(protocol=ProtocolVersion.objects.get(code="2022-11"))
    later = make_person("B")
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        with as_user(users["tess"]):
            new = services.isolation_open(later, kind=Isolation.Kind.CLOSE)
        isolate(new, users["greg"])
    contact.refresh_from_db()
    assert contact.protocol.code == "9th-2022-06" and new.protocol.code == "2022-11"
    assert Obligation.all_objects.filter(isolation=contact).count() == before == 6  # 1, 2, 3, 5, 7 + home 3
    assert [timezone_day(o.due_from) for o in Obligation.all_objects.filter(isolation=new)] == [6, 7, 8, 10, 13]
    assert services.isolation_ends_at(new) == datetime(2022, 9, 14, tzinfo=SHANGHAI)


def released(contact, users):
    with time_machine.travel(T0, tick=False):
        isolate(contact, users["greg"])
    release_at = T0 + timedelta(days=10)
    with time_machine.travel(release_at, tick=False):
        take_all_tests(contact)
        with as_user(users["greg"]):
            services.isolation_release(contact)
    return release_at


def test_a_close_contact_is_red_until_released_then_green_after_two_negative_tests_24h_apart(contact, users):
    person = contact.person
    assert selectors.health_code_colour(person, at=T0 + timedelta(minutes=1)) == "red"
    release_at = released(contact, users)
    assert selectors.health_code_colour(person, at=release_at - timedelta(minutes=1)) == "red"
    assert selectors.health_code_colour(person, at=release_at + timedelta(minutes=1)) == "yellow"
    make_sample(person, release_at + timedelta(hours=2))
    make_sample(person, release_at + timedelta(hours=26))
    assert selectors.health_code_colour(person, at=release_at + timedelta(hours=25)) == "yellow"  # one test
    with time_machine.travel(release_at + timedelta(hours=27), tick=False):
        assert selectors.health_code_colour(person) == "green"


def test_two_negative_tests_10h_apart_are_not_enough(contact, users):
    person = contact.person
    release_at = released(contact, users)
    make_sample(person, release_at + timedelta(hours=2))
    make_sample(person, release_at + timedelta(hours=12))
    assert selectors.health_code_colour(person, at=release_at + timedelta(hours=30)) == "yellow"
    make_sample(person, release_at + timedelta(hours=2 + 24), result="positive")  # a positive is not negative
    assert selectors.health_code_colour(person, at=release_at + timedelta(hours=30)) == "yellow"


def test_nobody_traced_is_green(make_person):
    assert selectors.health_code_colour(make_person("A")) == "green"


def test_time_to_isolation_per_child_area(contact, users, make_person, areas):
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        isolate(contact, users["greg"])
    waiting = make_person("A")
    with as_user(users["tess"]):
        services.isolation_open(waiting, kind=Isolation.Kind.SECONDARY)
        rows = selectors.time_to_isolation(areas["zhongfu"])
    total, grid_a, grid_b = rows
    assert (total["identified"], total["isolated"], total["waiting"], total["median"]) == (2, 1, 1, 40)
    assert (grid_a["area"], grid_a["waiting"], grid_a["median"]) == (areas["A"], 1, None)
    assert (grid_b["isolated"], grid_b["median"], grid_b["p90"]) == (1, 40, 40)


def test_pages_answer_and_the_person_page_shows_the_colour(contact, client, users):
    client.force_login(users["cora"])
    for url in [
        reverse("tracing:isolation_list"),
        reverse("tracing:isolation_list") + "?stage=due",
        reverse("tracing:isolation_detail", args=[contact.pk]),
        reverse("tracing:isolation_times"),
        reverse("tracing:isolation_times_area", args=["440704001001"]),
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("tracing:isolation_list") + "?stage=nonsense").status_code == 404
    page = client.get(reverse("registry:person", args=[contact.person_id])).content.decode()
    assert "code-colour red" in page
    response = client.post(
        reverse("tracing:isolation_step", args=[contact.pk]), {"step": "transfer", "place": "central"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.stage == Isolation.Stage.IDENTIFIED  # refused: no site named
