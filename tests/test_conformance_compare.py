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
