"""The handover protocol rules: shapes, every reason code, bad input (HND, protocol)."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore import protocol
from tests.helpers import request

ORGS: list[dict[str, Any]] = [
    {"id": "hq", "handover_enabled": True},
    {"id": "north", "parent": "hq"},
    {"id": "south", "parent": "hq"},
    {"id": "north_east", "parent": "north"},
]
PRO_NORTH = {"id": "pro_north", "org": "north", "roles": ["professional"]}
MANAGER_HQ = {"id": "mgr_hq", "org": "hq", "roles": ["manager"]}
LEAD = {
    "id": "L1",
    "customer": {"first_name": "Ada", "last_name": "Lovelace", "phones": ["+14158675309"]},
    "org": "north",
    "owner": "pro_north",
    "pipeline": "professional",
    "status": "interested",
    "created_at": "2026-11-01T09:00:00Z",
}
RECEIVED: dict[str, Any] = {**LEAD, "org": "hq", "owner": None, "pipeline": "manager"}


def transfer(
    rule: str = "handover.apply",
    *,
    lead: dict[str, Any] | None = None,
    sender: dict[str, Any] | None = None,
    target_org: object = "hq",
    orgs: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Answer a handover request; anything left out is the sample's."""
    data = {
        "lead": LEAD if lead is None else lead,
        "sender": PRO_NORTH if sender is None else sender,
        "target_org": target_org,
        "orgs": ORGS if orgs is None else orgs,
    }
    return protocol.decide(request(rule, data, **extra))


def result_of(response: dict[str, Any]) -> dict[str, Any]:
    """Return the result of a successful response."""
    assert response["ok"], response
    result: dict[str, Any] = response["result"]
    return result


def codes(response: dict[str, Any]) -> list[str]:
    """Return the reason codes of a successful response."""
    return [r["code"] for r in result_of(response)["reasons"]]


def error_of(response: dict[str, Any]) -> tuple[str, str]:
    """Return the error code and path of a failed response."""
    assert not response["ok"], response
    return response["error"]["code"], response["error"]["path"]


def test_rules_are_registered() -> None:
    """The protocol: the four handover rules answer; HND-7 has no rule."""
    names = protocol.rules()

    assert {"handover.check", "handover.apply", "handover.review", "handover.cross_silo"} <= set(
        names
    )
    assert "handover.create" not in names


class TestCheck:
    """``handover.check``: allowed and reasons (HND-1..HND-3)."""

    def test_allowed(self) -> None:
        """HND-1: child to parent with handover on: allowed, no reasons, no other keys."""
        assert result_of(transfer("handover.check")) == {"allowed": True, "reasons": []}

    @pytest.mark.parametrize(
        ("target", "sender", "expected"),
        [
            ("north", PRO_NORTH, ["same_org"]),
            ("south", PRO_NORTH, ["use_cross_silo"]),
            ("north_east", MANAGER_HQ, ["not_related", "not_in_sender_org"]),
        ],
    )
    def test_direction_codes(
        self, target: str, sender: dict[str, Any], expected: list[str]
    ) -> None:
        """HND-1: same_org, use_cross_silo, not_related."""
        assert codes(transfer("handover.check", sender=sender, target_org=target)) == expected

    def test_handover_disabled(self) -> None:
        """HND-2: the parent's setting off: handover_disabled."""
        orgs = [{"id": "hq"}, *ORGS[1:]]

        assert codes(transfer("handover.check", orgs=orgs)) == ["handover_disabled"]

    def test_every_reason_in_order_with_messages(self) -> None:
        """GEN-4, HND-2, HND-3: all failing conditions, each with a message."""
        orgs = [{"id": "hq"}, *ORGS[1:]]
        sender = {"id": "gen", "org": "north", "roles": ["lead_generator"]}
        lead = {**LEAD, "org": "south"}

        result = result_of(transfer("handover.check", orgs=orgs, sender=sender, lead=lead))

        assert [r["code"] for r in result["reasons"]] == [
            "handover_disabled",
            "no_sales_licence",
            "not_in_sender_org",
        ]
        assert all(r["message"] for r in result["reasons"])
        assert result["allowed"] is False


class TestApply:
    """``handover.apply``: the lead, notifications and record (HND-4, HND-6)."""

    def test_lead_lands_unassigned_in_the_manager_pipeline(self) -> None:
        """HND-4: the canonical lead in hq's manager pipeline without owner."""
        result = result_of(transfer())

        lead = result["lead"]
        assert (lead["org"], lead["pipeline"], lead["owner"]) == ("hq", "manager", None)
        assert lead["created_at"] == "2026-11-01T09:00:00+00:00"
        assert lead["customer"]["first_name"] == "Ada"
        assert set(lead) >= {"viewers", "events", "fields", "linked_to", "merged_into"}

    def test_notifications_and_record(self) -> None:
        """HND-6, GEN-6: one sales_feed notification per org, sorted; every change."""
        result = result_of(transfer())

        assert result["notifications"] == [
            {"to": "hq", "kind": "handover", "lead": "L1", "channels": ["sales_feed"]},
            {"to": "north", "kind": "handover", "lead": "L1", "channels": ["sales_feed"]},
        ]
        assert result["record"] == [
            {"lead": "L1", "field": "owner", "old": "pro_north", "new": None},
            {"lead": "L1", "field": "org", "old": "north", "new": "hq"},
            {"lead": "L1", "field": "pipeline", "old": "professional", "new": "manager"},
        ]

    def test_refusal_has_no_lead(self) -> None:
        """The protocol's conventions: a refused apply returns no lead, notification or record."""
        result = result_of(transfer(target_org="south"))

        assert result == {
            "allowed": False,
            "reasons": [result["reasons"][0]],
            "lead": None,
            "notifications": [],
            "record": [],
        }
        assert result["reasons"][0]["code"] == "use_cross_silo"

    def test_parent_to_child(self) -> None:
        """HND-1, HND-4: a manager of hq hands a lead down to south."""
        lead = {**LEAD, "org": "hq", "owner": "mgr_hq"}

        result = result_of(transfer(lead=lead, sender=MANAGER_HQ, target_org="south"))

        assert result["lead"]["org"] == "south"
        assert [n["to"] for n in result["notifications"]] == ["hq", "south"]

    def test_policy_overrides(self) -> None:
        """GEN-7: roles, pipeline and channels are overridable by name."""
        policy = {
            "sales_licence_roles": ["manager"],
            "manager_pipeline": "inbox",
            "notification_channels": ["sales_feed", "push"],
        }

        refused = transfer(policy=policy)
        allowed = transfer(policy=policy, sender={"id": "m", "org": "north", "roles": ["manager"]})

        assert codes(refused) == ["no_sales_licence"]
        assert result_of(allowed)["lead"]["pipeline"] == "inbox"
        assert result_of(allowed)["notifications"][0]["channels"] == ["sales_feed", "push"]


class TestCrossSilo:
    """``handover.cross_silo``: siblings when the parent enables it (HND-8)."""

    def with_cross_silo(self) -> list[dict[str, Any]]:
        """Return the sample community with cross silo on at hq."""
        return [{**ORGS[0], "cross_silo_enabled": True}, *ORGS[1:]]

    def test_allowed_between_siblings(self) -> None:
        """HND-8: north to south, notifications of kind cross_silo to both."""
        result = result_of(
            transfer("handover.cross_silo", target_org="south", orgs=self.with_cross_silo())
        )

        assert result["allowed"] is True
        assert (result["lead"]["org"], result["lead"]["owner"]) == ("south", None)
        assert [(n["to"], n["kind"]) for n in result["notifications"]] == [
            ("north", "cross_silo"),
            ("south", "cross_silo"),
        ]

    @pytest.mark.parametrize(
        ("target", "sender", "expected"),
        [
            ("hq", PRO_NORTH, ["use_handover"]),
            ("north", PRO_NORTH, ["same_org"]),
            ("north_east", MANAGER_HQ, ["not_siblings", "not_in_sender_org"]),
        ],
    )
    def test_refusal_codes(self, target: str, sender: dict[str, Any], expected: list[str]) -> None:
        """HND-8: use_handover, same_org, not_siblings."""
        response = transfer(
            "handover.cross_silo", sender=sender, target_org=target, orgs=self.with_cross_silo()
        )

        assert codes(response) == expected
        assert result_of(response)["lead"] is None

    def test_disabled(self) -> None:
        """HND-8, HND-3: cross_silo_disabled, then the sender's reasons."""
        sender = {"id": "a", "org": "north", "roles": ["agent"]}

        response = transfer("handover.cross_silo", sender=sender, target_org="south")

        assert codes(response) == ["cross_silo_disabled", "no_sales_licence"]


class TestReview:
    """``handover.review``: accept or assign (HND-5)."""

    def review(self, **data: Any) -> dict[str, Any]:
        """Answer a review request of the received lead."""
        return protocol.decide(request("handover.review", {"lead": RECEIVED, **data}))

    def test_accept(self) -> None:
        """HND-5: accepting makes the manager the owner; record of the owner."""
        result = result_of(self.review(manager=MANAGER_HQ))

        assert result["allowed"] is True
        assert result["lead"]["owner"] == "mgr_hq"
        assert result["lead"]["pipeline"] == "manager"
        assert result["record"] == [{"lead": "L1", "field": "owner", "old": None, "new": "mgr_hq"}]

    def test_assign_with_null_assignee_is_accept(self) -> None:
        """HND-5: an absent or null assignee means the manager accepts."""
        result = result_of(self.review(manager=MANAGER_HQ, assignee=None))

        assert result["lead"]["owner"] == "mgr_hq"

    def test_assign(self) -> None:
        """HND-5: assigning to a professional of hq."""
        assignee = {"id": "pro_hq", "org": "hq", "roles": ["professional"]}

        result = result_of(self.review(manager=MANAGER_HQ, assignee=assignee))

        assert result["lead"]["owner"] == "pro_hq"

    def test_both_refusal_codes(self) -> None:
        """HND-5: not_receiving_manager then invalid_assignee; no lead."""
        response = self.review(manager=PRO_NORTH, assignee=PRO_NORTH)

        assert codes(response) == ["not_receiving_manager", "invalid_assignee"]
        assert result_of(response)["lead"] is None
        assert result_of(response)["record"] == []

    def test_created_lead_is_reviewed_by_its_manager(self) -> None:
        """HND-7, HND-5: a lead generator's lead (owner: the manager) is accepted."""
        created = {**RECEIVED, "owner": "mgr_hq"}

        response = protocol.decide(
            request("handover.review", {"lead": created, "manager": MANAGER_HQ})
        )

        assert result_of(response)["allowed"] is True
        assert result_of(response)["record"] == []


class TestBadInput:
    """GEN-5: bad input is an error response naming the path."""

    @pytest.mark.parametrize(
        ("overrides", "code", "path"),
        [
            ({"lead": "L1"}, "invalid_input", "input.lead"),
            (
                {"lead": {**LEAD, "created_at": "2026-11-01T09:00:00"}},
                "naive_datetime",
                "input.lead.created_at",
            ),
            (
                {"sender": {"id": "u", "org": "north", "roles": ["boss"]}},
                "invalid_input",
                "input.sender.roles[0]",
            ),
            ({"sender": {"id": "u", "roles": ["manager"]}}, "invalid_input", "input.sender.org"),
            (
                {"sender": {"id": "u", "org": "mars", "roles": ["manager"]}},
                "invalid_input",
                "input.sender.org",
            ),
            ({"target_org": "mars"}, "invalid_input", "input.target_org"),
            ({"target_org": ""}, "invalid_input", "input.target_org"),
            ({"target_org": 7}, "invalid_input", "input.target_org"),
            ({"target_org": None}, "invalid_input", "input.target_org"),
            (
                {"orgs": [*ORGS[:3], {"id": "x", "parent": "ghost"}]},
                "invalid_input",
                "input.orgs[3].parent",
            ),
            (
                {"orgs": [*ORGS[:3], {"id": "x", "parent": "x"}]},
                "invalid_input",
                "input.orgs[3].parent",
            ),
            ({"orgs": [*ORGS, {"id": "north"}]}, "invalid_input", "input.orgs[4].id"),
            (
                {"orgs": [{"id": "hq", "parent": "south"}, *ORGS[1:]]},
                "invalid_input",
                "input.orgs[0].parent",
            ),
            (
                {"orgs": [*ORGS, {"id": "x", "handover_enabled": "yes"}]},
                "invalid_input",
                "input.orgs[4].handover_enabled",
            ),
            ({"orgs": [*ORGS, "x"]}, "invalid_input", "input.orgs[4]"),
            ({"orgs": {"id": "hq"}}, "invalid_input", "input.orgs"),
        ],
    )
    @pytest.mark.parametrize("rule", ["handover.check", "handover.apply", "handover.cross_silo"])
    def test_transfer_inputs(
        self, rule: str, overrides: dict[str, Any], code: str, path: str
    ) -> None:
        """GEN-5, GEN-1, HND-1: each bad value is named with its path."""
        data = {"lead": LEAD, "sender": PRO_NORTH, "target_org": "hq", "orgs": ORGS, **overrides}

        response = protocol.decide(request(rule, data))

        assert error_of(response) == (code, path)

    def test_missing_orgs_makes_the_sender_unknown(self) -> None:
        """GEN-5: without orgs, the sender's organisation is not in the tree."""
        response = protocol.decide(
            request("handover.check", {"lead": LEAD, "sender": PRO_NORTH, "target_org": "hq"})
        )

        assert error_of(response) == ("invalid_input", "input.sender.org")

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            ({"lead": RECEIVED}, "input.manager"),
            ({"manager": MANAGER_HQ}, "input.lead"),
            (
                {"lead": RECEIVED, "manager": MANAGER_HQ, "assignee": []},
                "input.assignee",
            ),
            ({"lead": RECEIVED, "manager": {"id": ""}}, "input.manager.id"),
        ],
    )
    def test_review_inputs(self, data: dict[str, Any], path: str) -> None:
        """GEN-5: review's bad input is named."""
        response = protocol.decide(request("handover.review", data))

        assert error_of(response) == ("invalid_input", path)

    @pytest.mark.parametrize(
        ("policy", "path"),
        [
            ({"sales_licence_roles": ["boss"]}, "policy.sales_licence_roles[0]"),
            ({"manager_roles": "manager"}, "policy.manager_roles"),
            ({"manager_pipeline": ""}, "policy.manager_pipeline"),
            ({"notification_channels": [1]}, "policy.notification_channels[0]"),
            ({"no_such_knob": 1}, "policy.no_such_knob"),
        ],
    )
    def test_policy_values(self, policy: dict[str, Any], path: str) -> None:
        """GEN-7, GEN-5: bad policy overrides are named."""
        response = transfer(policy=policy)

        assert error_of(response) == ("invalid_input", path)
