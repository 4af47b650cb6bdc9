"""Example tests of leadcore.related: related leads per CRM (REL-1..REL-6)."""

from __future__ import annotations

import copy
from types import MappingProxyType

import attrs
import pytest

from leadcore import related
from leadcore.errors import InvalidInput, LeadcoreError
from leadcore.model import Crm, CrmRecord, RecordKind
from leadcore.related import (
    DEFAULT_RELATION_KEYS,
    CadenceMembership,
    RelatedGroup,
    RelatedPolicy,
    StopResult,
)

NAME_CRMS = ("salesforce", "zoho", "dynamics")
"""CRMs that relate leads by account (company) name."""

CONTACT_CRMS = (("salesforce", "contact"), ("zoho", "contact"), ("dynamics", "contact"))
ACCOUNT_CRMS = (
    *CONTACT_CRMS,
    ("pipedrive", "person"),
    ("hubspot", "contact"),
    ("sellsy", "contact"),
)
"""(CRM, kind) pairs related by account id."""


def lead(record_id: str, name: str | None = None, **fields: object) -> CrmRecord:
    """Build a CRM lead with an account name."""
    return CrmRecord(id=record_id, kind=RecordKind.LEAD, account_name=name, **fields)  # type: ignore[arg-type]  # test builder passes through


def contact(
    record_id: str, account: str | None = None, kind: str = "contact", **fields: object
) -> CrmRecord:
    """Build a CRM contact (or person) with an account id."""
    return CrmRecord(id=record_id, kind=kind, account_id=account, **fields)  # type: ignore[arg-type]  # test builder passes through


def m(lead_id: str, cadence: str) -> CadenceMembership:
    """Build a cadence membership."""
    return CadenceMembership(lead=lead_id, cadence=cadence)


def paths(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    """The paths of every problem of an error."""
    return [p.path for p in error.value.problems]


class TestRelationKeys:
    """The per-CRM table of REL-2, as data in RelatedPolicy."""

    def test_default_table_is_the_spec_table_rel_2(self) -> None:
        """REL-2: which record kinds each CRM has and which key relates them."""
        table = {
            crm.value: {kind.value: key for kind, key in kinds.items()}
            for crm, kinds in DEFAULT_RELATION_KEYS.items()
        }

        assert table == {
            "salesforce": {"lead": "account_name", "contact": "account_id"},
            "zoho": {"lead": "account_name", "contact": "account_id"},
            "dynamics": {"lead": "account_name", "contact": "account_id"},
            "pipedrive": {"person": "account_id"},
            "hubspot": {"contact": "account_id"},
            "sellsy": {"contact": "account_id"},
        }

    def test_every_crm_has_a_row_rel_2(self) -> None:
        """REL-2: the table covers every CRM leadcore knows."""
        assert set(DEFAULT_RELATION_KEYS) == set(Crm)

    def test_policy_default_is_the_table_gen_7(self) -> None:
        """GEN-7, REL-2: the policy holds the table with the rulebook value as default."""
        assert RelatedPolicy().relation_keys == DEFAULT_RELATION_KEYS

    def test_policy_accepts_values_as_strings_rel_2(self) -> None:
        """REL-2: a table given as JSON-like strings is converted to enum members."""
        policy = RelatedPolicy(relation_keys={"hubspot": {"contact": "account_id"}})

        assert policy.relation_keys == {Crm.HUBSPOT: {RecordKind.CONTACT: "account_id"}}
        assert isinstance(policy.relation_keys, MappingProxyType)

    def test_policy_is_frozen_and_hashable_gen_3(self) -> None:
        """GEN-3: policies are immutable values."""
        policy = RelatedPolicy()

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            policy.relation_keys = {}  # type: ignore[misc]  # frozen on purpose
        assert hash(policy) == hash(RelatedPolicy())

    @pytest.mark.parametrize(
        ("table", "path"),
        [
            ({"myspace": {"lead": "account_name"}}, "relation_keys.myspace"),
            ({"zoho": {"deal": "account_name"}}, "relation_keys.zoho.deal"),
            ({"zoho": {"lead": "email"}}, "relation_keys.zoho.lead"),
            ({"zoho": ["lead"]}, "relation_keys.zoho"),
            (["zoho"], "relation_keys"),
        ],
    )
    def test_bad_table_is_refused_with_its_path_gen_5(self, table: object, path: str) -> None:
        """GEN-5, REL-2: a table naming an unknown CRM, kind or key is an input error."""
        with pytest.raises(InvalidInput) as error:
            RelatedPolicy(relation_keys=table)  # type: ignore[arg-type]  # bad on purpose

        assert error.value.path == path


class TestRelated:
    """related(): the pairwise rule of REL-2."""

    @pytest.mark.parametrize("crm", NAME_CRMS)
    def test_leads_with_the_same_account_name_are_related_rel_2(self, crm: str) -> None:
        """REL-2: Salesforce, Zoho and Dynamics relate leads by account (company) name."""
        assert related.related(crm, lead("L1", "Acme Corp"), lead("L2", "Acme Corp"))

    @pytest.mark.parametrize("crm", NAME_CRMS)
    def test_leads_with_other_names_are_not_related_rel_2(self, crm: str) -> None:
        """REL-2: different account names, not related."""
        assert not related.related(crm, lead("L1", "Acme Corp"), lead("L2", "Globex"))

    @pytest.mark.parametrize(
        ("one", "two"),
        [
            ("Acme Corp", "ACME CORP"),
            ("Société Générale", "societe generale"),
            ("A.C.M.E.", "ACME"),
            ("O'Brien & Sons", "OBrien Sons"),
            ("Jean-Luc Consulting", "jean luc   consulting"),
            ("  Globex\tInc ", "Globex Inc"),
        ],
    )
    def test_names_compare_after_folding_rel_2(self, one: str, two: str) -> None:
        """REL-2 [decided]: case, accents, punctuation and white space are folded."""
        assert related.related("salesforce", lead("L1", one), lead("L2", two))

    def test_legal_suffixes_are_not_dropped_rel_2(self) -> None:
        """REL-2 [decided]: "Acme" and "Acme Inc" are different names (no suffix stripping)."""
        assert not related.related("zoho", lead("L1", "Acme"), lead("L2", "Acme Inc"))

    @pytest.mark.parametrize(("crm", "kind"), ACCOUNT_CRMS)
    def test_contacts_of_the_same_account_are_related_rel_2(self, crm: str, kind: str) -> None:
        """REL-2: contacts (Pipedrive: persons) of the same account are related."""
        assert related.related(crm, contact("C1", "A1", kind), contact("C2", "A1", kind))

    @pytest.mark.parametrize(("crm", "kind"), ACCOUNT_CRMS)
    def test_contacts_of_other_accounts_are_not_related_rel_2(self, crm: str, kind: str) -> None:
        """REL-2: different accounts, not related."""
        assert not related.related(crm, contact("C1", "A1", kind), contact("C2", "A2", kind))

    def test_account_ids_compare_exactly_rel_2(self) -> None:
        """REL-2: accounts compare by id, exactly (ids are not folded)."""
        assert not related.related("hubspot", contact("C1", "001a"), contact("C2", "001A"))

    def test_contacts_are_not_related_by_name_rel_2(self) -> None:
        """REL-2: a contact's account name plays no part; only its account id."""
        one = contact("C1", None, account_name="Acme")
        two = contact("C2", None, account_name="Acme")

        assert not related.related("salesforce", one, two)

    def test_leads_are_not_related_by_account_id_rel_2(self) -> None:
        """REL-2: a lead's account id plays no part; only its account name."""
        one = lead("L1", "Acme", account_id="A1")
        two = lead("L2", "Globex", account_id="A1")

        assert not related.related("dynamics", one, two)

    def test_leads_and_contacts_are_never_related_rel_2(self) -> None:
        """REL-2: leads and contacts are not related to each other, whatever they share."""
        one = lead("L1", "Acme", account_id="A1")
        two = contact("C1", "A1", account_name="Acme")

        assert not related.related("salesforce", one, two)
        assert not related.related("salesforce", two, one)

    def test_a_record_is_never_related_to_itself_rel_2(self) -> None:
        """REL-2: the same id is the same record, even with other field values."""
        assert not related.related("zoho", lead("L1", "Acme"), lead("L1", "Acme"))
        assert not related.related("zoho", lead("L1", "Acme"), lead("L1", "ACME", in_cadence=False))

    def test_missing_account_id_never_relates_rel_2(self) -> None:
        """REL-2 (Conventions): a missing account id never relates."""
        assert not related.related("sellsy", contact("C1"), contact("C2"))

    @pytest.mark.parametrize("name", [None, "", "   ", "--", "'.'", "\u200b"])
    def test_empty_folded_name_never_relates_rel_2(self, name: str | None) -> None:
        """REL-2 (Conventions): a name that folds to nothing never relates."""
        assert not related.related("salesforce", lead("L1", name), lead("L2", name))

    @pytest.mark.parametrize(
        ("crm", "record"),
        [
            ("pipedrive", lead("L1", "Acme")),
            ("pipedrive", contact("C1", "A1")),
            ("hubspot", lead("L1", "Acme")),
            ("sellsy", contact("P1", "A1", "person")),
            ("salesforce", contact("P1", "A1", "person")),
        ],
    )
    def test_a_kind_the_crm_lacks_is_an_input_error_rel_2(
        self, crm: str, record: CrmRecord
    ) -> None:
        """REL-2: a record kind a CRM does not have is an input error naming the field."""
        with pytest.raises(InvalidInput) as error:
            related.related(crm, record, record)

        assert paths(error) == ["a_record.kind", "b_record.kind"]
        assert repr(record.kind.value) in str(error.value)

    def test_unknown_crm_is_an_input_error_gen_5(self) -> None:
        """GEN-5, REL-2: CRMs are a closed set."""
        with pytest.raises(InvalidInput) as error:
            related.related("myspace", lead("L1", "A"), lead("L2", "A"))

        assert error.value.path == "crm"
        assert isinstance(error.value, LeadcoreError)

    def test_crm_may_be_given_as_member_rel_2(self) -> None:
        """REL-2: the CRM is a Crm member or its value."""
        assert related.related(Crm.ZOHO, lead("L1", "Acme"), lead("L2", "acme"))

    def test_policy_changes_the_key_gen_7(self) -> None:
        """GEN-7, REL-2: what if HubSpot contacts were related by account name?"""
        policy = RelatedPolicy(relation_keys={"hubspot": {"contact": "account_name"}})
        one = contact("C1", "A1", account_name="Acme")
        two = contact("C2", "A2", account_name="ACME")

        assert related.related("hubspot", one, two, policy=policy)
        assert not related.related("hubspot", one, two)

    def test_a_crm_missing_from_the_policy_has_no_kinds_gen_7(self) -> None:
        """GEN-7, REL-2: an overriding table replaces the whole default table."""
        policy = RelatedPolicy(relation_keys={"hubspot": {"contact": "account_id"}})

        with pytest.raises(InvalidInput, match="none in the policy"):
            related.related("zoho", lead("L1", "A"), lead("L2", "A"), policy=policy)


class TestFind:
    """find(): the related-leads list of REL-1 to REL-4."""

    def test_not_connected_is_a_result_with_a_reason_rel_1(self) -> None:
        """REL-1: without a connected profile nothing is looked up: crm_not_connected."""
        result = related.find(
            "salesforce", lead("L1", "Acme"), [lead("L2", "Acme")], connected=False
        )

        assert result.related == ()
        assert result.show_icon is False
        assert result.codes == ("crm_not_connected",)
        assert result.reasons[0].facts == {"crm": "salesforce"}
        assert "Salesforce" in result.reasons[0].message

    def test_not_connected_still_validates_the_input_rel_1(self) -> None:
        """REL-1, GEN-5: bad input is an error whether or not the profile is connected."""
        with pytest.raises(InvalidInput) as error:
            related.find("hubspot", lead("L1", "Acme"), [], connected=False)

        assert error.value.path == "record.kind"

    def test_connected_lists_related_records_sorted_by_id_rel_2(self) -> None:
        """REL-2: the related records, sorted by id; reasons are empty when connected."""
        records = [
            lead("L9", "acme"),
            lead("L2", "Globex"),
            lead("L10", "ACME"),
            lead("L3", "Acme"),
        ]

        result = related.find("zoho", lead("L1", "Acme"), records, connected=True)

        assert result.ids == ("L10", "L3", "L9")
        assert result.reasons == ()

    def test_icon_shown_only_when_related_records_exist_rel_3(self) -> None:
        """REL-3: the icon shows when at least one related record exists, else not."""
        some = related.find("zoho", lead("L1", "Acme"), [lead("L2", "acme")], connected=True)
        none = related.find("zoho", lead("L1", "Acme"), [lead("L2", "Globex")], connected=True)

        assert some.show_icon is True
        assert none.show_icon is False
        assert none.related == ()

    def test_record_outside_the_cadence_is_listed_but_not_selectable_rel_4(self) -> None:
        """REL-4: a related record not in the cadence tool is listed, not selectable."""
        records = [lead("L2", "Acme"), lead("L3", "Acme", in_cadence=False)]

        result = related.find("dynamics", lead("L1", "Acme"), records, connected=True)

        assert [(r.id, r.selectable) for r in result.related] == [("L2", True), ("L3", False)]
        assert result.selectable_ids == ("L2",)

    def test_icon_shown_even_when_nothing_is_selectable_rel_3_rel_4(self) -> None:
        """REL-3, REL-4: unselectable records still exist, so the icon shows."""
        result = related.find(
            "dynamics", lead("L1", "Acme"), [lead("L2", "Acme", in_cadence=False)], connected=True
        )

        assert result.show_icon is True
        assert result.selectable_ids == ()

    def test_the_current_record_in_the_table_is_skipped_rel_2(self) -> None:
        """REL-2: an entry with the current record's id is the record itself, never listed."""
        records = [lead("L1", "Acme"), contact("C1", "A1"), lead("L2", "acme")]

        result = related.find("salesforce", lead("L1", "Acme"), records, connected=True)

        assert result.ids == ("L2",)

    def test_only_records_of_the_same_kind_are_listed_rel_2(self) -> None:
        """REL-2: a contact's related records are contacts of its account."""
        records = [lead("L1", "A1"), contact("C2", "A1"), contact("C3", "A2")]

        result = related.find("salesforce", contact("C1", "A1"), records, connected=True)

        assert result.ids == ("C2",)

    def test_current_record_without_key_has_no_related_rel_2(self) -> None:
        """REL-2: a current lead without an account name relates to nothing."""
        result = related.find("zoho", lead("L1", None), [lead("L2", None)], connected=True)

        assert result.related == ()
        assert result.show_icon is False

    def test_each_related_record_is_given_whole_rel_2(self) -> None:
        """REL-2: RelatedRecord carries the record itself."""
        other = lead("L2", "Acme", cadences=["c1"])

        result = related.find("zoho", lead("L1", "Acme"), [other], connected=True)

        assert result.related[0].record is other

    def test_every_bad_record_is_reported_at_once_gen_5(self) -> None:
        """GEN-5, REL-2: kinds the CRM lacks, duplicate ids and junk, all listed."""
        records: list[object] = [
            contact("C1", "A1"),
            lead("L2", "Acme"),
            contact("C1", "A1"),
            "C4",
            contact("P5", "A1", "person"),
        ]

        with pytest.raises(InvalidInput) as error:
            related.find("hubspot", contact("C0", "A1"), records, connected=True)  # type: ignore[arg-type]  # junk on purpose

        assert paths(error) == ["records[1].kind", "records[2].id", "records[3]", "records[4].kind"]
        assert "records[0]" in error.value.problems[1].message

    def test_duplicate_of_the_current_id_is_not_an_error_rel_2(self) -> None:
        """REL-2 [decided]: the current record may appear (even twice) and is skipped."""
        records = [lead("L1", "Acme"), lead("L1", "Acme")]

        result = related.find("zoho", lead("L1", "Acme"), records, connected=True)

        assert result.related == ()

    @pytest.mark.parametrize("records", ["L2", None, 3, {"id": "L2"}])
    def test_records_must_be_a_list_gen_5(self, records: object) -> None:
        """GEN-5: records is a list of CrmRecord."""
        with pytest.raises(InvalidInput) as error:
            related.find("zoho", lead("L1", "Acme"), records, connected=True)  # type: ignore[arg-type]  # junk on purpose

        assert error.value.path == "records"

    def test_connected_must_be_a_boolean_gen_5(self) -> None:
        """GEN-5: connected is true or false, not merely truthy."""
        with pytest.raises(InvalidInput) as error:
            related.find("zoho", lead("L1", "Acme"), [], connected="yes")  # type: ignore[arg-type]  # junk on purpose

        assert error.value.path == "connected"

    def test_record_must_be_a_crm_record_gen_5(self) -> None:
        """GEN-5: the current record is a CrmRecord."""
        with pytest.raises(InvalidInput) as error:
            related.find("zoho", {"id": "L1"}, [], connected=True)  # type: ignore[arg-type]  # junk on purpose

        assert error.value.path == "record"

    def test_inputs_are_not_mutated_gen_3(self) -> None:
        """GEN-3: find changes nothing it is given."""
        records = [lead("L2", "Acme"), lead("L3", "Acme", in_cadence=False)]
        before = copy.deepcopy(records)

        related.find("zoho", lead("L1", "Acme"), records, connected=True)

        assert records == before

    def test_a_generator_of_records_is_read_once_rel_2(self) -> None:
        """REL-2: records may be any iterable, read once."""
        records = (lead(f"L{i}", "Acme") for i in range(2, 5))

        result = related.find("zoho", lead("L1", "Acme"), records, connected=True)

        assert result.ids == ("L2", "L3", "L4")


class TestGroup:
    """group(): a whole table into related groups (REL-6)."""

    TABLE = (
        lead("L2", "Acme Inc."),
        contact("C1", "001A"),
        lead("L1", "ACME inc"),
        contact("C3", "002B"),
        contact("C2", "001A"),
        lead("L3", "Globex"),
        lead("L4", None),
        contact("C4"),
        lead("L5", "acme-inc"),
    )

    def test_groups_are_sorted_with_stable_ids_rel_6(self) -> None:
        """REL-6: groups of two or more, sorted by id; ids are kind:key:value."""
        groups = related.group("salesforce", self.TABLE)

        assert groups == (
            RelatedGroup(
                id="contact:account_id:001A",
                kind=RecordKind.CONTACT,
                key="account_id",
                value="001A",
                records=("C1", "C2"),
            ),
            RelatedGroup(
                id="lead:account_name:acme inc",
                kind=RecordKind.LEAD,
                key="account_name",
                value="acme inc",
                records=("L1", "L2", "L5"),
            ),
        )

    def test_group_ids_do_not_depend_on_input_order_rel_6(self) -> None:
        """REL-6: reversing the table gives the very same groups."""
        assert related.group("zoho", self.TABLE[::-1]) == related.group("zoho", self.TABLE)

    def test_group_id_does_not_depend_on_members_rel_6(self) -> None:
        """REL-6 [decided]: a group keeps its id when a member with a smaller id joins."""
        before = related.group("zoho", [lead("L5", "Acme"), lead("L6", "acme")])
        after = related.group("zoho", [lead("L5", "Acme"), lead("L6", "acme"), lead("L0", "ACME")])

        assert before[0].id == after[0].id == "lead:account_name:acme"

    def test_records_related_to_nothing_are_in_no_group_rel_6(self) -> None:
        """REL-6: a record without key, or alone with its key, is in no group."""
        groups = related.group("salesforce", self.TABLE)
        grouped = {i for g in groups for i in g.records}

        assert grouped.isdisjoint({"L3", "L4", "C3", "C4"})

    def test_groups_agree_with_pairwise_lookup_rel_6(self) -> None:
        """REL-6, REL-2: same group exactly when related() says related."""
        groups = related.group("salesforce", self.TABLE)
        where = {i: g.id for g in groups for i in g.records}

        for one in self.TABLE:
            for two in self.TABLE:
                same = one.id in where and where.get(one.id) == where.get(two.id)
                assert (same and one.id != two.id) == related.related("salesforce", one, two)

    def test_names_of_other_scripts_and_blank_keys_group_as_related_says_rel_6(self) -> None:
        """REL-2, REL-6, v1.2 of the rules: marks of Devanagari kept, blank keys absent."""
        table = [
            lead("L1", "राम ट्रेडर्स"),
            lead("L2", "रमा ट्रेडर्स"),
            lead("L3", "राम-ट्रेडर्स."),
            lead("L4", "Zoë Trading"),
            lead("L5", "ZOE TRADING"),
            lead("L6", " \t"),
            lead("L7", "\x00"),
            contact("C1", "  "),
            contact("C2", "  "),
        ]

        groups = related.group("salesforce", table)

        assert sorted(g.records for g in groups) == [("L1", "L3"), ("L4", "L5")]
        for one in table:
            for two in table:
                together = any(one.id in g.records and two.id in g.records for g in groups)
                assert (together and one.id != two.id) == related.related("salesforce", one, two)

    def test_empty_table_has_no_groups_rel_6(self) -> None:
        """REL-6: nothing in, nothing out."""
        assert related.group("sellsy", []) == ()

    def test_duplicate_ids_are_an_input_error_rel_6(self) -> None:
        """REL-6 [decided]: a table with one id twice is inconsistent: input error."""
        with pytest.raises(InvalidInput) as error:
            related.group("zoho", [lead("L1", "A"), lead("L2", "A"), lead("L1", "B")])

        assert error.value.path == "records[2].id"
        assert "records[0]" in str(error.value)

    def test_every_bad_record_is_reported_gen_5(self) -> None:
        """GEN-5, REL-2: all problems of the table at once."""
        table: list[object] = [lead("L1", "A"), contact("P1", "O", "person"), 7, lead("L1", "A")]

        with pytest.raises(InvalidInput) as error:
            related.group("zoho", table)  # type: ignore[arg-type]  # junk on purpose

        assert paths(error) == ["records[1].kind", "records[2]", "records[3].id"]

    def test_problems_are_listed_in_table_order_gen_5(self) -> None:
        """GEN-5, REL-6: a duplicate id before a bad kind is listed first."""
        table: list[object] = [lead("L1", "A"), lead("L1", "A"), contact("P1", "O", "person"), 7]

        with pytest.raises(InvalidInput) as error:
            related.group("zoho", table)  # type: ignore[arg-type]  # junk on purpose

        assert paths(error) == ["records[1].id", "records[2].kind", "records[3]"]

    def test_unknown_crm_is_an_input_error_gen_5(self) -> None:
        """GEN-5: CRMs are a closed set."""
        with pytest.raises(InvalidInput) as error:
            related.group("excel", [])

        assert error.value.path == "crm"

    def test_pipedrive_groups_persons_by_organisation_rel_2_rel_6(self) -> None:
        """REL-2, REL-6: Pipedrive persons of one organisation form a group."""
        table = [contact("P1", "O1", "person"), contact("P2", "O1", "person")]

        groups = related.group("pipedrive", table)

        assert [(g.id, g.records) for g in groups] == [("person:account_id:O1", ("P1", "P2"))]

    def test_inputs_are_not_mutated_gen_3(self) -> None:
        """GEN-3: grouping changes nothing it is given."""
        table = list(self.TABLE)
        before = copy.deepcopy(table)

        related.group("salesforce", table)

        assert table == before


class TestCadenceMemberships:
    """cadence_memberships(): the memberships of records, for stop (REL-5)."""

    def test_one_membership_per_cadence_in_input_order_rel_5(self) -> None:
        """REL-5: every (record, cadence) pair, in input order."""
        records = [lead("L2", cadences=["c2", "c1"]), lead("L3"), contact("C1", cadences=["c1"])]

        assert related.cadence_memberships(records) == (m("L2", "c2"), m("L2", "c1"), m("C1", "c1"))

    def test_junk_is_an_input_error_gen_5(self) -> None:
        """GEN-5: each item is a CrmRecord."""
        with pytest.raises(InvalidInput) as error:
            related.cadence_memberships([lead("L1"), "L2"])  # type: ignore[list-item]  # junk on purpose

        assert error.value.path == "records[1]"


class TestStop:
    """stop(): stopping related leads in all their cadences (REL-5)."""

    MEMBERSHIPS = (
        m("L2", "c9"),
        m("L1", "c1"),
        m("L2", "c1"),
        m("L3", "c1"),
        m("L1", "c2"),
        m("L2", "c1"),
    )

    def test_selected_lead_is_stopped_in_all_its_cadences_rel_5(self) -> None:
        """REL-5: every cadence a selected lead is in, sorted, without duplicates."""
        result = related.stop(["L2"], self.MEMBERSHIPS, current="L1")

        assert result == StopResult(stopped=(m("L2", "c1"), m("L2", "c9")), not_in_cadence=())

    def test_toggle_on_stops_the_current_lead_too_rel_5(self) -> None:
        """REL-5: with the toggle on, the current lead is stopped in all its cadences."""
        result = related.stop(["L2"], self.MEMBERSHIPS, current="L1", include_current=True)

        assert result.stopped == (m("L1", "c1"), m("L1", "c2"), m("L2", "c1"), m("L2", "c9"))

    def test_toggle_off_leaves_the_current_lead_alone_rel_5(self) -> None:
        """REL-5: with the toggle off, the current lead keeps its cadences."""
        result = related.stop(["L3"], self.MEMBERSHIPS, current="L1", include_current=False)

        assert result.stopped == (m("L3", "c1"),)

    def test_only_the_toggle_stops_the_current_lead_alone_rel_5(self) -> None:
        """REL-5: nothing selected, toggle on: only the current lead is stopped."""
        result = related.stop([], self.MEMBERSHIPS, current="L1", include_current=True)

        assert result.stopped == (m("L1", "c1"), m("L1", "c2"))

    def test_nothing_selected_stops_nothing_rel_5(self) -> None:
        """REL-5: nothing selected and the toggle off: nothing to stop."""
        assert related.stop([], self.MEMBERSHIPS) == StopResult()

    def test_lead_in_no_cadence_is_skipped_and_reported_rel_4_rel_5(self) -> None:
        """REL-4, REL-5 [decided]: a lead in no cadence stops nothing; it is listed apart."""
        result = related.stop(["L7", "L2"], self.MEMBERSHIPS, current="L8", include_current=True)

        assert result.stopped == (m("L2", "c1"), m("L2", "c9"))
        assert result.not_in_cadence == ("L7", "L8")

    def test_selected_twice_is_stopped_once_rel_5(self) -> None:
        """REL-5: the output has no duplicates."""
        result = related.stop(["L3", "L3"], self.MEMBERSHIPS)

        assert result.stopped == (m("L3", "c1"),)

    def test_current_lead_among_the_selected_is_an_input_error_rel_5(self) -> None:
        """REL-5 [decided]: the current lead is never related to itself: use the toggle."""
        with pytest.raises(InvalidInput, match="include_current") as error:
            related.stop(["L2", "L1"], self.MEMBERSHIPS, current="L1", include_current=True)

        assert error.value.path == "selected[1]"

    def test_toggle_without_current_lead_is_an_input_error_rel_5(self) -> None:
        """REL-5: include_current needs the current lead's id."""
        with pytest.raises(InvalidInput) as error:
            related.stop(["L2"], self.MEMBERSHIPS, include_current=True)

        assert error.value.path == "current"

    def test_bad_ids_and_memberships_are_all_reported_gen_5(self) -> None:
        """GEN-5: every problem at once, with its path."""
        with pytest.raises(InvalidInput) as error:
            related.stop(
                ["", 3],  # type: ignore[list-item]  # junk on purpose
                [m("L1", "c1"), ("L2", "c1")],  # type: ignore[list-item]  # junk on purpose
                current="",
                include_current="yes",  # type: ignore[arg-type]  # junk on purpose
            )

        assert paths(error) == [
            "include_current",
            "current",
            "selected[0]",
            "selected[1]",
            "memberships[1]",
        ]

    @pytest.mark.parametrize("selected", ["L2", None, 5])
    def test_selected_must_be_a_list_gen_5(self, selected: object) -> None:
        """GEN-5: selected is a list of ids (a string is not one)."""
        with pytest.raises(InvalidInput) as error:
            related.stop(selected, self.MEMBERSHIPS)  # type: ignore[arg-type]  # junk on purpose

        assert error.value.path == "selected"

    def test_membership_fields_are_checked_gen_5(self) -> None:
        """GEN-5: a membership's lead and cadence are ids."""
        with pytest.raises(InvalidInput) as error:
            CadenceMembership(lead="L1", cadence="")

        assert error.value.path == "cadence"

    def test_inputs_are_not_mutated_gen_3(self) -> None:
        """GEN-3: stop returns what to stop; it changes nothing."""
        selected = ["L2"]
        memberships = list(self.MEMBERSHIPS)
        before = (list(selected), copy.deepcopy(memberships))

        related.stop(selected, memberships, current="L1", include_current=True)

        assert (selected, memberships) == before

    def test_find_then_stop_with_cadence_memberships_rel_5(self) -> None:
        """REL-4, REL-5: the selectable related leads, stopped in all their cadences."""
        current = lead("L1", "Acme", cadences=["c1"])
        table = [
            lead("L2", "ACME", cadences=["c1", "c2"]),
            lead("L3", "acme", in_cadence=False),
            lead("L4", "Globex", cadences=["c3"]),
        ]
        found = related.find("salesforce", current, table, connected=True)

        result = related.stop(
            found.selectable_ids,
            related.cadence_memberships([current, *table]),
            current="L1",
            include_current=True,
        )

        assert result.stopped == (m("L1", "c1"), m("L2", "c1"), m("L2", "c2"))
