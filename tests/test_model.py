"""The domain model: frozen, validated on construction, never subclassed (GEN-1, 3, 5)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from leadcore import _attrs
from leadcore.errors import InvalidInput
from leadcore.model import (
    Agent,
    Channel,
    Claim,
    ClaimBucket,
    CrmRecord,
    Event,
    EventStatus,
    Lead,
    Notification,
    Org,
    Person,
    RecordKind,
    Role,
    User,
)

from .helpers import NOW


class TestConstruction:
    """Objects accept friendly input and store frozen values."""

    def test_lists_become_tuples_and_enum_values_members(self) -> None:
        """Lists are converted at the field; enum fields take their values as text."""
        lead = Lead(
            id="L1",
            viewers=["u2"],
            channel="digital",
            events=[Event(id="e1", at=NOW, status="done")],
        )

        assert lead.viewers == ("u2",)
        assert lead.channel is Channel.DIGITAL
        assert lead.events[0].status is EventStatus.DONE

    def test_fields_are_deep_frozen(self) -> None:
        """GEN-3: a lead's free fields cannot be changed in place."""
        lead = Lead(id="L1", fields={"tags": ["a"], "meta": {"x": 1}})

        with pytest.raises(TypeError):
            lead.fields["new"] = 1  # type: ignore[index]  # the point of the test
        assert lead.fields["tags"] == ("a",)

    def test_frozen(self) -> None:
        """GEN-3: domain objects are immutable."""
        lead = Lead(id="L1")

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            lead.status = "claimed"  # type: ignore[misc]  # the point of the test

    def test_defaults(self) -> None:
        """Absent optional values are None or empty; agent switches default to true."""
        assert Lead(id="x").customer == Person()
        assert Agent(id="a").battery_optimization_disabled is True
        assert Org(id="o").handover_enabled is False
        assert CrmRecord(id="r").kind is RecordKind.LEAD
        assert Claim(agent="a", at=NOW).bucket is ClaimBucket.DIGITAL
        assert User(id="u", roles=["agent"]).has(Role.AGENT)
        assert Notification(to="u", kind="k", lead="l", channels=["push"]).channels == ("push",)

    def test_people(self) -> None:
        """A lead's people are its customer and, if any, its co-customer."""
        co = Person(first_name="B")

        assert Lead(id="x", co_customer=co).people == (Person(), co)
        assert Lead(id="x").people == (Person(),)

    def test_normalisation_cache_is_not_part_of_the_value(self) -> None:
        """Two equal people stay equal (and hash alike) whatever was cached."""
        from leadcore import normalize  # noqa: PLC0415  # the cache is filled by normalize

        first, second = Person(phones=["+33612345678"]), Person(phones=["+33612345678"])
        normalize.person(first, region="FR")

        assert first == second
        assert hash(first) == hash(second)

    def test_free_fields_hash_by_their_items(self) -> None:
        """A lead's ``fields`` hash alike whatever the order given, and usable as a key."""
        one = Lead(id="x", fields={"a": 1, "b": [1, 2]}).fields
        other = Lead(id="x", fields={"b": [1, 2], "a": 1}).fields

        assert hash(one) == hash(other) == hash(one)  # the second hash is the cached one
        assert {one: "found"}[other] == "found"
        assert hash(Lead(id="x", fields={"a": 2}).fields) != hash(one)


class TestValidation:
    """GEN-1, GEN-5: bad values are refused with every problem named."""

    def test_naive_datetime_refused(self) -> None:
        """GEN-1: a naive datetime is rejected naming the field, code naive_datetime."""
        with pytest.raises(InvalidInput) as caught:
            Lead(id="x", created_at=dt.datetime(2026, 1, 1))  # noqa: DTZ001  # the point

        assert caught.value.path == "created_at"
        assert caught.value.code == "naive_datetime"

    def test_every_problem_reported(self) -> None:
        """GEN-5: all bad fields at once, in field order."""
        with pytest.raises(InvalidInput) as caught:
            Lead(
                id="",
                viewers=None,  # type: ignore[arg-type]  # bad on purpose
                channel="pigeon",
                last_activity_at="yesterday",  # type: ignore[arg-type]  # bad on purpose
            )

        assert [p.path for p in caught.value.problems] == [
            "id",
            "viewers",
            "channel",
            "last_activity_at",
        ]

    def test_oversized_string_refused(self) -> None:
        """GEN-5: strings over 10,000 characters are refused, not processed."""
        with pytest.raises(InvalidInput, match="at most 10000 characters"):
            Person(first_name="x" * (_attrs.MAX_TEXT + 1))

    def test_oversized_collection_refused(self) -> None:
        """GEN-5: collections over 100,000 items are refused."""
        with pytest.raises(InvalidInput, match="at most 100000 items"):
            Person(phones=["1"] * (_attrs.MAX_ITEMS + 1))

    def test_items_checked_with_their_index(self) -> None:
        """A bad item is named by its index."""
        with pytest.raises(InvalidInput) as caught:
            Person(emails=["a@b", 3])  # type: ignore[list-item]  # bad on purpose

        assert caught.value.path == "emails[1]"

    def test_bad_json_field_value_refused(self) -> None:
        """Free fields hold JSON values only."""
        with pytest.raises(InvalidInput) as caught:
            Lead(id="x", fields={"when": NOW})

        assert caught.value.path == "fields.when"

    def test_non_finite_number_refused(self) -> None:
        """JSON has no NaN: refused in free fields."""
        with pytest.raises(InvalidInput, match="finite"):
            Lead(id="x", fields={"score": float("nan")})

    def test_booleans_are_booleans(self) -> None:
        """Agent switches must be real booleans, not truthy values."""
        with pytest.raises(InvalidInput) as caught:
            Agent(id="a", active=1)  # type: ignore[arg-type]  # bad on purpose

        assert caught.value.path == "active"


class TestBlankText:
    """Rules v1.2: blank text (white space, control characters) counts as absent."""

    BLANKS = ("", " ", "\t\r\n", "\x00", "\x1b\x7f", "\x85\u00a0", "\u2028\u3000")

    @pytest.mark.parametrize("blank", BLANKS)
    def test_optional_texts_and_references_are_none(self, blank: str) -> None:
        """Names, ids of optional references, account names and texts: None."""
        lead = Lead(
            id="L1",
            customer=Person(first_name=blank, last_name=blank),
            project=blank,
            status=blank,
            owner=blank,
            source=blank,
            lot=blank,
            org=blank,
            pipeline=blank,
            linked_to=blank,
            merged_into=blank,
        )

        assert lead == Lead(id="L1")
        assert User(id="u", org=blank).org is None
        assert Agent(id="a", project=blank).project is None
        assert Org(id="o", parent=blank).parent is None
        record = CrmRecord(id="r", account_id=blank, account_name=blank)
        assert (record.account_id, record.account_name) == (None, None)

    @pytest.mark.parametrize("blank", BLANKS)
    def test_blank_items_of_lists_are_left_out(self, blank: str) -> None:
        """Phones, emails and ids of references: a blank item is no item."""
        who = Person(phones=[blank, "4158675309", blank], emails=[blank, "a@b"])
        lead = Lead(id="L1", viewers=["u1", blank])

        assert (who.phones, who.emails, lead.viewers) == (("4158675309",), ("a@b",), ("u1",))
        assert User(id="u", assignment_owner_of={blank, "p1"}).assignment_owner_of == {"p1"}
        assert CrmRecord(id="r", cadences=[blank]).cadences == ()

    @pytest.mark.parametrize("blank", BLANKS)
    def test_a_blank_required_id_is_refused(self, blank: str) -> None:
        """GEN-5: a required id that is blank is missing; the error names it."""
        with pytest.raises(InvalidInput) as caught:
            Lead(id=blank)
        assert caught.value.path == "id"
        with pytest.raises(InvalidInput) as caught:
            Claim(agent=blank, at=NOW)
        assert caught.value.path == "agent"

    def test_text_with_something_in_it_is_kept_as_typed(self) -> None:
        """Only wholly blank text is absent: " Ada " and a zero-width space are kept."""
        who = Person(first_name=" Ada ", last_name="\u200b", phones=[" 1 "])

        assert (who.first_name, who.last_name, who.phones) == (" Ada ", "\u200b", (" 1 ",))


def test_subclassing_is_refused() -> None:
    """STYLE: leadcore classes are final; the error says what to do instead."""
    with pytest.raises(TypeError, match="final"):

        class MyLead(Lead):  # pyright: ignore[reportUnusedClass]
            pass
