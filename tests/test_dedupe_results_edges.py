"""
Dedupe results at the edges: what an analyst may mistype, and scores of nothing found.

Each refusal names the argument (its path) and the value given; the accuracy of a run
that found no pair has no precision and no F1 (None), not a division by zero.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from leadcore import dedupe
from leadcore._dedupe import frames, results
from leadcore.errors import InvalidInput

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ROWS = [
    {"lead_id": key, "first_name": first, "last_name": "Lee", "email": f"{key}@x.io", "lbl": "1"}
    for key, first in (("A", "Ann"), ("B", "Bob"), ("C", "Cy"))
]
"""Three leads of one labelled customer that share nothing the rules compare."""


@pytest.fixture(scope="module")
def result() -> dedupe.DedupeResult:
    """The rows found once (no pair)."""
    return dedupe.find(ROWS, now=NOW)


def _problem(caught: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, object, str]:
    problem = caught.value.problems[0]
    return problem.path, problem.value, problem.message


def test_columns_parse_names_every_bad_item() -> None:
    """An unknown field and an item without '=': one problem each, at their positions."""
    with pytest.raises(InvalidInput) as caught:
        dedupe.Columns.parse(["nope=x", "id"])

    assert [(p.path, p.value) for p in caught.value.problems] == [
        ("columns[0]", "nope=x"),
        ("columns[1]", "id"),
    ]
    assert caught.value.problems[0].message.startswith("must be FIELD=COLUMN with FIELD one of")


class TestRefusals:
    """Arguments of the analysis methods, refused with their names and values."""

    def test_labels_that_are_not_a_column_or_mapping(self, result: dedupe.DedupeResult) -> None:
        """accuracy(3): labels must be a column name or a mapping."""
        with pytest.raises(InvalidInput) as caught:
            result.accuracy(3)  # type: ignore[arg-type]  # on purpose

        assert _problem(caught) == (
            "labels",
            3,
            "must be a column name or a mapping of lead ids to labels",
        )

    def test_a_lead_id_that_is_not_text(self, result: dedupe.DedupeResult) -> None:
        """pair(1, 'A'): the first id, named ``a``."""
        with pytest.raises(InvalidInput) as caught:
            result.pair(1, "A")  # type: ignore[arg-type]  # on purpose

        assert _problem(caught) == ("a", 1, "must be a lead id (a non-empty string)")

    def test_a_negative_limit(self, result: dedupe.DedupeResult) -> None:
        """accuracy(limit=-1): a whole number, 0 or more."""
        with pytest.raises(InvalidInput) as caught:
            result.accuracy("lbl", limit=-1)

        assert _problem(caught) == ("limit", -1, "must be a whole number, 0 or more")

    def test_an_unknown_table_kind(self, result: dedupe.DedupeResult) -> None:
        """table(kind='nope'): one of the kinds."""
        with pytest.raises(InvalidInput) as caught:
            result.table("pairs", kind="nope")  # type: ignore[arg-type]  # on purpose

        assert _problem(caught) == ("kind", "nope", "must be one of rows, pandas, polars, pyarrow")

    def test_records_of_an_unknown_table(self, result: dedupe.DedupeResult) -> None:
        """The CLI's records of a table: refused for a name not in TABLES, as table() does."""
        with pytest.raises(InvalidInput) as caught:
            results.records(result, "nope")

        path, value, message = _problem(caught)
        assert (path, value) == ("name", "nope")
        assert message.startswith("must be one of pairs, decisions")


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_an_accuracy_table_of_a_library_holds_the_rows(
    result: dedupe.DedupeResult, kind: str
) -> None:
    """Accuracy tables as dataframes: the rows' columns, values and order (None kept)."""
    accuracy = result.accuracy("lbl")
    rows = accuracy.table("false_negatives")

    table = accuracy.table("false_negatives", kind=kind)  # type: ignore[arg-type]  # a kind

    assert len(rows) == 3
    if kind == "pandas":
        found = table.astype(object).where(table.notna(), None).to_dict("records")
    elif kind == "polars":
        found = table.to_dicts()
    else:
        found = table.to_pylist()
    assert found == rows


def test_a_run_without_pairs_has_no_precision_and_lists_its_misses_up_to_the_limit(
    result: dedupe.DedupeResult,
) -> None:
    """Nothing found: precision and F1 None, recall 0; limit=1 lists one missed pair."""
    accuracy = result.accuracy("lbl", limit=1)

    scores = accuracy.pairwise
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (0, 0, 3)
    assert (scores.precision, scores.recall, scores.f1) == (None, 0.0, None)
    assert [(e["lead_a"], e["lead_b"]) for e in accuracy.table("false_negatives")] == [("A", "B")]


def test_a_mapped_lead_field_is_read_with_the_leads() -> None:
    """Columns(project='Project'): a lead field a rule may compare, read from its column."""
    rows = [{"lead_id": "A", "first_name": "Ann", "last_name": "Lee", "Project": "tower-a"}]

    table = dedupe.load(rows, columns=dedupe.Columns(project="Project"))

    assert table.lead("A").project == "tower-a"


def test_an_explanation_shows_the_generic_keys_the_run_left_out() -> None:
    """generic_keys='exclude': the shared phone is named among the explanation's facts."""
    from leadcore.model import Lead, Person  # noqa: PLC0415  # this test's leads only

    shared = "+14155550100"

    def recent(lead_id: str, person: Person) -> Lead:
        return Lead(
            id=lead_id,
            customer=person,
            created_at=NOW - dt.timedelta(days=10),
            last_activity_at=NOW - dt.timedelta(days=1),
        )

    leads = [
        recent(
            f"L{i}",
            Person(first_name=f"N{i}", last_name="X", phones=[shared], emails=[f"e{i}@x.io"]),
        )
        for i in range(4)
    ]
    leads.append(recent("L9", Person(first_name="N0", last_name="X", phones=[shared])))
    policy = dedupe.DedupePolicy(generic_key_rows=3, generic_keys="exclude")

    why = dedupe.find(leads, now=NOW, policy=policy).explain("L0", "L9")

    assert repr(why).splitlines()[1] == (
        "  kind=, as_entered=yes, closest_group=two_of_n, excluded_keys=+14155550100"
    )


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_a_table_of_texts_that_are_not_unicode_is_refused_by_name(kind: str) -> None:
    """
    Lead ids with a lone surrogate (mappings may carry one): no Arrow-backed table holds them.

    The table is refused with the column named and kind='rows' offered, which holds them;
    a nested value (a decision's matched conditions) is looked into, and a failure no
    value explains is still the library's error.
    """
    at = "2025-06-01T00:00:00+00:00"
    rows = [
        {"lead_id": f"L{i}\ud800", "email": "a@x.io", "phone": "4158675309"}
        | {"first_name": "Ann", "last_name": "Ng", "created_at": at, "last_activity_at": at}
        for i in range(3)
    ]
    result = dedupe.find(rows, now=dt.datetime(2025, 7, 1, tzinfo=dt.UTC))

    with pytest.raises(InvalidInput) as caught:
        result.table("pairs", kind=kind)  # type: ignore[arg-type]  # one of the kinds

    [problem] = caught.value.problems
    assert (problem.path, problem.value) == ("kind", kind)
    assert problem.message.startswith("cannot hold column 'lead_a': it holds a lone surrogate")
    assert len(result.table("pairs", kind="rows")) == 3  # every pair
    assert frames._not_unicode(["ok", ("x", "\ud800")])
    assert not frames._not_unicode(("ok", 1))
    broken = UnicodeEncodeError("utf-8", "x", 0, 1, "not encodable")
    with mock.patch("importlib.import_module") as module:
        module.return_value.table.side_effect = broken
        module.return_value.DataFrame.side_effect = broken
        with pytest.raises(InvalidInput, match="cannot hold a value: it holds a lone surrogate"):
            frames.build_columns(kind, ["n"], [[1]], rows=1)  # type: ignore[arg-type]  # a kind
