"""Screening rounds (区域核酸筛查): campaigns, rounds, sites and pooling rules describe operations and are visible to
all staff; every row that names a person (samples, exclusions, knock outcomes, notice acknowledgements,
home-sampling requests, holds, alerts, trace entries) repeats the person's grid and is scoped by it, so coverage
needs no join through Person and a grid worker sees only their grid's rows."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedManager
from registry.models import Area, Household, Person


class Campaign(models.Model):
    class Kind(models.TextChoices):
        NUCLEIC_ACID = "nucleic_acid", _("nucleic-acid round")
        ANTIGEN = "antigen", _("antigen round")
        ROLL_CALL = "roll_call", _("roll call")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.NUCLEIC_ACID)
    scope = models.ManyToManyField(Area, related_name="campaigns", verbose_name=_("scope"))
    # Who is expected: residents of the scope with these residence statuses and ages (bounds inclusive).
    residence_statuses = models.JSONField(_("residence statuses expected"), default=list)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    default_pool_size = models.PositiveSmallIntegerField(_("default pool size"), default=10)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name

    @property
    def uses_tubes(self):
        return self.kind != self.Kind.ROLL_CALL


class Round(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("upcoming")
        RUNNING = "running", _("running")
        ENDED = "ended", _("ended")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="rounds", verbose_name=_("campaign"))
    number = models.PositiveSmallIntegerField(_("round"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["campaign_id", "number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="round_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="round_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.label}"

    @property
    def label(self):
        """ "Round 2" (第2轮): one word for a round everywhere, whatever the campaign's rhythm."""
        return _("Round %(n)s") % {"n": self.number}

    def status_at(self, moment):
        if moment < self.starts_at:
            return self.Status.UPCOMING
        return self.Status.RUNNING if moment < self.ends_at else self.Status.ENDED

    @property
    def status(self):
        return self.status_at(timezone.now())

    def covers(self, moment):
        """Whether `moment` falls inside the round (a tube closed then belongs to it)."""
        return self.starts_at <= moment <= self.ends_at


class PoolingRule(models.Model):
    """Pool size for persons of an area (and its subtree); the longest matching area code wins."""

    class Zone(models.TextChoices):
        QUARANTINE = "quarantine", _("quarantine site / key group")
        SEALED = "sealed", _("sealed zone")
        CONTROLLED = "controlled", _("controlled zone")
        ELSEWHERE = "elsewhere", _("elsewhere")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="pooling_rules", verbose_name=_("campaign"))
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    zone = models.CharField(_("zone"), max_length=12, choices=Zone.choices, default=Zone.ELSEWHERE)
    pool_size = models.PositiveSmallIntegerField(_("persons per tube"))

    class Meta:
        verbose_name = _("pooling rule")
        verbose_name_plural = _("pooling rules")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "area"], name="poolingrule_unique_area"),
            models.CheckConstraint(condition=models.Q(pool_size__in=[1, 5, 10, 20]), name="poolingrule_valid_size"),
        ]

    def __str__(self):
        return f"{self.area} {self.pool_size}:1"


class Site(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("fixed point")
        BOOTH = "booth", _("testing booth")
        MOBILE = "mobile", _("mobile / home team")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="sites", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.FIXED)
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area served"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Where the site stands (WGS84), for the command map; empty: not on the map.
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6, null=True, blank=True)
    desks = models.PositiveSmallIntegerField(_("desks"), default=1)
    staff = models.PositiveSmallIntegerField(_("staff"), default=0)
    opens_at = models.TimeField(_("opens"), null=True, blank=True)
    closes_at = models.TimeField(_("closes"), null=True, blank=True)
    # The medics who work this site's desks: a medic registers tubes only at the sites listed here.
    medics = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sampling_sites", verbose_name=_("medics assigned")
    )

    class Meta:
        ordering = ["campaign_id", "area__code", "name"]
        verbose_name = _("sampling site")
        verbose_name_plural = _("sampling sites")
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="site_unique_name")]

    def __str__(self):
        return self.name


class Tube(models.Model):
    """A tube is registered closed and whole (see services.tubes_register); its result is the lab's."""

    class Result(models.TextChoices):
        PENDING = "pending", _("pending")
        NEGATIVE = "negative", _("negative")
        POSITIVE = "positive", _("positive")
        INVALID = "invalid", _("invalid, re-sample")

    round = models.ForeignKey(Round, models.PROTECT, related_name="tubes", verbose_name=_("round"))
    site = models.ForeignKey(Site, models.PROTECT, related_name="tubes", verbose_name=_("site"))
    code = models.CharField(_("tube code"), max_length=40, unique=True)
    pool_size = models.PositiveSmallIntegerField(_("persons per tube"))
    closed_at = models.DateTimeField(_("closed"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("registered by")
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    resulted_at = models.DateTimeField(_("result time"), null=True, blank=True)
    result_received_at = models.DateTimeField(null=True, blank=True, verbose_name=_("result received at"))
    lab = models.CharField(_("lab"), max_length=80, blank=True)

    class Meta:
        ordering = ["-closed_at"]
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")
        permissions = [
            ("record_result", "Can record a lab result for a tube"),
            ("correct_result", "Can correct a tube's lab result, with a reason (audited)"),
        ]
        indexes = [models.Index(fields=["round", "site", "closed_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(pool_size__in=[1, 5, 10, 20]), name="tube_valid_pool_size"),
        ]

    def __str__(self):
        return self.code


class Sample(models.Model):
    """One person in one tube. `round`, `grid`, `household` and `result` repeat the tube's and the person's so
    that coverage is a GROUP BY over this table alone."""

    # Empty in a roll call: a person seen at their door is "sampled" without a tube.
    tube = models.ForeignKey(
        Tube, models.CASCADE, null=True, blank=True, related_name="samples", verbose_name=_("tube")
    )
    round = models.ForeignKey(Round, models.PROTECT, related_name="+", verbose_name=_("round"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="samples", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("household")
    )
    sampled_at = models.DateTimeField(verbose_name=_("sampled at"))
    result = models.CharField(
        max_length=10, choices=Tube.Result.choices, default=Tube.Result.PENDING, verbose_name=_("result")
    )
    # Already sampled this round in another tube (allowed: a re-sample after a positive pool, or a second visit).
    is_repeat = models.BooleanField(default=False, verbose_name=_("repeat sample"))

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="sample_unique_person_in_tube"),
            models.UniqueConstraint(
                fields=["round", "person"], condition=models.Q(tube__isnull=True), name="sample_seen_once_per_round"
            ),
        ]
        indexes = [
            models.Index(fields=["round", "grid"]),
            models.Index(fields=["round", "person"]),
            models.Index(fields=["person", "round"]),
        ]

    def __str__(self):
        return f"{self.tube_id}:{self.person_id}"


class Exclusion(models.Model):
    """Not expected in a round (or, with `round` empty, in the whole campaign): away, hospitalised, positive…"""

    class Reason(models.TextChoices):
        AWAY = "away", _("away")
        HOSPITALISED = "hospitalised", _("hospitalised")
        POSITIVE = "positive", _("already positive")
        MOVED_OUT = "moved_out", _("moved out")
        DECEASED = "deceased", _("deceased")
        OTHER = "other", _("other")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="exclusions", verbose_name=_("campaign"))
    round = models.ForeignKey(
        Round, models.CASCADE, null=True, blank=True, related_name="exclusions", verbose_name=_("round")
    )
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    where = models.CharField(_("where"), max_length=100, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        indexes = [models.Index(fields=["campaign", "grid"])]

    def __str__(self):
        return f"{self.person_id} {self.reason}"


class KnockOutcome(models.Model):
    """What was found at a door for a person (or for the whole household when `person` is empty)."""

    class Outcome(models.TextChoices):
        SAMPLED = "sampled", _("sampled on the spot")
        NOT_HOME = "not_home", _("not home")
        AWAY = "away", _("away")
        REFUSED = "refused", _("refused")
        WILL_GO = "will_go", _("will go to a site")
        NEEDS_HOME = "needs_home", _("needs home sampling")
        MOVED_OUT = "moved_out", _("moved out")
        DECEASED = "deceased", _("deceased")

    round = models.ForeignKey(Round, models.CASCADE, related_name="knock_outcomes", verbose_name=_("round"))
    household = models.ForeignKey(Household, models.CASCADE, related_name="+", verbose_name=_("household"))
    person = models.ForeignKey(
        Person, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    where = models.CharField(_("where"), max_length=100, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("knock outcome")
        verbose_name_plural = _("knock outcomes")
        indexes = [models.Index(fields=["round", "grid", "recorded_at"])]

    def __str__(self):
        return f"{self.household_id} {self.outcome}"


class HomeSamplingTeam(models.Model):
    """A medic and a grid worker who sample at home in an area during a round."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="home_teams", verbose_name=_("round"))
    name = models.CharField(_("name"), max_length=60)
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    medic = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("medic"))
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grid worker")
    )

    class Meta:
        ordering = ["round_id", "area__code", "name"]
        verbose_name = _("home-sampling team")
        verbose_name_plural = _("home-sampling teams")

    def __str__(self):
        return self.name


class HomeSamplingRequest(models.Model):
    class Source(models.TextChoices):
        STANDING = "standing", _("standing list")
        RESIDENT = "resident", _("resident")
        GRID_WORKER = "grid_worker", _("grid worker")
        KNOCK = "knock", _("door knock")
        POSITIVE_POOL = "positive_pool", _("positive pooled tube")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ASSIGNED = "assigned", _("assigned")
        DONE = "done", _("done")
        NOT_DONE = "not_done", _("not done")

    round = models.ForeignKey(Round, models.CASCADE, related_name="home_requests", verbose_name=_("round"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    household = models.ForeignKey(
        Household, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("household")
    )
    source = models.CharField(_("source"), max_length=14, choices=Source.choices)
    single_tube = models.BooleanField(_("single tube"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    team = models.ForeignKey(
        HomeSamplingTeam, models.SET_NULL, null=True, blank=True, related_name="requests", verbose_name=_("team")
    )
    route_order = models.PositiveIntegerField(_("route order"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    # No database constraint into the partitioned samples (core/partitions.py); the ORM still sets it to null.
    sample = models.ForeignKey(
        Sample,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("sample"),
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("home-sampling request")
        verbose_name_plural = _("home-sampling requests")
        indexes = [models.Index(fields=["round", "status", "grid"])]
        constraints = [
            # One live request per person and round: a second ask updates the first rather than sending two teams.
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=models.Q(status__in=["open", "assigned"]),
                name="homerequest_one_live",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.status}"


class Hold(models.Model):
    """Hold in place (原地管控) after a positive pooled tube, until a single-tube re-sample has a result."""

    class State(models.TextChoices):
        HELD = "held", _("held, awaiting re-sample")
        RESAMPLED = "resampled", _("re-sampled, awaiting result")
        CLEARED = "cleared", _("cleared (negative)")
        POSITIVE = "positive", _("positive")
        RELEASED = "released", _("released (result corrected)")

    round = models.ForeignKey(Round, models.CASCADE, related_name="holds", verbose_name=_("round"))
    tube = models.ForeignKey(Tube, models.CASCADE, related_name="holds", verbose_name=_("tube"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.HELD)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # No database constraint into the partitioned samples (core/partitions.py); the ORM still sets it to null.
    resample = models.ForeignKey(
        Sample,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("re-sampling request"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [models.UniqueConstraint(fields=["tube", "person"], name="hold_unique_person_in_tube")]
        indexes = [models.Index(fields=["person", "state"])]

    def __str__(self):
        return f"{self.person_id} {self.state}"


class TraceEntry(models.Model):
    """The "to trace" list: a positive single tube. The tracing issue will own what happens next."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="+", verbose_name=_("round"))
    tube = models.ForeignKey(Tube, models.CASCADE, related_name="+", verbose_name=_("tube"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("person to trace")
        verbose_name_plural = _("persons to trace")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["tube", "person"], name="traceentry_unique")]

    def __str__(self):
        return f"{self.person_id} {self.tube_id}"


class Alert(models.Model):
    """A notice to the staff of `area` (a grid's worker, a community, the district). Scoped by that area, so an
    alert about a person of grid A raised to grid A is seen by A's worker, its community, street and district."""

    class Kind(models.TextChoices):
        POSITIVE_POOL = "positive_pool", _("positive pooled tube")
        POSITIVE_SINGLE = "positive_single", _("positive single tube")
        PROVISIONAL = "provisional", _("person registered at a desk")

    round = models.ForeignKey(Round, models.CASCADE, related_name="alerts", verbose_name=_("round"))
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    tube = models.ForeignKey(Tube, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("tube"))
    person = models.ForeignKey(
        Person, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("acknowledged by")
    )
    # Set when the lab corrects the result that raised the alert: the alert no longer stands.
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("withdrawn at"))

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["area", "acknowledged_at"])]

    def __str__(self):
        return f"{self.kind} {self.area_id}"


class RoundPlan(models.Model):
    """The planner's prediction for one site in one round (screening.planner): scoped by the area the site serves,
    as the site's own staff plan it; a new plan adds rows, the page shows the newest per site."""

    round = models.ForeignKey(Round, models.CASCADE, related_name="plans", verbose_name=_("round"))
    site = models.ForeignKey(Site, models.CASCADE, related_name="plans", verbose_name=_("site"))
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area served"))
    people = models.PositiveIntegerField(_("people"))
    desks = models.PositiveSmallIntegerField(_("desks"))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    finish_at = models.DateTimeField(_("predicted finish"), null=True, blank=True)
    max_queue = models.PositiveIntegerField(_("longest queue"))
    mean_queue = models.FloatField(_("mean queue"))
    mean_wait_minutes = models.FloatField(_("mean wait (minutes)"))
    tubes = models.PositiveIntegerField(_("tubes needed"))
    samplers = models.PositiveIntegerField(_("samplers needed"))
    add_desks = models.PositiveSmallIntegerField(_("desks to add"))
    add_staff = models.PositiveSmallIntegerField(_("staff or volunteers to add"))
    fits = models.BooleanField(_("finishes in the opening hours"))
    queue_series = models.JSONField(_("queue over the day"), default=list)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("round plan")
        verbose_name_plural = _("round plans")
        indexes = [models.Index(fields=["round", "site", "created_at"])]

    def __str__(self):
        return f"{self.round_id}:{self.site_id}"
