"""Tracing's data kinds (core.retention): what it keeps about people only while the response needs it."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.retention import ANONYMISE, DELETE, DataKind, rows_anonymise
from tracing.models import ArrivalReport, Contact, Isolation, TracingSettings
from tracing.services import ARRIVAL_ANONYMOUS, venue_visits_due, venue_visits_purge


def arrival_reports_due(cutoff):
    # an anonymised report has no ID number left
    return ArrivalReport.all_objects.filter(arrived_at__lt=cutoff).exclude(id_number="")


def arrival_reports_anonymise(cutoff):
    """Keeps who arrived where from, when and how (the daily report's arrivals by grid and origin), drops who it
    was: the person link, name, numbers, address, train or plate number, the public form's key."""
    return rows_anonymise(arrival_reports_due(cutoff), cutoff=cutoff, **ARRIVAL_ANONYMOUS)


def contacts_due(cutoff):
    # By the case's date, so that a close contact and the secondary contacts traced through it (deleted with it)
    # are due together.
    return Contact.all_objects.filter(case__created_at__lt=cutoff)


def isolations_due(cutoff):
    # Only those that ended: a person still in isolation is the response's business, whatever the date.
    return Isolation.all_objects.filter(
        Q(stage=Isolation.Stage.RELEASED, released_at__lt=cutoff)
        | Q(stage=Isolation.Stage.ESCALATED, escalated_at__lt=cutoff)
    )


DATA_KINDS = [
    # The national venue-code rule kept visit records 21 days (the district's tracing setting): scans and the gate
    # entry logs, which are visits too.
    DataKind(
        "tracing.venue_visits",
        _("venue visits and gate entry logs"),
        DELETE,
        venue_visits_due,
        purge=venue_visits_purge,
        days=lambda: TracingSettings.current().visit_retention_days,
        order=10,
    ),
    # An arrival owes its tests within 3 days and home monitoring within 7: 28 days (two incubation windows of 14)
    # is past any follow-up; the counts stay for the reports.
    DataKind(
        "tracing.arrival_reports",
        _("arrival reports"),
        ANONYMISE,
        arrival_reports_due,
        purge=arrival_reports_anonymise,
        order=20,
    ),
    # Contacts and ended isolations are kept half a year: the chain of transmission is re-read when a cluster
    # flares again, and the epidemiological review after a wave asks for it. The cases themselves stay.
    DataKind("tracing.contacts", _("close and secondary contacts"), DELETE, contacts_due, order=30),
    DataKind("tracing.isolations", _("ended isolations"), DELETE, isolations_due, order=40),
]
