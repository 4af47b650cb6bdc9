"""
The C search for close values (``_fuzzy.candidates``) misses no value at its threshold.

Not even when the threshold is exactly a score the scorer gives.

rapidfuzz's ``process.extract`` applies its cutoff in its own arithmetic and leaves out
choices a few units of the last decimal place above it; a pair scoring exactly its
threshold was dropped by batch dedupe's search of large blocks (found in review).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from leadcore import _fuzzy, dedupe, merge
from leadcore._dedupe.block import CLOSE_AT
from leadcore.merge import MatchGroup, MatchItem, MatchRule, MergePolicy
from leadcore.model import Lead, Person

NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
WORDS = st.text(alphabet="abcde ", min_size=1, max_size=14).map(str.strip).filter(bool)
SCORES = {
    "token_sort_ratio": _fuzzy.token_sort_ratio,
    "ratio": _fuzzy.ratio,
    "jaro_winkler": _fuzzy.jaro_winkler,
}


@given(
    query=WORDS,
    choices=st.lists(WORDS, min_size=1, max_size=20),
    scorer=st.sampled_from(sorted(SCORES)),
    pick=st.integers(0, 19),
    digits=st.sampled_from([None, 2, 1]),
)
def test_a_threshold_equal_to_a_score_finds_its_choice(
    query: str, choices: list[str], scorer: str, pick: int, digits: int | None
) -> None:
    """Every choice whose full score reaches the threshold is a candidate."""
    score = SCORES[scorer]
    exact = score(query, choices[pick % len(choices)])
    threshold = exact if digits is None else round(exact, digits)

    found = set(_fuzzy.candidates(query, choices, scorer, threshold))

    assert {i for i, c in enumerate(choices) if score(query, c) >= threshold} <= found


def test_known_boundary_scores_are_candidates() -> None:
    """Scores that ``extract``'s cutoff left out: Jaro-Winkler 0.8, a ratio of 85.714..."""
    assert _fuzzy.jaro_winkler("albert", "alex") == 0.8
    assert _fuzzy.candidates("albert", ["alex"], "jaro_winkler", 0.8) == [0]
    jon = _fuzzy.token_sort_ratio("jon", "john")
    assert _fuzzy.candidates("jon", ["john"], "token_sort_ratio", jon) == [0]


def test_a_large_block_keeps_a_pair_at_its_threshold() -> None:
    """Nine leads on one phone (a block searched in C): the pair at exactly 0.8 is found."""
    names = ["albert", "alex"] + [f"zz{i}" for i in range(7)]
    leads = [
        Lead(
            id=f"L{i}",
            customer=Person(first_name=n, last_name="ng", phones=["4158675309"]),
            created_at=NOW - dt.timedelta(days=i + 1),
            last_activity_at=NOW,
        )
        for i, n in enumerate(names)
    ]
    first = MatchItem(field="first_name", method="fuzzy", scorer="jaro_winkler", threshold=0.8)
    rule = MatchRule(any_of=[MatchGroup(all_of=["phone", first])])
    policy = dedupe.DedupePolicy(merge=MergePolicy(auto_merge_rule=rule, duplicate_rule=rule))
    assert len(leads) ** 2 >= CLOSE_AT

    found = {(p.a, p.b) for p in dedupe.find(leads, now=NOW, policy=policy).pairs}
    brute = {(p.a, p.b) for p in dedupe.reference(leads, now=NOW, policy=policy)}
    inbound = merge.duplicates(leads[1], [leads[0], *leads[2:]], now=NOW, policy=policy.merge)

    assert [d.id for d in inbound.duplicates] == ["L0"]
    assert found == brute
    assert ("L0", "L1") in found
