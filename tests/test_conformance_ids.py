"""
Every rule ID is exercised by a shipped conformance vector (issue 9).

One test per rule id, so a missing id shows by name (``test_rule_id_has_a_vector[HND-7]``).
The rule families are written in parallel: the ids of a family whose vectors file is not
shipped yet are skipped with a reason; GEN ids are always checked. The package's copy of
the rule-id list and of the protocol's rule names is checked against the rulebook the
repository carries (``docs/rules.md``), so a clone tests everything it ships.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leadcore import conformance, protocol
from leadcore.conformance._ids import FAMILIES, PROTOCOL_RULES, family_of

RULEBOOK = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
SHIPPED = set(conformance.shipped_families())
COUNTS = conformance.covered(conformance.vectors())


@pytest.mark.parametrize("rule_id", list(conformance.RULE_IDS))
def test_rule_id_has_a_vector(rule_id: str) -> None:
    """Each rule ID (GEN-1...MRG-8) is tagged by at least one shipped vector."""
    family = family_of(rule_id)
    if COUNTS[rule_id] == 0 and family != "general" and family not in SHIPPED:
        pytest.skip(f"{family}.jsonl is not shipped yet: {rule_id} cannot be covered")

    assert COUNTS[rule_id] > 0, (
        f"no shipped vector is tagged {rule_id} ({conformance.RULE_IDS[rule_id]}); "
        f"add one to src/leadcore/data/vectors/{family if family != 'general' else '*'}.jsonl"
    )


def test_every_vector_tag_is_a_spec_rule_id() -> None:
    """Vectors name only the rulebook's rule ids (the loader refuses others)."""
    assert set(COUNTS) == set(conformance.RULE_IDS)


def _rulebook_items() -> list[tuple[str, str]]:
    """The rulebook's rules: ``### ID Title {#id}`` headings, each with its first paragraph."""
    text = RULEBOOK.read_text(encoding="utf-8")
    items = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    found = []
    for item in items:
        match = re.match(r"([A-Z]{3}-\d+) [^\n{]+\{#([a-z0-9-]+)\}\n\n(.+)", item, flags=re.DOTALL)
        assert match is not None, (
            f"a rulebook rule without an ID, a title, an anchor: {item[:60]!r}"
        )
        assert match[2] == match[1].lower(), f"{match[1]}'s anchor is #{match[2]}"
        paragraph = match[3].split("\n\n", 1)[0]
        found.append((match[1], " ".join(paragraph.split())))
    return found


def test_the_package_copy_of_the_rule_ids_matches_the_rulebook() -> None:
    """The rule ids carried in the package are exactly the rulebook's, in its order."""
    items = _rulebook_items()
    ids = [rule_id for rule_id, _ in items]

    assert len(ids) == len(set(ids)), "a rule id is defined twice in docs/rules.md"
    assert ids == list(conformance.RULE_IDS)
    assert {i.split("-")[0] for i in ids} == set(FAMILIES)


def test_every_rule_of_the_rulebook_has_a_paragraph() -> None:
    """Each rule id of the rulebook comes with a sentence or more saying what it rules."""
    short = [rule_id for rule_id, text in _rulebook_items() if len(text.split()) < 8]

    assert not short


def test_every_rule_id_is_named_by_a_test() -> None:
    """Every rule id is named by at least one test (in its name or its body)."""
    here = Path(__file__).resolve()
    text = "\n".join(p.read_text(encoding="utf-8") for p in here.parent.rglob("*.py") if p != here)

    unnamed = [i for i in conformance.RULE_IDS if not re.search(rf"\b{i}\b", text)]

    assert not unnamed


def test_the_protocol_rule_names_match_the_rulebook() -> None:
    """The protocol rules carried in the package, and their rule ids, are the rulebook's."""
    text = RULEBOOK.read_text(encoding="utf-8")
    table = text.split("## Protocol rules", 1)[1]
    rows = re.findall(r"^\| `([a-z_.]+)` \| ([A-Z0-9, -]+) \|$", table, flags=re.MULTILINE)

    assert {name: tuple(ids.split(", ")) for name, ids in rows} == dict(PROTOCOL_RULES)
    assert len(rows) == len(PROTOCOL_RULES)


def test_every_registered_rule_is_known_to_the_toolkit() -> None:
    """Every rule the protocol answers has rule ids, a request strategy and a schema."""
    pytest.importorskip("hypothesis")
    from leadcore import testing  # noqa: PLC0415  # needs hypothesis

    registered = set(protocol.rules())

    assert registered <= set(PROTOCOL_RULES)
    assert registered <= set(testing.RULES)
    assert set(testing.RULES) == set(PROTOCOL_RULES)
