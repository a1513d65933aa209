"""The back office: the Django admin, open to back-office roles only, with the same area scoping as the pages
(every ModelAdmin reads through the scoped default managers)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class BackOfficeSite(admin.AdminSite):
    site_header = _("gridcare back office")
    site_title = _("gridcare back office")
    index_title = _("Back office")

    def has_permission(self, request):
        # By role rather than is_staff, so granting a role is the one switch (accounts.roles.BACK_OFFICE_ROLES).
        user = request.user
        return user.is_active and user.is_authenticated and user.is_back_office


class BackOfficeAdminConfig(AdminConfig):
    default_site = "gridcare.admin_site.BackOfficeSite"
