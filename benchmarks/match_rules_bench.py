"""
Match rules in batch deduplication: the default rule before/after, a three-group rule.

In one run, one job at a time, each in its own process (CPU time of the process and its
workers, wall time, peak memory, 1-minute load average before and after):

* ``default``: ``leadcore dedupe`` of the million-lead file (``gen_leads.py --seed 42``)
  with the default policy, by this tree (``after``) and by a git worktree of ``main``
  before the match rules (``before``: ``--before /path/to/worktree``, run with this
  interpreter and ``PYTHONPATH`` at its ``src``), over ``--rounds`` rounds, before first
  in even rounds and after first in odd ones; the two runs' tables (``pairs.csv``,
  ``decisions.csv``, ``clusters.csv``, ``generic_keys.csv``) are compared byte for byte,
  and as sets of rows when they differ (the seed's rules now written in the match-rule
  language must answer as before); the CPU ratio after/before is printed;
* ``rule3``: the same file with two synthetic custom columns (``vin``, ``zip``; see
  :func:`augment`) and a three-group rule over custom fields for both auto-merge and
  duplicates (same VIN; same zip and last name and a Jaro-Winkler first name; same
  company email domain, a fuzzy company name and a Jaro-Winkler full name: the same
  person at the same company, not two colleagues), time and pairs, at ``now`` and with
  MRG-3's windows opened; beside it the baseline a user would write: DuckDB SQL over the
  CSV, the same three groups as self-joins. Its folding (``strip_accents``) and its
  company scorer (Jaro-Winkler: DuckDB has no ``token_sort_ratio``) are DuckDB's, and it
  knows nothing of placeholder names, co-customers or MRG-3's dates, so its pairs are
  close, not equal: every pair one side lists and the other does not is explained by
  :func:`compare_baseline` (not timed);
* ``brute``: a 20,000-row sample of the augmented file, dense in duplicates (whole
  clusters of the same real person, 80%, and single leads, 20%): ``dedupe.find`` with
  the three-group rule against every ordered pair decided by the engine
  (``first_match``, then ``merge.auto`` / ``merge.duplicates`` on the pairs the rule
  matches, which are the only ones that can be listed), in 2 processes.

    python benchmarks/match_rules_bench.py --before /tmp/mr-before [--rounds 2]

Results go to ``benchmarks/data/match_rules_results.json`` (everything; a run with
``--skip`` keeps the other jobs' results there, and the default job's rounds add up over
runs) and, for the site's chart, to ``benchmarks/results/match_rules.json`` (this run's
figures, see ``record.py``); ``benchmarks/dedupe.md`` reports them.
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
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import record

if TYPE_CHECKING:
    from leadcore.merge import MergePolicy
    from leadcore.model import Lead

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ROOT = HERE.parent
GENERATOR = Path(
    os.environ.get("LEADCORE_GEN_LEADS", ROOT.parent / "shared" / "bench" / "gen_leads.py")
)
"""The shared generator (``LEADCORE_GEN_LEADS=/path/to/gen_leads.py`` when ``shared/`` is
not beside the clone, as in a git worktree)."""
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


def _compare(one: Path, two: Path, names: list[str]) -> dict[str, Any]:
    """Each table of two runs compared byte for byte, and as sets of rows when it differs."""
    found: dict[str, Any] = {}
    for name in names:
        first, second = (one / name).read_bytes(), (two / name).read_bytes()
        if first == second:
            found[name] = {"bytes_equal": True, "rows": first.count(b"\n") - 1}
            continue
        rows = [set(data.decode("utf-8").splitlines()[1:]) for data in (first, second)]
        found[name] = {
            "bytes_equal": False,
            "rows": [len(r) for r in rows],
            "only_first": len(rows[0] - rows[1]),
            "only_second": len(rows[1] - rows[0]),
        }
    return found


def _commit(tree: Path) -> str:
    """The commit checked out in ``tree``, with ``+dirty`` when its ``src`` differs from it."""
    head = subprocess.run(  # noqa: S603  # git on our own trees
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(  # noqa: S603
        ["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no", "src"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return head + ("+dirty" if dirty else "")


# -- the baseline -------------------------------------------------------------------------


_FOLDED = """
WITH t AS (
  SELECT lead_id,
         lower(strip_accents(trim(first_name))) AS first,
         lower(strip_accents(trim(last_name))) AS last,
         nullif(trim(vin), '') AS vin,
         nullif(trim(zip), '') AS zip,
         nullif(split_part(lower(trim(email)), '@', 2), '') AS domain,
         nullif(lower(strip_accents(trim(company))), '') AS company,
         lower(strip_accents(concat_ws(' ', nullif(trim(first_name), ''),
                                       nullif(trim(last_name), '')))) AS full
  FROM read_csv('{path}', all_varchar = true)
),
d AS (SELECT * FROM t WHERE domain IS NOT NULL AND domain NOT IN ({free}))
"""
"""The columns as a SQL user folds them (DuckDB's ``strip_accents``, ``lower``, ``trim``)."""

BASELINE_SQL = (
    _FOLDED  # noqa: S608  # our own query over our own file
    + """
SELECT x, y, string_agg(g, '|' ORDER BY g) AS groups FROM (
  SELECT a.lead_id AS x, b.lead_id AS y, 'vin' AS g FROM t a JOIN t b ON a.vin = b.vin
    WHERE a.lead_id < b.lead_id
  UNION ALL
  SELECT a.lead_id, b.lead_id, 'zip_name' FROM t a JOIN t b ON a.zip = b.zip AND a.last = b.last
    WHERE a.lead_id < b.lead_id AND a.last <> ''
      AND jaro_winkler_similarity(a.first, b.first) >= 0.9
  UNION ALL
  SELECT a.lead_id, b.lead_id, 'company' FROM d a JOIN d b ON a.domain = b.domain
    WHERE a.lead_id < b.lead_id AND a.company IS NOT NULL AND b.company IS NOT NULL
      AND jaro_winkler_similarity(a.company, b.company) >= 0.85
      AND a.full <> '' AND jaro_winkler_similarity(a.full, b.full) >= 0.9
) GROUP BY x, y ORDER BY x, y
"""
)
"""The three groups as self-joins, each pair once with the groups that hold."""

PREDICATES_SQL = (
    _FOLDED  # our own query over our own files
    + """
SELECT p.x, p.y,
       coalesce(a.vin = b.vin, false) AS vin,
       coalesce(a.zip = b.zip, false) AS zip,
       a.last = b.last AND a.last <> '' AS last,
       jaro_winkler_similarity(a.first, b.first) AS first_jw,
       coalesce(a.domain = b.domain AND a.domain NOT IN ({free}), false) AS domain,
       a.company IS NOT NULL AND b.company IS NOT NULL AS companies,
       jaro_winkler_similarity(a.company, b.company) AS company_jw,
       a.full <> '' AND b.full <> '' AS fulls,
       jaro_winkler_similarity(a.full, b.full) AS full_jw
FROM read_csv('{pairs}', all_varchar = true) p
  JOIN t a ON a.lead_id = p.x JOIN t b ON b.lead_id = p.y
ORDER BY p.x, p.y
"""
)
"""The baseline's predicates on given pairs (to explain the pairs it does not share)."""


def _free() -> str:
    from leadcore.merge import FREE_MAIL_DOMAINS  # noqa: PLC0415  # the same free-mail list

    return ", ".join(f"'{d}'" for d in sorted(FREE_MAIL_DOMAINS))


def baseline(path: str, out: str) -> None:
    """DuckDB SQL: the three groups as self-joins over the CSV (the job ``--job baseline``)."""
    import duckdb  # noqa: PLC0415  # the baseline's own import

    t0 = time.perf_counter()
    sql = BASELINE_SQL.format(path=path, free=_free())
    duckdb.sql(f"COPY ({sql}) TO '{out}' (HEADER, DELIMITER ',')")
    with Path(out).open(encoding="utf-8") as handle:
        pairs = sum(1 for _ in handle) - 1
    print(json.dumps({"pairs": pairs, "seconds": round(time.perf_counter() - t0, 2)}))


def _pair_set(path: Path, one: str, two: str) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (r[one], r[two]) if r[one] < r[two] else (r[two], r[one])
            for r in csv.DictReader(handle)
        }


def _tally(
    found: dict[str, list[int]],
    examples: dict[str, list[str]],
    reason: str,
    pair: tuple[str, str],
    same: bool,  # noqa: FBT001  # private
) -> None:
    """Count a pair under its reason: [pairs, of which the same real person]."""
    counts = found.setdefault(reason, [0, 0])
    counts[0] += 1
    counts[1] += same
    if len(shown := examples.setdefault(reason, [])) < 2:  # a couple to look at
        shown.append(" ".join(pair))


def _why_leadcore_only(via: str | None, person: str, sql: dict[str, Any]) -> str:
    """Why the baseline misses a pair leadcore matches (``via`` on ``person``)."""
    if person == "co_customer":
        return f"{via}: on the co-customer (MRG-5)"
    checks: dict[str, list[tuple[str, bool]]] = {
        "vin": [("VIN (folding)", sql["vin"])],
        "zip_name": [
            ("zip", sql["zip"]),
            ("last name (folding)", sql["last"]),
            ("first name Jaro-Winkler (folding)", (sql["first_jw"] or 0) >= 0.9),
        ],
        "company": [
            ("domain", sql["domain"]),
            ("a blank company", sql["companies"]),
            ("company scorer (Jaro-Winkler < 0.85)", (sql["company_jw"] or 0) >= 0.85),
            ("full name Jaro-Winkler (folding)", sql["fulls"] and (sql["full_jw"] or 0) >= 0.9),
        ],
    }
    failed = [name for name, ok in checks.get(via or "", []) if not ok]
    return f"{via}: " + (", ".join(failed) or "unexplained")


def _why_duckdb_only(label: str, one: Lead, two: Lead, policy: MergePolicy) -> str:
    """Why leadcore does not list a pair the baseline finds through group ``label``."""
    from leadcore import merge  # noqa: PLC0415

    matched = [
        merge.match(x, y, policy=policy, mode="duplicates").matches
        for x, y in ((one, two), (two, one))
    ]
    now = dt.datetime.fromisoformat(NOW)
    if any(matched):
        # The merge rules' own reasons (MRG-3 ``missing_dates``...), both directions.
        codes = {
            c
            for x, y in ((one, two), (two, one))
            for c in merge.auto(x, [y], now=now, policy=policy).codes
        }
        return f"{label}: rule holds, not a candidate ({', '.join(sorted(codes)) or '?'})"
    why = merge.explain(one, two, now=now, policy=policy, mode="duplicates")
    if why.person == "co_customer":
        return f"{label}: leadcore compares the co-customer (MRG-5)"
    group = next(g for g in why.groups if g.name == label)
    failed = []
    for name in group.failed:
        condition = why.condition(name)
        if condition.blocked_by is not None:
            failed.append(f"{name} {condition.blocked_by}")
        elif condition.score is not None:
            failed.append(f"{name} below {condition.threshold:g}")
        elif condition.method == "fuzzy":
            # No score: a side without a value once placeholder names are blank
            # (explain shows the folded text, without saying it is a placeholder)
            failed.append(f"{name} a placeholder name")
        else:
            failed.append(f"{name} (folding)")
    return f"{label}: " + (", ".join(failed) or "unexplained")


def _rows_of(custom: Path, ids: set[str], target: Path, people: dict[str, str]) -> dict[str, Lead]:
    """
    The leads of ``ids`` in ``custom`` (read as batch deduplication reads them).

    ``people`` gets every row's real person (``true_cluster``).
    """
    from leadcore import dedupe  # noqa: PLC0415
    from leadcore._dedupe import decide  # noqa: PLC0415

    with (
        custom.open(encoding="utf-8", newline="") as inp,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(inp)
        writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
        writer.writeheader()
        for r in reader:
            people[r["lead_id"]] = r["true_cluster"]
            if r["lead_id"] in ids:
                writer.writerow(r)
    columns = dedupe.Columns(fields=["vin", "zip", "company"])
    table = dedupe.load(target, columns=columns, tz="UTC")
    return {lead.id: lead for lead in (decide.lead(table.data, i, "US") for i in range(len(table)))}


def compare_baseline(custom: Path, ours: Path, theirs: Path, work: Path) -> dict[str, Any]:
    """
    Leadcore's pairs (windows opened) against the baseline's, and why each differs.

    Every pair only one side lists is explained: on leadcore's side by
    :func:`leadcore.merge.match` / :func:`leadcore.merge.explain` (both directions: the
    group, the person, the items that fail) and the MRG-3 dates, on the baseline's by
    its own predicates on that pair (computed by DuckDB with its folding), so a reason
    is a measured fact, not a guess; a pair with no reason found counts as
    ``unexplained``.
    """
    import duckdb  # noqa: PLC0415  # the baseline's own import

    from leadcore import merge  # noqa: PLC0415
    from leadcore.merge import MergePolicy  # noqa: PLC0415

    mine = _pair_set(ours, "lead_a", "lead_b")
    groups: dict[tuple[str, str], str] = {}
    with theirs.open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            groups[r["x"], r["y"]] = r["groups"]
    only_ours, only_theirs = sorted(mine - groups.keys()), sorted(groups.keys() - mine)
    pairs_file = work / "differing_pairs.csv"
    with pairs_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["x", "y"])
        writer.writerows(only_ours)
    relation = duckdb.sql(PREDICATES_SQL.format(path=custom, free=_free(), pairs=pairs_file))
    if relation is None:  # pragma: no cover  # a SELECT always gives a relation
        raise RuntimeError(PREDICATES_SQL)
    columns = list(relation.columns)
    sql = {(r[0], r[1]): dict(zip(columns, r, strict=True)) for r in relation.fetchall()}
    ids = {i for pair in only_ours + only_theirs for i in pair}
    people: dict[str, str] = {}
    leads = _rows_of(custom, ids, work / "differing_rows.csv", people)
    policy = MergePolicy(
        auto_merge_rule=RULE3,
        duplicate_rule=RULE3,
        # TIMELESS, as the run compared
        merge_max_age_days=1_000_000,
        merge_max_inactivity_days=1_000_000,
        duplicate_max_inactivity_days=1_000_000,
        credit_application_sources=(),
    )
    reasons: dict[str, dict[str, list[int]]] = {"only_leadcore": {}, "only_duckdb": {}}
    examples: dict[str, list[str]] = {}
    for x, y in only_ours:
        found = merge.match(leads[x], leads[y], policy=policy, mode="duplicates")
        if not found.matches:
            found = merge.match(leads[y], leads[x], policy=policy, mode="duplicates")
        why = _why_leadcore_only(found.via, found.person, sql[x, y])
        _tally(reasons["only_leadcore"], examples, why, (x, y), people[x] == people[y])
    for x, y in only_theirs:
        label = groups[x, y].split("|")[0]
        why = _why_duckdb_only(label, leads[x], leads[y], policy)
        _tally(reasons["only_duckdb"], examples, why, (x, y), people[x] == people[y])

    def real(pairs: Iterable[tuple[str, str]]) -> int:
        return sum(1 for x, y in pairs if people[x] == people[y])

    return {
        "leadcore_pairs": [len(mine), real(mine)],
        "duckdb_pairs": [len(groups), real(groups)],
        "common": [len(mine & groups.keys()), real(mine & groups.keys())],
        "only_leadcore": [len(only_ours), real(only_ours)],
        "only_duckdb": [len(only_theirs), real(only_theirs)],
        "counts": "[pairs, of which the same real person (true_cluster)]",
        "reasons": {k: dict(sorted(v.items(), key=lambda i: -i[1][0])) for k, v in reasons.items()},
        "examples": examples,
    }


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


def _cpu() -> float:
    """CPU seconds of this process and of its children waited for (forked workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _expected(
    leads: list[Lead], matching: list[tuple[int, int]], now: dt.datetime, policy: MergePolicy
) -> list[Any]:
    """The pairs ``dedupe.find`` must give: every ordered pair the rule matches, decided."""
    from leadcore import dedupe, merge  # noqa: PLC0415

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
    return pairs


def brute_force(path: Path, workers: int) -> dict[str, Any]:
    """
    ``dedupe.find`` against every ordered pair of a table (one rule for both modes).

    The rule is matched on every ordered pair once (in ``workers`` processes); the pairs
    it matches are decided by ``merge.auto`` / ``merge.duplicates`` under two policies:
    at ``now`` (MRG-3's windows) and with the windows opened (every dated pair).
    """
    from leadcore import dedupe  # noqa: PLC0415
    from leadcore._dedupe import decide  # noqa: PLC0415
    from leadcore.merge import MergePolicy  # noqa: PLC0415

    columns = dedupe.Columns(fields=["vin", "zip", "company"])
    table = dedupe.load(path, columns=columns, tz="UTC")
    leads = [decide.lead(table.data, i, "US") for i in range(len(table))]
    now = dt.datetime.fromisoformat(NOW)
    size = len(leads)
    edges = [size * k // (workers * 8) for k in range(workers * 8 + 1)]
    tasks = list(itertools.pairwise(edges))
    _LEADS[:] = leads
    t0 = _cpu()
    w0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        matching = [pair for part in pool.map(_brute_part, tasks) for pair in part]
        pool.close()
        pool.join()  # the workers waited for: their CPU time is counted
    brute_cpu, brute_wall = _cpu() - t0, time.perf_counter() - w0
    results: dict[str, Any] = {
        "leads": size,
        "ordered_pairs_compared": size * (size - 1),
        "rule_matches": len(matching),
        "brute_force_cpu_s": round(brute_cpu, 1),
        "brute_force_wall_s": round(brute_wall, 1),
    }
    policies = {
        "now": MergePolicy(auto_merge_rule=RULE3, duplicate_rule=RULE3),
        "windows_opened": MergePolicy(
            auto_merge_rule=RULE3,
            duplicate_rule=RULE3,
            merge_max_age_days=1_000_000,
            merge_max_inactivity_days=1_000_000,
            duplicate_max_inactivity_days=1_000_000,
            credit_application_sources=(),
        ),
    }
    for name, policy in policies.items():
        t0 = _cpu()
        w0 = time.perf_counter()
        found = dedupe.find(table, now=now, policy=policy, workers=workers)
        find_cpu, find_wall = _cpu() - t0, time.perf_counter() - w0
        pairs = _expected(leads, matching, now, policy)
        results[name] = {
            "pairs": len(pairs),
            "identical": tuple(pairs) == found.pairs,
            "find_cpu_s": round(find_cpu, 2),
            "find_wall_s": round(find_wall, 2),
            "by_kind": {k: sum(1 for p in found.pairs if p.kind == k) for k in dedupe.ACTIONS},
            "by_group": dict(
                sorted(
                    Counter(d.via for p in found.pairs for d in p.decisions).items(),
                )
            ),
        }
    return results


def default_job(  # noqa: PLR0917  # the job's settings
    path: Path, before: Path, tmp: Path, rounds: int, workers: int, earlier: dict[str, Any] | None
) -> dict[str, Any]:
    """
    The default policy by ``before`` and by this tree, alternated over ``rounds`` rounds.

    The runs are added to those of ``earlier`` invocations (numbered ``run``), and the
    ratios are over all of them and per invocation (delete the results file to start
    over).
    """
    rows: list[dict[str, Any]] = list(earlier["runs"]) if earlier else []
    number = 1 + max((r["run"] for r in rows), default=0)
    trees = (("before", before / "src"), ("after", ROOT / "src"))
    identical = bool(earlier["outputs_identical"]) if earlier else True
    summary: dict[str, int] = {}
    compared: dict[str, Any] = {}
    for round_ in range(rounds):
        dirs = {}
        # before first in even rounds, after first in odd ones: drift in the load falls
        # on both sides
        for name, where in trees if round_ % 2 == 0 else trees[::-1]:
            dirs[name] = tmp / f"{name}{round_}"
            found = _dedupe(path, dirs[name], where, [], workers)
            summary = _summary(found.pop("stdout"))
            row = {"run": number, "round": round_, "version": name, **found}
            rows.append(row)
            print(row, summary, flush=True)
        tables = ["pairs.csv", "decisions.csv", "clusters.csv", "generic_keys.csv"]
        compared = _compare(dirs["before"], dirs["after"], tables)
        identical = identical and all(t["bytes_equal"] for t in compared.values())
        print("before/after outputs", compared, flush=True)

    def cpu(version: str, run: int | None = None) -> float:
        found = [r["cpu_s"] for r in rows if r["version"] == version and run in {None, r["run"]}]
        return float(sum(found))

    commits = dict(earlier["commits"]) if earlier else {}
    commits[f"run {number}"] = f"before {_commit(before)}, after {_commit(ROOT)}"
    return {
        "commits": commits,
        "summary": summary,
        "runs": rows,
        "outputs_identical": identical,
        "outputs_last_round": compared,
        "cpu_s_total": {v: round(cpu(v), 2) for v in ("before", "after")},
        "cpu_ratio_after_before": round(cpu("after") / cpu("before"), 3),
        "cpu_ratio_per_run": {
            str(n): round(cpu("after", n) / cpu("before", n), 3)
            for n in sorted({r["run"] for r in rows})
        },
    }


# -- main ---------------------------------------------------------------------------------


METRICS = {
    "cpu_s": "user + system CPU of the job's process and of its workers (getrusage of the "
    "waited children; DuckDB: its threads)",
    "wall_s": "wall time of the job's process, from start to exit",
    "peak_pss_mib": "largest sum of the proportional set sizes of the job's processes, "
    "sampled every 200 ms",
    "brute force.find_cpu_s": "CPU of dedupe.find on the sample (the process and its workers)",
    "brute force.find_wall_s": "wall time of dedupe.find on the sample",
    "brute force.brute_force_cpu_s": "CPU of matching the rule on every ordered pair of the "
    "sample (first_match, in the workers)",
    "brute force.brute_force_wall_s": "wall time of the same",
}
"""What the figures of the results file (``benchmarks/results/match_rules.json``) mean."""

_FIGURES = ("cpu_s", "wall_s", "peak_pss_mib", "load_before", "load_after")


def _pairs(summary: dict[str, int]) -> int:
    return sum(v for k, v in summary.items() if k != "clusters")


def measurements(
    results: dict[str, Any],
    size: str,
    sample: int,
    *,
    number: int | None,
    jobs: list[str],
) -> list[dict[str, Any]]:
    """
    The flat measurements of the results file (``record.py``) from the detailed results.

    ``number``: the default job's run to take (None: all); ``jobs``: the jobs to take.
    """
    found: list[dict[str, Any]] = []
    rows = SIZES[size]
    default = results.get(f"default_{size}")
    if "default" in jobs and default:
        found.extend(
            {
                "kind": "round",
                "job": "default rule",
                "rows": rows,
                "version": r["version"],
                "round": f"run {r['run']} round {r['round'] + 1}",
                **{k: r[k] for k in _FIGURES},
                "pairs": _pairs(default["summary"]),
                "tables_identical": default["outputs_identical"],
            }
            for r in default["runs"]
            if number is None or r["run"] == number
        )
    rule3 = results.get(f"rule3_{size}")
    if "rule3" in jobs and rule3:
        for key, version in (
            ("leadcore", "leadcore at now"),
            ("leadcore_windows_opened", "leadcore, MRG-3 windows opened"),
            ("duckdb_sql", "DuckDB SQL"),
        ):
            job = rule3[key]
            pairs = job["result"]["pairs"] if "result" in job else _pairs(job["summary"])
            found.append(
                {
                    "kind": "job",
                    "job": "three-group rule",
                    "rows": rows,
                    "version": version,
                    **{k: job[k] for k in _FIGURES},
                    "pairs": pairs,
                }
            )
        versus = rule3["leadcore_vs_duckdb"]
        for side, name in (("only_leadcore", "leadcore"), ("only_duckdb", "DuckDB")):
            for reason, (count, same) in versus["reasons"][side].items():
                found.append(
                    {
                        "kind": "difference",
                        "only_in": name,
                        "reason": reason,
                        "pairs": count,
                        "one_real_person": same,
                    }
                )
    brute = results.get(f"brute_{sample}")
    if "brute" in jobs and brute:
        found.extend(
            {
                "kind": "brute force",
                "leads": brute["leads"],
                "policy": policy,
                "ordered_pairs": brute["ordered_pairs_compared"],
                "rule_matches": brute["rule_matches"],
                "brute_force_cpu_s": brute["brute_force_cpu_s"],
                "brute_force_wall_s": brute["brute_force_wall_s"],
                "pairs": brute[policy]["pairs"],
                "identical": brute[policy]["identical"],
                "find_cpu_s": brute[policy]["find_cpu_s"],
                "find_wall_s": brute[policy]["find_wall_s"],
            }
            for policy in ("now", "windows_opened")
        )
    return found


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
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job == "baseline":
        baseline(args.file, args.out)
        return 0
    out_file = DATA / "match_rules_results.json"
    results: dict[str, Any] = {}
    if out_file.exists():  # a run of some jobs (--skip) keeps the others' results
        results.update(json.loads(out_file.read_text(encoding="utf-8")))
    jobs = [j for j in ("default", "rule3", "brute") if j not in args.skip]
    contexts = results.setdefault("runs", {})
    label = "+".join(jobs)
    label += f" #{1 + sum(1 for k in contexts if k.split(' #')[0] == label)}"
    context = contexts[label] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "commit": _commit(ROOT),
        "load_start": [round(x, 2) for x in os.getloadavg()],
    }
    run = record.Run(
        "match_rules",
        script="benchmarks/match_rules_bench.py",
        page="benchmarks/dedupe.md",
        section="Match rules",
        metrics=METRICS,
        note=f"--now {NOW}; one job at a time, each in its own process",
    )
    path = ensure(SIZES[args.size], f"leads_{args.size}.csv")
    src = ROOT / "src"
    with tempfile.TemporaryDirectory() as tmp:
        if "default" not in args.skip and args.before:
            key = f"default_{args.size}"
            results[key] = default_job(
                path, Path(args.before), Path(tmp), args.rounds, args.workers, results.get(key)
            )
            print(
                "outputs identical",
                results[key]["outputs_identical"],
                "CPU after/before",
                results[key]["cpu_ratio_after_before"],
                flush=True,
            )
            out_file.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
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
            sql_pairs = Path(tmp, "duckdb_pairs.csv")
            theirs = measure(
                [
                    sys.executable,
                    __file__,
                    "--job",
                    "baseline",
                    "--file",
                    str(custom),
                    "--out",
                    str(sql_pairs),
                ]
            )
            theirs["result"] = json.loads(theirs.pop("stdout"))
            print("duckdb", theirs, flush=True)
            # Not timed: every pair one side lists and the other does not, explained.
            versus = compare_baseline(
                custom, Path(tmp, "rule3t", "pairs.csv"), sql_pairs, Path(tmp)
            )
            results[f"rule3_{args.size}"] = {
                "leadcore": ours,
                "leadcore_windows_opened": opened,
                "duckdb_sql": theirs,
                "leadcore_vs_duckdb": versus,
                "rule": RULE3,
            }
            print("rule3", results[f"rule3_{args.size}"], flush=True)
            out_file.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        if "brute" not in args.skip:
            rows = sample(augment(path), args.sample)
            results[f"brute_{args.sample}"] = brute_force(rows, args.workers)
            print("brute", results[f"brute_{args.sample}"], flush=True)
    context["load_end"] = [round(x, 2) for x in os.getloadavg()]
    out_file.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    number = results[f"default_{args.size}"]["runs"][-1]["run"] if "default" in jobs else None
    run.extend(
        measurements(
            results,
            args.size,
            args.sample,
            number=number,
            jobs=jobs if args.before else [j for j in jobs if j != "default"],
        )
    )
    run.save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
