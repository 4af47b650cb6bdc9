"""Properties of the normalisers: idempotent, total on any text, well-formed output."""

from __future__ import annotations

import copy
import re

from hypothesis import given
from hypothesis import strategies as st

from leadcore import normalize
from leadcore.model import Person

from .strategies import people, phones

E164 = re.compile(r"\+[1-9]\d{1,14}")
regions = st.sampled_from(["US", "FR", "GB", "IN", "DE", "BR"])


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    """Folding a folded name changes nothing."""
    once = normalize.fold(text)

    assert normalize.fold(once) == once


@given(st.text())
def test_fold_output_is_clean(text: str) -> None:
    """Folded names have single spaces, no edges, no case, no punctuation."""
    folded = normalize.fold(text)

    assert folded == folded.strip()
    assert "  " not in folded
    assert folded == folded.casefold()
    assert not any(c in folded for c in ".'")


@given(st.text(), st.text())
def test_fold_ignores_punctuation_between_words(left: str, right: str) -> None:
    """A hyphen and a space between two parts fold alike."""
    assert normalize.fold(f"{left}-{right}") == normalize.fold(f"{left} {right}")


@given(st.text())
def test_email_is_idempotent_and_well_formed(text: str) -> None:
    """Normal emails are fixed points with one @ and no white space."""
    normal = normalize.email(text)

    if normal is not None:
        assert normalize.email(normal) == normal
        assert normal.count("@") == 1
        assert not any(c.isspace() for c in normal)
        assert normal == normal.lower()


@given(phones | st.text(max_size=30), regions)
def test_phone_never_raises_and_gives_e164_or_none(raw: str, region: str) -> None:
    """Any text gives an E.164 number or None, and E.164 output is a fixed point."""
    normal = normalize.phone(raw, region=region)

    if normal is not None:
        assert E164.fullmatch(normal)
        assert normalize.phone(normal, region=region) == normal
        assert normalize.phone(normal, region="US") == normal


@given(people(), regions)
def test_person_normalisation_does_not_change_the_person(who: Person, region: str) -> None:
    """GEN-3: normalising leaves the person equal to a copy taken before."""
    before = copy.deepcopy(who)

    normal = normalize.person(who, region=region)

    assert who == before
    assert set(normal.phones) <= {normalize.phone(p, region=region) for p in who.phones}
    assert set(normal.emails) <= {normalize.email(e) for e in who.emails}
