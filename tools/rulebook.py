"""
What the repository says about each rule ID, for the rulebook's pages (docs/rules.md).

The rulebook's text is written by hand; what can be found in the repository is found
here, at every build of the site, so it is never stale and no branch ever has to
regenerate it:

- the reason codes each rule gives, from the catalogue (``leadcore.reasons``);
- the protocol rules that implement it (``leadcore.conformance.PROTOCOL_RULES``);
- the public Python objects whose docstring names it (their API reference);
- the decisions that name it (the "Decisions" sections of the family pages, and
  docs/decisions.md);
- the tests that name it (in the test's name, ``..._mrg_3``, or its body, ``MRG-3``);
- the shipped conformance vectors tagged with it.

A range names every rule in it: ``MRG-1 to MRG-8``, ``HND-1..HND-8``. The MkDocs hook
(tools/mkdocs_hooks.py) appends :func:`facts` after each rule of the rulebook;
``tests/test_rulebook.py`` checks what is found here and the built page.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = ("GEN", "LNK", "HND", "REL", "RTE", "MRG")
_PREFIX = "|".join(PREFIXES)
RULE_ID = re.compile(rf"\b(?:{_PREFIX})-\d+\b")
RANGE = re.compile(rf"\b({_PREFIX})-(\d+)\s*(?:to|\.\.|\u2013)\s*(?:\1-)?(\d+)\b")
IN_NAME = re.compile(rf"(?:^|_)({_PREFIX.lower()})_(\d+)(?=_|$)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{#([^}]+)\})?\s*$")
ENTRY = re.compile(r"^\s*(?:\||[-*]\s|\d+\.\s)")


class Decision(NamedTuple):
    """A section of a docs page whose entries (table rows, list items) name rules."""

    page: str
    anchor: str
    title: str
    entries: int


def rule_ids(text: str) -> set[str]:
    """
    Every rule ID ``text`` names, the IDs inside a range included.

    >>> sorted(rule_ids("MRG-1 to MRG-3, and HND-7"))
    ['HND-7', 'MRG-1', 'MRG-2', 'MRG-3']
    >>> sorted(rule_ids("HND-1..HND-2; LNK-10"))
    ['HND-1', 'HND-2', 'LNK-10']
    """
    found = set(RULE_ID.findall(text))
    for prefix, first, last in RANGE.findall(text):
        found.update(f"{prefix}-{n}" for n in range(int(first), int(last) + 1))
    return found


def rulebook_ids(text: str) -> list[str]:
    r"""
    The rule IDs the rulebook defines, in its order: its ``### ID Title {#id}`` headings.

    >>> rulebook_ids("## MRG\n\n### MRG-1 Match {#mrg-1}\n\ntext\n### MRG-2 Credit {#mrg-2}")
    ['MRG-1', 'MRG-2']
    """
    return re.findall(rf"^### ((?:{_PREFIX})-\d+)\b", text, flags=re.MULTILINE)


def tests_by_rule(tests: Path) -> dict[str, list[str]]:
    """
    The tests naming each rule ID, as pytest node ids (``tests/test_x.py::Class::test``).

    A test names a rule in its name (``test_..._mrg_3``, ``..._rel_4_rel_5``) or anywhere
    in its source: docstring, comments, body.
    """
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(tests.rglob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        relative = path.relative_to(tests.parent).as_posix()
        for node_id, node in _tests(ast.parse(source), relative):
            ids = rule_ids("\n".join(lines[node.lineno - 1 : node.end_lineno]))
            ids.update(f"{p.upper()}-{n}" for p, n in IN_NAME.findall(node.name))
            for rule_id in ids:
                found[rule_id].append(node_id)
    return dict(found)


def _tests(
    tree: ast.Module, prefix: str
) -> Iterable[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            yield f"{prefix}::{node.name}", node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, functions) and item.name.startswith("test"):
                    yield f"{prefix}::{node.name}::{item.name}", item


def vectors_by_rule() -> dict[str, list[tuple[str, str]]]:
    """Each rule ID's shipped conformance vectors: (where, description), in file order."""
    from leadcore import conformance  # noqa: PLC0415  # the site's build imports leadcore

    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for vector in conformance.vectors():
        for rule_id in vector.rules:
            found[rule_id].append((vector.where, vector.description))
    return dict(found)


def codes_by_rule() -> dict[str, list[tuple[str, str, bool]]]:
    """Each rule ID's reason codes: (group, code, extension), in the catalogue's order."""
    from leadcore import reasons  # noqa: PLC0415

    found: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for group in reasons.CATALOGUE:
        for entry in group.codes:
            found[entry.rule_id].append((group.name, entry.code, entry.extension))
    return dict(found)


def protocol_by_rule() -> dict[str, list[str]]:
    """Each rule ID's protocol rules, sorted."""
    from leadcore import conformance  # noqa: PLC0415

    found: dict[str, list[str]] = defaultdict(list)
    for rule, ids in sorted(conformance.PROTOCOL_RULES.items()):
        for rule_id in ids:
            found[rule_id].append(rule)
    return dict(found)


def code_by_rule(modules: Iterable[str]) -> dict[str, list[str]]:
    """
    Each rule ID's public objects: those of ``modules`` whose docstring names it.

    A module's own docstring counts for the module; each name of its ``__all__`` counts
    once, under the first module that exports it.
    """
    found: dict[str, list[str]] = defaultdict(list)
    seen: set[int] = set()
    for module_name in modules:
        module = importlib.import_module(module_name)
        for rule_id in sorted(rule_ids(inspect.getdoc(module) or "")):
            found[rule_id].append(module_name)
        for name in module.__all__:
            item = getattr(module, name)
            if not (inspect.isclass(item) or inspect.isfunction(item)) or id(item) in seen:
                continue
            seen.add(id(item))
            for rule_id in sorted(rule_ids(inspect.getdoc(item) or "")):
                found[rule_id].append(f"{module_name}.{name}")
    return dict(found)


def decisions_by_rule(docs: Path, pages: Iterable[str]) -> dict[str, list[Decision]]:
    """
    Each rule ID's decisions: the sections of ``pages`` that decide about it.

    On a family's page the section is its "Decisions" (with its subsections); on
    ``decisions.md`` every section. An entry is a table row or a list item; a section is
    listed with the number of its entries naming the rule.
    """
    found: dict[str, list[Decision]] = defaultdict(list)
    for page in pages:
        inside: int | None = 0 if page == "decisions.md" else None
        for level, title, anchor, lines in _sections((docs / page).read_text(encoding="utf-8")):
            if inside is not None and 0 < level <= inside:
                inside = None
            if inside is None and title.strip().lower() == "decisions":
                inside = level
            if inside is None:
                continue
            per_rule: dict[str, int] = defaultdict(int)
            for line in lines:
                if ENTRY.match(line):
                    for rule_id in rule_ids(line):
                        per_rule[rule_id] += 1
            for rule_id, count in per_rule.items():
                found[rule_id].append(Decision(page, anchor, title, count))
    return dict(found)


def _sections(text: str) -> Iterable[tuple[int, str, str, list[str]]]:
    """A page's sections: (heading level, title, anchor, lines), fenced code left out."""
    level, title, anchor = 0, "", ""
    lines: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        heading = None if fenced else HEADING.match(line)
        if heading:
            yield level, title, anchor, lines
            level, title = len(heading[1]), heading[2]
            anchor, lines = heading[3] or slug(title), []
        elif not fenced:
            lines.append(line)
    yield level, title, anchor, lines


def slug(text: str) -> str:
    """
    The anchor MkDocs gives a heading (Python-Markdown's ``toc`` slugify).

    >>> slug("Linking (LNK)"), slug("merge.auto"), slug("Conformance: the contract")
    ('linking-lnk', 'mergeauto', 'conformance-the-contract')
    """
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


class Facts(NamedTuple):
    """Everything found about every rule, once per build."""

    codes: Mapping[str, list[tuple[str, str, bool]]]
    protocol: Mapping[str, list[str]]
    code: Mapping[str, list[str]]
    decisions: Mapping[str, list[Decision]]
    tests: Mapping[str, list[str]]
    vectors: Mapping[str, list[tuple[str, str]]]


def gather(docs: Path, modules: Iterable[str], decision_pages: Iterable[str]) -> Facts:
    """Find every fact about every rule in the repository."""
    return Facts(
        codes=codes_by_rule(),
        protocol=protocol_by_rule(),
        code=code_by_rule(modules),
        decisions=decisions_by_rule(docs, decision_pages),
        tests=tests_by_rule(docs.parent / "tests"),
        vectors=vectors_by_rule(),
    )


def facts(rule_id: str, found: Facts) -> str:
    """The Markdown shown after a rule of the rulebook: its codes, code, decisions, proof."""
    lines = ['<div class="rule-facts" markdown>', ""]
    codes = found.codes.get(rule_id, [])
    if codes:
        shown = [
            f"[`{code}`](reasons.md#{slug(group)})" + (" (extension)" if extension else "")
            for group, code, extension in codes
        ]
        lines.append(f"- **Reason codes:** {', '.join(dict.fromkeys(shown))}")
    else:
        lines.append("- **Reason codes:** none of its own")
    protocol = found.protocol.get(rule_id, [])
    if protocol:
        lines.append(f"- **Protocol:** {', '.join(f'`{r}`' for r in protocol)}")
    code = found.code.get(rule_id, [])
    if code:
        lines.append(f"- **Code:** {', '.join(f'[`{c}`][{c}]' for c in code)}")
    decided = found.decisions.get(rule_id, [])
    if decided:
        shown = [
            f"[{d.page.removesuffix('.md')}: {d.title}]({d.page}#{d.anchor}) ({d.entries})"
            for d in decided
        ]
        lines.append(f"- **Decisions:** {', '.join(shown)}")
    tests = found.tests.get(rule_id, [])
    vectors = found.vectors.get(rule_id, [])
    lines += ["", "</div>", ""]
    proof = f"{_count(len(tests), 'test')} and {_count(len(vectors), 'conformance vector')}"
    lines += [f'??? success "Proof: {proof} name {rule_id}"', ""]
    if tests:
        lines += ["    Tests (in their name or body):", ""]
        lines += [f"    - `{t}`" for t in tests]
        lines.append("")
    if vectors:
        lines += ["    Vectors (`src/leadcore/data/vectors/`, tagged in `rules`):", ""]
        lines += [f"    - `{where}`: {_plain(text)}" for where, text in vectors]
        lines.append("")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    """
    ``n`` and ``noun``, plural when ``n`` is not 1.

    >>> _count(1, "test"), _count(3, "conformance vector")
    ('1 test', '3 conformance vectors')
    """
    return f"{n:,} {noun}{'s' * (n != 1)}"


def _plain(text: str) -> str:
    """A vector's description as Markdown text: no markup, no rule ID turned into a link."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def expand(markdown: str, found: Facts) -> str:
    """The rulebook's Markdown with each rule's facts after its text."""
    out: list[str] = []
    current: str | None = None
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading and len(heading[1]) <= 3:  # a rule is a level-3 heading
            if current is not None:
                out.append(facts(current, found))
            ids = rulebook_ids(line)
            current = ids[0] if ids else None
        out.append(line)
    if current is not None:
        out += ["", facts(current, found)]
    return "\n".join(out) + "\n"
