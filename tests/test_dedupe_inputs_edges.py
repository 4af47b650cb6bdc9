"""
Batch dedupe's readers (``leadcore._dedupe.inputs`` and ``load``) given cells of any type.

Mappings and dataframes hold numbers, NaN and datetimes, not only text: text fields
take the number's text, NaN is a missing value, and a timestamp of another type is a
bad row naming the field and the value (never a crash, never a guess).
"""

from __future__ import annotations

import datetime as dt

from leadcore import dedupe

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
