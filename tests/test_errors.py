"""The error hierarchy (GEN-5): one root, data on every error, messages that show values."""

from __future__ import annotations

import warnings

import pytest

from leadcore.errors import (
    InvalidInput,
    LeadcoreDeprecationWarning,
    LeadcoreError,
    LeadcoreWarning,
    Problem,
    UnknownRule,
)


class TestInvalidInput:
    """InvalidInput lists every problem with path, value and message."""

    def test_is_a_leadcore_error_and_a_value_error(self) -> None:
        """GEN-5: callers catch it as LeadcoreError or as ValueError."""
        error = InvalidInput.single("created_at", 1, "must be a datetime")

        assert isinstance(error, LeadcoreError)
        assert isinstance(error, ValueError)

    def test_message_names_path_and_value(self) -> None:
        """GEN-5: the message says where, what, and shows the value with repr."""
        error = InvalidInput.single("input.lead.id", "", "must be a non-empty id")

        assert str(error) == "input.lead.id: must be a non-empty id, got ''"
        assert (error.path, error.value, error.code) == ("input.lead.id", "", "invalid_input")

    def test_lists_every_problem(self) -> None:
        """GEN-5: all problems are reported at once, in order."""
        error = InvalidInput([Problem("a", 1, "bad"), Problem("b", 2, "worse")])

        assert [p.path for p in error.problems] == ["a", "b"]
        assert "2 problems" in str(error)

    def test_under_prefixes_every_path(self) -> None:
        """Nested validation errors get the path of where the object sits."""
        error = InvalidInput([Problem("created_at", 1, "bad"), Problem("[2]", 2, "bad")])

        moved = error.under("input.existing")

        assert [p.path for p in moved.problems] == [
            "input.existing.created_at",
            "input.existing[2]",
        ]
        assert Problem("", 1, "bad").under("input").path == "input"

    def test_needs_a_problem(self) -> None:
        """An InvalidInput without problems would explain nothing: refused."""
        with pytest.raises(ValueError, match="at least one problem"):
            InvalidInput([])

    def test_long_values_are_cut_in_messages(self) -> None:
        """GEN-5: a 10,000-character value does not flood the message."""
        error = InvalidInput.single("x", "a" * 10_000, "too long")

        assert len(str(error)) < 200


def test_unknown_rule_lists_known_rules() -> None:
    """The error says which rules exist."""
    error = UnknownRule("merge.nope", ["b", "a"])

    assert isinstance(error, LookupError)
    assert "known rules: a, b" in str(error)


def test_deprecation_warning_is_shown_by_default() -> None:
    """Our deprecation warning is a LeadcoreWarning, which Python does not hide."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.warn("old", LeadcoreDeprecationWarning, stacklevel=1)

    assert issubclass(LeadcoreDeprecationWarning, LeadcoreWarning)
    assert len(caught) == 1
