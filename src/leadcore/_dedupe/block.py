"""
Candidate pairs for batch deduplication: blocking derived from the match rule, exactly.

A *key* is what two leads share when an exact-style item of the rule holds: a normal
form (an E.164 phone, an email, a folded (first, last) name, a custom field's value), an
email domain, the first characters of a name. Keys of one kind make a *key space*
(:class:`~leadcore._merge.keys.KeySpace`, the same definition the engine compares with);
a *block* is the set of rows holding one key, on either person. Only pairs inside blocks
are compared, so the work grows with the pairs sharing keys, not with n squared, and no
pair the rule could match is missed:

* Each group of the rule says which keys every match of it shares
  (:class:`~leadcore._merge.engine.Blocking`): a key of each *required* space (an
  exact-style item of an ``all_of``, a ``block_on`` item), or keys of enough *options*
  (the exact-style items of an ``of``: at least ``at_least`` of them, fuzzy items not
  counting). The group is searched through one required space (the most selective),
  each block split by the keys of its other required spaces (a *compound key*: zip,
  then last name, :attr:`GroupSearch.within`), or through its options but those that
  together cannot reach ``at_least`` (the most common are left out: names, prefixes,
  domains and lead fields first, then the spaces with the most pairs). In a block of
  :data:`CLOSE_AT` pairs or more, an ``all_of`` group's unkeyed items (fuzzy) are
  searched in C first (:class:`Close`). A pair found is kept when the inbound customer
  (or lead) shares enough keys with one person of the existing lead, meets that person
  on the unkeyed items of an ``all_of`` group (:func:`unkeyed_items`: fuzzy and
  blanks-match items, checked as the engine checks them), and passes the group's
  ``inbound_lacks``.
  The seed's rules give exactly the search of earlier versions: auto-merge through
  emails and phones with two kinds of key shared, MRG-4 through the phones of
  phone-only leads, duplicates through emails and phones.
* A *generic* key (held by more than ``limit`` rows: a call centre's number, a shared
  mailbox) is not enumerated pair by pair. Its pairs that can still match a
  group are found exactly: those sharing a key of another of the group's spaces too
  (the block is split by those keys), and, when this key can be the group's only shared
  key, every pair of the block (nothing else needed), or the pairs whose values can meet
  one of the group's fuzzy (or blanks-match) items (scored as the engine scores them,
  after a length bound no closer pair can miss).
* Keys an item ignores (``max_leads``: held by more rows of the table) are left out of
  its space, exactly as the engine ignores them.

Only rows that may be existing leads in a mode (inside its date window, checked with a
margin by the caller) are paired as such; the search starts from them. When they are
few, the email and phone spaces of a large table whose groups take a block whole are
searched by a polars join (:func:`_joined`, :mod:`leadcore._dedupe.joins`): the blocks'
pairs, without a block in Python.

:class:`Keys` (a table's keys by space), :func:`row_keys` (one row's),
:func:`plan_by_load` (what each group is searched through), :func:`refinement` (how a
generic block is searched), :func:`close_candidates` and :meth:`Finder.passes` (the check
of a pair found) are the blocking every engine over tables uses: the Spark engine builds
its joins from the same spaces, keys and plan, and runs the same checks in its batches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import chain, compress, repeat
from typing import Final, Literal, NamedTuple

from leadcore import _fuzzy
from leadcore._dedupe.inputs import Chunk
from leadcore._dedupe.joins import Joined, join, key_frame
from leadcore._merge.counts import KeyCounts, limited_spaces
from leadcore._merge.engine import Blocking, CompiledGroup, CompiledItem, Spec, compile_spec
from leadcore._merge.keys import Key, KeySpace, person_values, raw_values, show_key
from leadcore._merge.policy import MergePolicy
from leadcore.errors import InvalidInput, Problem

__all__ = [
    "CLOSE_AT",
    "EXCLUDED",
    "GROUPED_AT",
    "JOINED_AT",
    "Candidates",
    "Close",
    "Finder",
    "Generic",
    "GroupSearch",
    "Keys",
    "Mode",
    "Person",
    "Plan",
    "Refinement",
    "Sought",
    "check_blockable",
    "check_columns",
    "close_between",
    "close_candidates",
    "close_pairs",
    "exclude",
    "find",
    "generic_keys",
    "generic_problem",
    "needed_fields",
    "plan",
    "plan_by_load",
    "refinement",
    "row_keys",
    "shares_enough",
    "table_counts",
    "unkeyed_items",
    "window_start",
]

Pairs = dict[tuple[int, int], int]
"""Directed pairs (inbound row, existing row) to the bits of their modes."""

Found = set[tuple[int, int]]
"""Directed pairs (inbound row, existing row) a generic key's handling yielded."""

RowKeys = Callable[[int], tuple[Key, ...]]
"""A row's keys in one space."""

_NO: Final[tuple[Key, ...]] = ()
_PLAIN_AT: Final = {"email": 2, "phone": 3}
"""Where a co-customer's emails and phones are (see :data:`leadcore._dedupe.inputs.Co`)."""
_LEAD_COLUMNS: Final = ("source", "lot")


DAY_US: Final = 86_400_000_000

CLOSE_AT: Final = 64
"""From how many pairs a block's unkeyed items are searched in C (:meth:`Finder._close`)
rather than checked pair by pair: below it, building the values costs more than it saves."""

GROUPED_AT: Final = 200_000
"""From how many rows a table's email and phone blocks are grouped by polars, when it is
installed (:func:`_grouped`), rather than in Python: below it, importing polars costs
more than it saves."""


JOINED_AT: Final = 200_000
"""From how many rows a table's email and phone pairs are found by a polars join, when it
is installed and the search allows (:func:`_joined`), rather than through blocks."""


def window_start(now_us: int, days: int) -> int:
    """
    The earliest instant (microseconds) a lead inside a ``days`` window may have.

    A margin of a day: this only prunes leads that surely fall outside the window;
    :func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates` apply it exactly.
    """
    return now_us - (days + 1) * DAY_US


class Generic(NamedTuple):
    """A key held by more rows than the limit, and what was done with it."""

    kind: str
    """The key space's label (``phone``, ``email``, ``name``, ``fields.vin``...)."""
    key: str
    rows: int
    pairs: int
    """Candidate pairs its refinement produced (0 when excluded or never enumerated)."""


class Mode(NamedTuple):
    """One mode to find pairs for: its bit, its compiled spec, who may be existing."""

    bit: int
    spec: Spec
    eligible: Sequence[bool]


class Candidates(NamedTuple):
    """Directed candidate pairs with the bits of their modes, and the generic keys."""

    pairs: Pairs
    generic: list[Generic]
    enumerated: dict[int, tuple[str, ...]]
    """The labels of the key spaces whose blocks were enumerated, per mode bit."""
    examined: int = 0
    """The pairs the search checked (:attr:`Finder.examined`, every mode): of blocks,
    a row with itself included; of a join, pairs of two rows."""


# -- keys ---------------------------------------------------------------------------------


class Sought(NamedTuple):
    """
    The keys of a space a search reads (:func:`_wanted`), as :meth:`Keys.blocks` takes them.

    Every key of either person of a row marked in one of ``held`` (the rows that may be
    existing leads in a mode), and the keys ``more`` (those of guarded groups' inbound
    rows). Told by marks, not as a set, so that polars finds them among the rows' keys
    itself when it groups the blocks (:func:`_grouped`).
    """

    held: list[Sequence[bool]]
    more: list[Key]


class Keys:
    """
    A table's keys by space, and the blocks (rows holding each key), lazily.

    ``own(space)`` gives a row's keys of its customer (person fields) or of the lead
    (lead and custom fields): the inbound side. ``anyone(space, row)`` adds the
    co-customer's: the existing side. Keys an item ignores (``max_leads``) are left out.
    :meth:`keep` narrows a space's blocks to those the search will read.

    ``ignored`` gives, for every space with ``max_leads``, the keys held by too many rows
    of a whole table of which ``table`` is a part (the Spark engine's batches count them
    on the cluster); by default they are counted over ``table``.
    """

    def __init__(
        self,
        table: Chunk,
        region: str,
        folded: frozenset[str],
        *,
        ignored: Mapping[KeySpace, frozenset[Key]] | None = None,
        grouped_at: int = GROUPED_AT,
    ) -> None:
        self.table = table
        self.region = region
        self.folded = folded
        self.grouped_at = grouped_at
        """From how many rows email and phone blocks are grouped by polars (:data:`GROUPED_AT`)."""
        self._own: dict[KeySpace, RowKeys] = {}
        self._co: dict[KeySpace, dict[int, tuple[Key, ...]]] = {}
        self._blocks: dict[KeySpace, dict[Key, list[int]]] = {}
        self._counts: dict[KeySpace, Counter[Key]] = {}
        self._overs: dict[KeySpace, frozenset[Key]] = dict(ignored or {})
        self._lacking: dict[str, dict[tuple[str, str], bool]] = {}
        self._lists: dict[KeySpace, list[tuple[Key, ...]] | None] = {}
        self._rows: dict[KeySpace, list[tuple[Key, ...]]] = {}
        self._co_rows: dict[KeySpace, list[tuple[int, Key]]] = {}
        self._mixed: dict[KeySpace, set[Key]] = {}

    # a row's keys ---------------------------------------------------------------------

    def own(self, space: KeySpace) -> RowKeys:
        """A function from a row to its customer's (or lead's) keys in ``space``."""
        found = self._own.get(space)
        if found is None:
            found = self._own[space] = self._own_of(space)
        return found

    def column(self, space: KeySpace) -> list[tuple[Key, ...]] | None:
        """Every row's customer (or lead) keys as a list, when they are one (not names)."""
        found = self._lists.get(space)
        if found is None and space not in self._lists:
            self.own(space)
            found = self._lists.get(space)
        return found

    def _own_of(self, space: KeySpace) -> RowKeys:
        table = self.table
        plain = space.max_leads is None and space.method == "exact" and space.person
        if plain and space.field == "email":
            self._lists[space] = table.emails  # type: ignore[assignment]  # keys are texts
            return table.emails.__getitem__
        if plain and space.field == "phone":
            self._lists[space] = table.phones  # type: ignore[assignment]  # keys are texts
            return table.phones.__getitem__
        if plain and space.field == "name":
            folded = self.folded if space.placeholders else None
            return _Names(table.first, table.last, folded).__getitem__
        column = self._column(space)
        return column.__getitem__

    def _column(self, space: KeySpace) -> list[tuple[Key, ...]]:
        """Every row's customer (or lead) keys in ``space``, ignored keys left out."""
        found = self._unfiltered(space)
        if space.max_leads is not None:
            over = self._over(space)
            if over:
                found = [
                    tuple(k for k in keys if k not in over) if keys else keys for keys in found
                ]
        return found

    def _unfiltered(self, space: KeySpace) -> list[tuple[Key, ...]]:
        """Every row's customer (or lead) keys in ``space``, ignored keys included."""
        table = self.table
        found: list[tuple[Key, ...]] = []
        if space.person:
            memo: dict[tuple[str, str], tuple[Key, ...]] = {}
            folded = self.folded
            if space.field in ("name", "first_name", "last_name", "full_name"):
                for pair in zip(table.first, table.last, strict=True):
                    cached = memo.get(pair)
                    if cached is None:
                        cached = memo[pair] = space.person_keys(*pair, (), (), folded)
                    found.append(cached)
            else:
                found.extend(
                    space.person_keys(
                        table.first[row],
                        table.last[row],
                        table.emails[row],
                        table.phones[row],
                        folded,
                    )
                    for row in range(len(table.ids))
                )
            return found
        values: dict[object, tuple[Key, ...]] = {}
        for cell in self._raw(space.field):
            memo_key = cell if type(cell) is str else (type(cell), repr(cell))
            cached = values.get(memo_key)
            if cached is None:
                cached = values[memo_key] = space.value_keys(cell, self.region)
            found.append(cached)
        return found

    def _raw(self, field: str) -> list[object]:
        table = self.table
        if field in _LEAD_COLUMNS:
            return getattr(table, field)  # type: ignore[no-any-return]  # a column
        column = table.extra.get(field)
        return [None] * len(table.ids) if column is None else column

    def counts_unfiltered(self, space: KeySpace) -> Counter[Key]:
        """How many rows hold each key of ``space`` (either person), ignored keys included."""
        own = self._unfiltered(space)
        counts: Counter[Key] = Counter()
        for keys in own:
            counts.update(keys)
        if space.person:
            for row, person in self.table.co.items():
                mine = own[row]
                counts.update(k for k in space.person_keys(*person, self.folded) if k not in mine)
        return counts

    def _over(self, space: KeySpace) -> frozenset[Key]:
        """The keys held by more rows than the space's ``max_leads`` (on either person)."""
        found = self._overs.get(space)
        if found is None:
            limit = space.max_leads or 0
            counts = self.counts_unfiltered(space)
            found = self._overs[space] = frozenset(k for k, c in counts.items() if c > limit)
        return found

    def co(self, space: KeySpace, row: int) -> tuple[Key, ...]:
        """The co-customer's keys of a row with one (person spaces; the lead's for the others)."""
        if not space.person:
            return self.own(space)(row)
        at = self._plain_at(space)
        if at is not None:
            return self.table.co[row][at]  # type: ignore[return-value]  # keys are texts
        found = self._co.get(space)
        if found is None:
            found = self._co[space] = {}
        keys = found.get(row)
        if keys is None:
            keys = space.person_keys(*self.table.co[row], self.folded)
            if space.max_leads is not None and keys:
                over = self._over(space)
                keys = tuple(k for k in keys if k not in over)
            found[row] = keys
        return keys

    def _plain_at(self, space: KeySpace) -> int | None:
        """
        Where a co-customer's keys of ``space`` are in its normal forms, or None.

        In a plain email or phone space (its keys a column: :meth:`column`) a person's
        keys are its normal forms, as held.
        """
        return _PLAIN_AT[space.field] if self.column(space) is not None else None

    def anyone(self, space: KeySpace, row: int) -> tuple[Key, ...]:
        """The keys of either person of a row (the existing side)."""
        own = self.own(space)(row)
        if not space.person or row not in self.table.co:
            return own
        other = self.co(space, row)
        if not other:
            return own
        return own + tuple(k for k in other if k not in own)

    # counts and blocks ----------------------------------------------------------------

    def counts(self, space: KeySpace) -> Counter[Key]:
        """How many rows hold each key of ``space`` (on either person)."""
        found = self._counts.get(space)
        if found is None:
            # Counted in C: every row's keys chained, then the co-customers' others.
            found = Counter(chain.from_iterable(self._rows_keys(space)))
            found.update(key for _, key in self.co_keys(space))
            self._counts[space] = found
        return found

    def _rows_keys(self, space: KeySpace) -> Sequence[tuple[Key, ...]]:
        """Every row's customer (or lead) keys in ``space``, in row order."""
        column = self.column(space)
        if column is not None:
            return column
        found = self._rows.get(space)
        if found is None:
            found = self._rows[space] = list(map(self.own(space), range(len(self.table.ids))))
        return found

    def co_keys(self, space: KeySpace) -> list[tuple[int, Key]]:
        """(row, key) of the co-customers' keys their row's customer lacks (person spaces)."""
        found = self._co_rows.get(space)
        if found is not None:
            return found
        column = self.column(space)
        at = self._plain_at(space)
        if column is not None and at is not None:
            found = [
                (row, key)
                for row, person in self.table.co.items()
                for key in person[at]
                if key not in column[row]
            ]
        else:
            found = []
            if space.person:
                own = self.own(space)
                for row in self.table.co:
                    mine = own(row)
                    found.extend((row, key) for key in self.co(space, row) if key not in mine)
        self._co_rows[space] = found
        return found

    def blocks(self, space: KeySpace, sought: Sought | None = None) -> dict[Key, list[int]]:
        """
        Rows of every key held by 2 or more rows, ascending (computed once per space).

        ``sought``: of those keys only (the keys the search reads, when they are few);
        by default every key held by several rows, told by their counts. Either way the
        rows' keys are filtered in C; only those of the keys sought are gone through in
        Python. The email and phone blocks of a table of :attr:`grouped_at` rows or more
        are grouped by polars when it is installed (:func:`_grouped`): the same blocks.
        """
        found = self._blocks.get(space)
        if found is not None:
            return found
        plain = self.column(space)
        if plain is not None and len(plain) >= self.grouped_at:
            grouped = _grouped(plain, self.co_keys(space), sought)
            if grouped is not None:
                found, self._mixed[space] = grouped
                self._blocks[space] = found
                return found
        if sought is None:
            counts = self.counts(space)
            wanted = set(compress(counts, map((1).__lt__, counts.values())))
        else:
            wanted = self._sought_set(space, sought)
        found = {}
        column = self._rows_keys(space)
        flat = list(chain.from_iterable(column))
        owners = chain.from_iterable(map(repeat, range(len(column)), map(len, column)))
        for key, row in compress(zip(flat, owners, strict=True), map(wanted.__contains__, flat)):
            rows = found.get(key)
            if rows is None:
                found[key] = [row]
            else:
                rows.append(row)
        touched = set()
        for row, key in self.co_keys(space):
            if key in wanted:
                found.setdefault(key, []).append(row)
                touched.add(key)
        for key in touched:
            found[key].sort()
        self._mixed[space] = touched
        found = self._blocks[space] = {k: rows for k, rows in found.items() if len(rows) > 1}
        return found

    def _sought_set(self, space: KeySpace, sought: Sought) -> set[Key]:
        """The keys ``sought`` as a set: the marked rows' (either person), and the others."""
        found: set[Key] = set()
        rows = self._rows_keys(space)
        for ok in sought.held:
            found.update(chain.from_iterable(compress(rows, ok)))
        co = self.co_keys(space)
        for ok in sought.held:
            found.update([key for row, key in co if ok[row]])
        found.update(sought.more)
        return found

    def mixed(self, space: KeySpace) -> set[Key]:
        """
        The keys of ``space`` whose block holds a row through its co-customer only.

        In the other blocks, every row holds the key on its customer (or lead).
        """
        self.blocks(space)
        return self._mixed[space]

    def keep(self, space: KeySpace, read: Callable[[Key, list[int]], bool]) -> None:
        """Keep only the blocks of ``space`` that ``read`` (the search) will read."""
        blocks = self.blocks(space)
        self._blocks[space] = {k: rows for k, rows in blocks.items() if read(k, rows)}

    def lacks(self, group: CompiledGroup, row: int) -> bool:
        """Whether a row's customer (or lead) lacks every ``inbound_lacks`` field of ``group``."""
        table = self.table
        for guard in group.lacks:
            field = guard.item.field
            if field == "email":
                if table.emails[row]:
                    return False
            elif field == "phone":
                if table.phones[row]:
                    return False
            elif guard.person:
                if not self._blank(guard, table.first[row], table.last[row]):
                    return False
            elif self.values(guard, row, co=False):
                return False
        return True

    def lacking(self, group: CompiledGroup, rows: Iterable[int]) -> list[int]:
        """
        The rows of ``rows`` that :meth:`lacks` ``group``'s fields, ascending as given.

        One guard at a time over the rows left, emails and phones (read in the columns)
        first: the rows of a table lacking an email are checked for a name, not each
        row for every guard in a call.
        """
        table = self.table
        found = list(rows)
        for guard in sorted(group.lacks, key=lambda g: g.item.field not in _PLAIN_AT):
            field = guard.item.field
            if field in _PLAIN_AT:
                column = table.emails if field == "email" else table.phones
                found = [r for r in found if not column[r]]
            elif guard.person:
                first, last = table.first, table.last
                found = [r for r in found if self._blank(guard, first[r], last[r])]
            else:
                found = [r for r in found if not self.values(guard, r, co=False)]
        return found

    def _blank(self, guard: CompiledItem, first: str, last: str) -> bool:
        """Whether a customer of this folded first and last name lacks a name guard's field."""
        field = guard.item.field
        memo = self._lacking.setdefault(field, {})
        pair = (first, last)
        found = memo.get(pair)
        if found is None:
            found = memo[pair] = not person_values(field, first, last, (), (), guard.blank)
        return found

    # values of unkeyed items ----------------------------------------------------------

    def values(self, item: CompiledItem, row: int, co: bool) -> tuple[Key, ...]:  # noqa: FBT001  # private
        """An item's values on a row's customer (or co-customer), or on its lead."""
        table = self.table
        if item.person:
            if co:  # a row with a co-customer (the callers check)
                first, last, emails, phones = table.co[row]
            else:
                first, last = table.first[row], table.last[row]
                emails, phones = table.emails[row], table.phones[row]
            return person_values(item.item.field, first, last, emails, phones, item.blank)
        cell = self._raw(item.item.field)[row]
        return raw_values(cell, item.item.effective_normalizer, self.region)


class _Names(dict[int, tuple[Key, ...]]):
    """
    Rows' name keys by row, each computed on first use (by its first and last name).

    Read through ``__getitem__``: a row seen before costs a dictionary lookup in C.
    """

    def __init__(self, first: list[str], last: list[str], folded: frozenset[str] | None) -> None:
        super().__init__()
        self.first, self.last, self.folded = first, last, folded
        self.names: dict[tuple[str, str], tuple[Key, ...]] = {}

    def __missing__(self, row: int) -> tuple[Key, ...]:
        pair = (self.first[row], self.last[row])
        keys = self.names.get(pair)
        if keys is None:
            keys = self.names[pair] = person_values("name", *pair, (), (), self.folded)
        self[row] = keys
        return keys


def _grouped(
    column: Sequence[tuple[Key, ...]], co: list[tuple[int, Key]], sought: Sought | None
) -> tuple[dict[Key, list[int]], set[Key]] | None:
    """
    :meth:`Keys.blocks` of an email or phone space, grouped by polars (None without it).

    None too when polars cannot hold a key: one with a lone surrogate (no UTF-8 form).
    ``column``: every row's customer keys; ``co``: (row, key) of the co-customers' keys
    their customer lacks. The blocks of every key held by 2 or more rows (of those
    ``sought`` only, when given: the marked rows' keys are found by polars too), rows
    ascending, in the order of their keys' first rows as :meth:`Keys.blocks` lists
    them, and the keys whose block holds a row through its co-customer: the same as in
    Python (a property test), without a dictionary operation a key.
    """
    framed = key_frame(column, co)
    if framed is None:
        return None
    pl, frame = framed
    if sought is None:
        frame = frame.filter(pl.len().over("key") > 1)
    else:
        marked = pl.repeat(value=False, n=len(column), dtype=pl.Boolean, eager=True)
        for held in sought.held:
            marked = marked | pl.Series(held, dtype=pl.Boolean)
        wanted = frame.filter(marked.gather(frame["row"]))["key"]
        wanted = wanted.append(pl.Series(sought.more, dtype=pl.String)).unique()
        # A list, not a Series: polars 1.28 on deprecates a Series of the column's type
        # here, and before 1.28 an imploded one is refused.
        frame = frame.filter(pl.col("key").is_in(wanted.to_list()))
    blocks = (
        frame.group_by("key", maintain_order=True)
        .agg(pl.col("row").sort(), pl.col("co").any())
        .filter(pl.col("row").list.len() > 1)
    )
    found = dict(zip(blocks["key"].to_list(), blocks["row"].to_list(), strict=True))
    return found, set(blocks.filter(pl.col("co"))["key"].to_list())


# -- the plan -----------------------------------------------------------------------------


def _common(space: KeySpace) -> int:
    """1 for spaces whose keys are usually shared by many (names, prefixes, lead fields)."""
    if space.method != "exact":
        return 1
    if space.person:
        return 0 if space.field in ("email", "phone") else 1
    return 1 if space.custom is None else 0


class GroupSearch(NamedTuple):
    """One group of a mode, as the search checks a pair found through one of its spaces."""

    group: CompiledGroup
    trivial: bool
    """Found through this space, the pair shares enough keys (only the guard is left)."""
    within: tuple[KeySpace, ...] = ()
    """The group's other required spaces, most selective first: the *compound key*.

    Every match shares a key of each of them too, so a block of the space searched is
    split by their keys (:meth:`Finder.from_existing`) and only rows sharing a key of
    every one are paired: zip and last name, not every pair of a zip. Empty for a
    group of one required space or of options."""


Plan = dict[KeySpace, list[GroupSearch]]
"""For one mode: the spaces searched, each with the groups searched through it."""


def plan(spec: Spec, keys: Keys, limit: int) -> Plan:
    """
    The spaces each group of ``spec`` is searched through (see the module doc).

    A group is searched through one required space (the least common, then the fewest
    pairs), or through its options but the most common ones whose weights stay below
    ``at_least``.
    """
    loads: dict[KeySpace, int] = {}

    def load(space: KeySpace) -> int:
        value = loads.get(space)
        if value is None:
            value = loads[space] = sum(
                c * (c - 1) for c in keys.counts(space).values() if 1 < c <= limit
            )
        return value

    return plan_by_load(spec, load)


def plan_by_load(spec: Spec, load: Callable[[KeySpace], int]) -> Plan:
    """
    :func:`plan`, given each space's load: the pairs its blocks of 2 to ``limit`` rows make.

    The one choice of both engines: the Spark engine counts the loads on the cluster.
    """
    found: Plan = {}
    for group in spec.groups:
        blocking = group.blocking
        if blocking is None:  # pragma: no cover  # refused by check_blockable first
            continue
        within: tuple[KeySpace, ...] = ()
        if blocking.required:
            candidates = sorted(blocking.required, key=lambda s: (_common(s), s.label))
            least = [s for s in candidates if _common(s) == _common(candidates[0])]
            chosen = [min(least, key=lambda s: (load(s), s.label)) if len(least) > 1 else least[0]]
            within = _within(blocking.required, chosen[0], load)
        else:
            chosen = _options(blocking.options, blocking.at_least, load)
        for space in chosen:
            weight = dict(blocking.options).get(space, 0)
            trivial = (blocking.required == (space,) and blocking.at_least <= 0) or (
                not blocking.required and blocking.at_least <= weight
            )
            found.setdefault(space, []).append(GroupSearch(group, trivial, within))
    return found


def _within(
    required: tuple[KeySpace, ...], chosen: KeySpace, load: Callable[[KeySpace], int]
) -> tuple[KeySpace, ...]:
    """The required spaces but ``chosen``, the compound key's rest: least common first."""
    rest = [s for s in required if s != chosen]
    if len(rest) < 2:  # one space needs no order (and no load)
        return tuple(rest)
    return tuple(sorted(rest, key=lambda s: (_common(s), load(s), s.label)))


def _options(
    options: tuple[tuple[KeySpace, int], ...], at_least: int, load: Callable[[KeySpace], int]
) -> list[KeySpace]:
    """The options to search: all but the most common whose weights stay below ``at_least``."""
    spare = at_least - 1
    skipped: set[KeySpace] = set()
    for common in (1, 0):
        same = [(s, w) for s, w in options if _common(s) == common]
        if not same or spare < min(w for _, w in same):
            continue
        if len(same) > 1:
            same.sort(key=lambda o: (-load(o[0]), o[0].label))
        for space, weight in same:
            if weight <= spare:
                skipped.add(space)
                spare -= weight
    return [s for s, _ in options if s not in skipped]


# -- the search ---------------------------------------------------------------------------


Person = tuple[str, str, tuple[str, ...], tuple[str, ...]]
"""A person's normal forms as tables hold them: folded first and last name, emails, phones."""


def row_keys(
    space: KeySpace,
    customer: Person,
    co: Person | None,
    raw: object,
    *,
    folded: frozenset[str],
    region: str,
) -> tuple[tuple[Key, bool], ...]:
    """
    A row's keys in ``space``, once each, with whether the inbound side holds them.

    The definition every engine over tables blocks on (this one through :class:`Keys`,
    the Spark engine row by row): for a person field, the customer's keys (held as the
    inbound lead too: ``True``) then the co-customer's others (``False``: the row is
    found through them as the existing lead only); for a lead or custom field, the keys
    of its raw value ``raw`` (``True``). Keys an item ignores (``max_leads``) are not
    removed here: they depend on the whole table (count them with :meth:`Keys.counts`).

    >>> space = KeySpace("email", "domain", 0, frozenset({"gmail.com"}), False, "", None)
    >>> row_keys(space, ("ada", "ng", ("ada@acme.com",), ()), ("bo", "ng", ("bo@gmail.com",
    ...          "bo@ng.org"), ()), None, folded=frozenset(), region="US")
    (('acme.com', True), ('ng.org', False))
    """
    if not space.person:
        return tuple((k, True) for k in space.value_keys(raw, region))
    own = space.person_keys(*customer, folded)
    found = [(k, True) for k in own]
    if co is not None:
        found.extend((k, False) for k in space.person_keys(*co, folded) if k not in own)
    return tuple(found)


def shares_enough(
    blocking: Blocking,
    shared: Callable[[KeySpace, int], bool],
    people: int,
    also: Callable[[int], bool] | None = None,
) -> bool:
    """
    Whether an inbound row shares enough keys of a group with one existing person.

    ``shared(space, person)`` says whether the inbound customer (or lead) and person
    ``person`` of the existing row (0: the customer, 1: the co-customer; lead and custom
    fields are the lead's whatever the person) have a key of ``space`` in common;
    ``people`` is how many persons the group may compare (1 for ``customer``); ``also``
    (optional) is a further condition on the person (the unkeyed items of an ``all_of``
    group, see :func:`unkeyed_items`). Necessary for the group to hold (see the module
    doc); the merge rules decide.
    """
    for person in range(people):
        if not all(shared(space, person) for space in blocking.required):
            continue
        if also is not None and not also(person):
            continue
        need = blocking.at_least
        if need > 0:
            for space, weight in blocking.options:
                if shared(space, person):
                    need -= weight
                    if need <= 0:
                        break
        if need <= 0:
            return True
    return False


def unkeyed_items(group: CompiledGroup) -> tuple[CompiledItem, ...]:
    """
    The items of an ``all_of`` group that no shared key implies (fuzzy, blanks match).

    Every match of the group meets each of them on the person it compares, so an engine
    over tables may check them (:meth:`~leadcore._merge.engine.CompiledItem.may_hold`
    on the two sides' values) before handing a pair to the merge rules: a group of a
    shared key and a fuzzy name then yields the pairs whose names are close, not every
    pair of the block. Empty for an ``of`` group (any k of its items may hold).
    """
    if group.group.of:
        return ()
    return tuple(i for i in group.items if i.space is None)


class Finder:
    """
    The pair search of one mode.

    :meth:`passes` is the check of a pair found through a space: the Spark engine calls
    it on the pairs its joins find (a Finder over a batch's rows).
    """

    def __init__(self, keys: Keys, mode: Mode, out: Pairs) -> None:
        self.keys = keys
        self.table = keys.table
        self.spec = mode.spec
        self.bit = mode.bit
        self.eligible = mode.eligible
        self.out = out
        self._open: dict[int, dict[int, bool]] = {}
        self._unkeyed = {g.position: unkeyed_items(g) for g in self.spec.groups}
        self._options = {
            g.position: tuple((s, w, keys.own(s)) for s, w in g.blocking.options)
            for g in self.spec.groups
            if g.blocking is not None and not g.blocking.required and not self._unkeyed[g.position]
        }
        self.examined = 0
        """The pairs of blocks or of a join (not of generic keys) checked: what the search
        cost (a block's pairs include each row with itself, a join's do not)."""
        self._splits: dict[tuple[int, KeySpace, tuple[int, ...]], Found] = {}
        """The pairs found in a generic block's split (:meth:`split`), by group and block."""
        self._passed: dict[tuple[int, int, int], bool] = {}
        self._closes: dict[tuple[int, int, KeySpace, tuple[int, ...], tuple[int, ...]], Found] = {}
        """The pairs a generic block's close search found (:meth:`close`), by its rows."""
        """Whether a pair of a generic block passed its group's check (:meth:`_strictly`)."""

    def add(self, inbound: int, existing: int) -> None:
        """Add a pair for this mode."""
        pair = (inbound, existing)
        self.out[pair] = self.out.get(pair, 0) | self.bit

    def opened(self, group: CompiledGroup, row: int) -> bool:
        """Whether a group with ``inbound_lacks`` applies to a row as the inbound lead."""
        memo = self._open.setdefault(group.position, {})
        found = memo.get(row)
        if found is None:
            found = memo[row] = self.keys.lacks(group, row)
        return found

    def shares(self, group: CompiledGroup, inbound: int, existing: int) -> bool:
        """Whether the inbound row shares enough keys of ``group`` with a person of ``existing``."""
        blocking = group.blocking
        if blocking is None:  # pragma: no cover  # refused before any search
            return True
        options = self._options.get(group.position)
        if options is not None:
            return self._enough(options, blocking.at_least, group.people, inbound, existing)
        people = 2 if group.people != "customer" and existing in self.table.co else 1

        def shared(space: KeySpace, person: int) -> bool:
            return self._shared(space, inbound, existing, person == 1)

        unkeyed = self._unkeyed[group.position]
        if not unkeyed:
            return shares_enough(blocking, shared, people)
        values = self.keys.values

        def close(person: int) -> bool:
            return all(
                i.may_hold(values(i, inbound, co=False), values(i, existing, co=person == 1))
                for i in unkeyed
            )

        return shares_enough(blocking, shared, people, close)

    def _enough(  # noqa: C901  # both persons inlined: the hot path of the seed's rules
        self,
        options: tuple[tuple[KeySpace, int, RowKeys], ...],
        at_least: int,
        people: str,
        inbound: int,
        existing: int,
    ) -> bool:
        """
        :func:`shares_enough` of a group of options only, without a call per key space.

        For a group with no required space and no unkeyed item (the seed's ``two_of_n``);
        the same answer (a property test).
        """
        need = at_least  # more than 0: a group of options only needs a shared key
        for _, weight, own in options:
            mine = own(inbound)
            if mine:
                theirs = own(existing)
                for key in mine:
                    if key in theirs:
                        need -= weight
                        if need <= 0:
                            return True
                        break
        if people == "customer" or existing not in self.table.co:
            return False
        need = at_least
        co = self.keys.co
        for space, weight, own in options:
            mine = own(inbound)
            if mine:
                theirs = co(space, existing)
                for key in mine:
                    if key in theirs:
                        need -= weight
                        if need <= 0:
                            return True
                        break
        return False

    def _shared(self, space: KeySpace, inbound: int, existing: int, co: bool) -> bool:  # noqa: FBT001  # private
        own = self.keys.own(space)
        mine = own(inbound)
        if not mine:
            return False
        theirs = self.keys.co(space, existing) if co else own(existing)
        return any(k in theirs for k in mine)

    def passes(self, test: GroupSearch, inbound: int, existing: int) -> bool:
        """Whether a pair found through a space is kept for a group."""
        group = test.group
        if group.lacks and not self.opened(group, inbound):
            return False
        trivial = test.trivial and not self._unkeyed[group.position]
        return trivial or self.shares(group, inbound, existing)

    def from_existing(
        self, space: KeySpace, tests: list[GroupSearch], skip: Container[Key]
    ) -> None:
        """
        Pair every eligible row with the rows sharing a key of ``space`` (not in ``skip``).

        Block by block: a block's rows hold its key (on either person); the inbound rows
        are those holding it on the customer (or lead), the existing ones the eligible.
        """
        keys = self.keys
        blocks = keys.blocks(space)
        if not blocks:
            return
        own = keys.own(space)
        eligible = self.eligible
        whole = [t for t in tests if not t.within]
        compound: dict[tuple[KeySpace, ...], list[GroupSearch]] = {}
        for test in tests:
            if test.within:
                compound.setdefault(test.within, []).append(test)
        simple = (
            len(whole) == 1
            and whole[0].trivial
            and not whole[0].group.lacks
            and not self._unkeyed[whole[0].group.position]
        )
        mixed = keys.mixed(space)
        # Most blocks hold no row that may be the existing lead in this mode: they are
        # left first, before their inbound rows are looked for. A block's check is made
        # once a space.
        check = None if simple or not whole else self._check(whole)
        checks = {within: self._check(searches) for within, searches in compound.items()}
        for k, rows in blocks.items():
            if k in skip:
                continue
            existing = [y for y in rows if eligible[y]]
            if not existing:
                continue
            inbound = [x for x in rows if k in own(x)] if k in mixed else rows
            if not inbound:
                continue
            if whole:
                self._pair(inbound, existing, whole, check=check)
            for within, searches in compound.items():
                self._sub_blocks(inbound, existing, within, searches, checks[within])

    def from_joined(self, found: Joined, tests: list[GroupSearch]) -> None:
        """
        Keep the pairs of a space's join whose existing row may be existing in this mode.

        Each checked as :meth:`from_existing` checks a block's pairs (every group the
        space is searched for takes a block whole: :func:`_joined`).
        """
        simple = len(tests) == 1 and tests[0].trivial and not tests[0].group.lacks
        check = None if simple else self._check(tests)
        out, bit = self.out, self.bit
        inbound, existing = found.pairs[self.bit]
        self.examined += len(inbound)
        for x, y in zip(inbound, existing, strict=True):
            if not out.get((x, y), 0) & bit and (check is None or check(x, y)):
                out[x, y] = out.get((x, y), 0) | bit

    def _pair(
        self,
        inbound: list[int],
        existing: list[int],
        tests: list[GroupSearch],
        *,
        check: Callable[[int, int], bool] | None,
    ) -> None:
        """
        Add every pair of ``inbound`` and ``existing`` rows that passes one of ``tests``.

        ``check`` is :meth:`_check` of ``tests`` (None: every pair passes, a trivial
        test of an unguarded group). In a large block (:data:`CLOSE_AT` pairs or
        more), a group with unkeyed items (a fuzzy company name, a fuzzy first name) is
        searched through them first (:meth:`_close`), in C, rather than checked pair
        by pair.
        """
        if len(inbound) * len(existing) >= CLOSE_AT:
            rest = []
            for test in tests:
                if self._unkeyed[test.group.position]:
                    self._close(inbound, existing, test)
                else:
                    rest.append(test)
            if not rest:
                return
            if len(rest) < len(tests):
                check = self._check(rest)
        out, bit = self.out, self.bit
        self.examined += len(inbound) * len(existing)
        for y in existing:
            for x in inbound:
                if x == y or out.get((x, y), 0) & bit:
                    continue
                if check is None or check(x, y):
                    out[x, y] = out.get((x, y), 0) | bit

    def _check(self, tests: list[GroupSearch]) -> Callable[[int, int], bool]:
        """
        Whether a pair passes one of ``tests`` (:meth:`passes`), as one call.

        Each test's check as :meth:`_one_check` makes it, tried in turn (the seed's
        auto-merge through phones: ``two_of_n``, then MRG-4's phone-only group).
        """
        return _any_of([self._one_check(t) for t in tests])

    def _one_check(self, test: GroupSearch) -> partial[bool]:
        """
        :meth:`passes` of one test, as a call of (inbound, existing).

        A test of a group of options only, unguarded and not passed by the key found (the
        seed's ``two_of_n`` through an email): :meth:`_enough` directly; a trivial test of
        a guarded group with no unkeyed item (MRG-4's phone-only leads): whether the
        inbound row lacks its fields. The same answers without the calls between.
        """
        group = test.group
        options = self._options.get(group.position)
        if options is not None and not group.lacks and not test.trivial:
            return partial(self._enough, options, group.blocking.at_least, group.people)  # type: ignore[union-attr]  # options only for blocked groups
        if test.trivial and group.lacks and not self._unkeyed[group.position]:
            return partial(self._opened, group)
        return partial(self.passes, test)

    def _opened(self, group: CompiledGroup, inbound: int, _existing: int) -> bool:
        """:meth:`opened` as a check of a pair (the existing row does not count)."""
        return self.opened(group, inbound)

    def _close(self, inbound: list[int], existing: list[int], test: GroupSearch) -> None:
        """
        Add the pairs meeting every unkeyed item of ``test``'s group, then its check.

        Each item's close values come from rapidfuzz (:class:`Close`: every pair on
        which the item holds for a person the group compares, a necessary condition
        of an ``all_of`` group); only the pairs close on all of them are checked
        (:meth:`passes`), so the block's other pairs cost no Python.
        """
        found = self._close_on_all(inbound, existing, test.group)
        self.examined += len(found)
        out, bit = self.out, self.bit
        for x, y in sorted(found):
            if not out.get((x, y), 0) & bit and self.passes(test, x, y):
                out[x, y] = out.get((x, y), 0) | bit

    def _close_on_all(
        self, inbound: list[int], existing: list[int], group: CompiledGroup
    ) -> set[tuple[int, int]]:
        """
        The pairs on which every unkeyed item of an ``all_of`` ``group`` may hold.

        Each item's close values are found in C; the row pairs of the item with the
        fewest are listed, and kept where the other items' values are close too
        (a full name, not the company name colleagues share, makes the list).
        """
        found = [
            Close.of(self.keys, inbound, existing, group, item)
            for item in self._unkeyed[group.position]
        ]
        if not found:  # pragma: no cover  # only groups with unkeyed items come here
            return set()
        fewest = min(found, key=Close.size)
        checks = [c.holds() for c in found if c is not fewest]
        return {(x, y) for x, y in fewest.pairs() if all(check(x, y) for check in checks)}

    def _sub_blocks(
        self,
        inbound: list[int],
        existing: list[int],
        within: tuple[KeySpace, ...],
        tests: list[GroupSearch],
        check: Callable[[int, int], bool],
    ) -> None:
        """
        Pair the rows of a block sharing a key of every space of ``within`` too.

        A compound key, one space at a time: the inbound rows by their customer's (or
        lead's) keys, the existing ones by either person's; a row of several keys (two
        emails) is in each of their sub-blocks, so no shared key is missed. The pairs
        are then checked as found through the space searched (:meth:`passes`).
        """
        keys = self.keys  # existing: never empty (from_existing leaves such blocks)
        space, rest = within[0], within[1:]
        theirs: dict[Key, list[int]] = {}
        for y in existing:
            for k in keys.anyone(space, y):
                theirs.setdefault(k, []).append(y)
        mine: dict[Key, list[int]] = {}
        own = keys.own(space)
        for x in inbound:
            for k in own(x):
                if k in theirs:
                    mine.setdefault(k, []).append(x)
        for k, xs in mine.items():
            if rest:
                self._sub_blocks(xs, theirs[k], rest, tests, check)
            else:
                self._pair(xs, theirs[k], tests, check=check)

    def block_pairs(
        self, rows: list[int], key: Key, space: KeySpace, test: GroupSearch, yielded: Found
    ) -> None:
        """Add the pairs of one block that pass ``test``, and put them in ``yielded``."""
        eligible = self.eligible
        targets = [y for y in rows if eligible[y]]
        if not targets:
            return
        own = self.keys.own(space)
        for x in rows:
            if key not in own(x):
                continue
            for y in targets:
                if x != y and self.passes(test, x, y):
                    self.add(x, y)
                    yielded.add((x, y))

    def _strictly(self, strict: GroupSearch, x: int, y: int) -> bool:
        """:meth:`passes` of a pair found in a generic block (not trivial), once a group."""
        memo = (strict.group.position, x, y)
        found = self._passed.get(memo)
        if found is None:
            found = self._passed[memo] = self.passes(strict, x, y)
        return found

    def split(self, rows: list[int], space: KeySpace, test: GroupSearch, yielded: Found) -> None:
        """Add the pairs of ``rows`` sharing a key of ``space`` too."""
        # Generic keys often have one same block (leads sharing many generic emails): its
        # pairs are looked for once, and each key counts them.
        memo = (test.group.position, space, tuple(rows))
        found = self._splits.get(memo)
        if found is None:
            found = self._splits[memo] = self._split(rows, space, test)
        yielded.update(found)

    def _split(self, rows: list[int], space: KeySpace, test: GroupSearch) -> Found:
        """:meth:`split`'s pairs: each pair sharing a key of ``space`` checked once."""
        keys, eligible = self.keys, self.eligible
        groups: dict[Key, list[int]] = {}
        for y in rows:
            for k in keys.anyone(space, y):
                groups.setdefault(k, []).append(y)
        targets = {
            k: found
            for k, sub in groups.items()
            if len(sub) > 1 and (found := [y for y in sub if eligible[y]])
        }
        own = keys.own(space)
        strict = test._replace(trivial=False)
        pairs: Found = set()
        for x in rows:
            # The existing rows sharing a key of x's customer (or lead), each once.
            others: set[int] = set()
            for k in own(x):
                others.update(targets.get(k, ()))
            others.discard(x)
            for y in sorted(others):
                if self._strictly(strict, x, y):
                    self.add(x, y)
                    pairs.add((x, y))
        return pairs

    def close(  # noqa: PLR0917  # the block and the item
        self,
        rows: list[int],
        key: Key,
        space: KeySpace,
        test: GroupSearch,
        item: CompiledItem,
        yielded: Found,
    ) -> None:
        """
        Add the pairs of a block whose values may meet ``item`` (unkeyed: fuzzy, blanks).

        For an ``all_of`` group (``item`` its first unkeyed item, :func:`refinement`),
        the pairs close on every unkeyed item (each must hold): colleagues sharing a
        company name are not all checked for a close full name in Python. Generic keys
        of one same block, held by the same rows, share the search (and each counts its
        pairs).
        """
        own = self.keys.own(space)
        holders = tuple(x for x in rows if key in own(x))
        memo = (test.group.position, item.index, space, holders, tuple(rows))
        found = self._closes.get(memo)
        if found is None:
            found = self._closes[memo] = self._close_block(rows, list(holders), test, item)
        yielded.update(found)

    def _close_block(
        self, rows: list[int], inbound: list[int], test: GroupSearch, item: CompiledItem
    ) -> Found:
        """:meth:`close`'s pairs: ``inbound`` are the rows holding the block's key."""
        strict = test._replace(trivial=False)
        group = test.group
        existing = [y for y in rows if self.eligible[y]]
        found: Iterable[tuple[int, int]]
        if group.group.all_of and self._unkeyed[group.position][:1] == (item,):
            found = sorted(self._close_on_all(inbound, existing, group))
        else:
            found = close_between(self.keys, inbound, existing, group, item)
        passed: Found = set()
        for x, y in found:
            if self._strictly(strict, x, y):
                self.add(x, y)
                passed.add((x, y))
        return passed

    def refine(
        self, rows: list[int], key: Key, space: KeySpace, test: GroupSearch, yielded: Found
    ) -> None:
        """
        Add the pairs of a generic block that can still match the group (see the module doc).

        The pairs found go to ``yielded`` too, whether or not another key finds them: a
        generic key's ``pairs`` count does not depend on the order of the search.
        """
        steps = refinement(test.group, space)
        if steps.whole:
            self.block_pairs(rows, key, space, test, yielded)
        for other in steps.splits:
            self.split(rows, other, test, yielded)
        for item in steps.close:
            self.close(rows, key, space, test, item, yielded)


def _any_of(checks: list[partial[bool]]) -> Callable[[int, int], bool]:
    """Whether a pair passes one of ``checks`` (at least one), in turn: no generator a pair."""
    one = checks[0]
    if len(checks) == 1:
        return one
    rest = _any_of(checks[1:])

    def either(x: int, y: int) -> bool:
        return one(x, y) or rest(x, y)

    return either


class Refinement(NamedTuple):
    """How a generic block of a group's space is searched (see :func:`refinement`)."""

    whole: bool
    """Every pair of the block, checked as found through the space."""
    splits: tuple[KeySpace, ...]
    """The spaces the block is split by: pairs sharing a key of one of them too."""
    close: tuple[CompiledItem, ...]
    """The unkeyed items whose close pairs are searched (:func:`close_candidates`)."""


def refinement(group: CompiledGroup, space: KeySpace) -> Refinement:
    """
    The search of a generic key's block of ``space`` for ``group`` (see the module doc).

    Pairs found by a split or a close search are kept when the inbound row shares enough
    keys with the existing one (:func:`shares_enough`, not only the generic key); the
    whole block's pairs as any pair found through ``space``. One definition for both
    engines over tables.
    """
    blocking = group.blocking
    if blocking is None:  # pragma: no cover  # refused before any search
        return Refinement(whole=False, splits=(), close=())
    others = [s for s in blocking.required if s != space]
    if others:
        # Every match shares a key of each required space: split by one of them.
        return Refinement(whole=False, splits=(others[0],), close=())
    weight = dict(blocking.options).get(space, 0)
    alone = blocking.at_least - weight <= 0  # this key can be the only shared key
    unkeyed = [i for i in group.items if i.space is None]
    satisfied = sum(1 for i in group.items if i.space == space)
    whole = (not unkeyed) if group.group.all_of else group.need - satisfied <= 0
    if alone and whole:
        # Nothing else must hold: the whole block. A pair sharing another key too
        # whose inbound row holds this key on its co-customer only is found
        # through that key (every option is searched when one key suffices).
        return Refinement(whole=True, splits=(), close=())
    splits = tuple(other for other, _ in blocking.options if other != space)
    if not alone:
        return Refinement(whole=False, splits=splits, close=())
    # What else must hold: an unkeyed item (all_of: each, checked on the pairs of
    # the first; of: enough of them, one at a time).
    return Refinement(
        whole=False, splits=splits, close=tuple(unkeyed[:1] if group.group.all_of else unkeyed)
    )


def close_candidates(  # noqa: PLR0917  # the block, the group and its item
    keys: Keys,
    rows: Sequence[int],
    key: Key,
    space: KeySpace,
    group: CompiledGroup,
    item: CompiledItem,
    eligible: Sequence[bool],
) -> Iterator[tuple[int, int]]:
    """
    The pairs of a generic block whose values meet an unkeyed ``item`` (close values).

    ``rows`` hold ``key`` of ``space``; inbound rows hold it on their customer (or lead),
    existing rows are ``eligible`` and compared on the persons ``group`` compares. Found
    by :func:`close_between`. The necessary condition is for the caller to check.
    """
    own = keys.own(space)
    inbound = [x for x in rows if key in own(x)]
    return close_between(keys, inbound, [y for y in rows if eligible[y]], group, item)


def close_between(
    keys: Keys,
    inbound: Sequence[int],
    existing: Sequence[int],
    group: CompiledGroup,
    item: CompiledItem,
) -> Iterator[tuple[int, int]]:
    """
    The pairs of ``inbound`` and ``existing`` rows whose values meet an unkeyed ``item``.

    Existing rows are compared on the persons ``group`` compares. Found by
    :func:`close_pairs` on the rows' distinct values (rapidfuzz in C for a fuzzy item);
    pairs of a row with itself are left out; a pair may come twice (once a person).
    """
    return Close.of(keys, inbound, existing, group, item).pairs()


class Close(NamedTuple):
    """An unkeyed item's close values between two sets of rows (:func:`close_between`)."""

    mine: dict[tuple[Key, ...], list[int]]
    """The inbound rows by their values."""
    theirs: dict[tuple[Key, ...], list[int]]
    """The existing rows by their values (on each person the group compares)."""
    close: list[tuple[tuple[Key, ...], tuple[Key, ...]]]
    """The (inbound, existing) values between which the item holds (:func:`close_pairs`)."""

    @classmethod
    def of(
        cls,
        keys: Keys,
        inbound: Sequence[int],
        existing: Sequence[int],
        group: CompiledGroup,
        item: CompiledItem,
    ) -> Close:
        """The close values of ``item`` between ``inbound`` and ``existing`` rows."""
        co = keys.table.co
        theirs: dict[tuple[Key, ...], list[int]] = {}
        for y in existing:
            sides = [False]
            if group.people != "customer" and item.person and y in co:
                sides.append(True)
            for side in sides:
                theirs.setdefault(keys.values(item, y, side), []).append(y)
        mine: dict[tuple[Key, ...], list[int]] = {}
        for x in inbound:
            mine.setdefault(keys.values(item, x, co=False), []).append(x)
        return cls(mine, theirs, close_pairs(item, list(mine), list(theirs)))

    def size(self) -> int:
        """How many row pairs the close values make (an upper bound of :meth:`pairs`)."""
        mine, theirs = self.mine, self.theirs
        return sum(len(mine[v]) * len(theirs[o]) for v, o in self.close)

    def pairs(self) -> Iterator[tuple[int, int]]:
        """The row pairs of the close values, a row with itself left out."""
        mine, theirs = self.mine, self.theirs
        for values, other in self.close:
            for x in mine[values]:
                yield from ((x, y) for y in theirs[other] if x != y)

    def holds(self) -> Callable[[int, int], bool]:
        """Whether the item may hold on a row pair (on some person the group compares)."""
        close = set(self.close)
        mine = {x: v for v, rows in self.mine.items() for x in rows}
        theirs: dict[int, list[tuple[Key, ...]]] = {}
        for values, rows in self.theirs.items():
            for y in rows:
                theirs.setdefault(y, []).append(values)

        def check(x: int, y: int) -> bool:
            values = mine[x]
            return any((values, other) in close for other in theirs[y])

        return check


Values = tuple[Key, ...]
"""An item's values on one side (normal forms, blanks removed)."""


def close_pairs(
    item: CompiledItem, mine: Sequence[Values], theirs: Sequence[Values]
) -> list[tuple[Values, Values]]:
    """
    The (inbound, existing) values between which an unkeyed ``item`` holds.

    For the engines over tables (this one and the Spark engine), which group rows by
    their values: every pair returned holds by the item's own check
    (:meth:`~leadcore._merge.engine.CompiledItem.may_hold`), and no pair that holds is
    missed. Fuzzy items find their candidates with rapidfuzz in C
    (:func:`leadcore._fuzzy.candidates`, a superset) before the check; exact-style items
    whose blanks match, by a shared key; a blank side, when blanks match, against every
    other side.
    """
    if item.item.method == "fuzzy":
        return _close_fuzzy(item, mine, theirs)
    blanks = item.item.blanks == "match"
    by_key: dict[Key, list[int]] = {}
    empty: list[int] = []
    for position, values in enumerate(theirs):
        keys = item.keys(values)
        if not keys:
            empty.append(position)
        for key in keys:
            by_key.setdefault(key, []).append(position)
    found: list[tuple[Values, Values]] = []
    for values in mine:
        keys = item.keys(values)
        near = dict.fromkeys(p for key in keys for p in by_key.get(key, ()))
        if not keys and blanks:
            near.update(dict.fromkeys(empty))
        found.extend((values, theirs[p]) for p in near if item.may_hold(values, theirs[p]))
    return found


def _close_fuzzy(  # noqa: C901  # blanks on either side
    item: CompiledItem, mine: Sequence[Values], theirs: Sequence[Values]
) -> list[tuple[Values, Values]]:
    """:func:`close_pairs` of a fuzzy item: candidates from rapidfuzz, then the check."""
    blanks = item.item.blanks == "match"
    texts: list[str] = []
    owners: list[int] = []
    for position, values in enumerate(theirs):
        for value in values:
            if isinstance(value, str):  # pragma: no branch  # fuzzy: texts ('name' pairs are exact)
                texts.append(value)
                owners.append(position)
    scorer = item.item.effective_scorer
    threshold = float(item.item.threshold or 0)
    found: list[tuple[Values, Values]] = []
    for values in mine:
        if not values:
            if blanks:
                found.extend((values, o) for o in theirs if item.may_hold(values, o))
            continue
        near: dict[int, None] = {}
        for value in values:
            if isinstance(value, str):  # pragma: no branch  # fuzzy: texts ('name' pairs are exact)
                for index in _fuzzy.candidates(value, texts, scorer, threshold):
                    near[owners[index]] = None
        if blanks:
            near.update((p, None) for p, o in enumerate(theirs) if not o)
        found.extend((values, theirs[p]) for p in near if item.may_hold(values, theirs[p]))
    return found


def check_blockable(spec: Spec, mode_name: str) -> None:
    """
    Refuse a rule with a group whose matches share no key (nothing to block on).

    Raises:
        InvalidInput: Every such group, at its path (``policy.merge.duplicate_rule.any_of[1]``;
            for the rulebook keys, the minimum that lets a fuzzy name alone match).

    """
    problems = []
    for group in spec.groups:
        if group.blocking is not None:
            continue
        if spec.origin.endswith("_min_conditions"):
            problems.append(
                Problem(
                    f"policy.merge.{spec.origin}",
                    group.need,
                    f"lets a fuzzy name alone match ({mode_name}); batch deduplication blocks "
                    "on shared phones, emails and names, and would have to compare every "
                    "pair: raise the minimum or drop name_fuzzy",
                )
            )
        else:
            problems.append(
                Problem(
                    f"policy.merge.{spec.origin}.any_of[{group.position}]",
                    group.label,
                    f"has matches that share no key ({mode_name}): its items are fuzzy or "
                    "match blanks; batch deduplication compares only leads sharing a key, "
                    "so declare one with block_on (an exact, prefix, initial or domain item "
                    "every match must meet) or add an exact item",
                )
            )
    if problems:
        raise InvalidInput(problems)


SPARSE: Final = 4
"""The search reads the blocks of the possible existing rows' keys (:func:`_wanted`) when
at most one row in this many may be an existing lead; above, every block of the space
(:meth:`Keys.blocks` by the keys' counts) and then those it reads (:func:`_reader`).
The same blocks either way (a property test); this is only the cheaper way."""


def _searched(
    space: KeySpace, modes: Sequence[Mode], plans: list[Plan]
) -> tuple[list[Sequence[bool]], list[CompiledGroup]]:
    """Who may be existing in each mode searching ``space``, and its guarded groups."""
    eligible = [m.eligible for m, chosen in zip(modes, plans, strict=True) if space in chosen]
    guarded = [t.group for chosen in plans for t in chosen.get(space, ()) if t.group.lacks]
    return eligible, guarded


def _wanted(keys: Keys, space: KeySpace, modes: Sequence[Mode], plans: list[Plan]) -> Sought:
    """
    The keys of ``space`` the search reads.

    Every key of either person of a row that may be an existing lead in a mode searching
    the space, and the keys of inbound rows of its guarded groups (MRG-4's phone-only
    leads): their blocks are read too, so a generic one is reported.
    """
    eligible, guarded = _searched(space, modes, plans)
    more: list[Key] = []
    rows = keys._rows_keys(space)  # noqa: SLF001  # the same class's helper
    for group in guarded:
        # The rows holding a key of the space (told in C), then those lacking the fields.
        holders = compress(range(len(rows)), rows)
        more.extend(chain.from_iterable(map(rows.__getitem__, keys.lacking(group, holders))))
    return Sought(eligible, more)


def _reader(
    keys: Keys, space: KeySpace, modes: Sequence[Mode], plans: list[Plan]
) -> Callable[[Key, list[int]], bool]:
    """
    Whether the search reads a block of ``space`` (a key held by 2 or more rows).

    It does when the block's key is :func:`_wanted`: a row of the block (it holds every
    row with the key on either person) may be an existing lead in a mode searching the
    space, or a row holding the key on its customer (or lead) is the inbound lead of a
    guarded group the space is searched for.
    """
    eligible, guarded = _searched(space, modes, plans)
    own = keys.own(space)

    def read(key: Key, rows: list[int]) -> bool:
        for ok in eligible:
            for row in rows:
                if ok[row]:
                    return True
        return any(key in own(row) and keys.lacks(group, row) for group in guarded for row in rows)

    return read


def _blocks(
    keys: Keys, space: KeySpace, modes: Sequence[Mode], plans: list[Plan], *, sparse: int = SPARSE
) -> None:
    """Build the blocks of ``space`` the search reads (see :data:`SPARSE`)."""
    rows = len(keys.table.ids)
    eligible, _ = _searched(space, modes, plans)
    if max(map(sum, eligible)) * sparse <= rows:
        keys.blocks(space, _wanted(keys, space, modes, plans))
    else:
        keys.keep(space, _reader(keys, space, modes, plans))


def _joined(
    keys: Keys,
    space: KeySpace,
    modes: Sequence[Mode],
    plans: list[Plan],
    *,
    limit: int,
    joined_at: int,
) -> Joined | None:
    """
    The pairs of ``space`` found by a polars join (:func:`leadcore._dedupe.joins.join`).

    For a plain email or phone space of a table of ``joined_at`` rows or more, when
    every group it is searched for takes a block whole (no compound key, no unkeyed
    item: those need the blocks) and few rows may be existing leads (:data:`SPARSE`:
    with more, the pairs are many and the blocks cheaper); None otherwise, or without
    polars.
    """
    column = keys.column(space)
    if column is None or len(column) < joined_at:
        return None
    searched = [(m, p[space]) for m, p in zip(modes, plans, strict=True) if space in p]
    if any(t.within or unkeyed_items(t.group) for _, tests in searched for t in tests):
        return None
    if max(sum(m.eligible) for m, _ in searched) * SPARSE > len(column):
        return None
    return join(column, keys.co_keys(space), [(m.bit, m.eligible) for m, _ in searched], limit)


def find(
    table: Chunk,
    modes: Sequence[Mode],
    *,
    limit: int,
    on_generic: Literal["refine", "error"] = "refine",
    joined_at: int = JOINED_AT,
) -> Candidates:
    """
    Return every directed pair that may match in some mode (see the module doc).

    Blocks are built only for the keys the search reads: those of rows that may be
    existing leads in a mode, and those of inbound rows of guarded groups (MRG-4). So a
    key is reported as generic when the search would read its block. The email and
    phone spaces of a table of ``joined_at`` rows or more (:data:`JOINED_AT`) are
    searched by a join when they can be (:func:`_joined`): the same pairs and generic
    keys.

    Raises:
        InvalidInput: ``on_generic`` is ``error`` and a key of a space the search reads
            is held by more than ``limit`` rows (every such key is listed).

    """
    first = modes[0].spec
    keys = Keys(table, first.region, first.folded)
    plans = [plan(mode.spec, keys, limit) for mode in modes]
    spaces = list(dict.fromkeys(s for chosen in plans for s in chosen))
    joined: dict[KeySpace, Joined] = {}
    large: dict[KeySpace, dict[Key, list[int]]] = {}
    for space in spaces:
        found = _joined(keys, space, modes, plans, limit=limit, joined_at=joined_at)
        if found is None:
            _blocks(keys, space, modes, plans)
            blocks = keys.blocks(space).items()
            large[space] = {k: rows for k, rows in blocks if len(rows) > limit}
        else:
            joined[space] = found
            read = _reader(keys, space, modes, plans)
            large[space] = {k: rows for k, rows in found.big.items() if read(k, rows)}
    if on_generic == "error" and any(large.values()):
        raise InvalidInput(
            [
                generic_problem(space.label, k, len(rows), limit)
                for space in spaces
                for k, rows in sorted(large[space].items(), key=_most_held)
            ]
        )
    out: Pairs = {}
    generic: dict[tuple[KeySpace, Key], int] = {
        (space, k): 0 for space in spaces for k in large[space]
    }
    examined = 0
    for mode, chosen in zip(modes, plans, strict=True):
        finder = Finder(keys, mode, out)
        for space, tests in chosen.items():
            if space in joined:
                finder.from_joined(joined[space], tests)
            else:
                finder.from_existing(space, tests, large[space])
            for k, rows in large[space].items():
                yielded: Found = set()
                for test in tests:
                    finder.refine(rows, k, space, test, yielded)
                generic[space, k] += len(yielded)
        examined += finder.examined
    report = [
        Generic(space.label, show_key(k), len(large[space][k]), pairs)
        for (space, k), pairs in generic.items()
    ]
    report.sort(key=lambda g: (-g.rows, g.kind, g.key))
    return Candidates(
        out,
        report,
        {m.bit: tuple(s.label for s in chosen) for m, chosen in zip(modes, plans, strict=True)},
        examined,
    )


def _most_held(block: tuple[Key, list[int]]) -> tuple[int, str]:
    """Generic keys' order in a report: the most rows first, then by key."""
    return -len(block[1]), show_key(block[0])


def generic_problem(kind: str, key: Key, count: int, limit: int) -> Problem:
    """One generic key of ``generic_keys='error'`` (``kind``: its space's label)."""
    return Problem(
        f"generic_keys.{kind}",
        show_key(key),
        f"is held by {count} leads, more than generic_key_rows ({limit}); choose "
        "generic_keys='refine' (exact: finds only the pairs that can still match) or "
        "'exclude' (treats such emails and phones as unusable), or raise the limit",
    )


def exclude(table: Chunk, generic: Sequence[Generic]) -> Chunk:
    """Return ``table`` without the generic emails and phones (other keys are kept)."""
    emails = {g.key for g in generic if g.kind == "email"}
    phones = {g.key for g in generic if g.kind == "phone"}
    if not emails and not phones:
        return table

    def drop(values: tuple[str, ...], gone: set[str]) -> tuple[str, ...]:
        return tuple(v for v in values if v not in gone) if values else values

    co = {}
    for row, (first, last, em, ph) in table.co.items():
        person = (first, last, drop(em, emails), drop(ph, phones))
        if person[0] or person[1] or person[2] or person[3]:
            co[row] = person
    return table._replace(
        emails=[drop(v, emails) for v in table.emails],
        phones=[drop(v, phones) for v in table.phones],
        co=co,
    )


EXCLUDED: Final = tuple(
    KeySpace(field, "exact", 0, frozenset(), placeholders=False, normalizer="", max_leads=None)
    for field in ("email", "phone")
)
"""The spaces of ``generic_keys='exclude'``: a person's emails and phones as they are."""


def generic_keys(table: Chunk, limit: int, spec: Spec) -> list[Generic]:
    """Return the emails and phones held by more than ``limit`` rows."""
    keys = Keys(table, spec.region, spec.folded)
    found: list[Generic] = []
    for space in EXCLUDED:
        found.extend(
            Generic(space.field, show_key(k), c, 0)
            for k, c in keys.counts(space).items()
            if c > limit
        )
    found.sort(key=lambda g: (-g.rows, g.kind, g.key))
    return found


def table_counts(data: Chunk, policy: MergePolicy) -> KeyCounts | None:
    """
    The keys of items with ``max_leads`` held by too many rows of the table (either person).

    What the decisions of a run use (``counts=``), as :func:`leadcore.dedupe.reference`
    counts over all its leads.
    """
    specs = [compile_spec(policy, "auto"), compile_spec(policy, "duplicates")]
    spaces = limited_spaces(specs)
    if not spaces:
        return None
    keys = Keys(data, specs[0].region, specs[0].folded)
    counts = {}
    for space in spaces:
        tally = keys.counts_unfiltered(space)
        counts[space] = {k: c for k, c in tally.items() if c > (space.max_leads or 0)}
    return KeyCounts(region=policy.default_region, counts=counts)


def needed_fields(specs: Iterable[Spec]) -> set[str]:
    """The lead fields and custom fields the rules compare (they need a column)."""
    found = set()
    for spec in specs:
        for item in spec.items:
            if not item.person:
                found.add(item.item.field)
        for group in spec.groups:
            for guard in group.lacks:
                if not guard.person:
                    found.add(guard.item.field)
    return found


def check_columns(have: Iterable[str], specs: Iterable[Spec], *, every_field: bool) -> None:
    """
    Refuse a rule comparing a lead or custom field that no column is mapped to.

    ``have``: the fields with a column (``source`` and ``lot`` always have one);
    ``every_field``: the table holds every custom field (read from leads: a field no
    lead has is blank on every lead).

    Raises:
        InvalidInput: Every such field, at ``columns``.

    """
    missing = needed_fields(specs) - {*have, *_LEAD_COLUMNS}
    if every_field:
        missing = {f for f in missing if not f.startswith("fields.")}
    if missing:
        raise InvalidInput(
            Problem(
                "columns",
                field,
                "is compared by the merge policy's rule but no column is mapped to it; "
                + (
                    f"map it with Columns(fields={{{field[7:]!r}: 'column'}})"
                    if field.startswith("fields.")
                    else f"map it with Columns({field}='column')"
                ),
            )
            for field in sorted(missing)
        )
