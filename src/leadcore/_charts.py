"""
Charts of results, drawn with altair (optional: the ``notebook`` extra).

Results build their chart data as rows (dicts) and call one of the chart builders here,
which import altair only when a chart is asked for: without it, a
:class:`~leadcore.errors.MissingDependency` says what to install. Data is embedded in
the chart (``alt.Data(values=...)``), so no dataframe library is needed, and only
aggregated rows are ever embedded: a chart of a million pairs holds a few dozen rows.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from leadcore.errors import MissingDependency

__all__ = ["altair", "bars", "horizontal_bars"]

Rows = Sequence[Mapping[str, object]]


def altair(feature: str = "charts") -> Any:  # noqa: ANN401  # the altair module
    """Return the altair module, or raise :class:`MissingDependency` naming ``feature``."""
    try:
        return importlib.import_module("altair")
    except ImportError as error:
        raise MissingDependency("altair", feature) from error


def bars(
    rows: Rows,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    x_type: str = "O",
    rule: float | None = None,
) -> Any:  # noqa: ANN401  # an altair chart
    """Return vertical bars of ``y`` by ``x``, and a rule at ``rule``."""
    alt = altair()
    encoding: dict[str, Any] = {
        "x": alt.X(f"{x}:{x_type}", title=x_title, sort=None),
        "y": alt.Y(f"{y}:Q", title=y_title),
        "tooltip": [f"{x}:{x_type}", f"{y}:Q"],
    }
    chart = alt.Chart(alt.Data(values=list(rows))).mark_bar().encode(**encoding)
    if rule is not None:
        line = (
            alt.Chart(alt.Data(values=[{"level": rule}]))
            .mark_rule(strokeDash=[4, 4])
            .encode(y="level:Q")
        )
        chart = alt.layer(chart, line)
    return chart.properties(title=title, width=480, height=240)


def horizontal_bars(
    rows: Rows,
    *,
    category: str,
    value: str,
    title: str,
    value_title: str,
    color: str,
) -> Any:  # noqa: ANN401  # an altair chart
    """Return horizontal bars of ``value`` by ``category``, largest first, coloured by ``color``."""
    alt = altair()
    encoding: dict[str, Any] = {
        "y": alt.Y(f"{category}:N", title=category, sort="-x"),
        "x": alt.X(f"{value}:Q", title=value_title),
        "tooltip": [f"{category}:N", f"{value}:Q", f"{color}:N"],
        "color": alt.Color(f"{color}:N", title=color),
    }
    chart = alt.Chart(alt.Data(values=list(rows))).mark_bar().encode(**encoding)
    return chart.properties(title=title, width=480)
