"""The notices' data kinds (core.retention)."""

from django.utils.translation import gettext_lazy as _

from core.retention import ANONYMISE, DataKind, rows_anonymise
from notices.models import Delivery
from notices.services import DELIVERY_ANONYMOUS


def deliveries_due(cutoff):
    # an anonymised delivery has no text left
    return Delivery.all_objects.filter(notice__sent_at__lt=cutoff).exclude(body="")


def deliveries_anonymise(cutoff):
    """Keeps each message's notice, grid, channel and status (who was reached, counted), drops to whom and what it
    said (the text names the person)."""
    return rows_anonymise(deliveries_due(cutoff), cutoff=cutoff, **DELIVERY_ANONYMOUS)


DATA_KINDS = [
    # A notice's acknowledgements are chased for hours, at most days; 90 days keeps a quarter's record of who was
    # told what, then only the counts stay.
    DataKind(
        "notices.deliveries", _("notice messages to people"), ANONYMISE, deliveries_due, purge=deliveries_anonymise
    ),
]
