"""The care ledger: special-group persons, their named contact, daily follow-up, help requests and relief.

Every row that names a person carries the person's grid (or, for requests and relief, the area they belong to) so
that the scoped managers filter without a join."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.masking import mask_phone
from core.scoping import ScopedManager
from core.translated import NamedInLanguages
from registry.models import Area, Person, SpecialGroup


class CareSettings(models.Model):
    """The district's rules (one row). Each number is a setting, not a constant."""

    emergency_mode = models.BooleanField(
        _("emergency mode"), default=False, help_text=_("Follow-ups use each group's emergency interval.")
    )
    misses_before_visit = models.PositiveSmallIntegerField(
        _("misses before a home visit"), default=3, help_text=_("Unanswered calls in a row that escalate to a visit.")
    )
    unreached_days = models.PositiveSmallIntegerField(_("days without contact that turn red"), default=2)
    public_requests_per_hour = models.PositiveSmallIntegerField(_("public requests per address per hour"), default=5)
    planned_on = models.DateField(
        _("follow-ups last planned for"), null=True, blank=True, editable=False, help_text=_("Set by care-plan-day.")
    )

    class Meta:
        verbose_name = _("care settings")
        verbose_name_plural = _("care settings")

    def __str__(self):
        return str(_("care settings"))

    @classmethod
    def current(cls):
        """The settings row, or the defaults while none is saved (reading them writes nothing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class RiskLevel(NamedInLanguages, models.Model):
    """The admin-set risk scale (e.g. 1 low … 3 high), named in Chinese and English."""

    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("Higher is more at risk."))
    name = models.CharField(_("name"), max_length=30)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("risk level")
        verbose_name_plural = _("risk levels")

    def __str__(self):
        return self.label


class ContactPlan(models.Model):
    """How often a group is phoned: daily in an emergency, weekly otherwise, by default."""

    group = models.OneToOneField(SpecialGroup, models.CASCADE, related_name="contact_plan", verbose_name=_("group"))
    normal_days = models.PositiveSmallIntegerField(_("days between calls (normal)"), default=7)
    emergency_days = models.PositiveSmallIntegerField(_("days between calls (emergency)"), default=1)

    class Meta:
        verbose_name = _("contact plan")
        verbose_name_plural = _("contact plans")

    def __str__(self):
        return f"{self.group}: {self.normal_days}/{self.emergency_days}"


class Need(models.TextChoices):
    MEDICINE = "medicine", _("medicine")
    OXYGEN = "oxygen", _("oxygen")
    DIALYSIS = "dialysis", _("dialysis")
    MEALS = "meals", _("meals")
    GUARDIAN_AWAY = "guardian_away", _("guardian away")
    CARE = "care", _("daily care")
    PSYCHOLOGICAL = "psychological", _("psychological support")


class LedgerEntry(models.Model):
    """台账: a person in a special group. Adding an entry also tags the person (registry.PersonGroup)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="ledger_entries", verbose_name=_("person"))
    group = models.ForeignKey(SpecialGroup, models.PROTECT, related_name="ledger_entries", verbose_name=_("group"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    since = models.DateField(_("since"), default=timezone.localdate)
    risk_level = models.ForeignKey(
        RiskLevel, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("risk level")
    )
    needs = models.JSONField(_("needs"), default=list, blank=True)
    needs_note = models.CharField(_("other needs"), max_length=200, blank=True)
    guardian_name = models.CharField(_("guardian / emergency contact"), max_length=60, blank=True)
    guardian_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    guardian_relation = models.CharField(_("relation"), max_length=20, blank=True)
    surveyed_at = models.DateTimeField(_("surveyed at"), default=timezone.now)
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("surveyed by"),
    )
    moved_in_at = models.DateTimeField(
        _("moved in, needs a contact"),
        null=True,
        blank=True,
        help_text=_("Set when the person moves into this grid; cleared when they get a contact here."),
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["grid__code", "person_id", "group__sort"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [models.UniqueConstraint(fields=["person", "group"], name="ledger_one_entry_per_group")]
        indexes = [models.Index(fields=["grid", "group"])]

    def __str__(self):
        return f"{self.person} · {self.group}"

    @property
    def masked_guardian_phone(self):
        return mask_phone(self.guardian_phone)

    def need_labels(self):
        labels = dict(Need.choices)
        return [labels.get(code, code) for code in self.needs]


class Pairing(models.Model):
    """联络帮扶: a ledger person's responsible worker (and back-up). Reassignment closes the row and opens a new one,
    so the history stays; the open row also carries the follow-up state (last contact, misses in a row)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="pairings", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="care_pairings", verbose_name=_("responsible worker")
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("back-up")
    )
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ended at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    last_reached_on = models.DateField(_("last reached"), null=True, blank=True)
    misses = models.PositiveSmallIntegerField(_("misses in a row"), default=0)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_at__isnull=True), name="pairing_one_current"
            ),
        ]
        indexes = [models.Index(fields=["worker", "ended_at"])]

    def __str__(self):
        return f"{self.person} → {self.worker}"


class FollowUpTask(models.Model):
    """One person to contact on one day: the worker's "today" list and what supervision counts."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("to call")
        RETRY = "retry", _("not reached, retry")
        VISIT = "visit", _("visit in person")
        DONE = "done", _("reached")

    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("worker"))
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["day", "status", "person_id"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="followuptask_one_per_day")]
        indexes = [models.Index(fields=["worker", "day"]), models.Index(fields=["day", "grid"])]

    def __str__(self):
        return f"{self.day} {self.person}"


class FollowUp(models.Model):
    """随访: one call or visit and its outcome."""

    class Kind(models.TextChoices):
        CALL = "call", _("phone call")
        VISIT = "visit", _("home visit")

    class Outcome(models.TextChoices):
        WELL = "well", _("reached and well")
        NEED = "need", _("reached, has a need")
        NOT_REACHED = "not_reached", _("not reached")

    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    task = models.ForeignKey(
        FollowUpTask, models.SET_NULL, null=True, blank=True, related_name="followups", verbose_name=_("follow-up task")
    )
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("worker"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CALL)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["person", "at"]), models.Index(fields=["worker", "at"])]

    def __str__(self):
        return f"{self.person} {self.get_outcome_display()}"

    @property
    def reached(self):
        return self.outcome != self.Outcome.NOT_REACHED


class SpotCheck(models.Model):
    """督导抽查: a supervisor phones the person to confirm the worker's logged contact."""

    followup = models.ForeignKey(FollowUp, models.CASCADE, related_name="spot_checks", verbose_name=_("follow-up"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("supervisor")
    )
    confirmed = models.BooleanField(_("person confirmed the contact"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")

    def __str__(self):
        return f"{self.followup} · {self.confirmed}"


class RequestKind(models.TextChoices):
    MEDICAL = "medical", _("medical visit / medicine")
    SUPPLIES = "supplies", _("daily supplies")
    RELIEF = "relief", _("relief money or goods")
    HOME_SAMPLING = "home_sampling", _("home sampling")
    PSYCHOLOGICAL = "psychological", _("psychological support")
    OTHER = "other", _("other")


class RequestDeadline(models.Model):
    """Hours to resolve a request, per type, for the normal and the green channel."""

    kind = models.CharField(_("type"), max_length=20, choices=RequestKind.choices, unique=True)
    normal_hours = models.PositiveSmallIntegerField(_("hours (normal)"), default=48)
    green_hours = models.PositiveSmallIntegerField(_("hours (green channel)"), default=24)

    DEFAULTS = {RequestKind.MEDICAL: (24, 4), RequestKind.HOME_SAMPLING: (24, 6)}

    class Meta:
        verbose_name = _("request deadline")
        verbose_name_plural = _("request deadlines")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.normal_hours}h / {self.green_hours}h"

    @classmethod
    def hours(cls, kind, green):
        row = cls.objects.filter(kind=kind).first()
        normal, green_hours = (row.normal_hours, row.green_hours) if row else cls.DEFAULTS.get(kind, (48, 24))
        return green_hours if green else normal


class HelpRequest(models.Model):
    """诉求: a request for help, from any channel, through received → assigned → in progress → resolved →
    confirmed. `area` is the grid (or community, for a public request) it belongs to; escalation marks the area
    above, whose staff see it already by scope."""

    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("hotline")
        GRID_WORKER = "grid_worker", _("grid worker")
        FOLLOWUP = "followup", _("follow-up call")
        PUBLIC = "public", _("resident (public page)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")
        CONFIRMED = "confirmed", _("confirmed with requester")

    OPEN = (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS)

    class Transport(models.TextChoices):
        NONE = "", _("none")
        TRANSPORT = "transport", _("transport")
        ESCORT = "escort", _("escort")
        BOTH = "both", _("transport and escort")

    receipt = models.CharField(_("receipt number"), max_length=20, unique=True)
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("type"), max_length=20, choices=RequestKind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    requester_name = models.CharField(_("requester"), max_length=60)
    requester_phone = models.CharField(_("phone"), max_length=20, blank=True)
    description = models.TextField(_("what is needed"), max_length=1000)
    green_channel = models.BooleanField(_("green channel"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    deadline_at = models.DateTimeField(_("deadline"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    escalated_to = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("escalated to")
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    hospital = models.CharField(_("hospital"), max_length=80, blank=True)
    department = models.CharField(_("department"), max_length=60, blank=True)
    transport = models.CharField(_("transport or escort"), max_length=10, choices=Transport.choices, blank=True)
    result = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-green_channel", "deadline_at"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [models.Index(fields=["status", "deadline_at"]), models.Index(fields=["area", "status"])]

    def __str__(self):
        return self.receipt

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def is_overdue(self):
        return self.is_open and self.deadline_at < timezone.now()

    @property
    def masked_requester_phone(self):
        return mask_phone(self.requester_phone)


class RequestEvent(models.Model):
    """Each step of a request: what, when, by whom."""

    request = models.ForeignKey(HelpRequest, models.CASCADE, related_name="events", verbose_name=_("request"))
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))

    class Action(models.TextChoices):
        # The steps of care.services.STEPS, and what the system does on its own (escalate, follow a move).
        RECEIVED = "received", _("received")
        ASSIGN = "assign", _("assigned")
        START = "start", _("started")
        RESOLVE = "resolve", _("resolved")
        CONFIRM = "confirm", _("confirmed with the requester")
        REOPEN = "reopen", _("reopened")
        ESCALATE = "escalate", _("escalated")
        MOVED = "moved", _("moved with the person")

    status = models.CharField(_("status"), max_length=12, choices=HelpRequest.Status.choices, blank=True)
    action = models.CharField(_("step"), max_length=20, choices=Action.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    by_name = models.CharField(max_length=150, blank=True, verbose_name=_("by (name)"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request} {self.get_action_display()}"


class Relief(models.Model):
    """救助: money or goods paid against a request or to a ledger person. One payment per request (constraint)."""

    class Kind(models.TextChoices):
        MONEY = "money", _("money")
        GOODS = "goods", _("goods")

    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    request = models.ForeignKey(
        HelpRequest, models.PROTECT, null=True, blank=True, related_name="reliefs", verbose_name=_("request")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    item = models.CharField(_("what"), max_length=80)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, default=0)
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivered by"),
    )
    signed_by = models.CharField(_("signed for by"), max_length=60, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("relief")
        verbose_name_plural = _("relief")
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(request__isnull=False), name="relief_one_per_request"
            ),
            models.CheckConstraint(
                condition=models.Q(request__isnull=False) | models.Q(person__isnull=False), name="relief_has_recipient"
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.amount or self.quantity}"


class MedicineSchedule(models.Model):
    """A chronic medicine delivered to a person's door every `every_days` days."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    medicine = models.CharField(_("medicine"), max_length=80)
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=30)
    next_on = models.DateField(_("next delivery"))
    active = models.BooleanField(_("active"), default=True)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["next_on"]
        verbose_name = _("medicine delivery schedule")
        verbose_name_plural = _("medicine delivery schedules")

    def __str__(self):
        return f"{self.person} · {self.medicine}"

    def advance(self, delivered_on):
        self.next_on = delivered_on + timedelta(days=self.every_days)


class MedicineDelivery(models.Model):
    schedule = models.ForeignKey(
        MedicineSchedule, models.CASCADE, related_name="deliveries", verbose_name=_("schedule")
    )
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("delivered by")
    )
    delivered_on = models.DateField(default=timezone.localdate, verbose_name=_("delivered on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("medicine delivery")
        verbose_name_plural = _("medicine deliveries")
        ordering = ["-delivered_on"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "delivered_on"], name="medicine_one_delivery_per_day")
        ]

    def __str__(self):
        return f"{self.schedule} {self.delivered_on}"
