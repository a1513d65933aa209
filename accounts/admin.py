"""Back office for accounts: users, API tokens (issued here, shown once, revocable) and the audit log, which
district admins browse and filter but nobody edits."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken, User
from accounts.services import scope_for_user, token_issue, token_revoke, totp_device_reset
from core.access import NotInScope
from core.admin import ReadOnlyAdmin
from core.context import current_scope
from core.models import AuditEvent

# Devices are reset through the users' list (totp_device_reset: the permission, the area, an audit row), never edited:
# django-otp's own device admin would show their keys.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class AreaInScopeForm:
    """A back-office user makes and moves users inside their own area only (a user without an area sees nothing,
    and only the whole system's may leave it empty)."""

    def clean_area(self):
        area = self.cleaned_data.get("area")
        scope = current_scope()
        if scope.code is None and not scope.empty:
            return area
        if area is None or not scope.covers(area.code):
            raise forms.ValidationError(_("Choose an area inside your own."))
        return area


class UserChangeInAreaForm(AreaInScopeForm, UserChangeForm):
    pass


class UserCreationInAreaForm(AreaInScopeForm, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeInAreaForm
    add_form = UserCreationInAreaForm

    list_display = ["username", "first_name", "last_name", "role", "area", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    list_select_related = ["area"]
    raw_id_fields = ["area"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:2],
        (_("Role and area"), {"fields": ["role", "area"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "password1", "password2", "role", "area"]})]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["totp_reset"]

    def get_queryset(self, request):
        # Users of the caller's area only: a district's admin neither sees nor edits another district's staff. (Not a
        # scoped default manager: logging in looks a user up before any scope exists; and a user is not area-bound
        # for the write check: a street's staff puts the district's medic on a home-sampling team.)
        scope = current_scope()
        users = super().get_queryset(request)
        if scope.empty:
            return users.none()
        return users if scope.code is None else users.filter(area__code__startswith=scope.code)

    def has_totp_reset_permission(self, request):
        return request.user.has_perm("otp_totp.delete_totpdevice")

    @admin.action(description=_("Reset two-step verification (a lost phone)"), permissions=["totp_reset"])
    def totp_reset(self, request, queryset):
        reset, refused = 0, 0
        for user in queryset.select_related("area"):
            try:
                reset += bool(totp_device_reset(user))
            except NotInScope:
                refused += 1
        if reset:
            done = ngettext("%(n)d user can enrol again.", "%(n)d users can enrol again.", reset)
            messages.success(request, done % {"n": reset})
        if refused:
            left = ngettext(
                "%(n)d user outside your area was left as is.",
                "%(n)d users outside your area were left as they are.",
                refused,
            )
            messages.error(request, left % {"n": refused})


class ApiTokenForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].required = False  # left out: a full token, as before modes existed

    def clean(self):
        data = super().clean()
        data["mode"] = data.get("mode") or ApiToken.Mode.FULL
        user, area = data.get("user"), data.get("area")
        if user is not None and area is not None and not scope_for_user(user).covers(area.code):
            raise forms.ValidationError(_("The area must be inside the user's area."))
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "user", "hint", "mode", "area", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "mode"]
    list_select_related = ["user", "area"]
    raw_id_fields = ["user"]
    fields = ["user", "name", "mode", "area"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        token, raw = token_issue(data["user"], data["name"], mode=data["mode"], area=data["area"])
        obj.pk = token.pk
        messages.warning(request, _("The token, shown only this once: %(token)s") % {"token": raw})

    def save_related(self, request, form, formsets, change):
        pass

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "who", "action", "target_type", "target_id", "summary", "ip"]
    list_select_related = ["actor"]
    list_filter = ["action", "at", "target_type"]
    search_fields = ["actor_name", "target_id", "summary", "ip"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(description=_("who"), ordering="actor_name")
    def who(self, event):
        """The staff member by name and role; the typed username when there is no user (a failed login)."""
        return event.actor.staff_label if event.actor_id else event.actor_name

    def has_module_permission(self, request):
        return self.has_view_permission(request)
