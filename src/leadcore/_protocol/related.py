"""Protocol rules ``related.find`` and ``related.stop`` (REL-1..REL-5)."""

from __future__ import annotations

from leadcore import _wire, related
from leadcore._protocol.registry import Request, Result, rule, under_input
from leadcore._wire import Obj
from leadcore.model import Crm
from leadcore.related import CadenceMembership, RelatedPolicy


def _read_membership(obj: Obj) -> CadenceMembership:
    """Read a membership: lead, cadence."""
    return _wire.build(
        CadenceMembership, obj.path, lead=obj.ident("lead"), cadence=obj.ident("cadence")
    )


@rule("related.find", policy=RelatedPolicy)
def find(request: Request[RelatedPolicy]) -> Result:
    """The records related to the current one, selectable or not, and the icon (REL-1..4)."""
    data = request.input
    crm = data.choice("crm", Crm)
    data.required("connected")
    connected = data.boolean("connected", default=False)
    record = _wire.read_record(data.obj("record"))
    records = [_wire.read_record(obj) for obj in data.objs("records")]
    result = under_input(
        lambda: related.find(crm, record, records, connected=connected, policy=request.policy)
    )
    return {
        "related": [{"id": r.id, "selectable": r.selectable} for r in result.related],
        "show_icon": result.show_icon,
        "reasons": _wire.reasons(result.reasons),
    }


@rule("related.stop", policy=RelatedPolicy)
def stop(request: Request[RelatedPolicy]) -> Result:
    """The (lead, cadence) memberships stopped for the selected leads (REL-5)."""
    data = request.input
    selected = data.idents("selected")
    current = data.opt_ident("current")
    include_current = data.boolean("include_current", default=False)
    memberships = [_read_membership(obj) for obj in data.objs("memberships")]
    result = under_input(
        lambda: related.stop(
            selected, memberships, current=current, include_current=include_current
        )
    )
    return {
        "stopped": [{"lead": m.lead, "cadence": m.cadence} for m in result.stopped],
        "not_in_cadence": list(result.not_in_cadence),
    }
