"""
The public API surface, frozen (STYLE "Public API").

`tests/public_api.txt` lists every public name, one `module:name` a line. Changing it is
an API change and needs a changelog entry. Each public module declares an `__all__` (kept
sorted by ruff's RUF022) and a `__dir__` that returns it, and every public name has a
docstring.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest

LISTING = Path(__file__).with_name("public_api.txt")
PUBLIC_MODULES = (
    "leadcore",
    "leadcore.model",
    "leadcore.normalize",
    "leadcore.decisions",
    "leadcore.reasons",
    "leadcore.errors",
    "leadcore.linking",
    "leadcore.merge",
    "leadcore.routing",
    "leadcore.handover",
    "leadcore.related",
    "leadcore.dedupe",
    "leadcore.spark",
    "leadcore.simulation",
    "leadcore.protocol",
    "leadcore.wire",
    "leadcore.testing",
    "leadcore.conformance",
)


def _modules() -> list[ModuleType]:
    found = []
    for name in PUBLIC_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return found


def _surface() -> list[str]:
    return sorted(f"{m.__name__}:{n}" for m in _modules() for n in m.__all__)


def test_surface_matches_the_checked_in_list() -> None:
    """Nothing enters or leaves the public API by accident."""
    expected = [line for line in LISTING.read_text().splitlines() if line.strip()]

    actual = _surface()

    added = sorted(set(actual) - set(expected))
    removed = sorted(set(expected) - set(actual))
    hint = "if intended, update tests/public_api.txt and CHANGELOG.md"
    assert not added, f"public API gained {added}; {hint}"
    assert not removed, f"public API lost {removed}; {hint}"


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__)
def test_all_is_unique_and_dir_returns_it(module: ModuleType) -> None:
    """Each public module declares __all__ and a __dir__ returning it (ruff keeps it sorted)."""
    names = list(module.__all__)

    assert len(names) == len(set(names))
    assert sorted(dir(module)) == sorted(names)
    for name in names:
        assert hasattr(module, name), name


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__)
def test_every_public_name_is_documented(module: ModuleType) -> None:
    """Public means documented: every public class and function has a docstring."""
    assert inspect.getdoc(module), module.__name__
    for name in module.__all__:
        item = getattr(module, name)
        if inspect.isclass(item) or inspect.isfunction(item):
            assert inspect.getdoc(item), f"{module.__name__}.{name} has no docstring"


DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_public_name_has_a_description() -> None:
    """
    Every public name, constants and type aliases included, has a docstring the site shows.

    Classes and functions carry theirs at run time; a constant's or an alias's is the
    string after its assignment, which only the source holds: read as the site's API
    reference reads it (griffe, statically).
    """
    griffe = pytest.importorskip("griffe")
    package = griffe.load(
        "leadcore", search_paths=[str(Path(__file__).parents[1] / "src")], resolve_aliases=True
    )

    undocumented = []
    for module in _modules():
        node = package if module.__name__ == "leadcore" else package[module.__name__[9:]]
        for name in module.__all__:
            member = node[name]
            target = member.final_target if member.is_alias else member
            if not (target.docstring and target.docstring.value.strip()):
                undocumented.append(f"{module.__name__}:{name}")

    assert not undocumented, "add a docstring (after the assignment, for a constant)"


def _summary(module: ModuleType) -> str:
    return (inspect.getdoc(module) or "").strip().splitlines()[0].replace("|", "\\|")


def _home(item: object) -> str:
    """The public module that documents ``item``, a name of ``leadcore``'s ``__all__``."""
    for module in _modules()[1:]:
        for name in module.__all__:
            if getattr(module, name) is item:
                return f"{module.__name__}.{name}"
    raise LookupError(item)


def render_api_pages() -> dict[str, str]:
    """
    The API reference's pages, by path under docs/: ``api.md`` and one page per module.

    Each module's page is a mkdocstrings directive: the site renders the module's
    docstring, a summary table and every name of its ``__all__`` with its signature, type
    hints and docstring. ``api.md`` lists the modules and what ``leadcore`` re-exports.
    Regenerate with ``python -m tests.test_public_api`` (it writes the files).
    """
    package, *modules = _modules()
    lines = [
        "# API reference",
        "",
        "One page per public module, generated from the code: each shows the module's",
        "docstring, a summary of its names, then every name of its `__all__` with its",
        "signature, type hints and docstring. `python -m tests.test_public_api` writes these",
        "pages from `tests/public_api.txt`'s modules; a test keeps them in step with the code",
        "and another checks that the built site documents every public name.",
        "",
        "| module | what it holds |",
        "|---|---|",
    ]
    lines += [f"| [`{m.__name__}`](api/{m.__name__}.md) | {_summary(m)} |" for m in modules]
    lines += [
        "",
        "## Re-exported from `leadcore`",
        "",
        "Domain types, policies, results and errors are re-exported from the package",
        "(`from leadcore import Lead, MergePolicy`); rule functions are called through their",
        "module (`leadcore.merge.auto(...)`). Each name below links to where it is documented.",
        "",
    ]
    homes: dict[str, list[str]] = {}
    for name in package.__all__:
        if name != "__version__":
            home = _home(getattr(package, name))
            homes.setdefault(home.rsplit(".", 1)[0], []).append(f"[`{name}`][{home}]")
    lines += ["| documented in | names |", "|---|---|"]
    lines += [
        f"| `{m.__name__}` | {', '.join(homes[m.__name__])} |"
        for m in modules
        if m.__name__ in homes
    ]
    if "__version__" in package.__all__:
        lines += ["", "::: leadcore.__version__", "    options:", "      heading_level: 3"]
    pages = {"api.md": "\n".join(lines) + "\n"}
    for module in modules:
        pages[f"api/{module.__name__}.md"] = f"::: {module.__name__}\n"
    return pages


def test_api_pages_are_up_to_date() -> None:
    """docs/api.md and docs/api/ hold exactly the generated pages (regenerate when this fails)."""
    expected = render_api_pages()
    present = {"api.md"} | {f"api/{p.name}" for p in (DOCS / "api").glob("*")}

    assert present == set(expected), "run: python -m tests.test_public_api"
    for path, text in expected.items():
        assert (DOCS / path).read_text(encoding="utf-8") == text, (
            f"docs/{path} is stale; run: python -m tests.test_public_api"
        )


if __name__ == "__main__":
    import sys

    for stale in (DOCS / "api").glob("*.md"):
        stale.unlink()
    (DOCS / "api").mkdir(exist_ok=True)
    for relative, content in render_api_pages().items():
        (DOCS / relative).write_text(content, encoding="utf-8")
        sys.stderr.write(f"wrote docs/{relative}\n")
