"""
The one local Spark session of a test run, for the ``spark`` fixture and the API sweep.

Whichever test asks first starts it, with the settings every Spark test expects: two
cores and one shuffle partition (the tables are small, and each extra task costs time),
and a JVM tuned for a short run of many small jobs rather than for throughput: the
client JIT compiler only (most of a short run's CPU went to compiling hot code with C2),
Spark's adaptive execution off and its expressions interpreted rather than compiled to
Java classes (each small query would pay for re-planning and for compiling its code).
They halve the JVM's CPU of the Spark tests, and change no answer: the engine's code and
plans are the users'.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

MEASURED = "COVERAGE_PROCESS_CONFIG" in os.environ
"""Whether this run is measured by coverage (``python3 dev.py test``), subprocesses too."""


def shared() -> Any:  # a pyspark.sql.SparkSession
    """Return the test run's local Spark session, starting it on first use."""
    from leadcore._spark.session import session  # noqa: PLC0415  # only when a test asks

    return session(
        "local[2]",
        app_name="leadcore-tests",
        shuffle_partitions=1,
        config={
            "spark.default.parallelism": "2",
            # Batches of 1,000 rows (Spark's default: 10,000), so that a table of a few
            # thousand rows spans several batches of a partition, as a large one does.
            "spark.sql.execution.arrow.maxRecordsPerBatch": "1000",
            "spark.driver.memory": "1g",
            "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
            "spark.python.worker.reuse": "true",
            "spark.sql.adaptive.enabled": "false",
            "spark.sql.codegen.wholeStage": "false",
            "spark.sql.codegen.factoryMode": "NO_CODEGEN",
            # Under coverage, a daemon whose forked workers save what they measured (Spark
            # starts it in a folder of its own: the repository is put on its path).
            **(
                {
                    "spark.python.daemon.module": "tests.spark_coverage",
                    "spark.executorEnv.PYTHONPATH": str(Path(__file__).resolve().parents[1]),
                }
                if MEASURED
                else {}
            ),
        },
    )
