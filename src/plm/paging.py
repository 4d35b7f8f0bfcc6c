"""Keyset paging: a page can start after (or end before) a row shown earlier, named by a cursor.

A page asked for by number skips the rows before it (OFFSET), which costs more the deeper it
is: page 1,000 of the Users page read or sorted 50,000 users to show 50. A cursor carries the
sort key of the last (or first) row shown, so the next page is an index range read that costs
what the first page does. The web's Next / Previous links and the API's `next` carry one.

A list paged this way must be ordered by fields that are unique together (user name; user
name + License ID; an import's row number; an id), so that "after this row" is exact.
"""

import base64
import binascii
import json
from typing import Any

from django.db.models import Q, QuerySet

MAX_CURSOR = 2000  # characters: a cursor holds a few keys (a user name is at most 150)


def ordering(rows: QuerySet[Any]) -> list[tuple[str, bool]]:
    """(field, descending) for each sort field of `rows`, as the database orders them."""
    fields = list(rows.query.order_by) or list(rows.model._meta.ordering)
    flip = not rows.query.standard_ordering  # .reverse()
    pk = rows.model._meta.pk.name  # type: ignore[union-attr]
    out = []
    for field in fields:
        name = str(field).lstrip("-")
        out.append((pk if name == "pk" else name, str(field).startswith("-") != flip))
    return out


def cursor_of(row: Any, rows: QuerySet[Any]) -> str:
    """The cursor naming `row` (a model instance of `rows`) in `rows`' order."""
    values = []
    for name, _ in ordering(rows):
        value = row
        for part in name.split("__"):
            value = getattr(value, part)
        values.append(value)
    return encode(values)


def encode(values: list[Any]) -> str:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, rows: QuerySet[Any]) -> list[Any] | None:
    """The sort key a cursor names for `rows`, or None when it is not one of ours."""
    if not cursor or len(cursor) > MAX_CURSOR:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = json.loads(text)
    except (binascii.Error, ValueError, RecursionError):  # RecursionError: "[[[[..." nested deep
        return None
    fields = ordering(rows)
    if not isinstance(values, list) or len(values) != len(fields):
        return None
    if not all(map(_plain, values)):
        return None
    try:  # each key as its column takes it: a text key for a number column is not ours
        return [
            _field(rows.model, name).get_prep_value(value)
            for (name, _), value in zip(fields, values, strict=True)
        ]
    except (ValueError, TypeError):
        return None


def _field(model: Any, name: str) -> Any:
    """The model field a sort path (`user__username_key`) ends on."""
    *hops, last = name.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last)


def _plain(value: Any) -> bool:
    """A key a database can compare: a 64-bit integer, or text without NUL that is UTF-8."""
    if type(value) is int:
        return -(2**63) <= value < 2**63
    if type(value) is str and "\x00" not in value:
        try:
            value.encode()
        except UnicodeEncodeError:  # an unpaired surrogate ("\ud800" in the JSON)
            return False
        return True
    return False


def after(rows: QuerySet[Any], values: list[Any]) -> QuerySet[Any]:
    """The rows that come after the row whose sort key is `values`, in the same order."""
    return rows.filter(_beyond(ordering(rows), values))


def before(rows: QuerySet[Any], values: list[Any]) -> list[Any]:
    """`rows` before the row whose sort key is `values`, nearest first: slice it, then reverse."""
    fields = [(name, not descending) for name, descending in ordering(rows)]
    return rows.filter(_beyond(fields, values)).reverse()  # type: ignore[return-value]


def _beyond(fields: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Lexicographic "comes after": (a > x) or (a = x and b > y) or ..."""
    beyond = Q(pk__in=[])  # nothing, for an empty ordering
    equal = Q()
    for (name, descending), value in zip(fields, values, strict=True):
        beyond |= equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{name: value})
    return beyond
