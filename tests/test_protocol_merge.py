"""The protocol rules merge.auto, merge.duplicates and merge.manual (MRG, "Merge")."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore import protocol

from .helpers import request

ADA = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "phones": ["(415) 867-5309"],
    "emails": ["ada@example.com"],
}


def existing(lead_id: str = "L1", **fields: Any) -> dict[str, Any]:
    """An existing lead in wire form: a candidate by dates unless told otherwise."""
    lead = {
        "id": lead_id,
        "customer": ADA,
        "lot": "north",
        "created_at": "2026-11-13T12:00:00Z",
        "last_activity_at": "2026-11-22T12:00:00Z",
    }
    lead.update(fields)
    return lead


def decide(rule: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Answer one request and return the response."""
    return protocol.decide(request(rule, data, **extra))


def result(rule: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Answer one request that must succeed and return its result."""
    response = decide(rule, data, **extra)
    assert response["ok"], response
    found: dict[str, Any] = response["result"]
    return found


def codes(reasons: list[dict[str, Any]]) -> list[str]:
    """The codes of wire reasons."""
    return [r["code"] for r in reasons]


class TestAuto:
    """merge.auto: action, target, lot, matched, person, via, reasons, candidates."""

    def test_merge_has_every_key_of_the_table(self) -> None:
        """MRG-1, MRG-6: a merge answer carries the rulebook's keys and the candidates."""
        found = result(
            "merge.auto", {"inbound": {"id": "N1", "customer": ADA}, "existing": [existing()]}
        )

        assert found == {
            "action": "merge",
            "target": "L1",
            "lot": "north",
            "matched": ["name", "email", "phone"],
            "person": "customer",
            "via": "two_of_n",
            "reasons": [],
            "candidates": [
                {
                    "id": "L1",
                    "matched": ["name", "email", "phone"],
                    "person": "customer",
                    "via": "two_of_n",
                    "reasons": [],
                }
            ],
        }

    def test_route_explains_mrg_2(self) -> None:
        """MRG-2: both_credit_applications, with a message."""
        data = {
            "inbound": {"id": "N1", "customer": ADA, "source": "credit_application"},
            "existing": [existing(source="credit_application")],
        }

        found = result("merge.auto", data)

        assert (found["action"], found["target"], found["lot"]) == ("route", "L1", "north")
        assert codes(found["reasons"]) == ["both_credit_applications"]
        assert found["reasons"][0]["message"]

    @pytest.mark.parametrize(
        ("lead", "code"),
        [
            (existing(created_at=None), "missing_dates"),
            (existing(created_at="2025-11-23T12:00:00Z"), "created_too_long_ago"),
            (existing(last_activity_at="2026-07-26T11:59:59Z"), "no_recent_activity"),
        ],
    )
    def test_create_gives_the_window_reasons(self, lead: dict[str, Any], code: str) -> None:
        """MRG-3: every window reason code."""
        data = {"inbound": {"id": "N1", "customer": ADA, "lot": "south"}, "existing": [lead]}

        found = result("merge.auto", data)

        assert (found["action"], found["target"], found["lot"]) == ("create", None, "south")
        assert codes(found["reasons"]) == [code]
        assert codes(found["candidates"][0]["reasons"]) == [code]

    def test_no_match(self) -> None:
        """MRG-1: no lead matches: no_match and no candidate."""
        data = {"inbound": {"id": "N1", "customer": {"first_name": "Zed"}}, "existing": []}

        found = result("merge.auto", data)

        assert codes(found["reasons"]) == ["no_match"]
        assert found["candidates"] == []
        assert (found["matched"], found["person"], found["via"]) == ([], None, None)

    def test_outranked(self) -> None:
        """MRG-6: the other qualifying candidates are outranked."""
        data = {
            "inbound": {"id": "N1", "customer": ADA},
            "existing": [existing("L2"), existing("L1")],
        }

        found = result("merge.auto", data)

        assert found["target"] == "L1"
        assert [(c["id"], codes(c["reasons"])) for c in found["candidates"]] == [
            ("L1", []),
            ("L2", ["outranked"]),
        ]

    def test_policy_overrides(self) -> None:
        """GEN-7: policy fields by name."""
        data = {"inbound": {"id": "N1", "customer": ADA}, "existing": [existing()]}

        found = result("merge.auto", data, policy={"merge_max_inactivity_days": 0})

        assert codes(found["reasons"]) == ["no_recent_activity"]

    @pytest.mark.parametrize(
        ("data", "policy", "code", "path"),
        [
            ({"existing": []}, None, "invalid_input", "input.inbound"),
            ({"inbound": {"id": ""}, "existing": []}, None, "invalid_input", "input.inbound.id"),
            ({"inbound": {"id": "N1"}, "existing": {}}, None, "invalid_input", "input.existing"),
            (
                {"inbound": {"id": "N1"}, "existing": [existing(), existing()]},
                None,
                "invalid_input",
                "input.existing[1].id",
            ),
            (
                {"inbound": {"id": "N1"}, "existing": [existing(last_activity_at="2026-11-01")]},
                None,
                "invalid_input",
                "input.existing[0].last_activity_at",
            ),
            (
                {"inbound": {"id": "N1"}, "existing": [existing(created_at="2026-11-01T00:00")]},
                None,
                "naive_datetime",
                "input.existing[0].created_at",
            ),
            (
                {"inbound": {"id": "N1"}, "existing": []},
                {"auto_merge_conditions": ["email", "surname"]},
                "invalid_input",
                "policy.auto_merge_conditions[1]",
            ),
            (
                {"inbound": {"id": "N1"}, "existing": []},
                {"duplicate_min_conditions": 9},
                "invalid_input",
                "policy.duplicate_min_conditions",
            ),
            (
                {"inbound": {"id": "N1"}, "existing": []},
                {"default_region": "ZZ"},
                "invalid_input",
                "policy.default_region",
            ),
        ],
    )
    def test_bad_input(
        self, data: dict[str, Any], policy: dict[str, Any] | None, code: str, path: str
    ) -> None:
        """GEN-5: bad input gives an error code and the path of the value."""
        extra = {} if policy is None else {"policy": policy}

        response = decide("merge.auto", data, **extra)

        assert response["ok"] is False
        assert (response["error"]["code"], response["error"]["path"]) == (code, path)


class TestDuplicates:
    """merge.duplicates: duplicates [{id, matched, person}], sorted by id."""

    def test_duplicates_sorted_by_id(self) -> None:
        """MRG-7: possible duplicates, sorted, with what matched."""
        data = {
            "lead": {"id": "N1", "customer": ADA},
            "existing": [existing("b"), existing("a", customer={"first_name": "Bob"})],
        }

        found = result("merge.duplicates", data)

        assert found == {
            "duplicates": [
                {"id": "b", "matched": ["name_fuzzy", "email", "phone"], "person": "customer"}
            ]
        }

    def test_fillers_and_placeholder_names_match_nothing(self) -> None:
        """MRG-7, v1.2 of the rules: none@none.com and "Unknown" hold no condition; policy key."""
        who = {"first_name": "Unknown", "emails": ["NONE@none.com"], "phones": ["4158675309"]}
        data = {
            "lead": {"id": "N1", "customer": who},
            "existing": [existing("a", customer=who)],
        }

        default = result("merge.duplicates", data)
        usable = result("merge.duplicates", data, policy={"placeholder_email_locals": []})

        assert default == {"duplicates": []}
        assert usable["duplicates"] == [
            {"id": "a", "matched": ["email", "phone"], "person": "customer"}
        ]

    def test_bad_input(self) -> None:
        """GEN-5: the lead is required."""
        response = decide("merge.duplicates", {"lead": [], "existing": []})

        assert (response["error"]["code"], response["error"]["path"]) == (
            "invalid_input",
            "input.lead",
        )


class TestManual:
    """merge.manual: lead, retired, discarded, record."""

    def test_merge_and_record(self) -> None:
        """MRG-8: canonical leads, discarded values with fields, the change record."""
        data = {
            "master": {"id": "A", "customer": {"first_name": "Ada"}, "lot": "east"},
            "other": {
                "id": "B",
                "customer": {"first_name": "Adah", "last_name": "Lovelace"},
                "lot": "west",
                "created_at": "2026-01-01T00:00:00Z",
            },
        }

        found = result("merge.manual", data)

        assert found["lead"]["customer"] == {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phones": [],
            "emails": [],
        }
        assert found["lead"]["created_at"] == "2026-01-01T00:00:00+00:00"
        assert (found["retired"]["status"], found["retired"]["merged_into"]) == ("merged", "A")
        assert found["discarded"] == [
            {"lead": "B", "field": "customer.first_name", "value": "Adah"},
            {"lead": "B", "field": "lot", "value": "west"},
        ]
        assert [(c["lead"], c["field"]) for c in found["record"]] == [
            ("A", "customer"),
            ("A", "created_at"),
            ("B", "status"),
            ("B", "merged_into"),
        ]
        assert found["record"][1] == {
            "lead": "A",
            "field": "created_at",
            "old": None,
            "new": "2026-01-01T00:00:00+00:00",
        }
        assert set(found["lead"]) == set(found["retired"])

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            ({"master": {"id": "A"}, "other": {"id": "A"}}, "input.other.id"),
            ({"master": {"id": "A"}}, "input.other"),
            (
                {"master": {"id": "A", "events": [{"id": "e"}]}, "other": {"id": "B"}},
                "input.master.events[0].at",
            ),
        ],
    )
    def test_bad_input(self, data: dict[str, Any], path: str) -> None:
        """MRG-8, GEN-5: a lead merged with itself, missing or broken leads."""
        response = decide("merge.manual", data)

        assert (response["error"]["code"], response["error"]["path"]) == ("invalid_input", path)


def test_every_merge_rule_is_registered() -> None:
    """The protocol's table: the three merge rules are answered by the protocol."""
    assert {"merge.auto", "merge.duplicates", "merge.manual"} <= set(protocol.rules())


def test_now_is_used_as_given() -> None:
    """GEN-1: the windows are measured from the request's now."""
    data = {"inbound": {"id": "N1", "customer": ADA}, "existing": [existing()]}

    later = decide("merge.auto", data, now="2027-11-23T12:00:00Z")

    assert later["result"]["action"] == "create"
