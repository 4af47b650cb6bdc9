"""
The oracle judges the contract, not leadcore's own choices (issue 14, v1.2 of the rules).

An implementation of the contract alone (``examples/contract_impl.py``: leadcore's
answers without any extension key or extension reason code, extension policy keys
refused as unknown, every free choice made the other way) passes every vector with
``conformance run`` and fails ``conformance run --strict``; the fuzzer finds nothing in
it unless strict. A partial implementation's ``unknown_rule`` answers are counted per rule
as not implemented; reports group failures by root cause, as text, JSON and JUnit XML.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from leadcore import _cli, conformance, protocol, reasons
from leadcore.conformance import Report, Vector, compare, expectation
from leadcore.conformance._dispatch import leadcore_replay
from leadcore.conformance._shrink import shrink
from leadcore.conformance._vectors import json_text

PYTHON = sys.executable
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CONTRACT = [PYTHON, str(EXAMPLES / "contract_impl.py")]
LEADCORE = [PYTHON, "-m", "leadcore", "decide"]
VECTORS = conformance.vectors()
RULEBOOK = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
"""The contract in the project's own words (the rulebook's tables, shipped with the clone)."""

# Answers unknown_rule for every routing rule, like leadcore otherwise.
PARTIAL = (
    "import json, sys\n"
    "from leadcore import protocol\n"
    "for line in sys.stdin:\n"
    "    r = json.loads(line)\n"
    "    if str(r.get('rule', '')).startswith('routing.'):\n"
    "        a = {'id': r.get('id'), 'ok': False, 'error': {'code': 'unknown_rule',\n"
    "             'message': 'not here', 'path': 'rule'}}\n"
    "    else:\n"
    "        a = protocol.decide(r)\n"
    "    print(protocol.dumps(a), flush=True)\n"
)


def _main(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = _cli.main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def contract_run() -> Report:
    """The contract-only implementation, run on every vector, comparing the contract."""
    return conformance.run(CONTRACT, timeout=20)


@pytest.fixture(scope="module")
def strict_run() -> Report:
    """The same implementation, every vector, compared strictly."""
    return conformance.run(CONTRACT, timeout=20, strict=True, shrink_calls=0)


class TestAnImplementationOfTheContractAlone:
    """The done criterion of issue 14, built into the suite."""

    def test_it_passes_every_contract_vector(self, contract_run: Report) -> None:
        """Rules v1.2: no vector fails an implementation for leaving out extensions."""
        assert contract_run.ok, contract_run.format()
        assert contract_run.count("pass") == len(VECTORS)
        ignored, touched = contract_run.ignored()
        assert ignored > 0
        assert touched > 0
        assert "extension differences in" in contract_run.format()

    def test_it_fails_the_strict_run_on_extensions_only(self, strict_run: Report) -> None:
        """--strict compares leadcore's extensions: keys, codes, policies, choices."""
        assert not strict_run.ok
        failing = {c.vector.where for c in strict_run.cases if c.status != "pass"}
        different = {v.where for v in VECTORS if not v.contract or v.strict != v.expected}
        assert failing
        # Every strict failure is a vector with extensions, or a free choice of the
        # contract implementation (customer null, order of order-free lists...).
        text = strict_run.format()
        assert "comparing everything leadcore answers (--strict)" in text
        assert {c.status for c in strict_run.cases} <= {"pass", "fail"}
        assert failing & different

    def test_leadcore_itself_passes_strict_and_contract(self) -> None:
        """The reference agrees with its own vectors either way."""
        strict = conformance.run(LEADCORE, timeout=20, strict=True)

        assert strict.ok, strict.format()
        assert strict.ignored() == (0, 0)

    def test_the_fuzzer_finds_nothing_in_it_unless_strict(self, tmp_path: Path) -> None:
        """The contract comparison is the same on generated requests as on vectors."""
        report = conformance.fuzz(CONTRACT, seed=3, count=300, out=tmp_path, shrink_calls=20)
        strict = conformance.fuzz(
            CONTRACT,
            seed=3,
            count=40,
            rules=["merge.auto", "related.stop"],
            strict=True,
            shrink_calls=20,
            max_findings=1,
        )

        assert report.ok, report.format()
        assert not list(tmp_path.iterdir())
        assert report.ignored > 0
        assert "ignored extension differences" in report.format()
        assert not strict.ok
        assert {f.rule for f in strict.findings} == {"merge.auto", "related.stop"}


class TestVectorMarks:
    """Every vector says what is contract and what is extension, in a vendorable form."""

    def test_the_marks_are_what_the_tables_say(self) -> None:
        """expected, strict, contract and extensions follow expectation() exactly."""
        for vector in VECTORS:
            split = expectation(vector.request, vector.strict)

            assert split.contract == vector.contract, vector.where
            assert split.expected == vector.expected, vector.where
            assert split.extensions == vector.extensions, vector.where

    def test_every_kind_of_extension_is_marked_somewhere(self) -> None:
        """Extension keys, policy keys, refusals and codes all occur in the vectors."""
        notes = " | ".join(n for v in VECTORS for n in v.extensions)

        for key in ("candidates", "size", "decided_at", "wave_times", "not_in_cadence"):
            assert f"result.{key}:" in notes, key
        assert "result.duplicates[].person" in notes
        assert "result.discarded[].lead" in notes
        for key in ("sales_licence_roles", "manager_pipeline", "relation_keys"):
            assert f"policy.{key}" in notes, key
        assert "a dispatch without seed is refused" in notes
        assert "an event before now is refused" in notes
        assert "(an extension reason code)" in notes
        assert "request input.existing" in notes

    def test_the_vendorable_form_round_trips(self, tmp_path: Path) -> None:
        """The written form keeps strict, contract and extensions; older files still load."""
        marked = [v for v in VECTORS if not v.contract or v.extensions][:5]
        path = conformance.dump(marked, tmp_path / "marked.jsonl")

        loaded = conformance.load(path)
        old = tmp_path / "old.jsonl"
        old.write_text(
            json.dumps(
                {"description": "d", "rules": ["GEN-5"], "request": {}, "expected": {"ok": True}}
            )
            + "\n",
            encoding="utf-8",
        )

        assert [v.to_json() for v in loaded] == [v.to_json() for v in marked]
        assert conformance.load(old)[0].contract is True
        assert conformance.load(old)[0].strict == {"ok": True}

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ('"strict": 1', "'strict'"),
            ('"contract": "no"', "'contract'"),
            ('"extensions": [1]', "'extensions'"),
        ],
    )
    def test_bad_marks_are_named(self, tmp_path: Path, field: str, message: str) -> None:
        """GEN-5: a malformed mark is a VectorError naming file and line."""
        path = tmp_path / "bad.jsonl"
        path.write_text(
            '{"description": "d", "rules": ["GEN-5"], "request": {}, '
            f'"expected": {{"ok": true}}, {field}}}\n',
            encoding="utf-8",
        )

        with pytest.raises(conformance.VectorError, match=message):
            conformance.load(path)

    def test_the_tables_name_what_leadcore_writes(self) -> None:
        """Every result key of leadcore's schema is the protocol's or a declared extension."""
        from leadcore.conformance._schema import RESULT_KEYS  # noqa: PLC0415

        for rule, keys in RESULT_KEYS.items():
            extension = {k for k in conformance.EXTENSION_KEYS.get(rule, ()) if "[" not in k}
            assert set(keys) == set(conformance.SPEC_RESULT_KEYS[rule]) | extension, rule

    def test_the_tables_follow_the_rulebook(self) -> None:
        """SPEC_RESULT_KEYS, SPEC_INPUT_KEYS and SPEC_POLICY_FIELDS are the rulebook's."""
        text = RULEBOOK.read_text(encoding="utf-8")
        table = text.split("## Inputs and results", 1)[1].split("## Policy fields", 1)[0]
        conventions = {"record", "cancelled_events", "reasons"}
        rows = re.findall(r"^\| `(.+?)` \| (.+?) \| (.+?) \|$", table, flags=re.MULTILINE)
        assert {rule for rule, _, _ in rows} == set(conformance.SPEC_RESULT_KEYS)
        for rule, given, result in rows:
            spec_result = _words(result)
            ours = set(conformance.SPEC_RESULT_KEYS[rule])
            assert spec_result <= ours <= spec_result | conventions, rule
            assert _words(given) == set(conformance.SPEC_INPUT_KEYS[rule]), rule
        policy = text.split("## Policy fields", 1)[1]
        listed = set(re.findall(r"`([a-z_]+)`", policy)) - {"policy"}
        assert listed == set(conformance.SPEC_POLICY_FIELDS)


def _words(cell: str) -> set[str]:
    """The key names of a cell of the protocol's table (``lead, to (Agent), by (User)``)."""
    cleaned = re.sub(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|\+", " ", cell)
    return {w for w in re.findall(r"[a-z_]+", cleaned) if w not in {"optional", "as", "above"}}


class TestContractComparison:
    """compare() cuts leadcore's answer to the contract unless strict."""

    def test_extension_codes_are_not_asked_and_not_held_against(self) -> None:
        """Reasons: a contract implementation may leave out leadcore's extension codes."""
        request = {"rule": "link.check"}
        ours = {
            "ok": True,
            "result": {
                "allowed": False,
                "reasons": [{"code": "secondary_not_wip"}, {"code": "secondary_already_linked"}],
            },
        }
        theirs = {
            "ok": True,
            "result": {"allowed": False, "reasons": [{"code": "secondary_not_wip"}]},
        }

        assert compare(request, ours, theirs) == ()
        assert [m.kind for m in compare(request, ours, theirs, strict=True)] == ["reasons"]
        assert compare(request, theirs, ours) == ()

    def test_reason_order_is_compared_where_the_rule_text_fixes_it(self) -> None:
        """Rules v1.2: reasons in another order fail an ordered group."""
        request = {"rule": "link.check"}
        ours = {
            "ok": True,
            "result": {"reasons": [{"code": "different_project"}, {"code": "same_lead"}]},
        }
        theirs = {
            "ok": True,
            "result": {"reasons": [{"code": "same_lead"}, {"code": "different_project"}]},
        }

        found = compare(request, ours, theirs)

        assert [m.kind for m in found] == ["order"]
        assert "rule text fixes it" in str(found[0])
        assert reasons.Link.ordered
        assert not reasons.DispatchRejection.ordered

    def test_a_refusal_for_extension_reasons_only_is_no_contract(self) -> None:
        """A no that only an extension refusal gives asks nothing of others."""
        request = {"rule": "link.check"}
        ours = {
            "ok": True,
            "result": {"allowed": False, "reasons": [{"code": "secondary_already_linked"}]},
        }

        split = expectation(request, ours)

        assert not split.contract
        assert (
            compare(request, ours, {"ok": True, "result": {"allowed": True, "reasons": []}}) == ()
        )

    def test_a_request_with_an_extension_policy_key_asks_nothing(self) -> None:
        """A conforming implementation refuses leadcore's own policy keys as unknown."""
        request = {"rule": "handover.check", "policy": {"sales_licence_roles": ["manager"]}}
        ours = {"ok": True, "result": {"allowed": True, "reasons": []}}
        theirs = {
            "ok": False,
            "error": {"code": "invalid_input", "path": "policy.sales_licence_roles"},
        }
        unknown = {"rule": "normalize.name", "policy": {"no_such_knob": 1}}

        assert compare(request, ours, theirs) == ()
        assert compare(request, ours, theirs, strict=True)
        assert expectation(unknown, theirs).contract

    def test_an_empty_customer_equals_null_in_the_contract(self) -> None:
        """[decided] absent and null mean the same: an empty person is no person."""
        request = {"rule": "routing.transfer"}
        empty: dict[str, Any] = {"first_name": None, "last_name": None, "phones": [], "emails": []}
        ours = {"ok": True, "result": {"lead": {"id": "L1", "customer": empty}}}
        theirs = {"ok": True, "result": {"lead": {"id": "L1", "customer": None}}}
        named = {
            "ok": True,
            "result": {"lead": {"id": "L1", "customer": {**empty, "first_name": "A"}}},
        }

        assert compare(request, ours, theirs) == ()
        assert compare(request, ours, theirs, strict=True)
        assert compare(request, named, theirs)

    def test_empty_dispatch_waves_may_be_left_out(self) -> None:
        """RTE-2: an empty wave skips ahead; listing it is leadcore's choice."""
        request = {
            "id": "d",
            "rule": "routing.dispatch",
            "now": "2026-11-23T09:00:00Z",
            "input": {
                "channel": "digital",
                "lead": {"id": "L1", "project": "p1"},
                "agents": [{"id": "a1", "project": "p1"}],
                "seed": 1,
                "events": [{"type": "decline", "agent": "a1", "at": "2026-11-23T09:01:00Z"}],
            },
        }
        ours: Any = protocol.decide(request)
        theirs = json.loads(json.dumps(ours))
        theirs["result"]["waves"] = [["a1"]]

        assert ours["result"]["waves"] == [["a1"], []]
        assert compare(request, ours, theirs) == ()
        assert [m.path for m in compare(request, ours, theirs, strict=True)] == ["result.waves"]
        assert leadcore_replay(request, [["a1"]]) == leadcore_replay(request, [["a1"], []])


class TestPartialImplementations:
    """unknown_rule answers are 'not implemented', apart from failures."""

    def test_not_implemented_rules_are_counted_not_failed(self) -> None:
        """An implementation of some rules passes, its missing rules listed per rule."""
        report = conformance.run([PYTHON, "-c", PARTIAL], timeout=20)
        routing = sum(1 for v in VECTORS if v.rule.startswith("routing."))
        text = report.format()

        assert report.ok, text
        assert report.count("not_implemented") == routing
        assert set(report.not_implemented()) == {
            r for r in conformance.PROTOCOL_RULES if r.startswith("routing.")
        }
        assert report.groups == ()
        assert "not implemented (the implementation answered unknown_rule; not failures)" in text
        assert "FAIL " not in text
        assert not any(r.startswith("RTE") for r in report.by_rule_id())

    def test_require_all_makes_them_failures(self) -> None:
        """--require-all: a rule not implemented fails, grouped as one root cause per rule."""
        cases = conformance.select(VECTORS, ["routing.fresh_limit", "normalize"])
        report = conformance.run([PYTHON, "-c", PARTIAL], cases, timeout=20, require_all=True)

        assert not report.ok
        assert report.failing_rules() == ("routing.fresh_limit",)
        assert [g.cause for g in report.groups] == [("error.code", "value", "not implemented")]
        assert "(--require-all)" in report.format()

    def test_nothing_answered_is_no_pass(self) -> None:
        """An implementation of none of the rules selected does not pass."""
        cases = conformance.select(VECTORS, ["routing.fresh_limit"])

        report = conformance.run([PYTHON, "-c", PARTIAL], cases, timeout=20)

        assert not report.ok
        assert "no vector was answered as expected" in report.format()


class TestReports:
    """Text, JSON and JUnit carry every failure; the CLI's exit codes."""

    def test_junit_and_json_carry_everything(self, tmp_path: Path) -> None:
        """--junit writes JUnit XML; --json has groups, cases and counts; exit 1."""
        junit = tmp_path / "report.xml"
        impl = f"{PYTHON} {EXAMPLES / 'buggy_impl.py'} --bugs window365,first_reason"

        code, text = _main(
            "conformance", "run", "--impl", impl, "--select", "merge.auto",
            "--json", "--junit", str(junit), "--shrink", "5",
        )  # fmt: skip
        data = json.loads(text)
        root = ET.fromstring(junit.read_text(encoding="utf-8"))  # noqa: S314  # our own file

        assert code == 1
        assert data["mode"] == "contract"
        assert data["counts"]["fail"] == len(data["failures"]) > 0
        assert len(data["cases"]) == len(conformance.select(VECTORS, ["merge.auto"]))
        assert all(g["example"]["request"]["rule"] == "merge.auto" for g in data["groups"])
        assert sum(g["count"] for g in data["groups"]) == data["counts"]["fail"]
        assert root.tag == "testsuites"
        assert root.get("failures") == str(data["counts"]["fail"])
        assert root.get("tests") == str(len(data["cases"]))
        assert [s.get("name") for s in root.iter("testsuite")] == ["merge.auto"]

    def test_exit_codes(self, tmp_path: Path) -> None:
        """0 agree, 1 disagree (or --require-all), 2 bad arguments or no command."""
        partial = f"{PYTHON} -c {shlex.quote(PARTIAL)}"
        cases = ["--select", "normalize", "--select", "routing.fresh_limit"]

        assert _main("conformance", "run", "--impl", partial, *cases)[0] == 0
        assert _main("conformance", "run", "--impl", partial, *cases, "--require-all")[0] == 1
        assert _main("conformance", "run", "--impl", "no-such-command-xyz")[0] == 2
        with pytest.raises(SystemExit) as caught:
            _main("conformance", "run", "--impl", partial, "--max-failures", "0")
        assert caught.value.code == 2
        unwritable = str(tmp_path / "missing" / "dir" / "r.xml")
        assert _main("conformance", "run", "--impl", partial, *cases, "--junit", unwritable)[0] == 2

    def test_a_lone_surrogate_in_a_vector_is_reported_not_a_crash(self, tmp_path: Path) -> None:
        """Rules v1.2: nothing a request holds stops the run; reports stay valid text."""
        vector = Vector(
            where="s.jsonl:1",
            description="a lone surrogate \ud800 in a name",
            rules=("GEN-5",),
            request={
                "id": "s\udc00",
                "rule": "normalize.name",
                "now": "2026-01-01T00:00:00Z",
                "input": {"value": "Zo\ud800e"},
            },
            expected={"id": "s\udc00", "ok": True, "result": {"normalized": "no"}},
        )
        path = conformance.dump([vector], tmp_path / "s.jsonl")
        junit = tmp_path / "s.xml"

        code, text = _main(
            "conformance", "run", "--impl", " ".join(LEADCORE), "--vectors", str(path),
            "--junit", str(junit),
        )  # fmt: skip

        assert code == 1
        assert "\\ud800" in json_text(text) or "\ud800" in text
        text.encode("utf-8", "surrogatepass")
        ET.fromstring(junit.read_text(encoding="utf-8"))  # noqa: S314  # our own file
        assert conformance.load(path)[0].request["input"]["value"] == "Zo\ud800e"


class TestFuzzer:
    """The findings cap is an option and reported; findings are root causes."""

    def test_the_cap_is_reported_when_reached(self) -> None:
        """--max-findings: a rule that reaches it says more may remain."""
        impl = [PYTHON, str(EXAMPLES / "buggy_impl.py"), "--bugs", "first_reason"]

        report = conformance.fuzz(
            impl, seed=1, count=200, rules=["link.check"], max_findings=1, shrink_calls=10
        )

        assert report.capped == ("link.check",)
        assert len(report.findings) == 1
        assert "cap of 1 reached" in report.format()
        assert "raise --max-findings" in report.format()
        with pytest.raises(ValueError, match="max_findings"):
            conformance.fuzz(impl, seed=1, count=1, max_findings=0)

    def test_findings_are_distinct_root_causes(self) -> None:
        """Each reason code that goes missing is its own root cause."""
        impl = [PYTHON, str(EXAMPLES / "buggy_impl.py"), "--bugs", "first_reason"]

        report = conformance.fuzz(
            impl, seed=1, count=300, rules=["link.check"], max_findings=3, shrink_calls=10
        )
        causes = [f.cause for f in report.findings]

        assert len(causes) == len(set(causes)) >= 2
        assert all(kind == "reasons" for _, kind, _ in causes)
        assert all(f.vector.rules for f in report.findings)

    def test_the_cli_takes_the_cap_and_strict(self, tmp_path: Path) -> None:
        """The command line takes the cap (--max-findings N) and --strict."""
        code, text = _main(
            "conformance", "fuzz", "--impl", " ".join(CONTRACT), "--rule", "related.stop",
            "--count", "30", "--max-findings", "1", "--strict", "--shrink", "5",
            "--out", str(tmp_path),
        )  # fmt: skip

        assert code == 1
        assert "(--strict)" in text
        assert "cap of 1 reached" in text


class TestShrinker:
    """Delta debugging drops keys, list items and characters that do not matter."""

    @staticmethod
    def _needle(request: dict[str, Any]) -> tuple[conformance.Mismatch, ...]:
        found = "needle" in json.dumps(request)
        return (conformance.Mismatch(path="result", kind="value"),) if found else ()

    def test_a_big_list_shrinks_to_the_item_that_matters(self) -> None:
        """100,000 items shrink to the needle by halves, within a small budget."""
        items = ["hay"] * 99_999
        items[77_777] = "needle"
        request = {
            "id": "x",
            "rule": "normalize.name",
            "now": "2026-01-01T00:00:00Z",
            "input": {"list": items, "k": 1},
        }

        shrunk = shrink(request, self._needle, calls=200)

        assert shrunk.request["input"] == {"list": ["needle"]}
        assert set(shrunk.request) == {"id", "rule", "now", "input"}
        assert shrunk.calls <= 200

    def test_a_long_text_shrinks_to_the_characters_that_matter(self) -> None:
        """10,000 characters shrink to the needle; date-times and ids are left whole."""
        request = {
            "id": "x",
            "rule": "normalize.name",
            "now": "2026-01-01T00:00:00Z",
            "input": {"value": "x" * 5_000 + "needle" + "y" * 4_994, "at": "2026"},
        }

        shrunk = shrink(request, self._needle, calls=200)

        assert shrunk.request["input"] == {"value": "needle"}
        assert shrunk.request["now"] == "2026-01-01T00:00:00Z"

    def test_a_request_that_agrees_is_left_alone(self) -> None:
        """No root cause: nothing to keep, nothing shrunk."""
        request = {"id": "x", "rule": "normalize.name", "input": {"value": "hay"}}

        shrunk = shrink(request, self._needle, calls=10)

        assert shrunk.request == request
        assert shrunk.target == frozenset()
        assert shrunk.calls == 1
