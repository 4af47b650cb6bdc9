"""Properties of linking: every reason listed, past events kept, unlink restores, no mutation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from leadcore import _wire, linking, normalize
from leadcore.linking import AppAccess, LinkPolicy
from leadcore.model import WIP_STATUSES, Event, EventStatus, Lead, Person, Role, User

from .strategies import NOW, phones

OWNERS = ["sm1", "sm2", "sm3"]
statuses = st.sampled_from([*WIP_STATUSES, *WIP_STATUSES, "new", "booked", "linked", None])
linkable_events = st.lists(
    st.builds(
        Event,
        id=st.sampled_from(["e1", "e2", "e3", "e4"]),
        # Around now to the microsecond, so "strictly after now" is exercised exactly.
        at=st.sampled_from([-86_400_000_000, -1, 0, 1, 3_600_000_000]).map(
            lambda us: NOW + dt.timedelta(microseconds=us)
        ),
        status=st.sampled_from(EventStatus),
    ),
    max_size=4,
    unique_by=lambda e: e.id,
)


persons = st.builds(
    Person,
    first_name=st.sampled_from([None, "Asha", "Ravi"]),
    last_name=st.sampled_from([None, "Rao"]),
    # The shared phone strategy: well-formed, local, foreign, unusable and blank numbers.
    phones=st.lists(phones, max_size=3),
)


@st.composite
def link_leads(draw: st.DrawFn, lead_id: str) -> Lead:
    """A lead shaped for linking: few projects, owners and statuses, so all cases occur."""
    return Lead(
        id=lead_id,
        project=draw(st.sampled_from(["p1", "p1", "p1", "p2", None])),
        status=draw(statuses),
        owner=draw(st.sampled_from([*OWNERS, None])),
        viewers=draw(st.lists(st.sampled_from([*OWNERS, "boss"]), max_size=3)),
        linked_to=draw(st.sampled_from([None, None, None, "L9"])),
        customer=draw(persons),
        co_customer=draw(st.none() | persons),
        events=draw(linkable_events),
        fields=draw(st.sampled_from([{}, {"mandate": "acme", "budget": [1, 2]}])),
    )


others = st.builds(
    Lead, id=st.sampled_from(["L3", "L4"]), linked_to=st.sampled_from([None, "L1", "L2", "L3"])
)
"""Other leads of the CRM, some linked to the primary or the secondary."""


actors = st.builds(
    User,
    id=st.sampled_from(["admin", "ao", "x"]),
    roles=st.frozensets(st.sampled_from(Role), max_size=2),
    assignment_owner_of=st.frozensets(st.sampled_from(["p1", "p2"])),
)
owners = st.sampled_from([*OWNERS, "sm9"])


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments of check/apply: two leads (rarely the same id), an actor, an owner."""
    second_id = draw(st.sampled_from(["L2", "L2", "L2", "L1"]))
    return {
        "primary": draw(link_leads("L1")),
        "secondary": draw(link_leads(second_id)),
        "actor": draw(actors),
        "owner": draw(owners),
        "existing": draw(st.lists(others, max_size=2)),
    }


@st.composite
def allowed_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments that check allows: the same project, WIP, a super user, a real owner."""
    found = draw(requests())
    primary = attrs.evolve(
        found["primary"], project="p1", status=draw(st.sampled_from(WIP_STATUSES)), linked_to=None
    )
    secondary = attrs.evolve(
        found["secondary"],
        id="L2",
        project="p1",
        status=draw(st.sampled_from(WIP_STATUSES)),
        linked_to=None,
        owner=draw(st.sampled_from(OWNERS)),
    )
    owner = draw(st.sampled_from([o for o in (primary.owner, secondary.owner) if o is not None]))
    actor = User(id="admin", roles=[Role.SUPER_USER])
    return found | {
        "primary": primary,
        "secondary": secondary,
        "actor": actor,
        "owner": owner,
        "existing": [],
    }


def expected_codes(request: dict[str, Any], policy: LinkPolicy | None = None) -> list[str]:
    """The reasons the rulebook gives, computed independently of the implementation."""
    wip = (policy or LinkPolicy()).wip_statuses
    p, s, actor, owner = (request[k] for k in ("primary", "secondary", "actor", "owner"))
    projects = {p.project, s.project}
    permitted = Role.SUPER_USER in actor.roles or (
        None not in projects and projects <= actor.assignment_owner_of
    )
    holds = {
        "different_project": p.project is None or p.project != s.project,
        "primary_not_wip": p.status not in wip,
        "secondary_not_wip": s.status not in wip,
        "not_permitted": not permitted,
        "invalid_owner": owner not in {p.owner, s.owner} - {None},
        "same_lead": p.id == s.id,
        "primary_is_linked": p.status == "linked" or p.linked_to is not None,
        "secondary_already_linked": s.status == "linked" or s.linked_to is not None,
        "secondary_has_secondaries": any(
            e.linked_to == s.id and e.id != s.id for e in request["existing"]
        ),
    }
    return [code for code in linking.REASON_CODES if holds[code]]


def snapshot(request: dict[str, Any]) -> object:
    """A deep, independent picture of the leads and users of a request."""
    return {
        "leads": [_wire.lead(request[k]) for k in ("primary", "secondary")],
        "existing": [_wire.lead(e) for e in request["existing"]],
        "actor": _wire.value(request["actor"]),
        "copies": [attrs.evolve(request[k]) for k in ("primary", "secondary", "actor")],
    }


def apply(request: dict[str, Any], **kw: Any) -> linking.LinkResult:
    """linking.apply at NOW with a request's arguments."""
    return linking.apply(
        request["primary"],
        request["secondary"],
        request["actor"],
        request["owner"],
        now=NOW,
        existing=request["existing"],
        **kw,
    )


@given(requests())
def test_lnk_a_refusal_lists_every_reason_that_holds_in_order(request: dict[str, Any]) -> None:
    """GEN-4, LNK-1..4, LNK-7: the codes are exactly the failing conditions, in order."""
    expected = expected_codes(request)

    verdict = linking.check(
        request["primary"],
        request["secondary"],
        request["actor"],
        request["owner"],
        existing=request["existing"],
    )

    assert list(verdict.codes) == expected
    assert verdict.allowed == (not expected)


@given(requests(), st.lists(st.sampled_from([*WIP_STATUSES, "new", "linked"]), max_size=4))
def test_lnk2_wip_statuses_follow_the_policy(request: dict[str, Any], wip: list[str]) -> None:
    """LNK-2, GEN-7: with any WIP list the reasons are what the rulebook says for that list."""
    policy = LinkPolicy(wip_statuses=wip)

    verdict = linking.check(
        request["primary"],
        request["secondary"],
        request["actor"],
        request["owner"],
        existing=request["existing"],
        policy=policy,
    )

    assert list(verdict.codes) == expected_codes(request, policy)


@given(requests())
def test_lnk_apply_agrees_with_check(request: dict[str, Any]) -> None:
    """GEN-4: apply refuses exactly when check does, with the same reasons and no leads."""
    verdict = linking.check(
        request["primary"],
        request["secondary"],
        request["actor"],
        request["owner"],
        existing=request["existing"],
    )

    result = apply(request)

    assert result.verdict == verdict
    if not result.allowed:
        assert (result.primary, result.secondary, result.record) == (None, None, ())
        assert (result.notifications, result.cancelled_events) == ((), ())


@given(allowed_requests())
def test_lnk6_apply_never_touches_past_or_finished_events(request: dict[str, Any]) -> None:
    """LNK-6: exactly the scheduled events due strictly after now are cancelled."""
    before = request["secondary"].events

    result = apply(request)

    assert result.secondary is not None
    assert result.primary is not None
    due = [e for e in before if e.status is EventStatus.SCHEDULED and e.at > NOW]
    for old, new in zip(before, result.secondary.events, strict=True):
        if old in due:
            assert new == attrs.evolve(old, status=EventStatus.CANCELLED)
        else:
            assert new == old
    assert [(c.lead, c.event, c.at) for c in result.cancelled_events] == [
        ("L2", e.id, e.at) for e in due
    ]
    assert result.primary.events == request["primary"].events


@given(allowed_requests())
def test_gen6_link_then_unlink_gives_back_the_two_leads(request: dict[str, Any]) -> None:
    """GEN-6: unlink with the record restores both leads exactly."""
    result = apply(request)
    assert result.primary is not None
    assert result.secondary is not None

    restored = linking.unlink(result.primary, result.secondary, result.record)

    assert restored == (request["primary"], request["secondary"])


@given(requests())
def test_gen3_inputs_are_never_mutated(request: dict[str, Any]) -> None:
    """GEN-3: check, apply, unlink and visibility leave their arguments as they were."""
    before = snapshot(request)

    result = apply(request)
    if result.primary is not None and result.secondary is not None:
        linking.unlink(result.primary, result.secondary, result.record)
    linking.visibility(request["primary"], request["actor"])
    linking.secondaries(request["primary"], request["existing"])

    assert snapshot(request) == before


@given(allowed_requests())
def test_lnk4_owner_and_viewers(request: dict[str, Any]) -> None:
    """LNK-4: the chosen manager owns the primary; the other owner views it, once."""
    owner = request["owner"]
    others = {request["primary"].owner, request["secondary"].owner} - {None, owner}

    result = apply(request)

    assert result.primary is not None
    assert result.primary.owner == owner
    assert owner not in result.primary.viewers
    for other in others:
        assert result.primary.viewers.count(other) == max(
            1, request["primary"].viewers.count(other)
        )


@given(allowed_requests())
def test_lnk5_the_mobile_is_on_the_primary_once(request: dict[str, Any]) -> None:
    """LNK-5: at most one number is added, and the mobile is then on the primary."""
    primary, secondary = request["primary"], request["secondary"]

    result = apply(request)

    assert result.primary is not None
    new_phones = result.primary.customer.phones
    assert new_phones[: len(primary.customer.phones)] == primary.customer.phones
    assert len(new_phones) - len(primary.customer.phones) in {0, 1}
    if secondary.customer.phones and secondary.customer.phones[0].strip():
        mobile = normalize.phone(secondary.customer.phones[0])
        if mobile is not None:
            having = [p for p in result.primary.people if mobile in normalize.person(p).phone_set]
            assert having
            again = apply(request | {"primary": result.primary})
            assert again.primary is not None
            assert again.primary.customer.phones == new_phones


@given(allowed_requests())
def test_lnk7_linking_twice_is_refused_and_changes_nothing(request: dict[str, Any]) -> None:
    """LNK-7 [decided]: a repeated link is refused with secondary_already_linked."""
    once = apply(request)
    assert once.primary is not None
    assert once.secondary is not None

    twice = apply(request | {"primary": once.primary, "secondary": once.secondary})

    assert not twice.allowed
    assert "secondary_already_linked" in twice.codes
    assert twice.record == ()


@given(allowed_requests())
def test_lnk10_one_notification_per_manager_sorted(request: dict[str, Any]) -> None:
    """LNK-10: one lead_linked notification per distinct owner, sorted by recipient."""
    managers = sorted({request["primary"].owner, request["secondary"].owner} - {None})

    result = apply(request)

    assert [n.to for n in result.notifications] == managers
    assert {(n.kind, n.lead, n.channels) for n in result.notifications} == {
        ("lead_linked", "L1", ("push", "sales_app"))
    }


@given(link_leads("L1"), st.sampled_from([*OWNERS, "boss", "x"]))
def test_lnk8_lnk9_visibility(lead: Lead, user_id: str) -> None:
    """LNK-8, LNK-9: linked leads show under ALL only; only an owner of a free lead acts."""
    seen = linking.visibility(lead, User(id=user_id))

    linked = lead.status == "linked" or lead.linked_to is not None
    assert seen.dashboard_tabs[-1] == "ALL"
    assert (seen.tag == "linked") == linked
    if linked:
        assert seen.dashboard_tabs == ("ALL",)
    elif lead.status:
        assert seen.dashboard_tabs == (lead.status, "ALL")
    assert (seen.app_access is AppAccess.ACT) == (user_id == lead.owner and not linked)
    assert (seen.app_access is AppAccess.NONE) == (
        user_id != lead.owner and user_id not in lead.viewers
    )


@given(st.lists(link_leads("L2") | link_leads("L3") | link_leads("L9"), max_size=6))
def test_lnk9_secondaries_are_sorted_and_linked_to_the_primary(found: list[Lead]) -> None:
    """LNK-9: secondaries are the sorted, distinct ids of leads linked to the primary."""
    ids = linking.secondaries("L9", found)

    assert list(ids) == sorted({x.id for x in found if x.linked_to == "L9" and x.id != "L9"})
