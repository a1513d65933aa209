"""Back-office editing of the register. Querysets and foreign-key choices come from the scoped default managers,
so the admin shows only the user's subtree. ID and phone numbers are shown masked and are editable only when a
person is added; changes to a person go through registry.services, which validate and audit them."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.models import AuditEvent
from registry import services
from registry.identity import IdentityError, parse_phone
from registry.models import Area, Building, Compound, Household, Person, PersonGroup, SpecialGroup


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


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "grid", "relation", "residence_status"]
    list_filter = ["residence_status", "mobility", "special_groups"]
    search_fields = ["name", "name_initials", "id_last4", "phone_last4"]
    list_select_related = ["grid"]
    raw_id_fields = ["household"]
    inlines = [PersonGroupInline]
    readonly_fields = ["masked_id_number", "masked_phone", "birth_date", "sex", "grid", "household"]
    add_fields = ["grid", "household", "name", "id_type", "id_number", "phone", "relation", "residence_status",
                  "mobility", "is_provisional"]  # fmt: skip
    change_fields = ["name", "masked_id_number", "masked_phone", "id_type", "birth_date", "sex", "grid", "household",
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
