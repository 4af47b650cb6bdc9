"""
leadcore.linking pinned down in full, where the example tests leave it open.

Every reason's message and facts, every problem of an error, the result's own
consistency checks, how results show themselves.

Each test here kills mutants of linking.py that the example tests let survive (mutation
testing, issue 20: ``python3 dev.py mutate linking``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from leadcore import _attrs as a
from leadcore import _display, linking
from leadcore.decisions import CancelledEvent, Change, Reason
from leadcore.linking import AppAccess, LinkPolicy, LinkResult
from leadcore.model import Event, Lead, Notification, Role, User

from .asserts import explained, problems
from .helpers import NOW

SUPER = User(id="admin", roles=[Role.SUPER_USER])
WIP = LinkPolicy(wip_statuses=("claimed", "interested"))


class TestEveryReasonInFull:
    """LNK-1 to LNK-4, LNK-7 and the chain guards: code, message and facts (GEN-4)."""

    def test_all_nine_reasons_at_once(self) -> None:
        """One pair of leads that breaks every rule: each reason says what it looked at."""
        first = Lead(id="L1", project="P", status="linked", linked_to="L0", owner="sm1")
        second = Lead(id="L1", project="Q", status="linked", linked_to="L1", owner="sm2")
        existing = [Lead(id="L5", linked_to="L1"), Lead(id="L4", linked_to="L1"), first]

        verdict = linking.check(first, second, User(id="u9"), "sm3", existing=existing, policy=WIP)

        assert not verdict.allowed
        assert explained(verdict.reasons) == [
            (
                "different_project",
                (
                    "leads of different projects cannot be linked ('P' and 'Q'); "
                    "the same mandate is not enough"
                ),
                {"primary": "P", "secondary": "Q"},
            ),
            (
                "primary_not_wip",
                "the primary lead's status 'linked' is not work in progress (claimed, interested)",
                {"status": "linked", "wip_statuses": ("claimed", "interested")},
            ),
            (
                "secondary_not_wip",
                (
                    "the secondary lead's status 'linked' is not work in progress "
                    "(claimed, interested)"
                ),
                {"status": "linked", "wip_statuses": ("claimed", "interested")},
            ),
            (
                "not_permitted",
                "user 'u9' is neither a super user nor an assignment owner of the leads' project",
                {"actor": "u9", "project": "P"},
            ),
            (
                "invalid_owner",
                "the chosen sales manager 'sm3' owns neither lead (owners: sm1, sm2)",
                {"owner": "sm3", "owners": ("sm1", "sm2")},
            ),
            ("same_lead", "lead 'L1' cannot be linked to itself", {"lead": "L1"}),
            (
                "primary_is_linked",
                (
                    "the primary 'L1' is itself a linked secondary (status 'linked', linked to "
                    "'L0'); link to its primary instead (no chains)"
                ),
                {"linked_to": "L0", "status": "linked"},
            ),
            (
                "secondary_already_linked",
                (
                    "the secondary 'L1' is already linked (status 'linked', linked to 'L1'); "
                    "this link was made before"
                ),
                {"linked_to": "L1", "status": "linked"},
            ),
            (
                "secondary_has_secondaries",
                (
                    "the secondary 'L1' is the primary of L4, L5; make it the primary instead "
                    "(no chains)"
                ),
                {"secondaries": ("L4", "L5")},
            ),
        ]

    def test_a_secondary_linked_elsewhere_and_leads_without_owners(self) -> None:
        """LNK-4, LNK-7: no owner at all reads "none"; a link to another primary is new."""
        first = Lead(id="L1", project="P", status="claimed")
        second = Lead(id="L2", project="P", status="claimed", linked_to="L9")

        verdict = linking.check(first, second, SUPER, "sm1")

        assert explained(verdict.reasons) == [
            (
                "invalid_owner",
                "the chosen sales manager 'sm1' owns neither lead (owners: none)",
                {"owner": "sm1", "owners": ()},
            ),
            (
                "secondary_already_linked",
                "the secondary 'L2' is already linked (status 'claimed', linked to 'L9')",
                {"linked_to": "L9", "status": "claimed"},
            ),
        ]

    def test_a_refused_apply_gives_the_same_reasons_and_nothing_else(self) -> None:
        """LNK-1: ``apply`` refuses with ``check``'s reasons, facts included."""
        first = Lead(id="L1", project=None, status="claimed", owner="sm1")
        second = Lead(id="L2", project="P", status="claimed", owner="sm1")

        result = linking.apply(first, second, SUPER, "sm1", now=NOW)

        assert (result.allowed, result.primary, result.secondary, result.record) == (
            False,
            None,
            None,
            (),
        )
        assert explained(result.reasons) == explained(
            linking.check(first, second, SUPER, "sm1").reasons
        )
        assert explained(result.reasons) == [
            (
                "different_project",
                (
                    "leads of different projects cannot be linked (None and 'P'); the same "
                    "mandate is not enough"
                ),
                {"primary": None, "secondary": "P"},
            ),
        ]
        assert result.verdict.reasons == result.reasons
        assert result.codes == ("different_project",)


class TestOwnChecks:
    """GEN-5: each bad argument named by path, value and what is wrong with it.

    ``@checked`` reports every argument of a wrong type at once; what types cannot say
    (an empty id, a naive time, an item of the wrong type) the rule reports itself.
    """

    def test_check_reports_every_bad_argument(self) -> None:
        """Each argument by name, value and what is wrong with it."""
        assert problems(linking.check, "x", None, 3, "", existing="abc", policy=None) == [
            ("primary", "x", "must be a Lead, not str"),
            ("secondary", None, "must be a Lead, not None"),
            ("actor", 3, "must be a User, not int"),
            ("owner", "", "must be a non-empty id"),
            ("existing", "abc", "must be a list, not str"),
            ("policy", None, "must be a LinkPolicy, not None"),
        ]

    @pytest.mark.parametrize(
        ("existing", "problem"),
        [
            (5, ("existing", 5, "must be a list, not int")),
            (b"L1", ("existing", b"L1", "must be a list, not bytes")),
            ([1], ("existing[0]", 1, "must be a Lead, not int")),
        ],
    )
    def test_existing_must_be_leads(self, existing: object, problem: tuple[object, ...]) -> None:
        """``existing``: not text, not a scalar, and leads only."""
        one, two = Lead(id="L1"), Lead(id="L2")

        assert problems(linking.check, one, two, SUPER, "sm1", existing=existing) == [problem]

    def test_apply_refuses_a_naive_now(self) -> None:
        """GEN-1: ``now`` without an offset, with its own problem code."""
        naive = dt.datetime(2026, 1, 1, 12, 0)  # noqa: DTZ001  # naive on purpose

        assert problems(
            a.unchecked(linking.apply), Lead(id="L1"), Lead(id="L2"), SUPER, "sm1", now=naive
        ) == [
            (
                "now",
                naive,
                "must be timezone-aware (add an offset such as +00:00)",
                "naive_datetime",
            )
        ]

    def test_secondaries_checks_its_arguments(self) -> None:
        """LNK-7: ``primary`` a lead or an id; ``leads`` a list of leads."""
        secondaries = linking.secondaries

        assert problems(secondaries, "", "L1") == [("leads", "L1", "must be a list, not str")]
        assert problems(secondaries, "", []) == [("primary", "", "must be a non-empty id")]
        assert secondaries(Lead(id="L1"), [Lead(id="L2", linked_to="L1")]) == ("L2",)

    @pytest.mark.parametrize(
        ("args", "found"),
        [
            (
                (None, "x", "rec"),
                [
                    ("primary", None, "must be a Lead, not None"),
                    ("secondary", "x", "must be a Lead, not str"),
                    ("record", "rec", "must be a list, not str"),
                ],
            ),
            (
                (Lead(id="L1"), Lead(id="L2"), 7),
                [("record", 7, "must be a list, not int")],
            ),
            ((Lead(id="L1"), Lead(id="L2"), [1]), [("record[0]", 1, "must be a Change, not int")]),
        ],
    )
    def test_unlink_checks_its_arguments(
        self, args: tuple[object, ...], found: list[tuple[object, ...]]
    ) -> None:
        """Two leads and a list of changes; nothing is undone."""
        assert problems(linking.unlink, *args) == found

    def test_visibility_checks_its_arguments(self) -> None:
        """LNK-8, LNK-9: a lead and a user."""
        assert problems(a.unchecked(linking.visibility), None, "sm1") == [
            ("lead", None, "must be a Lead, not None"),
            ("user", "sm1", "must be a User, not str"),
        ]


class TestResultConsistency:
    """A LinkResult is either a made link or a refusal, never half of each."""

    REASON = Reason(code="same_lead", message="lead 'L1' cannot be linked to itself")
    ONE, TWO = Lead(id="L1"), Lead(id="L2")
    MADE = "a made link has two leads and no reasons"
    REFUSED = "a refusal has reasons and no leads, effects or record"

    @pytest.mark.parametrize(
        "fields",
        [
            {"primary": ONE},
            {"secondary": TWO},
            {"primary": ONE, "secondary": TWO, "reasons": [REASON]},
        ],
    )
    def test_a_made_link_has_both_leads_and_no_reason(self, fields: dict[str, object]) -> None:
        """Allowed: both leads, no reasons."""
        assert problems(LinkResult, allowed=True, **fields) == [("allowed", True, self.MADE)]

    @pytest.mark.parametrize(
        "fields",
        [
            {},
            {"reasons": [REASON], "primary": ONE},
            {"reasons": [REASON], "secondary": TWO},
            {
                "reasons": [REASON],
                "notifications": [Notification(to="sm1", kind="lead_linked", lead="L1")],
            },
            {
                "reasons": [REASON],
                "cancelled_events": [CancelledEvent(lead="L2", event="e1", at=NOW)],
            },
            {
                "reasons": [REASON],
                "record": [Change(lead="L2", field="status", old="claimed", new="linked")],
            },
        ],
    )
    def test_a_refusal_has_reasons_and_nothing_else(self, fields: dict[str, object]) -> None:
        """Refused: reasons, and no lead, effect or record."""
        assert problems(LinkResult, allowed=False, **fields) == [("allowed", False, self.REFUSED)]

    def test_both_shapes_are_accepted(self) -> None:
        """The two consistent shapes build."""
        made = LinkResult(allowed=True, primary=self.ONE, secondary=self.TWO)
        refused = LinkResult(allowed=False, reasons=[self.REASON])

        assert (made.verdict.allowed, refused.verdict.codes) == (True, ("same_lead",))


class TestShown:
    """How a result shows itself in a notebook: headline, summary, first rows of tables."""

    NOW_EVENTS = (
        Event(id="e1", at=NOW + dt.timedelta(days=1)),
        Event(id="e2", at=NOW + dt.timedelta(days=2)),
    )

    def made(self) -> LinkResult:
        """A link with two notifications, two cancelled events and four changes."""
        first = Lead(id="L1", project="P", status="claimed", owner="sm1")
        second = Lead(id="L2", project="P", status="claimed", owner="sm2", events=self.NOW_EVENTS)
        return linking.apply(first, second, SUPER, "sm1", now=NOW)

    def test_a_made_link_shows_its_leads_effects_and_first_rows(self) -> None:
        """The summary facts, then each table cut to ``rows`` rows with its total."""
        result = self.made()

        assert result._view(1) == _display.View(
            "LinkResult",
            "'L2' linked to 'L1'",
            facts=[
                ("primary", "L1"),
                ("secondary", "L2"),
                ("owner", "sm1"),
                ("viewers", ("sm2",)),
                ("notifications", 2),
                ("cancelled_events", 2),
                ("changes", 4),
            ],
            tables=[
                _display.Table(
                    "record", ("lead", "field", "old", "new"), [("L1", "viewers", (), ("sm2",))], 4
                ),
                _display.Table(
                    "notifications",
                    ("to", "kind", "lead", "channels"),
                    [("sm1", "lead_linked", "L1", ("push", "sales_app"))],
                    2,
                ),
                _display.Table(
                    "cancelled_events",
                    ("lead", "event", "at"),
                    [("L2", "e1", NOW + dt.timedelta(days=1))],
                    2,
                ),
            ],
        )
        assert repr(result).splitlines()[:3] == [
            "<LinkResult: 'L2' linked to 'L1'>",
            "  primary=L1, secondary=L2, owner=sm1, viewers=sm2, notifications=2",
            "  cancelled_events=2, changes=4",
        ]

    def test_a_refusal_shows_its_reasons(self) -> None:
        """The codes in the headline, then the reasons table cut to ``rows`` rows."""
        first = Lead(id="L1", project="P", status="claimed", owner="sm1")
        second = Lead(id="L1", project="Q", status="claimed", owner="sm2")

        result = linking.apply(first, second, SUPER, "sm1", now=NOW)

        assert result._view(1) == _display.View(
            "LinkResult",
            "refused: different_project, same_lead",
            tables=[
                _display.Table(
                    "reasons",
                    ("code", "message"),
                    [("different_project", result.reasons[0].message)],
                    2,
                )
            ],
        )

    def test_visibility_shows_access_and_tabs(self) -> None:
        """LNK-8, LNK-9 in one line, then the three facts."""
        shown = linking.visibility(Lead(id="L1", status="claimed", owner="sm1"), User(id="sm1"))

        assert repr(shown) == (
            "<LinkVisibility: access act, tabs claimed+ALL>\n"
            "  dashboard_tabs=claimed+ALL, tag=, app_access=act"
        )
        assert shown._view(1).facts == (
            ("dashboard_tabs", ("claimed", "ALL")),
            ("tag", None),
            ("app_access", AppAccess.ACT),
        )


class TestUnlinkRefusals:
    """``unlink`` names every change it cannot undo, and undoes nothing then."""

    def test_every_bad_change_of_the_record_at_once(self) -> None:
        """A foreign lead, an unknown field, a value changed since, no link marker."""
        first = Lead(id="L1", project="P", status="claimed", owner="sm1")
        second = Lead(id="L2", project="P", status="claimed", owner="sm2")
        done = linking.apply(first, second, SUPER, "sm1", now=NOW)
        assert done.primary is not None
        assert done.secondary is not None
        record = [
            Change(lead="L9", field="status", old="a", new="b"),
            Change(lead="L1", field="colour", old="a", new="b"),
            Change(lead="L2", field="status", old="claimed", new="won"),
        ]

        assert problems(linking.unlink, done.primary, done.secondary, record) == [
            ("record[0].lead", "L9", "is neither the primary 'L1' nor the secondary 'L2'"),
            ("record[1].field", "colour", "is not a field of a lead"),
            (
                "record[2].new",
                "won",
                (
                    "is no longer the status of lead 'L2': it was changed since the link (undo "
                    "later links to this primary first)"
                ),
            ),
            ("record", "<3 changes>", "is not the record of linking 'L2' to 'L1'"),
        ]

    def test_the_record_of_another_link_is_refused(self) -> None:
        """The marker is the secondary's ``linked_to`` set to this primary."""
        first = Lead(id="L1", project="P", status="claimed", owner="sm1")
        second = Lead(id="L2", project="P", status="claimed", owner="sm1")
        done = linking.apply(first, second, SUPER, "sm1", now=NOW)
        assert done.primary is not None
        assert done.secondary is not None
        elsewhere = [Change(lead="L1", field="linked_to", old=None, new="L1")]

        assert problems(linking.unlink, done.primary, done.secondary, elsewhere) == [
            (
                "record[0].new",
                "L1",
                (
                    "is no longer the linked_to of lead 'L1': it was changed "
                    "since the link (undo later links to this primary first)"
                ),
            ),
            ("record", "<1 changes>", "is not the record of linking 'L2' to 'L1'"),
        ]
        assert linking.unlink(done.primary, done.secondary, done.record) == (first, second)


def test_the_module_lists_its_public_names() -> None:
    """``dir(leadcore.linking)`` is its public surface."""
    assert dir(linking) == sorted(linking.__all__)
