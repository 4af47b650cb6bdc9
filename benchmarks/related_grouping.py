"""
Benchmark of ``leadcore.related.group`` (REL-6): a whole table into related groups.

Scenarios (``--scenario``):

* ``csv`` (default when the file is there): account names from the ``company`` column
  of the shared generator's CSV (``python /work/shared/bench/gen_leads.py --n 1000000
  --seed 42 --out benchmarks/data/leads_1m.csv``; ``benchmarks/data`` is git-ignored).
* ``synthetic``: company names drawn with a seeded ``random.Random``, with case and
  punctuation variants, 40% empty.
* ``distinct``: every record a different company (no fold is reused, no group forms).
* ``one_account``: every record of one company (two groups, the leads by name and the
  contacts by account, each half the table: the sort of ids is as large as it gets).

Even rows become Salesforce leads related by account name (folded), odd rows contacts
related by account id (one id per distinct raw company text); an empty company gives a
record related to nothing. The table is shuffled (seeded) so ids do not arrive sorted.

Each size is timed ``--repeat`` times; the medians of wall and CPU time are printed, with
a breakdown in CPU time: folding the distinct names once (what ``group`` does), folding
every name, and sorting the ids inside the groups. Run:
``.venv/bin/python benchmarks/related_grouping.py``; figures are in benchmarks/related.md,
and each run's figures are appended to ``benchmarks/results/related.json`` for the site's
charts (see ``record.py``).
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import record

from leadcore import _text, related
from leadcore.model import CrmRecord, RecordKind

DEFAULT_CSV = Path(__file__).parent / "data" / "leads_1m.csv"
SCENARIOS = ("csv", "synthetic", "distinct", "one_account")
METRICS = {
    "wall_s": "median wall time of group() over the repeats",
    "cpu_s": "median CPU time of group() over the repeats (process_time: this process only)",
    "us_per_record": "cpu_s divided by the records, in microseconds",
    "fold_distinct_ms": "median CPU time of folding each distinct account name once",
    "fold_all_ms": "median CPU time of folding every account name",
    "sort_ms": "median CPU time of sorting the ids inside every group",
    "build_s": "wall time of building the CrmRecord objects (not part of group())",
}

WORDS = ["Acme", "Summit", "Pioneer", "Blue", "Ridge", "Lakeside", "Northstar", "Evergreen"]
KINDS = ["Logistics", "Plumbing", "Dental", "Realty", "Construction", "Consulting", "Électric"]
SUFFIXES = ["LLC", "Inc", "Inc.", "Co", "Corp", "Ltd", "", "", "Group"]


def companies_from_csv(path: Path, n: int) -> list[str]:
    """Return the first ``n`` values of the CSV's ``company`` column."""
    out: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out.append(row["company"])
            if len(out) == n:
                break
    if len(out) < n:
        sys.exit(f"{path} has only {len(out)} rows; {n} asked")
    return out


def companies_synthetic(n: int, rng: random.Random) -> list[str]:
    """Return ``n`` company names with case and punctuation variants, 40% empty."""
    out: list[str] = []
    for _ in range(n):
        if rng.random() < 0.4:
            out.append("")
            continue
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {rng.choice(SUFFIXES)}"
        roll = rng.random()
        if roll < 0.1:
            name = name.upper()
        elif roll < 0.2:
            name = name.replace(" ", "-")
        out.append(name.strip())
    return out


def companies_for(scenario: str, n: int, csv_path: Path, rng: random.Random) -> list[str]:
    """Return the ``n`` company names of a scenario."""
    if scenario == "csv":
        return companies_from_csv(csv_path, n)
    if scenario == "synthetic":
        return companies_synthetic(n, rng)
    if scenario == "distinct":
        return [f"Company {i} Ltd" for i in range(n)]
    return ["Acme Corp"] * n


def build_records(companies: list[str], rng: random.Random) -> list[CrmRecord]:
    """Turn company names into Salesforce leads (even rows) and contacts (odd rows)."""
    accounts: dict[str, str] = {}
    records: list[CrmRecord] = []
    for index, company in enumerate(companies):
        record_id = f"R{index:08d}"
        if index % 2 == 0:
            records.append(
                CrmRecord(
                    id=record_id,
                    kind=RecordKind.LEAD,
                    account_name=company or None,
                    in_cadence=index % 3 != 0,
                )
            )
        else:
            account = accounts.setdefault(company, f"ACC{len(accounts):07d}") if company else None
            records.append(CrmRecord(id=record_id, kind=RecordKind.CONTACT, account_id=account))
    rng.shuffle(records)
    return records


def median_time(action: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """
    Run ``action`` ``repeat`` times; return the median wall and CPU seconds, last result.

    The machine is shared: CPU time (``time.process_time``) counts only this process's
    work, so it moves less than wall time when other jobs run.
    """
    walls: list[float] = []
    cpus: list[float] = []
    result: object = None
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus), result


def measure(
    records: list[CrmRecord], built: float, repeat: int, rng: random.Random
) -> dict[str, Any]:
    """Time grouping of one table and its parts; print two lines; return the figures."""
    n = len(records)
    wall, cpu, result = median_time(lambda: related.group("salesforce", records), repeat)
    groups = result if isinstance(result, tuple) else ()
    grouped = sum(len(g.records) for g in groups)
    largest_group = max((len(g.records) for g in groups), default=0)
    names = [r.account_name for r in records if r.account_name]
    distinct = list(dict.fromkeys(names))
    _, fold_distinct, _ = median_time(lambda: [_text.fold(x) for x in distinct], repeat)
    _, fold_all, _ = median_time(lambda: [_text.fold(x) for x in names], repeat)
    ids_by_group = [rng.sample(g.records, len(g.records)) for g in groups]
    _, sort_s, _ = median_time(lambda: [sorted(x) for x in ids_by_group], repeat)
    print(
        f"n={n:>9,}  group wall {wall:5.2f} s  cpu {cpu:5.2f} s ({cpu / n * 1e6:5.2f} us/record)  "
        f"groups {len(groups):,}  grouped {grouped:,}  largest {largest_group:,}\n"
        f"             build records {built:5.1f} s  cpu: fold {len(distinct):,} distinct names "
        f"{fold_distinct * 1e3:.0f} ms, fold all {len(names):,} names "
        f"{fold_all * 1e3:.0f} ms, sort ids in groups {sort_s * 1e3:.0f} ms"
    )
    return {
        "records": n,
        "repeat": repeat,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "us_per_record": round(cpu / n * 1e6, 2),
        "groups": len(groups),
        "grouped": grouped,
        "largest_group": largest_group,
        "fold_distinct_ms": round(fold_distinct * 1e3),
        "distinct_names": len(distinct),
        "fold_all_ms": round(fold_all * 1e3),
        "names": len(names),
        "sort_ms": round(sort_s * 1e3),
        "build_s": round(built, 2),
    }


def run(
    scenario: str, sizes: list[int], csv_path: Path, seed: int, repeat: int
) -> list[dict[str, Any]]:
    """Time grouping at each size and print a table; return the figures."""
    found: list[dict[str, Any]] = []
    rng = random.Random(seed)
    all_companies = companies_for(scenario, max(sizes), csv_path, rng)
    print(f"scenario {scenario}; python {sys.version.split()[0]}; median of {repeat}")
    for n in sizes:
        start = time.perf_counter()
        records = build_records(all_companies[:n], rng)
        built = time.perf_counter() - start
        figures = measure(records, built, repeat, rng)
        found.append({"kind": "group", "scenario": scenario, **figures})
    return found


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--scenario", choices=SCENARIOS, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="shared generator CSV")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scenario = args.scenario or ("csv" if args.csv.exists() else "synthetic")
    record_run = record.Run(
        "related",
        script="benchmarks/related_grouping.py",
        page="benchmarks/related.md",
        section="Results",
        metrics=METRICS,
        note=f"scenario {scenario}, seed {args.seed}, median of {args.repeat}",
    )
    record_run.extend(run(scenario, args.sizes, args.csv, args.seed, args.repeat))
    record_run.save()


if __name__ == "__main__":
    main()
