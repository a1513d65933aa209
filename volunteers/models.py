"""Volunteers (志愿者、双报到), their shifts at the sampling sites (screening.Site, served not copied) and errands to
the door (跑腿、无接触配送).

A volunteer's own login sees only their own rows: each model's `owner_filter(user_id)` says what owning is, and the
scoped manager applies it to an owner-bound scope (accounts.roles.OWN_ROWS_ROLES, core.scoping)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.masking import mask_id_number, mask_phone
from core.scoping import ScopedManager
from registry.models import Area, Person


class VolunteerRole(models.TextChoices):
    ORDER_KEEPING = "order_keeping", _("order keeping")
    CODE_CHECKING = "code_checking", _("code checking")
    DATA_ENTRY = "data_entry", _("data entry")
    DELIVERY = "delivery", _("delivery")
    DUTY = "duty", _("duty")
    SAMPLING_SUPPORT = "sampling_support", _("sampling support")


def default_roles_per_desk():
    return {VolunteerRole.ORDER_KEEPING: 1, VolunteerRole.CODE_CHECKING: 1, VolunteerRole.DATA_ENTRY: 1}


class VolunteerSettings(models.Model):
    """The district's rules (one row); each number a setting, not a constant."""

    roles_per_desk = models.JSONField(
        _("volunteers per sampling desk, by role"),
        default=default_roles_per_desk,
        help_text=_('e.g. {"order_keeping": 1, "code_checking": 1, "data_entry": 1}'),
    )
    max_hours_per_day = models.PositiveSmallIntegerField(_("hours in a day before a flag"), default=12)
    signups_per_hour = models.PositiveSmallIntegerField(_("public sign-ups per address per hour"), default=5)
    errands_per_hour = models.PositiveSmallIntegerField(_("public errand requests per address per hour"), default=5)

    class Meta:
        verbose_name = _("volunteer settings")
        verbose_name_plural = _("volunteer settings")

    def __str__(self):
        return str(_("volunteer settings"))

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Volunteer(models.Model):
    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("volunteer")
        REPORT_IN = "report_in", _("party member / cadre reporting in")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VOLUNTEER)
    name = models.CharField(pgettext_lazy("volunteer", "name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    community = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("home community"))
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    dialects = models.CharField(_("dialects"), max_length=100, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=60, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    signed_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("login"),
    )

    area_path = "community"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["community__code", "name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        permissions = [("verify_volunteer", "Can verify volunteers and give them a login")]

    def __str__(self):
        return self.name

    @staticmethod
    def owner_filter(user_id):
        return models.Q(user_id=user_id)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    def role_labels(self):
        return [VolunteerRole(r).label for r in self.roles if r in VolunteerRole.values]


class Shift(models.Model):
    site = models.ForeignKey("screening.Site", models.CASCADE, related_name="+", verbose_name=_("site"))
    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="shifts", verbose_name=_("volunteer"))
    role = models.CharField(pgettext_lazy("volunteer", "role"), max_length=20, choices=VolunteerRole.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )

    area_path = "site__area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        permissions = [("check_in_shift", "Can check in and out of own shifts")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.site} · {self.get_role_display()}"

    @staticmethod
    def owner_filter(user_id):
        return models.Q(volunteer__user_id=user_id)

    def worked_hours(self, now):
        if not self.checked_in_at:
            return 0.0
        return max(0.0, ((self.checked_out_at or now) - self.checked_in_at).total_seconds() / 3600)


def errand_receipt():
    return secrets.token_urlsafe(12)  # 16 characters, unguessable


def handoff_code():
    return f"{secrets.randbelow(10_000):04d}"


class Errand(models.Model):
    class Kind(models.TextChoices):
        GROCERIES = "groceries", _("groceries")
        MEDICINE = "medicine", _("medicine")

    class Source(models.TextChoices):
        PUBLIC = "public", _("public page")
        GRID_WORKER = "grid_worker", _("grid worker")
        FOLLOW_UP = "follow_up", _("follow-up call")
        HELP_REQUEST = "help_request", _("care help request")
        MEDICINE_SCHEDULE = "medicine_schedule", _("recurring medicine")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("errand", "open")
        CLAIMED = "claimed", _("claimed")
        DELIVERED = "delivered", _("delivered")
        CANCELLED = "cancelled", _("cancelled")

    class PaidBy(models.TextChoices):
        UNPAID = "unpaid", _("not paid yet")
        RESIDENT = "resident", _("resident paid")
        VOLUNTEER = "volunteer", _("volunteer advanced it")
        COMMUNITY = "community", _("community paid")

    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    items = models.CharField(_("what to buy"), max_length=500)
    recipient_name = models.CharField(_("recipient"), max_length=60)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("delivery address"), max_length=200)
    help_request = models.ForeignKey(
        "care.HelpRequest", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("help request")
    )
    medicine_schedule = models.ForeignKey(
        "care.MedicineSchedule",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("medicine schedule"),
    )
    receipt = models.CharField(_("receipt"), max_length=24, unique=True, default=errand_receipt)
    handoff_code = models.CharField(_("hand-off code"), max_length=4, default=handoff_code)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    claimed_by = models.ForeignKey(
        Volunteer, models.SET_NULL, null=True, blank=True, related_name="errands", verbose_name=_("claimed by")
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True)
    paid_by = models.CharField(_("paid by"), max_length=10, choices=PaidBy.choices, default=PaidBy.UNPAID)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("errand")
        verbose_name_plural = _("errands")
        permissions = [("claim_errand", "Can claim and deliver errands")]
        constraints = [
            models.UniqueConstraint(
                fields=["medicine_schedule"],
                condition=models.Q(status__in=["open", "claimed"]),
                name="errand_one_open_per_schedule",
            ),
            models.UniqueConstraint(fields=["help_request"], name="errand_one_per_help_request"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.grid}"

    @staticmethod
    def owner_filter(user_id):
        """A volunteer sees the errands they claimed, and open ones to claim (pages show those without the
        recipient's name, address or phone)."""
        return models.Q(claimed_by__user_id=user_id) | models.Q(status="open", claimed_by__isnull=True)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def age_hours(self, now):
        return int((now - self.created_at).total_seconds() // 3600)
