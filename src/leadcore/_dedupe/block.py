"""
Candidate pairs for batch deduplication: blocking on normalised keys, exactly.

A *key* is a normalised value two leads can share: an E.164 phone, a normalised email,
or a folded name (first and last, both present, not a placeholder). A *block* is the set
of rows holding one key on either person. Only pairs inside blocks are compared, so the
work grows with the pairs sharing keys, not with n squared, and no pair the merge rules
could match is missed:

* Under a mode's spec (:class:`~leadcore._merge.engine.Spec`), a two-of-n match shares
  at least ``r = spec.required_kinds`` kinds of key with the person compared (only
  ``name_fuzzy`` holds without a shared key). So it shares a key of one of any
  ``len(kinds) - r + 1`` kinds: ``r - 1`` kinds are never enumerated (names first, they
  are the most common keys, then the kind with the most pairs), and a pair found through
  the others is kept when the inbound customer shares ``r`` kinds with either person of
  the existing lead (necessary for a match; the merge rules decide).
* A phone-only match (MRG-4) shares a phone: every phone block of a phone-only inbound
  customer is read.
* A *generic* key (held by more than ``limit`` rows: a call centre's number, a shared
  mailbox) is not enumerated pair by pair. Its pairs that can still match
  are found exactly: those sharing a key of another kind too (the block is split by
  those keys), phone-only inbound leads with that phone, and, when one keyed kind is
  enough with ``name_fuzzy`` (possible duplicates), the pairs whose folded names reach
  the ratio with either person (``token_sort_ratio``, as the rule computes it, after a
  length bound that no closer pair can miss).

Only rows that may be existing leads in a mode (inside its date window, checked with a
margin by the caller) are paired as such; the search starts from them.

The keys a row holds are defined once, by :func:`person_keys` (one person, one kind) and
:func:`row_keys` (a row, both sides): the Spark engine (``leadcore._spark``) builds its
blocks from :func:`row_keys`, and :class:`Keys` here from the same definition (its
email and phone columns are :func:`person_keys`'s answers, read in bulk), so one change of
what a key is changes both engines. So do :func:`shares_enough`, :func:`close_pairs`,
:func:`plan` and :func:`phone_only_person`, which both engines call.

A generic key's ``pairs`` count is the number of distinct (mode, inbound, existing)
candidates its handling yields (refinement, close names, phone-only leads), whether or not
another key yields them too: a figure that does not depend on the order of the search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain, compress
from typing import Final, Literal, NamedTuple

from leadcore import _fuzzy
from leadcore._dedupe.inputs import Chunk
from leadcore._merge.engine import Spec, has_real_full_name, phone_only_eligible
from leadcore.errors import InvalidInput, Problem
from leadcore.normalize import E164Phone, FoldedName, NormalizedPerson

__all__ = [
    "KINDS",
    "Candidates",
    "Generic",
    "Keys",
    "Mode",
    "Person",
    "check_blockable",
    "close_pairs",
    "exclude",
    "find",
    "full_name",
    "generic_error",
    "generic_keys",
    "loads",
    "person_keys",
    "phone_only_person",
    "plan",
    "real_names",
    "row_keys",
    "shares_enough",
    "show_key",
    "window_start",
]

Kind = Literal["name", "email", "phone"]
KINDS: Final[tuple[Kind, ...]] = ("name", "email", "phone")

Key = str | tuple[str, str]
"""A key: an email, a phone, or a (first, last) folded name."""

Pairs = dict[tuple[int, int], int]
"""Directed pairs (inbound row, existing row) to the bits of their modes."""

Person = tuple[str, str, tuple[str, ...], tuple[str, ...]]
"""A person's normal forms: folded first and last name, emails, phones."""

RealName = Callable[[tuple[str, str]], bool]
"""Whether a (first, last) folded name can meet the ``name`` condition."""


def person_keys(person: Person, kind: Kind, real: RealName) -> tuple[Key, ...]:
    """
    The blocking keys of one kind a person holds: the definition both engines block on.

    Phones and emails are the normal forms themselves; a name is the (first, last) pair
    when both are present and ``real`` (not a placeholder under the spec).

    >>> person_keys(("ada", "lovelace", ("ada@x.org",), ()), "name", lambda name: True)
    (('ada', 'lovelace'),)
    """
    first, last, emails, phones = person
    if kind == "phone":
        return phones
    if kind == "email":
        return emails
    return ((first, last),) if first and last and real((first, last)) else ()


def real_names(spec: Spec) -> RealName:
    """Whether a (first, last) folded name is real under ``spec`` (memoised per name)."""
    memo: dict[tuple[str, str], bool] = {}

    def real(name: tuple[str, str]) -> bool:
        found = memo.get(name)
        if found is None:
            found = memo[name] = has_real_full_name(_normal(*name), spec)
        return found

    return real


def row_keys(
    customer: Person, co: Person | None, kinds: Sequence[Kind], real: RealName
) -> list[tuple[Kind, Key, bool]]:
    """
    Every blocking key of a row, once: ``(kind, key, held by the customer)``.

    A row is in the block of every key either of its persons holds (it is found as an
    existing lead through any of them); as an inbound lead only its customer's keys
    count (the third item). Keys of the customer come first, in :func:`person_keys`
    order, then the co-customer's others.
    """
    found: list[tuple[Kind, Key, bool]] = []
    for kind in kinds:
        own = person_keys(customer, kind, real)
        found.extend((kind, k, True) for k in own)
        if co is not None:
            found.extend((kind, k, False) for k in person_keys(co, kind, real) if k not in own)
    return found


def shares_enough(
    inbound: Person,
    existing: Sequence[Person],
    kinds: Sequence[Kind],
    required: int,
    real: RealName,
) -> bool:
    """
    Whether the inbound customer shares ``required`` kinds of key with one existing person.

    Necessary for a two-of-n match (see the module doc); the merge rules decide.
    """
    first, last, emails, phones = inbound
    named = "name" in kinds and bool(first) and bool(last) and real((first, last))
    emailed = "email" in kinds and bool(emails)
    phoned = "phone" in kinds and bool(phones)
    for other_first, other_last, other_emails, other_phones in existing:
        shared = 0
        if named and other_first == first and other_last == last:
            shared += 1
        if emailed and any(e in other_emails for e in emails):
            shared += 1
        if phoned and any(p in other_phones for p in phones):
            shared += 1
        if shared >= required:
            return True
    return False


def close_pairs(
    mine: dict[str, list[int]], theirs: dict[str, list[int]], ratio: float
) -> set[tuple[int, int]]:
    """
    The (inbound, existing) rows whose folded names reach the ``name_fuzzy`` ratio.

    ``mine``: inbound customers' full folded names to their rows; ``theirs``: existing
    persons' names to their rows. Scored as the rule scores (``token_sort_ratio``), after
    a length bound no close pair can miss.
    """
    # rapidfuzz's ratio is 200 * matches / (len1 + len2) with matches <= the shorter
    # length; token sorting keeps a folded name's length (single spaces, trimmed). So
    # a pair below this length bound cannot reach the ratio and is not scored.
    by_length: dict[int, list[str]] = {}
    for name in theirs:
        by_length.setdefault(len(name), []).append(name)
    score = _fuzzy.token_sort_ratio
    found: set[tuple[int, int]] = set()
    for name, xs in mine.items():
        size = len(name)
        close: list[int] = []
        for length, names in by_length.items():
            if 200 * min(size, length) < ratio * (size + length):
                continue
            for other in names:
                if score(name, other, score_cutoff=ratio) >= ratio:
                    close.extend(theirs[other])
        found.update((x, y) for x in xs for y in close if x != y)
    return found


DAY_US: Final = 86_400_000_000


def window_start(now_us: int, days: int) -> int:
    """
    The earliest instant (microseconds) a lead inside a ``days`` window may have.

    A margin of a day: this only prunes leads that surely fall outside the window;
    :func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates` apply it exactly.
    """
    return now_us - (days + 1) * DAY_US


def phone_only_person(person: Person, spec: Spec) -> bool:
    """Whether an inbound customer may match on a phone alone (MRG-4) under ``spec``."""
    first, last, emails, phones = person
    if spec.mode != "auto" or not spec.phone or not phones or emails:
        return False
    return phone_only_eligible(_normal(first, last, phones), spec)


def loads(counts: dict[Kind, Counter[Key]], limit: int) -> dict[Kind, int]:
    """The pairs each kind's blocks would give (keys held by 2 to ``limit`` rows)."""
    return {
        kind: sum(c * (c - 1) for c in found.values() if 1 < c <= limit)
        for kind, found in counts.items()
    }


def plan(
    kinds: Sequence[Kind], required: int, load: Callable[[], dict[Kind, int]]
) -> tuple[Kind, ...]:
    """
    The kinds to enumerate: leave out ``required - 1``, names first, then the largest.

    ``load`` gives each kind's pairs (see :func:`loads`), asked only when needed.
    """
    skip = max(0, required - 1)
    if not skip:
        return tuple(kinds)
    left_out: list[Kind] = ["name"] if "name" in kinds else []
    if len(left_out) < skip:
        found = load()
        weights = {kind: found.get(kind, 0) for kind in kinds if kind != "name"}
        rest = sorted(weights, key=lambda k: (-weights[k], k))
        left_out += rest[: skip - len(left_out)]
    return tuple(k for k in kinds if k not in left_out)


class Generic(NamedTuple):
    """A key held by more rows than the limit, and what was done with it."""

    kind: Kind
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
    enumerated: dict[int, tuple[Kind, ...]]
    """The kinds whose blocks were enumerated, per mode bit."""


def _normal(first: str, last: str, phones: tuple[str, ...] = ()) -> NormalizedPerson:
    return NormalizedPerson(
        first=FoldedName(first),
        last=FoldedName(last),
        full=FoldedName(f"{first} {last}".strip()),
        emails=(),
        phones=tuple(E164Phone(p) for p in phones),
    )


class Keys:
    """
    Every row's keys by kind, and the blocks (rows holding each key), lazily.

    With ``wanted``, a kind's blocks are built for those keys only (the keys the search
    will read), in one pass over the rows and without counting every key.
    """

    def __init__(
        self, table: Chunk, spec: Spec, wanted: dict[Kind, set[Key]] | None = None
    ) -> None:
        self.table = table
        self.spec = spec
        self.wanted = wanted
        self._real: dict[tuple[str, str], bool] = {}
        self._blocks: dict[Kind, dict[Key, list[int]]] = {}
        self._counts: dict[Kind, Counter[Key]] = {}

    def real(self, name: tuple[str, str]) -> bool:
        """Whether a (first, last) folded name can meet the ``name`` condition (MRG-1)."""
        found = self._real.get(name)
        if found is None:
            found = self._real[name] = has_real_full_name(_normal(*name), self.spec)
        return found

    def counts(self, kind: Kind) -> Counter[Key]:
        """How many rows hold each key of ``kind`` (names: real ones held twice or more)."""
        found = self._counts.get(kind)
        if found is None:
            found = self._counts[kind] = self._count(kind)
        return found

    def _count(self, kind: Kind) -> Counter[Key]:
        table = self.table
        extra: list[Key] = []
        if kind == "name":
            counts: Counter[Key] = Counter(zip(table.first, table.last, strict=True))
            for row, person in table.co.items():
                name = (person[0], person[1])
                if name != (table.first[row], table.last[row]):
                    extra.append(name)
            counts.update(extra)
            return Counter(
                {k: c for k, c in counts.items() if c > 1 and k[0] and k[1] and self.real(k)}  # type: ignore[arg-type]  # names
            )
        column, slot = (table.phones, 3) if kind == "phone" else (table.emails, 2)
        counts = Counter(chain.from_iterable(column))
        for row, person in table.co.items():
            own = column[row]
            values: tuple[str, ...] = person[slot]  # type: ignore[assignment]  # emails or phones
            extra.extend(k for k in values if k not in own)
        counts.update(extra)
        return counts

    def person(self, row: int) -> Person:
        """The normal forms of a row's customer."""
        table = self.table
        return (table.first[row], table.last[row], table.emails[row], table.phones[row])

    def customer(self, row: int, kind: Kind) -> tuple[Key, ...]:
        """The keys of a row's customer (the inbound side) of one kind."""
        return person_keys(self.person(row), kind, self.real)

    def anyone(self, row: int, kind: Kind) -> tuple[Key, ...]:
        """The keys of either person of a row (the existing side) of one kind."""
        own = self.customer(row, kind)
        person = self.table.co.get(row)
        if person is None:
            return own
        return own + tuple(k for k in person_keys(person, kind, self.real) if k not in own)

    def blocks(self, kind: Kind) -> dict[Key, list[int]]:  # noqa: C901, PLR0912  # inlined hot loops
        """Rows of every key held by 2 or more rows, ascending (computed once per kind)."""
        found = self._blocks.get(kind)
        if found is not None:
            return found
        if self.wanted is not None and kind in self.wanted:
            found = {k: [] for k in self.wanted[kind]}
        else:
            found = {k: [] for k, c in self.counts(kind).items() if c > 1}
        if found:
            table = self.table
            get = found.get
            if kind == "name":
                for row, name in enumerate(zip(table.first, table.last, strict=True)):
                    rows = get(name)
                    if rows is not None:
                        rows.append(row)
            else:
                for row, values in enumerate(table.phones if kind == "phone" else table.emails):
                    for value in values:
                        rows = get(value)
                        if rows is not None:
                            rows.append(row)
            touched = set()
            for row in table.co:
                own = self.customer(row, kind)
                for k in self.anyone(row, kind):
                    if k not in own and k in found:
                        found[k].append(row)
                        touched.add(k)
            for k in touched:
                found[k].sort()
            found = {k: rows for k, rows in found.items() if len(rows) > 1}
        self._blocks[kind] = found
        return found


class _Finder:
    """The pair search of one mode."""

    def __init__(self, keys: Keys, mode: Mode, out: Pairs) -> None:
        self.keys = keys
        self.table = keys.table
        self.spec = mode.spec
        self.bit = mode.bit
        self.eligible = mode.eligible
        self.out = out
        self.kinds: tuple[Kind, ...] = mode.spec.kinds  # type: ignore[assignment]  # keyed kinds
        self.required = mode.spec.required_kinds

    def add(self, inbound: int, existing: int) -> int:
        """Add a pair for this mode; return 1 if it was not there yet."""
        pair = (inbound, existing)
        old = self.out.get(pair, 0)
        if old & self.bit:
            return 0
        self.out[pair] = old | self.bit
        return 1

    def shares_enough(self, inbound: int, existing: int) -> bool:
        """Whether the customer of ``inbound`` shares ``required`` kinds with a person."""
        return shares_enough(
            self.keys.person(inbound),
            _people(self.table, existing),
            self.kinds,
            self.required,
            self.keys.real,
        )

    def from_existing(self, kind: Kind, skip: dict[Key, int]) -> None:
        """Pair every eligible row with the rows sharing a key of ``kind`` (not in ``skip``)."""
        keys, table = self.keys, self.table
        blocks = keys.blocks(kind)
        if not blocks:
            return
        check = self.required > 1
        column: list[tuple[str, ...]] | None = None
        if kind == "phone":
            column = table.phones
        elif kind == "email":
            column = table.emails
        co = table.co
        get = blocks.get
        out, bit = self.out, self.bit
        for y in compress(range(len(self.eligible)), self.eligible):
            found = column[y] if column is not None and y not in co else keys.anyone(y, kind)
            for k in found:
                rows = get(k)
                if rows is None or k in skip:
                    continue
                for x in rows:
                    if x == y or out.get((x, y), 0) & bit:
                        continue
                    mine = column[x] if column is not None else keys.customer(x, kind)
                    if k in mine and (not check or self.shares_enough(x, y)):
                        out[x, y] = out.get((x, y), 0) | bit

    def block_pairs(
        self, rows: list[int], key: Key, kind: Kind, yielded: set[tuple[int, int]]
    ) -> None:
        """Add the pairs of one block that share enough, and put them in ``yielded``."""
        keys, eligible = self.keys, self.eligible
        targets = [y for y in rows if eligible[y]]
        if not targets:
            return
        check = self.required > 1
        for x in rows:
            if key not in keys.customer(x, kind):
                continue
            for y in targets:
                if x != y and (not check or self.shares_enough(x, y)):
                    self.add(x, y)
                    yielded.add((x, y))

    def fuzzy_pairs(
        self, rows: list[int], key: Key, kind: Kind, yielded: set[tuple[int, int]]
    ) -> None:
        """Add the pairs of a block whose folded names reach the ``name_fuzzy`` ratio."""
        table, keys, eligible = self.table, self.keys, self.eligible
        theirs: dict[str, list[int]] = {}
        for y in rows:
            if eligible[y]:
                for person in _people(table, y):
                    name = full_name(person[0], person[1])
                    if name:
                        theirs.setdefault(name, []).append(y)
        mine: dict[str, list[int]] = {}
        for x in rows:
            name = full_name(table.first[x], table.last[x])
            if name and key in keys.customer(x, kind):
                mine.setdefault(name, []).append(x)
        if not theirs or not mine:
            return
        for x, y in close_pairs(mine, theirs, self.spec.ratio):
            self.add(x, y)
            yielded.add((x, y))

    def refine(self, rows: list[int], key: Key, kind: Kind) -> set[tuple[int, int]]:
        """Add the pairs of a generic block that can still match; return them (module doc)."""
        yielded: set[tuple[int, int]] = set()
        if self.required == 1 and not self.spec.name_fuzzy:
            self.block_pairs(rows, key, kind, yielded)
            return yielded
        keys = self.keys
        # Pairs sharing a key of another kind too: split the block by those keys.
        for other in self.kinds:
            if other == kind:
                continue
            groups: dict[Key, list[int]] = {}
            for y in rows:
                for k in keys.anyone(y, other):
                    groups.setdefault(k, []).append(y)
            for sub_key, sub_rows in groups.items():
                if len(sub_rows) > 1:
                    self.block_pairs(sub_rows, sub_key, other, yielded)
        if self.required == 1:
            self.fuzzy_pairs(rows, key, kind, yielded)
        return yielded

    def phone_only(
        self,
        wanted: dict[Key, list[int]],
        big: dict[Key, int],
        generic: dict[tuple[Kind, Key], set[tuple[int, int]]],
    ) -> None:
        """Add the MRG-4 pairs: a phone-only inbound customer with every holder of its phone."""
        if self.spec.mode != "auto" or not self.spec.phone:
            return
        blocks = self.keys.blocks("phone")
        existing = self.eligible
        for held, inbound in wanted.items():
            rows = blocks.get(held)
            if rows is None:
                continue
            targets = [y for y in rows if existing[y]]
            found = [(x, y) for x in inbound for y in targets if x != y]
            for x, y in found:
                self.add(x, y)
            if held in big:
                generic["phone", held].update(found)


def phone_only_rows(table: Chunk, spec: Spec) -> dict[Key, list[int]]:
    """The rows whose customer may match on the phone alone (MRG-4), by phone."""
    wanted: dict[Key, list[int]] = {}
    if spec.mode != "auto" or not spec.phone:
        return wanted
    # MRG-4 eligibility of a customer with phones and no email depends on its name only:
    # it is asked of the merge engine once per distinct name.
    by_name: dict[tuple[str, str], bool] = {}
    emails = table.emails
    for row, phones in enumerate(table.phones):
        if phones and not emails[row]:
            name = (table.first[row], table.last[row])
            allowed = by_name.get(name)
            if allowed is None:
                allowed = by_name[name] = phone_only_person((*name, (), phones), spec)
            if allowed:
                for number in phones:
                    wanted.setdefault(number, []).append(row)
    return wanted


def _people(table: Chunk, row: int) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """The normal forms of a row's customer and, if any, co-customer."""
    found = [(table.first[row], table.last[row], table.emails[row], table.phones[row])]
    co = table.co.get(row)
    if co is not None:
        found.append(co)
    return found


def check_blockable(spec: Spec, mode_name: str) -> None:
    """
    Refuse a spec under which leads sharing no key can match (nothing to block on).

    Raises:
        InvalidInput: The conditions and minimum let ``name_fuzzy`` alone match.

    """
    if spec.required_kinds <= 0:
        field = "auto_merge" if spec.mode == "auto" else "duplicate"
        raise InvalidInput.single(
            f"policy.merge.{field}_min_conditions",
            spec.minimum,
            f"lets a fuzzy name alone match ({mode_name}); batch deduplication blocks on "
            "shared phones, emails and names, and would have to compare every pair: "
            "raise the minimum or drop name_fuzzy",
        )


def _plan(finder: _Finder, keys: Keys, limit: int) -> tuple[Kind, ...]:
    """The kinds to enumerate (see :func:`plan`)."""
    return plan(
        finder.kinds,
        finder.required,
        lambda: loads({k: keys.counts(k) for k in finder.kinds if k != "name"}, limit),
    )


def _wanted(
    plain: Keys,
    modes: Sequence[Mode],
    plans: list[tuple[Kind, ...]],
    phone_only: dict[Key, list[int]],
) -> dict[Kind, set[Key]]:
    """The keys the search reads: the possible existing rows' keys of enumerated kinds."""
    wanted: dict[Kind, set[Key]] = {}
    for mode, chosen in zip(modes, plans, strict=True):
        rows = list(compress(range(len(mode.eligible)), mode.eligible))
        for kind in chosen:
            found = wanted.setdefault(kind, set())
            for row in rows:
                found.update(plain.anyone(row, kind))
    if phone_only:
        wanted.setdefault("phone", set()).update(phone_only)
    return wanted


class _Search(NamedTuple):
    """What each mode's search needs."""

    keys: Keys
    modes: Sequence[Mode]
    plans: list[tuple[Kind, ...]]
    big: dict[Kind, dict[Key, int]]
    phone_only: dict[Key, list[int]]


def _search(state: _Search, index: int) -> tuple[Pairs, dict[tuple[Kind, Key], int]]:
    """Find one mode's pairs: through its kinds, its generic keys, and MRG-4."""
    keys, big = state.keys, state.big
    out: Pairs = {}
    finder = _Finder(keys, state.modes[index], out)
    generic: dict[tuple[Kind, Key], set[tuple[int, int]]] = {
        (kind, k): set() for kind in big for k in big[kind]
    }
    for kind in state.plans[index]:
        large = big.get(kind, {})
        finder.from_existing(kind, large)
        if large:
            blocks = keys.blocks(kind)
            for k in large:
                generic[kind, k].update(finder.refine(blocks[k], k, kind))
    finder.phone_only(state.phone_only, big.get("phone", {}), generic)
    return out, {item: len(found) for item, found in generic.items()}


def find(
    table: Chunk,
    modes: Sequence[Mode],
    *,
    limit: int,
    on_generic: Literal["refine", "error"] = "refine",
) -> Candidates:
    """
    Return every directed pair that may match in some mode (see the module doc).

    Blocks are built only for the keys the search reads: those of rows that may be
    existing leads in a mode, and the phones of phone-only inbound customers. So a key is
    reported as generic when the search would read its block.

    Raises:
        InvalidInput: ``on_generic`` is ``error`` and a key of a kind blocking reads is
            held by more than ``limit`` rows (every such key is listed).

    """
    if not modes:
        return Candidates({}, [], {})
    plain = Keys(table, modes[0].spec)
    finders = [_Finder(plain, mode, {}) for mode in modes]
    plans = [_plan(finder, plain, limit) for finder in finders]
    auto = next((m.spec for m in modes if m.spec.mode == "auto"), None)
    phone_only = phone_only_rows(table, auto) if auto is not None else {}
    wanted = _wanted(plain, modes, plans, phone_only)
    keys = Keys(table, modes[0].spec, wanted)
    keys._real = plain._real  # noqa: SLF001  # the same memo of real names
    big: dict[Kind, dict[Key, int]] = {
        kind: {k: len(rows) for k, rows in keys.blocks(kind).items() if len(rows) > limit}
        for kind in KINDS
        if kind in wanted
    }
    if on_generic == "error" and any(big.values()):
        raise generic_error(big, limit)
    state = _Search(keys, modes, plans, big, phone_only)
    searched = [_search(state, index) for index in range(len(modes))]
    out: Pairs = {}
    generic: dict[tuple[Kind, Key], int] = {(kind, k): 0 for kind in big for k in big[kind]}
    for pairs, counted in searched:
        if not out:
            out = pairs
        else:
            for pair, bits in pairs.items():
                out[pair] = out.get(pair, 0) | bits
        for item, count in counted.items():
            generic[item] += count
    report = [
        Generic(kind, _show(k), len(keys.blocks(kind)[k]), pairs)
        for (kind, k), pairs in generic.items()
    ]
    report.sort(key=lambda g: (-g.rows, g.kind, g.key))
    return Candidates(out, report, {m.bit: chosen for m, chosen in zip(modes, plans, strict=True)})


def generic_error(big: dict[Kind, dict[Key, int]], limit: int) -> InvalidInput:
    """The error of ``generic_keys='error'``: every generic key, by kind, most held first."""
    return InvalidInput(
        [
            _generic_problem(kind, k, c, limit)
            for kind in KINDS
            for k, c in sorted(big.get(kind, {}).items(), key=lambda i: (-i[1], str(i[0])))
        ]
    )


def full_name(first: str, last: str) -> str:
    """A person's full folded name, as ``name_fuzzy`` compares it."""
    return f"{first} {last}".strip()


def show_key(key: Key) -> str:
    """A key as the generic-keys report shows it (a name as ``first last``)."""
    return _show(key)


def _show(key: Key) -> str:
    return key if isinstance(key, str) else f"{key[0]} {key[1]}"


def _generic_problem(kind: Kind, key: Key, count: int, limit: int) -> Problem:
    return Problem(
        f"generic_keys.{kind}",
        _show(key),
        f"is held by {count} leads, more than generic_key_rows ({limit}); choose "
        "generic_keys='refine' (exact: finds only the pairs that can still match) or "
        "'exclude' (treats such emails and phones as unusable), or raise the limit",
    )


def exclude(table: Chunk, generic: Sequence[Generic]) -> Chunk:
    """Return ``table`` without the generic emails and phones (names are kept)."""
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


def generic_keys(table: Chunk, limit: int, spec: Spec) -> list[Generic]:
    """Return the emails and phones held by more than ``limit`` rows."""
    keys = Keys(table, spec)
    kinds: tuple[Kind, ...] = ("email", "phone")
    found = [
        Generic(kind, _show(k), c, 0)
        for kind in kinds
        for k, c in keys.counts(kind).items()
        if c > limit
    ]
    found.sort(key=lambda g: (-g.rows, g.kind, g.key))
    return found
