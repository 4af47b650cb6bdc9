"""
The match-rule language (leadcore._merge.rules) pinned down in full.

Every refusal of an item, a group and a rule with each problem's path, value and message
(and the boundaries just inside the limits); reading from JSON with its unknown keys; the
JSON written back; the seed's rules. Each test kills mutants of _merge/rules.py that the
engine's tests let survive (mutation testing, issue 20: ``python3 dev.py mutate
_merge.rules``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from leadcore import _attrs as a
from leadcore._merge.rules import (
    FREE_MAIL_DOMAINS,
    PHONE_ONLY,
    MatchGroup,
    MatchItem,
    MatchRule,
    legacy_rule,
    rule_json,
)

from .asserts import problems

FIELDS = (
    "is not a field; known: name, first_name, last_name, full_name, email, phone, source, "
    "lot, project, status, owner, org, pipeline, channel, or fields.<name> for a custom field"
)
METHODS = "must be one of 'exact', 'domain', 'prefix', 'initial', 'fuzzy' (a method)"
PEOPLE = "must be one of 'closest', 'either', 'customer' (which person of the existing lead)"
ITEM_KEYS = (
    "is not a key here; known: blanks, field, free_domains, label, length, max_leads, "
    "method, normalizer, placeholders, scorer, threshold"
)
KEYED = (
    "only applies to exact, domain, prefix and initial items whose blanks do not match "
    "(items compared by shared keys)"
)
LABEL = "must be a non-blank name of at most 200 characters"
LEVENSHTEIN = "must be a whole number of edits between 0 and 10000 for levenshtein"
ONLY_FUZZY = "only applies to method 'fuzzy'"


def fuzzy(field: str = "full_name", **options: Any) -> MatchItem:
    """A fuzzy item."""
    return MatchItem(field=field, method="fuzzy", **options)


ITEMS: list[tuple[str, Callable[[], object], list[tuple[Any, ...]]]] = [
    (
        "field not text",
        lambda: MatchItem(field=3),  # type: ignore[arg-type]  # the point
        [("field", 3, "must be a string, not int"), ("label", 3, "must be a string, not int")],
    ),
    ("unknown field", lambda: MatchItem(field="vin"), [("field", "vin", FIELDS)]),
    ("empty custom name", lambda: MatchItem(field="fields."), [("field", "fields.", FIELDS)]),
    (
        "unknown method",
        lambda: MatchItem(field="email", method="soundex"),  # type: ignore[arg-type]
        [("method", "soundex", METHODS)],
    ),
    (
        "unknown scorer",
        lambda: fuzzy(scorer="soundex", threshold=1),
        [
            (
                "scorer",
                "soundex",
                (
                    "must be one of 'token_sort_ratio', 'ratio', 'jaro_winkler', 'levenshtein' "
                    "(a rapidfuzz scorer)"
                ),
            )
        ],
    ),
    (
        "name by prefix",
        lambda: MatchItem(field="name", method="prefix", length=2),
        [
            (
                "method",
                "prefix",
                (
                    "must be 'exact' for field 'name' (first and last name both equal); "
                    "compare full_name, first_name or last_name for other methods"
                ),
            )
        ],
    ),
    (
        "domain of a phone",
        lambda: MatchItem(field="phone", method="domain"),
        [
            (
                "method",
                "domain",
                "compares email domains: use it on 'email' or on a field with normalizer 'email'",
            )
        ],
    ),
    (
        "prefix without length",
        lambda: MatchItem(field="email", method="prefix"),
        [("length", None, "is required with method 'prefix'")],
    ),
    (
        "length without prefix",
        lambda: MatchItem(field="email", length=3),
        [("length", 3, "only applies to method 'prefix'")],
    ),
    (
        "length too long",
        lambda: MatchItem(field="email", method="prefix", length=1001),
        [("length", 1001, "must be at most 1000")],
    ),
    (
        "fuzzy without threshold",
        lambda: fuzzy("email"),
        [("threshold", None, "is required with method 'fuzzy'")],
    ),
    (
        "scorer and threshold without fuzzy",
        lambda: MatchItem(field="email", scorer="ratio", threshold=3),
        [("scorer", "ratio", ONLY_FUZZY), ("threshold", 3, ONLY_FUZZY)],
    ),
    (
        "threshold alone without fuzzy",
        lambda: MatchItem(field="email", threshold=3),
        [("threshold", 3, ONLY_FUZZY)],
    ),
    (
        "normalizer of a person field",
        lambda: MatchItem(field="email", normalizer="text"),
        [
            (
                "normalizer",
                "text",
                "only applies to lead and custom fields; person fields have their own",
            )
        ],
    ),
    (
        "placeholders of an email",
        lambda: MatchItem(field="email", placeholders="value"),
        [("placeholders", "value", "only applies to name fields")],
    ),
    (
        "max_leads of a fuzzy item",
        lambda: fuzzy(threshold=9, max_leads=3),
        [("max_leads", 3, KEYED)],
    ),
    (
        "max_leads with blanks matching",
        lambda: MatchItem(field="email", blanks="match", max_leads=3),
        [("max_leads", 3, KEYED)],
    ),
    (
        "free domains without domain",
        lambda: MatchItem(field="email", free_domains=["x.io"]),
        [("free_domains", ("x.io",), "only applies to method 'domain'")],
    ),
    (
        "ratio over 100",
        lambda: fuzzy(threshold=101),
        [("threshold", 101, "must be between 0 and 100 for token_sort_ratio")],
    ),
    (
        "ratio under 0",
        lambda: fuzzy(scorer="ratio", threshold=-1),
        [("threshold", -1, "must be between 0 and 100 for ratio")],
    ),
    (
        "jaro_winkler over 1",
        lambda: fuzzy(scorer="jaro_winkler", threshold=2),
        [("threshold", 2, "must be between 0 and 1 for jaro_winkler")],
    ),
    (
        "jaro_winkler under 0",
        lambda: fuzzy(scorer="jaro_winkler", threshold=-0.5),
        [("threshold", -0.5, "must be between 0 and 1 for jaro_winkler")],
    ),
    (
        "levenshtein not whole",
        lambda: fuzzy("fields.vin", scorer="levenshtein", threshold=1.5),
        [("threshold", 1.5, LEVENSHTEIN)],
    ),
    (
        "levenshtein under 0",
        lambda: fuzzy("fields.vin", scorer="levenshtein", threshold=-1),
        [("threshold", -1, LEVENSHTEIN)],
    ),
    (
        "levenshtein over the longest text",
        lambda: fuzzy("fields.vin", scorer="levenshtein", threshold=a.MAX_TEXT + 1),
        [("threshold", a.MAX_TEXT + 1, LEVENSHTEIN)],
    ),
    (
        "threshold a boolean",
        lambda: fuzzy(threshold=True),
        [("threshold", True, "must be a number, not bool")],
    ),
    (
        "threshold a text",
        lambda: fuzzy(threshold="90"),
        [("threshold", "90", "must be a number, not str")],
    ),
    (
        "threshold infinite",
        lambda: fuzzy(threshold=float("inf")),
        [("threshold", float("inf"), "must be a finite number")],
    ),
    ("label blank", lambda: MatchItem(field="email", label="  "), [("label", "  ", LABEL)]),
    (
        "label too long",
        lambda: MatchItem(field="email", label="x" * 201),
        [("label", "x" * 201, LABEL)],
    ),
    (
        "label None",
        lambda: MatchItem(field="email", label=None),  # type: ignore[arg-type]  # the point
        [("label", None, "must be a string, not NoneType")],
    ),
    (
        "label a number",
        lambda: MatchItem(field="email", label=5),  # type: ignore[arg-type]  # the point
        [("label", 5, "must be a string, not int")],
    ),
    (
        "JSON not an object",
        lambda: MatchItem.from_json(5),
        [("", 5, "must be an object, not int")],
    ),
    (
        "JSON with keys of any type",
        lambda: MatchItem.from_json({"field": "email", 1: "x", "b": 2, None: 3}),
        [("1", "x", ITEM_KEYS), ("None", 3, ITEM_KEYS), ("b", 2, ITEM_KEYS)],
    ),
    (
        "JSON without field",
        lambda: MatchItem.from_json({"method": "exact", "zz": 1}),
        [("zz", 1, ITEM_KEYS), ("field", None, "is required: the field compared")],
    ),
    (
        "JSON with an unknown key and a bad method",
        lambda: MatchItem.from_json({"field": "email", "zz": 1, "method": "soundex"}),
        [("zz", 1, ITEM_KEYS), ("method", "soundex", METHODS)],
    ),
    (
        "JSON with unknown keys only",
        lambda: MatchItem.from_json({"field": "email", "b": 1, "a": 2, "c": None}),
        [("a", 2, ITEM_KEYS), ("b", 1, ITEM_KEYS), ("c", None, ITEM_KEYS)],
    ),
]

GROUPS: list[tuple[str, Callable[[], object], list[tuple[Any, ...]]]] = [
    (
        "empty",
        MatchGroup,
        [("all_of", (), "must list at least one item (or give 'of' and 'at_least')")],
    ),
    (
        "all_of and of",
        lambda: MatchGroup(all_of=["email"], of=["phone"], at_least=1),
        [("of", (MatchItem(field="phone"),), "cannot be given with all_of: choose one")],
    ),
    (
        "of without at_least",
        lambda: MatchGroup(of=["email"]),
        [("at_least", None, "is required with 'of'")],
    ),
    (
        "at_least without of",
        lambda: MatchGroup(all_of=["email"], at_least=1),
        [("at_least", 1, "only applies with 'of'")],
    ),
    (
        "at_least over the items",
        lambda: MatchGroup(of=["email", "phone"], at_least=3),
        [("at_least", 3, "must be at most the number of items in 'of' (2)")],
    ),
    (
        "a fuzzy blocking key",
        lambda: MatchGroup(all_of=["email"], block_on=["phone", fuzzy(threshold=9)]),
        [
            (
                "block_on[1]",
                "full_name_fuzzy",
                (
                    "must be an exact, domain, prefix or initial item whose blanks do not match: "
                    "a blocking key is shared by both leads"
                ),
            )
        ],
    ),
    (
        "items not items",
        lambda: MatchGroup(all_of=[5]),  # type: ignore[list-item]  # the point
        [("all_of[0]", 5, "must be a MatchItem, not int")],
    ),
    (
        "too many items",
        lambda: MatchGroup(of=["email"] * 65, at_least=1),
        [("of", "<65 items>", "must hold at most 64 items")],
    ),
    (
        "unknown people",
        lambda: MatchGroup(all_of=["email"], people="both"),  # type: ignore[arg-type]
        [("people", "both", PEOPLE)],
    ),
    (
        "unknown field lacking",
        lambda: MatchGroup(all_of=["email"], inbound_lacks=["vin"]),
        [("inbound_lacks[0]", "vin", FIELDS)],
    ),
    (
        "too many fields lacking",
        lambda: MatchGroup(all_of=["email"], inbound_lacks=["email"] * 65),
        [("inbound_lacks", ("email",) * 65, "must hold at most 64 fields")],
    ),
    ("blank label", lambda: MatchGroup(all_of=["email"], label=""), [("label", "", LABEL)]),
    (
        "JSON with bad items in each list",
        lambda: MatchGroup.from_json(
            {
                "all_of": ["email", {"field": "vin"}],
                "of": [{"field": "email", "method": "x"}],
                "block_on": [3],
                "zz": 1,
            }
        ),
        [
            (
                "zz",
                1,
                (
                    "is not a key here; known: all_of, at_least, block_on, inbound_lacks, label, "
                    "of, people"
                ),
            ),
            ("all_of[1].field", "vin", FIELDS),
            ("of[0].method", "x", METHODS),
            ("block_on[0]", 3, "must be an object, not int"),
        ],
    ),
    (
        "JSON with a text for a list",
        lambda: MatchGroup.from_json({"all_of": "email"}),
        [("all_of", "email", "must be a list, not str")],
    ),
]

RULES: list[tuple[str, Callable[[], object], list[tuple[Any, ...]]]] = [
    ("no groups", lambda: MatchRule(any_of=[]), [("any_of", (), "must list at least one group")]),
    (
        "groups not groups",
        lambda: MatchRule(any_of=[5]),  # type: ignore[list-item]  # the point
        [("any_of[0]", 5, "must be a MatchGroup, not int")],
    ),
    (
        "too many groups",
        lambda: MatchRule(any_of=[MatchGroup(all_of=["email"])] * 65),
        [("any_of", "<65 groups>", "must hold at most 64 groups")],
    ),
    (
        "unknown people",
        lambda: MatchRule(any_of=[MatchGroup(all_of=["email"])], people="both"),  # type: ignore[arg-type]
        [("people", "both", PEOPLE)],
    ),
    (
        "two groups of one label, given or by default",
        lambda: MatchRule(
            any_of=[
                MatchGroup(all_of=["email"], label="x"),
                MatchGroup(all_of=["phone"]),
                MatchGroup(all_of=["phone"], label="x"),
                MatchGroup(all_of=["phone"], label="any_of[1]"),
            ]
        ),
        [
            (
                "any_of[2].label",
                "x",
                (
                    "is also the label of any_of[0]; group labels are reported as 'via' and must "
                    "differ"
                ),
            ),
            (
                "any_of[3].label",
                "any_of[1]",
                (
                    "is also the label of any_of[1]; group labels are reported as 'via' and must "
                    "differ"
                ),
            ),
        ],
    ),
    (
        "two items of one label",
        lambda: MatchRule(
            any_of=[
                MatchGroup(all_of=["email", MatchItem(field="phone", label="k")]),
                MatchGroup(
                    of=[MatchItem(field="email", label="k")],
                    at_least=1,
                    block_on=[MatchItem(field="email", method="prefix", length=2, label="email")],
                ),
            ]
        ),
        [
            (
                "any_of[1].of[0].label",
                "k",
                "names two different items; give one of them its own label",
            ),
            (
                "any_of[1].block_on[0].label",
                "email",
                "names two different items; give one of them its own label",
            ),
        ],
    ),
    (
        "JSON without groups",
        lambda: MatchRule.from_json({"people": "either", "x": 1}),
        [
            ("x", 1, "is not a key here; known: any_of, people"),
            ("any_of", None, "is required: a list of groups"),
        ],
    ),
    (
        "JSON with a bad group",
        lambda: MatchRule.from_json({"any_of": [{"all_of": ["email"]}, {"all_of": ["vin"]}]}),
        [("any_of[1].all_of[0].field", "vin", FIELDS)],
    ),
    (
        "JSON not an object",
        lambda: MatchRule.from_json([]),
        [("", [], "must be an object, not list")],
    ),
]


@pytest.mark.parametrize(
    ("make", "expected"), [pytest.param(m, e, id=i) for i, m, e in ITEMS + GROUPS + RULES]
)
def test_every_problem_with_its_path_value_and_message(
    make: Callable[[], object], expected: list[tuple[Any, ...]]
) -> None:
    """GEN-5: each refusal names the attribute, its value and what is wrong."""
    assert problems(make) == expected


class TestWithinTheLimits:
    """The boundaries of each check, just inside: accepted."""

    def test_thresholds_at_their_bounds(self) -> None:
        """0 and 100 for ratios, 0 and 1 for jaro_winkler, 0 to the longest text in edits."""
        for scorer, low, high in (
            ("token_sort_ratio", 0, 100),
            ("ratio", 0, 100),
            ("jaro_winkler", 0, 1),
            ("levenshtein", 0, a.MAX_TEXT),
        ):
            for threshold in (low, high):
                assert fuzzy(scorer=scorer, threshold=threshold).threshold == threshold
        assert fuzzy(scorer="levenshtein", threshold=2.0).threshold == 2.0

    def test_sizes_at_their_bounds(self) -> None:
        """A prefix of 1,000, a label of 200, 64 items, fields and groups, at_least = items."""
        assert MatchItem(field="email", method="prefix", length=1000).length == 1000
        assert MatchItem(field="email", label="x" * 200).label == "x" * 200
        group = MatchGroup(of=["email"] * 64, at_least=64, inbound_lacks=["email"] * 64)
        assert group.needed == 64
        assert len(MatchRule(any_of=[MatchGroup(all_of=["email"])] * 64).any_of) == 64

    def test_options_where_they_apply(self) -> None:
        """Blanks matching on an exact item; placeholders kept on every name field."""
        assert MatchItem(field="email", blanks="match").blanks == "match"
        for field in ("name", "first_name", "last_name", "full_name"):
            assert MatchItem(field=field, placeholders="value").placeholders == "value"
        domain = MatchItem(field="fields.mail", normalizer="email", method="domain")
        assert domain.effective_normalizer == "email"
        assert MatchItem(field="email", method="domain", free_domains=[]).free_domains == ()

    def test_a_list_too_long_to_read_is_refused_whole(self) -> None:
        """Over the GEN-5 limit, items are not read one by one: the list is refused whole."""
        found = problems(MatchGroup.from_json, {"of": ["email"] * (a.MAX_ITEMS + 1)})
        assert found == [("of", f"<{a.MAX_ITEMS + 1} items>", "must hold at most 100000 items")]

    @pytest.mark.unmeasured  # 100,000 items read; the lines reached by smaller tests too
    def test_a_list_at_the_limit_is_read_item_by_item(self) -> None:
        """At the GEN-5 limit each item is read: a bad one is named by its index."""
        listed = ["email"] * (a.MAX_ITEMS - 1) + ["vin"]
        found = problems(MatchGroup.from_json, {"of": listed, "at_least": 1})
        assert found == [(f"of[{a.MAX_ITEMS - 1}].field", "vin", FIELDS)]

    @pytest.mark.unmeasured  # 100,000 items read; the lines reached by smaller tests too
    def test_a_json_object_at_the_limit_is_read_as_an_item(self) -> None:
        """At the GEN-5 limit an object is read into an item: only the group's size is wrong."""
        listed = ["email"] * (a.MAX_ITEMS - 1) + [{"field": "phone"}]
        found = problems(MatchGroup.from_json, {"of": listed, "at_least": 1})
        assert found == [("of", f"<{a.MAX_ITEMS} items>", "must hold at most 64 items")]


class TestItems:
    """What an item is, by its field."""

    def test_kind_normalizer_scorer_and_custom_name(self) -> None:
        """Person, lead and custom fields; a custom name may hold dots and line breaks."""
        assert [MatchItem(field=f).kind for f in ("email", "source", "fields.vin")] == [
            "person",
            "lead",
            "custom",
        ]
        assert MatchItem(field="fields.a.b").custom_name == "a.b"
        assert MatchItem(field="fields.a\nb").custom_name == "a\nb"
        assert MatchItem(field="email").custom_name is None
        normalizers = {
            f: MatchItem(field=f).effective_normalizer
            for f in ("email", "phone", "name", "full_name", "source", "fields.vin")
        }
        assert normalizers == {
            "email": "email",
            "phone": "phone",
            "name": "text",
            "full_name": "text",
            "source": "text",
            "fields.vin": "text",
        }
        assert MatchItem(field="fields.p", normalizer="phone").effective_normalizer == "phone"
        assert fuzzy(threshold=9).effective_scorer == "token_sort_ratio"
        assert fuzzy(threshold=9, scorer="ratio").effective_scorer == "ratio"

    def test_labels(self) -> None:
        """The field for exact; with the method, and the length of a prefix."""
        labels = [
            MatchItem(field="email").label,
            MatchItem(field="last_name", method="prefix", length=3).label,
            MatchItem(field="last_name", method="initial").label,
            MatchItem(field="email", method="domain").label,
            fuzzy(threshold=9).label,
        ]
        assert labels == [
            "email",
            "last_name_prefix_3",
            "last_name_initial",
            "email_domain",
            "full_name_fuzzy",
        ]

    def test_read_from_json(self) -> None:
        """A field's name, or an object whose nulls are left out."""
        assert MatchItem.from_json("phone") == MatchItem(field="phone")
        read = MatchItem.from_json({"field": "email", "method": "domain", "length": None})
        assert read == MatchItem(field="email", method="domain")
        group = MatchGroup.from_json({"of": ["email", {"field": "phone"}], "at_least": 2})
        assert group == MatchGroup(of=["email", "phone"], at_least=2)
        rule = MatchRule.from_json({"any_of": [{"all_of": ["email"]}], "people": "either"})
        assert rule == MatchRule(any_of=[MatchGroup(all_of=["email"])], people="either")


class TestWritten:
    """rule_json: what from_json reads back, defaults left out."""

    @pytest.mark.parametrize(
        ("item", "written"),
        [
            (MatchItem(field="email"), "email"),
            (
                MatchItem(field="email", method="domain", free_domains=["x.io"], max_leads=3),
                {"field": "email", "method": "domain", "free_domains": ["x.io"], "max_leads": 3},
            ),
            (
                MatchItem(
                    field="last_name", method="prefix", length=3, placeholders="value", label="ln"
                ),
                {
                    "field": "last_name",
                    "method": "prefix",
                    "length": 3,
                    "placeholders": "value",
                    "label": "ln",
                },
            ),
            (
                fuzzy(
                    "fields.vin",
                    scorer="levenshtein",
                    threshold=1,
                    blanks="match",
                    normalizer="exact",
                ),
                {
                    "field": "fields.vin",
                    "method": "fuzzy",
                    "scorer": "levenshtein",
                    "threshold": 1,
                    "blanks": "match",
                    "normalizer": "exact",
                },
            ),
            (MatchItem(field="email", label="email"), "email"),
        ],
    )
    def test_items(self, item: MatchItem, written: object) -> None:
        """Each attribute that differs from its default, tuples as lists."""
        rule = MatchRule(any_of=[MatchGroup(all_of=[item])])
        assert rule_json(rule) == {"any_of": [{"all_of": [written]}]}
        assert MatchRule.from_json(rule_json(rule)) == rule

    def test_groups_and_people(self) -> None:
        """Every key of a group, in order; the rule's people unless closest."""
        group = MatchGroup(
            label="g",
            of=["email", "phone"],
            at_least=1,
            block_on=[MatchItem(field="email", method="domain")],
            people="either",
            inbound_lacks=["email"],
        )
        rule = MatchRule(any_of=[group, MatchGroup(all_of=["phone"])], people="customer")
        written = rule_json(rule)
        assert written == {
            "any_of": [
                {
                    "label": "g",
                    "of": ["email", "phone"],
                    "at_least": 1,
                    "block_on": [{"field": "email", "method": "domain"}],
                    "people": "either",
                    "inbound_lacks": ["email"],
                },
                {"all_of": ["phone"]},
            ],
            "people": "customer",
        }
        assert list(written["any_of"][0]) == [  # type: ignore[index]  # a list of dicts
            "label",
            "of",
            "at_least",
            "block_on",
            "people",
            "inbound_lacks",
        ]
        assert MatchRule.from_json(written) == rule


class TestRules:
    """A rule's groups, items, and the seed's rules in the language."""

    def test_groups_and_items(self) -> None:
        """Default labels by position; each item once by label, blocking keys too."""
        rule = MatchRule(
            any_of=[
                MatchGroup(all_of=["email", "phone"], label="first"),
                MatchGroup(
                    of=["phone", "name"],
                    at_least=1,
                    block_on=[MatchItem(field="last_name", method="initial")],
                ),
            ]
        )
        assert [g.label for g in rule.groups] == ["first", "any_of[1]"]
        assert [i.label for i in rule.items] == ["email", "phone", "name", "last_name_initial"]

    def test_legacy_rule(self) -> None:
        """The conditions in the rulebook's order, unknown ones left out; MRG-4 when asked."""
        rule = legacy_rule(["phone", "name_fuzzy", "email", "name", "x"], 2, 85, phone_only=False)
        (group,) = rule.groups
        assert (group.label, group.needed, rule.people) == ("two_of_n", 2, "closest")
        assert [i.label for i in group.items] == ["name", "name_fuzzy", "email", "phone"]
        name_fuzzy = group.items[1]
        assert name_fuzzy == MatchItem(
            field="full_name",
            method="fuzzy",
            scorer="token_sort_ratio",
            threshold=85.0,
            label="name_fuzzy",
        )
        assert isinstance(name_fuzzy.threshold, float)
        with_phone = legacy_rule(["email"], 1, 90, phone_only=True)
        assert with_phone.any_of[1] is PHONE_ONLY
        assert (
            MatchGroup(
                label="phone_only",
                all_of=[MatchItem(field="phone")],
                people="either",
                inbound_lacks=["email", "full_name"],
            )
            == PHONE_ONLY
        )

    def test_free_mail_domains(self) -> None:
        """The default free-mail list: sorted, without duplicates, the big providers in it."""
        assert list(FREE_MAIL_DOMAINS) == sorted(set(FREE_MAIL_DOMAINS))
        assert {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com"} <= set(FREE_MAIL_DOMAINS)
