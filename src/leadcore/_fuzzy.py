"""
Fuzzy similarity through ``rapidfuzz`` (the only module that imports it).

Callers pass text already normalised (names folded by :func:`leadcore._text.fold`), so
no processor is applied here (``processor=None`` is explicit). For the name scorers an
empty text scores 0 (MRG-5); callers of the other scorers handle blanks themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

__all__ = ["candidates", "jaro_winkler", "levenshtein", "ratio", "token_sort_ratio"]

_SCORERS: Final[dict[str, tuple[Any, float]]] = {
    "token_sort_ratio": (fuzz.token_sort_ratio, 1e-3),
    "ratio": (fuzz.ratio, 1e-3),
    "jaro_winkler": (JaroWinkler.similarity, 1e-5),
}
"""
The similarity scorers and the margin their cutoff is lowered by (see candidates).

``process.extract`` applies its cutoff in its own arithmetic: it leaves out choices
whose full score is within about 1e-5 (0 to 100 scales) or 1e-7 (Jaro-Winkler, 0 to 1)
above the cutoff, so a pair scoring exactly its threshold was missed with smaller margins
(``tests/test_fuzzy.py`` sweeps this). The margins are a hundred times that; every
candidate is scored again in full by the caller.
"""


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


def ratio(left: str, right: str, *, score_cutoff: float = 0.0) -> float:
    """
    Return rapidfuzz's ``ratio`` (normalised Indel similarity), 0 to 100.

    An empty text scores 0 against anything, itself included; scores below
    ``score_cutoff`` are returned as 0.

    >>> ratio("lovelace", "lovelac")
    93.33333333333333
    """
    if not left or not right:
        return 0.0
    return float(fuzz.ratio(left, right, processor=None, score_cutoff=score_cutoff))


def jaro_winkler(left: str, right: str, *, score_cutoff: float = 0.0) -> float:
    """
    Return rapidfuzz's Jaro-Winkler similarity, 0 to 1 (prefix weight 0.1).

    An empty text scores 0; scores below ``score_cutoff`` are returned as 0.

    >>> round(jaro_winkler("martha", "marhta"), 4)
    0.9611
    """
    if not left or not right:
        return 0.0
    return float(JaroWinkler.similarity(left, right, processor=None, score_cutoff=score_cutoff))


def levenshtein(left: str, right: str, *, score_cutoff: int | None = None) -> int:
    """
    Return the Levenshtein distance (insertions, deletions, substitutions) of two texts.

    With ``score_cutoff``, a distance above it is returned as ``score_cutoff + 1``.

    >>> levenshtein("1HGCM82633A004352", "1HGCM82633A004353")
    1
    """
    return int(Levenshtein.distance(left, right, processor=None, score_cutoff=score_cutoff))


def candidates(query: str, choices: Sequence[str], scorer: str, threshold: float) -> list[int]:
    """
    The indexes of ``choices`` that may reach ``threshold`` with ``query``: a superset.

    rapidfuzz scores them all in C (``process.extract``). For the similarity scorers the
    cutoff is lowered by a margin a hundred times larger than the difference between
    ``extract``'s cutoff test and the scorer's own score, so every choice whose full score
    reaches the threshold is in; callers check each candidate with the full score. For
    ``levenshtein`` the cutoff is the maximum distance, exactly.

    >>> candidates("acme corp", ["acme crop", "zeta", "acme corp"], "token_sort_ratio", 85)
    [2, 0]
    >>> candidates("acme", ["acne", "zeta", "acme", "acmes"], "levenshtein", 1)  # at most 1 edit
    [2, 0, 3]
    >>> candidates("", ["acme"], "levenshtein", 1), candidates("acme", [], "ratio", 90)
    ([], [])
    """
    if not query or not choices:
        return []
    if scorer == "levenshtein":
        distances = process.extract(
            query,
            choices,
            scorer=Levenshtein.distance,
            processor=None,
            score_cutoff=int(threshold),
            limit=None,
        )
        return [index for _, _, index in distances]
    function, margin = _SCORERS[scorer]
    scores = process.extract(
        query,
        choices,
        scorer=function,
        processor=None,
        score_cutoff=max(0.0, threshold - margin),
        limit=None,
    )
    return [index for _, _, index in scores]
