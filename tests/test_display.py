"""
Every result type shows itself briefly: a short repr and a notebook-sized HTML table.

The shared rendering is ``leadcore._display``; each result describes itself once. The
size of what shows does not grow with the result: a million-row result displays in a few
kilobytes (checked by size, never by time).
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import random
from importlib import resources
from pathlib import Path

import attrs
import pytest

from leadcore import _display, dedupe, handover, linking, merge, related, routing, simulation
from leadcore._dedupe import inputs
from leadcore.decisions import Reason, Verdict
from leadcore.model import Agent, Crm, CrmRecord, Lead, Org, User
from tests.helpers import NOW, at, person

SAMPLE = Path(str(resources.files("leadcore").joinpath("data", "sample_leads.csv")))
SAMPLE_NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
LIMIT = 50_000
"""The most characters a result may take to display, whatever its size."""

ADA = person("Ada", "Lovelace", phones=("(415) 867-5309",), emails=("ada@x.io",))


def _examples() -> list[object]:
    """One of every result type a user sees, from real calls."""
    existing = Lead(id="L1", customer=ADA, created_at=at(10), last_activity_at=at(1), lot="n")
    inbound = Lead(id="N1", customer=ADA)
    agents = [Agent(id=f"a{i}", project="p") for i in range(8)]
    lead = Lead(id="R1", project="p", owner="a1")
    manager = User(id="m", org="child", roles=["manager"])
    orgs = [Org(id="parent", handover_enabled=True), Org(id="child", parent="parent")]
    sold = Lead(id="H1", org="child")
    table = dedupe.load(SAMPLE, tz="UTC", columns=dedupe.Columns(labels="true_cluster"))
    result = dedupe.find(table, now=SAMPLE_NOW)
    comparison = dedupe.what_if(
        table, now=SAMPLE_NOW, other=merge.MergePolicy(merge_max_inactivity_days=90)
    )
    arrivals = simulation.synthetic_arrivals(
        dt.date(2026, 11, 23), count=50, project="p", rng=random.Random(1)
    )
    owner = User(id="u1", roles=["super_user"])
    primary = Lead(id="P", project="x", status="claimed", owner="u1")
    secondary = Lead(id="S", project="x", status="claimed", owner="u1")
    records = [CrmRecord(id=f"r{i}", account_name="Acme") for i in range(3)]
    return [
        Verdict(allowed=False, reasons=[Reason(code="same_lead", message="<no>")]),
        linking.apply(primary, secondary, owner, "u1", now=NOW),
        linking.visibility(secondary, owner),
        merge.auto(inbound, [existing], now=NOW),
        merge.duplicates(inbound, [existing], now=NOW),
        merge.manual(existing, inbound),
        merge.manual(existing, inbound).record,
        merge.explain(inbound, existing, now=NOW),
        routing.eligible("digital", lead, agents, [], now=NOW),
        routing.check_wave("digital", lead, agents, [], [], ["a1"], now=NOW),
        routing.dispatch("digital", lead, agents, [], [], now=NOW, rng=random.Random(3)),
        routing.fresh_claim("a1", [], fresh_count=3, active_agents=2, now=NOW),
        routing.transfer(lead, agents[2], User(id="a1", roles=["agent"])),
        routing.diagnose(Agent(id="a9", active=False), "digital"),
        simulation.simulate(arrivals, agents, rng=random.Random(2)),
        handover.apply(sold, manager, "parent", orgs),
        handover.review(
            attrs.evolve(sold, org="parent"), User(id="pm", org="parent", roles=["manager"])
        ),
        related.find(Crm.SALESFORCE, records[0], records, connected=True),
        related.stop(["r1"], [related.CadenceMembership(lead="r1", cadence="c")]),
        table,
        result,
        comparison,
        result.explain("L00000003", "L00000036"),
        result.accuracy(),
        comparison.accuracy(),
    ]


EXAMPLES = _examples()


def test_every_result_type_has_an_example() -> None:
    """Each public class that shows itself is exercised here."""
    shown = {
        f"{module.__name__}:{name}"
        for module in map(
            importlib.import_module,
            (
                "leadcore.decisions",
                "leadcore.linking",
                "leadcore.merge",
                "leadcore.routing",
                "leadcore.simulation",
                "leadcore.handover",
                "leadcore.related",
                "leadcore.dedupe",
            ),
        )
        for name in module.__all__
        if isinstance(getattr(module, name), type)
        and issubclass(getattr(module, name), _display.Shown)
    }
    covered = {
        f"{module}:{type(example).__name__}"
        for example in EXAMPLES
        for module in (
            "leadcore.decisions",
            "leadcore.linking",
            "leadcore.merge",
            "leadcore.routing",
            "leadcore.simulation",
            "leadcore.handover",
            "leadcore.related",
            "leadcore.dedupe",
        )
    }

    assert shown <= covered, sorted(shown - covered)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: type(e).__name__)
def test_repr_is_short_and_html_is_a_summary_then_rows(example: object) -> None:
    """A headline in the repr; in HTML the summary comes first, every value escaped."""
    text = repr(example)
    shown = example._repr_html_()  # type: ignore[attr-defined]  # every example shows itself

    assert text.startswith(f"<{type(example).__name__}: ")
    assert len(text) < 5_000
    assert shown.startswith('<div class="leadcore-result">')
    assert f"<strong>{type(example).__name__}</strong>" in shown
    if "<caption>summary</caption>" in shown:
        assert shown.index("<table>") == shown.index("<table><caption>summary</caption>")
    assert "<no>" not in shown


def test_html_escapes_every_value() -> None:
    """Values that look like markup are shown as text."""
    reason = Reason(code="x", message="<script>alert(1)</script> & more")

    shown = Verdict(allowed=False, reasons=[reason])._repr_html_()

    assert "<script>" not in shown
    assert html.escape("<script>alert(1)</script> & more") in shown


def test_long_values_are_cut() -> None:
    """A 10,000-character value shows its first characters, not all of them."""
    reason = Reason(code="x", message="y" * 10_000)

    verdict = Verdict(allowed=False, reasons=[reason])

    assert len(repr(verdict)) < 300
    assert len(verdict._repr_html_()) < 600


# -- a million rows -----------------------------------------------------------------------

MILLION = 1_000_000


def _big_result() -> dedupe.DedupeResult:
    decision = dedupe.Decision(
        inbound="L0000001",
        existing="L0000002",
        action="merge",
        via="two_of_n",
        matched=("name", "email"),
        person="customer",
    )
    pair = dedupe.Pair(a="L0000001", b="L0000002", kind="merge", decisions=[decision])
    summary = dedupe.Summary(
        records=3 * MILLION,
        leads=3 * MILLION,
        bad_rows=MILLION,
        candidate_pairs=2 * MILLION,
        merge_pairs=MILLION,
        route_pairs=0,
        duplicate_pairs=0,
        clusters=MILLION,
        clustered_leads=2 * MILLION,
        largest_cluster=2,
        customers=2 * MILLION,
        generic_keys=MILLION,
    )
    return dedupe.DedupeResult(
        now=SAMPLE_NOW,
        policy=dedupe.DedupePolicy(),
        pairs=(pair,) * MILLION,
        clusters=(dedupe.Cluster(id="L0000001", members=("L0000001", "L0000002")),) * MILLION,
        generic_keys=(
            dedupe.GenericKey(
                kind="phone", key="+1" + "5" * 10, rows=200, pairs=0, handling="refined"
            ),
        )
        * MILLION,
        bad_rows=(
            dedupe.BadRow(row=1, line=2, field="id", value="x" * 9_000, message="has no lead id"),
        )
        * MILLION,
        summary=summary,
    )


@pytest.mark.unmeasured  # a million rows; the lines reached by smaller tests too
def test_a_million_rows_display_in_under_50_kb() -> None:
    """A million pairs, clusters, keys and bad rows: a few kilobytes either way."""
    result = _big_result()
    changes = (
        dedupe.PairChange(
            a="L1",
            b="L2",
            before="merge",
            after=None,
            decisions_before=result.pairs[0].decisions,
            decisions_after=(),
        ),
    ) * MILLION
    comparison = dedupe.PolicyComparison(before=result, after=result, changes=changes)
    error = dedupe.PairError(
        a="L1", b="L2", label_a="1", label_b="2", kind="merge", matched=("name",), same_cluster=True
    )
    scores = dedupe.Scores(true_positives=MILLION, false_positives=MILLION, false_negatives=MILLION)
    accuracy = dedupe.Accuracy(
        labels="true_cluster",
        kinds=("merge",),
        labelled=MILLION,
        unlabelled=0,
        pairwise=scores,
        clusters=scores,
        false_positives=(error,) * MILLION,
        false_negatives=(error,) * MILLION,
    )
    chunk = inputs.Chunk(
        rows=list(range(MILLION)),
        lines=[-1] * MILLION,
        ids=[f"L{i}" for i in range(MILLION)],
        first=["ada"] * MILLION,
        last=["lovelace"] * MILLION,
        emails=[("a@x.io",)] * MILLION,
        phones=[("+14158675309",)] * MILLION,
        co={},
        source=[None] * MILLION,
        lot=[None] * MILLION,
        created=[None] * MILLION,
        last_activity=[None] * MILLION,
        labels=[None] * MILLION,
        bad=[],
        naive=None,
        records=MILLION,
    )
    table = dedupe.LeadTable(
        records=MILLION, bad_rows=result.bad_rows, region="US", kind="rows", data=chunk
    )
    # A day of routing has at most 100,000 agents (GEN-5): the largest report there is.
    agents = {f"a{i:06}": i % 7 for i in range(100_000)}
    report = simulation.SimulationReport(
        leads=MILLION,
        claimed=MILLION,
        fresh=0,
        leads_by_channel={"digital": MILLION},
        fresh_by_channel={},
        claimed_in_wave=(MILLION, 0),
        time_to_claim=simulation.Percentiles.of([1.0, 2.0]),
        claims_per_agent=agents,
        offers_per_agent=agents,
        routable_agents=tuple(agents),
        gini=0.1,
        rejected={},
    )

    for big in (result, comparison, accuracy, table, report):
        assert len(repr(big)) < LIMIT, type(big).__name__
        assert len(big._repr_html_()) < LIMIT, type(big).__name__
