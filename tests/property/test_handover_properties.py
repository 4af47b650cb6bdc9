"""
Properties of leadcore.handover (HND-1..HND-8) over random communities.

Communities are random forests of up to eight organisations with random settings; users
hold random mixes of roles. Each rule is checked against a small reference model written
from the rulebook's text, and a state machine plays random sequences of handovers, cross-silo
transfers and reviews to check that a lead only ever moves along the tree's edges, or
between siblings by cross silo when their parent enables it.
"""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from leadcore import _wire, handover
from leadcore.decisions import revert
from leadcore.errors import InvalidInput
from leadcore.handover import OrgTree
from leadcore.model import Lead, Org, Role, User
from tests.property.strategies import leads

HANDOVER_ORDER = (
    "same_org",
    "use_cross_silo",
    "not_related",
    "handover_disabled",
    "no_sales_licence",
    "not_in_sender_org",
)
CROSS_SILO_ORDER = (
    "use_handover",
    "not_siblings",
    "cross_silo_disabled",
    "same_org",
    "no_sales_licence",
    "not_in_sender_org",
)
SALES_LICENCE = frozenset({Role.MANAGER, Role.PROFESSIONAL})
SOME_ROLES = [Role.MANAGER, Role.PROFESSIONAL, Role.LEAD_GENERATOR, Role.AGENT, Role.SUPER_USER]


def parents(earlier: list[str], *, one_root: bool) -> st.SearchStrategy[str | None]:
    """The parent of the next organisation: an earlier one, or none (a root)."""
    if not earlier:
        return st.none()
    if one_root:
        return st.sampled_from(earlier)
    return st.sampled_from(earlier) | st.none()


@st.composite
def communities(
    draw: st.DrawFn, *, min_size: int = 1, max_size: int = 8, one_root: bool = False
) -> OrgTree:
    """A valid forest (a tree with ``one_root``): parents come earlier in a hidden order."""
    size = draw(st.integers(min_size, max_size))
    names = [f"o{i}" for i in range(size)]
    orgs = [
        Org(
            id=name,
            parent=draw(parents(names[:index], one_root=one_root)),
            handover_enabled=draw(st.booleans()),
            cross_silo_enabled=draw(st.booleans()),
        )
        for index, name in enumerate(names)
    ]
    return OrgTree(orgs=draw(st.permutations(orgs)))


def org_ids(tree: OrgTree) -> st.SearchStrategy[str]:
    """Ids of the tree's organisations."""
    return st.sampled_from([o.id for o in tree.orgs])


def users_of(tree: OrgTree, *, user_id: str = "u") -> st.SearchStrategy[User]:
    """Users of one of the tree's organisations, with any mix of roles."""
    return st.builds(
        User,
        id=st.just(user_id),
        org=org_ids(tree),
        roles=st.frozensets(st.sampled_from(SOME_ROLES), max_size=3),
    )


def leads_of(tree: OrgTree) -> st.SearchStrategy[Lead]:
    """Small leads of one of the tree's organisations (or none)."""
    return st.builds(
        Lead,
        id=st.just("L1"),
        org=org_ids(tree) | st.none(),
        owner=st.none() | st.sampled_from(["u", "m", "someone"]),
        pipeline=st.none() | st.sampled_from(["manager", "professional"]),
        status=st.sampled_from(["new", "interested"]),
    )


@st.composite
def handover_cases(draw: st.DrawFn) -> tuple[OrgTree, Lead, User, str]:
    """A community, a lead, a sender and a target organisation."""
    tree = draw(communities())
    sender = draw(users_of(tree))
    # Favour the sender's own lead, which the interesting cases need.
    lead = draw(leads_of(tree) | leads_of(tree).map(lambda x: attrs.evolve(x, org=sender.org)))
    return tree, lead, sender, draw(org_ids(tree))


def expected_handover_codes(tree: OrgTree, lead: Lead, sender: User, target: str) -> list[str]:
    """HND-1..HND-3, written again from the text with plain parent lookups."""
    source = sender.org
    assert source is not None
    parent = {o.id: o.parent for o in tree.orgs}
    settings = {o.id: o for o in tree.orgs}
    codes = []
    if source == target:
        codes.append("same_org")
    elif parent[target] == source or parent[source] == target:
        pair_parent = source if parent[target] == source else target
        if not settings[pair_parent].handover_enabled:
            codes.append("handover_disabled")
    elif parent[source] is not None and parent[source] == parent[target]:
        codes.append("use_cross_silo")
    else:
        codes.append("not_related")
    if not sender.roles & SALES_LICENCE:
        codes.append("no_sales_licence")
    if lead.org != source:
        codes.append("not_in_sender_org")
    return codes


def expected_cross_silo_codes(tree: OrgTree, lead: Lead, sender: User, target: str) -> list[str]:
    """HND-8 with HND-3, written again from the text."""
    source = sender.org
    assert source is not None
    parent = {o.id: o.parent for o in tree.orgs}
    settings = {o.id: o for o in tree.orgs}
    codes = []
    common = parent[source]
    if source == target:
        codes.append("same_org")
    elif parent[target] == source or parent[source] == target:
        codes.append("use_handover")
    elif common is None or common != parent[target]:
        codes.append("not_siblings")
    elif not settings[common].cross_silo_enabled:
        codes.append("cross_silo_disabled")
    if not sender.roles & SALES_LICENCE:
        codes.append("no_sales_licence")
    if lead.org != source:
        codes.append("not_in_sender_org")
    return codes


def in_order(codes: tuple[str, ...], order: tuple[str, ...]) -> bool:
    """Whether ``codes`` are distinct and listed in ``order``'s order."""
    positions = [order.index(c) for c in codes]
    return positions == sorted(set(positions))


class TestHandoverRules:
    """HND-1..HND-6 against the reference model."""

    @given(handover_cases())
    def test_check_lists_exactly_the_failing_conditions_in_order(
        self, case: tuple[OrgTree, Lead, User, str]
    ) -> None:
        """HND-1, HND-2, HND-3, GEN-4: every failing condition, nothing more, in rule order."""
        tree, lead, sender, target = case

        verdict = handover.check(lead, sender, target, tree)

        assert list(verdict.codes) == expected_handover_codes(tree, lead, sender, target)
        assert in_order(verdict.codes, HANDOVER_ORDER)
        assert verdict.allowed == (not verdict.codes)

    @given(handover_cases())
    def test_apply_lands_unassigned_in_the_manager_pipeline(
        self, case: tuple[OrgTree, Lead, User, str]
    ) -> None:
        """HND-4, HND-6, GEN-6: apply agrees with check; lead, notifications, record."""
        tree, lead, sender, target = case

        result = handover.apply(lead, sender, target, tree)

        assert result.codes == handover.check(lead, sender, target, tree).codes
        if not result.allowed:
            assert (result.lead, result.notifications, result.record) == (None, (), ())
            return
        assert lead.org is not None
        assert result.lead == attrs.evolve(lead, org=target, pipeline="manager", owner=None)
        assert [n.to for n in result.notifications] == sorted({lead.org, target})
        assert {(n.kind, n.lead, n.channels) for n in result.notifications} == {
            ("handover", lead.id, ("sales_feed",))
        }
        assert revert(result.lead, result.record) == lead
        assert tree.relation(lead.org, target) in {"parent_to_child", "child_to_parent"}

    @given(handover_cases())
    def test_inputs_are_never_mutated(self, case: tuple[OrgTree, Lead, User, str]) -> None:
        """GEN-3: lead, sender and tree are the same before and after every operation."""
        tree, lead, sender, target = case
        before = _wire.value((lead, sender, tree))

        handover.apply(lead, sender, target, tree)
        handover.cross_silo(lead, sender, target, tree)
        handover.review(lead, sender, sender)

        assert _wire.value((lead, sender, tree)) == before

    @given(st.data(), leads())
    def test_any_lead_travels_whole(self, data: st.DataObject, drawn: Lead) -> None:
        """HND-4, GEN-6: only org, pipeline and owner change; the record undoes it."""
        tree = OrgTree(orgs=[Org(id="p", handover_enabled=True), Org(id="c", parent="p")])
        lead = attrs.evolve(drawn, org="c")
        sender = User(
            id="s", org="c", roles=[data.draw(st.sampled_from(["manager", "professional"]))]
        )
        snapshot = _wire.value(lead)

        result = handover.apply(lead, sender, "p", tree)

        assert result.lead is not None
        assert result.lead == attrs.evolve(lead, org="p", pipeline="manager", owner=None)
        assert revert(result.lead, result.record) == lead
        assert _wire.value(lead) == snapshot

    @given(handover_cases(), st.data())
    def test_handover_then_review_keeps_the_lead_in_the_receiving_org(
        self, case: tuple[OrgTree, Lead, User, str], data: st.DataObject
    ) -> None:
        """HND-5: after a handover, any allowed review leaves the lead where it landed."""
        tree, lead, sender, target = case
        moved = handover.apply(lead, sender, target, tree).lead
        reviewer = data.draw(users_of(tree, user_id="m"))
        assignee = data.draw(st.none() | users_of(tree, user_id="a"))

        if moved is None:
            return
        reviewed = handover.review(moved, reviewer, assignee)

        if reviewed.lead is not None:
            assert reviewed.lead.org == target
            assert reviewed.lead == attrs.evolve(moved, owner=(assignee or reviewer).id)

    @given(handover_cases())
    def test_the_receiving_manager_can_always_review(
        self, case: tuple[OrgTree, Lead, User, str]
    ) -> None:
        """HND-5: a manager of the receiving org accepts, or assigns to its professional."""
        tree, lead, sender, target = case
        moved = handover.apply(lead, sender, target, tree).lead
        manager = User(id="m", org=target, roles=["manager"])
        professional = User(id="p", org=target, roles=["professional"])

        if moved is None:
            return
        accepted = handover.review(moved, manager)
        assigned = handover.review(moved, manager, professional)

        assert accepted.lead is not None
        assert (accepted.lead.org, accepted.lead.owner) == (target, "m")
        assert assigned.lead is not None
        assert (assigned.lead.org, assigned.lead.owner) == (target, "p")


class TestReviewAndCreate:
    """HND-5 and HND-7 against the reference model."""

    @given(st.data())
    def test_review_allows_exactly_the_receiving_manager(self, data: st.DataObject) -> None:
        """HND-5: not_receiving_manager and invalid_assignee exactly when the rulebook says."""
        tree = data.draw(communities(max_size=3))
        lead = data.draw(leads_of(tree))
        manager = data.draw(users_of(tree, user_id="m"))
        assignee = data.draw(st.none() | users_of(tree, user_id="a"))

        result = handover.review(lead, manager, assignee)

        expected = []
        if lead.org is None or manager.org != lead.org or Role.MANAGER not in manager.roles:
            expected.append("not_receiving_manager")
        if assignee is not None and (
            lead.org is None or assignee.org != lead.org or not assignee.roles & SALES_LICENCE
        ):
            expected.append("invalid_assignee")
        assert list(result.codes) == expected
        if result.lead is not None:
            assert [c.field for c in result.record] in ([], ["owner"])
            assert revert(result.lead, result.record) == lead

    @given(st.data())
    def test_create_assigns_to_a_manager_of_the_same_org(self, data: st.DataObject) -> None:
        """HND-7: the created lead is in the generator's org, owned by one of its managers."""
        tree = data.draw(communities(max_size=3))
        generator = data.draw(users_of(tree, user_id="g"))
        manager = data.draw(users_of(tree, user_id="m"))
        draft = data.draw(leads_of(tree))

        result = handover.create(draft, generator, manager)

        expected = []
        if Role.LEAD_GENERATOR not in generator.roles:
            expected.append("not_lead_generator")
        if draft.org not in {None, generator.org}:
            expected.append("not_in_sender_org")
        if manager.org != generator.org or Role.MANAGER not in manager.roles:
            expected.append("not_receiving_manager")
        assert list(result.codes) == expected
        if result.lead is not None:
            assert (result.lead.org, result.lead.owner) == (generator.org, "m")
            assert result.lead.pipeline == "manager"


class TestCrossSiloRules:
    """HND-8 against the reference model."""

    @given(handover_cases())
    def test_cross_silo_lists_exactly_the_failing_conditions(
        self, case: tuple[OrgTree, Lead, User, str]
    ) -> None:
        """HND-8, HND-3, GEN-4: every failing condition, nothing more, in rule order."""
        tree, lead, sender, target = case

        result = handover.cross_silo(lead, sender, target, tree)

        assert list(result.codes) == expected_cross_silo_codes(tree, lead, sender, target)
        assert in_order(result.codes, CROSS_SILO_ORDER)
        if result.lead is not None:
            assert tree.relation(lead.org or "", target) == "siblings"
            assert {n.kind for n in result.notifications} == {"cross_silo"}

    @given(handover_cases())
    def test_handover_and_cross_silo_never_both_allow(
        self, case: tuple[OrgTree, Lead, User, str]
    ) -> None:
        """HND-1, HND-8: the two operations cover disjoint pairs of organisations."""
        tree, lead, sender, target = case

        by_handover = handover.check(lead, sender, target, tree)
        by_cross_silo = handover.check_cross_silo(lead, sender, target, tree)

        assert not (by_handover.allowed and by_cross_silo.allowed)


class TestOrgTreeValidation:
    """HND-1, GEN-5: any list of organisations is either a forest or refused by path."""

    @given(
        st.lists(
            st.tuples(st.sampled_from("abcdef"), st.none() | st.sampled_from("abcdefg")),
            max_size=7,
        )
    )
    def test_valid_exactly_when_ids_unique_parents_known_and_no_cycle(
        self, pairs: list[tuple[str, str | None]]
    ) -> None:
        """HND-1: duplicates, unknown parents and cycles are refused, all else built."""
        orgs = [Org(id=i, parent=p) for i, p in pairs]
        ids = [i for i, _ in pairs]
        parent = dict(reversed(pairs))
        known = all(p is None or p in parent for _, p in pairs)

        def reaches_root(start: str) -> bool:
            current: str | None = start
            for _ in range(len(parent) + 1):
                if current is None:
                    return True
                current = parent.get(current)
            return current is None

        valid = len(set(ids)) == len(ids) and known and all(map(reaches_root, parent))

        try:
            tree = OrgTree(orgs=orgs)
        except InvalidInput as error:
            assert not valid
            paths = [p.path for p in error.problems]
            assert all(p.endswith((".id", ".parent")) and p.startswith("orgs[") for p in paths)
        else:
            assert valid
            for org in orgs:
                assert tree.parent_of(org.id) == (
                    None if org.parent is None else tree.find(org.parent)
                )
                assert all(
                    tree.relation(org.id, c) == "parent_to_child" for c in tree.children_of(org.id)
                )


class JourneyOfALead(RuleBasedStateMachine):
    """
    Random sequences of handovers, cross-silo transfers and reviews of one lead.

    Every permitted operation that moves the lead moves it along one edge of the tree
    (handover), or between two siblings whose parent enables cross silo (cross silo):
    no sequence of permitted operations moves a lead child to child otherwise.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tree = OrgTree(orgs=[Org(id="root")])
        self.lead = Lead(id="L1", org="root")
        self.moves: list[tuple[str, str, str]] = []

    @initialize(data=st.data())
    def community(self, data: st.DataObject) -> None:
        """Draw the community and put the lead in one of its organisations."""
        self.tree = data.draw(communities(min_size=3, one_root=True))
        self.lead = Lead(id="L1", org=data.draw(org_ids(self.tree)), owner="someone")

    def _move(self, operation: str, result: handover.HandoverResult, target: str) -> None:
        if result.lead is not None:
            assert self.lead.org is not None
            self.moves.append((operation, self.lead.org, target))
            self.lead = result.lead

    @rule(data=st.data())
    def hand_over(self, data: st.DataObject) -> None:
        """A random user tries a handover to a random organisation."""
        sender = data.draw(users_of(self.tree))
        target = data.draw(org_ids(self.tree))

        self._move("handover", handover.apply(self.lead, sender, target, self.tree), target)

    def _near(self, data: st.DataObject) -> str:
        """Draw the lead's organisation's parent, a child, a sibling or any organisation."""
        assert self.lead.org is not None
        parent = self.tree.parent_of(self.lead.org)
        near = [*self.tree.children_of(self.lead.org)]
        if parent is not None:
            near += [parent.id, *self.tree.children_of(parent.id)]
        near = [o for o in near if o != self.lead.org]
        return data.draw(st.sampled_from(near) if near else org_ids(self.tree))

    @rule(data=st.data())
    def hand_over_own_lead(self, data: st.DataObject) -> None:
        """A Sales Licence user of the lead's organisation tries a handover nearby."""
        assert self.lead.org is not None
        sender = User(id="s", org=self.lead.org, roles=["professional"])
        target = self._near(data)

        self._move("handover", handover.apply(self.lead, sender, target, self.tree), target)

    @rule(data=st.data())
    def move_cross_silo(self, data: st.DataObject) -> None:
        """A Sales Licence user of the lead's organisation tries a cross silo nearby."""
        assert self.lead.org is not None
        sender = User(id="s", org=self.lead.org, roles=["manager"])
        target = self._near(data)

        self._move("cross_silo", handover.cross_silo(self.lead, sender, target, self.tree), target)

    @rule(data=st.data())
    def review(self, data: st.DataObject) -> None:
        """A random user reviews the lead, maybe assigning it to a random user."""
        manager = data.draw(users_of(self.tree, user_id="m"))
        assignee = data.draw(st.none() | users_of(self.tree, user_id="a"))

        result = handover.review(self.lead, manager, assignee)

        if result.lead is not None:
            assert result.lead.org == self.lead.org
            self.lead = result.lead

    @invariant()
    def lead_moves_only_along_permitted_edges(self) -> None:
        """HND-1, HND-8: each move is parent/child, or siblings with cross silo enabled."""
        # Plain parent lookups, not OrgTree.relation, so that the check is independent.
        parent = {o.id: o.parent for o in self.tree.orgs}
        cross_silo_on = {o.id for o in self.tree.orgs if o.cross_silo_enabled}
        for operation, source, target in self.moves:
            if operation == "handover":
                assert target == parent[source] or source == parent[target]
            else:
                assert parent[source] is not None
                assert parent[source] == parent[target]
                assert parent[source] in cross_silo_on
                assert source != target

    @invariant()
    def lead_stays_in_the_community(self) -> None:
        """HND-4: wherever it went, the lead belongs to an organisation of the tree."""
        assert self.lead.org in self.tree


# Twenty steps are enough to walk a tree of eight organisations; the profile's example
# count still applies.
JourneyOfALead.TestCase.settings = settings(
    JourneyOfALead.TestCase.settings, stateful_step_count=20
)
TestJourneyOfALead = JourneyOfALead.TestCase
