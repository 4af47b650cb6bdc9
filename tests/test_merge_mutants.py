"""
leadcore.merge pinned down in full, where the example tests leave it open.

Every reason of an auto-merge with its message and facts, every problem its arguments are
refused with, a manual merge's and an unmerge's refusals, and how results show
themselves. Each test kills mutants of merge.py that the example tests let survive
(mutation testing, issue 20: ``python3 dev.py mutate merge``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from leadcore import _attrs as a
from leadcore import _display, merge
from leadcore.merge import MergeIndex, MergePolicy
from leadcore.model import Lead, Person

from .asserts import explained, problems
from .helpers import NOW

DAY = dt.timedelta(days=1)
ADA = Person(first_name="Ada", last_name="Lovelace", emails=["ada@x.io"], phones=["(415) 867-5309"])
INBOUND = Lead(id="N1", customer=ADA)
CREDIT = "credit_application"


def candidate(lead_id: str, **fields: Any) -> Lead:
    """An existing lead of Ada's inside every window."""
    base: dict[str, Any] = {
        "customer": ADA,
        "created_at": NOW - 10 * DAY,
        "last_activity_at": NOW - DAY,
    }
    return Lead(id=lead_id, **(base | fields))


class TestAutoReasons:
    """MRG-1 to MRG-6: each candidate's reasons in full, the decision's own."""

    def test_every_window_reason_and_the_ranking(self) -> None:
        """Dates missing or too old; qualifying leads outranked by the winner."""
        leads = [
            candidate("L1"),
            candidate("L2", created_at=None),
            candidate("L3", created_at=NOW - 400 * DAY),
            candidate("L4", last_activity_at=NOW - 400 * DAY),
            candidate("L5"),
        ]

        decision = merge.auto(INBOUND, leads, now=NOW)

        assert (decision.action, decision.target, decision.codes) == ("merge", "L1", ())
        assert {c.id: explained(c.reasons) for c in decision.candidates} == {
            "L1": [],
            "L2": [
                (
                    "missing_dates",
                    "lead 'L2' has no created_at, so it is not a candidate (MRG-3)",
                    {"missing": ("created_at",)},
                )
            ],
            "L3": [
                (
                    "created_too_long_ago",
                    (
                        "lead 'L3' was created 400 days before now; candidates were created less "
                        "than 365 days before (MRG-3)"
                    ),
                    {"created_at": NOW - 400 * DAY, "age": 400 * DAY, "limit": 365 * DAY},
                )
            ],
            "L4": [
                (
                    "no_recent_activity",
                    (
                        "lead 'L4' had its last activity 400 days before now; candidates have "
                        "activity in the last 120 days (MRG-3)"
                    ),
                    {"last_activity_at": NOW - 400 * DAY, "idle": 400 * DAY, "limit": 120 * DAY},
                )
            ],
            "L5": [
                (
                    "outranked",
                    (
                        "lead 'L5' qualifies but lead 'L1' ranks first (most conditions, then most "
                        "recent activity, then smallest id; MRG-6)"
                    ),
                    {"winner": "L1"},
                )
            ],
        }

    def test_credit_applications_route_and_missing_dates_list_both(self) -> None:
        """MRG-2: the decision carries the reason; MRG-3: every missing date named."""
        inbound = Lead(id="N1", customer=ADA, source=CREDIT)
        leads = [
            candidate("L1", source=CREDIT),
            candidate("L2", created_at=None, last_activity_at=None),
        ]

        decision = merge.auto(inbound, leads, now=NOW)

        both = (
            "both_credit_applications",
            (
                "lead 'N1' and lead 'L1' both come from a credit application; they never merge "
                "automatically (MRG-2)"
            ),
            {"inbound_source": CREDIT, "existing_source": CREDIT},
        )
        assert (decision.action, explained(decision.reasons)) == ("route", [both])
        assert [explained(c.reasons) for c in decision.candidates] == [
            [both],
            [
                (
                    "missing_dates",
                    (
                        "lead 'L2' has no created_at and no last_activity_at, so it is not a "
                        "candidate (MRG-3)"
                    ),
                    {"missing": ("created_at", "last_activity_at")},
                )
            ],
        ]

    def test_no_match(self) -> None:
        """MRG-1, MRG-4: create, saying so."""
        decision = merge.auto(INBOUND, [], now=NOW)

        assert (decision.action, explained(decision.reasons)) == (
            "create",
            [("no_match", "no existing lead matches lead 'N1' (MRG-1, MRG-4)", {})],
        )


class TestArguments:
    """GEN-5: what auto and duplicates refuse, by path and value."""

    def test_each_argument(self) -> None:
        """The inbound lead, now, the policy, the counts, the existing leads."""
        auto = merge.auto
        naive = dt.datetime(2026, 1, 1)  # noqa: DTZ001  # naive on purpose

        assert problems(auto, 3, [], now=NOW) == [("inbound", 3, "must be a Lead, not int")]
        assert problems(auto, INBOUND, [], now=naive) == [
            (
                "now",
                naive,
                "must be timezone-aware (add an offset such as +00:00)",
                "naive_datetime",
            )
        ]
        assert problems(auto, INBOUND, [], now=NOW, policy=3) == [
            ("policy", 3, "must be a MergePolicy, not int")
        ]
        assert problems(auto, INBOUND, [], now=NOW, counts=3) == [
            ("counts", 3, "must be a KeyCounts or None, not int")
        ]
        assert problems(auto, INBOUND, "abc", now=NOW) == [
            ("existing", "abc", "must be a list or a MergeIndex, not str")
        ]
        assert problems(auto, INBOUND, [candidate("L1"), 5], now=NOW) == [
            ("existing[1]", 5, "must be a Lead, not int")
        ]

    def test_existing_ids_are_unique(self) -> None:
        """The second lead with an id is named, with the first."""
        leads = [candidate("L1"), candidate("L2"), candidate("L1")]

        assert problems(merge.auto, INBOUND, leads, now=NOW) == [
            ("existing[2].id", "L1", "is also the id of existing[0]; ids must be unique")
        ]
        assert problems(merge.duplicates, INBOUND, leads, now=NOW) == [
            ("existing[2].id", "L1", "is also the id of existing[0]; ids must be unique")
        ]

    def test_an_index_needs_its_own_region_and_fillers(self) -> None:
        """A MergeIndex is built for one region and one list of email fillers."""
        index = MergeIndex([candidate("L1")])
        fillers = (
            "must be the email fillers the index was built with (('none', 'noemail', 'nomail', "
            "'na', 'null', 'unknown', 'noreply', 'donotreply'))"
        )

        assert problems(
            merge.auto, INBOUND, index, now=NOW, policy=MergePolicy(default_region="FR")
        ) == [("policy.default_region", "FR", "must be the region the index was built with ('US')")]
        assert problems(
            merge.auto, INBOUND, index, now=NOW, policy=MergePolicy(placeholder_email_locals=["x"])
        ) == [("policy.placeholder_email_locals", ("x",), fillers)]

    def test_manual_and_unmerge(self) -> None:
        """A lead never merges with itself; an unmerge needs the record's own leads."""
        done = merge.manual(candidate("A"), candidate("B", customer=Person(first_name="Bob")))

        assert problems(merge.manual, INBOUND, INBOUND) == [
            ("other.id", "N1", "must differ from the master's id: a lead cannot merge with itself")
        ]
        assert problems(merge.unmerge, candidate("Z"), done.record) == [
            ("lead.id", "Z", "must be the master of the record ('A')")
        ]
        assert problems(merge.unmerge, done.lead, done.record, retired=candidate("Q")) == [
            ("retired.id", "Q", "must be the retired lead of the record ('B')")
        ]


class TestArgumentPaths:
    """GEN-5: every other entry point names the argument it refuses, with its value."""

    def test_compare_match_duplicates_and_manual(self) -> None:
        """Not a lead or a person: refused at the argument's own path, with its type."""
        compare, match = merge.compare, merge.match
        duplicates, manual = merge.duplicates, merge.manual
        other = candidate("L1")
        person = "must be a Person or a NormalizedPerson"

        assert problems(compare, 3, ADA) == [("left", 3, f"{person}, not int")]
        assert problems(compare, ADA, "x") == [("right", "x", f"{person}, not str")]
        assert problems(match, 3, other) == [("inbound", 3, f"{person} or a Lead, not int")]
        assert problems(match, INBOUND, None) == [("existing", None, "must be a Lead, not None")]
        assert problems(duplicates, 3, [], now=NOW) == [("lead", 3, "must be a Lead, not int")]
        assert problems(manual, 3, other) == [("master", 3, "must be a Lead, not int")]
        assert problems(manual, other, 3) == [("other", 3, "must be a Lead, not int")]

    def test_a_plain_list_of_existing_leads_is_bounded(self) -> None:
        """GEN-5: up to MAX_ITEMS leads are read; one more is refused, counted, not echoed."""
        many = [candidate("L1")] * a.MAX_ITEMS

        # Exactly the limit is read (and its repeated id is what is refused).
        assert problems(merge.auto, INBOUND, many, now=NOW) == [
            ("existing[1].id", "L1", "is also the id of existing[0]; ids must be unique")
        ]
        assert problems(merge.auto, INBOUND, [*many, many[0]], now=NOW) == [
            (
                "existing",
                f"<{a.MAX_ITEMS + 1} leads>",
                f"must hold at most {a.MAX_ITEMS} leads; use a MergeIndex for more",
            )
        ]


class TestMatchCounts:
    """match() counts a max_leads item's keys over the counts given, else the lead alone."""

    def test_given_counts_make_a_key_too_common(self) -> None:
        """A number held by three leads of the counts: ignored; over the lead alone: used."""
        centre = Person(phones=["800 555 0199"])
        phone = merge.MatchItem(field="phone", max_leads=2)
        rule = merge.MatchRule(any_of=[merge.MatchGroup(all_of=[phone])])
        policy = MergePolicy(duplicate_rule=rule)
        leads = [Lead(id=i, customer=centre) for i in "ABC"]
        counts = merge.KeyCounts.of(leads, policy=policy)

        alone = merge.match(centre, leads[0], policy=policy, mode="duplicates")
        counted = merge.match(centre, leads[0], policy=policy, mode="duplicates", counts=counts)

        assert (alone.matched, alone.via) == (("phone",), "any_of[0]")
        assert (counted.matches, counted.matched, counted.via) == (False, (), None)

    def test_auto_counts_over_the_counts_given(self) -> None:
        """auto: the number three leads hold elsewhere is too common; over L1 alone, a merge."""
        centre = Person(phones=["800 555 0199"])
        phone = merge.MatchItem(field="phone", max_leads=2)
        policy = MergePolicy(
            auto_merge_rule=merge.MatchRule(any_of=[merge.MatchGroup(all_of=[phone])])
        )
        counts = merge.KeyCounts.of([Lead(id=i, customer=centre) for i in "ABC"], policy=policy)
        inbound = Lead(id="N1", customer=centre)
        existing = [candidate("L1", customer=centre)]

        alone = merge.auto(inbound, existing, now=NOW, policy=policy)
        counted = merge.auto(inbound, existing, now=NOW, policy=policy, counts=counts)

        assert (alone.action, alone.target) == ("merge", "L1")
        assert (counted.action, counted.codes) == ("create", ("no_match",))

    def test_counted_over_a_plain_list_with_the_policy_name_placeholders(self) -> None:
        """A first name held by two existing leads is too common for max_leads=1.

        "Na" is an email filler but no name placeholder: it is a name key, counted.
        """
        first = merge.MatchItem(field="first_name", max_leads=1)
        policy = MergePolicy(
            duplicate_rule=merge.MatchRule(any_of=[merge.MatchGroup(all_of=[first])])
        )
        na = Lead(id="N1", customer=Person(first_name="Na"))
        once = [candidate("L1", customer=Person(first_name="Na"))]
        twice = [*once, candidate("L2", customer=Person(first_name="Na"))]

        assert merge.duplicates(na, once, now=NOW, policy=policy).ids == ("L1",)
        assert merge.duplicates(na, twice, now=NOW, policy=policy).ids == ()


class TestCompareGroups:
    """compare() skips a group about the inbound lead, and goes on with the others."""

    def test_a_group_with_inbound_lacks_first(self) -> None:
        """The inbound_lacks group's phone is left out; the email group after it still counts."""
        lacking = merge.MatchGroup(all_of=[merge.MatchItem(field="phone")], inbound_lacks=["email"])
        rule = merge.MatchRule(any_of=[lacking, merge.MatchGroup(all_of=["email"])])

        assert merge.compare(ADA, ADA, policy=MergePolicy(auto_merge_rule=rule)) == ("email",)


class TestShown:
    """How the results show themselves: headline, summary, first rows."""

    def test_an_auto_merge_and_a_creation(self) -> None:
        """The target and how it matched; or the reasons."""
        merged = merge.auto(INBOUND, [candidate("L1"), candidate("L2")], now=NOW)
        created = merge.auto(INBOUND, [], now=NOW)

        assert merged._view(1) == _display.View(
            "AutoMerge",
            "merge into 'L1' (lot None): name+email+phone on the customer, two_of_n",
            facts=[
                ("action", "merge"),
                ("target", "L1"),
                ("lot", None),
                ("matched", ("name", "email", "phone")),
                ("person", "customer"),
                ("via", "two_of_n"),
                ("candidates", 2),
            ],
            tables=[
                _display.Table("reasons", ("code", "message"), [], 0),
                _display.Table(
                    "candidates",
                    ("id", "matched", "person", "via", "reasons"),
                    [("L1", ("name", "email", "phone"), "customer", "two_of_n", ())],
                    2,
                ),
            ],
        )
        assert created._view(1).headline == "create (lot None): no_match"

    def test_duplicates_and_manual_merges(self) -> None:
        """How many duplicates; who merged into whom, what was discarded and changed."""
        found = merge.duplicates(INBOUND, [candidate("L1"), candidate("L2")], now=NOW)
        done = merge.manual(
            candidate("A"), candidate("B", customer=Person(first_name="Bob", phones=["1"]))
        )

        assert found._view(1) == _display.View(
            "Duplicates",
            "2 possible duplicates",
            tables=[
                _display.Table(
                    "duplicates",
                    ("id", "matched", "person"),
                    [("L1", ("name_fuzzy", "email", "phone"), "customer")],
                    2,
                )
            ],
        )
        assert done._view(1) == _display.View(
            "ManualMerge",
            "'B' merged into 'A'",
            facts=[("lead", "A"), ("retired", "B"), ("changes", 3), ("discarded", 1)],
            tables=[
                _display.Table(
                    "discarded",
                    ("lead", "field", "value"),
                    [("B", "customer.first_name", "Bob")],
                    1,
                ),
                _display.Table(
                    "record",
                    ("lead", "field", "old", "new"),
                    [("A", "customer", "<Person>", "<Person>")],
                    3,
                ),
            ],
        )
        assert done.record._view(1) == _display.View(
            "MergeRecord",
            "'B' merged into 'A'",
            facts=[("master", "A"), ("other", "B"), ("changes", 3), ("discarded", 1)],
            tables=[
                _display.Table(
                    "changes",
                    ("lead", "field", "old", "new"),
                    [("A", "customer", "<Person>", "<Person>")],
                    3,
                ),
                _display.Table(
                    "discarded",
                    ("lead", "field", "value"),
                    [("B", "customer.first_name", "Bob")],
                    1,
                ),
            ],
        )

    def test_a_route_and_the_first_rows_only(self) -> None:
        """A route names its lot, target and codes; every table shows the first rows only."""
        inbound = Lead(id="N1", customer=ADA, source=CREDIT)
        routed = merge.auto(inbound, [candidate("L1", source=CREDIT, lot="B")], now=NOW)
        stale = [
            candidate("L1", created_at=None),
            candidate("L2", last_activity_at=NOW - 400 * DAY),
        ]
        created = merge.auto(INBOUND, stale, now=NOW)
        byron = Person(first_name="Bob", last_name="Byron", phones=["1"])
        done = merge.manual(candidate("A"), candidate("B", customer=byron))

        assert routed._view(1).headline == "route to lot 'B' of 'L1': both_credit_applications"
        assert routed._view(0).tables[0] == _display.Table("reasons", ("code", "message"), [], 1)
        assert created._view(1).headline == ("create (lot None): missing_dates, no_recent_activity")
        discarded = _display.Table(
            "discarded", ("lead", "field", "value"), [("B", "customer.first_name", "Bob")], 2
        )
        assert done._view(1).tables[0] == discarded
        assert done.record._view(1).tables[1] == discarded


def test_the_module_lists_its_public_names() -> None:
    """``dir(leadcore.merge)`` is its public surface."""
    assert dir(merge) == sorted(merge.__all__)
