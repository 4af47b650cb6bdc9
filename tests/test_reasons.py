"""
The reason-code catalogue (issue 14): one registry, used by every rule, published.

Every code a rule gives comes from :mod:`leadcore.reasons` (no code is written as a bare
string anywhere else in the package), in the catalogue's order; ``docs/reasons.md`` is
the catalogue's own rendering; every contract code of a protocol rule is exercised by a
shipped vector.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from leadcore import conformance, protocol, reasons, testing
from leadcore.conformance._ids import PROTOCOL_RULES, RULE_IDS
from leadcore.reasons import ReasonCode, ReasonGroup

SRC = Path(reasons.__file__).parent
DOCS = Path(__file__).resolve().parents[1] / "docs" / "reasons.md"
ALL_CODES = {entry.code for group in reasons.CATALOGUE for entry in group.codes}
# A code that is also the name of something else: check_wave's input ``offered_before``
# (the agents offered in earlier waves) and the fact of the same name.
ALSO_A_NAME = {"offered_before"}


def _decide(request: object) -> Any:
    return protocol.decide(request)


def _result_codes(rule: str, result: dict[str, Any]) -> list[list[str]]:
    """Every reason list of a result, as lists of codes, by where the catalogue says."""
    found: list[list[str]] = []
    if isinstance(result.get("reasons"), list):
        found.append([r["code"] for r in result["reasons"]])
    found.extend(
        [r["code"] for r in listed] for listed in (result.get("ineligible") or {}).values()
    )
    found.extend([event["reason"]] for event in result.get("rejected_events") or [])
    if rule == "merge.auto":
        found.extend([r["code"] for r in c["reasons"]] for c in result.get("candidates") or [])
    return found


class TestCatalogue:
    """The catalogue's shape: codes, rule ids, order, templates."""

    def test_codes_are_snake_case_unique_per_group_with_spec_rule_ids(self) -> None:
        """GEN-4: stable snake_case codes, each with a rule ID."""
        for group in reasons.CATALOGUE:
            found = [entry.code for entry in group.codes]

            assert found, group.name
            assert len(found) == len(set(found)), group.name
            assert [entry.order for entry in group.codes] == list(range(1, len(found) + 1))
            for entry in group.codes:
                assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", entry.code)
                assert entry.rule_id in RULE_IDS, entry
                assert entry.group == group.name
                assert group.get(entry.code) is entry
            assert group.get("no_such_code") is None

    def test_groups_name_protocol_rules_and_functions(self) -> None:
        """Every protocol rule a group names is the rulebook's; every function exists."""
        import importlib  # noqa: PLC0415

        for group in reasons.CATALOGUE:
            assert set(group.rules) <= set(PROTOCOL_RULES), group.name
            for function in group.functions:
                module, name = function.split(".")
                assert callable(getattr(importlib.import_module(f"leadcore.{module}"), name))

    def test_every_template_field_is_filled_and_no_other(self) -> None:
        """A reason takes exactly its template's fields (a mistake is a TypeError)."""
        code = reasons.Link.invalid_owner

        reason = code.reason(owner="u9", owners="u1, u2")

        assert reason.message == "the chosen sales manager 'u9' owns neither lead (owners: u1, u2)"
        assert dict(reason.facts) == {"owner": "u9", "owners": "u1, u2"}
        assert code.fields == ("owner", "owners")
        with pytest.raises(TypeError, match="invalid_owner"):
            code.reason(owner="u9")
        with pytest.raises(TypeError, match="invalid_owner"):
            code.reason(owner="u9", owners="", extra=1)
        assert dict(code.reason({"x": 1}, owner="a", owners="b").facts) == {"x": 1}

    def test_a_group_is_a_namespace_and_a_code_is_declared_once(self) -> None:
        """Groups are not instantiated; one ReasonCode cannot serve two names."""
        with pytest.raises(TypeError, match="not a class to instantiate"):
            reasons.Link()
        shared = ReasonCode("GEN-4", "x")
        # Python 3.11 wraps errors of __set_name__ in a RuntimeError; later ones do not.
        with pytest.raises((TypeError, RuntimeError)) as caught:

            class _Twice(ReasonGroup):
                name = "twice"
                first = shared
                second = shared

        error = caught.value.__cause__ or caught.value
        assert "declared twice" in str(error)

        assert repr(reasons.Link.different_project) == "<ReasonCode link.different_project (LNK-1)>"

    def test_codes_by_rule_contract_and_extension(self) -> None:
        """codes(rule) lists a rule's codes in order; extension codes can be left out."""
        assert reasons.codes("link.apply") == reasons.codes("link.check")
        assert "secondary_already_linked" in reasons.codes("link.check")
        assert "secondary_already_linked" not in reasons.codes("link.check", extension=False)
        assert reasons.codes("normalize.name") == ()
        assert [g.name for g in reasons.groups("routing.eligible")] == ["routing.eligible"]

    def test_the_catalogue_as_json_lists_every_code(self) -> None:
        """The vendorable JSON form has every group and code with its status."""
        data = reasons.catalogue()

        assert [g["group"] for g in data] == [g.name for g in reasons.CATALOGUE]
        assert {c["code"] for g in data for c in g["codes"]} == ALL_CODES
        assert json.loads(json.dumps(data)) == data
        statuses = {c["status"] for g in data for c in g["codes"]}
        assert statuses == {"contract", "extension"}

    def test_the_published_page_is_the_catalogue(self) -> None:
        """
        docs/reasons.md is generated from the catalogue.

        Regenerate it with ``leadcore conformance reasons --markdown > docs/reasons.md``.
        """
        assert DOCS.read_text(encoding="utf-8") == reasons.markdown()


class TestOneRegistry:
    """The rule functions build every reason from the catalogue."""

    def test_no_code_is_written_as_a_bare_string_outside_the_catalogue(self) -> None:
        """GEN-4: a code written anywhere else would drift from the published catalogue."""
        found = [
            f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}"
            for path in sorted(SRC.rglob("*.py"))
            if not (path.name == "reasons.py" and path.parent == SRC)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in ALL_CODES - ALSO_A_NAME
        ]

        assert not found, "use leadcore.reasons instead of writing codes: " + "; ".join(found)

    def test_no_reason_is_built_outside_the_catalogue(self) -> None:
        """Only ReasonCode.reason builds a Reason in rule code (no Reason(code=...))."""
        found = [
            f"{path.relative_to(SRC)}:{node.lineno}"
            for path in sorted(SRC.rglob("*.py"))
            if not (path.parent == SRC and path.name in {"reasons.py", "decisions.py"})
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Reason"
        ]
        assert not found

    def test_every_contract_code_of_a_protocol_rule_has_a_vector(self) -> None:
        """Every contract code is exercised by a shipped vector of one of its rules."""
        seen: dict[str, set[str]] = {}
        for vector in conformance.vectors():
            result = vector.strict.get("result")
            if isinstance(result, dict):
                for codes in _result_codes(vector.rule, result):
                    seen.setdefault(vector.rule, set()).update(codes)
        missing = [
            f"{group.name}.{entry.code}"
            for group in reasons.CATALOGUE
            for entry in group.codes
            if group.rules
            and not entry.extension
            and not any(entry.code in seen.get(rule, set()) for rule in group.rules)
        ]

        assert not missing


@pytest.mark.parametrize("vector", conformance.vectors(), ids=lambda v: v.where)
def test_shipped_answers_give_only_catalogue_codes_in_order(vector: conformance.Vector) -> None:
    """Every reason leadcore gives a vector is its rule's, in the catalogue's order."""
    _check_codes(dict(vector.request))


@settings(max_examples=200)
@given(testing.requests())
def test_generated_answers_give_only_catalogue_codes_in_order(request: dict[str, Any]) -> None:
    """Every reason leadcore gives a generated request is its rule's, in order."""
    _check_codes(request)


def _check_codes(request: dict[str, Any]) -> None:
    response = _decide(json.loads(json.dumps(request)))
    if not response["ok"]:
        return
    rule = request["rule"]
    order = {}
    for group in reasons.groups(rule):
        order.update({entry.code: entry.order for entry in group.codes})
    for codes in _result_codes(rule, response["result"]):
        assert set(codes) <= set(order), (rule, codes)
        assert [order[c] for c in codes] == sorted(order[c] for c in codes), (rule, codes)
        assert len(codes) == len(set(codes)), (rule, codes)
