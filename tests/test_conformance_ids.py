"""
Every SPEC rule id is exercised by a shipped conformance vector (issue 9).

One test per rule id, so a missing id shows by name (``test_rule_id_has_a_vector[HND-7]``).
The rule families are written in parallel: the ids of a family whose vectors file is not
shipped yet are skipped with a reason; GEN ids are always checked. The package's copy of
the rule-id list is checked against SPEC.md when SPEC.md is beside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leadcore import conformance, protocol
from leadcore.conformance._ids import FAMILIES, PROTOCOL_RULES, family_of

# SPEC.md sits in shared/ beside the repository (or beside a worktree's parent folder).
SPEC = next(
    (
        p / "shared" / "SPEC.md"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "SPEC.md").exists()
    ),
    Path(__file__).resolve().parents[1].parent / "shared" / "SPEC.md",
)
SHIPPED = set(conformance.shipped_families())
COUNTS = conformance.covered(conformance.vectors())


@pytest.mark.parametrize("rule_id", list(conformance.RULE_IDS))
def test_rule_id_has_a_vector(rule_id: str) -> None:
    """Each SPEC rule id (GEN-1...MRG-8) is tagged by at least one shipped vector."""
    family = family_of(rule_id)
    if COUNTS[rule_id] == 0 and family != "general" and family not in SHIPPED:
        pytest.skip(f"{family}.jsonl is not shipped yet: {rule_id} cannot be covered")

    assert COUNTS[rule_id] > 0, (
        f"no shipped vector is tagged {rule_id} ({conformance.RULE_IDS[rule_id]}); "
        f"add one to src/leadcore/data/vectors/{family if family != 'general' else '*'}.jsonl"
    )


def test_every_vector_tag_is_a_spec_rule_id() -> None:
    """Vectors name only SPEC's rule ids (the loader refuses others)."""
    assert set(COUNTS) == set(conformance.RULE_IDS)


@pytest.mark.skipif(not SPEC.exists(), reason="SPEC.md is not beside the repository")
def test_the_package_copy_of_the_rule_ids_matches_spec() -> None:
    """The rule ids carried in the package are exactly SPEC.md's, in SPEC order."""
    text = SPEC.read_text(encoding="utf-8")

    # A rule is defined where its id first opens a list item; later items (the v1.2
    # clarifications) only refer to it.
    found = list(dict.fromkeys(re.findall(r"^- \*\*([A-Z]{3}-\d+)", text, flags=re.MULTILINE)))

    assert found == list(conformance.RULE_IDS)
    assert {i.split("-")[0] for i in found} == set(FAMILIES)


@pytest.mark.skipif(not SPEC.exists(), reason="SPEC.md is not beside the repository")
def test_the_protocol_rule_names_match_spec() -> None:
    """The protocol rule names carried in the package are SPEC's table's."""
    text = SPEC.read_text(encoding="utf-8")
    table = text.split("Rules and results:", 1)[1].split("Events for", 1)[0]
    names: set[str] = set()
    for cell in re.findall(r"^\| `([^|]+)` \|", table, flags=re.MULTILINE):
        parts = [p.strip(" `") for p in cell.split("/")]
        family = parts[0].rsplit(".", 1)[0]
        names.update(f"{family}{p}" if p.startswith(".") else p for p in parts)

    assert names == set(PROTOCOL_RULES)


def test_every_registered_rule_is_known_to_the_toolkit() -> None:
    """Every rule the protocol answers has rule ids, a request strategy and a schema."""
    pytest.importorskip("hypothesis")
    from leadcore import testing  # noqa: PLC0415  # needs hypothesis

    registered = set(protocol.rules())

    assert registered <= set(PROTOCOL_RULES)
    assert registered <= set(testing.RULES)
    assert set(testing.RULES) == set(PROTOCOL_RULES)
