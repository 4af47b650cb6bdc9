"""
``conformance.compare`` given expectations of an unexpected shape (hand-written vectors).

The bundled vectors always write reasons as ``[{"code": ...}]``; a QA team's own vector
may not, and the comparison must say so rather than fail.
"""

from __future__ import annotations

from leadcore import conformance

REQUEST = {"id": 1, "rule": "link.check", "now": "2026-01-01T00:00:00Z", "input": {}}


def test_expected_reasons_that_are_not_a_list_are_a_type_mismatch() -> None:
    """``"reasons": "none"`` expected, a list answered: one mismatch of kind ``type``."""
    expected = {"id": 1, "ok": True, "result": {"allowed": False, "reasons": "none"}}
    actual = {"id": 1, "ok": True, "result": {"allowed": False, "reasons": [{"code": "x"}]}}

    found = conformance.compare(REQUEST, expected, actual)

    assert [(m.path, m.kind, m.expected, m.actual) for m in found] == [
        ("result.reasons", "type", "none", [{"code": "x"}])
    ]


def test_junit_marks_each_status_as_ci_systems_read_it() -> None:
    """
    JUnit XML: a missing answer is an ``error``, a vector given up on ``skipped``.

    A rule not implemented is ``skipped``, or a ``failure`` under require_all.
    """
    import xml.etree.ElementTree as ET  # noqa: PLC0415  # the reader of our own XML

    from leadcore.conformance import CaseResult, Mismatch, Report, Vector  # noqa: PLC0415

    vector = Vector(
        where="t.jsonl:1",
        description="a vector",
        rules=("GEN-5",),
        request={"id": "t", "rule": "normalize.name", "now": "2026-01-01T00:00:00Z"},
        expected={"id": "t", "ok": True, "result": {"normalized": "ada"}},
    )
    crash = Mismatch(path="", kind="no_answer", note="exited", detail="crash")
    cases = (
        CaseResult(vector=vector, status="no_answer", mismatches=(crash,)),
        CaseResult(vector=vector, status="skipped"),
        CaseResult(vector=vector, status="not_implemented"),
    )

    def marks(report: Report) -> list[tuple[str, str | None]]:
        root = ET.fromstring(report.to_junit())  # noqa: S314  # our own XML
        suite = root.find("testsuite")
        assert suite is not None
        assert (suite.get("tests"), suite.get("errors")) == ("3", "1")
        return [(c[0].tag, c[0].get("type")) for c in suite.iter("testcase")]

    lenient = marks(Report(command="impl", cases=cases))
    required = marks(Report(command="impl", cases=cases, require_all=True))

    assert lenient == [("error", "no_answer"), ("skipped", None), ("skipped", None)]
    assert required[2] == ("failure", "not_implemented")


def test_the_schema_names_values_past_the_gen5_limits() -> None:
    """GEN-5 in the schema: a string over 10,000 characters, a list over 100,000 items."""
    request = {
        "id": 1,
        "rule": "normalize.name",
        "now": "2026-01-01T00:00:00Z",
        "input": {"value": "x" * 10_001},
    }

    assert conformance.validate(request, "request.normalize.name") == [
        "input.value: longer than 10000 characters"
    ]
    assert conformance.validate({"emails": ["a@x.io"] * 100_001}, "person") == [
        "emails: more than 100000 items"
    ]


def test_a_reason_code_missing_alone_is_named_without_unexpected_ones() -> None:
    """Codes expected and not given, none given beyond: only 'missing', detail '-code'."""
    expected = {
        "id": 1,
        "ok": True,
        "result": {"allowed": False, "reasons": [{"code": "a"}, {"code": "b"}]},
    }
    actual = {"id": 1, "ok": True, "result": {"allowed": False, "reasons": [{"code": "a"}]}}

    [found] = conformance.compare(REQUEST, expected, actual)

    assert (found.path, found.kind, found.expected, found.actual) == (
        "result.reasons",
        "reasons",
        ["a", "b"],
        ["a"],
    )
    assert (found.note, found.detail) == ("reason codes differ: missing b", "-b")
