"""Example tests of leadcore.merge: MRG-1 to MRG-8, the policy and the index."""

from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path
from typing import Any

import attrs
import pytest

from leadcore import merge
from leadcore.errors import InvalidInput
from leadcore.merge import MergeIndex, MergePolicy
from leadcore.model import MERGED, Event, Lead, Person

from .helpers import NOW, CountedText, at, comparisons, person

DAY = dt.timedelta(days=1)
TICK = dt.timedelta(microseconds=1)

ADA = person("Ada", "Lovelace", phones=("(415) 867-5309",), emails=("ada@example.com",))


def existing(lead_id: str = "L1", who: Person = ADA, **fields: Any) -> Lead:
    """An existing lead that is a candidate by dates unless a test says otherwise."""
    fields.setdefault("created_at", at(10))
    fields.setdefault("last_activity_at", at(1))
    return Lead(id=lead_id, customer=who, **fields)


def inbound(who: Person, **fields: Any) -> Lead:
    """An inbound lead with id N1."""
    return Lead(id="N1", customer=who, **fields)


def _junk(value: object) -> Any:
    """Pass a value of the wrong type on purpose (typed Any for mypy)."""
    return value


def codes(reasons: tuple[Any, ...]) -> list[str]:
    """The codes of some reasons."""
    return [r.code for r in reasons]


class TestPolicy:
    """GEN-7: every number and list of the merge rules is a policy field."""

    def test_defaults_are_the_spec_values(self) -> None:
        """GEN-7, MRG-1..MRG-7: defaults come from the rulebook."""
        policy = MergePolicy()

        assert policy.default_region == "US"
        assert policy.placeholder_names == ("Unknown", "Name", "Empty", "Blank", "Null")
        assert policy.credit_application_sources == ("credit_application",)
        assert policy.auto_merge_conditions == ("name", "email", "phone")
        assert policy.auto_merge_min_conditions == 2
        assert (policy.merge_max_age_days, policy.merge_max_inactivity_days) == (365, 120)
        assert policy.duplicate_conditions == ("name_fuzzy", "email", "phone")
        assert policy.duplicate_min_conditions == 2
        assert policy.duplicate_max_inactivity_days == 45
        assert policy.duplicate_name_min_ratio == 90
        assert policy.placeholder_email_locals == (
            "none",
            "noemail",
            "nomail",
            "na",
            "null",
            "unknown",
            "noreply",
            "donotreply",
        )

    def test_lists_become_tuples_and_region_is_upper_cased(self) -> None:
        """GEN-7: a policy built from JSON-like values is frozen and canonical."""
        policy = MergePolicy(default_region="fr", auto_merge_conditions=["email", "phone"])

        assert policy.default_region == "FR"
        assert policy.auto_merge_conditions == ("email", "phone")

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            ({"auto_merge_conditions": ["name", "surname"]}, "auto_merge_conditions[1]"),
            ({"auto_merge_conditions": ["email", "email"]}, "auto_merge_conditions[1]"),
            ({"auto_merge_conditions": []}, "auto_merge_conditions"),
            ({"duplicate_conditions": "email"}, "duplicate_conditions"),
            ({"auto_merge_min_conditions": 0}, "auto_merge_min_conditions"),
            ({"auto_merge_conditions": ["email"]}, "auto_merge_min_conditions"),
            ({"duplicate_min_conditions": 4}, "duplicate_min_conditions"),
            ({"merge_max_age_days": -1}, "merge_max_age_days"),
            ({"merge_max_inactivity_days": 10**9}, "merge_max_inactivity_days"),
            ({"duplicate_name_min_ratio": 101}, "duplicate_name_min_ratio"),
            ({"duplicate_name_min_ratio": True}, "duplicate_name_min_ratio"),
            ({"default_region": "XX"}, "default_region"),
            ({"placeholder_names": [1]}, "placeholder_names[0]"),
            ({"placeholder_email_locals": "none"}, "placeholder_email_locals"),
            ({"placeholder_email_locals": [None]}, "placeholder_email_locals[0]"),
        ],
    )
    def test_bad_values_are_refused_with_their_field(
        self, kwargs: dict[str, Any], path: str
    ) -> None:
        """GEN-5, GEN-7: a bad policy value names its field."""
        with pytest.raises(InvalidInput) as error:
            MergePolicy(**kwargs)

        assert error.value.path == path


class TestCompare:
    """MRG-1, MRG-7: the conditions between two people."""

    def test_name_needs_first_and_last_equal_after_folding(self) -> None:
        """MRG-1: name holds for equal folded first and last names."""
        one = person("José", "O'Brien-Smith")

        assert merge.compare(one, person("jose", "obrien smith")) == ("name",)
        assert merge.compare(one, person("José", None)) == ()
        assert merge.compare(person("José", None), person("José", None)) == ()

    def test_name_compares_first_with_first_and_last_with_last(self) -> None:
        """MRG-1 [decided]: "Jean Luc | Picard" is not "Jean | Luc Picard" by name."""
        left, right = person("Jean Luc", "Picard"), person("Jean", "Luc Picard")

        assert merge.compare(left, right) == ()
        assert merge.compare(left, right, mode="duplicates") == ("name_fuzzy",)

    def test_placeholder_names_never_match_by_name(self) -> None:
        """MRG-1: placeholders are not names; "John Unknown" is a real name."""
        assert merge.compare(person("Unknown", "Null"), person("unknown", "NULL")) == ()
        assert merge.compare(person("John", "Unknown"), person("john", "unknown")) == ("name",)

    def test_email_is_trimmed_and_lower_cased(self) -> None:
        """MRG-1: any email in common after trimming and lower-casing."""
        one = person(emails=("x@y.io", " Ada@Example.COM "))

        assert merge.compare(one, person(emails=("ada@example.com",))) == ("email",)
        assert merge.compare(person(emails=("bad",)), person(emails=("bad",))) == ()

    def test_phone_compares_e164_with_the_policy_region(self) -> None:
        """MRG-1: any number in common after E.164 normalisation; unusable never matches."""
        assert merge.compare(ADA, person(phones=("+1 415 867 5309",))) == ("phone",)
        assert merge.compare(person(phones=("12345",)), person(phones=("12345",))) == ()
        french = MergePolicy(default_region="FR")
        left, right = person(phones=("06 12 34 56 78",)), person(phones=("+33612345678",))
        assert merge.compare(left, right, policy=french) == ("phone",)
        assert merge.compare(left, right) == ()

    def test_name_fuzzy_uses_the_ratio_of_the_policy(self) -> None:
        """MRG-7: token_sort_ratio >= duplicate_name_min_ratio (90 by default)."""
        left, right = person("Jon", "Smith"), person("John", "Smith")  # ratio 94.7

        assert merge.compare(left, right, mode="duplicates") == ("name_fuzzy",)
        strict = MergePolicy(duplicate_name_min_ratio=95)
        assert merge.compare(left, right, policy=strict, mode="duplicates") == ()
        assert merge.compare(person("Smith", "John"), right, mode="duplicates") == ("name_fuzzy",)

    def test_empty_names_score_zero(self) -> None:
        """MRG-5: an empty folded name scores 0, so name_fuzzy never holds on it."""
        assert merge.compare(person(), person(), mode="duplicates") == ()

    @pytest.mark.parametrize("ratio", [0, 50, 90])
    def test_name_fuzzy_never_holds_on_an_empty_or_placeholder_name(self, ratio: int) -> None:
        """MRG-7, v1.2 of the rules: name_fuzzy needs two real folded full names, like name."""
        policy = MergePolicy(duplicate_name_min_ratio=ratio)

        def fuzzy(one: Person, two: Person) -> bool:
            found = merge.compare(one, two, policy=policy, mode="duplicates")
            return "name_fuzzy" in found

        assert not fuzzy(person("Unknown", None), person("unknown", None))
        assert not fuzzy(person("Null", "Blank"), person("NULL", "blank"))
        assert not fuzzy(person("Unknown", None), person("Ada", "Lovelace"))
        assert not fuzzy(person(" ", "."), person(None, None))
        assert not fuzzy(person(), person("Ada", None))
        assert fuzzy(person("John", "Unknown"), person("Jon", "Unknown"))
        assert fuzzy(person("Ada", None), person("ADA", None))

    def test_filler_emails_never_match(self) -> None:
        """MRG-1, v1.2 of the rules: none@none.com on both sides is no email in common."""
        one = person("Ada", "Lovelace", emails=("none@none.com", "NA@NA.COM"))
        two = person("Bob", "Stone", emails=("NONE@none.com", "na@na.com"))

        assert merge.compare(one, two) == ()
        assert merge.compare(one, two, policy=MergePolicy(placeholder_email_locals=[])) == (
            "email",
        )

    def test_bad_people_are_refused(self) -> None:
        """GEN-5: compare takes people."""
        with pytest.raises(InvalidInput) as error:
            merge.compare(ADA, "Ada")  # type: ignore[arg-type]  # on purpose

        assert error.value.path == "right"


class TestMatch:
    """MRG-1, MRG-4, MRG-5: an inbound person against an existing lead."""

    def test_two_conditions_match(self) -> None:
        """MRG-1: name and email hold: a two-of-n match on the customer."""
        found = merge.match(person("ADA", "lovelace", emails=("ada@example.com",)), existing())

        assert found == merge.Match(person="customer", matched=("name", "email"), via="two_of_n")
        assert found.matches

    def test_one_condition_is_not_a_match(self) -> None:
        """MRG-1: one condition is not enough."""
        found = merge.match(person("Ada", "Lovelace"), existing())

        assert found.matched == ("name",)
        assert found.via is None
        assert not found.matches

    def test_conditions_and_minimum_come_from_the_policy(self) -> None:
        """MRG-1, GEN-7: an analyst can require all three, or count only email."""
        who = person("Ada", "Lovelace", emails=("ada@example.com",))
        three = MergePolicy(auto_merge_min_conditions=3)
        email_only = MergePolicy(auto_merge_conditions=["email"], auto_merge_min_conditions=1)

        assert merge.match(who, existing(), policy=three).via is None
        assert merge.match(who, existing(), policy=email_only).matched == ("email",)
        assert merge.match(who, existing(), policy=email_only).via == "two_of_n"

    def test_co_customer_is_compared_when_its_name_is_closer(self) -> None:
        """MRG-5: the co-customer alone is compared; the customer's data is ignored."""
        lead = existing(
            who=person("Bob", "Stone", phones=("(415) 867-5309",), emails=("bob@x.io",)),
            co_customer=person("Alice", "Stone", emails=("alice@x.io",)),
        )

        found = merge.match(person("Alice", "Stone", emails=("bob@x.io",)), lead)

        assert found.person == "co_customer"
        assert found.matched == ("name",)
        assert found.via is None

    def test_a_tie_keeps_the_customer(self) -> None:
        """MRG-5: only a strictly closer co-customer name takes over."""
        lead = existing(
            who=person("Sam", "Lee", emails=("sam1@x.io",)),
            co_customer=person("Sam", "Lee", emails=("sam2@x.io",)),
        )

        found = merge.match(person("Sam", "Lee", emails=("sam2@x.io",)), lead)

        assert found.person == "customer"
        assert found.matched == ("name",)

    def test_an_empty_inbound_name_keeps_the_customer(self) -> None:
        """MRG-5: an empty name scores 0 against both: the customer is compared."""
        lead = existing(
            who=person("Bob", "Stone", emails=("b@x.io",)),
            co_customer=person("Alice", "Stone", emails=("a@x.io",), phones=("2127365000",)),
        )

        found = merge.match(person(emails=("a@x.io",), phones=("(212) 736-5000",)), lead)

        assert (found.person, found.matched, found.via) == ("customer", (), None)

    def test_phone_only_with_no_name_merges(self) -> None:
        """MRG-4: a phone in common, no email, no name: phone_only, matched ["phone"]."""
        found = merge.match(person(phones=("415.867.5309",)), existing())

        assert found == merge.Match(person="customer", matched=("phone",), via="phone_only")

    @pytest.mark.parametrize("first", ["Unknown", "NAME", "empty", "Blank", "null"])
    def test_phone_only_with_a_placeholder_name_merges(self, first: str) -> None:
        """MRG-4: Unknown, Name, Empty, Blank, Null in any case are placeholders."""
        found = merge.match(person(first, first, phones=("415.867.5309",)), existing())

        assert found.via == "phone_only"

    def test_phone_only_needs_no_email_and_no_real_name(self) -> None:
        """MRG-4: an email (even unmatched) or a real name rules phone-only out."""
        phone = ("415.867.5309",)

        assert merge.match(person(phones=phone, emails=("zz@x.io",)), existing()).via is None
        assert merge.match(person("John", "Unknown", phones=phone), existing()).via is None
        assert merge.match(person("Zed", None, phones=phone), existing()).via is None

    def test_a_filler_email_is_not_an_email_for_phone_only(self) -> None:
        """MRG-4, v1.2 of the rules: an inbound call with none@none.com is still phone-only."""
        call = person("Unknown", phones=("415.867.5309",), emails=("NoEmail@noemail.com",))

        assert merge.match(call, existing()).via == "phone_only"
        usable = MergePolicy(placeholder_email_locals=())
        assert merge.match(call, existing(), policy=usable).via is None

    def test_phone_only_finds_the_phone_on_the_co_customer(self) -> None:
        """MRG-4: the phone may be the customer's or the co-customer's."""
        lead = existing(
            who=person("Bob", "Stone"), co_customer=person("Al", "Stone", phones=("2127365000",))
        )

        found = merge.match(person("Unknown", phones=("(212) 736-5000",)), lead)

        assert (found.person, found.via) == ("co_customer", "phone_only")

    def test_an_email_ends_phone_only_as_documented(self) -> None:
        """MRG-4, MRG-5: the documented exception to "more evidence keeps a match"."""
        lead = existing(
            who=person("Bob", "Stone"),
            co_customer=person("Al", "Stone", phones=("2127365000",), emails=("al@x.io",)),
        )
        call = person(phones=("(212) 736-5000",))

        assert merge.match(call, lead).via == "phone_only"
        assert merge.match(attrs.evolve(call, emails=("al@x.io",)), lead).via is None

    def test_phone_only_is_not_used_for_duplicates(self) -> None:
        """MRG-4 is an auto-merge rule; MRG-7 needs two conditions."""
        found = merge.match(person(phones=("415.867.5309",)), existing(), mode="duplicates")

        assert found.via is None

    def test_a_normalized_person_may_be_passed(self) -> None:
        """The pairwise decision works on normalised people too."""
        from leadcore import normalize  # noqa: PLC0415  # local to this test

        who = normalize.person(person("Ada", "Lovelace", emails=("ADA@example.com",)))

        assert merge.match(who, existing()).via == "two_of_n"

    def test_bad_input_is_refused(self) -> None:
        """GEN-5: match checks its arguments."""
        with pytest.raises(InvalidInput) as error:
            merge.match(ADA, "L1")  # type: ignore[arg-type]  # on purpose
        assert error.value.path == "existing"
        with pytest.raises(InvalidInput) as error:
            merge.match(ADA, existing(), policy="strict")  # type: ignore[arg-type]  # on purpose
        assert error.value.path == "policy"


class TestAutoCredit:
    """MRG-2: two credit applications never auto-merge."""

    def test_both_credit_applications_route_to_the_lot(self) -> None:
        """MRG-2, MRG-6: blocked, the inbound lead is routed to the candidate's lot."""
        lead = existing(source="credit_application", lot="east")

        decision = merge.auto(
            inbound(ADA, source="credit_application", lot="west"), [lead], now=NOW
        )

        assert (decision.action, decision.target, decision.lot) == ("route", "L1", "east")
        assert codes(decision.reasons) == ["both_credit_applications"]

    def test_one_credit_application_merges(self) -> None:
        """MRG-2: only both from a credit application block the merge."""
        lead = existing(source="web", lot="east")

        decision = merge.auto(inbound(ADA, source="credit_application"), [lead], now=NOW)

        assert (decision.action, decision.lot, decision.reasons) == ("merge", "east", ())

    def test_credit_sources_come_from_the_policy(self) -> None:
        """MRG-2, GEN-7: credit_application_sources lists the sources."""
        policy = MergePolicy(credit_application_sources=["finance_app"])
        lead = existing(source="finance_app")

        decision = merge.auto(inbound(ADA, source="finance_app"), [lead], now=NOW, policy=policy)

        assert decision.action == "route"

    def test_a_mergeable_candidate_beats_a_better_blocked_one(self) -> None:
        """MRG-6 with MRG-2: the best mergeable candidate wins."""
        blocked = existing("L1", source="credit_application", lot="east")
        other = existing("L2", who=person("Ada", "Lovelace", emails=("ada@example.com",)))
        other = attrs.evolve(other, lot="west", source="web")

        decision = merge.auto(inbound(ADA, source="credit_application"), [blocked, other], now=NOW)

        assert (decision.action, decision.target, decision.lot) == ("merge", "L2", "west")
        assert [(c.id, codes(c.reasons)) for c in decision.candidates] == [
            ("L1", ["both_credit_applications"]),
            ("L2", []),
        ]


class TestAutoWindows:
    """MRG-3: created less than 365 days ago, activity in the last 120 days."""

    def test_created_exactly_365_days_ago_is_not_a_candidate(self) -> None:
        """MRG-3: now - created_at < 365 days, strictly."""
        decision = merge.auto(inbound(ADA), [existing(created_at=NOW - 365 * DAY)], now=NOW)

        assert decision.action == "create"
        assert codes(decision.reasons) == ["created_too_long_ago"]

    def test_created_just_under_365_days_ago_is_a_candidate(self) -> None:
        """MRG-3: one microsecond younger than 365 days qualifies."""
        lead = existing(created_at=NOW - 365 * DAY + TICK)

        assert merge.auto(inbound(ADA), [lead], now=NOW).action == "merge"

    def test_activity_exactly_120_days_ago_is_a_candidate(self) -> None:
        """MRG-3: now - last_activity_at <= 120 days, inclusive."""
        lead = existing(last_activity_at=NOW - 120 * DAY)

        assert merge.auto(inbound(ADA), [lead], now=NOW).action == "merge"

    def test_activity_just_over_120_days_ago_is_not(self) -> None:
        """MRG-3: one microsecond more than 120 days is too idle."""
        lead = existing(last_activity_at=NOW - 120 * DAY - TICK)

        decision = merge.auto(inbound(ADA), [lead], now=NOW)

        assert decision.action == "create"
        assert codes(decision.reasons) == ["no_recent_activity"]

    def test_windows_hold_across_offsets(self) -> None:
        """MRG-3, GEN-1: instants compare, whatever their offsets."""
        ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
        lead = existing(last_activity_at=(NOW - 120 * DAY).astimezone(ist))

        assert merge.auto(inbound(ADA), [lead], now=NOW.astimezone(ist)).action == "merge"

    def test_a_lead_without_dates_is_not_a_candidate(self) -> None:
        """MRG-3, Conventions: a lead lacking created_at or last_activity_at is left out."""
        lead = existing(created_at=None)

        decision = merge.auto(inbound(ADA), [lead], now=NOW)

        assert decision.action == "create"
        assert codes(decision.candidates[0].reasons) == ["missing_dates"]

    def test_every_failing_window_is_listed(self) -> None:
        """MRG-3, GEN-4: both windows fail: both reasons, in the rulebook's order."""
        lead = existing(created_at=at(400), last_activity_at=at(200), source="credit_application")

        decision = merge.auto(inbound(ADA, source="credit_application"), [lead], now=NOW)

        assert codes(decision.reasons) == [
            "both_credit_applications",
            "created_too_long_ago",
            "no_recent_activity",
        ]

    def test_a_candidate_qualifies_unless_a_window_fails(self) -> None:
        """
        MRG-3: ``qualifies`` is False for a candidate with a window's reason.

        L1 is too old, L2 lacks its dates: neither qualifies. L3 and L4 are within both
        windows: both qualify, L4 merged into (the most recent activity) and L3
        ``outranked`` (MRG-6), a reason that is not a window's.
        """
        leads = [
            existing("L1", created_at=at(400)),
            existing("L2", last_activity_at=None),
            existing("L3", last_activity_at=at(3)),
            existing("L4", last_activity_at=at(1)),
        ]

        decision = merge.auto(inbound(ADA), leads, now=NOW)

        assert (decision.action, decision.target) == ("merge", "L4")
        assert {c.id: (c.qualifies, codes(c.reasons)) for c in decision.candidates} == {
            "L1": (False, ["created_too_long_ago"]),
            "L2": (False, ["missing_dates"]),
            "L3": (True, ["outranked"]),
            "L4": (True, []),
        }

    def test_windows_come_from_the_policy(self) -> None:
        """MRG-3, GEN-7: merge_max_age_days and merge_max_inactivity_days."""
        policy = MergePolicy(merge_max_age_days=5, merge_max_inactivity_days=0)

        decision = merge.auto(inbound(ADA), [existing()], now=NOW, policy=policy)

        assert codes(decision.reasons) == ["created_too_long_ago", "no_recent_activity"]

    def test_no_match_at_all(self) -> None:
        """MRG-1: no lead matches: create, no_match, the inbound lead keeps its lot."""
        decision = merge.auto(inbound(person("Zed", "Zulu"), lot="west"), [existing()], now=NOW)

        assert (decision.action, decision.target, decision.lot) == ("create", None, "west")
        assert codes(decision.reasons) == ["no_match"]
        assert decision.candidates == ()


class TestAutoChoice:
    """MRG-6: all lots, ranking, lots."""

    def test_candidates_are_searched_on_all_lots_and_the_lot_is_taken(self) -> None:
        """MRG-6: the inbound lead takes the lot of the lead it merges into."""
        lead = existing(lot="LOT-07")

        decision = merge.auto(inbound(ADA, lot="LOT-01"), [lead], now=NOW)

        assert (decision.action, decision.lot) == ("merge", "LOT-07")

    def test_most_conditions_win(self) -> None:
        """MRG-6: three conditions beat two, even with older activity."""
        two = existing("L1", who=person("Ada", "Lovelace", emails=("ada@example.com",)))
        three = existing("L2", last_activity_at=at(50))

        decision = merge.auto(inbound(ADA), [two, three], now=NOW)

        assert decision.target == "L2"
        assert decision.matched == ("name", "email", "phone")
        assert codes(decision.candidates[1].reasons) == ["outranked"]

    def test_then_most_recent_activity(self) -> None:
        """MRG-6: among equals, the most recent activity wins."""
        leads = [existing("L1", last_activity_at=at(5)), existing("L2", last_activity_at=at(3))]

        assert merge.auto(inbound(ADA), leads, now=NOW).target == "L2"

    def test_then_smallest_id(self) -> None:
        """MRG-6: a full tie goes to the smallest id (code-point order)."""
        leads = [existing("b"), existing("B"), existing("a")]

        decision = merge.auto(inbound(ADA), leads, now=NOW)

        assert decision.target == "B"
        assert [c.id for c in decision.candidates] == ["B", "a", "b"]

    def test_all_blocked_routes_to_the_best_blocked(self) -> None:
        """MRG-6, Conventions: only when every qualifying candidate is blocked: route."""
        leads = [
            existing("L1", source="credit_application", lot="A", last_activity_at=at(9)),
            existing("L2", source="credit_application", lot="B", last_activity_at=at(2)),
            existing("L3", lot="C", created_at=at(900)),
        ]

        decision = merge.auto(inbound(ADA, source="credit_application"), leads, now=NOW)

        assert (decision.action, decision.target, decision.lot) == ("route", "L2", "B")
        assert [(c.id, codes(c.reasons)) for c in decision.candidates] == [
            ("L3", ["created_too_long_ago"]),
            ("L2", ["both_credit_applications"]),
            ("L1", ["both_credit_applications", "outranked"]),
        ]

    def test_phone_only_counts_one_condition(self) -> None:
        """MRG-6 with MRG-4: a phone-only candidate ranks by one condition."""
        call = inbound(person(phones=("4158675309",)))

        decision = merge.auto(call, [existing()], now=NOW)

        assert (decision.action, decision.via, decision.matched) == (
            "merge",
            "phone_only",
            ("phone",),
        )

    def test_the_inbound_lead_itself_is_skipped(self) -> None:
        """MRG-6 [decided]: an existing lead with the inbound id is not a candidate."""
        decision = merge.auto(existing("N1"), [existing("N1")], now=NOW)

        assert decision.action == "create"

    def test_only_the_inbound_customer_is_compared(self) -> None:
        """Conventions: the inbound co-customer is not compared."""
        lead = inbound(person("Zed", "Zulu"), co_customer=ADA)

        assert merge.auto(lead, [existing()], now=NOW).action == "create"

    def test_filler_emails_never_merge_two_people(self) -> None:
        """MRG-1, rules v1.2: a filler email shared with a namesake is no second condition."""
        filler = ("NA@NA.COM",)
        old = existing(who=person("Ada", "Lovelace", emails=("na@na.com",)))
        new = inbound(person("Ada", "Lovelace", emails=filler))
        keep_fillers = MergePolicy(placeholder_email_locals=())

        for existing_leads in ([old], MergeIndex([old])):
            assert merge.auto(new, existing_leads, now=NOW).action == "create"
        assert merge.auto(new, [old], now=NOW, policy=keep_fillers).action == "merge"
        index = MergeIndex([old], placeholder_email_locals=())
        assert merge.auto(new, index, now=NOW, policy=keep_fillers).action == "merge"
        assert index.placeholder_email_locals == ()
        assert MergeIndex([old]).candidates(new.customer) == frozenset({"L1"})  # the name
        assert MergeIndex([old]).candidates(person(emails=filler)) == frozenset()

    def test_an_index_gives_the_same_answer(self) -> None:
        """MRG-6: the index is a faster way to the same decision."""
        leads = [existing("L1", lot="A"), existing("L2", who=person("Bob", "Stone"))]

        by_list = merge.auto(inbound(ADA), leads, now=NOW)
        by_index = merge.auto(inbound(ADA), MergeIndex(leads), now=NOW)

        assert by_index == by_list

    @pytest.mark.parametrize(
        ("call", "path", "code"),
        [
            (lambda: merge.auto(_junk("N1"), [], now=NOW), "inbound", "invalid_input"),
            (lambda: merge.auto(inbound(ADA), [_junk(1)], now=NOW), "existing[0]", "invalid_input"),
            (lambda: merge.auto(inbound(ADA), _junk("L1"), now=NOW), "existing", "invalid_input"),
            (
                lambda: merge.auto(inbound(ADA), [existing(), existing()], now=NOW),
                "existing[1].id",
                "invalid_input",
            ),
            (
                lambda: merge.auto(inbound(ADA), [], now=NOW.replace(tzinfo=None)),
                "now",
                "naive_datetime",
            ),
            (
                lambda: merge.auto(
                    inbound(ADA), MergeIndex(), now=NOW, policy=MergePolicy(default_region="FR")
                ),
                "policy.default_region",
                "invalid_input",
            ),
            (
                lambda: merge.auto(
                    inbound(ADA),
                    MergeIndex(),
                    now=NOW,
                    policy=MergePolicy(placeholder_email_locals=["none"]),
                ),
                "policy.placeholder_email_locals",
                "invalid_input",
            ),
            (
                lambda: MergeIndex(placeholder_email_locals=[None]),  # type: ignore[list-item]  # on purpose
                "placeholder_email_locals[0]",
                "invalid_input",
            ),
        ],
    )
    def test_bad_input_is_refused(self, call: Any, path: str, code: str) -> None:
        """GEN-5: bad input names its path."""
        with pytest.raises(InvalidInput) as error:
            call()

        assert (error.value.path, error.value.code) == (path, code)


class TestDuplicates:
    """MRG-7: possible duplicates, listed, never merged."""

    def test_fuzzy_name_and_email(self) -> None:
        """MRG-7: name_fuzzy and email: a possible duplicate."""
        lead = existing("L2", who=person("Adah", "Lovelace", emails=("ada@example.com",)))

        found = merge.duplicates(inbound(ADA), [lead], now=NOW)

        assert found.duplicates == (
            merge.Duplicate(id="L2", matched=("name_fuzzy", "email"), person="customer"),
        )
        assert found.ids == ("L2",)

    def test_one_condition_is_not_enough(self) -> None:
        """MRG-7: a spouse sharing only the phone is not a duplicate."""
        lead = existing("L2", who=person("Bob", "Stone", phones=("(415) 867-5309",)))

        assert merge.duplicates(inbound(ADA), [lead], now=NOW).duplicates == ()

    def test_activity_exactly_45_days_ago_counts(self) -> None:
        """MRG-7: now - last_activity_at <= 45 days, inclusive."""
        inside = existing("L1", last_activity_at=NOW - 45 * DAY)
        outside = existing("L2", last_activity_at=NOW - 45 * DAY - TICK)
        never = existing("L3", last_activity_at=None)

        found = merge.duplicates(inbound(ADA), [inside, outside, never], now=NOW)

        assert found.ids == ("L1",)

    def test_creation_date_and_sources_do_not_matter(self) -> None:
        """MRG-7: no age window, no credit-application exclusion."""
        lead = existing(created_at=at(3000), source="credit_application")

        found = merge.duplicates(inbound(ADA, source="credit_application"), [lead], now=NOW)

        assert found.ids == ("L1",)

    def test_co_customer_rule_applies(self) -> None:
        """MRG-5 applies to MRG-7 too."""
        lead = existing(
            who=person("Bob", "Stone", emails=("ada@example.com",)),
            co_customer=person("Ada", "Lovelace", phones=("(415) 867-5309",)),
        )

        found = merge.duplicates(inbound(ADA), [lead], now=NOW)

        assert found.duplicates[0].person == "co_customer"
        assert found.duplicates[0].matched == ("name_fuzzy", "phone")

    def test_sorted_by_id_and_the_lead_itself_skipped(self) -> None:
        """MRG-7: ids sorted; the lead is not its own duplicate."""
        leads = [existing("b"), existing("N1"), existing("a")]

        assert merge.duplicates(inbound(ADA), leads, now=NOW).ids == ("a", "b")

    def test_the_window_and_conditions_come_from_the_policy(self) -> None:
        """MRG-7, GEN-7: duplicate_* knobs."""
        policy = MergePolicy(duplicate_max_inactivity_days=0, duplicate_min_conditions=3)

        assert merge.duplicates(inbound(ADA), [existing()], now=NOW, policy=policy).ids == ()

    def test_an_index_gives_the_same_answer_even_when_it_must_scan(self) -> None:
        """MRG-7: with name_fuzzy alone enough, the index scans its leads."""
        policy = MergePolicy(duplicate_min_conditions=1)
        leads = [existing("L1", who=person("Ada", "Lovelac")), existing("L2")]

        by_index = merge.duplicates(inbound(ADA), MergeIndex(leads), now=NOW, policy=policy)

        assert by_index == merge.duplicates(inbound(ADA), leads, now=NOW, policy=policy)
        assert by_index.ids == ("L1", "L2")
        assert not merge.index_is_exact(policy, mode="duplicates")


class TestManual:
    """MRG-8: manual merge with a master, and its undo."""

    MASTER = Lead(
        id="A",
        customer=person("Ada", None, phones=("(415) 867-5309",), emails=("ada@example.com",)),
        status="interested",
        owner="u1",
        viewers=("v1",),
        lot="east",
        created_at=at(10),
        events=(Event(id="e1", at=at(-1)),),
        fields={"budget": 100, "color": None},
    )
    OTHER = Lead(
        id="B",
        customer=person(
            "Adah", "Lovelace", phones=("+1 415 867 5309", "(212) 736-5000"), emails=("A@x.io",)
        ),
        co_customer=person("Bob", "Stone"),
        status="claimed",
        owner="u2",
        viewers=("v2", "v1"),
        source="web",
        created_at=at(20),
        events=(Event(id="e1", at=at(-2)), Event(id="e2", at=at(-3))),
        fields={"budget": 90, "color": "red", "trim": "LX"},
    )

    def test_master_wins_and_the_rest_is_kept(self) -> None:
        """MRG-8: master's values where both have one; the other's where only it has."""
        lead = merge.manual(self.MASTER, self.OTHER).lead

        assert lead.id == "A"
        assert (lead.customer.first_name, lead.customer.last_name) == ("Ada", "Lovelace")
        assert (lead.status, lead.owner, lead.source, lead.lot) == (
            "interested",
            "u1",
            "web",
            "east",
        )
        assert lead.created_at == at(10)
        assert lead.co_customer == person("Bob", "Stone")
        assert dict(lead.fields) == {"budget": 100, "color": "red", "trim": "LX"}

    def test_multi_valued_fields_are_united(self) -> None:
        """MRG-8: phones, emails, events and viewers united; normalised duplicates dropped."""
        lead = merge.manual(self.MASTER, self.OTHER).lead

        assert lead.customer.phones == ("(415) 867-5309", "(212) 736-5000")
        assert lead.customer.emails == ("ada@example.com", "A@x.io")
        assert [e.id for e in lead.events] == ["e1", "e2"]
        assert lead.events[0].at == at(-1)
        assert lead.viewers == ("v1", "v2")

    def test_the_other_is_retired(self) -> None:
        """MRG-8: status merged, merged_into the master; its values kept."""
        retired = merge.manual(self.MASTER, self.OTHER).retired

        assert retired == attrs.evolve(self.OTHER, status=MERGED, merged_into="A")

    def test_every_losing_value_is_discarded_with_its_field(self) -> None:
        """MRG-8, GEN-6: each value of the other lead the merged lead lacks."""
        discarded = merge.manual(self.MASTER, self.OTHER).discarded

        assert [(d.lead, d.field, d.value) for d in discarded] == [
            ("B", "customer.first_name", "Adah"),
            ("B", "customer.phones", "+1 415 867 5309"),
            ("B", "status", "claimed"),
            ("B", "owner", "u2"),
            ("B", "created_at", at(20)),
            ("B", "events", Event(id="e1", at=at(-2))),
            ("B", "fields.budget", 90),
        ]

    def test_the_record_lists_every_change_of_both_leads(self) -> None:
        """MRG-8, GEN-6: old and new value of every changed field."""
        record = merge.manual(self.MASTER, self.OTHER).record

        assert [(c.lead, c.field) for c in record.changes] == [
            ("A", "customer"),
            ("A", "co_customer"),
            ("A", "viewers"),
            ("A", "source"),
            ("A", "events"),
            ("A", "fields"),
            ("B", "status"),
            ("B", "merged_into"),
        ]
        assert (record.master, record.other) == ("A", "B")

    def test_unmerge_restores_both_leads(self) -> None:
        """MRG-8: the merge can be undone from the merged lead and its record."""
        result = merge.manual(self.MASTER, self.OTHER)

        assert merge.unmerge(result.lead, result.record) == (self.MASTER, self.OTHER)
        assert merge.unmerge(result.lead, result.record, retired=result.retired) == (
            self.MASTER,
            self.OTHER,
        )

    def test_unmerge_refuses_a_lead_changed_since(self) -> None:
        """GEN-6: undoing over later changes would lose them: refused."""
        result = merge.manual(self.MASTER, self.OTHER)
        later = attrs.evolve(result.lead, source="phone")

        with pytest.raises(InvalidInput):
            merge.unmerge(later, result.record)
        with pytest.raises(InvalidInput) as error:
            merge.unmerge(self.OTHER, result.record)
        assert error.value.path == "lead.id"
        with pytest.raises(InvalidInput) as error:
            merge.unmerge(result.lead, result.record, retired=self.MASTER)
        assert error.value.path == "retired.id"
        with pytest.raises(InvalidInput) as error:
            merge.unmerge(result.lead, "record")  # type: ignore[arg-type]  # on purpose
        assert error.value.path == "record"

    def test_blank_text_is_no_value(self) -> None:
        """MRG-8, v1.2 of the rules: blank text (white space, control characters) is no value."""
        result = merge.manual(
            Lead(id="A", lot="  ", fields={"note": "\t", "trim": "LX"}),
            Lead(id="B", lot="west", status="\x00 ", fields={"note": "call", "trim": " "}),
        )

        assert (result.lead.lot, result.lead.status) == ("west", None)
        assert dict(result.lead.fields) == {"note": "call", "trim": "LX"}
        assert [(d.lead, d.field, d.value) for d in result.discarded] == [
            ("A", "fields.note", "\t"),
            ("B", "fields.trim", " "),
        ]

    def test_equal_values_written_differently_are_discarded(self) -> None:
        """MRG-8, GEN-6: a loser equal in Python but written otherwise is not lost."""
        paris = dt.timezone(dt.timedelta(hours=1))
        master = Lead(
            id="A",
            created_at=at(10),
            events=(Event(id="e1", at=at(1)),),
            fields={"a": 1, "b": 1, "c": True},
        )
        other = Lead(
            id="B",
            created_at=at(10).astimezone(paris),
            events=(Event(id="e1", at=at(1).astimezone(paris)),),
            fields={"a": True, "b": 1.0, "c": True},
        )

        result = merge.manual(master, other)

        assert [(d.field, d.value) for d in result.discarded] == [
            ("created_at", at(10).astimezone(paris)),
            ("events", Event(id="e1", at=at(1).astimezone(paris))),
            ("fields.a", True),
            ("fields.b", 1.0),
        ]
        assert type(result.discarded[2].value) is bool
        assert type(result.discarded[3].value) is float
        assert result.discarded[0].value.utcoffset() == dt.timedelta(hours=1)

    def test_duplicates_are_dropped_within_every_list(self) -> None:
        """MRG-8, v1.2 of the rules: the master's own duplicates and a lone co-customer's too."""
        e1 = Event(id="e1", at=at(1))
        master = Lead(
            id="A",
            customer=person(None, None, emails=("al@x.io", "AL@x.io")),
            co_customer=person(None, None, phones=("4158675309", "+1 415 867 5309")),
            events=(e1, e1, Event(id="e1", at=at(2))),
        )
        other = Lead(id="B", co_customer=None)

        result = merge.manual(master, other)
        flipped = merge.manual(other, master)

        assert result.lead.customer.emails == ("al@x.io",)
        assert result.lead.co_customer == person(None, None, phones=("4158675309",))
        assert result.lead.events == (e1,)
        assert [(d.lead, d.field, d.value) for d in result.discarded] == [
            ("A", "customer.emails", "AL@x.io"),
            ("A", "co_customer.phones", "+1 415 867 5309"),
            ("A", "events", Event(id="e1", at=at(2))),
        ]
        assert flipped.lead.co_customer == result.lead.co_customer
        assert flipped.lead.events == (e1,)
        assert merge.unmerge(result.lead, result.record) == (master, other)

    def test_a_co_customer_alone_is_deduplicated_like_a_merged_one(self) -> None:
        """MRG-8, v1.2 of the rules: ["al@x.io", "AL@x.io"] keeps one, whatever the other lead."""
        master = Lead(id="A", co_customer=person(None, None, emails=("al@x.io", "AL@x.io")))

        alone = merge.manual(master, Lead(id="B")).lead.co_customer
        with_empty = merge.manual(master, Lead(id="B", co_customer=Person())).lead.co_customer

        assert alone == with_empty == person(None, None, emails=("al@x.io",))

    def test_many_spellings_of_one_address_keep_the_first(self) -> None:
        """MRG-8: 20,000 spellings of one address on each lead: one kept, the rest lost."""
        spellings = tuple(
            "".join(c.upper() if i >> k & 1 else c for k, c in enumerate("abcdefghijklmno"))
            + "@x.io"
            for i in range(20_000)
        )

        result = merge.manual(
            Lead(id="A", customer=Person(emails=spellings)),
            Lead(id="B", customer=Person(emails=spellings[::-1])),
        )

        assert result.lead.customer.emails == (spellings[0],)
        assert len(result.discarded) == 2 * (20_000 - 1)  # all but the one kept, twice
        assert {d.lead for d in result.discarded} == {"A", "B"}

    def test_merged_into_is_never_inherited(self) -> None:
        """MRG-8 [decided]: the survivor does not take the other's merged_into."""
        result = merge.manual(Lead(id="A"), Lead(id="B", merged_into="C"))

        assert result.lead.merged_into is None
        assert [(d.field, d.value) for d in result.discarded] == [("merged_into", "C")]
        assert result.retired.merged_into == "A"

    def test_co_customers_merge_field_by_field(self) -> None:
        """MRG-8, Conventions: co-customer with co-customer."""
        master = Lead(id="A", co_customer=person("Al", None, emails=("al@x.io",)))
        other = Lead(id="B", co_customer=person("Alan", "Stone", emails=("AL@x.io",)))

        result = merge.manual(master, other)

        assert result.lead.co_customer == person("Al", "Stone", emails=("al@x.io",))
        assert [(d.field, d.value) for d in result.discarded] == [
            ("co_customer.first_name", "Alan"),
            ("co_customer.emails", "AL@x.io"),
        ]

    def test_merging_a_lead_with_itself_is_refused(self) -> None:
        """MRG-8, Conventions: merging a lead with itself is invalid_input."""
        with pytest.raises(InvalidInput) as error:
            merge.manual(self.MASTER, attrs.evolve(self.OTHER, id="A"))

        assert error.value.path == "other.id"

    def test_non_leads_are_refused(self) -> None:
        """GEN-5: manual takes two leads."""
        with pytest.raises(InvalidInput) as error:
            merge.manual(self.MASTER, None)  # type: ignore[arg-type]  # on purpose

        assert error.value.path == "other"


class TestIndex:
    """MRG-6, MRG-7: the candidate index."""

    def test_candidates_share_a_phone_email_or_full_name(self) -> None:
        """The index finds leads by any normalised key of either person."""
        leads = [
            Lead(id="p", customer=person(phones=("4158675309",))),
            Lead(id="e", co_customer=person(emails=("ADA@example.com",))),
            Lead(id="n", customer=person("ada", "LOVELACE")),
            Lead(id="x", customer=person("Ada", None, emails=("other@x.io",))),
        ]

        index = MergeIndex(leads)

        assert index.candidates(ADA) == {"p", "e", "n"}

    def test_add_remove_replace(self) -> None:
        """A service updates the index in place."""
        index = MergeIndex()
        index.add(Lead(id="L1", customer=ADA))

        old = index.replace(Lead(id="L1", customer=person("Bob", "Stone")))

        assert old.customer == ADA
        assert index.candidates(ADA) == frozenset()
        assert index.candidates(person("bob", "stone")) == {"L1"}
        assert "L1" in index
        assert len(index) == 1
        assert [lead.id for lead in index] == ["L1"]
        assert index.get("L1") is not None
        assert index.remove("L1").id == "L1"
        assert index.get("L1") is None
        assert "MergeIndex of 0 leads" in repr(index)

    def test_shared_keys_survive_removals(self) -> None:
        """Buckets with several leads shrink one lead at a time."""
        index = MergeIndex([Lead(id=i, customer=ADA, co_customer=ADA) for i in ("L1", "L2", "L3")])

        index.remove("L2")
        assert index.candidates(ADA) == {"L1", "L3"}
        index.remove("L1")
        assert index.candidates(ADA) == {"L3"}
        index.remove("L3")
        assert index.candidates(ADA) == frozenset()

    @pytest.mark.parametrize(
        ("call", "path"),
        [
            (lambda i: i.add(Lead(id="L1")), "lead.id"),
            (lambda i: i.add("L2"), "lead"),
            (lambda i: i.remove("L9"), "lead_id"),
            (lambda i: i.replace(Lead(id="L9")), "lead.id"),
            (lambda i: i.replace(None), "lead"),
            (lambda i: i.candidates("Ada"), "who"),
            (lambda _: MergeIndex([Lead(id="L1"), Lead(id="L1")]), "leads[1].id"),
            (lambda _: MergeIndex([_junk(None)]), "leads[0]"),
            (lambda _: MergeIndex(region="XX"), "region"),
        ],
    )
    def test_bad_updates_are_refused(self, call: Any, path: str) -> None:
        """GEN-5: index errors name the argument."""
        index = MergeIndex([Lead(id="L1")])

        with pytest.raises(InvalidInput) as error:
            call(index)

        assert error.value.path == path
        assert len(index) == 1

    def test_exactness_depends_on_the_policy(self) -> None:
        """The index is exact unless name_fuzzy alone can match."""
        assert merge.index_is_exact()
        assert merge.index_is_exact(MergePolicy(auto_merge_min_conditions=1))
        fuzzy = MergePolicy(
            auto_merge_conditions=["name_fuzzy", "email"], auto_merge_min_conditions=1
        )
        assert not merge.index_is_exact(fuzzy)

    def test_a_name_only_policy_uses_the_name_keys(self) -> None:
        """MRG-1, GEN-7: with name alone enough, leads are found by their name."""
        policy = MergePolicy(auto_merge_min_conditions=1)
        leads = [existing("L1", who=person("Ada", "Lovelace"))]

        decision = merge.auto(inbound(ADA), MergeIndex(leads), now=NOW, policy=policy)

        assert (decision.action, decision.matched) == ("merge", ("name",))


class TestCost:
    """GEN-5: lists of 100,000 emails or leads in linear time (operation counts)."""

    @staticmethod
    def _manual(count: int) -> Any:
        mine = [CountedText(f"user{i}@example.com") for i in range(count)]
        theirs = [CountedText(f"USER{i}@Example.com") for i in range(count)]
        master = Lead(id="A", customer=Person(emails=mine))
        other = Lead(id="B", customer=Person(emails=theirs))
        return lambda: merge.manual(master, other)

    def test_manual_merge_of_emails_differing_in_case_is_linear(self) -> None:
        """MRG-8: n addresses held in another case are discarded without rescanning the n kept."""
        assert len(self._manual(300)().discarded) == 300

        small, large = comparisons(self._manual(300)), comparisons(self._manual(600))

        assert large <= 2 * small + 10

    @staticmethod
    def _index(count: int) -> Any:
        leads = [Lead(id=CountedText(f"L{i}"), customer=ADA) for i in range(count)]
        return lambda: MergeIndex(leads)

    def test_an_index_of_leads_sharing_keys_is_built_in_linear_time(self) -> None:
        """MRG-6: n leads with the same phone, email and name fill one bucket each in ~n."""
        assert len(self._index(300)().candidates(ADA)) == 300

        small, large = comparisons(self._index(300)), comparisons(self._index(600))

        assert large <= 2 * small + 10


def test_docs_page_examples_run() -> None:
    """MRG-1..MRG-8: the examples of docs/merge.md are doctested."""
    page = Path(__file__).parent.parent / "docs" / "merge.md"

    outcome = doctest.testfile(str(page), module_relative=False, verbose=False)

    assert outcome.attempted > 0
    assert outcome.failed == 0


class TestExplain:
    """``merge.explain``: why an inbound lead matches an existing lead, or not."""

    def existing(self, **fields: Any) -> Lead:
        """An existing lead inside every window."""
        return Lead(id="L1", created_at=at(10), last_activity_at=at(1), **fields)

    def test_every_condition_shows_values_normal_forms_and_score(self) -> None:
        """MRG-1, MRG-7: values as entered, normal forms, the fuzzy score and threshold."""
        inbound = Lead(id="N1", customer=person("José", "O'Brien", emails=(" Jo@X.io",)))
        old = self.existing(customer=person("Jose", "OBrien", emails=("jo@x.io",)))

        why = merge.explain(inbound, old, now=NOW)

        name = why.condition("name")
        assert (name.inbound, name.inbound_normal, name.common) == (
            ("José", "O'Brien"),
            ("jose", "obrien"),
            ("jose obrien",),
        )
        fuzzy = why.condition("name_fuzzy")
        assert (fuzzy.counted, fuzzy.holds, fuzzy.score, fuzzy.threshold) == (
            False,
            True,
            100.0,
            90.0,
        )
        assert why.condition("email").common == ("jo@x.io",)
        assert why.condition("phone").blocked_by == "no_usable_phone"
        assert (why.outcome, why.via, why.matched) == ("merge", "two_of_n", ("name", "email"))
        with pytest.raises(KeyError):
            why.condition("vin")

    def test_placeholder_names_block_the_name_condition(self) -> None:
        """MRG-4: a placeholder name never meets ``name``; phone-only may match instead."""
        inbound = Lead(id="N1", customer=person("Unknown", phones=("4158675309",)))
        old = self.existing(customer=person("unknown", phones=("(415) 867-5309",)))

        why = merge.explain(inbound, old, now=NOW)

        assert why.condition("name").blocked_by == "no_full_name"
        phone_only = why.groups[1]
        assert (phone_only.name, phone_only.holds, phone_only.failed) == ("phone_only", True, ())
        assert (why.via, why.outcome) == ("phone_only", "merge")
        placeholder = merge.explain(
            Lead(id="N1", customer=person("Null", "Blank")),
            self.existing(customer=person("NULL", "blank")),
            now=NOW,
        )
        assert placeholder.condition("name").blocked_by == "placeholder_name"

    def test_co_customer_scores_are_shown(self) -> None:
        """MRG-5: both names' scores, and the co-customer compared when strictly closer."""
        old = self.existing(
            customer=person("Bob", "Stone"),
            co_customer=person("Alice", "Stone", emails=("al@x.io",)),
        )

        why = merge.explain(
            Lead(id="N1", customer=person("Alice", "Stone", emails=("AL@x.io",))), old, now=NOW
        )

        assert why.person == "co_customer"
        assert why.co_customer_score == 100.0
        assert why.customer_score is not None
        assert why.customer_score < 100.0

    def test_the_duplicate_window_is_named(self) -> None:
        """MRG-7: a match idle for more than 45 days is not a possible duplicate, and says so."""
        old = Lead(id="L1", customer=ADA, last_activity_at=at(46))

        why = merge.explain(Lead(id="N1", customer=ADA), old, now=NOW, mode="duplicates")

        assert why.matches
        assert why.outcome == "none"
        assert [r.code for r in why.blocked_by] == ["no_recent_activity"]
        assert "45 days" in why.blocked_by[0].message
        undated = merge.explain(
            Lead(id="N1", customer=ADA), Lead(id="L1", customer=ADA), now=NOW, mode="duplicates"
        )
        assert [r.code for r in undated.blocked_by] == ["missing_dates"]

    def test_bad_arguments_are_input_errors(self) -> None:
        """GEN-5: the same lead twice, a bad mode or a naive now are refused naming them."""
        one = Lead(id="L1", customer=ADA)

        with pytest.raises(InvalidInput) as same:
            merge.explain(one, one, now=NOW)
        with pytest.raises(InvalidInput) as mode:
            merge.explain(Lead(id="N1"), one, now=NOW, mode="all")  # type: ignore[arg-type]  # on purpose
        with pytest.raises(InvalidInput) as naive:
            merge.explain(Lead(id="N1"), one, now=dt.datetime(2026, 1, 1))  # noqa: DTZ001  # on purpose

        assert (same.value.path, mode.value.path, naive.value.path) == (
            "existing.id",
            "mode",
            "now",
        )

    def test_it_shows_itself_briefly(self) -> None:
        """The explanation's repr is its summary and tables; the HTML escapes values."""
        inbound = Lead(id="<N1>", customer=person("Ada", "<b>Lovelace</b>"))

        why = merge.explain(inbound, self.existing(customer=ADA), now=NOW)

        assert repr(why).startswith("<MatchExplanation: <N1> -> L1 (auto): create")
        assert "&lt;b&gt;Lovelace&lt;/b&gt;" in why._repr_html_()
        assert "<b>" not in why._repr_html_()
