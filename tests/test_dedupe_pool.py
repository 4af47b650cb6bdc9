"""
Batch dedupe's worker processes (``leadcore._dedupe.pool``) and what travels between them.

A run shares its steps between this process and workers started once for it; results
come back as bytes (``inputs.chunk_bytes``) that read back as the chunk they were; a
dataframe is read by columns on several workers as in one process; an error in a worker
or in this process stops the run with that error.
"""

from __future__ import annotations

import multiprocessing.pool
import os
import pickle
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from leadcore import dedupe
from leadcore._dedupe import inputs, load, pool

SAMPLE = Path(str(resources.files("leadcore").joinpath("data", "sample_leads.csv")))


def _pid_task(parent: int, task: int) -> tuple[int, bool]:
    """The task, and whether a worker (not the process with pid ``parent``) computed it."""
    return task * 2, os.getpid() != parent


def _fail_in_worker(parent: int, task: int) -> int:
    if os.getpid() != parent:
        raise ValueError(f"task {task} failed in a worker")
    return task


def _fail_here(parent: int, task: int) -> int:
    if os.getpid() == parent:
        raise KeyError(f"task {task} failed here")
    return task


def _in_session(seen: list[tuple[Any, int] | None], body: Callable[[], object]) -> None:
    """Run ``body`` in a session of two processes; ``seen`` gets the session's pool."""
    with pool.session(2):
        seen.append(pool._SESSION.get())
        body()


def _interrupt() -> None:
    raise KeyboardInterrupt


class Text(str):
    """Text of a type of its own, as a dataframe library may give."""

    __slots__ = ()


def _table() -> inputs.Chunk:
    return dedupe.load(SAMPLE, tz="UTC").data


class TestChunkBytes:
    """A chunk sent as bytes reads back equal, with its cells' exact types."""

    def test_a_chunk_of_text_and_numbers_goes_as_marshal(self) -> None:
        """Text, numbers, tuples, bad rows and a naive timestamp: one marshal buffer."""
        bad = inputs.BadRow(3, 5, "email", "x@", "is not an email")
        naive = inputs.BadRow(4, 6, "created_at", "2025-01-01 10:00", "naive")
        chunk = _table()._replace(bad=[bad], naive=naive, extra={"company": ["A", None]})

        sent = inputs.chunk_bytes(chunk)
        back = inputs.chunk_of(sent)

        assert sent[:1] == b"m"
        assert back == chunk
        assert back.bad == [bad]
        assert back.naive == naive
        assert type(back.bad[0]) is inputs.BadRow
        assert back.extra == {"company": ["A", None]}
        assert back.co == chunk.co
        assert chunk.co  # the sample has co-customers: their tuples travel too

    def test_a_chunk_without_naive_timestamp_reads_back_none(self) -> None:
        """No naive timestamp: None both ways."""
        chunk = _table()

        assert inputs.chunk_of(inputs.chunk_bytes(chunk)).naive is None

    def test_a_cell_of_another_text_type_sends_the_chunk_pickled(self) -> None:
        """numpy.str_ (a dataframe's text) would come back as bytes from marshal: pickled."""
        numpy = pytest.importorskip("numpy")
        chunk = _table()
        ids = [numpy.str_(i) for i in chunk.ids]
        odd = chunk._replace(ids=ids)

        sent = inputs.chunk_bytes(odd)
        back = inputs.chunk_of(sent)

        assert sent[:1] == b"p"
        assert back == odd
        assert {type(i) for i in back.ids} == {numpy.str_}

    @pytest.mark.parametrize("where", ["first", "extra", "bad", "naive", "co"])
    def test_each_column_of_read_cells_is_checked(self, where: str) -> None:
        """A cell of another type in any column holding cells as read: pickled."""
        chunk = _table()
        co_row = next(iter(chunk.co))
        changes: dict[str, Callable[[], Any]] = {
            "first": lambda: {"first": [Text("x"), *chunk.first[1:]]},
            "extra": lambda: {"extra": {"company": [Text("x")]}},
            "bad": lambda: {"bad": [inputs.BadRow(0, 1, "email", Text("x@"), "bad")]},
            "naive": lambda: {"naive": inputs.BadRow(0, 1, "created_at", Text("x"), "naive")},
            "co": lambda: {"co": {**chunk.co, co_row: (Text("x"), *chunk.co[co_row][1:])}},
        }
        odd = chunk._replace(**changes[where]())

        sent = inputs.chunk_bytes(odd)

        assert sent[:1] == b"p"
        assert inputs.chunk_of(sent) == odd


class TestPool:
    """Tasks shared between this process and a session's workers."""

    def test_this_process_and_a_worker_both_take_tasks_in_order(self) -> None:
        """Results in task order; the worker took some (the first), this process others."""
        tasks = list(range(40))
        seen: list[tuple[str, int, int]] = []

        found = pool.pmap(
            _pid_task,
            tasks,
            workers=2,
            state=os.getpid(),
            progress=lambda stage, done, total: seen.append((stage, done, total)),
            stage="work",
        )

        assert [r for r, _ in found] == [t * 2 for t in tasks]
        assert found[0][1] is True  # the worker is sent the first task before this takes one
        assert not all(w for _, w in found)  # this process took tasks too
        assert [d for _, d, _ in seen] == list(range(1, 41))
        assert {(s, t) for s, _, t in seen} == {("work", 40)}

    def test_steps_of_one_session_share_its_workers(self) -> None:
        """Two steps in a session: one pool, each step with its own state."""
        with pool.session(2):
            shared = pool._SESSION.get()
            with pool.session(2):  # inside a session: the same pool
                assert pool._SESSION.get() is shared
            first = pool.pmap(_pid_task, [1, 2, 3], workers=2, state=os.getpid())
            second = pool.pmap(_pid_task, [4, 5, 6], workers=2, state=-1)
            assert pool._SESSION.get() is shared

        assert pool._SESSION.get() is None
        assert [r for r, _ in first] == [2, 4, 6]
        assert [r for r, _ in second] == [8, 10, 12]
        assert all(w for _, w in second)  # state -1 is no pid: every task says "worker"

    def test_one_worker_or_one_task_runs_here_without_a_pool(self) -> None:
        """No process is started: every task says it ran here."""
        with pool.session(1):
            assert pool._SESSION.get() is None
        assert pool.pmap(_pid_task, [1, 2], workers=1, state=os.getpid()) == [
            (2, False),
            (4, False),
        ]
        assert pool.pmap(_pid_task, [3], workers=2, state=os.getpid()) == [(6, False)]

    def test_an_error_in_a_worker_stops_the_run_with_it(self) -> None:
        """The worker's exception is raised here; the session's workers are let go."""
        seen: list[tuple[Any, int] | None] = []
        with pytest.raises(ValueError, match="failed in a worker"):
            _in_session(
                seen, lambda: pool.pmap(_fail_in_worker, [1, 2, 3], workers=2, state=os.getpid())
            )
        assert pool._SESSION.get() is None
        (shared,) = seen
        assert shared is not None
        assert shared[0]._state == multiprocessing.pool.CLOSE

    def test_an_error_here_stops_the_run_and_its_workers(self) -> None:
        """This process's exception is raised; no task is sent after it."""
        with pytest.raises(KeyError, match="failed here"):
            pool.pmap(_fail_here, list(range(60)), workers=2, state=os.getpid())
        assert pool._SESSION.get() is None

    def test_an_interrupt_terminates_the_workers_at_once(self) -> None:
        """Ctrl-C (not an Exception): the workers are not waited for."""
        seen: list[tuple[Any, int] | None] = []
        with pytest.raises(KeyboardInterrupt):
            _in_session(seen, _interrupt)
        assert pool._SESSION.get() is None
        (shared,) = seen
        assert shared is not None
        assert shared[0]._state == multiprocessing.pool.TERMINATE

    def test_a_worker_reads_a_steps_state_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """_call unpickles the state of a new step only; results go encoded when asked."""
        monkeypatch.setattr(pool, "_STATE", [None, None])
        state = pickle.dumps(10)

        first = pool._call((_pid_task, None, 7, state, 1))
        kept = pool._call((_pid_task, repr, 7, pickle.dumps(99), 2))  # same step: kept
        new = pool._call((_pid_task, None, 8, pickle.dumps(os.getpid()), 3))

        assert first == (2, True)
        assert kept == "(4, True)"
        assert new == (6, False)
        assert pool._STATE[0] == os.getpid()
        assert pool._STATE[1] == 8

    def test_release_gives_back_what_each_allocator_holds(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The pool of pyarrow when it is imported, and the heap of glibc."""
        pytest.importorskip("pyarrow")

        assert pool.release() == ["pyarrow", "malloc_trim"]
        monkeypatch.delitem(sys.modules, "pyarrow")
        assert pool.release() == ["malloc_trim"]


class TestFramesOnWorkers:
    """A dataframe read by columns on two workers gives the table one process gives."""

    @pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
    def test_two_workers_give_the_table_of_one(
        self, library: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Rows without an id and bad cells keep their row numbers across the ranges."""
        pandas = pytest.importorskip("pandas")
        module = pytest.importorskip(library)
        monkeypatch.setattr(load, "ROWS_A_TASK", 40)  # the 500 rows in 8 ranges
        rows = pandas.read_csv(SAMPLE, dtype=str, keep_default_na=False)
        rows.loc[7, "lead_id"] = ""
        rows.loc[130, "lead_id"] = " "
        rows.loc[131, "created_at"] = "not a date"
        rows.loc[260, "email"] = "nobody@"
        if library == "pandas":
            frame: Any = rows
        elif library == "polars":
            frame = module.from_pandas(rows)
        else:
            frame = module.Table.from_pandas(rows)
        seen: list[tuple[str, int, int]] = []

        one = dedupe.load(frame, tz="UTC")
        two = dedupe.load(frame, tz="UTC", workers=2, progress=lambda *report: seen.append(report))

        assert two.data == one.data
        assert two.bad_rows == one.bad_rows
        assert [b.row for b in two.bad_rows][:3] == [7, 130, 131]
        assert len(two.data.ids) == 497
        assert seen[-1] == ("read", 500, 500)
        assert len([s for s in seen if s[0] == "read"]) == 8

    @pytest.mark.parametrize("workers", [1, 2])
    def test_a_frame_with_a_cell_over_the_limit_is_read_by_records(
        self, workers: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Not plain: the record reader reads it (on the workers too) and names the row."""
        pandas = pytest.importorskip("pandas")
        monkeypatch.setattr(load, "ROWS_A_TASK", 40)
        rows = pandas.read_csv(SAMPLE, dtype=str, keep_default_na=False)
        rows.loc[3, "first_name"] = "x" * 10_001
        seen: list[tuple[str, int, int]] = []

        table = dedupe.load(
            rows, tz="UTC", workers=workers, progress=lambda *report: seen.append(report)
        )

        assert [b.row for b in table.bad_rows] == [3]
        assert table.bad_rows[0].message == "has a value over 10000 characters"
        assert len([s for s in seen if s[0] == "read"]) == (8 if workers == 2 else 1)
        assert len(table.data.ids) == len(rows) - 1
        assert "L00000003" not in table.data.ids
