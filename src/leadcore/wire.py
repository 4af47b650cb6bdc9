"""
JSON for leads and every input and result type, in the protocol's wire form.

Services store and send leadcore's objects as JSON; the protocol already defines their
shapes (the protocol of docs/protocol.md: objects, rules and results). :func:`to_json` writes any
of them as plain JSON values (``json.dumps`` takes them as they are) and
:func:`from_json` reads them back, checking every value and naming the path of any
problem, as the protocol does:

* model objects (:class:`~leadcore.model.Lead`, ``Person``, ``Event``, ``User``,
  ``Agent``, ``Claim``, ``Org``, ``CrmRecord``, ``Notification``) as the protocol's
  objects, a lead in full canonical form (every key, viewers sorted);
* results as the protocol's results (``merge.auto``'s ``AutoMerge``, ``link.apply``'s
  ``LinkResult``...): the same keys with the same values. Where a result holds more than
  its protocol rule answers, the extra values are extension keys beside them
  (``Eligibility.last_claims``, a dispatch's ``phase``, a related record's ``record``,
  a rejected event's ``message``), so that reading gives the object back;
* policies, reasons, change records, dedupe and simulation results field by field (a
  policy's match rules as the protocol's ``policy`` takes them).

The round trip holds for every supported type: ``from_json(type(x), to_json(x)) == x``,
but for what the protocol's form fixes: a lead's viewers come back sorted, a dispatch's
rejected events in input order, and a reason's ``facts`` (not part of its value, not on
the wire) empty. Only
``DedupeResult``'s table of leads is not written (a result read back cannot
``explain``). The normalisation cache is never written.

:func:`to_json` writes a result of any size; :func:`from_json` reads input and applies
the GEN-5 limits, so a result over them (a merge of two leads of 100,000 phones each)
comes back refused at its path (``lead.customer.phones``), as the protocol refuses it in
a request.

>>> import datetime as dt
>>> from leadcore.model import Lead, Person
>>> lead = Lead(id="L1", customer=Person(first_name="Ada", emails=["ada@x.io"]),
...             created_at=dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC))
>>> data = to_json(lead)
>>> data["customer"]
{'first_name': 'Ada', 'last_name': None, 'phones': [], 'emails': ['ada@x.io']}
>>> data["created_at"]
'2026-01-05T09:30:00+00:00'
>>> from_json(Lead, data) == lead
True
>>> try:
...     from_json(Lead, {"id": "L2", "created_at": "2026-01-05"})
... except InvalidInput as error:
...     print(error.path, error.problems[0].message)
created_at must be a date-time with a time and an offset, not a date alone
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, cast

import attrs

from leadcore import _attrs as a
from leadcore import _wire, dedupe, handover, linking, merge, related, routing, simulation
from leadcore._wire import Obj
from leadcore.decisions import CancelledEvent, Change, Reason, Verdict
from leadcore.errors import InvalidInput
from leadcore.model import (
    Agent,
    Claim,
    CrmRecord,
    Event,
    Lead,
    Notification,
    Org,
    Person,
    User,
)
from leadcore.normalize import NormalizePolicy

__all__ = ["SUPPORTED", "from_json", "to_json"]


def __dir__() -> list[str]:
    return list(__all__)


T = TypeVar("T")

Writer = Callable[[Any], Any]
Reader = Callable[[Obj], Any]


# -- writing ------------------------------------------------------------------------------


@a.checked
@a.takes_results
def to_json(item: object) -> Any:  # noqa: ANN401  # a JSON value
    """
    Return ``item`` as a JSON value (dicts, lists, text, numbers, booleans, None).

    Supported: every type of :data:`SUPPORTED`, and lists, tuples, mappings, enums and
    date-times of them. Date-times are written ``YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM``.

    Raises:
        InvalidInput: ``item`` is not (made of) a type leadcore writes.

    """
    return _write(item)


def _write(item: object) -> Any:  # noqa: ANN401  # a JSON value
    if isinstance(item, enum.Enum):
        return item.value
    if item is None or isinstance(item, bool | int | float | str):
        return item
    if isinstance(item, dt.datetime):
        return _wire.format_datetime(item)
    kind = type(item)
    writer = _WRITERS.get(kind)
    if writer is not None:
        return writer(item)
    if kind in _GENERIC:
        return _fields(item)
    if isinstance(item, Mapping):
        return {str(_write(k)): _write(v) for k, v in item.items()}
    if isinstance(item, frozenset | set):
        return sorted((_write(v) for v in item), key=str)
    if isinstance(item, tuple | list):
        return [_write(v) for v in item]
    raise InvalidInput.single(
        "item", kind.__name__, "cannot be written as JSON: not a leadcore type (see SUPPORTED)"
    )


def _fields(item: object) -> dict[str, Any]:
    return {
        f.alias: _write(getattr(item, f.name))
        for f in attrs.fields(cast("type[attrs.AttrsInstance]", type(item)))
        if f.init and not f.alias.startswith("_") and f.name not in _SKIPPED
    }


_SKIPPED: Final = frozenset({"_table", "_cluster_of"})


def _reason(item: Reason) -> dict[str, Any]:
    return {"code": item.code, "message": item.message}


def _change(item: Change) -> dict[str, Any]:
    return _wire.changes((item,))[0]


def _rejection(item: routing.Rejection) -> dict[str, Any]:
    return {
        "index": item.index,
        "type": item.event.kind.value,
        "agent": item.event.agent,
        "at": _wire.format_datetime(item.event.at),
        "reason": item.code,
        "message": item.reason.message,
    }


def _event(item: routing.DispatchEvent) -> dict[str, Any]:
    return {"type": item.kind.value, "agent": item.agent, "at": _wire.format_datetime(item.at)}


def _state(item: routing.DispatchState) -> dict[str, Any]:
    # The protocol's routing.dispatch result first, then the rest of the state.
    return {
        "outcome": item.outcome,
        "agent": item.agent,
        "waves": [list(w) for w in item.waves],
        "rejected_events": [_rejection(r) for r in sorted(item.rejected, key=lambda r: r.index)],
        "wave_times": [_wire.format_datetime(t) for t in item.wave_times],
        "decided_at": _write(item.decided_at),
        "lead": item.lead,
        "channel": item.channel.value,
        "max_waves": item.max_waves,
        "opened_at": _wire.format_datetime(item.opened_at),
        "clock": _wire.format_datetime(item.clock),
        "phase": item.phase,
        "declined": sorted(item.declined),
        "applied": item.applied,
    }


def _eligibility(item: routing.Eligibility) -> dict[str, Any]:
    return {
        "preferred": list(item.preferred),
        "fallback": list(item.fallback),
        "ineligible": {agent: [_reason(r) for r in why] for agent, why in item.ineligible.items()},
        "channel": item.channel.value,
        "last_claims": {k: _wire.format_datetime(v) for k, v in item.last_claims.items()},
    }


def _related_record(item: related.RelatedRecord) -> dict[str, Any]:
    return {"id": item.id, "selectable": item.selectable, "record": _wire.value(item.record)}


def _related_leads(item: related.RelatedLeads) -> dict[str, Any]:
    return {
        "related": [_related_record(r) for r in item.related],
        "show_icon": item.show_icon,
        "reasons": [_reason(r) for r in item.reasons],
    }


def _discarded(item: merge.Discarded) -> dict[str, Any]:
    return {"lead": item.lead, "field": item.field, "value": _wire.value(item.value)}


def _manual(item: merge.ManualMerge) -> dict[str, Any]:
    return {
        "lead": _wire.lead(item.lead),
        "retired": _wire.lead(item.retired),
        "discarded": [_discarded(d) for d in item.discarded],
        "record": _wire.changes(item.record.changes),
    }


def _model(item: object) -> Any:  # noqa: ANN401  # a JSON object
    return _wire.value(item)


def _bad_row(item: dedupe.BadRow) -> dict[str, Any]:
    # A cell as the input had it (a date, a Decimal, a list): shown, not read back.
    value = item.value
    plain = value is None or isinstance(value, str | int | float | bool)
    return _fields(item if plain else attrs.evolve(item, value=repr(value)))


_WRITERS: Final[dict[type, Writer]] = {
    Lead: _wire.lead,
    Person: _wire.person,
    Event: _model,
    User: _model,
    Agent: _model,
    Claim: _model,
    Org: _model,
    CrmRecord: _model,
    Notification: _model,
    Reason: _reason,
    Change: _change,
    CancelledEvent: lambda c: _wire.cancelled((c,))[0],
    routing.Rejection: _rejection,
    routing.DispatchEvent: _event,
    routing.DispatchState: _state,
    routing.Eligibility: _eligibility,
    related.RelatedRecord: _related_record,
    related.RelatedLeads: _related_leads,
    merge.Discarded: _discarded,
    merge.ManualMerge: _manual,
    merge.MatchRule: merge.rule_json,
    dedupe.BadRow: _bad_row,
}


# -- reading ------------------------------------------------------------------------------


@a.checked
def from_json(cls: type[T], data: object, *, path: str = "") -> T:
    """
    Read a JSON value written by :func:`to_json` (or the protocol) as an object of ``cls``.

    Absent keys and null mean the field's default (None, empty); unknown keys are
    ignored, as on the protocol.

    Raises:
        InvalidInput: A value is missing, of the wrong type or invalid; the problem names
            its path (``existing[2].created_at``, under ``path``); or ``cls`` is not one
            of :data:`SUPPORTED`.

    """
    if cls not in SUPPORTED:
        raise InvalidInput.single(
            "cls", getattr(cls, "__name__", cls), "is not a leadcore type (see SUPPORTED)"
        )
    return cast("T", _read(cls, data, path))


def _read(tp: Any, value: object, path: str) -> Any:  # noqa: ANN401, C901, PLR0912  # a branch per kind of type
    origin = typing.get_origin(tp)
    if tp is Any or tp is object:
        return a.freeze_json(value)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        # Every union among the fields of SUPPORTED is a type or None
        # (tests/test_wire_edges.py checks it).
        [real] = [o for o in options if o is not type(None)]
        return _read(real, value, path)
    if value is None:
        raise InvalidInput.single(path, value, "is required")
    if origin is typing.Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise InvalidInput.single(
                path, value, f"must be one of {', '.join(map(repr, allowed))}"
            )
        return value
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _wire.member(value, path, tp)
    if tp is dt.datetime:
        return _wire.parse_datetime(value, path)
    if tp in (str, int, float, bool):
        return _scalar(tp, value, path)
    if origin in (tuple, frozenset):
        items = _items(value, path)
        args = typing.get_args(tp)
        if origin is tuple and (len(args) != 2 or args[1] is not Ellipsis):
            if len(items) != len(args):
                raise InvalidInput.single(path, value, f"must hold {len(args)} items")
            return tuple(
                _read(t, v, f"{path}[{i}]")
                for i, (t, v) in enumerate(zip(args, items, strict=True))
            )
        read = [_read(args[0], v, f"{path}[{i}]") for i, v in enumerate(items)]
        return tuple(read) if origin is tuple else frozenset(read)
    if origin in (Mapping, dict):
        key_type, value_type = typing.get_args(tp)
        obj = Obj.at(value, path)
        return {
            _read(key_type, k, obj.where(k)): _read(value_type, v, obj.where(k))
            for k, v in obj.data.items()
        }
    if isinstance(tp, type) and tp in _READERS:
        return _READERS[tp](Obj.at(value, path))
    if not (isinstance(tp, type) and attrs.has(tp)):  # pragma: no cover  # all field types known
        msg = f"leadcore cannot read {tp!r} from JSON"
        raise TypeError(msg)
    return _read_attrs(tp, Obj.at(value, path))


def _scalar(tp: type, value: object, path: str) -> object:
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not tp:
        names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}
        raise InvalidInput.single(path, value, f"must be {names[tp]}")
    # No length limit here: results carry their inputs' values unchanged, and a value
    # they derive (a full name) may be longer than one input field (v1.2 of the rules: limits
    # apply to input, never to output). Model objects are read with the protocol's
    # readers, which apply the GEN-5 limits.
    return value


def _items(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidInput.single(path, value, "must be a list")
    if len(value) > a.MAX_ITEMS:
        raise InvalidInput.single(
            path, f"<{len(value)} items>", f"must hold at most {a.MAX_ITEMS} items"
        )
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _read_attrs(cls: type[T], obj: Obj) -> T:
    hints = _hints(cast("type", cls))
    kwargs: dict[str, object] = {}
    for field in attrs.fields(cast("type[attrs.AttrsInstance]", cls)):
        if not field.init or field.name in _SKIPPED:
            continue
        value = obj.get(field.alias)
        if value is None and field.default is not attrs.NOTHING:
            continue
        kwargs[field.alias] = _read(hints[field.name], value, obj.where(field.alias))
    if cls is dedupe.DedupeResult:
        clusters = cast("tuple[dedupe.Cluster, ...]", kwargs.get("clusters", ()))
        kwargs["cluster_of"] = {m: c.id for c in clusters for m in c.members}
    return _wire.build(cls, obj.path, **kwargs)


def _read_reason(obj: Obj) -> Reason:
    return _wire.build(Reason, obj.path, code=obj.ident("code"), message=obj.text("message"))


_LEAD_HINTS: Final = typing.get_type_hints(Lead)
_PERSON_HINTS: Final = typing.get_type_hints(Person)


def _lead_value(field: str, value: object, path: str) -> object:
    """A value of the Lead field ``field`` (``customer.phones`` item, ``fields.x``...)."""
    head, _, rest = field.partition(".")
    if head == "fields":
        return a.freeze_json(value)
    if head in ("customer", "co_customer") and rest:
        hint = _PERSON_HINTS.get(rest, str)
        return _read(str if typing.get_origin(hint) is tuple else hint, value, path)
    if head in ("events", "viewers"):
        item = Event if head == "events" else str
        if isinstance(value, list):
            return _read(_LEAD_HINTS[head], value, path)
        return _read(item, value, path)
    hint = _LEAD_HINTS.get(head)
    if hint is None:
        raise InvalidInput.single(path, field, "is not a lead field")
    return _read(hint, value, path)


def _read_change(obj: Obj) -> Change:
    field = obj.ident("field")
    return _wire.build(
        Change,
        obj.path,
        lead=obj.ident("lead"),
        field=field,
        old=_lead_value(field, obj.get("old"), obj.where("old")),
        new=_lead_value(field, obj.get("new"), obj.where("new")),
    )


def _read_discarded(obj: Obj) -> merge.Discarded:
    field = obj.text("field")
    return _wire.build(
        merge.Discarded,
        obj.path,
        lead=obj.ident("lead"),
        field=field,
        value=_lead_value(field, obj.get("value"), obj.where("value")),
    )


def _read_manual(obj: Obj) -> merge.ManualMerge:
    lead = _wire.read_lead(obj.obj("lead"))
    retired = _wire.read_lead(obj.obj("retired"))
    record = merge.MergeRecord(
        master=lead.id,
        other=retired.id,
        changes=[_read_change(o) for o in obj.objs("record")],
        discarded=[_read_discarded(o) for o in obj.objs("discarded")],
        retired=retired,
    )
    return _wire.build(merge.ManualMerge, obj.path, lead=lead, retired=retired, record=record)


def _read_event(obj: Obj) -> routing.DispatchEvent:
    return _wire.build(
        routing.DispatchEvent,
        obj.path,
        kind=obj.choice("type", routing.EventKind),
        agent=obj.opt_ident("agent"),
        at=obj.datetime("at"),
    )


def _read_rejection(obj: Obj) -> routing.Rejection:
    return _wire.build(
        routing.Rejection,
        obj.path,
        index=obj.integer("index"),
        event=_read_event(obj),
        reason=_wire.build(
            Reason, obj.path, code=obj.ident("reason"), message=obj.opt_text("message") or ""
        ),
    )


def _read_state(obj: Obj) -> routing.DispatchState:
    return _wire.build(
        routing.DispatchState,
        obj.path,
        lead=obj.ident("lead"),
        channel=_read(
            _hints(routing.DispatchState)["channel"], obj.get("channel"), obj.where("channel")
        ),
        max_waves=obj.integer("max_waves"),
        opened_at=obj.datetime("opened_at"),
        clock=obj.datetime("clock"),
        phase=_read(_hints(routing.DispatchState)["phase"], obj.get("phase"), obj.where("phase")),
        waves=tuple(tuple(_read(tuple[str, ...], w, p)) for p, w in obj.items("waves")),
        wave_times=tuple(_wire.parse_datetime(t, p) for p, t in obj.items("wave_times")),
        declined=frozenset(obj.idents("declined")),
        agent=obj.opt_ident("agent"),
        decided_at=obj.opt_datetime("decided_at"),
        rejected=tuple(_read_rejection(o) for o in obj.objs("rejected_events")),
        applied=obj.integer("applied"),
    )


def _read_rule(obj: Obj) -> merge.MatchRule:
    try:
        return merge.MatchRule.from_json(obj.data)
    except InvalidInput as error:
        raise error.under(obj.path) from None


def _read_related_record(obj: Obj) -> related.RelatedRecord:
    return _wire.build(
        related.RelatedRecord,
        obj.path,
        record=_wire.read_record(obj.obj("record")),
        selectable=obj.boolean("selectable", default=True),
    )


_READERS: Final[dict[type, Reader]] = {
    Lead: _wire.read_lead,
    Person: _wire.read_person,
    Event: _wire.read_event,
    User: _wire.read_user,
    Agent: _wire.read_agent,
    Claim: _wire.read_claim,
    Org: _wire.read_org,
    CrmRecord: _wire.read_record,
    Reason: _read_reason,
    Change: _read_change,
    merge.Discarded: _read_discarded,
    merge.ManualMerge: _read_manual,
    merge.MatchRule: _read_rule,
    routing.DispatchEvent: _read_event,
    routing.Rejection: _read_rejection,
    routing.DispatchState: _read_state,
    related.RelatedRecord: _read_related_record,
}


_GENERIC: Final[frozenset[type]] = frozenset(
    {
        Notification,
        CancelledEvent,
        Verdict,
        NormalizePolicy,
        linking.LinkPolicy,
        linking.LinkResult,
        linking.LinkVisibility,
        merge.MergePolicy,
        merge.Match,
        merge.Candidate,
        merge.AutoMerge,
        merge.Duplicate,
        merge.Duplicates,
        merge.MergeRecord,
        merge.ConditionCheck,
        merge.GroupCheck,
        merge.MatchExplanation,
        routing.RoutingPolicy,
        routing.Eligibility,
        routing.WaveCheck,
        routing.FreshGrant,
        routing.TransferDecision,
        routing.Diagnosis,
        handover.HandoverPolicy,
        handover.HandoverResult,
        handover.AssignmentResult,
        handover.OrgTree,
        related.RelatedPolicy,
        related.RelatedLeads,
        related.RelatedGroup,
        related.CadenceMembership,
        related.StopResult,
        simulation.Arrival,
        simulation.Behaviour,
        simulation.Percentiles,
        simulation.SimulationReport,
        dedupe.Columns,
        dedupe.DedupePolicy,
        dedupe.BadRow,
        dedupe.GenericKey,
        dedupe.Decision,
        dedupe.Pair,
        dedupe.Cluster,
        dedupe.Summary,
        dedupe.DedupeResult,
        dedupe.PairChange,
        dedupe.PolicyComparison,
        dedupe.Scores,
        dedupe.PairError,
        dedupe.Accuracy,
        dedupe.AccuracyComparison,
        dedupe.PairExplanation,
    }
)

SUPPORTED: Final[frozenset[type]] = frozenset(_GENERIC | set(_WRITERS) | set(_READERS))
"""Every type :func:`to_json` writes and :func:`from_json` reads."""
