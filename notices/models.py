"""Notices (通知): written once from a template, sent to a set of residents through channels, acknowledged by a
short link or a reply; the silent become a phone list, then a knock list, per grid ("notice first, phone second,
knock third"). Every row that names a person or a grid is scoped by that grid (core.scoping)."""

import secrets
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.masking import mask_phone
from core.scoping import ScopedManager
from registry.models import Area, Person

PLACEHOLDERS = ("name", "site", "time", "round")


def template_placeholders_check(body):
    """ValidationError (naming the field `body`) for a placeholder other than {name} {site} {time} {round}, or a
    brace left open."""
    try:
        fields = [field for _text, field, _spec, _conv in string.Formatter().parse(body) if field is not None]
    except ValueError as exc:
        raise ValidationError({"body": _("A brace is not closed: %(error)s") % {"error": exc}}) from exc
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            {
                "body": _("Unknown placeholder %(names)s; use {name} {site} {time} {round}")
                % {"names": ", ".join("{" + f + "}" for f in unknown)}
            }
        )


def template_render(body, **values):
    return body.format(**{name: values.get(name) or "" for name in PLACEHOLDERS})


def name_masked(name):
    """张三 → 张*: the first character of a name, no more (the public link's greeting)."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom group robot")
    EMAIL = "email", _("e-mail to staff")
    INBOX = "inbox", _("in-app inbox")


class NoticeTemplate(models.Model):
    """A notice's text with placeholders, for the whole district."""

    name = models.CharField(pgettext_lazy("template", "name"), max_length=80, unique=True)
    body = models.TextField(_("text"), help_text=_("Placeholders: {name} {site} {time} {round}"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")

    def __str__(self):
        return self.name

    def clean(self):
        template_placeholders_check(self.body)


class NoticeGroupRobot(models.Model):
    """The WeCom (企业微信) group robot of a grid's residents' group: its webhook address."""

    grid = models.OneToOneField(Area, models.CASCADE, related_name="+", verbose_name=_("grid"))
    webhook_url = models.URLField(_("webhook address"), max_length=500)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")

    def __str__(self):
        return str(self.grid)


class Notice(models.Model):
    class Audience(models.TextChoices):
        AREA = "area", _("everyone in the area")
        GROUP = "group", _("a special group in the area")
        ROUND_MISSING = "round_missing", _("a screening round's missing list")
        CONTROL = "control", _("residents of a compound under control")

    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    template = models.ForeignKey(
        NoticeTemplate, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("template")
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    audience_params = models.JSONField(_("audience parameters"), default=dict, blank=True)
    channels = models.JSONField(_("channels"), default=list)
    values = models.JSONField(_("placeholder values"), default=dict, blank=True)  # site, time, round
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("sent by")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    phone_after_hours = models.PositiveSmallIntegerField(_("phone the silent after (hours)"))
    knock_after_hours = models.PositiveSmallIntegerField(_("knock on the silent after (hours)"))
    phone_listed_at = models.DateTimeField(_("phone list made at"), null=True, blank=True)
    knock_listed_at = models.DateTimeField(_("knock list made at"), null=True, blank=True)

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["phone_listed_at", "sent_at"]), models.Index(fields=["knock_listed_at"])]

    def __str__(self):
        return self.title


def new_code():
    return secrets.token_urlsafe(12)


class Delivery(models.Model):
    """One message of a notice through one channel: to a person (SMS, inbox), a grid's group (WeCom, no person) or
    a staff member (e-mail, no person). Its `code` is the unguessable acknowledgement link."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")

    class Source(models.TextChoices):
        LINK = "link", _("the link")
        REPLY = "reply", _("a reply by phone")

    notice = models.ForeignKey(Notice, models.CASCADE, related_name="deliveries", verbose_name=_("notice"))
    person = models.ForeignKey(
        Person, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)  # an e-mail address, for staff
    body = models.TextField(_("text"))
    public_body = models.TextField(_("text on the link"), blank=True)  # with the name masked: the public page's
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    answer = models.TextField(_("provider's answer"), blank=True)
    code = models.CharField(_("code"), max_length=24, unique=True, default=new_code)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    source = models.CharField(_("acknowledged through"), max_length=10, choices=Source.choices, blank=True)

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["notice_id", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.notice_id}:{self.channel}:{self.person_id or self.recipient}"


class CallTask(models.Model):
    """A person who did not acknowledge a notice, on their grid's phone list (after the phone wait) or knock list
    (after the knock wait). Ticked reached when the grid worker got through."""

    class Stage(models.TextChoices):
        PHONE = "phone", _("phone")
        KNOCK = "knock", _("knock")

    notice = models.ForeignKey(Notice, models.CASCADE, related_name="+", verbose_name=_("notice"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    created_at = models.DateTimeField(_("listed at"), default=timezone.now)
    reached_at = models.DateTimeField(_("reached at"), null=True, blank=True)
    reached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reached by")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["grid__code", "person__household__building__address", "person_id"]
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")
        constraints = [models.UniqueConstraint(fields=["notice", "person", "stage"], name="calltask_unique")]

    def __str__(self):
        return f"{self.notice_id}:{self.person_id}:{self.stage}"

    @property
    def masked_phone(self):
        return mask_phone(self.person.phone)


class NoticeAck(models.Model):
    """A person acknowledged the grid group's notice for a screening round (the silent are phoned, then knocked):
    screening's knock and phone lists read it (screening.selectors), its desk and API write it
    (screening.services.notice_acknowledge). Moved here from screening with its rows (migration 0002)."""

    round = models.ForeignKey("screening.Round", models.CASCADE, related_name="+", verbose_name=_("round"))
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("person"))
    grid = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("grid"))
    acknowledged_at = models.DateTimeField(auto_now_add=True, verbose_name=_("acknowledged at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )

    area_path = "grid"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("notice acknowledgement")
        verbose_name_plural = _("notice acknowledgements")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="notices_noticeack_unique")]

    def __str__(self):
        return f"{self.round_id}:{self.person_id}"
