"""
Spark's Python daemon for a measured test run: coverage saved by each forked worker.

Spark starts one daemon (``python -m pyspark.daemon``), which forks a worker per task
slot; the workers run leadcore's code on Arrow batches (``leadcore._spark.batches``).
Coverage starts in the daemon through its ``.pth`` hook (``[tool.coverage.run] patch =
["subprocess"]``), but a forked worker never writes what it measured: it ends with
``os._exit``, or is killed by the daemon when the session stops. So when the suite is
measured, ``tests/spark_session.py`` names this module as ``spark.python.daemon.module``:
it is Spark's own daemon, whose ``worker`` starts a fresh measurement in the forked
process (as coverage's own fork handling does) and saves it after every task. This is
the way PySpark measures its own workers (its ``python/test_coverage``).
"""

from __future__ import annotations

import socket

import coverage
from pyspark import daemon

_worker = daemon.worker
_measured: list[coverage.Coverage | None] = []


def _measuring_worker(sock: socket.socket, authenticated: bool) -> int:
    """Run one task (Spark's ``worker``), measured, and save what it measured."""
    if not _measured:  # the first task of this forked process
        _measured.append(coverage.process_startup(force=True))
    try:
        return _worker(sock, authenticated)
    finally:
        if _measured[0] is not None:
            _measured[0].save()


daemon.worker = _measuring_worker

if __name__ == "__main__":
    daemon.manager()
