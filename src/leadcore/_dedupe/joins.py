"""
Rows by email or phone key, and the pairs sharing one, found by polars in a large table.

:func:`leadcore._dedupe.block.find` reads a plain email or phone space of a large table
through polars when it is installed: every row's keys (and co-customers' keys their
customer lacks) become one frame (:func:`key_frame`). Then either the blocks are grouped
from it (:func:`leadcore._dedupe.block.Keys.blocks`), or, when every group the space is
searched for takes a block whole (no compound key, no unkeyed item), the pairs are found
by one join (:func:`join`): each row's customer keys against the keys of the rows that
may be existing leads (either person), a row never with itself, the keys held by more
rows than the limit (generic, searched apart) left out. The pairs are those the blocks
hold, without building a block in Python (a property test). Neither holds a key with a
lone surrogate (no UTF-8 form): None, and the search stays in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any, NamedTuple

from leadcore._dedupe.inputs import polars_or_none
from leadcore._merge.keys import Key

__all__ = ["Joined", "join", "key_frame"]


def key_frame(
    column: Sequence[tuple[Key, ...]], co: list[tuple[int, Key]]
) -> tuple[Any, Any] | None:
    """
    The polars module and a frame of ``key``, ``row``, ``co``: a line a row's key.

    ``column``: every row's customer keys, in row order (a row of no key gives no line);
    then ``co``: (row, key) of the co-customers' keys their customer lacks (``co`` true).
    None without polars, or when it cannot hold a key (a lone surrogate).
    """
    pl = polars_or_none()
    if pl is None:
        return None
    keys = list(chain.from_iterable(column))
    own = len(keys)
    keys.extend(key for _, key in co)
    try:
        texts = pl.Series(keys, dtype=pl.String)
    except UnicodeEncodeError:  # a key with a lone surrogate (not Unicode): in Python
        return None
    # Each row's number as often as it has keys, repeated by polars (a row of no key
    # gives a null, dropped), then the co-customers' rows. (Expressions: polars 1.0
    # has no Series.repeat_by.)
    counts = pl.Series("n", list(map(len, column)), dtype=pl.Int64)
    rows = (
        counts.to_frame()
        .select(pl.int_range(pl.len(), dtype=pl.Int64).repeat_by(pl.col("n")))
        .to_series()
        .explode()
        .drop_nulls()
        .append(pl.Series([row for row, _ in co], dtype=pl.Int64))
    )
    return pl, pl.DataFrame({"key": texts, "row": rows}).with_columns(
        co=pl.int_range(pl.len()) >= own
    )


class Joined(NamedTuple):
    """The pairs of a space found by :func:`join`, and its generic keys' blocks."""

    pairs: dict[int, tuple[list[int], list[int]]]
    """By mode bit: the inbound rows and the existing rows of its pairs (the existing
    row may be an existing lead in the mode)."""
    big: dict[Key, list[int]]
    """Every key held by more rows than the limit (and by two or more), its rows
    ascending: left out of the pairs, whether or not the search reads its block."""


def join(
    column: Sequence[tuple[Key, ...]],
    co: list[tuple[int, Key]],
    marks: Sequence[tuple[int, Sequence[bool]]],
    limit: int,
) -> Joined | None:
    """
    The pairs (inbound row, existing row) of a space sharing a key, by a polars join.

    ``column`` and ``co`` as :func:`key_frame` takes them; ``marks``: each mode's bit
    and who may be an existing lead in it. A pair is an inbound row holding the key on
    its customer and another row holding it on either person that may be existing in
    one of the modes (their bits), once a key they share; the keys held by more than
    ``limit`` rows (:attr:`Joined.big`, counted by their hash first, then exactly) are
    left out. None without polars, or when it cannot hold a key.
    """
    framed = key_frame(column, co)
    if framed is None:
        return None
    pl, frame = framed
    bits = pl.repeat(0, n=len(column), dtype=pl.Int64, eager=True)
    for bit, eligible in marks:
        bits = bits | (pl.Series(eligible, dtype=pl.Boolean).cast(pl.Int64) * bit)
    frame = frame.with_columns(bits=bits.gather(frame["row"]))
    # A key's rows are at most its hash's: the keys of hashes held by more than the
    # limit are counted exactly (the few generic ones and the odd collision). The
    # hashes are counted in runs of the sorted column: a group-by of a million keys
    # holds several times the memory (and CPU). The runs' fields by position: their
    # names changed across polars versions. Signed, so that the hashes make a list
    # polars 1.0 reads back (it reads Python integers as Int64).
    most = max(limit, 1)
    hashes = frame["key"].hash().reinterpret(signed=True)
    runs = hashes.sort().rle().struct.unnest()
    crowded = runs.to_series(1).filter(runs.to_series(0) > most)
    big: dict[Key, list[int]] = {}
    if len(crowded):
        blocks = (
            frame.filter(hashes.is_in(crowded.to_list()))
            .group_by("key", maintain_order=True)
            .agg(pl.col("row").sort())
            .filter(pl.col("row").list.len() > most)
        )
        big = dict(zip(blocks["key"].to_list(), blocks["row"].to_list(), strict=True))
        frame = frame.filter(~pl.col("key").is_in(list(big)))
    existing = frame.filter(pl.col("bits") > 0).select("key", pl.col("row").alias("y"), "bits")
    inbound = frame.filter(~pl.col("co")).select("key", pl.col("row").alias("x"))
    pairs = inbound.join(existing, on="key").filter(pl.col("x") != pl.col("y"))
    by_bit = {}
    for bit, _ in marks:
        mine = pairs.filter((pl.col("bits") & bit) > 0)
        by_bit[bit] = (mine["x"].to_list(), mine["y"].to_list())
    return Joined(by_bit, big)
