"""
The ``leadcore`` command: ``decide``, ``demo``, ``rules`` and ``conformance``.

``decide`` answers the oracle protocol; ``conformance`` is the oracle toolkit
(:mod:`leadcore.conformance`).

Kept apart from the rule code: this is the only place that reads files and the terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib import resources
from typing import Any, TextIO

from leadcore import __version__, protocol


def _decide(args: argparse.Namespace, out: TextIO) -> int:
    if args.file in (None, "-"):
        protocol.run(sys.stdin, out)
        return 0
    try:
        with open(args.file, encoding="utf-8") as infile:  # noqa: PTH123  # plain CLI I/O
            protocol.run(infile, out)
    except OSError as error:
        sys.stderr.write(f"leadcore decide: cannot read {args.file!r}: {error.strerror}\n")
        return 2
    return 0


def _demo(_: argparse.Namespace, out: TextIO) -> int:
    data = resources.files("leadcore").joinpath("data")
    requests: list[dict[str, Any]] = []
    for name in sorted(p.name for p in data.iterdir()):
        if name.startswith("demo") and name.endswith(".jsonl"):
            text = data.joinpath(name).read_text(encoding="utf-8")
            requests.extend(json.loads(line) for line in text.splitlines() if line.strip())
    out.write(
        f"leadcore {__version__}: {len(requests)} decisions on bundled sample data\n"
        "(each is a protocol request; `leadcore decide` answers the same JSON Lines)\n"
    )
    for request in requests:
        response = protocol.decide(request)
        title = request.get("title", "")
        out.write(f"\n== {request['rule']}: {title}\n")
        out.write(f"   input   {json.dumps(request.get('input'), ensure_ascii=False)}\n")
        if request.get("policy"):
            out.write(f"   policy  {json.dumps(request['policy'], ensure_ascii=False)}\n")
        if response["ok"]:
            body = json.dumps(response["result"], ensure_ascii=False)
            out.write(f"   answer  {body}\n")
        else:
            out.write(f"   refused {json.dumps(response['error'], ensure_ascii=False)}\n")
    return 0


def _rules(_: argparse.Namespace, out: TextIO) -> int:
    from leadcore import _registry  # noqa: PLC0415  # loaded by protocol already

    out.writelines(f"{name:24} {_registry.RULES[name].summary}\n" for name in protocol.rules())
    return 0


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``leadcore`` command."""
    main = argparse.ArgumentParser(
        prog="leadcore", description="CRM lead-management rules: the reference implementation."
    )
    main.add_argument("--version", action="version", version=f"leadcore {__version__}")
    sub = main.add_subparsers(dest="command", required=True)
    decide = sub.add_parser(
        "decide", help="answer JSON Lines protocol requests (stdin, or FILE) on stdout"
    )
    decide.add_argument("file", nargs="?", help="a JSON Lines file of requests (default stdin)")
    decide.set_defaults(run=_decide)
    demo = sub.add_parser("demo", help="show what the rules decide on bundled sample data")
    demo.set_defaults(run=_demo)
    listing = sub.add_parser("rules", help="list the protocol's rules")
    listing.set_defaults(run=_rules)
    from leadcore.conformance import _cli as conformance  # noqa: PLC0415  # its own commands

    conformance.add_parser(sub)
    from leadcore import _dedupe_cli  # noqa: PLC0415  # batch deduplication's command

    dedupe = sub.add_parser("dedupe", help="find the leads the merge rules connect in a CSV")
    _dedupe_cli.add_arguments(dedupe)
    dedupe.set_defaults(run=_dedupe_cli.run)
    return main


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the ``leadcore`` command; return its exit status."""
    args = parser().parse_args(argv)
    stream = sys.stdout if out is None else out
    code: int = args.run(args, stream)
    return code
