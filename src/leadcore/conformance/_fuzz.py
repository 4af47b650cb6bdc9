"""
``leadcore conformance fuzz``: differential fuzzing of another implementation.

Requests are generated with :func:`leadcore.testing.requests` (hypothesis), decided by
leadcore and by the other implementation (one process, kept open), and compared with the
rule-aware comparison. :func:`hypothesis.find` looks for a request that disagrees in a
way not seen yet for that rule; the request is then shrunk by delta debugging over the
JSON (every key and list item the disagreement does not need is left out, while the
disagreement stays the same), and written as a one-vector JSON Lines file
``fuzz-<rule>-<n>.jsonl`` whose expected response is leadcore's answer: the other team
adds it to their suite, and ``leadcore conformance run --vectors FILE`` replays it.

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
from leadcore.conformance._compare import Judge, Mismatch, compare
from leadcore.conformance._ids import PROTOCOL_RULES
from leadcore.conformance._process import Implementation, Reply
from leadcore.conformance._vectors import Vector, contract_view, dump

__all__ = ["Finding", "FuzzReport", "fuzz"]


@attrs.frozen(kw_only=True)
class Finding:
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


@attrs.frozen(kw_only=True)
class FuzzReport:
    """
    The result of a fuzzing run.

    Attributes:
        command: The implementation's command line.
        seed: The seed.
        tried: Requests generated per rule (shrinking not counted).
        findings: Every disagreement found, shrunk.
        stopped: Why the run stopped early (time limit, too many failures), or None.

    """

    command: str
    seed: int
    tried: Mapping[str, int]
    findings: tuple[Finding, ...]
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        """True when no disagreement was found."""
        return not self.findings

    def format(self) -> str:
        """Return the report as text."""
        total = sum(self.tried.values())
        header = (
            f"leadcore conformance fuzz: seed {self.seed}, {total} requests "
            f"over {len(self.tried)} rules against {self.command}"
        )
        lines = [header, ""]
        for finding in self.findings:
            where = f" -> {finding.path}" if finding.path else ""
            lines.append(f"DISAGREE {finding.rule} [{', '.join(finding.vector.rules)}]{where}")
            lines.append(f"    request: {_short(finding.vector.request)}")
            lines.extend(f"    {m}" for m in finding.mismatches)
        if self.findings:
            lines.append("")
        lines.append("rule                  requests  disagreements")
        for rule, tried in self.tried.items():
            found = sum(1 for f in self.findings if f.rule == rule)
            lines.append(f"{rule:22}{tried:>8}  {found:>6}")
        lines.append("")
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        lines.append(
            "no disagreement found"
            if self.ok
            else f"{len(self.findings)} disagreements found, each written as a vector file"
        )
        return "\n".join(lines) + "\n"


def _short(value: object, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mismatches(
    request: Mapping[str, Any],
    ours: Mapping[str, Any],
    reply: Reply,
    judges: Mapping[str, Judge] | None,
) -> tuple[Mismatch, ...]:
    if reply.response is None:
        return (Mismatch(path="", kind="no_answer", note=reply.problem or "no answer"),)
    return compare(request, ours, reply.response, judges=judges)


def _signature(found: Sequence[Mismatch]) -> frozenset[tuple[str, str]]:
    return frozenset(m.signature for m in found)


def _rule_ids(rule: str, ours: Mapping[str, Any]) -> tuple[str, ...]:
    error = ours.get("error")
    if isinstance(error, dict):
        return ("GEN-1",) if error.get("code") == "naive_datetime" else ("GEN-5",)
    return PROTOCOL_RULES.get(rule, ("GEN-5",))


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
        shrink: int,
        deadline: float | None,
    ) -> None:
        self.impl = impl
        self.judges = judges
        self.max_calls = calls
        self.shrink = shrink
        self.deadline = deadline
        self.calls = 0
        self.first_hit: int | None = None
        self.seen: set[tuple[str, str]] = set()
        # Hypothesis replays examples (to shrink, and to check the final one): the same
        # request must get the same verdict, even past the budget, or it reports flakiness.
        self.verdicts: dict[str, bool] = {}
        self.best: dict[str, Any] | None = None
        self.best_size = 0

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def disagrees(self, request: dict[str, Any]) -> bool:
        key = json.dumps(request, sort_keys=True, ensure_ascii=False)
        if key in self.verdicts:
            return self.verdicts[key]
        limit = self.max_calls if self.first_hit is None else self.first_hit + self.shrink
        if self.calls >= limit or self.expired():
            return False
        self.calls += 1
        ours = protocol.decide(copy.deepcopy(request))
        reply = self.impl.ask(request)
        found = _mismatches(request, ours, reply, self.judges)
        verdict = bool(found) and not _signature(found) <= self.seen
        self.verdicts[key] = verdict
        if verdict:
            if self.first_hit is None:
                self.first_hit = self.calls
            if self.best is None or len(key) < self.best_size:
                self.best = copy.deepcopy(request)
                self.best_size = len(key)
        return verdict


def fuzz(  # noqa: C901, PLR0915  # one loop over rules and rounds, kept in one place
    command: str | Sequence[str],
    *,
    seed: int,
    count: int,
    out: str | Path | None = None,
    rules: Sequence[str] | None = None,
    timeout: float = 5.0,
    startup: float = 5.0,
    shrink_calls: int = 300,
    per_rule: int = 4,
    time_limit: float | None = None,
    judges: Mapping[str, Judge] | None = None,
    cwd: str | Path | None = None,
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
        per_rule: Most distinct disagreements reported per rule.
        time_limit: Stop after this many seconds (None: no limit).
        judges: Per-rule result judges (see :func:`leadcore.conformance.compare`).
        cwd: Working directory of the implementation.

    Raises:
        ImportError: hypothesis is not installed.
        ImplementationError: The implementation cannot be started.
        ValueError: A rule named in ``rules`` is unknown.

    """
    from hypothesis import HealthCheck, Phase, Verbosity, find, settings  # noqa: PLC0415
    from hypothesis.errors import NoSuchExample  # noqa: PLC0415

    from leadcore import testing  # noqa: PLC0415  # needs hypothesis

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
    stopped: str | None = None
    folder = None if out is None else Path(out)
    with Implementation(command, timeout=timeout, startup=startup, cwd=cwd) as impl:
        for index, rule in enumerate(answered):
            budget = base + (1 if index < extra else 0)
            tried[rule] = 0
            seen: set[tuple[str, str]] = set()
            for round_number in range(per_rule):
                if budget <= 0:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    stopped = f"time limit of {time_limit:g} s reached"
                    break
                search = _Search(impl, judges, budget, shrink_calls, deadline)
                search.seen = seen
                config = settings(
                    max_examples=budget,
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    # Hypothesis's shrinker cannot be bounded in time (it tries thousands
                    # of candidates on large requests), so the first disagreement found is
                    # shrunk by _minimize below, within ``shrink_calls`` requests.
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
                    tried[rule] += min(search.calls, budget)
                    break
                except Exception:  # noqa: BLE001  # hypothesis found it flaky: keep the best
                    if search.best is None:
                        tried[rule] += min(search.calls, budget)
                        break
                    minimal = search.best
                used = search.first_hit or search.calls
                tried[rule] += used
                budget -= used
                minimal = _minimize(minimal, impl, judges, shrink_calls, deadline)
                vector, found = _finding(
                    rule=rule,
                    request=minimal,
                    impl=impl,
                    judges=judges,
                    seed=seed,
                    number=len(findings) + 1,
                )
                if not found:
                    continue  # pragma: no cover  # a flaky implementation
                seen.update(_signature(found))
                path = None
                if folder is not None:
                    folder.mkdir(parents=True, exist_ok=True)
                    path = dump([vector], _next_path(folder, rule))
                findings.append(Finding(rule=rule, vector=vector, mismatches=found, path=path))
            if stopped:
                break
        command_text = impl.command
    return FuzzReport(
        command=command_text, seed=seed, tried=tried, findings=tuple(findings), stopped=stopped
    )


_KEPT: Final = frozenset({"id", "rule", "now", "input"})


def _removals(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every key and list item of ``value`` that could be left out, outermost first."""
    found: list[tuple[str | int, ...]] = []
    inner: list[tuple[str | int, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if path or key not in _KEPT:
                found.append((*path, key))
            inner.extend(_removals(item, (*path, key)))
    elif isinstance(value, list):
        found.extend((*path, index) for index in reversed(range(len(value))))
        for index, item in enumerate(value):
            inner.extend(_removals(item, (*path, index)))
    return found + inner


def _without(value: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(value)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return changed


def _minimize(
    request: dict[str, Any],
    impl: Implementation,
    judges: Mapping[str, Judge] | None,
    calls: int,
    deadline: float | None,
) -> dict[str, Any]:
    """
    Delta-debug the JSON of a disagreeing request.

    Leave out every key and list item that the disagreement does not need (absent means
    null or empty, SPEC "Objects").
    """
    ours = protocol.decide(copy.deepcopy(request))
    target = _signature(_mismatches(request, ours, impl.ask(request), judges))
    if not target:
        return request  # pragma: no cover  # a flaky implementation
    best = request
    position = 0
    while calls > 0 and (deadline is None or time.monotonic() < deadline):
        options = _removals(best)
        if position >= len(options):
            break
        candidate = _without(best, options[position])
        calls -= 1
        theirs = impl.ask(candidate)
        found = _mismatches(candidate, protocol.decide(copy.deepcopy(candidate)), theirs, judges)
        if _signature(found) == target:
            best = candidate
        else:
            position += 1
    return best


def _finding(
    *,
    rule: str,
    request: dict[str, Any],
    impl: Implementation,
    judges: Mapping[str, Judge] | None,
    seed: int,
    number: int,
) -> tuple[Vector, tuple[Mismatch, ...]]:
    case = copy.deepcopy(request)
    case["id"] = f"fuzz-{seed}-{number}"
    ours = protocol.decide(copy.deepcopy(case))
    found = _mismatches(case, ours, impl.ask(case), judges)
    expected = contract_view(ours)
    assert isinstance(expected, dict)  # noqa: S101  # responses are objects
    summary = str(found[0]).splitlines()[0] if found else "no longer reproduces"
    description = f"found by leadcore conformance fuzz --seed {seed}: {rule}: {summary}"
    vector = Vector(
        where=f"fuzz-{rule}-{number}",
        description=description[:300],
        rules=_rule_ids(rule, ours),
        request=case,
        expected=expected,
    )
    return vector, found
