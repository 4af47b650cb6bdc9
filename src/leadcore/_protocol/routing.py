"""
Protocol rules of the routing family (RTE-1 to RTE-8).

``routing.eligible``, ``routing.check_wave``, ``routing.dispatch``, ``routing.fresh_limit``,
``routing.fresh_claim``, ``routing.transfer`` and ``routing.diagnose``.

Input and result shapes are the protocol's table; the Python functions take the same names, so a
problem they report at ``agents[2].id`` is reported here at ``input.agents[2].id``.
"""

from __future__ import annotations

import random

from leadcore import _wire, routing
from leadcore._protocol.registry import Request, Result, rule, under_input
from leadcore._routing import inputs as inp
from leadcore._wire import Obj
from leadcore.model import Agent, Channel, Claim
from leadcore.routing import DispatchEvent, EventKind, RoutingPolicy

# -- readers ------------------------------------------------------------------------------


def _channel(data: Obj) -> Channel:
    return inp.channel(data.required("channel"), data.where("channel"))


def _agents(data: Obj) -> list[Agent]:
    return [_wire.read_agent(item) for item in data.objs("agents")]


def _claims(data: Obj) -> list[Claim]:
    return [_wire.read_claim(item) for item in data.objs("claims")]


def read_event(data: Obj) -> DispatchEvent:
    return _wire.build(
        DispatchEvent,
        data.path,
        kind=data.choice("type", EventKind),
        agent=data.opt_ident("agent"),
        at=data.datetime("at"),
    )


def _agent_id(data: Obj) -> str:
    """``agent`` as an id, or as an Agent object whose id is taken."""
    raw = data.required("agent")
    if isinstance(raw, dict):
        return _wire.read_agent(data.obj("agent")).id
    return data.ident("agent")


# -- writers ------------------------------------------------------------------------------


def write_state(state: routing.DispatchState) -> Result:
    rejected = sorted(state.rejected, key=lambda r: r.index)
    return {
        "outcome": state.outcome,
        "agent": state.agent,
        "waves": [list(wave) for wave in state.waves],
        "rejected_events": [
            {
                "index": r.index,
                "type": r.event.kind.value,
                "agent": r.event.agent,
                "at": _wire.format_datetime(r.event.at),
                "reason": r.code,
            }
            for r in rejected
        ],
        "wave_times": [_wire.format_datetime(at) for at in state.wave_times],
        "decided_at": None if state.decided_at is None else _wire.format_datetime(state.decided_at),
    }


# -- rules --------------------------------------------------------------------------------


@rule("routing.eligible", policy=RoutingPolicy)
def eligible(request: Request[RoutingPolicy]) -> Result:
    """Preferred, fallback (round-robin order) and ineligible agents (RTE-4, RTE-5)."""
    data = request.input
    channel = _channel(data)
    lead = _wire.read_lead(data.obj("lead"))
    agents, claims = _agents(data), _claims(data)
    timezone = data.opt_text("timezone")
    result = under_input(
        lambda: routing.eligible(
            channel, lead, agents, claims, now=request.now, timezone=timezone, policy=request.policy
        )
    )
    return {
        "preferred": list(result.preferred),
        "fallback": list(result.fallback),
        "ineligible": {agent: _wire.reasons(r) for agent, r in result.ineligible.items()},
    }


@rule("routing.check_wave", policy=RoutingPolicy)
def check_wave(request: Request[RoutingPolicy]) -> Result:
    """Whether a wave offered by another implementation is legal (RTE-2 to RTE-5)."""
    data = request.input
    channel = _channel(data)
    lead = _wire.read_lead(data.obj("lead"))
    agents, claims = _agents(data), _claims(data)
    timezone = data.opt_text("timezone")
    offered_before, wave = data.idents("offered_before"), data.idents("wave")
    result = under_input(
        lambda: routing.check_wave(
            channel,
            lead,
            agents,
            claims,
            offered_before,
            wave,
            now=request.now,
            timezone=timezone,
            policy=request.policy,
        )
    )
    return {"legal": result.legal, "reasons": _wire.reasons(result.reasons), "size": result.size}


@rule("routing.dispatch", policy=RoutingPolicy)
def dispatch(request: Request[RoutingPolicy]) -> Result:
    """A lead's waves, claims, declines and time-outs, to its outcome (RTE-2, RTE-3)."""
    data = request.input
    channel = _channel(data)
    lead = _wire.read_lead(data.obj("lead"))
    agents, claims = _agents(data), _claims(data)
    timezone = data.opt_text("timezone")
    seed = data.integer("seed")
    events = [read_event(item) for item in data.objs("events")]
    state = under_input(
        lambda: routing.dispatch(
            channel,
            lead,
            agents,
            claims,
            events,
            now=request.now,
            rng=random.Random(seed),  # noqa: S311  # reproducible draws, not cryptography
            timezone=timezone,
            policy=request.policy,
        )
    )
    return write_state(state)


@rule("routing.fresh_limit", policy=RoutingPolicy)
def fresh_limit(request: Request[RoutingPolicy]) -> Result:
    """Leads an agent may claim from the fresh bucket per window (RTE-6)."""
    data = request.input
    fresh_count, active_agents = data.integer("fresh_count"), data.integer("active_agents")
    return {"limit": under_input(lambda: routing.fresh_limit(fresh_count, active_agents))}


@rule("routing.fresh_claim", policy=RoutingPolicy)
def fresh_claim(request: Request[RoutingPolicy]) -> Result:
    """A claim of fresh-bucket leads cut to what is left of the quota (RTE-6)."""
    data = request.input
    agent = _agent_id(data)
    claims = _claims(data)
    fresh_count, active_agents = data.integer("fresh_count"), data.integer("active_agents")
    requested = data.integer("requested") if data.has("requested") else 1
    grant = under_input(
        lambda: routing.fresh_claim(
            agent,
            claims,
            fresh_count=fresh_count,
            active_agents=active_agents,
            requested=requested,
            now=request.now,
            policy=request.policy,
        )
    )
    return {
        "granted": grant.granted,
        "limit": grant.limit,
        "used": grant.used,
        "reasons": _wire.reasons(grant.reasons),
    }


@rule("routing.transfer", policy=RoutingPolicy)
def transfer(request: Request[RoutingPolicy]) -> Result:
    """A lead put straight into an agent's WIP bucket, if permitted (RTE-7)."""
    data = request.input
    lead = _wire.read_lead(data.obj("lead"))
    to = _wire.read_agent(data.obj("to"))
    by = _wire.read_user(data.obj("by"))
    decision = under_input(lambda: routing.transfer(lead, to, by, policy=request.policy))
    return {
        "allowed": decision.allowed,
        "reasons": _wire.reasons(decision.reasons),
        "lead": None if decision.lead is None else _wire.lead(decision.lead),
        "bucket": decision.bucket,
        "record": _wire.changes(decision.record),
    }


@rule("routing.diagnose", policy=RoutingPolicy)
def diagnose(request: Request[RoutingPolicy]) -> Result:
    """Every reason an agent receives no leads of a channel (RTE-8)."""
    data = request.input
    agent = _wire.read_agent(data.obj("agent"))
    channel = _channel(data)
    result = routing.diagnose(agent, channel)
    return {"receiving": result.receiving, "reasons": _wire.reasons(result.reasons)}
