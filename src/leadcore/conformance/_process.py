"""
Another implementation, run as a process that speaks the JSON Lines protocol.

The command is split with :func:`shlex.split` and started without a shell. Requests are
written to its standard input one line at a time; one response line is read from its
standard output per request, within a per-request timeout. Standard error goes to a
temporary file, shown when the process dies.

Every wait is bounded: two daemon threads move lines between the pipes and queues (so a
process that neither reads nor writes can block only them, never the caller), and the
caller waits on the queues with a timeout. A process that crashes, hangs or writes
something other than one JSON object per line is reported, killed and restarted for the
next request.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shlex
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Self

import attrs

from leadcore._attrs import Frozen, checked
from leadcore.conformance._vectors import json_text
from leadcore.errors import LeadcoreError

__all__ = ["Implementation", "ImplementationError", "Reply"]

_EOF: Final = b""
_STDERR_TAIL: Final = 2_000


class ImplementationError(LeadcoreError, RuntimeError):
    """The other implementation cannot be started (command not found, not executable)."""


@attrs.frozen(kw_only=True)
class Reply(Frozen):
    """
    What the implementation answered to one request.

    Attributes:
        response: The parsed response object, or None when there is none.
        problem: Why there is no usable response (crashed, timed out, not JSON...), or
            None.
        raw: The raw line read, when there was one.

    """

    response: dict[str, Any] | None = None
    problem: str | None = None
    raw: str | None = None


def _pump_out(stream: IO[bytes], lines: queue.Queue[bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):  # the pipe was closed under us
        for line in iter(stream.readline, _EOF):
            lines.put(line)
    lines.put(_EOF)


def _pump_in(stream: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    while True:
        line = lines.get()
        if line is None:
            break
        try:
            stream.write(line)
            stream.flush()
        except (OSError, ValueError):
            break
    with contextlib.suppress(OSError, ValueError):  # already broken
        stream.close()


def _line(request: Mapping[str, Any] | str) -> bytes:
    """The request as one line of bytes, whatever text it holds."""
    if isinstance(request, str):
        # A raw line goes out as given. Lone surrogates in it (text that is not Unicode)
        # go out as the bytes "surrogatepass" writes: not UTF-8, as such a line is.
        return request.replace("\n", " ").encode("utf-8", "surrogatepass") + b"\n"
    # A lone surrogate in an object goes out escaped ("\\ud800"), as JSON spells it.
    return json_text(request).encode("utf-8") + b"\n"


class Implementation:
    """
    A running implementation under test; use as a context manager.

    >>> import sys
    >>> with Implementation([sys.executable, "-m", "leadcore", "decide"]) as impl:
    ...     reply = impl.ask({"id": 1, "rule": "normalize.name", "now": "2026-01-01T00:00:00Z",
    ...                       "input": {"value": "Zoë"}})
    >>> reply.response
    {'id': 1, 'ok': True, 'result': {'normalized': 'zoe'}}
    """

    @checked
    def __init__(
        self,
        command: str | Sequence[str],
        *,
        timeout: float = 10.0,
        startup: float = 5.0,
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """
        Prepare to run ``command`` (a string split like a shell would, or an argv list).

        Args:
            command: The implementation's command line.
            timeout: Seconds to wait for each response.
            startup: Extra seconds allowed for the first response after a (re)start,
                while the implementation loads.
            cwd: Working directory of the process.
            env: Environment of the process (default: this one's).

        """
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ImplementationError("the implementation's command is empty")
        self.timeout = timeout
        self.startup = startup
        self._fresh = False
        self.cwd = cwd
        self.env = None if env is None else dict(env)
        self.starts = 0
        self.failures = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._out: queue.Queue[bytes] = queue.Queue()
        self._in: queue.Queue[bytes | None] = queue.Queue()
        self._threads: list[threading.Thread] = []

    @property
    def command(self) -> str:
        """The command line, quoted as a shell would show it."""
        return shlex.join(self.argv)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """
        Start the process (once; :meth:`ask` restarts it after a failure).

        Raises:
            ImplementationError: The command cannot be run.

        """
        if self._process is not None:
            return
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115  # closed in close()
        try:
            self._process = subprocess.Popen(  # noqa: S603  # the user's own command, no shell
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=self.cwd,
                env=None if self.env is None else {**os.environ, **self.env},
            )
        except OSError as error:
            self._stderr.close()
            self._stderr = None
            raise ImplementationError(
                f"cannot start the implementation {self.command!r}: {error}"
            ) from error
        self.starts += 1
        self._fresh = True
        self._out = queue.Queue()
        self._in = queue.Queue()
        assert self._process.stdout is not None  # noqa: S101  # PIPE was asked for
        assert self._process.stdin is not None  # noqa: S101
        self._threads = [
            threading.Thread(target=_pump_out, args=(self._process.stdout, self._out), daemon=True),
            threading.Thread(target=_pump_in, args=(self._process.stdin, self._in), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _stderr_tail(self) -> str:
        if self._stderr is None:  # pragma: no cover  # only called while running
            return ""
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - _STDERR_TAIL))
            text = self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):  # pragma: no cover  # the file went away
            return ""
        return text

    def _died(self) -> str:
        process = self._process
        assert process is not None  # noqa: S101  # only called while running
        try:
            code = process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        tail = self._stderr_tail()
        status = "closed its output" if code is None else f"exited with status {code}"
        problem = f"the implementation {status} before answering"
        return f"{problem}; its stderr ends with:\n{tail}" if tail else problem

    def ask(self, request: Mapping[str, Any] | str) -> Reply:
        """
        Send one request (an object, or a raw line) and read its response.

        Never raises for a misbehaving implementation: a crash, a timeout or a line that
        is not a JSON object comes back as a :class:`Reply` with a ``problem``, and the
        process is restarted for the next request.

        Raises:
            ImplementationError: The process cannot be (re)started.

        """
        self.start()
        self._in.put(_line(request))
        wait = self.timeout + (self.startup if self._fresh else 0.0)
        self._fresh = False
        while True:
            try:
                raw = self._out.get(timeout=wait)
            except queue.Empty:
                problem = f"no answer within {wait:g} s (the implementation hangs)"
                return self._fail(problem, grace=0)
            if raw == _EOF:
                return self._fail(self._died(), grace=2)
            text = raw.decode("utf-8", "replace").strip()
            if text:
                break
        try:
            response = json.loads(text)
        except ValueError:
            return Reply(problem=f"the answer is not JSON: {text[:200]!r}", raw=text)
        if not isinstance(response, dict):
            return Reply(problem=f"the answer is not a JSON object: {text[:200]!r}", raw=text)
        return Reply(response=response, raw=text)

    def _fail(self, problem: str, *, grace: float) -> Reply:
        self.failures += 1
        self.close(grace=grace)
        return Reply(problem=problem)

    def close(self, *, grace: float = 2.0) -> None:
        """Stop the process: close its input, wait up to ``grace`` seconds, then kill it."""
        process = self._process
        if process is None:
            return
        self._in.put(None)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):  # an unkillable process
                process.wait(timeout=5)
        for thread in self._threads:
            thread.join(timeout=1)
        # Both are set with the process (start): its output a PIPE, its stderr a file.
        assert process.stdout is not None  # noqa: S101
        assert self._stderr is not None  # noqa: S101
        process.stdout.close()
        self._stderr.close()
        self._process = None
        self._stderr = None
        self._threads = []
