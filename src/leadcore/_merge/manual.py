"""
Field-by-field merging of two leads (SPEC MRG-8), for :func:`leadcore.merge.manual`.

The master wins where both leads have a value; where only one has a value it is kept;
phones, emails, events (by id), viewers and ``fields`` (key by key) are united, order kept
and duplicates by normalised value dropped: a later spelling of a number already held,
the master's own included, is dropped. Every value that the merged lead does not hold is
reported as lost, with the field it came from and whether it was the master's, so the
merge can be audited (GEN-6).

"Has a value": anything but None and a string of white space only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs

from leadcore import normalize
from leadcore.model import Event, Lead, Person

T = TypeVar("T")

Lost = list[tuple[str, Any, bool]]
"""Losing values found so far: (field, value, whether it was the master's)."""


def present(value: object) -> bool:
    """Whether ``value`` counts as a value: not None, not a blank string."""
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def pick(field: str, master: T, other: T, lost: Lost) -> T:
    """The master's value if it has one, else the other's if it has one, else the master's."""
    chosen = master if present(master) or not present(other) else other
    if other is not None and chosen is not other and other != chosen:
        lost.append((field, other, False))
    return chosen


def unite(
    field: str,
    master: tuple[str, ...],
    other: tuple[str, ...],
    key: Callable[[str], str],
    lost: Lost,
) -> tuple[str, ...]:
    """
    Master's items, then the other's, keeping the first of each normalised key (MRG-8).

    A dropped item is lost unless the very same text was kept.
    """
    out: list[str] = []
    seen: set[str] = set()
    for from_master, items in ((True, master), (False, other)):
        for item in items:
            k = key(item)
            if k in seen:
                if item not in out:
                    lost.append((field, item, from_master))
                continue
            seen.add(k)
            out.append(item)
    return tuple(out)


def _phone_key(region: str) -> Callable[[str], str]:
    def key(raw: str) -> str:
        # Unusable numbers compare by their trimmed text (with a prefix no E.164 has).
        return normalize.phone(raw, region=region) or f"raw:{raw.strip()}"

    return key


def _email_key(raw: str) -> str:
    return normalize.email(raw) or f"raw:{raw.strip()}"


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


def _events(master: tuple[Event, ...], other: tuple[Event, ...], lost: Lost) -> tuple[Event, ...]:
    by_id = {e.id: e for e in master}
    out = list(master)
    for event in other:
        mine = by_id.get(event.id)
        if mine is None:
            by_id[event.id] = event
            out.append(event)
        elif mine != event:
            lost.append(("events", event, False))
    return tuple(out)


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
    """Return the merged lead (the master's id) and every losing value of ``other``."""
    lost: Lost = []
    customer = merge_person("customer", master.customer, other.customer, region, lost)
    if master.co_customer is None:
        co_customer = other.co_customer
    elif other.co_customer is None:
        co_customer = master.co_customer
    else:
        co_customer = merge_person(
            "co_customer", master.co_customer, other.co_customer, region, lost
        )
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
        events=_events(master.events, other.events, lost),
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
