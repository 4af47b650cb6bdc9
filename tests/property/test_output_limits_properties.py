"""
GEN-5 "the limits apply to input, never to output" (v1.2 of the rules), as properties.

* Leads whose lists hold any number of items within the limit merge, and the answer,
  however many items it holds (a merge of two lists at the limit holds twice as many), is
  written by the protocol's writer as one line of JSON that reads back equal.
* A result of any size round-trips through the protocol's form (``wire``): written whole;
  read back, it is input, so it comes back equal within the limits and is refused at the
  path of the first list over them otherwise.

Sizes are drawn near both ends (a few items, or about the limit) so that every run crosses
the boundary; the big lists are repeated or numbered text, cheap to build and to read. An
example handles up to hundreds of thousands of items, so these properties draw a tenth of
the profile's examples (6 by default, 100 with the thorough profile).
"""

from __future__ import annotations

import json
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcore import _attrs, merge, protocol, wire
from leadcore.errors import InvalidInput
from leadcore.model import Lead, Person

N: Final = _attrs.MAX_ITEMS

INPUT_SIZES: Final = st.one_of(st.integers(0, 3), st.integers(N - 2, N))
"""Sizes of a list of input: a few items, or up to exactly the limit."""

RESULT_SIZES: Final = st.one_of(st.integers(0, 3), st.integers(N - 1, N + 2))
"""Sizes of a list of a result: a few items, or about the limit."""

_PROFILE: Final = settings.default
assert _PROFILE is not None  # conftest.py loads one
pytestmark = pytest.mark.unmeasured  # up to 300,000 items; smaller tests reach the lines

BIG: Final = settings(max_examples=max(6, _PROFILE.max_examples // 10))
"""A tenth of the profile's examples: each one holds up to 300,000 items."""


def _lead(lead_id: str, field: str, size: int) -> Lead:
    """A lead with ``size`` distinct viewers, or ``fields`` keys."""
    if field == "fields":
        return Lead(id=lead_id, fields={f"{lead_id}{i}": i for i in range(size)})
    return Lead(id=lead_id, viewers=[f"{lead_id}{i}" for i in range(size)])


@BIG
@given(field=st.sampled_from(["viewers", "fields"]), master=INPUT_SIZES, other=INPUT_SIZES)
def test_a_merge_of_lists_within_the_limit_is_written_in_one_line_whatever_it_holds(
    field: str, master: int, other: int
) -> None:
    """MRG-8, GEN-5: up to 100,000 items each, the united list of up to 200,000 is written."""
    result = merge.manual(_lead("A", field, master), _lead("B", field, other))

    response = {"id": "r", "ok": True, "result": wire.to_json(result)}
    line = protocol.dumps(response)

    assert "\n" not in line
    assert json.loads(line) == response
    lead: dict[str, Any] = response["result"]["lead"]
    assert len(lead[field]) == master + other


@BIG
@given(viewers=RESULT_SIZES, phones=RESULT_SIZES, fields=RESULT_SIZES)
def test_a_result_of_any_size_is_written_whole_and_read_back_as_input(
    viewers: int, phones: int, fields: int
) -> None:
    """GEN-5: written at any size; read back, equal within the limits, else refused there."""
    with _attrs.results():
        lead = Lead(
            id="L1",
            customer=Person(phones=("+1 415 867 5309",) * phones),
            viewers=tuple(f"v{i:06d}" for i in range(viewers)),  # sorted, as written
            fields={f"k{i}": i for i in range(fields)},
        )

    written = json.loads(protocol.dumps({"id": "r", "ok": True, "result": wire.to_json(lead)}))
    data = written["result"]

    assert (len(data["viewers"]), len(data["customer"]["phones"]), len(data["fields"])) == (
        viewers,
        phones,
        fields,
    )
    over = [
        path
        for path, size in (("customer.phones", phones), ("viewers", viewers), ("fields", fields))
        if size > N
    ]
    if not over:
        assert wire.from_json(Lead, data) == lead
        return
    with pytest.raises(InvalidInput) as refused:
        wire.from_json(Lead, data)
    assert refused.value.path == over[0]
