"""What screening owes a person follows them when they move (registry.services.PERSON_MOVED).

Obligations move: an open or assigned home-sampling request (re-opened for the new grid's teams if its team does
not serve the new grid) and an active hold in place. History stays where it happened: samples, knock outcomes,
notice acknowledgements and finished requests keep the grid they were recorded in, so a past round's coverage of
the old grid does not change. The knock list needs nothing here: it is computed from the person's current grid.

Runs inside person_move's transaction as its consequence, through `all_objects`: the mover may not see the new
grid's rows, and the move is the write they were allowed to make."""

from screening.models import Hold, HomeSamplingRequest


def screening_rows_follow_move(person, old_grid, new_grid):
    live = HomeSamplingRequest.all_objects.filter(
        person=person, status__in=[HomeSamplingRequest.Status.OPEN, HomeSamplingRequest.Status.ASSIGNED]
    )
    live.exclude(team__area__code__in=_covering_codes(new_grid)).exclude(team__isnull=True).update(
        team=None, route_order=None, status=HomeSamplingRequest.Status.OPEN
    )
    live.update(grid=new_grid, household=person.household)
    Hold.all_objects.filter(person=person, state__in=[Hold.State.HELD, Hold.State.RESAMPLED]).update(grid=new_grid)


def _covering_codes(grid):
    """The codes of `grid` and every area above it (an area serves the grids under it)."""
    return [grid.code[:n] for n in (6, 9, 12, 15) if n <= len(grid.code)]
