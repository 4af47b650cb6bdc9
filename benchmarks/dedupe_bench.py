"""
Batch deduplication benchmark: leadcore's whole job against pandas + phonenumbers + Splink.

For each size (100k and 1M leads from ``../shared/bench/gen_leads.py``, seed 42), in one
run, each job in its own process (so memory and imports are its own):

* ``ours``: ``leadcore dedupe FILE --now ... --tz UTC --workers N`` (read the CSV,
  normalise, block, decide with ``leadcore.merge``, cluster, write the tables), with the
  default merge policy at ``--now``;
* ``ours-timeless``: the same with MRG-3's windows opened (1,000,000 days) and no credit
  sources, so that its pairs can be set against the baseline's;
* ``baseline``: pandas reads the CSV, ``phonenumbers.parse`` + ``format_number`` normalise
  every phone in one process, Splink 5's deterministic linkage (DuckDB) finds the pairs
  with two of name / email / phone on the customers, and clusters them. The same job
  also checks leadcore's fast phone path against ``phonenumbers`` on every number.

Wall time, CPU time and peak memory (the sum of the proportional set sizes of the job's
processes, sampled every 200 ms, and each process's maximum resident size) are recorded,
with the pair sets' differences explained. A brute-force check (every pair compared with
``merge.auto``/``merge.duplicates``) runs on 1,000 leads of the file that are dense in
duplicates. Results go to ``benchmarks/data/dedupe_results.json`` (everything) and, for the
site's charts, to ``benchmarks/results/dedupe.json`` (one run appended: the figures of each
job, see ``record.py``); ``benchmarks/dedupe.md`` reports them.

    python benchmarks/dedupe_bench.py --sizes 100k 1m

The machine has 2 cores and is shared: other jobs run at the same time. Every figure is
one run; the load average at the start and end of each job is recorded.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import record

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GENERATOR = HERE.parent.parent / "shared" / "bench" / "gen_leads.py"
SIZES = {"100k": 100_000, "1m": 1_000_000}
NOW = "2025-07-01T00:00:00+00:00"
JOBS = {
    "ours": "leadcore",
    "ours_timeless": "leadcore, windows open",
    "baseline": "pandas + phonenumbers + Splink",
}
"""The jobs' names in the results file (and on the site's charts)."""
METRICS = {
    "wall_s": "wall time of the job's command, from process start to exit",
    "phones.wall_s": "wall time of normalising every number of the file in one process",
    "cpu_s": "user + system CPU time of the job's processes (workers included)",
    "peak_pss_mib": "peak of the summed proportional set sizes of the job's processes,"
    " sampled every 200 ms",
}
TIMELESS = [
    "merge_max_age_days=1000000",
    "merge_max_inactivity_days=1000000",
    "credit_application_sources=",
]


# -- measuring ----------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                text = (task / "children").read_text()
                todo.extend(int(c) for c in text.split())
        except OSError:
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def measure(command: list[str]) -> dict[str, Any]:
    """Run ``command``; return wall seconds, CPU seconds, peak memory, stdout."""
    peak = [0]
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603  # our own commands
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = sum(_pss_kib(p) for p in _tree(process.pid))
            peak[0] = max(peak[0], total)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "command": " ".join(command[1:]),
        "exit": process.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_pss_mib": round(peak[0] / 1024, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "stdout": out,
    }


# -- the baseline job ---------------------------------------------------------------------


def baseline(path: str, out_dir: str) -> None:
    """Pandas + phonenumbers + Splink: the 2-of-3 pairs on the customers, and clusters."""
    import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415  # the baseline's own imports
    import phonenumbers  # noqa: PLC0415
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: PLC0415

    from leadcore import _text, normalize  # noqa: PLC0415  # same folding and email rule

    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    marks["read"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    e164 = phonenumbers.PhoneNumberFormat.E164

    def phone(raw: str) -> str | None:
        try:
            number = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            return None
        return (
            phonenumbers.format_number(number, e164)
            if phonenumbers.is_valid_number(number)
            else None
        )

    df["phone_e164"] = df["phone"].map(phone)
    marks["phones"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    placeholders = normalize.placeholder_set(normalize.DEFAULT_PLACEHOLDER_NAMES)

    def name(first: str, last: str) -> str | None:
        f, la = _text.fold(first), _text.fold(last)
        if not f or not la or normalize.is_placeholder(first, last):
            return None
        return f"{f}|{la}"

    df["name_key"] = [name(f, la) for f, la in zip(df["first_name"], df["last_name"], strict=True)]
    df["email_n"] = df["email"].map(normalize.email)
    del placeholders
    marks["names_emails"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    db = DuckDBAPI()
    table = db.register(df[["lead_id", "name_key", "email_n", "phone_e164"]])
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="lead_id",
        blocking_rules_to_generate_predictions=[
            block_on("name_key", "email_n"),
            block_on("name_key", "phone_e164"),
            block_on("email_n", "phone_e164"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(table, settings)
    pairs = linker.inference.deterministic_link()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
    found = pairs.as_pandas_dataframe()[["lead_id_l", "lead_id_r"]]  # type: ignore[no-untyped-call]  # splink's
    cluster_table = clusters.as_pandas_dataframe()  # type: ignore[no-untyped-call]  # splink's
    marks["splink"] = time.perf_counter() - t0

    ids = sorted(zip(found["lead_id_l"], found["lead_id_r"], strict=True))
    pair_set = sorted({(a, b) if a < b else (b, a) for a, b in ids})
    with Path(out_dir, "baseline_pairs.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(pair_set)
    sizes = cluster_table.groupby("cluster_id").size()

    # Every number of the file through leadcore's fast path, against phonenumbers' answer.
    from leadcore import _fastphone  # noqa: PLC0415

    t0 = time.perf_counter()
    fast = _fastphone.to_e164_many(list(df["phone"]), "US")
    fast_s = time.perf_counter() - t0
    reference = [v if isinstance(v, str) else None for v in df["phone_e164"]]  # NaN: None
    mismatches = sum(1 for a, b in zip(fast, reference, strict=True) if a != b)
    co = [p for p in df["co_phone"] if p]
    co_mismatches = sum(
        1
        for raw, got in zip(co, _fastphone.to_e164_many(co, "US"), strict=True)
        if got != phone(raw)
    )
    print(
        json.dumps(
            {
                "seconds": {k: round(v, 2) for k, v in marks.items()},
                "pairs": len(pair_set),
                "clusters_2_plus": int((sizes > 1).sum()),
                "phone_check": {
                    "numbers": len(df) + len(co),
                    "mismatches": mismatches + co_mismatches,
                    "phonenumbers_s": round(marks["phones"], 2),
                    "fast_s": round(fast_s, 2),
                },
            }
        )
    )


# -- comparing ----------------------------------------------------------------------------


def _our_pairs(
    folder: Path,
) -> tuple[set[tuple[str, str]], dict[tuple[str, str], list[dict[str, str]]]]:
    pairs: set[tuple[str, str]] = set()
    decisions: dict[tuple[str, str], list[dict[str, str]]] = {}
    with (folder / "decisions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            a, b = sorted((row["inbound"], row["existing"]))
            decisions.setdefault((a, b), []).append(row)
            if row["action"] in {"merge", "route"}:
                pairs.add((a, b))
    return pairs, decisions


def compare(ours_dir: Path, baseline_csv: Path, path: Path) -> dict[str, Any]:
    """Set the timeless run's merge pairs against the baseline's 2-of-3 pairs."""
    ours, decisions = _our_pairs(ours_dir)
    with baseline_csv.open(encoding="utf-8") as handle:
        theirs = {(a, b) for a, b in csv.reader(handle)}
    co_leads: set[str] = set()
    undated: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if any(
                row[k].strip() for k in ("co_first_name", "co_last_name", "co_email", "co_phone")
            ):
                co_leads.add(row["lead_id"])
            if not row["created_at"].strip() or not row["last_activity_at"].strip():
                undated.add(row["lead_id"])
    only_ours = ours - theirs
    only_theirs = theirs - ours

    def explained_ours(pair: tuple[str, str]) -> bool:
        merges = [d for d in decisions[pair] if d["action"] in {"merge", "route"}]
        return all(d["via"] == "phone_only" or d["person"] == "co_customer" for d in merges)

    # A baseline pair we do not list: neither lead can be the existing one (MRG-3: a lead
    # without both dates is no candidate), or a co-customer's closer name moved the
    # comparison to the co-customer (MRG-5).
    undated_pairs = {p for p in only_theirs if p[0] in undated and p[1] in undated}
    co_pairs = {p for p in only_theirs - undated_pairs if p[0] in co_leads or p[1] in co_leads}
    return {
        "ours": len(ours),
        "baseline": len(theirs),
        "common": len(ours & theirs),
        "only_ours": len(only_ours),
        "only_ours_explained_by_mrg4_or_mrg5": sum(1 for p in only_ours if explained_ours(p)),
        "only_baseline": len(only_theirs),
        "only_baseline_both_undated_mrg3": len(undated_pairs),
        "only_baseline_with_a_co_customer_mrg5": len(co_pairs),
        "only_baseline_unexplained": len(only_theirs - undated_pairs - co_pairs),
    }


def brute_force_check(path: Path, count: int = 1_000) -> dict[str, Any]:
    """find() against reference() on ``count`` leads of the file, dense in duplicates."""
    from leadcore import dedupe  # noqa: PLC0415
    from leadcore.merge import MergePolicy  # noqa: PLC0415

    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_cluster: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_cluster.setdefault(row["true_cluster"], []).append(row)
    rng = random.Random(42)  # a sample, not a secret
    groups = sorted((g for g in by_cluster.values() if len(g) > 1), key=lambda g: g[0]["lead_id"])
    rng.shuffle(groups)
    chosen: list[dict[str, str]] = []
    for group in groups:
        if len(chosen) + len(group) > count:
            break
        chosen.extend(group)
    table = dedupe.load(chosen, tz="UTC")
    from leadcore._dedupe import decide as _dedupe_decide  # noqa: PLC0415

    leads = [_dedupe_decide.lead(table.data, i, "US") for i in range(len(table))]
    now = dt.datetime.fromisoformat(NOW)
    policies = {
        "default": MergePolicy(),
        "timeless": MergePolicy(merge_max_age_days=1_000_000, merge_max_inactivity_days=1_000_000),
    }
    found = {}
    for name, policy in policies.items():
        t0 = time.perf_counter()
        expected = dedupe.reference(leads, now=now, policy=policy)
        brute_s = time.perf_counter() - t0
        got = dedupe.find(chosen, now=now, policy=policy, tz="UTC").pairs
        found[name] = {
            "leads": len(leads),
            "pairs": len(expected),
            "identical": got == expected,
            "brute_force_s": round(brute_s, 1),
        }
    return found


def measurements(size: str, entry: dict[str, Any], workers: int) -> list[dict[str, Any]]:
    """The figures of one size's jobs, as ``benchmarks/results/dedupe.json`` records them."""
    found: list[dict[str, Any]] = []
    for key, job in JOBS.items():
        if key not in entry:
            continue
        ran = entry[key]
        figures: dict[str, Any] = {"kind": "job", "rows": SIZES[size], "job": job}
        if key != "baseline":
            figures["workers"] = workers
        figures.update({k: ran[k] for k in ("wall_s", "cpu_s", "peak_pss_mib")})
        figures.update({k: ran[k] for k in ("load_before", "load_after", "exit")})
        if key == "baseline":
            figures["pairs"] = ran["result"]["pairs"]
        else:
            summary = ran["summary"]
            figures.update({k: summary[k] for k in ("candidate_pairs", "merge_pairs")})
        found.append(figures)
    if "baseline" in entry:
        check = entry["baseline"]["result"]["phone_check"]
        for job, seconds in (("phonenumbers", "phonenumbers_s"), ("leadcore fast path", "fast_s")):
            found.append(
                {
                    "kind": "phones",
                    "numbers": check["numbers"],
                    "job": job,
                    "wall_s": check[seconds],
                    "mismatches": check["mismatches"],
                }
            )
    return found


# -- main ---------------------------------------------------------------------------------


def ensure(size: str) -> Path:
    """Generate the data file of a size if it is missing."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"leads_{size}.csv"
    if not path.exists():
        subprocess.run(  # noqa: S603  # the shared generator
            [
                sys.executable,
                str(GENERATOR),
                "--n",
                str(SIZES[size]),
                "--seed",
                "42",
                "--out",
                str(path),
            ],
            check=True,
        )
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --job, one of its jobs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--sizes", nargs="+", default=["100k", "1m"], choices=sorted(SIZES))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--job", choices=["baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job == "baseline":
        baseline(args.file, args.dir)
        return 0
    results: dict[str, Any] = {"now": NOW, "cpus": os.cpu_count(), "sizes": {}}
    run = record.Run(
        "dedupe",
        script="benchmarks/dedupe_bench.py",
        page="benchmarks/dedupe.md",
        section="Results",
        metrics=METRICS,
        note=f"--now {NOW}; each job in its own process, one after the other",
    )
    for size in args.sizes:
        path = ensure(size)
        entry: dict[str, Any] = {}
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            ours = [
                sys.executable,
                "-m",
                "leadcore",
                "dedupe",
                str(path),
                "--now",
                NOW,
                "--tz",
                "UTC",
            ]
            ours += ["--workers", str(args.workers), "--no-progress"]
            entry["ours"] = measure([*ours, "--out", str(folder / "ours")])
            timeless = [*ours, "--out", str(folder / "timeless")]
            for item in TIMELESS:
                timeless += ["--policy", item]
            entry["ours_timeless"] = measure(timeless)
            if not args.skip_baseline:
                job = [
                    sys.executable,
                    __file__,
                    "--job",
                    "baseline",
                    "--file",
                    str(path),
                    "--dir",
                    tmp,
                ]
                entry["baseline"] = measure(job)
                entry["baseline"]["result"] = json.loads(entry["baseline"].pop("stdout"))
                entry["pairs_vs_baseline"] = compare(
                    folder / "timeless", folder / "baseline_pairs.csv", path
                )
            for name, sub in (("ours", "ours"), ("ours_timeless", "timeless")):
                entry[name]["summary"] = json.loads((folder / sub / "summary.json").read_text())
                entry[name].pop("stdout", None)
        entry["brute_force"] = brute_force_check(path)
        results["sizes"][size] = entry
        run.extend(measurements(size, entry, args.workers))
        print(json.dumps({size: entry}, indent=2), flush=True)
    target = DATA / "dedupe_results.json"
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    run.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
