"""
Batch deduplication benchmark: leadcore's whole job against pandas + phonenumbers + Splink.

For each size (100k and 1M leads from ``gen_leads.py``, seed 42), in one run, each job
in its own process (so memory and imports are its own):

* ``ours``: ``leadcore dedupe FILE --now ... --tz UTC --workers N`` (read the CSV,
  normalise, block, decide by the merge rules, cluster, write the tables), with the
  default merge policy at ``--now``, with ``--workers 2`` and ``--workers 1``;
* ``ours-timeless``: the same with MRG-3's windows opened (1,000,000 days) and no credit
  sources, the run closest to the baseline's question;
* ``baseline``: the pipeline a user would write for the question "two of name, email,
  phone on the customers": pandas reads the CSV, ``phonenumbers`` (parse,
  ``is_valid_number``, ``format_number``) normalises each customer phone once, each
  name part is folded once and emails normalised once, then Splink 5's deterministic
  linkage on DuckDB (blocking rules name & email, name & phone, email & phone) finds the
  pairs and clusters them. Nothing else runs in that process: leadcore's fast phone
  path is checked against ``phonenumbers`` in a job of its own (``phone_check``).

Also, with ``--pair-stage``: the pair stage alone on normalised data, in one process:
leadcore's blocking, deciding and clustering of an already loaded table, against the
raw DuckDB SQL of the baseline's question on the same normal forms. With ``--growth``:
the default job at 100k, 1M, 3M, 10M (``--workers 1``). With ``--merge-index``: a
``MergeIndex`` of 1M leads built from the CSV (``dedupe.merge_index``) and from
``Lead`` objects (``MergeIndex(leads)``), with lookup latencies
(``benchmarks/merge_index.py``).

Wall time, CPU time (the process tree's, children included) and peak memory (the sum of
the proportional set sizes of the job's processes, sampled every 200 ms) are recorded,
with the load average before and after each job and the pair sets' differences
explained. The baseline's pairs are checked against a brute force of its own question
(every pair of 1,000 leads dense in duplicates), ours against ``dedupe.reference``.
Results go to ``benchmarks/data/dedupe_results.json`` (everything) and, for the site's
charts, to ``benchmarks/results/dedupe.json`` (one run appended: the figures of each
job, see ``record.py``); ``benchmarks/dedupe.md`` reports them.

    python benchmarks/dedupe_bench.py --sizes 100k 1m --phone-check 1m --pair-stage 1m \
        --growth 100k 1m 3m 10m --merge-index --brute-force 1m

The machine has 2 cores and is shared: other jobs run at the same time. Every figure is
one run; compare CPU times (steadier than wall times on a loaded machine).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import importlib
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
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "3m": 3_000_000, "10m": 10_000_000}
NOW = "2025-07-01T00:00:00+00:00"
JOBS = {
    "ours_w2": "leadcore (--workers 2)",
    "ours_w1": "leadcore (--workers 1)",
    "ours_w1_stdlib": "leadcore (--workers 1, without pyarrow)",
    "ours_w1_before": "leadcore before (--workers 1)",
    "ours_timeless_before": "leadcore before, windows open (--workers 1)",
    "ours_timeless": "leadcore, windows open",
    "ours_timeless_w1": "leadcore, windows open (--workers 1)",
    "ours_timeless_w2": "leadcore, windows open (--workers 2)",
    "baseline": "pandas + phonenumbers + Splink",
}
"""
The jobs' names in the results file (and on the site's charts).

``ours_timeless`` is the windows-open job with the first of ``--timeless-workers`` (by
default the first of ``--workers``); ``ours_timeless_wN`` the others.
"""
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


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``command`` (``env``: variables set for it); return wall, CPU, peak memory, stdout."""
    peak = [0]
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(  # noqa: S603  # our own commands
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}
    )
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
        "command": " ".join([*(f"{k}={v}" for k, v in (env or {}).items()), *command[1:]]),
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

    from leadcore import _text, normalize  # noqa: PLC0415  # the same fold and email rule

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
    # Each part folded once; a name is a key when both parts are present and it is no
    # placeholder (every present part, or the whole, is one of the placeholder names).
    placeholders = normalize.placeholder_set(normalize.DEFAULT_PLACEHOLDER_NAMES)
    firsts = df["first_name"].map(_text.fold)
    lasts = df["last_name"].map(_text.fold)

    def name(first: str, last: str) -> str | None:
        if not first or not last:
            return None
        if (first in placeholders and last in placeholders) or f"{first} {last}" in placeholders:
            return None
        return f"{first}|{last}"

    df["name_key"] = [name(f, la) for f, la in zip(firsts, lasts, strict=True)]
    df["email_n"] = df["email"].map(normalize.email)
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

    pair_set = sorted(
        {
            (a, b) if a < b else (b, a)
            for a, b in zip(found["lead_id_l"], found["lead_id_r"], strict=True)
        }
    )
    with Path(out_dir, "baseline_pairs.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(pair_set)
    keys = df[["lead_id", "name_key", "email_n", "phone_e164"]]
    keys.to_csv(Path(out_dir, "baseline_keys.csv"), index=False)
    sizes = cluster_table.groupby("cluster_id").size()
    print(
        json.dumps(
            {
                "seconds": {k: round(v, 2) for k, v in marks.items()},
                "pairs": len(pair_set),
                "clusters_2_plus": int((sizes > 1).sum()),
            }
        )
    )


def phone_check(path: str) -> None:
    """Every number of the file through leadcore's fast path and through phonenumbers."""
    from leadcore import _fastphone  # noqa: PLC0415

    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    raws = [r["phone"] for r in rows] + [r["co_phone"] for r in rows if r["co_phone"]]
    # The million rows read as dicts leave a full pass of the cyclic collector due: run
    # it now, so that it does not fall inside (or just outside) the timed call.
    gc.collect()
    cpu = time.process_time()
    fast = _fastphone.to_e164_many(raws, "US")
    fast_s = time.process_time() - cpu
    cpu = time.process_time()
    reference = [_fastphone._reference(raw, "US") for raw in raws]  # noqa: SLF001  # phonenumbers alone
    reference_s = time.process_time() - cpu
    mismatches = [(r, a, b) for r, a, b in zip(raws, fast, reference, strict=True) if a != b]
    print(
        json.dumps(
            {
                "numbers": len(raws),
                "fast_path_numbers": sum(1 for r in raws if _fastphone.fast_path(r, "US")),
                "mismatches": len(mismatches),
                "examples": mismatches[:5],
                "fast_cpu_s": round(fast_s, 2),
                "phonenumbers_cpu_s": round(reference_s, 2),
            }
        )
    )


def pair_stage(path: str) -> None:
    """
    Time the pair stage on normalised data, leadcore's and the raw DuckDB SQL's.

    leadcore's blocking, deciding and clustering of a loaded table, against the raw
    DuckDB SQL of the baseline's question on the same normal forms.
    """
    import duckdb  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415

    # The engines each side runs on are imported before either clock starts: DuckDB
    # (and pyarrow) for the SQL, polars for leadcore's blocking (an optional extra,
    # imported on first use: a few tenths of a second of the first call otherwise).
    with contextlib.suppress(ImportError):
        importlib.import_module("polars")

    from leadcore import dedupe, normalize  # noqa: PLC0415
    from leadcore._dedupe import inputs  # noqa: PLC0415
    from leadcore.merge import MergePolicy  # noqa: PLC0415

    table = dedupe.load(path, tz="UTC")
    now = dt.datetime.fromisoformat(NOW)
    out: dict[str, Any] = {}
    timeless = MergePolicy(
        merge_max_age_days=1_000_000,
        merge_max_inactivity_days=1_000_000,
        credit_application_sources=(),
    )
    for label, policy in (("ours_default", MergePolicy()), ("ours_timeless", timeless)):
        cpu, wall = time.process_time(), time.perf_counter()
        found = dedupe.find(table, now=now, policy=policy)
        out[label] = {
            "cpu_s": round(time.process_time() - cpu, 2),
            "wall_s": round(time.perf_counter() - wall, 2),
            "pairs": len(found.pairs),
            "clusters": len(found.clusters),
        }
    # The baseline's keys, from the same normal forms (its fillers are no email either).
    data = inputs.without_fillers(table.data, normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS)
    placeholders = normalize.placeholder_set(normalize.DEFAULT_PLACEHOLDER_NAMES)

    def name(first: str, last: str) -> str | None:
        if not first or not last:
            return None
        if (first in placeholders and last in placeholders) or f"{first} {last}" in placeholders:
            return None
        return f"{first}|{last}"

    frame = pa.table(
        {
            "id": data.ids,
            "name_key": [name(f, la) for f, la in zip(data.first, data.last, strict=True)],
            "email_n": [e[0] if e else None for e in data.emails],
            "phone_e164": [p[0] if p else None for p in data.phones],
        }
    )
    union = """
        select a, b from (
          select l.id a, r.id b from frame l join frame r
            on l.name_key = r.name_key and l.email_n = r.email_n and l.id < r.id
          union
          select l.id, r.id from frame l join frame r
            on l.name_key = r.name_key and l.phone_e164 = r.phone_e164 and l.id < r.id
          union
          select l.id, r.id from frame l join frame r
            on l.email_n = r.email_n and l.phone_e164 = r.phone_e164 and l.id < r.id)
    """
    connection = duckdb.connect()
    connection.register("frame", frame)
    cpu, wall = time.process_time(), time.perf_counter()
    pairs = connection.execute(union).fetchall()
    out["duckdb_sql"] = {
        "cpu_s": round(time.process_time() - cpu, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "pairs": len(pairs),
        "threads": connection.execute("select current_setting('threads')").fetchone()[0],  # type: ignore[index]  # one row
    }
    print(json.dumps(out))


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


def dense_sample(path: Path, count: int = 1_000) -> list[dict[str, str]]:
    """``count`` leads of the file at most, whole true clusters, dense in duplicates."""
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
    return chosen


def baseline_exactness(folder: Path, chosen: list[dict[str, str]]) -> dict[str, Any]:
    """The baseline's pairs among the sample against every pair of it (two of three keys)."""
    wanted = {row["lead_id"] for row in chosen}
    keys: dict[str, tuple[str, str, str]] = {}
    with (folder / "baseline_keys.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["lead_id"] in wanted:
                keys[row["lead_id"]] = (row["name_key"], row["email_n"], row["phone_e164"])
    ids = sorted(keys)
    expected = {
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        # Two of three keys present and equal.
        if sum(1 for x, y in zip(keys[a], keys[b], strict=True) if x and x == y) >= 2
    }
    with (folder / "baseline_pairs.csv").open(encoding="utf-8") as handle:
        got = {(a, b) for a, b in csv.reader(handle) if a in wanted and b in wanted}
    return {"leads": len(ids), "pairs": len(expected), "identical": got == expected}


def brute_force_check(path: Path, count: int = 1_000) -> dict[str, Any]:
    """find() against reference() on ``count`` leads of the file, dense in duplicates."""
    from leadcore import dedupe  # noqa: PLC0415
    from leadcore._dedupe import decide as _dedupe_decide  # noqa: PLC0415
    from leadcore.merge import MergePolicy  # noqa: PLC0415

    chosen = dense_sample(path, count)
    table = dedupe.load(chosen, tz="UTC")
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
        if key == "ours_timeless":
            figures["workers"] = workers
        elif key == "ours_timeless_before":
            figures["workers"] = 1
        elif key.startswith("ours_timeless_w"):
            figures["workers"] = int(key.removeprefix("ours_timeless_w"))
        figures.update({k: ran[k] for k in ("wall_s", "cpu_s", "peak_pss_mib")})
        figures.update({k: ran[k] for k in ("load_before", "load_after", "exit")})
        if key == "baseline":
            figures["pairs"] = ran["result"]["pairs"]
        elif ran.get("summary"):
            summary = ran["summary"]
            figures.update({k: summary[k] for k in ("candidate_pairs", "merge_pairs")})
        found.append(figures)
    return found


def other_measurements(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The phone check, the pair stage and growth, as the results file records them."""
    found: list[dict[str, Any]] = []
    check = results.get("phone_check", {}).get("result")
    if check:
        for job, seconds in (
            ("phonenumbers", "phonenumbers_cpu_s"),
            ("leadcore fast path", "fast_cpu_s"),
        ):
            found.append(
                {
                    "kind": "phones_cpu",
                    "numbers": check["numbers"],
                    "job": job,
                    "cpu_s": check[seconds],
                    "mismatches": check["mismatches"],
                }
            )
    for size, ran in results.get("pair_stage", {}).items():
        for job, figures in ran["result"].items():
            found.append({"kind": "pair_stage", "rows": SIZES[size], "job": job, **figures})
    for size, ran in results.get("pair_stage_before", {}).items():
        for job, figures in ran["result"].items():
            if job.startswith("ours_"):
                found.append(
                    {"kind": "pair_stage", "rows": SIZES[size], "job": f"{job}_before", **figures}
                )
    for size, ran in results.get("growth", {}).items():
        figures = {
            k: ran[k]
            for k in ("wall_s", "cpu_s", "peak_pss_mib", "load_before", "load_after", "exit")
        }
        found.append(
            {"kind": "growth", "rows": SIZES[size], "job": "leadcore (--workers 1)", **figures}
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


_WITHOUT_PYARROW = (
    "import runpy, sys; sys.modules['pyarrow'] = None; "
    "runpy.run_module('leadcore', run_name='__main__', alter_sys=True)"
)
"""Runs ``python -m leadcore`` as if pyarrow were not installed (its import fails)."""


def _ours(
    path: Path, out: Path, workers: int, *, timeless: bool = False, stdlib: bool = False
) -> list[str]:
    start = ["-c", _WITHOUT_PYARROW] if stdlib else ["-m", "leadcore"]
    command = [sys.executable, *start, "dedupe", str(path), "--now", NOW]
    command += ["--tz", "UTC", "--workers", str(workers), "--no-progress", "--out", str(out)]
    for item in TIMELESS if timeless else []:
        command += ["--policy", item]
    return command


def _job(name: str, path: Path, *extra: str) -> list[str]:
    return [sys.executable, __file__, "--job", name, "--file", str(path), *extra]


def _with_summary(result: dict[str, Any], folder: Path) -> dict[str, Any]:
    result.pop("stdout", None)
    summary = folder / "summary.json"
    # A job stopped (or failed) has no summary: its exit status says so.
    result["summary"] = json.loads(summary.read_text()) if summary.exists() else None
    return result


def _json_job(result: dict[str, Any]) -> dict[str, Any]:
    result["result"] = json.loads(result.pop("stdout").strip().splitlines()[-1])
    return result


def _size(size: str, args: argparse.Namespace) -> dict[str, Any]:
    path = ensure(size)
    entry: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for workers in args.workers:
            out = folder / f"ours_w{workers}"
            entry[f"ours_w{workers}"] = _with_summary(measure(_ours(path, out, workers)), out)
        # The standard library's reader (the core install), and the code before a change.
        out = folder / "ours_w1_stdlib"
        entry["ours_w1_stdlib"] = _with_summary(measure(_ours(path, out, 1, stdlib=True)), out)
        if args.before:
            out = folder / "ours_w1_before"
            source = str(Path(args.before).resolve() / "src")
            entry["ours_w1_before"] = _with_summary(
                measure(_ours(path, out, 1), env={"PYTHONPATH": source}), out
            )
        timeless = args.timeless_workers or args.workers[:1]
        out = folder / "timeless"
        entry["ours_timeless"] = _with_summary(
            measure(_ours(path, out, timeless[0], timeless=True)), out
        )
        for workers in timeless[1:]:
            out = folder / f"timeless_w{workers}"
            entry[f"ours_timeless_w{workers}"] = _with_summary(
                measure(_ours(path, out, workers, timeless=True)), out
            )
        if args.before:
            out = folder / "timeless_before"
            source = str(Path(args.before).resolve() / "src")
            entry["ours_timeless_before"] = _with_summary(
                measure(_ours(path, out, 1, timeless=True), env={"PYTHONPATH": source}), out
            )
        if not args.skip_baseline:
            entry["baseline"] = _json_job(measure(_job("baseline", path, "--dir", tmp)))
            entry["pairs_vs_baseline"] = compare(
                folder / "timeless", folder / "baseline_pairs.csv", path
            )
            entry["baseline_exactness"] = baseline_exactness(folder, dense_sample(path))
    if size in (args.brute_force or []):
        entry["brute_force"] = brute_force_check(path)
    return entry


def main(argv: list[str] | None = None) -> int:  # noqa: C901, PLR0915  # one option at a time
    """Run the benchmark (or, with --job, one of its jobs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--sizes", nargs="*", default=["100k", "1m"], choices=sorted(SIZES))
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 1])
    parser.add_argument(
        "--timeless-workers",
        type=int,
        nargs="+",
        help="the windows-open job with each of these --workers (default: the first of"
        " --workers); the pairs compared with the baseline's are the first's",
    )
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--phone-check", nargs="?", const="1m", choices=sorted(SIZES))
    parser.add_argument("--pair-stage", choices=sorted(SIZES))
    parser.add_argument("--growth", nargs="*", choices=sorted(SIZES))
    parser.add_argument("--merge-index", action="store_true")
    parser.add_argument("--brute-force", nargs="*", choices=sorted(SIZES), default=[])
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of the code before a change: its default and windows-open jobs"
        " (--workers 1) and its pair stage too",
    )
    parser.add_argument("--results", type=Path, default=DATA / "dedupe_results.json")
    parser.add_argument(
        "--job", choices=["baseline", "phone_check", "pair_stage"], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job == "baseline":
        baseline(args.file, args.dir)
        return 0
    if args.job == "phone_check":
        phone_check(args.file)
        return 0
    if args.job == "pair_stage":
        pair_stage(args.file)
        return 0
    target = args.results
    results: dict[str, Any] = {}
    results.update({"now": NOW, "cpus": os.cpu_count(), "python": sys.version.split()[0]})
    results["sizes"] = {}
    run = record.Run(
        "dedupe",
        script="benchmarks/dedupe_bench.py",
        page="benchmarks/dedupe.md",
        section="Results",
        metrics=METRICS,
        note=f"--now {NOW}; each job in its own process, one after the other",
    )
    for size in args.sizes:
        results["sizes"][size] = _size(size, args)
        timeless = args.timeless_workers or args.workers[:1]
        run.extend(measurements(size, results["sizes"][size], timeless[0]))
        print(json.dumps({size: results["sizes"][size]}, indent=2), flush=True)
    if args.phone_check:
        results["phone_check"] = _json_job(measure(_job("phone_check", ensure(args.phone_check))))
        print(json.dumps(results["phone_check"], indent=2), flush=True)
    if args.pair_stage:
        stage_file = ensure(args.pair_stage)
        stage = _json_job(measure(_job("pair_stage", stage_file)))
        results["pair_stage"] = {args.pair_stage: stage}
        if args.before:
            # The same job by the code before a change (its leadcore on PYTHONPATH).
            source = str(Path(args.before).resolve() / "src")
            results["pair_stage_before"] = {
                args.pair_stage: _json_job(
                    measure(_job("pair_stage", stage_file), env={"PYTHONPATH": source})
                )
            }
        print(json.dumps(results["pair_stage"], indent=2), flush=True)
        print(json.dumps(results.get("pair_stage_before"), indent=2), flush=True)
    if args.growth is not None:
        growth = {}
        for size in args.growth or ["100k", "1m", "3m", "10m"]:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "ours"
                growth[size] = _with_summary(measure(_ours(ensure(size), out, 1)), out)
            print(json.dumps({size: growth[size]}, indent=2), flush=True)
        results["growth"] = growth
    if args.merge_index:
        script = str(HERE / "merge_index.py")
        runs = {}
        for name, extra in (("from_table", ["--from-table"]), ("from_leads", [])):
            command = [sys.executable, script, "--sizes", "1000000", "--inbound", "1000"]
            result = measure([*command, "--passes", "2", "--check-max", "0", *extra])
            result["output"] = result.pop("stdout").strip().splitlines()
            runs[name] = result
            print(json.dumps({name: result}, indent=2), flush=True)
        results["merge_index"] = runs
    run.extend(other_measurements(results))
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    run.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
