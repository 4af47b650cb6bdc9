"""The package itself: its version, installed or run from a source tree."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import leadcore


def test_the_version_is_the_installed_distributions() -> None:
    """Installed (as the suite runs it): the distribution's version."""
    from importlib.metadata import version  # noqa: PLC0415  # the reference

    assert leadcore.__version__ == version("leadcore")


def test_from_a_source_tree_the_version_says_unknown() -> None:
    """Without installed metadata (a source tree on sys.path): ``0+unknown``, no error."""
    code = textwrap.dedent(
        """
        import importlib.metadata as metadata

        def missing(name):
            raise metadata.PackageNotFoundError(name)

        metadata.version = missing
        import leadcore
        print(leadcore.__version__)
        """
    )

    done = subprocess.run(  # noqa: S603  # our own interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )

    assert (done.returncode, done.stdout.strip()) == (0, "0+unknown"), done.stderr
