"""
Fuzzy name similarity through ``rapidfuzz`` (the only module that imports it).

Callers pass names already folded by :func:`leadcore._text.fold`, so no processor is
applied here (``processor=None`` is explicit), and an empty name scores 0 (MRG-5).
"""

from __future__ import annotations

from rapidfuzz import fuzz

__all__ = ["token_sort_ratio"]


def token_sort_ratio(left: str, right: str, *, score_cutoff: float = 0.0) -> float:
    """
    Return rapidfuzz's ``token_sort_ratio`` of two folded names, 0 to 100.

    An empty name scores 0 against anything, itself included. Scores below
    ``score_cutoff`` are returned as 0.

    >>> token_sort_ratio("smith john", "john smith")
    100.0
    >>> token_sort_ratio("", "")
    0.0
    """
    if not left or not right:
        return 0.0
    return float(fuzz.token_sort_ratio(left, right, processor=None, score_cutoff=score_cutoff))
