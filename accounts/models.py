import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.roles import BACK_OFFICE_ROLES, Role


def person_name(first_name, last_name):
    """Chinese names are written family name first, without a space (王芳); others as given name, family name."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first_name + last_name):
        return f"{last_name}{first_name}"
    return " ".join(part for part in (first_name, last_name) if part)


class User(AbstractUser):
    """Every user is bound to one area and sees only its subtree."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.GRID_WORKER)
    area = models.ForeignKey(
        "registry.Area", models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("area")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.staff_label

    @property
    def display_name(self):
        """The person's name, family name first and unspaced for Chinese names; the username if none is set."""
        return person_name(self.first_name, self.last_name) or self.username

    @property
    def staff_label(self):
        return f"{self.display_name} · {self.get_role_display()}"

    @property
    def is_back_office(self):
        return self.is_superuser or self.role in BACK_OFFICE_ROLES


class ApiToken(models.Model):
    """A bearer token for devices and apps. Only its SHA-256 is stored; the token is shown once.

    It expires (`expires_at`, API_TOKEN_DAYS after issue), dies with a password change (`password_fingerprint`
    is a keyed hash of the password hash at issue) or the user's deactivation, and may be narrowed: a `mode`
    (read-only: the role's view_* permissions; desk-only: what a sampling desk needs) and a sub-`area` inside
    the user's area. accounts.services.token_actor turns it into the request's Actor."""

    PREFIX = "gc_"

    class Mode(models.TextChoices):
        FULL = "full", _("full")
        READ_ONLY = "read_only", _("read-only")
        DESK = "desk", _("sampling desk only")

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("key hash"))
    hint = models.CharField(_("ends with"), max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, editable=False)
    password_fingerprint = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("password fingerprint")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.FULL)
    area = models.ForeignKey(
        "registry.Area",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("Narrows the token to part of the user's area."),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} (…{self.hint})"

    @staticmethod
    def hash(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def new_raw(cls):
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def fingerprint(user):
        """A keyed hash of the user's password hash: changes whenever the password does."""
        return salted_hmac("gridcare.accounts.ApiToken", user.password, algorithm="sha256").hexdigest()

    @property
    def is_active(self):
        return self.revoked_at is None
