"""
leadcore.related pinned down in full, where the example tests leave it open.

Every problem of an error (path, value, message, in table order), the reason's facts,
the policy table's checks, and how results show themselves. Each test kills mutants of
related.py that the example tests let survive (mutation testing, issue 20:
``python3 dev.py mutate related``).
"""

from __future__ import annotations

from types import MappingProxyType

import pytest

from leadcore import _attrs as a
from leadcore import _display, related
from leadcore.model import Crm, CrmRecord, RecordKind
from leadcore.related import CadenceMembership, RelatedPolicy, RelatedRecord

from .asserts import explained, problems

ME = CrmRecord(id="L1", kind="lead", account_name="Acme")
CRMS = "'salesforce', 'zoho', 'dynamics', 'pipedrive', 'hubspot', 'sellsy'"
DUPLICATE = "is the id of records[0] too; record ids must be unique"
NOT_SALESFORCE = "is not a record kind of Salesforce, which has 'lead' and 'contact'"


class TestFind:
    """REL-1 to REL-4: the answer in full, and every problem of the input at once."""

    def test_not_connected_says_which_crm(self) -> None:
        """REL-1: the reason names the CRM for people and gives its value as a fact."""
        found = related.find(
            "salesforce", ME, [CrmRecord(id="L2", account_name="acme")], connected=False
        )

        assert explained(found.reasons) == [
            (
                "crm_not_connected",
                (
                    "the user's profile is not connected to Salesforce: connect it to see "
                    "related leads"
                ),
                {"crm": "salesforce"},
            )
        ]
        assert (found.related, found.show_icon, found.codes) == ((), False, ("crm_not_connected",))

    def test_related_records_in_id_order_selectable_in_cadence(self) -> None:
        """REL-2 to REL-4: same kind and key, sorted by id, selectable when in cadence."""
        records = [
            CrmRecord(id="L3", account_name="ACME", in_cadence=False),
            CrmRecord(id="L2", account_name="acme"),
            CrmRecord(id="L4", account_name="Globex"),
            CrmRecord(id="C1", kind="contact", account_name="Acme"),
            ME,
        ]

        found = related.find("salesforce", ME, records, connected=True)

        assert found.related == (
            RelatedRecord(record=records[1], selectable=True),
            RelatedRecord(record=records[0], selectable=False),
        )
        assert (found.ids, found.selectable_ids, found.show_icon) == (("L2", "L3"), ("L2",), True)
        assert found.reasons == ()

    def test_a_record_without_its_key_relates_to_nothing(self) -> None:
        """REL-2: no account name (or one that folds to nothing): an empty answer."""
        others = [CrmRecord(id="L2"), CrmRecord(id="L3", account_name="...")]

        for me in (CrmRecord(id="L1"), CrmRecord(id="L1", account_name="...")):
            assert related.find("salesforce", me, others, connected=True) == related.RelatedLeads()

    def test_every_problem_of_the_table_in_order(self) -> None:
        """Junk, repeated ids, kinds the CRM lacks; the current record's id is skipped."""
        me = CrmRecord(id="P", kind="person")
        records = [
            CrmRecord(id="L2"),
            5,
            CrmRecord(id="L2"),
            CrmRecord(id="L2"),
            CrmRecord(id="P", kind="person"),
            CrmRecord(id="X", kind="person"),
        ]

        assert problems(a.unchecked(related.find), "salesforce", me, records, connected=1) == [
            ("connected", 1, "must be true or false, not int"),
            ("record.kind", "person", NOT_SALESFORCE),
            ("records[1]", 5, "must be a CrmRecord, not int"),
            ("records[2].id", "L2", DUPLICATE),
            ("records[3].id", "L2", DUPLICATE),
            ("records[4].kind", "person", NOT_SALESFORCE),
            ("records[5].kind", "person", NOT_SALESFORCE),
        ]

    @pytest.mark.parametrize(
        ("crm", "record", "records", "found"),
        [
            ("nope", ME, [], [("crm", "nope", f"must be one of {CRMS}")]),
            ("salesforce", ME, "abc", [("records", "abc", "must be a list of CrmRecord")]),
            ("salesforce", ME, {"a": 1}, [("records", {"a": 1}, "must be a list of CrmRecord")]),
            ("salesforce", 3, [], [("record", 3, "must be a CrmRecord, not int")]),
            (
                "pipedrive",
                ME,
                [],
                [("record.kind", "lead", "is not a record kind of Pipedrive, which has 'person'")],
            ),
        ],
    )
    def test_bad_arguments(
        self, crm: str, record: object, records: object, found: list[object]
    ) -> None:
        """An unknown CRM, a table that is not a list, a kind the CRM lacks."""
        assert problems(a.unchecked(related.find), crm, record, records, connected=True) == found

    def test_a_crm_missing_from_the_policy_has_no_kinds(self) -> None:
        """A policy table may leave a CRM without record kinds."""
        policy = RelatedPolicy(relation_keys={"salesforce": {}})

        assert problems(related.find, "salesforce", ME, [], connected=True, policy=policy) == [
            (
                "record.kind",
                "lead",
                "is not a record kind of Salesforce, which has none in the policy's relation_keys",
            )
        ]
        assert problems(related.related, "zoho", ME, ME, policy=policy) == [
            (
                "a_record.kind",
                "lead",
                "is not a record kind of Zoho, which has none in the policy's relation_keys",
            ),
            (
                "b_record.kind",
                "lead",
                "is not a record kind of Zoho, which has none in the policy's relation_keys",
            ),
        ]


class TestRelated:
    """REL-2 for two records."""

    def test_bad_records_are_named_by_argument(self) -> None:
        """Both records checked, each by its name."""
        assert problems(
            a.unchecked(related.related), "salesforce", 3, CrmRecord(id="x", kind="person")
        ) == [
            ("a_record", 3, "must be a CrmRecord, not int"),
            ("b_record.kind", "person", NOT_SALESFORCE),
        ]

    @pytest.mark.parametrize(
        ("one", "other", "answer"),
        [
            (
                CrmRecord(id="C1", kind="contact", account_id="A1"),
                CrmRecord(id="C2", kind="contact", account_id="A1"),
                True,
            ),
            (
                CrmRecord(id="C1", kind="contact", account_id="A1"),
                CrmRecord(id="C2", kind="contact", account_id="A2"),
                False,
            ),
            (CrmRecord(id="C1", kind="contact"), CrmRecord(id="C2", kind="contact"), False),
            (
                CrmRecord(id="L1", account_name="Acme"),
                CrmRecord(id="L1", account_name="Acme"),
                False,
            ),
            (CrmRecord(id="L1", account_name="..."), CrmRecord(id="L2", account_name="!!"), False),
            (
                CrmRecord(id="L1", account_name="Acme"),
                CrmRecord(id="C1", kind="contact", account_name="Acme"),
                False,
            ),
        ],
    )
    def test_same_kind_same_key_different_ids(
        self, one: CrmRecord, other: CrmRecord, answer: bool
    ) -> None:
        """Account ids compare as they are; no key relates to nothing; never to itself."""
        assert related.related("salesforce", one, other) is answer
        assert related.related("salesforce", other, one) is answer


class TestGroup:
    """REL-6: groups in full, and every problem of the table in table order."""

    def test_groups_by_kind_key_and_value(self) -> None:
        """Ids, kinds, keys and values; a value seen three times is one group."""
        table = [
            CrmRecord(id="L3", account_name="Acme"),
            CrmRecord(id="C1", kind="contact", account_id="A1"),
            CrmRecord(id="L1", account_name="ACME"),
            CrmRecord(id="C2", kind="contact", account_id="A1"),
            CrmRecord(id="L2", account_name="acme."),
            CrmRecord(id="L4", account_name="Globex"),
            CrmRecord(id="L5"),
            CrmRecord(id="L6", account_name="..."),
            CrmRecord(id="L7", account_name="..."),
            CrmRecord(id="C3", kind="contact"),
            CrmRecord(id="C4", kind="contact"),
        ]

        assert related.group("salesforce", table) == (
            related.RelatedGroup(
                id="contact:account_id:A1",
                kind=RecordKind.CONTACT,
                key="account_id",
                value="A1",
                records=("C1", "C2"),
            ),
            related.RelatedGroup(
                id="lead:account_name:acme",
                kind=RecordKind.LEAD,
                key="account_name",
                value="acme",
                records=("L1", "L2", "L3"),
            ),
        )
        assert related.group_key("salesforce", table[0]) == "lead:account_name:acme"
        assert related.group_key("salesforce", table[1]) == "contact:account_id:A1"
        assert related.group_key("salesforce", table[6]) is None
        assert related.group_key("salesforce", table[7]) is None

    def test_every_problem_in_table_order(self) -> None:
        """Repeated ids are found after the pass, then sorted in with the others."""
        table = [
            CrmRecord(id="L2"),
            5,
            CrmRecord(id="L2"),
            CrmRecord(id="P", kind="person"),
            CrmRecord(id="L2"),
        ]

        assert problems(related.group, "salesforce", table) == [
            ("records[1]", 5, "must be a CrmRecord, not int"),
            ("records[2].id", "L2", DUPLICATE),
            ("records[3].kind", "person", NOT_SALESFORCE),
            ("records[4].id", "L2", DUPLICATE),
        ]

    def test_bad_arguments(self) -> None:
        """A table that is not a list; a record the CRM has no kind for."""
        assert problems(related.group, "salesforce", "abc") == [
            ("records", "abc", "must be a list of CrmRecord")
        ]
        assert problems(related.group_key, "salesforce", CrmRecord(id="P", kind="person")) == [
            ("record.kind", "person", NOT_SALESFORCE)
        ]
        assert problems(related.group_key, "salesforce", 7) == [
            ("record", 7, "must be a CrmRecord, not int")
        ]


class TestStop:
    """REL-5: what is stopped, and every problem of the request at once."""

    def test_every_problem_at_once(self) -> None:
        """The toggle, each selected id, each membership."""
        memberships = [CadenceMembership(lead="a", cadence="c"), 5]
        current = (
            "is the current lead, which is never related to itself; turn include_current on "
            "to stop it"
        )

        assert problems(
            a.unchecked(related.stop),
            ["L1", "", 3, "L1"],
            memberships,
            current="L1",
            include_current="yes",
        ) == [
            ("include_current", "yes", "must be true or false, not str"),
            ("selected[0]", "L1", current),
            ("selected[1]", "", "must be a non-empty id"),
            ("selected[2]", 3, "must be a string, not int"),
            ("selected[3]", "L1", current),
            ("memberships[1]", 5, "must be a CadenceMembership, not int"),
        ]

    def test_a_bad_current_is_named_once(self) -> None:
        """A blank current id is its own problem, not compared with the selection."""
        assert problems(related.stop, ["L1", ""], [], current="") == [
            ("current", "", "must be a non-empty id"),
            ("selected[1]", "", "must be a non-empty id"),
        ]

    def test_include_current_needs_current(self) -> None:
        """The toggle without the current lead."""
        assert problems(related.stop, [], [], include_current=True) == [
            ("current", None, "is required when include_current is on (the current lead)")
        ]

    def test_lists_are_lists(self) -> None:
        """Text is not a list of ids or of memberships."""
        assert problems(related.stop, "L1", []) == [
            ("selected", "L1", "must be a list of lead ids")
        ]
        assert problems(related.stop, [], "m") == [
            ("memberships", "m", "must be a list of CadenceMembership")
        ]

    def test_stopped_sorted_once_with_the_current_lead_when_asked(self) -> None:
        """Sorted by lead then cadence, duplicates once; others' memberships kept."""
        memberships = [
            CadenceMembership(lead="L2", cadence="c2"),
            CadenceMembership(lead="L2", cadence="c1"),
            CadenceMembership(lead="L2", cadence="c1"),
            CadenceMembership(lead="L1", cadence="c3"),
            CadenceMembership(lead="L5", cadence="c1"),
        ]

        without = related.stop(["L2", "L9", "L2"], memberships, current="L1")
        with_current = related.stop(["L2"], memberships, current="L1", include_current=True)

        assert [(m.lead, m.cadence) for m in without.stopped] == [("L2", "c1"), ("L2", "c2")]
        assert without.not_in_cadence == ("L9",)
        assert [(m.lead, m.cadence) for m in with_current.stopped] == [
            ("L1", "c3"),
            ("L2", "c1"),
            ("L2", "c2"),
        ]
        assert related.stop([], memberships, current="L7", include_current=True).not_in_cadence == (
            "L7",
        )

    def test_cadence_memberships_names_what_is_not_a_record(self) -> None:
        """Every entry that is not a record, by index."""
        assert problems(related.cadence_memberships, [CrmRecord(id="a"), 3, "x"]) == [
            ("records[1]", 3, "must be a CrmRecord, not int"),
            ("records[2]", "x", "must be a CrmRecord, not str"),
        ]
        assert problems(a.unchecked(related.cadence_memberships), "abc") == [
            ("records", "abc", "must be a list of CrmRecord")
        ]


class TestPolicy:
    """REL-2, GEN-7: the per-CRM table is checked entry by entry."""

    def test_every_bad_entry(self) -> None:
        """Unknown key, unknown kind, unknown CRM, a CRM not mapped to kinds."""
        table = {"salesforce": {"lead": "nope", "deal": "account_id"}, "nocrm": {}, "zoho": 5}

        assert problems(RelatedPolicy, relation_keys=table) == [
            (
                "relation_keys.salesforce.lead",
                "nope",
                "must be one of 'account_id', 'account_name'",
            ),
            (
                "relation_keys.salesforce.deal",
                "deal",
                "is not a record kind; use 'lead', 'contact', 'person'",
            ),
            ("relation_keys.nocrm", "nocrm", f"is not a CRM; must be one of {CRMS}"),
            ("relation_keys.zoho", 5, "must be a mapping of record kind to key"),
        ]
        assert problems(RelatedPolicy, relation_keys=5) == [
            ("relation_keys", 5, "must be a mapping of CRM to {record kind: key}")
        ]

    def test_a_table_is_frozen_with_enum_keys(self) -> None:
        """Given by values, read by members; read-only at both levels."""
        policy = RelatedPolicy(relation_keys={"zoho": {"contact": "account_id"}})
        table = policy.relation_keys

        assert isinstance(table, MappingProxyType)
        assert dict(table) == {Crm.ZOHO: {RecordKind.CONTACT: "account_id"}}
        assert isinstance(table[Crm.ZOHO], MappingProxyType)
        assert related.find(
            "zoho",
            CrmRecord(id="C1", kind="contact", account_id="A"),
            [CrmRecord(id="C2", kind="contact", account_id="A")],
            connected=True,
            policy=policy,
        ).ids == ("C2",)


class TestShown:
    """How the results show themselves: headline, summary, first rows."""

    def test_related_leads(self) -> None:
        """How many are related and selectable; the first rows of the list."""
        records = [
            CrmRecord(id="L3", account_name="ACME", in_cadence=False),
            CrmRecord(id="L2", account_name="acme"),
        ]

        found = related.find("salesforce", ME, records, connected=True)

        assert found._view(1) == _display.View(
            "RelatedLeads",
            "2 related (1 selectable)",
            facts=[("show_icon", True), ("related", 2)],
            tables=[
                _display.Table(
                    "related",
                    ("id", "kind", "account_id", "account_name", "selectable"),
                    [("L2", RecordKind.LEAD, None, "acme", True)],
                    2,
                )
            ],
        )

    def test_not_looked_up(self) -> None:
        """The reason codes in the headline, then the reasons."""
        found = related.find("salesforce", ME, [], connected=False)

        assert found._view(1) == _display.View(
            "RelatedLeads",
            "not looked up: crm_not_connected",
            tables=[_display.reasons_table(found.reasons, 1)],
        )

    def test_stop_result(self) -> None:
        """How many memberships stopped; leads in no cadence; the first rows."""
        memberships = [
            CadenceMembership(lead="L2", cadence="c2"),
            CadenceMembership(lead="L2", cadence="c1"),
        ]

        stopped = related.stop(["L2", "L9", "L3"], memberships)

        assert stopped._view(1) == _display.View(
            "StopResult",
            "2 memberships stopped",
            facts=[("stopped", 2), ("not_in_cadence", ("L3",))],
            tables=[_display.Table("stopped", ("lead", "cadence"), [("L2", "c1")], 2)],
        )


def test_the_module_lists_its_public_names() -> None:
    """``dir(leadcore.related)`` is its public surface."""
    assert dir(related) == sorted(related.__all__)


def test_cadence_memberships_names_every_entry_that_is_not_a_record() -> None:
    """``@checked``: every entry that is not a record, by index, all at once."""
    assert problems(related.cadence_memberships, [CrmRecord(id="a"), 3, "x"]) == [
        ("records[1]", 3, "must be a CrmRecord, not int"),
        ("records[2]", "x", "must be a CrmRecord, not str"),
    ]


def test_a_crm_left_out_of_the_policy_has_no_kinds() -> None:
    """A table without the CRM at all: its records have no kind to relate by."""
    policy = RelatedPolicy(relation_keys={"salesforce": {"lead": "account_name"}})
    record = CrmRecord(id="C1", kind="contact", account_id="A")
    none = "is not a record kind of Zoho, which has none in the policy's relation_keys"

    assert problems(related.group_key, "zoho", record, policy=policy) == [
        ("record.kind", "contact", none)
    ]
    assert problems(related.group, "zoho", [record], policy=policy) == [
        ("records[0].kind", "contact", none)
    ]
    assert problems(related.related, "zoho", record, record, policy=policy)[0] == (
        "a_record.kind",
        "contact",
        none,
    )
    assert problems(related.find, "zoho", record, [], connected=True, policy=policy) == [
        ("record.kind", "contact", none)
    ]


def test_a_spark_dataframe_is_sent_to_the_spark_engine() -> None:
    """REL-6: a Spark table is named by its type, with where to group it instead."""
    frame = type("DataFrame", (), {"__module__": "pyspark.sql.dataframe"})()

    assert problems(related.group, "salesforce", frame) == [
        (
            "records",
            "DataFrame",
            (
                "is a Spark DataFrame: group it on Spark with leadcore.spark.group_related (this "
                "rule family runs in this process, on CrmRecord objects)"
            ),
        )
    ]


def test_every_crm_of_the_policy_table_is_checked() -> None:
    """A CRM not mapped to kinds does not stop the check of the CRMs after it."""
    table = {"zoho": 5, "salesforce": {"deal": "account_id"}}

    assert problems(RelatedPolicy, relation_keys=table) == [
        ("relation_keys.zoho", 5, "must be a mapping of record kind to key"),
        (
            "relation_keys.salesforce.deal",
            "deal",
            "is not a record kind; use 'lead', 'contact', 'person'",
        ),
    ]
