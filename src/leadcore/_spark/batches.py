"""
The Python that runs inside Spark, over Arrow record batches (``mapInArrow``).

Each function here is leadcore's own code applied to a batch: reading and normalising
rows (:func:`leadcore._dedupe.load.frame_chunk`), a row's keys in every key space of the
rules (:func:`leadcore._dedupe.block.row_keys`) and the ``inbound_lacks`` guards it meets
(:meth:`~leadcore._dedupe.block.Keys.lacks`), the check of a pair found through a space
(:meth:`~leadcore._dedupe.block.Finder.passes`), the close values of a generic key's
block (:func:`~leadcore._dedupe.block.close_candidates`) and the decisions of
:func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates`
(:class:`leadcore._dedupe.decide.Decider`). Nothing is re-implemented in SQL: Spark only
joins equal keys.

The functions are built by factories that close over plain, picklable values (policies,
column names, instants, the plan as numbers); each batch compiles the rules again
(:func:`rules`, cached), so key spaces and groups are the executor's own objects.

Spark hands a batch function no empty batch: an empty partition sends none, whatever
``spark.sql.execution.arrow.maxRecordsPerBatch`` says (checked on Spark 4.x). The
functions take an empty batch all the same (an empty one out), but the reader, which
places its count of records at the first row's position, skips one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple

import pyarrow as pa

from leadcore._dedupe import block, inputs
from leadcore._dedupe import load as loader
from leadcore._dedupe.config import Columns, DedupePolicy
from leadcore._dedupe.decide import AUTO, DUPLICATES, Decider, State
from leadcore._dedupe.results import decision_of, decision_row, pair_of
from leadcore._merge.counts import KeyCounts
from leadcore._merge.engine import CompiledGroup, Spec, compile_spec
from leadcore._merge.keys import Key, KeySpace
from leadcore._merge.policy import MergePolicy

__all__ = [
    "CLOSE",
    "DATA",
    "DECIDED",
    "KEYS",
    "MID",
    "NORMAL",
    "OVER",
    "ROWS",
    "Batch",
    "Rules",
    "Searches",
    "chunk_of",
    "closer",
    "decider",
    "excluder",
    "fields_of",
    "key_of",
    "keyer",
    "normaliser",
    "raw_cell",
    "rows_table",
    "rules",
    "searches",
    "split_key",
    "table_of",
    "unfilled",
    "windows",
]

MID: Final = "__leadcore_mid"
"""The column holding each input row's ``monotonically_increasing_id``."""

BATCH = Iterator[pa.RecordBatch]

_LIST = pa.list_(pa.string())
_PERSON_FIELDS: Final = [
    pa.field("first", pa.string()),
    pa.field("last", pa.string()),
    pa.field("emails", _LIST),
    pa.field("phones", _LIST),
    pa.field("has_co", pa.bool_()),
    pa.field("co_first", pa.string()),
    pa.field("co_last", pa.string()),
    pa.field("co_emails", _LIST),
    pa.field("co_phones", _LIST),
    pa.field("source", pa.string()),
    pa.field("lot", pa.string()),
    pa.field("created", pa.int64()),
    pa.field("last_activity", pa.int64()),
    pa.field("extra", _LIST),
    pa.field("label", pa.string()),
]
"""A lead's normal forms; ``extra`` holds the raw cells of the lead and custom fields a
rule compares (``project``, ``fields.vin``), in the order of :func:`fields_of`; ``label``
its ground-truth label (``Columns.labels``), if any."""

NORMAL: Final = pa.schema(
    [
        pa.field("tag", pa.int8()),
        pa.field(MID, pa.int64()),
        pa.field("id", pa.string()),
        *_PERSON_FIELDS,
        pa.field("field", pa.string()),
        pa.field("value", pa.string()),
        pa.field("message", pa.string()),
        pa.field("records", pa.int64()),
    ]
)
"""What normalising gives: one row per kept lead (tag 0), bad row (1), naive
timestamp (2), and one count of records per batch (3)."""

GOOD, BAD, NAIVE, COUNT = 0, 1, 2, 3

ROWS: Final = pa.schema([pa.field("row", pa.int64()), pa.field("id", pa.string()), *_PERSON_FIELDS])
"""A kept lead's normal forms, ``row`` being its 0-based position in the input."""

_OVER = pa.struct(
    [
        pa.field("sid", pa.int32()),
        pa.field("k1", pa.string()),
        pa.field("k2", pa.string()),
        pa.field("n", pa.int64()),
    ]
)

OVER: Final = "array<struct<sid:int,k1:string,k2:string,n:bigint>>"
"""The Spark type of a row's ``over`` column (see :data:`DATA`)."""

DATA: Final = pa.schema([*ROWS, pa.field("over", pa.list_(_OVER))])
"""A row as the checks and decisions read it: :data:`ROWS` and ``over``, the keys it
holds that are held by more rows of the table than their item's ``max_leads`` (space
id, key, rows)."""

KEYS: Final = pa.schema(
    [
        pa.field("row", pa.int64()),
        pa.field("sid", pa.int32()),
        pa.field("k1", pa.string()),
        pa.field("k2", pa.string()),
        pa.field("own", pa.bool_()),
        pa.field("e1", pa.bool_()),
        pa.field("e2", pa.bool_()),
        pa.field("lacking", pa.list_(pa.int32())),
    ]
)
"""A row's keys: the space (its index in :attr:`Rules.spaces`), the key (a name as k1
first, k2 last; else k2 empty), whether the customer (or the lead) holds it (``own``:
the row may be found through it as the inbound lead), whether the row may be an existing
lead in auto-merge (e1) and possible duplicates (e2), and the guards (indexes in
:attr:`Rules.guards`) whose ``inbound_lacks`` the row meets."""

_GENERIC = pa.struct(
    [
        pa.field("sid", pa.int32()),
        pa.field("k1", pa.string()),
        pa.field("k2", pa.string()),
        pa.field("pairs", pa.int64()),
    ]
)
_DECISION = pa.struct(
    [
        pa.field(name, pa.string())
        for name in ("inbound", "existing", "action", "via", "matched", "person", "reasons")
    ]
)

DECIDED: Final = pa.schema(
    [
        pa.field("lead_a", pa.string()),
        pa.field("lead_b", pa.string()),
        pa.field("candidates", pa.int64()),
        pa.field("generic", pa.list_(_GENERIC)),
        pa.field("kind", pa.string()),
        pa.field("matched", pa.string()),
        pa.field("explanation", pa.string()),
        pa.field("link", pa.bool_()),
        pa.field("decisions", pa.list_(_DECISION)),
    ]
)
"""What deciding gives: one row per candidate pair of leads (``lead_a < lead_b``)."""

CLOSE: Final = pa.schema(
    [
        pa.field("x", pa.int64()),
        pa.field("y", pa.int64()),
        pa.field("bit", pa.int32()),
        pa.field("sid", pa.int32()),
        pa.field("ti", pa.int32()),
        pa.field("gk1", pa.string()),
        pa.field("gk2", pa.string()),
    ]
)
"""The pairs of a generic key's block whose values meet an item (close values)."""


# -- the rules, as both sides of the cluster read them ----------------------------------


class Rules(NamedTuple):
    """A policy's compiled rules, with the numbering the Spark tables use."""

    specs: dict[int, Spec]
    """The compiled rule of each mode, by mode bit."""
    spaces: tuple[KeySpace, ...]
    """Every key space of both modes, in order of first use (a key's ``sid``)."""
    guards: tuple[tuple[int, CompiledGroup], ...]
    """Every group with ``inbound_lacks``, with its mode bit (a guard's index)."""

    @property
    def limited(self) -> tuple[int, ...]:
        """The ids of the spaces of items with ``max_leads``."""
        return tuple(i for i, s in enumerate(self.spaces) if s.max_leads is not None)

    @property
    def region(self) -> str:
        """The default phone region."""
        return self.specs[AUTO].region

    @property
    def folded(self) -> frozenset[str]:
        """The folded placeholder names."""
        return self.specs[AUTO].folded


def rules(policy: MergePolicy) -> Rules:
    """The compiled rules of ``policy`` (:func:`compile_spec` caches them)."""
    specs = {AUTO: compile_spec(policy, "auto"), DUPLICATES: compile_spec(policy, "duplicates")}
    spaces = tuple(dict.fromkeys(s for spec in specs.values() for s in spec.spaces()))
    guards = tuple((bit, g) for bit, spec in specs.items() for g in spec.groups if g.lacks)
    return Rules(specs, spaces, guards)


Searches = tuple[tuple[int, int, tuple[tuple[int, bool], ...]], ...]
"""Each mode's plan as numbers: (mode bit, space id, ((group position, trivial), ...))."""

Tests = dict[int, dict[int, list[block.GroupSearch]]]
"""Each mode's plan by mode bit and space id."""


def searches(found: Rules, plans: Mapping[int, block.Plan]) -> Searches:
    """The plans of both modes (:func:`leadcore._dedupe.block.plan_by_load`) as numbers."""
    ids = {space: sid for sid, space in enumerate(found.spaces)}
    return tuple(
        (bit, ids[space], tuple((t.group.position, t.trivial) for t in tests))
        for bit, plan in plans.items()
        for space, tests in plan.items()
    )


def _tests(found: Rules, encoded: Searches) -> Tests:
    tests: Tests = {AUTO: {}, DUPLICATES: {}}
    for bit, sid, groups in encoded:
        spec = found.specs[bit]
        tests[bit][sid] = [block.GroupSearch(spec.groups[p], trivial) for p, trivial in groups]
    return tests


def fields_of(columns: Columns) -> tuple[str, ...]:
    """The lead and custom fields with a column, in the order of a row's ``extra``."""
    return tuple(name for name, _ in columns.layout_spec() if name not in inputs.FIELDS)


def split_key(key: Key) -> tuple[str, str]:
    """A key as the two text columns of the tables: a name as (first, last), else (key, "")."""
    return (key, "") if isinstance(key, str) else key


def key_of(space: KeySpace, k1: str, k2: str) -> Key:
    """The key of two text columns in ``space`` (the ``name`` field's are names)."""
    return (k1, k2) if space.field == "name" else k1


# -- reading ------------------------------------------------------------------------------


def _text(value: object) -> str:
    """
    A bad row's value as text: as the local table writes it, then as a string.

    Never None: a missing cell is never a bad value, and a row without an id reports
    its id as read, the empty string.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return repr(value)


def normaliser(columns: Columns, tz: str | None, region: str) -> Callable[[BATCH], BATCH]:
    """Return the batch function reading and normalising rows as :func:`dedupe.load` does."""
    fields = fields_of(columns)

    settings = loader.settings_of(tz, region)

    def run(batches: BATCH) -> BATCH:
        for batch in batches:
            if batch.num_rows == 0:  # pragma: no cover  # Spark sends none (module doc)
                continue
            mids: list[int] = batch.column(MID).to_pylist()
            # By columns, as a local dataframe; by records when a cell is over the limit.
            chunk = loader.frame_chunk(batch, columns, settings)
            if chunk is None:
                records, lay = loader.frame_records(batch, columns)
                chunk = inputs.prepare(records, settings._replace(layout=lay))
            yield _normal_batch(chunk, mids, fields)

    return run


def _person_columns(chunk: inputs.Chunk, fields: Sequence[str]) -> dict[str, list[Any]]:
    size = len(chunk.ids)
    co = [chunk.co.get(i) for i in range(size)]
    extra = [chunk.extra.get(name, [None] * size) for name in fields]
    return {
        "first": chunk.first,
        "last": chunk.last,
        "emails": [list(e) for e in chunk.emails],
        "phones": [list(p) for p in chunk.phones],
        "has_co": [c is not None for c in co],
        "co_first": [None if c is None else c[0] for c in co],
        "co_last": [None if c is None else c[1] for c in co],
        "co_emails": [None if c is None else list(c[2]) for c in co],
        "co_phones": [None if c is None else list(c[3]) for c in co],
        "source": chunk.source,
        "lot": chunk.lot,
        "created": chunk.created,
        "last_activity": chunk.last_activity,
        "extra": [[column[i] for column in extra] for i in range(size)],
        "label": chunk.labels,
    }


def _normal_batch(
    chunk: inputs.Chunk, mids: Sequence[int], fields: Sequence[str]
) -> pa.RecordBatch:
    kept = len(chunk.ids)
    extra = [(BAD, b) for b in chunk.bad]
    if chunk.naive is not None:
        extra.append((NAIVE, chunk.naive))
    size = kept + len(extra) + 1
    none: list[Any] = [None] * (size - kept)
    data: dict[str, list[Any]] = {
        "tag": [GOOD] * kept + [t for t, _ in extra] + [COUNT],
        MID: [mids[r] for r in chunk.rows] + [mids[b.row] for _, b in extra] + [mids[0]],
        "id": chunk.ids + none,
    }
    data.update((name, values + none) for name, values in _person_columns(chunk, fields).items())
    data.update(
        {
            "field": [None] * kept + [b.field or None for _, b in extra] + [None],
            "value": [None] * kept + [_text(b.value) for _, b in extra] + [None],
            "message": [None] * kept + [b.message for _, b in extra] + [None],
            "records": [None] * (size - 1) + [chunk.records],
        }
    )
    return pa.RecordBatch.from_pydict(data, schema=NORMAL)


# -- rows back into leadcore's shapes --------------------------------------------------


def chunk_of(columns: Mapping[str, Sequence[Any]], fields: Sequence[str]) -> inputs.Chunk:
    """Rows (:data:`ROWS` columns) as a :class:`~leadcore._dedupe.inputs.Chunk`, in order."""
    size = len(columns["id"])
    co_first, co_last = columns["co_first"], columns["co_last"]
    co_emails, co_phones = columns["co_emails"], columns["co_phones"]
    extras = columns["extra"]
    return inputs.Chunk(
        rows=list(columns["row"]),
        lines=[-1] * size,
        ids=list(columns["id"]),
        first=list(columns["first"]),
        last=list(columns["last"]),
        emails=[tuple(e) for e in columns["emails"]],
        phones=[tuple(p) for p in columns["phones"]],
        co={
            i: (co_first[i], co_last[i], tuple(co_emails[i]), tuple(co_phones[i]))
            for i, has in enumerate(columns["has_co"])
            if has
        },
        source=list(columns["source"]),
        lot=list(columns["lot"]),
        created=list(columns["created"]),
        last_activity=list(columns["last_activity"]),
        labels=list(columns["label"]),
        bad=[],
        naive=None,
        records=size,
        extra={name: [e[at] for e in extras] for at, name in enumerate(fields)},
    )


def _rows_batch(chunk: inputs.Chunk, fields: Sequence[str]) -> pa.RecordBatch:
    data: dict[str, list[Any]] = {"row": chunk.rows, "id": chunk.ids}
    data.update(_person_columns(chunk, fields))
    return pa.RecordBatch.from_pydict(data, schema=ROWS)


def unfilled(locals_: Sequence[str], fields: Sequence[str]) -> Callable[[BATCH], BATCH]:
    """Return the batch function leaving a policy's filler emails out (``without_fillers``)."""
    kept = tuple(locals_)

    def run(batches: BATCH) -> BATCH:
        for batch in batches:
            chunk = chunk_of(batch.to_pydict(), fields)
            yield _rows_batch(inputs.without_fillers(chunk, kept), fields)

    return run


def excluder(generic: Sequence[tuple[str, str]], fields: Sequence[str]) -> Callable[[BATCH], BATCH]:
    """Return the batch function dropping generic emails and phones (:func:`block.exclude`)."""
    found = [block.Generic(kind, key, 0, 0) for kind, key in generic]

    def run(batches: BATCH) -> BATCH:
        for batch in batches:
            chunk = chunk_of(batch.to_pydict(), fields)
            yield _rows_batch(block.exclude(chunk, found), fields)

    return run


# -- keys -------------------------------------------------------------------------------


def windows(now: dt.datetime, policy: DedupePolicy) -> tuple[int, int, int]:
    """The window starts (microseconds) that rows must reach to be existing leads."""
    now_us = (now - inputs.EPOCH) // inputs.ONE_US
    rules_ = policy.merge
    return (
        block.window_start(now_us, rules_.merge_max_age_days),
        block.window_start(now_us, rules_.merge_max_inactivity_days),
        block.window_start(now_us, rules_.duplicate_max_inactivity_days),
    )


def _at_least(value: int | None, since: int) -> bool:
    return value is not None and value >= since


def raw_cell(chunk: inputs.Chunk, field: str, row: int) -> object:
    """A lead or custom field's raw cell (``source`` and ``lot`` are columns of their own)."""
    if field == "source":
        return chunk.source[row]
    if field == "lot":
        return chunk.lot[row]
    column = chunk.extra.get(field)
    return None if column is None else column[row]


def keyer(  # one pass over the rows of a batch
    policy: MergePolicy,
    starts: tuple[int, int, int],
    fields: Sequence[str],
    *,
    excluded: bool = False,
) -> Callable[[BATCH], BATCH]:
    """
    Return the batch function listing every row's keys (:func:`block.row_keys`).

    In every key space of the rules (:attr:`Rules.spaces`), or, with ``excluded``, in
    the plain email and phone spaces ``generic_keys='exclude'`` counts
    (:data:`leadcore._dedupe.block.EXCLUDED`). Keys an item ignores (``max_leads``) are
    listed: they are counted over the table on the cluster.
    """
    created_since, active_since, recent_since = starts

    def run(batches: BATCH) -> BATCH:
        found = rules(policy)
        spaces = block.EXCLUDED if excluded else found.spaces
        guards = () if excluded else found.guards
        region, folded = found.region, found.folded
        for batch in batches:
            chunk = chunk_of(batch.to_pydict(), fields)
            keys = block.Keys(chunk, region, folded)
            out: dict[str, list[Any]] = {name: [] for name in KEYS.names}
            for index in range(len(chunk.ids)):
                created, activity = chunk.created[index], chunk.last_activity[index]
                e1 = _at_least(created, created_since) and _at_least(activity, active_since)
                e2 = _at_least(activity, recent_since)
                lacking = [g for g, (_, group) in enumerate(guards) if keys.lacks(group, index)]
                customer = (
                    chunk.first[index],
                    chunk.last[index],
                    chunk.emails[index],
                    chunk.phones[index],
                )
                co = chunk.co.get(index)
                row = chunk.rows[index]
                for sid, space in enumerate(spaces):
                    raw = None if space.person else raw_cell(chunk, space.field, index)
                    for key, own in block.row_keys(
                        space, customer, co, raw, folded=folded, region=region
                    ):
                        k1, k2 = split_key(key)
                        out["row"].append(row)
                        out["sid"].append(sid)
                        out["k1"].append(k1)
                        out["k2"].append(k2)
                        out["own"].append(own)
                        out["e1"].append(e1)
                        out["e2"].append(e2)
                        out["lacking"].append(lacking)
            yield pa.RecordBatch.from_pydict(out, schema=KEYS)

    return run


# -- checking and deciding ---------------------------------------------------------------


class Batch(NamedTuple):
    """Rows of a batch as a table: their Keys (with the table's ignored keys) and counts."""

    chunk: inputs.Chunk
    keys: block.Keys
    counts: KeyCounts | None


def table_of(found: Rules, columns: Mapping[str, Sequence[Any]], fields: Sequence[str]) -> Batch:
    """The rows of ``columns`` (:data:`DATA`) as one table (see :func:`rows_table`)."""
    return rows_table(found, chunk_of(columns, fields), columns["over"])


def rows_table(
    found: Rules, chunk: inputs.Chunk, over: Sequence[Sequence[Mapping[str, Any]] | None]
) -> Batch:
    """
    Rows of a table, for the checks and the decisions: their keys and counts.

    ``over`` lists, for each row, the keys it holds that are held by more rows of the
    whole table than their item's ``max_leads`` (space id, ``k1``, ``k2``, rows ``n``):
    they are ignored by the keys and counted for the decisions, exactly as the local
    engine counts them over its table (:func:`leadcore._dedupe.block.table_counts`),
    since only the keys of these rows are read.
    """
    limited = found.limited
    ignored: dict[KeySpace, set[Key]] = {found.spaces[sid]: set() for sid in limited}
    tallies: dict[KeySpace, dict[Key, int]] = {found.spaces[sid]: {} for sid in limited}
    for held in over:
        for entry in held or ():
            space = found.spaces[entry["sid"]]
            key = key_of(space, entry["k1"], entry["k2"])
            ignored[space].add(key)
            tallies[space][key] = entry["n"]
    keys = block.Keys(
        chunk,
        found.region,
        found.folded,
        ignored={space: frozenset(held) for space, held in ignored.items()},
    )
    counts = KeyCounts(region=found.region, counts=tallies) if limited else None
    return Batch(chunk, keys, counts)


def _pick(
    columns: Mapping[str, Sequence[Any]], sides: Sequence[tuple[str, int]]
) -> dict[str, list[Any]]:
    """The :data:`DATA` columns of rows picked from prefixed columns (``u_``, ``v_``)."""
    return {name: [columns[side + name][i] for side, i in sides] for name in DATA.names}


def decider(
    now: dt.datetime, policy: DedupePolicy, fields: Sequence[str], plans: Searches
) -> Callable[[BATCH], BATCH]:
    """
    Return the batch function checking and deciding candidate pairs, both directions.

    Each input row is a pair of rows ``u < v`` with every way it was found (``refs``:
    the inbound row ``x``, the mode bit, the space, which of the space's searches (-1:
    any) and whether strictly, and the generic key it came through) and both rows'
    normal forms (``u_*``, ``v_*``, :data:`DATA`). A way is kept when the local search
    keeps it (:meth:`leadcore._dedupe.block.Finder.passes`); the kept modes are decided
    by the merge rules (:class:`~leadcore._dedupe.decide.Decider`), and the pair built
    as the local engine builds it (:func:`~leadcore._dedupe.results.pair_of`).
    """
    cluster_on: set[str] = set(policy.cluster_on)

    def run(batches: BATCH) -> BATCH:
        found = rules(policy.merge)
        tests = _tests(found, plans)
        for batch in batches:
            yield _decide_batch(batch.to_pydict(), found, tests, fields, now, policy, cluster_on)

    return run


def _decide_batch(  # noqa: PLR0917  # one pass over a batch of pairs
    columns: dict[str, list[Any]],
    found: Rules,
    tests: Tests,
    fields: Sequence[str],
    now: dt.datetime,
    policy: DedupePolicy,
    cluster_on: set[str],
) -> pa.RecordBatch:
    us, vs = columns["u"], columns["v"]
    index: dict[int, int] = {}
    sides: list[tuple[str, int]] = []
    for side, rows in (("u_", us), ("v_", vs)):
        for i, r in enumerate(rows):
            if r not in index:
                index[r] = len(sides)
                sides.append((side, i))
    table = table_of(found, _pick(columns, sides), fields)
    ids = table.chunk.ids
    finders = {
        bit: block.Finder(table.keys, block.Mode(bit, spec, ()), {})
        for bit, spec in found.specs.items()
    }
    judge = Decider(State(table.chunk, now, policy.merge, table.counts))
    out: dict[str, list[Any]] = {name: [] for name in DECIDED.names}
    for at, refs in enumerate(columns["refs"]):
        u, v = index[us[at]], index[vs[at]]
        bits: dict[tuple[int, int], int] = {}
        generic: dict[tuple[int, str, str], set[tuple[int, int, int]]] = {}
        for ref in refs:
            x = index[ref["x"]]
            y = v if x == u else u
            bit = ref["bit"]
            chosen = tests[bit][ref["sid"]]
            if ref["ti"] >= 0:
                one = chosen[ref["ti"]]
                chosen = [one._replace(trivial=False) if ref["strict"] else one]
            finder = finders[bit]
            if not any(finder.passes(t, x, y) for t in chosen):
                continue
            bits[x, y] = bits.get((x, y), 0) | bit
            if ref["gsid"] is not None:
                generic.setdefault((ref["gsid"], ref["gk1"], ref["gk2"]), set()).add((x, y, bit))
        directed = [d for (x, y), b in sorted(bits.items()) for d in judge.decide(x, y, b)]
        one, two = ids[u], ids[v]
        lead_a, lead_b = (one, two) if one < two else (two, one)
        out["lead_a"].append(lead_a)
        out["lead_b"].append(lead_b)
        out["candidates"].append(len(bits))
        out["generic"].append(
            [
                {"sid": sid, "k1": k1, "k2": k2, "pairs": len(pairs)}
                for (sid, k1, k2), pairs in sorted(generic.items())
            ]
        )
        if directed:
            pair = pair_of(
                lead_a, lead_b, [decision_of(ids[d.inbound], ids[d.existing], d) for d in directed]
            )
            out["kind"].append(pair.kind)
            out["matched"].append("+".join(pair.matched))
            out["explanation"].append(pair.explain())
            out["link"].append(any(d.action in cluster_on for d in pair.decisions))
            out["decisions"].append([decision_row(d) for d in pair.decisions])
        else:
            out["kind"].append(None)
            out["matched"].append(None)
            out["explanation"].append(None)
            out["link"].append(False)
            out["decisions"].append([])
    return pa.RecordBatch.from_pydict(out, schema=DECIDED)


def closer(policy: MergePolicy, fields: Sequence[str], plans: Searches) -> Callable[[BATCH], BATCH]:
    """
    Return the batch function finding the close values of generic keys' blocks.

    Each input row is one search of a generic key's block (``sid``, ``gk1``, ``gk2``;
    mode ``bit``, the space's search ``ti``, the unkeyed ``item`` of the mode's rule)
    with ``members``: every row holding the key (on either person), as :data:`DATA`,
    with ``eligible`` (may be the existing lead in the mode). The pairs are those of
    :func:`leadcore._dedupe.block.close_candidates`, by input row.
    """

    def run(batches: BATCH) -> BATCH:
        found = rules(policy)
        tests = _tests(found, plans)
        for batch in batches:
            columns = batch.to_pydict()
            out: dict[str, list[Any]] = {name: [] for name in CLOSE.names}
            for at, members in enumerate(columns["members"]):
                members.sort(key=lambda m: m["row"])
                table = table_of(found, {n: [m[n] for m in members] for n in DATA.names}, fields)
                bit, sid, ti = columns["bit"][at], columns["sid"][at], columns["ti"][at]
                k1, k2 = columns["gk1"][at], columns["gk2"][at]
                space = found.spaces[sid]
                pairs = block.close_candidates(
                    table.keys,
                    range(len(members)),
                    key_of(space, k1, k2),
                    space,
                    tests[bit][sid][ti].group,
                    found.specs[bit].items[columns["item"][at]],
                    [m["eligible"] for m in members],
                )
                rows = table.chunk.rows
                for x, y in dict.fromkeys(pairs):
                    out["x"].append(rows[x])
                    out["y"].append(rows[y])
                    out["bit"].append(bit)
                    out["sid"].append(sid)
                    out["ti"].append(ti)
                    out["gk1"].append(k1)
                    out["gk2"].append(k2)
            yield pa.RecordBatch.from_pydict(out, schema=CLOSE)

    return run
