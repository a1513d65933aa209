from django.contrib import admin

from screening.models import (
    Alert,
    Campaign,
    Hold,
    HomeSamplingRequest,
    HomeSamplingTeam,
    PoolingRule,
    Round,
    Site,
    Tube,
)


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0


class PoolingRuleInline(admin.TabularInline):
    model = PoolingRule
    extra = 0
    raw_id_fields = ["area"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "default_pool_size", "created_at"]
    inlines = [RoundInline, PoolingRuleInline]
    filter_horizontal = ["scope"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "kind", "area", "desks", "opens_at", "closes_at"]
    list_filter = ["campaign", "kind"]
    search_fields = ["name", "address"]
    raw_id_fields = ["area"]
    filter_horizontal = ["medics"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "medics":
            from accounts.models import User
            from accounts.roles import Role

            kwargs["queryset"] = User.objects.filter(role=Role.MEDIC, is_active=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Tube)
class TubeAdmin(admin.ModelAdmin):
    list_display = ["code", "round", "site", "pool_size", "closed_at", "result", "resulted_at"]
    list_filter = ["result", "pool_size"]
    search_fields = ["code"]
    raw_id_fields = ["round", "site", "registered_by"]


@admin.register(HomeSamplingTeam)
class HomeSamplingTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "round", "area", "medic", "grid_worker"]
    raw_id_fields = ["area", "medic", "grid_worker"]


@admin.register(HomeSamplingRequest)
class HomeSamplingRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "round", "grid", "source", "status", "team", "route_order", "created_at"]
    list_filter = ["status", "source"]
    raw_id_fields = ["person", "grid", "household", "team", "sample"]


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["id", "tube", "grid", "state", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["person", "grid", "tube", "resample"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "area", "round", "created_at", "acknowledged_at"]
    list_filter = ["kind"]
    raw_id_fields = ["area", "tube", "person", "acknowledged_by"]
