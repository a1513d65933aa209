"""Idempotent writes under a client key, one rule for every keyed write: keys belong to whoever sent them (the
acting user, or the system), so another user's replay of the same key is a new write, never someone else's stored
answer; a body's hash is the canonical JSON of the body without its `client_key`.

The same owner, key and body gets the stored answer; the same key with another body gets 409 naming the conflict;
two concurrent retries make one write. A write claims its key by inserting an `IdempotencyKey` row first, inside the
write's transaction. The unique constraint on (scope, owner, key) decides a race: the loser's insert waits for the
winner's transaction (PostgreSQL's unique index; SQLite's IMMEDIATE write lock), fails, rolls back its whole write,
and answers with the winner's stored answer. Only successful answers (status < 400) are stored, so a rejected write
can be corrected and resent under the same key.

    status, answer = keyed("care.followup", body.client_key, body.dict(), write)   # write() -> (status, answer)

Bulk callers (a batch of tubes) use `stored_answers` to answer known keys in one query and `answer_for` to turn a
stored row into the reply, and store their new answers with `IdempotencyKey.objects.bulk_create(key_rows(...))` in
their own transaction; on IntegrityError they fall back to `idempotent_write` per item.
"""

import hashlib
import json

from django.db import IntegrityError, transaction

from core.context import current_actor
from core.models import IdempotencyKey

CONFLICT = 409


def key_owner():
    actor = current_actor()
    if actor.system or actor.user is None or not actor.user.is_authenticated:
        return "system"
    return f"user:{actor.user.pk}"


def body_hash(body):
    """sha256 of the canonical JSON of a body without its client key (keys sorted; dates and decimals as text)."""
    body = {k: v for k, v in body.items() if k != "client_key"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_answers(scope, keys):
    rows = IdempotencyKey.objects.filter(scope=scope, owner=key_owner(), key__in=list(keys))
    return {row.key: row for row in rows}


def key_row(scope, key, digest, status, response):
    return IdempotencyKey(scope=scope, owner=key_owner(), key=key, body_hash=digest, status=status, response=response)


def conflict_answer(key):
    return {
        "detail": "conflict",
        "errors": {"client_key": f"client key {key!r} was already used with a different body"},
    }


def answer_for(stored, digest):
    """The reply to a retry: the stored answer for the same body, 409 for another."""
    if stored.body_hash != digest:
        return CONFLICT, conflict_answer(stored.key)
    return stored.status, stored.response


class _Rejected(Exception):
    def __init__(self, status, answer):
        self.status, self.answer = status, answer


def idempotent_write(scope, key, body, write):
    """Runs `write()` (returning (status, answer)) at most once per (scope, owner, key) and returns its answer.
    `body` is the request body (a dict) or its `body_hash`."""
    digest = body if isinstance(body, str) else body_hash(body)
    owner = key_owner()
    stored = IdempotencyKey.objects.filter(scope=scope, owner=owner, key=key).first()
    if stored is not None:
        return answer_for(stored, digest)
    try:
        with transaction.atomic():
            claim = key_row(scope, key, digest, 0, {})
            claim.save()
            status, answer = write()
            if status >= 400:
                raise _Rejected(status, answer)
            claim.status, claim.response = status, answer
            claim.save(update_fields=["status", "response"])
    except _Rejected as rejected:
        return rejected.status, rejected.answer
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(scope=scope, owner=owner, key=key).first()
        if stored is None:
            raise
        return answer_for(stored, digest)
    return status, answer


def keyed(scope, client_key, body, write):
    """`idempotent_write` under the body's client key; without a key the write simply runs."""
    if not client_key:
        return write()
    return idempotent_write(scope, str(client_key), body, write)
