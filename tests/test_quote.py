"""Values quoted in messages: at most 80 characters of each (v1.2 of the rules, GEN-5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore._quote import LIMIT, quote, quote_all, quote_key


class TestQuote:
    """quote(): one value."""

    def test_a_short_value_is_its_repr(self) -> None:
        """Ids and codes as people read them in Python."""
        assert quote("a1") == "'a1'"
        assert quote(None) == "None"
        assert quote(["a", 1]) == "['a', 1]"

    def test_a_long_string_is_cut_and_its_length_given(self) -> None:
        """GEN-5: a 10,000-character id is shown by its first characters."""
        shown = quote("ab" * 5_000)

        assert shown.startswith("'abab")
        assert shown.endswith("...' (10,000 characters)")
        assert len(shown) < LIMIT + 30

    def test_a_huge_value_is_quoted_without_reading_it_all(self) -> None:
        """A list of 100,000 ids or a dict of long texts is shown by its first items."""
        assert len(quote([f"agent-{i}" for i in range(100_000)])) <= LIMIT
        assert len(quote({"k": "x" * 10_000, "j": ["y" * 10_000]})) <= LIMIT

    def test_lone_surrogates_come_out_escaped(self) -> None:
        """A message quoting text that is not Unicode can still be written as UTF-8."""
        quote("\ud800").encode("utf-8")
        quote_all(["\udfff"]).encode("utf-8")

    @given(st.text(max_size=300))
    def test_a_string_shows_at_most_the_limit_of_its_characters(self, value: str) -> None:
        """GEN-5: the quote holds the repr of at most LIMIT characters, and a length."""
        shown = quote(value)

        assert len(shown) <= len(repr(value[:LIMIT])) + len("... (300 characters)")

    @given(st.lists(st.text(max_size=200), max_size=50))
    def test_any_other_value_is_cut_to_the_limit(self, value: list[str]) -> None:
        """GEN-5: a collection's quote is at most LIMIT characters long."""
        assert len(quote(value)) <= LIMIT


class TestQuoteAll:
    """quote_all(): a list of values."""

    def test_a_short_list_is_shown_in_full(self) -> None:
        """Every value, in order, quoted."""
        assert quote_all(["a1", "a2"]) == "'a1', 'a2'"
        assert quote_all(["claimed", "visit_done"], plain=True) == "claimed, visit_done"
        assert quote_all([]) == ""

    def test_a_long_list_shows_its_first_values_and_counts_the_rest(self) -> None:
        """check_wave with 1,000 unknown agents: a short message."""
        shown = quote_all([f"ghost{i}" for i in range(1_000)])

        assert shown.startswith("'ghost0', 'ghost1'")
        assert shown.endswith(" more")
        assert len(shown) <= LIMIT + len(" and 1,000 more")

    def test_the_first_value_is_always_shown(self) -> None:
        """Even when it alone is long, cut."""
        shown = quote_all(["x" * 10_000, "y"], plain=True)

        assert shown.startswith("xxxx")
        assert shown.endswith("and 1 more")

    @pytest.mark.parametrize("size", [1, 5, 100, 100_000])
    def test_bounded_for_any_size(self, size: int) -> None:
        """The message does not grow with the list."""
        assert len(quote_all([f"a{i}" for i in range(size)])) <= 2 * LIMIT


class TestQuoteKey:
    """quote_key(): an object key in a path."""

    def test_a_plain_key_is_shown_as_it_is(self) -> None:
        """Paths of valid requests are unchanged (conformance compares them)."""
        assert quote_key("merge_max_age_days") == "merge_max_age_days"
        assert quote_key("prénom") == "prénom"

    def test_a_long_key_is_cut(self) -> None:
        """A 50 MB policy key is not echoed in the path."""
        assert len(quote_key("y" * 50_000_000)) < LIMIT + 30

    def test_a_lone_surrogate_is_escaped(self) -> None:
        """The path of a key that is not Unicode can still be written."""
        assert quote_key("a\ud800") == "a\\ud800"
