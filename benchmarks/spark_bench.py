"""
Batch deduplication on Spark: leadcore on Spark against Splink on Spark and leadcore local.

For each size (``100k``, ``1m``, ``3m`` leads from ``../shared/bench/gen_leads.py``, seed
42, written once as CSV and as Parquet), in one run, each job in its own process (so its
JVM, memory and imports are its own):

* ``leadcore-spark``: ``leadcore dedupe --engine spark --master local[2] FILE.parquet``
  with MRG-3's windows opened and no credit sources (``TIMELESS``), so that its
  auto-merge pairs answer the same deterministic question as the baseline: two of
  name / email / phone in common on the customers (leadcore's rules add MRG-4 phone-only
  and MRG-5 co-customer matches, and decides possible duplicates too);
* ``splink-spark``: Spark reads the Parquet file, a ``mapInPandas`` normalises names
  (leadcore's fold), emails and phones (``phonenumbers``, as a Splink user on Spark
  would), Splink 5's deterministic linkage on its Spark backend finds the pairs with
  two of the three keys in common and clusters them;
* ``leadcore-local``: ``leadcore dedupe FILE.csv --workers 2`` with the same policy.

After the two leadcore jobs of a size, every table they wrote (pairs, decisions,
clusters, generic keys, bad rows) and their summaries' counts are compared row for row
(as multisets of rows, every value as text): ``same_as_local`` in the Spark job's
measurement says whether leadcore on Spark gave the local engine's answers, and the run
stops with exit code 1 when it did not (the differences are printed and kept in
``benchmarks/data/spark_results.json``).

Wall time, CPU time (the job's process and every child: the JVM, the Python workers)
and peak memory (the sum of the proportional set sizes of the job's process tree,
sampled every 200 ms) are recorded with the load average; results go to
``benchmarks/data/spark_results.json`` (everything) and, for the site's charts, to
``benchmarks/results/spark.json`` (one run appended, see ``record.py``);
``benchmarks/README.md`` reports them.

    python benchmarks/spark_bench.py --sizes 100k 1m 3m

(``LEADCORE_GEN_LEADS=/path/to/gen_leads.py`` when ``shared/`` is not beside the clone.)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import record  # noqa: E402  # a sibling script
from dedupe_bench import GENERATOR, NOW, TIMELESS, _pss_kib, _tree  # noqa: E402  # a sibling script

DATA = HERE / "data"
SIZES = {"20k": 20_000, "100k": 100_000, "1m": 1_000_000, "3m": 3_000_000}
MASTER = "local[2]"
JOBS = {
    "leadcore-spark": "leadcore on Spark",
    "splink-spark": "Splink 5 on Spark",
    "leadcore-local": "leadcore local",
}
"""The jobs' names in ``benchmarks/results/spark.json`` (and on the site's charts)."""
METRICS = {
    "wall_s": "wall time of the job's command, from process start to exit",
    "cpu_s": "user + system CPU time of the job's whole process tree (driver, JVM, Python"
    " workers), read from /proc every 200 ms",
    "peak_pss_mib": "peak of the summed proportional set sizes of the job's process tree,"
    " sampled every 200 ms",
}


def ensure(size: str) -> tuple[Path, Path]:
    """The CSV and Parquet files of ``size`` leads (generated once)."""
    DATA.mkdir(exist_ok=True)
    csv_path = DATA / f"leads_{size}.csv"
    if not csv_path.exists():
        subprocess.run(  # noqa: S603  # the shared generator, fixed arguments
            [
                sys.executable,
                os.environ.get("LEADCORE_GEN_LEADS", str(GENERATOR)),
                "--n",
                str(SIZES[size]),
                "--seed",
                "42",
                "--out",
                str(csv_path),
            ],
            check=True,
        )
    parquet = DATA / f"leads_{size}.parquet"
    if not parquet.exists():
        import pyarrow.csv as pacsv  # noqa: PLC0415  # the benchmark's own conversion
        import pyarrow.parquet as pq  # noqa: PLC0415

        names = pacsv.read_csv(csv_path).column_names
        table = pacsv.read_csv(
            csv_path,
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, "string"), strings_can_be_null=False
            ),
        )
        pq.write_table(table, parquet, row_group_size=100_000)
    return csv_path, parquet


# -- measuring ----------------------------------------------------------------------------


def _cpu_ticks(pid: int) -> int:
    """User and system CPU ticks of a process so far (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return -1
    return int(fields[11]) + int(fields[12])


def measure(command: list[str]) -> dict[str, Any]:
    """
    Run ``command``; return wall and CPU seconds, peak memory, load and stdout.

    CPU is summed over the whole process tree (the JVM, Spark's Python workers), read
    from ``/proc`` every 200 ms: a process is counted with its last reading, so up to
    200 ms of a short-lived one may be missed. Peak memory is the highest sum of the
    tree's proportional set sizes.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    peak = [0]
    seen: dict[int, int] = {}
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603  # our own commands
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree = _tree(process.pid)
            peak[0] = max(peak[0], sum(_pss_kib(p) for p in tree))
            for pid in tree:
                used = _cpu_ticks(pid)
                if used >= 0:
                    seen[pid] = max(seen.get(pid, 0), used)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return {
        "command": " ".join(command[1:]),
        "exit": process.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(sum(seen.values()) / ticks, 2),
        "peak_pss_mib": round(peak[0] / 1024, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "stdout": out,
    }


# -- the Splink job ---------------------------------------------------------------------------


def splink_job(parquet: str, out: str) -> None:
    """Spark reads, normalises (mapInPandas), Splink links deterministically and clusters."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import pandas as pd  # noqa: PLC0415  # the baseline's own imports
    import phonenumbers  # noqa: PLC0415
    from pyspark.sql import SparkSession  # noqa: PLC0415
    from splink import Linker, SettingsCreator, SparkAPI, block_on  # noqa: PLC0415

    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    spark = (
        SparkSession.builder.master(MASTER)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "6g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp())
    marks["session"] = time.perf_counter() - t0

    def normalise(frames: Iterator[Any]) -> Iterator[Any]:  # runs on the executors
        from leadcore import _text, normalize  # noqa: PLC0415  # same folding and email rule

        e164 = phonenumbers.PhoneNumberFormat.E164

        def phone(raw: str) -> str | None:
            try:
                number = phonenumbers.parse(raw, "US")
            except phonenumbers.NumberParseException:
                return None
            valid = phonenumbers.is_valid_number(number)
            return phonenumbers.format_number(number, e164) if valid else None

        def name(first: str, last: str) -> str | None:
            f, la = _text.fold(first or ""), _text.fold(last or "")
            if not f or not la or normalize.is_placeholder(first, last):
                return None
            return f"{f}|{la}"

        for frame in frames:
            yield pd.DataFrame(
                {
                    "lead_id": frame["lead_id"],
                    "name_key": [
                        name(f, la)
                        for f, la in zip(frame["first_name"], frame["last_name"], strict=True)
                    ],
                    "email_n": [normalize.email(e) if e else None for e in frame["email"]],
                    "phone_e164": [phone(p) if p else None for p in frame["phone"]],
                }
            )

    t0 = time.perf_counter()
    raw = spark.read.parquet(parquet)
    keyed = raw.mapInPandas(
        normalise, "lead_id string, name_key string, email_n string, phone_e164 string"
    ).cache()
    rows = keyed.count()
    marks["read_normalise"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    db = SparkAPI(spark_session=spark, break_lineage_method="checkpoint")
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
    linker = Linker(db.register(keyed), settings, log_level="WARNING")
    pairs = linker.inference.deterministic_link()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
    pair_frame = pairs.as_spark_dataframe()
    cluster_frame = clusters.as_spark_dataframe()
    pair_count = pair_frame.select("lead_id_l", "lead_id_r").distinct().count()
    sizes = cluster_frame.groupBy("cluster_id").count()
    cluster_count = sizes.where("count > 1").count()
    marks["splink"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pair_frame.select("lead_id_l", "lead_id_r").write.mode("overwrite").parquet(
        str(Path(out) / "pairs.parquet")
    )
    marks["write"] = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "rows": rows,
                "pairs": pair_count,
                "clusters": cluster_count,
                "marks": {k: round(v, 2) for k, v in marks.items()},
            }
        )
    )
    spark.stop()


# -- the run ----------------------------------------------------------------------------------


def _summary(folder: Path) -> dict[str, Any]:
    path = folder / "summary.json"
    return json.loads(path.read_text()) if path.exists() else {}


_NOT_ANSWERS = ("file", "engine", "now", "seconds")
"""The keys of ``summary.json`` that describe the run, not its answers."""


def _cell(value: object) -> str:
    """A table's value as the local engine's CSV writes it (``None`` as empty)."""
    return "" if value is None else str(value)


def _rows_csv(path: Path) -> tuple[list[str], Counter[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        names = next(reader)
        return names, Counter(tuple(row) for row in reader)


def _rows_parquet(path: Path, names: list[str]) -> tuple[list[str], Counter[tuple[str, ...]]]:
    import pyarrow.parquet as pq  # noqa: PLC0415  # the benchmark's own reading

    if not path.exists():
        return [], Counter()
    table = pq.read_table(path)
    found = table.column_names
    columns = [table.column(n).to_pylist() for n in names if n in found]
    return found, Counter(tuple(_cell(v) for v in row) for row in zip(*columns, strict=True))


def compare(spark_out: Path, local_out: Path, sample: int = 5) -> dict[str, Any]:
    """
    Whether the Spark job wrote the local job's answers: every table and the counts.

    Each table is compared as a multiset of rows over the local CSV's columns, every
    value as text; ``only_spark`` and ``only_local`` list, per table, up to ``sample``
    rows found on that side only. A table the Spark job did not write differs.
    """
    tables: dict[str, Any] = {}
    for path in sorted(local_out.glob("*.csv")):
        names, local_rows = _rows_csv(path)
        found, spark_rows = _rows_parquet(spark_out / f"{path.stem}.parquet", names)
        only_spark, only_local = spark_rows - local_rows, local_rows - spark_rows
        tables[path.stem] = {
            "rows": sum(local_rows.values()),
            "same": found == names and not only_spark and not only_local,
            "columns": None if found == names else {"spark": found, "local": names},
            "only_spark": [list(r) for r in list(only_spark)[:sample]],
            "only_local": [list(r) for r in list(only_local)[:sample]],
        }
    counts = {}
    for side, folder in (("spark", spark_out), ("local", local_out)):
        summary = _summary(folder)
        counts[side] = {k: v for k, v in summary.items() if k not in _NOT_ANSWERS}
    same = bool(tables) and all(t["same"] for t in tables.values())
    same = same and counts["spark"] == counts["local"]
    return {"same": same, "tables": tables, "counts": counts}


def _answers(size: str, entry: dict[str, Any], folder: Path) -> bool:
    """Compare the two leadcore jobs' tables of ``size``; note and print what was found."""
    check = compare(folder / "spark", folder / "local")
    entry["answers"] = check
    entry["leadcore-spark"]["same_as_local"] = check["same"]
    print(size, "same answers on Spark and locally:", check["same"], flush=True)
    if not check["same"]:
        print(json.dumps(check, indent=2), flush=True)
    return bool(check["same"])


def measurement(size: str, job: str, run: dict[str, Any]) -> dict[str, Any]:
    """One job's figures, as ``benchmarks/results/spark.json`` records them."""
    figures: dict[str, Any] = {"kind": "job", "rows": SIZES[size], "job": JOBS[job]}
    if job != "leadcore-local":
        figures["master"] = MASTER
    figures.update({k: run[k] for k in ("wall_s", "cpu_s", "peak_pss_mib")})
    figures.update({k: run[k] for k in ("load_before", "load_after", "exit")})
    if job == "splink-spark":
        result = run.get("result") or {}
        figures.update({k: result[k] for k in ("pairs", "clusters") if k in result})
    else:
        summary = run.get("summary") or {}
        names = {
            "merge_pairs": "pairs",
            "clusters": "clusters",
            "candidate_pairs": "candidate_pairs",
        }
        figures.update({name: summary[k] for k, name in names.items() if k in summary})
    if "same_as_local" in run:
        figures["same_as_local"] = run["same_as_local"]
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run every job for every size; write the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sizes", nargs="+", default=["100k", "1m", "3m"], choices=list(SIZES))
    parser.add_argument(
        "--jobs", nargs="+", default=["leadcore-spark", "splink-spark", "leadcore-local"]
    )
    parser.add_argument("--splink-job", nargs=2, metavar=("PARQUET", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.splink_job:
        splink_job(*args.splink_job)
        return 0
    results_path = DATA / "spark_results.json"
    results: dict[str, Any] = json.loads(results_path.read_text()) if results_path.exists() else {}
    leadcore = str(Path(sys.executable).with_name("leadcore"))
    record_run = record.Run(
        "spark",
        script="benchmarks/spark_bench.py",
        page="benchmarks/README.md",
        section="Spark",
        metrics=METRICS,
        note="leadcore with MRG-3's windows opened and no credit sources (the deterministic"
        " two-of-three question); each job in its own process, one after the other",
    )
    policy = [item for p in TIMELESS for item in ("--policy", p)]
    differ: list[str] = []
    for size in args.sizes:
        csv_path, parquet = ensure(size)
        entry: dict[str, Any] = results.setdefault(size, {})
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            if "leadcore-spark" in args.jobs:
                run = measure(
                    [
                        leadcore,
                        "dedupe",
                        "--engine",
                        "spark",
                        "--master",
                        MASTER,
                        str(parquet),
                        "--now",
                        NOW,
                        "--tz",
                        "UTC",
                        "--no-progress",
                        "--out",
                        str(folder / "spark"),
                        *policy,
                    ]
                )
                run["summary"] = _summary(folder / "spark")
                entry["leadcore-spark"] = run
                print(size, "leadcore-spark", run["wall_s"], run["cpu_s"], flush=True)
            if "splink-spark" in args.jobs:
                run = measure(
                    [sys.executable, __file__, "--splink-job", str(parquet), str(folder / "splink")]
                )
                lines = [x for x in run["stdout"].splitlines() if x.startswith("{")]
                run["result"] = json.loads(lines[-1]) if lines else None
                entry["splink-spark"] = run
                record_run.add(measurement(size, "splink-spark", run))
                print(size, "splink-spark", run["wall_s"], run["cpu_s"], flush=True)
            if "leadcore-local" in args.jobs:
                run = measure(
                    [
                        leadcore,
                        "dedupe",
                        str(csv_path),
                        "--now",
                        NOW,
                        "--tz",
                        "UTC",
                        "--workers",
                        "2",
                        "--no-progress",
                        "--out",
                        str(folder / "local"),
                        *policy,
                    ]
                )
                run["summary"] = _summary(folder / "local")
                entry["leadcore-local"] = run
                record_run.add(measurement(size, "leadcore-local", run))
                print(size, "leadcore-local", run["wall_s"], run["cpu_s"], flush=True)
            if "leadcore-spark" in args.jobs:
                if "leadcore-local" in args.jobs and not _answers(size, entry, folder):
                    differ.append(size)
                record_run.add(measurement(size, "leadcore-spark", entry["leadcore-spark"]))
        entry["rows"] = SIZES[size]
        results_path.write_text(json.dumps(results, indent=2) + "\n")
    record_run.save()
    if differ:
        print("leadcore on Spark and leadcore local differ at", ", ".join(differ), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
