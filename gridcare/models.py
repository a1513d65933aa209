from django.db import models


class IdempotencyKey(models.Model):
    """The stored answer to a write made under a client key (see gridcare.idempotency)."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotencykey_unique")]

    def __str__(self):
        return f"{self.scope}:{self.key}"
