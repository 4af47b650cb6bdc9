"""
Properties of match rules (the rule language, MRG-1, MRG-4, MRG-5, MRG-7 generalised).

For random rules drawn by ``leadcore.testing.match_rules`` and random leads from small
pools (so that leads collide on every field): the index answers as a scan, batch
deduplication answers as the brute force, the explanation agrees with the decision,
comparisons are symmetric, rules survive JSON, and the seed's rules written in the
language answer as the rulebook's keys.
"""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import attrs
from hypothesis import given
from hypothesis import strategies as st

from leadcore import dedupe, merge, testing
from leadcore._dedupe import block
from leadcore.merge import MatchGroup, MatchRule, MergeIndex, MergePolicy, People
from leadcore.model import Lead, Person
from tests.property.strategies import NOW, costly
from tests.property.strategies import SMALL_VALUES as VALUES
from tests.property.strategies import colliding_people as people


@st.composite
def when(draw: st.DrawFn) -> dt.datetime | None:
    """A moment up to 400 days before NOW, or nothing."""
    if draw(st.integers(0, 4)) == 0:
        return None
    return NOW - dt.timedelta(hours=draw(st.integers(-48, 400 * 24)))


@st.composite
def table_leads(draw: st.DrawFn, lead_id: str) -> Lead:
    """A lead with lead and custom fields from small pools."""
    fields = {
        name: value
        for name in ("budget", "note")
        if (value := draw(VALUES)) is not None or draw(st.booleans())
    }
    return Lead(
        id=lead_id,
        customer=draw(people()),
        co_customer=draw(st.none() | people()),
        source=draw(st.sampled_from([None, "web", "Web", "credit_application"])),
        lot=draw(st.sampled_from([None, "north", "NORTH", "south"])),
        created_at=draw(when()),
        last_activity_at=draw(when()),
        fields=fields,
    )


@st.composite
def tables(draw: st.DrawFn, max_size: int = 9) -> list[Lead]:
    """Leads with unique ids."""
    size = draw(st.integers(0, max_size))
    return [draw(table_leads(f"L{i}")) for i in range(size)]


@st.composite
def rule_policies(draw: st.DrawFn, *, blockable: bool = False) -> MergePolicy:
    """A policy whose auto-merge and duplicate rules are drawn (either may stay the seed's)."""
    auto = draw(st.none() | testing.match_rules(blockable=blockable))
    duplicate = draw(st.none() | testing.match_rules(blockable=blockable))
    return MergePolicy(
        auto_merge_rule=auto,
        duplicate_rule=duplicate,
        merge_max_age_days=draw(st.sampled_from([30, 365, 1000])),
        duplicate_max_inactivity_days=draw(st.sampled_from([45, 500])),
    )


KEYED = ("last_name", "name", "email", "phone", "lot", "fields.budget", "fields.note")
"""Fields whose keys collide in :func:`tables`: the compound keys' parts."""


@st.composite
def compound_policies(draw: st.DrawFn) -> MergePolicy:
    """
    Rules whose groups are ``all_of`` several keyed items (compound keys), often limited.

    Multi-valued parts (emails, phones of both persons), ``max_leads`` one time in five
    (:func:`leadcore.testing.match_items`), sometimes a fuzzy item or a guard beside them.
    """
    seen: set[str] = set()
    groups = []
    for position in range(draw(st.integers(1, 2))):
        items = draw(
            st.lists(
                testing.match_items(fields=KEYED, keyable=True),
                min_size=2,
                max_size=3,
                unique_by=lambda i: i.label,
            )
        )
        items = [i for i in items if i.label not in seen]
        seen.update(i.label for i in items)
        more: bool = draw(st.booleans())
        if items and more:
            fuzzy = draw(testing.match_items(fields=("first_name", "fields.note"), keyable=False))
            if fuzzy.label not in seen:
                seen.add(fuzzy.label)
                items.append(fuzzy)
        if not items:
            continue
        people: People | None = draw(st.sampled_from([None, "either", "customer"]))
        groups.append(MatchGroup(all_of=items, people=people, label=f"g{position}"))
    rule = MatchRule(any_of=groups or [MatchGroup(all_of=["email", "phone"])])
    return MergePolicy(
        auto_merge_rule=draw(st.none() | st.just(rule)),
        duplicate_rule=rule,
        merge_max_age_days=1000,
        duplicate_max_inactivity_days=500,
    )


class TestLanguage:
    """Rules as data."""

    @given(testing.match_rules())
    def test_a_rule_survives_json(self, rule: MatchRule) -> None:
        """A rule written as JSON reads back equal (the protocol's policy)."""
        written = json.loads(json.dumps(merge.rule_json(rule)))

        assert MatchRule.from_json(written) == rule

    @given(st.sampled_from(["auto", "duplicates"]), tables(max_size=5), st.data())
    def test_the_seed_rules_written_in_the_language_answer_as_the_spec_keys(
        self, mode: str, leads: list[Lead], data: st.DataObject
    ) -> None:
        """MRG-1, MRG-4, MRG-5, MRG-7: giving MergePolicy().rule(mode) as a rule changes nothing."""
        spec_keys = MergePolicy(
            auto_merge_conditions=data.draw(
                st.sampled_from([("name", "email", "phone"), ("name_fuzzy", "phone")])
            ),
            duplicate_name_min_ratio=data.draw(st.sampled_from([0, 90])),
        )
        key = "auto_merge_rule" if mode == "auto" else "duplicate_rule"
        written = MergePolicy(
            duplicate_name_min_ratio=spec_keys.duplicate_name_min_ratio,
            **{key: spec_keys.rule(mode)},  # type: ignore[arg-type]  # a rule field
        )

        for one in leads:
            for other in leads:
                assert merge.match(one, other, policy=spec_keys, mode=mode) == merge.match(  # type: ignore[arg-type]  # a mode
                    one,
                    other,
                    policy=written,
                    mode=mode,  # type: ignore[arg-type]  # a mode
                )


class TestEngine:
    """The one engine, under any rule."""

    @given(tables(max_size=4), rule_policies(), st.sampled_from(["auto", "duplicates"]))
    def test_explain_gives_the_decision_of_match(
        self, leads: list[Lead], policy: MergePolicy, mode: str
    ) -> None:
        """The explanation's answer is match()'s, and a match's group holds in it."""
        for one in leads:
            for other in leads:
                if one.id == other.id:
                    continue
                found = merge.match(one, other, policy=policy, mode=mode)  # type: ignore[arg-type]  # a mode
                why = merge.explain(one, other, now=NOW, policy=policy, mode=mode)  # type: ignore[arg-type]  # a mode

                assert (why.via, why.person) == (found.via, found.person)
                if found.matches:
                    assert why.matched == found.matched
                    assert next(g for g in why.groups if g.name == found.via).holds
                    assert why.closest_group is None
                else:
                    assert why.closest_group is not None

    @given(people(), people(), rule_policies(), st.sampled_from(["auto", "duplicates"]))
    def test_compare_is_symmetric(
        self, one: Person, two: Person, policy: MergePolicy, mode: str
    ) -> None:
        """Every item compares two people the same both ways."""
        assert merge.compare(one, two, policy=policy, mode=mode) == merge.compare(  # type: ignore[arg-type]  # a mode
            two,
            one,
            policy=policy,
            mode=mode,  # type: ignore[arg-type]  # a mode
        )


class TestExactness:
    """Blocking derived from the rule finds what comparing every pair finds."""

    @given(table_leads("N1"), tables(max_size=7), rule_policies())
    def test_the_index_answers_as_a_scan(
        self, new: Lead, old: list[Lead], policy: MergePolicy
    ) -> None:
        """MergeIndex lookups (or its scan, when a group cannot be blocked on) = a list scan."""
        index = MergeIndex(old)

        assert merge.auto(new, index, now=NOW, policy=policy) == merge.auto(
            new, old, now=NOW, policy=policy
        )
        assert merge.duplicates(new, index, now=NOW, policy=policy) == merge.duplicates(
            new, old, now=NOW, policy=policy
        )

    @costly(150)
    @given(tables(), rule_policies(blockable=True), st.sampled_from([1, 2, 3, 100]))
    def test_batch_equals_brute_force(
        self, leads: list[Lead], policy: MergePolicy, limit: int
    ) -> None:
        """dedupe.find == dedupe.reference for random rules, tiny generic-key limits too."""
        chosen = dedupe.DedupePolicy(merge=policy, generic_key_rows=limit)

        found = dedupe.find(leads, now=NOW, policy=chosen)

        assert found.pairs == dedupe.reference(leads, now=NOW, policy=chosen)

    @costly(150)
    @given(tables(), compound_policies(), st.sampled_from([1, 2, 100]))
    def test_compound_keys_equal_brute_force(
        self, leads: list[Lead], policy: MergePolicy, limit: int
    ) -> None:
        """Groups blocked on several keys at once: batch and index as brute force."""
        chosen = dedupe.DedupePolicy(merge=policy, generic_key_rows=limit)

        found = dedupe.find(leads, now=NOW, policy=chosen)

        assert found.pairs == dedupe.reference(leads, now=NOW, policy=chosen)
        if leads:
            index = MergeIndex(leads[1:])
            assert merge.duplicates(leads[0], index, now=NOW, policy=policy) == (
                merge.duplicates(leads[0], leads[1:], now=NOW, policy=policy)
            )

    @costly(150)
    @given(
        tables(),
        rule_policies(blockable=True) | compound_policies(),
        st.sampled_from([1, 2, 100]),
    )
    def test_blocks_searched_through_fuzzy_items_equal_brute_force(
        self, leads: list[Lead], policy: MergePolicy, limit: int
    ) -> None:
        """Every block searched through its unkeyed items in C (CLOSE_AT 1): brute force."""
        chosen = dedupe.DedupePolicy(merge=policy, generic_key_rows=limit)

        with mock.patch.object(block, "CLOSE_AT", 1):
            found = dedupe.find(leads, now=NOW, policy=chosen)

        assert found.pairs == dedupe.reference(leads, now=NOW, policy=chosen)

    @given(tables(), rule_policies(blockable=True))
    def test_batch_from_a_table_of_columns_equals_brute_force(
        self, leads: list[Lead], policy: MergePolicy
    ) -> None:
        """The same from rows with custom columns (text cells) as from Lead objects."""
        rows = [_row(lead) for lead in leads]
        columns = dedupe.Columns(fields=["budget", "note"], co_emails=("co_email",))
        as_text = [_text_lead(lead) for lead in leads]

        found = dedupe.find(rows, now=NOW, policy=policy, columns=columns)

        assert found.pairs == dedupe.reference(as_text, now=NOW, policy=policy)


def _cell(value: object) -> str:
    return "" if value is None else str(value) if not isinstance(value, bool) else json.dumps(value)


def _text_lead(lead: Lead) -> Lead:
    """The lead as a table holds it: one email and phone a person, custom fields as text."""
    customer = attrs.evolve(
        lead.customer, emails=lead.customer.emails[:1], phones=lead.customer.phones[:1]
    )
    co = lead.co_customer
    if co is not None:
        co = attrs.evolve(co, emails=co.emails[:1], phones=co.phones[:1])
    fields = {k: _cell(v) for k, v in lead.fields.items() if _cell(v).strip()}
    return attrs.evolve(lead, customer=customer, co_customer=co, fields=fields)


def _row(lead: Lead) -> dict[str, object]:
    one = _text_lead(lead)
    co = one.co_customer or Person()
    return {
        "lead_id": one.id,
        "first_name": one.customer.first_name or "",
        "last_name": one.customer.last_name or "",
        "email": (one.customer.emails or ("",))[0],
        "phone": (one.customer.phones or ("",))[0],
        "co_first_name": co.first_name or "",
        "co_last_name": co.last_name or "",
        "co_email": (co.emails or ("",))[0],
        "co_phone": (co.phones or ("",))[0],
        "source": one.source or "",
        "lot": one.lot or "",
        "created_at": "" if one.created_at is None else one.created_at.isoformat(),
        "last_activity_at": ""
        if one.last_activity_at is None
        else one.last_activity_at.isoformat(),
        "budget": one.fields.get("budget", ""),
        "note": one.fields.get("note", ""),
    }
