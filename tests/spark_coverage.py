"""
Spark's Python daemon for a measured test run: coverage saved by each forked worker.

Spark starts one daemon (``python -m pyspark.daemon``), which forks a worker per task
slot; the workers run leadcore's code on Arrow batches (``leadcore._spark.batches``).
Coverage starts in the daemon through its ``.pth`` hook (``[tool.coverage.run] patch =
["subprocess"]``), but a forked worker never writes what it measured: it ends with
``os._exit``, or is killed by the daemon when the session stops. So when the suite is
measured, ``tests/spark_session.py`` names this module as ``spark.python.daemon.module``:
it is Spark's own daemon, whose ``worker`` starts a fresh measurement in the forked
process (as coverage's own fork handling does) and writes it out after every task. This
is the way PySpark measures its own workers (its ``python/test_coverage``).

A worker can be killed at any moment, its last write included: the daemon sends it
SIGHUP when the session stops, and SIGKILL when Spark drops it (a task that ends before
reading all of its output: ``first()``, ``limit``, ``isEmpty``). Coverage writes its
SQLite data file in place with journaling off, so a worker killed while writing left a
half-written ``.coverage.*`` file, which ``coverage combine`` reported as unreadable,
losing everything that worker had measured, and the figure moved between runs. Here the
measurement is kept in memory; after each task it is written to a file of another name
and renamed over the worker's data file (a rename is atomic), with SIGHUP and SIGTERM
held back meanwhile. The data file is therefore always a whole one: the last complete
write, or none if the worker died before its first.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
from pathlib import Path

import coverage
from pyspark import daemon

_worker = daemon.worker
_measured: list[tuple[coverage.Coverage, Path]] = []
_HELD = {signal.SIGHUP, signal.SIGTERM}


def _start() -> tuple[coverage.Coverage, Path]:
    """Start measuring this forked worker in memory; return it and its data file's path."""
    config = ":data:" + os.environ["COVERAGE_PROCESS_CONFIG"]
    data_file = Path(coverage.Coverage(config_file=config).config.data_file).resolve()
    measured = coverage.Coverage(config_file=config, data_file=None)  # in memory
    # A worker that runs no leadcore code (Spark's own tasks) has nothing to say.
    measured.set_option(
        "run:disable_warnings", ["no-data-collected", "module-not-imported", "module-not-measured"]
    )
    measured.start()
    name = f"{data_file.name}.spark.pid{os.getpid()}.{secrets.token_hex(4)}"
    return measured, data_file.with_name(name)


def _write(measured: coverage.Coverage, target: Path) -> None:
    """Write all that ``measured`` has measured to ``target``, whole or not at all."""
    data = measured.get_data()
    if not data.measured_files():  # Spark's own tasks, no leadcore code: nothing to write
        return
    partial = target.with_name(f".spark-coverage.{os.getpid()}.partial")  # never combined
    signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        written = coverage.CoverageData(str(partial))
        written.update(data)
        written.write()
        written.close()
        partial.replace(target)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


def _measuring_worker(sock: socket.socket, authenticated: bool) -> int:
    """Run one task (Spark's ``worker``), measured, and write out what it measured."""
    if not _measured:  # the first task of this forked process
        _measured.append(_start())
    try:
        return _worker(sock, authenticated)
    finally:
        _write(*_measured[0])


daemon.worker = _measuring_worker

if __name__ == "__main__":
    daemon.manager()
