"""Example tests of leadcore.handover, one class per rule or function (HND-1..HND-8)."""

from __future__ import annotations

import doctest
from pathlib import Path

import attrs
import pytest

from leadcore import _wire, handover
from leadcore.decisions import Change, Reason, revert
from leadcore.errors import InvalidInput
from leadcore.handover import AssignmentResult, HandoverPolicy, HandoverResult, OrgTree
from leadcore.model import Lead, Notification, Org, Person, Role, User
from tests.helpers import NOW, person


def community(*, handover_on: bool = True, cross_silo_on: bool = False) -> OrgTree:
    """
    Build the sample community used by most tests.

    hq has two children, north and south; north has a child, north_east; island is a
    root of its own.
    """
    return OrgTree(
        orgs=[
            Org(id="hq", handover_enabled=handover_on, cross_silo_enabled=cross_silo_on),
            Org(id="north", parent="hq"),
            Org(id="south", parent="hq"),
            Org(id="north_east", parent="north"),
            Org(id="island", handover_enabled=True, cross_silo_enabled=True),
        ]
    )


def user(user_id: str, org: str | None, *roles: str) -> User:
    """Build a user of ``org`` holding ``roles``."""
    return User(id=user_id, org=org, roles=roles)


def sample_lead(org: str | None = "north", **fields: object) -> Lead:
    """Build a realistic lead of ``org`` owned by a professional."""
    values: dict[str, object] = {
        "customer": person("Ada", "Lovelace", phones=("+1 415 867 5309",)),
        "project": "p1",
        "status": "interested",
        "owner": "pro_north",
        "viewers": ("viewer1",),
        "pipeline": "professional",
        "created_at": NOW,
        **fields,
    }
    return Lead(id="L1", org=org, **values)  # type: ignore[arg-type]  # values hold Lead's fields


PRO_NORTH = user("pro_north", "north", "professional")
MANAGER_NORTH = user("mgr_north", "north", "manager")
MANAGER_HQ = user("mgr_hq", "hq", "manager")
PRO_HQ = user("pro_hq", "hq", "professional")


class TestOrgTree:
    """The organisation hierarchy the handover rules stand on (HND-1)."""

    def test_relation_names_each_kind_of_pair(self) -> None:
        """HND-1: parent to child, child to parent, siblings, same, unrelated."""
        tree = community()

        relations = {
            pair: tree.relation(*pair)
            for pair in [
                ("hq", "north"),
                ("north", "hq"),
                ("north", "south"),
                ("hq", "hq"),
                ("hq", "north_east"),
                ("south", "north_east"),
                ("hq", "island"),
            ]
        }

        assert relations == {
            ("hq", "north"): "parent_to_child",
            ("north", "hq"): "child_to_parent",
            ("north", "south"): "siblings",
            ("hq", "hq"): "same",
            ("hq", "north_east"): "unrelated",
            ("south", "north_east"): "unrelated",
            ("hq", "island"): "unrelated",
        }

    def test_two_roots_are_not_siblings(self) -> None:
        """HND-8: roots have no common parent, so they are unrelated, not siblings."""
        tree = OrgTree(orgs=[Org(id="a"), Org(id="b")])

        assert tree.relation("a", "b") == "unrelated"

    def test_children_parent_and_find(self) -> None:
        """HND-1: the tree answers children (sorted), parent and lookup by id."""
        tree = community()

        assert tree.children_of("hq") == ("north", "south")
        assert tree.children_of("south") == ()
        assert tree.parent_of("north_east") == Org(id="north", parent="hq")
        assert tree.parent_of("hq") is None
        assert tree.parent_of("nowhere") is None
        assert tree.find("island") == Org(
            id="island", handover_enabled=True, cross_silo_enabled=True
        )
        assert tree.find("nowhere") is None
        assert "south" in tree
        assert "nowhere" not in tree

    def test_relation_of_unknown_org_is_invalid_input(self) -> None:
        """GEN-5, HND-1: asking about organisations outside the tree names both."""
        tree = community()

        with pytest.raises(InvalidInput) as caught:
            tree.relation("mars", "venus")

        assert [p.path for p in caught.value.problems] == ["source", "target"]

    def test_repeated_id_is_refused_at_its_path(self) -> None:
        """GEN-5, HND-1: a repeated organisation id is named by its position."""
        with pytest.raises(InvalidInput) as caught:
            OrgTree(orgs=[Org(id="hq"), Org(id="a", parent="hq"), Org(id="a")])

        assert caught.value.path == "orgs[2].id"
        assert caught.value.value == "a"

    def test_unknown_parent_is_refused_at_its_path(self) -> None:
        """GEN-5, HND-1: a parent that is not in the list is named by its position."""
        with pytest.raises(InvalidInput) as caught:
            OrgTree(orgs=[Org(id="hq"), Org(id="a", parent="hq"), Org(id="b", parent="ghost")])

        assert caught.value.path == "orgs[2].parent"
        assert caught.value.value == "ghost"

    def test_own_parent_is_a_cycle(self) -> None:
        """GEN-5, HND-1: an organisation that is its own parent makes a cycle."""
        with pytest.raises(InvalidInput) as caught:
            OrgTree(orgs=[Org(id="hq"), Org(id="a", parent="a")])

        assert caught.value.path == "orgs[1].parent"
        assert "a -> a" in str(caught.value)

    def test_cycle_is_reported_once_at_its_first_member(self) -> None:
        """GEN-5, HND-1: a cycle is named at the first of its organisations in the list."""
        orgs = [
            Org(id="root"),
            Org(id="x", parent="root"),
            Org(id="c", parent="a"),
            Org(id="a", parent="b"),
            Org(id="b", parent="c"),
            Org(id="hangs", parent="a"),
        ]

        with pytest.raises(InvalidInput) as caught:
            OrgTree(orgs=orgs)

        assert [p.path for p in caught.value.problems] == ["orgs[2].parent"]
        assert "c -> a -> b -> c" in str(caught.value)

    def test_every_problem_is_listed_in_list_order(self) -> None:
        """GEN-5: repeated ids, unknown parents and cycles are reported together."""
        orgs = [
            Org(id="a", parent="b"),
            Org(id="b", parent="a"),
            Org(id="z", parent="ghost"),
            Org(id="a"),
        ]

        with pytest.raises(InvalidInput) as caught:
            OrgTree(orgs=orgs)

        assert [p.path for p in caught.value.problems] == [
            "orgs[0].parent",
            "orgs[2].parent",
            "orgs[3].id",
        ]

    def test_items_that_are_not_orgs_are_refused(self) -> None:
        """GEN-5: a list of anything but Org is refused at the item's path."""
        with pytest.raises(InvalidInput) as caught:
            OrgTree(orgs=[Org(id="a"), {"id": "b"}])  # type: ignore[list-item]  # on purpose

        assert caught.value.path == "orgs[1]"

    def test_trees_compare_by_their_orgs(self) -> None:
        """GEN-3: two trees of the same organisations are equal, and a list becomes a tuple."""
        orgs = [Org(id="hq"), Org(id="a", parent="hq")]

        assert OrgTree(orgs=orgs) == OrgTree(orgs=tuple(orgs))
        assert OrgTree(orgs=orgs).orgs == tuple(orgs)

    def test_tree_is_final(self) -> None:
        """STYLE: leadcore classes cannot be subclassed."""
        with pytest.raises(TypeError, match="final"):
            type("Mine", (OrgTree,), {})


class TestCheckDirection:
    """HND-1: parent to direct child or child to direct parent, nothing else."""

    def test_child_to_parent_is_allowed(self) -> None:
        """HND-1: a professional of a child hands a lead up to its parent."""
        verdict = handover.check(sample_lead(), PRO_NORTH, "hq", community())

        assert verdict.allowed
        assert verdict.reasons == ()

    def test_parent_to_child_is_allowed(self) -> None:
        """HND-1: a manager of the parent hands a lead down to a direct child."""
        verdict = handover.check(sample_lead("hq"), MANAGER_HQ, "south", community())

        assert verdict.allowed

    def test_child_to_child_needs_cross_silo(self) -> None:
        """HND-1: two children of one parent: use_cross_silo, even with cross silo on."""
        verdict = handover.check(sample_lead(), PRO_NORTH, "south", community(cross_silo_on=True))

        assert verdict.codes == ("use_cross_silo",)

    def test_grandparent_is_not_related(self) -> None:
        """HND-1: only direct parents and children: hq to north_east is not_related."""
        verdict = handover.check(sample_lead("hq"), MANAGER_HQ, "north_east", community())

        assert verdict.codes == ("not_related",)

    def test_cousins_and_other_roots_are_not_related(self) -> None:
        """HND-1: a nephew and a separate root are not_related."""
        south_pro = user("p_s", "south", "professional")
        tree = community()

        nephew = handover.check(sample_lead("south"), south_pro, "north_east", tree)
        island = handover.check(sample_lead("hq"), MANAGER_HQ, "island", tree)

        assert nephew.codes == ("not_related",)
        assert island.codes == ("not_related",)

    def test_same_org_is_refused(self) -> None:
        """HND-1: a handover to the sender's own organisation is same_org."""
        verdict = handover.check(sample_lead(), PRO_NORTH, "north", community())

        assert verdict.codes == ("same_org",)

    def test_reason_carries_its_facts(self) -> None:
        """GEN-4: the reason says which organisations and how they relate."""
        verdict = handover.check(sample_lead(), PRO_NORTH, "south", community())

        reason = verdict.reasons[0]
        assert dict(reason.facts) == {
            "sender_org": "north",
            "target_org": "south",
            "relation": "siblings",
        }
        assert "cross-silo" in reason.message


class TestCheckParentSetting:
    """HND-2: handover works only when the parent organisation enables it."""

    def test_disabled_parent_refuses_both_directions(self) -> None:
        """HND-2: parent setting off: handover_disabled up and down."""
        tree = community(handover_on=False)

        up = handover.check(sample_lead(), PRO_NORTH, "hq", tree)
        down = handover.check(sample_lead("hq"), MANAGER_HQ, "north", tree)

        assert up.codes == ("handover_disabled",)
        assert down.codes == ("handover_disabled",)
        assert up.reasons[0].facts["parent"] == "hq"

    def test_only_the_parents_setting_counts(self) -> None:
        """HND-2: the child's own handover setting is not looked at; the parent's is."""
        tree = OrgTree(
            orgs=[
                Org(id="hq", handover_enabled=False),
                Org(id="north", parent="hq", handover_enabled=True),
                Org(id="north_east", parent="north"),
            ]
        )
        north_manager = user("m", "north", "manager")

        to_parent = handover.check(sample_lead(), north_manager, "hq", tree)
        to_child = handover.check(sample_lead(), north_manager, "north_east", tree)

        assert to_parent.codes == ("handover_disabled",)
        assert to_child.allowed

    def test_setting_is_not_asked_of_pairs_that_are_refused_anyway(self) -> None:
        """HND-2 [decided]: handover_disabled only for a parent/child pair."""
        tree = community(handover_on=False)

        verdict = handover.check(sample_lead(), PRO_NORTH, "south", tree)

        assert verdict.codes == ("use_cross_silo",)


class TestCheckSender:
    """HND-3: Sales Licence users only, and only leads of their own organisation."""

    @pytest.mark.parametrize("role", ["manager", "professional"])
    def test_sales_licence_roles_may_send(self, role: str) -> None:
        """HND-3: a manager or a professional may send."""
        sender = user("u", "north", role)

        assert handover.check(sample_lead(), sender, "hq", community()).allowed

    @pytest.mark.parametrize(
        "roles",
        [(), ("lead_generator",), ("agent",), ("super_user",), ("sales_manager", "team_lead")],
    )
    def test_other_roles_have_no_sales_licence(self, roles: tuple[str, ...]) -> None:
        """HND-3: anyone without manager or professional gets no_sales_licence."""
        sender = user("u", "north", *roles)

        verdict = handover.check(sample_lead(), sender, "hq", community())

        assert verdict.codes == ("no_sales_licence",)

    def test_a_sales_licence_among_other_roles_is_enough(self) -> None:
        """HND-3: a lead generator who is also a professional may send."""
        sender = user("u", "north", "lead_generator", "professional")

        assert handover.check(sample_lead(), sender, "hq", community()).allowed

    @pytest.mark.parametrize("lead_org", ["south", "hq", None, "not_in_the_tree"])
    def test_lead_of_another_org_is_not_in_sender_org(self, lead_org: str | None) -> None:
        """HND-3: lead.org must be sender.org, whatever else it is."""
        verdict = handover.check(sample_lead(lead_org), PRO_NORTH, "hq", community())

        assert verdict.codes == ("not_in_sender_org",)

    def test_every_failing_reason_is_listed_in_spec_order(self) -> None:
        """GEN-4, HND-1..HND-3: direction, then licence, then the lead's organisation."""
        sender = user("gen", "north", "lead_generator")
        lead = sample_lead("south")

        sideways = handover.check(lead, sender, "south", community())
        disabled = handover.check(lead, sender, "hq", community(handover_on=False))
        up = handover.check(lead, sender, "hq", community())

        assert sideways.codes == ("use_cross_silo", "no_sales_licence", "not_in_sender_org")
        assert disabled.codes == ("handover_disabled", "no_sales_licence", "not_in_sender_org")
        assert up.codes == ("no_sales_licence", "not_in_sender_org")

    def test_policy_can_change_the_sales_licence_roles(self) -> None:
        """GEN-7, HND-3: what if only managers held a Sales Licence?"""
        policy = HandoverPolicy(sales_licence_roles=["manager"])

        verdict = handover.check(sample_lead(), PRO_NORTH, "hq", community(), policy=policy)

        assert verdict.codes == ("no_sales_licence",)


class TestCheckInput:
    """GEN-5: bad arguments raise InvalidInput naming the field; nothing is decided."""

    def test_sender_without_org_is_invalid(self) -> None:
        """GEN-5, HND-3: the sending organisation is sender.org, so it is required."""
        with pytest.raises(InvalidInput) as caught:
            handover.check(sample_lead(), user("u", None, "manager"), "hq", community())

        assert caught.value.path == "sender.org"

    def test_sender_org_outside_the_tree_is_invalid(self) -> None:
        """GEN-5, HND-1: a sender of an organisation not in orgs is refused."""
        with pytest.raises(InvalidInput) as caught:
            handover.check(sample_lead(), user("u", "mars", "manager"), "hq", community())

        assert caught.value.path == "sender.org"
        assert caught.value.value == "mars"

    def test_unknown_target_is_invalid(self) -> None:
        """GEN-5, HND-1: a target organisation not in orgs is refused."""
        with pytest.raises(InvalidInput) as caught:
            handover.check(sample_lead(), PRO_NORTH, "mars", community())

        assert caught.value.path == "target_org"

    def test_both_unknown_orgs_are_reported_together(self) -> None:
        """GEN-5: every problem at once, sender first."""
        with pytest.raises(InvalidInput) as caught:
            handover.check(sample_lead(), user("u", "mars", "manager"), "venus", community())

        assert [p.path for p in caught.value.problems] == ["sender.org", "target_org"]

    def test_wrong_types_are_invalid(self) -> None:
        """GEN-5: a dict for a lead or a user is named, not an AttributeError."""
        with pytest.raises(InvalidInput) as caught:
            handover.check({"id": "L1"}, "u", "hq", community())  # type: ignore[arg-type]  # on purpose

        assert [p.path for p in caught.value.problems] == ["lead", "sender"]

    def test_orgs_may_be_a_plain_list(self) -> None:
        """HND-1: a list of Org is turned into a checked tree."""
        orgs = [Org(id="hq", handover_enabled=True), Org(id="north", parent="hq")]

        assert handover.check(sample_lead(), PRO_NORTH, "hq", orgs).allowed

    def test_a_bad_list_of_orgs_is_invalid(self) -> None:
        """GEN-5, HND-1: a cycle in a plain list is refused at its path."""
        orgs = [Org(id="hq", parent="north"), Org(id="north", parent="hq")]

        with pytest.raises(InvalidInput) as caught:
            handover.check(sample_lead(), PRO_NORTH, "hq", orgs)

        assert caught.value.path == "orgs[0].parent"


class TestApply:
    """HND-4 and HND-6: where the lead lands, who is told, what is recorded."""

    def test_lead_lands_unassigned_in_the_receiving_manager_pipeline(self) -> None:
        """HND-4: org becomes the target, pipeline manager, no owner; the rest is kept."""
        before = sample_lead()

        result = handover.apply(before, PRO_NORTH, "hq", community())

        assert result.allowed
        assert result.lead == attrs.evolve(before, org="hq", pipeline="manager", owner=None)

    def test_whoever_sends_it_lands_the_same_way(self) -> None:
        """HND-4: a manager's handover lands exactly like a professional's."""
        tree = community()

        by_pro = handover.apply(sample_lead(), PRO_NORTH, "hq", tree)
        by_manager = handover.apply(sample_lead(owner="mgr_north"), MANAGER_NORTH, "hq", tree)

        assert by_pro.lead == by_manager.lead

    def test_one_sales_feed_notification_per_organisation(self) -> None:
        """HND-6: the sender's and the receiver's organisation, sorted by to."""
        result = handover.apply(sample_lead("hq"), MANAGER_HQ, "north", community())

        assert result.notifications == (
            Notification(to="hq", kind="handover", lead="L1", channels=["sales_feed"]),
            Notification(to="north", kind="handover", lead="L1", channels=["sales_feed"]),
        )

    def test_record_keeps_every_replaced_value(self) -> None:
        """GEN-6, HND-4: the record lists owner, org and pipeline, old and new."""
        before = sample_lead()

        result = handover.apply(before, PRO_NORTH, "hq", community())

        assert result.record == (
            Change(lead="L1", field="owner", old="pro_north", new=None),
            Change(lead="L1", field="org", old="north", new="hq"),
            Change(lead="L1", field="pipeline", old="professional", new="manager"),
        )
        assert result.lead is not None
        assert revert(result.lead, result.record) == before

    def test_a_lead_already_in_a_manager_pipeline_records_no_pipeline_change(self) -> None:
        """GEN-6: only fields that really change are recorded."""
        before = sample_lead(owner=None, pipeline="manager")

        result = handover.apply(before, PRO_NORTH, "hq", community())

        assert [c.field for c in result.record] == ["org"]

    def test_refusal_carries_reasons_and_nothing_else(self) -> None:
        """GEN-4, HND-2: a refused handover has no lead, notification or record."""
        result = handover.apply(sample_lead(), PRO_NORTH, "hq", community(handover_on=False))

        assert not result.allowed
        assert result.codes == ("handover_disabled",)
        assert result.lead is None
        assert result.notifications == ()
        assert result.record == ()

    def test_inputs_are_not_mutated(self) -> None:
        """GEN-3: the lead, users and tree are unchanged after a handover."""
        before, tree = sample_lead(), community()
        snapshot = _wire.value((before, PRO_NORTH, tree))

        handover.apply(before, PRO_NORTH, "hq", tree)

        assert _wire.value((before, PRO_NORTH, tree)) == snapshot

    def test_policy_sets_pipeline_and_channels(self) -> None:
        """GEN-7, HND-4, HND-6: pipeline and channels come from the policy."""
        policy = HandoverPolicy(
            manager_pipeline="review", notification_channels=["sales_feed", "push"]
        )

        result = handover.apply(sample_lead(), PRO_NORTH, "hq", community(), policy=policy)

        assert result.lead is not None
        assert result.lead.pipeline == "review"
        assert {n.channels for n in result.notifications} == {("sales_feed", "push")}

    def test_apply_agrees_with_check(self) -> None:
        """HND-1..HND-3: apply refuses exactly what check refuses, with the same reasons."""
        sender = user("gen", "north", "lead_generator")

        verdict = handover.check(sample_lead("south"), sender, "hq", community())
        result = handover.apply(sample_lead("south"), sender, "hq", community())

        assert result.codes == verdict.codes == ("no_sales_licence", "not_in_sender_org")


class TestReview:
    """HND-5: the receiving organisation's manager accepts or assigns the lead."""

    def received(self) -> Lead:
        """Return a lead just handed over from north to hq."""
        result = handover.apply(sample_lead(), PRO_NORTH, "hq", community())
        assert result.lead is not None
        return result.lead

    def test_accepting_makes_the_manager_owner(self) -> None:
        """HND-5: accept: the reviewing manager owns the lead; it stays in hq."""
        lead = self.received()

        result = handover.review(lead, MANAGER_HQ)

        assert result.allowed
        assert result.lead == attrs.evolve(lead, owner="mgr_hq")
        assert result.record == (Change(lead="L1", field="owner", old=None, new="mgr_hq"),)

    def test_assigning_to_a_professional_of_the_org(self) -> None:
        """HND-5: assign: the professional owns it; the pipeline is kept."""
        lead = self.received()

        result = handover.review(lead, MANAGER_HQ, PRO_HQ)

        assert result.lead is not None
        assert result.lead.owner == "pro_hq"
        assert result.lead.pipeline == "manager"
        assert result.lead.org == "hq"

    def test_assigning_to_another_manager_of_the_org(self) -> None:
        """HND-5 [decided]: any Sales Licence user of the org may be assigned, managers too."""
        other = user("mgr2", "hq", "manager")

        result = handover.review(self.received(), MANAGER_HQ, other)

        assert result.lead is not None
        assert result.lead.owner == "mgr2"

    @pytest.mark.parametrize(
        "reviewer",
        [
            user("m", "north", "manager"),
            user("p", "hq", "professional"),
            user("s", "hq", "sales_manager"),
            user("n", None, "manager"),
        ],
    )
    def test_anyone_but_a_manager_of_the_org_is_refused(self, reviewer: User) -> None:
        """HND-5: another org's manager, a professional, no org: not_receiving_manager."""
        result = handover.review(self.received(), reviewer)

        assert result.codes == ("not_receiving_manager",)
        assert result.lead is None
        assert result.record == ()

    def test_lead_without_org_has_no_receiving_manager(self) -> None:
        """HND-5: a lead of no organisation cannot be reviewed, even by a manager."""
        result = handover.review(sample_lead(None), user("m", None, "manager"))

        assert result.codes == ("not_receiving_manager",)

    @pytest.mark.parametrize(
        "assignee",
        [
            user("p", "north", "professional"),
            user("g", "hq", "lead_generator"),
            user("a", "hq", "agent"),
            user("x", None, "professional"),
        ],
    )
    def test_assignee_outside_org_or_without_licence_is_invalid(self, assignee: User) -> None:
        """HND-5: invalid_assignee for another org's user or a user without licence."""
        result = handover.review(self.received(), MANAGER_HQ, assignee)

        assert result.codes == ("invalid_assignee",)

    def test_both_reasons_in_spec_order(self) -> None:
        """GEN-4, HND-5: not_receiving_manager then invalid_assignee."""
        result = handover.review(self.received(), PRO_HQ, user("x", "north", "agent"))

        assert result.codes == ("not_receiving_manager", "invalid_assignee")

    def test_an_owned_lead_may_be_reassigned(self) -> None:
        """HND-5 [decided]: review does not require the lead to be unassigned."""
        owned = attrs.evolve(self.received(), owner="pro_hq")

        result = handover.review(owned, MANAGER_HQ)

        assert result.lead is not None
        assert result.lead.owner == "mgr_hq"

    def test_wrong_types_are_invalid(self) -> None:
        """GEN-5: users given as text are named."""
        with pytest.raises(InvalidInput) as caught:
            handover.review(self.received(), "mgr", "pro")  # type: ignore[arg-type]  # on purpose

        assert [p.path for p in caught.value.problems] == ["manager", "assignee"]

    def test_policy_decides_who_manages(self) -> None:
        """GEN-7, HND-5: with sales_manager as the manager role, a sales manager reviews."""
        policy = HandoverPolicy(manager_roles=[Role.SALES_MANAGER])

        result = handover.review(self.received(), user("s", "hq", "sales_manager"), policy=policy)

        assert result.allowed


class TestCreate:
    """HND-7: a lead generator creates a lead and assigns it to a manager of its org."""

    def test_creates_in_the_manager_pipeline_owned_by_the_manager(self) -> None:
        """HND-7: org of the generator, manager pipeline, the manager as owner."""
        generator = user("gen", "hq", "lead_generator")
        draft = Lead(id="L7", customer=person("Grace", "Hopper"), status="new")

        result = handover.create(draft, generator, MANAGER_HQ)

        assert result.lead == attrs.evolve(draft, org="hq", pipeline="manager", owner="mgr_hq")
        assert [c.field for c in result.record] == ["owner", "org", "pipeline"]

    def test_the_manager_then_accepts_or_assigns(self) -> None:
        """HND-7, HND-5: the created lead goes through review."""
        created = handover.create(Lead(id="L7"), user("gen", "hq", "lead_generator"), MANAGER_HQ)
        assert created.lead is not None

        accepted = handover.review(created.lead, MANAGER_HQ)
        assigned = handover.review(created.lead, MANAGER_HQ, PRO_HQ)

        assert accepted.lead is not None
        assert accepted.lead.owner == "mgr_hq"
        assert accepted.record == ()
        assert assigned.lead is not None
        assert assigned.lead.owner == "pro_hq"

    def test_a_draft_already_in_the_generators_org_is_fine(self) -> None:
        """HND-7: lead.org may be given when it is the generator's."""
        result = handover.create(
            Lead(id="L7", org="hq"), user("gen", "hq", "lead_generator"), MANAGER_HQ
        )

        assert result.allowed

    def test_only_lead_generators_create(self) -> None:
        """HND-7: not_lead_generator (Python-only code) for anyone else."""
        result = handover.create(Lead(id="L7"), PRO_HQ, MANAGER_HQ)

        assert result.codes == ("not_lead_generator",)

    def test_manager_of_another_org_or_not_a_manager_is_refused(self) -> None:
        """HND-7: the manager must be a manager of the generator's organisation."""
        generator = user("gen", "hq", "lead_generator")

        other_org = handover.create(Lead(id="L7"), generator, MANAGER_NORTH)
        not_manager = handover.create(Lead(id="L7"), generator, PRO_HQ)

        assert other_org.codes == ("not_receiving_manager",)
        assert not_manager.codes == ("not_receiving_manager",)

    def test_every_reason_in_order(self) -> None:
        """GEN-4, HND-7: generator, lead's org, manager."""
        result = handover.create(Lead(id="L7", org="south"), PRO_HQ, MANAGER_NORTH)

        assert result.codes == ("not_lead_generator", "not_in_sender_org", "not_receiving_manager")
        assert result.lead is None

    def test_generator_without_org_is_invalid(self) -> None:
        """GEN-5, HND-7: the new lead's organisation is the generator's, so it is required."""
        with pytest.raises(InvalidInput) as caught:
            handover.create(Lead(id="L7"), user("gen", None, "lead_generator"), MANAGER_HQ)

        assert caught.value.path == "generator.org"

    def test_wrong_types_are_invalid(self) -> None:
        """GEN-5: a wrong argument is named."""
        with pytest.raises(InvalidInput) as caught:
            handover.create(Lead(id="L7"), MANAGER_HQ, None)  # type: ignore[arg-type]  # on purpose

        assert caught.value.path == "manager"


class TestCrossSilo:
    """HND-8: child to child of one parent, only when the parent enables cross silo."""

    def test_siblings_with_cross_silo_enabled(self) -> None:
        """HND-8, HND-4: the lead lands unassigned in the sibling's manager pipeline."""
        before = sample_lead()

        result = handover.cross_silo(before, PRO_NORTH, "south", community(cross_silo_on=True))

        assert result.allowed
        assert result.lead == attrs.evolve(before, org="south", pipeline="manager", owner=None)
        assert revert(result.lead, result.record) == before

    def test_notifies_both_siblings_not_the_parent(self) -> None:
        """HND-8, HND-6 [decided]: kind cross_silo, to sender and receiver only."""
        result = handover.cross_silo(
            sample_lead(), PRO_NORTH, "south", community(cross_silo_on=True)
        )

        assert [(n.to, n.kind, n.channels) for n in result.notifications] == [
            ("north", "cross_silo", ("sales_feed",)),
            ("south", "cross_silo", ("sales_feed",)),
        ]

    def test_disabled_cross_silo_is_refused(self) -> None:
        """HND-8: parent's cross silo off: cross_silo_disabled."""
        result = handover.cross_silo(sample_lead(), PRO_NORTH, "south", community())

        assert result.codes == ("cross_silo_disabled",)
        assert result.lead is None
        assert result.reasons[0].facts["parent"] == "hq"

    def test_handover_setting_does_not_matter(self) -> None:
        """HND-8 [decided]: cross silo needs cross_silo_enabled only, not handover_enabled."""
        tree = community(handover_on=False, cross_silo_on=True)

        assert handover.check_cross_silo(sample_lead(), PRO_NORTH, "south", tree).allowed

    def test_parent_and_child_must_use_handover(self) -> None:
        """HND-8: a parent/child pair is use_handover, both ways."""
        tree = community(cross_silo_on=True)

        up = handover.check_cross_silo(sample_lead(), PRO_NORTH, "hq", tree)
        down = handover.check_cross_silo(sample_lead("hq"), MANAGER_HQ, "north", tree)

        assert up.codes == down.codes == ("use_handover",)

    def test_organisations_without_a_common_parent_are_not_siblings(self) -> None:
        """HND-8: cousins, grandparents and roots are not_siblings."""
        tree = community(cross_silo_on=True)
        south_pro = user("p_s", "south", "professional")

        cousin = handover.check_cross_silo(sample_lead("south"), south_pro, "north_east", tree)
        grand = handover.check_cross_silo(sample_lead("hq"), MANAGER_HQ, "north_east", tree)
        roots = handover.check_cross_silo(sample_lead("hq"), MANAGER_HQ, "island", tree)

        assert cousin.codes == grand.codes == roots.codes == ("not_siblings",)

    def test_same_org(self) -> None:
        """HND-8: a cross silo to the sender's own organisation is same_org."""
        result = handover.check_cross_silo(sample_lead(), PRO_NORTH, "north", community())

        assert result.codes == ("same_org",)

    def test_sender_rules_of_handover_apply(self) -> None:
        """HND-8, HND-3: Sales Licence and the sender's own lead, after the direction."""
        sender = user("gen", "north", "lead_generator")

        result = handover.cross_silo(sample_lead("hq"), sender, "south", community())

        assert result.codes == ("cross_silo_disabled", "no_sales_licence", "not_in_sender_org")

    def test_received_lead_is_reviewed_like_a_handover(self) -> None:
        """HND-8, HND-5: the sibling's manager accepts it; it stays in the sibling."""
        moved = handover.cross_silo(
            sample_lead(), PRO_NORTH, "south", community(cross_silo_on=True)
        )
        assert moved.lead is not None

        reviewed = handover.review(moved.lead, user("m_s", "south", "manager"))

        assert reviewed.lead is not None
        assert (reviewed.lead.org, reviewed.lead.owner) == ("south", "m_s")

    def test_unknown_target_is_invalid(self) -> None:
        """GEN-5, HND-8: a target not in orgs is refused."""
        with pytest.raises(InvalidInput) as caught:
            handover.cross_silo(sample_lead(), PRO_NORTH, "mars", community())

        assert caught.value.path == "target_org"


class TestResults:
    """GEN-4: result objects are consistent by construction."""

    def test_an_allowed_result_cannot_carry_reasons(self) -> None:
        """GEN-4: allowed with a reason is refused."""
        reason = Reason(code="same_org", message="m")

        with pytest.raises(InvalidInput) as caught:
            HandoverResult(allowed=True, reasons=[reason], lead=Lead(id="L"))

        assert caught.value.path == "reasons"

    def test_a_refusal_cannot_carry_a_lead(self) -> None:
        """GEN-4: a refused result has no lead."""
        reason = Reason(code="invalid_assignee", message="m")

        with pytest.raises(InvalidInput) as caught:
            AssignmentResult(allowed=False, reasons=[reason], lead=Lead(id="L"))

        assert caught.value.path == "lead"

    def test_an_allowed_result_needs_a_lead(self) -> None:
        """GEN-4: allowed without a lead is refused."""
        with pytest.raises(InvalidInput) as caught:
            AssignmentResult(allowed=True)

        assert caught.value.path == "lead"

    def test_policy_fields_are_checked(self) -> None:
        """GEN-7: a policy with an unknown role or an empty pipeline is refused."""
        with pytest.raises(InvalidInput) as caught:
            HandoverPolicy(sales_licence_roles=["boss"], manager_pipeline="")

        assert [p.path for p in caught.value.problems] == [
            "sales_licence_roles[0]",
            "manager_pipeline",
        ]

    def test_policy_defaults_are_the_spec_values(self) -> None:
        """GEN-7, HND-3..HND-7: defaults as the rulebook says."""
        policy = HandoverPolicy()

        assert policy.sales_licence_roles == {Role.MANAGER, Role.PROFESSIONAL}
        assert policy.manager_roles == {Role.MANAGER}
        assert policy.lead_generator_roles == {Role.LEAD_GENERATOR}
        assert policy.manager_pipeline == "manager"
        assert policy.notification_channels == ("sales_feed",)

    def test_public_names(self) -> None:
        """STYLE: dir() shows __all__, and every public function is documented."""
        assert dir(handover) == sorted(handover.__all__)
        assert all(
            getattr(handover, name).__doc__ for name in handover.__all__ if name[0].islower()
        )


def test_person_is_untouched_by_handover() -> None:
    """GEN-3, HND-4: the customer travels with the lead unchanged."""
    before = sample_lead(customer=Person(first_name="Zoë", emails=("z@x.io",)))

    result = handover.apply(before, PRO_NORTH, "hq", community())

    assert result.lead is not None
    assert result.lead.customer == before.customer


def test_child_to_child_without_cross_silo_goes_through_the_parent() -> None:
    """HND-1, HND-8: north to south takes two handovers, landing in hq's pipeline between."""
    tree = community()
    direct = handover.apply(sample_lead(), PRO_NORTH, "south", tree)
    up = handover.apply(sample_lead(), PRO_NORTH, "hq", tree)
    assert up.lead is not None

    down = handover.apply(up.lead, MANAGER_HQ, "south", tree)

    assert direct.codes == ("use_cross_silo",)
    assert (up.lead.org, up.lead.pipeline, up.lead.owner) == ("hq", "manager", None)
    assert down.lead is not None
    assert down.lead.org == "south"


def test_docs_page_examples_run() -> None:
    """HND-1..HND-8: the examples of docs/handover.md are doctested."""
    page = Path(__file__).parent.parent / "docs" / "handover.md"

    outcome = doctest.testfile(str(page), module_relative=False, verbose=False)

    assert outcome.attempted > 0
    assert outcome.failed == 0


def test_unhashable_target_is_invalid_input() -> None:
    """GEN-5: a list given as target_org is named, not a TypeError."""
    with pytest.raises(InvalidInput) as caught:
        handover.check(sample_lead(), PRO_NORTH, ["hq"], community())  # type: ignore[arg-type]  # on purpose

    assert caught.value.path == "target_org"


def test_a_long_cycle_is_named_briefly() -> None:
    """GEN-5, HND-1: a cycle through many organisations does not flood the message."""
    orgs = [Org(id=f"o{i}", parent=f"o{(i - 1) % 50}") for i in range(50)]

    with pytest.raises(InvalidInput) as caught:
        OrgTree(orgs=orgs)

    assert caught.value.path == "orgs[0].parent"
    assert "(50 organisations)" in str(caught.value)
    assert len(str(caught.value)) < 300
