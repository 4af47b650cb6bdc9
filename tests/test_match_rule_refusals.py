"""
Match rules refused, each problem by path, value and message.

The limits of a group (items, fields an inbound lead lacks), the attributes that only
go with one method or one kind of field, the rule read from JSON (a missing field, keys
it does not know, a list past the limit), and a label naming two different items.
"""

from __future__ import annotations

import pytest

from leadcore import _attrs as a
from leadcore._merge import rules
from leadcore.errors import InvalidInput
from leadcore.merge import FREE_MAIL_DOMAINS, MatchGroup, MatchItem, MatchRule

from .asserts import problems

KNOWN = (
    "is not a key here; known: blanks, field, free_domains, label, length, max_leads, "
    "method, normalizer, placeholders, scorer, threshold"
)


def test_a_group_holds_at_most_64_items_and_64_lacked_fields() -> None:
    """MAX_ITEMS_PER_GROUP, on both lists; 64 of each is accepted."""
    assert len(MatchGroup(all_of=["email"] * 64).all_of) == 64
    assert problems(MatchGroup, all_of=["email"] * 65) == [
        ("all_of", "<65 items>", "must hold at most 64 items")
    ]
    assert MatchGroup(all_of=["email"], inbound_lacks=["phone"] * 64).inbound_lacks[0] == "phone"
    lacked = ("phone",) * 65
    assert problems(MatchGroup, all_of=["email"], inbound_lacks=lacked) == [
        ("inbound_lacks", lacked, "must hold at most 64 fields")
    ]


def test_free_domains_given_are_checked_and_the_default_is_valid() -> None:
    """
    The default list is not checked again for each item (it is valid); a given one is.

    A list equal to the default, given as a list, goes through the whole check; a domain
    that is no text, or a list past GEN-5's limit, is refused at its path.
    """
    assert a.collection(a.text)("free_domains", FREE_MAIL_DOMAINS) == []
    given = MatchItem(field="email", method="domain", free_domains=list(FREE_MAIL_DOMAINS))
    assert given.free_domains == FREE_MAIL_DOMAINS
    assert problems(MatchItem, field="email", method="domain", free_domains=["x.io", 3]) == [
        ("free_domains[1]", 3, "must be a string, not int")
    ]
    over = ("x.io",) * (a.MAX_ITEMS + 1)
    assert problems(MatchItem, field="email", method="domain", free_domains=over) == [
        ("free_domains", f"<{a.MAX_ITEMS + 1} items>", f"must hold at most {a.MAX_ITEMS} items")
    ]
    # The check keeps the GEN-5 limit it applies (read when a result is given back).
    assert vars(rules._domains)["__leadcore_limit__"] == "items"


@pytest.mark.parametrize(
    ("attributes", "problem"),
    [
        ({"method": "prefix"}, ("length", None, "is required with method 'prefix'")),
        ({"length": 3}, ("length", 3, "only applies to method 'prefix'")),
        (
            {"method": "prefix", "length": 1_001},
            ("length", 1_001, "must be at most 1000"),
        ),
    ],
)
def test_a_length_goes_with_a_prefix_only(
    attributes: dict[str, object], problem: tuple[object, ...]
) -> None:
    """A prefix needs its length, up to 1,000; no other method takes one."""
    assert problems(MatchItem, field="phone", **attributes) == [problem]
    assert MatchItem(field="phone", method="prefix", length=1_000).length == 1_000


def test_placeholder_values_only_apply_to_name_fields() -> None:
    """placeholders='value' compares a placeholder name as a value: names only."""
    assert problems(MatchItem, field="email", placeholders="value") == [
        ("placeholders", "value", "only applies to name fields")
    ]
    assert MatchItem(field="first_name", placeholders="value").placeholders == "value"


def test_of_and_all_of_are_exclusive_and_at_least_goes_with_of() -> None:
    """A group is all_of, or at_least of `of`: never both, nor at_least alone."""
    both = problems(MatchGroup, all_of=["email"], of=["phone"], at_least=1)
    assert [(path, message) for path, _, message in both] == [
        ("of", "cannot be given with all_of: choose one")
    ]
    assert both[0][1] == (MatchItem(field="phone"),)
    assert problems(MatchGroup, all_of=["email"], at_least=1) == [
        ("at_least", 1, "only applies with 'of'")
    ]


def test_an_item_read_from_json_names_what_is_missing_or_unknown() -> None:
    """The field compared is required; unknown keys are named with the item's problems."""
    assert problems(MatchItem.from_json, {"method": "exact"}) == [
        ("field", None, "is required: the field compared")
    ]
    assert problems(MatchItem.from_json, {"field": "email", "bogus": 1}) == [("bogus", 1, KNOWN)]
    assert problems(MatchItem.from_json, {"field": "email", "bogus": 1, "method": "zzz"}) == [
        ("bogus", 1, KNOWN),
        (
            "method",
            "zzz",
            "must be one of 'exact', 'domain', 'prefix', 'initial', 'fuzzy' (a method)",
        ),
    ]
    assert problems(MatchItem.from_json, 3) == [("", 3, "must be an object, not int")]


@pytest.mark.unmeasured  # 100,001 items; the lines reached by smaller tests too
def test_a_group_read_from_json_past_the_limit_is_summarised() -> None:
    """GEN-5: a list of more than MAX_ITEMS items is refused without reading them."""
    assert problems(MatchGroup.from_json, {"all_of": ["email"] * (a.MAX_ITEMS + 1)}) == [
        ("all_of", f"<{a.MAX_ITEMS + 1} items>", f"must hold at most {a.MAX_ITEMS} items")
    ]


def test_one_label_cannot_name_two_different_items() -> None:
    """Reasons report items by label: two items under one label are refused, by position."""
    rule = {
        "any_of": [
            {"all_of": [{"field": "email", "label": "contact"}]},
            {"all_of": ["last_name", {"field": "phone", "label": "contact"}]},
        ]
    }
    with pytest.raises(InvalidInput) as caught:
        MatchRule.from_json(rule)
    assert [(p.path, p.value, p.message) for p in caught.value.problems] == [
        (
            "any_of[1].all_of[1].label",
            "contact",
            "names two different items; give one of them its own label",
        )
    ]
