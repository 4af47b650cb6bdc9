"""
Match rules in batch deduplication: the default rule before/after, a three-group rule.

In one run, each job in its own process (CPU time, wall time, peak memory, load):

* ``default``: ``leadcore dedupe`` of the million-lead file (``gen_leads.py --seed 42``)
  with the default policy, by this tree (``after``) and by a git worktree of ``main``
  (``before``: ``--before /path/to/worktree``), interleaved over ``--rounds`` rounds; the
  two runs' ``pairs.csv`` and ``decisions.csv`` must be identical (the seed's rules now
  written in the match-rule language answer as before);
* ``rule3``: the same file with two synthetic custom columns (``vin``, ``zip``; see
  :func:`augment`) and a three-group rule over custom fields for both auto-merge and
  duplicates (same VIN; same zip and last name and a Jaro-Winkler first name; same
  company email domain, a fuzzy company name and a Jaro-Winkler full name: the same
  person at the same company, not two colleagues), time and pairs; beside it the
  baseline a user would write: DuckDB SQL over the CSV, the same three groups as
  self-joins (its folding and its company scorer are DuckDB's, so its pairs are close,
  not equal);
* ``brute``: a 20,000-row sample of the augmented file, dense in duplicates (whole
  clusters of the same real person, 80%, and single leads, 20%): ``dedupe.find`` with
  the three-group rule against every ordered pair decided by the engine
  (``first_match``, then ``merge.auto`` / ``merge.duplicates`` on the pairs the rule
  matches, which are the only ones that can be listed), in 2 processes.

    python benchmarks/match_rules_bench.py --before /tmp/mr-before [--rounds 2]

Results go to ``benchmarks/data/match_rules_results.json``; ``benchmarks/dedupe.md``
reports them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ROOT = HERE.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "gen_leads.py"
NOW = "2025-07-01T00:00:00+00:00"
SIZES = {"100k": 100_000, "1m": 1_000_000}

RULE3: dict[str, Any] = {
    "any_of": [
        {"label": "vin", "all_of": ["fields.vin"]},
        {
            "label": "zip_name",
            "all_of": [
                "fields.zip",
                "last_name",
                {
                    "field": "first_name",
                    "method": "fuzzy",
                    "scorer": "jaro_winkler",
                    "threshold": 0.9,
                },
            ],
        },
        {
            "label": "company",
            "all_of": [
                {"field": "email", "method": "domain"},
                {"field": "fields.company", "method": "fuzzy", "threshold": 85},
                {
                    "field": "full_name",
                    "method": "fuzzy",
                    "scorer": "jaro_winkler",
                    "threshold": 0.9,
                },
            ],
        },
    ]
}
"""The three-group rule over custom fields (``vin``, ``zip``, ``company``)."""

TIMELESS = [
    "--policy",
    "merge_max_age_days=1000000",
    "--policy",
    "merge_max_inactivity_days=1000000",
    "--policy",
    "duplicate_max_inactivity_days=1000000",
    "--policy",
    "credit_application_sources=",
]
"""MRG-3's windows opened and no credit source: every pair the rule matches, as SQL finds."""

COLUMNS = [
    "--column",
    "fields.vin=vin",
    "--column",
    "fields.zip=zip",
    "--column",
    "fields.company=company",
]


# -- data ---------------------------------------------------------------------------------


def ensure(rows: int, name: str) -> Path:
    """Generate ``gen_leads.py --n rows --seed 42`` into ``data/`` if it is missing."""
    DATA.mkdir(exist_ok=True)
    path = DATA / name
    if not path.exists():
        subprocess.run(  # noqa: S603  # the shared generator
            [sys.executable, str(GENERATOR), "--n", str(rows), "--seed", "42", "--out", str(path)],
            check=True,
        )
    return path


def sample(source: Path, rows: int) -> Path:
    """``rows`` rows of ``source``: whole clusters of one person (80%), single leads (20%)."""
    target = source.with_name(f"{source.stem}_sample{rows // 1000}k.csv")
    if target.exists():
        return target
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        by_person: dict[str, list[dict[str, str]]] = {}
        for row in reader:
            by_person.setdefault(row["true_cluster"], []).append(row)
    people = sorted(by_person, key=lambda p: _digest("sample" + p))
    chosen: list[dict[str, str]] = []
    for person in people:
        if len(by_person[person]) > 1 and len(chosen) + len(by_person[person]) <= rows * 4 // 5:
            chosen.extend(by_person[person])
    for person in people:
        if len(chosen) >= rows:
            break
        if len(by_person[person]) == 1:
            chosen.extend(by_person[person])
    chosen.sort(key=lambda r: r["lead_id"])
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(chosen)
    return target


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def augment(source: Path) -> Path:
    """
    Add ``vin`` and ``zip`` columns, deterministic from the real person (``true_cluster``).

    A third of the people own a car: their leads carry its VIN, blank one time in ten and
    with one character changed one time in thirty. Every person has a home zip (one of
    30,000, so about 33 leads a zip at a million); one lead in five gives another one.
    """
    target = source.with_name(source.stem + "_custom.csv")
    if target.exists():
        return target
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    with (
        source.open(encoding="utf-8", newline="") as inp,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(inp)
        fields = [*(reader.fieldnames or []), "vin", "zip"]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for row in reader:
            person = _digest(row["true_cluster"])
            lead = _digest(row["lead_id"])
            vin = ""
            if person % 3 == 0 and lead % 10:
                chars = [alphabet[(person >> (5 * i)) % len(alphabet)] for i in range(17)]
                if lead % 30 == 1:
                    chars[lead % 17] = alphabet[(lead >> 7) % len(alphabet)]
                vin = "".join(chars)
            home = person % 30_000 if lead % 5 else lead % 30_000
            writer.writerow({**row, "vin": vin, "zip": f"{10_000 + home:05d}"})
    return target


# -- measuring ----------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
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
    """Run ``command``; return wall and CPU seconds, peak memory (PSS), load, stdout."""
    peak = [0]
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603  # our own commands
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(process.pid)))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "exit": process.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 2),
        "peak_pss_mib": round(peak[0] / 1024, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "stdout": out,
    }


def _dedupe(path: Path, out: Path, src: Path, extra: list[str], workers: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [
        sys.executable,
        "-m",
        "leadcore",
        "dedupe",
        str(path),
        "--now",
        NOW,
        "--tz",
        "UTC",
        "--workers",
        str(workers),
        "--no-progress",
        "--out",
        str(out),
        *extra,
    ]
    return measure(command, env)


def _same_files(one: Path, two: Path, names: list[str]) -> bool:
    return all((one / n).read_bytes() == (two / n).read_bytes() for n in names)


# -- the baseline -------------------------------------------------------------------------


BASELINE_SQL = """
WITH t AS (
  SELECT lead_id,
         lower(strip_accents(trim(first_name))) AS first,
         lower(strip_accents(trim(last_name))) AS last,
         nullif(trim(vin), '') AS vin,
         nullif(trim(zip), '') AS zip,
         nullif(split_part(lower(trim(email)), '@', 2), '') AS domain,
         nullif(lower(strip_accents(trim(company))), '') AS company,
         lower(strip_accents(trim(trim(first_name) || ' ' || trim(last_name)))) AS full
  FROM read_csv('{path}', all_varchar = true)
),
d AS (SELECT * FROM t WHERE domain IS NOT NULL AND domain NOT IN ({free}))
SELECT count(*) FROM (
  SELECT a.lead_id AS x, b.lead_id AS y FROM t a JOIN t b ON a.vin = b.vin
    WHERE a.lead_id < b.lead_id
  UNION
  SELECT a.lead_id, b.lead_id FROM t a JOIN t b ON a.zip = b.zip AND a.last = b.last
    WHERE a.lead_id < b.lead_id AND a.last <> ''
      AND jaro_winkler_similarity(a.first, b.first) >= 0.9
  UNION
  SELECT a.lead_id, b.lead_id FROM d a JOIN d b ON a.domain = b.domain
    WHERE a.lead_id < b.lead_id AND a.company IS NOT NULL AND b.company IS NOT NULL
      AND jaro_winkler_similarity(a.company, b.company) >= 0.85
      AND a.full <> '' AND jaro_winkler_similarity(a.full, b.full) >= 0.9
)
"""


def baseline(path: str) -> None:
    """DuckDB SQL: the three groups as self-joins over the CSV (the job ``--job baseline``)."""
    import duckdb  # noqa: PLC0415  # the baseline's own import

    from leadcore.merge import FREE_MAIL_DOMAINS  # noqa: PLC0415  # the same free-mail list

    free = ", ".join(f"'{d}'" for d in FREE_MAIL_DOMAINS)
    t0 = time.perf_counter()
    relation = duckdb.sql(BASELINE_SQL.format(path=path, free=free))
    if relation is None:  # pragma: no cover  # a SELECT always gives a relation
        return
    rows = relation.fetchall()
    print(json.dumps({"pairs": rows[0][0], "seconds": round(time.perf_counter() - t0, 2)}))


# -- brute force --------------------------------------------------------------------------


_LEADS: list[Any] = []
"""The table's leads, inherited by the forked workers of the brute force."""


def _brute_part(task: tuple[int, int]) -> list[tuple[int, int]]:
    """The ordered pairs (i, j) of rows [lo, hi) x all that the rule matches."""
    lo, hi = task
    leads, rule = _LEADS, RULE3
    from leadcore import normalize  # noqa: PLC0415
    from leadcore._merge.engine import compile_spec, first_match  # noqa: PLC0415
    from leadcore.merge import MergePolicy  # noqa: PLC0415

    policy = MergePolicy(auto_merge_rule=rule, duplicate_rule=rule)
    spec = compile_spec(policy, "duplicates")
    found = []
    for i in range(lo, hi):
        one = leads[i]
        probe = spec.probe(normalize.person(one.customer, region=spec.region), one)
        for j, other in enumerate(leads):
            if i != j and first_match(probe, other, spec)[2] is not None:
                found.append((i, j))
    return found


def brute_force(path: Path, workers: int) -> dict[str, Any]:
    """dedupe.find against every ordered pair of a table (one rule for both modes)."""
    from leadcore import dedupe, merge  # noqa: PLC0415
    from leadcore._dedupe import decide  # noqa: PLC0415
    from leadcore.merge import MergePolicy  # noqa: PLC0415

    columns = dedupe.Columns(fields=["vin", "zip", "company"])
    table = dedupe.load(path, columns=columns, tz="UTC")
    leads = [decide.lead(table.data, i, "US") for i in range(len(table))]
    policy = MergePolicy(auto_merge_rule=RULE3, duplicate_rule=RULE3)
    now = dt.datetime.fromisoformat(NOW)
    t0 = time.process_time()
    w0 = time.perf_counter()
    found = dedupe.find(table, now=now, policy=policy, workers=workers)
    find_cpu, find_wall = time.process_time() - t0, time.perf_counter() - w0
    size = len(leads)
    edges = [size * k // (workers * 8) for k in range(workers * 8 + 1)]
    tasks = list(itertools.pairwise(edges))
    _LEADS[:] = leads
    w0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        matching = [pair for part in pool.map(_brute_part, tasks) for pair in part]
    brute_wall = time.perf_counter() - w0
    expected: dict[tuple[str, str], list[dedupe.Decision]] = {}
    for i, j in matching:
        one, other = leads[i], leads[j]
        key = (one.id, other.id) if one.id < other.id else (other.id, one.id)
        verdict = merge.auto(one, [other], now=now, policy=policy)
        if verdict.action != "create":
            expected.setdefault(key, []).append(
                dedupe.Decision(
                    inbound=one.id,
                    existing=other.id,
                    action=verdict.action,
                    via=verdict.via or "",
                    matched=verdict.matched,
                    person=verdict.person or "",
                    reasons=verdict.codes,
                )
            )
        for item in merge.duplicates(one, [other], now=now, policy=policy).duplicates:
            expected.setdefault(key, []).append(
                dedupe.Decision(
                    inbound=one.id,
                    existing=other.id,
                    action="duplicate",
                    via=item.via,
                    matched=item.matched,
                    person=item.person,
                )
            )
    rank = {a: r for r, a in enumerate(dedupe.ACTIONS)}
    pairs = []
    for (a, b), decisions in sorted(expected.items()):
        decisions.sort(key=lambda d: (d.inbound, rank[d.action]))
        kind = min((d.action for d in decisions), key=rank.__getitem__)
        pairs.append(dedupe.Pair(a=a, b=b, kind=kind, decisions=decisions))
    return {
        "leads": size,
        "ordered_pairs_compared": size * (size - 1),
        "rule_matches": len(matching),
        "pairs": len(pairs),
        "identical": tuple(pairs) == found.pairs,
        "find_cpu_s": round(find_cpu, 2),
        "find_wall_s": round(find_wall, 2),
        "brute_force_wall_s": round(brute_wall, 1),
        "by_kind": {k: sum(1 for p in found.pairs if p.kind == k) for k in dedupe.ACTIONS},
    }


# -- main ---------------------------------------------------------------------------------


def _summary(stdout: str) -> dict[str, int]:
    found = {}
    for line in stdout.splitlines():
        parts = line.split()
        names = {"auto-merge", "route", "duplicates", "clusters"}
        if len(parts) >= 3 and parts[0] in names:  # a summary line
            found[parts[0]] = int(parts[1].replace(",", ""))
    return found


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915  # one job after the other
    """Run the jobs; write data/match_rules_results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--size", default="1m", choices=sorted(SIZES))
    parser.add_argument("--before", help="a git worktree of main (the 'before' code)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["default", "rule3", "brute"])
    parser.add_argument("--job", choices=["baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job == "baseline":
        baseline(args.file)
        return 0
    results: dict[str, Any] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    out_file = DATA / "match_rules_results.json"
    if out_file.exists():
        results.update(json.loads(out_file.read_text(encoding="utf-8")))
    path = ensure(SIZES[args.size], f"leads_{args.size}.csv")
    src = ROOT / "src"
    with tempfile.TemporaryDirectory() as tmp:
        if "default" not in args.skip and args.before:
            before_src = Path(args.before) / "src"
            runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
            identical = []
            for round_ in range(args.rounds):
                dirs = {}
                for name, where in (("before", before_src), ("after", src)):
                    dirs[name] = Path(tmp, f"{name}{round_}")
                    found = _dedupe(path, dirs[name], where, [], args.workers)
                    found["summary"] = _summary(found.pop("stdout"))
                    runs[name].append(found)
                    print(name, {k: v for k, v in found.items() if k != "summary"}, flush=True)
                identical.append(
                    _same_files(
                        dirs["before"],
                        dirs["after"],
                        ["pairs.csv", "decisions.csv", "clusters.csv"],
                    )
                )
            results[f"default_{args.size}"] = {"runs": runs, "outputs_identical": identical}
            print("outputs identical", identical, flush=True)
            out_file.write_text(json.dumps(results, indent=2), encoding="utf-8")
        if "rule3" not in args.skip:
            custom = augment(path)
            rule = Path(tmp, "rule3.json")
            rule.write_text(json.dumps(RULE3), encoding="utf-8")
            policy = ["--policy", f"auto_merge_rule=@{rule}", "--policy", f"duplicate_rule=@{rule}"]
            ours = _dedupe(custom, Path(tmp, "rule3"), src, [*COLUMNS, *policy], args.workers)
            ours["summary"] = _summary(ours.pop("stdout"))
            opened = _dedupe(
                custom, Path(tmp, "rule3t"), src, [*COLUMNS, *policy, *TIMELESS], args.workers
            )
            opened["summary"] = _summary(opened.pop("stdout"))
            with Path(tmp, "rule3t", "pairs.csv").open(encoding="utf-8") as handle:
                opened["pairs"] = sum(1 for _ in handle) - 1
            theirs = measure([sys.executable, __file__, "--job", "baseline", "--file", str(custom)])
            theirs["result"] = json.loads(theirs.pop("stdout"))
            results[f"rule3_{args.size}"] = {
                "leadcore": ours,
                "leadcore_windows_opened": opened,
                "duckdb_sql": theirs,
                "rule": RULE3,
            }
            print("rule3", results[f"rule3_{args.size}"], flush=True)
            out_file.write_text(json.dumps(results, indent=2), encoding="utf-8")
        if "brute" not in args.skip:
            rows = sample(augment(path), args.sample)
            results[f"brute_{args.sample}"] = brute_force(rows, args.workers)
            print("brute", results[f"brute_{args.sample}"], flush=True)
    results["load_end"] = round(os.getloadavg()[0], 2)
    out_file.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
