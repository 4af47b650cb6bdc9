"""
``leadcore conformance fuzz``: differential fuzzing of another implementation.

Requests are generated with :func:`leadcore.testing.requests` (hypothesis), decided by
leadcore and by the other implementation (one process, kept open), and compared with the
rule-aware comparison, the contract only unless ``strict`` (v1.2 of the rules).
:func:`hypothesis.find` looks for a request that disagrees with a root cause not seen yet
for that rule (:attr:`~leadcore.conformance.Mismatch.signature`: the place, the kind of
difference and, for reasons, the codes that differ); the request is then shrunk by delta
debugging over the JSON (every key, list item and character the disagreement does not
need is left out, while its root causes stay the same), and written as a one-vector JSON
Lines file ``fuzz-<rule>-<n>.jsonl`` whose expected response is leadcore's answer: the
other team adds it to their suite, and ``leadcore conformance run --vectors FILE``
replays it. At most ``max_findings`` root causes are reported per rule; the report says
when a rule reached that cap.

Generation needs hypothesis (an optional dependency of leadcore); importing this module
does not.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from leadcore import protocol
from leadcore._attrs import Frozen, checked
from leadcore.conformance._compare import Judge, Mismatch, compare, no_answer
from leadcore.conformance._contract import expectation
from leadcore.conformance._ids import PROTOCOL_RULES
from leadcore.conformance._process import Implementation
from leadcore.conformance._shrink import Asker, cause_rule_ids, disagreement, shrink, signatures
from leadcore.conformance._vectors import Vector, dump, json_text
from leadcore.errors import InvalidInput

__all__ = ["Finding", "FuzzReport", "fuzz"]


@attrs.frozen(kw_only=True)
class Finding(Frozen):
    """
    One disagreement the fuzzer found, shrunk.

    Attributes:
        rule: The protocol rule (``merge.auto``).
        vector: The minimal case as a vector (expected: leadcore's answer).
        mismatches: How the other implementation's answer differs.
        path: The file it was written to, or None when not written.

    """

    rule: str
    vector: Vector
    mismatches: tuple[Mismatch, ...]
    path: Path | None = None

    @property
    def cause(self) -> tuple[str, str, str]:
        """The root cause: the first mismatch's place, kind and detail."""
        return self.mismatches[0].signature if self.mismatches else ("", "", "")


@attrs.frozen(kw_only=True)
class FuzzReport(Frozen):
    """
    The result of a fuzzing run.

    Attributes:
        command: The implementation's command line.
        seed: The seed.
        tried: Requests generated per rule (shrinking not counted).
        findings: Every disagreement found, shrunk, one per root cause.
        stopped: Why the run stopped early (time limit, too many failures), or None.
        capped: The rules whose search stopped at ``max_findings`` root causes: more
            may remain there.
        max_findings: The cap on root causes per rule.
        ignored: Requests whose answers differed in leadcore's extensions only (ignored;
            0 under ``strict``).
        strict: True when leadcore's extensions were compared too.

    """

    command: str
    seed: int
    tried: Mapping[str, int]
    findings: tuple[Finding, ...]
    stopped: str | None = None
    capped: tuple[str, ...] = ()
    max_findings: int = 4
    ignored: int = 0
    strict: bool = False

    @property
    def ok(self) -> bool:
        """True when no disagreement was found."""
        return not self.findings

    def format(self) -> str:
        """Return the report as text: the findings by rule and root cause, then counts."""
        total = sum(self.tried.values())
        header = (
            f"leadcore conformance fuzz: seed {self.seed}, {total} requests "
            f"over {len(self.tried)} rules against {self.command}"
        )
        mode = (
            "comparing everything leadcore answers (--strict)"
            if self.strict
            else "comparing the contract (rules v1.2); --strict compares leadcore's extensions"
        )
        lines = [header, mode, ""]
        for finding in self.findings:
            path, kind, detail = finding.cause
            what = f"{path or 'response'}: {kind}" + (f" ({detail})" if detail else "")
            where = f" -> {finding.path}" if finding.path else ""
            lines.append(
                f"DISAGREE {finding.rule} [{', '.join(finding.vector.rules)}] {what}{where}"
            )
            lines.append(f"    request: {_short(finding.vector.request)}")
            lines.extend(f"    {m}" for m in finding.mismatches)
        if self.findings:
            lines.append("")
        lines.append("rule                  requests  root causes")
        for rule, tried in self.tried.items():
            found = sum(1 for f in self.findings if f.rule == rule)
            cap = (
                f"  (cap of {self.max_findings} reached: more may remain)"
                if rule in self.capped
                else ""
            )
            lines.append(f"{rule:22}{tried:>8}  {found:>6}{cap}")
        lines.append("")
        if self.capped:
            lines.append(
                f"{len(self.capped)} rule(s) reached the cap of {self.max_findings} root "
                f"causes ({', '.join(self.capped)}): raise --max-findings to see more"
            )
        if not self.strict and self.ignored:
            lines.append(
                f"ignored extension differences in {self.ignored} requests; --strict compares them"
            )
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        lines.append(
            "no disagreement found"
            if self.ok
            else f"{len(self.findings)} disagreements found, each written as a vector file"
        )
        return "\n".join(lines) + "\n"


def _short(value: object, limit: int = 400) -> str:
    text = json_text(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _rule_ids(rule: str, ours: Mapping[str, Any], found: Sequence[Mismatch]) -> tuple[str, ...]:
    error = ours.get("error")
    if isinstance(error, dict):
        return ("GEN-1",) if error.get("code") == "naive_datetime" else ("GEN-5",)
    return cause_rule_ids(rule, found, PROTOCOL_RULES.get(rule, ("GEN-5",)))


def _next_path(out: Path, rule: str) -> Path:
    number = 1
    while (out / f"fuzz-{rule}-{number}.jsonl").exists():
        number += 1
    return out / f"fuzz-{rule}-{number}.jsonl"


class _Search:
    """The state of one rule's search: budget, calls, disagreements seen."""

    def __init__(
        self,
        impl: Implementation,
        judges: Mapping[str, Judge] | None,
        calls: int,
        deadline: float | None,
        *,
        strict: bool,
        seen: set[tuple[str, str, str]],
    ) -> None:
        self.impl = impl
        self.judges = judges
        self.max_calls = calls
        self.deadline = deadline
        self.strict = strict
        self.calls = 0
        self.ignored = 0
        self.first_hit: int | None = None
        self.seen = seen
        # Hypothesis replays examples (to check the final one): the same request must
        # get the same verdict, even past the budget, or it reports flakiness.
        self.verdicts: dict[str, bool] = {}
        self.best: dict[str, Any] | None = None
        self.best_size = 0
        self.found: tuple[Mismatch, ...] = ()

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def disagrees(self, request: dict[str, Any]) -> bool:
        key = json.dumps(request, sort_keys=True)
        if key in self.verdicts:
            return self.verdicts[key]
        if self.first_hit is not None or self.calls >= self.max_calls or self.expired():
            return False
        self.calls += 1
        ours = protocol.decide(copy.deepcopy(request))
        reply = self.impl.ask(request)
        if reply.response is None:
            found: tuple[Mismatch, ...] = (no_answer(reply.problem or "no answer"),)
        else:
            found = compare(request, ours, reply.response, judges=self.judges, strict=self.strict)
            if not found and not self.strict:
                self.ignored += bool(
                    compare(request, ours, reply.response, judges=self.judges, strict=True)
                )
        verdict = bool(found) and not signatures(found) <= self.seen
        self.verdicts[key] = verdict
        if verdict:
            self.first_hit = self.calls
            self.best = copy.deepcopy(request)
            self.best_size = len(key)
            self.found = found
        return verdict


@checked
def fuzz(  # noqa: C901, PLR0912, PLR0915  # one loop over rules and rounds, in one place
    command: str | Sequence[str],
    *,
    seed: int,
    count: int,
    out: str | Path | None = None,
    rules: Sequence[str] | None = None,
    timeout: float = 5.0,
    startup: float = 5.0,
    shrink_calls: int = 300,
    max_findings: int = 4,
    time_limit: float | None = None,
    judges: Mapping[str, Judge] | None = None,
    cwd: str | Path | None = None,
    strict: bool = False,
) -> FuzzReport:
    """
    Fuzz another implementation against leadcore; shrink and write every disagreement.

    Args:
        command: The implementation's command line.
        seed: The seed: the same seed, count and implementation give the same run.
        count: Requests to generate in all, shared among the rules (shrinking extra).
        out: Folder for the ``fuzz-<rule>-<n>.jsonl`` files (created when needed); None
            writes nothing.
        rules: Rules (``merge.auto``) or families (``merge``) to fuzz; every rule leadcore
            answers when None.
        timeout: Seconds to wait for each answer.
        startup: Extra seconds for the first answer after a (re)start.
        shrink_calls: Most extra requests spent shrinking one disagreement.
        max_findings: Most root causes reported per rule; the report names the rules
            that reached it.
        time_limit: Stop after this many seconds (None: no limit).
        judges: Per-rule result judges (see :func:`leadcore.conformance.compare`).
        cwd: Working directory of the implementation.
        strict: Compare leadcore's extensions too (default: the contract only).

    Raises:
        ImportError: hypothesis is not installed.
        ImplementationError: The implementation cannot be started.
        ValueError: A rule named in ``rules`` is unknown; ``max_findings`` below 1 is
            InvalidInput (a ValueError too).

    """
    from hypothesis import HealthCheck, Phase, Verbosity, find, settings  # noqa: PLC0415
    from hypothesis.errors import NoSuchExample  # noqa: PLC0415

    from leadcore import testing  # noqa: PLC0415  # needs hypothesis

    if max_findings < 1:
        raise InvalidInput.single("max_findings", max_findings, "must be at least 1")
    answered = [r for r in testing.RULES if r in protocol.rules()]
    if rules:
        unknown = [
            s for s in rules if not any(r == s or r.startswith(s + ".") for r in testing.RULES)
        ]
        if unknown:
            raise ValueError(f"unknown rules {unknown}; known: {', '.join(testing.RULES)}")
        answered = [r for r in answered if any(r == s or r.startswith(s + ".") for s in rules)]
    deadline = None if time_limit is None else time.monotonic() + time_limit
    base, extra = divmod(max(count, 0), max(len(answered), 1))
    tried: dict[str, int] = {}
    findings: list[Finding] = []
    capped: list[str] = []
    ignored = 0
    stopped: str | None = None
    folder = None if out is None else Path(out)
    with Implementation(command, timeout=timeout, startup=startup, cwd=cwd) as impl:
        ask = disagreement(impl, judges, strict=strict)
        for index, rule in enumerate(answered):
            budget = base + (1 if index < extra else 0)
            tried[rule] = 0
            seen: set[tuple[str, str, str]] = set()
            found_here = 0
            round_number = 0
            while budget > 0:
                if deadline is not None and time.monotonic() > deadline:
                    stopped = f"time limit of {time_limit:g} s reached"
                    break
                if found_here >= max_findings:
                    capped.append(rule)
                    break
                search = _Search(impl, judges, budget, deadline, strict=strict, seen=seen)
                config = settings(
                    max_examples=budget,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    # Hypothesis's shrinker cannot be bounded in time (it tries thousands
                    # of candidates on large requests), so the first disagreement found is
                    # shrunk by _shrink below, within ``shrink_calls`` requests.
                    phases=[Phase.generate],
                    verbosity=Verbosity.quiet,
                    # The seed decides, not a profile the caller's test suite loaded.
                    derandomize=False,
                )
                try:
                    minimal = find(
                        testing.requests(rule),
                        search.disagrees,
                        settings=config,
                        random=random.Random(f"{seed}:{rule}:{round_number}"),  # noqa: S311  # reproducible
                    )
                except NoSuchExample:
                    minimal = None
                except Exception:  # noqa: BLE001  # hypothesis found it flaky: keep the best
                    minimal = search.best
                ignored += search.ignored
                round_number += 1
                used = search.first_hit or search.calls
                tried[rule] += min(used, budget)
                budget -= used
                if minimal is None:
                    break
                shrunk = shrink(
                    minimal,
                    ask,
                    calls=_shrink_budget(search.found, shrink_calls),
                    deadline=deadline,
                )
                vector, found = _finding(
                    rule=rule, request=shrunk.request, ask=ask, seed=seed, number=len(findings) + 1
                )
                if not found:
                    continue  # pragma: no cover  # a flaky implementation
                seen.update(signatures(found))
                found_here += 1
                path = None
                if folder is not None:
                    folder.mkdir(parents=True, exist_ok=True)
                    path = dump([vector], _next_path(folder, rule))
                findings.append(Finding(rule=rule, vector=vector, mismatches=found, path=path))
            if stopped:
                break
        command_text = impl.command
    return FuzzReport(
        command=command_text,
        seed=seed,
        tried=tried,
        findings=tuple(findings),
        stopped=stopped,
        capped=tuple(capped),
        max_findings=max_findings,
        ignored=ignored,
        strict=strict,
    )


# Every try costs a time-out for a hang and a restart for a crash: a few tries only.
_NO_ANSWER_SHRINK: Final = {"hang": 5, "crash": 30}


def _shrink_budget(found: Sequence[Mismatch], calls: int) -> int:
    kinds = {m.detail for m in found if m.kind == "no_answer"}
    return min([calls, *(_NO_ANSWER_SHRINK.get(k, calls) for k in kinds)])


def _finding(
    *,
    rule: str,
    request: dict[str, Any],
    ask: Asker,
    seed: int,
    number: int,
) -> tuple[Vector, tuple[Mismatch, ...]]:
    case = copy.deepcopy(request)
    case["id"] = f"fuzz-{seed}-{number}"
    ours = protocol.decide(copy.deepcopy(case))
    found = tuple(ask(case))
    split = expectation(case, ours)
    summary = str(found[0]).splitlines()[0] if found else "no longer reproduces"
    description = f"found by leadcore conformance fuzz --seed {seed}: {rule}: {summary}"
    vector = Vector(
        where=f"fuzz-{rule}-{number}",
        description=description[:300],
        rules=_rule_ids(rule, ours, found),
        request=case,
        expected=split.expected,
        strict=split.strict,
        contract=split.contract,
        extensions=split.extensions,
    )
    return vector, found
