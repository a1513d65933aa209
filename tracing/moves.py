"""What tracing holds of a person follows them when they move (registry.services.PERSON_MOVED): the rows carry the
person's grid so that they are scoped through the person, and the person's new grid is the one that traces and
manages them. Runs inside person_move's transaction as its consequence, through `all_objects`: the mover may not see
the new grid's rows, and the move is the write they were allowed to make."""

from django.utils import timezone

from tracing.models import (
    ArrivalReport,
    Case,
    Contact,
    EntryAlert,
    HandOver,
    Isolation,
    KeyGroupMember,
    TestObligation,
    VenueVisit,
)


def tracing_rows_follow_move(person, old_grid, new_grid):
    # Visits (kept 21 days) are what tracing reads of the person, so they go where the person is managed now.
    VenueVisit.all_objects.filter(person=person).update(grid=new_grid)
    # An entry alert not yet acknowledged goes to the new grid, whose worker must act on it.
    EntryAlert.all_objects.filter(person=person, acknowledged_at__isnull=True).update(grid=new_grid)
    # Tests still owed, arrival reports and key-group membership are managed by the grid the person lives in now.
    TestObligation.all_objects.filter(person=person, fulfilled_at__isnull=True).update(grid=new_grid)
    ArrivalReport.all_objects.filter(person=person).update(grid=new_grid)
    KeyGroupMember.all_objects.filter(person=person).update(grid=new_grid)
    # A case and the person's contacts (of any case, any status: a dismissed one is history, but whoever reads it
    # later looks for the person where they live) move with them.
    Case.all_objects.filter(person=person).update(grid=new_grid)
    Contact.all_objects.filter(person=person).update(grid=new_grid)


OPEN = [Isolation.Stage.IDENTIFIED, Isolation.Stage.NOTIFIED, Isolation.Stage.TRANSFERRED, Isolation.Stage.ISOLATING]


def isolation_rows_follow_move(person, old_grid, new_grid):
    from tracing.services import _community_code

    isolation = Isolation.all_objects.filter(person=person, stage__in=OPEN).first()
    if isolation is None:
        return
    Isolation.all_objects.filter(pk=isolation.pk).update(grid=new_grid)
    TestObligation.all_objects.filter(isolation=isolation, fulfilled_at__isnull=True).update(grid=new_grid)
    if _community_code(old_grid) == _community_code(new_grid):
        HandOver.all_objects.filter(isolation=isolation).update(grid=new_grid)
        return
    HandOver.all_objects.update_or_create(
        isolation=isolation,
        defaults={
            "person": person,
            "grid": new_grid,
            "from_area": old_grid.parent,
            "handed_at": timezone.now(),
            "accepted_at": None,
            "accepted_by": None,
            "escalated_at": None,
            "escalated_to": None,
        },
    )
