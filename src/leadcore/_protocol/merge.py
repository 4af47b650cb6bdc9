"""
Protocol rules ``merge.auto``, ``merge.duplicates`` and ``merge.manual`` (MRG).

Inputs: ``merge.auto`` takes ``inbound`` (Lead) and ``existing`` ([Lead]);
``merge.duplicates`` takes ``lead`` and ``existing``; ``merge.manual`` takes ``master``
and ``other``. Results follow the protocol's table; beyond it, ``merge.auto`` adds
``candidates`` (every matching lead, best first, with why it was not taken),
``merge.duplicates`` adds each duplicate's ``person`` (and, under a ``duplicate_rule``,
its ``via``), and ``merge.manual`` adds the ``record`` of every changed field and each
discarded value's ``lead``. The policy's ``auto_merge_rule`` and ``duplicate_rule`` take
match rules as JSON objects (``docs/match_rules.md``); ``matched`` then lists item
labels and ``via`` the label of the group that holds.
"""

from __future__ import annotations

from leadcore import _wire, merge
from leadcore._protocol.registry import Request, Result, rule, under_input
from leadcore.merge import MergePolicy
from leadcore.model import Lead


def _existing(request: Request[MergePolicy]) -> tuple[Lead, ...]:
    return tuple(_wire.read_lead(o) for o in request.input.objs("existing"))


@rule("merge.auto", policy=MergePolicy)
def auto(request: Request[MergePolicy]) -> Result:
    """Merge, route or create an inbound lead, with the target and why (MRG-1 to MRG-6)."""
    inbound = _wire.read_lead(request.input.obj("inbound"))
    existing = _existing(request)
    decision = under_input(
        lambda: merge.auto(inbound, existing, now=request.now, policy=request.policy)
    )
    return {
        "action": decision.action,
        "target": decision.target,
        "lot": decision.lot,
        "matched": list(decision.matched),
        "person": decision.person,
        "via": decision.via,
        "reasons": _wire.reasons(decision.reasons),
        "candidates": [
            {
                "id": c.id,
                "matched": list(c.matched),
                "person": c.person,
                "via": c.via,
                "reasons": _wire.reasons(c.reasons),
            }
            for c in decision.candidates
        ],
    }


@rule("merge.duplicates", policy=MergePolicy)
def duplicates(request: Request[MergePolicy]) -> Result:
    """Possible duplicates of a lead, sorted by id, never merged (MRG-7)."""
    lead = _wire.read_lead(request.input.obj("lead"))
    existing = _existing(request)
    found = under_input(
        lambda: merge.duplicates(lead, existing, now=request.now, policy=request.policy)
    )
    # [decided] ``via`` only under a duplicate_rule: the rulebook's keys' answers keep
    # their shape, and there every duplicate is two_of_n (docs/match_rules.md).
    with_via = request.policy.duplicate_rule is not None
    return {
        "duplicates": [
            {"id": d.id, "matched": list(d.matched), "person": d.person}
            | ({"via": d.via} if with_via else {})
            for d in found.duplicates
        ]
    }


@rule("merge.manual", policy=MergePolicy)
def manual(request: Request[MergePolicy]) -> Result:
    """Merge two leads with a master; the other is retired; every losing value (MRG-8)."""
    master = _wire.read_lead(request.input.obj("master"))
    other = _wire.read_lead(request.input.obj("other"))
    result = under_input(lambda: merge.manual(master, other, policy=request.policy))
    return {
        "lead": _wire.lead(result.lead),
        "retired": _wire.lead(result.retired),
        "discarded": [
            {"lead": d.lead, "field": d.field, "value": _wire.value(d.value)}
            for d in result.discarded
        ],
        "record": _wire.changes(result.record.changes),
    }
