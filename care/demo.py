"""Demo data for care: a ledger entry for every tagged special-group person, one grid worker per grid as their
contact, today's plan with some calls done, and a few help requests (some overdue). Bulk writes: seconds at
365,000 residents."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.roles import Role
from care.models import FollowUp, FollowUpTask, HelpRequest, LedgerEntry, MedicineSchedule, Need, Pairing, RiskLevel
from care.services import followup_plan_day, help_request_create
from registry.models import Area, Person, PersonGroup

NEEDS = [Need.MEDICINE, Need.MEALS, Need.OXYGEN, Need.GUARDIAN_AWAY, Need.CARE]
BATCH = 5000


def build_demo(*, rng, stdout):
    entries = _ledger(rng)
    workers = _grid_workers()
    pairings = _pairings(workers)
    planned = followup_plan_day()
    done = _some_calls_done(rng)
    requests = _requests(rng)
    _medicine(rng)
    stdout.write(
        f"care: {entries} ledger entries, {pairings} pairings, {planned} calls planned today ({done} done), "
        f"{requests} requests"
    )


def _ledger(rng):
    risks = list(RiskLevel.objects.all())
    have = set(LedgerEntry.all_objects.values_list("person_id", "group_id"))
    rows = []
    tags = PersonGroup.all_objects.values_list("person_id", "group_id", "person__grid_id")
    for person_id, group_id, grid_id in tags.iterator(chunk_size=BATCH):
        if (person_id, group_id) in have:
            continue
        needs = rng.sample(NEEDS, rng.randint(0, 2))
        rows.append(
            LedgerEntry(
                person_id=person_id,
                group_id=group_id,
                grid_id=grid_id,
                risk_level=rng.choice(risks) if risks else None,
                needs=[str(n) for n in needs],
                guardian_name=rng.choice(["", "子女", "邻居", "社区"]),
            )
        )
    LedgerEntry.all_objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _grid_workers():
    """{grid id: worker id}: the grid's existing grid worker, or a new one (no usable password) per grid. The demo's
    named grid workers (grid1, grid2) are seated first, so their logins open a full list; the demo command gives
    them their password afterwards."""
    User = get_user_model()
    _seat_named_grid_workers()
    workers = {}
    for user_id, area_id in (
        User.objects.filter(role=Role.GRID_WORKER, is_active=True).order_by("pk").values_list("pk", "area_id")
    ):
        workers.setdefault(area_id, user_id)
    unusable = make_password(None)
    new = [
        User(username=f"gw{code}", role=Role.GRID_WORKER, area_id=pk, password=unusable, last_name="网格员")
        for pk, code in Area.all_objects.filter(level=Area.Level.GRID).values_list("pk", "code")
        if pk not in workers
    ]
    User.objects.bulk_create(new, batch_size=BATCH)
    for user_id, area_id in User.objects.filter(username__in=[u.username for u in new]).values_list("pk", "area_id"):
        workers[area_id] = user_id
    return workers


def _seat_named_grid_workers():
    from gridcare.management.commands.demo import DEMO_USERS, demo_area

    User = get_user_model()
    for username, role, where in DEMO_USERS:
        if role == Role.GRID_WORKER and not User.objects.filter(username=username).exists():
            User.objects.create_user(username, role=role, area=demo_area(where))


def _pairings(workers):
    paired = set(Pairing.all_objects.filter(ended_at__isnull=True).values_list("person_id", flat=True))
    persons = Person.all_objects.filter(ledger_entries__isnull=False).values_list("pk", "grid_id").distinct()
    rows = [
        Pairing(person_id=pk, grid_id=grid_id, worker_id=workers[grid_id])
        for pk, grid_id in persons.iterator(chunk_size=BATCH)
        if pk not in paired and grid_id in workers
    ]
    Pairing.all_objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _some_calls_done(rng):
    """About a third of today's calls reached, a few not reached."""
    today = timezone.localdate()
    now = timezone.now()
    tasks = list(FollowUpTask.all_objects.filter(day=today, status=FollowUpTask.Status.PLANNED))
    done, missed, followups = [], [], []
    for task in tasks:
        roll = rng.random()
        if roll < 0.35:
            done.append(task.person_id)
            task.status, task.attempts = FollowUpTask.Status.DONE, 1
        elif roll < 0.45:
            missed.append(task.person_id)
            task.status, task.attempts = FollowUpTask.Status.RETRY, 1
        else:
            continue
        outcome = FollowUp.Outcome.WELL if task.status == FollowUpTask.Status.DONE else FollowUp.Outcome.NOT_REACHED
        at = now - timedelta(minutes=rng.randint(1, 240))
        followups.append(
            FollowUp(
                person_id=task.person_id,
                grid_id=task.grid_id,
                task=task,
                worker_id=task.worker_id,
                outcome=outcome,
                at=at,
            )
        )
    FollowUpTask.all_objects.bulk_update([t for t in tasks if t.attempts], ["status", "attempts"], batch_size=BATCH)
    FollowUp.all_objects.bulk_create(followups, batch_size=BATCH)
    for chunk in range(0, len(done), BATCH):
        Pairing.all_objects.filter(person_id__in=done[chunk : chunk + BATCH], ended_at__isnull=True).update(
            last_reached_on=today, misses=0
        )
    for chunk in range(0, len(missed), BATCH):
        Pairing.all_objects.filter(person_id__in=missed[chunk : chunk + BATCH], ended_at__isnull=True).update(misses=1)
    return len(done)


def _requests(rng):
    persons = list(Person.all_objects.filter(ledger_entries__isnull=False).select_related("grid").distinct()[:40])
    count = 0
    for i, person in enumerate(persons):
        kind = rng.choice(["medical", "supplies", "relief", "psychological", "other"])
        request = help_request_create(
            area=person.grid,
            person=person,
            kind=kind,
            channel=rng.choice([HelpRequest.Channel.HOTLINE, HelpRequest.Channel.GRID_WORKER]),
            requester_name=person.name,
            description=rng.choice(["家中药品快用完", "需要买米面油", "老人独居需要陪诊", "情绪低落需要心理疏导"]),
        )
        if i % 4 == 0:  # some were received two days ago and are overdue now
            past = timezone.now() - timedelta(days=2)
            HelpRequest.all_objects.filter(pk=request.pk).update(created_at=past, deadline_at=past + timedelta(hours=4))
        count += 1
    return count


def _medicine(rng):
    today = timezone.localdate()
    rows = [
        MedicineSchedule(
            person_id=pk,
            grid_id=grid_id,
            medicine=rng.choice(["降压药", "胰岛素", "降糖药"]),
            every_days=30,
            next_on=today + timedelta(days=rng.randint(-2, 28)),
        )
        for pk, grid_id in Person.all_objects.filter(ledger_entries__isnull=False, mobility=Person.Mobility.BEDRIDDEN)
        .values_list("pk", "grid_id")
        .distinct()[:500]
    ]
    MedicineSchedule.all_objects.bulk_create(rows, batch_size=BATCH)
