"""
Batch deduplication: the merge rules over a whole table of leads.

The analyst's question: *in this export of a million leads, which would auto-merge today,
which are possible duplicates, and what customers (clusters) does that make?*
:func:`find` answers it with the rules of :mod:`leadcore.merge` themselves (MRG-1 to
MRG-7: its :func:`~leadcore.merge.auto` and :func:`~leadcore.merge.duplicates` decide
every pair), over every pair of leads, at a given ``now``:

* a **pair** of leads is listed when, with one as the inbound lead and the other as the
  only existing lead, :func:`leadcore.merge.auto` merges (``merge``) or routes
  (``route``: MRG-2 forbids the merge) it, or :func:`leadcore.merge.duplicates` lists
  the other as a possible duplicate (``duplicate``), in either direction; each
  :class:`Decision` says which conditions matched, on which person, and how;
* exactly the pairs comparing every pair would give (:func:`reference` is that brute
  force), found by blocking on normalised keys, so the work grows with the pairs that
  share a phone, an email or a name, not with n squared; keys shared by very many leads
  (a call centre's number) are reported and handled by a stated policy
  (:class:`DedupePolicy`);
* **clusters**: the connected components of the pairs that would merge, each named by
  its smallest lead id, so the same leads give the same clusters in any row order;
* :func:`what_if` compares two policies on the same table and lists the pairs whose
  decisions differ.

Input: a CSV file (read with the standard library, no dependency needed), pandas,
polars or pyarrow tables, mappings, or :class:`~leadcore.model.Lead` objects; columns
are mapped with :class:`Columns`. Naive timestamps need the caller's time zone
(``tz``): leadcore never guesses one (GEN-1). Results come back as the same kind of
table (:meth:`DedupeResult.table`). Bad rows are reported with their position and left
out, without stopping the run.

>>> import datetime as dt
>>> now = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
>>> rows = [
...     {"lead_id": "L1", "first_name": "Ada", "last_name": "Lovelace",
...      "email": "ada@example.com", "phone": "(415) 867-5309",
...      "created_at": "2025-06-01T10:00:00+00:00",
...      "last_activity_at": "2025-06-20T10:00:00+00:00"},
...     {"lead_id": "L2", "first_name": "ADA", "last_name": "lovelace",
...      "email": "Ada@Example.com", "created_at": "2025-06-25T09:00:00+00:00",
...      "last_activity_at": "2025-06-25T09:00:00+00:00"},
...     {"lead_id": "L3", "first_name": "Bob", "phone": "415 867 5309"},
... ]
>>> result = find(rows, now=now)
>>> [(p.a, p.b, p.kind) for p in result.pairs]
[('L1', 'L2', 'merge')]
>>> for d in result.pairs[0].decisions:
...     print(d.explain())
L1 -> L2: merge (name + email on the customer)
L1 -> L2: duplicate (name_fuzzy + email on the customer)
L2 -> L1: merge (name + email on the customer)
L2 -> L1: duplicate (name_fuzzy + email on the customer)
>>> [(c.id, c.members) for c in result.clusters]
[('L1', ('L1', 'L2'))]
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, cast, overload

import attrs

from leadcore import _attrs as a
from leadcore import _charts, _progress, merge, normalize
from leadcore import _display as disp
from leadcore._dedupe import block, frames, inputs, pool, raw
from leadcore._dedupe import index as indexing
from leadcore._dedupe import load as loader
from leadcore._dedupe.accuracy import (
    ACCURACY_TABLES,
    Accuracy,
    AccuracyComparison,
    PairError,
    Scores,
)
from leadcore._dedupe.config import (
    ACTIONS,
    TABLES,
    Action,
    Columns,
    DedupePolicy,
    GenericHandling,
    TableKind,
)
from leadcore._dedupe.decide import (
    AUTO,
    DUPLICATES,
    Decider,
    Directed,
    State,
    Task,
    decide_batch,
    of_people,
    row,
)
from leadcore._dedupe.explain import PairExplanation
from leadcore._dedupe.items import matched_of
from leadcore._dedupe.results import (
    BadRow,
    Cluster,
    Decision,
    DedupeResult,
    GenericKey,
    LeadTable,
    Pair,
    Summary,
    assemble,
    check_table,
    decision_tuple,
    pair_of,
)
from leadcore._merge.counts import limited_spaces
from leadcore._merge.engine import Spec, compile_spec
from leadcore._quote import quote
from leadcore._spark.results import SparkComparison, SparkDedupeResult
from leadcore._spark.session import is_spark
from leadcore.errors import InvalidInput
from leadcore.merge import KeyCounts, MergeIndex, MergePolicy
from leadcore.model import Lead

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkFrame

    from leadcore._spark.engine import Job

__all__ = [
    "ACCURACY_TABLES",
    "ACTIONS",
    "CHANGE_COLUMNS",
    "COMPARISON_TABLES",
    "TABLES",
    "Accuracy",
    "AccuracyComparison",
    "Action",
    "BadRow",
    "Cluster",
    "Columns",
    "Decision",
    "DedupePolicy",
    "DedupeResult",
    "GenericHandling",
    "GenericKey",
    "LeadTable",
    "Pair",
    "PairChange",
    "PairError",
    "PairExplanation",
    "PolicyComparison",
    "Progress",
    "Scores",
    "Summary",
    "TableKind",
    "compare",
    "find",
    "load",
    "merge_index",
    "reference",
    "what_if",
]


def __dir__() -> list[str]:
    return list(__all__)


Progress = Callable[[str, int, int], None]
"""A progress callback: ``(stage, done, total)``, stages ``read``, ``block``, ``decide``."""

# -- loading ------------------------------------------------------------------------------


@a.checked
def load(
    source: object,
    *,
    columns: Columns | None = None,
    tz: str | None = None,
    region: str = normalize.DEFAULT_REGION,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> LeadTable:
    """
    Read and normalise leads once, for :func:`find` and :func:`what_if`.

    ``source`` is a CSV file (a path; UTF-8, a header row, RFC 4180 quoting), a pandas,
    polars or pyarrow table (other tables through ``narwhals``), an iterable of
    mappings (column name to value; a missing key is an empty value), or an iterable of
    :class:`~leadcore.model.Lead`. ``columns`` maps fields to columns (not used for
    leads). Timestamps are ISO 8601 text or datetimes; naive ones are read in ``tz``
    (an IANA name or ``UTC``), and without ``tz`` they are refused (GEN-1). ``region``
    is the default phone region (the merge policy's ``default_region``). With
    ``workers`` above 1, reading and normalising run in that many processes.
    ``progress`` reports how far it got: a callable ``(stage, done, total)``, or True
    for a bar per stage drawn by ``tqdm.auto`` (a widget in Jupyter, text on a
    terminal; needs the ``notebook`` extra); off by default.

    Rows with the wrong number of fields, no id, an id another row has too, a value over
    10,000 characters or an unreadable timestamp, and lines of a file that are not UTF-8
    or whose quoting is broken, are reported in ``bad_rows`` (with their position and,
    for a file, their line) and left out: every row is a lead or a bad row. A file's
    lines may end with CR LF, LF or CR alone; a stray quote costs its own row, never the
    rows after it (see ``docs/dedupe.md``).

    >>> table = load([{"lead_id": "A", "phone": "415 867 5309"}, {"lead_id": ""}])
    >>> len(table), [(b.row, b.message) for b in table.bad_rows]
    (1, [(1, 'has no lead id')])

    Raises:
        InvalidInput: The source cannot be read, a mapped column is missing from it,
            a timestamp is naive and ``tz`` is not given (``naive_datetime``), or an
            argument is invalid.

    """
    columns = Columns() if columns is None else columns
    region = normalize.check_region(region)
    inputs.zone(tz)
    if type(workers) is not int or workers < 1:
        raise InvalidInput.single("workers", workers, "must be a whole number of at least 1")
    with _progress.using(progress) as report, pool.quiet_gc(), pool.session(workers):
        chunk, kind = loader.read(
            source, columns=columns, tz=tz, region=region, workers=workers, progress=report
        )
    return LeadTable(
        records=chunk.records,
        bad_rows=_bad_rows(chunk),
        region=region,
        kind=kind,
        data=chunk,
        source=raw.source_of(source, columns),
        labels=columns.labels,
    )


@a.checked
def merge_index(
    source: object,
    *,
    columns: Columns | None = None,
    tz: str | None = None,
    region: str = normalize.DEFAULT_REGION,
    placeholder_email_locals: Iterable[str] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> MergeIndex:
    """
    Return a :class:`~leadcore.merge.MergeIndex` of a table's leads (MRG-6, MRG-7).

    ``source`` is a :class:`LeadTable` or anything :func:`load` reads (a CSV file, a
    pandas, polars or pyarrow table, mappings or leads; ``columns``, ``tz``,
    ``workers`` and ``progress`` are passed to it). The index answers as
    ``MergeIndex(leads)`` of the same leads would, and is built from the table's normal
    forms rather than from validated :class:`~leadcore.model.Lead` objects: several
    times faster for a large table. Each lead is built when a lookup or an update first
    needs it, from the table's normal forms: the leads it holds (``get``, iteration)
    have the folded names, normalised emails and E.164 phones of the table, not the
    text as entered (see ``docs/merge.md``). Rows the table leaves out as bad rows are
    not indexed (:attr:`LeadTable.bad_rows` lists them).

    >>> rows = [{"lead_id": "A", "first_name": "Zoë", "last_name": "Smith",
    ...          "phone": "(415) 867-5309"}]
    >>> index = merge_index(rows)
    >>> from leadcore.model import Person
    >>> sorted(index.candidates(Person(phones=["+1 415 867 5309"])))
    ['A']
    >>> index.get("A").customer.first_name
    'zoe'

    Raises:
        InvalidInput: As :func:`load`; or ``source`` is a table loaded with another
            region than ``region``, or ``placeholder_email_locals`` is not a list of
            strings.

    """
    fillers = MergeIndex(
        region=region, placeholder_email_locals=placeholder_email_locals
    ).placeholder_email_locals
    if isinstance(source, LeadTable):
        table = source
        if table.region != normalize.check_region(region):
            raise InvalidInput.single(
                "region",
                region,
                f"must be the region the table was loaded with ({quote(table.region)})",
            )
    else:
        table = load(
            source, columns=columns, tz=tz, region=region, workers=workers, progress=progress
        )
    with pool.quiet_gc():
        return indexing.of_table(table.data, table.region, fillers)


def _bad_rows(chunk: inputs.Chunk) -> tuple[BadRow, ...]:
    return tuple(
        BadRow(
            row=b.row,
            line=None if b.line < 0 else b.line,
            field=b.field or None,
            value=b.value,
            message=b.message,
        )
        for b in chunk.bad
    )


# -- finding ------------------------------------------------------------------------------


def _dedupe_policy(policy: DedupePolicy | MergePolicy) -> DedupePolicy:
    """A DedupePolicy, from one or from its merge rules (the arguments are checked)."""
    return DedupePolicy(merge=policy) if isinstance(policy, MergePolicy) else policy


def _eligible(values: Sequence[int | None], since_days: int, now_us: int) -> list[bool]:
    since = block.window_start(now_us, since_days)
    if None in values:
        return [v is not None and v >= since for v in values]
    return list(map(since.__le__, cast("Sequence[int]", values)))  # in C: no instant missing


def _check_fields(table: LeadTable, specs: Sequence[Spec]) -> None:
    """A rule comparing a lead or custom field needs its column (leads carry their own)."""
    if table.data.ids:
        have = set(table.data.extra)
        block.check_columns(have, specs, every_field=inputs.ALL_FIELDS in have)


def _modes(table: inputs.Chunk, now: dt.datetime, policy: MergePolicy) -> list[block.Mode]:
    now_us = (now - inputs.EPOCH) // inputs.ONE_US
    auto_spec = compile_spec(policy, "auto")
    duplicate_spec = compile_spec(policy, "duplicates")
    block.check_blockable(auto_spec, "auto-merge")
    block.check_blockable(duplicate_spec, "possible duplicates")
    created = _eligible(table.created, policy.merge_max_age_days, now_us)
    active = _eligible(table.last_activity, policy.merge_max_inactivity_days, now_us)
    recent = _eligible(table.last_activity, policy.duplicate_max_inactivity_days, now_us)
    return [
        block.Mode(AUTO, auto_spec, list(map(operator.and_, created, active))),
        block.Mode(DUPLICATES, duplicate_spec, recent),
    ]


@overload
def find(  # type: ignore[overload-overlap]  # a Spark DataFrame gives Spark results
    source: SparkFrame,
    *,
    now: dt.datetime,
    policy: DedupePolicy | MergePolicy | None = None,
    columns: Columns | None = None,
    tz: str | None = None,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> SparkDedupeResult: ...


@overload
def find(
    source: object,
    *,
    now: dt.datetime,
    policy: DedupePolicy | MergePolicy | None = None,
    columns: Columns | None = None,
    tz: str | None = None,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> DedupeResult: ...


@a.checked
def find(
    source: object,
    *,
    now: dt.datetime,
    policy: DedupePolicy | MergePolicy | None = None,
    columns: Columns | None = None,
    tz: str | None = None,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> DedupeResult | SparkDedupeResult:
    """
    Find every pair of leads the merge rules connect at ``now``, and the clusters (MRG-1..7).

    A pair is listed when, with one lead inbound and the other as the only existing
    lead, :func:`leadcore.merge.auto` merges or routes it, or
    :func:`leadcore.merge.duplicates` lists the other, in either direction: exactly what
    :func:`reference` finds by comparing every pair, found by blocking on shared keys.
    ``source`` is a :class:`LeadTable` or anything :func:`load` reads (``columns``,
    ``tz`` and ``workers`` are passed to it). ``progress``: as :func:`load` (stages
    ``read``, ``block``, ``decide``). See the module docstring for an example.

    Given a Spark DataFrame, the run happens on Spark (``workers`` does not apply) and
    returns a :class:`leadcore.spark.SparkDedupeResult`: the same tables as Spark
    DataFrames, with the same rows (see ``docs/spark.md``).

    Raises:
        InvalidInput: ``now`` is naive, the policy is invalid or cannot be blocked on
            (a fuzzy name alone would match), generic keys were found under
            ``generic_keys='error'``, or the source cannot be read.
        MissingDependency: ``progress=True`` without tqdm.

    """
    chosen = _dedupe_policy(DedupePolicy() if policy is None else policy)
    if is_spark(source):
        return _on_spark(source, now, columns, tz, progress).find(chosen)
    with _progress.using(progress) as report, pool.quiet_gc(), pool.session(workers):
        table = _table(source, chosen, columns=columns, tz=tz, workers=workers, progress=report)
        return _run(table, now, chosen, workers=workers, progress=report)


def _on_spark(
    source: object, now: dt.datetime, columns: Columns | None, tz: str | None, progress: object
) -> Job:
    """The run of :func:`find` or :func:`what_if` on a Spark DataFrame (pyspark imported here)."""
    from leadcore._spark import engine  # noqa: PLC0415  # pyspark only for Spark input

    return engine.Job(
        cast("SparkFrame", source), now, Columns() if columns is None else columns, tz, progress
    )


def _table(
    source: object,
    policy: DedupePolicy,
    *,
    columns: Columns | None,
    tz: str | None,
    workers: int,
    progress: Progress | None,
) -> LeadTable:
    if isinstance(source, LeadTable):
        if source.region != policy.merge.default_region:
            raise InvalidInput.single(
                "policy.merge.default_region",
                policy.merge.default_region,
                f"must be the region the table was loaded with ({quote(source.region)})",
            )
        return source
    return load(
        source,
        columns=columns,
        tz=tz,
        region=policy.merge.default_region,
        workers=workers,
        progress=progress,
    )


def _run(
    table: LeadTable,
    now: dt.datetime,
    policy: DedupePolicy,
    *,
    workers: int,
    progress: Progress | None,
) -> DedupeResult:
    rules = policy.merge
    _check_fields(table, [compile_spec(rules, "auto"), compile_spec(rules, "duplicates")])
    # The table holds fillers (none@none.com) too; this policy's are unusable (v1.2 of the rules).
    data = inputs.without_fillers(table.data, rules.placeholder_email_locals)
    generic: list[GenericKey] = []
    on_generic: Literal["refine", "error"] = "error" if policy.generic_keys == "error" else "refine"
    if policy.generic_keys == "exclude":
        found = block.generic_keys(data, policy.generic_key_rows, compile_spec(rules, "auto"))
        generic = [
            GenericKey(kind=g.kind, key=g.key, rows=g.rows, pairs=0, handling="excluded")
            for g in found
        ]
        data = block.exclude(data, found)
    modes = _modes(data, now, rules)
    if progress is not None:
        progress("block", 0, 1)
    candidates = block.find(data, modes, limit=policy.generic_key_rows, on_generic=on_generic)
    if progress is not None:
        progress("block", 1, 1)
    generic.extend(
        GenericKey(kind=g.kind, key=g.key, rows=g.rows, pairs=g.pairs, handling="refined")
        for g in candidates.generic
    )
    generic.sort(key=lambda g: (-g.rows, g.kind, g.key))
    directed = _decide(
        data,
        candidates.pairs,
        now=now,
        policy=rules,
        counts=block.table_counts(data, rules),
        workers=workers,
        progress=progress,
    )
    pairs, clusters, cluster_of = assemble(data.ids, directed, policy.cluster_on)
    counts = dict.fromkeys(ACTIONS, 0)
    for pair in pairs:
        counts[pair.kind] += 1
    clustered = sum(c.size for c in clusters)
    summary = Summary(
        records=table.records,
        leads=len(data.ids),
        bad_rows=len(table.bad_rows),
        candidate_pairs=len(candidates.pairs),
        merge_pairs=counts["merge"],
        route_pairs=counts["route"],
        duplicate_pairs=counts["duplicate"],
        clusters=len(clusters),
        clustered_leads=clustered,
        largest_cluster=max((c.size for c in clusters), default=1),
        customers=len(data.ids) - clustered + len(clusters),
        generic_keys=len(generic),
    )
    return DedupeResult(
        now=now,
        policy=policy,
        pairs=pairs,
        clusters=clusters,
        generic_keys=generic,
        bad_rows=table.bad_rows,
        summary=summary,
        kind=table.kind,
        cluster_of=cluster_of,
        table=table,
    )


_BATCH: Final = 2_000


def _decide(
    data: inputs.Chunk,
    pairs: dict[tuple[int, int], int],
    *,
    now: dt.datetime,
    policy: MergePolicy,
    counts: KeyCounts | None,
    workers: int,
    progress: Progress | None,
) -> list[Directed]:
    # Both directions of a pair side by side (in the same batch but at a boundary), pairs
    # of a row as its lower one together: a worker's batch carries each row once or so (in
    # this process one decider keeps every row's forms). Sorted by one number a pair, in C.
    items = [(x, y, bits) for (x, y), bits in pairs.items()]
    n = len(data.ids)
    order = [x * n + y if x < y else y * n + x for x, y, _ in items]
    ordered = [items[i] for i in sorted(range(len(items)), key=order.__getitem__)]
    batches = [ordered[i : i + _BATCH] for i in range(0, len(ordered), _BATCH)]
    # Rules of people are decided on rows' normal forms for about what sending a pair's
    # rows to a worker and its answers back costs: in this process (benchmarks/dedupe.md,
    # sixth round). Other rules are decided on lean records, in the pool.
    use = workers if len(ordered) >= 4 * _BATCH and not of_people(policy) else 1
    units = [len(b) for b in batches]
    if use <= 1:
        # One decider takes every batch: a row's forms and an inbound row's probe are
        # made once, not once a batch its pairs fall in (a row's pairs as the higher one
        # are spread over the batches).
        decider = Decider(State(data, now, policy, counts, clean=True))
        results = pool.pmap(
            _decide_with,
            batches,
            workers=1,
            state=decider,
            progress=progress,
            stage="decide",
            units=units,
        )
    else:
        # Workers get their rows with the task rather than reading the inherited table.
        tasks: list[Task] = [
            (batch, {r: row(data, r) for x, y, _ in batch for r in (x, y)}) for batch in batches
        ]
        results = pool.pmap(
            decide_batch,
            tasks,
            workers=use,
            state=State(None, now, policy, counts, clean=True),
            progress=progress,
            stage="decide",
            units=units,
        )
    return [d for batch in results for d in batch]


def _decide_with(decider: Decider, batch: list[tuple[int, int, int]]) -> list[Directed]:
    """A batch of directed pairs decided by ``decider`` (this process's, its caches kept)."""
    return decider.decide_many(batch)


# -- the definition, by brute force -------------------------------------------------------


@a.checked
def reference(
    leads: Sequence[Lead],
    *,
    now: dt.datetime,
    policy: DedupePolicy | MergePolicy | None = None,
) -> tuple[Pair, ...]:
    """
    Return the pairs :func:`find` must find, by comparing every pair (n squared: tests).

    For every ordered pair of distinct leads, :func:`leadcore.merge.auto` (the inbound
    lead against a list holding only the other) and :func:`leadcore.merge.duplicates`
    decide; their merges, routes and possible duplicates make the pairs. This is the
    definition the blocked search is tested against. Generic keys are ignored (the
    ``exclude`` handling is not applied); keys of items with ``max_leads`` are counted
    over all of ``leads`` (:class:`~leadcore.merge.KeyCounts`), as :func:`find` counts
    them over the table.

    >>> import datetime as dt
    >>> from leadcore.model import Person
    >>> now = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    >>> old = Lead(id="A", customer=Person(first_name="Li", last_name="Ng", phones=["4158675309"]),
    ...            created_at=now, last_activity_at=now)
    >>> new = Lead(id="B", customer=Person(first_name="li", last_name="NG",
    ...                                    phones=["+1 415-867-5309"]))
    >>> pairs = reference([old, new], now=now)
    >>> [(p.a, p.b, p.kind, [d.action for d in p.decisions]) for p in pairs]
    [('A', 'B', 'merge', ['merge', 'duplicate'])]

    Raises:
        InvalidInput: A lead is invalid, two share an id, ``now`` is naive, or the
            policy is invalid.

    """
    chosen = _dedupe_policy(DedupePolicy() if policy is None else policy).merge
    items = list(leads)
    seen: set[str] = set()
    for position, lead in enumerate(items):
        if lead.id in seen:
            raise InvalidInput.single(f"leads[{position}].id", lead.id, "must be unique")
        seen.add(lead.id)
    counts = KeyCounts.of(items, policy=chosen) if _limited(chosen) else None
    found: dict[tuple[str, str], list[Decision]] = {}
    for one in items:
        for other in items:
            if one is other:
                continue
            for decision in _both(one, other, now, chosen, counts):
                key = (one.id, other.id) if one.id < other.id else (other.id, one.id)
                found.setdefault(key, []).append(decision)
    return tuple(pair_of(a_id, b_id, ds) for (a_id, b_id), ds in sorted(found.items()))


def _limited(policy: MergePolicy) -> bool:
    return bool(limited_spaces([compile_spec(policy, "auto"), compile_spec(policy, "duplicates")]))


def _both(
    one: Lead, other: Lead, now: dt.datetime, policy: MergePolicy, counts: KeyCounts | None
) -> list[Decision]:
    found = []
    verdict = merge.auto(one, [other], now=now, policy=policy, counts=counts)
    if verdict.action != "create":
        found.append(
            Decision(
                inbound=one.id,
                existing=other.id,
                action=verdict.action,
                via=verdict.via or "",
                matched=verdict.matched,
                person=verdict.person or "",
                reasons=verdict.codes,
            )
        )
    found.extend(
        Decision(
            inbound=one.id,
            existing=other.id,
            action="duplicate",
            via=item.via,
            matched=item.matched,
            person=item.person,
        )
        for item in merge.duplicates(one, [other], now=now, policy=policy, counts=counts).duplicates
    )
    return found


# -- policy what-if -----------------------------------------------------------------------


def _decisions(pair: Pair | None) -> tuple[Decision, ...]:
    return () if pair is None else pair.decisions


def _signature(pair: Pair | None) -> tuple[str, tuple[str, ...]] | None:
    """What a change is judged on: the pair's kind and its matched conditions."""
    return None if pair is None else (pair.kind, pair.matched)


COMPARISON_TABLES: Final = ("changes", "counts")
"""The tables of a :class:`PolicyComparison`, by name."""


@attrs.frozen(kw_only=True)
class PairChange(a.Frozen):
    """
    A pair whose kind or matched conditions differ between two policies.

    Attributes:
        a: The smaller lead id.
        b: The larger lead id.
        before: The pair's kind under the first policy (None: not a pair).
        after: Its kind under the second policy (None: not a pair).
        decisions_before: Its decisions under the first policy.
        decisions_after: Its decisions under the second policy.

    """

    a: str
    b: str
    before: Action | None
    after: Action | None
    decisions_before: tuple[Decision, ...] = attrs.field(converter=decision_tuple)
    decisions_after: tuple[Decision, ...] = attrs.field(converter=decision_tuple)

    @property
    def transition(self) -> str:
        """The change of kind, as ``"merge -> none"``."""
        return f"{self.before or 'none'} -> {self.after or 'none'}"

    @property
    def matched_before(self) -> tuple[str, ...]:
        """Every condition that held in some decision under the first policy."""
        return _matched(self.decisions_before)

    @property
    def matched_after(self) -> tuple[str, ...]:
        """Every condition that held in some decision under the second policy."""
        return _matched(self.decisions_after)


def _matched(decisions: Iterable[Decision]) -> tuple[str, ...]:
    return matched_of(decisions)


def _changes(value: Iterable[PairChange]) -> tuple[PairChange, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True, eq=False, repr=False)
class PolicyComparison(a.Frozen, disp.Shown):
    """
    Two policies applied to the same table, and the pairs that change.

    Attributes:
        before: The result under the first policy.
        after: The result under the second policy.
        changes: Every pair whose kind or matched conditions differ, sorted by ``(a, b)``.

    """

    before: DedupeResult
    after: DedupeResult
    changes: tuple[PairChange, ...] = attrs.field(converter=_changes)

    def counts(self) -> dict[str, int]:
        """How many pairs went from one kind to another, as ``"merge -> none"`` keys."""
        found: dict[str, int] = {}
        for change in self.changes:
            key = change.transition
            found[key] = found.get(key, 0) + 1
        return dict(sorted(found.items()))

    def table(self, name: str, *, kind: TableKind | None = None) -> Any:  # noqa: ANN401  # a table
        """
        Return one of :data:`COMPARISON_TABLES` as a table of ``kind`` (default: the input's).

        ``changes``: lead_a, lead_b, before, after (kinds, empty for no pair),
        matched_before, matched_after (``+``-joined), explanation_before,
        explanation_after. ``counts``: change (``merge -> none``), pairs.

        Raises:
            InvalidInput: Unknown name or kind, or the kind's library is not installed.

        """
        chosen = check_table(name, COMPARISON_TABLES, self.before.kind if kind is None else kind)
        if name == "counts":
            counted = [{"change": k, "pairs": v} for k, v in self.counts().items()]
            return frames.build(chosen, ["change", "pairs"], counted)
        rows = [
            {
                "lead_a": c.a,
                "lead_b": c.b,
                "before": c.before or "",
                "after": c.after or "",
                "matched_before": "+".join(c.matched_before),
                "matched_after": "+".join(c.matched_after),
                "explanation_before": "; ".join(x.explain() for x in c.decisions_before),
                "explanation_after": "; ".join(x.explain() for x in c.decisions_after),
            }
            for c in self.changes
        ]
        return frames.build(chosen, list(CHANGE_COLUMNS), rows)

    def accuracy(
        self,
        labels: str | Mapping[str, object] | None = None,
        *,
        kinds: Iterable[Action] | None = None,
        limit: int = 1_000,
    ) -> AccuracyComparison:
        """
        Score both policies against the same labels (see :meth:`DedupeResult.accuracy`).

        Raises:
            InvalidInput: As :meth:`DedupeResult.accuracy`.

        """
        return AccuracyComparison(
            before=self.before.accuracy(labels, kinds=kinds, limit=limit),
            after=self.after.accuracy(labels, kinds=kinds, limit=limit),
        )

    def chart_changes(self) -> Any:  # noqa: ANN401  # an altair chart
        """
        Return a bar chart of what the policy change moves: pairs by change of kind.

        One bar per change (``merge -> none``, ``none -> duplicate``, ``merge -> merge``
        on other conditions), coloured by the kind after. Needs altair (the ``notebook``
        extra).

        Raises:
            MissingDependency: altair is not installed.

        """
        rows = [
            {"change": change, "pairs": count, "after": change.split(" -> ")[1]}
            for change, count in self.counts().items()
        ]
        return _charts.horizontal_bars(
            rows,
            category="change",
            value="pairs",
            color="after",
            title=f"{len(self.changes):,} pairs change",
            value_title="pairs",
        )

    def _view(self, rows: int) -> disp.View:
        counts = self.counts()
        return disp.View(
            "PolicyComparison",
            f"{len(self.changes):,} pairs change: "
            + (", ".join(f"{k} {v:,}" for k, v in counts.items()) or "none"),
            facts=[
                ("pairs_before", len(self.before.pairs)),
                ("pairs_after", len(self.after.pairs)),
                ("clusters_before", self.before.summary.clusters),
                ("clusters_after", self.after.summary.clusters),
                ("customers_before", self.before.summary.customers),
                ("customers_after", self.after.summary.customers),
                ("changes", len(self.changes)),
            ],
            tables=[
                disp.Table("counts", ("change", "pairs"), list(counts.items())[:rows], len(counts)),
                disp.Table(
                    "changes",
                    ("lead_a", "lead_b", "change", "matched_before", "matched_after"),
                    [
                        (c.a, c.b, c.transition, c.matched_before, c.matched_after)
                        for c in self.changes[:rows]
                    ],
                    len(self.changes),
                ),
            ],
        )


CHANGE_COLUMNS: Final[tuple[str, ...]] = (
    "lead_a",
    "lead_b",
    "before",
    "after",
    "matched_before",
    "matched_after",
    "explanation_before",
    "explanation_after",
)
"""The columns of :meth:`PolicyComparison.table` ``changes``."""


@a.checked
def compare(before: DedupeResult, after: DedupeResult) -> tuple[PairChange, ...]:
    """
    Return the pairs that change between two results, sorted by ``(a, b)``.

    A pair changes when its kind (``merge``, ``route``, ``duplicate``, or no pair) or its
    matched conditions differ. A pair that merges both ways under one policy and one way
    under the other (a window now excludes one of the two leads) has not changed: it
    still merges, on the same conditions.

    >>> import datetime as dt
    >>> now = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    >>> rows = [{"lead_id": "A", "first_name": "Li", "last_name": "Ng", "phone": "4158675309",
    ...          "created_at": "2025-06-01T00:00Z", "last_activity_at": "2025-03-15T00:00Z"},
    ...         {"lead_id": "B", "first_name": "Li", "last_name": "Ng", "phone": "4158675309"}]
    >>> table = load(rows)
    >>> strict = DedupePolicy(merge=MergePolicy(merge_max_inactivity_days=90))
    >>> [(c.a, c.b, c.before, c.after) for c in compare(find(table, now=now),
    ...                                                  find(table, now=now, policy=strict))]
    [('A', 'B', 'merge', None)]

    Raises:
        InvalidInput: ``before`` or ``after`` is not a DedupeResult.

    """
    old = {(p.a, p.b): p for p in before.pairs}
    new = {(p.a, p.b): p for p in after.pairs}
    found = []
    for key in sorted(old.keys() | new.keys()):
        one, two = old.get(key), new.get(key)
        if _signature(one) != _signature(two):
            found.append(
                PairChange(
                    a=key[0],
                    b=key[1],
                    before=None if one is None else one.kind,
                    after=None if two is None else two.kind,
                    decisions_before=_decisions(one),
                    decisions_after=_decisions(two),
                )
            )
    return tuple(found)


@overload
def what_if(  # type: ignore[overload-overlap]  # a Spark DataFrame gives Spark results
    source: SparkFrame,
    *,
    now: dt.datetime,
    policy: DedupePolicy | MergePolicy | None = None,
    other: DedupePolicy | MergePolicy,
    columns: Columns | None = None,
    tz: str | None = None,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> SparkComparison: ...


@overload
def what_if(
    source: object,
    *,
    now: dt.datetime,
    policy: DedupePolicy | MergePolicy | None = None,
    other: DedupePolicy | MergePolicy,
    columns: Columns | None = None,
    tz: str | None = None,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> PolicyComparison: ...


@a.checked
def what_if(
    source: object,
    *,
    now: dt.datetime,
    policy: DedupePolicy | MergePolicy | None = None,
    other: DedupePolicy | MergePolicy,
    columns: Columns | None = None,
    tz: str | None = None,
    workers: int = 1,
    progress: Progress | bool | None = None,
) -> PolicyComparison | SparkComparison:
    """
    Apply two policies to the same table and list the pairs whose decisions differ.

    "What would change if the activity window were 90 days?":
    ``what_if(table, now=now, other=MergePolicy(merge_max_inactivity_days=90))``. The
    table is read once (see :func:`find` for the arguments). See :func:`compare` for an
    example. Given a Spark DataFrame, both runs happen on Spark and a
    :class:`leadcore.spark.SparkComparison` is returned.

    Raises:
        InvalidInput: As :func:`find`; both policies need the same ``default_region``.

    """
    first = _dedupe_policy(DedupePolicy() if policy is None else policy)
    second = _dedupe_policy(other)
    if is_spark(source):
        return _on_spark(source, now, columns, tz, progress).what_if(first, second)
    with _progress.using(progress) as report, pool.quiet_gc(), pool.session(workers):
        table = _table(source, first, columns=columns, tz=tz, workers=workers, progress=report)
        before = _run(table, now, first, workers=workers, progress=report)
        after = _run(
            _table(table, second, columns=None, tz=None, workers=workers, progress=None),
            now,
            second,
            workers=workers,
            progress=report,
        )
    return PolicyComparison(before=before, after=after, changes=compare(before, after))
