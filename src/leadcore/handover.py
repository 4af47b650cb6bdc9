"""
Handover of leads between the organisations of a community (HND-1..HND-8).

Organisations form a tree (:class:`OrgTree`): each has at most one parent. A Sales Licence
user (manager or professional) may hand a lead of their own organisation over to its
parent or to one of its direct children, when the parent enables handover in its settings
(:func:`check`, :func:`apply`). The lead lands unassigned in the receiving organisation's
Manager Pipeline, a Sales Feed notification is produced for each organisation involved,
and a manager of the receiving organisation reviews it: accepts it or assigns it to one of
its professionals (:func:`review`). Child to child needs the separate cross-silo
operation, allowed only when the parent enables it (:func:`check_cross_silo`,
:func:`cross_silo`). A lead generator creates leads and assigns them to a manager of their
own organisation (:func:`create`).

Every refusal is a result listing every failing reason; bad input (an organisation tree
with a cycle, an unknown organisation) raises :class:`~leadcore.errors.InvalidInput`.
See ``docs/handover.md`` for the rules and the choices made where the rulebook is silent.

>>> from leadcore.model import Lead, Org, User
>>> tree = OrgTree(orgs=[Org(id="hq", handover_enabled=True), Org(id="north", parent="hq")])
>>> pro = User(id="u1", org="north", roles=["professional"])
>>> result = apply(Lead(id="L1", org="north", owner="u1"), pro, "hq", tree)
>>> result.allowed, result.lead.org, result.lead.pipeline, result.lead.owner
(True, 'hq', 'manager', None)
>>> [n.to for n in result.notifications]
['hq', 'north']
>>> reviewed = review(result.lead, User(id="m1", org="hq", roles=["manager"]))
>>> reviewed.lead.owner
'm1'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final, Literal

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import _fields
from leadcore.decisions import Change, Reason, Verdict, changes_between
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Lead, Notification, Org, Role, User
from leadcore.reasons import CreateLead, CrossSilo, Handover, ReasonCode, Review

__all__ = [
    "CROSS_SILO",
    "HANDOVER",
    "AssignmentResult",
    "HandoverPolicy",
    "HandoverResult",
    "OrgTree",
    "Relation",
    "apply",
    "check",
    "check_cross_silo",
    "create",
    "cross_silo",
    "review",
]


def __dir__() -> list[str]:
    return list(__all__)


HANDOVER: Final = "handover"
"""Kind of the Sales Feed notifications of a handover (HND-6)."""

CROSS_SILO: Final = "cross_silo"
"""Kind of the Sales Feed notifications of a cross-silo transfer (HND-8)."""

Relation = Literal["same", "parent_to_child", "child_to_parent", "siblings", "unrelated"]
"""How a source organisation stands to a target one in an :class:`OrgTree`."""

# -- policy -------------------------------------------------------------------------------

_as_roles = a.to_enum_set(Role)


def _roles(value: Iterable[Role | str]) -> frozenset[Role]:
    return _as_roles(value)


_role_set = a.collection(a.member(Role), frozenset)


@attrs.frozen(kw_only=True)
class HandoverPolicy(a.Frozen):
    """
    Knobs of the handover rules (GEN-7), defaults as HND says.

    Overridable by name in a protocol request's ``policy`` (roles as their values,
    ``["manager"]``).

    Attributes:
        sales_licence_roles: Roles of Sales Licence users, who may send a lead (HND-3) and
            be assigned a reviewed lead (HND-5): ``manager`` and ``professional``.
        manager_roles: Roles of the managers who review received leads (HND-5) and to whom
            lead generators assign new leads (HND-7): ``manager``.
        lead_generator_roles: Roles of lead generators, who may create leads (HND-7):
            ``lead_generator``.
        manager_pipeline: The pipeline a received or created lead lands in (HND-4,
            HND-7): ``"manager"``.
        notification_channels: Where the notifications show (HND-6): ``["sales_feed"]``.

    """

    sales_licence_roles: frozenset[Role] = attrs.field(
        metadata=a.check(_role_set),
        default=frozenset({Role.MANAGER, Role.PROFESSIONAL}),
        converter=_roles,
    )
    manager_roles: frozenset[Role] = attrs.field(
        metadata=a.check(_role_set), default=frozenset({Role.MANAGER}), converter=_roles
    )
    lead_generator_roles: frozenset[Role] = attrs.field(
        metadata=a.check(_role_set), default=frozenset({Role.LEAD_GENERATOR}), converter=_roles
    )
    manager_pipeline: str = attrs.field(metadata=a.check(a.ident), default="manager")
    notification_channels: tuple[str, ...] = attrs.field(
        metadata=a.check(a.collection(a.ident)), default=("sales_feed",), converter=a.str_tuple
    )


# -- the organisation tree ----------------------------------------------------------------


_CYCLE_SHOWN: Final = 8
"""How many organisations of a cycle an error message names."""


def _org_tuple(value: Iterable[Org]) -> tuple[Org, ...]:
    return a.to_tuple(value)


def _first_by_id(orgs: object) -> dict[str, Org]:
    found: dict[str, Org] = {}
    if isinstance(orgs, tuple):
        for org in orgs:
            if isinstance(org, Org):
                found.setdefault(org.id, org)
    return found


@attrs.frozen(kw_only=True)
class OrgTree(a.Frozen):
    """
    The organisations of a community, checked to form a forest (HND-1).

    Built from a list of :class:`~leadcore.model.Org`; construction refuses, in one
    :class:`~leadcore.errors.InvalidInput`, a repeated id (``orgs[3].id``), a parent that
    is not in the list (``orgs[3].parent``) and a cycle of parents (``orgs[3].parent`` of
    the cycle's first organisation in the list, an organisation its own parent included).

    Attributes:
        orgs: The organisations, in the order given.

    >>> tree = OrgTree(orgs=[Org(id="hq"), Org(id="a", parent="hq"), Org(id="b", parent="hq")])
    >>> tree.relation("hq", "a"), tree.relation("a", "b"), tree.children_of("hq")
    ('parent_to_child', 'siblings', ('a', 'b'))
    >>> try:
    ...     OrgTree(orgs=[Org(id="a", parent="b"), Org(id="b", parent="a")])
    ... except InvalidInput as error:
    ...     print(error.path)
    orgs[0].parent

    """

    orgs: tuple[Org, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Org))), converter=_org_tuple
    )
    _by_id: Mapping[str, Org] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _children: Mapping[str, tuple[str, ...]] = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )

    @_by_id.default
    def _by_id_default(self) -> Mapping[str, Org]:
        return MappingProxyType(_first_by_id(self.orgs))

    @_children.default
    def _children_default(self) -> Mapping[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for org in self._by_id.values():
            if org.parent is not None:
                found.setdefault(org.parent, []).append(org.id)
        return MappingProxyType({k: tuple(sorted(v)) for k, v in found.items()})

    def _check_together(self) -> list[Problem]:
        problems: list[tuple[int, int, Problem]] = []
        index_of: dict[str, int] = {}
        for index, org in enumerate(self.orgs):
            if org.id in index_of:
                message = f"repeats the id of orgs[{index_of[org.id]}]; ids must be unique"
                problems.append((index, 0, Problem(f"orgs[{index}].id", org.id, message)))
            else:
                index_of[org.id] = index
        for index, org in enumerate(self.orgs):
            if org.parent is not None and org.parent not in index_of:
                message = "is not the id of an organisation in orgs (add the parent to orgs)"
                problems.append((index, 1, Problem(f"orgs[{index}].parent", org.parent, message)))
        for cycle in self._cycles():
            first = min(index_of[i] for i in cycle)
            start = cycle.index(self.orgs[first].id)
            loop = [*cycle[start:], *cycle[:start], self.orgs[first].id]
            if len(loop) > _CYCLE_SHOWN:
                # A cycle may run through 100,000 organisations: show its start only.
                loop = [*loop[: _CYCLE_SHOWN - 1], f"... ({len(cycle)} organisations)"]
            message = f"makes a cycle of parents ({' -> '.join(loop)}); the tree needs a root"
            problems.append(
                (first, 2, Problem(f"orgs[{first}].parent", self.orgs[first].parent, message))
            )
        return [p for _, _, p in sorted(problems, key=lambda t: (t[0], t[1]))]

    def _cycles(self) -> list[list[str]]:
        """Return each cycle of parents once, as ids from child to parent (linear time)."""
        state: dict[str, int] = {}  # 1: on the walk being made, 2: done
        cycles: list[list[str]] = []
        for start in self._by_id:
            walk: list[str] = []
            current: str | None = start
            while current is not None and current in self._by_id and current not in state:
                state[current] = 1
                walk.append(current)
                current = self._by_id[current].parent
            if current is not None and state.get(current) == 1:
                cycles.append(walk[walk.index(current) :])
            for org_id in walk:
                state[org_id] = 2
        return cycles

    def __contains__(self, org_id: object) -> bool:
        return isinstance(org_id, str) and org_id in self._by_id

    def find(self, org_id: str) -> Org | None:
        """Return the organisation with id ``org_id``, or None."""
        return self._by_id.get(org_id)

    def parent_of(self, org_id: str) -> Org | None:
        """Return the parent of ``org_id``, or None for a root (or an unknown id)."""
        org = self._by_id.get(org_id)
        return None if org is None or org.parent is None else self._by_id[org.parent]

    def children_of(self, org_id: str) -> tuple[str, ...]:
        """Return the ids of the direct children of ``org_id``, sorted."""
        return self._children.get(org_id, ())

    def relation(self, source: str, target: str) -> Relation:
        """
        Return how ``source`` stands to ``target`` (HND-1, HND-8).

        ``same``; ``parent_to_child`` (target is a direct child of source);
        ``child_to_parent``; ``siblings`` (two children of the same parent; two roots are
        not siblings); ``unrelated`` (anything else, grandparents and cousins included).

        Raises:
            InvalidInput: ``source`` or ``target`` is not in the tree.

        """
        problems = [
            Problem(name, value, "is not the id of an organisation in the tree")
            for name, value in (("source", source), ("target", target))
            if value not in self
        ]
        if problems:
            raise InvalidInput(problems)
        if source == target:
            return "same"
        source_parent = self._by_id[source].parent
        target_parent = self._by_id[target].parent
        if target_parent == source:
            return "parent_to_child"
        if source_parent == target:
            return "child_to_parent"
        if source_parent is not None and source_parent == target_parent:
            return "siblings"
        return "unrelated"


# -- results ------------------------------------------------------------------------------


_reasons_check = a.collection(a.instance(Reason))
_changes_check = a.collection(a.instance(Change))


def _consistent(allowed: bool, reasons: tuple[Reason, ...], lead: Lead | None) -> list[Problem]:  # noqa: FBT001  # private helper
    if allowed == bool(reasons):
        return [Problem("reasons", reasons, "must be empty exactly when allowed is true")]
    if allowed != (lead is not None):
        return [Problem("lead", lead, "must be given exactly when allowed is true")]
    return []


@attrs.frozen(kw_only=True, repr=False)
class HandoverResult(a.Frozen, d.Shown):
    """
    The outcome of a handover or a cross-silo transfer (HND-4, HND-6, HND-8).

    A refusal carries its reasons and no lead, notifications or record.

    Attributes:
        allowed: True when the lead was handed over.
        reasons: Every failing condition, in the rulebook's order (empty when allowed).
        lead: The lead as it is now: in the receiving organisation's Manager Pipeline,
            without owner; None when refused.
        notifications: One Sales Feed notification per organisation involved, sorted by
            ``to``.
        record: Every field the handover replaced, with the old and new value (GEN-6).

    """

    allowed: bool = attrs.field(metadata=a.check(a.boolean))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(_reasons_check), default=(), converter=_fields.reason_tuple
    )
    lead: Lead | None = attrs.field(metadata=a.check(a.optional(a.instance(Lead))), default=None)
    notifications: tuple[Notification, ...] = attrs.field(
        metadata=a.check(a.collection(a.instance(Notification))),
        default=(),
        converter=_fields.notification_tuple,
    )
    record: tuple[Change, ...] = attrs.field(
        metadata=a.check(_changes_check), default=(), converter=_fields.change_tuple
    )

    def _check_together(self) -> list[Problem]:
        return _consistent(self.allowed, self.reasons, self.lead)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        if self.lead is None:
            return d.View(
                "HandoverResult",
                d.verdict(self.allowed, self.reasons, ""),
                tables=[d.reasons_table(self.reasons, rows)],
            )
        return d.View(
            "HandoverResult",
            f"{self.lead.id!r} handed over to {self.lead.org!r} ({self.lead.pipeline} pipeline)",
            facts=[
                ("lead", self.lead.id),
                ("org", self.lead.org),
                ("pipeline", self.lead.pipeline),
                ("notifications", len(self.notifications)),
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
            ],
        )


@attrs.frozen(kw_only=True, repr=False)
class AssignmentResult(a.Frozen, d.Shown):
    """
    The outcome of a review (HND-5) or of a lead generator's new lead (HND-7).

    Attributes:
        allowed: True when the lead was assigned.
        reasons: Every failing condition, in the rulebook's order (empty when allowed).
        lead: The lead with its new owner; None when refused.
        record: Every field the operation replaced, with the old and new value (GEN-6).

    """

    allowed: bool = attrs.field(metadata=a.check(a.boolean))
    reasons: tuple[Reason, ...] = attrs.field(
        metadata=a.check(_reasons_check), default=(), converter=_fields.reason_tuple
    )
    lead: Lead | None = attrs.field(metadata=a.check(a.optional(a.instance(Lead))), default=None)
    record: tuple[Change, ...] = attrs.field(
        metadata=a.check(_changes_check), default=(), converter=_fields.change_tuple
    )

    def _check_together(self) -> list[Problem]:
        return _consistent(self.allowed, self.reasons, self.lead)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        if self.lead is None:
            return d.View(
                "AssignmentResult",
                d.verdict(self.allowed, self.reasons, ""),
                tables=[d.reasons_table(self.reasons, rows)],
            )
        return d.View(
            "AssignmentResult",
            f"{self.lead.id!r} assigned to {self.lead.owner!r}",
            facts=[
                ("lead", self.lead.id),
                ("owner", self.lead.owner),
                ("changes", len(self.record)),
            ],
            tables=[d.changes_table(self.record, rows)],
        )


# -- input checks -------------------------------------------------------------------------


def _tree(orgs: OrgTree | Iterable[Org]) -> OrgTree:
    if isinstance(orgs, OrgTree):
        return orgs
    return OrgTree(orgs=a.to_tuple(orgs))


def _transfer_inputs(sender: User, target_org: str, orgs: OrgTree | Iterable[Org]) -> OrgTree:
    """Check what @a.checked cannot (the organisations named); return the tree (GEN-5)."""
    problems: list[Problem] = []
    tree = _tree(orgs)
    if sender.org is None:
        problems.append(
            Problem(
                "sender.org",
                None,
                "is required: the sending organisation is the sender's organisation",
            )
        )
    elif sender.org not in tree:
        problems.append(
            Problem("sender.org", sender.org, "is not the id of an organisation in orgs")
        )
    if target_org not in tree:  # any non-id value is simply not in the tree
        problems.append(
            Problem("target_org", target_org, "is not the id of an organisation in orgs")
        )
    if problems:
        raise InvalidInput(problems)
    return tree


# -- reasons ------------------------------------------------------------------------------


def _handover_relation_reasons(tree: OrgTree, source: str, target: str) -> list[Reason]:
    """HND-1 and HND-2: the direction of the handover, and the parent's setting."""
    relation = tree.relation(source, target)
    facts = {"sender_org": source, "target_org": target, "relation": relation}
    if relation == "same":
        return [Handover.same_org.reason(facts, target=target)]
    if relation == "siblings":
        return [Handover.use_cross_silo.reason(facts, source=source, target=target)]
    if relation == "unrelated":
        return [Handover.not_related.reason(facts, source=source, target=target)]
    parent_id = source if relation == "parent_to_child" else target
    parent = tree.find(parent_id)
    if parent is not None and not parent.handover_enabled:
        return [Handover.handover_disabled.reason({"parent": parent_id, **facts}, parent=parent_id)]
    return []


def _cross_silo_relation_reasons(tree: OrgTree, source: str, target: str) -> list[Reason]:
    """HND-8: a child to a sibling, with cross silo enabled by their parent."""
    relation = tree.relation(source, target)
    facts = {"sender_org": source, "target_org": target, "relation": relation}
    if relation in {"parent_to_child", "child_to_parent"}:
        return [CrossSilo.use_handover.reason(facts, source=source, target=target)]
    if relation == "unrelated":
        return [CrossSilo.not_siblings.reason(facts, source=source, target=target)]
    if relation == "siblings":
        parent = tree.parent_of(source)
        if parent is not None and not parent.cross_silo_enabled:
            return [
                CrossSilo.cross_silo_disabled.reason(
                    {"parent": parent.id, **facts}, parent=parent.id
                )
            ]
        return []
    return [CrossSilo.same_org.reason(facts, target=target)]


def _sender_reasons(
    lead: Lead, sender: User, policy: HandoverPolicy, group: type[Handover | CrossSilo]
) -> list[Reason]:
    """HND-3: a Sales Licence user, sending a lead of their own organisation."""
    found: list[Reason] = []
    if sender.roles.isdisjoint(policy.sales_licence_roles):
        roles = sorted(r.value for r in policy.sales_licence_roles)
        found.append(
            group.no_sales_licence.reason(
                {"sender": sender.id, "roles": sorted(r.value for r in sender.roles)},
                sender=sender.id,
                roles=", ".join(roles) or "none",
            )
        )
    if lead.org != sender.org:
        found.append(
            group.not_in_sender_org.reason(
                {"lead_org": lead.org, "sender_org": sender.org},
                lead=lead.id,
                lead_org=lead.org,
                sender_org=sender.org,
            )
        )
    return found


# -- handover -----------------------------------------------------------------------------


@a.checked
def check(
    lead: Lead,
    sender: User,
    target_org: str,
    orgs: OrgTree | Iterable[Org],
    *,
    policy: HandoverPolicy = HandoverPolicy(),
) -> Verdict:
    """
    Tell whether ``sender`` may hand ``lead`` over to ``target_org`` (HND-1..HND-3).

    The sending organisation is ``sender.org``. Reasons, in the rulebook's order: the direction
    (HND-1: ``same_org``, ``use_cross_silo`` for two children of one parent,
    ``not_related``); ``handover_disabled`` when the parent of the pair has not enabled
    handover (HND-2, only asked of a parent/child pair); ``no_sales_licence`` and
    ``not_in_sender_org`` (HND-3).

    Args:
        lead: The lead to hand over.
        sender: The user sending it.
        target_org: The id of the receiving organisation.
        orgs: The community: an :class:`OrgTree`, or organisations to build one from.
        policy: The roles that hold a Sales Licence.

    Returns:
        A verdict with every failing reason.

    Raises:
        InvalidInput: ``orgs`` is not a valid tree, ``sender.org`` is missing or not in
            it, or ``target_org`` is not in it.

    >>> tree = OrgTree(orgs=[Org(id="hq"), Org(id="a", parent="hq"), Org(id="b", parent="hq")])
    >>> agent = User(id="u1", org="a", roles=["agent"])
    >>> check(Lead(id="L1", org="a"), agent, "b", tree).codes
    ('use_cross_silo', 'no_sales_licence')

    """
    tree = _transfer_inputs(sender, target_org, orgs)
    source = sender.org
    assert source is not None  # noqa: S101  # _transfer_inputs refused None
    return Verdict.from_reasons(
        [
            *_handover_relation_reasons(tree, source, target_org),
            *_sender_reasons(lead, sender, policy, Handover),
        ]
    )


def _transferred(
    verdict: Verdict,
    lead: Lead,
    sender: User,
    target_org: str,
    *,
    kind: str,
    policy: HandoverPolicy,
) -> HandoverResult:
    if not verdict.allowed:
        return HandoverResult(allowed=False, reasons=verdict.reasons)
    involved = sorted({target_org, sender.org or target_org})
    with a.results():  # the limits bound input, never output (GEN-5)
        after = attrs.evolve(lead, org=target_org, pipeline=policy.manager_pipeline, owner=None)
        return HandoverResult(
            allowed=True,
            lead=after,
            notifications=tuple(
                Notification(to=org, kind=kind, lead=lead.id, channels=policy.notification_channels)
                for org in involved
            ),
            record=changes_between(lead, after),
        )


@a.checked
def apply(
    lead: Lead,
    sender: User,
    target_org: str,
    orgs: OrgTree | Iterable[Org],
    *,
    policy: HandoverPolicy = HandoverPolicy(),
) -> HandoverResult:
    """
    Hand ``lead`` over to ``target_org`` if :func:`check` allows it (HND-1..HND-6).

    The lead lands unassigned in the receiving organisation's Manager Pipeline, whoever
    sent it (HND-4): ``org`` becomes ``target_org``, ``pipeline`` the policy's
    ``manager_pipeline``, ``owner`` None; nothing else changes. One Sales Feed
    notification of kind ``handover`` goes to each organisation involved, the sender's
    and the receiver's, sorted by ``to`` (HND-6). The record lists every replaced value.

    Args:
        lead: The lead to hand over.
        sender: The user sending it.
        target_org: The id of the receiving organisation.
        orgs: The community: an :class:`OrgTree`, or organisations to build one from.
        policy: Roles, pipeline and notification channels.

    Returns:
        The handed-over lead, notifications and record; or the refusal's reasons.

    Raises:
        InvalidInput: As :func:`check`.

    >>> tree = OrgTree(orgs=[Org(id="hq", handover_enabled=True), Org(id="a", parent="hq")])
    >>> boss = User(id="m0", org="hq", roles=["manager"])
    >>> result = apply(Lead(id="L1", org="hq", owner="m0"), boss, "a", tree)
    >>> [(c.field, c.old, c.new) for c in result.record]
    [('owner', 'm0', None), ('org', 'hq', 'a'), ('pipeline', None, 'manager')]

    """
    verdict = check(lead, sender, target_org, orgs, policy=policy)
    return _transferred(verdict, lead, sender, target_org, kind=HANDOVER, policy=policy)


@a.checked
def check_cross_silo(
    lead: Lead,
    sender: User,
    target_org: str,
    orgs: OrgTree | Iterable[Org],
    *,
    policy: HandoverPolicy = HandoverPolicy(),
) -> Verdict:
    """
    Tell whether ``sender`` may move ``lead`` to a sibling organisation (HND-8, HND-3).

    Cross silo goes from a child to another child of the same parent, only when that
    parent enables cross silo in its settings (whatever its handover setting). Reasons,
    in the rulebook's order: ``use_handover`` (a parent/child pair), ``not_siblings``,
    ``cross_silo_disabled``, ``same_org``; then ``no_sales_licence`` and
    ``not_in_sender_org`` (HND-3).

    Raises:
        InvalidInput: As :func:`check`.

    >>> tree = OrgTree(orgs=[Org(id="hq"), Org(id="a", parent="hq"), Org(id="b", parent="hq")])
    >>> pro = User(id="u1", org="a", roles=["professional"])
    >>> check_cross_silo(Lead(id="L1", org="a"), pro, "b", tree).codes
    ('cross_silo_disabled',)

    """
    tree = _transfer_inputs(sender, target_org, orgs)
    source = sender.org
    assert source is not None  # noqa: S101  # _transfer_inputs refused None
    return Verdict.from_reasons(
        [
            *_cross_silo_relation_reasons(tree, source, target_org),
            *_sender_reasons(lead, sender, policy, CrossSilo),
        ]
    )


@a.checked
def cross_silo(
    lead: Lead,
    sender: User,
    target_org: str,
    orgs: OrgTree | Iterable[Org],
    *,
    policy: HandoverPolicy = HandoverPolicy(),
) -> HandoverResult:
    """
    Move ``lead`` to a sibling organisation if :func:`check_cross_silo` allows it (HND-8).

    Otherwise it behaves like a handover (HND-3..HND-6): the lead lands unassigned in the
    receiving organisation's Manager Pipeline, and the two organisations involved (sender
    and receiver; not their parent) get a Sales Feed notification of kind ``cross_silo``.

    Raises:
        InvalidInput: As :func:`check`.

    >>> tree = OrgTree(
    ...     orgs=[Org(id="hq", cross_silo_enabled=True), Org(id="a", parent="hq"),
    ...           Org(id="b", parent="hq")]
    ... )
    >>> pro = User(id="u1", org="a", roles=["professional"])
    >>> result = cross_silo(Lead(id="L1", org="a", owner="u1"), pro, "b", tree)
    >>> result.lead.org, [(n.to, n.kind) for n in result.notifications]
    ('b', [('a', 'cross_silo'), ('b', 'cross_silo')])

    """
    verdict = check_cross_silo(lead, sender, target_org, orgs, policy=policy)
    return _transferred(verdict, lead, sender, target_org, kind=CROSS_SILO, policy=policy)


# -- review and creation ------------------------------------------------------------------


def _manager_reasons(
    lead_org: str | None,
    manager: User,
    policy: HandoverPolicy,
    code: ReasonCode,
) -> list[Reason]:
    if lead_org is not None and manager.org == lead_org and manager.has(*policy.manager_roles):
        return []
    facts = {"manager": manager.id, "manager_org": manager.org, "lead_org": lead_org}
    return [code.reason(facts, manager=manager.id, org=lead_org)]


@a.checked
def review(
    lead: Lead,
    manager: User,
    assignee: User | None = None,
    *,
    policy: HandoverPolicy = HandoverPolicy(),
) -> AssignmentResult:
    """
    A manager of the lead's organisation accepts it or assigns it (HND-5, HND-7).

    Without ``assignee`` the manager accepts the lead and becomes its owner; with one,
    the assignee becomes the owner and must be a Sales Licence user (professional or
    manager) of the lead's organisation. Only ``owner`` changes: the lead stays in its
    pipeline. Reasons, in the rulebook's order: ``not_receiving_manager`` (the reviewer is not a
    manager of ``lead.org``), ``invalid_assignee``.

    Any lead of the manager's organisation may be reviewed, not only one awaiting review
    (no owner): the lead generator's leads (HND-7) already have a manager as owner, and a
    second review is a reassignment (see ``docs/handover.md``).

    Args:
        lead: The lead to review, usually just handed over.
        manager: The reviewing manager.
        assignee: The user to assign it to, or None to accept it.
        policy: The manager and Sales Licence roles.

    Returns:
        The lead with its new owner and the record; or the refusal's reasons.

    Raises:
        InvalidInput: An argument of the wrong type.

    >>> lead = Lead(id="L1", org="hq", pipeline="manager")
    >>> boss = User(id="m1", org="hq", roles=["manager"])
    >>> review(lead, boss, User(id="p1", org="hq", roles=["professional"])).lead.owner
    'p1'
    >>> review(lead, boss, User(id="x", org="north", roles=["professional"])).codes
    ('invalid_assignee',)

    """
    reasons = _manager_reasons(lead.org, manager, policy, Review.not_receiving_manager)
    if assignee is not None and (
        lead.org is None
        or assignee.org != lead.org
        or assignee.roles.isdisjoint(policy.sales_licence_roles)
    ):
        reasons.append(
            Review.invalid_assignee.reason(
                {
                    "assignee": assignee.id,
                    "assignee_org": assignee.org,
                    "roles": sorted(r.value for r in assignee.roles),
                },
                assignee=assignee.id,
                org=lead.org,
            )
        )
    if reasons:
        return AssignmentResult(allowed=False, reasons=reasons)
    owner = manager if assignee is None else assignee
    with a.results():  # the limits bound input, never output (GEN-5)
        after = attrs.evolve(lead, owner=owner.id)
        return AssignmentResult(allowed=True, lead=after, record=changes_between(lead, after))


@a.checked
def create(
    lead: Lead,
    generator: User,
    manager: User,
    *,
    policy: HandoverPolicy = HandoverPolicy(),
) -> AssignmentResult:
    """
    A lead generator creates ``lead`` and assigns it to ``manager`` (HND-7).

    The new lead gets the generator's organisation, the Manager Pipeline and the manager
    as owner; the manager then accepts it or assigns it with :func:`review` (HND-5).
    Reasons: ``not_lead_generator`` (an addition to the rulebook's codes, Python only: the
    creator lacks the lead generator role), ``not_in_sender_org`` (``lead.org`` is set
    to another organisation), ``not_receiving_manager`` (``manager`` is not a manager
    of the generator's organisation).

    Args:
        lead: The new lead as entered (its ``org`` may be left empty).
        generator: The lead generator creating it.
        manager: The manager it is assigned to.
        policy: The lead generator and manager roles, and the pipeline.

    Returns:
        The created lead and the record of what was filled in; or the refusal's reasons.

    Raises:
        InvalidInput: An argument of the wrong type, or a generator without organisation.

    >>> gen = User(id="g1", org="hq", roles=["lead_generator"])
    >>> boss = User(id="m1", org="hq", roles=["manager"])
    >>> made = create(Lead(id="L9"), gen, boss).lead
    >>> made.org, made.pipeline, made.owner
    ('hq', 'manager', 'm1')

    """
    if generator.org is None:
        raise InvalidInput.single("generator.org", None, "is required: the lead's organisation")
    reasons: list[Reason] = []
    if generator.roles.isdisjoint(policy.lead_generator_roles):
        reasons.append(
            CreateLead.not_lead_generator.reason(
                {"generator": generator.id, "roles": sorted(r.value for r in generator.roles)},
                generator=generator.id,
            )
        )
    if lead.org is not None and lead.org != generator.org:
        reasons.append(
            CreateLead.not_in_sender_org.reason(
                {"lead_org": lead.org, "sender_org": generator.org},
                lead=lead.id,
                lead_org=lead.org,
                sender_org=generator.org,
            )
        )
    reasons.extend(
        _manager_reasons(generator.org, manager, policy, CreateLead.not_receiving_manager)
    )
    if reasons:
        return AssignmentResult(allowed=False, reasons=reasons)
    with a.results():  # the limits bound input, never output (GEN-5)
        after = attrs.evolve(
            lead, org=generator.org, pipeline=policy.manager_pipeline, owner=manager.id
        )
        return AssignmentResult(allowed=True, lead=after, record=changes_between(lead, after))
