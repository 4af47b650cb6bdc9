"""
The manual merge (MRG-8, leadcore._merge.manual) pinned down in full.

The merged lead field by field and every discarded value in field order, what "has a
value" and "written alike" mean, and the co-customer. Each test kills mutants of
_merge/manual.py that the example tests let survive (mutation testing, issue 20:
``python3 dev.py mutate _merge.manual``).
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs
import pytest

from leadcore import merge
from leadcore._merge import manual
from leadcore.model import Event, EventStatus, Lead, Person

UTC = dt.UTC
PARIS = dt.timezone(dt.timedelta(hours=1))
NINE = dt.datetime(2026, 1, 1, 9, tzinfo=UTC)


class Colour(enum.Enum):
    """An enumeration whose values are not text."""

    RED = 1


class TestMergeInFull:
    """MRG-8, GEN-6: one merge touching every kind of field."""

    MASTER = Lead(
        id="A",
        customer=Person(
            first_name="Ada",
            phones=["(415) 867-5309", "415 867 5309"],
            emails=["a@x.io", "A@X.io ", "none@none.com"],
        ),
        fields={"k": " ", "j": 1, "n": None},
        merged_into="Z",
        viewers=["v1", "v2"],
        status="new",
        created_at=NINE,
    )
    OTHER = Lead(
        id="B",
        customer=Person(
            first_name="Adaa",
            last_name="Lovelace",
            phones=["+14158675309", "junk", " junk"],
            emails=["a@x.io", "None@none.com"],
        ),
        co_customer=Person(first_name="Bob", phones=["1", "1"]),
        fields={"k": "x", "j": True, "z": 2, "n": 0},
        merged_into="Y",
        viewers=["v2", "v3"],
        created_at=dt.datetime(2026, 1, 1, 10, tzinfo=PARIS),
        events=[Event(id="e1", at=NINE)],
    )

    def test_the_merged_lead(self) -> None:
        """Master first; what only the other has is taken; lists united."""
        result = merge.manual(self.MASTER, self.OTHER)

        assert result.lead == Lead(
            id="A",
            customer=Person(
                first_name="Ada",
                last_name="Lovelace",
                phones=["(415) 867-5309", "junk"],
                emails=["a@x.io", "none@none.com"],
            ),
            co_customer=Person(first_name="Bob", phones=["1"]),
            status="new",
            viewers=["v1", "v2", "v3"],
            created_at=NINE,
            events=[Event(id="e1", at=NINE)],
            merged_into="Z",
            fields={"k": "x", "j": 1, "n": 0, "z": 2},
        )

    def test_every_discarded_value_in_field_order(self) -> None:
        """Each value the merged lead does not hold, with its lead: customer to fields."""
        result = merge.manual(self.MASTER, self.OTHER)

        assert [(d.lead, d.field, d.value) for d in result.discarded] == [
            ("B", "customer.first_name", "Adaa"),
            ("A", "customer.phones", "415 867 5309"),
            ("B", "customer.phones", "+14158675309"),
            ("B", "customer.phones", " junk"),
            ("A", "customer.emails", "A@X.io "),
            ("B", "customer.emails", "None@none.com"),
            ("B", "created_at", dt.datetime(2026, 1, 1, 10, tzinfo=PARIS)),
            ("B", "merged_into", "Y"),
            ("A", "fields.k", " "),
            ("B", "fields.j", True),
        ]

    def test_phones_united_in_the_policy_region(self) -> None:
        """A national number and its E.164 form are one number in France only."""
        master = Lead(id="A", customer=Person(phones=["06 12 34 56 78"]))
        other = Lead(id="B", customer=Person(phones=["+33 6 12 34 56 78"]))

        in_france = merge.manual(master, other, policy=merge.MergePolicy(default_region="FR"))

        assert in_france.lead.customer.phones == ("06 12 34 56 78",)
        assert [(d.lead, d.value) for d in in_france.discarded] == [("B", "+33 6 12 34 56 78")]


class TestCoCustomer:
    """MRG-8: co-customers merged like customers; one alone kept, rid of duplicates."""

    def test_none_on_either_side(self) -> None:
        """No co-customer stays none."""
        assert manual.merge_leads(Lead(id="A"), Lead(id="B"), "US") == (Lead(id="A"), [])

    def test_the_masters_alone_is_kept_and_cleaned(self) -> None:
        """The same person, its repeated number dropped, not reported (written alike)."""
        bob = Person(first_name="Bob", phones=["(212) 736-5000", "212 736 5000"])

        merged, lost = manual.merge_leads(Lead(id="A", co_customer=bob), Lead(id="B"), "US")

        assert merged.co_customer == Person(first_name="Bob", phones=["(212) 736-5000"])
        assert lost == [("co_customer.phones", "212 736 5000", True)]

    def test_the_others_alone_is_taken(self) -> None:
        """A co-customer only the other lead has."""
        bob = Person(first_name="Bob")

        merged, lost = manual.merge_leads(Lead(id="A"), Lead(id="B", co_customer=bob), "US")

        assert (merged.co_customer, lost) == (bob, [])

    def test_an_unchanged_person_is_the_masters_own(self) -> None:
        """Nothing to take from the other: the very same object."""
        ada = Person(first_name="Ada", phones=["1"])

        assert manual.merge_person("customer", ada, Person(first_name="Ada"), "US", []) is ada


class TestValues:
    """What "has a value" and "written alike" mean (v1.2 of the rules)."""

    @pytest.mark.parametrize(
        ("value", "key"),
        [
            (None, ("NoneType", None)),
            ("a", ("str", "a")),
            (True, ("bool", True)),
            (1, ("int", "1")),
            (1.0, ("float", "1.0")),
            (Colour.RED, ("enum", 1)),
            (EventStatus.SCHEDULED, ("EventStatus", EventStatus.SCHEDULED)),
            (NINE, ("datetime", "2026-01-01T09:00:00+00:00")),
            ((1, "a"), ("list", (("int", "1"), ("str", "a")))),
            ([1], ("list", (("int", "1"),))),
            ({"b": 1, "a": [2]}, ("map", (("a", ("list", (("int", "2"),))), ("b", ("int", "1"))))),
            (
                Event(id="e", at=NINE),
                (
                    "Event",
                    (
                        ("str", "e"),
                        ("datetime", "2026-01-01T09:00:00+00:00"),
                        ("EventStatus", EventStatus.SCHEDULED),
                    ),
                ),
            ),
            (b"x", ("bytes", "b'x'")),
        ],
    )
    def test_representation(self, value: object, key: object) -> None:
        """Types apart, datetimes with their offset, mappings sorted, objects by fields."""
        assert manual.representation(value) == key

    def test_same_and_present(self) -> None:
        """1, True and 1.0 differ; blank text is no value, 0 is one."""
        assert not manual.same(1, True)
        assert not manual.same(1.0, 1)
        assert manual.same([1], (1,))
        assert not manual.same(NINE, NINE.astimezone(PARIS))
        assert [manual.present(v) for v in (None, " \t", "", 0, "x")] == [
            False,
            False,
            False,
            True,
            True,
        ]

    @pytest.mark.parametrize(
        ("master", "other", "chosen", "lost"),
        [
            (" ", "x", "x", [("f", " ", True)]),
            (None, None, None, []),
            ("a", None, "a", []),
            (None, "b", "b", []),
            ("a", "a", "a", []),
            ("a", "b", "a", [("f", "b", False)]),
            (" ", "  ", " ", [("f", "  ", False)]),
            (" ", " ", " ", []),
        ],
    )
    def test_pick(
        self, master: str | None, other: str | None, chosen: str | None, lost: list[object]
    ) -> None:
        """The master's value when it has one; what is not kept is lost, unless alike."""
        found: manual.Lost = []

        assert manual.pick("f", master, other, found) == chosen
        assert found == lost

    def test_unite_keeps_the_first_of_each_key(self) -> None:
        """Master's items first; a dropped item is lost unless one written alike was kept."""
        found: manual.Lost = []

        united = manual.unite("f", ("a", "A", "b"), ("B", "c", "a"), str.lower, found)

        assert united == ("a", "b", "c")
        assert found == [("f", "A", True), ("f", "B", False)]

    def test_events_unite_by_id(self) -> None:
        """Of two events with one id the master's stays; the other's is lost."""
        mine, theirs = Event(id="e1", at=NINE), Event(id="e1", at=NINE, status="cancelled")
        master = Lead(id="A", events=[mine])

        merged, lost = manual.merge_leads(
            master, attrs.evolve(master, id="B", events=[theirs]), "US"
        )

        assert merged.events == (mine,)
        assert lost == [("events", theirs, False)]


def test_the_masters_merged_into_alone_loses_nothing() -> None:
    """The other lead without merged_into: nothing of it is reported lost."""
    merged, lost = manual.merge_leads(Lead(id="A", merged_into="Z"), Lead(id="B"), "US")

    assert (merged.merged_into, lost) == ("Z", [])
