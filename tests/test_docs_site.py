"""
The documentation site builds, strictly, and says what it should (issue 18).

The site is built once per run, as ``python3 dev.py docs --build`` builds it (``mkdocs
build --strict``), into a temporary directory: a broken link or anchor, an unknown
cross-reference in a docstring, a page missing from the nav, a rule ID the rulebook does
not define, a rule no test or vector names, or a citation of a file outside the
repository fails the build, so it fails here. The tests then read the built site: the API
reference documents every public name, every rule of the rulebook shows its reason codes
and its proof, rule IDs link to the rulebook, and each benchmark chart is on its page with a caption
that says what was measured, on what machine, under what load.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import zlib
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

from leadcore import conformance, reasons

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs", reason="the docs extra (in dev) builds the site")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once with --strict into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    # Not measured by coverage (COVERAGE_PROCESS_*, set by the test command for the
    # processes tests start): the build reads leadcore's catalogue (tools/rulebook.py),
    # which the tests reach, and traced it took twice as long.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_PROCESS")}
    env["NO_MKDOCS_2_WARNING"] = "1"
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


def _not_constructed(obj: object) -> bool:
    """Whether a public class is one a user does not construct: its members are its API."""
    return isinstance(obj, type) and (
        issubclass(obj, enum.Enum | BaseException | reasons.ReasonGroup)
        or getattr(obj, "_is_protocol", False)
    )


def test_every_public_name_shows_its_signature(site: Path) -> None:
    """Functions, classes (attrs' __init__ included) and constants are shown with their types."""
    listed = (ROOT / "tests" / "public_api.txt").read_text(encoding="utf-8").split()
    pages: dict[str, str] = {}
    unsigned = []

    for line in listed:
        module, name = line.split(":")
        if module == "leadcore":
            continue  # re-exports, documented under their own modules
        if module not in pages:
            pages[module] = (site / "api" / module / "index.html").read_text(encoding="utf-8")
        page = pages[module]
        start = page.index(f'id="{module}.{name}"')
        following = re.search(r'<h[1-6] id="leadcore\.', page[start + 1 :])
        entry = page[start : start + 1 + following.start()] if following else page[start:]
        obj = getattr(importlib.import_module(module), name)
        if "doc-signature" not in entry and not _not_constructed(obj):
            unsigned.append(line)

    assert not unsigned


def test_an_attrs_class_shows_the_arguments_it_takes(site: Path) -> None:
    """The signature of a frozen class is its attrs __init__: keyword-only, with defaults."""
    merge_api = (site / "api" / "leadcore.merge" / "index.html").read_text(encoding="utf-8")
    start = merge_api.index('id="leadcore.merge.MatchRule"')
    signature = re.search(r"doc-signature.*?</div>", merge_api[start:], re.DOTALL)
    assert signature is not None
    text = re.sub(r"<[^>]+>", "", signature[0])

    assert "MatchRule(*, any_of: tuple[MatchGroup, ...], people: People = 'closest')" in text


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


# -- the benchmarks' charts -----------------------------------------------------------------


def _load(name: str, path: Path) -> ModuleType:
    """A module of tools/ or benchmarks/ loaded by path, as the site's hooks load it."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


charts = _load("leadcore_test_bench_charts", ROOT / "tools" / "bench_charts.py")
record = _load("leadcore_test_bench_record", ROOT / "benchmarks" / "record.py")


def test_every_chart_is_on_its_page_with_what_it_measures(site: Path) -> None:
    """Each chart is an SVG of the site, shown on its page; the caption says machine and load."""
    pages = {
        "dedupe-size": "dedupe",
        "dedupe-vs-baseline": "dedupe",
        "dedupe-phones": "dedupe",
        "spark-size": "",
        "spark-vs-baseline": "",
        "merge-lookup": "merge",
        "merge-build": "merge",
        "routing-runs": "routing",
        "related-size": "related",
        "limits-cpu": "limits",
    }
    assert set(pages) == {c.id for c in charts.CHARTS}

    for chart, page in pages.items():
        svg = (site / "benchmarks" / "charts" / f"{chart}.svg").read_text(encoding="utf-8")
        html = (site / "benchmarks" / page / "index.html").read_text(encoding="utf-8")
        figure = re.search(rf'<figure class="bench-chart">.*?/{chart}\.svg".*?</figure>', html)
        assert svg.startswith("<svg"), chart
        assert figure is not None, chart
        assert "Machine: 2 CPUs" in figure[0], chart
        assert "load average" in figure[0], chart
        assert re.search(r"CPU time|wall time|memory", figure[0]), chart
        assert f"benchmarks/results/{charts.CHARTS_BY_ID[chart].results}.json" in figure[0]


def test_the_results_files_say_what_they_measured() -> None:
    """Every run of every results file has its conditions, and says what its figures mean."""
    for path in sorted((ROOT / "benchmarks" / "results").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["benchmark"] == path.stem
        assert (ROOT / data["script"]).exists(), path
        assert (ROOT / data["page"]).exists(), path
        for run in data["runs"]:
            assert {"date", "commit", "source", "machine", "metrics", "measurements"} <= set(run)
            figures = {
                key
                for m in run["measurements"]
                for key in m
                if key.endswith(charts.FIGURE_SUFFIXES)
            }
            described = {key.rsplit(".", 1)[-1] for key in run["metrics"]}
            drawn = {f for c in charts.CHARTS if c.results == path.stem for f in c.figures}
            assert figures & drawn <= described, (path.name, run["date"])


def test_a_new_run_of_a_script_replaces_its_series_and_shows_its_conditions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What record.Run writes, the charts read: the newest run's series wins; the caption says."""
    monkeypatch.setattr(record, "RESULTS", tmp_path)
    metrics = {"wall_s": "wall of the job", "cpu_s": "CPU of the job", "peak_pss_mib": "peak PSS"}
    for jobs, wall in ((("leadcore", "baseline"), 10.0), (("leadcore",), 5.0)):
        run = record.Run(
            "dedupe", script="s.py", page="benchmarks/dedupe.md", section="Results", metrics=metrics
        )
        run.extend(
            {"kind": "job", "rows": rows, "job": job, "wall_s": wall, "cpu_s": 1, "peak_pss_mib": 1}
            for rows in (100_000, 1_000_000)
            for job in jobs
        )
        run.save()
    runs = json.loads((tmp_path / "dedupe.json").read_text(encoding="utf-8"))["runs"]
    size = charts.CHARTS_BY_ID["dedupe-size"]
    ratio = charts.CHARTS_BY_ID["dedupe-vs-baseline"]

    used = charts.choose(size, runs)
    text = charts.caption(size, used)

    assert [(run is runs[1], sorted({r["job"] for r in rows})) for run, rows in used] == [
        (True, ["leadcore"]),
        (False, ["baseline"]),
    ]
    assert "Runs: " in text
    assert "load average" in text
    assert "<code>wall_s</code>: wall of the job" in text
    assert charts.choose(ratio, runs) == []  # no run compares leadcore with its baseline


def test_a_results_file_no_chart_names_gets_a_chart_of_its_own(tmp_path: Path) -> None:
    """A new benchmark's results file shows on its page without a chart written for it."""
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    run = {
        "date": "2026-12-07",
        "commit": "abc1234",
        "source": "benchmarks/match_rules_bench.py",
        "machine": {"cpus": 2, "platform": "x86_64 Linux", "python": "3.11.7"},
        "load": [1.5, 2.5],
        "metrics": {"cpu_s": "CPU of the job", "wall_s": "wall of the job"},
        "measurements": [
            {"kind": "job", "rows": 1_000_000, "job": "default", "cpu_s": 20.5, "wall_s": 14},
            {"kind": "job", "rows": 1_000_000, "job": "rule3", "cpu_s": 31.0, "wall_s": 22},
        ],
    }
    found = {"benchmark": "match_rules", "page": "benchmarks/dedupe.md", "section": "Match rules"}
    (results / "match_rules.json").write_text(json.dumps({**found, "runs": [run]}))

    figures = charts.build(tmp_path, log=pytest.fail)

    assert [(f.id, f.page, f.section) for f in figures] == [
        ("match_rules-runs", "benchmarks/dedupe.md", "Match rules")
    ]
    assert figures[0].svg.startswith("<svg")
    assert "1-minute load average 1.5 to 2.5" in figures[0].caption
    assert "rule3" in figures[0].svg


def test_every_python_example_of_the_docs_runs() -> None:
    """A ``python`` block of a page is a doctest, unless the page runs otherwise or says why not."""
    run_otherwise = {"dedupe_example.md"}  # every cell runs in tests/test_dedupe_docs.py
    block = re.compile(r"^```(?:python|py|pycon)\b[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
    untested = []

    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for found in block.finditer(text):
            before = text[: found.start()].rstrip().rsplit("\n\n", 1)[-1]
            if ">>>" in found[1] or page.name in run_otherwise or "Not doctested:" in before:
                continue
            untested.append(f"{page.name}:{text[: found.start()].count(chr(10)) + 1}")

    assert not untested
