"""
Batch dedupe's readers (``leadcore._dedupe.inputs`` and ``load``) given cells of any type.

Mappings and dataframes hold numbers, NaN and datetimes, not only text: text fields
take the number's text, NaN is a missing value, and a timestamp of another type is a
bad row naming the field and the value (never a crash, never a guess).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from leadcore import dedupe, normalize
from leadcore._dedupe import inputs
from leadcore.model import Lead, Person
from tests.test_dedupe_csv import COLUMNS

ROWS = [
    {
        "lead_id": "A",
        "first_name": 5,
        "last_name": "Lee",
        "email": "a@x.io",
        "created_at": float("nan"),
        "last_activity_at": float("nan"),
    },
    {"lead_id": "B", "first_name": "Bo", "last_name": "Lee", "created_at": 12345},
    {
        "lead_id": "C",
        "first_name": "Cy",
        "last_name": "Lee",
        "phone": 4158675309,
        "created_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    },
]


def test_cells_of_other_types_in_mappings() -> None:
    """A number as a name or phone is its text; NaN dates are missing; an int date is bad."""
    table = dedupe.load(ROWS)

    assert list(table.ids) == ["A", "C"]
    assert [(b.row, b.field, b.value, b.message) for b in table.bad_rows] == [
        (1, "created_at", 12345, "must be a date-time, not int")
    ]
    assert table.lead("A").customer.first_name == "5"
    assert table.lead("A").created_at is None
    assert table.lead("C").customer.phones == ("4158675309",)
    assert table.lead("C").created_at == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def test_a_not_a_time_cell_of_a_mapping_is_a_missing_timestamp() -> None:
    """
    Rows from ``DataFrame.to_dict("records")`` hold pandas' NaT for a missing time.

    NaT is a datetime that differs from itself: the timestamp is missing, the row is kept.
    """
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(
        {
            "lead_id": ["A", "B"],
            "created_at": [pandas.NaT, pandas.Timestamp("2025-01-01", tz="UTC")],
        }
    )

    table = dedupe.load(frame.to_dict("records"))

    assert list(table.ids) == ["A", "B"]
    assert table.bad_rows == ()
    assert [table.lead(i).created_at for i in table.ids] == [
        None,
        dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    ]


def test_labels_of_leads_are_the_texts_of_their_values() -> None:
    """A label field of a Lead holds any JSON value: a number is its text, absent is None."""
    leads = [
        Lead(id="A", fields={"truth": 7}),
        Lead(id="B", fields={"truth": "x"}),
        Lead(id="C"),
        Lead(id="D", fields={"truth": " "}),
    ]

    table = dedupe.load(leads, columns=dedupe.Columns(labels="truth"))

    assert table.labels_for(None) == ("truth", ["7", "x", None, None])


def test_a_csv_changed_since_loading_gives_the_normal_forms(tmp_path: Path) -> None:
    """
    A line changed since loading into one that makes no valid lead: the normal forms.

    A lead is shown as entered when its line reads again as that lead; a line holding a
    name over 10,000 characters gives the table's normal forms (folded names, E.164
    phones), not an error.
    """
    path = tmp_path / "leads.csv"
    header = "lead_id,first_name,last_name,email,phone\n"
    path.write_text(header + "A,Ann,Lee,ann@x.io,4158675309\nB,Bo,Ng,,\n")
    table = dedupe.load(path, columns=COLUMNS)
    assert table.lead("A").customer == Person(
        first_name="Ann", last_name="Lee", emails=["ann@x.io"], phones=["4158675309"]
    )

    path.write_text(header + f"A,{'x' * 10_001},Lee,ann@x.io,4158675309\nB,Bo,Ng,,\n")

    assert table.lead("A").customer == Person(
        first_name="ann", last_name="lee", emails=["ann@x.io"], phones=["+14158675309"]
    )


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
@pytest.mark.parametrize("workers", [1, 2])
def test_a_frame_with_a_text_over_the_limit_reports_that_row(library: str, workers: int) -> None:
    """
    A dataframe holding a value over 10,000 characters is read record by record.

    That row is a bad row (its position, the value's length, why), the others are
    leads: on one process (the column reader hands the frame over) as on two.
    """
    data = {
        "lead_id": ["A", "B", "C"],
        "first_name": ["Ann", "x" * 10_001, "Cy"],
        "last_name": ["Lee", "Ng", "Day"],
        "email": ["a@x.io", "b@x.io", None],
        "phone": [None, None, "4158675309"],
    }
    module = pytest.importorskip(library)
    frame = module.table(data) if library == "pyarrow" else module.DataFrame(data)

    table = dedupe.load(frame, columns=COLUMNS, workers=workers)

    assert list(table.ids) == ["A", "C"]
    assert [(b.row, b.field, b.value, b.message) for b in table.bad_rows] == [
        (1, None, "<10001 characters>", "has a value over 10000 characters")
    ]
    assert table.lead("C").customer.phones == ("4158675309",)


def test_an_email_with_white_space_inside_is_no_address() -> None:
    """MRG-1: white space inside an address (any kind) makes it none; around it, trimmed."""
    leads = [
        Lead(id="A", customer=Person(emails=["ann lee@x.io", "ann@x\u00a0io", " Bo@X.io "])),
        Lead(id="B", customer=Person(emails=["ann lee@x.io"])),
    ]

    assert dedupe.load(leads).data.emails == [("bo@x.io",), ()]
    assert inputs.email("ann lee@x.io") is None
    assert inputs.email(" Bo@X.io ") == "bo@x.io"


def test_a_co_customer_of_filler_emails_only_is_left_out_with_the_fillers() -> None:
    """
    Rules v1.2: a co-customer whose only normal form is a filler email is no co-customer.

    A table keeps every usable email (one table serves any policy); without the
    default fillers, A's co-customer holds nothing and is gone, B's keeps its name.
    """
    leads = [
        Lead(
            id="A",
            customer=Person(first_name="Ada", emails=["ada@x.io", "none@none.com"]),
            co_customer=Person(emails=["None@None.com"]),
        ),
        Lead(
            id="B",
            customer=Person(first_name="Bo"),
            co_customer=Person(first_name="Cy", emails=["none@none.com"]),
        ),
    ]
    table = dedupe.load(leads).data
    assert table.co == {0: ("", "", ("none@none.com",), ()), 1: ("cy", "", ("none@none.com",), ())}

    kept = inputs.without_fillers(table, normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS)

    assert kept.emails == [("ada@x.io",), ()]
    assert kept.co == {1: ("cy", "", (), ())}
