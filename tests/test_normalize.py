"""Normalisation of names, emails and phones (the rulebook's "Text", MRG-1, MRG-4)."""

from __future__ import annotations

import copy
import gc
import json
import pickle

import attrs
import pytest

from leadcore import normalize
from leadcore.errors import InvalidInput
from leadcore.model import Person


class TestName:
    """The rulebook's "Text": the name fold."""

    @pytest.mark.parametrize(
        ("raw", "folded"),
        [
            ("O'Brien", "obrien"),
            ("O\u2019Brien", "obrien"),
            ("OBrien", "obrien"),
            ("Jean-Luc", "jean luc"),
            ("Jean Luc", "jean luc"),
            ("A.C.M.E.", "acme"),
            ("ACME", "acme"),
            ("Straße", "strasse"),
            ("STRASSE", "strasse"),
            ("José  García", "jose garcia"),
            ("Zoë", "zoe"),
            ("  Ada\tLovelace\n", "ada lovelace"),
            ("Jo\u200bhn", "john"),
            ("ﬁne", "fine"),
            ("Smith & Sons", "smith sons"),
        ],
    )
    def test_fold(self, raw: str, folded: str) -> None:
        """MRG-1: names compare after folding case, accents, punctuation, white space."""
        assert normalize.name(raw) == folded

    def test_empty_after_folding_is_none(self) -> None:
        """normalize.name returns None when nothing is left."""
        assert normalize.name(" .-' ") is None
        assert normalize.fold(" .-' ") == ""


class TestEmail:
    """Usable emails: one @ with text both sides, no white space; trimmed, lower-cased."""

    @pytest.mark.parametrize(
        ("raw", "normal"),
        [
            (" Ada@Example.COM ", "ada@example.com"),
            ("a@b", "a@b"),
            ("ada", None),
            ("@example.com", None),
            ("ada@", None),
            ("a@b@c", None),
            ("ada lovelace@example.com", None),
            ("", None),
        ],
    )
    def test_email(self, raw: str, normal: str | None) -> None:
        """MRG-1: email condition compares these normal forms."""
        assert normalize.email(raw) == normal


class TestPlaceholderEmail:
    """v1.2 of the rules "Placeholder emails": fillers are unusable."""

    @pytest.mark.parametrize(
        "raw",
        [
            "none@none.com",
            "NA@NA.COM",
            "noemail@noemail.com",
            "No.Email@gmail.com",
            "no-reply@shop.example",
            "do_not_reply@x.io",
            " NULL@x.io ",
            "unknown@unknown",
            "nomail@x",
            "n/a@x.io",
        ],
    )
    def test_fillers_are_unusable(self, raw: str) -> None:
        """Rules v1.2: the local part reduced to letters and digits, case-folded, is listed."""
        assert normalize.is_placeholder_email(raw)
        assert normalize.email(raw) is None
        assert normalize.email(raw, placeholder_email_locals=()) == raw.strip().lower()

    @pytest.mark.parametrize(
        "raw", ["nora@x.io", "none1@x.io", "nonenone@x.io", "na.na@x.io", "x@none.com", "-@x.io"]
    )
    def test_addresses_that_only_look_alike_are_usable(self, raw: str) -> None:
        """Rules v1.2: only the listed local parts, exactly once reduced, are fillers."""
        assert not normalize.is_placeholder_email(raw)
        assert normalize.email(raw) == raw.lower()

    def test_the_list_is_a_policy_field_reduced_like_the_addresses(self) -> None:
        """GEN-7: placeholder_email_locals is a knob; its items are reduced the same way."""
        policy = normalize.NormalizePolicy(placeholder_email_locals=["Test-User"])

        assert (
            normalize.email(
                "test.user@x.io", placeholder_email_locals=policy.placeholder_email_locals
            )
            is None
        )
        assert normalize.email("none@none.com", placeholder_email_locals=["Test-User"]) == (
            "none@none.com"
        )
        assert normalize.NormalizePolicy().placeholder_email_locals == (
            normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS
        )

    def test_a_person_has_no_filler_email(self) -> None:
        """Rules v1.2: normal forms leave fillers out, per list (cached per list)."""
        who = Person(emails=["none@none.com", "ada@x.io", "NA@NA.COM"])

        assert normalize.person(who).emails == ("ada@x.io",)
        assert normalize.person(who, placeholder_email_locals=()).emails == (
            "none@none.com",
            "ada@x.io",
            "na@na.com",
        )
        assert normalize.person(who, placeholder_email_locals=["na"]).emails == (
            "none@none.com",
            "ada@x.io",
        )
        assert normalize.person(who) is normalize.person(
            who, placeholder_email_locals=list(normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS)
        )


class TestBlank:
    """v1.2 of the rules "Blank text": empty or only white space and control characters."""

    @pytest.mark.parametrize("blank", ["", " ", "\t\n", "\x00", "\x85\u3000"])
    def test_blank_text_normalises_to_nothing(self, blank: str) -> None:
        """Rules v1.2: a blank name, email or phone is absent: None."""
        assert normalize.name(blank) is None
        assert normalize.email(blank) is None
        assert normalize.phone(blank) is None
        assert normalize.person(Person(first_name=blank, phones=[blank], emails=[blank])) == (
            normalize.person(Person())
        )


class TestPhone:
    """E.164 with a default region; unusable numbers are None (MRG-1)."""

    @pytest.mark.parametrize(
        ("raw", "region", "normal"),
        [
            ("(415) 867-5309", "US", "+14158675309"),
            ("415.867.5309", "US", "+14158675309"),
            ("+1 415 867 5309", "FR", "+14158675309"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("06 12 34 56 78", "fr", "+33612345678"),
            ("12345", "US", None),
            ("not a phone", "US", None),
            ("", "US", None),
        ],
    )
    def test_phone(self, raw: str, region: str, normal: str | None) -> None:
        """MRG-1: only numbers phonenumbers parses and finds valid are usable."""
        assert normalize.phone(raw, region=region) == normal

    def test_unknown_region_is_an_error(self) -> None:
        """GEN-5: a region phonenumbers does not know is refused, naming it."""
        with pytest.raises(InvalidInput) as caught:
            normalize.phone("1", region="XX")

        assert caught.value.path == "region"


class TestPlaceholder:
    """MRG-4: placeholder names (Unknown, Name, Empty, Blank, Null)."""

    @pytest.mark.parametrize(
        ("first", "last", "expected"),
        [
            ("Unknown", None, True),
            ("UNKNOWN", "", True),
            ("null", "Blank", True),
            (None, "Name", True),
            ("John", "Unknown", False),
            ("Unknown", "Smith", False),
            (None, None, False),
            ("", "  ", False),
        ],
    )
    def test_placeholder(self, first: str | None, last: str | None, expected: bool) -> None:
        """MRG-4: every non-empty part is a placeholder, or the whole name is one."""
        assert normalize.is_placeholder(first, last) is expected

    def test_whole_name_placeholder(self) -> None:
        """A multi-word placeholder matches the whole folded name."""
        assert normalize.is_placeholder("No", "Name", ["No Name"]) is True
        assert normalize.is_placeholder("No", None, ["No Name"]) is False

    def test_normalized_person_agrees(self) -> None:
        """The cached person form gives the same answer as the function."""
        person = normalize.person(Person(first_name="Null", last_name="blank"))

        assert person.is_placeholder() is True
        assert person.has_full_name is True


class TestPerson:
    """Every normal form of a person, computed once per region."""

    def test_forms_in_entry_order_without_duplicates(self) -> None:
        """Unusable values are dropped, duplicates by normal form removed."""
        who = Person(
            first_name="Zoë",
            last_name="O'Brien",
            phones=["(415) 867-5309", "+1 415 867 5309", "12"],
            emails=["Z@X.io", "z@x.io", "bad"],
        )

        normal = normalize.person(who, region="US")

        assert normal.full == "zoe obrien"
        assert normal.phones == ("+14158675309",)
        assert normal.emails == ("z@x.io",)
        assert normal.phone_set == frozenset({"+14158675309"})

    def test_cached_per_region(self) -> None:
        """Hot paths never normalise the same person twice for one region."""
        who = Person(phones=["06 12 34 56 78"])

        first = normalize.person(who, region="FR")

        assert normalize.person(who, region="FR") is first
        assert normalize.person(who, region="US").phones == ()

    def test_the_cache_is_not_part_of_the_person(self) -> None:
        """GEN-3: normal forms cached for a person never show in its fields, equality or pickles."""
        who = Person(first_name="Ada", phones=["(415) 867-5309"])
        twin = Person(first_name="Ada", phones=["(415) 867-5309"])

        normalize.person(who, region="US")

        assert attrs.asdict(who) == attrs.asdict(twin)
        assert who == twin
        assert hash(who) == hash(twin)
        assert pickle.dumps(who) == pickle.dumps(twin)
        assert copy.deepcopy(who) == who
        assert json.dumps(attrs.asdict(who)) == json.dumps(attrs.asdict(twin))

    def test_a_forgotten_person_leaves_the_cache(self) -> None:
        """The cache holds no person alive: an entry goes with its person."""
        before = len(normalize._CACHE)
        who = Person(first_name="Ephemeral")
        normalize.person(who, region="US")
        assert len(normalize._CACHE) == before + 1

        del who
        gc.collect()

        assert len(normalize._CACHE) == before

    def test_bad_region(self) -> None:
        """GEN-5: a bad region is an error, not an empty result."""
        with pytest.raises(InvalidInput):
            normalize.person(Person(), region="ZZ")


def test_policy_validates_region() -> None:
    """GEN-7: the policy holds the default region and checks it."""
    assert normalize.NormalizePolicy().default_region == "US"
    with pytest.raises(InvalidInput) as caught:
        normalize.NormalizePolicy(default_region="Mars")
    assert caught.value.path == "default_region"
