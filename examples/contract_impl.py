#!/usr/bin/env python3
"""
An implementation of the contract alone, without any of leadcore's extensions (v1.2 of the rules).

It speaks the JSON Lines protocol like any other implementation and answers through
``leadcore.protocol.decide``, but only with what the rulebook, the reason-code catalogue and
the documented decisions fix, and makes every free choice the other way from leadcore:

* it knows only the rulebook's policy fields: ``sales_licence_roles``, ``relation_keys`` and
  leadcore's other additions are refused as unknown keys (``invalid_input``);
* it reads only the rulebook's input keys (``existing`` of ``link.check`` is ignored, as unknown
  keys are) and needs no ``seed`` (its own draw);
* its results hold only the rulebook's keys (no ``candidates``, ``size``, ``wave_times``,
  ``decided_at``, ``not_in_cadence``, ``duplicates[].person``, ``discarded[].lead``);
* its reasons hold only the catalogue's contract codes;
* it writes a lead without customer as ``customer: null``, leaves empty dispatch waves
  out, shuffles agents inside each wave and lists order-free lists (``record``,
  ``discarded``, ``matched``, ``cancelled_events``) backwards.

``leadcore conformance run`` must pass it on every vector (the contract), and
``leadcore conformance run --strict`` must fail it (leadcore's extensions):
``tests/test_conformance_contract.py`` checks both. Run it as
``python examples/contract_impl.py``.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

from leadcore import protocol, reasons
from leadcore.conformance import SPEC_INPUT_KEYS, SPEC_POLICY_FIELDS, SPEC_RESULT_KEYS

Json = Any

# The rulebook's shapes of the items of a few result lists (its table and conventions).
ITEM_KEYS = {
    "duplicates": ("id", "matched"),
    "discarded": ("field", "value"),
    "rejected_events": ("index", "type", "agent", "at", "reason"),
    "related": ("id", "selectable"),
}
ORDER_FREE = ("record", "discarded", "matched", "cancelled_events")
LEAD_KEYS = ("lead", "primary", "secondary", "retired")
PERSON_KEYS = ("first_name", "last_name", "phones", "emails")


def _refuse(request: dict[str, Json], key: str, value: object) -> dict[str, Json]:
    return {
        "id": request.get("id"),
        "ok": False,
        "error": {
            "code": "invalid_input",
            "message": f"{value!r:.80} is not a policy field of the protocol",
            "path": f"policy.{key}",
        },
    }


def _request(request: dict[str, Json]) -> dict[str, Json] | None:
    """Read the request as the rulebook does; an answer when it is refused here."""
    policy = request.get("policy")
    if isinstance(policy, dict):
        for key, value in policy.items():
            if key not in SPEC_POLICY_FIELDS:
                return _refuse(request, key, value)
    rule = request.get("rule")
    data = request.get("input")
    known = SPEC_INPUT_KEYS.get(rule) if isinstance(rule, str) else None
    if known is not None and isinstance(data, dict):
        request["input"] = data = {k: v for k, v in data.items() if k in known}
        if rule == "routing.dispatch" and data.get("seed") is None:
            data["seed"] = 0  # our own draw needs no seed from the caller
        if rule == "routing.dispatch" and isinstance(data.get("seed"), int):
            data["seed"] += 1  # another draw than leadcore's: any legal one will do
    return None


def _empty(person: object) -> bool:
    return isinstance(person, dict) and all(person.get(k) in (None, []) for k in PERSON_KEYS)


def _only(item: object, keys: tuple[str, ...]) -> object:
    return {k: v for k, v in item.items() if k in keys} if isinstance(item, dict) else item


def _reasons(items: object, contract: tuple[str, ...]) -> object:
    if not isinstance(items, list):
        return items
    return [r for r in items if isinstance(r, dict) and r.get("code") in contract]


def _result(rule: str, result: dict[str, Json]) -> dict[str, Json]:
    """Only the rulebook's keys, the contract's codes, and our own free choices."""
    keys = SPEC_RESULT_KEYS.get(rule, tuple(result))
    kept = {k: v for k, v in result.items() if k in keys}
    for key, item_keys in ITEM_KEYS.items():
        if isinstance(kept.get(key), list):
            kept[key] = [_only(item, item_keys) for item in kept[key]]
    contract = reasons.codes(rule, extension=False)
    if "reasons" in kept:
        kept["reasons"] = _reasons(kept["reasons"], contract)
    if isinstance(kept.get("ineligible"), dict):
        kept["ineligible"] = {a: _reasons(r, contract) for a, r in kept["ineligible"].items()}
    for key in LEAD_KEYS:
        lead = kept.get(key)
        if isinstance(lead, dict) and _empty(lead.get("customer")):
            lead["customer"] = None
    for key in ORDER_FREE:
        if isinstance(kept.get(key), list):
            kept[key].reverse()
    waves = kept.get("waves")
    if rule == "routing.dispatch" and isinstance(waves, list):
        rng = random.Random(7)  # noqa: S311  # a fixed, harmless shuffle
        kept["waves"] = [rng.sample(wave, len(wave)) for wave in waves if wave]
    return kept


def answer(line: str) -> dict[str, Json] | None:
    """Answer one line as an implementation of the contract alone."""
    if not line.strip():
        return None
    try:
        request = json.loads(line)
    except ValueError:
        return protocol.decide_line(line)
    if not isinstance(request, dict):
        return protocol.decide(request)
    refused = _request(request)
    if refused is not None:
        return refused
    response = protocol.decide(request)
    result = response.get("result")
    rule = request.get("rule")
    if isinstance(result, dict) and isinstance(rule, str):
        response["result"] = _result(rule, result)
    return response


def main() -> int:
    """Answer stdin line by line."""
    for line in sys.stdin:
        response = answer(line)
        if response is not None:
            sys.stdout.write(protocol.dumps(response) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
