from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A back-office list that shows and never edits: rows whose changes go through a service (its checks, events
    and audit rows) or that are a record (the audit log)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
