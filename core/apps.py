from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _may_export(user):
    from core.exports import may_export

    return may_export(user)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("audit and safeguards")
    nav = [
        ("core:scheduled_jobs", _("Scheduled jobs"), "core.view_scheduledjob"),
        ("core:retention", _("Data retention"), "core.see_retention_report"),
        ("exports:list", _("My exports"), _may_export),
    ]
