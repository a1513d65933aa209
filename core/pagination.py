"""Pagination for every list: a page number or an offset past what a database column holds answered 500
(SQLite: "Python int too large to convert to SQLite INTEGER"; PostgreSQL: bigint out of range), and a negative
limit or offset made Django refuse the slice. The API's pagination class and the helpers here bound them: past the
bounds the API answers 422 (schema)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

MAX_PAGE = 1_000_000
MAX_OFFSET = 1_000_000_000
MAX_LIMIT = 1000


class PageNumberPagination(NinjaPageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_LIMIT)


def window(items, *, limit, offset):
    """items[offset : offset + limit], both clamped to the bounds (for lists that take limit and offset)."""
    limit = min(max(int(limit), 0), MAX_LIMIT)
    offset = min(max(int(offset), 0), MAX_OFFSET)
    return items[offset : offset + limit]
