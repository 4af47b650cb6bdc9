"""
``leadcore.wire``: public JSON for the model and every input and result type.

The protocol's wire form (leads in canonical form, results as the rules answer them);
reading checks every value and names its path. Round trips are property tests
(``tests/property/test_wire_properties.py``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from leadcore import dedupe, merge, routing, wire
from leadcore.errors import InvalidInput
from leadcore.model import Lead, Person, User
from tests.helpers import NOW, at, person

ADA = person("Ada", "Lovelace", phones=("(415) 867-5309",), emails=("ada@x.io",))


def test_a_user_with_roles_is_plain_json() -> None:
    """Frozensets (roles) are written as sorted lists: json.dumps takes the result as is."""
    user = User(id="u1", roles=["manager", "agent"], assignment_owner_of=["p2", "p1"])

    text = json.dumps(wire.to_json(user))

    assert json.loads(text) == {
        "id": "u1",
        "org": None,
        "roles": ["agent", "manager"],
        "assignment_owner_of": ["p1", "p2"],
    }
    assert wire.from_json(User, json.loads(text)) == user


def test_a_lead_is_written_in_the_protocols_canonical_form() -> None:
    """Every key present; viewers sorted; the normalisation cache never written."""
    lead = Lead(id="L1", customer=ADA, viewers=["u2", "u1"])

    written = wire.to_json(lead)

    assert list(written) == [f.name for f in Lead.__attrs_attrs__]
    assert written["viewers"] == ["u1", "u2"]
    assert "_normalized" not in json.dumps(written)


def test_results_are_the_protocols_results() -> None:
    """MRG-6: an auto-merge is written as merge.auto answers it."""
    old = Lead(id="L1", customer=ADA, lot="n", created_at=at(10), last_activity_at=at(1))
    decision = merge.auto(Lead(id="N1", customer=ADA), [old], now=NOW)

    written = wire.to_json(decision)

    assert written == {
        "action": "merge",
        "target": "L1",
        "lot": "n",
        "matched": ["name", "email", "phone"],
        "person": "customer",
        "via": "two_of_n",
        "reasons": [],
        "candidates": [
            {
                "id": "L1",
                "matched": ["name", "email", "phone"],
                "person": "customer",
                "via": "two_of_n",
                "reasons": [],
            }
        ],
    }
    assert wire.from_json(merge.AutoMerge, written) == decision


def test_bad_values_name_their_path() -> None:
    """GEN-5: a value of the wrong type is an InvalidInput naming where it is."""
    old = Lead(id="L1", customer=ADA, lot="n", created_at=at(10), last_activity_at=at(1))
    written = wire.to_json(merge.auto(Lead(id="N1", customer=ADA), [old], now=NOW))
    written["candidates"][0]["id"] = 3
    with pytest.raises(InvalidInput) as nested:
        wire.from_json(merge.AutoMerge, written)
    with pytest.raises(InvalidInput) as literal:
        wire.from_json(merge.Match, {"person": "spouse", "matched": [], "via": None})
    with pytest.raises(InvalidInput) as deep:
        wire.from_json(Lead, {"id": "L1", "customer": {"phones": "0612"}}, path="input.lead")

    assert nested.value.path == "candidates[0].id"
    assert literal.value.path == "person"
    assert deep.value.path == "input.lead.customer.phones"


def test_unknown_types_are_refused() -> None:
    """Only leadcore's types are written or read."""
    with pytest.raises(InvalidInput, match="not a leadcore type"):
        wire.to_json(object())
    with pytest.raises(InvalidInput, match="not a leadcore type"):
        wire.from_json(dt.datetime, "2026-01-01T00:00:00Z")


def test_a_dispatch_keeps_the_protocol_keys_and_its_state() -> None:
    """RTE-2: routing.dispatch's keys first, then the state's (extension keys)."""
    state = routing.open_dispatch("digital", "L1", now=NOW)

    written = wire.to_json(state)

    assert list(written)[:6] == [
        "outcome",
        "agent",
        "waves",
        "rejected_events",
        "wave_times",
        "decided_at",
    ]
    assert wire.from_json(routing.DispatchState, written) == state


def test_a_dedupe_result_comes_back_without_its_table() -> None:
    """Pairs, clusters and the summary are written; the table of leads is not."""
    leads = [
        Lead(id="A", customer=ADA, created_at=at(1), last_activity_at=at(1)),
        Lead(id="B", customer=ADA, created_at=at(1), last_activity_at=at(1)),
    ]
    result = dedupe.find(leads, now=NOW)

    back = wire.from_json(dedupe.DedupeResult, json.loads(json.dumps(wire.to_json(result))))

    assert back.pairs == result.pairs
    assert back.cluster_of("B") == result.cluster_of("B")
    assert back.leads is None
    assert wire.to_json(back) == wire.to_json(result)


def test_person_round_trip() -> None:
    """The smallest object: a person."""
    who = Person(first_name="Zoë", phones=["+33 6 12 34 56 78"])

    assert wire.from_json(Person, wire.to_json(who)) == who
