"""
Benchmark of :func:`leadcore.simulation.simulate`: a day of leads through the routing rules.

The scenario (seeded, so every run replays the same day):

* ``--agents`` agents (default 1,000) of one project, 3% inactive, 4% with battery
  optimisation on (no digital leads), 3% with a network problem (no offline calls);
* behaviours: most agents claim 35% of offers and decline 15%, answering after 20 s on
  average; a keen tenth claim 70% within 8 s; a slow tenth take 60 s;
* ``--leads`` leads (default 100,000) arriving uniformly between 09:00 and 21:00
  Asia/Kolkata, 70% digital, 30% offline calls; waves time out after 45 s.

It first cross-checks the fast path against the plain rule functions on a small slice of
the same scenario (every lead's eligibility and every wave compared), then times the full
day ``--repeat`` times under the default policy, reporting wall and CPU time, leads per
second and peak memory, and finally replays the day under the policies an analyst would
compare (wave size 3 vs 5, cool-down 5 vs 10 minutes) and prints their figures side by
side.

Run: ``.venv/bin/python benchmarks/routing_simulation.py [--leads 100000 --agents 1000]``.
Figures are recorded in ``benchmarks/routing.md``; the run's figures are also appended to
``benchmarks/results/routing.json`` for the site (see ``record.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import resource
import sys
import time

import record

from leadcore.model import Agent
from leadcore.routing import RoutingPolicy
from leadcore.simulation import Arrival, Behaviour, SimulationReport, simulate, synthetic_arrivals

DAY = dt.date(2026, 11, 23)
ZONE = "Asia/Kolkata"
TIMEOUT = 45.0

METRICS = {
    "wall_s": "wall time of the fastest of the repeats (perf_counter)",
    "cpu_s": "CPU time of the fastest repeat by CPU (process_time: this process only)",
    "peak_rss_mb": "peak resident memory of the process (ru_maxrss)",
    "ttc_p50_s": "simulated seconds from a lead's arrival to its claim, median",
}
POLICIES = {
    "default (wave 5, cool-down 10)": RoutingPolicy(default_timezone=ZONE),
    "wave 3, cool-down 10": RoutingPolicy(default_timezone=ZONE, wave_size=3),
    "wave 5, cool-down 5": RoutingPolicy(default_timezone=ZONE, digital_cooldown_minutes=5),
    "wave 3, cool-down 5": RoutingPolicy(
        default_timezone=ZONE, wave_size=3, digital_cooldown_minutes=5
    ),
}


def scenario(
    leads: int, agents: int, seed: int
) -> tuple[tuple[Arrival, ...], list[Agent], dict[str, Behaviour]]:
    """The day's arrivals, the agents and their behaviours."""
    rng = random.Random(seed)
    team = []
    behaviours = {}
    keen = Behaviour(claim_probability=0.7, decline_probability=0.1, mean_response_seconds=8)
    slow = Behaviour(claim_probability=0.35, decline_probability=0.15, mean_response_seconds=60)
    for number in range(agents):
        draw = rng.random()
        agent = Agent(
            id=f"agent-{number:04d}",
            project="skyline-towers",
            active=draw >= 0.03,
            battery_optimization_disabled=not 0.03 <= draw < 0.07,
            network_ok=not 0.07 <= draw < 0.10,
        )
        team.append(agent)
        kind = rng.random()
        if kind < 0.1:
            behaviours[agent.id] = keen
        elif kind < 0.2:
            behaviours[agent.id] = slow
    arrivals = synthetic_arrivals(
        DAY, count=leads, project="skyline-towers", rng=rng, timezone=ZONE, digital_share=0.7
    )
    return arrivals, team, behaviours


def run(
    arrivals: tuple[Arrival, ...],
    team: list[Agent],
    behaviours: dict[str, Behaviour],
    policy: RoutingPolicy,
    seed: int,
    *,
    cross_check: bool = False,
) -> SimulationReport:
    """One replay of the day."""
    return simulate(
        arrivals,
        team,
        rng=random.Random(seed),
        policy=policy,
        behaviour=Behaviour(claim_probability=0.35, decline_probability=0.15),
        behaviours=behaviours,
        wave_timeout_seconds=TIMEOUT,
        cross_check=cross_check,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--check-leads", type=int, default=2_000)
    parser.add_argument("--no-compare", action="store_true")
    args = parser.parse_args(argv)

    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    record_run = record.Run(
        "routing",
        script="benchmarks/routing_simulation.py",
        page="benchmarks/routing.md",
        section="Results",
        metrics=METRICS,
        note=f"seed {args.seed}; one project, {TIMEOUT:.0f} s wave time-out",
    )
    started = time.perf_counter()
    arrivals, team, behaviours = scenario(args.leads, args.agents, args.seed)
    print(f"scenario: {len(arrivals):,} leads, {len(team):,} agents, built in "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip

    checked = time.perf_counter()
    small_arrivals, small_team, small_behaviours = scenario(
        args.check_leads, max(10, args.agents // 20), args.seed
    )
    run(small_arrivals, small_team, small_behaviours, POLICIES["default (wave 5, cool-down 10)"],
        args.seed, cross_check=True)  # fmt: skip
    print(f"cross-check: {args.check_leads:,} leads, {len(small_team)} agents: fast path == "
          f"plain rules ({time.perf_counter() - checked:.1f} s)")  # fmt: skip

    spec = POLICIES["default (wave 5, cool-down 10)"]
    walls, cpus = [], []
    report = None
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        report = run(arrivals, team, behaviours, spec, args.seed)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    assert report is not None  # noqa: S101  # at least one repeat
    best = min(walls)
    print(f"simulate, default policy, {args.repeat} runs: wall best {best:.2f} s "
          f"(all {', '.join(f'{w:.2f}' for w in walls)}), cpu best {min(cpus):.2f} s, "
          f"{len(arrivals) / best:,.0f} leads/s")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    record_run.add(
        {
            "kind": "run",
            "leads": len(arrivals),
            "agents": len(team),
            "policy": "default (wave 5, cool-down 10)",
            "repeat": args.repeat,
            "wall_s": round(best, 3),
            "cpu_s": round(min(cpus), 3),
            "leads_per_s": round(len(arrivals) / best),
            "peak_rss_mb": round(peak),
        }
    )

    if not args.no_compare:
        print()
        columns = list(report.summary())
        print("| policy | " + " | ".join(columns) + " | claimed in wave 1/2 |")
        print("|---" * (len(columns) + 2) + "|")
        for name, policy in POLICIES.items():
            result = run(arrivals, team, behaviours, policy, args.seed)
            figures = result.summary()
            cells = " | ".join(str(figures[c]) for c in columns)
            waves = "/".join(str(n) for n in result.claimed_in_wave)
            print(f"| {name} | {cells} | {waves} |")
            seconds = {"ttc_p50": "ttc_p50_s", "ttc_p90": "ttc_p90_s", "ttc_p99": "ttc_p99_s"}
            record_run.add(
                {
                    "kind": "policy",
                    "leads": len(arrivals),
                    "agents": len(team),
                    "policy": name,
                    **{seconds.get(k, k): v for k, v in figures.items() if k != "leads"},
                    **{
                        f"claimed_in_wave_{number}": claimed
                        for number, claimed in enumerate(result.claimed_in_wave, start=1)
                    },
                }
            )
    record_run.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
