"""
Starting Spark for leadcore: Java found, the executors' Python set, a local session.

Kept apart from the rule code: this module reads the environment, looks for Java and
starts a JVM. pyspark is imported only when a session is asked for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

from leadcore.errors import LeadcoreError

__all__ = ["JAVA_HELP", "check_java", "is_spark", "prepare", "session"]

MIN_JAVA: Final = 17

JAVA_HELP: Final = (
    "Spark needs Java 17 or newer: install a JDK or JRE (Debian or Ubuntu: "
    "`apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`; "
    "Windows or any system: an OpenJDK build such as Eclipse Temurin 17), then put its "
    "`bin` on PATH or set JAVA_HOME to its directory"
)
"""What to install when Java is missing (the README says the same)."""


def is_spark(data: object) -> bool:
    """Whether ``data`` is a Spark DataFrame (classic or Spark Connect), without importing it."""
    kind = type(data)
    return kind.__module__.startswith("pyspark.") and kind.__name__ == "DataFrame"


def prepare() -> None:
    """
    Make the executors run this interpreter: set ``PYSPARK_PYTHON`` when it is unset.

    Spark starts its Python workers with ``PYSPARK_PYTHON`` (``python3`` by default),
    which may be another Python without leadcore; this process's interpreter has it.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


def _java() -> Path | None:
    home = os.environ.get("JAVA_HOME")
    if home:
        found = Path(home) / "bin" / ("java.exe" if os.name == "nt" else "java")
        return found if found.is_file() and os.access(found, os.X_OK) else None
    which = shutil.which("java")
    return None if which is None else Path(which)


def check_java() -> None:
    """
    Make sure a Java that Spark can use is there, before a JVM is started.

    Raises:
        LeadcoreError: No Java (on JAVA_HOME or PATH), or one older than 17; the message
            says what to install.

    """
    java = _java()
    where = (
        f"JAVA_HOME is {os.environ['JAVA_HOME']!r}, which has no bin/java"
        if os.environ.get("JAVA_HOME")
        else "no `java` on PATH and JAVA_HOME is not set"
    )
    if java is None:
        raise LeadcoreError(f"Java was not found ({where}). {JAVA_HELP}")
    try:
        shown = subprocess.run(  # noqa: S603  # the java found above, a fixed argument
            [str(java), "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LeadcoreError(f"Java at {java} does not run ({error}). {JAVA_HELP}") from error
    match = re.search(r'version "(\d+)(?:\.(\d+))?', shown.stderr + shown.stdout)
    if match is None:
        raise LeadcoreError(f"Java at {java} does not say its version. {JAVA_HELP}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # 1.8 is Java 8
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise LeadcoreError(f"Java at {java} is version {major}. {JAVA_HELP}")


def session(
    master: str = "local[2]",
    *,
    app_name: str = "leadcore",
    shuffle_partitions: int | None = None,
    config: dict[str, str] | None = None,
) -> Any:  # noqa: ANN401  # a pyspark.sql.SparkSession
    """
    Return a Spark session (the active one if any), checking Java first.

    Raises:
        LeadcoreError: pyspark is not installed, or Java is missing or too old.

    """
    prepare()
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415  # optional, imported on use
    except ImportError as error:
        raise LeadcoreError("Spark support needs pyspark: pip install 'leadcore[spark]'") from error
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    check_java()
    parts = shuffle_partitions
    if parts is None:
        parts = 8 if master.startswith("local") else 200
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(parts))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # pyspark raises its own types, or RuntimeError
        raise LeadcoreError(f"Spark did not start: {error}. {JAVA_HELP}") from error
    spark.sparkContext.setLogLevel("ERROR")
    return spark
