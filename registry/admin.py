"""Back-office editing of the register. Querysets and foreign-key choices come from the scoped default managers,
so the admin shows only the user's subtree. ID and phone numbers are shown masked and are editable only when a
person is added; changes to a person go through registry.services, which validate and audit them.

Nothing here may undo the mask: no birth date (the eight digits the ID mask hides; the age is shown instead), no
filter through the URL on a number (`?phone__startswith=138` would rebuild a phone digit by digit), and a search
by more than 4 digits only for a user who may reveal, audited as a reveal."""

import re

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.models import AuditEvent
from registry import services
from registry.identity import IdentityError, parse_phone
from registry.models import Area, Building, Compound, Household, Person, PersonGroup, SpecialGroup


class MaskedAdminMixin:
    """Refuses any changelist lookup through the URL that touches one of `masked_fields` (Django allows filtering
    on every local field by default: `?phone__startswith=1381` answers whether the number starts so)."""

    masked_fields = ()

    def lookup_allowed(self, lookup, value, request=None):
        if any(part in self.masked_fields for part in lookup.split("__")):
            return False
        return super().lookup_allowed(lookup, value, request)


class ScopedAdmin(admin.ModelAdmin):
    """For area-bound models: relies on the default manager being scoped, and refuses to be used otherwise."""

    def get_queryset(self, request):
        assert hasattr(self.model, "area_path"), f"{self.model} is not area-scoped"
        return super().get_queryset(request)


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "is_village"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    # Outlines are GeoJSON, edited by uploading a file on the map (command:map_boundaries), not as raw JSON here.
    exclude = ["boundary"]


@admin.register(SpecialGroup)
class SpecialGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "sort"]


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin):
    list_display = ["name", "community", "address"]
    search_fields = ["name", "address"]
    list_select_related = ["community"]


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ["address", "name", "grid", "compound", "floors", "units"]
    search_fields = ["address", "name"]
    list_select_related = ["grid", "compound"]
    raw_id_fields = ["compound"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ["building", "unit", "floor", "room", "grid"]
    list_select_related = ["building", "grid"]
    raw_id_fields = ["building"]


class PersonGroupInline(admin.TabularInline):
    model = PersonGroup
    extra = 0
    fields = ["group", "added_at"]
    readonly_fields = ["added_at"]


class PersonAddForm(forms.ModelForm):
    """Validates the documents as the register's services do, so a bad number is a form error, not a crash."""

    def clean(self):
        data = super().clean()
        try:
            if data.get("id_number"):
                data["id_number"] = services.identity_fields(data["id_type"], data["id_number"])["id_number"]
            data["phone"] = parse_phone(data.get("phone") or "")
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


_DIGIT_TERM = re.compile(r"^\d[\dXx]*$")


@admin.register(Person)
class PersonAdmin(MaskedAdminMixin, ScopedAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "grid", "relation", "residence_status"]
    list_filter = ["residence_status", "mobility", "special_groups"]
    search_fields = ["name", "name_initials", "id_last4", "phone_last4"]
    list_select_related = ["grid"]
    raw_id_fields = ["household"]
    inlines = [PersonGroupInline]
    masked_fields = ("id_number", "phone", "birth_date")
    readonly_fields = ["masked_id_number", "masked_phone", "age", "sex", "grid", "household"]
    add_fields = ["grid", "household", "name", "id_type", "id_number", "phone", "relation", "residence_status",
                  "mobility", "is_provisional"]  # fmt: skip
    change_fields = ["name", "masked_id_number", "masked_phone", "id_type", "age", "sex", "grid", "household",
                     "relation", "residence_status", "mobility", "is_provisional"]  # fmt: skip

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PersonAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.change_fields

    def get_readonly_fields(self, request, obj=None):
        # Moves between households go through the register's move (history kept), not a field edit here.
        return [] if obj is None else [*self.readonly_fields, "id_type"]

    def get_search_results(self, request, queryset, search_term):
        """Names, initials and last 4 digits as usual. A term of more than 4 digits searches the full ID and phone
        numbers only for a user who may reveal them, and is then audited as a reveal ("admin search"); for
        anyone else it finds nobody (searching digit prefixes would rebuild a number)."""
        terms = search_term.split()
        digits = [t.upper() for t in terms if _DIGIT_TERM.match(t) and len(t) > 4]
        rest = " ".join(t for t in terms if t.upper() not in digits)
        queryset, duplicates = super().get_search_results(request, queryset, rest)
        if not digits:
            return queryset, duplicates
        if not request.user.has_perm("registry.reveal_identity"):
            messages.warning(request, gettext("Search by the last 4 digits of an ID or phone number."))
            return queryset.none(), False
        for term in digits:
            queryset = queryset.filter(Q(id_number__contains=term) | Q(phone__contains=term))
        found = list(queryset.values_list("pk", flat=True)[:51])
        audit_record(
            AuditEvent.Action.REVEAL,
            target=queryset.first() if len(found) == 1 else None,
            summary="admin search",
            detail={"fields": ["id_number", "phone"], "digits": [len(t) for t in digits], "persons": found[:50]},
        )
        return queryset, duplicates

    @admin.display(description=_("age"))
    def age(self, obj):
        return obj.age

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.masked_phone

    def save_model(self, request, obj, form, change):
        if not change:
            data = {f: form.cleaned_data[f] for f in self.add_fields}
            created = services.person_create(**data)
            obj.pk = created.pk
            obj.__dict__.update(created.__dict__)
            return
        original = Person.objects.get(pk=obj.pk)
        services.person_update(original, **{f: form.cleaned_data[f] for f in form.changed_data})

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        added = [pg.group.code for pg in instances]
        removed = [pg.group.code for pg in formset.deleted_objects]
        for pg in formset.deleted_objects:
            pg.delete()
        for pg in instances:
            pg.save()
        if added or removed:
            audit_record(
                AuditEvent.Action.UPDATE,
                target=form.instance,
                summary=form.instance.name,
                detail={"changes": {"special_groups": [removed, added]}},
            )
