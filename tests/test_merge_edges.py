"""
Edges of leadcore.merge that the example tests of test_merge.py leave open.

Each test here pins a behaviour that a mutation of the merge code changed without any
other test noticing (mutation testing, issue 20): every field of the manual-merge result,
the self-id skip in candidate search, phone-only search through an index, the exact
MRG-7 threshold, and phone numbers read in a region other than the US.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from leadcore import _attrs as a
from leadcore import linking, merge
from leadcore.errors import InvalidInput
from leadcore.linking import LinkPolicy
from leadcore.merge import MergeIndex, MergePolicy
from leadcore.model import Event, Lead, Person, Role, User

from .helpers import NOW, at, person

FR = MergePolicy(default_region="FR")
MARIE = person("Marie", "Curie", phones=("06 12 34 56 78",), emails=("marie@example.fr",))


def candidate(lead_id: str, who: Person, **fields: Any) -> Lead:
    """An existing lead inside every window."""
    dates: dict[str, Any] = {"created_at": at(10), "last_activity_at": at(1)}
    return Lead(id=lead_id, customer=who, **(dates | fields))


class TestManualResultFields:
    """MRG-8: every single-valued field of the merged lead, master first."""

    MASTER = Lead(
        id="A",
        customer=person("Ada", "Lovelace"),
        org="o-master",
        channel="digital",
        pipeline="sales",
        last_activity_at=at(3),
        linked_to="P1",
    )
    BARE = Lead(id="A", customer=person("Ada", "Lovelace"))
    OTHER = Lead(
        id="B",
        customer=person("Ada", "Lovelace"),
        org="o-other",
        channel="offline",
        pipeline="manager",
        last_activity_at=at(1),
        linked_to="P2",
    )

    @pytest.mark.parametrize(
        "field", ["org", "channel", "pipeline", "last_activity_at", "linked_to"]
    )
    def test_the_master_value_wins_and_the_loser_is_discarded(self, field: str) -> None:
        """MRG-8, GEN-6: where both have a value the master's stays; the other's is kept."""
        result = merge.manual(self.MASTER, self.OTHER)

        assert getattr(result.lead, field) == getattr(self.MASTER, field)
        assert (field, getattr(self.OTHER, field)) in [
            (d.field, d.value) for d in result.discarded if d.lead == "B"
        ]

    @pytest.mark.parametrize(
        "field", ["org", "channel", "pipeline", "last_activity_at", "linked_to"]
    )
    def test_a_value_only_the_other_has_is_taken(self, field: str) -> None:
        """MRG-8: where only the other lead has a value, the merged lead keeps it."""
        result = merge.manual(self.BARE, self.OTHER)

        assert getattr(result.lead, field) == getattr(self.OTHER, field)
        assert field not in [d.field for d in result.discarded]

    def test_the_master_co_customer_stays_when_the_other_has_none(self) -> None:
        """MRG-8: a co-customer only the master has is kept whole."""
        bob = person("Bob", "Stone", phones=("(212) 736-5000",), emails=("bob@x.io",))
        master = attrs.evolve(self.BARE, co_customer=bob)

        result = merge.manual(master, self.OTHER)

        assert result.lead.co_customer == bob
        assert not [d for d in result.discarded if d.field.startswith("co_customer")]


class TestAutoSearch:
    """MRG-6: candidate search goes on past the inbound lead's own id."""

    def test_a_match_listed_after_the_inbound_lead_itself_is_found(self) -> None:
        """MRG-6 [decided]: the inbound id is skipped, and the search goes on."""
        ada = person("Ada", "Lovelace", emails=("ada@example.com",))
        itself = candidate("N1", ada)

        decision = merge.auto(Lead(id="N1", customer=ada), [itself, candidate("L7", ada)], now=NOW)

        assert (decision.action, decision.target) == ("merge", "L7")

    def test_phone_only_is_found_through_an_index(self) -> None:
        """MRG-4: a phone-only inbound lead merges through a MergeIndex as through a list."""
        leads = [
            candidate("L1", person("Ada", "Lovelace", phones=("(415) 867-5309",))),
            candidate("L2", person("Bob", "Stone", phones=("(212) 736-5000",))),
        ]
        inbound = Lead(id="N1", customer=person(phones=("+1 415 867 5309",)))

        by_index = merge.auto(inbound, MergeIndex(leads), now=NOW)

        assert (by_index.action, by_index.target, by_index.via) == ("merge", "L1", "phone_only")
        assert by_index == merge.auto(inbound, leads, now=NOW)


class TestDuplicateThreshold:
    """MRG-7: ``name_fuzzy`` holds from a ratio of exactly 90."""

    def test_a_ratio_of_exactly_90_is_a_fuzzy_name(self) -> None:
        """MRG-7: ``token_sort_ratio >= 90``: "anna smith" / "anna smyth" score 90.0."""
        one = person("Anna", "Smith", emails=("anna@example.com",))
        other = person("Anna", "Smyth", emails=("anna@example.com",))

        found = merge.duplicates(Lead(id="N1", customer=one), [candidate("L1", other)], now=NOW)

        assert found.ids == ("L1",)
        assert found.duplicates[0].matched == ("name_fuzzy", "email")

    def test_just_below_90_is_not(self) -> None:
        """MRG-7: "anna smith" / "anne smyth" score 80: email alone is not enough."""
        one = person("Anna", "Smith", emails=("anna@example.com",))
        other = person("Anne", "Smyth", emails=("anna@example.com",))

        found = merge.duplicates(Lead(id="N1", customer=one), [candidate("L1", other)], now=NOW)

        assert found.ids == ()


class TestRegion:
    """MRG-1, MRG-8, LNK-5: numbers written without a country code, read in France."""

    def test_national_french_numbers_match_with_the_french_region(self) -> None:
        """MRG-1: "06 12 34 56 78" is +33612345678 in FR, unusable in the US."""
        inbound = Lead(id="N1", customer=person("Marie", "Curie", phones=("+33 6 12 34 56 78",)))
        leads = [candidate("L1", MARIE)]

        in_france = merge.auto(inbound, leads, now=NOW, policy=FR)
        in_us = merge.auto(inbound, leads, now=NOW)

        assert (in_france.action, in_france.matched) == ("merge", ("name", "phone"))
        assert in_us.action == "create"

    def test_manual_merge_unites_phones_by_their_french_e164_form(self) -> None:
        """MRG-8: the same number in two spellings is kept once, the other discarded."""
        master = Lead(id="A", customer=MARIE)
        other = Lead(id="B", customer=person("Marie", "Curie", phones=("+33 6 12 34 56 78",)))

        in_france = merge.manual(master, other, policy=FR)
        in_us = merge.manual(master, other)

        assert in_france.lead.customer.phones == ("06 12 34 56 78",)
        assert ("B", "customer.phones", "+33 6 12 34 56 78") in [
            (d.lead, d.field, d.value) for d in in_france.discarded
        ]
        assert in_us.lead.customer.phones == ("06 12 34 56 78", "+33 6 12 34 56 78")

    def test_linking_does_not_add_a_number_the_primary_has_in_national_form(self) -> None:
        """LNK-5: compared in E.164 with the policy region, so no second copy is added."""
        super_user = User(id="admin", roles=[Role.SUPER_USER])
        first = Lead(id="L1", project="p", status="claimed", owner="sm1", customer=MARIE)
        second = Lead(
            id="L2",
            project="p",
            status="claimed",
            owner="sm2",
            customer=person("Marie", phones=("+33 6 12 34 56 78",)),
        )

        in_france = linking.apply(
            first, second, super_user, "sm1", now=NOW, policy=LinkPolicy(default_region="FR")
        )
        in_us = linking.apply(first, second, super_user, "sm1", now=NOW)

        assert in_france.primary is not None
        assert in_france.primary.customer.phones == ("06 12 34 56 78",)
        assert in_us.primary is not None
        assert in_us.primary.customer.phones == ("06 12 34 56 78", "+33612345678")


class TestReasonFacts:
    """GEN-4: reasons carry the facts they were decided on, not only a code."""

    def test_an_outranked_candidate_names_the_winner(self) -> None:
        """MRG-6: every qualifying candidate that lost says which one won."""
        ada = person("Ada", "Lovelace", emails=("ada@example.com",))
        leads = [candidate("L1", ada), candidate("L2", ada, last_activity_at=at(2))]

        decision = merge.auto(Lead(id="N1", customer=ada), leads, now=NOW)

        assert decision.target == "L1"
        lost = [c for c in decision.candidates if c.id == "L2"]
        assert lost
        assert [(r.code, dict(r.facts)) for r in lost[0].reasons] == [
            ("outranked", {"winner": "L1"})
        ]

    def test_a_window_reason_carries_the_dates(self) -> None:
        """MRG-3: a lead too old says when it was created and the limit."""
        ada = person("Ada", "Lovelace", emails=("ada@example.com",))
        old = Lead(id="L1", customer=ada, created_at=at(400), last_activity_at=at(1))

        decision = merge.auto(Lead(id="N1", customer=ada), [old], now=NOW)

        facts = {r.code: dict(r.facts) for c in decision.candidates for r in c.reasons}
        assert "created_too_long_ago" in facts
        assert facts["created_too_long_ago"]["created_at"] == at(400)


class TestEvents:
    """MRG-8: events united by id, the master's first."""

    def test_the_master_event_wins_by_id(self) -> None:
        """MRG-8: an event id both leads have keeps the master's version."""
        mine = Event(id="e1", at=at(-1))
        theirs = Event(id="e1", at=at(-2))
        master = Lead(id="A", customer=MARIE, events=(mine,))
        other = Lead(id="B", customer=MARIE, events=(theirs,))

        result = merge.manual(master, other)

        assert result.lead.events == (mine,)
        assert ("events", theirs) in [(d.field, d.value) for d in result.discarded]


def test_now_is_never_read_from_the_clock() -> None:
    """GEN-1: two calls at different ``now`` differ only through the windows."""
    ada = person("Ada", "Lovelace", emails=("ada@example.com",))
    leads = [candidate("L1", ada)]

    today = merge.auto(Lead(id="N1", customer=ada), leads, now=NOW)
    later = merge.auto(Lead(id="N1", customer=ada), leads, now=NOW + dt.timedelta(days=200))

    assert today.action == "merge"
    assert later.action == "create"


class TestIndexArgumentCheck:
    """The argument check of auto/duplicates does not walk a MergeIndex (issue 19)."""

    def test_auto_and_duplicates_never_iterate_the_index(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """MRG-6/7: a lookup reads the buckets; walking 1M leads per call made it O(n)."""
        now = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
        old = Lead(
            id="L1",
            customer=Person(first_name="Ada", last_name="Lovelace", phones=["4158675309"]),
            created_at=now,
            last_activity_at=now,
        )
        index = MergeIndex([old])
        inbound = Lead(id="N", customer=Person(first_name="Ada", last_name="Lovelace"))

        def walked(_self: MergeIndex) -> Iterator[Lead]:
            raise AssertionError("the index was walked")

        monkeypatch.setattr(MergeIndex, "__iter__", walked)

        assert merge.auto(inbound, index, now=now).action == "create"
        assert merge.duplicates(inbound, index, now=now).duplicates == ()


@pytest.mark.unmeasured  # 100,001 leads; the lines reached by smaller tests too
def test_a_list_of_existing_leads_past_the_limit_asks_for_an_index() -> None:
    """GEN-5: @a.checked checks the leads' type, the rule their number (a MergeIndex scales)."""
    inbound = candidate("N", MARIE)
    over = [candidate("E", MARIE)] * (a.MAX_ITEMS + 1)
    for call in (merge.auto, merge.duplicates):
        with pytest.raises(InvalidInput) as raised:
            call(inbound, over, now=NOW)
        [problem] = raised.value.problems
        assert (problem.path, problem.value, problem.message) == (
            "existing",
            f"<{a.MAX_ITEMS + 1} leads>",
            f"must hold at most {a.MAX_ITEMS} leads; use a MergeIndex for more",
        )
    # At the limit, the list is scanned (the repeated id is the next refusal).
    with pytest.raises(InvalidInput) as raised:
        merge.auto(inbound, over[:-1], now=NOW)
    assert raised.value.problems[0].path == "existing[1].id"


def test_match_counts_limited_keys_over_the_counts_given() -> None:
    """max_leads: by default the existing lead alone; with counts, over all they counted."""
    rule = merge.MatchRule(
        any_of=[merge.MatchGroup(all_of=[merge.MatchItem(field="phone", max_leads=1)])]
    )
    policy = MergePolicy(duplicate_rule=rule)
    shared = [Lead(id=i, customer=Person(phones=["800 555 0199"])) for i in "ABC"]
    inbound = Person(phones=["+1 800 555 0199"])
    counts = merge.KeyCounts.of(shared, policy=policy)

    alone = merge.match(inbound, shared[0], policy=policy, mode="duplicates")
    counted = merge.match(inbound, shared[0], policy=policy, mode="duplicates", counts=counts)

    assert (alone.person, alone.matched, alone.via) == ("customer", ("phone",), "any_of[0]")
    assert (counted.matched, counted.via) == ((), None)
