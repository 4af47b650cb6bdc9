"""
Malformed CSV exports (GEN-5, GEN-6): every row is accounted for, as a lead or a bad row.

A corpus of broken files, each with the number of rows it holds as a person reading it
would count them. For every file, ``leads + bad rows == rows in``, every bad row has its
line and a reason, and a file that cannot be read at all is refused with InvalidInput
(the command exits 2), never read as "0 of 0 records".
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Final, NamedTuple

import pytest

from leadcore import _cli, dedupe
from leadcore._dedupe import inputs, results
from leadcore.errors import InvalidInput

NOW: Final = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
HEADER: Final = "lead_id,first_name,last_name,email,phone"
COLUMNS: Final = dedupe.Columns.parse(
    [
        "emails=email",
        "phones=phone",
        "co_first_name=",
        "co_last_name=",
        "co_emails=",
        "co_phones=",
        "source=",
        "lot=",
        "created_at=",
        "last_activity_at=",
    ]
)
COLUMN_ARGS: Final = [
    arg
    for mapping in (
        "emails=email",
        "phones=phone",
        "co_first_name=",
        "co_last_name=",
        "co_emails=",
        "co_phones=",
        "source=",
        "lot=",
        "created_at=",
        "last_activity_at=",
    )
    for arg in ("--column", mapping)
]


def rows(*lines: str, end: str = "\n") -> bytes:
    """A file of the header and ``lines``, each ended by ``end``."""
    return "".join(line + end for line in (HEADER, *lines)).encode("utf-8")


class Case(NamedTuple):
    """One malformed file: its bytes, the rows in it, the lines expected to be bad."""

    data: bytes
    rows_in: int
    bad_lines: tuple[int, ...]


LONG: Final = "x" * 10_001
HUGE: Final = "y" * 200_000  # past the csv module's own field limit (131,072)

CORPUS: Final[dict[str, Case]] = {
    "lf": Case(rows("A,Ada,Lee,a@x.io,4158675309", "B,Bo,Ng,,"), 2, ()),
    "crlf": Case(rows("A,Ada,Lee,a@x.io,4158675309", "B,Bo,Ng,,", end="\r\n"), 2, ()),
    "cr_only": Case(rows(*(f"L{n},Ann,Lee,,415867530{n}" for n in range(6)), end="\r"), 6, ()),
    "cr_only_quoted": Case(rows('A,"Ada",Lee,,', 'B,"Bo, Jr",Ng,,', end="\r"), 2, ()),
    "mixed_endings": Case(
        (HEADER + "\r\nA,Ada,Lee,,\nB,Bo,Ng,,\rC,Cy,Day,,\r\nD,Di,Eve,,").encode(), 4, ()
    ),
    "bom": Case(b"\xef\xbb\xbf" + rows("A,Ada,Lee,,", "B,Bo,Ng,,"), 2, ()),
    "bom_crlf": Case(b"\xef\xbb\xbf" + rows("A,Ada,Lee,,", end="\r\n"), 1, ()),
    "unbalanced_quote": Case(rows('A1,"Ann,Lee,,', "A2,Bob,Ray,,", "A3,Cy,Day,,"), 3, (2,)),
    "unbalanced_quote_closed_later": Case(
        rows('A1,"Ann,Lee,,', "A2,Bob,Ray,,", 'A3,"Cy",Day,,', "A4,Di,Eve,,"), 4, (2,)
    ),
    # A quote closed on the next line, past a comma: one record of six fields, not two.
    "unbalanced_quote_closed_next_line": Case(
        rows('A1,"Ann,Lee,,', 'A2",Bob,Ray,,', "A3,Cy,Day,,"), 3, (2,)
    ),
    "unbalanced_quote_last_line": Case(rows("A1,Ann,Lee,,", 'A2,"Bob,Ray,,'), 2, (3,)),
    "unbalanced_quote_crlf": Case(rows('A1,"Ann,Lee,,', "A2,Bob,Ray,,", end="\r\n"), 2, (2,)),
    "stray_quote_inside_value": Case(rows('A1,An"n,Lee,,', "A2,Bob,Ray,,"), 2, ()),
    "quoted_newline": Case(rows('A1,"Ann\nMarie",Lee,,', "A2,Bob,Ray,,"), 2, ()),
    "quoted_newline_crlf": Case(rows('A1,"Ann\r\nMarie",Lee,,', "A2,Bob,Ray,,", end="\r\n"), 2, ()),
    "nul": Case(rows("A1,An\x00n,Lee,,", "A2\x00,Bob,Ray,,", 'A3,"C\x00y",Day,,'), 3, ()),
    "too_few_columns": Case(rows("A1,Ann", "A2,Bob,Ray,,"), 2, (2,)),
    "too_many_columns": Case(rows("A1,Ann,Lee,,,,extra", "A2,Bob,Ray,,"), 2, (2,)),
    "no_id": Case(rows(",Ann,Lee,,", "A2,Bob,Ray,,"), 2, (2,)),
    "duplicate_ids": Case(rows("A1,Ann,Lee,,", "A1,Bob,Ray,,", "A3,Cy,Day,,"), 3, (2, 3)),
    "blank_lines_are_not_rows": Case(rows("A1,Ann,Lee,,", "", "", "A2,Bob,Ray,,"), 2, ()),
    "blank_lines_between_quoted_rows": Case(rows('A1,"Ann",Lee,,', "", "A2,Bob,Ray,,"), 2, ()),
    "white_space_line": Case(rows("A1,Ann,Lee,,", "   ", "A2,Bob,Ray,,"), 3, (3,)),
    "no_final_newline": Case(rows("A1,Ann,Lee,,")[:-1], 1, ()),
    "header_only": Case(rows(), 0, ()),
    "header_only_no_newline": Case(HEADER.encode(), 0, ()),
    "header_only_cr": Case(rows(end="\r"), 0, ()),
    "duplicate_unmapped_headers": Case((HEADER + ",note,note\nA1,Ann,Lee,,,x,y\n").encode(), 1, ()),
    "duplicate_email_headers": Case(
        (HEADER + ",email\nA1,Ann,Lee,ann@x.io,,ann2@x.io\nA2,Bo,Ng,ann2@x.io,,\n").encode(),
        2,
        (),
    ),
    "not_utf8_row": Case(
        rows("A1,Ann,Lee,,") + "A2,Ren\u00e9e,Ray,,\n".encode("latin-1") + b"A3,Cy,Day,,\n",
        3,
        (3,),
    ),
    "not_utf8_quoted_row": Case(
        rows('A1,"Ann",Lee,,') + 'A2,"Ren\u00e9e",Ray,,\n'.encode("latin-1") + b"A3,Cy,Day,,\n",
        3,
        (3,),
    ),
    "long_value": Case(rows(f"A1,{LONG},Lee,,", "A2,Bob,Ray,,"), 2, (2,)),
    "long_quoted_value": Case(rows(f'A1,"{LONG}",Lee,,', "A2,Bob,Ray,,"), 2, (2,)),
    "huge_quoted_value": Case(rows(f'A1,"{HUGE}",Lee,,', 'A2,"Bob",Ray,,'), 2, (2,)),
    "huge_value": Case(rows(f"A1,{HUGE},Lee,,", "A2,Bob,Ray,,"), 2, (2,)),
}


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    return path


class TestCorpus:
    """Every row of every malformed file is a lead or a bad row (GEN-6)."""

    @pytest.mark.parametrize("name", sorted(CORPUS))
    def test_rows_in_equal_leads_plus_bad_rows(self, name: str, tmp_path: Path) -> None:
        """Leads + bad rows == rows in; bad rows carry their line and a reason."""
        case = CORPUS[name]
        path = _write(tmp_path, case.data)

        table = dedupe.load(path, columns=COLUMNS)

        assert table.records == case.rows_in
        assert len(table) + len(table.bad_rows) == case.rows_in
        assert tuple(b.line for b in table.bad_rows) == case.bad_lines
        assert all(b.message for b in table.bad_rows)

    @pytest.mark.parametrize("name", sorted(CORPUS))
    def test_the_summary_accounts_for_every_row(self, name: str, tmp_path: Path) -> None:
        """The summary's leads and bad rows add up to its records."""
        path = _write(tmp_path, CORPUS[name].data)

        summary = dedupe.find(path, now=NOW, columns=COLUMNS).summary

        assert summary.leads + summary.bad_rows == summary.records == CORPUS[name].rows_in

    def test_cr_only_lines_are_numbered(self, tmp_path: Path) -> None:
        """Old Mac exports end lines with CR alone: each is a line, numbered as such."""
        path = _write(tmp_path, rows("A1,Ann,Lee,,", "A2,Bob", "A3,Cy,Day,,", end="\r"))

        table = dedupe.load(path, columns=COLUMNS)

        assert list(table.ids) == ["A1", "A3"]
        assert [(b.row, b.line) for b in table.bad_rows] == [(1, 3)]

    def test_an_unbalanced_quote_hides_no_row(self, tmp_path: Path) -> None:
        """The line with the stray quote is bad; the rows after it are read."""
        path = _write(tmp_path, CORPUS["unbalanced_quote"].data)

        table = dedupe.load(path, columns=COLUMNS)

        assert list(table.ids) == ["A2", "A3"]
        (bad,) = table.bad_rows
        assert (bad.row, bad.line) == (0, 2)
        assert "quote" in bad.message
        assert bad.value == 'A1,"Ann,Lee,,'

    def test_a_quote_closed_on_the_next_line_costs_one_row(self, tmp_path: Path) -> None:
        """
        A value running over two lines into a record of the wrong width: one bad row.

        The record read from line 2 holds six fields where the header has five, so its
        first line is bad and reading starts again at line 3 (its id keeps the stray
        quote, as a quote inside an unquoted value does).
        """
        path = _write(tmp_path, CORPUS["unbalanced_quote_closed_next_line"].data)

        table = dedupe.load(path, columns=COLUMNS)

        assert list(table.ids) == ['A2"', "A3"]
        (bad,) = table.bad_rows
        assert (bad.row, bad.line, bad.value) == (0, 2, 'A1,"Ann,Lee,,')
        assert bad.message == (
            "has an unbalanced quote: its value runs over 2 lines into a record of 6 fields"
            " where the header has 5; the next line is read on"
        )

    def test_blank_lines_between_quoted_rows_are_no_rows(self, tmp_path: Path) -> None:
        """Read with the csv module (the file holds quotes): a blank line is still no row."""
        path = _write(tmp_path, CORPUS["blank_lines_between_quoted_rows"].data)

        table = dedupe.load(path, columns=COLUMNS)

        assert list(table.ids) == ["A1", "A2"]
        assert table.bad_rows == ()
        assert table.records == 2

    def test_a_row_that_is_not_utf8_is_shown_escaped(self, tmp_path: Path) -> None:
        """The bad row's value shows the bytes escaped, so it can be written out as UTF-8."""
        path = _write(tmp_path, CORPUS["not_utf8_row"].data)

        (bad,) = dedupe.load(path, columns=COLUMNS).bad_rows

        assert "UTF-8" in bad.message
        assert bad.value == "A2,Ren\\xe9e,Ray,,"

    def test_duplicate_email_columns_are_both_read(self, tmp_path: Path) -> None:
        """A mapped multi-value field named twice in the header reads both columns."""
        when = "2025-06-30T00:00:00Z"
        path = _write(
            tmp_path,
            (
                "lead_id,first_name,last_name,email,email,created_at,last_activity_at\n"
                f"A1,Ann,Lee,ann@x.io,ann2@x.io,{when},{when}\n"
                f"A2,Ann,Lee,ann2@x.io,,{when},{when}\n"
            ).encode(),
        )
        columns = dedupe.Columns.parse(
            [
                "phones=",
                "co_first_name=",
                "co_last_name=",
                "co_emails=",
                "co_phones=",
                "source=",
                "lot=",
            ]
        )

        result = dedupe.find(path, now=NOW, columns=columns)

        assert [(p.a, p.b) for p in result.pairs] == [("A1", "A2")]

    def test_a_mapped_single_column_named_twice_is_refused(self, tmp_path: Path) -> None:
        """[decided] Two first_name columns: which one? Refused, naming the column."""
        path = _write(tmp_path, (HEADER + ",first_name\nA1,Ann,Lee,,,Anna\n").encode())

        with pytest.raises(InvalidInput) as error:
            dedupe.load(path, columns=COLUMNS)

        assert error.value.path == "columns.first_name"
        assert "2 columns" in error.value.first.message

    @pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf", b"\xff\xfe,\n"])
    def test_a_file_without_a_header_is_refused(self, data: bytes, tmp_path: Path) -> None:
        """Empty, blank or unreadable header: an input error, never 0 of 0 records."""
        path = _write(tmp_path, data)

        with pytest.raises(InvalidInput) as error:
            dedupe.load(path, columns=COLUMNS)

        assert error.value.path == "path"


class TestRanges:
    """Byte ranges read by several workers see the same rows as one reader."""

    def big(self, tmp_path: Path) -> tuple[Path, int]:
        """A file of about 400 kB: every kind of line end, bad rows sprinkled in."""
        ends = ("\n", "\r\n", "\r")
        parts = [HEADER + "\n"]
        count = 6_000
        for n in range(count):
            if n % 997 == 5:
                parts.append(f"B{n},Bad")  # too few columns
            elif n % 991 == 7:
                parts.append(f'Q{n},"Multi\nLine",Lee,,')  # one row over two lines
            else:
                parts.append(f"L{n},Ann{n % 50},Lee,ann{n % 300}@x.io,415867{n % 9000:04d}")
            parts.append(ends[n % 3] if n % 500 else "\r")
        data = "".join(parts).encode("utf-8")
        data = data.replace(b"L4242,Ann42", "L4242,Ren\u00e9e".encode("latin-1"))
        return _write(tmp_path, data), count

    def test_workers_read_the_same_rows(self, tmp_path: Path) -> None:
        """Split at any line end (CR alone too): the same leads, bad rows and lines."""
        path, count = self.big(tmp_path)

        one = dedupe.load(path, columns=COLUMNS, workers=1)
        three = dedupe.load(path, columns=COLUMNS, workers=3)

        assert one.records == three.records == count
        assert len(one) + len(one.bad_rows) == count
        assert list(one.ids) == list(three.ids)
        assert one.bad_rows == three.bad_rows
        assert (one.bad_rows[-1].line or 0) > count // 2

    def test_cr_only_files_are_split_too(self, tmp_path: Path) -> None:
        """A CR-only file is cut into ranges like any other (the lines are found)."""
        data = rows(*(f"L{n},Ann,Lee,,{n}" for n in range(20_000)), end="\r")
        path = _write(tmp_path, data)

        table = dedupe.load(path, columns=COLUMNS, workers=2)

        assert table.records == len(table) == 20_000
        assert inputs.csv_ranges(path, len(HEADER) + 1, 4)[1:] != []


class TestCommand:
    """``leadcore dedupe`` fails loudly when it cannot write, and never loses the tables."""

    def args(self, path: Path, out: Path) -> list[str]:
        """The command line for ``path``, writing tables to ``out``."""
        return [
            "dedupe",
            str(path),
            "--now",
            "2025-07-01T00:00:00Z",
            "--out",
            str(out),
            "--workers",
            "1",
            *COLUMN_ARGS,
        ]

    def test_cr_only_file_reports_its_rows(self, tmp_path: Path) -> None:
        """The issue's file: CR-only endings, 6 rows: "6 of 6 records", not 0 of 0."""
        path = _write(tmp_path, CORPUS["cr_only"].data)
        out = io.StringIO()

        code = _cli.main(self.args(path, tmp_path / "out"), out)

        assert code == 0
        assert "6 of 6 records (0 bad rows)" in out.getvalue()

    def test_tables_are_written_before_a_closed_stdout(self, tmp_path: Path) -> None:
        """`leadcore dedupe ... --out DIR | head`: the tables are there, exit status 0."""
        path = _write(tmp_path, CORPUS["unbalanced_quote"].data)
        folder = tmp_path / "out"
        command = [sys.executable, "-m", "leadcore", *self.args(path, folder)]
        read, write = os.pipe()
        os.close(read)  # the reader is gone before anything is written

        with os.fdopen(write, "wb") as closed:
            done = subprocess.run(  # noqa: S603  # our own command
                command, stdout=closed, stderr=subprocess.PIPE, check=False, timeout=120
            )

        assert done.returncode == 0, done.stderr
        bad = (folder / "bad_rows.csv").read_text(encoding="utf-8")
        assert "quote" in bad
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["records"] == 3
        assert b"Traceback" not in done.stderr

    def test_an_unwritable_output_folder_fails_loudly(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--out that cannot be created: exit status 1 and the reason on stderr."""
        path = _write(tmp_path, CORPUS["lf"].data)
        blocker = tmp_path / "file"
        blocker.write_text("not a folder", encoding="utf-8")

        code = _cli.main(self.args(path, blocker / "out"), io.StringIO())

        assert code == 1
        assert "cannot write" in capsys.readouterr().err

    def test_a_full_stdout_fails_loudly(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A summary that cannot be written (disk full) is an error, not a silent 0."""
        path = _write(tmp_path, CORPUS["lf"].data)

        class Full(io.StringIO):
            def write(self, _: str) -> int:
                raise OSError(28, "No space left on device")

        code = _cli.main(self.args(path, tmp_path / "out"), Full())

        assert code == 1
        assert "No space left" in capsys.readouterr().err
        assert (tmp_path / "out" / "pairs.csv").exists()


def test_the_cli_writes_each_table_as_dict_writer_would(tmp_path: Path) -> None:
    """
    The CLI writes each table's records: the bytes csv.DictWriter gives of its rows.

    The records are the rows of ``result.table(name, kind="rows")`` as tuples, in the
    same order, their columns those of every row; the pandas table holds the same.
    """
    import csv  # noqa: PLC0415  # only here
    from importlib import resources  # noqa: PLC0415  # only here

    from leadcore._cli import dedupe as cli  # noqa: PLC0415  # only here

    sample = resources.files("leadcore") / "data" / "sample_leads.csv"
    data = sample.read_bytes() + b"\nno-width-row\n,blank id,,,,,,,,,,,,,\n"
    path = _write(tmp_path, data)
    result = dedupe.find(path, now=NOW, tz="UTC", policy=dedupe.DedupePolicy(generic_key_rows=2))
    assert result.pairs
    assert result.bad_rows
    assert result.generic_keys
    for name in dedupe.TABLES:
        rows = result.table(name, kind="rows")
        names, found = results.records(result, name)
        assert rows
        assert all(tuple(row) == names for row in rows)
        assert [tuple(row.values()) for row in rows] == found
        frame = result.table(name, kind="pandas")
        assert tuple(frame.columns) == names
        assert frame.astype(object).where(frame.notna(), None).to_dict("records") == rows
        mine, theirs = tmp_path / "mine.csv", tmp_path / "theirs.csv"
        cli._write_table(mine, names, found)
        with theirs.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            writer.writerows(rows)
        assert mine.read_bytes() == theirs.read_bytes()
