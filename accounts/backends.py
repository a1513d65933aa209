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
