"""
Linking leads of the same customer (LNK-1 to LNK-10).

A customer who enquires twice (another mobile number, a relative asking for them) leaves
two leads. A super user or an assignment owner of the project links them: one becomes the
*primary*, owned by the sales manager chosen among the two leads' owners, and the other
the *secondary*, with status ``linked``. The rules here are pure:

* :func:`check` says whether a link is allowed, with every failing reason (LNK-1 to LNK-4,
  LNK-7 and the chain guards);
* :func:`apply` links two leads and returns the new leads, the notifications and the
  cancelled events as effects, and a record of every value replaced (GEN-6);
* :func:`unlink` undoes a link from that record;
* :func:`visibility` tells the dashboard tabs, the tag and the sales-app access of a lead
  for a user (LNK-8, LNK-9); :func:`secondaries` lists the leads linked to a primary.

>>> import datetime as dt
>>> from leadcore.model import Lead, Person, Role, User
>>> now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
>>> first = Lead(id="L1", project="P", status="interested", owner="sm1",
...              customer=Person(phones=["(415) 867-5309"]))
>>> second = Lead(id="L2", project="P", status="claimed", owner="sm2",
...               customer=Person(phones=["415 555 0134"]))
>>> boss = User(id="u1", roles=[Role.SUPER_USER])
>>> result = apply(first, second, boss, "sm1", now=now)
>>> result.allowed, result.primary.viewers, result.primary.customer.phones
(True, ('sm2',), ('(415) 867-5309', '+14155550134'))
>>> result.secondary.status, result.secondary.linked_to
('linked', 'L1')
>>> [n.to for n in result.notifications]
['sm1', 'sm2']
>>> unlink(result.primary, result.secondary, result.record) == (first, second)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import _fields, normalize
from leadcore._quote import quote
from leadcore.decisions import CancelledEvent, Change, Reason, Verdict, changes_between, revert
from leadcore.errors import InvalidInput, Problem
from leadcore.model import (
    LINKED,
    WIP_STATUSES,
    Event,
    EventStatus,
    Lead,
    Notification,
    Person,
    Role,
    User,
)
from leadcore.reasons import Link

__all__ = [
    "ALL_TAB",
    "LINKED_TAG",
    "NOTIFICATION_CHANNELS",
    "NOTIFICATION_KIND",
    "REASON_CODES",
    "AppAccess",
    "LinkPolicy",
    "LinkResult",
    "LinkVisibility",
    "apply",
    "check",
    "is_linked",
    "secondaries",
    "unlink",
    "visibility",
]


def __dir__() -> list[str]:
    return list(__all__)


ALL_TAB: Final = "ALL"
"""The dashboard tab that lists every lead, linked secondaries included (LNK-8)."""

LINKED_TAG: Final = "linked"
"""The dashboard tag of a linked secondary (LNK-8)."""

NOTIFICATION_KIND: Final = "lead_linked"
"""The kind of the notifications a link sends (LNK-10)."""

NOTIFICATION_CHANNELS: Final = ("push", "sales_app")
"""Where a link notification goes: the mobile device and the sales app (LNK-10)."""

REASON_CODES: Final = tuple(entry.code for entry in Link.codes)
"""Every reason :func:`check` may give, in the order it lists them (the rules', then ours)."""


class AppAccess(a.ClosedEnum):
    """What a user may do with a lead in the sales app (LNK-9)."""

    ACT = "act"
    VIEW = "view"
    NONE = "none"


@attrs.frozen(kw_only=True)
class LinkPolicy(a.Frozen):
    """
    Knobs of the linking rules (GEN-7).

    Attributes:
        wip_statuses: Statuses a lead must have to be linked (LNK-2), compared exactly.
        default_region: Region for reading the secondary's mobile number when it has no
            country code, to add it in E.164 form (LNK-5).

    """

    wip_statuses: tuple[str, ...] = attrs.field(
        metadata=a.check(a.collection(a.text)), default=WIP_STATUSES, converter=a.str_tuple
    )
    default_region: str = attrs.field(
        metadata=a.check(_fields.region), default=normalize.DEFAULT_REGION
    )


@attrs.frozen(kw_only=True, repr=False)
class LinkResult(a.Frozen, d.Shown):
    """
    The outcome of :func:`apply`: the linked leads and effects, or a refusal.

    A refusal has ``allowed`` false, its reasons, no leads, no effects and an empty record.

    Attributes:
        allowed: Whether the link was made.
        reasons: Every failing condition, in :data:`REASON_CODES` order (empty when made).
        primary: The primary after the link (owner, viewers, added number), or None.
        secondary: The secondary after the link (``linked``, ``linked_to``, future events
            cancelled), or None.
        notifications: One per sales manager of the two leads, sorted by ``to`` (LNK-10).
        cancelled_events: The secondary's future events cancelled, in its event order (LNK-6).
        record: Every field of both leads the link replaced, primary first (GEN-6);
            :func:`unlink` takes it back.

    """

    allowed: bool = attrs.field(metadata=a.check(a.boolean))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Reason))),
        default=(),
        converter=_fields.reason_tuple,
    )
    primary: Lead | None = attrs.field(metadata=a.check(a.optional(a.instance(Lead))), default=None)
    secondary: Lead | None = attrs.field(
        metadata=a.check(a.optional(a.instance(Lead))), default=None
    )
    notifications: tuple[Notification, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Notification))),
        default=(),
        converter=_fields.notification_tuple,
    )
    cancelled_events: tuple[CancelledEvent, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(CancelledEvent))),
        default=(),
        converter=_fields.cancelled_tuple,
    )
    record: tuple[Change, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Change))),
        default=(),
        converter=_fields.change_tuple,
    )

    def _check_together(self) -> list[Problem]:
        if self.allowed and (self.reasons or self.primary is None or self.secondary is None):
            return [Problem("allowed", self.allowed, "a made link has two leads and no reasons")]
        leads = (self.primary, self.secondary)
        effects = (self.notifications, self.cancelled_events, self.record)
        if not self.allowed and (
            not self.reasons or leads != (None, None) or any(len(e) for e in effects)
        ):
            return [
                Problem(
                    "allowed",
                    self.allowed,
                    "a refusal has reasons and no leads, effects or record",
                )
            ]
        return []

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    @property
    def verdict(self) -> Verdict:
        """The yes or no with its reasons, as :func:`check` gives it."""
        return Verdict(allowed=self.allowed, reasons=self.reasons)

    def _view(self, rows: int) -> d.View:
        if self.primary is None or self.secondary is None:
            return d.View(
                "LinkResult",
                d.verdict(self.allowed, self.reasons, "linked"),
                tables=[d.reasons_table(self.reasons, rows)],
            )
        return d.View(
            "LinkResult",
            f"{self.secondary.id!r} linked to {self.primary.id!r}",
            facts=[
                ("primary", self.primary.id),
                ("secondary", self.secondary.id),
                ("owner", self.primary.owner),
                ("viewers", self.primary.viewers),
                ("notifications", len(self.notifications)),
                ("cancelled_events", len(self.cancelled_events)),
                ("changes", len(self.record)),
            ],
            tables=[
                d.changes_table(self.record, rows),
                d.Table(
                    "notifications",
                    ("to", "kind", "lead", "channels"),
                    [(n.to, n.kind, n.lead, n.channels) for n in self.notifications[:rows]],
                    len(self.notifications),
                ),
                d.Table(
                    "cancelled_events",
                    ("lead", "event", "at"),
                    [(c.lead, c.event, c.at) for c in self.cancelled_events[:rows]],
                    len(self.cancelled_events),
                ),
            ],
        )


def _text_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return a.str_tuple(value)


_as_access = a.to_enum(AppAccess)


def _access(value: AppAccess | str) -> AppAccess:
    return _as_access(value)


@attrs.frozen(kw_only=True, repr=False)
class LinkVisibility(a.Frozen, d.Shown):
    """
    Where a lead shows on the dashboard and what a user may do with it in the sales app.

    Attributes:
        dashboard_tabs: The lead's status tab then ``ALL``; ``ALL`` alone for a linked
            secondary (LNK-8).
        tag: ``linked`` for a linked secondary, else None (LNK-8).
        app_access: ``act``, ``view`` or ``none`` for the user (LNK-9).

    """

    dashboard_tabs: tuple[str, ...] = attrs.field(
        metadata=a.check(a.collection(a.text)), converter=_text_tuple
    )
    tag: str | None = attrs.field(metadata=a.check(a.opt_text), default=None)
    app_access: AppAccess = attrs.field(
        metadata=a.check(a.member(AppAccess)), default=AppAccess.NONE, converter=_access
    )

    def _view(self, rows: int) -> d.View:  # noqa: ARG002  # no table to cut
        return d.View(
            "LinkVisibility",
            f"access {self.app_access.value}, tabs {'+'.join(self.dashboard_tabs)}",
            facts=[
                ("dashboard_tabs", self.dashboard_tabs),
                ("tag", self.tag),
                ("app_access", self.app_access),
            ],
        )


# -- validation ---------------------------------------------------------------------------

_LEAD_FIELDS: Final = frozenset(f.name for f in attrs.fields(Lead))


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput(problems)


# -- the rules ----------------------------------------------------------------------------


@a.checked
def is_linked(lead: Lead) -> bool:
    """
    Return whether ``lead`` is a linked secondary: status ``linked`` or a ``linked_to`` id.

    Either mark is enough, so that a half-written lead is never taken for a free one
    (see docs/linking.md, Decisions).

    >>> from leadcore.model import Lead
    >>> is_linked(Lead(id="L2", status="linked", linked_to="L1"))
    True
    >>> is_linked(Lead(id="L1", status="claimed"))
    False
    """
    return lead.status == LINKED or lead.linked_to is not None


def _owners(primary: Lead, secondary: Lead) -> tuple[str, ...]:
    """The distinct owners of the two leads, primary's first."""
    return tuple(dict.fromkeys(o for o in (primary.owner, secondary.owner) if o is not None))


def _permitted(actor: User, primary: Lead, secondary: Lead) -> bool:
    if actor.has(Role.SUPER_USER):
        return True
    projects = {primary.project, secondary.project}
    return None not in projects and projects <= actor.assignment_owner_of


def _secondaries_of(lead_id: str, leads: Iterable[Lead]) -> tuple[str, ...]:
    return tuple(sorted({x.id for x in leads if x.linked_to == lead_id and x.id != lead_id}))


def _reasons(
    primary: Lead,
    secondary: Lead,
    *,
    actor: User,
    owner: str,
    existing: tuple[Lead, ...],
    policy: LinkPolicy,
) -> list[Reason]:
    found: list[Reason] = []
    if primary.project is None or primary.project != secondary.project:
        found.append(
            Link.different_project.reason(
                {"primary": primary.project, "secondary": secondary.project},
                primary=primary.project,
                secondary=secondary.project,
            )
        )
    wip = frozenset(policy.wip_statuses)
    for code, lead in ((Link.primary_not_wip, primary), (Link.secondary_not_wip, secondary)):
        if lead.status not in wip:
            found.append(
                code.reason(
                    {"status": lead.status, "wip_statuses": policy.wip_statuses},
                    status=lead.status,
                    wip=", ".join(policy.wip_statuses),
                )
            )
    if not _permitted(actor, primary, secondary):
        found.append(
            Link.not_permitted.reason(
                {"actor": actor.id, "project": primary.project}, actor=actor.id
            )
        )
    owners = _owners(primary, secondary)
    if owner not in owners:
        found.append(
            Link.invalid_owner.reason(
                {"owner": owner, "owners": owners}, owner=owner, owners=", ".join(owners) or "none"
            )
        )
    if primary.id == secondary.id:
        found.append(Link.same_lead.reason({"lead": primary.id}, lead=primary.id))
    if is_linked(primary):
        found.append(
            Link.primary_is_linked.reason(
                {"linked_to": primary.linked_to, "status": primary.status},
                primary=primary.id,
                status=primary.status,
                linked_to=primary.linked_to,
            )
        )
    if is_linked(secondary):
        again = secondary.linked_to == primary.id
        found.append(
            Link.secondary_already_linked.reason(
                {"linked_to": secondary.linked_to, "status": secondary.status},
                secondary=secondary.id,
                status=secondary.status,
                linked_to=secondary.linked_to,
                again="; this link was made before" if again else "",
            )
        )
    below = _secondaries_of(secondary.id, existing)
    if below:
        found.append(
            Link.secondary_has_secondaries.reason(
                {"secondaries": below}, secondary=secondary.id, secondaries=", ".join(below)
            )
        )
    return found


@a.checked(owner=a.ident)
def check(
    primary: Lead,
    secondary: Lead,
    actor: User,
    owner: str,
    *,
    existing: Iterable[Lead] = (),
    policy: LinkPolicy = LinkPolicy(),
) -> Verdict:
    """
    Say whether ``actor`` may link ``secondary`` to ``primary`` with ``owner`` as owner.

    Every failing condition is listed (GEN-4), in this order: ``different_project``
    (LNK-1: same project, not merely the same mandate; a lead without a project matches
    none), ``primary_not_wip`` and ``secondary_not_wip`` (LNK-2), ``not_permitted``
    (LNK-3: a super user, or an assignment owner of the leads' project), ``invalid_owner``
    (LNK-4: ``owner`` owns one of the two leads), ``same_lead`` (LNK-7), then the guards
    against linking twice and against chains: ``primary_is_linked``,
    ``secondary_already_linked`` and, when ``existing`` holds leads linked to the
    secondary, ``secondary_has_secondaries``. A linked lead has status ``linked``, which
    is not WIP, so it also gets the ``*_not_wip`` reason.

    Args:
        primary: The lead that will stay.
        secondary: The lead that will be linked to it.
        actor: The user linking.
        owner: The user id of the chosen sales manager.
        existing: Other leads, to find leads already linked to ``secondary``.
        policy: The WIP statuses.

    Returns:
        A verdict; ``allowed`` exactly when there is no reason against.

    Raises:
        InvalidInput: An argument of the wrong type, or an empty ``owner``.

    >>> from leadcore.model import Lead, User
    >>> one = Lead(id="L1", project="P", status="claimed", owner="sm1")
    >>> two = Lead(id="L2", project="Q", status="booked", owner="sm2")
    >>> check(one, two, User(id="u9"), "sm3").codes
    ('different_project', 'secondary_not_wip', 'not_permitted', 'invalid_owner')
    """
    # Every argument's type, the owner id and each existing lead: @a.checked has checked.
    leads = tuple(existing)
    return Verdict.from_reasons(
        _reasons(primary, secondary, actor=actor, owner=owner, existing=leads, policy=policy)
    )


def _with_number(primary: Lead, secondary: Lead, region: str) -> Person:
    """The primary's customer with the secondary's mobile number added (LNK-5)."""
    customer = primary.customer
    if not secondary.customer.phones or not secondary.customer.phones[0].strip():
        return customer
    raw = secondary.customer.phones[0]
    e164 = normalize.phone(raw, region=region)
    if e164 is not None:
        present = any(e164 in normalize.person(p, region=region).phone_set for p in primary.people)
        added = str(e164)
    else:
        present = any(raw.strip() == q.strip() for p in primary.people for q in p.phones)
        added = raw
    if present:
        return customer
    return attrs.evolve(customer, phones=(*customer.phones, added))


def _due(event: Event, now: dt.datetime) -> bool:
    """Whether LNK-6 cancels ``event``: scheduled and due strictly after ``now``."""
    return event.status is EventStatus.SCHEDULED and event.at > now


@a.checked(owner=a.ident)
def apply(
    primary: Lead,
    secondary: Lead,
    actor: User,
    owner: str,
    *,
    now: dt.datetime,
    existing: Iterable[Lead] = (),
    policy: LinkPolicy = LinkPolicy(),
) -> LinkResult:
    """
    Link ``secondary`` to ``primary``, or refuse with every reason :func:`check` gives.

    The primary gets ``owner`` as owner (LNK-4); the other lead's owner, if different,
    becomes a viewer once and ``owner`` leaves the viewers. The secondary's first phone
    is added to the primary's customer in E.164 form (raw text when unusable) unless
    either person of the primary has that number (LNK-5). Every scheduled event of the
    secondary due after ``now`` is cancelled, nothing else is (LNK-6). The secondary gets
    status ``linked`` and ``linked_to`` the primary (LNK-7). Each distinct owner of the two
    leads gets a ``lead_linked`` notification on ``push`` and ``sales_app`` (LNK-10).

    Linking the same pair twice is safe: the second call is refused with
    ``secondary_already_linked``, and nothing is changed.

    Args:
        primary: The lead that will stay.
        secondary: The lead that will be linked to it.
        actor: The user linking.
        owner: The user id of the chosen sales manager.
        now: The current time; events due strictly after it are cancelled.
        existing: Other leads, to find leads already linked to ``secondary``.
        policy: WIP statuses and the region for the added number.

    Returns:
        The new leads, the effects and the record, or the refusal.

    Raises:
        InvalidInput: An argument of the wrong type, an empty ``owner`` or a naive ``now``.

    >>> import datetime as dt
    >>> from leadcore.model import Event, Lead, User
    >>> now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    >>> visit = Event(id="e1", at=now + dt.timedelta(days=2))
    >>> one = Lead(id="L1", project="P", status="claimed", owner="sm1")
    >>> two = Lead(id="L2", project="P", status="interested", owner="sm1", events=[visit])
    >>> done = apply(one, two, User(id="u1", assignment_owner_of=["P"]), "sm1", now=now)
    >>> [(c.lead, c.event) for c in done.cancelled_events], done.secondary.events[0].status
    ([('L2', 'e1')], <EventStatus.CANCELLED: 'cancelled'>)
    >>> apply(done.primary, done.secondary, User(id="u1", roles=["super_user"]), "sm1",
    ...       now=now).codes
    ('secondary_not_wip', 'secondary_already_linked')
    """
    # As check's arguments; and ``now`` has an offset (@a.checked checks its type only).
    _raise(a.aware("now", now))
    leads = tuple(existing)
    reasons = _reasons(primary, secondary, actor=actor, owner=owner, existing=leads, policy=policy)
    if reasons:
        return LinkResult(allowed=False, reasons=reasons)

    # The limits bound input, never output (GEN-5): the primary may gain its 100,001st
    # phone or viewer.
    with a.results():
        owners = _owners(primary, secondary)
        other = next((o for o in owners if o != owner), None)
        viewers = [v for v in primary.viewers if v != owner]
        if other is not None and other not in viewers:
            viewers.append(other)
        new_primary = attrs.evolve(
            primary,
            owner=owner,
            viewers=tuple(viewers),
            customer=_with_number(primary, secondary, policy.default_region),
        )

        new_secondary = attrs.evolve(
            secondary,
            status=LINKED,
            linked_to=primary.id,
            events=tuple(
                attrs.evolve(e, status=EventStatus.CANCELLED) if _due(e, now) else e
                for e in secondary.events
            ),
        )
        return LinkResult(
            allowed=True,
            primary=new_primary,
            secondary=new_secondary,
            notifications=tuple(
                Notification(
                    to=manager,
                    kind=NOTIFICATION_KIND,
                    lead=primary.id,
                    channels=NOTIFICATION_CHANNELS,
                )
                for manager in sorted(owners)
            ),
            cancelled_events=tuple(
                CancelledEvent(lead=secondary.id, event=e.id, at=e.at)
                for e in secondary.events
                if _due(e, now)
            ),
            record=(
                *changes_between(primary, new_primary),
                *changes_between(secondary, new_secondary),
            ),
        )


@a.checked
@a.takes_results
def unlink(primary: Lead, secondary: Lead, record: Iterable[Change]) -> tuple[Lead, Lead]:
    """
    Undo a link: return the primary and the secondary as they were before it.

    ``record`` is the :attr:`LinkResult.record` of the link. Every field the link changed
    gets its old value back; anything else stays as it is now. When several secondaries
    were linked to one primary, undo them in the reverse order (the last link first):
    a field that changed since the link is refused, never overwritten.

    Args:
        primary: The primary as it is now.
        secondary: The secondary as it is now.
        record: The link's record.

    Returns:
        The primary and the secondary, restored.

    Raises:
        InvalidInput: ``record`` is not the record of linking ``secondary`` to ``primary``,
            or a field it changed has been changed since (nothing is undone then).

    >>> import datetime as dt
    >>> from leadcore.model import Lead, User
    >>> now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    >>> one = Lead(id="L1", project="P", status="claimed", owner="sm1")
    >>> two = Lead(id="L2", project="P", status="claimed", owner="sm2")
    >>> done = apply(one, two, User(id="u1", roles=["super_user"]), "sm2", now=now)
    >>> unlink(done.primary, done.secondary, done.record) == (one, two)
    True
    """
    # Two leads and a list (not text) of changes: @a.checked has refused anything else.
    problems: list[Problem] = []
    found = tuple(record)
    leads = {primary.id: primary, secondary.id: secondary}
    for index, change in enumerate(found):
        lead = leads.get(change.lead)
        if lead is None:
            problems.append(
                Problem(
                    f"record[{index}].lead",
                    change.lead,
                    f"is neither the primary {quote(primary.id)} "
                    f"nor the secondary {quote(secondary.id)}",
                )
            )
        elif change.field not in _LEAD_FIELDS:
            problems.append(
                Problem(f"record[{index}].field", change.field, "is not a field of a lead")
            )
        elif getattr(lead, change.field) != change.new:
            problems.append(
                Problem(
                    f"record[{index}].new",
                    change.new,
                    f"is no longer the {change.field} of lead {quote(lead.id)}: it was changed "
                    "since the link (undo later links to this primary first)",
                )
            )
    marker = any(
        c.lead == secondary.id and c.field == "linked_to" and c.new == primary.id for c in found
    )
    if not marker:
        problems.append(
            Problem(
                "record",
                f"<{len(found)} changes>",
                f"is not the record of linking {quote(secondary.id)} to {quote(primary.id)}",
            )
        )
    _raise(problems)
    return revert(primary, found), revert(secondary, found)


@a.checked
def secondaries(primary: Lead | str, leads: Iterable[Lead]) -> tuple[str, ...]:
    """
    Return the sorted ids of the leads in ``leads`` linked to ``primary`` (LNK-7, LNK-9).

    These are the secondaries the sales app reaches from the primary's details. A lead
    is never its own secondary.

    Args:
        primary: The primary, or its id.
        leads: Any collection of leads.

    Raises:
        InvalidInput: ``primary`` is neither a lead nor an id, or ``leads`` holds something
            other than leads.

    >>> from leadcore.model import Lead
    >>> leads = [Lead(id="L3", linked_to="L1"), Lead(id="L2", linked_to="L1"), Lead(id="L4")]
    >>> secondaries("L1", leads)
    ('L2', 'L3')
    """
    problems: list[Problem] = []
    if not isinstance(primary, Lead):
        problems.extend(a.ident("primary", primary))
    _raise(problems)
    # A list of leads: @a.checked has refused anything else.
    return _secondaries_of(primary.id if isinstance(primary, Lead) else primary, tuple(leads))


@a.checked
def visibility(lead: Lead, user: User) -> LinkVisibility:
    """
    Return where ``lead`` shows on the dashboard and what ``user`` may do in the sales app.

    Dashboard (LNK-8): a lead shows under its status tab and under ``ALL``; a linked
    secondary only under ``ALL``, tagged ``linked``. Sales app (LNK-9): the owner acts on
    a lead, a viewer sees it, anyone else has no access; on a linked secondary its owner
    and viewers may only view (it is reached from the primary's details, see
    :func:`secondaries`).

    Raises:
        InvalidInput: ``lead`` is not a lead or ``user`` not a user.

    >>> from leadcore.model import Lead, User
    >>> primary = Lead(id="L1", status="interested", owner="sm1", viewers=["sm2"])
    >>> v = visibility(primary, User(id="sm2"))
    >>> v.dashboard_tabs, v.tag, v.app_access.value
    (('interested', 'ALL'), None, 'view')
    >>> secondary = Lead(id="L2", status="linked", owner="sm2", linked_to="L1")
    >>> v = visibility(secondary, User(id="sm2"))
    >>> v.dashboard_tabs, v.tag, v.app_access.value
    (('ALL',), 'linked', 'view')
    """
    _raise([*a.instance(Lead)("lead", lead), *a.instance(User)("user", user)])
    linked = is_linked(lead)
    if linked:
        tabs: tuple[str, ...] = (ALL_TAB,)
    else:
        tabs = tuple(dict.fromkeys(t for t in (lead.status, ALL_TAB) if t))
    if user.id == lead.owner:
        access = AppAccess.VIEW if linked else AppAccess.ACT
    elif user.id in lead.viewers:
        access = AppAccess.VIEW
    else:
        access = AppAccess.NONE
    return LinkVisibility(
        dashboard_tabs=tabs, tag=LINKED_TAG if linked else None, app_access=access
    )
