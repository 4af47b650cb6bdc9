"""
leadcore.normalize pinned down in full, where the example tests leave it open.

Usable and unusable emails case by case, placeholder names and emails, the normal forms of
a person and their cache, and every problem of a bad region. Each test kills mutants of
normalize.py that the example tests let survive (mutation testing, issue 20:
``python3 dev.py mutate normalize``).
"""

from __future__ import annotations

import pytest

from leadcore import normalize
from leadcore.model import Person
from leadcore.normalize import (
    E164Phone,
    FoldedName,
    NormalizedEmail,
    NormalizedPerson,
    NormalizePolicy,
)

from .asserts import problems

REGION = "must be a region code phonenumbers knows, such as 'US' or 'FR'"


class TestRegion:
    """Every region code is checked, and named by where it was given."""

    def test_an_unknown_region_is_refused_wherever_it_is_given(self) -> None:
        """The path names the argument or field."""
        assert problems(normalize.check_region, "zz") == [("region", "zz", REGION)]
        assert problems(normalize.check_region, "QQ", path="policy.region") == [
            ("policy.region", "QQ", REGION)
        ]
        assert problems(normalize.phone, "1", region="ZZ") == [("region", "ZZ", REGION)]
        assert problems(normalize.person, Person(phones=["1"]), region="QQ") == [
            ("region", "QQ", REGION)
        ]
        assert problems(NormalizePolicy, default_region="QQ") == [("default_region", "QQ", REGION)]

    def test_a_known_region_is_upper_cased(self) -> None:
        """Lower case is accepted and given back upper-cased."""
        assert normalize.check_region("fr") == "FR"
        assert normalize.phone("06 12 34 56 78", region="fr") == "+33612345678"


class TestEmail:
    """Usable: one ``@`` with text on both sides, no white space, not a filler."""

    @pytest.mark.parametrize(
        ("value", "usable", "kept_filler"),
        [
            ("a@b", "a@b", "a@b"),
            (" A@B.io ", "a@b.io", "a@b.io"),
            ("a@@b", None, None),
            ("a@b@c", None, None),
            ("@b", None, None),
            ("a@", None, None),
            ("ab", None, None),
            ("a b@c", None, None),
            ("a@b\tc", None, None),
            ("noreply@x", None, "noreply@x"),
            ("No-Reply@x", None, "no-reply@x"),
        ],
    )
    def test_cases(self, value: str, usable: str | None, kept_filler: str | None) -> None:
        """The normal form, with and without the default fillers."""
        assert normalize.email(value) == usable
        assert normalize.email(value, placeholder_email_locals=()) == kept_filler

    def test_fillers_are_read_from_the_local_part_reduced(self) -> None:
        """Letters and digits only, case-folded, before the last ``@``; any script."""
        assert normalize.reduce_local("Ñó.Reply") == "ñóreply"
        assert normalize.reduce_local("AB_c") == "abc"
        assert normalize.is_placeholder_email("N.A@na.com")
        assert normalize.is_placeholder_email(" info@x@y ", ["info@x"])
        assert not normalize.is_placeholder_email("nora@x.io")
        assert normalize.placeholder_email_set(["No-Reply", "N/A"]) == frozenset({"noreply", "na"})
        assert normalize.email("ñó.reply@x", placeholder_email_locals=["ÑÓREPLY"]) is None


class TestPlaceholderNames:
    """MRG-4: a name is a placeholder when every part, or the whole, is one."""

    @pytest.mark.parametrize(
        ("first", "last", "names", "answer"),
        [
            ("", None, ("unknown",), False),
            ("Unknown", "Unknown", ("unknown",), True),
            ("not", "given", ("not given",), True),
            ("x", "unknown", ("unknown",), False),
            ("Unknown", None, ("unknown",), True),
            (None, "N/A", ("n a",), True),
        ],
    )
    def test_cases(
        self, first: str | None, last: str | None, names: tuple[str, ...], answer: bool
    ) -> None:
        """The function and the normal forms agree."""
        assert normalize.is_placeholder(first, last, names) is answer
        forms = normalize.person(Person(first_name=first, last_name=last))
        assert forms.is_placeholder(names) is answer
        assert forms.is_placeholder(list(names)) is answer

    def test_placeholder_set_drops_what_folds_to_nothing(self) -> None:
        """Folded forms, empty ones left out."""
        assert normalize.placeholder_set(["Unknown", "--", "N.A."]) == frozenset({"unknown", "na"})


class TestPerson:
    """The normal forms of a person, computed once per region and fillers."""

    ZOE = Person(
        first_name="Zoë",
        emails=["a@b.io", "A@B.io", "none@none.com", "bad"],
        phones=["415 867 5309", "(415) 867-5309", "x", "06 12 34 56 78"],
    )

    def test_forms_in_entry_order_without_duplicates(self) -> None:
        """Unusable values dropped, each usable one once."""
        forms = normalize.person(self.ZOE)

        assert forms == NormalizedPerson(
            first=FoldedName("zoe"),
            last=FoldedName(""),
            full=FoldedName("zoe"),
            emails=(NormalizedEmail("a@b.io"),),
            phones=(E164Phone("+14158675309"),),
        )
        assert (forms.email_set, forms.phone_set) == (
            frozenset({"a@b.io"}),
            frozenset({"+14158675309"}),
        )
        assert not forms.has_full_name
        assert normalize.person(Person(first_name="A", last_name="B")).has_full_name
        assert normalize.person(Person(last_name="Smith")).full == "smith"

    def test_region_and_fillers_give_other_forms(self) -> None:
        """Each region and filler list has its own forms."""
        in_france = normalize.person(self.ZOE, region="FR")
        no_fillers = normalize.person(self.ZOE, placeholder_email_locals=())

        assert in_france.phones == ("+33612345678",)
        assert no_fillers.emails == ("a@b.io", "none@none.com")
        assert normalize.person(self.ZOE).emails == ("a@b.io",)

    def test_computed_once(self) -> None:
        """The same object again, for the default fillers given in any form."""
        who = Person(first_name="Ada")
        first = normalize.person(who)

        assert normalize.person(who) is first
        assert (
            normalize.person(
                who, placeholder_email_locals=list(normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS)
            )
            is first
        )
        assert normalize.person(who, region="FR") is not first
        assert normalize.person(Person(first_name="Ada")) is not first
        # Each person keeps its own forms: another one's in between do not replace them.
        assert normalize.person(who) is first

    def test_cache_keys(self) -> None:
        """The default fillers key by region alone, whatever their container."""
        default = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS

        assert normalize._cache_key("US", default) == "US"
        assert normalize._cache_key("US", list(default)) == "US"
        assert normalize._cache_key("US", ["x"]) == ("US", ("x",))

    def test_primed_forms_are_found(self) -> None:
        """An engine's forms are what person() answers afterwards."""
        who = Person(first_name="Ada")
        forms = NormalizedPerson(
            first=FoldedName("ada"),
            last=FoldedName(""),
            full=FoldedName("ada"),
            emails=(),
            phones=(E164Phone("+1"),),
        )

        assert normalize.prime(who, forms, region="US") is who
        assert normalize.person(who) is forms
        assert normalize.person(who, region="FR") is not forms


def test_the_module_lists_its_public_names() -> None:
    """``dir(leadcore.normalize)`` is its public surface."""
    assert dir(normalize) == sorted(normalize.__all__)
