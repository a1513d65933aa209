"""Reads for the care pages and API. All go through the scoped default managers."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import CareSettings, FollowUp, FollowUpTask, HelpRequest, LedgerEntry, Pairing, Relief
from registry.models import Area, Person, PersonGroup

Status = FollowUpTask.Status


def ledger_entry_list(*, group=None, grid=None, risk_min=None):
    qs = LedgerEntry.objects.select_related("person__household__building", "group", "risk_level", "grid")
    if group:
        qs = qs.filter(group=group)
    if grid:
        qs = qs.filter(grid__code__startswith=grid.code)
    if risk_min is not None:
        qs = qs.filter(risk_level__rank__gte=risk_min)
    return qs.order_by("grid__code", "group__sort", "person_id")


def to_survey_list():
    """Persons tagged in a special group in the register but without a ledger entry for it: the survey's to-do."""
    surveyed = LedgerEntry.all_objects.filter(person=OuterRef("person"), group=OuterRef("group"))
    return (
        PersonGroup.objects.filter(~Exists(surveyed))
        .select_related("person__grid", "group")
        .order_by("person__grid__code", "person_id")
    )


def current_pairing_exists():
    return Exists(Pairing.all_objects.filter(person=OuterRef("pk"), ended_at__isnull=True))


def unpaired_list():
    """Ledger persons without a contact; `moved_in` marks those who moved into their grid and wait for one."""
    in_ledger = Exists(LedgerEntry.all_objects.filter(person=OuterRef("pk")))
    moved_in = Exists(LedgerEntry.all_objects.filter(person=OuterRef("pk"), moved_in_at__isnull=False))
    return (
        Person.objects.filter(in_ledger)
        .exclude(current_pairing_exists())
        .annotate(moved_in=moved_in)
        .select_related("grid")
        .order_by("-moved_in", "grid__code", "pk")
    )


def day_planned(day=None):
    """Whether `care-plan-day` has planned the day (pages read the plan; they never make it)."""
    planned_on = CareSettings.current().planned_on
    return planned_on is not None and planned_on >= (day or timezone.localdate())


def workers_for(user):
    """Users who may be made a contact by `user`: active, inside the user's area."""
    qs = get_user_model().objects.filter(is_active=True).select_related("area").order_by("area__code", "username")
    if user.area_id and not user.is_superuser:
        qs = qs.filter(area__code__startswith=user.area.code)
    return qs


def today_cards(worker, day=None, person_id=None):
    """A worker's list for the day as plain rows (a phone list of a hundred people: no model instances): open
    calls first (home visits, then retries, then new), then the done ones, by building and floor."""
    day = day or timezone.localdate()
    qs = FollowUpTask.objects.filter(day=day)
    if worker is not None:
        qs = qs.filter(worker=worker)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    rows = qs.order_by(
        "-status", "person__household__building_id", "person__household__floor", "person_id"
    ).values_list(
        "person_id",
        "person__name",
        "status",
        "attempts",
        "person__household__building__address",
        "person__household__unit",
        "person__household__room",
    )
    labels = {value: str(label) for value, label in Status.choices}
    return [
        {
            "person_id": pk,
            "name": name,
            "status": status,
            "status_label": labels[status],
            "attempts": attempts,
            "address": f"{address} {unit}-{room}" if address else "",
        }
        for pk, name, status, attempts, address, unit, room in rows
    ]


def today_counts(worker, day=None):
    """The today list's counters in one aggregate: planned, done, left (not done yet, retries and home visits
    included), not reached (tried and not reached: retry or visit), home visits. A tap on the list sends them
    again without the list."""
    counts = FollowUpTask.objects.filter(day=day or timezone.localdate(), worker=worker).aggregate(**_task_counts())
    return {**counts, "left": counts["planned"] - counts["done"]}


def _task_counts():
    return {
        "planned": Count("pk"),
        "done": Count("pk", filter=Q(status=Status.DONE)),
        "not_reached": Count("pk", filter=Q(status__in=[Status.RETRY, Status.VISIT], attempts__gt=0)),
        "visit": Count("pk", filter=Q(status=Status.VISIT)),
    }


def supervision_by_community(area, day):
    """Today's planned / done / not reached per community under `area`."""
    rows = (
        FollowUpTask.objects.filter(day=day, grid__code__startswith=area.code)
        .values("grid__parent_id", "grid__parent__name", "grid__parent__code")
        .annotate(**_task_counts())
        .order_by("grid__parent__code")
    )
    return [_with_open(row) for row in rows]


def supervision_by_worker(area, day):
    rows = (
        FollowUpTask.objects.filter(day=day, grid__code__startswith=area.code)
        .values(
            "worker_id",
            "worker__username",
            "worker__first_name",
            "worker__last_name",
            "worker__role",
            "worker__area__name",
        )
        .annotate(**_task_counts())
        .order_by("worker__area__code", "worker__username")
    )
    # Workers furthest behind plan first.
    return sorted((_with_open(row) for row in rows), key=lambda row: row["rate"])


def _with_open(row):
    row["open"] = row["planned"] - row["done"]
    row["rate"] = round(100 * row["done"] / row["planned"]) if row["planned"] else 100
    return row


def unreached_days():
    """N of "not reached for N days" (CareSettings, set in the back office)."""
    return CareSettings.current().unreached_days


def _unreached(area, day=None, days=None):
    """Current pairings under `area` whose person was last reached more than `days` (default
    CareSettings.unreached_days) before `day`, or never."""
    day = day or timezone.localdate()
    limit = day - timedelta(days=unreached_days() if days is None else days)
    return Pairing.objects.filter(ended_at__isnull=True, grid__code__startswith=area.code).filter(
        Q(last_reached_on__isnull=True) | Q(last_reached_on__lt=limit)
    )


def unreached_list(area, day=None, worker_id=None):
    """Paired ledger persons whose last contact is more than N days ago (or never)."""
    qs = _unreached(area, day)
    if worker_id:
        qs = qs.filter(worker_id=worker_id)
    return qs.select_related("person", "worker", "grid").order_by("last_reached_on", "grid__code")


def unreached_by_grid(area, day=None, days=None):
    """{grid code: n} of unreached_list(area, day), in one GROUP BY."""
    return dict(_unreached(area, day, days).values_list("grid__code").annotate(n=Count("pk")).order_by())


def followups_left(worker, day=None):
    """The worker's follow-up calls of the day not done yet (retries and home visits included)."""
    day = day or timezone.localdate()
    return FollowUpTask.objects.filter(day=day, worker=worker).exclude(status=Status.DONE).count()


def recent_followups(area, day):
    return (
        FollowUp.objects.filter(at__date=day, grid__code__startswith=area.code)
        .select_related("person", "worker")
        .annotate(checks=Count("spot_checks"))
        .order_by("-at")
    )


def help_request_list(*, status=None, overdue=False, escalated=False, kind=None, area=None):
    qs = HelpRequest.objects.select_related("area", "assigned_to", "escalated_to", "person")
    if area is not None:
        qs = qs.filter(area__code__startswith=area.code)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.filter(status__in=HelpRequest.OPEN, deadline_at__lt=timezone.now())
    if escalated:
        qs = qs.filter(escalated_to__isnull=False, status__in=HelpRequest.OPEN)
    return qs.order_by("-green_channel", "deadline_at")


def help_requests_by_area(area, *, overdue=False):
    """{area code: n} of open help requests under `area` (only those past their deadline, with `overdue`)."""
    qs = HelpRequest.objects.filter(status__in=HelpRequest.OPEN, area__code__startswith=area.code)
    if overdue:
        qs = qs.filter(deadline_at__lt=timezone.now())
    return dict(qs.values_list("area__code").annotate(n=Count("pk")).order_by())


def relief_list(*, start=None, end=None):
    qs = Relief.objects.select_related("area", "request", "person", "approved_by", "delivered_by")
    if start:
        qs = qs.filter(created_at__date__gte=start)
    if end:
        qs = qs.filter(created_at__date__lte=end)
    return qs


def relief_totals(reliefs, level):
    """Totals of money and goods per area at `level` (street 9 or community 12 digits of the code)."""
    from django.db.models import Sum
    from django.db.models.functions import Substr

    length = Area.CODE_LENGTH[level]
    rows = (
        reliefs.order_by()
        .annotate(prefix=Substr("area__code", 1, length))
        .values("prefix", "kind")
        .annotate(count=Count("pk"), amount=Sum("amount"), quantity=Sum("quantity"))
        .order_by("prefix", "kind")
    )
    rows = list(rows)
    names = dict(Area.all_objects.filter(code__in={r["prefix"] for r in rows}).values_list("code", "name"))
    for row in rows:
        row["area_name"] = names.get(row["prefix"], row["prefix"])
        row["kind_label"] = Relief.Kind(row["kind"]).label
    return rows


def call_list_has(user, person):
    """Whether `person` is on one of `user`'s care lists, for the call link (registry.calls): their pairing (as
    worker or back-up), a follow-up task of theirs today, or an open help request for the person in their area."""
    pairing = Pairing.objects.filter(person=person, ended_at__isnull=True).filter(Q(worker=user) | Q(backup=user))
    task = FollowUpTask.objects.filter(person=person, worker=user, day=timezone.localdate())
    request = HelpRequest.objects.filter(person=person, status__in=HelpRequest.OPEN)
    return pairing.exists() or task.exists() or request.exists()


def person_data(person):
    """Care's part of a person's data export (registry.personal_data): the ledger, pairings, follow-ups, requests."""
    return [
        LedgerEntry.objects.filter(person=person),
        Pairing.objects.filter(person=person),
        FollowUp.objects.filter(person=person),
        HelpRequest.objects.filter(person=person),
        Relief.objects.filter(person=person),
    ]


def person_erase_refusals(person):
    """Why care still needs `person`'s data (registry.services.person_erase)."""
    if HelpRequest.all_objects.filter(person=person, status__in=HelpRequest.OPEN).exists():
        return [_("A help request of theirs is still open.")]
    return []
