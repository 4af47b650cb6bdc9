"""
The oracle toolkit's parts (issue 9).

Vector loading, rule-aware comparison, the process wrapper, the runner and its report,
the command line.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from leadcore import _cli, conformance, protocol
from leadcore.conformance import Mismatch, Vector, WaveJudge, compare
from leadcore.conformance._compare import leadcore_check_wave, structural
from leadcore.conformance._dispatch import leadcore_replay

PYTHON = sys.executable
LEADCORE = f"{PYTHON} -m leadcore decide"


def _decide(request: object) -> Any:
    """Answer a request through the protocol, typed loosely for the test's reading."""
    return protocol.decide(request)


def _vector(**request: Any) -> Vector:
    return Vector(
        where="t.jsonl:1",
        description="a test vector",
        rules=("GEN-5",),
        request={"id": "t", "rule": "normalize.name", "now": "2026-01-01T00:00:00Z", **request},
        expected={"id": "t", "ok": True, "result": {"normalized": "ada"}},
    )


class TestVectors:
    """Loading, checking and writing vector files."""

    def test_every_shipped_vector_loads_with_known_rule_ids(self) -> None:
        """GEN-5: each shipped vector has a description, known rule ids, request, expected."""
        found = conformance.vectors()

        assert len(found) >= 10
        assert all(v.rules and v.description and v.rule != "?" for v in found)
        assert {v.where.split(":")[0] for v in found} == {
            f"{name}.jsonl" for name in conformance.shipped_families()
        }

    def test_families_filter(self) -> None:
        """Only the files of the named families are loaded."""
        assert {v.where.split(":")[0] for v in conformance.vectors(["normalize"])} == {
            "normalize.jsonl"
        }

    def test_dump_and_load_round_trip(self, tmp_path: Path) -> None:
        """A written vector file loads back the same vectors."""
        vector = _vector()

        path = conformance.dump([vector, vector], tmp_path / "mine.jsonl")
        loaded = conformance.load(path)

        assert [v.to_json() for v in loaded] == [vector.to_json()] * 2
        assert loaded[1].where == "mine.jsonl:2"

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("not json", "not valid JSON"),
            ("[]", "must be a JSON object"),
            ('{"description": "", "rules": ["GEN-1"]}', "'description'"),
            ('{"description": "d", "rules": []}', "'rules'"),
            ('{"description": "d", "rules": ["XYZ-1"]}', "unknown rule ids"),
            ('{"description": "d", "rules": ["GEN-1"], "request": 1}', "'request'"),
            ('{"description": "d", "rules": ["GEN-1"], "request": {}, "expected": {}}', "'ok'"),
        ],
    )
    def test_a_bad_line_is_named(self, tmp_path: Path, line: str, message: str) -> None:
        """GEN-5: a malformed vector file raises VectorError naming file and line."""
        path = tmp_path / "bad.jsonl"
        path.write_text("\n" + line + "\n", encoding="utf-8")

        with pytest.raises(conformance.VectorError, match=message) as caught:
            conformance.load(path)

        assert "bad.jsonl:2" in str(caught.value)

    def test_contract_view_drops_messages_but_keeps_fields(self) -> None:
        """The expected of a fuzz vector keeps codes, drops messages, keeps lead fields."""
        response = {
            "ok": True,
            "result": {
                "reasons": [{"code": "a", "message": "m"}],
                "lead": {"fields": {"message": "kept"}},
            },
        }

        assert conformance.contract_view(response) == {
            "ok": True,
            "result": {"reasons": [{"code": "a"}], "lead": {"fields": {"message": "kept"}}},
        }

    def test_covered_counts_each_rule_id(self) -> None:
        """covered() counts the vectors tagged with each rule id."""
        counts = conformance.covered([_vector(), _vector()])

        assert counts["GEN-5"] == 2
        assert counts["MRG-8"] == 0
        assert list(counts) == list(conformance.RULE_IDS)


class TestCompare:
    """Rule-aware comparison (GEN-4 reasons as sets, sorted id lists, unknown keys)."""

    def test_reasons_compare_as_sets_of_codes(self) -> None:
        """GEN-4: order and messages of reasons do not matter; missing codes do."""
        expected = {"reasons": [{"code": "a"}, {"code": "b"}]}

        same = structural(
            {}, expected, {"reasons": [{"code": "b", "message": "x"}, {"code": "a"}]}, ""
        )
        fewer = structural({}, expected, {"reasons": [{"code": "a"}]}, "")

        assert same == []
        assert [m.kind for m in fewer] == ["reasons"]
        assert "missing b" in str(fewer[0])

    def test_reason_lists_inside_maps_compare_as_sets(self) -> None:
        """RTE-4: the reason lists of ``ineligible`` are reason lists too."""
        expected = {"ineligible": {"a1": [{"code": "x"}, {"code": "y"}]}}

        assert (
            structural({}, expected, {"ineligible": {"a1": [{"code": "y"}, {"code": "x"}]}}, "")
            == []
        )
        assert structural({}, expected, {"ineligible": {"a1": [{"code": "y"}]}}, "")

    def test_reasons_that_are_not_objects_are_reported(self) -> None:
        """GEN-4: reasons must be objects with a code."""
        found = structural({}, {"reasons": []}, {"reasons": ["a"]}, "result")

        assert found[0].kind == "type"

    def test_sorted_id_lists_must_be_in_order(self) -> None:
        """The protocol's conventions: id lists are sorted; the right ids in another order fail."""
        found = structural({}, {"preferred": ["a1", "a2"]}, {"preferred": ["a2", "a1"]}, "result")

        assert [m.kind for m in found] == ["order"]
        assert "sorted" in found[0].note

    def test_order_free_lists_compare_as_multisets(self) -> None:
        """GEN-6: a record's order is free; its content is not."""
        expected = {"record": [{"field": "a"}, {"field": "b"}]}

        assert (
            structural({}, expected, {"record": [{"field": "b"}, {"field": "a", "x": 1}]}, "") == []
        )
        assert structural({}, expected, {"record": [{"field": "b"}, {"field": "c"}]}, "")
        assert structural({}, expected, {"record": [{"field": "a"}]}, "")[0].kind == "length"

    def test_unknown_keys_are_ignored_and_missing_keys_reported(self) -> None:
        """The protocol's conventions: comparers ignore unknown keys, not missing ones."""
        found = structural({}, {"a": 1, "b": 2}, {"a": 1, "c": 3}, "result")

        assert [(m.path, m.kind) for m in found] == [("result.b", "missing")]
        assert "no such key" in str(found[0])

    def test_scalars_compare_by_json_value(self) -> None:
        """1 equals 1.0, but true never equals 1, and "1" never equals 1."""
        assert structural({}, {"n": 1}, {"n": 1.0}, "") == []
        assert structural({}, {"n": 1}, {"n": True}, "")
        assert structural({}, {"n": 1}, {"n": "1"}, "")
        assert structural({}, {"n": [1]}, {"n": {"0": 1}}, "")[0].kind == "type"
        assert structural({}, {"n": {"a": 1}}, {"n": [1]}, "")[0].kind == "type"
        assert structural({}, {"n": [1, 2]}, {"n": [1, 3]}, "")[0].path == "n[1]"

    def test_envelope_id_ok_and_error(self) -> None:
        """The id is echoed; ok must match; errors compare code and path, not message."""
        request = {"rule": "normalize.name"}
        expected = {"id": 1, "ok": False, "error": {"code": "invalid_input", "path": "now"}}

        assert (
            compare(
                request,
                expected,
                {
                    "id": 1,
                    "ok": False,
                    "error": {"code": "invalid_input", "path": "now", "message": "any"},
                },
            )
            == ()
        )
        assert [
            m.path
            for m in compare(
                request,
                expected,
                {"id": 2, "ok": False, "error": {"code": "invalid_input", "path": "now"}},
            )
        ] == ["id"]
        flipped = compare(request, expected, {"id": 1, "ok": True, "result": {}})
        assert [m.path for m in flipped] == ["ok"]
        assert "invalid_input" in str(flipped[0])
        assert compare(request, expected, ["not", "an", "object"])[0].kind == "type"

    def test_a_rule_judge_replaces_structural_comparison(self) -> None:
        """Judges are pluggable per rule."""
        calls: list[object] = []

        def judge(_request: Any, _expected: object, actual: object, _path: str) -> list[Mismatch]:
            calls.append(actual)
            return []

        found = compare(
            {"rule": "x.y"},
            {"ok": True, "result": {"a": 1}},
            {"ok": True, "result": {"a": 2}},
            judges={"x.y": judge},
        )

        assert found == ()
        assert calls == [{"a": 2}]

    def test_mismatch_signature_ignores_list_positions(self) -> None:
        """Two instances of one bug at different indexes have one signature."""
        first = Mismatch(path="result.waves[0]", kind="illegal_wave")
        second = Mismatch(path="result.waves[1]", kind="illegal_wave")

        assert first.signature == second.signature == ("result.waves", "illegal_wave", "")

    def test_the_root_cause_names_the_reason_codes_that_differ(self) -> None:
        """Fuzz findings: two different missing codes are two root causes, not one."""
        request = {"rule": "routing.fresh_claim"}
        expected = {"ok": True, "result": {"reasons": [{"code": "quota_exhausted"}]}}

        missing = compare(request, expected, {"ok": True, "result": {"reasons": []}})
        other = compare(
            request, expected, {"ok": True, "result": {"reasons": [{"code": "quota_exceeded"}]}}
        )

        assert missing[0].signature == ("result.reasons", "reasons", "-quota_exhausted")
        assert other[0].signature == (
            "result.reasons",
            "reasons",
            "-quota_exhausted +quota_exceeded",
        )

    def test_ids_below_keyed_maps_are_not_part_of_the_root_cause(self) -> None:
        """result.ineligible.a1 and .a2 are one place; error codes tell causes apart."""
        one = Mismatch(path="result.ineligible.a1[0]", kind="reasons", detail="-inactive")
        two = Mismatch(path="result.ineligible.a2", kind="reasons", detail="-inactive")
        wrong = compare(
            {"rule": "normalize.name"},
            {"ok": False, "error": {"code": "naive_datetime", "path": "now"}},
            {"ok": False, "error": {"code": "invalid_input", "path": "now"}},
        )

        assert one.signature == two.signature == ("result.ineligible.*", "reasons", "-inactive")
        assert wrong[0].signature == (
            "error.code",
            "value",
            '"naive_datetime" -> "invalid_input"',
        )


def _dispatch_request(**extra: Any) -> dict[str, Any]:
    return {
        "id": "d",
        "rule": "routing.dispatch",
        "now": "2026-11-23T09:00:00Z",
        "input": {
            "channel": "digital",
            "lead": {"id": "L1", "project": "p1"},
            "agents": [{"id": f"a{i}", "project": "p1"} for i in range(1, 8)],
            "seed": 4,
            **extra,
        },
    }


class TestWaveJudge:
    """routing.dispatch is judged by wave legality (RTE-2, GEN-2), not by equal waves."""

    def test_a_fake_check_wave_is_used_for_every_wave(self) -> None:
        """The wave check is pluggable: each wave is judged with the waves before it."""
        seen: list[tuple[list[str], list[str]]] = []

        def fake(_request: Any, wave: Any, before: Any) -> tuple[bool, list[str]]:
            seen.append((list(wave), list(before)))
            return (wave != ["bad"], ["fake_reason"])

        judge = WaveJudge(check_wave=fake, replay=None)
        expected = {"waves": [["a"], ["b"]], "outcome": "fresh"}

        good = judge({}, expected, {"waves": [["a"], ["c"]], "outcome": "pending"}, "result")
        bad = judge({}, expected, {"waves": [["a"], ["bad"]], "outcome": "fresh"}, "result")

        assert good == []
        assert seen[:2] == [(["a"], []), (["c"], ["a"])]
        assert [m.kind for m in bad] == ["illegal_wave"]
        assert "fake_reason" in str(bad[0])

    def test_same_agents_in_another_order_compare_the_rest_exactly(self) -> None:
        """Order inside a wave is free; with the same waves the outcome must match."""
        judge = WaveJudge(check_wave=lambda _r, _w, _b: (True, []), replay=None)
        expected = {"waves": [["a", "b"]], "outcome": "claimed", "agent": "a"}

        assert (
            judge({}, expected, {"waves": [["b", "a"]], "outcome": "claimed", "agent": "a"}, "r")
            == []
        )
        wrong = judge(
            {}, expected, {"waves": [["b", "a"]], "outcome": "claimed", "agent": "b"}, "r"
        )
        assert [m.path for m in wrong] == ["r.agent"]

    def test_waves_that_are_not_lists_of_ids_are_reported(self) -> None:
        """A malformed waves value is a type mismatch."""
        judge = WaveJudge()

        assert judge({}, {"waves": []}, {"waves": "a1"}, "result")[0].kind == "type"
        assert judge({}, {"waves": []}, [], "result")[0].kind == "type"

    def test_leadcore_judges_another_legal_draw_as_agreeing(self) -> None:
        """RTE-2: leadcore with another seed and shuffled waves agrees with leadcore."""
        events = [
            {"type": "decline", "agent": "a1", "at": "2026-11-23T09:01:00Z"},
            {"type": "timeout", "at": "2026-11-23T09:05:00Z"},
            {"type": "claim", "agent": "a6", "at": "2026-11-23T09:06:00Z"},
        ]
        for seed in range(6):
            ours = _decide(_dispatch_request(events=events))
            other = _dispatch_request(events=events)
            other["input"]["seed"] = seed + 100
            theirs = _decide(other)
            for wave in theirs["result"]["waves"]:
                wave.reverse()

            assert compare(_dispatch_request(events=events), ours, theirs) == ()

    def test_an_outcome_that_does_not_follow_from_the_waves_is_found(self) -> None:
        """RTE-2: a claim by an agent outside the answer's waves cannot win."""
        events = [{"type": "claim", "agent": "a7", "at": "2026-11-23T09:01:00Z"}]
        request = _dispatch_request(events=events)
        ours = _decide(request)
        waves = [["a1", "a2", "a3", "a4", "a5"]]
        theirs = {
            "id": "d",
            "ok": True,
            "result": {"outcome": "claimed", "agent": "a7", "waves": waves, "rejected_events": []},
        }
        ours["result"]["waves"] = [["a2", "a3", "a4", "a5", "a7"]]  # leadcore drew a7 here

        found = compare(request, ours, theirs)

        assert {m.path for m in found} >= {"result.outcome"}

    def test_an_oversized_wave_is_illegal(self) -> None:
        """RTE-2: a wave of six when the wave size is five is illegal."""
        request = _dispatch_request()
        ours = _decide(request)
        theirs = json.loads(json.dumps(ours))
        offered = set(theirs["result"]["waves"][0])
        spare = next(f"a{i}" for i in range(1, 8) if f"a{i}" not in offered)
        theirs["result"]["waves"][0].append(spare)

        found = compare(request, ours, theirs)

        assert [m.kind for m in found] == ["illegal_wave"]

    def test_replay_reports_waves_that_do_not_fit_the_events(self) -> None:
        """RTE-2: a second wave after the lead was claimed, or a missing one, is reported."""
        events = [{"type": "timeout", "at": "2026-11-23T09:05:00Z"}]
        request = _dispatch_request(events=events)

        too_few = leadcore_replay(request, [["a1", "a2", "a3", "a4", "a5"]])
        too_many = leadcore_replay(request, [["a1"], ["a2"], ["a3"]])
        fitting = leadcore_replay(request, [["a1", "a2", "a3", "a4", "a5"], ["a6", "a7"]])

        assert isinstance(too_few, str)
        assert "only 1" in too_few
        assert isinstance(too_many, str)
        assert isinstance(fitting, dict)
        assert fitting["outcome"] == "pending"
        assert leadcore_replay({"input": {}}, [[]]) is None

    def test_replay_mismatch_is_reported_as_an_illegal_wave_sequence(self) -> None:
        """RTE-2: the judge turns an unfitting wave sequence into a mismatch."""
        request = _dispatch_request(events=[{"type": "timeout", "at": "2026-11-23T09:05:00Z"}])
        ours = _decide(request)
        theirs = json.loads(json.dumps(ours))
        theirs["result"]["waves"] = theirs["result"]["waves"][:1]

        found = compare(request, ours, theirs)

        assert [m.kind for m in found] == ["illegal_wave"]
        assert "do not fit" in str(found[0])

    def test_check_wave_of_a_bad_request_is_not_legal(self) -> None:
        """A dispatch request leadcore refuses cannot make a wave legal."""
        legal, codes = leadcore_check_wave({"now": "x", "input": {}}, ["a1"], [])

        assert not legal
        assert "invalid_input" in codes[0]


class TestImplementation:
    """The process wrapper: crashes, silence and garbage are reported, never hang."""

    def test_answers_in_order(self) -> None:
        """A well-behaved implementation answers each request with its id."""
        with conformance.Implementation(LEADCORE, timeout=20) as impl:
            replies = [
                impl.ask(
                    {
                        "id": n,
                        "rule": "normalize.name",
                        "now": "2026-01-01T00:00:00Z",
                        "input": {"value": "Zoë"},
                    }
                )
                for n in range(3)
            ]
            raw = impl.ask("this is not json")

        assert [r.response["id"] for r in replies if r.response] == [0, 1, 2]
        assert raw.response is not None
        assert raw.response["error"]["code"] == "invalid_json"
        assert impl.starts == 1

    @pytest.mark.parametrize(
        ("script", "timeout", "problem"),
        [
            (
                "import sys; sys.stderr.write('boom\\n'); sys.exit(4)",
                30,
                "exited with status 4",
            ),
            ("import sys, time; sys.stdin.readline(); time.sleep(60)", 0.5, "no answer within"),
            (
                "import sys; sys.stdin.readline(); print('hello'); sys.stdout.flush()",
                30,
                "not JSON",
            ),
            (
                "import sys; sys.stdin.readline(); print('[1]'); sys.stdout.flush()",
                30,
                "not a JSON object",
            ),
        ],
    )
    def test_misbehaviour_is_a_reply_with_a_problem(
        self, script: str, timeout: float, problem: str
    ) -> None:
        """
        A crash, a hang or garbage comes back as a problem, within the timeout.

        Only the hang waits for its (short) timeout; the others answer or end by
        themselves, which a Python started under coverage on a busy machine may take
        longer than half a second to do.
        """
        with conformance.Implementation([PYTHON, "-c", script], timeout=timeout, startup=0) as impl:
            reply = impl.ask({"id": 1})

        assert reply.response is None
        assert reply.problem is not None
        assert problem in reply.problem
        if "status 4" in problem:
            assert "boom" in reply.problem

    def test_an_implementation_that_closes_its_output_and_stays_is_named(self) -> None:
        """Its output closed, the process still running: said so, not as an exit status."""
        script = "import os, sys, time; sys.stdin.readline(); os.close(1); time.sleep(30)"
        with conformance.Implementation([PYTHON, "-c", script], timeout=30) as impl:
            reply = impl.ask({"id": 1})

        assert reply.response is None
        assert reply.problem == "the implementation closed its output before answering"

    def test_blank_lines_before_the_answer_are_skipped(self) -> None:
        """An empty line is not an answer: the next line is."""
        script = (
            "import sys; sys.stdin.readline(); print(); print('  '); print('{\"id\": 1}'); "
            "sys.stdout.flush(); sys.stdin.readline()"
        )
        with conformance.Implementation([PYTHON, "-c", script], timeout=30) as impl:
            reply = impl.ask({"id": 1})

        assert reply.problem is None
        assert reply.response == {"id": 1}

    def test_a_crashed_implementation_is_restarted(self) -> None:
        """After a crash the next request starts the process again."""
        script = "import sys; sys.exit(1)"
        with conformance.Implementation([PYTHON, "-c", script], timeout=5) as impl:
            impl.ask({"id": 1})
            impl.ask({"id": 2})

        assert impl.starts == 2
        assert impl.failures == 2

    def test_a_missing_command_cannot_start(self) -> None:
        """ImplementationError names the command."""
        with pytest.raises(conformance.ImplementationError, match="no-such-command-xyz"):
            conformance.Implementation("no-such-command-xyz --flag").start()

    def test_an_empty_command_is_refused(self) -> None:
        """An empty command line is refused at once."""
        with pytest.raises(conformance.ImplementationError, match="empty"):
            conformance.Implementation("  ")


class TestRunner:
    """``leadcore conformance run``: leadcore itself passes every shipped vector."""

    def test_leadcore_passes_every_shipped_vector(self) -> None:
        """Every shipped vector, replayed through ``leadcore decide`` in a process, agrees."""
        report = conformance.run(LEADCORE, timeout=20)

        assert report.ok, report.format()
        assert report.count("pass") == len(conformance.vectors())
        assert "vectors agree" in report.format()
        assert report.to_json()["failures"] == []

    def test_select_by_rule_id_rule_and_family(self) -> None:
        """Selectors name a rule id, a rule or a family."""
        found = conformance.vectors()

        assert all("GEN-1" in v.rules for v in conformance.select(found, ["GEN-1"]))
        assert {v.rule for v in conformance.select(found, ["normalize.email"])} == {
            "normalize.email"
        }
        assert {v.rule.split(".")[0] for v in conformance.select(found, ["normalize"])} == {
            "normalize"
        }
        assert conformance.select(found, None) == found

    def test_report_of_a_failing_run(self) -> None:
        """The report names the vector, its rule ids, what differed, and the failing ids."""
        vector = _vector()
        script = (
            "import sys, json\n"
            "for line in sys.stdin:\n"
            "    r = json.loads(line)\n"
            "    print(json.dumps({'id': r['id'], 'ok': True, 'result': {'normalized': 'x'}}))\n"
            "    sys.stdout.flush()\n"
        )

        second = attrs.evolve(vector, where="t.jsonl:2")

        report = conformance.run([PYTHON, "-c", script], [vector, second], timeout=20)
        text = report.format()

        assert not report.ok
        assert report.failing_rule_ids() == ("GEN-5",)
        assert report.failing_rules() == ("normalize.name",)
        assert report.by_rule_id() == {"GEN-5": (0, 2)}
        assert [len(g.cases) for g in report.groups] == [2]
        assert "FAIL normalize.name [GEN-5] result.normalized: value  2 vectors" in text
        assert "  t.jsonl:1  a test vector" in text
        assert "  t.jsonl:2  a test vector" in text
        assert 'result.normalized: expected "ada", got "x"' in text
        assert "shrunk example (from t.jsonl:1" in text
        assert "failing rule ids: GEN-5" in text

    def test_the_run_gives_up_after_too_many_failures(self) -> None:
        """After max_failures crashes the rest is skipped, not run."""
        report = conformance.run(
            [PYTHON, "-c", "raise SystemExit(2)"], [_vector()] * 3, timeout=5, max_failures=2
        )

        assert [c.status for c in report.cases] == ["no_answer", "no_answer", "skipped"]
        assert report.to_json()["counts"] == {
            "pass": 0,
            "fail": 0,
            "no_answer": 2,
            "skipped": 1,
            "not_implemented": 0,
        }
        assert report.groups[0].cause == ("", "no_answer", "crash")


class TestCommandLine:
    """``leadcore conformance run|fuzz|vectors|schema``: exit status and output."""

    def _main(self, *argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = _cli.main(list(argv), out=out)
        return code, out.getvalue()

    def test_run_passes_with_leadcore(self) -> None:
        """Exit 0 when the implementation agrees."""
        code, text = self._main("conformance", "run", "--impl", LEADCORE, "--select", "normalize")

        assert code == 0
        assert "vectors agree" in text

    def test_run_json_report(self, tmp_path: Path) -> None:
        """--json writes the report as JSON; --vectors reads a file."""
        path = conformance.dump([_vector()], tmp_path / "v.jsonl")

        code, text = self._main(
            "conformance", "run", "--impl", LEADCORE, "--vectors", str(path), "--json"
        )

        assert code == 1
        assert json.loads(text)["failures"][0]["where"] == "v.jsonl:1"

    def test_run_usage_errors_exit_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing command, a missing file or an empty selection exit 2 with a message."""
        assert self._main("conformance", "run", "--impl", "no-such-command-xyz")[0] == 2
        assert (
            self._main(
                "conformance", "run", "--impl", LEADCORE, "--vectors", str(tmp_path / "none")
            )[0]
            == 2
        )
        assert self._main("conformance", "run", "--impl", LEADCORE, "--select", "XYZ-9")[0] == 2
        assert "no-such-command-xyz" in capsys.readouterr().err

    def test_run_replays_vectors_holding_lone_surrogates(self, tmp_path: Path) -> None:
        """Rules v1.2: a vector with an escaped surrogate is sent escaped and answered; no crash."""
        surrogate = Vector(
            where="s.jsonl:1",
            description="a lone surrogate in a value",
            rules=("GEN-5",),
            request={
                "id": "s",
                "rule": "normalize.name",
                "now": "2026-01-01T00:00:00Z",
                "input": {"value": "Ada\udfff"},
            },
            expected={
                "id": "s",
                "ok": False,
                "error": {"code": "invalid_input", "path": "input.value"},
            },
        )
        path = conformance.dump(
            [surrogate, _vector(input={"value": "\ud800"})], tmp_path / "s.jsonl"
        )

        code, text = self._main("conformance", "run", "--impl", LEADCORE, "--vectors", str(path))
        json_code, json_text = self._main(
            "conformance", "run", "--impl", LEADCORE, "--vectors", str(path), "--json"
        )

        assert (code, json_code) == (1, 1)
        assert "FAIL normalize.name" in text
        assert "  s.jsonl:2  " in text
        assert "s.jsonl:1" not in text
        assert [f["where"] for f in json.loads(json_text)["failures"]] == ["s.jsonl:2"]

    def test_a_vector_with_a_number_out_of_range_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """1e400 would be sent as Infinity, not as written: the file and line are named."""
        line = json.dumps(_vector().to_json()).replace('"t"', "1e400", 1)
        path = tmp_path / "big.jsonl"
        path.write_text(line + "\n", encoding="utf-8")

        assert self._main("conformance", "run", "--impl", LEADCORE, "--vectors", str(path))[0] == 2
        assert "big.jsonl:1: the number 1e400 is out of range" in capsys.readouterr().err

    def test_a_raw_line_holding_a_lone_surrogate_is_sent_as_such(self) -> None:
        """ask() with text that is not Unicode sends bytes that are not UTF-8: invalid_json."""
        line = json.dumps(_vector().request, ensure_ascii=False).replace("normalize", "\ud800")

        with conformance.Implementation(LEADCORE) as impl:
            reply = impl.ask(line)

        assert reply.response is not None
        assert reply.response["error"]["code"] == "invalid_json"

    def test_fuzz_usage_errors_exit_2(self) -> None:
        """An unknown rule or command exits 2."""
        assert (
            self._main("conformance", "fuzz", "--impl", LEADCORE, "--rule", "nope", "--count", "1")[
                0
            ]
            == 2
        )
        assert (
            self._main("conformance", "fuzz", "--impl", "no-such-command-xyz", "--count", "1")[0]
            == 2
        )

    def test_fuzz_agrees_with_leadcore(self, tmp_path: Path) -> None:
        """Exit 0 and no file when leadcore is fuzzed against itself."""
        code, text = self._main(
            "conformance", "fuzz", "--impl", LEADCORE, "--seed", "3", "--count", "20",
            "--rule", "normalize", "--out", str(tmp_path / "out"),
        )  # fmt: skip

        assert code == 0, text
        assert "no disagreement found" in text
        assert not (tmp_path / "out").exists()

    def test_vectors_and_schema_are_printed(self) -> None:
        """``vectors`` writes JSON Lines; ``schema`` writes the document or one definition."""
        code, text = self._main("conformance", "vectors", "--select", "GEN-1")
        lines = [json.loads(line) for line in text.splitlines()]
        assert code == 0
        assert lines
        assert all("GEN-1" in line["rules"] for line in lines)

        code, text = self._main("conformance", "schema", "lead")
        assert code == 0
        assert json.loads(text)["required"] == ["id"]
        assert self._main("conformance", "schema", "nope")[0] == 2

    def test_the_command_runs_as_a_process(self) -> None:
        """``python -m leadcore conformance run`` works end to end."""
        done = subprocess.run(  # noqa: S603  # our own interpreter
            [
                PYTHON,
                "-m",
                "leadcore",
                "conformance",
                "run",
                "--impl",
                LEADCORE,
                "--select",
                "GEN-1",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert done.returncode == 0, done.stdout + done.stderr
        assert "GEN-1" in done.stdout
