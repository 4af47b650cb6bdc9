"""
Finding Java for Spark (``leadcore._spark.session.check_java``) before a JVM starts.

Fake ``java`` programs on JAVA_HOME stand in for the installed ones: each failure is a
LeadcoreError that says what was found and what to install, never a JVM stack trace.
"""

from __future__ import annotations

import stat
import sys
import types
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


class _Builder:
    """A stand-in for SparkSession.builder: records the settings, then fails to start."""

    def __init__(self) -> None:
        self.settings: dict[str, str] = {}

    def master(self, master: str) -> _Builder:
        self.settings["master"] = master
        return self

    def appName(self, name: str) -> _Builder:  # noqa: N802  # pyspark's name
        self.settings["app"] = name
        return self

    def config(self, key: str, value: str) -> _Builder:
        self.settings[key] = value
        return self

    def getOrCreate(self) -> None:  # noqa: N802  # pyspark's name
        msg = "Java gateway process exited before sending its port number"
        raise RuntimeError(msg)


def _fake_pyspark(monkeypatch: pytest.MonkeyPatch, builder: _Builder) -> None:
    """A pyspark.sql without an active session, whose builder is ``builder``."""
    module = types.ModuleType("pyspark.sql")
    module.SparkSession = types.SimpleNamespace(  # type: ignore[attr-defined]  # a stand-in
        getActiveSession=lambda: None, builder=builder
    )
    monkeypatch.setitem(sys.modules, "pyspark.sql", module)
    monkeypatch.setattr(session, "check_java", lambda: None)


@pytest.mark.parametrize(("master", "partitions"), [("local[2]", "8"), ("yarn", "200")])
def test_a_spark_session_that_does_not_start_is_named_with_its_settings(
    master: str, partitions: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    Spark's own failure to start is a LeadcoreError saying so and what Java to install.

    The settings asked of Spark: shuffle partitions by default 8 on a local master and
    200 on a cluster, the UI off, Arrow on, UTC, then the caller's configuration.
    """
    builder = _Builder()
    _fake_pyspark(monkeypatch, builder)

    with pytest.raises(LeadcoreError) as caught:
        session.session(master, app_name="t", config={"spark.driver.memory": "1g"})

    assert str(caught.value).startswith(
        "Spark did not start: Java gateway process exited before sending its port number. "
    )
    assert session.JAVA_HELP in str(caught.value)
    assert builder.settings == {
        "master": master,
        "app": "t",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": partitions,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.memory": "1g",
    }


def test_spark_without_pyspark_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pyspark: a LeadcoreError naming the extra to install."""
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)

    with pytest.raises(LeadcoreError) as caught:
        session.session()

    assert str(caught.value) == "Spark support needs pyspark: pip install 'leadcore[spark]'"
