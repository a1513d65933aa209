"""Donations (捐赠): a campaign's pledges and money, the delivery plan that takes the pledged goods to the sampling
sites day by day, what each site received and used. Campaigns, pledges and money are district-wide (donors are not
residents); deliveries and stock use are bound to the area of the site they serve (screening.Site, served, not
copied), so a street or community sees its own sites' deliveries."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import ScopedManager
from screening.models import Site


def receipt_token():
    """The donor's own link: 128 random bits, so one donor's page cannot be guessed from another's."""
    return secrets.token_urlsafe(16)


class Campaign(models.Model):
    name = models.CharField(_("campaign name"), max_length=120)
    item = models.CharField(_("item"), max_length=60)
    unit = models.CharField(pgettext_lazy("goods", "unit"), max_length=12)
    goal = models.PositiveIntegerField(_("goal (units)"))
    value_per_unit = models.DecimalField(_("value per unit (yuan)"), max_digits=9, decimal_places=2)
    starts_at = models.DateTimeField(_("opens"))
    ends_at = models.DateTimeField(_("closes"))
    first_day = models.DateField(_("first delivery day"))
    days = models.PositiveSmallIntegerField(_("delivery days"), default=3)
    sites = models.ManyToManyField(Site, related_name="donation_campaigns", verbose_name=_("sites to serve"))

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("donation campaign")
        verbose_name_plural = _("donation campaigns")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="campaign_window")
        ]

    def __str__(self):
        return self.name


class Pledge(models.Model):
    class Status(models.TextChoices):
        PLEDGED = "pledged", _("pledged")
        FELL_THROUGH = "fell_through", _("fell through")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="pledges", verbose_name=_("donation campaign"))
    donor = models.CharField(_("donor name or organisation"), max_length=80)
    phone = models.CharField(_("contact phone"), max_length=20)
    quantity = models.PositiveIntegerField(_("quantity"))
    deliver_on = models.DateField(_("can deliver on"))
    deliver_at = models.TimeField(_("can deliver at"))
    may_name = models.BooleanField(_("may be named publicly"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLEDGED)
    receipt = models.CharField(_("receipt"), max_length=32, unique=True, default=receipt_token)
    created_at = models.DateTimeField(_("pledged at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="pledge_quantity_positive")]

    def __str__(self):
        return f"{self.donor} {self.quantity}"


class MoneyDonation(models.Model):
    class Channel(models.TextChoices):
        BANK = "bank", _("bank transfer")
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        CASH = "cash", _("cash")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="money", verbose_name=_("donation campaign"))
    payer = models.CharField(_("payer"), max_length=80)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=11, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # Empty when the system recorded it (the demo, an import).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("money donation")
        verbose_name_plural = _("money donations")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "receipt_number"], name="money_unique_receipt"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="money_amount_positive"),
        ]

    def __str__(self):
        return f"{self.payer} {self.amount}"


class Delivery(models.Model):
    """One line of the delivery plan: `quantity` of one pledge to one site on one day, and what became of it."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("delivery", "planned")
        PICKED_UP = "picked_up", _("picked up")
        DELIVERED = "delivered", _("delivered")
        RECEIVED = "received", _("received")

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="deliveries", verbose_name=_("donation campaign")
    )
    pledge = models.ForeignKey(Pledge, models.PROTECT, related_name="deliveries", verbose_name=_("pledge"))
    site = models.ForeignKey(Site, models.PROTECT, related_name="deliveries", verbose_name=_("site"))
    day = models.DateField(_("day"))
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("driver")
    )
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_quantity = models.PositiveIntegerField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )

    area_path = "site__area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["day", "site_id", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        permissions = [("receive_delivery", "Can confirm a delivery's receipt at the site")]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="delivery_quantity_positive")]

    def __str__(self):
        return f"{self.site_id} {self.day} {self.quantity}"

    @property
    def shortfall(self):
        return None if self.received_quantity is None else max(0, self.quantity - self.received_quantity)


class StockUse(models.Model):
    """Goods handed out at a site: stock is what it received less what it used."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="uses", verbose_name=_("donation campaign"))
    site = models.ForeignKey(Site, models.PROTECT, related_name="stock_uses", verbose_name=_("site"))
    day = models.DateField(_("day"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # Empty when the system recorded it (the demo, an import).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    area_path = "site__area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("stock use")
        verbose_name_plural = _("stock uses")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stockuse_quantity_positive")]

    def __str__(self):
        return f"{self.site_id} {self.day} {self.quantity}"
