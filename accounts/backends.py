from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth.backends import ModelBackend

from accounts.roles import role_has_perm, role_perms
from core.context import current_actor


def _narrowed(user_obj, perms):
    """A request made with a narrowed API token narrows `user.has_perm` too, so a view or handler asking the user
    (`permission_required`, `request.user.has_perm`) gets the same answer as `Actor.may`."""
    actor = current_actor()
    if actor.allowed is not None and actor.user is not None and actor.user.pk == user_obj.pk:
        return perms & actor.allowed
    return perms


class RoleBackend(ModelBackend):
    """Username/password login (Argon2 hashes); permissions come from the user's role (accounts.roles) and from
    nothing else: no per-user or group grants edited by hand, so the role table is the whole truth."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return _narrowed(user_obj, role_perms(user_obj.role))

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        return role_has_perm(user_obj.role, perm) and bool(_narrowed(user_obj, {perm}))

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        return any(p.startswith(app_label + ".") for p in role_perms(user_obj.role))


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in AUTHENTICATION_BACKENDS: a locked username+address is refused before any
    password is checked. Every login over HTTP passes its request (our form, the token endpoint, the admin's login);
    a call without one has no address to count. Marks the request so the page, the API and the audit row can tell "refused" from "wrong"."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # not over HTTP (the test client's login(), a shell): no address to lock out
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            request.login_refused = True
            raise
