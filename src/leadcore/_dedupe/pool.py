"""
Running batch deduplication's heavy steps on several cores (processes, not threads).

CPython runs Python code on one core per process, so normalising a million rows and
deciding their candidate pairs are shared between this process and ``workers - 1``
worker processes, started once for a whole run (:func:`session`): :func:`leadcore.dedupe.find`
on a file reads it and decides its pairs with the same workers, forked at its start,
while this process is still small. A worker forked from a process holding a million rows
copies every page either of them writes to (some 450 MiB a worker at 1M rows); one
forked early holds only what it reads. Only each task's arguments and results travel; a
step's state is pickled once and read once a worker. Results may travel as bytes of
their own (``encode`` and ``decode``: the normalised columns of a chunk go as one
``marshal`` buffer, not as pickled objects). With one worker, or one task, everything
runs in this process (same results: the tasks are pure functions of their arguments and
the state).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import multiprocessing
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from multiprocessing.pool import Pool
from typing import Any, Final, TypeVar, cast

from leadcore._dedupe import arrowcsv
from leadcore._dedupe.inputs import ProgressFn

T = TypeVar("T")
R = TypeVar("R")

_STATE: list[Any] = [None, None]
"""A worker's state, and the key of the step it is for."""

_STEPS: Final = itertools.count(1)
"""Keys of the steps run by a session's workers (each its own state)."""

FORK: Final = "fork" in multiprocessing.get_all_start_methods()
"""Whether workers can be forked (Linux, and macOS on request)."""


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


_SESSION: ContextVar[tuple[Pool, int] | None] = ContextVar("leadcore_dedupe_pool", default=None)
"""The pool (and its number of processes) of the session this thread runs in, if any."""


def _new_pool(size: int) -> Pool:
    """``size`` worker processes, forked (spawned while this process runs threads)."""
    # Forking a process that runs threads can deadlock the child: spawn then.
    method = "fork" if FORK and threading.active_count() == 1 else "spawn"
    # pyarrow imported before forking is shared by the workers (imported in each, it
    # would cost each its import time and some 40 MiB).
    arrowcsv.preload()
    return multiprocessing.get_context(method).Pool(size, initializer=gc.disable)


@contextlib.contextmanager
def session(workers: int) -> Iterator[None]:
    """
    Fork ``workers - 1`` processes now, for the steps inside that share them.

    This process takes tasks too. The pool ends with the block: its workers are let go
    once their task is done when the block ends, normally or with an error (a bad row, a
    task's exception), and terminated at once by an interrupt (Ctrl-C: a worker it
    stopped mid-task would leave the pool waiting for its result for ever). With one
    worker, or inside another session, the block runs as it is.
    """
    if workers <= 1 or _SESSION.get() is not None:
        yield
        return
    shared = _new_pool(workers - 1)  # workers disable gc too: see quiet_gc
    token = _SESSION.set((shared, workers - 1))
    interrupted = True
    try:
        yield
        interrupted = False
    except Exception:
        interrupted = False
        raise
    finally:
        _SESSION.reset(token)
        if interrupted:
            shared.terminate()
        else:
            # Not terminated (SIGTERM): a worker that the signal did not reach kept the
            # join waiting for ever (seen under coverage's handler).
            shared.close()
            shared.join()


Job = tuple[Callable[[Any, Any], Any], Callable[[Any], Any] | None, int, bytes, Any]
"""A task as a worker gets it: the function, the encoder of its result (or None), the
key of its step's state and that state pickled, and the task."""


def _call(job: Job) -> Any:  # noqa: ANN401  # any result
    func, encode, key, state, task = job
    if _STATE[1] != key:
        _STATE[0], _STATE[1] = pickle.loads(state), key  # noqa: S301  # from our own process
    result = func(_STATE[0], task)
    if encode is None:
        return result
    sent = encode(result)
    del result
    release()
    return sent


def _trimmer() -> Callable[[int], int] | None:
    try:
        return cast("Callable[[int], int]", ctypes.CDLL(None).malloc_trim)
    except AttributeError:  # pragma: no cover  # not glibc (macOS, musl): nothing to call
        return None


_TRIM: Final = _trimmer()
"""glibc's ``malloc_trim``, which gives the C heap's free pages back, or None."""


def release() -> list[str]:
    """
    Give the memory a worker freed back to the system; return which allocators did.

    A worker that read a part of a file (a large result, sent encoded) keeps the pages
    of the objects it freed: pyarrow's allocator and the C heap hold on to them, some
    100 MiB a worker at 1M rows, while the worker waits for the run's next step.
    """
    done = []
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
        done.append("pyarrow")
    if _TRIM is not None:  # pragma: no branch  # None only off glibc
        _TRIM(0)
        done.append("malloc_trim")
    return done


def pmap(
    func: Callable[[Any, T], R],
    tasks: Sequence[T],
    *,
    workers: int,
    state: object = None,
    progress: ProgressFn | None = None,
    stage: str = "",
    units: Sequence[int] | None = None,
    encode: Callable[[R], Any] | None = None,
    decode: Callable[[Any], R] | None = None,
) -> list[R]:
    """
    Return ``[func(state, task) for task in tasks]``, computed by up to ``workers`` processes.

    ``progress(stage, done, total)`` is called after each task, counting ``units``
    (one per task by default). This process takes tasks beside the workers of the
    :func:`session` it runs in (one of its own when it runs in none), so only the
    workers' share of the results travels: as ``encode(result)``, read back by
    ``decode`` (``decode(encode(r)) == r``); ``state`` is pickled once for them.
    """
    weights = list(units) if units is not None else [1] * len(tasks)
    report = _Report(weights, progress, stage)
    if workers <= 1 or len(tasks) <= 1:
        results: list[R] = []
        for index, task in enumerate(tasks):
            results.append(func(state, task))
            report(index)
        return results
    with session(min(workers, len(tasks))):
        shared = cast("tuple[Pool, int]", _SESSION.get())
        return _shared(shared, func, tasks, state, encode, decode, report)


class _Report:
    """Calls ``progress`` with the units done after each task."""

    def __init__(self, weights: list[int], progress: ProgressFn | None, stage: str) -> None:
        self.weights, self.progress, self.stage = weights, progress, stage
        self.total, self.done = sum(weights), 0

    def __call__(self, index: int) -> None:
        self.done += self.weights[index]
        if self.progress is not None:
            self.progress(self.stage, self.done, self.total)


def _shared(  # noqa: PLR0917  # pmap's arguments
    shared: tuple[Pool, int],
    func: Callable[[Any, T], R],
    tasks: Sequence[T],
    state: object,
    encode: Callable[[R], Any] | None,
    decode: Callable[[Any], R] | None,
    report: _Report,
) -> list[R]:
    """
    Tasks taken in turn by this process and the pool's workers, first come first served.

    A worker that ends a task is sent the next one from the pool's result thread; this
    process takes the next one each time it ends one, and reads what the workers sent
    once none is left. After an error, no task is sent: the error ends the session.
    """
    pool, size = shared
    key, blob = next(_STEPS), pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    count = len(tasks)
    claim = itertools.count()
    arrived: queue.SimpleQueue[tuple[int, bool, Any]] = queue.SimpleQueue()

    stop: list[BaseException] = []
    sending = threading.Lock()  # a task is sent before the error stops sending, or not

    def send() -> None:
        with sending:
            index = -1 if stop else next(claim)
            if 0 <= index < count:

                def done(sent: object) -> None:
                    arrived.put((index, True, sent))
                    send()

                pool.apply_async(
                    _call,
                    ((func, encode, key, blob, tasks[index]),),
                    callback=done,
                    error_callback=lambda error: arrived.put((index, False, error)),
                )

    results: list[Any] = [None] * count
    for _ in range(size):
        send()
    mine = 0
    try:
        while (index := next(claim)) < count:
            results[index] = func(state, tasks[index])
            report(index)
            mine += 1
        for _ in range(count - mine):
            index, ok, value = arrived.get()
            if not ok:
                raise value
            results[index] = value if decode is None else decode(value)
            report(index)
    except BaseException as error:
        with sending:
            stop.append(error)  # no more tasks for the workers: the session ends them
        raise
    return results
