"""
The domain model shared by every rule family: people, leads, users, agents, organisations.

Every class is frozen (GEN-3): change one with :func:`attrs.evolve` and you get a new
object. Construction validates every field and reports all problems at once as one
:class:`~leadcore.errors.InvalidInput` naming each field (GEN-5): datetimes must be
timezone-aware (GEN-1), strings at most 10,000 characters, collections at most 100,000
items. Lists are accepted wherever a tuple is stored; enum fields accept their values as
strings.

>>> from datetime import datetime, timezone
>>> lead = Lead(
...     id="L1",
...     customer=Person(first_name="Ada", last_name="Lovelace", phones=["+44 20 7946 0000"]),
...     status="claimed",
...     created_at=datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc),
... )
>>> lead.customer.phones
('+44 20 7946 0000',)
>>> try:
...     Lead(id="L2", created_at=datetime(2026, 1, 5, 9, 30))
... except InvalidInput as error:
...     print(error.path, error.code)
created_at naive_datetime
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from leadcore import _attrs as a
from leadcore.errors import InvalidInput  # noqa: F401  # used by the module doctest

__all__ = [
    "CLAIMED",
    "LINKED",
    "MERGED",
    "WIP_STATUSES",
    "Agent",
    "Channel",
    "Claim",
    "ClaimBucket",
    "Crm",
    "CrmRecord",
    "Event",
    "EventStatus",
    "Lead",
    "Notification",
    "Org",
    "Person",
    "RecordKind",
    "Role",
    "User",
]


def __dir__() -> list[str]:
    return list(__all__)


WIP_STATUSES: Final = ("claimed", "interested", "meeting_done", "visit_done", "final_negotiation")
"""Work-in-progress statuses (LNK-2); policies default to this list."""

CLAIMED: Final = "claimed"
"""Status of a lead an agent has claimed (RTE-3, RTE-7)."""

LINKED: Final = "linked"
"""Status of a secondary lead once linked to a primary (LNK-7)."""

MERGED: Final = "merged"
"""Status of a lead retired by a manual merge (MRG-8)."""


class Role(a.ClosedEnum):
    """What a user may do; a user may hold several roles."""

    SUPER_USER = "super_user"
    SALES_MANAGER = "sales_manager"
    MANAGER = "manager"
    PROFESSIONAL = "professional"
    LEAD_GENERATOR = "lead_generator"
    TEAM_LEAD = "team_lead"
    CALL_CENTER = "call_center"
    AGENT = "agent"


class EventStatus(a.ClosedEnum):
    """State of an event (meeting, call, visit) on a lead."""

    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


class Channel(a.ClosedEnum):
    """How a lead reaches agents (RTE-1)."""

    DIGITAL = "digital"
    OFFLINE = "offline"
    FRESH = "fresh"
    TRANSFER = "transfer"


class ClaimBucket(a.ClosedEnum):
    """Where a claimed lead came from; the fresh quota counts ``fresh`` only (RTE-6)."""

    DIGITAL = "digital"
    OFFLINE = "offline"
    FRESH = "fresh"
    TRANSFER = "transfer"


class Crm(a.ClosedEnum):
    """The CRMs whose related-lead rules leadcore knows (REL-2)."""

    SALESFORCE = "salesforce"
    ZOHO = "zoho"
    DYNAMICS = "dynamics"
    PIPEDRIVE = "pipedrive"
    HUBSPOT = "hubspot"
    SELLSY = "sellsy"


class RecordKind(a.ClosedEnum):
    """Kind of a CRM record; not every CRM has every kind (REL-2)."""

    LEAD = "lead"
    CONTACT = "contact"
    PERSON = "person"


# Converters must be named functions for mypy's attrs plugin to type __init__.
_as_event_status = a.to_enum(EventStatus)
_as_channel = a.to_enum(Channel)
_as_roles = a.to_enum_set(Role)
_as_claim_bucket = a.to_enum(ClaimBucket)
_as_record_kind = a.to_enum(RecordKind)


def _event_status(value: EventStatus | str) -> EventStatus:
    return _as_event_status(value)


def _channel(value: Channel | str | None) -> Channel | None:
    return None if value is None else _as_channel(value)


def _roles(value: Iterable[Role | str]) -> frozenset[Role]:
    return _as_roles(value)


def _claim_bucket(value: ClaimBucket | str) -> ClaimBucket:
    return _as_claim_bucket(value)


def _record_kind(value: RecordKind | str) -> RecordKind:
    return _as_record_kind(value)


_ids = a.collection(a.ident)
_texts = a.collection(a.text)


@attrs.frozen(kw_only=True)
class Person(a.Frozen):
    """
    A customer or co-customer: a name and contact details, all optional.

    Attributes:
        first_name: Given name as entered, or None.
        last_name: Family name as entered, or None.
        phones: Phone numbers as entered, the first being the mobile (LNK-5).
        emails: Email addresses as entered.

    """

    first_name: str | None = attrs.field(
        metadata=a.check(a.opt_text), default=None, converter=a.blank_none
    )
    last_name: str | None = attrs.field(
        metadata=a.check(a.opt_text), default=None, converter=a.blank_none
    )
    phones: tuple[str, ...] = attrs.field(
        metadata=a.check(_texts), default=(), converter=a.str_tuple_present
    )
    emails: tuple[str, ...] = attrs.field(
        metadata=a.check(_texts), default=(), converter=a.str_tuple_present
    )


@attrs.frozen(kw_only=True)
class Event(a.Frozen):
    """
    A meeting, call or visit on a lead.

    Attributes:
        id: The event's id.
        at: When it is (or was) due; timezone-aware.
        status: ``scheduled``, ``done`` or ``cancelled``.

    """

    id: str = attrs.field(metadata=a.check(a.ident))
    at: dt.datetime = attrs.field(metadata=a.check(a.aware))
    status: EventStatus = attrs.field(
        metadata=a.check(a.member(EventStatus)),
        default=EventStatus.SCHEDULED,
        converter=_event_status,
    )


def _event_tuple(value: Iterable[Event]) -> tuple[Event, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True)
class Lead(a.Frozen):
    """
    A lead: a customer's enquiry about a project, as the CRM holds it.

    Every field but ``id`` is optional. ``status`` is open text; the statuses the rules
    name (:data:`WIP_STATUSES`, ``linked``, ``merged``) are recognised.

    Attributes:
        id: The lead's id.
        customer: The customer.
        co_customer: A second person on the lead (a spouse, say), or None.
        project: The project the enquiry is about.
        status: The lead's status.
        owner: The user who owns it.
        viewers: Users who may see it without acting on it (LNK-4).
        source: Where it came from (``credit_application`` matters to MRG-2).
        channel: How it reached agents (RTE-1).
        lot: The lot (dealership site) it belongs to (MRG-6).
        org: The organisation that holds it (HND).
        pipeline: The pipeline it sits in (``manager`` after a handover).
        created_at: When it was created.
        last_activity_at: When anything last happened on it.
        events: Its events.
        linked_to: The primary's id, when this lead is a linked secondary.
        merged_into: The master's id, when this lead was retired by a merge.
        fields: Any other CRM fields, by name, as JSON values (frozen).

    """

    id: str = attrs.field(metadata=a.check(a.ident))
    customer: Person = attrs.field(metadata=a.check(a.instance(Person)), factory=Person)
    co_customer: Person | None = attrs.field(
        metadata=a.check(a.optional(a.instance(Person))), default=None
    )
    project: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    status: str | None = attrs.field(
        metadata=a.check(a.opt_text), default=None, converter=a.blank_none
    )
    owner: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    viewers: tuple[str, ...] = attrs.field(
        metadata=a.check(_ids), default=(), converter=a.str_tuple_present
    )
    source: str | None = attrs.field(
        metadata=a.check(a.opt_text), default=None, converter=a.blank_none
    )
    channel: Channel | None = attrs.field(
        metadata=a.check(a.optional(a.member(Channel))),
        default=None,
        converter=_channel,
    )
    lot: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    org: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    pipeline: str | None = attrs.field(
        metadata=a.check(a.opt_text), default=None, converter=a.blank_none
    )
    created_at: dt.datetime | None = attrs.field(metadata=a.check(a.opt_aware), default=None)
    last_activity_at: dt.datetime | None = attrs.field(metadata=a.check(a.opt_aware), default=None)
    events: tuple[Event, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Event))), default=(), converter=_event_tuple
    )
    linked_to: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    merged_into: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    fields: Mapping[str, object] = attrs.field(
        metadata=a.check(a.json_mapping),
        factory=a.FrozenMap,
        converter=a.to_json_mapping,
        hash=False,
    )

    @property
    def people(self) -> tuple[Person, ...]:
        """The customer, then the co-customer if there is one."""
        if self.co_customer is None:
            return (self.customer,)
        return (self.customer, self.co_customer)


@attrs.frozen(kw_only=True)
class User(a.Frozen):
    """
    A person using the CRM: super user, manager, agent, lead generator...

    Attributes:
        id: The user's id.
        org: The organisation the user belongs to.
        roles: The user's roles.
        assignment_owner_of: Projects of which the user is an assignment owner (LNK-3).

    """

    id: str = attrs.field(metadata=a.check(a.ident))
    org: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    roles: frozenset[Role] = attrs.field(
        metadata=a.check(a.collection(a.member(Role), frozenset)),
        factory=frozenset,
        converter=_roles,
    )
    assignment_owner_of: frozenset[str] = attrs.field(
        metadata=a.check(a.collection(a.ident, frozenset)),
        factory=frozenset,
        converter=a.str_frozenset_present,
    )

    def has(self, *roles: Role) -> bool:
        """Return whether the user holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)


@attrs.frozen(kw_only=True)
class Agent(a.Frozen):
    """
    A sales agent as routing sees it (RTE-4): project and the app's switches.

    Attributes:
        id: The agent's (user) id.
        project: The project the agent works on.
        active: App status active.
        lead_flow: Lead flow switched on.
        battery_optimization_disabled: Battery optimisation disabled for the apps.
        autorun_enabled: Auto-run permission enabled for the apps.
        network_ok: The phone is reachable (offline leads are calls).

    """

    id: str = attrs.field(metadata=a.check(a.ident))
    project: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    active: bool = attrs.field(metadata=a.check(a.boolean), default=True)
    lead_flow: bool = attrs.field(metadata=a.check(a.boolean), default=True)
    battery_optimization_disabled: bool = attrs.field(metadata=a.check(a.boolean), default=True)
    autorun_enabled: bool = attrs.field(metadata=a.check(a.boolean), default=True)
    network_ok: bool = attrs.field(metadata=a.check(a.boolean), default=True)


@attrs.frozen(kw_only=True)
class Claim(a.Frozen):
    """
    An agent's claim of a lead, as history for cool-downs and quotas (RTE-5, RTE-6).

    Attributes:
        agent: The agent's id.
        at: When the lead was claimed.
        bucket: Where the lead was claimed from.

    """

    agent: str = attrs.field(metadata=a.check(a.ident))
    at: dt.datetime = attrs.field(metadata=a.check(a.aware))
    bucket: ClaimBucket = attrs.field(
        metadata=a.check(a.member(ClaimBucket)),
        default=ClaimBucket.DIGITAL,
        converter=_claim_bucket,
    )


@attrs.frozen(kw_only=True)
class Org(a.Frozen):
    """
    An organisation in a parent/child community (HND).

    Features are off until the organisation enables them.

    Attributes:
        id: The organisation's id.
        parent: Its parent's id, or None for a root.
        handover_enabled: Handover enabled in this organisation's settings (as a parent).
        cross_silo_enabled: Cross silo enabled in its settings (as a parent).

    """

    id: str = attrs.field(metadata=a.check(a.ident))
    parent: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    handover_enabled: bool = attrs.field(metadata=a.check(a.boolean), default=False)
    cross_silo_enabled: bool = attrs.field(metadata=a.check(a.boolean), default=False)


@attrs.frozen(kw_only=True)
class CrmRecord(a.Frozen):
    """
    A lead, contact or person in a CRM, as the related-leads rules see it (REL).

    Attributes:
        id: The record's id.
        kind: ``lead``, ``contact`` or ``person``.
        account_id: The account (company, organisation) it belongs to.
        account_name: The account or company name typed on a lead.
        in_cadence: Whether the record is in the cadence tool (REL-4).
        cadences: The cadences it is in.

    """

    id: str = attrs.field(metadata=a.check(a.ident))
    kind: RecordKind = attrs.field(
        metadata=a.check(a.member(RecordKind)),
        default=RecordKind.LEAD,
        converter=_record_kind,
    )
    account_id: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default=None, converter=a.blank_none
    )
    account_name: str | None = attrs.field(
        metadata=a.check(a.opt_text), default=None, converter=a.blank_none
    )
    in_cadence: bool = attrs.field(metadata=a.check(a.boolean), default=True)
    cadences: tuple[str, ...] = attrs.field(
        metadata=a.check(_ids), default=(), converter=a.str_tuple_present
    )


@attrs.frozen(kw_only=True)
class Notification(a.Frozen):
    """
    A message a rule asks the caller to send: an effect, returned, never sent (GEN-3).

    Attributes:
        to: The user or organisation to notify.
        kind: What happened (``lead_linked``, ``handover``, ``cross_silo``).
        lead: The lead it is about.
        channels: Where to show it (``push``, ``sales_app``, ``sales_feed``).

    """

    to: str = attrs.field(metadata=a.check(a.ident))
    kind: str = attrs.field(metadata=a.check(a.ident))
    lead: str = attrs.field(metadata=a.check(a.ident))
    channels: tuple[str, ...] = attrs.field(
        metadata=a.check(_ids), default=(), converter=a.str_tuple
    )
