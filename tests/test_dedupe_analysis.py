"""
The analyst's questions on a dedupe result: a pair by ids, a lead's customer, why (not), accuracy.

``DedupeResult.pair``, ``cluster_of``, ``explain`` (MRG-1 to MRG-7, both directions and
both modes, values as entered) and ``accuracy`` against a ground-truth column.
"""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest

from leadcore import dedupe
from leadcore.errors import InvalidInput
from leadcore.merge import MatchRule, MergePolicy
from leadcore.model import Lead
from tests.helpers import NOW, at, lead, person

SAMPLE = Path(str(resources.files("leadcore").joinpath("data", "sample_leads.csv")))
SAMPLE_NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def recent(lead_id: str, **fields: Any) -> Lead:
    """A lead created 10 days ago and active yesterday: a candidate for every window."""
    return lead(lead_id, created_at=at(10), last_activity_at=at(1), **fields)


@pytest.fixture(scope="module")
def sample() -> dedupe.DedupeResult:
    """The bundled sample, found once, its labels read with it."""
    table = dedupe.load(SAMPLE, tz="UTC", columns=dedupe.Columns(labels="true_cluster"))
    return dedupe.find(table, now=SAMPLE_NOW)


COLUMNS_OFF = [
    f"{f}="
    for f in (
        "phones",
        "co_first_name",
        "co_last_name",
        "co_emails",
        "co_phones",
        "source",
        "lot",
        "created_at",
        "last_activity_at",
    )
]
"""Map away every default column a small test file does not have."""

ADA = person("Ada", "Lovelace", emails=("ada@x.io",), phones=("(415) 867-5309",))


class TestLookups:
    """A pair by its leads' ids, a lead's cluster."""

    def test_pair_in_either_order(self) -> None:
        """MRG-1: the pair of two leads, whichever id comes first; None when not a pair."""
        result = dedupe.find(
            [recent("A", customer=ADA), recent("B", customer=ADA), recent("C")], now=NOW
        )

        found = result.pair("B", "A")

        assert found is not None
        assert (found.a, found.b, found.kind) == ("A", "B", "merge")
        assert result.pair("A", "B") is found
        assert result.pair("A", "C") is None

    def test_unknown_or_same_ids_are_input_errors(self) -> None:
        """GEN-5: a lead not in the table, or a lead with itself, is refused naming it."""
        result = dedupe.find([recent("A", customer=ADA), recent("B", customer=ADA)], now=NOW)

        with pytest.raises(InvalidInput) as unknown:
            result.pair("A", "Z")
        with pytest.raises(InvalidInput) as same:
            result.pair("A", "A")
        with pytest.raises(InvalidInput) as cluster:
            result.cluster_of("Z")

        assert (unknown.value.path, unknown.value.problems[0].value) == ("b", "Z")
        assert same.value.path == "b"
        assert cluster.value.path == "lead_id"

    def test_cluster_of_a_lead_alone_is_itself(self) -> None:
        """Clusters: a lead in no cluster is a customer of its own."""
        result = dedupe.find(
            [recent("B", customer=ADA), recent("A", customer=ADA), recent("C")], now=NOW
        )

        assert result.cluster_of("B") == dedupe.Cluster(id="A", members=("A", "B"))
        assert result.cluster_of("C") == dedupe.Cluster(id="C", members=("C",))

    def test_lookups_on_the_sample_agree_with_the_lists(self, sample: dedupe.DedupeResult) -> None:
        """Every listed pair is found by its ids; every member finds its cluster."""
        for pair in sample.pairs:
            assert sample.pair(pair.b, pair.a) is pair
        for cluster in sample.clusters:
            for member in cluster.members:
                assert sample.cluster_of(member) is cluster


class TestExplain:
    """Why two leads of the table are a pair, or not."""

    def test_a_pair_is_explained_both_ways(self) -> None:
        """MRG-1: the four decisions agree with the pair's decisions."""
        result = dedupe.find([recent("A", customer=ADA), recent("B", customer=ADA)], now=NOW)

        why = result.explain("B", "A")

        assert (why.a, why.b, why.kind) == ("A", "B", "merge")
        assert [(x.inbound, x.mode, x.outcome) for x in why.directions] == [
            ("A", "auto", "merge"),
            ("A", "duplicates", "duplicate"),
            ("B", "auto", "merge"),
            ("B", "duplicates", "duplicate"),
        ]
        assert why.closest is None
        assert why.summary().startswith("A and B: merge")

    def test_not_a_pair_names_the_closest_group_and_the_values(self) -> None:
        """MRG-1, MRG-7: one condition short: which condition failed, on which values."""
        one = person("Ada", "Lovelace", emails=("ada@x.io",))
        two = person("Ada", "Byron", emails=("ADA@X.IO ",))
        result = dedupe.find([recent("A", customer=one), recent("B", customer=two)], now=NOW)

        why = result.explain("A", "B")

        assert why.pair is None
        assert why.closest_group == "two_of_n"
        nearest = why.closest
        assert nearest is not None
        name = nearest.condition("name")
        assert (name.holds, name.inbound, name.existing) == (
            False,
            ("Ada", "Lovelace"),
            ("Ada", "Byron"),
        )
        email = nearest.condition("email")
        assert (email.holds, email.inbound, email.existing, email.common) == (
            True,
            ("ada@x.io",),
            ("ADA@X.IO ",),
            ("ada@x.io",),
        )
        assert "not a pair" in why.summary()

    def test_windows_are_named_when_they_block(self) -> None:
        """MRG-3: matching leads outside the windows: the guard is named, not the conditions."""
        result = dedupe.find(
            [
                lead("A", customer=ADA, created_at=at(400), last_activity_at=at(200)),
                lead("B", customer=ADA, created_at=at(400), last_activity_at=at(200)),
            ],
            now=NOW,
        )

        why = result.explain("A", "B")

        assert why.pair is None
        assert all(x.matches for x in why.directions)
        assert why.closest_group is None
        codes = {r.code for x in why.directions for r in x.blocked_by}
        assert codes == {"created_too_long_ago", "no_recent_activity"}

    def test_credit_applications_are_named(self) -> None:
        """MRG-2: two credit applications route; the guard is named."""
        leads = [
            recent("A", customer=ADA, source="credit_application"),
            recent("B", customer=ADA, source="credit_application"),
        ]

        why = dedupe.find(leads, now=NOW).explain("A", "B")

        assert why.kind == "route"
        assert why.directions[0].blocked_by[0].code == "both_credit_applications"

    def test_values_as_entered_from_a_file(self, sample: dedupe.DedupeResult) -> None:
        """A CSV input is read again: the values shown are the file's, not normal forms."""
        with SAMPLE.open(encoding="utf-8") as handle:
            row = next(r for r in csv.DictReader(handle) if r["lead_id"] == "L00000003")

        why = sample.explain("L00000003", "L00000036")

        assert why.as_entered
        assert why.leads[0].customer.first_name == row["first_name"]
        assert why.directions[0].condition("phone").inbound == (row["phone"],)

    def test_normal_forms_when_the_input_cannot_be_read_again(self) -> None:
        """A generator is read once: the explanation says it shows normal forms."""
        rows = [
            {
                "lead_id": "A",
                "first_name": "ADA",
                "last_name": "Lovelace",
                "email": "ada@x.io",
                "created_at": "2026-11-01T00:00Z",
                "last_activity_at": "2026-11-20T00:00Z",
            },
            {"lead_id": "B", "first_name": "Ada", "last_name": "LOVELACE", "email": "ada@x.io"},
        ]

        why = dedupe.find(iter(rows), now=NOW).explain("A", "B")

        assert not why.as_entered
        assert why.leads[0].customer.first_name == "ada"

    def test_rule_fields_as_entered(self) -> None:
        """A rule's lead field and custom fields are read again as entered; blanks left out."""
        recently = {"created_at": at(10).isoformat(), "last_activity_at": at(1).isoformat()}
        rows = [
            {"lead_id": "A", "last_name": "Lee", "vin": "VF1 AB", "project": "p1", "zip": ""},
            {"lead_id": "B", "last_name": "Stone", "vin": "VF1 AB", "project": "p1", "zip": "75"},
        ]
        rows = [row | recently for row in rows]
        rule = MatchRule.from_json(
            {"any_of": [{"label": "vin", "all_of": ["fields.vin", "project"]}]}
        )
        columns = dedupe.Columns(fields=["vin", "zip"], project="project")

        result = dedupe.find(
            rows, now=NOW, policy=MergePolicy(duplicate_rule=rule), columns=columns
        )
        why = result.explain("A", "B")

        assert [(p.a, p.b, p.kind) for p in result.pairs] == [("A", "B", "duplicate")]
        assert why.as_entered
        assert [(lead.project, dict(lead.fields)) for lead in why.leads] == [
            ("p1", {"vin": "VF1 AB"}),
            ("p1", {"vin": "VF1 AB", "zip": "75"}),
        ]

    def test_a_changed_file_is_not_read_for_another_lead(self, tmp_path: Path) -> None:
        """Values read again must be the table's lead: a file changed since is not trusted."""
        path = tmp_path / "leads.csv"
        path.write_text(
            "lead_id,first_name,last_name,email\nA,Ada,Lovelace,ada@x.io\n"
            "B,Ada,Lovelace,ada@x.io\n",
            encoding="utf-8",
        )
        table = dedupe.load(path, columns=dedupe.Columns.parse(COLUMNS_OFF))
        result = dedupe.find(table, now=NOW)
        path.write_text(
            "lead_id,first_name,last_name,email\nA,Bob,Stone,bob@x.io\nB,Ada,Lovelace,ada@x.io\n",
            encoding="utf-8",
        )

        why = result.explain("A", "B")

        assert not why.as_entered
        assert why.leads[0].customer.first_name == "ada"

    def test_excluded_generic_keys_are_left_out_as_the_run_did(self) -> None:
        """Generic keys under ``exclude``: the explanation agrees with the pairs."""
        shared = "+14155550100"
        leads = [
            recent(
                f"L{i:03}", customer=person(f"N{i}", "X", phones=(shared,), emails=(f"e{i}@x.io",))
            )
            for i in range(4)
        ]
        leads.append(recent("L900", customer=person("N0", "X", phones=(shared,))))
        policy = dedupe.DedupePolicy(generic_key_rows=3, generic_keys="exclude")

        result = dedupe.find(leads, now=NOW, policy=policy)
        why = result.explain("L000", "L900")

        assert [k.key for k in why.excluded_keys] == [shared]
        assert why.pair is None
        assert not any(x.condition("phone").holds for x in why.directions)

    def test_explain_needs_the_table(self) -> None:
        """A result built by hand has no table to explain from: a clear error."""
        result = dedupe.find([recent("A"), recent("B")], now=NOW)
        bare = attrs.evolve(result, table=None)

        with pytest.raises(InvalidInput, match="holds no table"):
            bare.explain("A", "B")
        assert bare.pair("A", "B") is None


class TestAccuracy:
    """Precision, recall and F1 against ground truth."""

    def leads(self) -> list[Lead]:
        """Three people: P1 twice (found), P2 twice (missed), P3 with a namesake trap."""
        trap = person("Sam", "Lee", phones=("4155550199",))
        return [
            recent("A", customer=ADA, fields={"truth": "P1"}),
            recent("B", customer=ADA, fields={"truth": "P1"}),
            recent("C", customer=person("Bo", "Ng", emails=("bo@x.io",)), fields={"truth": "P2"}),
            recent("D", customer=person("Bo", "Ng", emails=("bo@y.io",)), fields={"truth": "P2"}),
            recent("E", customer=trap, fields={"truth": "P3"}),
            recent("F", customer=trap, fields={"truth": "P4"}),
            recent("G", customer=person("No", "Label")),
        ]

    def test_pairwise_and_cluster_scores(self) -> None:
        """Counts, precision, recall, F1; unlabelled leads are left out."""
        result = dedupe.find(self.leads(), now=NOW)

        accuracy = result.accuracy("truth")

        assert (accuracy.labelled, accuracy.unlabelled) == (6, 1)
        assert accuracy.pairwise == dedupe.Scores(
            true_positives=1, false_positives=1, false_negatives=1
        )
        assert accuracy.pairwise.precision == 0.5
        assert accuracy.pairwise.recall == 0.5
        assert accuracy.pairwise.f1 == 0.5
        assert [(e.a, e.b, e.label_a, e.label_b, e.kind) for e in accuracy.false_positives] == [
            ("E", "F", "P3", "P4", "merge")
        ]
        assert [(e.a, e.b, e.same_cluster) for e in accuracy.false_negatives] == [("C", "D", False)]

    def test_clusters_count_pairs_joined_through_others(self) -> None:
        """A chain A-B, B-C puts A and C together: a true pair clusters recover."""
        one = person("Ada", "Lovelace", emails=("ada@x.io",))
        two = person("Ada", "Lovelace", phones=("4158675309",), emails=("ada@x.io",))
        three = person("Ada", "Lovelace", phones=("4158675309",))
        leads = [
            recent("A", customer=one, fields={"t": "1"}),
            recent("B", customer=two, fields={"t": "1"}),
            recent("C", customer=three, fields={"t": "1"}),
        ]
        policy = MergePolicy(
            auto_merge_conditions=("email", "phone"),
            auto_merge_min_conditions=1,
            duplicate_conditions=("email", "phone"),
            duplicate_min_conditions=2,
        )

        accuracy = dedupe.find(leads, now=NOW, policy=policy).accuracy("t")

        assert accuracy.pairwise.false_negatives == 1
        assert accuracy.clusters == dedupe.Scores(
            true_positives=3, false_positives=0, false_negatives=0
        )
        assert accuracy.false_negatives[0].same_cluster

    def test_labels_from_columns_a_mapping_or_the_source(self, sample: dedupe.DedupeResult) -> None:
        """The label column read with the table, re-read from the file, or a mapping agree."""
        with SAMPLE.open(encoding="utf-8") as handle:
            truth = {r["lead_id"]: r["true_cluster"] for r in csv.DictReader(handle)}
        unread = dedupe.find(SAMPLE, now=SAMPLE_NOW, tz="UTC")

        loaded = sample.accuracy()
        reread = unread.accuracy("true_cluster")
        mapped = unread.accuracy(truth)

        assert loaded.pairwise == reread.pairwise == mapped.pairwise
        assert loaded.clusters == reread.clusters == mapped.clusters
        assert loaded.pairwise.true_positives == sample.summary.merge_pairs
        assert mapped.labels == "mapping"

    def test_what_if_accuracy(self, sample: dedupe.DedupeResult) -> None:
        """The same scores for both policies of a what-if."""
        table = sample.leads
        assert table is not None
        wider = MergePolicy(merge_max_inactivity_days=3650, merge_max_age_days=3650)

        comparison = dedupe.what_if(table, now=SAMPLE_NOW, other=wider).accuracy()

        assert comparison.after.pairwise.recall is not None
        assert comparison.before.pairwise.recall is not None
        assert comparison.after.pairwise.recall > comparison.before.pairwise.recall
        scores = comparison.table("scores")
        assert [(r["policy"], r["level"]) for r in scores] == [
            ("before", "pairwise"),
            ("before", "clusters"),
            ("after", "pairwise"),
            ("after", "clusters"),
        ]

    def test_tables(self) -> None:
        """``table(name)`` as on every result."""
        accuracy = dedupe.find(self.leads(), now=NOW).accuracy("truth")

        scores = accuracy.table("scores")
        positives = accuracy.table("false_positives")

        assert scores[0]["level"] == "pairwise"
        assert scores[0]["precision"] == 0.5
        assert positives == [
            {
                "lead_a": "E",
                "lead_b": "F",
                "label_a": "P3",
                "label_b": "P4",
                "kind": "merge",
                "matched": "name+name_fuzzy+phone",
                "same_cluster": True,
            }
        ]
        with pytest.raises(InvalidInput):
            accuracy.table("pairs")

    def test_no_label_column_is_a_clear_error(self) -> None:
        """Without a label column, the error says how to name one."""
        result = dedupe.find(iter([{"lead_id": "A"}, {"lead_id": "B"}]), now=NOW)

        with pytest.raises(InvalidInput, match="Columns\\(labels="):
            result.accuracy()
        with pytest.raises(InvalidInput, match="cannot be read"):
            result.accuracy("true_cluster")
        with pytest.raises(InvalidInput, match="not a column"):
            dedupe.find(SAMPLE, now=SAMPLE_NOW, tz="UTC").accuracy("nope")
        with pytest.raises(InvalidInput) as kinds:
            dedupe.find(SAMPLE, now=SAMPLE_NOW, tz="UTC").accuracy("true_cluster", kinds=["x"])  # type: ignore[list-item]  # on purpose
        assert kinds.value.path == "kinds"

    @pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
    def test_labels_from_a_dataframe(self, library: str, sample: dedupe.DedupeResult) -> None:
        """Dataframes: the label column is read like the others, and read again."""
        pandas = pytest.importorskip("pandas")
        frame = pandas.read_csv(SAMPLE, dtype=str, keep_default_na=False)
        if library == "polars":
            frame = pytest.importorskip("polars").from_pandas(frame)
        elif library == "pyarrow":
            frame = pytest.importorskip("pyarrow").Table.from_pandas(frame)

        result = dedupe.find(frame, now=SAMPLE_NOW, tz="UTC")

        assert result.accuracy("true_cluster").pairwise == sample.accuracy().pairwise
        why = result.explain("L00000003", "L00000036")
        assert why.as_entered
