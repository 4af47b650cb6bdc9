"""
leadcore.handover pinned down in full, where the example tests leave it open.

Every reason's message and facts for each relation of two organisations, every problem of
an error (the tree's, the arguments'), the results' own consistency checks and how they
show themselves. Each test kills mutants of handover.py that the example tests let
survive (mutation testing, issue 20: ``python3 dev.py mutate handover``).
"""

from __future__ import annotations

import pytest

from leadcore import _display, handover
from leadcore.decisions import Change, Reason
from leadcore.handover import AssignmentResult, HandoverPolicy, HandoverResult, OrgTree
from leadcore.model import Lead, Notification, Org, User

from .asserts import explained, problems

ORGS = (
    Org(id="hq"),
    Org(id="a", parent="hq"),
    Org(id="b", parent="hq"),
    Org(id="c", parent="a"),
    Org(id="x"),
)
TREE = OrgTree(orgs=ORGS)
AGENT = User(id="u1", org="a", roles=["agent"])
ELSEWHERE = Lead(id="L1", org="b")
"""A lead of organisation b, sent by an agent of a: HND-3 fails twice whatever the target."""

SENDER_REASONS = [
    (
        "no_sales_licence",
        "'u1' has no Sales Licence role (manager, professional)",
        {"roles": ["agent"], "sender": "u1"},
    ),
    (
        "not_in_sender_org",
        "lead 'L1' belongs to 'b', not to the sender's organisation 'a'",
        {"lead_org": "b", "sender_org": "a"},
    ),
]


def facts(relation: str, target: str, **more: object) -> dict[str, object]:
    """The facts every relation reason carries, from organisation a."""
    return {**more, "relation": relation, "sender_org": "a", "target_org": target}


class TestEveryReasonInFull:
    """HND-1 to HND-3 and HND-8, for every relation of a to another organisation."""

    @pytest.mark.parametrize(
        ("target", "first"),
        [
            ("a", ("same_org", "the lead is already in organisation 'a'", facts("same", "a"))),
            (
                "b",
                (
                    "use_cross_silo",
                    (
                        "'a' and 'b' are children of the same parent: child to child needs the "
                        "cross-silo transfer"
                    ),
                    facts("siblings", "b"),
                ),
            ),
            (
                "c",
                (
                    "handover_disabled",
                    "handover is not enabled in the settings of the parent organisation 'a'",
                    facts("parent_to_child", "c", parent="a"),
                ),
            ),
            (
                "hq",
                (
                    "handover_disabled",
                    "handover is not enabled in the settings of the parent organisation 'hq'",
                    facts("child_to_parent", "hq", parent="hq"),
                ),
            ),
            (
                "x",
                (
                    "not_related",
                    (
                        "'a' and 'x' are not a parent and one of its direct children: a handover "
                        "goes only between them"
                    ),
                    facts("unrelated", "x"),
                ),
            ),
        ],
    )
    def test_handover(self, target: str, first: tuple[str, str, dict[str, object]]) -> None:
        """HND-1, HND-2, then HND-3's two reasons."""
        verdict = handover.check(ELSEWHERE, AGENT, target, TREE)
        refused = handover.apply(ELSEWHERE, AGENT, target, TREE)

        assert explained(verdict.reasons) == [first, *SENDER_REASONS]
        assert explained(refused.reasons) == [first, *SENDER_REASONS]
        assert (refused.allowed, refused.lead, refused.notifications, refused.record) == (
            False,
            None,
            (),
            (),
        )

    @pytest.mark.parametrize(
        ("target", "first"),
        [
            ("a", ("same_org", "the lead is already in organisation 'a'", facts("same", "a"))),
            (
                "b",
                (
                    "cross_silo_disabled",
                    "cross silo is not enabled in the settings of the parent organisation 'hq'",
                    facts("siblings", "b", parent="hq"),
                ),
            ),
            (
                "c",
                (
                    "use_handover",
                    "'a' and 'c' are a parent and its child: use a handover",
                    facts("parent_to_child", "c"),
                ),
            ),
            (
                "hq",
                (
                    "use_handover",
                    "'a' and 'hq' are a parent and its child: use a handover",
                    facts("child_to_parent", "hq"),
                ),
            ),
            (
                "x",
                (
                    "not_siblings",
                    "'a' and 'x' are not children of the same parent",
                    facts("unrelated", "x"),
                ),
            ),
        ],
    )
    def test_cross_silo(self, target: str, first: tuple[str, str, dict[str, object]]) -> None:
        """HND-8, then HND-3's two reasons."""
        verdict = handover.check_cross_silo(ELSEWHERE, AGENT, target, TREE)
        refused = handover.cross_silo(ELSEWHERE, AGENT, target, TREE)

        assert explained(verdict.reasons) == [first, *SENDER_REASONS]
        assert explained(refused.reasons) == [first, *SENDER_REASONS]

    def test_a_policy_without_sales_licence_roles_names_none(self) -> None:
        """HND-3: the roles that would do, "none" when the policy has none."""
        lead = Lead(id="L1", org="a")
        policy = HandoverPolicy(sales_licence_roles=[])

        verdict = handover.check(lead, AGENT, "hq", TREE, policy=policy)

        assert explained(verdict.reasons)[1:] == [
            (
                "no_sales_licence",
                "'u1' has no Sales Licence role (none)",
                {"roles": ["agent"], "sender": "u1"},
            )
        ]

    def test_review_by_a_stranger_to_a_stranger(self) -> None:
        """HND-5: a reviewer and an assignee outside a lead without organisation."""
        reviewer = User(id="m1", org="north", roles=["professional"])
        assignee = User(id="p", org="z", roles=["agent"])

        result = handover.review(Lead(id="L1"), reviewer, assignee)

        assert explained(result.reasons) == [
            (
                "not_receiving_manager",
                "'m1' is not a manager of organisation None",
                {"lead_org": None, "manager": "m1", "manager_org": "north"},
            ),
            (
                "invalid_assignee",
                "'p' is not a Sales Licence user of organisation None",
                {"assignee": "p", "assignee_org": "z", "roles": ["agent"]},
            ),
        ]
        assert (result.allowed, result.lead, result.record) == (False, None, ())

    @pytest.mark.parametrize(
        "assignee",
        [
            User(id="p", org="north", roles=["professional"]),
            User(id="p", org="hq", roles=["agent"]),
        ],
    )
    def test_an_assignee_needs_the_org_and_a_licence(self, assignee: User) -> None:
        """HND-5: of the lead's organisation, with a Sales Licence role: both."""
        manager = User(id="m1", org="hq", roles=["manager"])

        result = handover.review(Lead(id="L1", org="hq"), manager, assignee)

        assert result.codes == ("invalid_assignee",)
        assert dict(result.reasons[0].facts)["assignee_org"] == assignee.org

    def test_create_by_a_non_generator_for_another_org(self) -> None:
        """HND-7: the three reasons, each with its facts."""
        generator = User(id="g", org="hq", roles=["agent"])
        manager = User(id="m1", org="north", roles=["professional"])

        result = handover.create(Lead(id="L1", org="z"), generator, manager)

        assert explained(result.reasons) == [
            (
                "not_lead_generator",
                "'g' is not a lead generator",
                {"generator": "g", "roles": ["agent"]},
            ),
            (
                "not_in_sender_org",
                "lead 'L1' belongs to 'z', not to the lead generator's organisation 'hq'",
                {"lead_org": "z", "sender_org": "hq"},
            ),
            (
                "not_receiving_manager",
                "'m1' is not a manager of organisation 'hq'",
                {"lead_org": "hq", "manager": "m1", "manager_org": "north"},
            ),
        ]

    def test_a_manager_of_the_generators_org_in_another_role_is_refused(self) -> None:
        """HND-7: the manager's organisation is right, the role is not."""
        generator = User(id="g", org="hq", roles=["lead_generator"])

        result = handover.create(Lead(id="L1"), generator, User(id="m1", org="hq"))

        assert result.codes == ("not_receiving_manager",)


class TestMadeTransfers:
    """HND-4, HND-6, HND-8: the lead, the notifications and the record in full."""

    def test_a_handover_notifies_both_orgs_on_the_sales_feed(self) -> None:
        """HND-6: one notification per organisation involved, kind ``handover``."""
        tree = OrgTree(orgs=[Org(id="hq", handover_enabled=True), Org(id="a", parent="hq")])
        pro = User(id="u1", org="a", roles=["professional"])
        lead = Lead(id="L1", org="a", owner="u1", pipeline="sales")

        result = handover.apply(lead, pro, "hq", tree)

        assert result.lead == Lead(id="L1", org="hq", owner=None, pipeline="manager")
        assert result.notifications == (
            Notification(to="a", kind="handover", lead="L1", channels=("sales_feed",)),
            Notification(to="hq", kind="handover", lead="L1", channels=("sales_feed",)),
        )
        assert result.record == (
            Change(lead="L1", field="owner", old="u1", new=None),
            Change(lead="L1", field="org", old="a", new="hq"),
            Change(lead="L1", field="pipeline", old="sales", new="manager"),
        )

    def test_a_cross_silo_transfer_uses_the_policy(self) -> None:
        """HND-8: kind ``cross_silo``; pipeline and channels from the policy."""
        tree = OrgTree(
            orgs=[
                Org(id="hq", cross_silo_enabled=True),
                Org(id="a", parent="hq"),
                Org(id="b", parent="hq"),
            ]
        )
        pro = User(id="u1", org="a", roles=["manager"])
        policy = HandoverPolicy(manager_pipeline="inbox", notification_channels=["feed", "mail"])

        result = handover.cross_silo(Lead(id="L1", org="a"), pro, "b", tree, policy=policy)

        assert result.lead == Lead(id="L1", org="b", pipeline="inbox")
        assert [(n.to, n.kind, n.channels) for n in result.notifications] == [
            ("a", "cross_silo", ("feed", "mail")),
            ("b", "cross_silo", ("feed", "mail")),
        ]

    def test_review_accepts_or_assigns_only_the_owner(self) -> None:
        """HND-5: only ``owner`` changes, recorded."""
        lead = Lead(id="L1", org="hq", pipeline="manager")
        manager = User(id="m1", org="hq", roles=["manager"])
        pro = User(id="p1", org="hq", roles=["professional"])

        accepted = handover.review(lead, manager)
        assigned = handover.review(lead, manager, pro)

        assert (accepted.allowed, accepted.lead, accepted.reasons) == (
            True,
            Lead(id="L1", org="hq", pipeline="manager", owner="m1"),
            (),
        )
        assert accepted.record == (Change(lead="L1", field="owner", old=None, new="m1"),)
        assert assigned.record == (Change(lead="L1", field="owner", old=None, new="p1"),)

    def test_create_fills_org_pipeline_and_owner(self) -> None:
        """HND-7: the generator's organisation, the policy's pipeline, the manager."""
        generator = User(id="g", org="hq", roles=["lead_generator"])
        manager = User(id="m1", org="hq", roles=["manager"])

        made = handover.create(
            Lead(id="L1", org="hq"),
            generator,
            manager,
            policy=HandoverPolicy(manager_pipeline="inbox"),
        )

        assert made.lead == Lead(id="L1", org="hq", pipeline="inbox", owner="m1")
        assert [(c.field, c.old, c.new) for c in made.record] == [
            ("owner", None, "m1"),
            ("pipeline", None, "inbox"),
        ]


class TestOwnChecks:
    """GEN-5: each argument named by ``@checked`` (types), then by the rule (the tree)."""

    def test_transfer_arguments_are_checked_first(self) -> None:
        """Wrong types stop before the tree is looked at."""
        assert problems(handover.check, None, 3, "t", [], policy=1) == [
            ("lead", None, "must be a Lead, not None"),
            ("sender", 3, "must be a User, not int"),
            ("policy", 1, "must be a HandoverPolicy, not int"),
        ]

    @pytest.mark.parametrize(
        ("sender", "first"),
        [
            (
                User(id="u"),
                (
                    "sender.org",
                    None,
                    "is required: the sending organisation is the sender's organisation",
                ),
            ),
            (
                User(id="u", org="zz"),
                ("sender.org", "zz", "is not the id of an organisation in orgs"),
            ),
        ],
    )
    def test_sender_and_target_must_be_in_the_tree(
        self, sender: User, first: tuple[object, ...]
    ) -> None:
        """Both problems at once, for a handover and for cross silo."""
        found = [first, ("target_org", "t", "is not the id of an organisation in orgs")]

        assert problems(handover.check, Lead(id="L"), sender, "t", ORGS) == found
        assert problems(handover.cross_silo, Lead(id="L"), sender, "t", TREE) == found

    def test_review_checks_each_argument(self) -> None:
        """The lead, the manager, the assignee when given, the policy."""
        assert problems(handover.review, None, 3, "x", policy=1) == [
            ("lead", None, "must be a Lead, not None"),
            ("manager", 3, "must be a User, not int"),
            ("assignee", "x", "must be a User or None, not str"),
            ("policy", 1, "must be a HandoverPolicy, not int"),
        ]

    def test_create_checks_each_argument_then_the_generators_org(self) -> None:
        """The generator's organisation is asked only of a real user."""
        assert problems(handover.create, None, 3, "x", policy=1) == [
            ("lead", None, "must be a Lead, not None"),
            ("generator", 3, "must be a User, not int"),
            ("manager", "x", "must be a User, not str"),
            ("policy", 1, "must be a HandoverPolicy, not int"),
        ]
        assert problems(handover.create, Lead(id="L"), User(id="g"), User(id="m")) == [
            ("generator.org", None, "is required: the lead's organisation")
        ]


class TestOrgTree:
    """HND-1: the organisations form a forest; every fault reported, in list order."""

    def test_every_fault_at_once_in_list_order(self) -> None:
        """A cycle, a repeated id, an unknown parent: by index, then by kind."""
        orgs = [
            Org(id="a", parent="b"),
            Org(id="b", parent="a"),
            Org(id="a"),
            Org(id="c", parent="q"),
        ]

        assert problems(OrgTree, orgs=orgs) == [
            (
                "orgs[0].parent",
                "b",
                "makes a cycle of parents (a -> b -> a); the tree needs a root",
            ),
            ("orgs[2].id", "a", "repeats the id of orgs[0]; ids must be unique"),
            (
                "orgs[3].parent",
                "q",
                "is not the id of an organisation in orgs (add the parent to orgs)",
            ),
        ]

    def test_a_cycle_starts_at_its_first_org_in_the_list(self) -> None:
        """The cycle is named from the organisation listed first, whatever the walk."""
        orgs = [
            Org(id="r"),
            Org(id="c", parent="b"),
            Org(id="b", parent="d"),
            Org(id="d", parent="c"),
        ]

        assert problems(OrgTree, orgs=orgs) == [
            (
                "orgs[1].parent",
                "b",
                "makes a cycle of parents (c -> b -> d -> c); the tree needs a root",
            )
        ]

    def test_an_org_its_own_parent_is_a_cycle(self) -> None:
        """The shortest cycle, after a tree that is fine."""
        orgs = [Org(id="r"), Org(id="s", parent="r"), Org(id="t", parent="t")]

        assert problems(OrgTree, orgs=orgs) == [
            ("orgs[2].parent", "t", "makes a cycle of parents (t -> t); the tree needs a root")
        ]

    @pytest.mark.parametrize(("size", "shown"), [(7, None), (8, "... (8 organisations)")])
    def test_a_long_cycle_shows_its_start(self, size: int, shown: str | None) -> None:
        """Eight names at most: seven and the length, once the loop is longer."""
        orgs = [Org(id=f"o{i}", parent=f"o{(i + 1) % size}") for i in range(size)]
        names = [f"o{i}" for i in range(size)] + ["o0"]
        loop = names if shown is None else [*names[:7], shown]

        assert problems(OrgTree, orgs=orgs) == [
            (
                "orgs[0].parent",
                "o1",
                f"makes a cycle of parents ({' -> '.join(loop)}); the tree needs a root",
            )
        ]

    def test_relation_refuses_unknown_orgs(self) -> None:
        """Both ids named."""
        assert problems(TREE.relation, "zz", 3) == [
            ("source", "zz", "is not the id of an organisation in the tree"),
            ("target", 3, "is not the id of an organisation in the tree"),
        ]

    def test_lookups(self) -> None:
        """find, parent_of, children_of and ``in``; two roots are not siblings."""
        assert TREE.find("a") == Org(id="a", parent="hq")
        assert TREE.find("zz") is None
        assert TREE.parent_of("c") == Org(id="a", parent="hq")
        assert TREE.parent_of("hq") is None
        assert TREE.parent_of("zz") is None
        assert TREE.children_of("hq") == ("a", "b")
        assert TREE.children_of("x") == ()
        assert ("a" in TREE, "zz" in TREE, 3 in TREE) == (True, False, False)
        assert TREE.relation("hq", "x") == "unrelated"
        assert TREE.relation("c", "b") == "unrelated"

    def test_the_first_org_of_a_repeated_id_counts(self) -> None:
        """Lookups see the first organisation with an id (the error names the rest)."""
        first = Org(id="a", handover_enabled=True)
        found = handover._first_by_id((first, Org(id="a"), "junk"))

        assert found == {"a": first}
        assert handover._first_by_id([first]) == {}


class TestResultConsistency:
    """A result is either made (a lead, no reasons) or refused (reasons, no lead)."""

    REASON = Reason(code="same_org", message="the lead is already in organisation 'a'")
    LEAD = Lead(id="L1")

    @pytest.mark.parametrize("result", [HandoverResult, AssignmentResult])
    def test_reasons_exactly_when_refused(self, result: type) -> None:
        """Allowed with reasons, or refused without: the reasons are wrong."""
        assert problems(result, allowed=True, reasons=[self.REASON], lead=self.LEAD) == [
            ("reasons", (self.REASON,), "must be empty exactly when allowed is true")
        ]
        assert problems(result, allowed=False) == [
            ("reasons", (), "must be empty exactly when allowed is true")
        ]

    @pytest.mark.parametrize("result", [HandoverResult, AssignmentResult])
    def test_a_lead_exactly_when_allowed(self, result: type) -> None:
        """Allowed without a lead, or refused with one: the lead is wrong."""
        assert problems(result, allowed=True) == [
            ("lead", None, "must be given exactly when allowed is true")
        ]
        assert problems(result, allowed=False, reasons=[self.REASON], lead=self.LEAD) == [
            ("lead", self.LEAD, "must be given exactly when allowed is true")
        ]


class TestShown:
    """How the results show themselves: headline, summary, first rows of tables."""

    def test_a_handover(self) -> None:
        """The lead, where it went, the first change and notification of each table."""
        tree = OrgTree(orgs=[Org(id="hq", handover_enabled=True), Org(id="a", parent="hq")])
        pro = User(id="u1", org="a", roles=["professional"])

        result = handover.apply(Lead(id="L1", org="a", owner="u1"), pro, "hq", tree)

        assert result._view(1) == _display.View(
            "HandoverResult",
            "'L1' handed over to 'hq' (manager pipeline)",
            facts=[
                ("lead", "L1"),
                ("org", "hq"),
                ("pipeline", "manager"),
                ("notifications", 2),
                ("changes", 3),
            ],
            tables=[
                _display.Table(
                    "record", ("lead", "field", "old", "new"), [("L1", "owner", "u1", None)], 3
                ),
                _display.Table(
                    "notifications",
                    ("to", "kind", "lead", "channels"),
                    [("a", "handover", "L1", ("sales_feed",))],
                    2,
                ),
            ],
        )

    def test_a_refused_handover(self) -> None:
        """The codes, then the reasons cut to ``rows``."""
        result = handover.apply(ELSEWHERE, AGENT, "a", TREE)

        assert result._view(1) == _display.View(
            "HandoverResult",
            "refused: same_org, no_sales_licence, not_in_sender_org",
            tables=[
                _display.Table(
                    "reasons",
                    ("code", "message"),
                    [("same_org", "the lead is already in organisation 'a'")],
                    3,
                )
            ],
        )

    def test_an_assignment_and_its_refusal(self) -> None:
        """Who owns the lead now; or why not."""
        manager = User(id="m1", org="hq", roles=["manager"])
        lead = Lead(id="L1", org="hq", owner="u1")

        made = handover.review(lead, manager)
        refused = handover.create(Lead(id="L1", org="z"), User(id="g", org="hq"), User(id="m"))

        assert made._view(1) == _display.View(
            "AssignmentResult",
            "'L1' assigned to 'm1'",
            facts=[("lead", "L1"), ("owner", "m1"), ("changes", 1)],
            tables=[
                _display.Table(
                    "record", ("lead", "field", "old", "new"), [("L1", "owner", "u1", "m1")], 1
                )
            ],
        )
        assert refused._view(1) == _display.View(
            "AssignmentResult",
            "refused: not_lead_generator, not_in_sender_org, not_receiving_manager",
            tables=[
                _display.Table(
                    "reasons",
                    ("code", "message"),
                    [("not_lead_generator", "'g' is not a lead generator")],
                    3,
                )
            ],
        )


def test_an_invalid_assignee_names_the_leads_org() -> None:
    """HND-5: the organisation the assignee should belong to."""
    manager = User(id="m1", org="hq", roles=["manager"])
    stranger = User(id="p", org="north", roles=["professional"])

    result = handover.review(Lead(id="L1", org="hq"), manager, stranger)

    assert explained(result.reasons) == [
        (
            "invalid_assignee",
            "'p' is not a Sales Licence user of organisation 'hq'",
            {"assignee": "p", "assignee_org": "north", "roles": ["professional"]},
        )
    ]


def test_cross_silo_asks_the_policy_who_holds_a_licence() -> None:
    """HND-3 for cross silo: the policy's Sales Licence roles, not the default ones."""
    tree = OrgTree(
        orgs=[
            Org(id="hq", cross_silo_enabled=True),
            Org(id="a", parent="hq"),
            Org(id="b", parent="hq"),
        ]
    )
    agents_licensed = HandoverPolicy(sales_licence_roles=["agent"])

    moved = handover.cross_silo(Lead(id="L1", org="a"), AGENT, "b", tree, policy=agents_licensed)
    refused = handover.cross_silo(Lead(id="L1", org="a"), AGENT, "b", tree)

    assert (moved.allowed, refused.codes) == (True, ("no_sales_licence",))


def test_a_created_lead_shows_its_first_changes() -> None:
    """The record table cut to ``rows`` rows, its total kept."""
    generator = User(id="g", org="hq", roles=["lead_generator"])
    manager = User(id="m1", org="hq", roles=["manager"])

    made = handover.create(Lead(id="L1"), generator, manager)

    assert made._view(1).tables == (
        _display.Table("record", ("lead", "field", "old", "new"), [("L1", "owner", None, "m1")], 3),
    )
