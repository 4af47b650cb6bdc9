"""
The match-rule language: items, groups, rules, their errors, explanations and blocking.

The seed's rules (MRG-1, MRG-4, MRG-5, MRG-7) are one rule of the language among others
(tests/test_merge.py checks them through the rulebook's keys); here every part of the language
is checked on examples: each method at its boundary, blanks, placeholders, lead and
custom fields, groups and their people, ``max_leads``, bad rules with their paths, the
explanation, and blocking in the index and in batch deduplication.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Final, get_args
from unittest import mock

import attrs
import pytest

from leadcore import _cli, dedupe, merge, protocol
from leadcore._dedupe import block
from leadcore._merge.engine import compile_spec, people_of
from leadcore.conformance import schema
from leadcore.errors import InvalidInput
from leadcore.merge import (
    PHONE_ONLY,
    KeyCounts,
    MatchGroup,
    MatchItem,
    MatchRule,
    MergeIndex,
    MergePolicy,
)
from leadcore.model import Lead, Person
from tests.helpers import NOW, at, lead, person, request


def rule(*groups: MatchGroup, people: str = "closest") -> MatchRule:
    """A rule of these groups."""
    return MatchRule(any_of=groups, people=people)  # type: ignore[arg-type]  # a literal


def holds(item: MatchItem | str, one: Person | Lead, other: Lead) -> bool:
    """Whether a rule of this one item matches ``one`` (inbound) and ``other``."""
    policy = MergePolicy(duplicate_rule=rule(MatchGroup(all_of=[item])))
    return merge.match(one, other, policy=policy, mode="duplicates").matches


def recent(lead_id: str, **fields: Any) -> Lead:
    """A lead created and active yesterday (inside every window)."""
    return lead(lead_id, created_at=at(1), last_activity_at=at(1), **fields)


class TestItems:
    """Each comparison method, at its boundary."""

    def test_exact_items_compare_normal_forms(self) -> None:
        """Email lower-cased, phone in E.164, names folded: exact after the normaliser."""
        other = lead(
            customer=person("José", "O'Brien", phones=("(415) 867-5309",), emails=("Jo@X.io",))
        )
        inbound = person("jose", "OBrien", phones=("+1 415 867 5309",), emails=(" jo@x.io",))

        for field in ("email", "phone", "name", "first_name", "last_name", "full_name"):
            assert holds(field, inbound, other), field
        assert not holds("first_name", person("Josie"), other)

    def test_a_placeholder_name_is_blank_unless_asked(self) -> None:
        """MRG-1: "Unknown" is no name; with placeholders="value" it is compared."""
        other = lead(customer=person("Unknown", "Null"))
        inbound = person("unknown", "NULL")

        assert not holds("name", inbound, other)
        assert holds(MatchItem(field="name", placeholders="value"), inbound, other)
        assert holds(MatchItem(field="first_name", placeholders="value"), inbound, other)

    def test_domain_ignores_free_mail(self) -> None:
        """Same company domain matches; a shared gmail.com does not."""
        domain = MatchItem(field="email", method="domain")
        acme = lead(customer=person(emails=("ada@acme.com",)))
        gmail = lead(customer=person(emails=("ada@gmail.com",)))

        assert holds(domain, person(emails=("bob@ACME.com",)), acme)
        assert not holds(domain, person(emails=("bob@gmail.com",)), gmail)
        assert holds(
            MatchItem(field="email", method="domain", free_domains=()),
            person(emails=("bob@gmail.com",)),
            gmail,
        )

    def test_prefix_and_initial(self) -> None:
        """The first n characters of the folded value, or the first one."""
        other = lead(customer=person("Ada", "Lovelace"))
        prefix = MatchItem(field="last_name", method="prefix", length=4)

        assert holds(prefix, person(last="LOVErly"), other)
        assert not holds(prefix, person(last="Lov"), other)
        assert holds(MatchItem(field="first_name", method="initial"), person("alan"), other)

    @pytest.mark.parametrize(
        ("scorer", "threshold", "expected"),
        [
            ("token_sort_ratio", 96, True),
            ("token_sort_ratio", 96.1, False),
            ("ratio", 96, True),
            ("jaro_winkler", 0.97, True),
            ("jaro_winkler", 0.99, False),
            ("levenshtein", 1, True),
            ("levenshtein", 0, False),
        ],
    )
    def test_fuzzy_scorers_at_their_threshold(
        self, scorer: str, threshold: float, expected: bool
    ) -> None:
        """MRG-7 generalised: "ada lovelace" / "adah lovelace" scored by each scorer."""
        item = MatchItem(field="full_name", method="fuzzy", scorer=scorer, threshold=threshold)  # type: ignore[arg-type]  # a literal

        found = holds(item, person("Ada", "Lovelace"), lead(customer=person("Adah", "Lovelace")))

        assert found is expected

    def test_a_blank_never_matches_unless_blanks_match(self) -> None:
        """Two leads without a VIN: no match by default, a match with blanks="match"."""
        vin = MatchItem(field="fields.vin")
        same = MatchItem(field="fields.vin", blanks="match")

        assert not holds(vin, lead("N"), lead("L"))
        assert holds(same, lead("N"), lead("L"))
        assert not holds(same, lead("N"), lead("L", fields={"vin": "1HGCM"}))

    def test_fuzzy_blanks_match_compare_the_empty_text(self) -> None:
        """A blank scores 0 (similarity) or its length (Levenshtein) when blanks match."""
        close = MatchItem(
            field="fields.vin", method="fuzzy", scorer="levenshtein", threshold=2, blanks="match"
        )

        assert holds(close, lead("N", fields={"vin": "AB"}), lead("L"))
        assert not holds(close, lead("N", fields={"vin": "ABC"}), lead("L"))

    def test_lead_and_custom_fields_compare_leads(self) -> None:
        """Lead fields fold by default; numbers compare as their JSON text; lists are sets."""
        other = lead(source="Web", fields={"zip": 94110, "tags": ["a", "b"]}, project="p1")

        assert holds("source", lead("N", source="web"), other)
        assert not holds(
            MatchItem(field="source", normalizer="exact"), lead("N", source="web"), other
        )
        assert holds("fields.zip", lead("N", fields={"zip": "94110"}), other)
        assert holds("fields.tags", lead("N", fields={"tags": ["b"]}), other)
        assert holds("project", lead("N", project="p1"), other)
        assert not holds("fields.zip", person(), other)  # a person has no lead fields

    def test_custom_field_normalisers(self) -> None:
        """A custom field may be read as an email or a phone."""
        other = lead(fields={"work": "(415) 867-5309", "mail": "A@X.io"})

        assert holds(
            MatchItem(field="fields.work", normalizer="phone"),
            lead("N", fields={"work": "+14158675309"}),
            other,
        )
        assert holds(
            MatchItem(field="fields.mail", normalizer="email", method="domain", free_domains=()),
            lead("N", fields={"mail": "b@x.IO"}),
            other,
        )


class TestGroups:
    """OR of AND-groups, k of these, people, inbound_lacks."""

    def test_the_first_group_that_holds_decides(self) -> None:
        """The label of the group is via; matched lists its items that hold."""
        policy = MergePolicy(
            duplicate_rule=rule(
                MatchGroup(label="vin", all_of=["fields.vin"]),
                MatchGroup(label="mail", of=["email", "phone"], at_least=1),
            )
        )
        other = lead(customer=person(emails=("a@x.io",), phones=("4158675309",)))

        found = merge.match(
            lead("N", customer=person(emails=("a@x.io",), phones=("4158675309",))),
            other,
            policy=policy,
            mode="duplicates",
        )

        assert (found.via, found.matched) == ("mail", ("email", "phone"))

    def test_a_bad_field_name_is_refused_at_its_items_path(self) -> None:
        """A field name given as text is refused at ``of[i].field``, every one of them."""
        with pytest.raises(InvalidInput) as caught:
            MatchGroup(all_of=["vin", "email"], of=["email", "zip"], at_least=1)

        assert [(p.path, p.value) for p in caught.value.problems] == [
            ("all_of[0].field", "vin"),
            ("of[1].field", "zip"),
        ]
        assert "is not a field" in caught.value.problems[0].message

    def test_at_least_k_of_and_all_of(self) -> None:
        """Two of three, or all of two."""
        two = MatchGroup(of=["name", "email", "phone"], at_least=2)
        both = MatchGroup(all_of=["name", "email"])
        other = lead(customer=person("Ada", "Lovelace", emails=("a@x.io",)))
        inbound = person("Ada", "Lovelace", phones=("4158675309",))

        assert not merge.match(
            inbound, other, policy=MergePolicy(duplicate_rule=rule(two)), mode="duplicates"
        ).matches
        assert not merge.match(
            inbound, other, policy=MergePolicy(duplicate_rule=rule(both)), mode="duplicates"
        ).matches
        with_mail = person("Ada", "Lovelace", emails=("a@x.io",))
        assert merge.match(
            with_mail, other, policy=MergePolicy(duplicate_rule=rule(both)), mode="duplicates"
        ).matches

    def test_block_on_is_a_condition_of_the_group(self) -> None:
        """A declared blocking key must hold too: zip + fuzzy last name."""
        group = MatchGroup(
            all_of=[MatchItem(field="last_name", method="fuzzy", threshold=80)],
            block_on=["fields.zip"],
        )
        policy = MergePolicy(duplicate_rule=rule(group))
        other = lead(customer=person(last="Lovelace"), fields={"zip": "94110"})

        assert merge.match(
            lead("N", customer=person(last="Lovelac"), fields={"zip": "94110"}),
            other,
            policy=policy,
            mode="duplicates",
        ).matched == ("last_name_fuzzy", "fields.zip")
        assert not merge.match(
            lead("N", customer=person(last="Lovelac"), fields={"zip": "10001"}),
            other,
            policy=policy,
            mode="duplicates",
        ).matches

    def test_people_closest_either_customer(self) -> None:
        """MRG-5 compares the closer name only; either tries both; customer only the customer."""
        couple = lead(
            customer=person("Bob", "Stone", emails=("bob@x.io",)),
            co_customer=person("Alice", "Stone", emails=("al@x.io",)),
        )
        inbound = person("Bob", "Stone", emails=("al@x.io",))
        group = MatchGroup(all_of=["email"])

        def via(people: str) -> tuple[str | None, str]:
            found = merge.match(
                inbound,
                couple,
                policy=MergePolicy(duplicate_rule=rule(group, people=people)),
                mode="duplicates",
            )
            return found.via, found.person

        assert via("closest") == (None, "customer")
        assert via("either") == ("any_of[0]", "co_customer")
        assert via("customer") == (None, "customer")

    def test_phone_only_is_a_group_with_inbound_lacks(self) -> None:
        """MRG-4 written in the language: a caller without email nor name, by phone."""
        policy = MergePolicy(auto_merge_rule=rule(MatchGroup(all_of=["email"]), PHONE_ONLY))
        other = lead(customer=person("Ada", "Lovelace", phones=("4158675309",)))

        assert (
            merge.match(person("Unknown", phones=("+14158675309",)), other, policy=policy).via
            == "phone_only"
        )
        assert (
            merge.match(person("Zed", phones=("+14158675309",)), other, policy=policy).via is None
        )


class TestTooCommonKeys:
    """max_leads: a key held by too many leads is ignored by the item."""

    def leads(self) -> list[Lead]:
        """Three leads sharing a call centre's number, two also an email."""
        centre = ("800 555 0199",)
        return [
            recent("A", customer=person(phones=centre, emails=("a@x.io",))),
            recent("B", customer=person(phones=centre, emails=("a@x.io",))),
            recent("C", customer=person(phones=centre)),
        ]

    def policy(self) -> MergePolicy:
        """Any of phone (at most 2 leads) or email."""
        phone = MatchItem(field="phone", max_leads=2)
        return MergePolicy(duplicate_rule=rule(MatchGroup(of=[phone, "email"], at_least=1)))

    def test_counted_over_the_existing_leads(self) -> None:
        """The number is held by 3 existing leads: only the email matches."""
        inbound = recent("N", customer=person(phones=("8005550199",), emails=("a@x.io",)))

        found = merge.duplicates(inbound, self.leads(), now=NOW, policy=self.policy())
        indexed = merge.duplicates(inbound, MergeIndex(self.leads()), now=NOW, policy=self.policy())

        assert found.ids == ("A", "B") == indexed.ids
        assert [d.matched for d in found.duplicates] == [("email",), ("email",)]

    def test_a_space_of_two_items_is_counted_once(self) -> None:
        """Two items with the same definition count each lead holding a key once."""
        first = MatchItem(field="first_name", max_leads=1, label="first")
        again = MatchItem(field="first_name", max_leads=1, label="again")
        policy = MergePolicy(
            auto_merge_rule=rule(
                MatchGroup(of=[first], at_least=1), MatchGroup(of=[again], at_least=1)
            )
        )
        one, other = lead("N", customer=person("Ada")), lead("O", customer=person("Ada"))

        found = merge.match(one, other, policy=policy)
        why = merge.explain(one, other, now=NOW, policy=policy)

        assert (found.via, found.matched) == ("any_of[0]", ("first",))
        assert (why.via, why.matched) == (found.via, found.matched)

    def test_counts_can_come_from_elsewhere(self) -> None:
        """KeyCounts over another population; explain says why a key was ignored."""
        counts = KeyCounts.of(self.leads(), policy=self.policy())
        inbound = lead("N", customer=person(phones=("8005550199",)))

        why = merge.explain(
            inbound,
            self.leads()[2],
            now=NOW,
            policy=self.policy(),
            mode="duplicates",
            counts=counts,
        )
        alone = merge.explain(
            inbound, self.leads()[2], now=NOW, policy=self.policy(), mode="duplicates"
        )

        assert counts.rows() == (("phone (at most 2 leads)", "+18005550199", 3),)
        assert (why.matches, alone.matches) == (False, True)
        assert why.condition("phone").ignored == ("+18005550199",)
        assert why.condition("phone").common == ()

    def test_batch_counts_over_the_table(self) -> None:
        """Batch deduplication ignores the number as the brute force does."""
        found = dedupe.find(self.leads(), now=NOW, policy=self.policy())
        duplicates = [
            (p.a, p.b) for p in found.pairs if any(d.action == "duplicate" for d in p.decisions)
        ]

        assert duplicates == [("A", "B")]
        assert found.pairs == dedupe.reference(self.leads(), now=NOW, policy=self.policy())


class TestPolicy:
    """MergePolicy's rule keys and the rulebook's keys."""

    def test_the_spec_keys_write_the_seed_rules(self) -> None:
        """MRG-1/MRG-4 for auto-merge, MRG-7 for duplicates."""
        auto, duplicates = MergePolicy().rule("auto"), MergePolicy().rule("duplicates")

        assert [(g.label, g.needed, [i.label for i in g.items]) for g in auto.groups] == [
            ("two_of_n", 2, ["name", "email", "phone"]),
            ("phone_only", 1, ["phone"]),
        ]
        assert [i.label for i in duplicates.groups[0].items] == ["name_fuzzy", "email", "phone"]
        assert duplicates.items[0].threshold == 90

    def test_a_rule_and_changed_spec_keys_are_refused_together(self) -> None:
        """[decided] Giving both is an error, naming the rule."""
        with pytest.raises(InvalidInput) as caught:
            MergePolicy(auto_merge_rule=MergePolicy().rule("auto"), auto_merge_min_conditions=1)

        assert caught.value.path == "auto_merge_rule"

    def test_the_ratio_has_no_effect_with_both_rules(self) -> None:
        """duplicate_name_min_ratio only feeds the rulebook's keys' name_fuzzy."""
        with pytest.raises(InvalidInput) as caught:
            MergePolicy(
                auto_merge_rule=MergePolicy().rule("auto"),
                duplicate_rule=MergePolicy().rule("duplicates"),
                duplicate_name_min_ratio=80,
            )

        assert caught.value.path == "duplicate_name_min_ratio"

    def test_unknown_mode_is_refused(self) -> None:
        """Only auto and duplicates."""
        with pytest.raises(InvalidInput):
            MergePolicy().rule("autoo")  # type: ignore[arg-type]  # the point
        with pytest.raises(InvalidInput):
            merge.match(person(), lead(), mode="autoo")  # type: ignore[arg-type]  # the point

    @pytest.mark.parametrize(
        ("rule_json", "path"),
        [
            ({"any_of": [{"all_of": ["vin"]}]}, "any_of[0].all_of[0].field"),
            (
                {"any_of": [{"all_of": [{"field": "email", "method": "soundex"}]}]},
                "any_of[0].all_of[0].method",
            ),
            (
                {
                    "any_of": [
                        {"all_of": ["email"]},
                        {"all_of": [{"field": "full_name", "method": "fuzzy", "threshold": 101}]},
                    ]
                },
                "any_of[1].all_of[0].threshold",
            ),
            (
                {
                    "any_of": [
                        {
                            "all_of": [
                                {
                                    "field": "full_name",
                                    "method": "fuzzy",
                                    "scorer": "jaro_winkler",
                                    "threshold": 90,
                                }
                            ]
                        }
                    ]
                },
                "any_of[0].all_of[0].threshold",
            ),
            (
                {
                    "any_of": [
                        {
                            "all_of": [
                                {
                                    "field": "fields.vin",
                                    "method": "fuzzy",
                                    "scorer": "levenshtein",
                                    "threshold": 1.5,
                                }
                            ]
                        }
                    ]
                },
                "any_of[0].all_of[0].threshold",
            ),
            (
                {"any_of": [{"all_of": [{"field": "email", "method": "fuzzy"}]}]},
                "any_of[0].all_of[0].threshold",
            ),
            ({"any_of": [{"all_of": []}]}, "any_of[0].all_of"),
            ({"any_of": []}, "any_of"),
            ({"any_of": [{"of": ["email"], "at_least": 2}]}, "any_of[0].at_least"),
            ({"any_of": [{"of": ["email"]}]}, "any_of[0].at_least"),
            (
                {"any_of": [{"all_of": [{"field": "name", "method": "prefix", "length": 2}]}]},
                "any_of[0].all_of[0].method",
            ),
            (
                {"any_of": [{"all_of": [{"field": "phone", "method": "domain"}]}]},
                "any_of[0].all_of[0].method",
            ),
            (
                {"any_of": [{"all_of": [{"field": "email", "method": "prefix"}]}]},
                "any_of[0].all_of[0].length",
            ),
            (
                {"any_of": [{"all_of": [{"field": "email", "normalizer": "text"}]}]},
                "any_of[0].all_of[0].normalizer",
            ),
            (
                {
                    "any_of": [
                        {
                            "all_of": [
                                {
                                    "field": "full_name",
                                    "method": "fuzzy",
                                    "threshold": 9,
                                    "max_leads": 3,
                                }
                            ]
                        }
                    ]
                },
                "any_of[0].all_of[0].max_leads",
            ),
            (
                {
                    "any_of": [
                        {
                            "all_of": ["email"],
                            "block_on": [{"field": "last_name", "method": "fuzzy", "threshold": 9}],
                        }
                    ]
                },
                "any_of[0].block_on[0]",
            ),
            (
                {
                    "any_of": [
                        {"all_of": ["email"], "label": "x"},
                        {"all_of": ["phone"], "label": "x"},
                    ]
                },
                "any_of[1].label",
            ),
            ({"any_of": [{"all_of": ["email"], "treshold": 9}]}, "any_of[0].treshold"),
            ({"any_of": [{"all_of": ["email"]}], "people": "both"}, "people"),
        ],
    )
    def test_a_bad_rule_is_refused_at_its_path(self, rule_json: dict[str, Any], path: str) -> None:
        """GEN-5: unknown fields and methods, thresholds out of range, empty groups..."""
        response: Any = protocol.decide(
            request(
                "merge.duplicates",
                {"lead": {"id": "N"}, "existing": []},
                policy={"duplicate_rule": rule_json},
            )
        )

        assert response["ok"] is False
        assert response["error"]["path"] == f"policy.duplicate_rule.{path}"

    def test_too_many_groups_are_refused(self) -> None:
        """Absurd collections are refused (GEN-5), not compiled."""
        with pytest.raises(InvalidInput) as caught:
            MatchRule(any_of=[MatchGroup(all_of=["email"])] * 65)

        assert caught.value.path == "any_of"

    def test_schema_lists_the_language(self) -> None:
        """The JSON Schema's vocabulary is the language's."""
        item = schema("match_item")["anyOf"][1]["properties"]

        assert item["method"]["anyOf"][0]["enum"] == list(get_args(merge.Method))
        assert item["scorer"]["anyOf"][0]["enum"] == list(get_args(merge.Scorer))
        assert set(item) == {f.name for f in attrs.fields(MatchItem)}
        assert set(schema("match_group")["properties"]) == {
            f.name for f in attrs.fields(MatchGroup)
        }


class TestExplain:
    """Explanations: which group, every item's values and score, and why not."""

    def test_a_match_names_its_group_and_items(self) -> None:
        """Under a rule: the conditions are its items, with values and normal forms."""
        policy = MergePolicy(
            auto_merge_rule=rule(MatchGroup(label="mail", all_of=["email", "last_name"]))
        )
        other = recent("L1", customer=person("Ada", "Lovelace", emails=("ada@x.io",)))

        found = merge.explain(
            lead("N1", customer=person("ADA", "lovelace", emails=(" Ada@X.io",))),
            other,
            now=NOW,
            policy=policy,
        )
        email = found.condition("email")

        assert (found.outcome, found.via, found.matched) == (
            "merge",
            "mail",
            ("email", "last_name"),
        )
        assert [c.condition for c in found.conditions] == ["email", "last_name"]
        assert (email.inbound, email.existing) == ((" Ada@X.io",), ("ada@x.io",))
        assert email.inbound_normal == email.existing_normal == email.common == ("ada@x.io",)
        assert found.groups[0].held == ("email", "last_name")

    def test_why_not_lists_the_closest_groups_failures(self) -> None:
        """The closest group and the items that failed, with the score against its threshold."""
        policy = MergePolicy(
            duplicate_rule=rule(
                MatchGroup(label="vin", all_of=["fields.vin", "phone"]),
                MatchGroup(
                    label="names",
                    all_of=[
                        MatchItem(field="full_name", method="fuzzy", threshold=97),
                        "email",
                    ],
                ),
            )
        )
        other = recent("L1", customer=person("Adah", "Lovelace", emails=("a@x.io",)))

        found = merge.explain(
            lead("N1", customer=person("Ada", "Lovelace", emails=("a@x.io",))),
            other,
            now=NOW,
            policy=policy,
            mode="duplicates",
        )
        failed = found.why_not[0]

        assert (found.outcome, found.closest_group) == ("none", "names")
        assert (failed.condition, failed.comparison, failed.threshold) == (
            "full_name_fuzzy",
            ">=",
            97.0,
        )
        assert failed.score is not None
        assert round(failed.score, 1) == 96.0
        assert found.condition("fields.vin").blocked_by == "no_value"
        assert "closest names (1 more of full_name_fuzzy)" in found.summary()

    @pytest.mark.parametrize(
        ("item", "first", "last", "blocker"),
        [
            (
                MatchItem(field="full_name", method="fuzzy", threshold=90),
                "Unknown",
                "Null",
                "placeholder_name",
            ),
            (MatchItem(field="full_name", method="exact"), "Unknown", "", "placeholder_name"),
            (
                MatchItem(field="first_name", method="exact"),
                "Unknown",
                "Lovelace",
                "placeholder_name",
            ),
            (
                MatchItem(field="last_name", method="prefix", length=3),
                "Ada",
                "Null",
                "placeholder_name",
            ),
            (MatchItem(field="full_name", method="fuzzy", threshold=90), "", "", "no_name"),
            (MatchItem(field="last_name", method="exact"), "Ada", "", "no_value"),
        ],
    )
    def test_a_name_of_placeholders_is_blocked_as_one(
        self, item: MatchItem, first: str, last: str, blocker: str | None
    ) -> None:
        """A name made only of placeholders is ``placeholder_name``, not a failed score."""
        policy = MergePolicy(duplicate_rule=rule(MatchGroup(all_of=[item])))
        other = recent("L1", customer=person(first, last, emails=("b@x.io",)))

        found = merge.explain(
            lead("N1", customer=person(first, last, emails=("a@x.io",))),
            other,
            now=NOW,
            policy=policy,
            mode="duplicates",
        )
        check = found.conditions[0]

        assert (found.outcome, check.holds, check.score) == ("none", False, None)
        assert check.blocked_by == blocker

    def test_placeholders_kept_as_values_are_compared(self) -> None:
        """With ``placeholders="value"`` the same placeholder name holds, unblocked."""
        item = MatchItem(field="full_name", method="fuzzy", threshold=90, placeholders="value")
        policy = MergePolicy(duplicate_rule=rule(MatchGroup(all_of=[item])))
        other = recent("L1", customer=person("Unknown", "Null", emails=("b@x.io",)))

        found = merge.explain(
            lead("N1", customer=person("Unknown", "Null", emails=("a@x.io",))),
            other,
            now=NOW,
            policy=policy,
            mode="duplicates",
        )
        check = found.conditions[0]

        assert (found.outcome, check.holds, check.score, check.blocked_by) == (
            "duplicate",
            True,
            100.0,
            None,
        )

    def test_an_inbound_lacks_guard_is_an_item_of_its_group(self) -> None:
        """MRG-4 as a rule's group: no_usable_email and no_real_name beside the phone."""
        policy = MergePolicy(auto_merge_rule=rule(MatchGroup(all_of=["email"]), PHONE_ONLY))
        other = recent("L1", customer=person("Ada", "Lovelace", phones=("4158675309",)))

        found = merge.explain(
            lead("N1", customer=person("Zed", phones=("+14158675309",))),
            other,
            now=NOW,
            policy=policy,
        )
        group = next(g for g in found.groups if g.name == "phone_only")

        assert (group.held, group.failed, group.needed) == (
            ("phone_in_common", "no_usable_email"),
            ("no_real_name",),
            3,
        )


class TestIndex:
    """MergeIndex under rules: derived lookups, scan when not exact."""

    def test_index_is_exact_generalised(self) -> None:
        """A group of fuzzy items only cannot be looked up; a declared key fixes it."""
        fuzzy = MatchGroup(all_of=[MatchItem(field="full_name", method="fuzzy", threshold=90)])
        keyed = MatchGroup(
            all_of=fuzzy.all_of, block_on=[MatchItem(field="last_name", method="initial")]
        )

        assert not merge.index_is_exact(MergePolicy(duplicate_rule=rule(fuzzy)), mode="duplicates")
        assert merge.index_is_exact(MergePolicy(duplicate_rule=rule(keyed)), mode="duplicates")

    def test_lookups_through_a_custom_field_and_after_updates(self) -> None:
        """A VIN space gets buckets on first use and follows add/remove."""
        policy = MergePolicy(duplicate_rule=rule(MatchGroup(all_of=["fields.vin"])))
        one = recent("A", fields={"vin": "1HGCM82633A004352"})
        index = MergeIndex([one, recent("B", fields={"vin": "X"})])
        inbound = lead("N", fields={"vin": "1hgcm82633a004352"})

        assert merge.duplicates(inbound, index, now=NOW, policy=policy).ids == ("A",)
        index.add(recent("C", fields={"vin": "1HGCM82633A004352"}))
        index.remove("A")
        assert merge.duplicates(inbound, index, now=NOW, policy=policy).ids == ("C",)


class TestCompoundKeys:
    """A group of several keyed items blocks on all of them at once (issue 15)."""

    ZIP_NAME: Final = MatchGroup(all_of=["fields.zip", "last_name"])
    LASTS: Final = ("Lovelace", "Lovelace", "Stone", "Stone", "Stone", "Ng")

    def table(self, lasts: tuple[str, ...] = LASTS) -> Any:  # a Chunk
        """One zip, six leads of three last names, as batch deduplication reads them."""
        leads = [
            recent(f"L{i}", customer=person("Ada", last), fields={"zip": "94110"})
            for i, last in enumerate(lasts)
        ]
        return dedupe.load(leads).data

    def search(self, group: MatchGroup, data: Any) -> Any:  # Candidates
        """The candidate pairs of possible duplicates under a rule of ``group``."""
        spec = compile_spec(MergePolicy(duplicate_rule=rule(group)), "duplicates")
        mode = block.Mode(2, spec, [True] * len(data.ids))
        return block.find(data, [mode], limit=100)

    def test_the_plan_splits_a_block_by_the_other_keys(self) -> None:
        """The zip is searched (custom fields first), last name is the compound key's rest."""
        spec = compile_spec(MergePolicy(duplicate_rule=rule(self.ZIP_NAME)), "duplicates")

        chosen = block.plan_by_load(spec, lambda _space: 0)

        [(space, [search])] = chosen.items()
        assert space.field == "fields.zip"
        assert [s.field for s in search.within] == ["last_name"]
        assert not search.trivial

    def test_only_rows_sharing_every_key_are_paired(self) -> None:
        """6 rows of one zip: 14 pairs checked (2x2 + 3x3 + 1), not 36; 8 found."""
        found = self.search(self.ZIP_NAME, self.table())

        assert found.examined == 14
        assert sorted(found.pairs) == [
            (0, 1), (1, 0), (2, 3), (2, 4), (3, 2), (3, 4), (4, 2), (4, 3),
        ]  # fmt: skip

    def test_one_required_key_enumerates_the_block(self) -> None:
        """The same rows under zip alone: every pair of the block is checked."""
        found = self.search(MatchGroup(all_of=["fields.zip"]), self.table())

        assert found.examined == 36
        assert len(found.pairs) == 30

    def test_several_values_are_in_each_sub_block(self) -> None:
        """Two emails and two phones a person, a co-customer: equal to brute force."""
        group = MatchGroup(all_of=["email", "phone"], people="either")
        policy = MergePolicy(duplicate_rule=rule(group))
        leads = [
            recent(
                "A",
                customer=person(emails=("a@x.io", "b@x.io"), phones=("4158675309", "4158675310")),
            ),
            recent("B", customer=person(emails=("b@x.io",), phones=("4158675310",))),
            recent(
                "C",
                customer=person(emails=("a@x.io",)),
                co_customer=person(phones=("4158675309",)),
            ),
            recent(
                "D",
                customer=person(emails=("c@x.io",)),
                co_customer=person(emails=("a@x.io",), phones=("4158675309",)),
            ),
        ]

        found = dedupe.find(leads, now=NOW, policy=policy)

        assert found.pairs == dedupe.reference(leads, now=NOW, policy=policy)
        assert sorted((p.a, p.b) for p in found.pairs) == [("A", "B"), ("A", "D")]

    def test_a_key_ignored_as_too_common_is_not_shared(self) -> None:
        """last_name with max_leads=2: Stone (3 leads) never holds; Lovelace still pairs."""
        group = MatchGroup(all_of=["fields.zip", MatchItem(field="last_name", max_leads=2)])
        policy = MergePolicy(duplicate_rule=rule(group))
        leads = [
            recent(f"L{i}", customer=person("Ada", last), fields={"zip": "94110"})
            for i, last in enumerate(self.LASTS)
        ]
        columns = dedupe.Columns(fields=["zip"])

        found = dedupe.find(leads, now=NOW, policy=policy, columns=columns)

        assert found.pairs == dedupe.reference(leads, now=NOW, policy=policy)
        assert [(p.a, p.b) for p in found.pairs] == [("L0", "L1")]

    def test_a_large_block_is_searched_through_its_fuzzy_items(self) -> None:
        """10 x 10 leads of one zip and last name: only the close first names are checked."""
        group = MatchGroup(
            all_of=[
                "fields.zip",
                "last_name",
                MatchItem(field="first_name", method="fuzzy", scorer="jaro_winkler", threshold=0.9),
            ]
        )
        firsts = ("Ada", "Adah", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy")
        data = dedupe.load(
            [
                recent(f"L{i}", customer=person(first, "Stone"), fields={"zip": "94110"})
                for i, first in enumerate(firsts)
            ]
        ).data

        found = self.search(group, data)

        assert sorted(found.pairs) == [(0, 1), (1, 0)]
        assert found.examined == 2
        with mock.patch.object(block, "CLOSE_AT", 1_000):
            one_by_one = self.search(group, data)
        assert (one_by_one.pairs, one_by_one.examined) == (found.pairs, 100)

    def test_a_large_blocks_other_groups_are_checked_without_the_fuzzy_ones(self) -> None:
        """Two groups through the email: the fuzzy one searched in C, the other pair by pair."""
        fuzzy = MatchGroup(
            all_of=[
                "email",
                MatchItem(field="first_name", method="fuzzy", scorer="jaro_winkler", threshold=0.9),
            ]
        )
        either = MatchGroup(of=["email", "last_name"], at_least=2)
        policy = MergePolicy(duplicate_rule=rule(fuzzy, either))
        leads = [
            recent("A", customer=person("Ada", "Stone", emails=("team@acme.com",))),
            recent("B", customer=person("Adah", "Lee", emails=("team@acme.com",))),
            recent("C", customer=person("Zed", "Stone", emails=("team@acme.com",))),
            recent("D", customer=person("Bo", "Ng", emails=("team@acme.com",))),
        ]
        spec = compile_spec(policy, "duplicates")
        [(space, tests)] = block.plan_by_load(spec, lambda _space: 0).items()
        assert space.field == "email"
        assert [(bool(block.unkeyed_items(t.group)), t.within) for t in tests] == [
            (True, ()),
            (False, ()),
        ]

        with mock.patch.object(block, "CLOSE_AT", 1):
            found = dedupe.find(leads, now=NOW, policy=policy)

        assert [(p.a, p.b) for p in found.pairs] == [("A", "B"), ("A", "C")]
        assert found.pairs == dedupe.reference(leads, now=NOW, policy=policy)
        assert found.pairs == dedupe.find(leads, now=NOW, policy=policy).pairs

    @pytest.mark.parametrize("people", ["either", "closest"])
    def test_the_fuzzy_search_reads_the_co_customer(self, people: str) -> None:
        """A close first name on the existing lead's co-customer is found (as one by one)."""
        group = MatchGroup(
            all_of=[
                "fields.zip",
                "last_name",
                MatchItem(field="first_name", method="fuzzy", scorer="jaro_winkler", threshold=0.9),
            ],
            people=people,  # type: ignore[arg-type]  # a literal
        )
        policy = MergePolicy(duplicate_rule=rule(group))
        leads = [
            recent("A", customer=person("Ada", "Stone"), fields={"zip": "94110"}),
            recent(
                "B",
                customer=person("Zed", "Stone"),
                co_customer=person("Adah", "Stone"),
                fields={"zip": "94110"},
            ),
        ]

        with mock.patch.object(block, "CLOSE_AT", 1):
            found = dedupe.find(leads, now=NOW, policy=policy)

        assert [(p.a, p.b) for p in found.pairs] == [("A", "B")]
        assert found.pairs == dedupe.reference(leads, now=NOW, policy=policy)

    def test_the_index_reads_the_leads_of_every_key(self) -> None:
        """MergeIndex: the leads sharing the zip and the last name, not the whole zip."""
        policy = MergePolicy(duplicate_rule=rule(self.ZIP_NAME))
        old = [
            recent(f"L{i}", customer=person("Ada", last), fields={"zip": "94110"})
            for i, last in enumerate(self.LASTS)
        ]
        index = MergeIndex(old)
        spec = compile_spec(policy, "duplicates")
        inbound = lead("N", customer=person("Bo", "Stone"), fields={"zip": "94110"})

        looked_up = index.lookup(spec.probe(people_of(inbound.customer, spec), inbound), spec)

        assert sorted(x.id for x in looked_up) == ["L2", "L3", "L4"]
        assert merge.duplicates(inbound, index, now=NOW, policy=policy) == merge.duplicates(
            inbound, old, now=NOW, policy=policy
        )


class TestBatch:
    """Batch deduplication with rules over custom columns."""

    ROWS = (
        "lead_id,first_name,last_name,email,phone,co_first_name,co_last_name,co_email,co_phone,"
        "source,lot,vin,zip,created_at,last_activity_at\n"
        "A,Ada,Lovelace,,,,,,,,,1HGCM82633A004352,94110,2026-11-20T00:00:00Z,2026-11-20T00:00:00Z\n"
        "B,Bob,Stone,,,,,,,,,1hgcm82633a004352,10001,2026-11-20T00:00:00Z,2026-11-20T00:00:00Z\n"
        "C,Adah,Lovelace,,,,,,,,,,94110,2026-11-20T00:00:00Z,2026-11-20T00:00:00Z\n"
        "D,Zed,Lovelace,,,,,,,,,,10001,2026-11-20T00:00:00Z,2026-11-20T00:00:00Z\n"
    )
    RULE: Final[dict[str, Any]] = {
        "any_of": [
            {"label": "vin", "all_of": ["fields.vin"]},
            {"label": "zip_name", "all_of": ["fields.zip", "last_name"]},
        ]
    }

    def write(self, tmp_path: Path) -> Path:
        """The table as a CSV file."""
        path = tmp_path / "leads.csv"
        path.write_text(self.ROWS, encoding="utf-8")
        return path

    def test_custom_columns_and_a_rule_over_them(self, tmp_path: Path) -> None:
        """Same VIN alone, or zip + last name: the pairs found, with the group of each."""
        policy = MergePolicy(duplicate_rule=self.RULE)
        table = dedupe.load(self.write(tmp_path), columns=dedupe.Columns(fields=["vin", "zip"]))

        found = dedupe.find(table, now=NOW, policy=policy)
        duplicates = sorted(
            (p.a, p.b, d.via)
            for p in found.pairs
            for d in p.decisions
            if d.action == "duplicate" and d.inbound == p.a
        )

        assert duplicates == [("A", "B", "vin"), ("A", "C", "zip_name")]

    def test_a_field_without_a_column_is_refused(self, tmp_path: Path) -> None:
        """A rule comparing fields.vin needs its column mapped."""
        policy = MergePolicy(duplicate_rule=self.RULE)

        with pytest.raises(InvalidInput) as caught:
            dedupe.find(self.write(tmp_path), now=NOW, policy=policy)

        assert caught.value.path == "columns"
        assert caught.value.value == "fields.vin"

    def test_a_group_without_keys_is_refused_at_its_path(self) -> None:
        """Exactness is asked in batch: a fuzzy-only group needs a declared key."""
        fuzzy = MatchGroup(all_of=[MatchItem(field="full_name", method="fuzzy", threshold=90)])
        policy = MergePolicy(duplicate_rule=rule(MatchGroup(all_of=["email"]), fuzzy))

        with pytest.raises(InvalidInput) as caught:
            dedupe.find([lead("A")], now=NOW, policy=policy)

        assert caught.value.path == "policy.merge.duplicate_rule.any_of[1]"

    def test_columns_parse_custom_fields(self) -> None:
        """--column fields.vin=VIN maps a custom field; fields.vin= unmaps it."""
        columns = dedupe.Columns.parse(["fields.vin=VIN", "fields.zip=Zip", "fields.zip="])

        assert dict(columns.fields) == {"vin": "VIN"}

    def test_the_command_takes_a_rule_file(self, tmp_path: Path) -> None:
        """The command: --policy duplicate_rule=@rule.json --column fields.vin=vin."""
        rule_file = tmp_path / "rule.json"
        rule_file.write_text(json.dumps(self.RULE), encoding="utf-8")
        out = io.StringIO()

        code = _cli.main(
            [
                "dedupe",
                str(self.write(tmp_path)),
                "--now",
                NOW.isoformat(),
                "--policy",
                f"duplicate_rule=@{rule_file}",
                "--column",
                "fields.vin=vin",
                "--column",
                "fields.zip=zip",
                "--workers",
                "1",
            ],
            out,
        )

        assert code == 0, out.getvalue()
        assert "duplicates            2 pairs" in out.getvalue()

    def test_a_rule_that_is_not_json_is_refused(self, tmp_path: Path) -> None:
        """The command names the flag and says what to give."""
        out = io.StringIO()

        code = _cli.main(
            [
                "dedupe",
                str(self.write(tmp_path)),
                "--now",
                NOW.isoformat(),
                "--policy",
                "duplicate_rule={",
            ],
            out,
        )

        assert code == 2


def test_values_equal_in_python_but_not_as_json_differ() -> None:
    """1, 1.0 and True are different values of a custom field (as their JSON texts)."""
    item = MatchItem(field="fields.n", normalizer="exact")

    assert holds(item, lead("N", fields={"n": 1}), lead("L", fields={"n": 1}))
    assert not holds(item, lead("N", fields={"n": True}), lead("L", fields={"n": 1}))
    assert not holds(item, lead("N", fields={"n": 1.0}), lead("L", fields={"n": 1}))
    assert holds(item, lead("N", fields={"n": "1"}), lead("L", fields={"n": 1}))
    assert holds(item, lead("N", fields={"n": "true"}), lead("L", fields={"n": True}))


def test_an_empty_co_customer_is_no_co_customer() -> None:
    """[decided] Without name, email or phone it matches nothing, blanks or not (as in tables)."""
    blank_names = MatchRule(
        any_of=[MatchGroup(all_of=[MatchItem(field="name", blanks="match")])], people="either"
    )
    other = lead(customer=person("Ada", "Lovelace"), co_customer=person("--"))

    found = merge.match(
        person("Zed"), other, policy=MergePolicy(duplicate_rule=blank_names), mode="duplicates"
    )

    assert not found.matches


def test_a_pair_lists_the_rule_labels_that_held() -> None:
    """Under a match rule, a pair's ``matched`` names the rule's own items (not only MRG's)."""
    vin = MatchItem(field="fields.vin")
    policy = MergePolicy(duplicate_rule=rule(MatchGroup(all_of=[vin])))
    leads = [
        recent(name, customer=person(last=name), fields={"vin": "V1"}) for name in ("L1", "L2")
    ]

    found = dedupe.find(leads, now=NOW, policy=policy)

    assert [(p.a, p.b, p.matched) for p in found.pairs] == [("L1", "L2", ("fields.vin",))]
