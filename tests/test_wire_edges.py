"""
``wire.from_json`` at the edges: each refusal names the path and the value.

A list given as text or past the GEN-5 limit, a change record naming no lead field, a
match rule of the wrong shape inside a policy (its path under the policy's field).
"""

from __future__ import annotations

import pytest

from leadcore import merge, wire
from leadcore.decisions import Change
from leadcore.errors import InvalidInput
from leadcore.model import Lead


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
