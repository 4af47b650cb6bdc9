"""Properties of the normalisers: idempotent, total on any text, well-formed output."""

from __future__ import annotations

import copy
import re
import unicodedata

import attrs
import regex
from hypothesis import given
from hypothesis import strategies as st

from leadcore import _text, normalize
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


# -- v1.2 of the rules: folding by script, blank text, placeholder emails --------------------------

LETTERS_OF = regex.compile(r"\p{Script=Latin}|\p{Script=Greek}|\p{Script=Cyrillic}")
MARK = regex.compile(r"\p{M}")
latin_greek_cyrillic = st.sampled_from(
    "aeiouyczsnAEIOUCZSNßøłαεηιουωΑΩабвежийкоуыяАЖЙЯ"  # noqa: RUF001  # Greek and Cyrillic on purpose
)
combining = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
other_letters = st.sampled_from("रमकसअआकかがカアבשعمกนㄱ")
other_marks = st.sampled_from("\u093e\u093f\u0940\u094d\u093c\u3099\u05b8\u05bc\u064e\u0651\u0e34")


def reference_fold(text: str) -> str:
    """The rulebook's "Text", written from its words with regex's Unicode classes."""
    kept: list[str] = []
    base: str | None = None
    for char in unicodedata.normalize("NFKD", text):
        if MARK.fullmatch(char):
            if base is not None and regex.fullmatch(r"\p{L}", base) and not LETTERS_OF.match(base):
                kept.append(char)
            continue
        base = char
        kept.append(char)
    out = []
    for char in "".join(kept).casefold():
        if char in "'\u2019\u2018\u02bc.":
            continue
        if char.isspace() or regex.fullmatch(r"[\p{P}\p{S}]", char):
            out.append(" ")
        elif not regex.fullmatch(r"[\p{Cc}\p{Cf}]", char):
            out.append(char)
    return " ".join("".join(out).split())


@given(
    st.text()
    | st.lists(other_letters | other_marks | combining | latin_greek_cyrillic).map("".join)
)
def test_fold_is_the_spec_fold(text: str) -> None:
    """The rulebook's "Text", v1.2: the fold equals one written from the spec's words."""
    assert normalize.fold(text) == reference_fold(text)


@given(st.lists(st.tuples(latin_greek_cyrillic, st.lists(combining, max_size=3)), min_size=1))
def test_latin_greek_cyrillic_accents_are_dropped(letters: list[tuple[str, list[str]]]) -> None:
    """Rules v1.2: any accents on Latin, Greek and Cyrillic letters fold away."""
    accented = "".join(letter + "".join(marks) for letter, marks in letters)
    plain = "".join(letter for letter, _ in letters)

    assert normalize.fold(accented) == normalize.fold(plain)


@given(st.lists(st.tuples(other_letters, st.lists(other_marks, max_size=2)), min_size=1))
def test_marks_of_other_scripts_are_kept(letters: list[tuple[str, list[str]]]) -> None:
    """Rules v1.2: a mark on a letter of another script is part of the letter: kept."""
    text = "".join(letter + "".join(marks) for letter, marks in letters)
    marks = [m for _, ms in letters for m in ms]

    folded = normalize.fold(text)

    assert sorted(c for c in folded if MARK.fullmatch(c)) == sorted(
        c for c in unicodedata.normalize("NFKD", text) if MARK.fullmatch(c)
    )
    if marks:
        assert folded != normalize.fold("".join(letter for letter, _ in letters))


blank_texts = st.text(alphabet=st.sampled_from(_text.BLANK), max_size=6)


@given(blank_texts, people())
def test_blank_text_is_absent(blank: str, who: Person) -> None:
    """Rules v1.2: blank text anywhere in a person is as if it were not there."""
    padded = Person(
        first_name=blank if who.first_name is None else who.first_name,
        last_name=blank,
        phones=[blank, *who.phones, blank],
        emails=[*who.emails, blank],
    )
    plain = attrs.evolve(who, last_name=None)

    assert padded == plain
    assert normalize.person(padded) == normalize.person(plain)
    assert normalize.name(blank) is None
    assert normalize.email(blank) is None
    assert normalize.phone(blank) is None


@given(
    st.sampled_from(normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS),
    st.text(alphabet="-._+", max_size=3),
    st.booleans(),
    st.text(alphabet="abc.xyz", min_size=1, max_size=8),
)
def test_placeholder_emails_are_unusable(local: str, noise: str, upper: bool, domain: str) -> None:
    """Rules v1.2: a listed local part, with punctuation or case, makes a filler."""
    spelled = noise.join(local.upper() if upper else local) + noise + "@" + domain

    assert normalize.email(spelled) is None
    assert normalize.email(spelled, placeholder_email_locals=()) == spelled.lower()


@given(st.text(max_size=20) | st.text(alphabet=st.characters(max_codepoint=127), max_size=20))
def test_reducing_a_local_part_keeps_letters_and_digits_case_folded(local: str) -> None:
    """Rules v1.2: "reduced to letters and digits and case-folded", fast path or not."""
    assert normalize.reduce_local(local) == "".join(c for c in local if c.isalnum()).casefold()
