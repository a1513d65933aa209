"""Back office: the district's settings (plans, risk scale, deadlines) and read access to the ledger rows. The
admin reads through the scoped default managers like every page.

Settings are the district admin's: Django's per-model permissions come from the role table (accounts.roles
CARE_SETTINGS), so other back-office roles see them read-only. Work on the ledger, requests and relief happens on the
pages, through the services (their permission and area checks, conditional updates, events and audit rows); here
those rows are read-only, so no admin form can skip a step or deliver relief twice. Phone numbers are shown masked
and cannot be filtered on through the URL (registry.admin.MaskedAdminMixin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from care import models
from core.admin import ReadOnlyAdmin
from registry.admin import MaskedAdminMixin


@admin.register(models.CareSettings)
class CareSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "emergency_mode", "misses_before_visit", "unreached_days", "public_requests_per_hour"]
    readonly_fields = ["planned_on"]

    def has_add_permission(self, request):
        """One row: saving it the first time is changing the settings from their defaults."""
        return request.user.has_perm("care.add_caresettings") and not models.CareSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.RiskLevel)
class RiskLevelAdmin(admin.ModelAdmin):
    list_display = ["rank", "name", "name_en"]


@admin.register(models.ContactPlan)
class ContactPlanAdmin(admin.ModelAdmin):
    list_display = ["group", "normal_days", "emergency_days"]


@admin.register(models.RequestDeadline)
class RequestDeadlineAdmin(admin.ModelAdmin):
    list_display = ["kind", "normal_hours", "green_hours"]


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(MaskedAdminMixin, ReadOnlyAdmin):
    list_display = ["person", "group", "grid", "since", "risk_level"]
    list_filter = ["group", "risk_level"]
    list_select_related = ["person", "group", "grid", "risk_level"]
    masked_fields = ("guardian_phone", "phone", "id_number", "birth_date")
    exclude = ["guardian_phone"]
    readonly_fields = ["masked_guardian_phone"]

    @admin.display(description=_("contact phone"))
    def masked_guardian_phone(self, obj):
        return obj.masked_guardian_phone


@admin.register(models.HelpRequest)
class HelpRequestAdmin(MaskedAdminMixin, ReadOnlyAdmin):
    list_display = ["receipt", "kind", "channel", "area", "status", "green_channel", "deadline_at", "escalated_to"]
    list_filter = ["status", "kind", "channel", "green_channel"]
    list_select_related = ["area", "escalated_to"]
    search_fields = ["receipt"]
    masked_fields = ("requester_phone", "phone", "id_number", "birth_date")
    exclude = ["requester_phone"]
    readonly_fields = ["masked_requester_phone"]

    @admin.display(description=_("phone"))
    def masked_requester_phone(self, obj):
        return obj.masked_requester_phone


@admin.register(models.Relief)
class ReliefAdmin(ReadOnlyAdmin):
    list_display = ["item", "kind", "amount", "quantity", "area", "request", "approved_by", "signed_by"]
    list_select_related = ["area", "request", "approved_by"]


@admin.register(models.MedicineSchedule)
class MedicineScheduleAdmin(admin.ModelAdmin):
    list_display = ["person", "medicine", "every_days", "next_on", "active"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    readonly_fields = ["grid"]

    def save_model(self, request, obj, form, change):
        # The grid is the person's (read-only here); adding a schedule without it was an IntegrityError (500).
        obj.grid_id = obj.person.grid_id
        super().save_model(request, obj, form, change)
