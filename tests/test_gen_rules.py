"""
The GEN rules that hold for every module, checked across the whole package.

GEN-1 (aware datetimes, no clock), GEN-2 (no global random), GEN-3 (frozen objects, no I/O
in rule code) are also checked statically here over the source, so a new module cannot
quietly break them.
"""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import attrs
import pytest

import leadcore

SRC = Path(leadcore.__file__).parent
# Modules that talk to the outside world on purpose: the CLIs and the conformance runner.
# The top layer (CLI, oracle toolkit) and the engine modules that read files may do I/O.
# _dedupe/raw.py reads a row of the input again; _progress.py draws the bars a caller asks for;
# the Spark engine's session module looks for Java and reads PYSPARK_PYTHON and JAVA_HOME.
IO_MODULES = {
    "__main__.py",
    "_dedupe/inputs.py",
    "_dedupe/load.py",
    "_dedupe/raw.py",
    "_progress.py",
    "_charts.py",
    "_spark/session.py",
}
IO_PACKAGES = {"conformance", "_cli"}

CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter"}
GLOBAL_RANDOM = {
    "random",
    "choice",
    "choices",
    "shuffle",
    "sample",
    "randint",
    "randrange",
    "uniform",
    "seed",
    "gauss",
}


def _rule_sources() -> list[Path]:
    files = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.as_posix() in IO_MODULES or (
            relative.parts and relative.parts[0] in IO_PACKAGES
        ):
            continue
        files.append(path)
    return files


def _calls(path: Path) -> list[tuple[str, str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else ""
            if isinstance(owner, ast.Attribute):
                name = owner.attr
            found.append((name, node.func.attr, node.lineno))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found.append(("", node.func.id, node.lineno))
    return found


@pytest.mark.parametrize("path", _rule_sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_clock_no_global_random_no_io(path: Path) -> None:
    """GEN-1, GEN-2, GEN-3: rule code reads no clock, uses no global random, does no I/O."""
    for owner, attr, line in _calls(path):
        where = f"{path.name}:{line}"
        assert not (owner in {"datetime", "date", "time", "dt"} and attr in CLOCK_CALLS), where
        assert not (owner == "random" and attr in GLOBAL_RANDOM), where
        assert not (owner == "" and attr in {"open", "print", "input"}), where
        assert not (owner == "os" and attr in {"getenv", "environ", "system"}), where


def test_every_public_class_is_frozen() -> None:
    """GEN-3: every attrs class leadcore exports is frozen."""
    for name in leadcore.__all__:
        item = getattr(leadcore, name)
        if isinstance(item, type) and attrs.has(item):
            assert item.__setattr__ is not object.__setattr__, name


def test_all_modules_import() -> None:
    """Every module of the package imports on its own (no hidden cycles)."""
    for info in pkgutil.walk_packages(leadcore.__path__, "leadcore."):
        __import__(info.name)
