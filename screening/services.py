"""Writes of the screening app. Pages, the API, commands and tasks all call these; names are stable:

- campaign_create(*, name, kind, scope_codes, rounds, pooling=(), residence_statuses=None, min_age=None,
  max_age=None, default_pool_size=10, user=None) -> Campaign
- site_create(campaign, *, name, area, medics=(), **fields) -> Site
- site_medics_assign(site, medics) -> Site: the medics who work the site's desks (only they register tubes there).
- tubes_register(items, *, user=None) -> list[(status, answer)]: closed tubes, each accepted or rejected whole,
  idempotent on item["client_key"]. An item: client_key, round (id), site (id), tube_code, pool_size, closed_at
  (aware datetime or ISO text), persons: [{"id_number": …, "name"?: …, "grid"?: area code} | {"person_id": …}].
- tube_register(item, *, user=None) -> (status, answer): one tube, same rules.
- results_record(items, *, user=None) -> list[(status, answer)]: lab results, items: tube_code, result
  ("negative"/"positive"/"invalid"), resulted_at, lab, correction_reason?; idempotent per tube code (the same result
  again is the same answer; another result for a resulted tube is a correction: see result_correct). A positive pooled tube holds its
  persons, alerts their grids and communities and opens a single-tube home re-sampling request for each, in the
  same transaction. A positive single tube goes on the "to trace" list with an alert to the district.
- result_correct(tube_code, *, result, reason, resulted_at=None, lab="") -> (status, answer): another result for a
  resulted tube, with a mandatory reason, audited old → new; the holds, alerts and home requests follow it.
- results_import(file, *, filename, user=None) -> list[(status, answer)]: the lab's .xlsx/.csv export.
- exclusion_add(round_or_campaign, person, *, reason, where="", until=None, note="", user=None, whole_campaign=False)
- knock_record(round, household, *, outcome, person=None, where="", until=None, note="", user=None) -> KnockOutcome
- notice_acknowledge(round, person, *, user=None) -> NoticeAck
- home_request_create(round, person, *, source, single_tube=False, note="") -> HomeSamplingRequest
- home_requests_standing(round) -> int: requests for everyone on the standing list who has none.
- home_team_create(round, *, name, area, medic, grid_worker=None) -> HomeSamplingTeam
- home_requests_assign(round) -> int: open requests to the team of the nearest area, in route order.
- home_request_finish(request, *, done, note="") -> HomeSamplingRequest
- alert_acknowledge(alert, *, user) -> Alert

Every write is declared with its permission (core.access.writes): the check is here, whatever page, API, admin or
task calls it. State changes (a result, a finished home request, an acknowledged alert) are conditional updates: the
loser of a race gets AlreadyDone (409), never a second write.

A sample is not a change to a person, so registering tubes writes no audit rows; registering a provisional person
(a valid ID number not in the register) goes through registry.services.person_create and is audited.
"""

import uuid
from collections import namedtuple
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import uploads
from core.access import writes
from core.audit import audit_record
from core.context import current_actor, system_actor
from core.idempotency import answer_for, body_hash, idempotent_write, key_row, stored_answers
from core.models import AuditEvent, IdempotencyKey
from core.partitions import rounds_partitions_create
from notices.models import NoticeAck
from registry.identity import IdentityError, parse_ric
from registry.models import Area, Building, Household, Person
from registry.services import person_create
from screening.models import (
    Alert,
    Campaign,
    Exclusion,
    Hold,
    HomeSamplingRequest,
    HomeSamplingTeam,
    KnockOutcome,
    PoolingRule,
    Round,
    Sample,
    Site,
    TraceEntry,
    Tube,
)

POOL_SIZES = (1, 5, 10, 20)
TUBE_SCOPE = "screening.tube"
RESULT_SCOPE = "screening.result"
UNPLACED_SUFFIX = "999"  # the holding grid of a community for persons registered at a desk with no known grid
UNPLACED_BUILDING = "待核实登记"  # the holding building of a grid for provisional persons, one household each


class AlreadyDone(Exception):
    """A state change someone else made first (a conditional update changed no row): answered 409."""


# --- campaigns and sites ---------------------------------------------------------------------------------------


@writes("screening.add_campaign")
def campaign_create(
    *,
    name,
    kind=Campaign.Kind.NUCLEIC_ACID,
    scope_codes,
    rounds,
    pooling=(),
    residence_statuses=None,
    min_age=None,
    max_age=None,
    default_pool_size=10,
    user=None,
):
    """rounds: [(starts_at, ends_at)]; pooling: [(area code, pool size, zone)]. Raises ValidationError."""
    areas = list(Area.all_objects.filter(code__in=scope_codes))
    missing = set(scope_codes) - {a.code for a in areas}
    errors = {}
    if missing:
        errors["scope"] = _("unknown area codes: %s") % ", ".join(sorted(missing))
    if not rounds:
        errors["rounds"] = _("a campaign needs at least one round")
    if any(end <= start for start, end in rounds):
        errors["rounds"] = _("a round must end after it starts")
    if default_pool_size not in POOL_SIZES or any(size not in POOL_SIZES for _c, size, *_z in pooling):
        errors["pooling"] = _("pool sizes are 1, 5, 10 or 20")
    pool_areas = {a.code: a for a in Area.all_objects.filter(code__in=[p[0] for p in pooling])}
    if set(p[0] for p in pooling) - set(pool_areas):
        errors["pooling"] = _("unknown area codes in the pooling rules")
    if errors:
        raise ValidationError(errors)
    statuses = residence_statuses or [
        Person.ResidenceStatus.REGISTERED,
        Person.ResidenceStatus.RESIDENT,
        Person.ResidenceStatus.FLOATING,
    ]
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            kind=kind,
            residence_statuses=list(statuses),
            min_age=min_age,
            max_age=max_age,
            default_pool_size=default_pool_size if kind != Campaign.Kind.ROLL_CALL else 1,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        campaign.scope.set(areas)
        made = Round.objects.bulk_create(
            Round(campaign=campaign, number=n, starts_at=start, ends_at=end) for n, (start, end) in enumerate(rounds, 1)
        )
        # Each round's partition of the samples (PostgreSQL), once the rounds are committed: the DDL locks the
        # samples' table, which desks are writing to. Should it fail, the samples land in DEFAULT and the daily
        # core.partitions_create makes the partition and moves them.
        round_ids = [r.pk for r in made]
        transaction.on_commit(lambda: rounds_partitions_create(round_ids), robust=True)
        PoolingRule.objects.bulk_create(
            PoolingRule(campaign=campaign, area=pool_areas[code], pool_size=size, zone=(zone or ["elsewhere"])[0])
            for code, size, *zone in pooling
        )
        audit_record(AuditEvent.Action.CREATE, target=campaign, summary=name)
    return campaign


@writes("screening.add_site")
def site_create(campaign, *, name, area, medics=(), **fields):
    with transaction.atomic():
        site = Site.objects.create(campaign=campaign, name=name, area=area, **fields)
        if medics:
            site.medics.set(medics)
        audit_record(AuditEvent.Action.CREATE, target=site, summary=name)
    return site


@writes("screening.change_site")
def site_medics_assign(site, medics):
    """The medics who work the site's desks (replaces the list); only they register tubes there."""
    with transaction.atomic():
        before = sorted(site.medics.values_list("username", flat=True))
        site.medics.set(medics)
        after = sorted(site.medics.values_list("username", flat=True))
        audit_record(AuditEvent.Action.UPDATE, target=site, summary="site medics", detail={"old": before, "new": after})
    return site


def pooling_rule_for(rules, grid_code):
    """The rule of a grid's zone: of the campaign's rules, the one of the nearest area up the tree (longest code)."""
    best = None
    for rule in rules:
        if grid_code.startswith(rule.area.code) and (best is None or len(rule.area.code) > len(best.area.code)):
            best = rule
    return best


# Other apps narrow the pooling of some persons (a sealed compound's residents: single tube or one tube per
# household) without screening importing them: each registered callback takes person ids and answers
# {person id: PoolLimit}. The smallest size wins; `reason` is shown to the desk as it is.
PoolLimit = namedtuple("PoolLimit", "size one_household reason")
POOL_LIMITS = []


def on_pool_limits(callback):
    """Registers `callback(person_ids) -> {person_id: PoolLimit}`, consulted by every desk check of a tube."""
    if callback not in POOL_LIMITS:
        POOL_LIMITS.append(callback)
    return callback


def person_pool_limits(person_ids):
    """{person id: the narrowest PoolLimit any app gives them} for the persons that have one."""
    limits = {}
    for callback in POOL_LIMITS:
        for person_id, limit in callback(person_ids).items():
            if person_id not in limits or limit.size < limits[person_id].size:
                limits[person_id] = limit
    return limits


def pool_limit_refusal(limit, tube_size, households=()):
    """Why a person with `limit` may not go into a tube of `tube_size` holding persons of `households`, or None."""
    if tube_size > limit.size or (limit.one_household and len(set(households)) > 1):
        return limit.reason
    return None


def pool_size_for(campaign, grid_code, rules=None):
    """The pool size the campaign's rules give a grid (its zone's), else the campaign's default."""
    rules = rules if rules is not None else list(campaign.pooling_rules.select_related("area"))
    best = pooling_rule_for(rules, grid_code)
    return best.pool_size if best else campaign.default_pool_size


def zone_refusal(campaign, rules, grid_code, tube_size):
    """Why a person of `grid_code` may not go into a tube of `tube_size` (their zone pools fewer), or None."""
    allowed = pool_size_for(campaign, grid_code, rules)
    if tube_size <= allowed:
        return None
    rule = pooling_rule_for(rules, grid_code)
    zone = rule.get_zone_display() if rule else _("this area")
    if allowed == 1:
        return _("%(zone)s: single tubes only, sample this person in a single tube") % {"zone": zone}
    return _("%(zone)s: at most %(size)d persons per tube") % {"zone": zone, "size": allowed}


def round_refusal(round_, closed_at, now=None):
    """Why a tube closed at `closed_at` does not belong to `round_` (not started yet, closed outside it), or None.
    The closing time decides, not the time it arrives: a desk that was offline sends its tubes late."""
    now = now or timezone.now()
    values = {
        "round": round_.label,
        "start": _local(round_.starts_at),
        "end": _local(round_.ends_at),
    }
    if round_.status_at(now) == Round.Status.UPCOMING:
        return _("%(round)s has not started: it starts at %(start)s") % values
    if closed_at > round_.ends_at:
        return _("%(round)s ended at %(end)s: this tube was closed after it") % values
    if closed_at < round_.starts_at:
        return _("%(round)s started at %(start)s: this tube was closed before it") % values
    return None


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- tubes -----------------------------------------------------------------------------------------------------


@writes("screening.add_tube")
def tube_register(item, *, user=None):
    return tubes_register([item], user=user)[0]


@writes("screening.add_tube")
def tubes_register(items, *, user=None):
    """Registers closed tubes; returns one (status, answer) per item, in order: 201 accepted, 422 rejected (nothing
    stored; `errors` names every bad field, e.g. "persons[2].id_number"), 409 for a client key reused with another
    body, or the stored answer of an earlier identical request. One bad tube never loses the good ones."""
    answers = [None] * len(items)
    digests = [body_hash(item) for item in items]
    keys = [str(item.get("client_key") or "") for item in items]
    stored = stored_answers(TUBE_SCOPE, [k for k in keys if k])
    first_of_key = {}
    todo = []
    for i, key in enumerate(keys):
        if not key:
            answers[i] = (422, _rejection(items[i], {"client_key": _("a client key is required")}))
        elif key in stored:
            answers[i] = answer_for(stored[key], digests[i])
        elif key in first_of_key:
            continue  # answered after the first item with this key is written
        else:
            first_of_key[key] = i
            todo.append(i)
    plans = _plan_tubes([items[i] for i in todo])
    # A concurrent retry of the same key may have committed since we looked: its tube then makes ours look like a
    # reused tube code. Its key commits with its tube, so looking again now finds it.
    late = stored_answers(TUBE_SCOPE, [keys[i] for i, plan in zip(todo, plans, strict=True) if plan["errors"]])
    writable = []
    for i, plan in zip(todo, plans, strict=True):
        if keys[i] in late:
            answers[i] = answer_for(late[keys[i]], digests[i])
        elif plan["errors"]:
            answers[i] = (422, _rejection(items[i], plan["errors"]))
        else:
            plan.update(index=i, key=keys[i], digest=digests[i])
            writable.append(plan)
    if writable:
        try:
            with transaction.atomic():
                results = _write_tubes(writable, user)
                IdempotencyKey.objects.bulk_create(
                    key_row(TUBE_SCOPE, p["key"], p["digest"], 201, r) for p, r in zip(writable, results, strict=True)
                )
            for plan, result in zip(writable, results, strict=True):
                answers[plan["index"]] = (201, result)
        except IntegrityError:
            # A concurrent desk or retry got there first: redo these one by one, each deciding its own race.
            for plan in writable:
                answers[plan["index"]] = _register_alone(items[plan["index"]], plan["key"], plan["digest"], user)
    for i, key in enumerate(keys):
        if answers[i] is None:
            first = first_of_key[key]
            status, answer = answers[first]
            same = digests[i] == digests[first] and status < 400
            answers[i] = (status, answer) if same else (409, _conflict(key))
    return answers


def _conflict(key):
    return {"detail": "conflict", "errors": {"client_key": _("client key %s was already used with another body") % key}}


def _rejection(item, errors):
    return {
        "client_key": item.get("client_key"),
        "tube_code": item.get("tube_code"),
        "status": "rejected",
        "errors": errors,
    }


def _register_alone(item, key, digest, user):
    def write():
        (plan,) = _plan_tubes([item])
        if plan["errors"]:
            return 422, _rejection(item, plan["errors"])
        with transaction.atomic():
            (result,) = _write_tubes([plan], user)
        return 201, result

    try:
        return idempotent_write(TUBE_SCOPE, key, digest, write)
    except IntegrityError:
        return 422, _rejection(item, {"tube_code": _("tube code is already used")})


def _as_datetime(value):
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = parse_datetime(str(value or ""))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _plan_tubes(items):
    """Validates items against the database in a fixed number of queries: rounds and sites (and the sites the
    medic is assigned to), used tube codes, persons by ID number and by id, and samples already taken this round.

    A desk samples whoever comes, wherever they live, so a person named by ID number is found district-wide
    (`Person.all_objects`): refusing them would send a resident home untested. What the desk learns stays inside
    its own area: the answer names (repeat, provisional) only persons the caller's scope covers. A person named
    by `person_id` is looked up through the scope (`Person.objects`): a desk may only name ids it can see, and an
    id outside its area is "unknown person", as an id that does not exist."""
    rounds = Round.objects.select_related("campaign").in_bulk({_int(it.get("round")) for it in items} - {None})
    rules = {}  # campaign id → its pooling rules, for the zone of each person
    for rule in PoolingRule.objects.filter(campaign_id__in={r.campaign_id for r in rounds.values()}).select_related(
        "area"
    ):
        rules.setdefault(rule.campaign_id, []).append(rule)
    sites = Site.objects.select_related("area").in_bulk({_int(it.get("site")) for it in items} - {None})
    actor = current_actor()
    assigned = None  # the system (a command, the demo) registers at any site
    if not actor.system:
        assigned = set(
            Site.medics.through.objects.filter(user_id=actor.user.pk, site_id__in=list(sites)).values_list(
                "site_id", flat=True
            )
        )
    codes = [str(it.get("tube_code") or "").strip() for it in items]
    used = set(Tube.objects.filter(code__in=[c for c in codes if c]).values_list("code", flat=True))
    parsed_ids, person_ids = {}, set()
    for item in items:
        for entry in _entries(item):
            if entry.get("id_number") not in (None, ""):
                raw = str(entry["id_number"])
                if raw not in parsed_ids:
                    try:
                        parsed_ids[raw] = parse_ric(raw)[0]
                    except IdentityError as exc:
                        parsed_ids[raw] = exc
            elif _int(entry.get("person_id")) is not None:
                person_ids.add(_int(entry["person_id"]))
    numbers = [v for v in parsed_ids.values() if isinstance(v, str)]
    # By ID number district-wide on purpose (see the docstring); by id only inside the caller's scope.
    by_number, by_id = {}, {}
    fields = ("id", "id_number", "grid_id", "household_id", "grid__code")
    for row in Person.all_objects.filter(id_type=Person.IdType.RESIDENT_ID, id_number__in=numbers).values(*fields):
        by_number[row["id_number"]] = row
    for row in Person.objects.filter(pk__in=person_ids).values(*fields):
        by_id[row["id"]] = row
    # Every app's pooling limits (a sealed building's single tubes) for every known person of the batch, at once.
    limits = person_pool_limits({row["id"] for row in (*by_number.values(), *by_id.values())})
    seen_codes = set()
    plans = []
    for item, code in zip(items, codes, strict=True):
        plan = _plan_one(item, code, rounds, sites, assigned, used, seen_codes, parsed_ids, by_number, by_id)
        _check_zones(plan, item, rules, limits)
        plans.append(plan)
        if not plan["errors"]:
            seen_codes.add(code)
    _mark_repeats(plans)
    return plans


def _check_zones(plan, item, rules, limits):
    """Refuses each person whose zone pools fewer per tube than this tube holds (a sealed zone's person in a
    10-in-1 tube), or whose pooling limit (`limits`: person_pool_limits) refuses this tube, naming the person's line
    and why."""
    round_, size = plan["round"], plan["pool_size"]
    if round_ is None or size not in POOL_SIZES or not round_.campaign.uses_tubes:
        return
    campaign_rules = rules.get(round_.campaign_id, [])
    for n in range(len(_entries(item))):
        grid_code = _zone_grid_code(n, plan)
        reason = grid_code is not None and zone_refusal(round_.campaign, campaign_rules, grid_code, size)
        if reason:
            plan["errors"].setdefault(f"persons[{n}]", reason)
    known = {n: m for n, m in plan["resolved"].items() if m.get("id")}
    # A person new to the register has no household yet: counted as one of their own.
    households = [m.get("household_id") or f"new-{n}" for n, m in plan["resolved"].items()]
    for n, member in known.items():
        limit = limits.get(member["id"])
        reason = limit and pool_limit_refusal(limit, size, households)
        if reason:
            plan["errors"].setdefault(f"persons[{n}]", reason)


def _zone_grid_code(n, plan):
    """The grid whose zone decides for the n-th person of a tube: a known person's own grid; for a person new to the register the
    grid the desk named if the caller's scope covers it (as _provisional_person places them), else the site's area."""
    member = plan["resolved"].get(n)
    if member is None:
        return None
    if member.get("id"):
        return member["grid__code"]
    named = member.get("grid_code") or ""
    if named and current_actor().scope.covers(named):
        return named
    return plan["site"].area.code if plan["site"] is not None else None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _entries(item):
    persons = item.get("persons")
    return [p if isinstance(p, dict) else {} for p in persons] if isinstance(persons, list) else []


def _plan_one(item, code, rounds, sites, assigned, used, seen_codes, parsed_ids, by_number, by_id):
    errors = {}
    round_ = rounds.get(_int(item.get("round")))
    site = sites.get(_int(item.get("site")))
    if round_ is None:
        errors["round"] = _("unknown round")
    elif not round_.campaign.uses_tubes:
        errors["round"] = _("a roll call takes no tubes")
    if site is None:
        errors["site"] = _("unknown site")
    elif round_ is not None and site.campaign_id != round_.campaign_id:
        errors["site"] = _("the site belongs to another campaign")
    elif assigned is not None and site.pk not in assigned:
        errors["site"] = _("you are not assigned to the site %(site)s") % {"site": site.name}
    if not code:
        errors["tube_code"] = _("a tube code is required")
    elif len(code) > 40:
        errors["tube_code"] = _("a tube code has at most 40 characters")
    elif code in used or code in seen_codes:
        errors["tube_code"] = _("tube code is already used")
    pool_size = _int(item.get("pool_size"))
    if pool_size not in POOL_SIZES:
        errors["pool_size"] = _("pool size must be 1, 5, 10 or 20")
    closed_at = _as_datetime(item.get("closed_at"))
    if closed_at is None:
        errors["closed_at"] = _("closing time is required (ISO 8601)")
    entries = _entries(item)
    if not entries:
        errors["persons"] = _("a tube holds at least one person")
    elif pool_size in POOL_SIZES and len(entries) > pool_size:
        errors["persons"] = _("%(n)d persons do not fit a tube of %(size)d") % {"n": len(entries), "size": pool_size}
    members, new_persons, seen, resolved = [], [], set(), {}
    for n, entry in enumerate(entries):
        member = _resolve(entry, parsed_ids, by_number, by_id)
        if isinstance(member, dict) and "error" in member:
            errors[f"persons[{n}].{member['field']}"] = member["error"]
            continue
        ident = member["id"] if member.get("id") else member["id_number"]
        if ident in seen:
            errors[f"persons[{n}]"] = _("this person is already in the tube")
            continue
        seen.add(ident)
        resolved[n] = member
        (members if member.get("id") else new_persons).append(member)
    if round_ is not None and closed_at is not None and "round" not in errors:
        refusal = round_refusal(round_, closed_at)
        if refusal:
            errors["round"] = refusal
    return {
        "resolved": resolved,
        "errors": errors,
        "round": round_,
        "site": site,
        "code": code,
        "pool_size": pool_size,
        "closed_at": closed_at,
        "members": members,
        "new_persons": new_persons,
    }


def _resolve(entry, parsed_ids, by_number, by_id):
    raw = entry.get("id_number")
    if raw not in (None, ""):
        number = parsed_ids[str(raw)]
        if isinstance(number, IdentityError):
            return {"field": "id_number", "error": str(number)}
        if number in by_number:
            return dict(by_number[number])
        grid = str(entry.get("grid") or "")
        return {"id": None, "id_number": number, "name": str(entry.get("name") or ""), "grid_code": grid}
    person_id = _int(entry.get("person_id"))
    if person_id is None:
        return {"field": "id_number", "error": _("give an ID number or a person id")}
    if person_id not in by_id:
        return {"field": "person_id", "error": _("unknown person")}
    return dict(by_id[person_id])


def _mark_repeats(plans):
    """Flags persons already sampled in the same round (kept: re-samples after a positive pool are normal)."""
    wanted = {(p["round"].pk, m["id"]) for p in plans if not p["errors"] for m in p["members"]}
    if not wanted:
        return
    rows = Sample.all_objects.filter(
        round_id__in={r for r, _p in wanted}, person_id__in={p for _r, p in wanted}
    ).values_list("round_id", "person_id")
    already = set(rows)
    for plan in plans:
        for member in plan["members"]:
            member["repeat"] = plan["round"] is not None and (plan["round"].pk, member["id"]) in already


def _write_tubes(plans, user):
    """Inserts planned tubes and their samples in bulk; returns each tube's answer. Runs in the caller's
    transaction."""
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    for plan in plans:
        for member in plan["new_persons"]:
            plan["members"].append(_provisional_person(member, plan["site"], plan["round"], user))
    tubes = Tube.objects.bulk_create(
        Tube(
            round=p["round"],
            site=p["site"],
            code=p["code"],
            pool_size=p["pool_size"],
            closed_at=p["closed_at"],
            registered_by=user,
        )
        for p in plans
    )
    samples = []
    for plan, tube in zip(plans, tubes, strict=True):
        for m in plan["members"]:
            samples.append(
                Sample(
                    tube=tube,
                    round=plan["round"],
                    person_id=m["id"],
                    grid_id=m["grid_id"],
                    household_id=m["household_id"],
                    sampled_at=plan["closed_at"],
                    is_repeat=m.get("repeat", False),
                )
            )
    samples = Sample.all_objects.bulk_create(samples)
    _after_samples(samples, {t.pk: t for t in tubes})
    # The answer names only persons the caller's scope covers (a desk samples whoever comes, but learns nothing
    # about a person of another area: not that they were sampled before, not their id).
    visible = set(
        Person.objects.filter(pk__in={m["id"] for p in plans for m in p["members"]}).values_list("pk", flat=True)
    )
    return [_tube_answer(plan, tube, visible) for plan, tube in zip(plans, tubes, strict=True)]


def _tube_answer(plan, tube, visible):
    return {
        "client_key": plan.get("key"),
        "status": "accepted",
        "tube_id": tube.pk,
        "tube_code": tube.code,
        "samples": len(plan["members"]),
        "repeat_person_ids": [m["id"] for m in plan["members"] if m.get("repeat") and m["id"] in visible],
        "provisional_person_ids": [m["id"] for m in plan["members"] if m.get("provisional") and m["id"] in visible],
    }


def _provisional_person(member, site, round_, user):
    """A valid ID number not in the register: registered on the spot in the grid the desk named when the caller's
    scope covers it, else in the holding grid of the site's community, always in a household of its own (in the
    grid's holding building "待核实登记"), and flagged to that grid.

    The desk registers the person on the register's behalf (a medic holds no register permission and the grid may
    be outside the medic's area): it acts as the system for this one creation, keeping the user for the audit."""
    grid = Area.all_objects.filter(code=member["grid_code"], level=Area.Level.GRID).first()
    if grid is None or not current_actor().scope.covers(grid.code):
        grid = unplaced_grid(site.area)
    with system_actor():
        household = _holding_household(grid)
        person = person_create(
            grid=grid,
            household=household,
            name=member["name"] or _("(name to verify)"),
            id_number=member["id_number"],
            is_provisional=True,
        )
    Alert.all_objects.create(round=round_, area=grid, kind=Alert.Kind.PROVISIONAL, person=person)
    return {"id": person.pk, "grid_id": grid.pk, "household_id": household.pk, "provisional": True}


def _holding_household(grid):
    """A new door in the grid's holding building, for one provisional person until the grid places them."""
    building, _created = Building.all_objects.get_or_create(
        grid=grid, name=UNPLACED_BUILDING, defaults={"address": f"{grid.name}{UNPLACED_BUILDING}"}
    )
    # A random door label: two desks registering at once never collide on the unique door.
    return Household.all_objects.create(building=building, grid=grid, unit=1, floor=1, room=uuid.uuid4().hex[:8])


def unplaced_grid(area):
    """The holding grid ("待分配") of the community that `area` is in (or of its first community)."""
    community = area if area.level == Area.Level.COMMUNITY else None
    if area.level == Area.Level.GRID:
        community = area.parent
    if community is None:
        community = Area.all_objects.filter(code__startswith=area.code, level=Area.Level.COMMUNITY).first()
    grid, _created = Area.all_objects.get_or_create(
        code=community.code + UNPLACED_SUFFIX,
        defaults={"name": f"{community.name}待分配", "level": Area.Level.GRID, "parent": community},
    )
    return grid


# Callbacks `callback(samples)` run inside tube registration after its samples are written: other apps react to
# a sample (tracing fulfils the tests a person owes) without screening importing them.
SAMPLES_TAKEN = []


def on_samples_taken(callback):
    """Registers `callback(samples)` to run inside every tube registration, with the new samples (tube set)."""
    if callback not in SAMPLES_TAKEN:
        SAMPLES_TAKEN.append(callback)
    return callback


def _after_samples(samples, tubes):
    """A single-tube sample of a held person moves their hold to "re-sampled"; any sample closes the person's
    live home-sampling request of that round."""
    single = {s.person_id: s for s in samples if tubes[s.tube_id].pool_size == 1}
    if single:
        for hold in Hold.all_objects.filter(person_id__in=list(single), state=Hold.State.HELD):
            hold.state, hold.resample = Hold.State.RESAMPLED, single[hold.person_id]
            hold.save(update_fields=["state", "resample", "updated_at"])
    by_round_person = {(s.round_id, s.person_id): s for s in samples}
    live = HomeSamplingRequest.all_objects.filter(
        person_id__in={s.person_id for s in samples},
        status__in=[HomeSamplingRequest.Status.OPEN, HomeSamplingRequest.Status.ASSIGNED],
    )
    now = timezone.now()
    for request in live:
        sample = by_round_person.get((request.round_id, request.person_id))
        if sample is None or (request.single_tube and tubes[sample.tube_id].pool_size != 1):
            continue
        request.status, request.sample, request.done_at = HomeSamplingRequest.Status.DONE, sample, now
        request.save(update_fields=["status", "sample", "done_at"])
    for callback in SAMPLES_TAKEN:
        callback(samples)


# --- results ---------------------------------------------------------------------------------------------------


@writes("screening.record_result")
def results_record(items, *, user=None):
    """Records lab results; one (status, answer) per item. Idempotent per tube code (the key is the lab user's,
    core.idempotency): the same result again is the same answer. Another result for a resulted tube is refused
    (409) unless the item carries a `correction_reason`: then it is a correction (result_correct), which needs
    `screening.correct_result` (403 for that item otherwise)."""
    answers = []
    for item in items:
        code = str(item.get("tube_code") or "").strip()
        if not code:
            answers.append((422, {"status": "rejected", "errors": {"tube_code": _("a tube code is required")}}))
            continue
        if str(item.get("correction_reason") or "").strip():
            answers.append(_correction_answer(code, item))
            continue
        body = {k: item.get(k) for k in ("tube_code", "result", "resulted_at", "lab")}
        body["resulted_at"] = str(body["resulted_at"] or "")
        answers.append(idempotent_write(RESULT_SCOPE, code, body, lambda i=item: _result_write(i)))
    return answers


def _correction_answer(code, item):
    try:
        return result_correct(
            code,
            result=item.get("result"),
            reason=item.get("correction_reason"),
            resulted_at=item.get("resulted_at"),
            lab=item.get("lab") or "",
        )
    except PermissionDenied:
        errors = {"correction_reason": _("correcting a result needs the permission to correct results")}
        return 403, {"tube_code": code, "status": "rejected", "errors": errors}


def _result_word(value):
    result = str(value or "").strip().lower()
    result = RESULT_WORDS.get(result, result)
    if result not in (Tube.Result.NEGATIVE, Tube.Result.POSITIVE, Tube.Result.INVALID):
        return None
    return result


def _result_write(item):
    code = str(item["tube_code"]).strip()
    errors = {}
    result = _result_word(item.get("result"))
    if result is None:
        errors["result"] = _("result must be negative, positive or invalid")
    resulted_at = _as_datetime(item.get("resulted_at")) or timezone.now()
    tube = Tube.objects.select_for_update().select_related("round").filter(code=code).first()
    if tube is None:
        errors["tube_code"] = _("no such tube")
    if errors:
        return 422, {"tube_code": code, "status": "rejected", "errors": errors}
    if tube.result == result:
        return 200, _result_outcome(tube, "unchanged")
    if tube.result != Tube.Result.PENDING:
        return 409, _already_resulted(code)
    # The conditional update decides a race between two labs (or a lab and its retry): one result lands.
    now = timezone.now()
    changed = Tube.objects.filter(pk=tube.pk, result=Tube.Result.PENDING).update(
        result=result, resulted_at=resulted_at, lab=str(item.get("lab") or "")[:80], result_received_at=now
    )
    if not changed:
        return 409, _already_resulted(code)
    tube.result, tube.resulted_at, tube.result_received_at = result, resulted_at, now
    outcome = {"tube_code": code, "status": "recorded", "result": result, "holds": 0, "home_requests": 0}
    outcome.update(_result_follows(tube, result))
    return 200, outcome


def _already_resulted(code):
    errors = {"tube_code": _("this tube already has a result: a different result is a correction, with a reason")}
    return {"detail": "conflict", "tube_code": code, "status": "conflict", "errors": errors}


def _result_outcome(tube, status):
    """The answer for a tube whose result stands: what it holds now."""
    holds = Hold.all_objects.filter(tube=tube).exclude(state=Hold.State.RELEASED).count()
    return {"tube_code": tube.code, "status": status, "result": tube.result, "holds": holds, "home_requests": holds}


def _result_follows(tube, result):
    """What a (new) result sets off: the samples take it; a positive holds or lists for tracing; a re-sample's
    result clears or confirms the hold it was taken for."""
    Sample.all_objects.filter(tube=tube).update(result=result)
    outcome = {}
    if result == Tube.Result.POSITIVE and tube.pool_size > 1:
        outcome.update(_positive_pool(tube))
    elif result == Tube.Result.POSITIVE:
        outcome.update(_positive_single(tube))
    resampled = Hold.all_objects.filter(
        resample__tube=tube, state__in=[Hold.State.RESAMPLED, Hold.State.POSITIVE, Hold.State.CLEARED]
    )
    state = {Tube.Result.POSITIVE: Hold.State.POSITIVE, Tube.Result.NEGATIVE: Hold.State.CLEARED}.get(
        result, Hold.State.RESAMPLED
    )
    resampled.update(state=state, updated_at=timezone.now())
    return outcome


@writes("screening.correct_result")
def result_correct(tube_code, *, result, reason, resulted_at=None, lab=""):
    """Another result for a resulted tube (the lab mistyped, or re-ran it): needs a reason, is audited old → new,
    and everything the old result set off follows the new one — a positive withdrawn releases its holds, withdraws
    its alerts, closes the re-sampling requests it opened and takes its persons off the "to trace" list; a new
    positive holds and alerts as a first one would. Returns (status, answer): 200, 422 (no reason, no such tube,
    nothing to correct), 409 (the tube changed meanwhile)."""
    code = str(tube_code or "").strip()
    reason = str(reason or "").strip()
    errors = {}
    new = _result_word(result)
    if new is None:
        errors["result"] = _("result must be negative, positive or invalid")
    if not reason:
        errors["correction_reason"] = _("a correction needs a reason")
    with transaction.atomic():
        tube = Tube.objects.select_for_update().select_related("round").filter(code=code).first()
        if tube is None:
            errors["tube_code"] = _("no such tube")
        elif tube.result == Tube.Result.PENDING:
            errors["tube_code"] = _("the tube has no result to correct yet")
        if errors:
            return 422, {"tube_code": code, "status": "rejected", "errors": errors}
        old = tube.result
        if old == new:
            return 200, _result_outcome(tube, "unchanged")
        now = timezone.now()
        changed = Tube.objects.filter(pk=tube.pk, result=old).update(
            result=new,
            resulted_at=_as_datetime(resulted_at) or now,
            lab=str(lab or tube.lab)[:80],
            result_received_at=now,
        )
        if not changed:
            return 409, {"detail": "conflict", "errors": {"tube_code": _("the result changed meanwhile")}}
        tube.result, tube.result_received_at = new, now
        outcome = {"tube_code": code, "status": "corrected", "result": new, "holds": 0, "home_requests": 0}
        if old == Tube.Result.POSITIVE:
            outcome["released"] = _positive_withdraw(tube)
        outcome.update(_result_follows(tube, new))
        audit_record(
            AuditEvent.Action.UPDATE,
            target=tube,
            summary=f"result corrected: {old} → {new}",
            detail={"result": {"old": old, "new": new}, "reason": reason[:500]},
        )
    return 200, outcome


def _positive_withdraw(tube):
    """Undoes what a positive result of `tube` set off; returns how many holds were released."""
    now = timezone.now()
    released = Hold.all_objects.filter(tube=tube, state__in=[Hold.State.HELD, Hold.State.RESAMPLED]).update(
        state=Hold.State.RELEASED, updated_at=now
    )
    Alert.all_objects.filter(tube=tube, withdrawn_at__isnull=True).update(withdrawn_at=now)
    persons = Sample.all_objects.filter(tube=tube).values("person_id")
    HomeSamplingRequest.all_objects.filter(
        round=tube.round,
        person_id__in=persons,
        source=HomeSamplingRequest.Source.POSITIVE_POOL,
        status__in=[HomeSamplingRequest.Status.OPEN, HomeSamplingRequest.Status.ASSIGNED],
    ).update(status=HomeSamplingRequest.Status.NOT_DONE, done_at=now, note=_("result corrected"))
    TraceEntry.all_objects.filter(tube=tube).delete()
    return released


RESULT_WORDS = {"阴性": "negative", "阳性": "positive", "无效": "invalid", "neg": "negative", "pos": "positive"}


def _positive_pool(tube):
    """Everyone in the tube is held in place, their grid and community alerted, and a single-tube home re-sampling
    request opened for each (an existing live request of theirs becomes single-tube)."""
    members = list(Sample.all_objects.filter(tube=tube).select_related("grid"))
    earlier = Hold.all_objects.filter(tube=tube)  # released by a correction, held again by this one
    had = set(earlier.values_list("person_id", flat=True))
    earlier.update(state=Hold.State.HELD, updated_at=timezone.now())
    Hold.all_objects.bulk_create(
        Hold(round=tube.round, tube=tube, person_id=s.person_id, grid_id=s.grid_id)
        for s in members
        if s.person_id not in had
    )
    person_ids = [s.person_id for s in members]
    live = HomeSamplingRequest.all_objects.filter(
        round=tube.round,
        person_id__in=person_ids,
        status__in=[HomeSamplingRequest.Status.OPEN, HomeSamplingRequest.Status.ASSIGNED],
    )
    existing = set(live.values_list("person_id", flat=True))
    live.update(single_tube=True, source=HomeSamplingRequest.Source.POSITIVE_POOL)
    HomeSamplingRequest.all_objects.bulk_create(
        HomeSamplingRequest(
            round=tube.round,
            person_id=s.person_id,
            grid_id=s.grid_id,
            household_id=s.household_id,
            source=HomeSamplingRequest.Source.POSITIVE_POOL,
            single_tube=True,
        )
        for s in members
        if s.person_id not in existing
    )
    alerts = [
        Alert(round=tube.round, area_id=s.grid_id, kind=Alert.Kind.POSITIVE_POOL, tube=tube, person_id=s.person_id)
        for s in members
    ]
    communities = Area.all_objects.filter(code__in={s.grid.code[:12] for s in members})
    alerts += [Alert(round=tube.round, area=c, kind=Alert.Kind.POSITIVE_POOL, tube=tube) for c in communities]
    Alert.all_objects.bulk_create(alerts)
    return {"holds": len(members), "home_requests": len(members)}


def _positive_single(tube):
    members = list(Sample.all_objects.filter(tube=tube).select_related("grid"))
    TraceEntry.all_objects.bulk_create(
        TraceEntry(round=tube.round, tube=tube, person_id=s.person_id, grid_id=s.grid_id) for s in members
    )
    districts = {a.code: a for a in Area.all_objects.filter(code__in={s.grid.code[:6] for s in members})}
    Alert.all_objects.bulk_create(
        Alert(
            round=tube.round,
            area=districts[s.grid.code[:6]],
            kind=Alert.Kind.POSITIVE_SINGLE,
            tube=tube,
            person_id=s.person_id,
        )
        for s in members
    )
    return {"to_trace": len(members)}


@writes("screening.record_result")
def results_import(file, *, filename, user=None):
    """The lab's export (.xlsx or .csv): columns tube code, result, time, lab and an optional fifth, the reason of
    a correction (Chinese or English headers, or these in this order without a header). A row with a reason for a
    resulted tube is a correction (result_correct)."""
    rows = _read_rows(file, filename)
    fields = ("tube_code", "result", "resulted_at", "lab", "correction_reason")
    items = [dict(zip(fields, row, strict=False)) for row in rows]
    return results_record([i for i in items if i.get("tube_code")], user=user)


HEADER_WORDS = {"tube code", "tube_code", "管码", "试管编码", "采样管编码", "条码"}


def _read_rows(file, filename):
    """Raises core.uploads.UploadRefused for a file past the upload limits (the API answers 413/422)."""
    data = uploads.upload_bytes(file)
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise uploads.UploadRefused(_("The file is not UTF-8 text.")) from None
        rows = [row for row in uploads.csv_rows(text) if any(cell.strip() for cell in row)]
    else:
        rows = [
            ["" if c is None else (c.isoformat() if isinstance(c, datetime) else str(c)) for c in row]
            for row in uploads.spreadsheet_rows(data, skip_empty_area=True)
        ]
    if rows and str(rows[0][0]).strip().lower() in HEADER_WORDS:
        rows = rows[1:]
    return [[str(c).strip() for c in row[:5]] for row in rows]


# --- exclusions, knocks, notices -------------------------------------------------------------------------------


@writes("screening.add_exclusion")
def exclusion_add(round_, person, *, reason, where="", until=None, note="", user=None, whole_campaign=False):
    with transaction.atomic():
        exclusion = Exclusion.all_objects.create(
            campaign_id=round_.campaign_id,
            round=None if whole_campaign else round_,
            person=person,
            grid_id=person.grid_id,
            reason=reason,
            where=where,
            until=until,
            note=note,
            created_by=_user(user),
        )
        audit_record(AuditEvent.Action.UPDATE, target=person, summary=f"screening exclusion: {reason}")
    return exclusion


KNOCK_EXCLUSIONS = {
    KnockOutcome.Outcome.AWAY: (Exclusion.Reason.AWAY, False),
    KnockOutcome.Outcome.MOVED_OUT: (Exclusion.Reason.MOVED_OUT, True),
    KnockOutcome.Outcome.DECEASED: (Exclusion.Reason.DECEASED, True),
}


@writes("screening.add_knockoutcome")
def knock_record(round_, household, *, outcome, person=None, where="", until=None, note="", user=None):
    """One tap at a door. Away / moved out / deceased exclude the person (or every person of the household when
    none is named) — away for this round, the others for the campaign; "needs home sampling" opens a request;
    "not home" leaves them on the list for the next pass; in a roll call, "sampled" means seen and counts as
    covered."""
    if outcome not in KnockOutcome.Outcome.values:
        raise ValidationError({"outcome": _("unknown outcome")})
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("the person does not live at this door")})
    persons = [person] if person is not None else list(Person.all_objects.filter(household=household))
    with transaction.atomic():
        knock = KnockOutcome.all_objects.create(
            round=round_,
            household=household,
            person=person,
            grid_id=household.grid_id,
            outcome=outcome,
            where=where,
            until=until,
            note=note,
            recorded_by=_user(user),
        )
        if outcome == KnockOutcome.Outcome.SAMPLED and not round_.campaign.uses_tubes:
            _roll_call_seen(round_, persons, household)
        elif outcome in KNOCK_EXCLUSIONS:
            reason, whole = KNOCK_EXCLUSIONS[outcome]
            for p in persons:
                exclusion_add(round_, p, reason=reason, where=where, until=until, user=user, whole_campaign=whole)
        elif outcome == KnockOutcome.Outcome.NEEDS_HOME:
            for p in persons:
                home_request_create(round_, p, source=HomeSamplingRequest.Source.KNOCK, note=note)
    return knock


def _roll_call_seen(round_, persons, household):
    """In a roll call, a person seen at the door counts as "sampled" (a sample without a tube), once a round."""
    seen = set(
        Sample.all_objects.filter(round=round_, tube__isnull=True, person__in=persons).values_list(
            "person_id", flat=True
        )
    )
    now = timezone.now()
    Sample.all_objects.bulk_create(
        Sample(round=round_, person=p, grid_id=p.grid_id, household=household, sampled_at=now)
        for p in persons
        if p.pk not in seen
    )


@writes("notices.add_noticeack")
def notice_acknowledge(round_, person, *, user=None):
    ack, _created = NoticeAck.all_objects.get_or_create(
        round=round_, person=person, defaults={"grid_id": person.grid_id, "recorded_by": _user(user)}
    )
    return ack


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- home sampling ---------------------------------------------------------------------------------------------


@writes("screening.add_homesamplingrequest")
def home_request_create(round_, person, *, source, single_tube=False, note=""):
    """Opens a request, or returns the person's live one for the round (one team per person is enough)."""
    live = HomeSamplingRequest.all_objects.filter(
        round=round_, person=person, status__in=[HomeSamplingRequest.Status.OPEN, HomeSamplingRequest.Status.ASSIGNED]
    ).first()
    if live is not None:
        return live
    return HomeSamplingRequest.all_objects.create(
        round=round_,
        person=person,
        grid_id=person.grid_id,
        household_id=person.household_id,
        source=source,
        single_tube=single_tube,
        note=note[:200],
    )


@writes("screening.add_homesamplingteam")
def home_requests_standing(round_):
    """Requests for the standing list (bedridden or limited mobility, or tagged mobility-impaired) of the
    campaign's scope, inside the actor's area, who have no request yet this round. Returns how many were opened."""
    from screening.selectors import standing_list

    have = set(HomeSamplingRequest.all_objects.filter(round=round_).values_list("person_id", flat=True))
    rows = [r for r in standing_list(round_.campaign).values("id", "grid_id", "household_id") if r["id"] not in have]
    HomeSamplingRequest.all_objects.bulk_create(
        HomeSamplingRequest(
            round=round_,
            person_id=r["id"],
            grid_id=r["grid_id"],
            household_id=r["household_id"],
            source=HomeSamplingRequest.Source.STANDING,
        )
        for r in rows
    )
    return len(rows)


@writes("screening.add_homesamplingteam")
def home_team_create(round_, *, name, area, medic, grid_worker=None):
    return HomeSamplingTeam.objects.create(round=round_, name=name, area=area, medic=medic, grid_worker=grid_worker)


@writes("screening.add_homesamplingteam")
def home_requests_assign(round_):
    """Gives every open request inside the actor's area to the team whose area is the nearest ancestor of the
    person's grid, and numbers each team's route by building and door. Returns how many were assigned."""
    teams = sorted(round_.home_teams.select_related("area"), key=lambda t: -len(t.area.code))
    if not teams:
        return 0
    requests = list(
        HomeSamplingRequest.objects.filter(round=round_, status__in=["open", "assigned"])
        .select_related("grid", "household__building")
        .order_by("grid__code", "household__building__address", "household__unit", "household__floor", "id")
    )
    per_team, assigned = {}, 0
    with transaction.atomic():
        for request in requests:
            team = next((t for t in teams if request.grid.code.startswith(t.area.code)), None)
            if team is None:
                continue
            per_team[team.pk] = per_team.get(team.pk, 0) + 1
            request.team, request.route_order, request.status = team, per_team[team.pk], "assigned"
            assigned += 1
        HomeSamplingRequest.all_objects.bulk_update(requests, ["team", "route_order", "status"])
    return assigned


@writes("screening.change_homesamplingrequest")
def home_request_finish(request, *, done, note=""):
    """Done or not done, once: a conditional update on the live status, so of two taps (two team members, a
    retry) one finishes the request and the other gets AlreadyDone."""
    status = HomeSamplingRequest.Status.DONE if done else HomeSamplingRequest.Status.NOT_DONE
    now, note = timezone.now(), (note or request.note)[:200]
    changed = HomeSamplingRequest.all_objects.filter(
        pk=request.pk, status__in=[HomeSamplingRequest.Status.OPEN, HomeSamplingRequest.Status.ASSIGNED]
    ).update(status=status, done_at=now, note=note)
    if not changed:
        raise AlreadyDone(_("this home-sampling request is already finished"))
    request.status, request.done_at, request.note = status, now, note
    return request


@writes("screening.change_alert")
def alert_acknowledge(alert, *, user):
    """Acknowledged once (a conditional update): a second acknowledgement gets AlreadyDone."""
    changed = Alert.all_objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=_user(user)
    )
    alert.refresh_from_db()
    if not changed:
        raise AlreadyDone(_("this alert is already acknowledged"))
    return alert


@writes("screening.add_roundplan")
def plan_round(round_, area=None):
    """A new plan for the round's sites serving the actor's area (or `area`, inside it): the planner's figures per
    site, one RoundPlan row each (screening.planner). Returns the rows."""
    from screening import planner
    from screening.models import RoundPlan

    actor = current_actor()
    sites = [
        s
        for s in Site.objects.filter(campaign=round_.campaign).select_related("area")
        if actor.scope.covers(s.area.code) and (area is None or s.area.code.startswith(area.code))
    ]
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    rows = [
        RoundPlan(round=round_, site=site, area=site.area, created_by=user, **figures)
        for site, figures in planner.plan(round_, sites)
    ]
    with transaction.atomic():
        RoundPlan.all_objects.bulk_create(rows)
    return rows
