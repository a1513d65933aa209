"""The write walker's parts: what a write case is, who walks it, and how "nothing changed" is told.

Each app's `testing.py` offers `write_cases(values) -> [WriteCase]`, one per write route (page or API operation),
built from the ids `leak_objects` returned for a person in grid B. A case names the permission its route needs
and the area its target lives in; accounts.roles decides, from the same table docs/ROLES.md is generated from, who
must succeed and who must be refused."""

from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from accounts.roles import ROLE_PERMISSIONS, Role


@dataclass
class WriteCase:
    route: str  # a URL name ("care:request_step") or an API operation ("POST /api/v1/care/requests/{request_id}/steps")
    url: str
    perm: str
    area: str = "B"  # where the target is: "B" (the walked person's grid) or "district" (a district-wide object)
    data: dict = field(default_factory=dict)  # or a callable returning it
    json: bool = False
    method: str = "POST"
    # Roles that hold `perm` but for which this route is not theirs to succeed on (say why in the case).
    not_rightful: frozenset = frozenset()
    writes: bool = True  # False for a read made by POST (a desk's lookup): the rightful need only be answered

    def send(self, client):
        data = self.data() if callable(self.data) else self.data  # a callable makes fresh uploads per attempt
        if self.json:
            return client.generic(self.method, self.url, _json(data), content_type="application/json")
        if self.method == "POST":
            return client.post(self.url, data)
        return client.generic(self.method, self.url)

    @property
    def is_page(self):
        return not self.url.startswith("/api/")


def _json(data):
    import json

    return json.dumps(data, default=str)


# Who walks: per role, a user whose area covers grid B ("inside") and, where the role is bound below the district,
# one of the same role just outside it ("neighbour"). Built by the `walkers` fixture.
INSIDE = {
    Role.DISTRICT_ADMIN: "dana",
    Role.STREET_STAFF: "stella",
    Role.COMMUNITY_STAFF: "cora",
    Role.GRID_WORKER: "greg",
    Role.MEDIC: "mia",
    Role.LAB: "lena",
    Role.VOLUNTEER_LEAD: "vic",
    Role.CHECKPOINT_STAFF: "cass",
    Role.TRACING_STAFF: "tess",
    Role.LOGISTICS_STAFF: "lou",
    Role.VOLUNTEER: "vera",
}
NEIGHBOUR = {
    Role.STREET_STAFF: ("sam", "waihai"),
    Role.COMMUNITY_STAFF: ("cleo", "xinchuang"),
    Role.GRID_WORKER: ("gwen", "A"),
    Role.VOLUNTEER_LEAD: ("val", "xinchuang"),
    Role.CHECKPOINT_STAFF: ("cato", "xinchuang"),
    Role.VOLUNTEER: ("vito", "xinchuang"),
}


def rightful_roles(case):
    return [r for r in Role if case.perm in ROLE_PERMISSIONS[r] and r not in case.not_rightful]


def refused_roles(case):
    return [r for r in Role if case.perm not in ROLE_PERMISSIONS[r]]


def our_models():
    base = Path(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if Path(config.path).is_relative_to(base) and "site-packages" not in config.path:
            yield from config.get_models()


def snapshot(audit=True):
    """Every row of every model of ours, the audit log included unless `audit` is false, as a comparable value."""
    return {
        m._meta.label: list(m._base_manager.order_by("pk").values_list())
        for m in our_models()
        if audit or m._meta.label != "core.AuditEvent"
    }


def changes(before, after):
    return sorted(label for label in before if before[label] != after[label])


def rows_written():
    """How many rows this connection has inserted, updated or deleted so far: one cheap query, so an attempt that
    wrote nothing (most of them) needs no full snapshot."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        else:
            cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0]


class _Rollback(Exception):
    pass


def attempt(client, case, before=None):
    """Sends the case inside a savepoint that is rolled back: (response, labels of the models it changed).
    Every attempt starts from the same state, so a caller may pass the `snapshot()` taken once before."""
    before = before if before is not None else snapshot()
    result = {}
    try:
        with transaction.atomic():
            written = rows_written()
            result["response"] = case.send(client)
            result["changed"] = changes(before, snapshot()) if rows_written() != written else []
            raise _Rollback
    except _Rollback:
        pass
    return result["response"], result["changed"]
