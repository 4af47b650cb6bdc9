"""
Field-by-field merging of two leads (MRG-8), for :func:`leadcore.merge.manual`.

The master wins where both leads have a value; where only one has a value it is kept;
phones, emails, events (by id), viewers and ``fields`` (key by key) are united, order kept
and duplicates dropped within every list, the master's own included, for the customer and
the co-customer alike (v1.2 of the rules): a later spelling of a number already held is dropped,
and of two events with one id the first is kept. Every value that the merged lead does not
hold is reported as lost, with the field it came from and whether it was the master's, so
the merge can be audited (GEN-6).

"Does not hold" goes by representation, not by Python equality: ``1``, ``true`` and
``1.0`` are three values, and so are one instant written at two offsets
(``09:00+00:00`` and ``10:00+01:00``), as on the wire (:func:`representation`).

"Has a value": anything but None and blank text (v1.2 of the rules: white space and control
characters only). The model already reads blank names, ids and texts as None; blank text
can still come in a lead's free ``fields``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs

from leadcore import normalize
from leadcore._text import is_blank
from leadcore.model import Event, Lead, Person

T = TypeVar("T")

Lost = list[tuple[str, Any, bool]]
"""Losing values found so far: (field, value, whether it was the master's)."""


def representation(value: object) -> object:
    """
    Return a hashable key equal for two values exactly when they are written alike.

    Types are told apart (``True``, ``1`` and ``1.0`` differ), a datetime is its ISO text
    with its offset, a mapping's keys are sorted, an attrs object is its class and
    fields in order.
    """
    if value is None or isinstance(value, str | bool):
        return (type(value).__name__, value)
    if isinstance(value, enum.Enum):
        return ("enum", value.value)
    if isinstance(value, int | float):
        return (type(value).__name__, repr(value))
    if isinstance(value, dt.datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, tuple | list):
        return ("list", tuple(representation(v) for v in value))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((str(k), representation(v)) for k, v in value.items())))
    kind = type(value)
    if attrs.has(kind):
        return (
            kind.__name__,
            tuple(representation(getattr(value, f.name)) for f in attrs.fields(kind) if f.init),
        )
    return (kind.__name__, repr(value))


def same(one: object, two: object) -> bool:
    """Whether two values have the same representation (see :func:`representation`)."""
    return one is two or representation(one) == representation(two)


def present(value: object) -> bool:
    """Whether ``value`` counts as a value: not None, not blank text."""
    if value is None:
        return False
    return not (isinstance(value, str) and is_blank(value))


def pick(field: str, master: T, other: T, lost: Lost) -> T:
    """
    The master's value if it has one, else the other's if it has one, else the master's.

    The value not chosen is lost unless it is None or written as the chosen one (the
    master's blank text replaced by the other's value is lost too).
    """
    if present(master) or not present(other):
        if other is not None and not same(other, master):
            lost.append((field, other, False))
        return master
    if master is not None and not same(master, other):
        lost.append((field, master, True))
    return other


def unite(
    field: str,
    master: tuple[T, ...],
    other: tuple[T, ...],
    key: Callable[[T], object],
    lost: Lost,
) -> tuple[T, ...]:
    """
    Master's items, then the other's, keeping the first of each key (MRG-8, v1.2 of the rules).

    A dropped item is lost unless an item written alike was kept (linear time: kept
    items are remembered by representation).
    """
    out: list[T] = []
    seen: set[object] = set()
    kept: set[object] = set()
    for from_master, items in ((True, master), (False, other)):
        for item in items:
            k = key(item)
            if k in seen:
                if representation(item) not in kept:
                    lost.append((field, item, from_master))
                continue
            seen.add(k)
            kept.add(representation(item))
            out.append(item)
    return tuple(out)


def _phone_key(region: str) -> Callable[[str], str]:
    def key(raw: str) -> str:
        # Unusable numbers compare by their trimmed text (with a prefix no E.164 has).
        return normalize.phone(raw, region=region) or f"raw:{raw.strip()}"

    return key


def _email_key(raw: str) -> str:
    # Fillers (none@none.com) are addresses as typed here: spellings of one filler unite.
    found = normalize.email(raw, placeholder_email_locals=())
    return found or f"raw:{raw.strip()}"


def _event_key(event: Event) -> str:
    return event.id


def merge_person(path: str, master: Person, other: Person, region: str, lost: Lost) -> Person:
    """Merge two people field by field (names picked, phones and emails united)."""
    first = pick(f"{path}.first_name", master.first_name, other.first_name, lost)
    last = pick(f"{path}.last_name", master.last_name, other.last_name, lost)
    phones = unite(f"{path}.phones", master.phones, other.phones, _phone_key(region), lost)
    emails = unite(f"{path}.emails", master.emails, other.emails, _email_key, lost)
    if (first, last, phones, emails) == (
        master.first_name,
        master.last_name,
        master.phones,
        master.emails,
    ):
        return master
    return attrs.evolve(master, first_name=first, last_name=last, phones=phones, emails=emails)


_NOBODY: Final = Person()


def _merge_co(
    master: Person | None, other: Person | None, region: str, lost: Lost
) -> Person | None:
    """The co-customers merged; one alone is still rid of its duplicates (v1.2 of the rules)."""
    if master is None and other is None:
        return None
    return merge_person(
        "co_customer",
        _NOBODY if master is None else master,
        _NOBODY if other is None else other,
        region,
        lost,
    )


def _fields(
    master: Mapping[str, object], other: Mapping[str, object], lost: Lost
) -> dict[str, object]:
    out = dict(master)
    for key, value in other.items():
        if key in out:
            out[key] = pick(f"fields.{key}", out[key], value, lost)
        else:
            out[key] = value
    return out


def merge_leads(master: Lead, other: Lead, region: str) -> tuple[Lead, Lost]:
    """Return the merged lead (the master's id) and every losing value of both leads."""
    lost: Lost = []
    customer = merge_person("customer", master.customer, other.customer, region, lost)
    co_customer = _merge_co(master.co_customer, other.co_customer, region, lost)
    merged_into = master.merged_into
    # [decided] The merged lead never inherits the other's merged_into: that would make
    # the survivor look retired (docs/merge.md).
    if other.merged_into is not None and other.merged_into != merged_into:
        lost.append(("merged_into", other.merged_into, False))
    merged = attrs.evolve(
        master,
        customer=customer,
        co_customer=co_customer,
        project=pick("project", master.project, other.project, lost),
        status=pick("status", master.status, other.status, lost),
        owner=pick("owner", master.owner, other.owner, lost),
        viewers=tuple(dict.fromkeys((*master.viewers, *other.viewers))),
        source=pick("source", master.source, other.source, lost),
        channel=pick("channel", master.channel, other.channel, lost),
        lot=pick("lot", master.lot, other.lot, lost),
        org=pick("org", master.org, other.org, lost),
        pipeline=pick("pipeline", master.pipeline, other.pipeline, lost),
        created_at=pick("created_at", master.created_at, other.created_at, lost),
        last_activity_at=pick(
            "last_activity_at", master.last_activity_at, other.last_activity_at, lost
        ),
        events=unite("events", master.events, other.events, _event_key, lost),
        linked_to=pick("linked_to", master.linked_to, other.linked_to, lost),
        merged_into=merged_into,
        fields=_fields(master.fields, other.fields, lost),
    )
    # Keyword arguments are evaluated in order, so ``lost`` is in field order, except
    # merged_into (appended first): move it to its place before the fields' items.
    return merged, _in_field_order(lost)


_RANK: Final = {name: index for index, name in enumerate(attrs.fields_dict(Lead))}
"""Each Lead field's position: losing values are listed in field order."""


def _rank(field: str) -> int:
    # "customer.phones" and "fields.budget" rank as their lead field.
    return _RANK[field.partition(".")[0]]


def _in_field_order(lost: Lost) -> Lost:
    return sorted(lost, key=lambda item: _rank(item[0]))
