"""
Every protocol rule at its largest legal input (GEN-5: limits, and linear time).

GEN-5 lets a request hold lists of up to 100,000 items and strings of up to 10,000
characters, and wants every rule to answer such a request in seconds. Two parts:

* **Scenarios**: each rule at its limits with the input that makes it work hardest
  (100,000 agents all in one wave, 100,000 events, emails differing only in case,
  existing leads that all match, a chain of 100,000 organisations, a 100,000-wave policy,
  ...), written by hand from what each rule does.
* **Sweep** (``--sweep``): every list of every rule's input and policy, found by walking
  the protocol's JSON Schema, filled with 100,000 items (distinct, then all the same), and
  every free string set to 10,000 characters, one at a time, on a valid request of that
  rule (from the demo requests and the conformance vectors). It finds the inputs nobody
  thought of; the scenarios are the ones that matter.

Each case is one JSON line answered as ``leadcore decide`` answers it: the line is parsed,
decided and the response written (:func:`leadcore.protocol.decide_line` and
:func:`~leadcore.protocol.dumps`); building the request is not timed. The table gives CPU
and wall time, the answer (``ok`` or the error code and path) and its size. A case still
running after ``--timeout`` seconds is stopped and reported as such.

Run from the repository root:
``.venv/bin/python benchmarks/limits.py [--sweep] [--only PREFIX] [--timeout 120]``.
To measure another checkout the same way, put its ``src`` first on ``PYTHONPATH``.
Figures are recorded in ``benchmarks/limits.md``; each run's figures are also appended to
``benchmarks/results/limits.json`` for the site's charts (see ``record.py``), with the
commit of the checkout measured.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gc
import json
import os
import platform
import signal
import sys
import time
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import record

from leadcore import protocol

N = 100_000
"""Largest list (GEN-5)."""

T = 10_000
"""Longest string (GEN-5)."""

NOW = "2026-11-23T10:30:00+05:30"
METRICS = {
    "cpu_s": "CPU time (process_time) of parsing, deciding and writing the answer to one line",
    "wall_s": "wall time (perf_counter) of the same",
}
Request = dict[str, Any]


def at(seconds: int) -> str:
    """A date-time ``seconds`` after NOW (same day for anything under 13 hours)."""
    moment = dt.datetime.fromisoformat(NOW) + dt.timedelta(seconds=seconds)
    return moment.isoformat()


def req(rule: str, data: dict[str, Any], policy: dict[str, Any] | None = None) -> Request:
    """A protocol request."""
    found: Request = {"id": rule, "rule": rule, "now": NOW, "input": data}
    if policy:
        found["policy"] = policy
    return found


def case_variant(text: str, i: int) -> str:
    """The ``i``-th spelling of ``text`` in upper and lower case (2^letters of them)."""
    return "".join(c.upper() if (i >> k) & 1 else c for k, c in enumerate(text))


def phone(i: int) -> str:
    """A distinct valid US number, written the way people type them."""
    return f"(415) {200 + i // 10_000:03d}-{i % 10_000:04d}"


def agents(n: int, **switches: bool) -> list[dict[str, Any]]:
    """``n`` agents of project p1, with the given switches."""
    return [{"id": f"agent-{i:06d}", "project": "p1", **switches} for i in range(n)]


LEAD = {"id": "L1", "project": "p1", "status": "new"}


def person(i: int) -> dict[str, Any]:
    """Maria Gonzalez, with an email of her own."""
    return {"first_name": "Maria", "last_name": "Gonzalez", "emails": [f"m{i}@x.io"]}


def existing_lead(i: int, **extra: object) -> dict[str, Any]:
    """An existing lead, a merge candidate by its dates."""
    return {
        "id": f"E{i:06d}",
        "customer": person(i),
        "project": "p1",
        "status": "claimed",
        "owner": "sm1",
        "source": "web",
        "lot": f"LOT-{i % 50}",
        "created_at": at(-86_400 * (1 + i % 300)),
        "last_activity_at": at(-3_600 * (1 + i % 2_000)),
        **extra,
    }


def org_chain(n: int) -> list[dict[str, Any]]:
    """``n`` organisations, each the parent of the next: a tree 100,000 deep."""
    orgs: list[dict[str, Any]] = [{"id": "o0", "handover_enabled": True}]
    orgs += [{"id": f"o{i}", "parent": f"o{i - 1}"} for i in range(1, n)]
    return orgs


def org_star(n: int) -> list[dict[str, Any]]:
    """A root with ``n - 1`` children."""
    return [{"id": "o0", "handover_enabled": True, "cross_silo_enabled": True}] + [
        {"id": f"o{i}", "parent": "o0"} for i in range(1, n)
    ]


def wip_lead(**extra: object) -> dict[str, Any]:
    """A lead in work, owned by sm1."""
    return {
        "id": "L1",
        "project": "p1",
        "status": "interested",
        "owner": "sm1",
        "customer": {"first_name": "Asha", "last_name": "Rao", "phones": ["+91 98200 12345"]},
        **extra,
    }


# -- scenarios ----------------------------------------------------------------------------


def scenarios() -> Iterator[tuple[str, str, Callable[[], Request]]]:  # noqa: PLR0915
    """(rule, what, build) for every scenario."""
    # normalize
    yield (
        "normalize.phone",
        "a 10,000-digit number",
        lambda: req("normalize.phone", {"value": "4" * T}),
    )
    yield (
        "normalize.phone",
        "10,000 characters of punctuated numbers",
        lambda: req("normalize.phone", {"value": ("+1 (415) 867-5309 ext. 12; " * T)[:T]}),
    )
    yield (
        "normalize.email",
        "10,000 characters, an @ in the middle",
        lambda: req("normalize.email", {"value": "A" * (T // 2) + "@" + "B" * (T // 2 - 1)}),
    )
    yield "normalize.email", "10,000 @", lambda: req("normalize.email", {"value": "@" * T})
    yield (
        "normalize.name",
        "10,000 accented letters (decomposed)",
        lambda: req("normalize.name", {"value": "e\u0301" * (T // 2)}),
    )
    yield (
        "normalize.name",
        "10,000 characters of O'Brien-Straße",
        lambda: req("normalize.name", {"value": ("Zoë O'Brien-Straße " * T)[:T]}),
    )

    # linking
    def link(**data: object) -> dict[str, Any]:
        base = {
            "primary": wip_lead(),
            "secondary": wip_lead(id="L2", owner="sm2"),
            "actor": {"id": "su", "roles": ["super_user"]},
            "owner": "sm1",
        }
        base.update(data)
        return base

    yield (
        "link.check",
        "100,000 existing leads linked to the secondary",
        lambda: req(
            "link.check",
            link(existing=[{"id": f"E{i:06d}", "linked_to": "L2"} for i in range(N)]),
        ),
    )
    yield (
        "link.check",
        "100,000 existing leads, none linked",
        lambda: req("link.check", link(existing=[existing_lead(i) for i in range(N)])),
    )
    yield (
        "link.apply",
        "a secondary with 100,000 scheduled events, all cancelled",
        lambda: req(
            "link.apply",
            link(
                secondary=wip_lead(
                    id="L2",
                    owner="sm2",
                    events=[{"id": f"ev{i}", "at": at(3_600 + i)} for i in range(N)],
                )
            ),
        ),
    )
    yield (
        "link.apply",
        "a primary with 100,000 phones and 100,000 viewers",
        lambda: req(
            "link.apply",
            link(
                primary=wip_lead(
                    # The secondary's number last: present, so the primary keeps 100,000.
                    customer={"phones": [*map(phone, range(N - 1)), "+91 98200 12345"]},
                    viewers=[f"u{i}" for i in range(N)],
                ),
                # Both leads owned by sm1: no viewer added to the 100,000.
                secondary=wip_lead(id="L2"),
            ),
        ),
    )
    yield (
        "link.apply",
        "leads with 100,000 fields each",
        lambda: req(
            "link.apply",
            link(
                primary=wip_lead(fields={f"k{i}": i for i in range(N)}),
                secondary=wip_lead(id="L2", owner="sm2", fields={f"k{i}": -i for i in range(N)}),
            ),
        ),
    )
    yield (
        "link.visibility",
        "100,000 viewers, 100,000 projects owned",
        lambda: req(
            "link.visibility",
            {
                "lead": wip_lead(viewers=[f"u{i}" for i in range(N)]),
                "user": {"id": f"u{N - 1}", "assignment_owner_of": [f"p{i}" for i in range(N)]},
            },
        ),
    )

    # merge
    inbound = {
        "id": "N1",
        "customer": {"first_name": "MARIA", "last_name": "gonzalez", "emails": ["M7@X.io"]},
        "source": "web",
    }
    yield (
        "merge.auto",
        "100,000 existing leads, all matching (name and email)",
        lambda: req(
            "merge.auto",
            {
                "inbound": inbound,
                "existing": [
                    existing_lead(i, customer={**person(i), "emails": ["m7@x.io"]})
                    for i in range(N)
                ],
            },
        ),
    )
    yield (
        "merge.auto",
        "100,000 existing leads, none matching",
        lambda: req(
            "merge.auto",
            {"inbound": inbound, "existing": [existing_lead(i + 10) for i in range(N)]},
        ),
    )
    yield (
        "merge.auto",
        "100,000 existing leads with one duplicate id each",
        lambda: req(
            "merge.auto",
            {"inbound": inbound, "existing": [existing_lead(i // 2) for i in range(N)]},
        ),
    )
    yield (
        "merge.auto",
        "an inbound lead with 100,000 phones and 100,000 emails",
        lambda: req(
            "merge.auto",
            {
                "inbound": {
                    "id": "N1",
                    "customer": {
                        "phones": [phone(i) for i in range(N)],
                        "emails": [f"x{i}@y.io" for i in range(N)],
                    },
                },
                "existing": [existing_lead(i) for i in range(1_000)],
            },
        ),
    )
    yield (
        "merge.duplicates",
        "100,000 existing leads, all duplicates",
        lambda: req(
            "merge.duplicates",
            {
                "lead": {**inbound, "id": "N1"},
                "existing": [
                    existing_lead(
                        i,
                        customer={
                            "first_name": "Marie",
                            "last_name": "Gonzales",
                            "emails": ["m7@x.io"],
                        },
                        last_activity_at=at(-60),
                    )
                    for i in range(N)
                ],
            },
        ),
    )

    def manual(master: dict[str, Any], other: dict[str, Any]) -> Request:
        return req("merge.manual", {"master": {"id": "A", **master}, "other": {"id": "B", **other}})

    yield (
        "merge.manual",
        "100,000 emails each, the same addresses in other case",
        lambda: manual(
            {"customer": {"emails": [f"maria.gonzalez{i}@example.com" for i in range(N)]}},
            {"customer": {"emails": [f"Maria.Gonzalez{i}@EXAMPLE.com" for i in range(N)]}},
        ),
    )
    yield (
        "merge.manual",
        "100,000 phones each, the same numbers spelled apart",
        lambda: manual(
            {"customer": {"phones": [phone(i) for i in range(N)]}},
            {"customer": {"phones": [phone(i).replace(" ", ".") for i in range(N)]}},
        ),
    )
    yield (
        "merge.manual",
        "100,000 events each, same ids, other times",
        lambda: manual(
            {"events": [{"id": f"ev{i}", "at": at(i)} for i in range(N)]},
            {"events": [{"id": f"ev{i}", "at": at(i + 1)} for i in range(N)]},
        ),
    )
    yield (
        "merge.manual",
        "100,000 fields each, all different; the same 100,000 viewers",
        lambda: manual(
            {"fields": {f"k{i}": i for i in range(N)}, "viewers": [f"u{i}" for i in range(N)]},
            {
                "fields": {f"k{i}": -i for i in range(N)},
                "viewers": [f"u{i}" for i in reversed(range(N))],
            },
        ),
    )

    # routing
    def routed(channel: str = "digital", **data: object) -> dict[str, Any]:
        return {"channel": channel, "lead": LEAD, "timezone": "Asia/Kolkata", **data}

    yield (
        "routing.eligible",
        "100,000 agents, 100,000 claims (half cooling down)",
        lambda: req(
            "routing.eligible",
            routed(
                agents=agents(N),
                claims=[
                    {"agent": f"agent-{i:06d}", "at": at(-60 * (i % 20)), "bucket": "digital"}
                    for i in range(N)
                ],
            ),
        ),
    )
    yield (
        "routing.eligible",
        "100,000 agents, all ineligible for every reason",
        lambda: req(
            "routing.eligible",
            routed(
                agents=agents(
                    N,
                    active=False,
                    lead_flow=False,
                    battery_optimization_disabled=False,
                    autorun_enabled=False,
                )
            ),
        ),
    )
    everyone = [f"agent-{i:06d}" for i in range(N)]
    yield (
        "routing.check_wave",
        "100,000 agents, all in one wave (wave_size 100,000)",
        lambda: req(
            "routing.check_wave",
            routed(agents=agents(N), wave=everyone),
            {"wave_size": N},
        ),
    )
    yield (
        "routing.check_wave",
        "a wave of 100,000 unknown agents",
        lambda: req(
            "routing.check_wave",
            routed(agents=agents(10), wave=[f"x{i}" for i in range(N)]),
        ),
    )
    yield (
        "routing.check_wave",
        "100,000 offered before, a wave of 100,000 repeated",
        lambda: req(
            "routing.check_wave",
            routed("offline", agents=agents(N), offered_before=everyone, wave=everyone),
        ),
    )
    yield (
        "routing.check_wave",
        "100,000 agents cooling down, wave out of order",
        lambda: req(
            "routing.check_wave",
            routed(
                agents=agents(N),
                claims=[
                    {"agent": f"agent-{i:06d}", "at": at(-i % 500), "bucket": "fresh"}
                    for i in range(N)
                ],
                wave=everyone[::-1],
            ),
            {"wave_size": N},
        ),
    )
    yield (
        "routing.dispatch",
        "100,000 events, all rejected (not in the wave)",
        lambda: req(
            "routing.dispatch",
            routed(
                agents=agents(10),
                seed=1,
                events=[{"type": "decline", "agent": f"x{i}", "at": at(i % 40)} for i in range(N)],
            ),
        ),
    )
    yield (
        "routing.dispatch",
        "one wave of 100,000 agents, 100,000 declines",
        lambda: req(
            "routing.dispatch",
            routed(
                agents=agents(N),
                seed=1,
                events=[
                    {"type": "decline", "agent": a, "at": at(i // 1_000)}
                    for i, a in enumerate(everyone)
                ],
            ),
            {"wave_size": N},
        ),
    )
    yield (
        "routing.dispatch",
        "digital_waves 100,000 of one agent, 100,000 time-outs",
        lambda: req(
            "routing.dispatch",
            routed(
                agents=agents(N),
                seed=1,
                events=[{"type": "timeout", "at": at(i // 10)} for i in range(N)],
            ),
            {"wave_size": 1, "digital_waves": N},
        ),
    )
    yield (
        "routing.dispatch",
        "digital_waves 100,000, nobody available",
        lambda: req(
            "routing.dispatch",
            routed(agents=agents(10, active=False), seed=1),
            {"digital_waves": N},
        ),
    )
    yield (
        "routing.dispatch",
        "waves of 1,000 from 100,000 agents, declined in turn",
        lambda: req(
            "routing.dispatch",
            routed(
                agents=agents(N),
                seed=1,
                claims=[
                    {"agent": f"agent-{i:06d}", "at": at(-60 * (i % 9)), "bucket": "digital"}
                    for i in range(0, N, 2)
                ],
                events=[{"type": "timeout", "at": at(i)} for i in range(99)]
                + [{"type": "claim", "agent": "agent-000001", "at": at(100)}],
            ),
            {"wave_size": 1_000, "digital_waves": 100},
        ),
    )
    yield (
        "routing.fresh_claim",
        "100,000 past claims of the agent",
        lambda: req(
            "routing.fresh_claim",
            {
                "agent": "agent-000001",
                "fresh_count": N,
                "active_agents": 3,
                "requested": N,
                "claims": [
                    {"agent": "agent-000001", "at": at(-i % 900), "bucket": "fresh"}
                    for i in range(N)
                ],
            },
        ),
    )
    yield (
        "routing.fresh_limit",
        "counts of 100 digits",
        lambda: req("routing.fresh_limit", {"fresh_count": 10**100, "active_agents": 7}),
    )
    yield (
        "routing.transfer",
        "100,000 WIP statuses, a lead with 100,000 events",
        lambda: req(
            "routing.transfer",
            {
                "lead": wip_lead(
                    owner="agent-000001",
                    status=f"s{N - 1}",
                    events=[{"id": f"ev{i}", "at": at(i)} for i in range(N)],
                ),
                "to": {"id": "agent-000002", "project": "p1"},
                "by": {"id": "tl", "roles": ["team_lead"]},
            },
            {"wip_statuses": [f"s{i}" for i in range(N)]},
        ),
    )
    yield (
        "routing.diagnose",
        "an agent with every switch off",
        lambda: req(
            "routing.diagnose",
            {"agent": agents(1, active=False, lead_flow=False)[0], "channel": "offline"},
        ),
    )

    # handover
    def hand(rule: str, orgs: list[dict[str, Any]], sender_org: str, target: str) -> Request:
        return req(
            rule,
            {
                "lead": wip_lead(org=sender_org, owner="pro", pipeline="professional"),
                "sender": {"id": "pro", "org": sender_org, "roles": ["professional"]},
                "target_org": target,
                "orgs": orgs,
            },
        )

    for rule in ("handover.check", "handover.apply"):
        yield (
            rule,
            "a chain of 100,000 organisations, to the root",
            (lambda rule=rule: hand(rule, org_chain(N), f"o{N - 1}", "o0")),
        )
        yield (
            rule,
            "a root with 99,999 children, child to parent",
            (lambda rule=rule: hand(rule, org_star(N), f"o{N - 1}", "o0")),
        )
    yield (
        "handover.check",
        "a cycle of 100,000 organisations (refused)",
        lambda: hand(
            "handover.check",
            [{"id": f"o{i}", "parent": f"o{(i + 1) % N}"} for i in range(N)],
            "o1",
            "o0",
        ),
    )
    yield (
        "handover.cross_silo",
        "99,999 siblings, one to another",
        lambda: hand("handover.cross_silo", org_star(N), "o1", f"o{N - 1}"),
    )
    yield (
        "handover.review",
        "a manager with 100,000 roles, a lead with 100,000 events",
        (
            lambda: req(
                "handover.review",
                {
                    "lead": wip_lead(
                        org="o0",
                        owner=None,
                        pipeline="manager",
                        events=[{"id": f"ev{i}", "at": at(i)} for i in range(N)],
                    ),
                    "manager": {"id": "m", "org": "o0", "roles": ["manager"] * N},
                    "assignee": {"id": "p", "org": "o0", "roles": ["professional"] * N},
                },
            )
        ),
    )

    # related
    yield (
        "related.find",
        "100,000 records, all related (case and accents apart)",
        lambda: req(
            "related.find",
            {
                "crm": "salesforce",
                "connected": True,
                "record": {"id": "r", "kind": "lead", "account_name": "Crêperie Saint-Malo"},
                "records": [
                    {
                        "id": f"r{i}",
                        "kind": "lead",
                        "account_name": case_variant("creperie saint malo", i),
                        "cadences": [f"c{i % 7}"],
                        "in_cadence": i % 3 != 0,
                    }
                    for i in range(N)
                ],
            },
        ),
    )
    yield (
        "related.find",
        "a record in 100,000 cadences, 100,000 contacts",
        lambda: req(
            "related.find",
            {
                "crm": "hubspot",
                "connected": True,
                "record": {
                    "id": "r",
                    "kind": "contact",
                    "account_id": "a1",
                    "cadences": [f"c{i}" for i in range(N)],
                },
                "records": [
                    {"id": f"r{i}", "kind": "contact", "account_id": "a1"} for i in range(N)
                ],
            },
        ),
    )
    yield (
        "related.stop",
        "100,000 selected, 100,000 memberships",
        lambda: req(
            "related.stop",
            {
                "selected": [f"l{i}" for i in range(1, N + 1)],
                "current": "l0",
                "include_current": True,
                "memberships": [{"lead": f"l{i // 2}", "cadence": f"c{i % 2}"} for i in range(N)],
            },
        ),
    )
    yield (
        "related.stop",
        "100,000 selected, all the same id",
        lambda: req(
            "related.stop",
            {
                "selected": ["l1"] * N,
                "memberships": [{"lead": "l1", "cadence": f"c{i}"} for i in range(N)],
            },
        ),
    )

    # policies at their limits
    yield (
        "merge.auto",
        "placeholder_names and credit sources of 100,000",
        lambda: req(
            "merge.auto",
            {"inbound": inbound, "existing": [existing_lead(i) for i in range(1_000)]},
            {
                "placeholder_names": [f"nobody{i}" for i in range(N)],
                "credit_application_sources": [f"src{i}" for i in range(N)],
            },
        ),
    )
    yield (
        "normalize.phone",
        "auto_merge_conditions of 100,000 (refused)",
        lambda: req(
            "normalize.phone",
            {"value": "1"},
            {"auto_merge_conditions": ["name", "email"] * (N // 2)},
        ),
    )


# -- the sweep ----------------------------------------------------------------------------

_SCHEMA = json.loads(
    resources.files("leadcore.conformance").joinpath("schemas/protocol.schema.json").read_text()
)
_DEFS = _SCHEMA["$defs"]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _DEFS[node["$ref"].rsplit("/", 1)[-1]]
    for option in node.get("anyOf", ()):
        found = _resolve(option)
        if found.get("type") != "null":
            return found
    return node


def _kind(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    return kind


def _item(node: dict[str, Any], i: int, *, same: bool) -> object:
    """The ``i``-th value of a schema node: distinct values, or all the same."""
    node = _resolve(node)
    kind, j = _kind(node), 0 if same else i
    if "enum" in node:
        return node["enum"][j % len(node["enum"])]
    if kind == "string":
        return at(j % 40_000) if node.get("pattern") else f"v{j}"
    if kind == "object":
        found = {
            key: _item(node["properties"][key], i, same=same) for key in node.get("required", ())
        }
        if "project" in node.get("properties", {}):
            found["project"] = "p1"
        return found
    if kind == "boolean":
        return bool(j % 2)
    if kind in {"integer", "number"}:
        return j
    return None


def _paths(
    node: dict[str, Any], prefix: tuple[str | int, ...], depth: int = 0
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every list and free string inside ``node``: list items' own lists too (one level)."""
    node = _resolve(node)
    kind = _kind(node)
    if kind == "array":
        yield prefix, node
        inner = _resolve(node.get("items", {}))
        if _kind(inner) == "object" and depth < 3:
            yield from _paths(inner, (*prefix, 0), depth + 1)
    elif kind == "string" and "enum" not in node and not node.get("pattern"):
        yield prefix, node
    elif kind == "object" and depth < 4:
        properties = node.get("properties", {})
        if not properties and prefix and prefix[-1] == "fields":
            yield prefix, node  # a lead's free fields: 100,000 keys
        for key, sub in properties.items():
            yield from _paths(sub, (*prefix, key), depth + 1)


def _put(
    request: Request, path: tuple[str | int, ...], value: object, root: dict[str, Any]
) -> None:
    here: Any = request
    node = root
    for key in path[:-1]:
        node = _resolve(node)
        if isinstance(key, int):
            node = _resolve(node["items"])
            if not here:
                here.append(_item(node, 0, same=False))
            here = here[0]
            continue
        node = _resolve(node["properties"][key])
        if here.get(key) is None:
            here[key] = [] if _kind(node) == "array" else _item(node, 0, same=False)
        here = here[key]
    here[path[-1]] = value


def _bases() -> dict[str, Request]:
    """A valid request of every rule: the demo requests first, then the vectors."""
    found: dict[str, Request] = {}
    data = resources.files("leadcore.data")
    demos = sorted(p.name for p in data.iterdir() if p.name.startswith("demo_"))
    for name in demos:
        for line in data.joinpath(name).read_text(encoding="utf-8").splitlines():
            request = json.loads(line)
            if request["rule"] not in found and protocol.decide(request)["ok"]:
                found[request["rule"]] = request
    for path in sorted(data.joinpath("vectors").iterdir(), key=lambda p: p.name):
        for line in path.read_text(encoding="utf-8").splitlines():
            vector = json.loads(line)
            request = vector["request"]
            if request["rule"] not in found and vector["expected"].get("ok"):
                found[request["rule"]] = request
    return found


def sweep() -> Iterator[tuple[str, str, Callable[[], Request]]]:
    """(rule, what, build) for every list and string of every rule, at the limit."""
    bases = _bases()
    for rule in protocol.rules():
        root = {
            "type": "object",
            "properties": {"input": _DEFS[f"input.{rule}"], "policy": _DEFS["policy"]},
        }
        for path, node in _paths(root, ()):
            where = ".".join(str(p) if isinstance(p, str) else "[0]" for p in path)
            where = where.replace(".[0]", "[0]")
            if _kind(_resolve(node)) != "array" and path[-1] != "fields":
                modes = ("text",)
            else:
                modes = ("distinct", "same")
            for mode in modes:

                def build(
                    rule: str = rule,
                    path: tuple[str | int, ...] = path,
                    mode: str = mode,
                    node: dict[str, Any] = node,
                    root: dict[str, Any] = root,
                ) -> Request:
                    request = copy.deepcopy(bases[rule])
                    value: object
                    if mode == "text":
                        value = "x" * T
                    elif path[-1] == "fields":
                        value = {
                            f"k{i if mode == 'distinct' else 0}{'' if mode == 'distinct' else i}": i
                            for i in range(N)
                        }
                    else:
                        value = [_item(node["items"], i, same=mode == "same") for i in range(N)]
                    _put(request, path, value, root)
                    return request

                yield rule, f"{where} {mode}", build


# -- running ------------------------------------------------------------------------------


class _Stopped(BaseException):
    """A case ran out of time (not an Exception: the protocol answers those)."""


def _stop(*_: object) -> None:
    raise _Stopped


def measure(build: Callable[[], Request], timeout: float) -> tuple[float, float, str, int]:
    """Answer one request as ``leadcore decide`` does: (wall, CPU, answer, bytes written)."""
    line = json.dumps(build(), ensure_ascii=False)
    gc.collect()
    signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        response = protocol.decide_line(line) or {}
        written = len(protocol.dumps(response))
    except _Stopped:
        return time.perf_counter() - wall, time.process_time() - cpu, "STOPPED", 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if response["ok"]:
        answer = "ok"
    else:
        error = response["error"]
        answer = f"{error['code']} at {error['path'] or '-'}"
    return wall, cpu, answer, written


def main(argv: list[str] | None = None) -> int:
    """Run the cases and print their table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweep", action="store_true", help="also run the schema sweep")
    parser.add_argument("--only", default="", help="run the cases whose rule starts so")
    parser.add_argument("--match", default="", help="run the cases whose text contains this")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    args = parser.parse_args(argv)

    print(f"# leadcore {protocol.__file__}")
    print(f"# Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"# load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    record_run = record.Run(
        "limits",
        script="benchmarks/limits.py",
        page="benchmarks/limits.md",
        section="Results",
        metrics=METRICS,
        note=f"--timeout {args.timeout:g} s of wall time a case; one process",
    )
    parts = [("scenarios", scenarios())]
    if args.sweep:
        parts.append(("sweep", sweep()))
    worst = (0.0, "")
    started = time.perf_counter()
    for title, cases in parts:
        print(f"\n## {title}\n")
        print(f"| {'rule':<20} | {'input':<60} | {'CPU s':>6} | {'wall s':>6} | answer | bytes |")
        print(f"|{'-' * 22}|{'-' * 62}|{'-' * 7}:|{'-' * 7}:|---|---:|")
        for rule, what, build in cases:
            if not rule.startswith(args.only) or args.match not in what:
                continue
            wall, cpu, answer, written = measure(build, args.timeout)
            print(
                f"| {rule:<20} | {what:<60} | {cpu:6.2f} | {wall:6.2f} | {answer} | {written:,} |",
                flush=True,
            )
            worst = max(worst, (cpu, f"{rule}: {what}"))
            record_run.add(
                {
                    "kind": title.rstrip("s"),
                    "rule": rule,
                    "input": what,
                    "cpu_s": round(cpu, 3),
                    "wall_s": round(wall, 3),
                    "stopped": answer == "STOPPED",
                    "answer": answer,
                    "bytes": written,
                }
            )
    print(f"\n# slowest (CPU): {worst[0]:.2f} s, {worst[1]}")
    print(f"# total wall {time.perf_counter() - started:.0f} s")
    print(f"# load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    record_run.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
