"""
``leadcore conformance run|fuzz|vectors|schema|reasons``: the oracle toolkit on the command line.

Exit status of ``run`` and ``fuzz``: 0 when the implementation agrees with leadcore on
the contract (with ``--strict``: on everything; rules answered ``unknown_rule`` do not
count unless ``--require-all``), 1 when it disagrees, does not answer, or answered no
vector at all, 2 when it cannot be started or the arguments are wrong. ``docs/qa.md``
says the same.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from leadcore import reasons
from leadcore.conformance._fuzz import fuzz
from leadcore.conformance._runner import run, select
from leadcore.conformance._schema import schema
from leadcore.conformance._vectors import Vector, json_text, load, vectors
from leadcore.errors import InvalidInput, LeadcoreError

__all__ = ["add_parser"]


def _chosen(args: argparse.Namespace) -> tuple[Vector, ...]:
    found: list[Vector] = []
    if args.vectors:
        for path in args.vectors:
            found.extend(load(path))
    else:
        found.extend(vectors())
    return select(found, args.select)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    try:
        cases = _chosen(args)
    except (OSError, LeadcoreError) as error:  # a vectors file unreadable or malformed
        sys.stderr.write(f"leadcore conformance run: {error}\n")
        return 2
    if not cases:
        sys.stderr.write("leadcore conformance run: no vector matches the selection\n")
        return 2
    try:
        report = run(
            args.impl,
            cases,
            timeout=args.timeout,
            max_failures=args.max_failures,
            strict=args.strict,
            require_all=args.require_all,
            shrink_calls=args.shrink,
        )
    except LeadcoreError as error:  # cannot start, or an argument refused
        sys.stderr.write(f"leadcore conformance run: {error}\n")
        return 2
    if args.junit:
        try:
            Path(args.junit).write_text(report.to_junit(), encoding="utf-8")
        except OSError as error:
            sys.stderr.write(f"leadcore conformance run: cannot write {args.junit}: {error}\n")
            return 2
    if args.json:
        out.write(json_text(report.to_json(), indent=2) + "\n")
    else:
        out.write(report.format())
    return 0 if report.ok else 1


def _fuzz(args: argparse.Namespace, out: TextIO) -> int:
    try:
        report = fuzz(
            args.impl,
            seed=args.seed,
            count=args.count,
            out=args.out,
            rules=args.rule,
            timeout=args.timeout,
            time_limit=args.time_limit,
            max_findings=args.max_findings,
            shrink_calls=args.shrink,
            strict=args.strict,
        )
    except ImportError as error:
        sys.stderr.write(
            f"leadcore conformance fuzz needs hypothesis ({error}): pip install 'leadcore[test]'\n"
        )
        return 2
    except (LeadcoreError, ValueError) as error:
        sys.stderr.write(f"leadcore conformance fuzz: {error}\n")
        return 2
    out.write(report.format())
    return 0 if report.ok else 1


def _vectors(args: argparse.Namespace, out: TextIO) -> int:
    chosen = select(vectors(), args.select)
    out.writelines(json_text(v.to_json()) + "\n" for v in chosen)
    return 0


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    try:
        document: dict[str, Any] = schema(args.name)
    except InvalidInput:
        sys.stderr.write(f"leadcore conformance schema: no definition {args.name!r}\n")
        return 2
    out.write(json_text(document, indent=2) + "\n")
    return 0


def _reasons(args: argparse.Namespace, out: TextIO) -> int:
    if args.markdown:
        out.write(reasons.markdown())
    else:
        out.write(json_text(reasons.catalogue(), indent=2) + "\n")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        msg = f"must be at least 1, not {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        msg = f"must be 0 or more, not {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


_STRICT_HELP = (
    "compare everything leadcore answers, its extensions included (default: the contract "
    "of v1.2 of the rules, counting the extension differences ignored)"
)


def add_parser(sub: Any) -> None:  # noqa: ANN401  # argparse's subparsers action is private
    """Add the ``conformance`` command to the ``leadcore`` command's subparsers."""
    main = sub.add_parser(
        "conformance",
        help="check another implementation against leadcore (run, fuzz, vectors, schema)",
        description="Check another implementation of the protocol against leadcore.",
    )
    commands = main.add_subparsers(dest="conformance_command", required=True)

    runner = commands.add_parser(
        "run",
        help="replay the conformance vectors against an implementation",
        description="Start CMD, send it each vector's request as a JSON line, compare its "
        "answers rule-aware (the contract, unless --strict) and report the failures by "
        "rule and root cause, with a shrunk example of each. Exit 0 when every vector "
        "answered agrees (rules answered unknown_rule are listed as not implemented), 1 on "
        "a disagreement, a missing answer or no vector answered, 2 when CMD cannot start "
        "or the arguments are wrong.",
    )
    runner.add_argument("--impl", required=True, metavar="CMD", help="the command to start")
    runner.add_argument(
        "--vectors",
        action="append",
        metavar="FILE",
        help="a JSON Lines vector file (repeatable; default: the vectors shipped in leadcore)",
    )
    runner.add_argument(
        "--select",
        action="append",
        metavar="SEL",
        help="only vectors of a rule id (MRG-3), a rule (merge.auto) or a family (merge)",
    )
    runner.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    runner.add_argument(
        "--require-all",
        action="store_true",
        help="count a rule the implementation answers with unknown_rule as a failure",
    )
    runner.add_argument("--timeout", type=float, default=10.0, help="seconds per answer")
    runner.add_argument(
        "--max-failures",
        type=_positive,
        default=10,
        help="give up after this many crashes or time-outs (default 10)",
    )
    runner.add_argument(
        "--shrink",
        type=_count,
        default=30,
        metavar="N",
        help="requests spent shrinking the example of each root cause (default 30; 0: none)",
    )
    runner.add_argument("--json", action="store_true", help="write the report as JSON")
    runner.add_argument(
        "--junit", metavar="FILE", help="also write the report as JUnit XML to FILE (for CI)"
    )
    runner.set_defaults(run=_run)

    fuzzer = commands.add_parser(
        "fuzz",
        help="differential fuzzing: generated requests, shrunk disagreements as vectors",
        description="Generate requests, compare CMD's answers with leadcore's (the contract, "
        "unless --strict), shrink every disagreement with a new root cause and write it as "
        "OUT/fuzz-<rule>-<n>.jsonl. Needs hypothesis. Exit status as for run.",
    )
    fuzzer.add_argument("--impl", required=True, metavar="CMD", help="the command to start")
    fuzzer.add_argument("--seed", type=int, default=0, help="the seed (default 0)")
    fuzzer.add_argument("--count", type=int, default=500, help="requests in all (default 500)")
    fuzzer.add_argument(
        "--out", default="fuzz-vectors", help="folder for the vector files (default fuzz-vectors)"
    )
    fuzzer.add_argument(
        "--rule", action="append", help="only this rule or family (repeatable; default all)"
    )
    fuzzer.add_argument(
        "--max-findings",
        type=_positive,
        default=4,
        metavar="N",
        help="most root causes reported per rule (default 4); the report names the rules "
        "that reach it",
    )
    fuzzer.add_argument(
        "--shrink",
        type=_count,
        default=300,
        metavar="N",
        help="most requests spent shrinking each finding (default 300)",
    )
    fuzzer.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    fuzzer.add_argument("--timeout", type=float, default=5.0, help="seconds per answer")
    fuzzer.add_argument(
        "--time-limit", type=float, default=None, help="stop after this many seconds"
    )
    fuzzer.set_defaults(run=_fuzz)

    listing = commands.add_parser(
        "vectors", help="write the shipped vectors as JSON Lines (to copy into a test suite)"
    )
    listing.add_argument("--select", action="append", metavar="SEL", help="as for run")
    listing.set_defaults(run=_vectors)

    schemas = commands.add_parser("schema", help="write the protocol's JSON Schema")
    schemas.add_argument(
        "name", nargs="?", help="one definition (request.merge.auto, lead...); default all"
    )
    schemas.set_defaults(run=_schema)

    catalogue = commands.add_parser(
        "reasons",
        help="write the reason-code catalogue (JSON; --markdown for docs/reasons.md)",
        description="Every reason code each rule can give, with its rule id, order, status "
        "(contract or extension) and message template.",
    )
    catalogue.add_argument(
        "--markdown", action="store_true", help="write the catalogue as docs/reasons.md"
    )
    catalogue.set_defaults(run=_reasons)
