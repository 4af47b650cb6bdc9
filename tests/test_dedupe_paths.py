"""
Paths of the dedupe engine pinned every run, not only when a random rule or table draws them.

The full suite's coverage gate is 100 (``docs/coverage.md``): a line that only some
Hypothesis draws reach fails a run that misses it (issue 20). Each test here reaches one
such path with a fixed table and rule, and asserts what the path is for: the pairs the
brute force (:func:`leadcore.dedupe.reference`) finds, or the exact blocks, order or keys.
"""

from __future__ import annotations

from typing import Any

from leadcore import dedupe, merge
from leadcore._dedupe import block, inputs
from leadcore._merge.keys import Key, KeySpace
from leadcore._merge.rules import MatchItem
from leadcore.dedupe import _modes
from leadcore.merge import MatchRule, MergeIndex, MergePolicy
from leadcore.model import Lead, Person
from tests.helpers import NOW, at, lead, person


def _recent(lead_id: str, customer: Person, **fields: Any) -> Lead:
    """A lead within both MRG-3 windows (a possible existing lead in every mode)."""
    return lead(lead_id, customer=customer, created_at=at(10), last_activity_at=at(1), **fields)


def _old(lead_id: str, customer: Person, **fields: Any) -> Lead:
    """A lead idle for more than a year: an inbound lead only, never an existing one."""
    return lead(lead_id, customer=customer, created_at=at(400), last_activity_at=at(400), **fields)


def _ruled(rule: dict[str, Any], **options: Any) -> dedupe.DedupePolicy:
    """A policy whose auto-merge and possible-duplicates rule is ``rule`` (JSON form)."""
    both = MatchRule.from_json(rule)
    return dedupe.DedupePolicy(
        merge=MergePolicy(auto_merge_rule=both, duplicate_rule=both), **options
    )


def _directed(result: dedupe.DedupeResult) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Every decision of the pairs as (inbound, existing, action, matched)."""
    return [(d.inbound, d.existing, d.action, d.matched) for p in result.pairs for d in p.decisions]


def test_an_of_group_with_a_required_key_counts_the_options_person_by_person() -> None:
    """
    ``shares_enough``: a required space and weighted options, each person in turn.

    Two of phone, email and name, blocked on the email. A (inbound) shares the email with
    B's customer and nothing else (one option of two: not enough, the next person is
    tried) and the email and phone with B's co-customer: the pair A -> B. B (inbound)
    has no phone at all (``Finder._shared`` answers without looking at A's) and shares
    only the email with A: no pair B -> A. The same in both modes (the rule is both
    modes'), as the brute force finds them.
    """
    leads = [
        _recent("A", person("Ann", "Lee", emails=("a@x.io",), phones=("4155550101",))),
        _recent(
            "B",
            person("Cy", "Dee", emails=("a@x.io",)),
            co_customer=person("Bo", "Kim", emails=("a@x.io",), phones=("4155550101",)),
        ),
    ]
    policy = _ruled(
        {
            "people": "either",
            "any_of": [
                {
                    "label": "two",
                    "of": ["phone", "email", "name"],
                    "at_least": 2,
                    "block_on": ["email"],
                }
            ],
        }
    )

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert _directed(result) == [
        ("A", "B", "merge", ("phone", "email")),
        ("A", "B", "duplicate", ("phone", "email")),
    ]
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


def test_a_compound_key_of_three_spaces_splits_blocks_twice() -> None:
    """
    A group of four required spaces: a block of one split by the next two, recursively.

    Every lead shares the email; the pairs are those sharing the phone, the zip and
    the plate too (C differs by its plate, D by its zip, E by its phone, F by its
    email), as the brute force finds them.
    """

    def _car(lead_id: str, email: str, phone: str, zip_: str, plate: str) -> Lead:
        who = person(f"Ann{lead_id}", "Lee", emails=(email,), phones=(phone,))
        return _recent(lead_id, who, fields={"zip": zip_, "plate": plate})

    leads = [
        _car("A", "a@x.io", "4155550101", "94110", "P1"),
        _car("B", "a@x.io", "4155550101", "94110", "P1"),
        _car("C", "a@x.io", "4155550101", "94110", "P2"),
        _car("D", "a@x.io", "4155550101", "94111", "P1"),
        _car("E", "a@x.io", "4155550102", "94110", "P1"),
        _car("F", "f@x.io", "4155550101", "94110", "P1"),
        _car("G", "a@x.io", "4155550102", "94110", "P1"),
    ]
    policy = _ruled(
        {"any_of": [{"label": "car", "all_of": ["email", "phone", "fields.zip", "fields.plate"]}]}
    )

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [(p.a, p.b) for p in result.pairs] == [("A", "B"), ("E", "G")]
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


def _space(field: str) -> KeySpace:
    found = KeySpace.of(MatchItem(field=field))
    assert found is not None
    return found


def test_a_compound_keys_rest_is_ordered_by_commonness_then_load_then_label() -> None:
    """
    The required spaces but the one searched, most selective first.

    Custom fields and phones are rarely shared (commonness 0), a last name often (1):
    it comes last though its load is the least; among the rare ones the fewest pairs
    first, a tie by label.
    """
    email, phone, zip_, plate, last = map(
        _space, ["email", "phone", "fields.zip", "fields.plate", "last_name"]
    )
    loads = {phone: 5, zip_: 2, plate: 2, last: 1}

    within = block._within((last, zip_, email, phone, plate), email, loads.__getitem__)

    assert within == (plate, zip_, phone, last)
    assert block._within((email, phone), email, loads.__getitem__) == (phone,)


def test_the_keys_of_phone_only_inbound_leads_are_read_and_a_generic_one_reported() -> None:
    """
    MRG-4 as a rule (``inbound_lacks: email``): the blocks of its inbound leads' keys.

    One lead in five may be an existing lead (the others were created too long ago), so
    only the blocks of the keys the search reads are built: the existing lead's, and
    those of the leads without an email that the group applies to as inbound. Three of
    them share a phone no existing lead holds, one more than ``generic_key_rows``: that
    block is read, so reported (and refined: no existing lead, no pair); R -> E is the
    one pair, as the brute force finds it.
    """
    leads = [
        _recent("E", person("Ed", "Eng", emails=("ed@x.io",), phones=("4155550101",))),
        _old("R", person("Rae", "Ray", phones=("4155550101",))),
        *(_old(f"Q{n}", person(f"Q{n}", "Qi", phones=("4155550199",))) for n in range(3)),
    ]
    policy = _ruled(
        {"any_of": [{"label": "phone_only", "all_of": ["phone"], "inbound_lacks": ["email"]}]},
        generic_key_rows=2,
    )

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [(g.kind, g.key, g.rows) for g in result.generic_keys] == [("phone", "+14155550199", 3)]
    assert _directed(result) == [
        ("R", "E", "merge", ("phone",)),
        ("R", "E", "duplicate", ("phone",)),
    ]
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


def test_polars_groups_only_the_keys_the_search_reads() -> None:
    """
    Email blocks grouped by polars from the keys sought (``wanted``): those read only.

    Row 0 is the one possible existing lead: the blocks of its emails are read, not
    c@x.io's, though two leads share it; the same blocks as Python's, in the same order,
    and the one held through a co-customer (row 4's) is mixed.
    """
    leads = [
        _recent("L0", person("Ann", "Lee", emails=("a@x.io", "b@x.io"))),
        _old("L1", person("Bo", "Lee", emails=("b@x.io",))),
        _old("L2", person("Cy", "Lee", emails=("c@x.io",))),
        _old("L3", person("Di", "Lee", emails=("c@x.io", "a@x.io"))),
        _old("L4", person("Ed", "Lee"), co_customer=person("Fay", "Lee", emails=("a@x.io",))),
        _old("L5", person("Gus", "Lee", emails=("d@x.io",))),
        _old("L6", person("Hal", "Lee", emails=("e@x.io",))),
        _old("L7", person("Ivy", "Lee", emails=("f@x.io",))),
    ]
    policy = MergePolicy(duplicate_rule=MatchRule.from_json({"any_of": [{"all_of": ["email"]}]}))
    data = inputs.without_fillers(dedupe.load(leads).data, policy.placeholder_email_locals)
    modes = _modes(data, NOW, policy)
    email = _space("email")

    def built(grouped_at: int) -> tuple[list[tuple[Key, list[int]]], set[Key]]:
        keys = block.Keys(data, modes[0].spec.region, modes[0].spec.folded, grouped_at=grouped_at)
        plans = [block.plan(m.spec, keys, limit=1_000) for m in modes]
        assert all(
            m.spec.groups and email in chosen for m, chosen in zip(modes, plans, strict=True)
        )
        block._blocks(keys, email, modes, plans)  # 1 possible existing row in 8: sparse
        blocks = keys.blocks(email)
        return list(blocks.items()), keys.mixed(email) & blocks.keys()

    expected = ([("a@x.io", [0, 3, 4]), ("b@x.io", [0, 1])], {"a@x.io"})
    assert built(grouped_at=0) == expected  # polars
    assert built(grouped_at=10**9) == expected  # Python


def test_an_index_of_a_table_keys_a_co_customer_without_a_full_name_by_email() -> None:
    """
    ``merge_index`` of a table: a co-customer's emails and phones, its name only if whole.

    A's co-customer has an email and a first name only, B's a whole name: an inbound
    person with A's co-customer's email finds A, one named as B's co-customer finds B,
    one with A's co-customer's first name and another last name finds neither; as an
    index of the same leads answers (candidates and duplicates).
    """
    leads = [
        _recent(
            "A",
            person("Ann", "Lee", emails=("ann@x.io",)),
            co_customer=person("Bo", None, emails=("bo@x.io",)),
        ),
        _recent(
            "B",
            person("Cy", "Dee", emails=("cy@x.io",)),
            co_customer=person("Di", "Dee", phones=("4155550101",)),
        ),
    ]
    of_table = dedupe.merge_index(leads)
    of_leads = MergeIndex(leads)
    asked = {
        "bo": Person(first_name="Bo", last_name="Kim", emails=["bo@x.io"]),
        "di": Person(first_name="Di", last_name="Dee"),
        "bo lee": Person(first_name="Bo", last_name="Lee"),
    }

    found = {name: sorted(of_table.candidates(who)) for name, who in asked.items()}

    assert found == {"bo": ["A"], "di": ["B"], "bo lee": []}
    for name, who in asked.items():
        assert of_table.candidates(who) == of_leads.candidates(who), name
        inbound = Lead(id="N", customer=who)
        assert merge.duplicates(inbound, of_table, now=NOW) == merge.duplicates(
            inbound, of_leads, now=NOW
        ), name
