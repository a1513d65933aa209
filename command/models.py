"""The daily report (日报): one per area and day, its figures as they were taken (so yesterday's stay what they
were) and the two files written from them. Scoped by its area like every area-bound row (core.scoping)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedManager


class DailyReport(models.Model):
    area = models.ForeignKey("registry.Area", models.PROTECT, related_name="+", verbose_name=_("area"))
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("made by")
    )
    # {tile key: {"label", "figures": [{"key", "label", "value", "unit"}]}}, in dashboard order
    figures = models.JSONField(_("figures"), default=dict)
    # the same for the day before, as the report compared it
    yesterday = models.JSONField(_("yesterday's figures"), default=dict)
    language = models.CharField(_("language"), max_length=10)
    xlsx = models.FileField(_("spreadsheet"), upload_to="reports/", max_length=300, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", max_length=300, blank=True)

    area_path = "area"
    objects = ScopedManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-day", "area__code"]
        constraints = [models.UniqueConstraint(fields=["area", "day"], name="command_dailyreport_one_per_day")]

    def __str__(self):
        return f"{self.area.name} {self.day:%Y-%m-%d}"
