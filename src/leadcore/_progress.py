"""
Progress of long calls: a caller's callback, or a tqdm bar with ``progress=True``.

Long library calls (batch deduplication, the routing simulation) take ``progress``:
None or False for nothing (the default), a callable ``(stage, done, total)``, or True
for a bar per stage drawn by ``tqdm.auto`` (a widget in Jupyter, text on a terminal).
tqdm is optional (the ``notebook`` extra): asking for a bar without it is a
:class:`~leadcore.errors.MissingDependency` that says what to install.

Drawing a bar is the one effect here, asked for by the caller; rule code never calls it.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import Any, cast

from leadcore.errors import MissingDependency

__all__ = ["Bars", "ProgressFn", "using"]

ProgressFn = Callable[[str, int, int], None]
"""A progress callback: stage name, units done, units in all."""


def tqdm_class(feature: str = "progress=True") -> Any:  # noqa: ANN401  # tqdm's class
    """Return ``tqdm.auto.tqdm``, or raise :class:`MissingDependency` naming ``feature``."""
    try:
        return importlib.import_module("tqdm.auto").tqdm
    except ImportError as error:
        raise MissingDependency("tqdm", feature) from error


class Bars:
    """One tqdm bar per stage, moved by ``(stage, done, total)`` calls."""

    def __init__(self, bar: Any) -> None:  # noqa: ANN401  # tqdm's class
        self._bar = bar
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Move the bar of ``stage`` to ``done`` of ``total``."""
        shown = self._bars.get(stage)
        if shown is None:
            shown = self._bars[stage] = self._bar(total=total, desc=stage, leave=True)
        if shown.total != total:
            shown.total = total
        if done > shown.n:
            shown.update(done - shown.n)

    def close(self) -> None:
        """Close every bar (each stays on screen, finished)."""
        for shown in self._bars.values():
            shown.close()
        self._bars.clear()


@contextlib.contextmanager
def using(progress: object) -> Iterator[ProgressFn | None]:
    """
    Yield the callback ``progress`` asks for; bars are closed on the way out.

    ``progress`` is an argument of a public function, checked by its ``@checked``.

    Raises:
        MissingDependency: ``progress=True`` without tqdm.

    """
    if progress is None or progress is False:
        yield None
        return
    if progress is True:
        bars = Bars(tqdm_class())
        try:
            yield bars
        finally:
            bars.close()
        return
    yield cast("ProgressFn", progress)  # a callable: @checked refused anything else
