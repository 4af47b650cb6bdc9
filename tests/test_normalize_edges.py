"""Normal forms at their edges: a person with no name at all."""

from __future__ import annotations

from leadcore import normalize
from leadcore.model import Person


def test_a_person_without_a_name_is_not_a_placeholder() -> None:
    """No first or last name: nothing to be a placeholder (MRG-1 reads it as no name)."""
    nobody = normalize.person(Person(emails=["a@x.io"]))

    assert not nobody.is_placeholder()
    assert not nobody.is_placeholder(("", "Unknown"))
    assert not nobody.has_full_name
