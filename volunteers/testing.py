"""Volunteer rows for a person, for the project-wide leak and write walkers."""

from datetime import timedelta


def leak_objects(person):
    """A verified volunteer (with a login) of the person's community with a shift at a site in the person's grid,
    and an errand to the person's door they claimed; a medicine schedule and a help request for `person` to turn
    into errands. Returns {url kwarg name: value} for volunteers' URL patterns."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.roles import Role
    from care.models import HelpRequest, MedicineSchedule, RequestKind
    from care.services import help_request_create
    from core.context import system_actor
    from registry.testing import synthetic_id_number
    from screening.models import Campaign, Site
    from volunteers import services
    from volunteers.models import Errand, Volunteer

    with system_actor():
        community = person.grid.parent
        user = get_user_model().objects.create_user(f"vol-leak-{person.pk}", role=Role.VOLUNTEER, area=community)
        volunteer = Volunteer.all_objects.create(
            name="送菜志愿者",
            phone="13700001111",
            id_number=synthetic_id_number(90_000 + person.pk),
            community=community,
            roles=["delivery", "order_keeping"],
            verified_at=timezone.now(),
            user=user,
        )
        campaign = Campaign.objects.create(name=f"volunteers leak {person.pk}")
        site = Site.objects.create(campaign=campaign, name="志愿者测试点", area=person.grid, desks=1)
        now = timezone.now()
        shift = services.shift_assign(site, volunteer, role="order_keeping", starts_at=now, hours=4, by=None)
        errand = Errand.all_objects.create(
            grid=person.grid,
            person=person,
            kind=Errand.Kind.GROCERIES,
            source=Errand.Source.GRID_WORKER,
            items="米",
            recipient_name=person.name,
            phone=person.phone,
            address=f"{person.name}家",
        )
        services.errand_claim(errand, volunteer)
        help_request = help_request_create(
            area=person.grid,
            person=person,
            kind=RequestKind.SUPPLIES,
            channel=HelpRequest.Channel.HOTLINE,
            requester_name=person.name,
            description="面条",
        )
        schedule = MedicineSchedule.all_objects.create(
            person=person, grid=person.grid, medicine="降压药", next_on=timezone.localdate() + timedelta(days=1)
        )
    return {
        "volunteer_id": volunteer.pk,
        "volunteers:site_id": site.pk,
        "volunteers:code": services.check_in_code(site),
        "errand_id": errand.pk,
        "volunteers:request_id": help_request.pk,
        "volunteers:schedule_id": schedule.pk,
        "shift_id": shift.pk,
    }


def write_cases(values):
    """Volunteers' write routes; targets are the rows leak_objects made for a person in grid B."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from core.context import system_actor
    from gridcare.tests.writes import WriteCase
    from registry.testing import synthetic_id_number
    from screening.models import Site
    from volunteers import services
    from volunteers.models import Errand, Volunteer

    with system_actor():
        volunteer = Volunteer.all_objects.get(pk=values["volunteer_id"])
        unverified = Volunteer.all_objects.create(
            name="待审志愿者",
            phone="13700002222",
            id_number=synthetic_id_number(95_000 + volunteer.pk),
            community=volunteer.community,
            roles=["duty"],
        )
        verified = Volunteer.all_objects.create(
            name="已审志愿者",
            phone="13700003333",
            id_number=synthetic_id_number(96_000 + volunteer.pk),
            community=volunteer.community,
            roles=["code_checking"],
            verified_at=timezone.now(),
        )
        grid_b = Errand.all_objects.get(pk=values["errand_id"]).grid
        # vera (the walkers' volunteer) gets her own volunteer row, a shift now at the site, an open errand in
        # grid B to claim and one she claimed to deliver.
        vera = Volunteer.all_objects.create(
            name="维拉",
            phone="13700005555",
            id_number=synthetic_id_number(97_000 + volunteer.pk),
            community=volunteer.community,
            roles=["order_keeping", "delivery"],
            verified_at=timezone.now(),
            user=get_user_model().objects.get(username="vera"),
        )
        site = Site.objects.get(pk=values["volunteers:site_id"])
        services.shift_assign(site, vera, role="order_keeping", starts_at=timezone.now(), hours=4, by=None)
        open_errand, mine = (
            Errand.all_objects.create(
                grid=grid_b,
                kind=Errand.Kind.GROCERIES,
                source=Errand.Source.PUBLIC,
                items="米",
                recipient_name="住户",
                phone="13700006666",
                address="2栋",
            )
            for _ in range(2)
        )
        services.errand_claim(mine, vera)

    def url(name, *args):
        return reverse(f"volunteers:{name}", args=args)

    site = values["volunteers:site_id"]
    return [
        # Only the volunteer named on the row may: the role table gives vera the verb, her own rows the object.
        WriteCase("volunteers:check_in", url("check_in", site, values["volunteers:code"]), "volunteers.check_in_shift"),
        WriteCase("volunteers:errand_claim", url("errand_claim", open_errand.pk), "volunteers.claim_errand"),
        WriteCase(
            "volunteers:errand_deliver",
            url("errand_deliver", mine.pk),
            "volunteers.claim_errand",
            data={"code": mine.handoff_code, "paid_by": "resident", "amount": "35.50"},
        ),
        WriteCase("volunteers:verify", url("verify", unverified.pk), "volunteers.verify_volunteer"),
        WriteCase("volunteers:login", url("login", verified.pk), "volunteers.verify_volunteer"),
        WriteCase(
            "volunteers:assign",
            url("assign", site),
            "volunteers.add_shift",
            data={"volunteer": verified.pk, "role": "code_checking", "hours": 4},
        ),
        WriteCase(
            "volunteers:errand_new",
            url("errand_new"),
            "volunteers.add_errand",
            data={
                "grid": grid_b.pk,
                "kind": "groceries",
                "items": "米",
                "recipient_name": "住户",
                "phone": "13700004444",
                "address": "1栋",
                "source": "grid_worker",
            },
        ),
        WriteCase(
            "volunteers:from_request", url("from_request", values["volunteers:request_id"]), "volunteers.add_errand"
        ),
        WriteCase(
            "volunteers:from_medicine", url("from_medicine", values["volunteers:schedule_id"]), "volunteers.add_errand"
        ),
    ]


PUBLIC_WRITE_ROUTES = ["volunteers:sign_up", "volunteers:ask_errand"]
