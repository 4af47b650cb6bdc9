"""
Values and keys of match items (leadcore._merge.keys) pinned down in full.

What a field's values are (blanks, placeholders, numbers, lists), how a key space is made
from an item, how it turns values into keys, and the keys a lead holds with its
co-customer, with a region other than the US and the policy's own email fillers. Each
test kills mutants of _merge/keys.py that the engine's tests let survive (mutation
testing, issue 20: ``python3 dev.py mutate _merge.keys``).
"""

from __future__ import annotations

import pytest

from leadcore import normalize
from leadcore._merge import keys
from leadcore._merge.keys import KeySpace
from leadcore._merge.rules import FREE_MAIL_DOMAINS, MatchItem
from leadcore.model import Channel, Lead, Person

LONDON = "020 7946 0958"
"""A London number: +442079460958 with region GB, no valid number with region US."""
LONDON_E164 = "+442079460958"
FILLERS = ("sales",)
"""A policy's own email fillers: ``sales@`` is no address, ``none@`` is one."""
FOLDED = frozenset({"test", "unknown", "mickey mouse"})


def space(field: str, **options: object) -> KeySpace:
    """The key space of an exact-style item."""
    found = KeySpace.of(MatchItem(field=field, **options), FILLERS)  # type: ignore[arg-type]
    assert found is not None
    return found


class TestPlaceholderNames:
    """What a placeholder name is: every part a placeholder, or the whole name."""

    def test_the_whole_name_or_each_part(self) -> None:
        """A name of placeholder parts, or a placeholder as a whole; not one part alone."""
        assert keys.is_placeholder_name("mickey", "mouse", FOLDED)
        assert keys.is_placeholder_name("test", "unknown", FOLDED)
        assert keys.is_placeholder_name("", "test", FOLDED)
        assert keys.is_placeholder_name("unknown", "", FOLDED)
        assert not keys.is_placeholder_name("mickey", "", FOLDED)
        assert not keys.is_placeholder_name("test", "lovelace", FOLDED)
        assert not keys.is_placeholder_name("", "", FOLDED)

    @pytest.mark.parametrize("field", ["name", "full_name"])
    def test_one_placeholder_part_is_not_a_placeholder_name(self, field: str) -> None:
        """Only the first name is a placeholder: the name is a value, both parts read."""
        values = keys.person_values(field, "test", "lovelace", (), (), FOLDED)
        assert values == ((("test", "lovelace"),) if field == "name" else ("test lovelace",))
        assert keys.person_values(field, "mickey", "mouse", (), (), FOLDED) == ()
        assert keys.person_values(field, "mickey", "mouse", (), (), None) != ()


class TestRawValues:
    """The values of a field's raw value: texts, numbers, lists, normalised, blanks out."""

    def test_scalars_as_their_json_text(self) -> None:
        """Numbers and booleans as JSON text; NaN (a table's missing number) as nothing."""
        assert keys.raw_texts(1.5) == ("1.5",)
        assert keys.raw_texts(94110) == ("94110",)
        assert keys.raw_texts(True) == ("true",)  # a JSON value
        assert keys.raw_texts(float("nan")) == ()  # a table's missing number
        assert keys.raw_texts([1.5, float("nan"), "a", None, ["b"]]) == ("1.5", "a")

    def test_one_value_normalised_blanks_removed(self) -> None:
        """One value by its normaliser: the region's phones, the policy's email fillers."""
        assert keys.raw_values(LONDON, "phone", "GB") == (LONDON_E164,)
        assert keys.raw_values(LONDON, "phone", "US") == ()
        assert keys.raw_values("   ", "exact", "US") == ()
        assert keys.raw_values("Sales@X.io", "email", "US", FILLERS) == ()
        assert keys.raw_values("None@X.io", "email", "US", FILLERS) == ("none@x.io",)
        assert keys.raw_values("None@X.io", "email", "US") == ()

    def test_a_list_each_item_normalised_once(self) -> None:
        """A list: each item normalised by the same rules, repeats and blanks removed."""
        phones = [LONDON, "020-7946-0958", "n/a"]
        assert keys.raw_values(phones, "phone", "GB") == (LONDON_E164,)
        assert keys.raw_values(phones, "phone", "US") == ()
        emails = ["sales@x.io", "None@x.io", "ada@x.io"]
        assert keys.raw_values(emails, "email", "US", FILLERS) == ("none@x.io", "ada@x.io")
        assert keys.raw_values(emails, "email", "US") == ("sales@x.io", "ada@x.io")
        assert keys.raw_values(["Ada", "ADA "], "text", "US") == ("ada",)

    def test_a_lead_field_and_a_custom_field(self) -> None:
        """The channel as its text; a custom field read by its normaliser, region and fillers."""
        lead = Lead(
            id="L1",
            customer=Person(first_name="Ada"),
            channel=Channel.DIGITAL,
            fields={"phone": LONDON, "mail": ["sales@x.io", "none@x.io"]},
        )
        channel = keys.lead_value(lead, "channel", None)
        assert channel == "digital"
        assert type(channel) is str  # the channel's text, not the enum member
        assert keys.lead_value(Lead(id="L2", customer=Person()), "channel", None) is None
        assert keys.lead_value(lead, "source", "phone") == LONDON
        assert keys.lead_values(lead, "channel", None, "text", "US") == ("digital",)
        assert keys.lead_values(lead, "fields.phone", "phone", "phone", "GB") == (LONDON_E164,)
        assert keys.lead_values(lead, "fields.mail", "mail", "email", "US", FILLERS) == (
            "none@x.io",
        )
        assert keys.lead_values(lead, "fields.mail", "mail", "email", "US") == ("sales@x.io",)

    def test_show_key(self) -> None:
        """A name key as ``first last``; a text key as it is."""
        assert keys.show_key(("ada", "lovelace")) == "ada lovelace"
        assert keys.show_key("ada@x.io") == "ada@x.io"


class TestKeySpaceOf:
    """The key space of an item: every attribute, from the item and the policy."""

    def test_person_items(self) -> None:
        """Person fields: no normaliser, no fillers; initial as a prefix of 1."""
        assert space("email") == KeySpace("email", "exact", 0, frozenset(), True, "", None, ())
        assert space("last_name", method="initial") == KeySpace(
            "last_name", "prefix", 1, frozenset(), True, "", None, ()
        )
        assert space("last_name", method="prefix", length=3, placeholders="value") == KeySpace(
            "last_name", "prefix", 3, frozenset(), False, "", None, ()
        )
        assert space("email", method="domain", max_leads=5) == KeySpace(
            "email", "domain", 0, frozenset(FREE_MAIL_DOMAINS), True, "", 5, ()
        )
        assert KeySpace.of(MatchItem(field="email", method="fuzzy", threshold=90)) is None

    def test_lead_and_custom_items(self) -> None:
        """Lead and custom fields: the policy's fillers only when read as emails."""
        assert space("fields.mail", normalizer="email") == KeySpace(
            "fields.mail", "exact", 0, frozenset(), False, "email", None, FILLERS
        )
        assert space("fields.phone", normalizer="phone") == KeySpace(
            "fields.phone", "exact", 0, frozenset(), False, "phone", None, ()
        )
        assert space("source", method="initial") == KeySpace(
            "source", "prefix", 1, frozenset(), False, "text", None, ()
        )
        default = KeySpace.of(MatchItem(field="fields.mail", normalizer="email"))
        assert default is not None
        assert default.fillers == normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS


class TestLabel:
    """A key space's short name in reports: the field, then its method and options."""

    def test_plain_exact_keys_are_their_field(self) -> None:
        """``email``, ``phone``, ``name`` and a lead field read as text: the field alone."""
        assert space("email").label == "email"
        assert space("name").label == "name"
        assert space("source").label == "source"

    def test_methods_and_options_are_named(self) -> None:
        """
        A domain, a prefix, placeholder names kept, a normaliser other than text, a cap.

        Placeholders kept is said of the four name fields (the only ones with the
        option), the normaliser only of lead and custom fields.
        """
        assert space("email", method="domain").label == "email domain"
        assert space("last_name", method="prefix", length=3).label == "last_name prefix 3"
        assert space("last_name", method="initial").label == "last_name prefix 1"
        for field in ("name", "first_name", "last_name", "full_name"):
            kept = space(field, placeholders="value")
            assert kept.label == f"{field} (placeholders kept)"
        assert space("fields.vin", normalizer="exact").label == "fields.vin (exact)"
        assert space("fields.mail", normalizer="email").label == "fields.mail (email)"
        assert space("fields.zip", normalizer="text").label == "fields.zip"
        assert space("phone", max_leads=5).label == "phone (at most 5 leads)"
        assert (
            space("full_name", method="prefix", length=2, placeholders="value", max_leads=9).label
            == "full_name prefix 2 (placeholders kept) (at most 9 leads)"
        )


class TestTransform:
    """Values into keys: exact, domain and prefix, without duplicates."""

    def test_exact_keys_without_duplicates(self) -> None:
        """Repeated values give one key, in first-seen order."""
        exact = space("fields.vin", normalizer="exact")
        assert exact.transform(["a", "a"]) == ("a",)
        assert exact.transform(["a", "b", "a"]) == ("a", "b")
        assert exact.transform(["a"]) == ("a",)

    def test_domains_after_the_last_at(self) -> None:
        """A quoted local part may hold an ``@``: the domain follows the last one."""
        domain = space("email", method="domain")
        found = domain.transform(['"a@b"@acme.io', "ada@gmail.com", "bob@acme.io", "x@"])
        assert found == ("acme.io",)

    def test_prefixes(self) -> None:
        """The first ``length`` characters, once each."""
        prefix = space("last_name", method="prefix", length=2)
        assert prefix.transform(["lovelace", "lord", "byron"]) == ("lo", "by")


class TestKeysOfPeopleAndLeads:
    """The keys a person, a value and a lead hold."""

    def test_placeholders_blank_or_kept(self) -> None:
        """A placeholder name has no key unless the item keeps placeholders."""
        blank, kept = space("name"), space("name", placeholders="value")
        assert blank.person_keys("test", "test", (), (), FOLDED) == ()
        assert kept.person_keys("test", "test", (), (), FOLDED) == (("test", "test"),)
        who = normalize.person(Person(first_name="Test", last_name="Test"))
        assert blank.of_person(who, FOLDED) == ()
        assert kept.of_person(who, FOLDED) == (("test", "test"),)

    def test_values_and_leads_with_a_region_and_fillers(self) -> None:
        """Keys read with the given region and the space's fillers."""
        mail = space("fields.mail", normalizer="email")
        assert mail.value_keys(["sales@x.io", "none@x.io"], "US") == ("none@x.io",)
        phone = space("fields.phone", normalizer="phone")
        assert phone.value_keys(LONDON, "GB") == (LONDON_E164,)
        assert phone.value_keys(LONDON, "US") == ()
        lead = Lead(
            id="L1",
            customer=Person(first_name="Ada"),
            source="Web",
            fields={"phone": LONDON, "mail": "sales@x.io"},
        )
        assert phone.lead_keys(lead, "GB") == (LONDON_E164,)
        assert phone.lead_keys(lead, "US") == ()
        assert mail.lead_keys(lead, "US") == ()
        assert space("source").lead_keys(lead, "US") == ("web",)
        assert phone.held_by(lead, "GB", FOLDED) == (LONDON_E164,)

    def test_held_by_both_people(self) -> None:
        """The customer's keys, then the co-customer's that are new."""
        lead = Lead(
            id="L1",
            customer=Person(
                first_name="Ada",
                last_name="Lovelace",
                emails=["sales@x.io", "ada@x.io"],
                phones=[LONDON],
            ),
            co_customer=Person(
                first_name="Test",
                last_name="Test",
                emails=["ada@x.io", "sales@y.io", "bob@y.io"],
                phones=["020 7946 0000", LONDON],
            ),
        )
        phones = space("phone").held_by(lead, "GB", FOLDED)
        assert phones == (LONDON_E164, "+442079460000")
        assert space("phone").held_by(lead, "US", FOLDED) == ()
        emails = space("email").held_by(lead, "US", FOLDED, FILLERS)
        assert emails == ("ada@x.io", "bob@y.io")
        everyone = space("email").held_by(lead, "US", FOLDED)
        assert everyone == ("sales@x.io", "ada@x.io", "sales@y.io", "bob@y.io")
        assert space("name").held_by(lead, "US", FOLDED) == (("ada", "lovelace"),)
        kept = space("name", placeholders="value").held_by(lead, "US", FOLDED)
        assert kept == (("ada", "lovelace"), ("test", "test"))

    def test_a_placeholder_customer_holds_no_name(self) -> None:
        """A customer named only by placeholders holds no name key."""
        lead = Lead(id="L1", customer=Person(first_name="Unknown", last_name="Test"))
        assert space("name").held_by(lead, "US", FOLDED) == ()
        assert space("full_name").held_by(lead, "US", FOLDED) == ()
