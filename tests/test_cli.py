"""
The ``leadcore`` command (``leadcore._cli``): what each flag does at the edges.

The main paths (decide, demo, dedupe on the sample, the report, conformance) are tested
beside what they run; these pin the refusals, the summaries of unusual runs and the
exit statuses, in process and, where the terminal matters, as a real command.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from leadcore import _cli, dedupe, reasons
from leadcore._cli import dedupe as dedupe_command
from leadcore._cli import report

HEADER = (
    "lead_id,first_name,last_name,email,phone,created_at,last_activity_at,source,lot,"
    "co_first_name,co_last_name,co_email,co_phone"
)
NOW = "2025-07-01T00:00:00Z"


def _csv(path: Path, rows: list[str]) -> Path:
    """A CSV export of ``rows`` (without their co-customer columns, left blank)."""
    path.write_text("\n".join([HEADER, *(r + ",,,," for r in rows)]) + "\n", encoding="utf-8")
    return path


def _shared_phone(path: Path, count: int) -> Path:
    """``count`` leads of different people holding one phone number (a generic key)."""
    return _csv(
        path,
        [
            f"L{i},First{i},Last{i},p{i}@x.com,415 555 0100,2025-06-01 00:00:00,"
            "2025-06-20 00:00:00,web,LOT-1"
            for i in range(count)
        ],
    )


def _main(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = _cli.main(list(argv), out=out)
    return code, out.getvalue()


def _dedupe(*argv: str) -> tuple[int, str]:
    return _main("dedupe", *argv, "--workers", "1")


class TestDedupeSummary:
    """What ``leadcore dedupe`` prints for runs with generic keys and bad rows."""

    def test_generic_keys_are_listed_with_their_handling(self, tmp_path: Path) -> None:
        """A phone held by more leads than --generic-key-rows is listed as generic."""
        path = _shared_phone(tmp_path / "leads.csv", 4)

        code, printed = _dedupe(str(path), "--now", NOW, "--tz", "UTC", "--generic-key-rows", "3")

        assert code == 0
        assert "generic keys          1 (held by very many leads):" in printed
        assert "  phone +14155550100" in printed
        assert "4 leads, refine" in printed

    def test_the_first_five_bad_rows_are_shown_and_the_rest_counted(self, tmp_path: Path) -> None:
        """Seven rows with unreadable dates: five shown by line and field, two counted."""
        path = _csv(
            tmp_path / "leads.csv",
            [f"B{i},Ann,Lee{i},,,someday,,web,LOT-1" for i in range(7)],
        )

        code, printed = _dedupe(str(path), "--now", NOW, "--tz", "UTC")

        assert code == 0
        shown = [line for line in printed.splitlines() if line.startswith("bad row")]
        assert len(shown) == 5
        assert shown[0].startswith("bad row      line 2 created_at: ")
        assert shown[0].endswith("('someday')")
        assert "... and 2 more bad rows" in printed

    def test_a_float_policy_value_is_read_as_a_number(self, tmp_path: Path) -> None:
        """--policy duplicate_name_min_ratio=92.5: a float field takes a decimal."""
        path = _shared_phone(tmp_path / "leads.csv", 2)

        code, printed = _dedupe(
            str(path),
            "--now",
            NOW,
            "--tz",
            "UTC",
            "--policy",
            "duplicate_name_min_ratio=92.5",
            "--out",
            str(tmp_path / "out"),
        )

        assert code == 0, printed
        assert "leads                 2 of 2 records" in printed

    def test_a_text_policy_value_reaches_the_rules(self, tmp_path: Path) -> None:
        """--policy default_region=GB: a national number is read as British (name+phone)."""
        path = _csv(
            tmp_path / "leads.csv",
            [
                "A,Ann,Lee,,020 7946 0018,2025-06-01 00:00:00,2025-06-20 00:00:00,web,LOT-1",
                "B,Ann,Lee,,+44 20 7946 0018,2025-06-02 00:00:00,2025-06-20 00:00:00,web,LOT-1",
            ],
        )
        out = tmp_path / "out"

        us, _ = _dedupe(str(path), "--now", NOW, "--tz", "UTC", "--out", str(out / "us"))
        gb, _ = _dedupe(
            str(path),
            "--now",
            NOW,
            "--tz",
            "UTC",
            "--policy",
            "default_region=GB",
            "--out",
            str(out / "gb"),
        )

        assert (us, gb) == (0, 0)
        assert (out / "us" / "pairs.csv").read_text(encoding="utf-8").count("\n") == 1
        gb_pairs = (out / "gb" / "pairs.csv").read_text(encoding="utf-8").splitlines()
        assert gb_pairs[1].startswith("A,B,merge,")


class TestDedupeRefusals:
    """Bad flags exit with status 2 and say which flag and why, on standard error."""

    @pytest.mark.parametrize(
        ("argv", "said"),
        [
            pytest.param(["--now", NOW], "give a FILE or --sample (one of them)", id="no-file"),
            pytest.param(
                ["--sample", "leads.csv", "--now", NOW],
                "give a FILE or --sample (one of them)",
                id="file-and-sample",
            ),
            pytest.param(
                ["--sample", "--now", "next tuesday"],
                "--now: must be an ISO 8601 date-time such as 2025-07-01T00:00:00+00:00, "
                "got 'next tuesday'",
                id="now-unreadable",
            ),
            pytest.param(
                ["--sample", "--now", "2025-07-01T00:00:00"],
                "--now: must have an offset (add Z or +HH:MM), or give --tz: leadcore never "
                "guesses a time zone, got '2025-07-01T00:00:00'",
                id="now-naive-without-tz",
            ),
            pytest.param(
                ["--sample", "--now", NOW, "--policy", "merge_max_age_days=soon"],
                "merge_max_age_days",
                id="whole-number-field",
            ),
        ],
    )
    def test_refused(self, argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
        """Nothing is read or written; the message names the flag and the value."""
        code, printed = _dedupe(*argv)

        assert code == 2
        assert printed == ""
        assert said in capsys.readouterr().err

    def test_a_rule_file_that_cannot_be_read_is_named(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--policy duplicate_rule=@FILE with no such file: the flag, the file and why."""
        monkeypatch.chdir(tmp_path)  # a short path: a long one is cut when quoted

        code, _ = _dedupe("--sample", "--now", NOW, "--policy", "duplicate_rule=@rule.json")

        error = capsys.readouterr().err
        assert code == 2
        assert (
            "--policy duplicate_rule: cannot be read: [Errno 2] No such file or directory: "
            "'rule.json', got '@rule.json'"
        ) in error


class TestDedupeOutputs:
    """Where the output cannot go: a closed reader, a report path that is a folder."""

    def test_a_reader_that_went_away_stops_quietly_with_the_tables_written(
        self, tmp_path: Path
    ) -> None:
        """BrokenPipeError on the summary: exit 0, the tables are on disk."""

        class Gone(io.StringIO):
            def write(self, _text: str) -> int:
                raise BrokenPipeError

        path = _shared_phone(tmp_path / "leads.csv", 2)
        folder = tmp_path / "out"

        code = _cli.main(
            ["dedupe", str(path), "--now", NOW, "--tz", "UTC", "--out", str(folder)], out=Gone()
        )

        assert code == 0
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["leads"] == 2

    def test_a_report_that_cannot_be_written_exits_1(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--report naming a folder: exit 1 and the path on standard error."""
        monkeypatch.setattr(report, "_svg", lambda _chart: "<svg/>")
        path = _shared_phone(tmp_path / "leads.csv", 2)
        folder = tmp_path / "taken"
        folder.mkdir()

        code, _ = _dedupe(str(path), "--now", NOW, "--tz", "UTC", "--report", str(folder))

        assert code == 1
        assert f"cannot write the report to {folder}: " in capsys.readouterr().err


class TestProgressBar:
    """The progress bar redraws at most ten times a second within a stage."""

    def test_a_redraw_within_a_tenth_of_a_second_is_skipped(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Same stage, not done, 0.05 s later: nothing drawn; a new stage is drawn at once."""
        clock = iter([0.0, 1.0, 1.05, 1.06, 1.07])
        fake = types.SimpleNamespace(perf_counter=lambda: next(clock))
        monkeypatch.setattr("leadcore._cli.dedupe.time", fake)
        stream = io.StringIO()
        bar = dedupe_command._Bar(stream, enabled=True)

        bar("read", 1, 10)
        first = stream.getvalue()
        bar("read", 2, 10)
        skipped = stream.getvalue()
        bar("find", 1, 10)
        bar("find", 10, 10)

        assert first.startswith("\r   read [###")
        assert skipped == first
        assert stream.getvalue().count("\r") == 3
        assert stream.getvalue().endswith("] 100.0%     1.1 s")


class TestReportSections:
    """``leadcore dedupe --report``: the sections a run with keys and bad rows adds."""

    def test_generic_keys_and_bad_rows_get_their_sections(self, tmp_path: Path) -> None:
        """A generic phone and a bad row: both tables, with the empty cells blank."""
        rows = _shared_phone(tmp_path / "leads.csv", 4).read_text(encoding="utf-8")
        path = tmp_path / "leads.csv"
        path.write_text(rows + "B0,Ann,Lee,,,someday,,web,LOT-1,,,,\n", encoding="utf-8")
        result = dedupe.find(
            path,
            now=dedupe_command._now(NOW, None),
            tz="UTC",
            policy=dedupe.DedupePolicy(generic_key_rows=3),
        )

        document = report.render(result, source=str(path), svg=lambda _chart: "<svg/>")

        assert "<h2>Generic keys</h2>" in document
        assert "<td>phone</td><td>+14155550100</td><td>4</td>" in document
        assert "<h2>Bad rows</h2>" in document
        assert "<caption>first 1 of 1</caption>" in document
        assert "<td>created_at</td><td>&#x27;someday&#x27;</td>" in document
        assert "<h2>What the policy change moves</h2>" not in document
        assert "Accuracy against" not in document


class TestLeadcoreCommand:
    """``leadcore`` run as a command, as a shell pipeline runs it."""

    def test_a_closed_pipe_ends_the_demo_quietly(self) -> None:
        """``leadcore demo | head``: the reader went away; exit 0, nothing on stderr."""
        process = subprocess.Popen(  # our own interpreter, fixed arguments
            [sys.executable, "-m", "leadcore", "demo"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()  # before the first line is written

        error = process.stderr.read()
        status = process.wait(timeout=120)
        process.stderr.close()

        assert (status, error) == (0, b"")

    def test_conformance_reasons_writes_the_catalogue(self) -> None:
        """``leadcore conformance reasons``: the catalogue as JSON, or as its Markdown page."""
        code, text = _main("conformance", "reasons")
        markdown_code, markdown = _main("conformance", "reasons", "--markdown")

        assert code == markdown_code == 0
        catalogue: Any = json.loads(text)
        assert catalogue == json.loads(json.dumps(reasons.catalogue()))
        assert markdown == reasons.markdown()

    def test_a_negative_shrink_budget_is_refused_by_the_parser(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--shrink -1: argparse exits 2 and says the budget must be 0 or more."""
        with pytest.raises(SystemExit) as stopped:
            _main("conformance", "run", "--impl", "true", "--shrink", "-1")

        assert stopped.value.code == 2
        assert "argument --shrink: must be 0 or more, not -1" in capsys.readouterr().err


def test_the_report_shows_a_score_there_is_none_of_as_an_empty_cell() -> None:
    """Accuracy of a run without pairs: precision and F1 are None, shown as empty cells."""
    rows = [
        {"lead_id": k, "first_name": f, "last_name": "Lee", "email": f"{k}@x.io", "lbl": "1"}
        for k, f in (("A", "Ann"), ("B", "Bob"))
    ]
    result = dedupe.find(rows, now=dedupe_command._now(NOW, None))

    document = report.render(
        result, source="rows", accuracy=result.accuracy("lbl"), svg=lambda _chart: "<svg/>"
    )

    assert "<h2>Accuracy against lbl</h2>" in document
    assert (
        "<tr><td>pairwise</td><td>0</td><td>0</td><td>1</td><td></td><td>0</td><td></td></tr>"
        in document
    )
