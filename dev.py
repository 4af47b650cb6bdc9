#!/usr/bin/env python3
"""
Set up a virtual environment and run leadcore's main job or its test suite.

    python3 dev.py demo    # create .venv, install leadcore, run the demo on sample data
                           # (every rule on sample requests, then a batch dedupe)
    python3 dev.py test    # create .venv, install leadcore[dev], ruff, mypy, import-linter,
                           # pytest under coverage (branch coverage gate, subprocesses too)
    python3 dev.py test ARGS...   # the checks, then pytest ARGS (a selection): no coverage
    python3 dev.py docs    # install leadcore[docs], build the site and serve it on 127.0.0.1:8000
    python3 dev.py docs --build   # only build it, into site/ (strict: a broken link fails)
    python3 dev.py mutate [MODULE ...]   # mutation testing (mutmut) of the rule modules or
                           # the named ones; figures to docs/mutation.md (slow: not in test)

Needs only Python 3.11+ (stdlib). Re-running reuses .venv, and skips the install while
pyproject.toml and .venv's packages are unchanged since the last one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def _site_packages() -> list[Path]:
    return sorted(VENV.glob("lib/python*/site-packages")) + sorted(VENV.glob("Lib/site-packages"))


def _installed_state(extra: str) -> str:
    """
    What an install of ``extra`` depends on: pyproject.toml's text and the venv's packages.

    The packages are told by the modification time of site-packages, which pip changes
    when it installs or removes anything there.
    """
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    folders = " ".join(str(p.stat().st_mtime_ns) for p in _site_packages())
    return f"{extra} {digest} {folders}\n"


def _setup(extra: str) -> None:
    """
    Create .venv if needed and install leadcore (editable) with ``extra`` into it.

    The install is skipped when nothing it depends on changed since the last one of the
    same extra (a stamp in .venv): pip would find every requirement satisfied and change
    nothing, in seconds. Delete ``.venv/.setup-*`` to force it.
    """
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".setup-{extra or 'base'}"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == _installed_state(extra):
        print(f"{VENV} is set up for .[{extra}] (pyproject.toml unchanged)", flush=True)
        return
    target = f".[{extra}]" if extra else "."
    _run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-e",
        target,
    )
    stamp.write_text(_installed_state(extra), encoding="utf-8")


def _docs(argv: list[str]) -> None:
    """Build the documentation site strictly, then serve it locally unless ``--build``."""
    _setup("docs")
    # Material prints a notice about MkDocs 2.0 at every start; the site is pinned to 1.x.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if "--build" in argv:
        _run(BIN / "mkdocs", "build", "--strict", "--site-dir", ROOT / "site")
        print(f"built {ROOT / 'site' / 'index.html'}", flush=True)
    else:
        # Only this machine: the site is served to the developer, not to the network.
        _run(BIN / "mkdocs", "serve", "--strict", "--dev-addr", "127.0.0.1:8000")


def _covered() -> None:
    """
    Run the whole suite under coverage and fail below the branch-coverage gate (pyproject.toml).

    ``[tool.coverage.run]`` measures every Python process the tests start (pytest-xdist's
    two workers, the CLI run as a command, Spark's workers, dedupe's worker pool), each
    into its own data file; they are combined, then reported with ``fail_under``.
    """
    _run(BIN / "python", "-m", "coverage", "erase")
    # Two test processes (pytest-xdist): the Spark tests in one unit on one of them,
    # sharing one Spark session, the rest by file (tests/conftest.py).
    _run(
        BIN / "python",
        "-m",
        "coverage",
        "run",
        "-m",
        "pytest",
        "-q",
        "-n",
        "2",
        "--dist",
        "loadscope",
    )
    _run(BIN / "python", "-m", "coverage", "combine", "--quiet")
    _run(BIN / "python", "-m", "coverage", "report")


def main(argv: list[str]) -> int:
    """Run ``demo``, ``test``, ``docs`` or ``mutate``; return the exit status."""
    command = argv[0] if argv else "demo"
    try:
        if command == "demo":
            _setup("")
            # The rules, one decision each, with their reasons...
            _run(BIN / "leadcore", "demo")
            # ...then the analyst's job: which of 500 bundled leads would auto-merge, which
            # are possible duplicates, what customers that makes, and what a 90-day
            # activity window would change.
            _run(
                BIN / "leadcore",
                "dedupe",
                "--sample",
                "--now",
                "2025-07-01T00:00:00Z",
                "--tz",
                "UTC",
                "--out",
                "demo-out",
                "--what-if",
                "merge_max_inactivity_days=90",
            )
        elif command == "test":
            _setup("dev")
            _run(BIN / "ruff", "check", ".")
            _run(BIN / "ruff", "format", "--check", ".")
            _run(BIN / "mypy")
            # The layers of docs/design.md (contracts in pyproject.toml).
            _run(BIN / "lint-imports", "--no-cache")
            if argv[1:]:
                # A selection of tests cannot cover the package: run it as it is.
                _run(BIN / "python", "-m", "pytest", "-q", *argv[1:])
            else:
                _covered()
        elif command == "docs":
            _docs(argv[1:])
        elif command == "mutate":
            _setup("dev")
            # tools/mutate.py: which tests run for which module, the figures, the survivors.
            _run(BIN / "python", "-m", "tools.mutate", *argv[1:])
        else:
            print(__doc__)
            return 2
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
