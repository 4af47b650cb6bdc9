"""
Charts of results (altair, the ``notebook`` extra) and the HTML report of a run.

Each chart is an altair chart returned by a method of the result, holding only
aggregated rows; ``leadcore dedupe --report`` writes one self-contained HTML file.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import pytest

from leadcore import _cli, dedupe, simulation
from leadcore.errors import MissingDependency
from leadcore.merge import MergePolicy
from leadcore.model import Agent

SAMPLE = Path(str(resources.files("leadcore").joinpath("data", "sample_leads.csv")))
NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
WIDER = MergePolicy(merge_max_inactivity_days=400)


@pytest.fixture(scope="module")
def result() -> dedupe.DedupeResult:
    """The bundled sample, found once."""
    return dedupe.find(SAMPLE, now=NOW, tz="UTC")


def _values(chart: Any) -> list[dict[str, Any]]:
    spec = chart.to_dict()
    data = spec["layer"][0]["data"] if "layer" in spec else spec["data"]
    values: list[dict[str, Any]] = data["values"]
    return values


def test_cluster_sizes(result: dedupe.DedupeResult) -> None:
    """One bar per cluster size, counting clusters; singletons on request."""
    chart = result.chart_cluster_sizes()
    with_alone = result.chart_cluster_sizes(singletons=True)

    assert isinstance(chart, alt.Chart)
    expected = Counter(c.size for c in result.clusters)
    assert {r["size"]: r["clusters"] for r in _values(chart)} == expected
    alone = {r["size"]: r["clusters"] for r in _values(with_alone)}
    assert alone[1] == result.summary.leads - result.summary.clustered_leads


def test_conditions_produce_every_pair_once(result: dedupe.DedupeResult) -> None:
    """The bars add up to the pairs, by kind."""
    rows = _values(result.chart_conditions())

    assert sum(r["pairs"] for r in rows) == len(result.pairs)
    by_kind: Counter[str] = Counter()
    for r in rows:
        by_kind[r["kind"]] += r["pairs"]
    assert by_kind == Counter(p.kind for p in result.pairs)


def test_phone_only_pairs_are_labelled() -> None:
    """MRG-4: a phone-only merge shows as such."""
    rows = [
        {
            "lead_id": "A",
            "phone": "4158675309",
            "created_at": "2025-06-01T00:00Z",
            "last_activity_at": "2025-06-30T00:00Z",
        },
        {"lead_id": "B", "first_name": "Unknown", "phone": "(415) 867-5309"},
    ]

    chart = dedupe.find(rows, now=NOW).chart_conditions()

    assert [r["conditions"] for r in _values(chart)] == ["phone (phone only)"]


def test_what_a_policy_change_moves(result: dedupe.DedupeResult) -> None:
    """One bar per change of kind, as counts() gives it."""
    table = result.leads
    assert table is not None
    comparison = dedupe.what_if(table, now=NOW, other=WIDER)

    rows = _values(comparison.chart_changes())

    assert {r["change"]: r["pairs"] for r in rows} == comparison.counts()


def test_routing_simulation_charts() -> None:
    """Per-agent share (with the even share as a rule) and time to claim."""
    rng = random.Random(11)
    arrivals = simulation.synthetic_arrivals(dt.date(2026, 11, 23), count=300, project="p", rng=rng)
    agents = [Agent(id=f"a{i}", project="p") for i in range(6)]
    agents.append(Agent(id="off", project="p", active=False))
    report = simulation.simulate(arrivals, agents, rng=rng)

    shares = report.chart_agents()
    waits = report.chart_time_to_claim()

    rows = _values(shares)
    assert [r["agent"] for r in rows] == [r["agent"] for r in report.agent_rows() if r["routable"]]
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    assert shares.to_dict()["layer"][1]["data"]["values"] == [{"level": 1 / 6}]
    assert [r["statistic"] for r in _values(waits)] == ["mean", "p50", "p90", "p99", "max"]


def test_without_altair_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, result: dedupe.DedupeResult
) -> None:
    """Charts need altair, which is optional: without it, a clear error."""
    monkeypatch.setitem(sys.modules, "altair", None)

    with pytest.raises(MissingDependency, match="altair"):
        result.chart_cluster_sizes()


class TestReport:
    """``leadcore dedupe --report``: one self-contained HTML file."""

    def run(self, *extra: str) -> tuple[int, str]:
        """Run the command on the sample; return its status and output."""
        out = io.StringIO()
        code = _cli.main(
            [
                "dedupe",
                "--sample",
                "--now",
                "2025-07-01T00:00:00Z",
                "--tz",
                "UTC",
                "--workers",
                "1",
                *extra,
            ],
            out=out,
        )
        return code, out.getvalue()

    def test_report_holds_summary_charts_and_samples(self, tmp_path: Path) -> None:
        """Summary, three charts as inline SVG, samples of each kind, accuracy; no script."""
        path = tmp_path / "out" / "report.html"

        code, printed = self.run(
            "--report",
            str(path),
            "--what-if",
            "merge_max_inactivity_days=400",
            "--labels",
            "true_cluster",
        )

        assert code == 0
        document = path.read_text(encoding="utf-8")
        assert f"report       {path}" in printed
        assert "after pairwise" in printed
        assert document.startswith("<!DOCTYPE html>")
        assert document.count("<svg") == 3
        assert "<script" not in document
        assert "src=" not in document
        for heading in (
            "Summary",
            "Charts",
            "Samples of each kind of pair",
            "What the policy change moves",
            "Accuracy against true_cluster",
        ):
            assert f"<h2>{heading}</h2>" in document
        assert "merge: 10 of" in document
        assert "duplicate: 2 of 2 pairs" in document

    def test_missing_renderer_is_a_clear_error(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without vl-convert the command says what to install and writes nothing."""
        monkeypatch.setitem(sys.modules, "vl_convert", None)
        path = tmp_path / "report.html"

        code, _ = self.run("--report", str(path))

        assert code == 2
        assert "vl-convert-python" in capsys.readouterr().err
        assert not path.exists()
