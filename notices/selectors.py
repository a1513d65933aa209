"""Reads of the notices app. Everything through the scoped managers; audiences through the apps that own them:

- audience_persons(area, audience, params) -> persons of the audience inside `area` (and the caller's scope)
- notice_list(), notice_get(notice_id), notice_counts(notice) -> {"by_channel": …, "persons", "acknowledged", …}
- notice_silent(notice, limit) -> persons with a delivery who have not acknowledged
- call_list(stage) -> open CallTasks of the caller's grids, in walking order
- delivery_by_code(code) -> the delivery of a public link (unscoped: the code is the key), or None
"""

from django.db.models import Count, Q

from notices.models import CallTask, Channel, Delivery, Notice
from registry.models import Area, Person


def audience_persons(area, audience, params):
    """Who the notice goes to. A round's missing list is screening's (`missing_persons`), a compound under control
    tracing's (`control_residents`); an area and a special group are the register's persons of the area."""
    # an erased person (registry.services.person_erase) is told nothing: they have no name or number left
    in_area = Q(grid__code__startswith=area.code) & ~Q(residence_status=Person.ResidenceStatus.ERASED)
    if audience == Notice.Audience.AREA:
        return list(Person.objects.filter(in_area).order_by("grid__code", "id"))
    if audience == Notice.Audience.GROUP:
        return list(
            Person.objects.filter(in_area, special_groups=params["group"]).distinct().order_by("grid__code", "id")
        )
    if audience == Notice.Audience.ROUND_MISSING:
        from screening.models import Round
        from screening.selectors import missing_persons

        return list(missing_persons(Round.objects.get(pk=params["round"]), area))
    if audience == Notice.Audience.CONTROL:
        from tracing.models import Control
        from tracing.selectors import control_residents

        control = Control.objects.get(pk=params["control"])
        persons = control_residents(control, limit=None)["persons"]
        grids = set(Area.objects.filter(code__startswith=area.code).values_list("pk", flat=True))
        return [p for p in persons if p.grid_id in grids]
    raise ValueError(audience)


def notice_list(limit=100):
    return list(Notice.objects.select_related("area", "sent_by")[:limit])


def notice_get(notice_id):
    return Notice.objects.select_related("area", "sent_by").get(pk=notice_id)


def notice_counts(notice):
    """Deliveries by channel and status, and how many persons were reached / acknowledged / are on the lists.
    Counted in the caller's scope: a grid worker sees their grid's part of a community's notice."""
    deliveries = Delivery.objects.filter(notice=notice)
    by_channel = {}
    for row in deliveries.values("channel", "status").annotate(n=Count("pk")).order_by("channel", "status"):
        by_channel.setdefault(row["channel"], {})[row["status"]] = row["n"]
    labelled = {
        str(Channel(c).label): {str(Delivery.Status(s).label): n for s, n in statuses.items()}
        for c, statuses in by_channel.items()
    }
    persons = deliveries.filter(person__isnull=False)
    calls = CallTask.objects.filter(notice=notice)
    return {
        "by_channel": by_channel,
        "by_channel_labelled": labelled,
        "persons": persons.values("person_id").distinct().count(),
        "acknowledged": persons.filter(status=Delivery.Status.ACKNOWLEDGED).values("person_id").distinct().count(),
        "phone": calls.filter(stage=CallTask.Stage.PHONE).count(),
        "knock": calls.filter(stage=CallTask.Stage.KNOCK).count(),
    }


def notice_silent(notice, limit=200):
    acked = Delivery.objects.filter(notice=notice, status=Delivery.Status.ACKNOWLEDGED).values("person_id")
    ids = (
        Delivery.objects.filter(notice=notice, person__isnull=False)
        .exclude(person_id__in=acked)
        .values_list("person_id", flat=True)
        .distinct()
    )
    return list(
        Person.objects.filter(pk__in=list(ids))
        .select_related("household__building")
        .order_by("grid__code", "id")[:limit]
    )


def call_list(stage, limit=300):
    return list(
        CallTask.objects.filter(stage=stage, reached_at__isnull=True).select_related(
            "notice", "person__household__building", "grid"
        )[:limit]
    )


def delivery_by_code(code):
    return Delivery.all_objects.select_related("notice", "person").filter(code=code).first()


def person_data(person):
    """The notices' part of a person's data export (registry.personal_data): what was sent to them, the calls."""
    return [Delivery.objects.filter(person=person), CallTask.objects.filter(person=person)]
