"""
The architecture of docs/design.md, checked (STYLE "Layout").

The layers and the independence of the rule families are import-linter contracts in
``pyproject.toml``, run by the README's test command (``lint-imports``). These tests show
that the contracts bite (an upward import planted in a copy of the package breaks them,
and the message names it) and check what import-linter cannot see: no private name of
one family, engine or layer is borrowed by another.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "leadcore"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(  # noqa: S603  # our own venv's tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=package_parent,
        check=False,
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package to plant bad imports in, the real one untouched."""
    parent = tmp_path_factory.mktemp("layout")
    shutil.copytree(SRC, parent / "leadcore", ignore=shutil.ignore_patterns("__pycache__"))
    return parent


def _plant(copy: Path, module: str, line: str) -> Path:
    path = copy / "leadcore" / module
    path.write_text(path.read_text() + f"\n{line}\n")
    return path


def test_the_package_keeps_every_contract(copy: Path) -> None:
    """The unchanged copy passes: the contracts describe the tree as it is."""
    result = _lint(copy)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        # base importing a rule family: upward.
        ("model.py", "import leadcore.merge", "leadcore.model -> leadcore.merge"),
        # a rule family importing the protocol: upward.
        ("linking.py", "import leadcore.protocol", "leadcore.linking -> leadcore.protocol"),
        # one family reaching into another's private package.
        ("routing.py", "import leadcore._merge.engine", "leadcore.routing -> leadcore._merge"),
        # a family's private part importing its public face: a circle.
        ("_merge/engine.py", "import leadcore.merge", "._merge -> .merge"),
        # a circle inside a private package.
        ("_dedupe/config.py", "import leadcore._dedupe.results", "in leadcore._dedupe"),
    ],
)
def test_a_planted_bad_import_breaks_a_contract_and_is_named(
    copy: Path, module: str, line: str, named: str
) -> None:
    """A future change that breaks the layering goes red, naming the offending import."""
    path = _plant(copy, module, line)
    original = path.read_text().removesuffix(f"\n{line}\n")

    try:
        result = _lint(copy)
    finally:
        path.write_text(original)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert named in result.stdout.replace("\n", " "), result.stdout


def _unit(module: str) -> str:
    """The family, engine or layer a module belongs to (its private package included)."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else parts[0]
    return top.lstrip("_")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = ("leadcore", *path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def test_no_private_name_is_borrowed_across_families_or_layers() -> None:
    """``from leadcore.x import _name`` only within x's own family, engine or layer."""
    modules = _modules()
    borrowed = []

    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if not node.module.startswith("leadcore"):
                continue
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and target not in modules and _unit(node.module) != _unit(name):
                    borrowed.append(f"{name} imports {node.module}:{alias.name}")

    assert not borrowed


def test_no_private_attribute_of_another_module_is_reached_for() -> None:
    """No ``# noqa: SLF001`` in the package but where a module touches its own cache."""
    allowed = {"normalize.py", "block.py"}  # normalize owns Person's cache; block its memo

    reaching = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        for number, text in enumerate(path.read_text().splitlines(), 1)
        if "noqa: SLF001" in text and path.name not in allowed
    ]

    assert not reaching
