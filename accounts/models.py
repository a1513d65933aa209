import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import BACK_OFFICE_ROLES, Role


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

    @property
    def is_back_office(self):
        return self.is_superuser or self.role in BACK_OFFICE_ROLES


class ApiToken(models.Model):
    """A bearer token for devices and apps. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "gc_"

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("ends with"), max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

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

    @property
    def is_active(self):
        return self.revoked_at is None
