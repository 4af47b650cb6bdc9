"""
``leadcore.wire``: every supported type survives a JSON round trip, in the protocol's form.

For each type of ``wire.SUPPORTED``, objects drawn by ``leadcore.testing.objects`` (model
objects, and results of the rules applied to valid protocol requests) are written,
passed through ``json`` text, and read back:

* the JSON is a fixpoint: writing what was read gives the same JSON;
* the object read equals the object written, but for what the protocol fixes: a lead's
  viewers come back sorted (the rulebook: lists of ids in results are sorted), a dispatch's
  rejected events in input order (as ``routing.dispatch`` answers them), a reason's facts
  (not part of its value) empty; types compared by identity (results holding a table)
  are compared through their JSON.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadcore import _wire, handover, merge, protocol, routing, testing, wire
from leadcore.errors import InvalidInput
from leadcore.model import Lead

TYPES = sorted(wire.SUPPORTED, key=lambda t: f"{t.__module__}.{t.__qualname__}")


def _by_value(cls: type) -> bool:
    """Whether instances compare by value (attrs eq) rather than by identity."""
    return bool(attrs.has(cls) and getattr(cls, "__attrs_attrs__", None) and "__eq__" in vars(cls))


def _canonical(value: Any) -> Any:
    """``value`` with every lead's viewers sorted (the protocol's form), recursively."""
    if isinstance(value, Lead):
        return attrs.evolve(value, viewers=sorted(value.viewers))
    if isinstance(value, tuple):
        return tuple(_canonical(v) for v in value)
    if attrs.has(type(value)) and _by_value(type(value)):
        changes = {
            f.alias: _canonical(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.init
        }
        if isinstance(value, routing.DispatchState):
            changes["rejected"] = tuple(sorted(changes["rejected"], key=lambda r: r.index))
        if getattr(value, "field", None) == "viewers" and type(value).__name__ == "Change":
            changes["old"] = tuple(sorted(value.old))
            changes["new"] = tuple(sorted(value.new))
        return attrs.evolve(value, **changes)
    return value


@pytest.mark.parametrize("cls", TYPES, ids=lambda t: t.__name__)
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_round_trip(cls: type, data: st.DataObject) -> None:
    """Write, go through JSON text, read: the same JSON, the same object (canonical form)."""
    item = data.draw(testing.objects(cls))

    written = json.loads(json.dumps(wire.to_json(item)))
    back: object = wire.from_json(cls, written)

    assert json.loads(json.dumps(wire.to_json(back))) == written
    if _by_value(type(item)):
        assert back == _canonical(item)


# MatchExplanation and OrgTree are drawn from a rule's requests but are not its result.
RESULT_TYPES: list[type] = sorted(
    (t for t in testing.RULE_RESULTS if t not in (merge.MatchExplanation, handover.OrgTree)),
    key=lambda t: t.__name__,
)


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda t: t.__name__)
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_protocol_answers_in_the_same_form(cls: type, data: st.DataObject) -> None:
    """A protocol result is the wire form of the rule's Python result: same keys, same values."""
    rule, make = testing.RULE_RESULTS[cls]
    drawn = data.draw(testing.requests(rule, valid=True))
    request = {k: v for k, v in drawn.items() if k != "policy"}  # the makers use the defaults
    response = protocol.decide(request)
    try:
        result = make(request["input"], _wire.parse_datetime(request["now"], "now"))
    except InvalidInput:
        assert not response["ok"]
        return

    written = wire.to_json(result)

    assert response["ok"], response
    assert _projected(written, response["result"]) == response["result"]


def _projected(actual: Any, expected: Any) -> Any:
    """``actual`` with only the keys ``expected`` has, recursively (extension keys dropped)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _projected(actual.get(k, "<missing>"), v) for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_projected(a, e) for a, e in zip(actual, expected, strict=True)]
    return actual
