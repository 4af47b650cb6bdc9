"""
Protocol rules ``handover.check``, ``handover.apply``, ``handover.review``, ``handover.cross_silo``.

Shapes as the protocol's table says: a handover's input is ``lead``, ``sender`` (User),
``target_org`` (id) and ``orgs`` [Org]; a review's is ``lead``, ``manager`` (User) and an
optional ``assignee`` (User). Results carry ``allowed`` and ``reasons``; the rules that
change a lead add it in canonical form and its ``record``, and handovers their
``notifications``. A refusal carries no lead (``lead`` null, empty ``notifications`` and
``record``).

HND-7 (a lead generator creating a lead) has no protocol rule: the protocol's table lists none,
so :func:`leadcore.handover.create` is Python only (``docs/handover.md``).
"""

from __future__ import annotations

from collections.abc import Callable

from leadcore import _wire, handover
from leadcore._protocol.registry import Request, Result, rule, under_input
from leadcore.handover import HandoverPolicy, HandoverResult, OrgTree
from leadcore.model import Lead, User

_Transfer = Callable[..., HandoverResult]


def _transfer_input(request: Request[HandoverPolicy]) -> tuple[Lead, User, str, OrgTree]:
    data = request.input
    lead = _wire.read_lead(data.obj("lead"))
    sender = _wire.read_user(data.obj("sender"))
    target_org = data.ident("target_org")
    orgs = tuple(_wire.read_org(o) for o in data.objs("orgs"))
    tree = _wire.build(OrgTree, data.path, orgs=orgs)
    return lead, sender, target_org, tree


def _transfer_result(result: HandoverResult) -> Result:
    return {
        "allowed": result.allowed,
        "reasons": _wire.reasons(result.reasons),
        "lead": None if result.lead is None else _wire.lead(result.lead),
        "notifications": _wire.notifications(result.notifications),
        "record": _wire.changes(result.record),
    }


def _run_transfer(request: Request[HandoverPolicy], operation: _Transfer) -> Result:
    lead, sender, target_org, tree = _transfer_input(request)
    result = under_input(lambda: operation(lead, sender, target_org, tree, policy=request.policy))
    return _transfer_result(result)


@rule("handover.check", policy=HandoverPolicy)
def check(request: Request[HandoverPolicy]) -> Result:
    """Whether a handover is allowed, with every failing reason (HND-1..HND-3)."""
    lead, sender, target_org, tree = _transfer_input(request)
    verdict = under_input(
        lambda: handover.check(lead, sender, target_org, tree, policy=request.policy)
    )
    return {"allowed": verdict.allowed, "reasons": _wire.reasons(verdict)}


@rule("handover.apply", policy=HandoverPolicy)
def apply(request: Request[HandoverPolicy]) -> Result:
    """A handover: the lead in the receiver's Manager Pipeline, notifications (HND-1..6)."""
    return _run_transfer(request, handover.apply)


@rule("handover.cross_silo", policy=HandoverPolicy)
def cross_silo(request: Request[HandoverPolicy]) -> Result:
    """A child to child transfer when the parent enables cross silo (HND-8)."""
    return _run_transfer(request, handover.cross_silo)


@rule("handover.review", policy=HandoverPolicy)
def review(request: Request[HandoverPolicy]) -> Result:
    """The receiving manager accepts the lead or assigns it to a professional (HND-5)."""
    data = request.input
    lead = _wire.read_lead(data.obj("lead"))
    manager = _wire.read_user(data.obj("manager"))
    assignee_obj = data.opt_obj("assignee")
    assignee = None if assignee_obj is None else _wire.read_user(assignee_obj)
    result = handover.review(lead, manager, assignee, policy=request.policy)
    return {
        "allowed": result.allowed,
        "reasons": _wire.reasons(result.reasons),
        "lead": None if result.lead is None else _wire.lead(result.lead),
        "record": _wire.changes(result.record),
    }
