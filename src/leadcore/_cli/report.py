"""
``leadcore dedupe --report report.html``: one self-contained HTML report of a run.

The report holds the summary, the charts (drawn by altair, rendered to inline SVG by
vl-convert, so the file needs no network and no script), samples of each kind of pair
with their explanations, the generic keys and bad rows, and, when asked, what a policy
change moves and the accuracy against a label column. Everything shown is HTML-escaped.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from leadcore import dedupe
from leadcore.errors import MissingDependency

__all__ = ["SAMPLES", "render", "write"]

SAMPLES: Final = 10
"""Pairs shown of each kind (spread evenly over the kind's pairs)."""

_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } caption { text-align: left; font-weight: bold; padding: .3em 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; } .muted { color: #777; }
"""


def _svg(chart: Any) -> str:  # noqa: ANN401  # an altair chart
    try:
        convert = importlib.import_module("vl_convert")
    except ImportError as error:
        raise MissingDependency("vl-convert-python", "leadcore dedupe --report") from error
    svg: str = convert.vegalite_to_svg(chart.to_json())
    return svg


def _table(caption: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple | list):
        return "+".join(_text(v) for v in value)
    return str(value)


def _spread(items: Sequence[dedupe.Pair], count: int) -> list[dedupe.Pair]:
    """Up to ``count`` items spread evenly over ``items`` (deterministic)."""
    if len(items) <= count:
        return list(items)
    return [items[i * len(items) // count] for i in range(count)]


def _samples(result: dedupe.DedupeResult) -> str:
    parts = []
    for kind in dedupe.ACTIONS:
        chosen = [p for p in result.pairs if p.kind == kind]
        if not chosen:
            continue
        shown = _spread(chosen, SAMPLES)
        rows = [(p.a, p.b, p.matched, p.explain()) for p in shown]
        parts.append(
            _table(
                f"{kind}: {len(shown)} of {len(chosen):,} pairs",
                ("lead_a", "lead_b", "matched", "explanation"),
                rows,
            )
        )
    return "".join(parts) or '<p class="muted">No pairs.</p>'


def _summary(result: dedupe.DedupeResult) -> str:
    rows = [("now", result.now.isoformat()), *result.summary.as_dict().items()]
    policy = result.policy.merge
    rows.extend(
        [
            (
                "auto-merge conditions",
                f"{policy.auto_merge_min_conditions} of " + "+".join(policy.auto_merge_conditions),
            ),
            (
                "windows (days)",
                (
                    f"created < {policy.merge_max_age_days}, active <= "
                    f"{policy.merge_max_inactivity_days}, duplicates <= "
                    f"{policy.duplicate_max_inactivity_days}"
                ),
            ),
            ("clusters join", "+".join(result.policy.cluster_on)),
        ]
    )
    return _table("summary", ("", "value"), rows)


def _accuracy(accuracy: dedupe.Accuracy | dedupe.AccuracyComparison) -> str:
    scores = accuracy.table("scores")
    columns = list(scores[0]) if scores else []
    parts = [_table("scores", columns, [list(r.values()) for r in scores])]
    latest = accuracy if isinstance(accuracy, dedupe.Accuracy) else accuracy.after
    for name in ("false_positives", "false_negatives"):
        rows = latest.table(name)[:SAMPLES]
        if rows:
            parts.append(
                _table(
                    f"{name} (first {len(rows)})", list(rows[0]), [list(r.values()) for r in rows]
                )
            )
    return "".join(parts)


def render(
    result: dedupe.DedupeResult,
    *,
    source: str,
    comparison: dedupe.PolicyComparison | None = None,
    accuracy: dedupe.Accuracy | dedupe.AccuracyComparison | None = None,
    svg: Callable[[Any], str] = _svg,
) -> str:
    """
    Return the report of a run as one HTML document (inline styles and SVG charts).

    Raises:
        MissingDependency: altair or vl-convert-python is not installed.

    """
    charts = [result.chart_cluster_sizes(), result.chart_conditions()]
    if comparison is not None:
        charts.append(comparison.chart_changes())
    drawn = "".join(f"<figure>{svg(c)}</figure>" for c in charts)
    sections = [
        f"<h1>leadcore dedupe: {html.escape(source)}</h1>",
        f'<p class="muted">Rules applied at {html.escape(result.now.isoformat())}.</p>',
        "<h2>Summary</h2>",
        _summary(result),
        "<h2>Charts</h2>",
        f'<div class="charts">{drawn}</div>',
        "<h2>Samples of each kind of pair</h2>",
        _samples(result),
    ]
    if comparison is not None:
        rows = [
            (c.a, c.b, c.transition, c.matched_before, c.matched_after)
            for c in comparison.changes[: 2 * SAMPLES]
        ]
        sections += [
            "<h2>What the policy change moves</h2>",
            _table("changes by kind", ("change", "pairs"), comparison.counts().items()),
            _table(
                f"changes (first {len(rows)} of {len(comparison.changes):,})",
                ("lead_a", "lead_b", "change", "matched_before", "matched_after"),
                rows,
            ),
        ]
    if accuracy is not None:
        sections += [
            f"<h2>Accuracy against {html.escape(accuracy_labels(accuracy))}</h2>",
            _accuracy(accuracy),
        ]
    if result.generic_keys:
        sections += [
            "<h2>Generic keys</h2>",
            _table(
                "keys held by very many leads",
                ("kind", "key", "rows", "pairs", "handling"),
                [
                    (g.kind, g.key, g.rows, g.pairs, g.handling)
                    for g in result.generic_keys[: 2 * SAMPLES]
                ],
            ),
        ]
    if result.bad_rows:
        sections += [
            "<h2>Bad rows</h2>",
            _table(
                f"first {min(len(result.bad_rows), 2 * SAMPLES)} of {len(result.bad_rows):,}",
                ("row", "line", "field", "value", "message"),
                [
                    (b.row, b.line, b.field, repr(b.value)[:80], b.message)
                    for b in result.bad_rows[: 2 * SAMPLES]
                ],
            ),
        ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>leadcore dedupe report</title><style>{_STYLE}</style></head><body>"
        + "".join(sections)
        + "</body></html>\n"
    )


def accuracy_labels(accuracy: dedupe.Accuracy | dedupe.AccuracyComparison) -> str:
    """The label source of an accuracy."""
    return accuracy.labels if isinstance(accuracy, dedupe.Accuracy) else accuracy.before.labels


def write(path: Path, document: str) -> None:
    """Write the report (UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
