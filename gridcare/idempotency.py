"""Idempotent writes under a client key: the same key with the same body gets the stored answer; the same key with
another body gets 409 naming the conflict; two concurrent retries make one write.

A write claims its key by inserting an `IdempotencyKey` row first, inside the write's transaction. The unique
constraint on (scope, key) decides a race: the loser's insert waits for the winner's transaction (PostgreSQL's
unique index; SQLite's IMMEDIATE write lock), fails, rolls back its whole write, and answers with the winner's stored
answer. Only successful answers (status < 400) are stored, so a rejected write can be corrected and resent under the
same key.

    status, answer = idempotent_write("screening.tube", key, body_hash(body), write)   # write() -> (status, answer)

Bulk callers (a batch of tubes) use `stored_answers` to answer known keys in one query and `answer_for` to turn a
stored row into the reply, and store their new answers with `IdempotencyKey.objects.bulk_create` in their own
transaction; on IntegrityError they fall back to `idempotent_write` per item.
"""

import hashlib
import json

from django.db import IntegrityError, transaction

from gridcare.models import IdempotencyKey

CONFLICT = 409


def body_hash(body):
    """sha256 of the canonical JSON of a body (dict keys sorted; dates and decimals as strings)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_answers(scope, keys):
    return {row.key: row for row in IdempotencyKey.objects.filter(scope=scope, key__in=list(keys))}


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


def idempotent_write(scope, key, digest, write):
    """Runs `write()` (returning (status, answer)) at most once per (scope, key) and returns its answer."""
    stored = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if stored is not None:
        return answer_for(stored, digest)
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(scope=scope, key=key, body_hash=digest, status=0, response={})
            status, answer = write()
            if status >= 400:
                raise _Rejected(status, answer)
            claim.status, claim.response = status, answer
            claim.save(update_fields=["status", "response"])
    except _Rejected as rejected:
        return rejected.status, rejected.answer
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if stored is None:
            raise
        return answer_for(stored, digest)
    return status, answer
