"""The protocol rules link.check, link.apply and link.visibility (LNK, "Linking")."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from leadcore import protocol

from .helpers import request

SUPER = {"id": "admin", "roles": ["super_user"]}


def primary(**fields: Any) -> dict[str, Any]:
    """Asha Rao's first enquiry, as JSON."""
    return {
        "id": "L1",
        "project": "tower-a",
        "status": "interested",
        "owner": "sm1",
        "customer": {"first_name": "Asha", "last_name": "Rao", "phones": ["+91 98200 12345"]},
    } | fields


def secondary(**fields: Any) -> dict[str, Any]:
    """Her second enquiry, another number, a visit tomorrow and a call yesterday."""
    return {
        "id": "L2",
        "project": "tower-a",
        "status": "claimed",
        "owner": "sm2",
        "customer": {"first_name": "Asha", "phones": ["+91 98200 54321"]},
        "events": [
            {"id": "visit", "at": "2026-11-24T10:00:00+05:30", "status": "scheduled"},
            {"id": "call", "at": "2026-11-22T10:00:00Z", "status": "done"},
        ],
    } | fields


def link_input(**fields: Any) -> dict[str, Any]:
    """A link request's input that is allowed."""
    return {"primary": primary(), "secondary": secondary(), "actor": SUPER, "owner": "sm1"} | fields


def result(rule: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The result of an ok response."""
    response = protocol.decide(request(rule, data, **extra))
    assert response["ok"], response
    found = response["result"]
    assert isinstance(found, dict)
    return found


def error(rule: str, data: object, **extra: Any) -> tuple[str, str]:
    """The code and path of an error response."""
    response = protocol.decide(request(rule, data, **extra))  # type: ignore[arg-type]
    assert not response["ok"], response
    found = response["error"]
    assert isinstance(found, dict)
    return found["code"], found["path"]


class TestLinkCheck:
    """link.check: allowed and reasons."""

    def test_lnk1_allowed_link(self) -> None:
        """LNK-1..4: an allowed link answers allowed true and no reasons."""
        assert result("link.check", link_input()) == {"allowed": True, "reasons": []}

    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"secondary": secondary(project="tower-b")}, "different_project"),
            ({"primary": primary(status="new")}, "primary_not_wip"),
            ({"secondary": secondary(status="lost")}, "secondary_not_wip"),
            ({"actor": {"id": "sm1", "roles": ["sales_manager"]}}, "not_permitted"),
            ({"owner": "sm7"}, "invalid_owner"),
            ({"secondary": primary()}, "same_lead"),
            ({"primary": primary(linked_to="L0")}, "primary_is_linked"),
            ({"secondary": secondary(linked_to="L0")}, "secondary_already_linked"),
            ({"existing": [{"id": "L5", "linked_to": "L2"}]}, "secondary_has_secondaries"),
        ],
    )
    def test_lnk_each_reason_code(self, change: dict[str, Any], code: str) -> None:
        """LNK-1, LNK-2, LNK-3, LNK-4, LNK-7: each refusal carries its code and a message."""
        found = result("link.check", link_input(**change))

        assert found["allowed"] is False
        assert [r["code"] for r in found["reasons"]] == [code]
        assert all(r["message"] for r in found["reasons"])

    def test_lnk3_assignment_owner_of_the_project(self) -> None:
        """LNK-3: an assignment owner of the project may link."""
        actor = {"id": "ao", "assignment_owner_of": ["tower-a"]}

        assert result("link.check", link_input(actor=actor))["allowed"] is True

    def test_gen4_every_reason_in_order(self) -> None:
        """GEN-4: all failing conditions, in the rulebook's order."""
        data = link_input(
            primary=primary(status="booked", linked_to="L0"),
            secondary=primary(project="tower-b", status="linked"),
            actor={"id": "x"},
            owner="sm7",
        )

        found = result("link.check", data)

        assert [r["code"] for r in found["reasons"]] == [
            "different_project",
            "primary_not_wip",
            "secondary_not_wip",
            "not_permitted",
            "invalid_owner",
            "same_lead",
            "primary_is_linked",
            "secondary_already_linked",
        ]

    def test_gen7_wip_statuses_policy(self) -> None:
        """LNK-2, GEN-7: the policy's wip_statuses replace the default list."""
        data = link_input(primary=primary(status="booked"))

        found = result("link.check", data, policy={"wip_statuses": ["booked", "claimed"]})

        assert found == {"allowed": True, "reasons": []}


class TestLinkApply:
    """link.apply: leads, notifications, cancelled events, record."""

    def test_lnk4_to_lnk10_the_whole_link(self) -> None:
        """LNK-4, LNK-5, LNK-6, LNK-7, LNK-10: every effect of a link, in canonical form."""
        found = result("link.apply", link_input(owner="sm2"))

        assert found["allowed"] is True
        assert found["reasons"] == []
        first, second = found["primary"], found["secondary"]
        assert (first["owner"], first["viewers"]) == ("sm2", ["sm1"])
        assert first["customer"]["phones"] == ["+91 98200 12345", "+919820054321"]
        assert (second["status"], second["linked_to"]) == ("linked", "L1")
        assert second["events"] == [
            {"id": "visit", "at": "2026-11-24T10:00:00+05:30", "status": "cancelled"},
            {"id": "call", "at": "2026-11-22T10:00:00+00:00", "status": "done"},
        ]
        assert found["cancelled_events"] == [
            {"lead": "L2", "event": "visit", "at": "2026-11-24T10:00:00+05:30"}
        ]
        assert found["notifications"] == [
            {"to": "sm1", "kind": "lead_linked", "lead": "L1", "channels": ["push", "sales_app"]},
            {"to": "sm2", "kind": "lead_linked", "lead": "L1", "channels": ["push", "sales_app"]},
        ]

    def test_leads_are_in_full_canonical_form(self) -> None:
        """Conventions: every lead key present, absent values null / [] / {}."""
        found = result("link.apply", link_input())

        assert set(found["primary"]) == set(found["secondary"])
        assert found["primary"]["co_customer"] is None
        assert found["primary"]["fields"] == {}
        assert found["secondary"]["viewers"] == []
        assert set(found["primary"]) == {
            "id",
            "customer",
            "co_customer",
            "project",
            "status",
            "owner",
            "viewers",
            "source",
            "channel",
            "lot",
            "org",
            "pipeline",
            "created_at",
            "last_activity_at",
            "events",
            "linked_to",
            "merged_into",
            "fields",
        }

    def test_gen6_record_lists_old_and_new_values(self) -> None:
        """GEN-6: record is [{lead, field, old, new}] for every replaced value."""
        found = result("link.apply", link_input())

        record = found["record"]
        assert [(c["lead"], c["field"]) for c in record] == [
            ("L1", "customer"),
            ("L1", "viewers"),
            ("L2", "status"),
            ("L2", "events"),
            ("L2", "linked_to"),
        ]
        assert record[1] == {"lead": "L1", "field": "viewers", "old": [], "new": ["sm2"]}
        assert record[2] == {"lead": "L2", "field": "status", "old": "claimed", "new": "linked"}
        assert record[0]["old"]["phones"] == ["+91 98200 12345"]

    def test_gen4_a_refused_apply_returns_no_leads(self) -> None:
        """Conventions: a refused apply: allowed false, its reasons, no leads."""
        found = result("link.apply", link_input(owner="sm7"))

        assert found["allowed"] is False
        assert [r["code"] for r in found["reasons"]] == ["invalid_owner"]
        assert (found["primary"], found["secondary"]) == (None, None)
        assert found["notifications"] == found["cancelled_events"] == found["record"] == []

    def test_lnk6_events_due_exactly_now_stay(self) -> None:
        """LNK-6: "at > now": an event due at the request's now is not cancelled."""
        events = [{"id": "e", "at": "2026-11-23T17:30:00+05:30"}]

        found = result("link.apply", link_input(secondary=secondary(events=events)))

        assert found["cancelled_events"] == []
        assert found["secondary"]["events"][0]["status"] == "scheduled"

    def test_lnk5_default_region_policy(self) -> None:
        """LNK-5, GEN-7: the added number is read with the policy's default_region."""
        data = link_input(secondary=secondary(customer={"phones": ["98200 54321"]}))

        found = result("link.apply", data, policy={"default_region": "IN"})

        assert found["primary"]["customer"]["phones"][-1] == "+919820054321"

    def test_lnk7_applying_the_output_again_is_refused(self) -> None:
        """LNK-7 [decided]: linking the same pair twice is refused, not repeated."""
        once = result("link.apply", link_input())

        again = result(
            "link.apply", link_input(primary=once["primary"], secondary=once["secondary"])
        )

        assert [r["code"] for r in again["reasons"]] == [
            "secondary_not_wip",
            "secondary_already_linked",
        ]

    def test_gen3_the_request_is_not_changed(self) -> None:
        """GEN-3: decide leaves the request object as it was."""
        req = request("link.apply", link_input())
        before = copy.deepcopy(req)

        protocol.decide(req)

        assert req == before


class TestLinkVisibility:
    """link.visibility: dashboard tabs, tag, app access."""

    @pytest.mark.parametrize(("user", "access"), [("sm1", "act"), ("sm2", "view"), ("sm3", "none")])
    def test_lnk8_lnk9_primary(self, user: str, access: str) -> None:
        """LNK-8, LNK-9: the primary under its status and ALL; owner acts, viewer views."""
        data = {"lead": primary(viewers=["sm2"]), "user": {"id": user}}

        assert result("link.visibility", data) == {
            "dashboard_tabs": ["interested", "ALL"],
            "tag": None,
            "app_access": access,
        }

    @pytest.mark.parametrize(("user", "access"), [("sm2", "view"), ("sm1", "none")])
    def test_lnk8_lnk9_linked_secondary(self, user: str, access: str) -> None:
        """LNK-8, LNK-9: a linked secondary under ALL only, tagged; its owner only views."""
        data = {"lead": secondary(status="linked", linked_to="L1"), "user": {"id": user}}

        assert result("link.visibility", data) == {
            "dashboard_tabs": ["ALL"],
            "tag": "linked",
            "app_access": access,
        }


class TestBadInput:
    """GEN-1, GEN-5: bad input is an error response with code and path."""

    @pytest.mark.parametrize(
        ("data", "code", "path"),
        [
            ({}, "invalid_input", "input.primary"),
            (link_input(primary=[]), "invalid_input", "input.primary"),
            (link_input(primary={"project": "p"}), "invalid_input", "input.primary.id"),
            (link_input(secondary=None), "invalid_input", "input.secondary"),
            (link_input(actor="admin"), "invalid_input", "input.actor"),
            (
                link_input(actor={"id": "a", "roles": ["boss"]}),
                "invalid_input",
                "input.actor.roles[0]",
            ),
            (link_input(owner=None), "invalid_input", "input.owner"),
            (link_input(owner=""), "invalid_input", "input.owner"),
            (link_input(owner=["sm1"]), "invalid_input", "input.owner"),
            (
                link_input(secondary=secondary(events=[{"id": "e", "at": "2026-11-24T10:00:00"}])),
                "naive_datetime",
                "input.secondary.events[0].at",
            ),
            (
                link_input(secondary=secondary(events=[{"id": "e", "at": "2026-11-24"}])),
                "invalid_input",
                "input.secondary.events[0].at",
            ),
            (
                link_input(primary=primary(customer={"phones": ["x" * 10_001]})),
                "invalid_input",
                "input.primary.customer.phones[0]",
            ),
            (link_input(existing={"id": "L5"}), "invalid_input", "input.existing"),
            (link_input(existing=[{"linked_to": "L2"}]), "invalid_input", "input.existing[0].id"),
        ],
    )
    @pytest.mark.parametrize("rule", ["link.check", "link.apply"])
    def test_gen5_link_inputs(self, rule: str, data: object, code: str, path: str) -> None:
        """GEN-5: the first problem found, by code and path."""
        assert error(rule, data) == (code, path)

    @pytest.mark.parametrize(
        ("policy", "path"),
        [
            ({"wip_statuses": "claimed"}, "policy.wip_statuses"),
            ({"wip_statuses": [3]}, "policy.wip_statuses[0]"),
            ({"default_region": "Atlantis"}, "policy.default_region"),
            ({"no_such_knob": 1}, "policy.no_such_knob"),
        ],
    )
    def test_gen7_bad_policy(self, policy: dict[str, Any], path: str) -> None:
        """GEN-5, GEN-7: a bad policy value or an unknown key names its path."""
        assert error("link.apply", link_input(), policy=policy) == ("invalid_input", path)

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            ({"user": {"id": "u"}}, "input.lead"),
            ({"lead": primary()}, "input.user"),
            ({"lead": primary(), "user": {"id": ""}}, "input.user.id"),
        ],
    )
    def test_gen5_visibility_inputs(self, data: dict[str, Any], path: str) -> None:
        """GEN-5: link.visibility names the missing or bad field."""
        assert error("link.visibility", data) == ("invalid_input", path)

    def test_gen1_naive_now(self) -> None:
        """GEN-1: a naive now is refused before anything is decided."""
        response = protocol.decide(
            request("link.apply", link_input()) | {"now": "2026-11-23T12:00:00"}
        )

        assert response["error"]["code"] == "naive_datetime"  # type: ignore[index]
