"""
``leadcore conformance run``: replay conformance vectors against another implementation.

Each vector's request goes to the implementation; its answer is compared rule-aware with
the vector's expected response (:func:`leadcore.conformance.compare`): by default the
contract only (v1.2 of the rules), counting the extension differences it ignored; ``strict``
compares everything leadcore answers. An ``unknown_rule`` answer marks the rule as not
implemented, apart from failures (``require_all`` makes it one). The report groups the
failures by rule and root cause, with one shrunk example of each, and counts passes per
rule ID; it is text, JSON or JUnit XML.
"""

from __future__ import annotations

import copy
import json
import time
import xml.etree.ElementTree as ET  # writing XML, never parsing it
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from leadcore._attrs import Frozen, checked
from leadcore.conformance._compare import Judge, Mismatch, compare, no_answer
from leadcore.conformance._ids import RULE_IDS
from leadcore.conformance._process import Implementation
from leadcore.conformance._shrink import Shrunk, cause_rule_ids, disagreement, shrink
from leadcore.conformance._vectors import Vector, json_text, vectors

__all__ = ["CaseResult", "FailureGroup", "Report", "run", "select"]

Status = Literal["pass", "fail", "no_answer", "skipped", "not_implemented"]
_STATUSES: tuple[Status, ...] = ("pass", "fail", "no_answer", "skipped", "not_implemented")
_SHOWN = 400
# Every try costs a time-out for a hang and a restart for a crash: a few tries only.
_NO_ANSWER_SHRINK = {"hang": 0, "crash": 10}


@attrs.frozen(kw_only=True)
class CaseResult(Frozen):
    """
    The outcome of one vector.

    Attributes:
        vector: The vector.
        status: ``pass``, ``fail`` (a wrong answer), ``no_answer`` (crash, timeout, not
            JSON), ``skipped`` (the run gave up after too many failures) or
            ``not_implemented`` (the implementation answered ``unknown_rule``).
        mismatches: What differed (for ``fail`` and ``no_answer``).
        answer: The implementation's response, when there was one.
        ignored: The differences in leadcore's extensions that the contract comparison
            ignored (empty under ``strict``).

    """

    vector: Vector
    status: Status
    mismatches: tuple[Mismatch, ...] = ()
    answer: Mapping[str, Any] | None = attrs.field(default=None, eq=False)
    ignored: tuple[Mismatch, ...] = ()

    @property
    def cause(self) -> tuple[str, str, str, str]:
        """The root cause: the rule and the first mismatch's signature."""
        first = self.mismatches[0].signature if self.mismatches else ("", "", "")
        return (self.vector.rule, *first)

    def to_json(self) -> dict[str, Any]:
        """Return the outcome as JSON."""
        return {
            "where": self.vector.where,
            "rule": self.vector.rule,
            "rules": list(self.vector.rules),
            "description": self.vector.description,
            "contract": self.vector.contract,
            "status": self.status,
            "mismatches": [_mismatch_json(m) for m in self.mismatches],
            "ignored": [_mismatch_json(m) for m in self.ignored],
        }


def _mismatch_json(mismatch: Mismatch) -> dict[str, Any]:
    path, kind, detail = mismatch.signature
    return {
        "path": mismatch.path,
        "kind": mismatch.kind,
        "text": str(mismatch),
        "cause": {"path": path, "kind": kind, "detail": detail},
    }


@attrs.frozen(kw_only=True)
class FailureGroup(Frozen):
    """
    Failures of one rule with one root cause, and a shrunk example of it.

    Attributes:
        rule: The protocol rule (``merge.auto``).
        status: ``fail`` or ``no_answer``.
        cause: The root cause: place (indexes dropped), kind and detail of the first
            mismatch (:attr:`Mismatch.signature`).
        rule_ids: The rule IDs concerned: those of the reason codes that differ, or
            else the vectors' own.
        cases: The vectors that failed this way, in run order.
        example: The first vector's request, shrunk while the disagreement stays the same
            (the request itself when it could not be shrunk).
        example_mismatches: How the implementation answers the example, against
            leadcore's own answer.
        shrink_calls: Requests spent shrinking.

    """

    rule: str
    status: Status
    cause: tuple[str, str, str]
    rule_ids: tuple[str, ...]
    cases: tuple[CaseResult, ...]
    example: Mapping[str, Any] = attrs.field(eq=False)
    example_mismatches: tuple[Mismatch, ...] = ()
    shrink_calls: int = 0

    def title(self) -> str:
        """One line: status, rule, rule ids, cause and count."""
        label = self.status.upper().replace("_", " ")
        path, kind, detail = self.cause
        what = f"{path or 'response'}: {kind}" + (f" ({detail})" if detail else "")
        count = len(self.cases)
        return (
            f"{label} {self.rule} [{', '.join(self.rule_ids)}] {what}  "
            f"{count} vector{'s' if count != 1 else ''}"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the group as JSON."""
        path, kind, detail = self.cause
        return {
            "rule": self.rule,
            "status": self.status,
            "cause": {"path": path, "kind": kind, "detail": detail},
            "rule_ids": list(self.rule_ids),
            "count": len(self.cases),
            "vectors": [c.vector.where for c in self.cases],
            "example": {
                "from": self.cases[0].vector.where,
                "request": self.example,
                "mismatches": [_mismatch_json(m) for m in self.example_mismatches],
                "shrink_calls": self.shrink_calls,
            },
        }


@attrs.frozen(kw_only=True)
class Report(Frozen):
    """
    The result of a conformance run.

    Attributes:
        command: The implementation's command line.
        cases: One result per vector, in the order run.
        groups: The failures by rule and root cause, in order of first appearance.
        strict: True when leadcore's extensions were compared too.
        require_all: True when a rule not implemented counts as a failure.

    """

    command: str
    cases: tuple[CaseResult, ...]
    groups: tuple[FailureGroup, ...] = ()
    strict: bool = False
    require_all: bool = False

    @property
    def ok(self) -> bool:
        """
        True when every vector the implementation answers agrees (and one at least did).

        Rules answered ``unknown_rule`` do not count, unless ``require_all``.
        """
        bad = {"fail", "no_answer", "skipped"}
        if self.require_all:
            bad.add("not_implemented")
        return self.count("pass") > 0 and not any(c.status in bad for c in self.cases)

    def count(self, status: Status) -> int:
        """Return how many vectors ended with ``status``."""
        return sum(1 for c in self.cases if c.status == status)

    def ignored(self) -> tuple[int, int]:
        """Return (extension differences ignored, vectors they were in)."""
        touched = [c for c in self.cases if c.ignored]
        return sum(len(c.ignored) for c in touched), len(touched)

    def extension_vectors(self) -> int:
        """Return how many vectors run are extensions as a whole (not in the contract)."""
        return sum(1 for c in self.cases if not c.vector.contract)

    def not_implemented(self) -> dict[str, int]:
        """Return ``{protocol rule: vectors}`` for the rules answered ``unknown_rule``."""
        found: dict[str, int] = {}
        for case in self.cases:
            if case.status == "not_implemented":
                found[case.vector.rule] = found.get(case.vector.rule, 0) + 1
        return dict(sorted(found.items()))

    def by_rule_id(self) -> dict[str, tuple[int, int]]:
        """
        Return ``{rule id: (passed, run)}`` for every rule id the vectors name.

        Vectors of a rule not implemented are left out (unless ``require_all``).
        """
        table: dict[str, list[int]] = {}
        for case in self.cases:
            if case.status == "not_implemented" and not self.require_all:
                continue
            for rule_id in case.vector.rules:
                row = table.setdefault(rule_id, [0, 0])
                row[1] += 1
                row[0] += case.status == "pass"
        order = list(RULE_IDS)
        return {
            k: (v[0], v[1])
            for k, v in sorted(
                table.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)
            )
        }

    def failing_rule_ids(self) -> tuple[str, ...]:
        """Return the rule ids with at least one vector that did not pass, in rule-ID order."""
        return tuple(k for k, (passed, run) in self.by_rule_id().items() if passed < run)

    def failing_rules(self) -> tuple[str, ...]:
        """Return the protocol rules (``merge.auto``) with a vector that failed."""
        bad = {"fail", "no_answer", "skipped"}
        if self.require_all:
            bad.add("not_implemented")
        return tuple(sorted({c.vector.rule for c in self.cases if c.status in bad}))

    def format(self) -> str:
        """
        Return the report as text: every failure, grouped by rule and root cause.

        Each group lists all its vectors (a vector's other mismatches under it) and one
        shrunk example; then the rules not implemented, the table per rule id and a
        summary. No failure is left out.
        """
        mode = (
            "comparing everything leadcore answers (--strict)"
            if self.strict
            else "comparing the contract (rules v1.2); --strict compares leadcore's extensions"
        )
        lines = [
            f"leadcore conformance run: {len(self.cases)} vectors against {self.command}",
            mode,
            "",
        ]
        for group in self.groups:
            lines.extend(_format_group(group))
            lines.append("")
        missing = self.not_implemented()
        if missing:
            verdict = "failures (--require-all)" if self.require_all else "not failures"
            lines.append(f"not implemented (the implementation answered unknown_rule; {verdict}):")
            lines.extend(f"    {rule:22} {count:>4} vectors" for rule, count in missing.items())
            lines.append("")
        lines.append("rule id   passed/run")
        for rule_id, (passed, run) in self.by_rule_id().items():
            flag = "ok  " if passed == run else "FAIL"
            title = RULE_IDS.get(rule_id, "")
            lines.append(f"{rule_id:8}  {passed:>4}/{run:<4} {flag} {title}")
        lines.append("")
        lines.extend(self._summary())
        return "\n".join(lines) + "\n"

    def _summary(self) -> list[str]:
        passed = self.count("pass")
        summary = [
            (
                f"{passed} of {len(self.cases)} vectors agree; {self.count('fail')} disagree, "
                f"{self.count('no_answer')} unanswered, {self.count('skipped')} skipped, "
                f"{self.count('not_implemented')} not implemented"
            )
        ]
        if not self.strict:
            ignored, touched = self.ignored()
            whole = self.extension_vectors()
            summary.append(
                f"ignored {ignored} extension difference{'s' if ignored != 1 else ''} in "
                f"{touched} vector{'s' if touched != 1 else ''} ({whole} of the vectors run "
                "are extensions as a whole); --strict compares them"
            )
        if passed == 0:
            summary.append("no vector was answered as expected")
        failing = self.failing_rule_ids()
        if failing:
            summary.append(f"failing rule ids: {', '.join(failing)}")
        summary.append("OK" if self.ok else "FAILED")
        return summary

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON object (for ``--json``): everything the run saw."""
        ignored, touched = self.ignored()
        return {
            "command": self.command,
            "mode": "strict" if self.strict else "contract",
            "require_all": self.require_all,
            "ok": self.ok,
            "counts": {s: self.count(s) for s in _STATUSES},
            "ignored_extension_differences": {"count": ignored, "vectors": touched},
            "extension_vectors": self.extension_vectors(),
            "not_implemented": self.not_implemented(),
            "rule_ids": {k: {"passed": p, "run": r} for k, (p, r) in self.by_rule_id().items()},
            "groups": [g.to_json() for g in self.groups],
            "failures": [
                c.to_json() for c in self.cases if c.status in {"fail", "no_answer", "skipped"}
            ],
            "cases": [c.to_json() for c in self.cases],
        }

    def to_junit(self) -> str:
        """
        Return the report as JUnit XML (for CI systems): a test suite per protocol rule.

        A disagreement is a ``failure``, a missing answer an ``error``, a rule not
        implemented (unless ``require_all``) and a vector given up on are ``skipped``;
        ignored extension differences go to ``system-out``.
        """
        root = ET.Element("testsuites", name="leadcore conformance")
        suites: dict[str, ET.Element] = {}
        for case in self.cases:
            rule = case.vector.rule
            suite = suites.get(rule)
            if suite is None:
                suite = suites[rule] = ET.SubElement(root, "testsuite", name=rule)
            element = ET.SubElement(
                suite,
                "testcase",
                classname=f"leadcore.{rule}",
                name=f"{case.vector.where} {case.vector.description}",
            )
            _junit_case(element, case, require_all=self.require_all)
        for element in (root, *suites.values()):
            cases = element.iter("testcase")
            counted = [(c.find("failure"), c.find("error"), c.find("skipped")) for c in cases]
            element.set("tests", str(len(counted)))
            element.set("failures", str(sum(f is not None for f, _, _ in counted)))
            element.set("errors", str(sum(e is not None for _, e, _ in counted)))
            element.set("skipped", str(sum(s is not None for _, _, s in counted)))
        ET.indent(root)
        text = ET.tostring(root, encoding="unicode", xml_declaration=True)
        return _xml_safe(text) + "\n"


def _xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot hold (controls, lone surrogates) as visible escapes."""
    return "".join(
        c
        if c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
        else f"\\u{ord(c):04x}"
        for c in text
    )


def _junit_case(element: ET.Element, case: CaseResult, *, require_all: bool) -> None:
    text = "\n".join(str(m) for m in case.mismatches)
    first = str(case.mismatches[0]).splitlines()[0] if case.mismatches else ""
    if case.status == "fail":
        ET.SubElement(element, "failure", message=first, type="disagreement").text = text
    elif case.status == "no_answer":
        ET.SubElement(element, "error", message=first, type="no_answer").text = text
    elif case.status == "skipped":
        ET.SubElement(element, "skipped", message=first or "not run")
    elif case.status == "not_implemented":
        message = "the implementation answered unknown_rule: rule not implemented"
        if require_all:
            ET.SubElement(element, "failure", message=message, type="not_implemented")
        else:
            ET.SubElement(element, "skipped", message=message)
    if case.ignored:
        out = ET.SubElement(element, "system-out")
        out.text = "extension differences ignored (--strict compares them):\n" + "\n".join(
            str(m) for m in case.ignored
        )


def _short(value: object) -> str:
    text = json_text(value, sort_keys=True)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _format_group(group: FailureGroup) -> list[str]:
    lines = [group.title()]
    signature = group.cases[0].mismatches[0].signature if group.cases[0].mismatches else None
    for index, case in enumerate(group.cases):
        lines.append(f"  {case.vector.where}  {case.vector.description}")
        shown = (
            case.mismatches
            if index == 0
            else [m for m in case.mismatches if m.signature != signature]
        )
        lines.extend(f"      {line}" for m in shown for line in str(m).splitlines())
    example = group.cases[0].vector.request
    if group.example != example or group.shrink_calls:
        lines.append(
            f"  shrunk example (from {group.cases[0].vector.where}, "
            f"{group.shrink_calls} requests spent):"
        )
    else:
        lines.append(f"  example ({group.cases[0].vector.where}, not shrunk):")
    lines.append(f"      request: {_short(group.example)}")
    lines.extend(f"      {line}" for m in group.example_mismatches for line in str(m).splitlines())
    return lines


@checked
def select(found: Iterable[Vector], selectors: Sequence[str] | None) -> tuple[Vector, ...]:
    """
    Keep the vectors any selector names.

    A selector is a rule id (``MRG-3``), a rule (``merge.auto``) or a family of rules
    (``merge``); no selector keeps everything.
    """
    if not selectors:
        return tuple(found)
    return tuple(
        v
        for v in found
        if any(s in v.rules or v.rule == s or v.rule.startswith(s + ".") for s in selectors)
    )


def _unknown_rule(answer: Mapping[str, Any], vector: Vector) -> bool:
    error = answer.get("error")
    expected = vector.expected.get("error")
    return (
        answer.get("ok") is False
        and isinstance(error, dict)
        and error.get("code") == "unknown_rule"
        and not (isinstance(expected, dict) and expected.get("code") == "unknown_rule")
    )


def _judge(
    vector: Vector,
    answer: Mapping[str, Any],
    judges: Mapping[str, Judge] | None,
    *,
    strict: bool,
    require_all: bool,
) -> CaseResult:
    if _unknown_rule(answer, vector):
        if not require_all:
            return CaseResult(vector=vector, status="not_implemented", answer=answer)
        refused: tuple[Mismatch, ...] = (
            Mismatch(
                path="error.code",
                kind="value",
                expected="an answer",
                actual="unknown_rule",
                note="the rule is not implemented (--require-all)",
                detail="not implemented",
            ),
        )
        return CaseResult(vector=vector, status="fail", mismatches=refused, answer=answer)
    full = compare(vector.request, vector.strict, answer, judges=judges, strict=True)
    if strict:
        found = full
        ignored: tuple[Mismatch, ...] = ()
    elif not vector.contract:
        found, ignored = (), full
    else:
        found = compare(vector.request, vector.expected, answer, judges=judges)
        seen = {m.path for m in found}
        ignored = tuple(m for m in full if m.path not in seen)
    return CaseResult(
        vector=vector,
        status="fail" if found else "pass",
        mismatches=found,
        answer=answer,
        ignored=ignored,
    )


def _groups(
    cases: Sequence[CaseResult],
    impl: Implementation,
    judges: Mapping[str, Judge] | None,
    *,
    strict: bool,
    shrink_calls: int,
    deadline: float | None,
    max_failures: int,
) -> tuple[FailureGroup, ...]:
    by_cause: dict[tuple[str, ...], list[CaseResult]] = {}
    for case in cases:
        if case.status in {"fail", "no_answer"}:
            by_cause.setdefault((case.status, *case.cause), []).append(case)
    ask = disagreement(impl, judges, strict=strict)
    found = []
    for (status, rule, *cause), members in by_cause.items():
        first = members[0]
        request = copy.deepcopy(dict(first.vector.request))
        shrunk = Shrunk(request=request, target=frozenset(), calls=0)
        # A hang costs a whole time-out per try, a crash a restart; a run that gave up
        # stops asking.
        detail = first.mismatches[0].detail if first.mismatches else ""
        calls = min(shrink_calls, _NO_ANSWER_SHRINK.get(detail, shrink_calls))
        if calls > 0 and impl.failures < max_failures:
            shrunk = shrink(request, ask, calls=calls, deadline=deadline)
        example_found = ask(shrunk.request) if shrunk.target else first.mismatches
        found.append(
            FailureGroup(
                rule=rule,
                status=status,  # type: ignore[arg-type]  # a Status, taken from a case
                cause=(cause[0], cause[1], cause[2]),
                rule_ids=cause_rule_ids(rule, first.mismatches, first.vector.rules),
                cases=tuple(members),
                example=shrunk.request,
                example_mismatches=tuple(example_found),
                shrink_calls=shrunk.calls + (1 if shrunk.target else 0),
            )
        )
    return tuple(found)


@checked
def run(
    command: str | Sequence[str],
    cases: Iterable[Vector] | None = None,
    *,
    timeout: float = 10.0,
    startup: float = 5.0,
    max_failures: int = 10,
    judges: Mapping[str, Judge] | None = None,
    cwd: str | Path | None = None,
    strict: bool = False,
    require_all: bool = False,
    shrink_calls: int = 30,
    time_limit: float | None = None,
) -> Report:
    """
    Feed vectors to another implementation and compare its answers with the expected.

    Args:
        command: The implementation's command line (split like a shell, run without one).
        cases: The vectors; every shipped one (:func:`vectors`) when None.
        timeout: Seconds to wait for each answer.
        startup: Extra seconds for the first answer after a (re)start.
        max_failures: Give up (the rest is ``skipped``) after this many crashes or
            timeouts.
        judges: Per-rule result judges (see :func:`compare`).
        cwd: Working directory of the implementation.
        strict: Compare leadcore's extensions too (default: the contract only).
        require_all: Count a rule answered ``unknown_rule`` as a failure.
        shrink_calls: Most requests spent shrinking the example of each root cause
            (0: no shrinking).
        time_limit: Stop shrinking after this many seconds (None: no limit).

    Returns:
        The :class:`Report`.

    Raises:
        ImplementationError: The implementation cannot be started.

    """
    chosen = vectors() if cases is None else tuple(cases)
    deadline = None if time_limit is None else time.monotonic() + time_limit
    results: list[CaseResult] = []
    with Implementation(command, timeout=timeout, startup=startup, cwd=cwd) as impl:
        for vector in chosen:
            if impl.failures >= max_failures:
                note = f"not run: the implementation failed {impl.failures} times"
                results.append(
                    CaseResult(
                        vector=vector,
                        status="skipped",
                        mismatches=(Mismatch(path="", kind="no_answer", note=note),),
                    )
                )
                continue
            reply = impl.ask(json.loads(json.dumps(vector.request)))
            if reply.response is None:
                found = (no_answer(reply.problem or "no answer"),)
                results.append(CaseResult(vector=vector, status="no_answer", mismatches=found))
                continue
            results.append(
                _judge(vector, reply.response, judges, strict=strict, require_all=require_all)
            )
        groups = _groups(
            results,
            impl,
            judges,
            strict=strict,
            shrink_calls=shrink_calls,
            deadline=deadline,
            max_failures=max_failures,
        )
        command_text = impl.command
    return Report(
        command=command_text,
        cases=tuple(results),
        groups=groups,
        strict=strict,
        require_all=require_all,
    )
