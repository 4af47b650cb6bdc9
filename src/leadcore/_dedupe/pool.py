"""
Running batch deduplication's heavy steps on several cores (processes, not threads).

CPython runs Python code on one core per process, so normalising a million rows and
deciding their candidate pairs go to worker processes. Where the platform can fork, the
workers inherit the state (the prepared table) without copying it through a pipe; only
each task's arguments and results travel. With one worker, or few tasks, everything runs
in this process (same results: the tasks are pure functions of their arguments and the
state).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, TypeVar

from leadcore._dedupe.inputs import ProgressFn

T = TypeVar("T")
R = TypeVar("R")

_STATE: list[Any] = [None]

FORK: Final = "fork" in multiprocessing.get_all_start_methods()
"""Whether workers can inherit the state by forking (Linux, and macOS on request)."""


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """
    Pause the cyclic garbage collector while building millions of small objects.

    A table of a million leads is some ten million tuples and strings, none in a
    reference cycle. Each automatic full collection walks all of them (seconds each, and
    in a forked worker it writes to every page it walks, copying the parent's memory), so
    batch deduplication pauses collection and restores it after. Memory is still freed
    by reference counting as usual.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _init(state: object) -> None:
    gc.disable()  # see quiet_gc: a worker builds many objects and inherits many more
    _STATE[0] = state


def _call(job: tuple[Callable[[Any, Any], Any], Any]) -> Any:  # noqa: ANN401  # any result
    func, task = job
    return func(_STATE[0], task)


def pmap(
    func: Callable[[Any, T], R],
    tasks: Sequence[T],
    *,
    workers: int,
    state: object = None,
    progress: ProgressFn | None = None,
    stage: str = "",
    units: Sequence[int] | None = None,
) -> list[R]:
    """
    Return ``[func(state, task) for task in tasks]``, computed by up to ``workers`` processes.

    ``progress(stage, done, total)`` is called after each task, counting ``units``
    (one per task by default).
    """
    weights = list(units) if units is not None else [1] * len(tasks)
    total = sum(weights)
    done = 0
    results: list[R] = []
    if workers <= 1 or len(tasks) <= 1:
        for task, weight in zip(tasks, weights, strict=True):
            results.append(func(state, task))
            done += weight
            if progress is not None:
                progress(stage, done, total)
        return results
    # Forking a process that runs threads can deadlock the child: spawn then.
    method = "fork" if FORK and threading.active_count() == 1 else "spawn"
    context = multiprocessing.get_context(method)
    with context.Pool(min(workers, len(tasks)), initializer=_init, initargs=(state,)) as pool:
        jobs = [(func, task) for task in tasks]
        for result, weight in zip(pool.imap(_call, jobs), weights, strict=True):
            results.append(result)
            done += weight
            if progress is not None:
                progress(stage, done, total)
        # Every result is in: the workers are let go and end on their own. Leaving that
        # to the pool's exit terminates them with SIGTERM, and a worker that the signal
        # did not reach kept the join waiting for ever (seen under coverage's handler).
        pool.close()
        pool.join()
    return results
