"""
leadcore.routing pinned down in full, where the example tests leave it open.

Every reason's message and facts (wave checks, fresh quota, transfer, diagnosis,
eligibility), every problem of an error, and how results show themselves. Each test kills
mutants of routing.py and leadcore._routing that the example tests let survive (mutation
testing, issue 20: ``python3 dev.py mutate routing``).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from leadcore import _attrs as a
from leadcore import _display, routing
from leadcore.model import Agent, Claim, Lead, User
from leadcore.routing import DispatchEvent, Eligibility, RoutingPolicy

from .asserts import explained, problems
from .helpers import NOW

MINUTE = dt.timedelta(minutes=1)
OFFLINE = Eligibility(
    channel="offline",
    preferred=("a1", "a2", "a3"),
    fallback=("a9", "a8", "a7"),
    ineligible={"x1": ()},
)
CHANNEL = "must be 'digital' or 'offline' (the channels offered to agents in waves)"


class TestJudgeWave:
    """RTE-2 to RTE-5: every reason against a wave, in the documented order."""

    def test_every_reason_at_once(self) -> None:
        """Unknown, ineligible, offered before, twice, size, fallback first, second wave."""
        wave = ["a1", "zz", "x1", "a9", "a9", "a8"]

        judged = routing.judge_wave(OFFLINE, ["a1"], wave, policy=RoutingPolicy(wave_size=2))

        assert (judged.legal, judged.size) == (False, 2)
        assert explained(judged.reasons) == [
            ("unknown_agent", "not among the agents given: 'zz'", {"agents": ["zz"]}),
            ("ineligible_agent", "not eligible for this lead (RTE-4): 'x1'", {"agents": ["x1"]}),
            (
                "offered_before",
                "already offered this lead in an earlier wave: 'a1'",
                {"agents": ["a1"]},
            ),
            ("duplicate_agent", "listed more than once: 'a9'", {"agents": ["a9"]}),
            (
                "wrong_size",
                "the wave has 6 agents; it must have min(2, 5 available) = 2",
                {"expected": 2, "size": 6},
            ),
            (
                "fallback_before_preferred",
                (
                    "cooling-down agents 'a9', 'a8' offered while preferred agents 'a2', 'a3' "
                    "were left out (RTE-5)"
                ),
                {"fallback": ["a9", "a8"], "preferred_left_out": ["a2", "a3"]},
            ),
            (
                "offline_second_wave",
                (
                    "an offline call rings 1 wave(s) only (RTE-3), and 1 agents were offered it "
                    "before"
                ),
                {"offered_before": 1},
            ),
        ]

    def test_fallback_out_of_round_robin_order(self) -> None:
        """RTE-5: the first cooled-down agents in order, not any of them."""
        judged = routing.judge_wave(OFFLINE, [], ["a8"], policy=RoutingPolicy(wave_size=1))

        assert explained(judged.reasons) == [
            (
                "fallback_before_preferred",
                (
                    "cooling-down agents 'a8' offered while preferred agents 'a1', 'a2', 'a3' "
                    "were left out (RTE-5)"
                ),
                {"fallback": ["a8"], "preferred_left_out": ["a1", "a2", "a3"]},
            ),
            (
                "fallback_out_of_order",
                ("cooling-down agents must be taken in round-robin order: expected 'a9', got 'a8'"),
                {"expected": ["a9"], "fallback": ["a8"]},
            ),
        ]

    @pytest.mark.parametrize(
        ("offered", "wave", "codes"),
        [
            ([], ["a1", "a2", "a3", "a9", "a8"], ()),
            ([], ["a1", "a2", "a3", "a9"], ("wrong_size",)),
            (["a1", "a2", "a3"], ["a9", "a8", "a7"], ()),
            (["a1", "a2", "a3"], ["a9", "a8"], ("wrong_size",)),
            (["a1", "a2", "a3", "a9", "a8", "a7"], [], ()),
            (["a1"], ["a2", "a3", "a9", "a8", "a7"], ()),
            (["a1", "a2", "a3", "a9"], ["a8", "a7"], ()),
        ],
    )
    def test_sizes_and_offered_fallback(
        self, offered: list[str], wave: list[str], codes: tuple[str, ...]
    ) -> None:
        """RTE-2, RTE-5: the size is min(wave_size, available); fallback continues in order."""
        digital = Eligibility(
            channel="digital", preferred=OFFLINE.preferred, fallback=OFFLINE.fallback
        )

        assert routing.judge_wave(digital, offered, wave).codes == codes

    @pytest.mark.parametrize(
        ("offered", "codes"),
        [
            ([], ()),
            (["a2"], ("offline_second_wave",)),
            (["a2", "a3", "a9", "a8", "a7"], ("offline_second_wave",)),
        ],
    )
    def test_offline_rings_its_waves_only(self, offered: list[str], codes: tuple[str, ...]) -> None:
        """RTE-3: any agent offered before is a wave already; two waves with the policy."""
        wave = [x for x in ("a1", "a2", "a3", "a9", "a8") if x not in offered][:1]
        policy = RoutingPolicy(wave_size=1, offline_waves=1)
        two = RoutingPolicy(wave_size=1, offline_waves=2)

        assert routing.judge_wave(OFFLINE, offered, wave, policy=policy).codes == codes
        assert (
            "offline_second_wave"
            not in routing.judge_wave(OFFLINE, offered[:1], wave, policy=two).codes
        )

    def test_shown(self) -> None:
        """Legal or illegal with the codes; size; the reasons cut to ``rows``."""
        judged = routing.judge_wave(
            OFFLINE, ["a1"], ["a1", "zz"], policy=RoutingPolicy(wave_size=2)
        )
        legal = routing.judge_wave(OFFLINE, [], ["a1"], policy=RoutingPolicy(wave_size=1))

        assert judged._view(1) == _display.View(
            "WaveCheck",
            "illegal: unknown_agent, offered_before, offline_second_wave",
            facts=[("legal", False), ("size", 2)],
            tables=[
                _display.Table(
                    "reasons",
                    ("code", "message"),
                    [("unknown_agent", "not among the agents given: 'zz'")],
                    3,
                )
            ],
        )
        assert legal._view(1) == _display.View(
            "WaveCheck", "legal", facts=[("legal", True), ("size", 1)]
        )


class TestFresh:
    """RTE-6: the quota, and why a claim was cut."""

    def test_both_reasons_with_their_facts(self) -> None:
        """Quota used up and not enough leads: each says its numbers."""
        past = [Claim(agent="a1", at=NOW - MINUTE, bucket="fresh")]

        grant = routing.fresh_claim(
            "a1", past, fresh_count=1, active_agents=4, requested=3, now=NOW
        )

        assert (grant.granted, grant.limit, grant.used) == (0, 1, 1)
        assert explained(grant.reasons) == [
            (
                "quota_exhausted",
                (
                    "the agent may claim 1 fresh leads per 10 minutes and claimed 1: 0 left, "
                    "3 requested"
                ),
                {"left": 0, "limit": 1, "requested": 3, "used": 1},
            ),
            (
                "not_enough_fresh_leads",
                "the fresh bucket holds 1 leads, 3 requested",
                {"fresh_count": 1, "requested": 3},
            ),
        ]

    @pytest.mark.parametrize(
        ("claim", "used"),
        [
            (Claim(agent="a1", at=NOW, bucket="fresh"), 1),
            (Claim(agent="a1", at=NOW - 10 * MINUTE + dt.timedelta(seconds=1), bucket="fresh"), 1),
            (Claim(agent="a1", at=NOW - 10 * MINUTE, bucket="fresh"), 0),
            (Claim(agent="a1", at=NOW + MINUTE, bucket="fresh"), 0),
            (Claim(agent="a1", at=NOW, bucket="digital"), 0),
            (Claim(agent="a2", at=NOW, bucket="fresh"), 0),
        ],
    )
    def test_the_window_counts_this_agents_fresh_claims(self, claim: Claim, used: int) -> None:
        """``0 <= now - at < window``, fresh bucket only, this agent only."""
        grant = routing.fresh_claim("a1", [claim], fresh_count=9, active_agents=4, now=NOW)

        assert grant.used == used
        assert grant.granted == 1

    def test_bad_counts(self) -> None:
        """Each count checked, with what it must be."""
        assert problems(routing.fresh_limit, -1, 1) == [("fresh_count", -1, "must not be negative")]
        assert problems(routing.fresh_limit, 0, 0) == [("active_agents", 0, "must be at least 1")]
        assert problems(
            routing.fresh_claim, "a", [], fresh_count=1, active_agents=1, requested=0, now=NOW
        ) == [("requested", 0, "must be at least 1")]
        assert problems(routing.fresh_claim, "", [], fresh_count=1, active_agents=1, now=NOW) == [
            ("agent", "", "must be a non-empty id")
        ]

    def test_shown(self) -> None:
        """Granted, limit and used; the reasons cut to ``rows``."""
        grant = routing.fresh_claim("a1", [], fresh_count=1, active_agents=4, requested=3, now=NOW)

        assert grant._view(1) == _display.View(
            "FreshGrant",
            "1 granted (limit 1, 0 used)",
            facts=[("granted", 1), ("limit", 1), ("used", 0)],
            tables=[_display.reasons_table(grant.reasons, 1)],
        )
        assert len(grant.reasons) == 2


class TestTransfer:
    """RTE-7: who may transfer, to whom, and the reasons."""

    LEAD = Lead(id="L1", project="p1", owner="a1", status="new")

    def test_an_agent_not_owning_the_lead_to_another_project(self) -> None:
        """Both reasons with their facts."""
        decision = routing.transfer(
            self.LEAD, Agent(id="a2", project="p2"), User(id="a3", roles=["agent"])
        )

        assert explained(decision.reasons) == [
            (
                "not_owner",
                "an agent may transfer only its own leads; 'L1' is owned by 'a1'",
                {"by": "a3", "owner": "a1"},
            ),
            (
                "wrong_project",
                "agent 'a2' works on project 'p2', not on the lead's 'p1'",
                {"agent_project": "p2", "lead_project": "p1"},
            ),
        ]
        assert (decision.allowed, decision.lead, decision.bucket, decision.record) == (
            False,
            None,
            None,
            (),
        )

    def test_anyone_else_is_not_permitted(self) -> None:
        """Neither agent nor team lead nor call centre."""
        decision = routing.transfer(
            self.LEAD, Agent(id="a2", project="p1"), User(id="u", roles=["manager", "professional"])
        )

        assert explained(decision.reasons) == [
            (
                "not_permitted",
                "only the owning agent, a team lead or the call centre may transfer a lead",
                {"by": "u", "roles": ["manager", "professional"]},
            )
        ]

    @pytest.mark.parametrize("roles", [["team_lead"], ["call_center"], ["agent", "team_lead"]])
    def test_team_leads_and_the_call_centre_transfer_any_lead(self, roles: list[str]) -> None:
        """The owner becomes the target; a non-WIP status becomes claimed."""
        decision = routing.transfer(
            self.LEAD, Agent(id="a2", project="p1"), User(id="tl", roles=roles)
        )

        assert decision.allowed
        assert decision.lead == Lead(id="L1", project="p1", owner="a2", status="claimed")
        assert decision.bucket == "claimed"
        assert [(c.field, c.old, c.new) for c in decision.record] == [
            ("status", "new", "claimed"),
            ("owner", "a1", "a2"),
        ]

    def test_a_wip_status_is_kept(self) -> None:
        """RTE-7: the lead lands in the WIP bucket of its status."""
        lead = Lead(id="L1", project="p1", owner="a1", status="interested")

        decision = routing.transfer(
            lead, Agent(id="a2", project="p1"), User(id="a1", roles=["agent"])
        )

        assert (decision.bucket, decision.lead.status if decision.lead else None) == (
            "interested",
            "interested",
        )

    def test_bad_arguments(self) -> None:
        """A lead without project; a target that is not an agent."""
        assert problems(routing.transfer, Lead(id="L"), Agent(id="a"), User(id="u")) == [
            ("lead.project", None, "is required: a lead is routed to the agents of its project")
        ]
        assert problems(routing.transfer, self.LEAD, 1, 2) == [
            ("to", 1, "must be an Agent, not int"),
            ("by", 2, "must be a User, not int"),
        ]
        assert problems(routing.transfer, self.LEAD, Agent(id="a"), 2) == [
            ("by", 2, "must be a User, not int")
        ]

    def test_shown(self) -> None:
        """The lead, its new owner and bucket; or the reasons."""
        done = routing.transfer(
            self.LEAD, Agent(id="a2", project="p1"), User(id="tl", roles=["team_lead"])
        )
        refused = routing.transfer(
            self.LEAD, Agent(id="a2", project="p2"), User(id="tl", roles=["agent"])
        )

        assert done._view(1) == _display.View(
            "TransferDecision",
            "'L1' to 'a2', bucket 'claimed'",
            facts=[("lead", "L1"), ("owner", "a2"), ("bucket", "claimed")],
            tables=[
                _display.Table(
                    "record",
                    ("lead", "field", "old", "new"),
                    [("L1", "status", "new", "claimed")],
                    2,
                )
            ],
        )
        assert refused._view(1) == _display.View(
            "TransferDecision",
            "refused: not_owner, wrong_project",
            tables=[_display.reasons_table(refused.reasons, 1)],
        )


class TestDiagnose:
    """RTE-8: every switch that stops an agent receiving leads, in the list's order."""

    def test_digital(self) -> None:
        """Lead flow, activity, battery optimisation, auto-run."""
        agent = Agent(
            id="a1",
            lead_flow=False,
            active=False,
            battery_optimization_disabled=False,
            autorun_enabled=False,
        )

        assert explained(routing.diagnose(agent, "digital").reasons) == [
            (
                "lead_flow_off",
                "the agent's lead flow is switched off",
                {"agent": "a1", "lead_flow": False},
            ),
            (
                "inactive",
                "the agent has set the app status to inactive",
                {"active": False, "agent": "a1"},
            ),
            (
                "battery_optimization_on",
                "battery optimisation is not disabled for the Sales and Sales Connect apps",
                {"agent": "a1", "battery_optimization_disabled": False},
            ),
            (
                "autorun_off",
                "auto-run is not enabled for the Sales and Sales Connect apps",
                {"agent": "a1", "autorun_enabled": False},
            ),
        ]

    def test_offline(self) -> None:
        """Lead flow, activity, the phone's network."""
        agent = Agent(
            id="a1", lead_flow=False, active=False, network_ok=False, autorun_enabled=False
        )

        assert explained(routing.diagnose(agent, "offline").reasons) == [
            (
                "lead_flow_off",
                "the agent's lead flow is switched off",
                {"agent": "a1", "lead_flow": False},
            ),
            (
                "inactive",
                "the agent has set the app status to inactive",
                {"active": False, "agent": "a1"},
            ),
            (
                "network_problem",
                "the agent's phone cannot be reached (network problem)",
                {"agent": "a1", "network_ok": False},
            ),
        ]

    def test_bad_arguments_and_shown(self) -> None:
        """An agent and a routed channel; not receiving with the codes."""
        assert problems(routing.diagnose, 1, "digital") == [
            ("agent", 1, "must be an Agent, not int")
        ]
        assert problems(routing.diagnose, Agent(id="a"), "fresh") == [("channel", "fresh", CHANNEL)]
        diagnosis = routing.diagnose(Agent(id="a1", lead_flow=False, active=False), "offline")
        assert diagnosis._view(1) == _display.View(
            "Diagnosis",
            "not receiving: lead_flow_off, inactive",
            tables=[_display.reasons_table(diagnosis.reasons, 1)],
        )
        assert routing.diagnose(Agent(id="a1"), "digital")._view(1) == _display.View(
            "Diagnosis", "receiving"
        )


class TestEligible:
    """RTE-4, RTE-5: the groups, the reasons of the ineligible, the claims kept."""

    AGENTS = (
        Agent(id="a1", project="p1"),
        Agent(id="a2", project="p1"),
        Agent(id="a3", project="p1", lead_flow=False, active=False),
        Agent(id="a4", project="p2"),
    )
    CLAIMS = (Claim(agent="a2", at=NOW - 4 * MINUTE), Claim(agent="a1", at=NOW + 4 * MINUTE))

    def test_groups_reasons_and_last_claims(self) -> None:
        """A claim after now is ignored; only routable agents' claims are kept."""
        found = routing.eligible(
            "digital", Lead(id="L1", project="p1"), self.AGENTS, self.CLAIMS, now=NOW
        )

        assert (found.preferred, found.fallback) == (("a1",), ("a2",))
        assert {k: explained(v) for k, v in found.ineligible.items()} == {
            "a3": [
                (
                    "inactive",
                    "the agent has set the app status to inactive",
                    {"active": False, "agent": "a3"},
                ),
                (
                    "lead_flow_off",
                    "the agent's lead flow is switched off",
                    {"agent": "a3", "lead_flow": False},
                ),
            ],
            "a4": [
                (
                    "wrong_project",
                    "the agent works on project 'p2', not on the lead's 'p1'",
                    {"agent": "a4", "agent_project": "p2", "lead_project": "p1"},
                )
            ],
        }
        assert dict(found.last_claims) == {"a2": NOW - 4 * MINUTE}
        assert (found.knows("a3"), found.knows("a1"), found.knows("zz")) == (True, True, False)

    def test_bad_arguments(self) -> None:
        """A naive time (@checked) before the channel; a lead without project; overlaps."""
        naive = dt.datetime(2020, 1, 1)  # noqa: DTZ001  # naive on purpose
        assert problems(routing.eligible, "fresh", Lead(id="L"), [], [], now=naive) == [
            (
                "now",
                naive,
                "must be timezone-aware (add an offset such as +00:00)",
                "naive_datetime",
            )
        ]
        assert problems(routing.eligible, "fresh", Lead(id="L"), [], [], now=NOW) == [
            ("channel", "fresh", CHANNEL)
        ]
        assert problems(routing.eligible, "digital", Lead(id="L"), [], [], now=NOW) == [
            ("lead.project", None, "is required: a lead is routed to the agents of its project")
        ]
        assert problems(
            Eligibility,
            channel="digital",
            preferred=("a",),
            fallback=("a", "b"),
            ineligible={"b": ()},
        ) == [
            ("fallback", "a", "is listed twice across the groups"),
            ("ineligible", "b", "is listed twice across the groups"),
        ]

    def test_shown(self) -> None:
        """The three groups' sizes, then each group's first rows."""
        found = routing.eligible(
            "digital", Lead(id="L1", project="p1"), self.AGENTS, self.CLAIMS, now=NOW
        )

        assert found._view(1) == _display.View(
            "Eligibility",
            "digital: 1 preferred, 1 cooling down, 2 ineligible",
            facts=[
                ("channel", found.channel),
                ("preferred", 1),
                ("fallback", 1),
                ("ineligible", 2),
            ],
            tables=[
                _display.Table("preferred", ("agent",), [("a1",)], 1),
                _display.Table("fallback", ("agent", "last_claim"), [("a2", NOW - 4 * MINUTE)], 1),
                _display.Table(
                    "ineligible", ("agent", "reasons"), [("a3", ("inactive", "lead_flow_off"))], 2
                ),
            ],
        )


class TestDispatchArguments:
    """RTE-2, RTE-3: what a dispatch refuses."""

    def test_open_dispatch(self) -> None:
        """A routed channel and a lead id."""
        assert problems(routing.open_dispatch, "fresh", "", now=NOW) == [
            ("channel", "fresh", CHANNEL)
        ]
        assert problems(routing.open_dispatch, "digital", "", now=NOW) == [
            ("lead", "", "must be a non-empty id")
        ]

    def test_an_event_before_now(self) -> None:
        """Events happen after the lead arrived."""
        agents = [Agent(id="a1", project="p1")]
        early = DispatchEvent(kind="timeout", at=NOW - MINUTE)

        assert problems(
            routing.dispatch,
            "digital",
            Lead(id="L", project="p1"),
            agents,
            [],
            [early],
            now=NOW,
            rng=random.Random(1),
        ) == [
            (
                "events[0].at",
                NOW - MINUTE,
                "is before now (2026-11-23T12:00:00+00:00), when the lead arrived",
            )
        ]


def test_the_module_lists_its_public_names() -> None:
    """``dir(leadcore.routing)`` is its public surface."""
    assert dir(routing) == sorted(routing.__all__)


class TestPassedOn:
    """The time zone and the policy reach eligibility; the rules' own argument checks."""

    # 19:00 UTC on 22 November is 00:30 on the 23rd in Kolkata: a claim of "today" there.
    CLAIMS = (Claim(agent="a1", at=dt.datetime(2026, 11, 22, 19, tzinfo=dt.UTC)),)
    AGENTS = (Agent(id="a1", project="p"), Agent(id="a2", project="p"))
    LEAD = Lead(id="L", project="p")
    ONE = RoutingPolicy(wave_size=1)

    def test_check_wave_reads_the_day_in_the_time_zone_given(self) -> None:
        """RTE-5 offline: a1 claimed today in Kolkata, not in UTC (the default)."""

        def codes(**zone: str) -> tuple[str, ...]:
            return routing.check_wave(
                "offline",
                self.LEAD,
                self.AGENTS,
                self.CLAIMS,
                [],
                ["a1"],
                now=NOW,
                policy=self.ONE,
                **zone,
            ).codes

        assert codes(timezone="Asia/Kolkata") == ("fallback_before_preferred",)
        assert codes() == ()
        assert routing.check_wave(
            "offline",
            self.LEAD,
            self.AGENTS,
            [],
            [],
            ["a1"],
            now=NOW,
            policy=RoutingPolicy(wave_size=2),
        ).codes == ("wrong_size",)

    def test_dispatch_reads_the_day_and_the_wave_size(self) -> None:
        """The first wave of one agent: a2 in Kolkata, where a1 cools down."""

        def first_wave(**zone: str) -> tuple[str, ...]:
            state = routing.dispatch(
                "offline",
                self.LEAD,
                self.AGENTS,
                self.CLAIMS,
                [],
                now=NOW,
                rng=random.Random(1),
                policy=self.ONE,
                **zone,
            )
            return state.waves[0]

        assert first_wave(timezone="Asia/Kolkata") == ("a2",)
        assert len(first_wave()) == 1

    def test_own_checks(self) -> None:
        """Each argument by its path (its type by @checked, the rest by the rule)."""
        naive = dt.datetime(2026, 1, 1)  # noqa: DTZ001  # naive on purpose
        elig = Eligibility(channel="digital", preferred=("a1",))

        assert problems(routing.next_wave, 3, [], rng=random.Random(1)) == [
            ("eligibility", 3, "must be an Eligibility, not int")
        ]
        assert problems(routing.next_wave, elig, [""], rng=random.Random(1)) == [
            ("offered_before[0]", "", "must be a non-empty id")
        ]
        assert problems(
            routing.dispatch,
            "digital",
            self.LEAD,
            self.AGENTS,
            [],
            [3],
            now=NOW,
            rng=random.Random(1),
        ) == [("events[0]", 3, "must be a DispatchEvent, not int")]
        fresh = routing.fresh_claim
        assert problems(fresh, "a1", [], fresh_count=1, active_agents=1, now=naive) == [
            (
                "now",
                naive,
                "must be timezone-aware (add an offset such as +00:00)",
                "naive_datetime",
            )
        ]
        assert problems(fresh, "a1", [3], fresh_count=1, active_agents=1, now=NOW) == [
            ("claims[0]", 3, "must be a Claim, not int")
        ]
        assert routing.fresh_limit(0, 1) == 1

    def test_a_grant_in_full_shows_no_reasons_table(self) -> None:
        """Nothing cut, nothing to explain."""
        grant = routing.fresh_claim("a1", [], fresh_count=9, active_agents=1, now=NOW)

        assert grant._view(1) == _display.View(
            "FreshGrant",
            "1 granted (limit 10, 0 used)",
            facts=[("granted", 1), ("limit", 10), ("used", 0)],
        )


def test_the_rules_name_each_bad_argument() -> None:
    """eligible, judge_wave, next_wave, open_dispatch: the path of each argument."""
    naive = dt.datetime(2026, 1, 1)  # noqa: DTZ001  # naive on purpose
    lead = Lead(id="L", project="p")
    elig = Eligibility(channel="digital", preferred=("a1",))
    aware = "must be timezone-aware (add an offset such as +00:00)"

    assert problems(routing.eligible, "digital", lead, [], [], now=naive) == [
        ("now", naive, aware, "naive_datetime")
    ]
    assert problems(routing.eligible, "digital", lead, [], [3], now=NOW) == [
        ("claims[0]", 3, "must be a Claim, not int")
    ]
    assert problems(routing.open_dispatch, "digital", "L", now=naive) == [
        ("now", naive, aware, "naive_datetime")
    ]
    judge = routing.judge_wave
    assert problems(judge, 3, [], []) == [("eligibility", 3, "must be an Eligibility, not int")]
    assert problems(judge, elig, [""], []) == [("offered_before[0]", "", "must be a non-empty id")]
    assert problems(judge, elig, [], ["a1", 3]) == [("wave[1]", 3, "must be a string, not int")]
    assert problems(judge, elig, [], ["a1", ""]) == [("wave[1]", "", "must be a non-empty id")]
    assert problems(routing.next_wave, elig, ["a1", 3], rng=random.Random(1)) == [
        ("offered_before[1]", 3, "must be a string, not int")
    ]


def test_the_policy_reaches_eligibility_and_is_checked() -> None:
    """A cool-down of 0 leaves a1 preferred; the policy's own check names it."""
    agents = (Agent(id="a1", project="p"), Agent(id="a2", project="p"))
    claims = (Claim(agent="a1", at=NOW - 4 * MINUTE),)
    lead = Lead(id="L", project="p")
    off = RoutingPolicy(wave_size=1, digital_cooldown_minutes=0)

    assert routing.check_wave(
        "digital", lead, agents, claims, [], ["a1"], now=NOW, policy=off
    ).legal
    assert routing.check_wave(
        "digital", lead, agents, claims, [], ["a1"], now=NOW, policy=RoutingPolicy(wave_size=1)
    ).codes == ("fallback_before_preferred",)
    state = routing.dispatch(
        "digital",
        lead,
        agents,
        claims,
        [],
        now=NOW,
        rng=random.Random(4),
        policy=RoutingPolicy(wave_size=2, digital_cooldown_minutes=0),
    )
    # a1 first: a preferred agent can be drawn first, one cooling down (as under the
    # default policy's 10 minutes) comes after the preferred a2 (RTE-5).
    assert state.waves == (("a1", "a2"),)
    assert problems(routing.eligible, "digital", lead, [], [], now=NOW, policy=3) == [
        ("policy", 3, "must be a RoutingPolicy, not int")
    ]


def test_cooled_agents_with_one_claim_time_are_in_id_order() -> None:
    """RTE-5: round robin by claim time, ties by agent id, whatever the input order."""
    agents = (Agent(id="b", project="p"), Agent(id="a", project="p"))
    claims = (Claim(agent="b", at=NOW - MINUTE), Claim(agent="a", at=NOW - MINUTE))

    found = routing.eligible("digital", Lead(id="L", project="p"), agents, claims, now=NOW)

    assert found.fallback == ("a", "b")


def test_too_many_events_and_an_agent_twice_in_one_group() -> None:
    """GEN-5 on the events; a group listing an agent twice is named."""
    many = [DispatchEvent(kind="timeout", at=NOW)] * (a.MAX_ITEMS + 1)

    assert problems(
        routing.dispatch,
        "digital",
        Lead(id="L", project="p"),
        [],
        [],
        many,
        now=NOW,
        rng=random.Random(1),
    ) == [("events", f"<{a.MAX_ITEMS + 1} items>", f"must hold at most {a.MAX_ITEMS} items")]
    assert problems(Eligibility, channel="digital", preferred=("a", "a")) == [
        ("preferred", "a", "is listed twice across the groups")
    ]


def test_too_many_claims_and_a_wave_over_the_limit_are_named() -> None:
    """GEN-5 on the lists the rules size themselves: claims (eligible, fresh_claim), wave."""
    over = a.MAX_ITEMS + 1
    limit = ("claims", f"<{over} items>", f"must hold at most {a.MAX_ITEMS} items")
    many = [Claim(agent="a1", at=NOW)] * over
    lead = Lead(id="L", project="p")

    assert problems(routing.eligible, "digital", lead, [], many, now=NOW) == [limit]
    assert problems(routing.fresh_claim, "a1", many, fresh_count=1, active_agents=1, now=NOW) == [
        limit
    ]
    assert problems(routing.judge_wave, Eligibility(channel="digital"), [], ["a1"] * over) == [
        ("wave", f"<{over} items>", f"must hold at most {a.MAX_ITEMS} items")
    ]
