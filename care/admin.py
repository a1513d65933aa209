"""Back office: the district's settings (plans, risk scale, deadlines) and read access to the ledger rows. The
admin reads through the scoped default managers like every page. Phone numbers are shown masked and cannot be
filtered on through the URL (registry.admin.MaskedAdminMixin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from care import models
from registry.admin import MaskedAdminMixin


@admin.register(models.CareSettings)
class CareSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "emergency_mode", "misses_before_visit", "unreached_days", "public_requests_per_hour"]


@admin.register(models.RiskLevel)
class RiskLevelAdmin(admin.ModelAdmin):
    list_display = ["rank", "name"]


@admin.register(models.ContactPlan)
class ContactPlanAdmin(admin.ModelAdmin):
    list_display = ["group", "normal_days", "emergency_days"]


@admin.register(models.RequestDeadline)
class RequestDeadlineAdmin(admin.ModelAdmin):
    list_display = ["kind", "normal_hours", "green_hours"]


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(MaskedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "group", "grid", "since", "risk_level"]
    list_filter = ["group", "risk_level"]
    list_select_related = ["person", "group", "grid", "risk_level"]
    raw_id_fields = ["person", "surveyed_by"]
    masked_fields = ("guardian_phone", "phone", "id_number", "birth_date")
    exclude = ["guardian_phone"]
    readonly_fields = ["grid", "masked_guardian_phone"]

    @admin.display(description=_("contact phone"))
    def masked_guardian_phone(self, obj):
        return obj.masked_guardian_phone


@admin.register(models.HelpRequest)
class HelpRequestAdmin(MaskedAdminMixin, admin.ModelAdmin):
    list_display = ["receipt", "kind", "channel", "area", "status", "green_channel", "deadline_at", "escalated_to"]
    list_filter = ["status", "kind", "channel", "green_channel"]
    list_select_related = ["area", "escalated_to"]
    search_fields = ["receipt"]
    masked_fields = ("requester_phone", "phone", "id_number", "birth_date")
    exclude = ["requester_phone"]
    readonly_fields = [
        "receipt", "masked_requester_phone", "area", "person", "escalated_to", "escalated_at", "created_at"
    ]  # fmt: skip

    @admin.display(description=_("phone"))
    def masked_requester_phone(self, obj):
        return obj.masked_requester_phone


@admin.register(models.Relief)
class ReliefAdmin(admin.ModelAdmin):
    list_display = ["item", "kind", "amount", "quantity", "area", "request", "approved_by", "signed_by"]
    list_select_related = ["area", "request", "approved_by"]
    readonly_fields = ["area", "request", "person", "approved_by", "delivered_by"]


@admin.register(models.MedicineSchedule)
class MedicineScheduleAdmin(admin.ModelAdmin):
    list_display = ["person", "medicine", "every_days", "next_on", "active"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    readonly_fields = ["grid"]
