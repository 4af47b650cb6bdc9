#!/usr/bin/env python3
"""
A deliberately wrong implementation of the leadcore protocol, for testing the oracle tools.

It speaks the JSON Lines protocol like any other implementation would (one request per
line on stdin, one response per line on stdout) and answers by calling
``leadcore.protocol.decide``, then perturbs the request or the answer in the ways chosen
with ``--bugs`` (a comma-separated list; ``none`` for a faithful implementation):

=================  =========================================================  ===========
bug                what goes wrong                                            rule ids
=================  =========================================================  ===========
``naive_code``     a naive date-time is refused as ``invalid_input`` instead  GEN-1
                   of ``naive_datetime``
``fold_accents``   names are folded without removing accents ("Zoë" stays     MRG-1, REL-2
                   "zoë"), in ``normalize.name`` and in name matching
``first_reason``   only the first reason of every reason list is given        GEN-4
``unsorted``       sorted id lists in results come in reverse order           (any)
``window365``      an existing lead created exactly 365 days ago is still     MRG-3
                   inside the auto-merge window
``cooldown``       an agent who claimed exactly 10 minutes ago is still       RTE-5
                   cooling down (digital)
``utc_day``        the offline cool-down day is the UTC day, whatever the     RTE-5
                   project's time zone
``big_wave``       a dispatch wave offers one agent more than allowed         RTE-2
``crash``          the process dies on any request holding the text "ß"      (any)
``hang``           the process stops answering on an email with two "@"       (any)
``reseed``         *not a bug*: dispatch draws its waves with another seed    RTE-2
                   and shuffles agents inside each wave, which the rulebook allows
=================  =========================================================  ===========

Run it as ``python examples/buggy_impl.py --bugs window365,first_reason``; see
``docs/qa.md`` and ``tests/test_conformance_example.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
import unicodedata
from collections.abc import Callable
from typing import Any

from leadcore import normalize, protocol

BUGS = (
    "big_wave",
    "cooldown",
    "crash",
    "first_reason",
    "fold_accents",
    "hang",
    "naive_code",
    "reseed",
    "unsorted",
    "utc_day",
    "window365",
)

ROUTING_WITH_CLAIMS = ("routing.eligible", "routing.check_wave", "routing.dispatch")
SORTED_KEYS = ("duplicates", "not_in_cadence", "notifications", "preferred", "related", "stopped")

Json = Any


def _parse(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _policy(request: dict[str, Json], name: str, default: int) -> int:
    policy = request.get("policy")
    value = policy.get(name) if isinstance(policy, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _mark_accents(text: object) -> object:
    """Make an accented letter differ from its base, as a fold that keeps accents would."""
    if not isinstance(text, str):
        return text
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        marks = [c for c in decomposed if unicodedata.combining(c)]
        if marks:
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            out.append(base + "x" + "".join(f"{ord(c):x}" for c in marks))
        else:
            out.append(char)
    return "".join(out)


def _fold_keeping_accents(text: str) -> str | None:
    """Fold like leadcore, but leave accented letters accented (lower-cased)."""
    back: dict[str, str] = {}
    marked = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        if any(unicodedata.combining(c) for c in decomposed):
            stand_in = chr(0xE000 + len(back))
            back[stand_in] = unicodedata.normalize("NFC", char.casefold())
            marked.append(stand_in)
        else:
            marked.append(char)
    folded = normalize.fold("".join(marked))
    return "".join(back.get(c, c) for c in folded) or None


def _people(lead: object) -> list[dict[str, Json]]:
    if not isinstance(lead, dict):
        return []
    return [p for p in (lead.get("customer"), lead.get("co_customer")) if isinstance(p, dict)]


def _leads(data: dict[str, Json]) -> list[object]:
    found: list[object] = [data.get("inbound"), data.get("lead")]
    existing = data.get("existing")
    if isinstance(existing, list):
        found.extend(existing)
    return found


def fold_accents(request: dict[str, Json]) -> dict[str, Json] | None:  # noqa: C901  # per rule
    """Bug ``fold_accents``: keep accents when folding names."""
    rule = request.get("rule")
    data = request.get("input")
    if not isinstance(data, dict):
        return None
    if rule == "normalize.name":
        value = data.get("value")
        if not isinstance(value, str):
            return None
        answer = protocol.decide(request)
        result = answer.get("result")
        if isinstance(result, dict) and isinstance(result.get("normalized"), str):
            result["normalized"] = _fold_keeping_accents(value)
        return answer
    if rule in {"merge.auto", "merge.duplicates"}:
        for lead in _leads(data):
            for person in _people(lead):
                for key in ("first_name", "last_name"):
                    person[key] = _mark_accents(person.get(key))
    if rule == "related.find":
        for record in [data.get("record"), *(data.get("records") or [])]:
            if isinstance(record, dict):
                record["account_name"] = _mark_accents(record.get("account_name"))
    return None


def window365(request: dict[str, Json]) -> dict[str, Json] | None:
    """Bug ``window365``: exactly 365 days old still counts as inside the window."""
    if request.get("rule") != "merge.auto":
        return None
    now = _parse(request.get("now"))
    data = request.get("input")
    if now is None or not isinstance(data, dict) or not isinstance(data.get("existing"), list):
        return None
    days = _policy(request, "merge_max_age_days", 365)
    for lead in data["existing"]:
        created = _parse(lead.get("created_at")) if isinstance(lead, dict) else None
        if created is not None and now - created == dt.timedelta(days=days):
            shifted = created + dt.timedelta(seconds=1)
            lead["created_at"] = shifted.isoformat()
    return None


def cooldown(request: dict[str, Json]) -> dict[str, Json] | None:
    """Bug ``cooldown``: a claim exactly 10 minutes ago still cools the agent down."""
    if request.get("rule") not in ROUTING_WITH_CLAIMS:
        return None
    now = _parse(request.get("now"))
    data = request.get("input")
    if now is None or not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        return None
    minutes = _policy(request, "digital_cooldown_minutes", 10)
    for claim in data["claims"]:
        at = _parse(claim.get("at")) if isinstance(claim, dict) else None
        if at is not None and now - at == dt.timedelta(minutes=minutes):
            claim["at"] = (at + dt.timedelta(seconds=1)).isoformat()
    return None


def utc_day(request: dict[str, Json]) -> dict[str, Json] | None:
    """Bug ``utc_day``: the offline cool-down ignores the project's time zone."""
    if request.get("rule") not in ROUTING_WITH_CLAIMS:
        return None
    data = request.get("input")
    if isinstance(data, dict):
        data.pop("timezone", None)
    policy = request.get("policy")
    if isinstance(policy, dict):
        policy.pop("default_timezone", None)
    return None


def crash(request: dict[str, Json]) -> dict[str, Json] | None:
    """Bug ``crash``: die on any request that holds "ß"."""
    if "ß" in json.dumps(request, ensure_ascii=False):
        sys.stderr.write("buggy_impl: cannot handle sharp s, giving up\n")
        sys.stderr.flush()
        sys.exit(3)
    return None


def hang(request: dict[str, Json]) -> dict[str, Json] | None:
    """Bug ``hang``: stop answering on an email address with two "@"."""
    data = request.get("input")
    value = data.get("value") if isinstance(data, dict) else None
    email = request.get("rule") == "normalize.email"
    if email and isinstance(value, str) and value.count("@") >= 2:  # the trigger
        time.sleep(3600)
    return None


REQUEST_BUGS: dict[str, Callable[[dict[str, Json]], dict[str, Json] | None]] = {
    "crash": crash,
    "hang": hang,
    "window365": window365,
    "cooldown": cooldown,
    "utc_day": utc_day,
    "fold_accents": fold_accents,
}


def _walk_reasons(value: Json) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "reasons" and isinstance(inner, list):
                del inner[1:]
            elif key == "ineligible" and isinstance(inner, dict):
                for reasons in inner.values():
                    if isinstance(reasons, list):
                        del reasons[1:]
            else:
                _walk_reasons(inner)
    elif isinstance(value, list):
        for inner in value:
            _walk_reasons(inner)


def first_reason(request: dict[str, Json], response: dict[str, Json]) -> None:
    """Bug ``first_reason``: forget every reason but the first."""
    del request
    _walk_reasons(response.get("result"))


def naive_code(request: dict[str, Json], response: dict[str, Json]) -> None:
    """Bug ``naive_code``: the wrong error code for naive date-times."""
    del request
    error = response.get("error")
    if isinstance(error, dict) and error.get("code") == "naive_datetime":
        error["code"] = "invalid_input"


def unsorted(request: dict[str, Json], response: dict[str, Json]) -> None:
    """Bug ``unsorted``: sorted id lists written in reverse."""
    del request
    result = response.get("result")
    if isinstance(result, dict):
        for key in SORTED_KEYS:
            items = result.get(key)
            if isinstance(items, list) and len(items) > 1:
                items.reverse()


def big_wave(request: dict[str, Json], response: dict[str, Json]) -> None:
    """Bug ``big_wave``: one agent too many in the first wave, when one is left."""
    result = response.get("result")
    data = request.get("input")
    if request.get("rule") != "routing.dispatch" or not isinstance(result, dict):
        return
    waves = result.get("waves")
    agents = data.get("agents") if isinstance(data, dict) else None
    if not isinstance(waves, list) or not waves or not isinstance(agents, list):
        return
    offered = {a for w in waves for a in w}
    spare = sorted(a["id"] for a in agents if isinstance(a, dict) and a.get("id") not in offered)
    if spare:
        waves[0].append(spare[0])


def reseed(request: dict[str, Json]) -> dict[str, Json] | None:
    """Legal variation ``reseed``: another seed for dispatch (any legal draw is allowed)."""
    data = request.get("input")
    if request.get("rule") == "routing.dispatch" and isinstance(data, dict):
        seed = data.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool):
            data["seed"] = seed + 1
    return None


def shuffle_waves(request: dict[str, Json], response: dict[str, Json]) -> None:
    """Part of ``reseed``: agents inside a wave in another order (order is free)."""
    result = response.get("result")
    if request.get("rule") == "routing.dispatch" and isinstance(result, dict):
        rng = random.Random(7)  # noqa: S311  # a fixed, harmless shuffle
        for wave in result.get("waves") or []:
            if isinstance(wave, list):
                rng.shuffle(wave)


RESPONSE_BUGS: dict[str, Callable[[dict[str, Json], dict[str, Json]], None]] = {
    "first_reason": first_reason,
    "naive_code": naive_code,
    "unsorted": unsorted,
    "big_wave": big_wave,
    "reseed": shuffle_waves,
}
REQUEST_BUGS["reseed"] = reseed


def answer(line: str, bugs: frozenset[str]) -> dict[str, Json] | None:
    """Answer one line as this buggy implementation does."""
    if not line.strip():
        return None
    try:
        request = json.loads(line)
    except ValueError:
        return protocol.decide_line(line)
    if not isinstance(request, dict):
        return protocol.decide(request)
    original_id = request.get("id")
    response: dict[str, Json] | None = None
    for name, bug in REQUEST_BUGS.items():
        if name in bugs and response is None:
            response = bug(request)
    if response is None:
        response = protocol.decide(request)
    for name, perturb in RESPONSE_BUGS.items():
        if name in bugs:
            perturb(request, response)
    response["id"] = original_id
    return response


def main(argv: list[str] | None = None) -> int:
    """Answer stdin line by line with the chosen bugs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bugs", default="none", help="comma-separated bugs, or 'none'")
    args = parser.parse_args(argv)
    chosen = frozenset(b for b in args.bugs.split(",") if b and b != "none")
    unknown = chosen - set(BUGS)
    if unknown:
        parser.error(f"unknown bugs {sorted(unknown)}; known: {', '.join(BUGS)}")
    for line in sys.stdin:
        response = answer(line, chosen)
        if response is not None:
            sys.stdout.write(protocol.dumps(response) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
