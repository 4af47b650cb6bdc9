"""
Progress bars (``leadcore._progress``): one bar per stage, following what it is told.

tqdm is replaced by a recorder: what matters is what each stage's bar is told.
"""

from __future__ import annotations

from leadcore._progress import Bars


class _Recorder:
    """A tqdm stand-in: its total, its count, what it was asked."""

    made: list[_Recorder] = []  # noqa: RUF012  # the bars made, in order

    def __init__(self, *, total: int, desc: str, leave: bool) -> None:
        self.total, self.desc, self.leave, self.n = total, desc, leave, 0
        self.closed = False
        _Recorder.made.append(self)

    def update(self, step: int) -> None:
        self.n += step

    def close(self) -> None:
        self.closed = True


def test_a_stage_whose_total_grows_moves_its_one_bar() -> None:
    """A stage learns its total on the way (a file read in ranges): the bar follows."""
    _Recorder.made.clear()
    bars = Bars(_Recorder)

    bars("read", 1, 10)
    bars("read", 15, 20)
    bars("read", 15, 20)  # no step back, no double count
    bars("find", 3, 3)
    bars.close()

    assert [(b.desc, b.total, b.n, b.leave, b.closed) for b in _Recorder.made] == [
        ("read", 20, 15, True, True),
        ("find", 3, 3, True, True),
    ]
