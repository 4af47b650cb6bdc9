"""The JSON Lines protocol: envelope, errors, policies, the CLI (docs/protocol.md)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from leadcore import _cli, protocol

from .helpers import request


def _line(obj: object) -> str:
    return json.dumps(obj)


class TestEnvelope:
    """Requests and responses."""

    def test_ok_response_echoes_the_id(self) -> None:
        """The response carries the request's id, whatever JSON it is."""
        for request_id in ("a", 7, None, {"k": [1]}):
            response = protocol.decide(request("normalize.email", {"value": "A@B"}, id=request_id))

            assert response == {"id": request_id, "ok": True, "result": {"normalized": "a@b"}}

    def test_not_an_object(self) -> None:
        """GEN-5: a request that is not an object: invalid_input, id null."""
        assert protocol.decide([1, 2])["error"]["code"] == "invalid_input"  # type: ignore[index]

    @pytest.mark.parametrize(
        ("change", "code", "path"),
        [
            ({"rule": None}, "invalid_input", "rule"),
            ({"rule": "merge.magic"}, "unknown_rule", "rule"),
            ({"now": None}, "invalid_input", "now"),
            ({"now": "2026-11-23T12:00:00"}, "naive_datetime", "now"),
            ({"now": "2026-11-23"}, "invalid_input", "now"),
            ({"now": "yesterday"}, "invalid_input", "now"),
            ({"now": 1700000000}, "invalid_input", "now"),
            ({"policy": []}, "invalid_input", "policy"),
            ({"policy": {"nope": 1}}, "invalid_input", "policy.nope"),
            ({"input": "x"}, "invalid_input", "input"),
            ({"input": {}}, "invalid_input", "input.value"),
            ({"input": {"value": 3}}, "invalid_input", "input.value"),
            ({"input": {"value": "x" * 10_001}}, "invalid_input", "input.value"),
        ],
    )
    def test_errors_name_code_and_path(
        self, change: dict[str, object], code: str, path: str
    ) -> None:
        """GEN-1, GEN-5: one error per response, the first found, with code and path."""
        req = request("normalize.name", {"value": "Ada"}) | change

        response = protocol.decide(req)

        assert response["ok"] is False
        error = response["error"]
        assert isinstance(error, dict)
        assert (error["code"], error["path"]) == (code, path)
        assert error["message"]

    @pytest.mark.parametrize(
        "text",
        [
            "2026-11-23T12:00:00Z",
            "2026-11-23T12:00:00z",
            "2026-11-23T12:00Z",
            "2026-11-23T12:00:00.123456+05:30",
            "2026-11-23T12:00:00.1234567+00:00",
            "2026-11-23 12:00:00-08:00",
        ],
    )
    def test_datetimes_with_offsets_accepted(self, text: str) -> None:
        """GEN-1: ISO 8601 with offset, Z accepted."""
        response = protocol.decide(request("normalize.name", {"value": "a"}, now=text))

        assert response["ok"] is True

    def test_policy_override_by_field_name(self) -> None:
        """GEN-7: a policy field overridden by name changes the answer."""
        req = request("normalize.phone", {"value": "020 7946 0018"})

        default = protocol.decide(req)
        british = protocol.decide(req | {"policy": {"default_region": "GB"}})

        assert default["result"] == {"normalized": None}
        assert british["result"] == {"normalized": "+442079460018"}

    def test_placeholder_email_locals_is_a_policy_key_of_normalize_email(self) -> None:
        """v1.2 of the rules, GEN-7: fillers are null; the list is overridden by name."""
        req = request("normalize.email", {"value": " NA@NA.COM "})

        default = protocol.decide(req)
        none_listed = protocol.decide(req | {"policy": {"placeholder_email_locals": []}})
        bad = protocol.decide(req | {"policy": {"placeholder_email_locals": "na"}})

        assert default["result"] == {"normalized": None}
        assert none_listed["result"] == {"normalized": "na@na.com"}
        assert bad["error"]["path"] == "policy.placeholder_email_locals"  # type: ignore[index]

    def test_bad_policy_value_names_the_policy_field(self) -> None:
        """GEN-5: an override of the wrong type is refused at policy.<field>."""
        response = protocol.decide(
            request("normalize.phone", {"value": "1"}, policy={"default_region": 44})
        )

        assert response["error"]["path"] == "policy.default_region"  # type: ignore[index]

    def test_rules_are_listed(self) -> None:
        """The normalize rules are always there."""
        assert {"normalize.email", "normalize.name", "normalize.phone"} <= set(protocol.rules())


class TestLines:
    """JSON Lines: one response per non-blank line, in order, errors line by line."""

    def test_bad_lines_do_not_stop_later_ones(self) -> None:
        """A bad line yields an error response and later lines go on."""
        good = _line(request("normalize.name", {"value": "Ada"}, id=1))
        lines = [good, "{not json", "   ", "", "NaN", good.replace('"id": 1', '"id": 2')]
        out = io.StringIO()

        count = protocol.run(io.StringIO("\n".join(lines) + "\n"), out)

        responses = [json.loads(x) for x in out.getvalue().splitlines()]
        assert count == 4
        assert [r["ok"] for r in responses] == [True, False, False, True]
        assert responses[1] == {
            "id": None,
            "ok": False,
            "error": responses[1]["error"] | {"code": "invalid_json", "path": ""},
        }
        assert responses[2]["error"]["code"] == "invalid_json"
        assert responses[3]["id"] == 2

    def test_deeply_nested_json_is_invalid_json_not_a_crash(self) -> None:
        """GEN-5: absurd nesting is refused, not a RecursionError."""
        response = protocol.decide_line("[" * 100_000 + "]" * 100_000)

        assert response is not None
        assert response["error"]["code"] == "invalid_json"  # type: ignore[index]

    def test_output_is_one_line_of_json(self) -> None:
        """Responses are compact single lines, non-ASCII kept."""
        response = protocol.decide(request("normalize.name", {"value": "Zoë\nX"}))

        text = protocol.dumps(response)

        assert "\n" not in text
        assert json.loads(text) == response


class TestCli:
    """The leadcore command."""

    def test_decide_reads_a_file(self, tmp_path: Path) -> None:
        """Leadcore decide FILE answers each line."""
        path = tmp_path / "in.jsonl"
        path.write_text(_line(request("normalize.email", {"value": "A@B"})) + "\n")
        out = io.StringIO()

        code = _cli.main(["decide", str(path)], out=out)

        assert code == 0
        assert json.loads(out.getvalue())["result"] == {"normalized": "a@b"}

    def test_decide_missing_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A missing file is a clear message and exit status 2."""
        code = _cli.main(["decide", str(tmp_path / "nope.jsonl")], out=io.StringIO())

        assert code == 2
        assert "cannot read" in capsys.readouterr().err

    def test_demo_runs_on_bundled_data(self) -> None:
        """The README's main job: every bundled demo request is answered."""
        out = io.StringIO()

        assert _cli.main(["demo"], out=out) == 0
        assert "normalize.phone" in out.getvalue()
        assert "internal_error" not in out.getvalue()

    def test_rules_listing(self) -> None:
        """Leadcore rules lists every rule with its summary."""
        out = io.StringIO()

        _cli.main(["rules"], out=out)

        assert "normalize.phone" in out.getvalue()

    def test_python_dash_m_reads_stdin(self) -> None:
        """`python -m leadcore decide` reads stdin in another process."""
        line = _line(request("normalize.name", {"value": "José"}))

        done = subprocess.run(
            [sys.executable, "-m", "leadcore", "decide"],
            input=line + "\n",
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

        assert json.loads(done.stdout)["result"] == {"normalized": "jose"}


class TestNothingStopsTheRun:
    """v1.2 of the rules "One bad line, one answer": the reader refuses, the writer never raises."""

    def test_leadcore_decide_answers_every_line_after_lone_surrogates(self) -> None:
        """GEN-5: escaped surrogates and 1e400 in another process: one answer each, run goes on."""
        head = '"rule":"normalize.email","now":"2026-01-01T00:00:00Z","input":{"value":'
        lines = [
            '{"id":"\\ud800",' + head + '"a@b.c"}}',
            '{"id":1e400,' + head + '"a@b.c"}}',
            '{"id":2,' + head.replace("email", "name") + '"x\\udc00"}}',
            _line(request("normalize.name", {"value": "Ada"}, id=3)),
        ]

        done = subprocess.run(
            [sys.executable, "-m", "leadcore", "decide"],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

        answers = [json.loads(line) for line in done.stdout.splitlines()]
        assert [(a["id"], a.get("error", {}).get("path")) for a in answers] == [
            (None, "id"),
            (None, "id"),
            (2, "input.value"),
            (3, None),
        ]
        assert done.stderr == ""

    def test_an_unwritable_id_anywhere_in_it_makes_the_id_null(self) -> None:
        """An id holding a surrogate deep inside cannot be echoed: id null, path inside it."""
        response = protocol.decide(
            request("normalize.name", {"value": "Ada"}, id={"k": ["\udfff"]})
        )

        assert response["id"] is None
        assert response["error"]["path"] == "id.k[0]"  # type: ignore[index]

    def test_dumps_escapes_what_utf8_cannot_carry(self) -> None:
        """A response holding a lone surrogate (a Python caller's) is written escaped."""
        text = protocol.dumps({"id": "\ud800", "ok": True, "result": {"name": "Zoë"}})

        assert text == '{"id":"\\ud800","ok":true,"result":{"name":"Zoë"}}'
        assert json.loads(text)["id"] == "\ud800"

    def test_dumps_turns_a_response_it_cannot_write_into_an_internal_error(self) -> None:
        """A number out of range or a foreign object in a response: an answer, not a crash."""
        for broken in ({"id": 7, "result": float("inf")}, {"id": 7, "result": object()}):
            answer = json.loads(protocol.dumps(broken))

            assert answer["id"] == 7
            assert answer["error"]["code"] == "internal_error"
        assert json.loads(protocol.dumps({"id": float("nan")}))["id"] is None

    def test_python_callers_get_the_same_refusals(self) -> None:
        """decide() on a dict refuses what decide_line() refuses, at the same path."""
        req = request("normalize.name", {"value": "Ada", "x": [1, {"y": float("inf")}]})

        response = protocol.decide(req)

        assert response["error"]["path"] == "input.x[1].y"  # type: ignore[index]
        assert response["id"] == "t"

    def test_a_python_value_json_has_not_is_left_to_the_reader(self) -> None:
        """A set (no JSON value) is not an unwritable value: the reader names it, as input."""
        response = protocol.decide(request("normalize.email", {"value": {"a@b.c"}}))

        assert response["error"] == {
            "code": "invalid_input",
            "message": "input.value: must be a string, not set, got {'a@b.c'}",
            "path": "input.value",
        }

    def test_a_cyclic_python_request_is_answered(self) -> None:
        """A Python caller's request that refers to itself is answered, not a hang."""
        data: dict[str, object] = {"value": "Ada"}
        data["self"] = data

        response = protocol.decide(request("normalize.name", data))

        assert response["ok"] is True


class TestLineEdges:
    """Lines as bytes: split at line feeds only, decoded one by one (docs/protocol.md)."""

    def test_a_line_that_is_not_utf8_is_one_invalid_json_answer(self) -> None:
        """GEN-5: bad bytes on one line neither crash the run nor lose the other lines."""
        good = _line(request("normalize.name", {"value": "Ada"}, id=1)).encode()
        out = io.StringIO()

        protocol.run(io.BytesIO(good + b"\n\xff\xfe\n" + good + b"\n"), out)

        codes = [json.loads(x).get("error", {}).get("code") for x in out.getvalue().splitlines()]
        assert codes == [None, "invalid_json", None]

    def test_carriage_return_inside_a_line_is_json_white_space(self) -> None:
        """A bare CR between tokens does not split the request in two."""
        line = _line(request("normalize.name", {"value": "Ada"})).replace(",", ",\r", 1)
        out = io.StringIO()

        protocol.run(io.BytesIO(line.encode() + b"\r\n"), out)

        assert [json.loads(x)["ok"] for x in out.getvalue().splitlines()] == [True]

    def test_only_json_white_space_makes_a_blank_line(self) -> None:
        """Control characters that Python calls space are not JSON white space."""
        assert protocol.decide_line(" \t\r\n") is None
        assert protocol.decide_line(b" \t\r\n") is None
        response = protocol.decide_line("\x1c")
        assert response is not None
        assert response["error"]["code"] == "invalid_json"  # type: ignore[index]

    def test_byte_order_mark_is_ignored(self) -> None:
        """A file saved with a BOM still answers its first line."""
        line = "\ufeff" + _line(request("normalize.name", {"value": "Ada"}))

        response = protocol.decide_line(line.encode())

        assert response is not None
        assert response["ok"] is True

    def test_deep_free_fields_are_invalid_input_not_a_crash(self) -> None:
        """GEN-5: a lead's fields nested 500 deep are refused with a path."""
        deep: object = []
        for _ in range(500):
            deep = [deep]
        req = request(
            "link.visibility",
            {"lead": {"id": "L1", "fields": {"k": deep}}, "user": {"id": "u"}},
        )

        response = protocol.decide(req)

        assert response["error"]["code"] == "invalid_input"  # type: ignore[index]
        assert str(response["error"]["path"]).startswith("input.lead.fields.k")  # type: ignore[index]

    def test_overlong_field_names_are_refused(self) -> None:
        """GEN-5: keys count as strings too: at most 10,000 characters."""
        req = request(
            "link.visibility",
            {"lead": {"id": "L1", "fields": {"k" * 10_001: 1}}, "user": {"id": "u"}},
        )

        assert protocol.decide(req)["error"]["path"] == "input.lead.fields"  # type: ignore[index]

    def test_empty_region_is_named_where_it_was_given(self) -> None:
        """GEN-5: the path names the input's region, even when it is empty."""
        response = protocol.decide(request("normalize.phone", {"value": "1", "region": ""}))

        assert response["error"]["path"] == "input.region"  # type: ignore[index]


def test_other_families_policy_values_are_still_checked() -> None:
    """GEN-7: a known policy field of another family is accepted only with a valid value."""
    base = request("normalize.name", {"value": "Ada"})

    accepted = protocol.decide(base | {"policy": {"wave_size": 3}})
    refused = protocol.decide(base | {"policy": {"wave_size": "three"}})

    assert accepted["ok"] is True
    assert refused["error"]["path"] == "policy.wave_size"  # type: ignore[index]
