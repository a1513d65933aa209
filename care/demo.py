"""Demo data for care: a ledger entry for every tagged special-group person, one grid worker per grid as their
contact, today's plan with some calls done, and a few help requests (some overdue). Bulk writes: seconds at
365,000 residents."""

import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.roles import Role
from care.models import FollowUp, FollowUpTask, HelpRequest, LedgerEntry, MedicineSchedule, Need, Pairing, RiskLevel
from care.services import followup_plan_day, help_request_create
from registry.demo import GIVEN_FEMALE, GIVEN_MALE, SURNAMES, insert_rows
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
    risks = list(RiskLevel.objects.values_list("pk", flat=True))
    today, now = _today_now()
    have = set(LedgerEntry.all_objects.values_list("person_id", "group_id"))
    rows = []
    tags = PersonGroup.all_objects.values_list("person_id", "group_id", "person__grid_id")
    for person_id, group_id, grid_id in tags.iterator(chunk_size=BATCH):
        if (person_id, group_id) in have:
            continue
        needs = json.dumps([str(n) for n in rng.sample(NEEDS, rng.randint(0, 2))])
        risk = rng.choice(risks) if risks else None
        guardian = rng.choice(["", "子女", "邻居", "社区"])
        rows.append((person_id, group_id, grid_id, today, risk, needs, "", guardian, "", "", now))
    _insert(LedgerEntry, LEDGER_COLUMNS, rows)
    return len(rows)


LEDGER_COLUMNS = [
    "person_id",
    "group_id",
    "grid_id",
    "since",
    "risk_level_id",
    "needs",
    "needs_note",
    "guardian_name",
    "guardian_phone",
    "guardian_relation",
    "surveyed_at",
]


def _today_now():
    ops = connection.ops
    return ops.adapt_datefield_value(timezone.localdate()), ops.adapt_datetimefield_value(timezone.now())


def _insert(model, columns, rows):
    """Demo volumes (tens of thousands of rows) through COPY / executemany, as the register's demo does."""
    with transaction.atomic(), connection.cursor() as cursor:
        insert_rows(cursor, model._meta.db_table, columns, rows)


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
    # A rebuilt demo (--reset) keeps earlier users but unbinds them: rebind the per-grid workers by name.
    seats = {
        f"gw{code}": pk
        for pk, code in Area.all_objects.filter(level=Area.Level.GRID).values_list("pk", "code")
        if pk not in workers
    }
    for user in User.objects.filter(username__in=seats):
        User.objects.filter(pk=user.pk).update(area_id=seats.pop(user.username), role=Role.GRID_WORKER, is_active=True)
    unusable = make_password(None)
    new = [
        User(username=name, role=Role.GRID_WORKER, area_id=pk, password=unusable, **_demo_worker_name(n))
        for n, (name, pk) in enumerate(sorted(seats.items()))
    ]
    User.objects.bulk_create(new, batch_size=BATCH)
    for user_id, area_id in User.objects.filter(username__startswith="gw", role=Role.GRID_WORKER).values_list(
        "pk", "area_id"
    ):
        workers.setdefault(area_id, user_id)
    return workers


def _demo_worker_name(n):
    """A name for the n-th per-grid demo worker, the same on every build."""
    given = GIVEN_FEMALE if n % 2 else GIVEN_MALE
    return {"last_name": SURNAMES[n * 7 % len(SURNAMES)], "first_name": given[n * 5 % len(given)]}


def _seat_named_grid_workers():
    from gridcare.management.commands.demo import DEMO_USERS, demo_area

    User = get_user_model()
    for username, role, where in DEMO_USERS:
        if role == Role.GRID_WORKER and not User.objects.filter(username=username).exists():
            User.objects.create_user(username, role=role, area=demo_area(where))


def _pairings(workers):
    paired = set(Pairing.all_objects.filter(ended_at__isnull=True).values_list("person_id", flat=True))
    persons = Person.all_objects.filter(ledger_entries__isnull=False).values_list("pk", "grid_id").distinct()
    _, now = _today_now()
    rows = [
        (pk, grid_id, workers[grid_id], now, 0)
        for pk, grid_id in persons.iterator(chunk_size=BATCH)
        if pk not in paired and grid_id in workers
    ]
    _insert(Pairing, ["person_id", "grid_id", "worker_id", "started_at", "misses"], rows)
    return len(rows)


def _some_calls_done(rng):
    """About a third of today's calls reached, a tenth not reached."""
    today = timezone.localdate()
    now = timezone.now()
    tasks = FollowUpTask.all_objects.filter(day=today, status=FollowUpTask.Status.PLANNED)
    done, missed, followups = [], [], []
    for task_id, person_id, grid_id, worker_id in tasks.values_list("pk", "person_id", "grid_id", "worker_id"):
        roll = rng.random()
        if roll >= 0.45:
            continue
        reached = roll < 0.35
        (done if reached else missed).append((task_id, person_id))
        outcome = FollowUp.Outcome.WELL if reached else FollowUp.Outcome.NOT_REACHED
        at = connection.ops.adapt_datetimefield_value(now - timedelta(minutes=rng.randint(1, 240)))
        followups.append((person_id, grid_id, task_id, worker_id, FollowUp.Kind.CALL, str(outcome), "", at))
    _insert(FollowUp, ["person_id", "grid_id", "task_id", "worker_id", "kind", "outcome", "note", "at"], followups)
    for rows, status, state in (
        (done, FollowUpTask.Status.DONE, {"last_reached_on": today, "misses": 0}),
        (missed, FollowUpTask.Status.RETRY, {"misses": 1}),
    ):
        for chunk in range(0, len(rows), BATCH):
            task_ids, person_ids = zip(*rows[chunk : chunk + BATCH], strict=True)
            FollowUpTask.all_objects.filter(pk__in=task_ids).update(status=status, attempts=1)
            Pairing.all_objects.filter(person_id__in=person_ids, ended_at__isnull=True).update(**state)
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
