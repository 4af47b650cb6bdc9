"""
Protocol rules ``link.check``, ``link.apply`` and ``link.visibility`` (LNK).

Input of ``link.check`` and ``link.apply``: ``primary`` and ``secondary`` (Lead),
``actor`` (User), ``owner`` (the user id of the chosen sales manager) and, as a leadcore
extension that other implementations may ignore, ``existing`` ([Lead]) to find leads
already linked to the secondary. Input of ``link.visibility``: ``lead`` and ``user``.
"""

from __future__ import annotations

from leadcore import _wire, linking
from leadcore._protocol.registry import Request, Result, rule
from leadcore.linking import LinkPolicy
from leadcore.model import Lead, User


def _inputs(request: Request[LinkPolicy]) -> tuple[Lead, Lead, User, str, tuple[Lead, ...]]:
    data = request.input
    return (
        _wire.read_lead(data.obj("primary")),
        _wire.read_lead(data.obj("secondary")),
        _wire.read_user(data.obj("actor")),
        data.ident("owner"),
        tuple(_wire.read_lead(o) for o in data.objs("existing")),
    )


@rule("link.check", policy=LinkPolicy)
def check(request: Request[LinkPolicy]) -> Result:
    """Whether two leads may be linked, with every failing reason (LNK-1 to LNK-4, LNK-7)."""
    primary, secondary, actor, owner, existing = _inputs(request)
    verdict = linking.check(
        primary, secondary, actor, owner, existing=existing, policy=request.policy
    )
    return {"allowed": verdict.allowed, "reasons": _wire.reasons(verdict)}


@rule("link.apply", policy=LinkPolicy)
def apply(request: Request[LinkPolicy]) -> Result:
    """Link two leads: new primary and secondary, notifications, cancelled events, record."""
    primary, secondary, actor, owner, existing = _inputs(request)
    result = linking.apply(
        primary, secondary, actor, owner, now=request.now, existing=existing, policy=request.policy
    )
    return {
        "allowed": result.allowed,
        "reasons": _wire.reasons(result.reasons),
        "primary": None if result.primary is None else _wire.lead(result.primary),
        "secondary": None if result.secondary is None else _wire.lead(result.secondary),
        "notifications": _wire.notifications(result.notifications),
        "cancelled_events": _wire.cancelled(result.cancelled_events),
        "record": _wire.changes(result.record),
    }


@rule("link.visibility", policy=LinkPolicy)
def visibility(request: Request[LinkPolicy]) -> Result:
    """Dashboard tabs, tag and sales-app access (act/view/none) of a lead (LNK-8, LNK-9)."""
    data = request.input
    lead = _wire.read_lead(data.obj("lead"))
    user = _wire.read_user(data.obj("user"))
    seen = linking.visibility(lead, user)
    return {
        "dashboard_tabs": list(seen.dashboard_tabs),
        "tag": seen.tag,
        "app_access": seen.app_access.value,
    }
