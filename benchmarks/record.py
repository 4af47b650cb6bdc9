"""
Results files of the benchmarks: ``benchmarks/results/<name>.json``, the site's charts' data.

Each benchmark script appends one *run* (one invocation) to its results file, beside what
it prints; the documentation site draws its charts from these files at build time
(``tools/bench_charts.py``), so a figure measured here appears on the site without
anyone copying it. The runs recorded before the scripts wrote these files were
transcribed from the benchmark pages with their conditions (``"source"`` says from
where). A results file is committed with the page that reports its figures.

The file::

    {
      "benchmark": "dedupe",                  # the file's name, <name>.json
      "script": "benchmarks/dedupe_bench.py",
      "page": "benchmarks/dedupe.md",         # the page that reports the figures
      "section": "Results",                   # its heading (start of the text) the charts
                                              # follow; missing: a "Charts" section at the end
      "runs": [                               # oldest first: a chart draws the newest run
        {                                     # that holds its figures
          "date": "2026-11-23T01:40:00+00:00",
          "commit": "b73e041",                # the leadcore measured ("+dirty": src/ changed)
          "source": "benchmarks/dedupe_bench.py --sizes 100k 1m",
          "machine": {"cpus": 2, "memory_gib": 23.4, "platform": "x86_64 Linux",
                      "python": "3.11.7"},
          "load": [0.8, 1.2],                 # 1-minute load average, lowest and highest seen
          "metrics": {"cpu_s": "user + system CPU of the job's processes", ...},
          "note": "...",                      # optional
          "measurements": [                   # flat objects: names, then figures
            {"kind": "job", "rows": 100000, "job": "leadcore", "wall_s": 1.2,
             "cpu_s": 1.6, "peak_pss_mib": 129, "load_before": 0.8, "load_after": 0.8}
          ]
        }
      ]
    }

A figure's name ends in its unit: ``_s`` seconds, ``_ms``, ``_us``, ``_mib``, ``_mb``;
``metrics`` says, for each figure, what was measured (CPU or wall time, of what), and
``"<kind>.<figure>"`` what it means in measurements of that ``kind`` when that differs.
Where a page recorded a range over several runs, the figure is the lowest and
``<figure>_max`` the highest. A measurement may carry its own ``commit``, ``date`` or
``load_before`` / ``load_after`` (or a single ``load``) when they differ within a run.
Only the standard library is used: the scripts run in any environment that runs leadcore.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = Path(os.environ.get("LEADCORE_BENCH_RESULTS", HERE / "results"))
"""Where the results files are (``LEADCORE_BENCH_RESULTS`` moves them, to try a script)."""


def machine() -> dict[str, Any]:
    """The machine the run is on: CPUs, memory, platform and Python."""
    memory = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    found: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "platform": f"{platform.machine()} {platform.system()}",
        "python": platform.python_version(),
    }
    if memory:
        found["memory_gib"] = memory
    return found


def commit() -> str | None:
    """The commit of the leadcore being measured (the checkout its package is imported from)."""
    try:
        import leadcore  # noqa: PLC0415  # whichever checkout PYTHONPATH points at

        folder = Path(leadcore.__file__).resolve().parent
    except ImportError:
        folder = HERE
    try:
        head = subprocess.run(  # noqa: S603  # git, fixed arguments
            ["git", "-C", str(folder), "rev-parse", "--short=7", "HEAD"],  # noqa: S607  # git on PATH
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603  # git, fixed arguments
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


class Run:
    """
    One run of a benchmark, written to its results file by :meth:`save`.

    Made at the start of the run (it reads the load average then); ``add`` each
    measurement as it is taken; ``save`` at the end appends the run to the file.
    """

    def __init__(
        self,
        name: str,
        *,
        script: str,
        page: str,
        section: str | None,
        metrics: Mapping[str, str],
        note: str | None = None,
    ) -> None:
        self.name = name
        self.header = {"benchmark": name, "script": script, "page": page, "section": section}
        self.loads = [os.getloadavg()[0]]
        self.run: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": commit(),
            "source": " ".join([script, *sys.argv[1:]]),
            "machine": machine(),
            "metrics": dict(metrics),
        }
        if note:
            self.run["note"] = note
        self.measurements: list[dict[str, Any]] = []

    def add(self, measurement: Mapping[str, Any]) -> None:
        """Record one measurement (a flat object of names and figures)."""
        self.loads.append(os.getloadavg()[0])
        self.measurements.append(dict(measurement))

    def extend(self, measurements: Iterable[Mapping[str, Any]]) -> None:
        """Record several measurements."""
        for measurement in measurements:
            self.add(measurement)

    def save(self) -> Path:
        """Append the run to ``benchmarks/results/<name>.json``; return the file's path."""
        self.loads.append(os.getloadavg()[0])
        run = {
            **self.run,
            "load": [round(min(self.loads), 2), round(max(self.loads), 2)],
            "measurements": self.measurements,
        }
        path = RESULTS / f"{self.name}.json"
        RESULTS.mkdir(parents=True, exist_ok=True)
        found: dict[str, Any] = {**self.header, "runs": []}
        if path.exists():
            found = json.loads(path.read_text(encoding="utf-8"))
        found.update({k: v for k, v in self.header.items() if v is not None})
        found["runs"] = [*found.get("runs", []), run]
        path.write_text(dumps(found), encoding="utf-8")
        print(f"results appended to {path}", flush=True)
        return path


def dumps(found: Mapping[str, Any]) -> str:
    """A results file's text: indented, one measurement a line (a diff shows what changed)."""

    def one(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    for key, value in found.items():
        if key != "runs":
            lines.append(f"  {one(key)}: {one(value)},")
    lines.append('  "runs": [')
    runs = list(found.get("runs", []))
    for number, run in enumerate(runs):
        lines.append("    {")
        for key, value in run.items():
            if key != "measurements":
                lines.append(f"      {one(key)}: {one(value)},")
        items = [f"        {one(m)}" for m in run.get("measurements", [])]
        lines.append('      "measurements": [')
        lines.append(",\n".join(items))
        lines.append("      ]")
        lines.append("    }" + ("," if number < len(runs) - 1 else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"
