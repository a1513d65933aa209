"""Writes of the notices app (each a `@writes` service, core.access):

- notice_send(area, *, title, body, audience, params, channels, values, template, by) -> Notice
- deliveries_dispatch(now=None, notice_id=None) -> {"sent", "failed", "deferred"}: sends what is due
- delivery_acknowledge_public(code) -> Delivery | None (the public link; idempotent)
- notice_person_acknowledge(notice, person, *, by) (a reply by phone)
- call_task_reach(task, *, by) (ticked on the phone or knock list; acknowledges too)
- notices_escalate(now=None) -> {"phone", "knock"}: the silent become per-grid phone, then knock lists
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import limits
from core.access import writes
from core.audit import audit_record
from core.context import system_actor
from core.models import AuditEvent
from notices.channels import Message, channel_for
from notices.conf import setting
from notices.models import CallTask, Channel, Delivery, Notice, NoticeGroupRobot, name_masked, template_render
from notices.selectors import audience_persons

CLAIM = timedelta(minutes=5)  # a delivery being sent is out of reach of another worker this long


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def ack_url(code):
    from django.urls import reverse

    return setting("PUBLIC_BASE_URL").rstrip("/") + reverse("notices_public:acknowledge", args=[code])


@writes("notices.add_notice")
def notice_send(area, *, title, body, audience, params=None, channels, values=None, template=None, by=None):
    """Writes the notice and its deliveries (the body rendered per person now, so a later change of the template
    changes nothing sent), audits who sent what to how many, and enqueues the sending after commit. The audience is
    read in the sender's scope: a grid worker reaches only their grid, whatever the area says."""
    from notices.models import template_placeholders_check

    template_placeholders_check(body)
    params, values = params or {}, values or {}
    persons = audience_persons(area, audience, params)
    now = timezone.now()
    with transaction.atomic():
        notice = Notice.all_objects.create(
            area=area,
            template=template,
            title=title,
            body=body,
            audience=audience,
            audience_params={k: getattr(v, "pk", v) for k, v in params.items()},
            channels=list(channels),
            values={k: str(v) for k, v in values.items()},
            sent_by=_user(by),
            sent_at=now,
            phone_after_hours=setting("PHONE_AFTER_HOURS"),
            knock_after_hours=setting("KNOCK_AFTER_HOURS"),
        )
        rows = []
        for person in persons:
            text = template_render(body, name=person.name, **values)
            public = template_render(body, name=name_masked(person.name), **values)
            if Channel.SMS in channels and person.phone:
                rows.append(
                    Delivery(
                        notice=notice,
                        person=person,
                        grid_id=person.grid_id,
                        channel=Channel.SMS,
                        body=text,
                        public_body=public,
                        next_attempt_at=now,
                    )
                )
            if Channel.INBOX in channels or Channel.SMS not in channels or not person.phone:
                # every person has an inbox row: its code is the link that acknowledges (and the silent are listed)
                rows.append(
                    Delivery(
                        notice=notice,
                        person=person,
                        grid_id=person.grid_id,
                        channel=Channel.INBOX,
                        body=text,
                        public_body=public,
                        next_attempt_at=now,
                    )
                )
        if Channel.WECOM in channels:
            grids = sorted({p.grid_id for p in persons})
            group_text = template_render(body, name=_("residents"), **values)
            for robot in NoticeGroupRobot.all_objects.filter(grid_id__in=grids):
                rows.append(
                    Delivery(
                        notice=notice,
                        grid_id=robot.grid_id,
                        channel=Channel.WECOM,
                        body=group_text,
                        recipient=robot.webhook_url,
                        next_attempt_at=now,
                    )
                )
        if Channel.EMAIL in channels:
            # staff working in the area (its own office and every area under it), each under their own area
            staff = get_user_model().objects.filter(is_active=True, area__code__startswith=area.code).exclude(email="")
            staff_text = template_render(body, name=_("colleague"), **values)
            for user in staff.order_by("pk"):
                rows.append(
                    Delivery(
                        notice=notice,
                        grid_id=user.area_id,
                        channel=Channel.EMAIL,
                        body=staff_text,
                        recipient=user.email,
                        next_attempt_at=now,
                    )
                )
        Delivery.all_objects.bulk_create(rows)
        audit_record(
            AuditEvent.Action.CREATE,
            target=notice,
            summary=f"{title} → {area.name}: {len(persons)}",
            detail={
                "area": area.code,
                "audience": audience,
                "params": notice.audience_params,
                "channels": list(channels),
                "persons": len(persons),
                "deliveries": len(rows),
            },
            actor=_user(by),
        )
        transaction.on_commit(lambda: _enqueue(notice.pk))
    return notice


def _enqueue(notice_id):
    from notices.tasks import deliveries_send

    deliveries_send.enqueue(notice_id)


# --- sending ----------------------------------------------------------------------------------------------------


def _clock(text):
    hour, minute = (int(p) for p in text.split(":"))
    return time(hour, minute)


def quiet_until(now):
    """When the quiet hours around `now` end (aware), or None outside them. Local time (TIME_ZONE)."""
    start, end = (_clock(t) for t in setting("QUIET_HOURS"))
    local = timezone.localtime(now)
    day, moment = local.date(), local.time()
    if start <= end:
        inside = start <= moment < end
        end_day = day
    else:  # across midnight (22:00–07:00)
        inside = moment >= start or moment < end
        end_day = day + timedelta(days=1) if moment >= start else day
    if not inside:
        return None
    return timezone.make_aware(datetime.combine(end_day, end), timezone.get_default_timezone())


def backoff(attempts):
    return timedelta(seconds=setting("BACKOFF_SECONDS") * 2 ** max(attempts - 1, 0))


def deliveries_dispatch(now=None, notice_id=None):
    """Sends every queued delivery whose time has come (of one notice, or all: the retry job). Each is claimed by
    a conditional update first, so two workers never send one message twice. SMS waits out the quiet hours; a
    channel past its per-minute rate waits for the next minute; a failure is retried with exponential backoff
    until MAX_ATTEMPTS, then marked failed."""
    now = now or timezone.now()
    due = Delivery.all_objects.filter(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)
    if notice_id is not None:
        due = due.filter(notice_id=notice_id)
    counts = {"sent": 0, "failed": 0, "deferred": 0}
    quiet = quiet_until(now)
    rates = setting("RATE_PER_MINUTE")
    for delivery in due.select_related("person", "notice").order_by("next_attempt_at", "id")[:1000]:
        if delivery.channel == Channel.SMS and quiet is not None:
            Delivery.all_objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(next_attempt_at=quiet)
            counts["deferred"] += 1
            continue
        claimed = Delivery.all_objects.filter(
            pk=delivery.pk, status=Delivery.Status.QUEUED, next_attempt_at=delivery.next_attempt_at
        ).update(next_attempt_at=now + CLAIM)
        if not claimed:
            continue
        if not limits.hit(f"notices:{delivery.channel}", "all", limit=rates.get(delivery.channel, 60), window=60):
            next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            Delivery.all_objects.filter(pk=delivery.pk).update(next_attempt_at=next_minute)
            counts["deferred"] += 1
            continue
        result = channel_for(delivery.channel).send(_message(delivery))
        _record(delivery, result, now, counts)
    return counts


def _message(delivery):
    if delivery.channel == Channel.SMS:
        return Message(to=delivery.person.phone, text=f"{delivery.body} {ack_url(delivery.code)}")
    if delivery.channel == Channel.EMAIL:
        return Message(to=delivery.recipient, text=delivery.body, subject=delivery.notice.title)
    return Message(to=delivery.recipient, text=delivery.body)


def _record(delivery, result, now, counts):
    attempts = delivery.attempts + 1
    answer = result.answer[:1000]
    if result.ok:
        Delivery.all_objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENT, attempts=attempts, sent_at=now, answer=answer, next_attempt_at=None
        )
        counts["sent"] += 1
    elif attempts >= setting("MAX_ATTEMPTS"):
        Delivery.all_objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.FAILED, attempts=attempts, answer=answer, next_attempt_at=None
        )
        counts["failed"] += 1
    else:
        Delivery.all_objects.filter(pk=delivery.pk, status=Delivery.Status.QUEUED).update(
            attempts=attempts, answer=answer, next_attempt_at=now + backoff(attempts)
        )
        counts["deferred"] += 1


def deliveries_retry():
    """The scheduled job: whatever is due, of every notice."""
    return deliveries_dispatch()


# --- acknowledgement ---------------------------------------------------------------------------------------------


def _acknowledge(notice_id, person_id, *, source, by=None, now=None):
    """Marks every delivery of the notice to the person acknowledged (once: later calls change nothing)."""
    return Delivery.all_objects.filter(notice_id=notice_id, person_id=person_id, acknowledged_at__isnull=True).update(
        status=Delivery.Status.ACKNOWLEDGED,
        acknowledged_at=now or timezone.now(),
        source=source,
        acknowledged_by=_user(by),
    )


def delivery_acknowledge_public(code):
    """ "I have read it" on the public link: the code is the key (unguessable), so the system acts. Idempotent."""
    with system_actor():
        delivery = Delivery.all_objects.filter(code=code, person__isnull=False).first()
        if delivery is None:
            return None
        _acknowledge(delivery.notice_id, delivery.person_id, source=Delivery.Source.LINK)
    return delivery


@writes("notices.change_delivery")
def notice_person_acknowledge(notice, person, *, by=None):
    """A reply received by phone (or in person), recorded by staff."""
    changed = _acknowledge(notice.pk, person.pk, source=Delivery.Source.REPLY, by=by)
    if changed:
        audit_record(AuditEvent.Action.UPDATE, target=notice, summary=f"{notice.title}: {person.name}", actor=_user(by))
    return changed


@writes("notices.change_calltask")
def call_task_reach(task, *, by=None):
    """Ticked "reached" on the phone or knock list: the task is done, and the person counts as acknowledged."""
    now = timezone.now()
    done = CallTask.all_objects.filter(pk=task.pk, reached_at__isnull=True).update(reached_at=now, reached_by=_user(by))
    if done:
        _acknowledge(task.notice_id, task.person_id, source=Delivery.Source.REPLY, by=by, now=now)
        CallTask.all_objects.filter(notice_id=task.notice_id, person_id=task.person_id, reached_at__isnull=True).update(
            reached_at=now, reached_by=_user(by)
        )
    return bool(done)


# --- escalation --------------------------------------------------------------------------------------------------


def _silent(notice):
    """(person id, grid id) of the notice's persons with no acknowledged delivery."""
    deliveries = Delivery.all_objects.filter(notice=notice, person__isnull=False)
    acked = set(deliveries.filter(status=Delivery.Status.ACKNOWLEDGED).values_list("person_id", flat=True))
    return {(p, g) for p, g in deliveries.values_list("person_id", "grid_id") if p not in acked}


def notices_escalate(now=None):
    """The scheduled job: a notice past its phone wait puts its silent persons on their grid's phone list; past
    its knock wait, the still silent on the knock list. Each step once per notice (claimed by a conditional
    update of the notice), so running twice changes nothing."""
    now = now or timezone.now()
    made = {"phone": 0, "knock": 0}
    open_ = Notice.all_objects.filter(Q(phone_listed_at__isnull=True) | Q(knock_listed_at__isnull=True))
    for notice in open_.filter(sent_at__gte=now - timedelta(days=14)):
        for stage, hours, field in (
            (CallTask.Stage.PHONE, notice.phone_after_hours, "phone_listed_at"),
            (CallTask.Stage.KNOCK, notice.knock_after_hours, "knock_listed_at"),
        ):
            if getattr(notice, field) is not None or notice.sent_at + timedelta(hours=hours) > now:
                continue
            with transaction.atomic():
                if not Notice.all_objects.filter(pk=notice.pk, **{f"{field}__isnull": True}).update(**{field: now}):
                    continue
                tasks = [
                    CallTask(notice=notice, person_id=p, grid_id=g, stage=stage, created_at=now)
                    for p, g in sorted(_silent(notice))
                ]
                CallTask.all_objects.bulk_create(tasks, ignore_conflicts=True)
                made[stage] += len(tasks)
    return made


# --- the person's own data (registry.services.person_erase, core.retention) ---

# An anonymised message: its notice, grid, channel and status stay (who was reached, counted); to whom and what it
# said (the text names the person) go.
DELIVERY_ANONYMOUS = {"person": None, "recipient": "", "body": "", "public_body": "", "answer": ""}


def person_trail_erase(person):
    """The notices' part of an erasure: the messages sent to the person anonymised."""
    return {Delivery._meta.label: Delivery.all_objects.filter(person=person).update(**DELIVERY_ANONYMOUS)}
