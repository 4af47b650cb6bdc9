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
    "leadcore.decisions",
    "leadcore.reasons",
    "leadcore.errors",
    "leadcore.model",
    "leadcore.normalize",
    "leadcore.protocol",
    "leadcore.linking",
    "leadcore.merge",
    "leadcore.routing",
    "leadcore.handover",
    "leadcore.related",
    "leadcore.dedupe",
    "leadcore.simulation",
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


def _summary(item: object) -> str:
    doc = inspect.getdoc(item) if (inspect.isclass(item) or inspect.isfunction(item)) else None
    if not doc:
        return ""
    return doc.strip().splitlines()[0].replace("|", "\\|")


def render_api_doc() -> str:
    """Render docs/api.md from the public modules (regenerate: python -m tests.test_public_api)."""
    lines = [
        "# Public API",
        "",
        "Generated from each public module's `__all__` and docstrings by",
        "`python -m tests.test_public_api > docs/api.md`; a test keeps it in step with the code.",
        "Domain types, policies, results and errors are re-exported from `leadcore`; rule",
        "functions are called through their module (`leadcore.merge.auto(...)`).",
    ]
    for module in _modules():
        if module.__name__ == "leadcore":
            continue
        lines += ["", f"## `{module.__name__}`", "", (inspect.getdoc(module) or "").splitlines()[0]]
        lines += ["", "| name | what it is |", "|---|---|"]
        lines += [f"| `{n}` | {_summary(getattr(module, n))} |" for n in module.__all__]
    return "\n".join(lines) + "\n"


def test_api_doc_is_up_to_date() -> None:
    """docs/api.md lists exactly the public API (regenerate it when this fails)."""
    path = Path(__file__).parent.parent / "docs" / "api.md"

    assert path.read_text(encoding="utf-8") == render_api_doc()


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_api_doc())
