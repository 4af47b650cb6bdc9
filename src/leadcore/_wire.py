"""
JSON shapes in and out of the domain model, for the protocol (docs/protocol.md).

Reading goes through :class:`Obj`, a JSON object at a known path, whose typed getters
raise :class:`~leadcore.errors.InvalidInput` naming the full path
(``input.existing[2].created_at``) and the value. Absent keys and ``null`` mean the same:
null, empty list or empty object, or the field's default. Blank text (white space and
control characters only) is absent too (v1.2 of the rules): an optional id or text that is blank
reads as null, a blank item of a list of phones, emails or ids of references is left out
(the model does the same for Python callers), and a required id that is blank is
``invalid_input``.

Writing turns model objects into plain JSON: leads in full canonical form (every key
present), datetimes as ``YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM``.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs

from leadcore import _attrs as a
from leadcore._quote import quote_key
from leadcore._text import is_blank
from leadcore.decisions import CancelledEvent, Change, Reason, Verdict
from leadcore.errors import InvalidInput, Problem
from leadcore.model import (
    Agent,
    Channel,
    Claim,
    ClaimBucket,
    CrmRecord,
    Event,
    EventStatus,
    Lead,
    Notification,
    Org,
    Person,
    RecordKind,
    Role,
    User,
)

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

_DATETIME: Final = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
    r"(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_DATE_ONLY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_FRACTION: Final = re.compile(r"[.,](\d{1,9})")


def join(path: str, key: str | int) -> str:
    """Return the path of ``key`` inside ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    shown = quote_key(key)
    return f"{path}.{shown}" if path else shown


def _type_name(value: object) -> str:
    return {
        type(None): "null",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def parse_datetime(value: object, path: str) -> dt.datetime:
    """
    Parse an ISO 8601 date-time with an offset (``Z`` accepted).

    Raises:
        InvalidInput: Not a string, a date alone, unparseable (``invalid_input``), or
            without an offset (``naive_datetime``, GEN-1).

    """
    if not isinstance(value, str):
        raise InvalidInput.single(
            path, value, f"must be an ISO 8601 date-time string, not {_type_name(value)}"
        )
    text = value.strip()
    if _DATE_ONLY.fullmatch(text):
        raise InvalidInput.single(
            path, value, "must be a date-time with a time and an offset, not a date alone"
        )
    match = _DATETIME.fullmatch(text)
    parsed: dt.datetime | None = None
    if match is not None:
        # Only a fraction of a second can hold "." or "," in a matching text.
        fraction_fixed = (
            _FRACTION.sub(lambda m: "." + m[1][:6].ljust(6, "0"), text)
            if "." in text or "," in text
            else text
        )
        try:
            parsed = dt.datetime.fromisoformat(fraction_fixed.replace("z", "Z"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidInput.single(
            path, value, "must be an ISO 8601 date-time such as 2026-01-31T09:30:00+00:00"
        )
    if parsed.tzinfo is None:
        raise InvalidInput.single(
            path,
            value,
            "must have an offset (add Z or +HH:MM); naive date-times are refused",
            code="naive_datetime",
        )
    return parsed


def format_datetime(value: dt.datetime) -> str:
    """Write a datetime as ``YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM``."""
    return value.isoformat()


class Obj:
    """A JSON object at a known path, with typed getters that name the path on error."""

    __slots__ = ("data", "path")

    def __init__(self, data: Mapping[str, object], path: str) -> None:
        self.data = data
        self.path = path

    @classmethod
    def at(cls, value: object, path: str) -> Obj:
        """Return ``value`` as an object, or raise naming ``path``."""
        if not isinstance(value, dict):
            raise InvalidInput.single(path, value, f"must be an object, not {_type_name(value)}")
        return cls(value, path)

    def where(self, key: str | int) -> str:
        """Return the path of ``key`` in this object."""
        return join(self.path, key)

    def get(self, key: str) -> object:
        """Return the raw value of ``key`` (None when absent)."""
        return self.data.get(key)

    def has(self, key: str) -> bool:
        """Return whether ``key`` is present and not null."""
        return self.data.get(key) is not None

    def required(self, key: str) -> object:
        """Return the value of ``key``, or raise when absent or null."""
        value = self.data.get(key)
        if value is None:
            raise InvalidInput.single(self.where(key), value, "is required")
        return value

    # -- scalars

    def text(self, key: str) -> str:
        """Return a required string of at most 10,000 characters."""
        return _text(self.required(key), self.where(key))

    def opt_text(self, key: str) -> str | None:
        """Return an optional string of at most 10,000 characters."""
        value = self.data.get(key)
        return None if value is None else _text(value, self.where(key))

    def ident(self, key: str) -> str:
        """Return a required id: a non-empty string."""
        return _ident(self.required(key), self.where(key))

    def opt_ident(self, key: str) -> str | None:
        """Return an optional id: blank text is no id (None, v1.2 of the rules)."""
        value = self.data.get(key)
        if value is None:
            return None
        found = _text(value, self.where(key))
        return None if is_blank(found) else found

    def boolean(self, key: str, *, default: bool) -> bool:
        """Return a boolean, ``default`` when absent."""
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise InvalidInput.single(
                self.where(key), value, f"must be true or false, not {_type_name(value)}"
            )
        return value

    def integer(self, key: str) -> int:
        """Return a required whole number (booleans are refused)."""
        value = self.required(key)
        # [decided] 5.0 is refused like any float: whole numbers are JSON integers.
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput.single(
                self.where(key), value, f"must be a whole number, not {_type_name(value)}"
            )
        return value

    def datetime(self, key: str) -> dt.datetime:
        """Return a required date-time with an offset."""
        return parse_datetime(self.required(key), self.where(key))

    def opt_datetime(self, key: str) -> dt.datetime | None:
        """Return an optional date-time with an offset."""
        value = self.data.get(key)
        return None if value is None else parse_datetime(value, self.where(key))

    def choice(self, key: str, enum_cls: type[E]) -> E:
        """Return a required member of ``enum_cls``, given by its value."""
        return _member(self.required(key), self.where(key), enum_cls)

    def opt_choice(self, key: str, enum_cls: type[E]) -> E | None:
        """Return an optional member of ``enum_cls``."""
        value = self.data.get(key)
        return None if value is None else _member(value, self.where(key), enum_cls)

    # -- containers

    def obj(self, key: str) -> Obj:
        """Return a required nested object."""
        return Obj.at(self.required(key), self.where(key))

    def opt_obj(self, key: str) -> Obj | None:
        """Return an optional nested object."""
        value = self.data.get(key)
        return None if value is None else Obj.at(value, self.where(key))

    def items(self, key: str) -> list[tuple[str, object]]:
        """Return a list's items with their paths (empty when absent)."""
        value = self.data.get(key)
        if value is None:
            return []
        path = self.where(key)
        if not isinstance(value, list):
            raise InvalidInput.single(path, value, f"must be a list, not {_type_name(value)}")
        if len(value) > a.MAX_ITEMS:
            raise InvalidInput.single(
                path, f"<{len(value)} items>", f"must hold at most {a.MAX_ITEMS} items"
            )
        return [(join(path, i), v) for i, v in enumerate(value)]

    def objs(self, key: str) -> list[Obj]:
        """Return a list of objects (empty when absent)."""
        return [Obj.at(v, p) for p, v in self.items(key)]

    def texts(self, key: str) -> tuple[str, ...]:
        """Return a list of strings (empty when absent)."""
        return tuple(_text(v, p) for p, v in self.items(key))

    def idents(self, key: str) -> tuple[str, ...]:
        """Return a list of ids (empty when absent); a blank item is an error."""
        return tuple(_ident(v, p) for p, v in self.items(key))

    def refs(self, key: str) -> tuple[str, ...]:
        """Return a list of ids of references (empty when absent), blank items left out."""
        return tuple(t for p, v in self.items(key) if not is_blank(t := _text(v, p)))

    def choices(self, key: str, enum_cls: type[E]) -> tuple[E, ...]:
        """Return a list of members of ``enum_cls`` (empty when absent)."""
        return tuple(_member(v, p, enum_cls) for p, v in self.items(key))

    def json_map(self, key: str) -> dict[str, object]:
        """Return an object of arbitrary JSON values (empty when absent)."""
        value = self.data.get(key)
        if value is None:
            return {}
        path = self.where(key)
        if not isinstance(value, dict):
            raise InvalidInput.single(path, value, f"must be an object, not {_type_name(value)}")
        problems = a.json_value(path, a.freeze_json(value))
        if problems:
            raise InvalidInput(problems[:1])
        return value


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _unwritable_here(value: object) -> str | None:
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        if found is not None:
            return (
                f"holds a lone surrogate (U+{ord(found[0]):04X}), which is not Unicode text "
                "and cannot be written back as UTF-8"
            )
    elif isinstance(value, float) and not math.isfinite(value):
        return "is a number out of range: a JSON number must fit a double (about 1.8e308)"
    return None


def _search_unwritable(value: object, path: str) -> Problem | None:
    # Depth first, in order, without recursion (a Python caller's value may be deep).
    stack: list[tuple[str, object]] = [(path, value)]
    seen: set[int] = set()
    while stack:
        where, item = stack.pop()
        message = _unwritable_here(item)
        if message is not None:
            return Problem(path=where, value=item, message=message)
        if isinstance(item, Mapping | list | tuple):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, Mapping):
            children: list[tuple[str, object]] = []
            for key, inner in item.items():
                name = key if isinstance(key, str) else str(key)
                wrong = _unwritable_here(key)
                if wrong is not None:
                    return Problem(
                        path=join(where, name), value=key, message=f"is a key that {wrong}"
                    )
                children.append((join(where, name), inner))
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend((join(where, i), v) for i, v in reversed(list(enumerate(item))))
    return None


def _not_json(_: object) -> None:
    # A Python caller's non-JSON value: the readers refuse it with its path, not this check.
    return None


def unwritable(value: object, path: str = "") -> Problem | None:
    r"""
    Return the first part of a JSON value that cannot be written back out, or None.

    JSON text can carry what a response cannot: a lone surrogate (``"\ud800"``, valid
    JSON escaping, but not Unicode, so not UTF-8) or a number no double holds (``1e400``
    reads as infinity). Such a value in a request would stop the writer, so the protocol
    refuses it first, naming its path (v1.2 of the rules "One bad line, one answer"). The common
    case (nothing wrong) costs one ``json.dumps``; the search runs only when it fails.

    >>> unwritable({"input": {"value": "ok"}}) is None
    True
    >>> print(unwritable({"input": {"names": ["Ada", "\ud800"]}}).path)
    input.names[1]
    """
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False, default=_not_json).encode("utf-8")
    except (ValueError, TypeError, RecursionError):
        return _search_unwritable(value, path)
    return None


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput.single(path, value, f"must be a string, not {_type_name(value)}")
    if len(value) > a.MAX_TEXT:
        raise InvalidInput.single(
            path, value, f"must be at most {a.MAX_TEXT} characters, has {len(value)}"
        )
    return value


def _ident(value: object, path: str) -> str:
    text = _text(value, path)
    if is_blank(text):
        raise InvalidInput.single(path, value, "must be a non-empty id")
    return text


def member(value: object, path: str, enum_cls: type[E]) -> E:
    """Return the member of ``enum_cls`` whose value is ``value``, or raise naming ``path``."""
    return _member(value, path, enum_cls)


def _member(value: object, path: str, enum_cls: type[E]) -> E:
    for member in enum_cls:
        if member.value == value:
            return member
    allowed = ", ".join(repr(m.value) for m in enum_cls)
    raise InvalidInput.single(path, value, f"must be one of {allowed}")


def build(cls: Callable[..., T], path: str, **kwargs: Any) -> T:  # noqa: ANN401  # as cls takes
    """Construct a model object, prefixing ``path`` to any validation problem."""
    try:
        return cls(**kwargs)
    except InvalidInput as error:
        raise error.under(path) from None


# -- model readers ------------------------------------------------------------------------


def read_person(obj: Obj) -> Person:
    """Read a Person: first_name, last_name, phones, emails."""
    return build(
        Person,
        obj.path,
        first_name=obj.opt_text("first_name"),
        last_name=obj.opt_text("last_name"),
        phones=obj.texts("phones"),
        emails=obj.texts("emails"),
    )


def read_event(obj: Obj) -> Event:
    """Read an Event: id, at, status."""
    return build(
        Event,
        obj.path,
        id=obj.ident("id"),
        at=obj.datetime("at"),
        status=obj.opt_choice("status", EventStatus) or EventStatus.SCHEDULED,
    )


def read_lead(obj: Obj) -> Lead:
    """Read a Lead in the protocol's shape (the protocol's objects)."""
    customer = obj.opt_obj("customer")
    co_customer = obj.opt_obj("co_customer")
    return build(
        Lead,
        obj.path,
        id=obj.ident("id"),
        customer=read_person(customer) if customer else Person(),
        co_customer=read_person(co_customer) if co_customer else None,
        project=obj.opt_ident("project"),
        status=obj.opt_text("status"),
        owner=obj.opt_ident("owner"),
        viewers=obj.refs("viewers"),
        source=obj.opt_text("source"),
        channel=obj.opt_choice("channel", Channel),
        lot=obj.opt_ident("lot"),
        org=obj.opt_ident("org"),
        pipeline=obj.opt_text("pipeline"),
        created_at=obj.opt_datetime("created_at"),
        last_activity_at=obj.opt_datetime("last_activity_at"),
        events=tuple(read_event(e) for e in obj.objs("events")),
        linked_to=obj.opt_ident("linked_to"),
        merged_into=obj.opt_ident("merged_into"),
        fields=obj.json_map("fields"),
    )


def read_user(obj: Obj) -> User:
    """Read a User: id, org, roles, assignment_owner_of."""
    return build(
        User,
        obj.path,
        id=obj.ident("id"),
        org=obj.opt_ident("org"),
        roles=obj.choices("roles", Role),
        assignment_owner_of=obj.refs("assignment_owner_of"),
    )


def read_agent(obj: Obj) -> Agent:
    """Read an Agent: id, project and the app's switches (default true)."""
    return build(
        Agent,
        obj.path,
        id=obj.ident("id"),
        project=obj.opt_ident("project"),
        active=obj.boolean("active", default=True),
        lead_flow=obj.boolean("lead_flow", default=True),
        battery_optimization_disabled=obj.boolean("battery_optimization_disabled", default=True),
        autorun_enabled=obj.boolean("autorun_enabled", default=True),
        network_ok=obj.boolean("network_ok", default=True),
    )


def read_claim(obj: Obj) -> Claim:
    """Read a Claim: agent, at, bucket."""
    return build(
        Claim,
        obj.path,
        agent=obj.ident("agent"),
        at=obj.datetime("at"),
        bucket=obj.choice("bucket", ClaimBucket),
    )


def read_org(obj: Obj) -> Org:
    """Read an Org: id, parent, handover_enabled, cross_silo_enabled (default false)."""
    return build(
        Org,
        obj.path,
        id=obj.ident("id"),
        parent=obj.opt_ident("parent"),
        handover_enabled=obj.boolean("handover_enabled", default=False),
        cross_silo_enabled=obj.boolean("cross_silo_enabled", default=False),
    )


def read_record(obj: Obj) -> CrmRecord:
    """Read a CrmRecord: id, kind, account_id, account_name, in_cadence, cadences."""
    return build(
        CrmRecord,
        obj.path,
        id=obj.ident("id"),
        kind=obj.choice("kind", RecordKind),
        account_id=obj.opt_ident("account_id"),
        account_name=obj.opt_text("account_name"),
        in_cadence=obj.boolean("in_cadence", default=True),
        cadences=obj.refs("cadences"),
    )


# -- writers ------------------------------------------------------------------------------


def value(item: object) -> object:
    """Write any model value as JSON: objects field by field, datetimes as text."""
    # StrEnum members are strings too: test for them first.
    if isinstance(item, enum.Enum):
        return item.value
    if item is None or isinstance(item, bool | int | float | str):
        return item
    if isinstance(item, dt.datetime):
        return format_datetime(item)
    if isinstance(item, Lead):
        return lead(item)
    if isinstance(item, Person):
        return person(item)
    kind = type(item)
    if attrs.has(kind):
        return {
            f.name: value(getattr(item, f.name))
            for f in attrs.fields(kind)
            if f.init and not f.name.startswith("_")
        }
    if isinstance(item, Mapping):
        return {str(k): value(v) for k, v in item.items()}
    if isinstance(item, frozenset | set):
        return sorted((value(v) for v in item), key=str)
    if isinstance(item, tuple | list):
        return [value(v) for v in item]
    # A value of a user's Change or Discarded (typed Any): refused as input, as to_json does.
    raise InvalidInput.single(
        "item",
        type(item).__name__,
        "cannot be written as JSON: not a leadcore type (see SUPPORTED)",
    )


def person(item: Person) -> dict[str, object]:
    """Write a Person in full."""
    return {
        "first_name": item.first_name,
        "last_name": item.last_name,
        "phones": list(item.phones),
        "emails": list(item.emails),
    }


_LEAD_FIELDS: Final = tuple(f.name for f in attrs.fields(Lead))


def lead_field(name: str, item: object) -> object:
    """Write the value of the Lead field ``name`` as the canonical form has it."""
    if name == "viewers" and isinstance(item, tuple):
        # Lists of ids in results are sorted (the protocol's conventions); viewer order means
        # nothing, so the Python value keeps its order and the wire sorts it.
        return sorted(item)
    return value(item)


def lead(item: Lead) -> dict[str, object]:
    """Write a Lead in full canonical form: every key present (the protocol's conventions)."""
    return {name: lead_field(name, getattr(item, name)) for name in _LEAD_FIELDS}


def reasons(items: Verdict | tuple[Reason, ...]) -> list[dict[str, object]]:
    """Write reasons as ``[{code, message}]`` in order."""
    found = items.reasons if isinstance(items, Verdict) else items
    return [{"code": r.code, "message": r.message} for r in found]


def notifications(items: tuple[Notification, ...]) -> list[dict[str, object]]:
    """Write notifications as ``[{to, kind, lead, channels}]`` in the given order."""
    return [
        {"to": n.to, "kind": n.kind, "lead": n.lead, "channels": list(n.channels)} for n in items
    ]


def changes(items: tuple[Change, ...]) -> list[dict[str, object]]:
    """Write a change record as ``[{lead, field, old, new}]``, values as :func:`lead` has them."""
    return [
        {
            "lead": c.lead,
            "field": c.field,
            "old": lead_field(c.field, c.old),
            "new": lead_field(c.field, c.new),
        }
        for c in items
    ]


def cancelled(items: tuple[CancelledEvent, ...]) -> list[dict[str, object]]:
    """Write cancelled events as ``[{lead, event, at}]``."""
    return [{"lead": c.lead, "event": c.event, "at": format_datetime(c.at)} for c in items]
