"""Demo data for volunteers: couriers, riders and drivers who signed up, cadres who reported in to their home
community (some not yet verified), shifts at the running round's sampling sites for the current hour with gaps
left, the demo login `volunteer` as one of them, and open errands to the doors of the ledger. Synthetic only."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from care.models import MedicineSchedule
from core.context import system_actor
from registry.demo import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from registry.models import Area, Person
from registry.testing import synthetic_id_number
from screening.models import Site
from screening.selectors import round_current
from volunteers import services
from volunteers.models import Errand, Volunteer, VolunteerRole

ROLES = list(VolunteerRole.values)
UNITS = ["区委办", "区住建局", "区教育局", "礼乐街道办", "区税务局"]


def build_demo(*, rng, stdout):
    with system_actor():
        volunteers = _volunteers(rng)
        shifts = _shifts(rng, volunteers)
        errands = _errands(rng)
    cadres = sum(v.kind == Volunteer.Kind.REPORT_IN for v in volunteers)
    stdout.write(
        f"volunteers: {len(volunteers)} volunteers ({cadres} cadres reported in), {shifts} shifts, {errands} errands"
    )


def _volunteers(rng):
    communities = list(Area.all_objects.filter(level=Area.Level.COMMUNITY).order_by("code")[:12])
    made = []
    for n in range(120):
        kind = Volunteer.Kind.REPORT_IN if n % 3 == 0 else Volunteer.Kind.VOLUNTEER
        given = rng.choice(GIVEN_MALE + GIVEN_FEMALE)
        made.append(
            Volunteer(
                kind=kind,
                name=rng.choice(SURNAMES) + given,
                phone=f"137{rng.randrange(10**8):08d}",
                id_number=synthetic_id_number(800_000 + n),
                community=communities[n % len(communities)],
                work_unit=rng.choice(UNITS) if kind == Volunteer.Kind.REPORT_IN else "",
                roles=rng.sample(ROLES, rng.randint(1, 3)),
                vehicle=rng.choice(["", "", "电动车", "小汽车"]),
                verified_at=timezone.now() if n % 10 else None,
            )
        )
    Volunteer.all_objects.bulk_create(made, ignore_conflicts=True)
    volunteers = list(Volunteer.all_objects.filter(id_number__in=[v.id_number for v in made]))
    login = get_user_model().objects.filter(username="volunteer").first()
    if login is not None:
        own = next(v for v in volunteers if v.verified_at and v.community_id == login.area_id)
        own.user, own.roles = login, sorted({*own.roles, "order_keeping", "delivery"})
        own.save(update_fields=["user", "roles"])
    return volunteers


def _shifts(rng, volunteers):
    """About half the target of the current hour is on shift at the round's sites, so the board shows gaps."""
    round_ = round_current()
    if round_ is None:
        return 0
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    free = [v for v in volunteers if v.verified_at]
    rng.shuffle(free)
    count = 0
    for site in Site.objects.filter(campaign=round_.campaign).select_related("area")[:20]:
        for role in ("order_keeping", "code_checking"):
            if not free:
                return count
            volunteer = free.pop()
            if role not in volunteer.roles:
                volunteer.roles = [*volunteer.roles, role]
                volunteer.save(update_fields=["roles"])
            shift = services.shift_assign(site, volunteer, role=role, starts_at=start, hours=4, by=None)
            if rng.random() < 0.7:
                shift.checked_in_at = start + timedelta(minutes=rng.randint(0, 20))
                shift.save(update_fields=["checked_in_at"])
            count += 1
    return count


def _errands(rng):
    persons = list(Person.all_objects.filter(ledger_entries__isnull=False).select_related("household__building")[:8])
    for person in persons:
        Errand.all_objects.create(
            grid_id=person.grid_id,
            person=person,
            kind=rng.choice(Errand.Kind.values),
            source=Errand.Source.GRID_WORKER,
            items=rng.choice(["大米一袋、挂面两包", "鸡蛋一盒、青菜", "降压药一盒"]),
            recipient_name=person.name,
            phone=person.phone,
            address=str(person.household),
            created_at=timezone.now() - timedelta(hours=rng.randint(0, 8)),
        )
    for schedule in MedicineSchedule.all_objects.filter(active=True).select_related("person__household")[:4]:
        services.errand_from_medicine_schedule(schedule)
    return Errand.all_objects.count()
