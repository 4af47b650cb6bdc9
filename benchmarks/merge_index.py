"""
Benchmark of auto-merge decisions against a :class:`leadcore.merge.MergeIndex` (MRG-6).

For each size N (default 10k, 100k, 1M existing leads) it:

1. generates the table with the shared generator if it is not there yet
   (``python ../shared/bench/gen_leads.py --n N --seed 42 --out
   benchmarks/data/leads_N.csv``; ``benchmarks/data`` is git-ignored);
2. reads it into :class:`~leadcore.model.Lead` objects (the CSV's timestamps are naive:
   UTC is attached explicitly), then builds the index (normalising every person once),
   timing both and reading the process's resident memory after each step;
3. decides ``--inbound`` inbound leads one at a time with ``merge.auto(inbound, index)``
   and reports p50 / p99 / max per decision, for two workloads:

   * ``returning``: copies of existing rows under new ids (every one matches at least its
     own original; true duplicates and the generator's traps match more),
   * ``new``: rows of another table (``--seed 7``), new people; the generator's phone
     sequence does not depend on the seed, so many share a phone with an existing lead
     (a near miss that must be looked at, and phone-only calls match);

   each timed twice: ``cold`` (fresh Person objects and the phone memo cleared: the
   decision includes normalising the inbound person, ~25 us a phone) and ``warm``
   (inbound person normalised beforehand: lookup plus pairwise matching only);
4. times ``merge.duplicates`` for the returning workload, and ``add`` / ``replace`` /
   ``remove`` on the index;
5. at sizes up to ``--check-max`` (10k), checks that the index gives exactly the scan's
   answers for every inbound lead.

Run: ``.venv/bin/python benchmarks/merge_index.py [--sizes 10000 100000 1000000]``.
Figures are recorded in benchmarks/merge.md; the run's figures are also appended to
``benchmarks/results/merge.json`` for the site's charts (see ``record.py``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import record

from leadcore import _phone, dedupe, merge, normalize
from leadcore.merge import MergeIndex
from leadcore.model import Lead, Person

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GENERATOR = HERE.parent.parent / "shared" / "bench" / "gen_leads.py"
NOW = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
"""After every timestamp of the generator (created up to 2025-06-30, activity +120 d)."""
METRICS = {
    "p50_us": "median wall time (perf_counter) of one call, first pass",
    "p99_us": "99th percentile wall time of one call, first pass",
    "p50_best_us": "median over the inbound leads of each one's fastest wall time"
    " (perf_counter) of the passes",
    "p99_best_us": "99th percentile of each inbound lead's fastest wall time of the passes",
    "read_csv_s": "wall time to read the CSV (csv module)",
    "leads_s": "wall time to build the validated Lead objects",
    "index_s": "wall time to build the MergeIndex (normalise every person, key tables)",
    "rss_leads_mb": "resident memory added by the rows and Lead objects",
    "rss_index_mb": "resident memory added by the index",
}


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def ensure_csv(n: int, seed: int, name: str) -> Path:
    """Return the path of the generated table, generating it when missing."""
    path = DATA / name
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        subprocess.run(  # noqa: S603  # the shared generator with fixed arguments
            [
                sys.executable,
                str(GENERATOR),
                "--n",
                str(n),
                "--seed",
                str(seed),
                "--out",
                str(path),
            ],
            check=True,
        )
    return path


def _when(text: str) -> dt.datetime | None:
    text = text.strip()
    if not text:
        return None
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _person(first: str, last: str, email: str, phone: str) -> Person:
    return Person(
        first_name=first or None,
        last_name=last or None,
        emails=[email] if email.strip() else [],
        phones=[phone] if phone.strip() else [],
    )


def lead_from_row(row: dict[str, str], lead_id: str | None = None) -> Lead:
    """Build a Lead from one CSV row (naive timestamps read as UTC)."""
    co = None
    if any(row[k] for k in ("co_first_name", "co_last_name", "co_email", "co_phone")):
        co = _person(row["co_first_name"], row["co_last_name"], row["co_email"], row["co_phone"])
    return Lead(
        id=lead_id or row["lead_id"],
        customer=_person(row["first_name"], row["last_name"], row["email"], row["phone"]),
        co_customer=co,
        source=row["source"] or None,
        lot=row["lot"] or None,
        created_at=_when(row["created_at"]),
        last_activity_at=_when(row["last_activity_at"]),
    )


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read every row of a generated table."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def percentiles(samples_ns: list[int]) -> str:
    """p50 / p99 / max of nanosecond samples, in microseconds."""
    ordered = sorted(samples_ns)
    p50 = statistics.median(ordered) / 1000
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] / 1000
    return f"p50 {p50:7.1f} us  p99 {p99:7.1f} us  max {ordered[-1] / 1000:8.1f} us"


def stats(samples_ns: list[int]) -> dict[str, float]:
    """p50 / p99 / max of nanosecond samples, in microseconds (for the results file)."""
    ordered = sorted(samples_ns)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_us": round(statistics.median(ordered) / 1000, 1),
        "p99_us": round(p99 / 1000, 1),
        "max_us": round(ordered[-1] / 1000, 1),
    }


def time_decisions(
    index: MergeIndex, rows: list[dict[str, str]], prefix: str, *, warm: bool, passes: int
) -> tuple[list[int], list[int], dict[str, int]]:
    """
    Decide each row as an inbound lead, ``passes`` times.

    Returns the times (ns) of the first pass, the per-lead minimum over the passes (which
    removes the machine's preemption noise: a 4 ms scheduler tick lands on ~1% of
    single samples on this shared machine), and the action counts.
    """
    actions: dict[str, int] = {}
    per_pass: list[list[int]] = []
    clock = time.perf_counter_ns
    for number in range(passes):
        # Fresh Person objects each pass: no normal form cached on them yet.
        inbound = [lead_from_row(r, f"{prefix}{r['lead_id']}") for r in rows]
        if warm:
            for lead in inbound:
                normalize.person(lead.customer, region=index.region)
        else:
            _phone.to_e164.cache_clear()
        samples = []
        for lead in inbound:
            start = clock()
            decision = merge.auto(lead, index, now=NOW)
            samples.append(clock() - start)
            if number == 0:
                actions[decision.action] = actions.get(decision.action, 0) + 1
        per_pass.append(samples)
    best = [min(times) for times in zip(*per_pass, strict=True)]
    return per_pass[0], best, actions


def check_against_scan(leads: list[Lead], index: MergeIndex, rows: list[dict[str, str]]) -> int:
    """Check that the index and a scan give the same answers; return the count checked."""
    for row in rows:
        inbound = lead_from_row(row, f"chk-{row['lead_id']}")
        by_index = merge.auto(inbound, index, now=NOW)
        by_scan = merge.auto(inbound, leads, now=NOW)
        same_duplicates = merge.duplicates(inbound, index, now=NOW) == merge.duplicates(
            inbound, leads, now=NOW
        )
        if by_index != by_scan or not same_duplicates:
            msg = f"the index and the scan disagree on {row['lead_id']}"
            raise AssertionError(msg)
    return len(rows)


def run_size(  # noqa: PLR0915  # one size, step by step
    n: int, args: argparse.Namespace, new_rows: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Benchmark one size; return its figures for the results file."""
    found: list[dict[str, Any]] = []
    path = ensure_csv(n, 42, f"leads_{n}.csv")
    gc.collect()
    base = rss_mb()
    print(f"\n== {n:,} existing leads")
    leads: list[Lead] = []
    if args.from_table:
        # The whole build from the file: read, normalise, fill the buckets (CPU and wall).
        cpu, start = time.process_time(), time.perf_counter()
        index = dedupe.merge_index(path, tz="UTC")
        wall_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
        gc.disable()  # as a long-lived service would tune it; keeps pauses out of timings
        rss_index = rss_mb() - base
        print(f"dedupe.merge_index(CSV) {wall_s:.1f} s wall, {cpu_s:.1f} s CPU")
        print(f"RSS +{rss_index:.0f} MB (the table's columns, the buckets)")
        found.append(
            {
                "kind": "build_table",
                "existing": n,
                "wall_s": round(wall_s, 2),
                "cpu_s": round(cpu_s, 2),
                "rss_index_mb": round(rss_index),
            }
        )
        rows = read_rows(path)
    else:
        cpu, start = time.process_time(), time.perf_counter()
        rows = read_rows(path)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        leads = [lead_from_row(r) for r in rows]
        leads_s = time.perf_counter() - start
        after_leads = rss_mb()
        gc.collect()
        gc.disable()  # as a long-lived service would tune it; keeps pauses out of timings
        start = time.perf_counter()
        index = MergeIndex(leads)
        index_s = time.perf_counter() - start
        cpu_s = time.process_time() - cpu
        after_index = rss_mb()
        print(
            f"read CSV {read_s:.1f} s; build Lead objects {leads_s:.1f} s; "
            f"build index (normalise + keys) {index_s:.1f} s; {cpu_s:.1f} s CPU in all"
        )
        print(
            f"RSS: before {base:.0f} MB, +rows and leads {after_leads - base:.0f} MB, "
            f"+index {after_index - after_leads:.0f} MB (normal forms cached on people, key tables)"
        )
        found.append(
            {
                "kind": "build",
                "existing": n,
                "read_csv_s": round(read_s, 2),
                "leads_s": round(leads_s, 2),
                "index_s": round(index_s, 2),
                "cpu_s": round(cpu_s, 2),
                "rss_leads_mb": round(after_leads - base),
                "rss_index_mb": round(after_index - after_leads),
            }
        )
    rng = random.Random(n)
    returning = rng.sample(rows, min(args.inbound, len(rows)))
    del rows
    for label, sample, prefix in (("returning", returning, "R-"), ("new", new_rows, "N-")):
        for warm in (False, True):
            first, best, actions = time_decisions(
                index, sample, prefix, warm=warm, passes=args.passes
            )
            mode = "warm" if warm else "cold"
            print(f"auto {label:9} {mode} one pass : {percentiles(first)}  {actions}")
            print(f"auto {label:9} {mode} min of {args.passes}: {percentiles(best)}")
            best_stats = stats(best)
            found.append(
                {
                    "kind": "decision",
                    "existing": n,
                    "call": "auto",
                    "workload": label,
                    "normalised": mode,
                    **stats(first),
                    "p50_best_us": best_stats["p50_us"],
                    "p99_best_us": best_stats["p99_us"],
                    "passes": args.passes,
                    "inbound": len(sample),
                    **{f"actions_{action}": count for action, count in actions.items()},
                }
            )
    inbound = [lead_from_row(r, f"D-{r['lead_id']}") for r in returning]
    samples = []
    for lead in inbound:
        start = time.perf_counter_ns()
        merge.duplicates(lead, index, now=NOW)
        samples.append(time.perf_counter_ns() - start)
    print(f"duplicates returning cold: {percentiles(samples)}")
    found.append(
        {
            "kind": "decision",
            "existing": n,
            "call": "duplicates",
            "workload": "returning",
            "normalised": "cold",
            **stats(samples),
            "passes": 1,
            "inbound": len(samples),
        }
    )
    ops: dict[str, list[int]] = {"add": [], "replace": [], "remove": []}
    for lead in inbound[:500]:
        for op, call in (
            ("add", lambda x=lead: index.add(x)),
            ("replace", lambda x=lead: index.replace(x)),
            ("remove", lambda x=lead: index.remove(x.id)),
        ):
            start = time.perf_counter_ns()
            call()
            ops[op].append(time.perf_counter_ns() - start)
    for op, times in ops.items():
        print(f"index.{op:8}: {percentiles(times)}")
        found.append({"kind": "index_op", "existing": n, "call": f"index.{op}", **stats(times)})
    gc.enable()
    if n <= args.check_max and leads:
        checked = check_against_scan(leads, index, returning[:200] + new_rows[:200])
        print(f"index == scan for {checked} inbound leads (auto and duplicates)")
        found.append({"kind": "check", "existing": n, "index_equals_scan": checked})
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--inbound", type=int, default=2_000)
    parser.add_argument("--check-max", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument(
        "--from-table",
        action="store_true",
        help="build the index with dedupe.merge_index from the CSV (not from Lead objects)",
    )
    args = parser.parse_args(argv)
    run = record.Run(
        "merge",
        script="benchmarks/merge_index.py",
        page="benchmarks/merge.md",
        section="Results",
        metrics=METRICS,
        note=f"now={NOW.isoformat()}; {args.inbound} inbound leads a workload, one process",
    )
    new_rows = read_rows(ensure_csv(5_000, 7, "inbound_5000.csv"))[: args.inbound]
    print(f"python {sys.version.split()[0]}, now={NOW.isoformat()}, {args.inbound} inbound")
    for n in args.sizes:
        run.extend(run_size(n, args, new_rows))
        gc.collect()
    run.save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
