"""
The documentation site builds, strictly, and says what it should (issue 18).

The site is built once per run, as ``python3 dev.py docs --build`` builds it (``mkdocs
build --strict``), into a temporary directory: a broken link or anchor, an unknown
cross-reference in a docstring, a page missing from the nav, a rule ID the rulebook does
not define, a rule no test or vector names, or a citation of a file outside the
repository fails the build, so it fails here. The tests then read the built site: the API
reference documents every public name, every rule of the rulebook shows its reason codes
and its proof, and rule IDs link to the rulebook.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib
from collections import defaultdict
from pathlib import Path

import pytest

from leadcore import conformance, reasons

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs", reason="the docs extra (in dev) builds the site")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once with --strict into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)]

    done = subprocess.run(  # noqa: S603  # our own interpreter, fixed arguments
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )

    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr[-6000:]}"
    return out


def _inventory(site: Path) -> set[str]:
    """The names the site documents, from its Sphinx-style objects.inv."""
    data = (site / "objects.inv").read_bytes()
    header_end = 0
    for _ in range(4):  # four lines of header, then zlib
        header_end = data.index(b"\n", header_end) + 1
    body = zlib.decompress(data[header_end:]).decode("utf-8")
    return {line.split(" ", 1)[0] for line in body.splitlines() if line}


def test_the_api_reference_documents_every_public_name(site: Path) -> None:
    """Every name of tests/public_api.txt has an entry (signature, docstring) in the reference."""
    documented = _inventory(site)
    listed = (ROOT / "tests" / "public_api.txt").read_text(encoding="utf-8").split()

    missing = [n for n in listed if n.replace(":", ".") not in documented]

    assert not missing


def test_every_public_module_has_its_page(site: Path) -> None:
    """One page per public module, with the module's summary table and its members."""
    listed = (ROOT / "tests" / "public_api.txt").read_text(encoding="utf-8").split()
    modules = {line.split(":", 1)[0] for line in listed}
    modules.discard("leadcore")

    for module in modules:
        page = (site / "api" / module / "index.html").read_text(encoding="utf-8")
        assert f'id="{module}"' in page, module
        assert "doc-signature" in page or "doc-attribute" in page, module


def _rule_sections(site: Path) -> dict[str, str]:
    """The built rulebook, cut into one piece of HTML per rule ID."""
    page = (site / "rules" / "index.html").read_text(encoding="utf-8")
    pieces = re.split(r'(?=<h[23] id="[^"]+")', page)
    found = {}
    for piece in pieces:
        match = re.match(r'<h3 id="([a-z]{3}-\d+)"', piece)
        if match:
            found[match[1].upper()] = piece
    return found


def test_every_rule_is_in_the_rulebook_with_its_proof(site: Path) -> None:
    """Each rule ID has its entry, named by at least one test and one vector."""
    sections = _rule_sections(site)

    assert list(sections) == list(conformance.RULE_IDS)
    for rule_id, html in sections.items():
        proof = re.search(r"Proof: ([\d,]+) tests? and ([\d,]+) conformance vectors?", html)
        assert proof is not None, rule_id
        assert int(proof[1].replace(",", "")) > 0, f"no test names {rule_id}"
        assert int(proof[2].replace(",", "")) > 0, f"no vector is tagged {rule_id}"


def test_every_rule_shows_the_reason_codes_the_catalogue_gives_it(site: Path) -> None:
    """The rulebook's reason codes per rule are the catalogue's, each linked to its table."""
    expected: dict[str, set[str]] = defaultdict(set)
    for group in reasons.CATALOGUE:
        for entry in group.codes:
            expected[entry.rule_id].add(entry.code)

    for rule_id, html in _rule_sections(site).items():
        facts = html.split('class="rule-facts"', 1)[1].split("</div>", 1)[0]
        line = facts.split("Reason codes:", 1)[1].split("</li>", 1)[0]
        shown = set(re.findall(r'href="../reasons/#[^"]+"><code>([a-z_]+)</code>', line))
        assert shown == expected.get(rule_id, set()), rule_id


def test_rule_ids_link_to_the_rulebook(site: Path) -> None:
    """A rule ID in a page's prose, or in a docstring, links to its rulebook entry."""
    merge_page = (site / "merge" / "index.html").read_text(encoding="utf-8")
    merge_api = (site / "api" / "leadcore.merge" / "index.html").read_text(encoding="utf-8")

    assert 'href="../rules/#mrg-3">MRG-3</a>' in merge_page
    assert 'href="../../rules/#mrg-6">MRG-6</a>' in merge_api


def test_docstring_roles_are_cross_references(site: Path) -> None:
    """``:func:`auto``` in a docstring links to ``leadcore.merge.auto``'s entry."""
    merge_api = (site / "api" / "leadcore.merge" / "index.html").read_text(encoding="utf-8")

    assert ":func:" not in merge_api
    assert re.search(r'href="#leadcore\.merge\.auto"[^>]*>\s*<code>auto</code>', merge_api)


def test_files_from_outside_docs_are_shown_with_their_links(site: Path) -> None:
    """The changelog and the benchmarks pages show their files; their links work on the site."""
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    benchmarks = (site / "benchmarks" / "index.html").read_text(encoding="utf-8")

    assert "Unreleased" in changelog
    assert "--8&lt;--" not in changelog
    assert 'href="dedupe/"' in benchmarks


def test_examples_of_files_shown_from_outside_docs_are_doctested() -> None:
    """A page that shows another file adds no untested example: its `>>>` lines run somewhere."""
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    testpaths = re.search(r"^testpaths = \[(.*)\]$", config, flags=re.MULTILINE)
    assert testpaths is not None
    tested = re.findall(r'"([^"]+)"', testpaths[1])

    for page in (ROOT / "docs").rglob("*.md"):
        shown = re.fullmatch(r'\s*--8<--\s+"([^"]+)"\s*', page.read_text(encoding="utf-8"))
        if shown is None:
            continue
        source = ROOT / shown[1]
        if ">>>" in source.read_text(encoding="utf-8"):
            assert any(source.is_relative_to(ROOT / t) for t in tested), source
