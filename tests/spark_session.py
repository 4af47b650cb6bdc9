"""
The one local Spark session of a test run, for the ``spark`` fixture and the API sweep.

Whichever test asks first starts it, with the settings every Spark test expects (two
cores, one shuffle partition: the tables are small, and each extra task costs time).
"""

from __future__ import annotations

from typing import Any


def shared() -> Any:  # a pyspark.sql.SparkSession
    """Return the test run's local Spark session, starting it on first use."""
    from leadcore._spark.session import session  # noqa: PLC0415  # only when a test asks

    return session(
        "local[2]",
        app_name="leadcore-tests",
        shuffle_partitions=1,
        config={
            "spark.default.parallelism": "2",
            "spark.driver.memory": "1g",
            "spark.python.worker.reuse": "true",
        },
    )
