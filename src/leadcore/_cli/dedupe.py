"""
The ``leadcore dedupe`` command: batch deduplication of a CSV export, with a summary.

Kept apart from the rule code, like :mod:`leadcore._cli`: this module reads the terminal,
the clock (for the progress bar and the elapsed time) and writes files.

    leadcore dedupe leads.csv --now 2025-07-01T00:00:00+00:00 --tz UTC --out results/

It reads the file (``--column FIELD=COLUMN`` maps columns of real exports; naive
timestamps are read in ``--tz``, never guessed), finds every pair the merge rules
connect at ``--now`` (``--policy FIELD=VALUE`` changes a merge rule; a match rule is
given as JSON, or as ``@FILE`` holding it: ``--policy auto_merge_rule=@rule.json``),
prints a summary
and, with ``--out``, writes ``pairs.csv``, ``decisions.csv``, ``clusters.csv``,
``generic_keys.csv``, ``bad_rows.csv`` and ``summary.json``. ``--what-if FIELD=VALUE``
also applies a second policy and writes ``changes.csv``: the pairs that change.
``--labels COLUMN`` scores the run against a ground-truth column (precision, recall,
F1), and ``--report report.html`` writes one self-contained HTML report of the run
(summary, charts, samples of each kind of pair). A progress bar is drawn on standard
error when it is a terminal. ``--engine spark [--master local[2]]`` runs the same job
on Apache Spark, reading Parquet or CSV and writing the tables as Parquet or CSV (see
:mod:`leadcore._cli.spark`).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final, TextIO, cast

import attrs

from leadcore import dedupe
from leadcore._cli import report
from leadcore._cli.counts import counts_text
from leadcore._dedupe.inputs import zone
from leadcore._dedupe.results import records
from leadcore.errors import InvalidInput, LeadcoreError, MissingDependency, Problem
from leadcore.merge import MergePolicy

__all__ = ["SAMPLE", "add_arguments", "run"]

SAMPLE: Final = "sample_leads.csv"
"""The bundled sample export, in ``leadcore/data`` (``gen_leads.py --n 500 --seed 7``)."""


def add_arguments(command: argparse.ArgumentParser) -> None:
    """Declare the ``dedupe`` command's arguments."""
    command.add_argument("file", nargs="?", help="a CSV export of leads (UTF-8, with a header row)")
    command.add_argument(
        "--sample",
        action="store_true",
        help="use the bundled sample export (500 generated leads, naive UTC timestamps)",
    )
    command.add_argument(
        "--now",
        required=True,
        help="the moment to apply the rules at, ISO 8601 with an offset (2025-07-01T00:00Z)",
    )
    command.add_argument(
        "--tz",
        help="the time zone of naive timestamps in the file (IANA name, or UTC); "
        "required when the file has any: leadcore never guesses",
    )
    command.add_argument("--out", help="a directory to write the result tables to")
    command.add_argument(
        "--report",
        metavar="FILE",
        help="write one self-contained HTML report of the run (summary, charts, samples); "
        "needs the notebook extra",
    )
    command.add_argument(
        "--labels",
        metavar="COLUMN",
        help="a ground-truth column (such as true_cluster): print precision, recall and F1",
    )
    command.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="map a field to a column (repeatable): id=Lead ID, phones=Mobile,Phone, co_email=, "
        "fields.vin=VIN (a custom field a match rule compares)",
    )
    command.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="change a merge rule (repeatable): merge_max_inactivity_days=90, "
        "duplicate_rule=@rule.json (a match rule as JSON, or @FILE)",
    )
    command.add_argument(
        "--what-if",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="also apply the policy with these changes and list the pairs that differ",
    )
    command.add_argument(
        "--generic-keys",
        choices=("refine", "exclude", "error"),
        default="refine",
        help="keys held by very many leads: refine (exact, default), exclude, or error",
    )
    command.add_argument(
        "--generic-key-rows",
        type=int,
        default=dedupe.DedupePolicy().generic_key_rows,
        help="a key held by more leads than this is generic (default %(default)s)",
    )
    command.add_argument(
        "--cluster-on",
        default="merge",
        help="the actions whose pairs join clusters, comma-separated (default merge)",
    )
    command.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes to use (default: the number of cores, %(default)s here)",
    )
    command.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="run here (local, default) or on Apache Spark (needs leadcore[spark] and Java 17)",
    )
    command.add_argument(
        "--master",
        default="local[2]",
        help="with --engine spark: the Spark master (default %(default)s: two local cores); "
        "a session already running is used as it is",
    )
    command.add_argument(
        "--driver-memory",
        default="4g",
        help="with --engine spark and a new local session: the JVM's memory (default "
        "%(default)s; a local session runs the executors in the driver)",
    )
    command.add_argument(
        "--format",
        choices=("parquet", "csv"),
        help="with --engine spark: how to write the tables (default: as the input)",
    )
    command.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a progress bar on standard error (default: when it is a terminal)",
    )


def _value(field: attrs.Attribute[Any], text: str) -> object:
    """A policy value from its text, by the field's default: a list, a number or text."""
    default = field.default
    if isinstance(default, tuple):
        return tuple(item.strip() for item in text.split(",") if item.strip())
    if isinstance(default, int):
        # A number: whole if it is written whole (a ratio may be 92.5); anything else is
        # passed on as text for the policy to refuse with its own message.
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
    return text


def _rule(text: str, flag: str, name: str) -> object:
    """A match rule given as JSON text, or as ``@FILE`` holding it."""
    where = f"{flag} {name}"
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise InvalidInput.single(where, text, f"cannot be read: {error}") from error
    try:
        return json.loads(text)
    except ValueError as error:
        raise InvalidInput.single(
            where, text, f"is not JSON ({error}); give a match rule object or @FILE"
        ) from error


def _merge_policy(items: Sequence[str], base: MergePolicy, flag: str) -> MergePolicy:
    fields = {f.name: f for f in attrs.fields(MergePolicy)}
    changes: dict[str, object] = {}
    problems = []
    for item in items:
        name, equal, text = item.partition("=")
        name = name.strip()
        if not equal or name not in fields:
            problems.append(
                Problem(flag, item, f"must be FIELD=VALUE with FIELD one of {', '.join(fields)}")
            )
            continue
        if name.endswith("_rule"):
            changes[name] = _rule(text.strip(), flag, name)
            continue
        changes[name] = _value(fields[name], text.strip())
    if problems:
        raise InvalidInput(problems)
    return attrs.evolve(base, **cast("dict[str, Any]", changes))


def _now(text: str, tz: str | None) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidInput.single(
            "--now", text, "must be an ISO 8601 date-time such as 2025-07-01T00:00:00+00:00"
        ) from error
    if moment.tzinfo is None:
        where = zone(tz)
        if where is None:
            raise InvalidInput.single(
                "--now",
                text,
                "must have an offset (add Z or +HH:MM), or give --tz: leadcore never "
                "guesses a time zone",
                code="naive_datetime",
            )
        moment = moment.replace(tzinfo=where)
    return moment


class _Bar:
    """A progress bar on a terminal: stage, bar, percentage, elapsed seconds."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.start = time.perf_counter()
        self.shown = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if (
            stage == self.stage and done < total and now - self.shown < 0.1
        ):  # redraw at most ten times a second
            return
        self.stage, self.shown = stage, now
        share = done / total if total else 1.0
        filled = int(share * 30)
        line = (
            f"\r{stage:>7} [{'#' * filled}{'.' * (30 - filled)}] {share:6.1%}  "
            f"{now - self.start:6.1f} s"
        )
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def _write_table(path: Path, names: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(rows)


def _write(result: dedupe.DedupeResult, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in dedupe.TABLES:
        path = folder / f"{name}.csv"
        # The tables' rows as tuples, written as they are (what result.table gives as
        # dictionaries, without making them).
        _write_table(path, *records(result, name))
        written.append(str(path))
    return written


def _summary(result: dedupe.DedupeResult, out: TextIO) -> None:
    s = result.summary
    out.write(counts_text(s))
    if result.generic_keys:
        out.write(f"generic keys {len(result.generic_keys):>10,} (held by very many leads):\n")
        out.writelines(
            f"  {key.kind:<5} {key.key:<40} {key.rows:>7,} leads, {key.handling}\n"
            for key in result.generic_keys[:5]
        )
    for bad in result.bad_rows[:5]:
        where = f"line {bad.line}" if bad.line is not None else f"row {bad.row}"
        field = f" {bad.field}" if bad.field else ""
        out.write(f"bad row      {where}{field}: {bad.message} ({bad.value!r})\n")
    if len(result.bad_rows) > 5:  # the first few are shown
        out.write(f"             ... and {len(result.bad_rows) - 5:,} more bad rows\n")


def run(args: argparse.Namespace, out: TextIO) -> int:  # noqa: C901  # one step per flag
    """Run ``leadcore dedupe``; return its exit status (2 on bad input)."""
    bar = _Bar(sys.stderr, enabled=sys.stderr.isatty() if args.progress is None else args.progress)
    started = time.perf_counter()
    if (args.file is None) == (not args.sample):
        sys.stderr.write("leadcore dedupe: give a FILE or --sample (one of them)\n")
        return 2
    if args.sample:
        args.file = str(resources.files("leadcore").joinpath("data", SAMPLE))
    if args.engine == "spark":
        return _on_spark(args, out, bar, started)
    try:
        now, result, comparison, accuracy = _find(args, bar)
    except InvalidInput as error:
        bar.close()
        sys.stderr.write(f"leadcore dedupe: {error}\n")
        return 2
    bar.close()
    elapsed = time.perf_counter() - started
    written: list[str] = []
    if args.out:
        # The tables first: nothing that can meet a closed standard output comes before
        # them, and a run that cannot write them fails loudly.
        try:
            written = _write_all(args, now, elapsed, result, comparison)
        except OSError as error:
            sys.stderr.write(f"leadcore dedupe: cannot write the tables to {args.out}: {error}\n")
            return 1
    if args.report:
        status = _html_report(args, result, comparison, accuracy)
        if status:
            return status
    try:
        _report(args, now, result, comparison, accuracy, written, elapsed, out)
    except BrokenPipeError:
        # The reader went away (`leadcore dedupe ... | head`): the tables are written, so
        # nothing is lost; stop quietly, as Unix tools do.
        _silence(out)
        return 0
    except OSError as error:
        sys.stderr.write(f"leadcore dedupe: cannot write the summary: {error}\n")
        return 1
    return 0


def _settings(
    args: argparse.Namespace,
) -> tuple[dt.datetime, dedupe.DedupePolicy, dedupe.DedupePolicy | None, dedupe.Columns]:
    """The moment, the policy, the what-if policy and the columns the flags give."""
    now = _now(args.now, args.tz)
    base = _merge_policy(args.policy, MergePolicy(), "--policy")
    policy = dedupe.DedupePolicy(
        merge=base,
        generic_keys=args.generic_keys,
        generic_key_rows=args.generic_key_rows,
        cluster_on=tuple(a.strip() for a in args.cluster_on.split(",") if a.strip()),
    )
    other = (
        attrs.evolve(policy, merge=_merge_policy(args.what_if, base, "--what-if"))
        if args.what_if
        else None
    )
    columns = attrs.evolve(dedupe.Columns.parse(args.column), labels=args.labels)
    return now, policy, other, columns


def _on_spark(args: argparse.Namespace, out: TextIO, bar: _Bar, started: float) -> int:
    """Run the job on Spark (``--engine spark``); bad input and a missing Java exit 2."""
    from leadcore._cli import spark  # noqa: PLC0415  # pyspark only when asked for

    try:
        now, policy, other, columns = _settings(args)
        return spark.run(
            args,
            out,
            now=now,
            policy=policy,
            other=other,
            columns=columns,
            progress=bar,
            started=started,
        )
    except LeadcoreError as error:  # bad input, or Spark that cannot start
        sys.stderr.write(f"leadcore dedupe: {error}\n")
        return 2
    finally:
        bar.close()


def _find(
    args: argparse.Namespace, bar: _Bar
) -> tuple[
    dt.datetime,
    dedupe.DedupeResult,
    dedupe.PolicyComparison | None,
    dedupe.Accuracy | dedupe.AccuracyComparison | None,
]:
    """Read the file and find the pairs (and the what-if, the accuracy) the flags ask for."""
    now, policy, other, columns = _settings(args)
    # The file goes to find (what_if) itself, not a table loaded first: one run reads it
    # and decides its pairs with the same worker processes, forked while it is small.
    workers = max(1, args.workers)
    if other is None:
        result = dedupe.find(
            args.file,
            now=now,
            policy=policy,
            columns=columns,
            tz=args.tz,
            workers=workers,
            progress=bar,
        )
        comparison = None
    else:
        comparison = dedupe.what_if(
            args.file,
            now=now,
            policy=policy,
            other=other,
            columns=columns,
            tz=args.tz,
            workers=workers,
            progress=bar,
        )
        result = comparison.before
    accuracy = None
    if args.labels:
        accuracy = result.accuracy() if comparison is None else comparison.accuracy()
    return now, result, comparison, accuracy


def _write_all(
    args: argparse.Namespace,
    now: dt.datetime,
    elapsed: float,
    result: dedupe.DedupeResult,
    comparison: dedupe.PolicyComparison | None,
) -> list[str]:
    """Write every table and summary.json to ``--out``; return the paths written."""
    folder = Path(args.out)
    written = _write(result, folder)
    summary: dict[str, object] = {
        "file": args.file,
        "now": now.isoformat(),
        "seconds": round(elapsed, 3),
        **result.summary.as_dict(),
    }
    if comparison is not None:
        path = folder / "changes.csv"
        names = dedupe.CHANGE_COLUMNS
        changes = comparison.table("changes", kind="rows")
        _write_table(path, names, ([row[n] for n in names] for row in changes))
        written.append(str(path))
        summary["what_if"] = {"changes": len(comparison.changes), **comparison.counts()}
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    written.append(str(folder / "summary.json"))
    return written


def _report(  # noqa: PLR0917  # the run's parts, shown
    args: argparse.Namespace,
    now: dt.datetime,
    result: dedupe.DedupeResult,
    comparison: dedupe.PolicyComparison | None,
    accuracy: dedupe.Accuracy | dedupe.AccuracyComparison | None,
    written: list[str],
    elapsed: float,
    out: TextIO,
) -> None:
    """Write the summary to ``out`` and flush it (so that a closed pipe shows here)."""
    out.write(f"leadcore dedupe {args.file} at {now.isoformat()}\n")
    _summary(result, out)
    if comparison is not None:
        out.write(f"what if {', '.join(args.what_if)}: {len(comparison.changes):,} pairs change\n")
        out.writelines(
            f"  {change:<22} {count:>8,}\n" for change, count in comparison.counts().items()
        )
        _summary_after(comparison.after, out)
    if accuracy is not None:
        _accuracy(accuracy, out)
    if args.report:
        out.write(f"report       {args.report}\n")
    if written:
        out.write(f"wrote        {', '.join(written)}\n")
    out.write(f"took         {elapsed:.1f} s\n")
    out.flush()


def _silence(out: TextIO) -> None:
    """Point a closed standard output at /dev/null, so that Python's exit flush is quiet."""
    if out is not sys.stdout:
        return
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _html_report(
    args: argparse.Namespace,
    result: dedupe.DedupeResult,
    comparison: dedupe.PolicyComparison | None,
    accuracy: dedupe.Accuracy | dedupe.AccuracyComparison | None,
) -> int:
    """Write the HTML report; return 0, or the exit status after saying what failed."""
    try:
        document = report.render(result, source=args.file, comparison=comparison, accuracy=accuracy)
    except MissingDependency as error:
        sys.stderr.write(f"leadcore dedupe: {error}\n")
        return 2
    try:
        report.write(Path(args.report), document)
    except OSError as error:
        sys.stderr.write(f"leadcore dedupe: cannot write the report to {args.report}: {error}\n")
        return 1
    return 0


def _accuracy(accuracy: dedupe.Accuracy | dedupe.AccuracyComparison, out: TextIO) -> None:
    rows = accuracy.table("scores")
    out.write(f"accuracy     against {report.accuracy_labels(accuracy)}\n")
    for row in rows:
        where = f"{row.get('policy', '')} {row['level']}".strip()
        scores = "  ".join(
            f"{name} {_percent(row[name])}" for name in ("precision", "recall", "f1")
        )
        out.write(f"  {where:<18} {scores}\n")


def _percent(value: object) -> str:
    return f"{value:6.1%}" if isinstance(value, float) else "   n/a"


def _summary_after(result: dedupe.DedupeResult, out: TextIO) -> None:
    s = result.summary
    out.write(
        f"  after: {s.merge_pairs:,} auto-merge, {s.route_pairs:,} route, "
        f"{s.duplicate_pairs:,} duplicate pairs; {s.clusters:,} clusters, "
        f"{s.customers:,} customers\n"
    )
