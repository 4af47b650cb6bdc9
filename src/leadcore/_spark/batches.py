"""
The Python that runs inside Spark, over Arrow record batches (``mapInArrow``).

Each function here is leadcore's own code applied to a batch: reading and normalising
rows (:func:`leadcore._dedupe.inputs.prepare`), a row's blocking keys
(:func:`leadcore._dedupe.seed.row_keys`), the necessary-condition filter
(:func:`~leadcore._dedupe.seed.shares_enough`), close names
(:func:`~leadcore._dedupe.seed.close_pairs`) and the decisions of
:func:`leadcore.merge.auto` and :func:`leadcore.merge.duplicates`
(:class:`leadcore._dedupe.decide.Decider`). Nothing is re-implemented in SQL.

The functions are built by factories that close over plain, picklable values (policies,
column mappings, instants); Spark ships them to the executors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

import pyarrow as pa

from leadcore._dedupe import block, inputs, seed
from leadcore._dedupe import load as loader
from leadcore._dedupe.config import Columns, DedupePolicy
from leadcore._dedupe.decide import AUTO, DUPLICATES, Decider, Row, State
from leadcore._dedupe.results import decision_of, decision_row, pair_of
from leadcore._merge.engine import Spec, compile_spec

__all__ = [
    "CLOSE",
    "DECIDED",
    "KEYS",
    "MID",
    "NORMAL",
    "ROWS",
    "closer",
    "decider",
    "excluder",
    "keyed",
    "keyer",
    "normaliser",
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
]

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

KEYS: Final = pa.schema(
    [
        pa.field("row", pa.int64()),
        pa.field("kind", pa.string()),
        pa.field("k1", pa.string()),
        pa.field("k2", pa.string()),
        pa.field("cust", pa.bool_()),
        pa.field("po", pa.bool_()),
        pa.field("e1", pa.bool_()),
        pa.field("e2", pa.bool_()),
    ]
)
"""A row's blocking keys: kind, key (a name as k1 first, k2 last; else k2 empty), whether
the customer holds it, whether the row is a phone-only inbound customer (MRG-4), and
whether the row may be an existing lead in auto-merge (e1) and possible duplicates (e2)."""

_DECISION = pa.struct(
    [
        pa.field(name, pa.string())
        for name in ("inbound", "existing", "action", "via", "matched", "person", "reasons")
    ]
)
_GENERIC = pa.struct(
    [
        pa.field("kind", pa.string()),
        pa.field("k1", pa.string()),
        pa.field("k2", pa.string()),
        pa.field("pairs", pa.int64()),
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


def keyed(spec: Spec) -> tuple[seed.Kind, ...]:
    """The kinds of key a mode's spec matches on (its conditions but ``name_fuzzy``)."""
    return seed.seed_of(spec).kinds


def _text(value: object) -> str | None:
    """A bad row's value as text: as the local table writes it, then as a string."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return repr(value)


def normaliser(columns: Columns, tz: str | None, region: str) -> Callable[[BATCH], BATCH]:
    """Return the batch function reading and normalising rows as :func:`dedupe.load` does."""

    def run(batches: BATCH) -> BATCH:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            mids: list[int] = batch.column(MID).to_pylist()
            records, lay = loader.frame_records(batch, columns)
            chunk = inputs.prepare(records, inputs.Settings(lay, tz, region))
            yield _normal_batch(chunk, mids)

    return run


def _normal_batch(chunk: inputs.Chunk, mids: Sequence[int]) -> pa.RecordBatch:
    kept = len(chunk.ids)
    extra = [(BAD, b) for b in chunk.bad]
    if chunk.naive is not None:
        extra.append((NAIVE, chunk.naive))
    size = kept + len(extra) + 1
    none: list[Any] = [None] * (size - kept)
    co = [chunk.co.get(i) for i in range(kept)]
    data = {
        "tag": [GOOD] * kept + [t for t, _ in extra] + [COUNT],
        MID: [mids[r] for r in chunk.rows] + [mids[b.row] for _, b in extra] + [mids[0]],
        "id": chunk.ids + none,
        "first": chunk.first + none,
        "last": chunk.last + none,
        "emails": [list(e) for e in chunk.emails] + none,
        "phones": [list(p) for p in chunk.phones] + none,
        "has_co": [c is not None for c in co] + none,
        "co_first": [None if c is None else c[0] for c in co] + none,
        "co_last": [None if c is None else c[1] for c in co] + none,
        "co_emails": [None if c is None else list(c[2]) for c in co] + none,
        "co_phones": [None if c is None else list(c[3]) for c in co] + none,
        "source": chunk.source + none,
        "lot": chunk.lot + none,
        "created": chunk.created + none,
        "last_activity": chunk.last_activity + none,
        "field": [None] * kept + [b.field or None for _, b in extra] + [None],
        "value": [None] * kept + [_text(b.value) for _, b in extra] + [None],
        "message": [None] * kept + [b.message for _, b in extra] + [None],
        "records": [None] * (size - 1) + [chunk.records],
    }
    return pa.RecordBatch.from_pydict(data, schema=NORMAL)


# -- rows back into leadcore's shapes --------------------------------------------------


def _people(
    columns: dict[str, list[Any]], prefix: str = ""
) -> list[tuple[block.Person, block.Person | None]]:
    firsts, lasts = columns[prefix + "first"], columns[prefix + "last"]
    emails, phones = columns[prefix + "emails"], columns[prefix + "phones"]
    has_co = columns[prefix + "has_co"]
    co_first, co_last = columns[prefix + "co_first"], columns[prefix + "co_last"]
    co_emails, co_phones = columns[prefix + "co_emails"], columns[prefix + "co_phones"]
    found: list[tuple[block.Person, block.Person | None]] = []
    for i in range(len(firsts)):
        customer = (firsts[i], lasts[i], tuple(emails[i]), tuple(phones[i]))
        co = (
            (co_first[i], co_last[i], tuple(co_emails[i]), tuple(co_phones[i]))
            if has_co[i]
            else None
        )
        found.append((customer, co))
    return found


def _row_of(  # noqa: PLR0917  # the fields of decide.Row, in its order
    lead_id: str,
    people: tuple[block.Person, block.Person | None],
    source: str | None,
    lot: str | None,
    created: int | None,
    activity: int | None,
) -> Row:
    (first, last, emails, phones), co = people
    return (lead_id, first, last, emails, phones, co, source, lot, created, activity, ())


def _chunk(columns: dict[str, list[Any]]) -> inputs.Chunk:
    """A batch of rows as a :class:`~leadcore._dedupe.inputs.Chunk` (rows in batch order)."""
    people = _people(columns)
    size = len(people)
    return inputs.Chunk(
        rows=list(columns["row"]),
        lines=[-1] * size,
        ids=list(columns["id"]),
        first=[p[0][0] for p in people],
        last=[p[0][1] for p in people],
        emails=[p[0][2] for p in people],
        phones=[p[0][3] for p in people],
        co={i: p[1] for i, p in enumerate(people) if p[1] is not None},
        source=list(columns["source"]),
        lot=list(columns["lot"]),
        created=list(columns["created"]),
        last_activity=list(columns["last_activity"]),
        labels=[None] * size,
        bad=[],
        naive=None,
        records=size,
    )


def _rows_batch(chunk: inputs.Chunk) -> pa.RecordBatch:
    size = len(chunk.ids)
    co = [chunk.co.get(i) for i in range(size)]
    data = {
        "row": chunk.rows,
        "id": chunk.ids,
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
    }
    return pa.RecordBatch.from_pydict(data, schema=ROWS)


def unfilled(locals_: Sequence[str]) -> Callable[[BATCH], BATCH]:
    """Return the batch function leaving a policy's filler emails out (``without_fillers``)."""
    kept = tuple(locals_)

    def run(batches: BATCH) -> BATCH:
        for batch in batches:
            if batch.num_rows:
                yield _rows_batch(inputs.without_fillers(_chunk(batch.to_pydict()), kept))

    return run


def excluder(generic: Sequence[tuple[str, str]]) -> Callable[[BATCH], BATCH]:
    """Return the batch function dropping generic emails and phones (:func:`block.exclude`)."""
    found = [block.Generic(kind, key, 0, 0) for kind, key in generic]

    def run(batches: BATCH) -> BATCH:
        for batch in batches:
            if batch.num_rows:
                yield _rows_batch(block.exclude(_chunk(batch.to_pydict()), found))

    return run


# -- keys -------------------------------------------------------------------------------


def windows(now: dt.datetime, policy: DedupePolicy) -> tuple[int, int, int]:
    """The window starts (microseconds) that rows must reach to be existing leads."""
    now_us = (now - inputs.EPOCH) // inputs.ONE_US
    rules = policy.merge
    return (
        block.window_start(now_us, rules.merge_max_age_days),
        block.window_start(now_us, rules.merge_max_inactivity_days),
        block.window_start(now_us, rules.duplicate_max_inactivity_days),
    )


def _at_least(value: int | None, since: int) -> bool:
    return value is not None and value >= since


def keyer(auto: Spec, starts: tuple[int, int, int]) -> Callable[[BATCH], BATCH]:
    """Return the batch function listing every row's blocking keys (:func:`seed.row_keys`)."""
    created_since, active_since, recent_since = starts

    def run(batches: BATCH) -> BATCH:
        real = seed.real_names(auto)
        auto_seed = seed.seed_of(auto)
        phone_only: dict[tuple[str, str], bool] = {}
        for batch in batches:
            if batch.num_rows == 0:
                continue
            columns = batch.to_pydict()
            out: dict[str, list[Any]] = {name: [] for name in KEYS.names}
            for index, (customer, co) in enumerate(_people(columns)):
                created = columns["created"][index]
                activity = columns["last_activity"][index]
                e1 = _at_least(created, created_since) and _at_least(activity, active_since)
                e2 = _at_least(activity, recent_since)
                po = False
                if customer[3] and not customer[2]:
                    name = (customer[0], customer[1])
                    known = phone_only.get(name)
                    if known is None:
                        known = phone_only[name] = seed.phone_only_person(customer, auto_seed)
                    po = known
                for kind, key, held in seed.row_keys(customer, co, seed.KINDS, real):
                    out["row"].append(columns["row"][index])
                    out["kind"].append(kind)
                    if isinstance(key, tuple):
                        out["k1"].append(key[0])
                        out["k2"].append(key[1])
                    else:
                        out["k1"].append(key)
                        out["k2"].append("")
                    out["cust"].append(held)
                    out["po"].append(po and held and kind == "phone")
                    out["e1"].append(e1)
                    out["e2"].append(e2)
            yield pa.RecordBatch.from_pydict(out, schema=KEYS)

    return run


# -- deciding ----------------------------------------------------------------------------


def _key(kind: str, k1: str, k2: str) -> seed.Key:
    return (k1, k2) if kind == "name" else k1


def decider(now: dt.datetime, policy: DedupePolicy) -> Callable[[BATCH], BATCH]:
    """
    Return the batch function deciding candidate pairs, both directions at once.

    Each input row is a pair of rows ``u < v`` with every way it was found (``refs``:
    inbound row, mode bit, whether the necessary condition must be checked, the generic
    key it came through) and both rows' normal forms (``u_*``, ``v_*``). A way that needs
    the check is kept when :func:`seed.shares_enough` holds; the kept modes are decided
    by the merge rules (:class:`~leadcore._dedupe.decide.Decider`), and the pair built as
    the local engine builds it (:func:`~leadcore._dedupe.results.pair_of`).
    """
    rules = policy.merge
    specs = {AUTO: compile_spec(rules, "auto"), DUPLICATES: compile_spec(rules, "duplicates")}
    cluster_on: set[str] = set(policy.cluster_on)

    def run(batches: BATCH) -> BATCH:
        real = seed.real_names(specs[AUTO])
        for batch in batches:
            if batch.num_rows == 0:
                continue
            yield _decide_batch(batch.to_pydict(), specs, real, now, policy, cluster_on)

    return run


def _decide_batch(  # noqa: PLR0917  # one pass over a batch of pairs
    columns: dict[str, list[Any]],
    specs: dict[int, Spec],
    real: seed.RealName,
    now: dt.datetime,
    policy: DedupePolicy,
    cluster_on: set[str],
) -> pa.RecordBatch:
    us, vs = columns["u"], columns["v"]
    u_people, v_people = _people(columns, "u_"), _people(columns, "v_")
    rows: dict[int, Row] = {}
    people: dict[int, tuple[block.Person, block.Person | None]] = {}
    for side, keys, found in (("u_", us, u_people), ("v_", vs, v_people)):
        ids, sources, lots = columns[side + "id"], columns[side + "source"], columns[side + "lot"]
        created, activity = columns[side + "created"], columns[side + "last_activity"]
        for i, key in enumerate(keys):
            if key not in rows:
                people[key] = found[i]
                rows[key] = _row_of(ids[i], found[i], sources[i], lots[i], created[i], activity[i])
    judge = Decider(State(None, now, policy.merge), rows)
    out: dict[str, list[Any]] = {name: [] for name in DECIDED.names}
    for index, refs in enumerate(columns["refs"]):
        u, v = us[index], vs[index]
        bits: dict[tuple[int, int], int] = {}
        generic: dict[tuple[str, str, str], set[tuple[int, int, int]]] = {}
        for ref in refs:
            x = ref["x"]
            y = v if x == u else u
            bit = ref["bit"]
            if ref["check"]:
                spec = specs[bit]
                customer, co = people[y]
                existing = [customer] if co is None else [customer, co]
                rulebook = seed.seed_of(spec)
                if not seed.shares_enough(
                    people[x][0],
                    existing,
                    rulebook.kinds,
                    rulebook.required_kinds,
                    real,
                ):
                    continue
            bits[x, y] = bits.get((x, y), 0) | bit
            if ref["gkind"] is not None:
                generic.setdefault((ref["gkind"], ref["gk1"], ref["gk2"]), set()).add((x, y, bit))
        directed = [d for (x, y), b in sorted(bits.items()) for d in judge.decide(x, y, b)]
        one, two = rows[u][0], rows[v][0]
        lead_a, lead_b = (one, two) if one < two else (two, one)
        out["lead_a"].append(lead_a)
        out["lead_b"].append(lead_b)
        out["candidates"].append(len(bits))
        out["generic"].append(
            [
                {"kind": kind, "k1": k1, "k2": k2, "pairs": len(found)}
                for (kind, k1, k2), found in sorted(generic.items())
            ]
        )
        if directed:
            pair = pair_of(
                lead_a,
                lead_b,
                [decision_of(rows[d.inbound][0], rows[d.existing][0], d) for d in directed],
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


CLOSE: Final = pa.schema(
    [
        pa.field("x", pa.int64()),
        pa.field("y", pa.int64()),
        pa.field("gkind", pa.string()),
        pa.field("gk1", pa.string()),
        pa.field("gk2", pa.string()),
    ]
)
"""The pairs of a generic key's block whose names are close (:func:`seed.close_pairs`)."""


def closer(ratio: float) -> Callable[[BATCH], BATCH]:  # noqa: C901  # both sides' names
    """
    Return the batch function finding the close names of generic keys' blocks.

    Each input row is one generic key (``gkind``, ``gk1``, ``gk2``) with ``mine``: the
    rows whose customer holds it, with the customer's name, and ``theirs``: the rows that
    may be existing leads, with both persons' names.
    """

    def run(batches: BATCH) -> BATCH:  # names of both sides, one block each
        for batch in batches:
            columns = batch.to_pydict()
            out: dict[str, list[Any]] = {name: [] for name in CLOSE.names}
            for index, (mine_items, theirs_items) in enumerate(
                zip(columns["mine"], columns["theirs"], strict=True)
            ):
                mine: dict[str, list[int]] = {}
                for item in sorted(mine_items, key=lambda i: i["row"]):
                    name = seed.full_name(item["first"], item["last"])
                    if name:
                        mine.setdefault(name, []).append(item["row"])
                theirs: dict[str, list[int]] = {}
                for item in sorted(theirs_items, key=lambda i: i["row"]):
                    people = [(item["first"], item["last"])]
                    if item["has_co"]:
                        people.append((item["co_first"], item["co_last"]))
                    for first, last in people:
                        name = seed.full_name(first, last)
                        if name:
                            theirs.setdefault(name, []).append(item["row"])
                for x, y in sorted(seed.close_pairs(mine, theirs, ratio)):
                    out["x"].append(x)
                    out["y"].append(y)
                    out["gkind"].append(columns["gkind"][index])
                    out["gk1"].append(columns["gk1"][index])
                    out["gk2"].append(columns["gk2"][index])
            yield pa.RecordBatch.from_pydict(out, schema=CLOSE)

    return run
