"""Back office: the district's settings (plans, risk scale, deadlines) and read access to the ledger rows. The
admin reads through the scoped default managers like every page."""

from django.contrib import admin

from care import models


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
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["person", "group", "grid", "since", "risk_level"]
    list_filter = ["group", "risk_level"]
    list_select_related = ["person", "group", "grid", "risk_level"]
    raw_id_fields = ["person", "surveyed_by"]
    readonly_fields = ["grid"]


@admin.register(models.HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    list_display = ["receipt", "kind", "channel", "area", "status", "green_channel", "deadline_at", "escalated_to"]
    list_filter = ["status", "kind", "channel", "green_channel"]
    list_select_related = ["area", "escalated_to"]
    search_fields = ["receipt"]
    readonly_fields = ["receipt", "requester_phone", "area", "person", "escalated_to", "escalated_at", "created_at"]


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

    def save_model(self, request, obj, form, change):
        # The grid is the person's (read-only here); adding a schedule without it was an IntegrityError (500).
        obj.grid_id = obj.person.grid_id
        super().save_model(request, obj, form, change)
