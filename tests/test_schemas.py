"""
The JSON Schemas of every request and result, kept in step with the code (issue 9).

Every shipped vector's request that leadcore answers, and every response leadcore gives,
validates against its rule's schema; generated requests too. The schema document shipped
as a file is the generator's output.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcore import conformance, protocol, reasons, testing
from leadcore._protocol import registry as _registry
from leadcore.conformance import schema, validate
from leadcore.conformance._ids import PROTOCOL_RULES
from leadcore.conformance._schema import RESULT_KEYS

VECTORS = conformance.vectors()
SHIPPED = resources.files("leadcore").joinpath("conformance", "schemas", "protocol.schema.json")


def _decide(request: object) -> Any:
    """Answer a request through the protocol, typed loosely for the test's reading."""
    return protocol.decide(request)


def test_the_shipped_file_is_the_generated_schema() -> None:
    """
    The file other teams use is what schema() generates.

    Regenerate it with
    ``leadcore conformance schema > src/leadcore/conformance/schemas/protocol.schema.json``.
    """
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == schema()


def test_every_spec_rule_has_a_request_and_a_response_schema() -> None:
    """Each rule of the protocol's table has request.R, input.R, result.R and response.R."""
    names = set(schema()["$defs"])

    for rule in PROTOCOL_RULES:
        assert {f"request.{rule}", f"input.{rule}", f"result.{rule}", f"response.{rule}"} <= names


def test_policy_schema_names_every_policy_field() -> None:
    """GEN-7: every policy field a rule accepts is in the policy schema, with no others."""
    listed = set(schema("policy")["properties"])

    assert set(_registry.policy_fields()) <= listed


@pytest.mark.parametrize(
    ("where", "vector"), [(v.where, v) for v in VECTORS], ids=[v.where for v in VECTORS]
)
def test_vector_requests_and_responses_validate(where: str, vector: conformance.Vector) -> None:
    """Requests leadcore answers are valid; every response it gives is valid."""
    request = json.loads(json.dumps(vector.request))
    response = _decide(json.loads(json.dumps(request)))
    rule = vector.rule

    assert validate(response, "response") == []
    if rule in PROTOCOL_RULES:
        assert validate(response, f"response.{rule}") == [], where
        if response["ok"]:
            assert validate(request, f"request.{rule}") == [], where


@settings(max_examples=150)
@given(st.sampled_from(sorted(protocol.rules())).flatmap(testing.requests))
def test_generated_requests_and_responses_agree_with_the_schema(request: dict[str, Any]) -> None:
    """
    Generated requests and their responses agree with the schema.

    A response always validates; a request leadcore answers validates; a request the
    schema refuses is refused by leadcore too.
    """
    response = _decide(json.loads(json.dumps(request)))
    rule = request["rule"]
    problems = validate(request, f"request.{rule}")

    assert validate(response, f"response.{rule}") == []
    if response["ok"]:
        assert problems == []
    if problems:
        assert not response["ok"], problems


def test_result_schemas_describe_every_key_leadcore_writes() -> None:
    """Every key of every result leadcore gives to a shipped vector is in its schema."""
    for vector in VECTORS:
        response = _decide(json.loads(json.dumps(vector.request)))
        if response["ok"] and vector.rule in RESULT_KEYS:
            assert set(response["result"]) <= set(RESULT_KEYS[vector.rule]), vector.where


class TestContract:
    """The schemas say what the contract says (issue 14)."""

    def test_a_lead_without_customer_may_be_written_as_null(self) -> None:
        """Absent and null mean the same: customer null validates like an empty person."""
        result: Any = _decide(
            {
                "id": 1,
                "rule": "routing.transfer",
                "now": "2026-01-01T00:00:00Z",
                "input": {
                    "lead": {"id": "L1", "project": "p1", "owner": "a1"},
                    "to": {"id": "a2", "project": "p1"},
                    "by": {"id": "a1", "roles": ["agent"]},
                },
            }
        )
        result["result"]["lead"]["customer"] = None

        assert validate(result, "response.routing.transfer") == []
        assert validate(None, "person_out")
        assert "null" in json.dumps(schema("lead_out")["properties"]["customer"])

    def test_reason_codes_are_enumerated_per_rule(self) -> None:
        """Each rule's reasons take the catalogue's codes of that rule, and no others."""
        refused: dict[str, Any] = {"allowed": False, "lead": None, "record": [], "bucket": None}
        good = {**refused, "reasons": [{"code": "not_owner", "message": "m"}]}
        other = {**refused, "reasons": [{"code": "not_related", "message": "m"}]}
        extension = {"code": "secondary_already_linked", "message": "m"}

        assert validate(good, "result.routing.transfer") == []
        assert validate(other, "result.routing.transfer")
        assert validate(extension, "reason.link") == []
        assert "extension" in schema("reason.link")["description"]
        for group in reasons.CATALOGUE:
            enum = schema(f"reason.{group.name}")["properties"]["code"]["enum"]
            assert enum == [entry.code for entry in group.codes]
        not_owner = {"code": "not_owner", "message": "m"}
        ineligible = {"preferred": [], "fallback": [], "ineligible": {"a1": [not_owner]}}
        assert validate(ineligible, "result.routing.eligible")
        rejected = schema("result.routing.dispatch")["properties"]["rejected_events"]
        assert rejected["items"]["properties"]["reason"]["enum"] == list(
            reasons.codes("routing.dispatch")
        )


class TestValidator:
    """The small validator: every keyword it supports, and what it refuses."""

    def test_types_and_values(self) -> None:
        """type, enum, const, lengths, pattern, minimum, maximum, maxItems."""
        assert validate("x", "id") == []
        assert validate("", "id")
        assert validate(1, "id")
        assert validate("2026-01-01T00:00:00+01:00", "datetime_out") == []
        assert validate("2026-01-01T00:00:00Z", "datetime_out")
        assert validate({"code": "nope", "message": "", "path": ""}, "error")
        assert validate({"duplicate_name_min_ratio": 101}, "policy")
        assert validate({"wave_size": 0}, "policy")
        assert validate({"wave_size": 2.0}, "policy") == []
        assert validate({"wave_size": True}, "policy")
        assert validate({"no_such_knob": 1}, "policy") == ["no_such_knob: is not allowed here"]
        assert validate({"ok": True}, "response")

    def test_nested_paths_are_named(self) -> None:
        """Problems name the path inside the instance."""
        problems = validate({"id": "L1", "events": [{"id": "e", "at": "2026-01-01"}]}, "lead")

        assert problems == [
            "events[0].at: '2026-01-01' does not match the pattern " + schema("datetime")["pattern"]
        ]

    def test_additional_properties_schema(self) -> None:
        """A map's values are validated by additionalProperties."""
        result = {"preferred": [], "fallback": [], "ineligible": {"a1": [{"code": 1}]}}

        assert validate(result, "result.routing.eligible")

    def test_unsupported_keywords_and_references_are_refused(self) -> None:
        """The validator never silently ignores a keyword it does not implement."""
        from leadcore.conformance._schema import _check  # noqa: PLC0415

        with pytest.raises(ValueError, match="unsupported"):
            _check(1, {"oneOf": []}, {}, "")
        with pytest.raises(ValueError, match="local references"):
            _check(1, {"$ref": "https://example.org/x"}, {}, "")
        assert _check(1, {"$ref": "#", "type": "integer"}, {"type": "integer"}, "") == []


def test_the_document_is_valid_draft_2020_12_when_jsonschema_is_installed() -> None:
    """
    The document is valid draft 2020-12 (needs the optional jsonschema package).

    It passes the meta-schema and jsonschema agrees with the small validator.
    """
    jsonschema = pytest.importorskip("jsonschema")
    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    for vector in VECTORS:
        response = _decide(json.loads(json.dumps(vector.request)))
        sub = {**document, "$ref": f"#/$defs/response.{vector.rule}"}
        if vector.rule in PROTOCOL_RULES:
            assert jsonschema.Draft202012Validator(sub).is_valid(response)
