"""
The matching engine (leadcore._merge.engine) pinned down in full.

Compiled items (values on each side, what the inbound side prepares, keys ignored under
``max_leads``, the check on values that batch deduplication uses, fuzzy scores and blank
handling at their thresholds), compiled groups (their blocking, their guards, the labels
that hold and how close a group came), the compiled rule, and MRG-5's choice of person
with the report of a non-match. Each test kills mutants of _merge/engine.py that the
merge tests let survive (mutation testing, issue 20: ``python3 dev.py mutate
_merge.engine``).
"""

from __future__ import annotations

import attrs
import pytest

from leadcore import _fuzzy, normalize
from leadcore._merge import engine as e
from leadcore._merge.keys import Key, KeySpace
from leadcore._merge.policy import MergePolicy, Mode
from leadcore._merge.rules import MatchGroup, MatchItem, MatchRule
from leadcore.model import Lead, Person

FOLDED = frozenset({"test", "unknown"})
ADA = Person(first_name="Ada", last_name="Lovelace", emails=["ada@x.io"], phones=["(415) 867-5309"])
BOB = Person(first_name="Bob", last_name="Byron", emails=["bob@x.io"], phones=["(415) 555-0101"])
ADA_WHO = normalize.person(
    Person(first_name="Ada", last_name="Lovelace", emails=["a@x.io", "b@x.io"])
)
LONDON = "020 7946 0958"


def compiled(field: str, region: str = "US", **options: object) -> e.CompiledItem:
    """One item, compiled as the first of its rule."""
    return e.CompiledItem(MatchItem(field=field, **options), 0, region, FOLDED)  # type: ignore[arg-type]


def levenshtein(threshold: int, blanks: str = "never") -> e.CompiledItem:
    """A fuzzy item by edit distance on a custom field."""
    return compiled(
        "fields.vin", method="fuzzy", scorer="levenshtein", threshold=threshold, blanks=blanks
    )


def counts(_space: KeySpace, key: Key) -> int:
    """a@x.io is held by 3 leads, b@x.io by 2."""
    return {"a@x.io": 3, "b@x.io": 2}.get(str(key), 0)


def spec_of(rule: MatchRule | None = None, mode: Mode = "duplicates", **policy: object) -> e.Spec:
    """A policy's rule compiled (the duplicate rule unless the auto mode is asked)."""
    key = "auto_merge_rule" if mode == "auto" else "duplicate_rule"
    given = {} if rule is None else {key: rule}
    return e.compile_spec(MergePolicy(**given, **policy), mode)  # type: ignore[arg-type]


def decide(spec: e.Spec, inbound: Lead, existing: Lead) -> tuple[e.Outcome, e.Outcome]:
    """Evaluate with its report, and first_match, of one pair."""
    probe = spec.probe(e.people_of(inbound.customer, spec), inbound)
    return e.evaluate(probe, existing, spec), e.first_match(probe, existing, spec)


class TestItemValues:
    """An item's values on each side, and what the inbound side prepares."""

    def test_person_and_lead_sides(self) -> None:
        """A person field reads the person, a lead field the lead; a missing side is none."""
        name = compiled("name")
        assert name.values(ADA_WHO, None) == (("ada", "lovelace"),)
        assert name.values(None, None) == ()
        phone = compiled("fields.p", "GB", normalizer="phone")
        lead = Lead(id="L", customer=Person(), fields={"p": LONDON})
        assert phone.values(None, lead) == ("+442079460958",)
        assert phone.values(ADA_WHO, None) == ()
        assert phone.prepare(ADA_WHO, lead, None) == frozenset({"+442079460958"})
        assert compiled("fields.p", "US", normalizer="phone").values(None, lead) == ()

    def test_prepared_forms(self) -> None:
        """A name compares one key; plain email and phone the person's own sets."""
        name = compiled("name")
        assert name.plain
        assert name.prepare(ADA_WHO, None, None) == ("ada", "lovelace")
        assert compiled("name", blanks="match").plain is False
        assert (
            compiled("name").prepare(normalize.person(Person(first_name="Ada")), None, None) is None
        )
        email = compiled("email")
        assert email.direct
        assert email.prepare(ADA_WHO, None, None) is ADA_WHO.email_set
        assert compiled("phone").prepare(ADA_WHO, None, None) is ADA_WHO.phone_set
        assert not compiled("email", method="domain").direct
        assert not compiled("fields.mail", normalizer="email").direct

    def test_keys_held_by_too_many_leads_are_ignored(self) -> None:
        """max_leads 2: a@x.io (3 leads) is ignored, b@x.io (2) is kept."""
        limited = compiled("email", max_leads=2)
        assert not limited.direct
        assert limited.prepare(ADA_WHO, None, counts) == frozenset({"b@x.io"})
        assert limited.prepare(ADA_WHO, None, None) == frozenset({"a@x.io", "b@x.io"})
        assert limited.ignored(ADA_WHO, None, counts) == ("a@x.io",)
        assert limited.ignored(ADA_WHO, None, None) == ()
        assert compiled("email").ignored(ADA_WHO, None, counts) == ()
        fuzzy = compiled("full_name", method="fuzzy", threshold=80)
        assert fuzzy.ignored(ADA_WHO, None, counts) == ()
        assert fuzzy.prepare(ADA_WHO, None, counts) == ("ada lovelace",)

    def test_keys_of_an_item_whose_blanks_match(self) -> None:
        """No key space of its own: keys as the exact item's, repeats removed."""
        item = compiled("email", blanks="match")
        assert item.space is None
        assert item.keys(["a@x.io", "a@x.io"]) == ("a@x.io",)
        prefix = compiled("last_name", method="prefix", length=2, blanks="match")
        assert prefix.keys(["lovelace", "lord"]) == ("lo",)
        assert compiled("email").keys(["a@x.io", "a@x.io"]) == ("a@x.io",)


class TestChecksOnValues:
    """may_hold and score: the check's semantics on two sides' values."""

    def test_exact(self) -> None:
        """Shared keys; two blanks match only when blanks match."""
        matching = compiled("email", blanks="match")
        assert matching.may_hold((), ())
        assert not matching.may_hold(("a@x.io",), ())
        assert matching.may_hold(("a@x.io",), ("b@x.io", "a@x.io"))
        assert not compiled("email").may_hold((), ())
        assert not compiled("email").may_hold(("a@x.io",), ("b@x.io",))
        domain = compiled("email", method="domain")
        assert domain.may_hold(("a@acme.io",), ("b@acme.io",))
        assert not domain.may_hold(("a@gmail.com",), ("b@gmail.com",))

    def test_levenshtein_at_its_threshold(self) -> None:
        """At most the threshold in edits; a blank is the empty text when blanks match."""
        item = levenshtein(1, blanks="match")
        assert item.may_hold(("abc",), ("abd",))
        assert not item.may_hold(("abc",), ("axx",))
        assert item.may_hold(("abc",), ("axx", "abc"))
        assert item.may_hold((), ("a",))
        assert not item.may_hold((), ("ab",))
        assert item.may_hold((), ())
        assert not levenshtein(1).may_hold((), ("a",))
        assert levenshtein(2).may_hold(("abc",), ("axx",))
        assert item.may_hold((("a", "b"),), ("abc",)) is False  # a name key is no text

    def test_similarity_at_its_threshold(self) -> None:
        """At least the threshold; a blank scores 0, meeting only a threshold of 0."""
        item = compiled("full_name", method="fuzzy", scorer="ratio", threshold=80, blanks="match")
        assert item.may_hold(("abcde",), ("abcdx",))  # ratio 80
        assert not item.may_hold(("abcde",), ("abcxx",))  # ratio 60
        assert not item.may_hold((), ("abc",))
        zero = compiled("full_name", method="fuzzy", threshold=0, blanks="match")
        assert zero.may_hold((), ("abc",))
        jaro = compiled("full_name", method="fuzzy", scorer="jaro_winkler", threshold=0.9)
        assert jaro.may_hold(("ada lovelace",), ("ada lovelac",))
        assert not jaro.may_hold((), ("ada",))

    def test_scores(self) -> None:
        """The best score over both sides' values; None for a blank side or a keyed item."""
        assert levenshtein(1).score(("abc",), ("axx", "abd")) == 1.0
        assert levenshtein(1).score(("abc",), ("abd", "abc")) == 0.0
        ratio = compiled("full_name", method="fuzzy", scorer="ratio", threshold=80)
        assert ratio.score(("abcde",), ("abcxx", "abcdx")) == 80.0
        assert ratio.score((), ("abc",)) is None
        assert ratio.score(("abc",), ()) is None
        assert compiled("email").score(("a@x.io",), ("a@x.io",)) is None

    def test_blank_meets(self) -> None:
        """Two blanks are identical; one blank is the empty text."""
        assert e._blank_meets("ratio", 50, ())
        assert e._blank_meets("levenshtein", 2, ("abc", "ab"))
        assert not e._blank_meets("levenshtein", 1, ("abc", "ab"))
        assert e._blank_meets("ratio", 0, ("a",))
        assert not e._blank_meets("ratio", 0.5, ("a",))

    def test_cost_orders_checks(self) -> None:
        """Person exact items first, then other keys, then blanks-match keys, fuzzy last."""
        costs = [
            e._cost(compiled(f, **o))
            for f, o in (
                ("name", {}),
                ("email", {"method": "domain"}),
                ("fields.vin", {}),
                ("email", {"blanks": "match"}),
                ("full_name", {"method": "fuzzy", "threshold": 80}),
            )
        ]
        assert costs == [0, 1, 1, 2, 3]


class TestGroups:
    """A compiled group's blocking, guards, labels and closeness."""

    def test_blocking_of_all_of_of_and_block_on(self) -> None:
        """all_of: each keyed item required; of: options, less the unkeyed items."""
        fuzzy = MatchItem(field="full_name", method="fuzzy", threshold=80)
        initial = MatchItem(field="last_name", method="initial")
        rule = MatchRule(
            any_of=[
                MatchGroup(all_of=["email", fuzzy, "phone"]),
                MatchGroup(of=["email", fuzzy, "fields.vin"], at_least=2, block_on=[initial]),
                MatchGroup(of=["email", fuzzy], at_least=1),
                MatchGroup(all_of=[fuzzy]),
                MatchGroup(of=["email", "phone", "email"], at_least=3),
            ]
        )
        spec = spec_of(rule)
        space = {i.label: i.space for i in spec.items if i.space is not None}
        blockings = [g.blocking for g in spec.groups]
        assert blockings[0] == e.Blocking((space["email"], space["phone"]), (), 0)
        assert blockings[1] == e.Blocking(
            (space["last_name_initial"],), ((space["email"], 1), (space["fields.vin"], 1)), 1
        )
        assert blockings[2] is None
        assert blockings[3] is None
        assert blockings[4] == e.Blocking((), ((space["email"], 2), (space["phone"], 1)), 3)
        assert not spec.exact
        assert spec_of(MatchRule(any_of=[MatchGroup(all_of=["email"])])).exact

    def test_guards_open_a_group(self) -> None:
        """A group applies when the inbound side lacks every listed field."""
        rule = MatchRule(
            any_of=[MatchGroup(all_of=["phone"], inbound_lacks=["email", "fields.vin", "name"])]
        )
        spec = spec_of(rule)
        (group,) = spec.groups
        bare = normalize.person(Person(phones=["(415) 867-5309"]))
        lead = Lead(id="N", customer=Person())
        assert group.opens(bare, lead)
        assert not group.opens(normalize.person(Person(emails=["a@x.io"])), lead)
        assert not group.opens(bare, Lead(id="N", customer=Person(), fields={"vin": "V1"}))
        assert not group.opens(normalize.person(Person(first_name="A", last_name="B")), lead)
        phones = spec_of(MatchRule(any_of=[MatchGroup(all_of=["email"], inbound_lacks=["phone"])]))
        assert not phones.groups[0].opens(bare, lead)
        assert phones.groups[0].opens(normalize.person(Person(emails=["a@x.io"])), lead)

    def test_labels_that_hold_and_how_close(self) -> None:
        """Items in the group's order, then the blocking items; closeness as a share."""
        initial = MatchItem(field="last_name", method="initial")
        rule = MatchRule(
            any_of=[MatchGroup(of=["email", "phone", "name"], at_least=2, block_on=[initial])]
        )
        spec = spec_of(rule)
        (group,) = spec.groups
        inbound = normalize.person(ADA)
        prepared = spec.probe(inbound).prepared
        same_phone = normalize.person(Person(last_name="Lamb", phones=["(415) 867-5309"]))
        assert group.holds(prepared, same_phone, None, None) is None
        assert group.test(prepared, same_phone, None, None) == (
            False,
            ["phone", "last_name_initial"],
            2 / 3,
        )
        both = normalize.person(
            Person(last_name="Lamb", emails=["ada@x.io"], phones=["(415) 867-5309"])
        )
        assert group.holds(prepared, both, None, None) == ("email", "phone", "last_name_initial")
        assert group.test(prepared, both, None, None) == (
            True,
            ["email", "phone", "last_name_initial"],
            1.0,
        )
        other = normalize.person(
            Person(last_name="Byron", emails=["ada@x.io"], phones=["(415) 867-5309"])
        )
        assert group.holds(prepared, other, None, None) is None
        assert group.test(prepared, other, None, None) == (False, ["email", "phone"], 2 / 3)
        nothing = normalize.person(Person(last_name="Byron"))
        assert group.test(prepared, nothing, None, None) == (False, [], 0.0)
        everything = normalize.person(ADA)
        assert group.holds(prepared, everything, None, None) == (
            "email",
            "phone",
            "name",
            "last_name_initial",
        )


class TestSpec:
    """The compiled rule: its origin, what it reads, its limited items, its probes."""

    def test_origin_ratio_and_people(self) -> None:
        """A rule given, or the rulebook's keys; every item once, indexed in order."""
        seed = spec_of(mode="auto")
        assert (seed.origin, seed.mode, seed.ratio, seed.closest) == (
            "auto_merge_min_conditions",
            "auto",
            90.0,
            True,
        )
        assert [(i.label, i.index) for i in seed.items] == [("name", 0), ("email", 1), ("phone", 2)]
        assert [(g.label, g.people, g.position) for g in seed.groups] == [
            ("two_of_n", "closest", 0),
            ("phone_only", "either", 1),
        ]
        assert [guard.label for guard in seed.groups[1].lacks] == ["email", "full_name"]
        rule = MatchRule(any_of=[MatchGroup(all_of=["email"])], people="customer")
        given = spec_of(rule, duplicate_name_min_ratio=80, default_region="GB")
        assert (given.origin, given.mode, given.ratio, given.closest, given.region) == (
            "duplicate_rule",
            "duplicates",
            80.0,
            False,
            "GB",
        )
        assert spec_of(rule, mode="auto").origin == "auto_merge_rule"
        assert spec_of().origin == "duplicate_min_conditions"

    def test_what_a_rule_reads(self) -> None:
        """Lead fields read by an item or a guard; the limited items; spaces once each."""
        email = MatchGroup(all_of=["email"])
        assert not spec_of(MatchRule(any_of=[email])).reads_lead
        assert spec_of(MatchRule(any_of=[MatchGroup(all_of=["source"])])).reads_lead
        guarded = MatchGroup(all_of=["email"], inbound_lacks=["fields.vin"])
        assert spec_of(MatchRule(any_of=[guarded])).reads_lead
        limited = MatchItem(field="phone", max_leads=5, label="shared phone")
        rule = MatchRule(any_of=[MatchGroup(of=["email", limited, "phone"], at_least=1)])
        spec = spec_of(rule)
        assert [i.label for i in spec.limited] == ["shared phone"]
        assert [s.field for s in spec.spaces()] == ["email", "phone", "phone"]

    def test_a_probe_is_reused_for_the_same_sides(self) -> None:
        """Same person, lead and counts: the same probe; any other: a new one."""
        spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=["email"])]))
        who = normalize.person(ADA)
        lead = Lead(id="N", customer=ADA)
        probe = spec.probe(who, lead)
        assert spec.probe(who, lead) is probe
        assert spec.probe(who, Lead(id="M", customer=ADA)) is not probe
        assert spec.probe(who, lead, counts) is not spec.probe(who, lead)
        assert probe.prepared == [who.email_set]
        assert probe.open == [True]


class TestPersons:
    """MRG-5's person, ``either`` groups, and the report of a non-match."""

    def test_the_co_customer_closer_by_name(self) -> None:
        """Strictly closer by token_sort_ratio: the co-customer is compared."""
        spec = spec_of(mode="auto")
        existing = Lead(
            id="E",
            customer=Person(first_name="Bob", last_name="Byron", emails=["ada@x.io"]),
            co_customer=Person(first_name="Ada", last_name="Lovelace", phones=["(415) 867-5309"]),
        )
        inbound = Lead(id="N", customer=ADA)
        assert decide(spec, inbound, existing) == (
            ("co_customer", ("name", "phone"), "two_of_n"),
            ("co_customer", ("name", "phone"), "two_of_n"),
        )
        probe = spec.probe(e.people_of(ADA, spec), inbound)
        customer, co, role, ratio, co_ratio = e.persons(probe, existing, spec)
        assert (role, co_ratio) == ("co_customer", 100.0)
        assert ratio is not None
        assert ratio < 20
        assert customer.full == "bob byron"
        assert co is not None
        assert co.full == "ada lovelace"

    def test_an_equally_close_co_customer_is_not_chosen(self) -> None:
        """Ties go to the customer."""
        spec = spec_of(mode="auto")
        twin = Person(first_name="Ada", last_name="Lovelace", phones=["(415) 555-0101"])
        existing = Lead(id="E", customer=twin, co_customer=ADA)
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        assert e.persons(probe, existing, spec)[2:] == ("customer", 100.0, 100.0)
        assert e.evaluate(probe, existing, spec) == ("customer", ("name",), None)

    def test_either_tries_the_co_customer(self) -> None:
        """MRG-4: a phone in common with the co-customer, as the co-customer."""
        spec = spec_of(mode="auto")
        inbound = Lead(id="N", customer=Person(phones=["(415) 555-0101"]))
        existing = Lead(id="E", customer=ADA, co_customer=BOB)
        assert decide(spec, inbound, existing) == (
            ("co_customer", ("phone",), "phone_only"),
            ("co_customer", ("phone",), "phone_only"),
        )
        alone = Lead(id="E", customer=ADA)
        assert decide(spec, inbound, alone) == (("customer", (), None), ("customer", (), None))

    def test_a_co_customer_without_normal_forms_is_none(self) -> None:
        """Blank after normalisation: no co-customer, no ratio computed."""
        spec = spec_of(mode="auto")
        existing = Lead(
            id="E", customer=BOB, co_customer=Person(first_name=" ", emails=["none@x.io"])
        )
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        assert e.persons(probe, existing, spec)[1:] == (None, "customer", None, None)
        assert e._co_customer(existing, spec) is None
        named = Lead(id="E", customer=BOB, co_customer=Person(last_name="Byron"))
        co = e._co_customer(named, spec)
        assert co is not None
        assert co.last == "byron"

    def test_no_ratio_without_both_names(self) -> None:
        """An inbound or co-customer without a name: the customer, no ratio."""
        spec = spec_of(mode="auto")
        existing = Lead(id="E", customer=BOB, co_customer=Person(phones=["(415) 867-5309"]))
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        assert e.persons(probe, existing, spec)[2:] == ("customer", None, None)
        customer_only = spec_of(MatchRule(any_of=[MatchGroup(all_of=["phone"])], people="customer"))
        probe = customer_only.probe(e.people_of(ADA, customer_only))
        existing = Lead(id="E", customer=BOB, co_customer=ADA)
        assert e.persons(probe, existing, customer_only)[2:] == ("customer", None, None)
        assert e.evaluate(probe, existing, customer_only) == ("customer", (), None)

    def test_the_report_names_the_closest_group(self) -> None:
        """No match: the labels of the group that came closest, the first of equals."""
        rule = MatchRule(
            any_of=[
                MatchGroup(all_of=["email", "phone"], label="contact"),
                MatchGroup(all_of=["name", "email", "fields.vin"], label="car"),
                MatchGroup(all_of=["name", "phone"], label="person", people="either"),
            ]
        )
        spec = spec_of(rule)
        inbound = Lead(id="N", customer=ADA, fields={"vin": "V1"})
        existing = Lead(
            id="E",
            customer=Person(first_name="Ada", last_name="Lovelace"),
            fields={"vin": "V1"},
        )
        assert decide(spec, inbound, existing) == (
            ("customer", ("name", "fields.vin"), None),
            ("customer", (), None),
        )
        co = Lead(
            id="E",
            customer=BOB,
            co_customer=Person(first_name="Ada", last_name="Lovelace", emails=["ada@x.io"]),
        )
        assert decide(spec, inbound, co)[0] == ("co_customer", ("name", "email"), None)
        assert decide(spec, Lead(id="N", customer=BOB), Lead(id="E", customer=ADA))[0] == (
            "customer",
            (),
            None,
        )


class TestMoreSides:
    """Lead fields by name, the policy's fillers, and the ratio MRG-5 computed."""

    def test_a_lead_field_read_by_its_name_with_the_fillers(self) -> None:
        """A lead field (not custom) is read by its name; emails lose the policy's fillers."""
        lead = Lead(id="L", customer=Person(), source="Web")
        assert compiled("source").values(None, lead) == ("web",)
        mail = e.CompiledItem(
            MatchItem(field="fields.mail", normalizer="email"), 0, "US", FOLDED, ("sales",)
        )
        mailed = Lead(id="L", customer=Person(), fields={"mail": ["sales@x.io", "none@x.io"]})
        assert mail.values(None, mailed) == ("none@x.io",)

    def test_ignored_keys_of_a_lead_field(self) -> None:
        """max_leads on a custom field: the inbound lead's keys held by too many leads."""
        vin = compiled("fields.vin", normalizer="exact", max_leads=1)
        lead = Lead(id="L", customer=Person(), fields={"vin": ["V1", "V2"]})

        def held(_space: KeySpace, key: Key) -> int:
            return 2 if key == "V1" else 1

        assert vin.ignored(None, lead, held) == ("V1",)
        assert vin.prepare(ADA_WHO, lead, held) == frozenset({"V2"})

    def test_evaluate_without_its_report(self) -> None:
        """report=False answers as first_match: no labels for a non-match."""
        spec = spec_of(mode="auto")
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        near = Lead(id="E", customer=Person(first_name="Ada", last_name="Lovelace"))
        assert e.evaluate(probe, near, spec, report=False) == ("customer", (), None)
        assert e.evaluate(probe, near, spec) == ("customer", ("name",), None)
        same = Lead(id="E", customer=ADA)
        assert e.evaluate(probe, same, spec, report=False) == (
            "customer",
            ("name", "email", "phone"),
            "two_of_n",
        )

    def test_the_customer_is_scored_with_its_own_ratio(self) -> None:
        """The fuzzy name of the customer MRG-5 keeps uses its ratio, not the co-customer's."""
        spec = spec_of()
        existing = Lead(
            id="E",
            customer=Person(first_name="Ada", last_name="Lovelace", emails=["ada@x.io"]),
            co_customer=Person(first_name="Ada", last_name="Byron"),
        )
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        assert e.evaluate(probe, existing, spec) == (
            "customer",
            ("name_fuzzy", "email"),
            "two_of_n",
        )
        assert e.first_match(probe, existing, spec) == (
            "customer",
            ("name_fuzzy", "email"),
            "two_of_n",
        )


class TestReports:
    """Closed groups, people of each group, and which group's labels a non-match reports."""

    def test_a_closed_group_is_skipped_not_the_end(self) -> None:
        """A group whose inbound_lacks fails is passed over; later groups are tried."""
        rule = MatchRule(
            any_of=[
                MatchGroup(all_of=["phone"], inbound_lacks=["email"]),
                MatchGroup(all_of=["email"]),
            ]
        )
        spec = spec_of(rule)
        existing = Lead(id="E", customer=Person(emails=["ada@x.io"]))
        assert decide(spec, Lead(id="N", customer=ADA), existing) == (
            ("customer", ("email",), "any_of[1]"),
            ("customer", ("email",), "any_of[1]"),
        )
        closed = spec_of(MatchRule(any_of=[rule.any_of[0]]))
        assert decide(closed, Lead(id="N", customer=ADA), existing) == (
            ("customer", (), None),
            ("customer", (), None),
        )

    def test_a_placeholder_name_is_no_name_for_mrg_4(self) -> None:
        """An inbound "Blank Name" lacks a name: phone_only applies (the policy's placeholders)."""
        spec = spec_of(mode="auto")
        inbound = Lead(
            id="N", customer=Person(first_name="Blank", last_name="Name", phones=["(415) 867-5309"])
        )
        existing = Lead(id="E", customer=ADA)
        assert decide(spec, inbound, existing)[0] == ("customer", ("phone",), "phone_only")

    def test_lead_fields_of_customer_and_either_groups(self) -> None:
        """Groups comparing the customer, or either person, read the existing lead's fields."""
        for people in ("customer", "either"):
            rule = MatchRule(any_of=[MatchGroup(all_of=["source", "email"], people=people)])
            spec = spec_of(rule)
            inbound = Lead(id="N", customer=ADA, source="Web")
            existing = Lead(id="E", customer=BOB, co_customer=ADA, source="web")
            expected = (
                ("co_customer", ("source", "email"), "any_of[0]")
                if people == "either"
                else ("customer", ("source",), None)
            )
            assert decide(spec, inbound, existing)[0] == expected
            if people == "either":
                assert decide(spec, inbound, existing)[1] == expected

    def test_the_report_of_an_either_group_follows_mrg_5s_person(self) -> None:
        """MRG-5 chose the co-customer: an either group reports the co-customer's labels."""
        rule = MatchRule(
            any_of=[
                MatchGroup(all_of=["fields.vin"]),
                MatchGroup(all_of=["email", "phone"], people="either"),
            ]
        )
        spec = spec_of(rule)
        existing = Lead(
            id="E",
            customer=BOB,
            co_customer=Person(first_name="Ada", last_name="Lovelace", emails=["ada@x.io"]),
        )
        assert decide(spec, Lead(id="N", customer=ADA), existing)[0] == (
            "co_customer",
            ("email",),
            None,
        )

    def test_the_first_of_equally_close_groups_is_reported(self) -> None:
        """Two groups each half met: the first one's labels."""
        rule = MatchRule(
            any_of=[
                MatchGroup(all_of=["email", "phone"]),
                MatchGroup(all_of=["name", "fields.vin"]),
            ]
        )
        spec = spec_of(rule)
        existing = Lead(
            id="E", customer=Person(first_name="Ada", last_name="Lovelace", emails=["ada@x.io"])
        )
        assert decide(spec, Lead(id="N", customer=ADA), existing)[0] == (
            "customer",
            ("email",),
            None,
        )

    def test_every_blocking_item_counts_towards_closeness(self) -> None:
        """Two blocking items that hold add two to how close the group came."""
        rule = MatchRule(
            any_of=[
                MatchGroup(
                    all_of=["email", "phone"],
                    block_on=[
                        MatchItem(field="last_name", method="initial"),
                        MatchItem(field="first_name", method="initial"),
                    ],
                )
            ]
        )
        spec = spec_of(rule)
        (group,) = spec.groups
        prepared = spec.probe(normalize.person(ADA)).prepared
        initials = normalize.person(Person(first_name="Al", last_name="Lamb", emails=["ada@x.io"]))
        assert group.test(prepared, initials, None, None) == (
            False,
            ["email", "last_name_initial", "first_name_initial"],
            3 / 4,
        )


class TestFuzzyChecks:
    """MRG-5's ratio is reused only by a token_sort_ratio of the full names."""

    existing = Lead(
        id="E",
        customer=Person(first_name="Ada", last_name="Lovelace"),
        co_customer=Person(first_name="Bob", last_name="Byron"),
        fields={"vin": "V123"},
    )

    def matched(self, item: MatchItem, first: str, last: str) -> e.Outcome:
        """The outcome of one fuzzy item between an inbound name and the existing lead."""
        spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=[item])]))
        inbound = Lead(
            id="N", customer=Person(first_name=first, last_name=last), fields={"vin": "V124"}
        )
        return decide(spec, inbound, self.existing)[0]

    def test_another_field_is_scored_on_its_own(self) -> None:
        """Full names at 91.7 but last names at 87.5: a last-name item at 90 fails."""
        last = MatchItem(field="last_name", method="fuzzy", threshold=90)
        assert self.matched(last, "Ada", "Lovelacy") == ("customer", (), None)
        full = MatchItem(field="full_name", method="fuzzy", threshold=90)
        assert self.matched(full, "Ada", "Lovelacy") == (
            "customer",
            ("full_name_fuzzy",),
            "any_of[0]",
        )

    def test_another_scorer_is_scored_on_its_own(self) -> None:
        """Names swapped: token_sort_ratio 100, ratio 66.7."""
        ratio = MatchItem(field="full_name", method="fuzzy", scorer="ratio", threshold=90)
        assert self.matched(ratio, "Lovelace", "Ada") == ("customer", (), None)
        tsr = MatchItem(field="full_name", method="fuzzy", threshold=90)
        assert self.matched(tsr, "Lovelace", "Ada") == (
            "customer",
            ("full_name_fuzzy",),
            "any_of[0]",
        )

    def test_a_custom_field_of_the_existing_lead(self) -> None:
        """A fuzzy custom field reads the existing lead's value."""
        vin = MatchItem(field="fields.vin", method="fuzzy", scorer="levenshtein", threshold=1)
        assert self.matched(vin, "Ada", "Lovelace") == (
            "customer",
            ("fields.vin_fuzzy",),
            "any_of[0]",
        )


class TestFirstMatch:
    """The hot path: MRG-5's ties, the 90 boundary, groups by person, bare co-customers."""

    def test_a_fuzzy_name_at_exactly_the_threshold(self) -> None:
        """MRG-7: token_sort_ratio 90.0 meets a threshold of 90 (at least), reused or not."""
        spec = spec_of()
        existing = Lead(
            id="E",
            customer=Person(first_name="Jon", last_name="Smitha", emails=["jon@x.io"]),
            co_customer=Person(first_name="Bob", last_name="Byron"),
        )
        inbound = Lead(
            id="N", customer=Person(first_name="Jon", last_name="Smithe", emails=["jon@x.io"])
        )
        found = ("customer", ("name_fuzzy", "email"), "two_of_n")
        assert decide(spec, inbound, existing) == (found, found)
        alone = attrs.evolve(existing, co_customer=None)
        assert decide(spec, inbound, alone) == (found, found)

    def test_ties_keep_the_customer(self) -> None:
        """A co-customer as close by name as the customer is not compared instead."""
        spec = spec_of(mode="auto")
        twin = Person(first_name="Ada", last_name="Lovelace", phones=["(415) 555-0101"])
        existing = Lead(id="E", customer=twin, co_customer=ADA)
        assert decide(spec, Lead(id="N", customer=ADA), existing) == (
            ("customer", ("name",), None),
            ("customer", (), None),
        )

    def test_groups_of_one_person_read_the_lead(self) -> None:
        """A customer group holding on a lead field and an email."""
        rule = MatchRule(any_of=[MatchGroup(all_of=["source", "email"], people="customer")])
        existing = Lead(id="E", customer=ADA, source="web")
        found = ("customer", ("source", "email"), "any_of[0]")
        assert decide(spec_of(rule), Lead(id="N", customer=ADA, source="Web"), existing) == (
            found,
            found,
        )

    def test_either_group_with_a_fuzzy_name(self) -> None:
        """Without MRG-5 no ratio is computed: each person's name is scored when compared."""
        fuzzy = MatchItem(field="full_name", method="fuzzy", threshold=90)
        spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=[fuzzy], people="either")]))
        assert not spec.closest
        inbound = Lead(id="N", customer=ADA)
        both = Lead(
            id="E", customer=BOB, co_customer=Person(first_name="Ada", last_name="Lovelace")
        )
        co = ("co_customer", ("full_name_fuzzy",), "any_of[0]")
        assert decide(spec, inbound, both) == (co, co)
        customer = ("customer", ("full_name_fuzzy",), "any_of[0]")
        assert decide(spec, inbound, Lead(id="E", customer=ADA)) == (customer, customer)

    def test_a_co_customer_with_only_an_email(self) -> None:
        """An email alone makes a co-customer."""
        spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=["email"], people="either")]))
        existing = Lead(id="E", customer=BOB, co_customer=Person(emails=["ada@x.io"]))
        found = ("co_customer", ("email",), "any_of[0]")
        assert decide(spec, Lead(id="N", customer=ADA), existing) == (found, found)
        only_phone = Lead(id="E", customer=BOB, co_customer=Person(phones=["(415) 867-5309"]))
        phones = spec_of(MatchRule(any_of=[MatchGroup(all_of=["phone"], people="either")]))
        found = ("co_customer", ("phone",), "any_of[0]")
        assert decide(phones, Lead(id="N", customer=ADA), only_phone) == (found, found)

    def test_a_blocking_item_on_a_lead_field(self) -> None:
        """A block_on item comparing a lead field reads the existing lead."""
        rule = MatchRule(
            any_of=[MatchGroup(all_of=["email"], block_on=[MatchItem(field="source")])]
        )
        spec = spec_of(rule)
        inbound = Lead(id="N", customer=ADA, source="Web")
        found = ("customer", ("email", "source"), "any_of[0]")
        assert decide(spec, inbound, Lead(id="E", customer=ADA, source="web")) == (found, found)
        other = Lead(id="E", customer=ADA, source="phone")
        assert decide(spec, inbound, other) == (
            ("customer", ("email",), None),
            ("customer", (), None),
        )


class TestCompiledDetails:
    """What compiling keeps for the index and the engines over tables."""

    def test_a_space_takes_the_policys_fillers(self) -> None:
        """An email custom field's key space drops the policy's own fillers."""
        rule = MatchRule(
            any_of=[MatchGroup(all_of=[MatchItem(field="fields.mail", normalizer="email")])]
        )
        spec = spec_of(rule, placeholder_email_locals=["sales"])
        (item,) = spec.items
        assert item.space is not None
        assert item.space.fillers == ("sales",)
        assert item.space.value_keys(["sales@x.io", "none@x.io"], "US") == ("none@x.io",)

    def test_unkeyed_items_lower_what_an_of_group_needs_of_its_keys(self) -> None:
        """Two fuzzy items of four, three needed: one key in common suffices to find a match."""
        names = [
            MatchItem(field="full_name", method="fuzzy", threshold=80),
            MatchItem(field="last_name", method="fuzzy", threshold=80),
        ]
        spec = spec_of(MatchRule(any_of=[MatchGroup(of=[*names, "email", "phone"], at_least=3)]))
        (group,) = spec.groups
        assert group.blocking is not None
        assert group.blocking.at_least == 1
        assert [(s.field, w) for s, w in group.blocking.options] == [("email", 1), ("phone", 1)]

    def test_a_probe_opens_groups_on_the_inbound_lead(self) -> None:
        """A guard on a custom field reads the inbound lead the probe is made of."""
        rule = MatchRule(any_of=[MatchGroup(all_of=["email"], inbound_lacks=["fields.vin"])])
        spec = spec_of(rule)
        who = normalize.person(ADA)
        assert spec.probe(who, Lead(id="N", customer=ADA, fields={"vin": "V1"})).open == [False]
        assert spec.probe(who, Lead(id="N", customer=ADA)).open == [True]

    def test_memoised_sides_tell_values_apart(self) -> None:
        """One compiled rule, two existing leads: each side's keys are its own."""
        phone = MatchItem(field="phone", blanks="match")
        spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=[phone])]))
        inbound = Lead(id="N", customer=ADA)
        same = Lead(id="E", customer=ADA)
        other = Lead(id="F", customer=attrs.evolve(ADA, phones=["(415) 555-0101"]))
        assert decide(spec, inbound, same)[1] == ("customer", ("phone",), "any_of[0]")
        assert decide(spec, inbound, other)[1] == ("customer", (), None)
        zips = spec_of(MatchRule(any_of=[MatchGroup(all_of=["fields.zip"])]))
        mine = Lead(id="N", customer=ADA, fields={"zip": 94110})
        assert decide(zips, mine, Lead(id="E", customer=BOB, fields={"zip": 94110}))[1] == (
            "customer",
            ("fields.zip",),
            "any_of[0]",
        )
        assert decide(zips, mine, Lead(id="F", customer=BOB, fields={"zip": 10001}))[1] == (
            "customer",
            (),
            None,
        )

    def test_an_email_field_drops_the_policys_fillers_on_both_sides(self) -> None:
        """sales@ is a filler of this policy: two leads sharing it share no email."""
        mail = MatchItem(field="fields.mail", normalizer="email")
        spec = spec_of(
            MatchRule(any_of=[MatchGroup(all_of=[mail])]), placeholder_email_locals=["sales"]
        )
        inbound = Lead(id="N", customer=ADA, fields={"mail": "sales@x.io"})
        assert decide(spec, inbound, Lead(id="E", customer=BOB, fields={"mail": "sales@x.io"}))[
            1
        ] == (
            "customer",
            (),
            None,
        )
        none = Lead(id="M", customer=ADA, fields={"mail": "none@x.io"})
        found = ("customer", ("fields.mail",), "any_of[0]")
        assert (
            decide(spec, none, Lead(id="E", customer=BOB, fields={"mail": "none@x.io"}))[1] == found
        )

    def test_exact_last_and_full_names(self) -> None:
        """An exact last or full name holds on equal normal forms only."""
        for field in ("last_name", "full_name", "first_name"):
            spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=[field])]))
            inbound = Lead(id="N", customer=ADA)
            found = ("customer", (field,), "any_of[0]")
            same = Lead(id="E", customer=Person(first_name="ADA", last_name="lovelace"))
            assert decide(spec, inbound, same)[1] == found
            other = Lead(id="F", customer=Person(first_name="Bob", last_name="Byron"))
            assert decide(spec, inbound, other)[1] == ("customer", (), None)


class TestCost:
    """What the module promises of its cost: MRG-5's ratios reused, fast paths, memos."""

    @staticmethod
    def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[object]:
        """Count the engine's calls of one function (token_sort_ratio, person_values...)."""
        calls: list[object] = []
        if name == "token_sort_ratio":
            original = _fuzzy.token_sort_ratio

            def ratio(one: str, two: str) -> float:
                calls.append((one, two))
                return float(original(one, two))

            monkeypatch.setattr(_fuzzy, "token_sort_ratio", ratio)
            monkeypatch.setitem(e._SIMILARITY, "token_sort_ratio", ratio)
            return calls
        original_function = getattr(e, name)

        def counted(*args: object) -> object:
            calls.append(args)
            return original_function(*args)

        monkeypatch.setattr(e, name, counted)
        return calls

    def test_mrg_5s_two_ratios_serve_the_fuzzy_name(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """At most two token_sort_ratio calls a pair: the person chosen is not scored again."""
        spec = spec_of()
        existing = Lead(
            id="E",
            customer=Person(first_name="Ada", last_name="Lovelace", emails=["ada@x.io"]),
            co_customer=Person(first_name="Ada", last_name="Byron"),
        )
        calls = self.counting(monkeypatch, "token_sort_ratio")
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        found = ("customer", ("name_fuzzy", "email"), "two_of_n")
        assert e.evaluate(probe, existing, spec) == found
        assert len(calls) == 2
        assert e.first_match(probe, existing, spec) == found
        assert len(calls) == 4

    def test_either_groups_reuse_both_ratios(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The customer and the co-customer are each scored once, by MRG-5."""
        fuzzy = MatchItem(field="full_name", method="fuzzy", threshold=90)
        rule = MatchRule(
            any_of=[
                MatchGroup(all_of=["fields.vin"]),
                MatchGroup(all_of=[fuzzy], people="either"),
                MatchGroup(all_of=[fuzzy, "phone"], people="customer"),
            ]
        )
        spec = spec_of(rule)
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        co = Lead(id="E", customer=BOB, co_customer=Person(first_name="Ada", last_name="Lovelace"))
        customer = Lead(
            id="F",
            customer=Person(first_name="Ada", last_name="Lovelace"),
            co_customer=Person(first_name="Bob", last_name="Byron", phones=["(415) 867-5309"]),
        )
        calls = self.counting(monkeypatch, "token_sort_ratio")
        assert e.evaluate(probe, co, spec) == ("co_customer", ("full_name_fuzzy",), "any_of[1]")
        assert e.first_match(probe, co, spec) == ("co_customer", ("full_name_fuzzy",), "any_of[1]")
        assert len(calls) == 4
        alone = Lead(id="G", customer=BOB, co_customer=Person(first_name="Bob", last_name="Byrne"))
        assert e.evaluate(probe, alone, spec) == ("customer", (), None)
        assert e.first_match(probe, alone, spec) == ("customer", (), None)
        assert len(calls) == 8
        assert e.evaluate(probe, customer, spec)[2] == "any_of[1]"
        assert len(calls) == 10

    def test_plain_names_emails_and_phones_need_no_keys_of_the_existing_side(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Exact names compare normal forms, emails and phones the person's own sets."""
        calls = self.counting(monkeypatch, "person_values")
        for field in ("name", "first_name", "last_name", "full_name", "email", "phone"):
            spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=[field])]))
            probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
            before = len(calls)
            assert e.first_match(probe, Lead(id="E", customer=ADA), spec)[2] == "any_of[0]"
            assert e.evaluate(probe, Lead(id="E", customer=ADA), spec)[2] == "any_of[0]"
            other = Lead(id="F", customer=BOB)
            assert e.first_match(probe, other, spec) == ("customer", (), None)
            assert len(calls) == before, field

    def test_sides_are_memoised_by_value(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Three leads of one name (or one VIN): their keys are computed once."""
        e.compile_spec.cache_clear()  # a rule compiled by an earlier test has its memos filled
        prefix = MatchItem(field="last_name", method="prefix", length=3)
        people = self.counting(monkeypatch, "person_values")
        spec = spec_of(MatchRule(any_of=[MatchGroup(all_of=[prefix])]))
        probe = spec.probe(e.people_of(ADA, spec), Lead(id="N", customer=ADA))
        for lead_id in ("E", "F"):
            assert e.first_match(probe, Lead(id=lead_id, customer=ADA), spec)[2] == "any_of[0]"
        assert len(people) == 1
        values = self.counting(monkeypatch, "raw_values")
        vins = spec_of(MatchRule(any_of=[MatchGroup(all_of=["fields.vin"])]))
        inbound = Lead(id="N", customer=ADA, fields={"vin": "V1"})
        probe = vins.probe(e.people_of(ADA, vins), inbound)
        for lead_id in ("E", "F"):
            existing = Lead(id=lead_id, customer=BOB, fields={"vin": "V1"})
            assert e.first_match(probe, existing, vins)[2] == "any_of[0]"
        assert len(values) == 1
