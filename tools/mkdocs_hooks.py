"""
MkDocs hooks of leadcore's documentation site (loaded by ``hooks:`` in mkdocs.yml).

- **Files from outside docs/.** A page whose whole text is ``--8<-- "CHANGELOG.md"`` (a
  path from the repository root) shows that file. Its relative links are rewritten for
  the site, so ``benchmarks/README.md`` can link ``dedupe.md`` and ``../docs/merge.md``
  as it does on a clone.
- **Links that leave docs/.** In every page, a link to a file shown by such a page goes to
  that page (``../CHANGELOG.md`` to ``changelog.md``); a link to another file of the
  repository (a script, a source file) becomes its path, as code: the site has no page
  for it. A link to nothing is left alone, for MkDocs to refuse.
- **Rule IDs.** Every rule ID in a page's text (``MRG-3``, in prose, tables or
  docstrings; not in code, headings or links) links to its entry in the rulebook,
  ``rules.md#mrg-3``. An ID the rulebook does not define is a warning, so a strict build
  fails on it.
- **The rulebook's facts.** After each rule of docs/rules.md comes what the repository
  says about it, found at build time by tools/rulebook.py: reason codes, protocol rules,
  code, decisions, tests and vectors. A rule no test or no vector names is a warning.
- **Self-contained.** A page that cites the upstream specification or its seed files,
  which a clone does not contain, is a warning too: cite the rulebook instead.
- **Benchmark charts.** The charts of ``benchmarks/results/*.json``, drawn by
  tools/bench_charts.py, become SVG files of the site (``benchmarks/charts/<id>.svg``);
  each is shown, with its caption, on the page that shows the file the results file names
  (``page``), at the end of the section it names (``section``: the heading's start), or in
  a "Charts" section at the end of that page. A results file that cannot be read, or a
  chart whose page the site does not show, is a warning.
"""

from __future__ import annotations

import html
import importlib.util
import logging
import posixpath
import re
import sys
from collections.abc import Callable
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

LOG = logging.getLogger("mkdocs.plugins.leadcore")

INCLUDE = re.compile(r'\A\s*--8<--\s+"([^"]+)"\s*\Z')
RULE_ID = re.compile(r"\b(?:GEN|LNK|HND|REL|RTE|MRG)-\d+\b")
HEADING_ID = re.compile(
    r"^#{2,4} ((?:GEN|LNK|HND|REL|RTE|MRG)-\d+)\b.*\{#([a-z]{3}-\d+)\}", re.MULTILINE
)
# "SPEC" alone (not SPEC_RESULT_KEYS and the like) and the seed files' names.
OUTSIDE = re.compile(r"\bSPEC\b(?!_)|\b\d{3}_[0-9a-f]{16}\.txt\b")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
LINK = re.compile(r"(!?\[(?:[^\[\]]|\[[^\]]*\])*\])\(([^)\s]+)(\s+\"[^\"]*\")?\)")
# Inside these elements a rule ID is left as it is.
SKIP = frozenset(
    {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "script", "style"}
)
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")

# MkDocs loads this file by path, not as part of a package: load its neighbour the same way.
_spec = importlib.util.spec_from_file_location(
    "leadcore_site_rulebook", Path(__file__).with_name("rulebook.py")
)
if _spec is None or _spec.loader is None:  # pragma: no cover  # the file is beside this one
    raise ImportError(Path(__file__).with_name("rulebook.py"))
rulebook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rulebook)
_spec = importlib.util.spec_from_file_location(
    "leadcore_site_bench_charts", Path(__file__).with_name("bench_charts.py")
)
if _spec is None or _spec.loader is None:  # pragma: no cover  # the file is beside this one
    raise ImportError(Path(__file__).with_name("bench_charts.py"))
bench_charts = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench_charts  # its dataclasses look their module up
_spec.loader.exec_module(bench_charts)

_included: dict[str, str] = {}  # repository path -> docs page (src_uri) that shows it
_rules: dict[str, str] = {}  # rule ID -> anchor in rules.md
_charts: dict[
    str, list[tuple[str, str | None, str]]
] = {}  # repository path -> (uri, section, html)
CHARTS_DIR = "benchmarks/charts"
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Find the pages that show a file from outside docs/, and the rulebook's IDs."""
    _included.clear()
    _rules.clear()
    for file in files.documentation_pages():
        text = Path(file.abs_src_path or "").read_text(encoding="utf-8")
        match = INCLUDE.match(text)
        if match:
            _included[posixpath.normpath(match[1])] = file.src_uri
        if file.src_uri == "rules.md":
            _rules.update(HEADING_ID.findall(text))
    _add_charts(files, config)
    return files


def _add_charts(files: Files, config: MkDocsConfig) -> None:
    """Add the benchmarks' charts to the site, and note which page shows each."""
    _charts.clear()
    try:
        figures = bench_charts.build(_root(config), log=LOG.warning)
    except (ValueError, KeyError, TypeError) as error:  # a results file the charts cannot read
        LOG.warning("benchmark charts: %s", error)
        return
    shown = {**_included, **{f"docs/{f.src_uri}": f.src_uri for f in files.documentation_pages()}}
    for figure in figures:
        uri = f"{CHARTS_DIR}/{figure.id}.svg"
        if figure.page not in shown:
            LOG.warning("chart %s: no page of the site shows %s", figure.id, figure.page)
            continue
        files.append(File.generated(config, uri, content=figure.svg))
        alt = html.escape(figure.alt, quote=True)
        block = (
            f'<figure class="bench-chart" markdown="span">'
            f"![{alt}]({{relative}}){{ loading=lazy }}"
            f"<figcaption>{figure.caption}</figcaption></figure>\n"
        )
        _charts.setdefault(figure.page, []).append((uri, figure.section, block))


def _with_charts(markdown: str, source: str, page: str) -> str:
    """``markdown`` (of repository file ``source``) with its charts after their sections."""
    charts = _charts.get(source)
    if not charts:
        return markdown
    masked = FENCE.sub(lambda m: "\n" * m[0].count("\n"), markdown)  # no heading in code
    headings = [(m.start(), m[2]) for m in HEADING.finditer(masked)]
    inserts: list[tuple[int, str]] = []
    at_end: list[str] = []
    for uri, section, block in charts:
        relative = posixpath.relpath(uri, posixpath.dirname(page) or ".")
        text = "\n" + block.replace("{relative}", relative) + "\n"
        found = [
            i for i, (_, title) in enumerate(headings) if section and title.startswith(section)
        ]
        if not found:
            at_end.append(text)
            continue
        after = found[0] + 1
        inserts.append((headings[after][0] if after < len(headings) else len(markdown), text))
    by_position: dict[int, list[str]] = {}
    for position, text in inserts:
        by_position.setdefault(position, []).append(text)
    for position in sorted(by_position, reverse=True):  # later first: positions stay right
        text = "".join(by_position[position])
        markdown = markdown[:position].rstrip("\n") + "\n" + text + "\n" + markdown[position:]
    if at_end:
        markdown = markdown.rstrip("\n") + "\n\n## Charts\n" + "".join(at_end)
    return markdown


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Show an included file, and point links that leave docs/ at the site's pages."""
    root = _root(config)
    docs = Path(config.docs_dir).resolve().relative_to(root).as_posix()
    source = f"{docs}/{page.file.src_uri}"
    match = INCLUDE.match(markdown)
    if match:
        source = posixpath.normpath(match[1])
        markdown = (root / source).read_text(encoding="utf-8")
    if page.file.src_uri == "rules.md":
        markdown = _rulebook(markdown, root, files)
    linked = _outside_code(
        markdown,
        lambda text: LINK.sub(lambda m: _link(m, source, page.file.src_uri, docs, root), text),
    )
    return _with_charts(linked, source, page.file.src_uri)


def _rulebook(markdown: str, root: Path, files: Files) -> str:
    """The rulebook with each rule's facts; a warning for a rule without tests or vectors."""
    modules = dict.fromkeys(
        line.split(":", 1)[0]
        for line in (root / "tests" / "public_api.txt").read_text(encoding="utf-8").split()
    )
    modules.pop("leadcore", None)  # re-exports: each name is shown under its own module
    pages = [f.src_uri for f in files.documentation_pages()]
    found = rulebook.gather(root / "docs", modules, pages)
    for rule_id in rulebook.rulebook_ids(markdown):
        missing = [kind for kind in ("tests", "vectors") if not getattr(found, kind).get(rule_id)]
        if missing:
            LOG.warning("rules.md: no %s name %s", " and no ".join(missing), rule_id)
    expanded: str = rulebook.expand(markdown, found)
    return expanded


def _outside_code(markdown: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the Markdown text outside fenced blocks and code spans."""
    out, last = [], 0
    for block in FENCE.finditer(markdown):
        out.append(_outside_spans(markdown[last : block.start()], change))
        out.append(block[0])
        last = block.end()
    out.append(_outside_spans(markdown[last:], change))
    return "".join(out)


def _outside_spans(text: str, change: Callable[[str], str]) -> str:
    out, last = [], 0
    for span in CODE_SPAN.finditer(text):
        out.append(change(text[last : span.start()]))
        out.append(span[0])
        last = span.end()
    out.append(change(text[last:]))
    return "".join(out)


def _link(match: re.Match[str], source: str, page: str, docs: str, root: Path) -> str:
    """The link ``match`` of the repository file ``source``, as page ``page`` shows it."""
    label, target, title = match[1], match[2], match[3] or ""
    if "://" in target or target.startswith(("#", "mailto:")):
        return match[0]
    path, hash_, anchor = target.partition("#")
    repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if repo_path.startswith(f"{docs}/"):
        site_path = repo_path[len(docs) + 1 :]
    elif repo_path in _included:
        site_path = _included[repo_path]
    elif (root / repo_path).exists() and not repo_path.startswith(".."):
        return f"{label[1:-1]} (`{repo_path}`)"
    else:
        return match[0]
    relative = posixpath.relpath(site_path, posixpath.dirname(page) or ".")
    return f"{label}({relative}{hash_}{anchor}{title})"


def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:  # noqa: ARG001
    """Link every rule ID of the page's text to the rulebook; warn of outside citations."""
    cited = OUTSIDE.findall(html.unescape(re.sub(r"<[^>]+>", "", html_text)))
    if cited:
        LOG.warning(
            "%s cites %s (%d times), which a clone does not contain: cite the rulebook"
            " (rules.md) instead",
            page.file.src_uri,
            ", ".join(sorted(set(cited))),
            len(cited),
        )
    rulebook = files.get_file_from_path("rules.md")
    if rulebook is None or not _rules:
        return html_text
    base = "" if page.file is rulebook else get_relative_url(rulebook.url, page.url)
    linked, unknown = link_rule_ids(html_text, base)
    if unknown:
        LOG.warning(
            "%s names %s, which the rulebook does not define",
            page.file.src_uri,
            ", ".join(sorted(unknown)),
        )
    return linked


def link_rule_ids(html_text: str, base: str) -> tuple[str, set[str]]:
    """Link the rule IDs of ``html_text`` to ``base#id``; also return the unknown IDs."""
    out, depth, last = [], 0, 0
    unknown: set[str] = set()
    for tag in TAG.finditer(html_text):
        out.append(_link_ids(html_text[last : tag.start()], depth, base, unknown))
        out.append(tag[0])
        last = tag.end()
        if tag[2].lower() in SKIP and not tag[3]:
            depth += -1 if tag[1] else 1
    out.append(_link_ids(html_text[last:], depth, base, unknown))
    return "".join(out), unknown


def _link_ids(text: str, depth: int, base: str, unknown: set[str]) -> str:
    if depth > 0:
        return text

    def link(match: re.Match[str]) -> str:
        anchor = _rules.get(match[0])
        if anchor is None:
            unknown.add(match[0])
            return match[0]
        return f'<a class="rule-id" href="{base}#{anchor}">{match[0]}</a>'

    return RULE_ID.sub(link, text)
