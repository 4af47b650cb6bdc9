"""
The ``leadcore`` command: ``decide``, ``demo``, ``rules`` and ``conformance``.

``decide`` answers the oracle protocol; ``conformance`` is the oracle toolkit
(:mod:`leadcore.conformance`).

Kept apart from the rule code: this is the only place that reads files and the terminal.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from importlib import resources
from typing import Any, TextIO

from leadcore import __version__, protocol


def _decide(args: argparse.Namespace, out: TextIO) -> int:
    if out is sys.stdout and isinstance(out, io.TextIOWrapper):
        # Responses are UTF-8 JSON whatever the locale says.
        out.reconfigure(encoding="utf-8")
    if args.file in (None, "-"):
        # Bytes, so that lines split at \n only and a line that is not UTF-8 is one
        # invalid_json answer rather than the end of the run.
        protocol.run(sys.stdin.buffer, out)
        return 0
    try:
        with open(args.file, "rb") as infile:  # noqa: PTH123  # plain CLI I/O
            protocol.run(infile, out)
    except OSError as error:
        sys.stderr.write(f"leadcore decide: cannot read {args.file!r}: {error.strerror}\n")
        return 2
    return 0


_WIDTH = 96


def _short(value: object) -> str:
    """One line of JSON, cut to the demo's width; a lead is shown by its id."""
    if isinstance(value, dict) and "id" in value and "customer" in value:
        return f"<lead {value['id']}>"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."


def _explain(result: dict[str, Any], out: TextIO) -> None:
    """Write a result key by key: reasons as sentences, everything else on one line."""
    for key, value in result.items():
        if key == "reasons" and isinstance(value, list):
            out.writelines(
                f"   because {reason['code']}: {reason['message']}\n" for reason in value
            )
        else:
            out.write(f"   {key:8} {_short(value)}\n")


def _demo(_: argparse.Namespace, out: TextIO) -> int:
    data = resources.files("leadcore").joinpath("data")
    requests: list[dict[str, Any]] = []
    for name in sorted(p.name for p in data.iterdir()):
        if name.startswith("demo") and name.endswith(".jsonl"):
            text = data.joinpath(name).read_text(encoding="utf-8")
            requests.extend(json.loads(line) for line in text.splitlines() if line.strip())
    out.write(
        f"leadcore {__version__}: {len(requests)} decisions on bundled sample data.\n"
        "Each is a protocol request (leadcore/data/demo_*.jsonl); `leadcore decide` answers\n"
        "the same JSON Lines in full.\n"
    )
    for request in requests:
        response: dict[str, Any] = protocol.decide(request)
        out.write(f"\n== {request['rule']}: {request.get('title', '')}\n")
        if request.get("policy"):
            out.write(f"   policy   {_short(request['policy'])}\n")
        if response["ok"]:
            _explain(response["result"], out)
        else:
            error = response["error"]
            out.write(f"   refused  {error['code']} at {error['path']}: {error['message']}\n")
    return 0


def _rules(_: argparse.Namespace, out: TextIO) -> int:
    from leadcore._protocol import registry  # noqa: PLC0415  # loaded by protocol already

    out.writelines(f"{name:24} {registry.RULES[name].summary}\n" for name in protocol.rules())
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
    from leadcore._cli import dedupe as dedupe_command  # noqa: PLC0415  # batch deduplication's command

    dedupe = sub.add_parser("dedupe", help="find the leads the merge rules connect in a CSV")
    dedupe_command.add_arguments(dedupe)
    dedupe.set_defaults(run=dedupe_command.run)
    return main


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the ``leadcore`` command; return its exit status."""
    args = parser().parse_args(argv)
    stream = sys.stdout if out is None else out
    if stream is sys.stdout and isinstance(stream, io.TextIOWrapper):
        # What the terminal's encoding cannot show (or a lone surrogate in an answer,
        # which no encoding can) is written escaped rather than ending the run.
        stream.reconfigure(errors="backslashreplace")
    try:
        code: int = args.run(args, stream)
    except BrokenPipeError:
        # The reader went away (`leadcore demo | head`): stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    return code
