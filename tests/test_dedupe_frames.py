"""
Dataframes in batch dedupe (``leadcore._dedupe.frames``) and leads read again (``raw``).

pandas' missing values of every kind, polars' lazy frames, frames read through narwhals,
a library that is not installed, and a source that changed since it was loaded: the
table then gives the lead as its normal forms, never another lead's values.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from leadcore import dedupe
from leadcore._dedupe import frames
from leadcore.errors import InvalidInput
from tests.helpers import NOW

ROWS = [
    {
        "lead_id": "A",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ADA@x.io",
        "created_at": "2026-11-01T00:00Z",
        "last_activity_at": "2026-11-20T00:00Z",
    },
    {
        "lead_id": "B",
        "first_name": "ADA",
        "last_name": "lovelace",
        "email": "ada@x.io",
        "created_at": "2026-11-02T00:00Z",
        "last_activity_at": "2026-11-20T00:00Z",
    },
]
"""Two leads of one customer (name and email: an auto-merge), written differently."""

OFF = ("phones", "co_first_name", "co_last_name", "co_emails", "co_phones", "source", "lot")
COLUMNS = dedupe.Columns.parse([f"{f}=" for f in OFF])
"""The columns of :data:`ROWS`; the others are mapped to nothing."""


def _pandas(rows: list[dict[str, Any]] = ROWS) -> Any:
    pandas = pytest.importorskip("pandas")
    return pandas.DataFrame(rows)


class TestPandasMissingValues:
    """pandas marks missing values as None, NaN, NaT or NA: each is a missing value."""

    def test_na_of_a_nullable_string_column_is_missing_not_text(self) -> None:
        """Two leads with NA names and one email: no name in common, so no auto-merge."""
        pandas = pytest.importorskip("pandas")
        frame = _pandas()
        for name in ("first_name", "last_name"):
            frame[name] = pandas.array([None, None], dtype="string")

        table = dedupe.load(frame, columns=COLUMNS)
        result = dedupe.find(table, now=NOW)

        assert table.lead("A").customer.first_name is None
        assert table.lead("A").customer.last_name is None
        assert [p.kind for p in result.pairs] == []

    def test_an_array_in_a_cell_is_a_value(self) -> None:
        """An array compares element by element: it is kept as the cell's value."""
        numpy = pytest.importorskip("numpy")
        frame = _pandas()
        frame["tags"] = [numpy.array(["a", "b"]), None]

        values = frames.column(frame, "tags")

        assert values[0].tolist() == ["a", "b"]  # type: ignore[attr-defined]  # an array
        assert values[1] is None


class TestReadAgain:
    """``LeadTable.lead``: the values as entered, or the normal forms when they cannot be."""

    def test_a_polars_lazy_frame_is_read_again(self) -> None:
        """A LazyFrame is collected for the one row: the values as the frame holds them."""
        polars = pytest.importorskip("polars")
        frame = polars.DataFrame(ROWS).lazy()

        table = dedupe.load(frame, columns=COLUMNS)

        assert table.lead("B").customer.first_name == "ADA"
        assert table.lead("B").customer.emails == ("ada@x.io",)

    def test_a_frame_changed_since_gives_the_normal_forms(self) -> None:
        """A column deleted from the pandas frame after loading: the table's normal forms."""
        frame = _pandas()
        table = dedupe.load(frame, columns=COLUMNS)
        del frame["email"]

        lead = table.lead("B")

        assert lead.customer.first_name == "ada"
        assert lead.customer.emails == ("ada@x.io",)

    def test_a_deleted_file_gives_the_normal_forms(self, tmp_path: Path) -> None:
        """The CSV file is gone: the lead comes from the table, folded."""
        path = tmp_path / "leads.csv"
        _pandas().to_csv(path, index=False)
        table = dedupe.load(path, columns=COLUMNS)
        path.unlink()

        assert table.lead("A").customer.first_name == "ada"

    def test_a_shortened_file_gives_the_normal_forms(self, tmp_path: Path) -> None:
        """The CSV file lost its last lines: the lead's line is past its end."""
        path = tmp_path / "leads.csv"
        _pandas().to_csv(path, index=False)
        table = dedupe.load(path, columns=COLUMNS)
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")

        assert table.lead("B").customer.first_name == "ada"

    def test_a_longer_header_since_gives_the_normal_forms(self, tmp_path: Path) -> None:
        """The header now runs over the lead's line: what is there is not a record."""
        path = tmp_path / "leads.csv"
        _pandas().to_csv(path, index=False)
        table = dedupe.load(path, columns=COLUMNS)
        text = path.read_text(encoding="utf-8")
        path.write_text('"' + text.replace("\n", "\n", 1).replace(",", '\n",', 1), "utf-8")

        assert table.lead("A").customer.first_name == "ada"

    def test_a_line_in_a_later_block_of_a_large_file_is_found(self, tmp_path: Path) -> None:
        """A lead past the first 4 MiB of the file is read again from its own line."""
        path = tmp_path / "leads.csv"
        filler = ",".join(["x" * 9_000] * 4)  # four columns of notes, each under 10,000
        header = "lead_id,first_name,last_name,email,created_at,last_activity_at"
        lines = [header + ",n1,n2,n3,n4"]
        lines += [
            f"F{i},Fill,Er{i},f{i}@x.io,2026-11-01T00:00Z,2026-11-20T00:00Z,{filler}"
            for i in range(130)
        ]
        lines.append("Z,Zoë,Quinn,zq@x.io,2026-11-01T00:00Z,2026-11-20T00:00Z,,,,")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert path.stat().st_size > 1 << 22

        table = dedupe.load(path, columns=COLUMNS)

        assert table.lead("Z").customer.first_name == "Zoë"
        assert table.lead("F129").customer.last_name == "Er129"


class TestLabelsFromTheSource:
    """A label column not read with the leads is read again, and must exist."""

    def test_a_missing_column_of_mappings_is_named(self) -> None:
        """Mappings without the column: the error names it under ``labels``."""
        result = dedupe.find(ROWS, now=NOW, columns=COLUMNS)

        with pytest.raises(InvalidInput) as caught:
            result.accuracy("true_cluster")

        assert caught.value.problems[0].path == "labels"
        assert caught.value.problems[0].value == "true_cluster"
        assert "is not a column of the input" in caught.value.problems[0].message

    def test_a_missing_column_of_a_frame_is_named(self) -> None:
        """A pandas frame without the column: the same error."""
        result = dedupe.find(_pandas(), now=NOW, columns=COLUMNS)

        with pytest.raises(InvalidInput) as caught:
            result.accuracy("true_cluster")

        assert caught.value.problems[0].path == "labels"
        assert caught.value.problems[0].value == "true_cluster"


class TestNarwhals:
    """Frames of other libraries are read through narwhals, when it is installed."""

    def test_a_narwhals_frame_gives_the_pandas_answers(self) -> None:
        """Read column by column through narwhals; not read again (normal forms)."""
        narwhals = pytest.importorskip("narwhals")
        frame = narwhals.from_native(_pandas(), eager_only=True)

        result = dedupe.find(frame, now=NOW, columns=COLUMNS)

        assert [(p.a, p.b, p.kind) for p in result.pairs] == [("A", "B", "merge")]
        assert result.leads is not None
        assert result.leads.lead("A").customer.first_name == "ada"

    def test_without_narwhals_the_error_says_what_to_install(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An Arrow stream that is not a table, narwhals missing: a clear InvalidInput."""
        pyarrow = pytest.importorskip("pyarrow")
        stream = pyarrow.Table.from_pylist(ROWS).to_reader()
        monkeypatch.setitem(sys.modules, "narwhals", None)

        with pytest.raises(InvalidInput) as caught:
            dedupe.load(stream, columns=COLUMNS)

        problem = caught.value.problems[0]
        assert (problem.path, problem.value) == ("source", "RecordBatchReader")
        assert "install narwhals" in problem.message


class TestBuild:
    """Results as a kind of table whose library is not installed."""

    def test_a_table_kind_not_installed_is_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """kind='polars' without polars: InvalidInput naming the kind and the install."""
        result = dedupe.find(ROWS, now=NOW, columns=COLUMNS)
        monkeypatch.setitem(sys.modules, "polars", None)

        with pytest.raises(InvalidInput) as caught:
            result.table("pairs", kind="polars")

        problem = caught.value.problems[0]
        assert (problem.path, problem.value) == ("kind", "polars")
        assert problem.message == "needs polars, which is not installed (pip install polars)"
