from django.contrib.auth.models import Permission

from accounts.roles import ROLE_PERMISSIONS, Role, role_has_perm
from accounts.roles_doc import DOC_PATH, roles_markdown


def test_roles_md_is_generated_from_the_role_table():
    assert DOC_PATH.read_text(encoding="utf-8") == roles_markdown(), (
        "docs/ROLES.md is stale: run `gridcare roles --write`"
    )


def test_every_granted_permission_exists(db):
    known = {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted - known == set()


def test_no_role_is_handed_a_whole_app():
    for role, perms in ROLE_PERMISSIONS.items():
        assert all(p.count(".") == 1 and not p.endswith(".") for p in perms), role


def test_least_privilege_at_a_glance():
    assert not role_has_perm(Role.GRID_WORKER, "screening.add_campaign")
    assert not role_has_perm(Role.GRID_WORKER, "screening.record_result")
    assert not role_has_perm(Role.MEDIC, "screening.record_result")
    assert role_has_perm(Role.LAB, "screening.correct_result")
    assert all(p.startswith("screening.") for p in ROLE_PERMISSIONS[Role.LAB])  # results, nothing of the register
    assert not role_has_perm(Role.COMMUNITY_STAFF, "care.change_caresettings")
    assert not role_has_perm(Role.COMMUNITY_STAFF, "screening.change_tube")
    assert not role_has_perm(Role.VOLUNTEER_LEAD, "registry.view_person")
