"""API string fields as long as the model's column they write: a 100,000-character note was stored where the model
says 300. `model_str(Model, "field")` is `str` with the field's max_length (longer answers 422, and the OpenAPI
document says maxLength); `text(n)` for strings that no single column holds (a password, a search). Neither
admits a NUL character."""

from typing import Annotated

from pydantic import StringConstraints


def text(max_length):
    # No NUL: PostgreSQL refuses it in text (a 500 deep in a query), so the schema answers 422 at the edge.
    return Annotated[str, StringConstraints(max_length=max_length, pattern=r"^[^\x00]*$")]


def model_str(model, field):
    return text(model._meta.get_field(field).max_length)


def _client_key():
    from core.models import IdempotencyKey

    return model_str(IdempotencyKey, "key")


# The client key of an idempotent write (core.models.IdempotencyKey.key).
ClientKey = _client_key()
