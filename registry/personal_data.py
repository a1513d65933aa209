"""Everything the system holds about one person, for their subject-access request (PIPL art. 45): each app's
selectors offer `person_data(person) -> [queryset, …]`, the rows of its models about the person, read through the
scoped managers (registry.selectors.person_sections does the same for the person page), so the register imports
no app. Each queryset becomes one section, every concrete field of each row in it, in the asking user's language.
ID and phone numbers, and any number in free text, are masked unless the export reveals them."""

from datetime import date, datetime

from django.db import models
from django.utils import timezone

from core.discovery import app_modules
from core.masking import mask_id_number, mask_numbers_in, mask_phone

# Links of a row that say nothing about the person (the person themself, who recorded it): left out.
SKIPPED_FIELDS = {"person", "name_initials", "id_last4", "phone_last4"}


def _none(person):
    return ()


def person_data_querysets(person):
    return [
        queryset for module in app_modules("selectors") for queryset in getattr(module, "person_data", _none)(person)
    ]


def _mask(name, value, reveal):
    if reveal or not isinstance(value, str):
        return value
    if name == "id_number":
        return mask_id_number(value)
    if "phone" in name:
        return mask_phone(value)
    return mask_numbers_in(value)


def _value(row, field):
    if field.choices:
        return str(getattr(row, f"get_{field.name}_display")())
    value = getattr(row, field.name)
    if isinstance(field, models.ForeignKey):
        return str(value) if value is not None else None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def section_rows(queryset, *, reveal):
    fields = [f for f in queryset.model._meta.concrete_fields if f.name not in SKIPPED_FIELDS and not f.primary_key]
    return [
        {str(f.verbose_name): _mask(f.name, _value(row, f), reveal) for f in fields}
        for row in queryset.select_related(*(f.name for f in fields if isinstance(f, models.ForeignKey)))
    ]


def person_data_document(person, *, reveal):
    """{"person": …, "sections": [{"key", "label", "rows"}]}: the register's entry first, then each app's rows."""
    sections = []
    for queryset in person_data_querysets(person):
        meta = queryset.model._meta
        sections.append(
            {
                "key": meta.label_lower,
                "label": str(meta.verbose_name_plural),
                "rows": section_rows(queryset, reveal=reveal),
            }
        )
    return {
        "person": person.pk,
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "sections": sections,
    }
