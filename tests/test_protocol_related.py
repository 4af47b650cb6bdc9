"""Protocol rules related.find and related.stop (REL-1..REL-5, "Related" conventions)."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from leadcore import protocol
from tests.helpers import request

FIND = "related.find"
STOP = "related.stop"


def find_input(**overrides: Any) -> dict[str, Any]:
    """A connected Salesforce lookup for lead L1 of Acme Corp, with four other records."""
    data: dict[str, Any] = {
        "crm": "salesforce",
        "connected": True,
        "record": {"id": "L1", "kind": "lead", "account_name": "Acme Corp"},
        "records": [
            {"id": "L3", "kind": "lead", "account_name": "ACME corp.", "in_cadence": False},
            {"id": "L2", "kind": "lead", "account_name": "acme-corp", "cadences": ["c1"]},
            {"id": "L4", "kind": "lead", "account_name": "Globex"},
            {"id": "C1", "kind": "contact", "account_id": "A1", "account_name": "Acme Corp"},
            {"id": "L1", "kind": "lead", "account_name": "Acme Corp"},
        ],
    }
    data.update(overrides)
    return data


def ok(rule: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Answer a request that must succeed; return its result."""
    response = protocol.decide(request(rule, data, **extra))
    assert response["ok"], response
    return cast("dict[str, Any]", response["result"])


def error(rule: str, data: object, **extra: Any) -> dict[str, Any]:
    """Answer a request that must fail; return its error."""
    response = protocol.decide(request(rule, data, **extra))  # type: ignore[arg-type]  # junk allowed
    assert response["ok"] is False, response
    return cast("dict[str, Any]", response["error"])


class TestFind:
    """related.find: related [{id, selectable}] sorted by id, show_icon, reasons."""

    def test_related_records_sorted_with_selectable_flag_rel_2_rel_4(self) -> None:
        """REL-2, REL-4: folded names match; not in cadence means listed, not selectable."""
        result = ok(FIND, find_input())

        assert result == {
            "related": [{"id": "L2", "selectable": True}, {"id": "L3", "selectable": False}],
            "show_icon": True,
            "reasons": [],
        }

    def test_not_connected_is_a_result_rel_1(self) -> None:
        """REL-1: {related: [], show_icon: false, reasons: [crm_not_connected]}."""
        result = ok(FIND, find_input(connected=False))

        assert result["related"] == []
        assert result["show_icon"] is False
        assert [r["code"] for r in result["reasons"]] == ["crm_not_connected"]
        assert result["reasons"][0]["message"]

    def test_no_related_record_hides_the_icon_rel_3(self) -> None:
        """REL-3: the icon shows only when a related record exists."""
        result = ok(
            FIND, find_input(record={"id": "L9", "kind": "lead", "account_name": "Initech"})
        )

        assert result == {"related": [], "show_icon": False, "reasons": []}

    @pytest.mark.parametrize("blank", ["", "  ", "\t\x00", "\u3000"])
    def test_blank_accounts_relate_to_nothing_rel_2(self, blank: str) -> None:
        """REL-2, v1.2 of the rules: a blank account id or name is absent, so it never relates."""
        data = find_input(
            crm="salesforce",
            record={"id": "C0", "kind": "contact", "account_id": blank},
            records=[
                {"id": "C1", "kind": "contact", "account_id": blank},
                {"id": "L1", "kind": "lead", "account_name": blank},
                {"id": "L2", "kind": "lead", "account_name": blank},
            ],
        )
        leads = find_input(record={"id": "L0", "kind": "lead", "account_name": blank})
        leads["records"] = data["records"]

        assert ok(FIND, data)["related"] == []
        assert ok(FIND, leads)["related"] == []

    @pytest.mark.parametrize(
        ("crm", "kind"),
        [
            ("salesforce", "contact"),
            ("zoho", "contact"),
            ("dynamics", "contact"),
            ("pipedrive", "person"),
            ("hubspot", "contact"),
            ("sellsy", "contact"),
        ],
    )
    def test_contacts_relate_by_account_in_every_crm_rel_2(self, crm: str, kind: str) -> None:
        """REL-2: contacts (Pipedrive persons) of one account are related."""
        data = {
            "crm": crm,
            "connected": True,
            "record": {"id": "X1", "kind": kind, "account_id": "A1"},
            "records": [
                {"id": "X2", "kind": kind, "account_id": "A1"},
                {"id": "X3", "kind": kind, "account_id": "A2"},
                {"id": "X4", "kind": kind},
            ],
        }

        assert ok(FIND, data)["related"] == [{"id": "X2", "selectable": True}]

    def test_zoho_relates_leads_by_company_name_rel_2(self) -> None:
        """REL-2: Zoho leads with the same company name (account_name) are related."""
        data = find_input(crm="zoho")

        assert [r["id"] for r in ok(FIND, data)["related"]] == ["L2", "L3"]

    def test_empty_folded_name_relates_to_nothing_rel_2(self) -> None:
        """REL-2: a name that folds to nothing never relates."""
        data = find_input(
            record={"id": "L1", "kind": "lead", "account_name": " .- "},
            records=[{"id": "L2", "kind": "lead", "account_name": "'"}],
        )

        assert ok(FIND, data)["related"] == []

    def test_policy_relation_keys_override_gen_7(self) -> None:
        """GEN-7, REL-2: the per-CRM table is a policy field, replaced as a whole."""
        data = find_input(
            crm="hubspot", record={"id": "C0", "kind": "contact", "account_name": "Acme"}
        )
        data["records"] = [{"id": "C1", "kind": "contact", "account_name": "ACME"}]
        policy = {"relation_keys": {"hubspot": {"contact": "account_name"}}}

        assert ok(FIND, data, policy=policy)["related"] == [{"id": "C1", "selectable": True}]

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            (find_input(crm="myspace"), "input.crm"),
            (find_input(crm=None), "input.crm"),
            (find_input(connected=None), "input.connected"),
            (find_input(connected="true"), "input.connected"),
            (find_input(record=None), "input.record"),
            (find_input(record=["L1"]), "input.record"),
            (find_input(record={"kind": "lead"}), "input.record.id"),
            (find_input(record={"id": "L1"}), "input.record.kind"),
            (find_input(record={"id": "L1", "kind": "deal"}), "input.record.kind"),
            (find_input(record={"id": "L1", "kind": "person"}), "input.record.kind"),
            (
                find_input(record={"id": "L1", "kind": "lead", "in_cadence": 1}),
                "input.record.in_cadence",
            ),
            (
                find_input(record={"id": "L1", "kind": "lead", "account_id": 7}),
                "input.record.account_id",
            ),
            (find_input(record={"id": " \t", "kind": "lead"}), "input.record.id"),
            (find_input(records={"id": "L2"}), "input.records"),
            (find_input(records=["L2"]), "input.records[0]"),
            (
                find_input(crm="pipedrive", record={"id": "P1", "kind": "person"}),
                "input.records[0].kind",
            ),
        ],
    )
    def test_bad_input_is_an_error_with_its_path_gen_5(
        self, data: dict[str, Any], path: str
    ) -> None:
        """GEN-5, REL-2: bad input yields invalid_input naming the field."""
        found = error(FIND, data)

        assert (found["code"], found["path"]) == ("invalid_input", path)

    def test_kind_the_crm_lacks_names_the_record_rel_2(self) -> None:
        """REL-2: e.g. input.records[4].kind for a HubSpot lead."""
        records = [{"id": f"C{i}", "kind": "contact", "account_id": "A1"} for i in range(4)]
        records.append({"id": "L9", "kind": "lead", "account_name": "Acme"})
        data = find_input(crm="hubspot", record={"id": "C0", "kind": "contact"}, records=records)

        found = error(FIND, data)

        assert found["path"] == "input.records[4].kind"
        assert "HubSpot" in found["message"]

    def test_duplicate_record_ids_are_an_error_rel_2(self) -> None:
        """REL-2 [decided]: two records with one id (not the current one) are refused."""
        data = find_input(
            records=[
                {"id": "L2", "kind": "lead", "account_name": "Acme"},
                {"id": "L2", "kind": "lead", "account_name": "Globex"},
            ]
        )

        assert error(FIND, data)["path"] == "input.records[1].id"

    def test_bad_policy_is_an_error_with_its_path_gen_7(self) -> None:
        """GEN-7: a relation_keys override naming an unknown key field is refused."""
        policy = {"relation_keys": {"zoho": {"lead": "email"}}}

        found = error(FIND, find_input(), policy=policy)

        assert found["path"] == "policy.relation_keys.zoho.lead"

    def test_too_many_records_are_refused_gen_5(self) -> None:
        """GEN-5: a list over 100,000 items is invalid_input."""
        records = [{"id": "L2", "kind": "lead"}] * 100_001

        assert error(FIND, find_input(records=records))["path"] == "input.records"

    def test_naive_now_is_refused_gen_1(self) -> None:
        """GEN-1: the request's now must have an offset."""
        found = error(FIND, find_input(), now="2026-11-23T12:00:00")

        assert found["code"] == "naive_datetime"


class TestStop:
    """related.stop: stopped [{lead, cadence}] sorted by (lead, cadence), no duplicates."""

    MEMBERSHIPS = (
        {"lead": "L2", "cadence": "c9"},
        {"lead": "L1", "cadence": "c1"},
        {"lead": "L2", "cadence": "c1"},
        {"lead": "L3", "cadence": "c1"},
        {"lead": "L2", "cadence": "c1"},
    )

    def stop_input(self, **overrides: Any) -> dict[str, Any]:
        """Selected L2, current L1, toggle off."""
        data: dict[str, Any] = {
            "selected": ["L2"],
            "current": "L1",
            "include_current": False,
            "memberships": list(self.MEMBERSHIPS),
        }
        data.update(overrides)
        return data

    def test_selected_lead_stopped_in_all_cadences_rel_5(self) -> None:
        """REL-5: every cadence of a selected lead, sorted, without duplicates."""
        result = ok(STOP, self.stop_input())

        assert result["stopped"] == [
            {"lead": "L2", "cadence": "c1"},
            {"lead": "L2", "cadence": "c9"},
        ]

    def test_toggle_on_stops_the_current_lead_too_rel_5(self) -> None:
        """REL-5: with the toggle on, the current lead's cadences too."""
        result = ok(STOP, self.stop_input(include_current=True))

        assert result["stopped"] == [
            {"lead": "L1", "cadence": "c1"},
            {"lead": "L2", "cadence": "c1"},
            {"lead": "L2", "cadence": "c9"},
        ]

    def test_toggle_defaults_to_off_rel_5(self) -> None:
        """REL-5 [decided]: an absent include_current is false."""
        data = self.stop_input()
        del data["include_current"]

        assert ok(STOP, data) == ok(STOP, self.stop_input())

    def test_lead_in_no_cadence_is_skipped_rel_5(self) -> None:
        """REL-5 [decided]: stops nothing, not an error; listed in not_in_cadence."""
        result = ok(STOP, self.stop_input(selected=["L7"]))

        assert result == {"stopped": [], "not_in_cadence": ["L7"]}

    def test_nothing_to_stop_rel_5(self) -> None:
        """REL-5: no selection and no toggle: nothing is stopped."""
        assert ok(STOP, {})["stopped"] == []

    @pytest.mark.parametrize(
        ("overrides", "path"),
        [
            ({"selected": "L2"}, "input.selected"),
            ({"selected": [""]}, "input.selected[0]"),
            ({"selected": ["L2", "L1"]}, "input.selected[1]"),
            ({"current": None, "include_current": True}, "input.current"),
            ({"current": 7}, "input.current"),
            ({"include_current": "yes"}, "input.include_current"),
            ({"memberships": [{"lead": "L2"}]}, "input.memberships[0].cadence"),
            ({"memberships": [{"cadence": "c1"}]}, "input.memberships[0].lead"),
            ({"memberships": ["L2:c1"]}, "input.memberships[0]"),
            ({"memberships": {"lead": "L2"}}, "input.memberships"),
        ],
    )
    def test_bad_input_is_an_error_with_its_path_gen_5(
        self, overrides: dict[str, Any], path: str
    ) -> None:
        """GEN-5, REL-5: bad input yields invalid_input naming the field."""
        found = error(STOP, self.stop_input(**overrides))

        assert (found["code"], found["path"]) == ("invalid_input", path)


class TestJunkSweep:
    """GEN-5: junk in any field is our error, never an internal one."""

    JUNK: tuple[object, ...] = (None, True, 0, -1.5, "", "x" * 10_001, [], [None], {}, {"id": []})

    @pytest.mark.parametrize("field", ["crm", "connected", "record", "records"])
    @pytest.mark.parametrize("junk", JUNK, ids=repr)
    def test_find_junk_gen_5(self, field: str, junk: object) -> None:
        """GEN-5: related.find answers junk with invalid_input (or ok when harmless)."""
        response = protocol.decide(request(FIND, find_input(**{field: junk})))

        assert (
            response["ok"] or cast("dict[str, Any]", response["error"])["code"] == "invalid_input"
        )
        json.dumps(response)

    @pytest.mark.parametrize("field", ["selected", "current", "include_current", "memberships"])
    @pytest.mark.parametrize("junk", JUNK, ids=repr)
    def test_stop_junk_gen_5(self, field: str, junk: object) -> None:
        """GEN-5: related.stop answers junk with invalid_input (or ok when harmless)."""
        data = {"selected": ["L2"], "current": "L1", "memberships": [], field: junk}

        response = protocol.decide(request(STOP, data))

        assert (
            response["ok"] or cast("dict[str, Any]", response["error"])["code"] == "invalid_input"
        )
        json.dumps(response)

    @pytest.mark.parametrize(
        "table",
        [None, "zoho", [], {"zoho": None}, {"zoho": {"lead": ["x"]}}, {"zoho": {"lead": None}}],
        ids=repr,
    )
    def test_policy_junk_gen_5_gen_7(self, table: object) -> None:
        """GEN-5, GEN-7: a junk relation_keys override is invalid_input under policy."""
        found = error(FIND, find_input(), policy={"relation_keys": table})

        assert found["code"] == "invalid_input"
        assert found["path"].startswith("policy.relation_keys")

    def test_input_not_an_object_gen_5(self) -> None:
        """GEN-5: the input must be an object."""
        assert error(STOP, ["L2"])["path"] == "input"
