"""
Finding Java for Spark (``leadcore._spark.session.check_java``) before a JVM starts.

Fake ``java`` programs on JAVA_HOME stand in for the installed ones: each failure is a
LeadcoreError that says what was found and what to install, never a JVM stack trace.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from leadcore._spark import session
from leadcore.errors import LeadcoreError


def _java_home(root: Path, script: str) -> Path:
    """A JAVA_HOME whose bin/java is a shell script."""
    java = root / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return root


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("echo 'openjdk version \"11.0.2\" 2019-01-15' >&2", "is version 11"),
        ("echo 'java version \"1.8.0_292\"' >&2", "is version 8"),
        ("echo 'no version here'", "does not say its version"),
        ("exec /nonexistent/java", "does not say its version"),
    ],
)
def test_a_java_spark_cannot_use_is_named(
    script: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Java 11, Java 8 (1.8), a java that prints no version: refused, saying why."""
    home = _java_home(tmp_path / "jdk", script)
    monkeypatch.setenv("JAVA_HOME", str(home))

    with pytest.raises(LeadcoreError) as caught:
        session.check_java()

    assert f"Java at {home / 'bin' / 'java'} {said}" in str(caught.value)
    assert session.JAVA_HELP in str(caught.value)


def test_java_17_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Java 17 or newer passes."""
    home = _java_home(tmp_path / "jdk", "echo 'openjdk version \"17.0.9\" 2023-10-17' >&2")
    monkeypatch.setenv("JAVA_HOME", str(home))

    session.check_java()


def test_a_java_home_without_java_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JAVA_HOME set to a folder without bin/java: the folder is named."""
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))

    with pytest.raises(LeadcoreError) as caught:
        session.check_java()

    assert f"JAVA_HOME is {str(tmp_path)!r}, which has no bin/java" in str(caught.value)


def test_a_java_that_does_not_run_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An executable that is no program (exec format error): 'does not run', with why."""
    java = tmp_path / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_bytes(b"\x00\x01\x02 not a program")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))

    with pytest.raises(LeadcoreError) as caught:
        session.check_java()

    assert f"Java at {java} does not run (" in str(caught.value)
