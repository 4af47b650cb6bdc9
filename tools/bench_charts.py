"""
Charts of the benchmarks, drawn at build time from their results files (issue 18).

The benchmark scripts append each run's figures to ``benchmarks/results/<name>.json``
(``benchmarks/record.py`` says how). When the site is built, this module draws the charts
below from those files with altair and renders them to static SVG with vl-convert: no
JavaScript, no CDN, nothing fetched. The MkDocs hooks (tools/mkdocs_hooks.py) add each
SVG to the site and show it, with its caption, on the page that reports the benchmark.

- **Which run.** A chart draws the newest run that holds its figures. A chart with a
  ``series`` (the jobs of a time-against-size chart, say) takes each series from the
  newest run that holds it, so a re-run of one job replaces that job's line only; a
  chart that compares jobs (a CPU ratio) takes them all from one run.
- **Captions.** Each caption says what is measured (the run's own ``metrics`` text for
  each figure drawn: CPU or wall time, of what), the machine, the load average during the
  run, its date and commit, and which results file holds the data.
- **Any results file.** A file no chart below names gets a plain chart of its newest
  run's CPU and wall time per measurement, on the page and section the file names.
- **Fast.** The SVGs are kept in ``.cache/bench-charts/`` (git-ignored), keyed by the
  results files, this module and the libraries' versions: an unchanged build renders
  nothing and imports neither altair nor vl-convert (a first build takes a few seconds).
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

Row = dict[str, Any]
Run = Mapping[str, Any]

RESULTS = "benchmarks/results"
CACHE = ".cache/bench-charts"
FIGURE_SUFFIXES = ("_s", "_ms", "_us", "_mib", "_mb")
LOAD_FIELDS = ("load", "load_before", "load_after")


@dataclass(frozen=True)
class Figure:
    """A rendered chart: where it goes, what it says, and its SVG."""

    id: str
    page: str
    """The repository path of the Markdown file that shows it (``benchmarks/dedupe.md``)."""
    section: str | None
    """The heading (its start) the chart follows; ``None``: a section of its own at the end."""
    alt: str
    caption: str
    """HTML."""
    svg: str


@dataclass(frozen=True)
class Chart:
    """How to draw one chart from one results file."""

    id: str
    results: str
    title: str
    select: Callable[[Sequence[Row]], list[Row]]
    """The run's rows this chart draws (none: the run does not hold its figures)."""
    draw: Callable[[Any, list[Row]], Any]
    """``draw(altair, rows)``: the chart."""
    figures: tuple[str, ...]
    """The figures drawn, whose meaning the caption takes from the run's ``metrics``."""
    series: str | None = None
    """Take each value of this field from the newest run holding it (else: one run)."""
    min_points: int = 1
    """Fewest rows a run (or a series) must give."""
    section: str | None = None
    """The heading the chart follows; default: the results file's ``section``."""
    x: str | None = None
    """The field along the x axis of a chart against size: a figure is drawn (and said in
    the caption) when at least two of its values carry it."""


def drawn(chart: Chart, rows: Sequence[Row]) -> list[str]:
    """The figures of ``chart`` that ``rows`` give enough of to draw."""
    if chart.x is None:
        return [f for f in chart.figures if any(f in r for r in rows)]
    return [f for f in chart.figures if len({r[chart.x] for r in rows if f in r}) >= 2]


# -- choosing rows --------------------------------------------------------------------------


def _kind(kind: str, *needed: str, plain: bool = True) -> Callable[[Sequence[Row]], list[Row]]:
    """Rows of ``kind`` holding every ``needed`` figure (``plain``: no before/after version)."""

    def select(rows: Sequence[Row]) -> list[Row]:
        return [
            dict(r)
            for r in rows
            if r.get("kind") == kind
            and all(isinstance(r.get(n), int | float) for n in needed)
            and not (plain and "version" in r)
        ]

    return select


def _with(
    select: Callable[[Sequence[Row]], list[Row]], **equal: object
) -> Callable[..., list[Row]]:
    def chosen(rows: Sequence[Row]) -> list[Row]:
        return [r for r in select(rows) if all(r.get(k) == v for k, v in equal.items())]

    return chosen


def _paired(
    select: Callable[[Sequence[Row]], list[Row]], x: str, series: str, baseline: str
) -> Callable[[Sequence[Row]], list[Row]]:
    """The rows of the x values where the baseline and at least one other series ran."""

    def chosen(rows: Sequence[Row]) -> list[Row]:
        found = select(rows)
        with_baseline = {r[x] for r in found if r[series] == baseline}
        others = {r[x] for r in found if r[series] != baseline}
        return [r for r in found if r[x] in with_baseline & others]

    return chosen


def choose(chart: Chart, runs: Sequence[Run]) -> list[tuple[Run, list[Row]]]:
    """The runs a chart draws, newest first, each with the rows it gives."""
    if chart.series is None:
        for run in reversed(runs):
            rows = chart.select(run.get("measurements", []))
            if len(rows) >= chart.min_points:
                return [(run, rows)]
        return []
    taken: dict[object, tuple[Run, list[Row]]] = {}
    for run in reversed(runs):
        rows = chart.select(run.get("measurements", []))
        for value in dict.fromkeys(r.get(chart.series) for r in rows):
            part = [r for r in rows if r.get(chart.series) == value]
            if value not in taken and len(part) >= chart.min_points:
                taken[value] = (run, part)
    used: dict[int, tuple[Run, list[Row]]] = {}
    for run, part in taken.values():
        used.setdefault(id(run), (run, []))[1].extend(part)
    order = {id(run): i for i, run in enumerate(runs)}
    return sorted(used.values(), key=lambda pair: -order[id(pair[0])])


# -- drawing --------------------------------------------------------------------------------

PALETTE = ["#3f51b5", "#ef6c00", "#2e7d32", "#8e24aa", "#00838f", "#c62828"]


def _si(value: float) -> str:
    """``100000`` as ``100k``, ``1000000`` as ``1M``."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _colour(alt: Any, series: str, title: str, order: list[str]) -> Any:  # noqa: ANN401  # altair
    return alt.Color(
        f"{series}:N",
        title=title,
        sort=order,
        scale=alt.Scale(domain=order, range=PALETTE[: len(order)]),
        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400),
    )


def against_size(
    x: str,
    x_title: str,
    series: str,
    series_title: str,
    panels: Sequence[tuple[str, str]],
    *,
    log_y: bool = False,
) -> Callable[[Any, list[Row]], Any]:
    """Lines of each panel's figure against ``x`` (log scale), one per series."""

    def draw(alt: Any, rows: list[Row]) -> Any:  # noqa: ANN401  # altair
        order = list(dict.fromkeys(r[series] for r in rows))
        sizes = sorted({r[x] for r in rows})
        charts = []
        for figure, title in panels:
            data = [r for r in rows if isinstance(r.get(figure), int | float)]
            if len({r[x] for r in data}) < 2:
                continue  # a single size: nothing to draw against
            base = alt.Chart(alt.Data(values=data))
            x_axis = alt.X(
                f"{x}:Q",
                title=x_title,
                scale=alt.Scale(type="log", domain=[sizes[0] / 1.5, sizes[-1] * 1.5], nice=False),
                axis=alt.Axis(values=sizes, format="~s"),
            )
            y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=True)
            colour = _colour(alt, series, series_title, order)
            if not series_title:
                colour = alt.Color(f"{series}:N", legend=None, scale=alt.Scale(range=PALETTE))
            lines = base.mark_line(point=alt.OverlayMarkDef(size=50)).encode(
                x=x_axis, y=alt.Y(f"{figure}:Q", title=title, scale=y_scale), color=colour
            )
            layers = [lines]
            high = f"{figure}_max"
            if any(high in r for r in data):
                layers.append(
                    base.transform_filter(f"isValid(datum['{high}'])")
                    .mark_rule(strokeWidth=2)
                    .encode(x=x_axis, y=f"{figure}:Q", y2=f"{high}:Q", color=colour)
                )
            charts.append(alt.layer(*layers).properties(width=210, height=180))
        return alt.hconcat(*charts).resolve_scale(color="shared")

    return draw


def side_by_side(
    x: str,
    x_label: Callable[[Any], str],
    series: str,
    figure: str,
    *,
    figure_title: str,
    baseline: str,
) -> Callable[[Any, list[Row]], Any]:
    """Bars of ``figure`` for each series at each ``x``, labelled with their ratio to baseline."""

    def draw(alt: Any, rows: list[Row]) -> Any:  # noqa: ANN401  # altair
        order = list(dict.fromkeys(r[series] for r in rows))
        order.sort(key=lambda s: s == baseline)  # the baseline last
        data = []
        for row in rows:
            base = next(r for r in rows if r[x] == row[x] and r[series] == baseline)
            ratio = row[figure] / base[figure] if base[figure] else math.nan
            label = "baseline" if row[series] == baseline else f"{ratio:.2f}\N{MULTIPLICATION SIGN}"
            data.append(
                {
                    "at": x_label(row[x]),
                    series: row[series],
                    figure: row[figure],
                    "label": label,
                    "order": row[x],
                }
            )
        columns = [x_label(v) for v in sorted({r[x] for r in rows})]
        base = alt.Chart().encode(
            x=alt.X(f"{series}:N", sort=order, axis=None, title=None),
            y=alt.Y(f"{figure}:Q", title=figure_title),
        )
        bars = base.mark_bar().encode(color=_colour(alt, series, series, order))
        text = base.mark_text(dy=-5, fontSize=11).encode(text="label:N")
        return (
            alt.layer(bars, text, data=alt.Data(values=data))
            .properties(width=max(60, 46 * len(order)), height=200)
            .facet(column=alt.Column("at:N", sort=columns, title=None))
            .resolve_scale(y="independent")
            .properties(title=f"label: {figure_title} as a multiple of {baseline}'s")
        )

    return draw


def per_case(
    label_fields: Sequence[str], figure: str, figure_title: str
) -> Callable[[Any, list[Row]], Any]:
    """One line per case, a dot per version at its ``figure`` (symlog scale); hollow: stopped."""

    def draw(alt: Any, rows: list[Row]) -> Any:  # noqa: ANN401  # altair
        data = []
        for row in rows:
            version = row.get("version")
            commit = row.get("commit")
            name = (
                f"{version} ({commit})" if version and commit else version or commit or "this run"
            )
            data.append(
                {
                    "case": ": ".join(str(row[f]) for f in label_fields),
                    "version": name,
                    figure: row[figure],
                    "stopped": "stopped (still running at the time-out)"
                    if row.get("stopped")
                    else "answered",
                }
            )
        latest = data[-1]["version"]
        ranking = {d["case"]: d[figure] for d in data if d["version"] == latest}
        cases = sorted(ranking, key=lambda c: -ranking[c])
        versions = list(dict.fromkeys(d["version"] for d in data))
        chart = alt.Chart(alt.Data(values=data)).encode(
            y=alt.Y("case:N", sort=cases, title=None, axis=alt.Axis(labelLimit=460)),
            x=alt.X(
                f"{figure}:Q",
                title=figure_title,
                scale=alt.Scale(
                    type="symlog",
                    constant=0.01,
                    domain=[0, max(d[figure] for d in data) * 1.3],
                    nice=False,
                ),
                axis=alt.Axis(values=[0, 0.01, 0.1, 1, 10, 100, 1000], format="~f"),
            ),
            color=_colour(alt, "version", "version", versions),
            shape=alt.Shape(
                "stopped:N",
                title=None,
                scale=alt.Scale(
                    domain=["answered", "stopped (still running at the time-out)"],
                    range=["circle", "triangle-right"],
                ),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400),
            ),
        )
        rules = chart.mark_rule(color="#bbb").encode(
            x=f"min({figure}):Q", x2=f"max({figure}):Q", color=alt.value("#bbb"), shape=alt.Shape()
        )
        dots = chart.mark_point(filled=True, size=60, opacity=0.9)
        return alt.layer(rules, dots).properties(width=360, height=14 * len(cases))

    return draw


def bars(
    label_fields: Sequence[str], panels: Sequence[tuple[str, str]]
) -> Callable[[Any, list[Row]], Any]:
    """Horizontal bars of each panel's figure for each row, labelled by ``label_fields``."""

    def draw(alt: Any, rows: list[Row]) -> Any:  # noqa: ANN401  # altair
        data = []
        for row in rows:
            label = ", ".join(_show(f, row[f]) for f in label_fields if f in row)
            for figure, title in panels:
                if isinstance(row.get(figure), int | float):
                    item = {"row": label, "figure": title, "value": row[figure]}
                    if isinstance(row.get(f"{figure}_max"), int | float):
                        item["high"] = row[f"{figure}_max"]
                    data.append(item)
        order = list(dict.fromkeys(d["row"] for d in data))
        titles = [title for _, title in panels]
        base = alt.Chart().encode(
            y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=400)),
        )
        bar = base.mark_bar(height=12).encode(
            x=alt.X("value:Q", title=None),
            color=alt.Color(
                "figure:N",
                sort=titles,
                scale=alt.Scale(domain=titles, range=PALETTE[: len(titles)]),
                legend=None,
            ),
        )
        high = (
            base.transform_filter("isValid(datum.high)")
            .mark_rule(strokeWidth=2)
            .encode(x="value:Q", x2="high:Q")
        )
        return (
            alt.layer(bar, high, data=alt.Data(values=data))
            .properties(width=260, height=22 * len(order))
            .facet(column=alt.Column("figure:N", sort=titles, title=None))
            .resolve_scale(x="independent")
        )

    return draw


def _show(name: str, value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1000:
        return f"{value:,} {name.replace('_', ' ')}"
    return str(value)


# -- the charts -----------------------------------------------------------------------------

_JOB_PANELS = (
    ("wall_s", "wall time (s)"),
    ("cpu_s", "CPU time (s)"),
    ("peak_pss_mib", "peak memory (MiB)"),
)
_DEDUPE_JOBS = _kind("job", "wall_s", "cpu_s", "peak_pss_mib")

CHARTS: tuple[Chart, ...] = (
    Chart(
        id="dedupe-size",
        results="dedupe",
        title="Batch dedupe: time and memory against rows",
        select=_DEDUPE_JOBS,
        draw=against_size("rows", "rows (log scale)", "job", "job", _JOB_PANELS),
        figures=("wall_s", "cpu_s", "peak_pss_mib"),
        series="job",
        min_points=2,
        x="rows",
    ),
    Chart(
        id="dedupe-vs-baseline",
        results="dedupe",
        title="Batch dedupe: CPU of leadcore and of pandas + phonenumbers + Splink, side by side",
        select=_paired(_DEDUPE_JOBS, "rows", "job", "pandas + phonenumbers + Splink"),
        draw=side_by_side(
            "rows",
            lambda v: f"{_si(v)} rows",
            "job",
            "cpu_s",
            figure_title="CPU time (s)",
            baseline="pandas + phonenumbers + Splink",
        ),
        figures=("cpu_s",),
        min_points=2,
    ),
    Chart(
        id="dedupe-phones",
        results="dedupe",
        title="Phone normalisation: leadcore's fast path and phonenumbers",
        select=_paired(_kind("phones", "wall_s"), "numbers", "job", "phonenumbers"),
        draw=side_by_side(
            "numbers",
            lambda v: f"{v:,} numbers",
            "job",
            "wall_s",
            figure_title="time (s)",
            baseline="phonenumbers",
        ),
        figures=("wall_s",),
        min_points=2,
        section="Phone normalisation",
    ),
    Chart(
        id="spark-size",
        results="spark",
        title="Batch dedupe on Spark local[2] and locally: time and memory against rows",
        select=_kind("job", "wall_s", "cpu_s", "peak_pss_mib"),
        draw=against_size("rows", "rows (log scale)", "job", "job", _JOB_PANELS),
        figures=("wall_s", "cpu_s", "peak_pss_mib"),
        series="job",
        min_points=2,
        x="rows",
    ),
    Chart(
        id="spark-vs-baseline",
        results="spark",
        title="Batch dedupe on Spark: CPU of leadcore and of Splink, side by side",
        select=_paired(_kind("job", "cpu_s"), "rows", "job", "Splink 5 on Spark"),
        draw=side_by_side(
            "rows",
            lambda v: f"{_si(v)} rows",
            "job",
            "cpu_s",
            figure_title="CPU time (s)",
            baseline="Splink 5 on Spark",
        ),
        figures=("cpu_s",),
        min_points=2,
    ),
    Chart(
        id="merge-lookup",
        results="merge",
        title="Merge index: one inbound lead's auto-merge decision against the existing leads",
        select=_with(_kind("decision", "p50_best_us", "p99_best_us"), call="auto"),
        draw=against_size(
            "existing",
            "existing leads (log scale)",
            "case",
            "inbound lead",
            (("p50_best_us", "median (µs)"), ("p99_best_us", "99th percentile (µs)")),
        ),
        x="existing",
        figures=("p50_best_us", "p99_best_us"),
        min_points=6,
    ),
    Chart(
        id="merge-build",
        results="merge",
        title="Merge index: building it, against the existing leads",
        select=_kind("build", "rss_index_mb"),
        draw=against_size(
            "existing",
            "existing leads (log scale)",
            "what",
            "",
            (("index_s", "index build time (s)"), ("rss_index_mb", "memory of the index (MB)")),
        ),
        x="existing",
        figures=("index_s", "rss_index_mb"),
        min_points=2,
    ),
    Chart(
        id="routing-runs",
        results="routing",
        title="Routing simulation: a day of leads, by leads and agents",
        select=_kind("run", "wall_s", "cpu_s"),
        draw=bars(("leads", "agents"), (("cpu_s", "CPU time (s)"), ("wall_s", "wall time (s)"))),
        figures=("cpu_s", "wall_s"),
        min_points=2,
    ),
    Chart(
        id="related-size",
        results="related",
        title="Related grouping (REL-6): time against records, by scenario",
        select=_kind("group", "cpu_s", "us_per_record"),
        draw=against_size(
            "records",
            "records (log scale)",
            "scenario",
            "scenario",
            (("cpu_s", "CPU time (s)"), ("us_per_record", "CPU a record (µs)")),
        ),
        x="records",
        figures=("cpu_s", "us_per_record"),
        series="scenario",
        min_points=2,
    ),
    Chart(
        id="limits-cpu",
        results="limits",
        title="Every rule at its largest legal input: CPU time of each scenario",
        select=_kind("scenario", "cpu_s", plain=False),
        draw=per_case(("rule", "input"), "cpu_s", "CPU time (s, symlog scale)"),
        figures=("cpu_s",),
        min_points=2,
    ),
)


CHARTS_BY_ID = {chart.id: chart for chart in CHARTS}


def _prepare(chart: Chart, rows: list[Row]) -> list[Row]:
    """Rows as the chart draws them: a case label for the merge index, a series for builds."""
    if chart.id == "merge-lookup":
        for row in rows:
            row["case"] = f"{row['workload']}, {row['normalised']}"
    if chart.id == "merge-build":
        for row in rows:
            row["what"] = "MergeIndex"
    return rows


def generic(name: str) -> Chart:
    """The chart of a results file no chart of :data:`CHARTS` names."""

    def select(rows: Sequence[Row]) -> list[Row]:
        return [
            dict(r)
            for r in rows
            if isinstance(r.get("cpu_s"), int | float) or isinstance(r.get("wall_s"), int | float)
        ]

    def draw(alt: Any, rows: list[Row]) -> Any:  # noqa: ANN401  # altair
        labels = [k for k in dict.fromkeys(k for r in rows for k in r) if _is_name(k, rows)]
        return bars(labels, (("cpu_s", "CPU time (s)"), ("wall_s", "wall time (s)")))(alt, rows)

    return Chart(
        id=f"{name}-runs",
        results=name,
        title=f"Benchmark {name}: CPU and wall time of each measurement",
        select=select,
        draw=draw,
        figures=("cpu_s", "wall_s"),
    )


def _is_name(key: str, rows: Sequence[Row]) -> bool:
    """Whether ``key`` names the measurement (a text or a count) rather than measuring it."""
    if key.endswith(FIGURE_SUFFIXES) or key.endswith("_max") or key in LOAD_FIELDS:
        return False
    if key in {"commit", "date", "exit", "repeat"}:
        return False
    values = [r[key] for r in rows if key in r]
    return all(isinstance(v, str) for v in values) or key in {"rows", "records", "leads"}


# -- captions -------------------------------------------------------------------------------


def _machine(machine: Mapping[str, Any]) -> str:
    parts = []
    if machine.get("cpus"):
        parts.append(f"{machine['cpus']} CPUs")
    if machine.get("memory_gib"):
        parts.append(f"{machine['memory_gib']:g} GiB")
    if machine.get("platform"):
        parts.append(str(machine["platform"]))
    if machine.get("python"):
        parts.append(f"Python {machine['python']}")
    return ", ".join(parts) or "machine not recorded"


def _load(used: Sequence[tuple[Run, list[Row]]]) -> str:
    values = [float(v) for run, _ in used for v in run.get("load", [])]
    values += [float(r[k]) for _, rows in used for r in rows for k in LOAD_FIELDS if k in r]
    if not values:
        return "load average not recorded (the machine is shared with other jobs)"
    low, high = min(values), max(values)
    span = f"{low:g}" if low == high else f"{low:g} to {high:g}"
    return f"1-minute load average {span} during the run (jobs of others on the same cores)"


def _code(text: str) -> str:
    """Escape ``text`` for HTML, with its ``code`` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def caption(chart: Chart, used: Sequence[tuple[Run, list[Row]]]) -> str:
    """What the chart shows, measured how, where and when (HTML)."""
    run = used[0][0]
    metrics: dict[str, str] = {}
    for each, rows in used:
        described = each.get("metrics", {})
        kinds = dict.fromkeys(r.get("kind") for r in rows)
        for figure in drawn(chart, rows):
            texts = [described.get(f"{kind}.{figure}") for kind in kinds]
            text = next((t for t in texts if t), described.get(figure))
            if text:
                metrics.setdefault(figure, text)
    measured = "; ".join(f"`{figure}`: {text}" for figure, text in metrics.items())
    when = []
    for each, rows in used:
        commits = list(dict.fromkeys(r.get("commit") or each.get("commit") for r in rows))
        commit = ", ".join(c for c in commits if c) or "commit not recorded"
        source = str(each.get("source", ""))
        how = "transcribed from the page" if source.startswith("transcribed") else source
        when.append(f"{str(each.get('date', ''))[:10]} at {commit} ({how})")
    parts = [
        f"**{chart.title}.**",
        f"Measured: {measured}." if measured else "",
        f"Machine: {_machine(run.get('machine', {}))}; {_load(used)}.",
        f"Run{'s' if len(when) > 1 else ''}: {'; '.join(when)}.",
        f"Note: {run['note']}." if run.get("note") and len(used) == 1 else "",
        f"Data: `{RESULTS}/{chart.results}.json`.",
    ]
    text = " ".join(p for p in parts if p)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", _code(text))


# -- building -------------------------------------------------------------------------------


def _results(root: Path) -> dict[str, dict[str, Any]]:
    """Every results file, by name; a file that is not JSON of runs raises ``ValueError``."""
    found = {}
    for path in sorted((root / RESULTS).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
            msg = f"{path.relative_to(root)}: no list of runs"
            raise TypeError(msg)
        found[path.stem] = data
    return found


def _charts(results: Mapping[str, Mapping[str, Any]]) -> list[Chart]:
    named = {c.results for c in CHARTS}
    return [c for c in CHARTS if c.results in results] + [
        generic(name) for name in results if name not in named
    ]


def _key(root: Path) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted((root / RESULTS).glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in ("altair", "vl-convert-python"):
        try:
            digest.update(importlib.metadata.version(library).encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(b"-")
    return digest.hexdigest()[:24]


def build(root: Path, log: Callable[[str], None] = print) -> list[Figure]:
    """The figures of every results file under ``root`` (cached in ``root/.cache``)."""
    cache = root / CACHE
    manifest = cache / f"{_key(root)}.json"
    if manifest.exists():
        try:
            return [Figure(**item) for item in json.loads(manifest.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError):
            pass  # removed or damaged meanwhile: draw again
    figures = list(render(root, cache, log))
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("*.json"):
        old.unlink(missing_ok=True)  # another build may have removed it
    partial = manifest.with_suffix(f".{os.getpid()}.part")
    partial.write_text(json.dumps([asdict(f) for f in figures]), encoding="utf-8")
    partial.replace(manifest)  # whole or not at all, for a build running beside this one
    return figures


def render(root: Path, cache: Path, log: Callable[[str], None]) -> Iterable[Figure]:
    """Draw and render every chart that has data (an SVG already rendered is reused)."""
    import altair as alt  # noqa: PLC0415  # only when a chart is drawn
    import vl_convert  # noqa: PLC0415

    results = _results(root)
    for chart in _charts(results):
        data = results[chart.results]
        used = choose(chart, data["runs"])
        if not used:
            log(f"{RESULTS}/{chart.results}.json: no run holds the figures of chart {chart.id}")
            continue
        rows = _prepare(chart, [r for _, part in used for r in part])
        spec = chart.draw(alt, rows).configure_view(stroke=None).to_dict()
        text = json.dumps(spec, sort_keys=True)
        svg_path = cache / f"{hashlib.sha256(text.encode()).hexdigest()[:24]}.svg"
        if svg_path.exists():
            svg = svg_path.read_text(encoding="utf-8")
        else:
            svg = vl_convert.vegalite_to_svg(spec)
            cache.mkdir(parents=True, exist_ok=True)
            partial = svg_path.with_suffix(f".{os.getpid()}.part")
            partial.write_text(svg, encoding="utf-8")
            partial.replace(svg_path)
        yield Figure(
            id=chart.id,
            page=str(data.get("page") or "benchmarks/README.md"),
            section=chart.section or data.get("section"),
            alt=chart.title,
            caption=caption(chart, used),
            svg=svg,
        )
