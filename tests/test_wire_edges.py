"""
``wire.from_json`` at the edges: each refusal names the path and the value.

A list given as text or past the GEN-5 limit, a change record naming no lead field, a
match rule of the wrong shape inside a policy (its path under the policy's field).
"""

from __future__ import annotations

import datetime as dt
import decimal
import types
import typing

import attrs
import pytest

from leadcore import dedupe, merge, wire
from leadcore.decisions import Change
from leadcore.errors import InvalidInput
from leadcore.model import Event, Lead


def _problem(kind: type, data: object) -> tuple[str, str, str]:
    with pytest.raises(InvalidInput) as caught:
        wire.from_json(kind, data)
    problem = caught.value.problems[0]
    return problem.path, str(problem.value), problem.message


def test_a_list_field_given_as_text_is_refused() -> None:
    """customer.phones: "x" is not a list of phones."""
    assert _problem(Lead, {"id": "a", "customer": {"phones": "x"}}) == (
        "customer.phones",
        "x",
        "must be a list, not a string",
    )


def test_a_list_past_the_limit_is_summarised() -> None:
    """GEN-5: 100,001 phones, refused without quoting them."""
    assert _problem(Lead, {"id": "a", "customer": {"phones": ["1"] * 100_001}}) == (
        "customer.phones",
        "<100001 items>",
        "must hold at most 100000 items",
    )


def test_a_change_of_no_lead_field_is_refused() -> None:
    """GEN-6 records name lead fields; another name cannot say how to read old and new."""
    assert _problem(Change, {"lead": "a", "field": "nope", "old": 1, "new": 2}) == (
        "old",
        "nope",
        "is not a lead field",
    )


def test_a_match_rule_error_is_under_the_policy_field() -> None:
    """auto_merge_rule.any_of: 3 is refused at that path, inside the policy."""
    assert _problem(merge.MergePolicy, {"auto_merge_rule": {"any_of": 3}}) == (
        "auto_merge_rule.any_of",
        "3",
        "must be a list, not int",
    )


def test_a_list_of_a_result_given_as_text_or_past_the_limit_is_refused() -> None:
    """A result's list (a cluster's members): not text, at most MAX_ITEMS, named by path."""
    assert _problem(dedupe.Cluster, {"id": "c", "members": "ab"}) == (
        "members",
        "ab",
        "must be a list",
    )
    assert _problem(dedupe.Cluster, {"id": "c", "members": ["a"] * 100_001}) == (
        "members",
        "<100001 items>",
        "must hold at most 100000 items",
    )


def test_a_pair_explanation_holds_exactly_two_leads() -> None:
    """PairExplanation.leads is a pair: one lead alone is refused, the rest read back."""
    rows = [
        {"lead_id": "A", "first_name": "Ann", "last_name": "Lee", "email": "ann@x.com"},
        {"lead_id": "B", "first_name": "Ann", "last_name": "Lee", "email": "ann@x.com"},
    ]
    explained = dedupe.find(rows, now=dt.datetime(2025, 7, 1, tzinfo=dt.UTC)).explain("A", "B")
    data = wire.to_json(explained)

    assert wire.to_json(wire.from_json(dedupe.PairExplanation, data)) == data
    with pytest.raises(InvalidInput) as caught:
        wire.from_json(dedupe.PairExplanation, {**data, "leads": data["leads"][:1]})
    [problem] = caught.value.problems
    assert (problem.path, problem.message) == ("leads", "must hold 2 items")


def test_every_union_among_the_supported_fields_is_one_type_or_none() -> None:
    """What ``wire._read`` relies on to read a union: one type, or None."""

    def unions(hint: object) -> list[object]:
        found = [hint] if typing.get_origin(hint) in (typing.Union, types.UnionType) else []
        return found + [u for arg in typing.get_args(hint) for u in unions(arg)]

    wider = [
        (cls.__name__, name, union)
        for cls in wire.SUPPORTED
        if attrs.has(cls)
        for name, hint in typing.get_type_hints(cls).items()
        for union in unions(hint)
        if len([o for o in typing.get_args(union) if o is not type(None)]) > 1
    ]
    assert wider == []


@pytest.mark.parametrize("text", ["2025-02-30T10:00:00Z", "2025-06-30T25:00:00+00:00"])
def test_a_date_time_of_the_right_shape_but_no_such_moment_is_refused(text: str) -> None:
    """February 30th, hour 25: shaped like ISO 8601, refused as it, at the field's path."""
    assert _problem(Lead, {"id": "a", "created_at": text}) == (
        "created_at",
        text,
        "must be an ISO 8601 date-time such as 2026-01-31T09:30:00+00:00",
    )


@pytest.mark.parametrize(
    "item",
    [
        Change(lead="A", field="status", old=decimal.Decimal("1.5"), new=None),
        merge.Discarded(lead="A", field="fields.price", value=decimal.Decimal("1.5")),
    ],
    ids=["change", "discarded"],
)
def test_a_value_of_a_type_leadcore_does_not_write_is_refused_as_input(item: object) -> None:
    """GEN-5: a Decimal in a change or a discarded value is InvalidInput naming its type."""
    with pytest.raises(InvalidInput) as caught:
        wire.to_json(item)

    problem = caught.value.problems[0]
    assert (problem.path, problem.value) == ("item", "Decimal")
    assert problem.message == "cannot be written as JSON: not a leadcore type (see SUPPORTED)"


def test_a_bad_row_holding_a_cell_json_cannot_hold_shows_it() -> None:
    """A bad row dedupe.load reports, of a date or Decimal cell, is written with its repr."""
    columns = dedupe.Columns()
    rows = [
        {columns.id: "A", columns.created_at: dt.date(2025, 7, 1)},
        {columns.id: "B", columns.created_at: decimal.Decimal(3)},
        {columns.id: "C", columns.created_at: "2025-07-01T00:00:00Z"},
    ]

    table = dedupe.load(rows, tz="UTC")
    written = [wire.to_json(bad) for bad in table.bad_rows]

    assert written == [
        {
            "row": 0,
            "line": None,
            "field": "created_at",
            "value": "datetime.date(2025, 7, 1)",
            "message": "must be a date-time, not date",
        },
        {
            "row": 1,
            "line": None,
            "field": "created_at",
            "value": "Decimal('3')",
            "message": "must be a date-time, not Decimal",
        },
    ]


_EVENT = Event(id="e1", at=dt.datetime(2025, 7, 1, 9, 30, tzinfo=dt.UTC), status="done")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("events", _EVENT),
        ("events", (_EVENT,)),
        ("viewers", "u3"),
        ("viewers", ("u3", "u4")),
        ("customer.phones", "+14158675309"),
        ("co_customer.first_name", "Ann"),
        ("fields.price", 12.5),
        ("status", "new"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_a_discarded_value_comes_back_as_the_type_its_field_holds(
    field: str, value: object
) -> None:
    """
    A manual merge's discarded value of any lead field: one item of a list, or a value.

    It drops a viewer, an event or a phone one at a time: each is read back as the type
    the field's items hold (an ``Event``, a text), a whole value as the field's type.
    """
    item = merge.Discarded(lead="A", field=field, value=value)

    assert wire.from_json(merge.Discarded, wire.to_json(item)) == item


@pytest.mark.parametrize(
    ("field", "old", "new"),
    [
        ("events", (), (_EVENT,)),
        ("viewers", ("u3",), ("u3", "u4")),
        ("co_customer.first_name", None, "Ann"),
        ("fields.price", 12.5, None),
        ("status", "new", "qualified"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_change_comes_back_as_the_type_its_field_holds(
    field: str, old: object, new: object
) -> None:
    """A change's old and new values (the field's whole value) are read as its type."""
    item = Change(lead="A", field=field, old=old, new=new)

    assert wire.from_json(Change, wire.to_json(item)) == item
