"""
``leadcore conformance run``: replay conformance vectors against another implementation.

Each vector's request goes to the implementation; its answer is compared rule-aware with
the vector's expected response (:func:`leadcore.conformance.compare`). The report counts
passes per SPEC rule id and shows every disagreement with the request's place
(``merge.jsonl:12``), its description and what differed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from leadcore.conformance._compare import Judge, Mismatch, compare
from leadcore.conformance._ids import RULE_IDS
from leadcore.conformance._process import Implementation
from leadcore.conformance._vectors import Vector, vectors

__all__ = ["CaseResult", "Report", "run", "select"]

Status = Literal["pass", "fail", "no_answer", "skipped"]


@attrs.frozen(kw_only=True)
class CaseResult:
    """
    The outcome of one vector.

    Attributes:
        vector: The vector.
        status: ``pass``, ``fail`` (a wrong answer), ``no_answer`` (crash, timeout,
            not JSON) or ``skipped`` (the run gave up after too many failures).
        mismatches: What differed (for ``fail`` and ``no_answer``).
        answer: The implementation's response, when there was one.

    """

    vector: Vector
    status: Status
    mismatches: tuple[Mismatch, ...] = ()
    answer: Mapping[str, Any] | None = attrs.field(default=None, eq=False)


@attrs.frozen(kw_only=True)
class Report:
    """
    The result of a conformance run.

    Attributes:
        command: The implementation's command line.
        cases: One result per vector, in the order run.

    """

    command: str
    cases: tuple[CaseResult, ...]

    @property
    def ok(self) -> bool:
        """True when every vector passed (and there was at least one)."""
        return bool(self.cases) and all(c.status == "pass" for c in self.cases)

    def count(self, status: Status) -> int:
        """Return how many vectors ended with ``status``."""
        return sum(1 for c in self.cases if c.status == status)

    def by_rule_id(self) -> dict[str, tuple[int, int]]:
        """Return ``{rule id: (passed, run)}`` for every rule id the vectors name."""
        table: dict[str, list[int]] = {}
        for case in self.cases:
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
        """Return the rule ids with at least one vector that did not pass, in SPEC order."""
        return tuple(k for k, (passed, run) in self.by_rule_id().items() if passed < run)

    def failing_rules(self) -> tuple[str, ...]:
        """Return the protocol rules (``merge.auto``) with a vector that did not pass."""
        return tuple(sorted({c.vector.rule for c in self.cases if c.status != "pass"}))

    def format(self, *, limit: int = 50) -> str:
        """Return the report as text: every failure (up to ``limit``), then the table."""
        lines = [
            f"leadcore conformance run: {len(self.cases)} vectors against {self.command}",
            "",
        ]
        shown = 0
        for case in self.cases:
            if case.status == "pass":
                continue
            shown += 1
            if shown > limit:
                continue
            vector = case.vector
            label = case.status.upper().replace("_", " ")
            lines.append(
                f"{label} {vector.where}  {vector.rule}  [{', '.join(vector.rules)}]  "
                f"{vector.description}"
            )
            lines.extend(f"    {m}" for m in case.mismatches)
        if shown > limit:
            lines.append(f"... and {shown - limit} more failures")
        if shown:
            lines.append("")
        lines.append("rule id   passed/run")
        for rule_id, (passed, run) in self.by_rule_id().items():
            flag = "ok  " if passed == run else "FAIL"
            title = RULE_IDS.get(rule_id, "")
            lines.append(f"{rule_id:8}  {passed:>4}/{run:<4} {flag} {title}")
        lines.append("")
        passed = self.count("pass")
        summary = f"{passed} of {len(self.cases)} vectors agree"
        if not self.ok:
            summary += (
                f"; {self.count('fail')} disagree, {self.count('no_answer')} unanswered, "
                f"{self.count('skipped')} skipped"
            )
            failing = self.failing_rule_ids()
            if failing:
                summary += f"\nfailing rule ids: {', '.join(failing)}"
        lines.append(summary)
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON object (for ``--json``)."""
        return {
            "command": self.command,
            "ok": self.ok,
            "counts": {s: self.count(s) for s in ("pass", "fail", "no_answer", "skipped")},
            "rule_ids": {k: {"passed": p, "run": r} for k, (p, r) in self.by_rule_id().items()},
            "failures": [
                {
                    "where": c.vector.where,
                    "rule": c.vector.rule,
                    "rules": list(c.vector.rules),
                    "description": c.vector.description,
                    "status": c.status,
                    "mismatches": [str(m) for m in c.mismatches],
                }
                for c in self.cases
                if c.status != "pass"
            ],
        }


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


def run(
    command: str | Sequence[str],
    cases: Iterable[Vector] | None = None,
    *,
    timeout: float = 10.0,
    startup: float = 5.0,
    max_failures: int = 10,
    judges: Mapping[str, Judge] | None = None,
    cwd: str | Path | None = None,
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

    Returns:
        The :class:`Report`.

    Raises:
        ImplementationError: The implementation cannot be started.

    """
    chosen = vectors() if cases is None else tuple(cases)
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
                problem = reply.problem or "no answer"
                results.append(
                    CaseResult(
                        vector=vector,
                        status="no_answer",
                        mismatches=(Mismatch(path="", kind="no_answer", note=problem),),
                    )
                )
                continue
            found = compare(vector.request, vector.expected, reply.response, judges=judges)
            results.append(
                CaseResult(
                    vector=vector,
                    status="fail" if found else "pass",
                    mismatches=found,
                    answer=reply.response,
                )
            )
        command_text = impl.command
    return Report(command=command_text, cases=tuple(results))
