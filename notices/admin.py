from django.contrib import admin

from notices.models import NoticeGroupRobot, NoticeTemplate


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    fields = ["name", "body"]


@admin.register(NoticeGroupRobot)
class NoticeGroupRobotAdmin(admin.ModelAdmin):
    list_display = ["grid", "webhook_url"]
    raw_id_fields = ["grid"]
