"""
Mutation testing of leadcore's modules: ``python3 dev.py mutate [MODULE ...]``.

For each module, mutmut 3 makes small changes to its code (a ``<`` for a ``<=``, a string
for another, a statement removed: one *mutant* each) and runs the module's tests against
each mutant; a mutant no test notices *survives*. The score is the share of mutants some
test kills, every mutant counted: message texts and ``Reason.facts`` keys too.

What runs, per module:

- the tests in :data:`TESTS` for that module (the test files that exercise it; mutmut then
  runs, for each mutant, only those of them that call the mutated function);
- the module's mutants, fresh (its results of an earlier run are dropped), with at most
  ``--max-children`` test processes at once (default 2: the machine is shared).

Then the figures go to ``docs/mutation.md`` (one row per module: mutants, killed,
survived, score, date, commit, CPU time) and every survivor is looked up in
``mutation/survivors.toml``, which says why each surviving mutant is equivalent (no test
can tell it from the original). A survivor not listed there is printed with its diff,
and the command fails: kill it with a test, or list it with the reason.

``MODULE`` is a module path under ``leadcore`` (``linking``, ``_routing.dispatch``) or
``rules`` for :data:`RULE_MODULES`; a module without an entry in :data:`TESTS` runs
against the whole test suite (slow). ``--survivors`` re-runs only the mutants that
survived the last run and are not listed as equivalent (after adding tests), keeping the
other results (mutmut's earlier catches too, see :func:`kept_verdicts`), and updates the
module's figures (its CPU time added to the full run's); ``--check`` runs nothing: it counts
the last results again and checks them against the survivors list.

Not part of the test command (an hour of CPU for the rule modules);
``tests/test_mutate.py`` checks the module list and the mapping.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final, NamedTuple

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGE: Final = ROOT / "src" / "leadcore"
MUTANTS: Final = ROOT / "mutants"
FIGURES: Final = ROOT / "docs" / "mutation.md"
SURVIVORS: Final = ROOT / "mutation" / "survivors.toml"
THRESHOLD: Final = 95.0
"""The score every rule module must reach (issue 20), in percent."""

_MERGE: Final = (
    "tests/test_merge.py",
    "tests/test_merge_edges.py",
    "tests/test_match_rules.py",
    "tests/property/test_merge_properties.py",
    "tests/test_protocol_merge.py",
)
"""The merge family's tests: auto-merge, duplicates and match rules run through all of it."""

TESTS: Final[dict[str, tuple[str, ...]]] = {
    "linking": (
        "tests/test_linking.py",
        "tests/property/test_linking_properties.py",
        "tests/test_protocol_linking.py",
        "tests/test_merge_edges.py",
    ),
    "handover": (
        "tests/test_handover.py",
        "tests/property/test_handover_properties.py",
        "tests/test_protocol_handover.py",
    ),
    "related": (
        "tests/test_related.py",
        "tests/property/test_related_properties.py",
        "tests/test_protocol_related.py",
    ),
    "routing": (
        "tests/test_routing.py",
        "tests/property/test_routing_properties.py",
        "tests/test_protocol_routing.py",
    ),
    "_routing.dispatch": (
        "tests/test_routing.py",
        "tests/property/test_routing_properties.py",
        "tests/test_protocol_routing.py",
    ),
    "_routing.rules": (
        "tests/test_routing.py",
        "tests/property/test_routing_properties.py",
        "tests/test_protocol_routing.py",
    ),
    "_routing.fast": (
        "tests/test_routing.py",
        "tests/property/test_routing_properties.py",
        "tests/test_protocol_routing.py",
        # The simulation runs its pools on this fast path.
        "tests/test_simulation.py",
    ),
    "_routing.inputs": (
        "tests/test_routing.py",
        "tests/property/test_routing_properties.py",
        "tests/test_protocol_routing.py",
    ),
    "normalize": (
        "tests/test_normalize.py",
        "tests/property/test_normalize_properties.py",
        "tests/test_text.py",
    ),
    "decisions": (
        "tests/test_decisions.py",
        "tests/test_linking.py",
        "tests/test_handover.py",
    ),
    "_merge.manual": (
        "tests/test_merge.py",
        "tests/test_merge_edges.py",
        "tests/property/test_merge_properties.py",
        "tests/test_protocol_merge.py",
    ),
    "merge": _MERGE,
    # Batch deduplication blocks and refines on the engine's keys (Blocking, may_hold).
    "_merge.engine": (*_MERGE, "tests/test_dedupe.py"),
    "_merge.rules": _MERGE,
    "_merge.keys": _MERGE,
}
"""The test files that exercise each module: mutmut runs only these for its mutants.

A module's own mutant tests (``tests/test_<module>_mutants.py``) join its list when they
exist; add a file here when a test of another file is the one that pins a module down.
"""

RULE_MODULES: Final = (
    "linking",
    "handover",
    "related",
    "routing",
    "_routing.dispatch",
    "_routing.rules",
    "_routing.fast",
    "_routing.inputs",
    "normalize",
    "decisions",
    "_merge.manual",
    "merge",
    "_merge.engine",
    "_merge.rules",
    "_merge.keys",
)
"""The modules the rules live in, in the order issue 20 asks for their score."""

EXIT_STATUS: Final[dict[int | None, str]] = {
    0: "survived",
    1: "killed",
    3: "killed",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "caught by type check",
    -11: "segfault",
    -9: "segfault",
    None: "not checked",
}
"""mutmut's exit codes (mutmut.stats.status_by_exit_code), read from its .meta files."""

DETECTED: Final = frozenset({"killed", "timeout", "segfault", "caught by type check"})
"""Outcomes where the change was noticed: a mutant that hangs or crashes is caught."""


def source(module: str) -> Path:
    """
    Return the source file of ``module`` (``linking``, ``_routing.dispatch``), relative.

    >>> source("_routing.dispatch").as_posix()
    'src/leadcore/_routing/dispatch.py'
    """
    relative = Path("src", "leadcore", *module.split("."))
    package = relative / "__init__.py"
    return package if (ROOT / package).exists() else relative.with_suffix(".py")


def selected_tests(module: str) -> tuple[str, ...]:
    """
    Return the test files mutmut runs for ``module``: its mapping, then its mutant tests.

    >>> selected_tests("linking")[0], "tests/test_linking_mutants.py" in selected_tests("linking")
    ('tests/test_linking.py', True)
    """
    own = f"tests/test_{module.replace('.', '_').lstrip('_')}_mutants.py"
    mapped = TESTS.get(module, ("tests",))
    return (*mapped, own) if (ROOT / own).exists() else mapped


def modules_of(names: Iterable[str]) -> list[str]:
    """
    Resolve command-line names: ``rules``, ``linking``, ``leadcore._merge.manual``, a path.

    >>> modules_of(["src/leadcore/_merge/manual.py", "leadcore.linking"])
    ['_merge.manual', 'linking']
    """
    found: list[str] = []
    for name in names:
        if name == "rules":
            found.extend(RULE_MODULES)
            continue
        module = name.removesuffix(".py").replace("/", ".").removeprefix("src.")
        module = module.removeprefix("leadcore.").removesuffix(".__init__")
        if not (ROOT / source(module)).exists():
            msg = f"no module leadcore.{module} (looked for {source(module)})"
            raise SystemExit(msg)
        found.append(module)
    return list(dict.fromkeys(found))


# -- running mutmut -------------------------------------------------------------------------


def _allow_checked_functions() -> None:
    """
    Let mutmut mutate functions decorated with ``@a.checked`` (leadcore._attrs.checked).

    mutmut 3 skips every decorated function but ``staticmethod`` and ``classmethod``, since
    an unknown decorator may register the function twice or run code when it is defined.
    Ours only wraps the function to check its arguments, so mutmut's trampoline (the
    function that calls the original or the active mutant) can sit under it as under
    ``staticmethod``. Without this the public rule functions would not be mutated at all.
    ``@a.takes_results`` under it (it only marks the function for ``checked``) is let
    through too: without it ``linking.unlink``, ``merge.unmerge``,
    ``decisions.changes_between`` and ``revert`` and the dispatch's ``offer`` and
    ``apply_event`` were not mutated, and nothing said so.
    """
    import libcst as cst  # noqa: PLC0415  # only in the mutmut process
    from libcst.metadata import PositionProvider  # noqa: PLC0415
    from mutmut.mutation import file_mutation  # noqa: PLC0415

    visitor = file_mutation.MutationVisitor
    skip = getattr(visitor, "_skip_node_and_children", None)
    if skip is None:  # pragma: no cover  # a mutmut that renamed it: say so, loudly
        msg = "mutmut changed: MutationVisitor._skip_node_and_children is gone"
        raise SystemExit(msg)

    def named(decorator: cst.BaseExpression, *names: str) -> bool:
        if isinstance(decorator, cst.Call):
            decorator = decorator.func
        return (
            isinstance(decorator, cst.Attribute)
            and isinstance(decorator.value, cst.Name)
            and decorator.value.value == "a"
            and decorator.attr.value in names
        )

    def checked(decorator: cst.BaseExpression) -> bool:
        return named(decorator, "checked")

    def patched(self: file_mutation.MutationVisitor, node: cst.CSTNode) -> bool:
        if (
            isinstance(node, cst.FunctionDef)
            and node.decorators
            and any(checked(d.decorator) for d in node.decorators)
            and all(named(d.decorator, "checked", "takes_results") for d in node.decorators)
        ):
            position = self.get_metadata(PositionProvider, node, None)
            if position and position.start.line in self._ignored_node_lines:
                self.ignored_functions.add(node.name.value)
                return True
            return False
        return bool(skip(self, node))

    visitor._skip_node_and_children = patched  # type: ignore[method-assign]

    # mutmut keeps a function's decorators on the original's copy and on each mutant too
    # (right for staticmethod); ours stays on the trampoline only, so that a rule called
    # through a.unchecked (as leadcore's engines do) runs its own checks, not the decorator's.
    arrange = file_mutation.function_trampoline_arrangement

    def arranged(
        function: cst.FunctionDef, mutants: Iterable[file_mutation.Mutation], class_name: str | None
    ) -> tuple[Sequence[object], Sequence[object], Sequence[object], Sequence[str]]:
        empty, nodes, assignments, names = arrange(function, mutants, class_name)
        bare = [
            node.with_changes(decorators=[d for d in node.decorators if not checked(d.decorator)])
            if index and isinstance(node, cst.FunctionDef)
            else node
            for index, node in enumerate(nodes)
        ]
        return empty, bare, assignments, names

    file_mutation.function_trampoline_arrangement = arranged  # type: ignore[assignment]


def _hypothesis_profile() -> None:
    """
    Make property tests repeatable and lighter under mutation testing.

    Derandomized (the same examples on every run, none replayed from the example
    database), so that a mutant is killed or survives the same way each time, 25
    examples per property instead of 60, since each mutant runs them again, and no
    shrinking of a failing example. tests/conftest.py
    loads the profile named by ``LEADCORE_HYPOTHESIS_PROFILE``.
    """
    from hypothesis import HealthCheck, Phase, settings  # noqa: PLC0415  # only in the mutmut process

    settings.register_profile(
        "mutation",
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        # A failing example kills the mutant as it is: shrinking it only costs time (a
        # wrong answer found by a property test took minutes to shrink, ending as a timeout).
        phases=(Phase.explicit, Phase.generate),
        # mutmut runs pytest several times in one process (stats, clean run, each mutant):
        # the same test method is then called from several instances of its class.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    )
    os.environ["LEADCORE_HYPOTHESIS_PROFILE"] = "mutation"


_LINKED: Final = ("src", "tests", "docs", "pyproject.toml", "README.md", "CHANGELOG.md")
"""What a module's working directory links to: the code, its tests and what they read."""


def workdir(module: str) -> Path:
    """
    Return the directory mutmut runs in for ``module``, made on first use.

    One per module, under ``mutants/``: mutmut keeps its mutants and results in
    ``mutants/`` of its working directory and restores every file it does not mutate, so
    modules sharing one would lose each other's mutants. It links to the repository's
    code and tests, which mutmut copies.
    """
    where = MUTANTS / module
    where.mkdir(parents=True, exist_ok=True)
    for name in _LINKED:
        link = where / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    return where


def _child(module: str, max_children: int, *, survivors_only: bool) -> None:
    """Run mutmut on one module, in this process (``--child``): mutmut reads globals."""
    results = workdir(module) / "mutants"
    os.chdir(workdir(module))
    _hypothesis_profile()
    from mutmut import __main__ as mutmut_main  # noqa: PLC0415
    from mutmut.configuration import config  # noqa: PLC0415

    _allow_checked_functions()
    settings = config()
    path = source(module)
    settings.only_mutate = [path.as_posix()]
    settings.pytest_add_cli_args_test_selection = list(selected_tests(module))
    # hypothesis is imported before pytest starts (for the profile): nothing to rewrite in it.
    settings.pytest_add_cli_args = [
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning",
    ]
    names: list[str] = []
    if survivors_only:
        left = [name for name, status in _statuses(module).items() if status not in DETECTED]
        # Those listed as equivalent are not run again (each runs every test of its
        # function): they stay survivors, and a full run checks them again.
        names = _unlisted_names(module, left, load_survivors())
        if not names:
            print(f"{module}: no survivors to re-run")
            return
    else:
        for stale in (path, Path(f"{path}.meta"), Path(f"{path}.spans")):
            (results / stale).unlink(missing_ok=True)
        # The stats say which test calls which function: made again, as the tests change.
        (results / "mutmut-stats.json").unlink(missing_ok=True)
    before = _codes(module)
    mutmut_main._run(names, max_children)  # the CLI's own entry, minus click
    if survivors_only:
        meta = _meta(module)
        data = json.loads(meta.read_text(encoding="utf-8"))
        data["exit_code_by_key"] = kept_verdicts(before, data["exit_code_by_key"], names)
        meta.write_text(json.dumps(data, indent=4), encoding="utf-8")


def _unlisted_names(module: str, names: Sequence[str], listed: Sequence[Survivor]) -> list[str]:
    """Return the mutants of ``names`` not listed as equivalent survivors, nor casts."""
    left = Counter((s.function, s.change) for s in listed if s.module == module)
    found = []
    for name in names:
        diff = _diff(name, module)
        key = (function_of(name), change_of(diff))
        if cast_only(diff):
            continue  # counted nowhere
        if left[key] > 0:
            left[key] -= 1
        else:
            found.append(name)
    return found


def kept_verdicts(
    before: dict[str, int | None], after: dict[str, int | None], rerun: Iterable[str]
) -> dict[str, int | None]:
    """
    Return mutmut's verdicts after re-running ``rerun``, the earlier catches kept.

    mutmut 3 drops every verdict when its settings change, and they do when a module's
    ``tests/test_<module>_mutants.py`` first appears (its test selection grows): the
    mutants not re-run would then count as unchecked. A mutant caught before stays caught
    when tests are only added, so its earlier verdict is kept; a full run checks all again.

    >>> kept_verdicts({"a": 1, "b": 0, "c": 1}, {"a": None, "b": 1, "c": 0}, ["b"])
    {'a': 1, 'b': 1, 'c': 0}
    """
    again = set(rerun)
    kept = dict(after)
    for name, code in after.items():
        earlier = before.get(name)
        if code is None and name not in again and EXIT_STATUS.get(earlier) in DETECTED:
            kept[name] = earlier
    return kept


def _meta(module: str) -> Path:
    return MUTANTS / module / "mutants" / f"{source(module)}.meta"


def _codes(module: str) -> dict[str, int | None]:
    meta = _meta(module)
    if not meta.exists():
        return {}
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return codes


def _statuses(module: str) -> dict[str, str]:
    return {name: EXIT_STATUS.get(code, "suspicious") for name, code in _codes(module).items()}


class Figures(NamedTuple):
    """One module's result."""

    module: str
    mutants: int
    killed: int
    survived: tuple[str, ...]
    cpu_seconds: float

    @property
    def score(self) -> float:
        """Killed over all mutants, in percent."""
        return 100.0 * self.killed / self.mutants if self.mutants else 100.0


def figures(module: str, cpu_seconds: float) -> Figures:
    """
    Read one module's result from mutmut's files.

    Mutants that only change the type named by a ``typing.cast`` are left out of every
    count (see :func:`cast_only`): mutmut 3 cannot be told to skip a call but ``len``
    and ``isinstance``, and no test can tell such a mutant from the original.
    """
    statuses = _statuses(module)
    killed = sum(1 for s in statuses.values() if s in DETECTED)
    left = sorted(n for n, s in statuses.items() if s not in DETECTED)
    survived = tuple(n for n in left if not cast_only(_diff(n, module)))
    casts = len(left) - len(survived)
    return Figures(module, len(statuses) - casts, killed, survived, cpu_seconds)


_CAST_TYPE: Final = re.compile(r"\bcast\((?:None|\"[^\"]*\"|'[^']*'),\s*")


def cast_only(diff: str) -> bool:
    r"""
    Return whether a mutant's diff only changes the type a ``typing.cast`` names.

    ``cast`` returns its value whatever the type says (a hint for mypy), so such a mutant
    is equivalent by construction.

    >>> cast_only('--- f\n+++ f\n-    x = cast("Lead", v)\n+    x = cast(None, v)')
    True
    >>> cast_only('--- f\n+++ f\n-    x = cast("Lead", v)\n+    x = cast("Lead", w)')
    False
    >>> cast_only('--- f\n+++ f\n-    x = 1\n+    x = 2')
    False
    """
    removed: list[str] = []
    added: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            continue
        if line[:1] in "+-":
            normal = _CAST_TYPE.sub("cast(", line[1:]).strip()
            (removed if line[0] == "-" else added).append(normal)
    return bool(removed) and removed == added and "cast(" in "".join(removed)


# -- survivors ------------------------------------------------------------------------------


class Survivor(NamedTuple):
    """A surviving mutant as listed in mutation/survivors.toml."""

    module: str
    function: str
    change: str
    why: str


def load_survivors(path: Path = SURVIVORS) -> list[Survivor]:
    """Read the listed equivalent mutants."""
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Survivor(s["module"], s["function"], s["change"].strip(), s["why"].strip())
        for s in data.get("survivor", [])
    ]


_NUMBER = re.compile(r"__mutmut_\d+$")


def function_of(mutant: str) -> str:
    """
    Return the function a mutant name is of, as written in the source.

    >>> function_of("leadcore.linking.x__reasons__mutmut_12")
    '_reasons'
    >>> function_of("leadcore.linking.x\u01c1LinkResult\u01c1_view__mutmut_3")
    'LinkResult._view'
    """
    mangled = _NUMBER.sub("", mutant).rpartition(".")[2]
    if mangled.startswith("x_") and "\u01c1" not in mangled:
        return mangled[2:]
    return ".".join(mangled.split("\u01c1")[1:])


def change_of(diff: str) -> str:
    r"""
    Return the changed lines of a mutant's diff, stripped: what identifies it in a list.

    >>> print(change_of("--- a\n+++ a\n@@ -1 +1 @@\n-    x = 1\n+    x = 2\n     y"))
    - x = 1
    + x = 2
    """
    lines = diff.splitlines()
    changed = [
        f"{line[0]} {line[1:].strip()}"
        for line in lines
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return "\n".join(changed)


def _diff(mutant: str, module: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # noqa: PLC0415

    cwd = Path.cwd()
    os.chdir(workdir(module))
    try:
        return str(get_diff_for_mutant(mutant, path=source(module)))
    finally:
        os.chdir(cwd)


def unlisted(result: Figures, listed: Sequence[Survivor]) -> tuple[list[str], list[Survivor]]:
    """
    Return the survivors missing from the list (with their diff), and the stale entries.

    Entries are matched by module, function and change, not by mutant number, which
    shifts whenever the function changes.
    """
    left = Counter((s.function, s.change) for s in listed if s.module == result.module)
    missing: list[str] = []
    for mutant in result.survived:
        diff = _diff(mutant, result.module)
        key = (function_of(mutant), change_of(diff))
        if left[key] > 0:
            left[key] -= 1
        else:
            missing.append(f"{mutant} ({function_of(mutant)}):\n{diff}")
    stale = [s for s in listed if s.module == result.module and left[(s.function, s.change)] > 0]
    return missing, stale


# -- the figures file ---------------------------------------------------------------------

_START: Final = "<!-- figures: written by tools/mutate.py -->"
_END: Final = "<!-- end of figures -->"
_HEADER: Final = (
    "| module | mutants | killed | survived | score | date | commit | CPU time |",
    "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |",
)


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src", "tests")
    return f"{head} + uncommitted changes" if dirty else head


def row(result: Figures, date: str, commit: str) -> str:
    """
    Return the module's row of the figures table.

    >>> row(Figures("linking", 200, 196, ("x", "y", "z", "w"), 95.0), "2026-01-02", "abc")
    '| `linking` | 200 | 196 | 4 | 98.0% | 2026-01-02 | abc | 1 min 35 s |'
    """
    minutes, seconds = divmod(round(result.cpu_seconds), 60)
    cpu = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return (
        f"| `{result.module}` | {result.mutants} | {result.killed} | {len(result.survived)} "
        f"| {result.score:.1f}% | {date} | {commit} | {cpu} |"
    )


def cpu_of(module: str, text: str) -> float:
    """
    Return the CPU seconds the figures page ``text`` gives ``module`` (0 when it has none).

    >>> cpu_of("linking", "| `linking` | 2 | 2 | 0 | 100.0% | d | c | 1 min 35 s |")
    95.0
    """
    found = re.search(
        rf"^\| `{re.escape(module)}` \|.*\| (?:(\d+) min )?(\d+) s \|$", text, re.MULTILINE
    )
    if found is None:
        return 0.0
    return 60.0 * int(found.group(1) or 0) + int(found.group(2))


def update_figures(rows: dict[str, str], text: str) -> str:
    """
    Return the figures page ``text`` with the given modules' rows replaced or added.

    Rows are kept in :data:`RULE_MODULES` order, other modules after them by name.
    """
    start, end = text.index(_START), text.index(_END)
    current: dict[str, str] = {}
    for line in text[start:end].splitlines():
        found = re.match(r"\| `([\w.]+)` \|", line)
        if found:
            current[found.group(1)] = line
    current.update(rows)
    order = {m: i for i, m in enumerate(RULE_MODULES)}
    ordered = sorted(current, key=lambda m: (order.get(m, len(order)), m))
    table = "\n".join([_START, "", *_HEADER, *(current[m] for m in ordered), ""])
    return text[:start] + table + "\n" + text[end:]


# -- the command --------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    """Run the command; return its exit status."""
    parser = argparse.ArgumentParser(prog="dev.py mutate", description=__doc__.split("\n")[1])
    parser.add_argument("modules", nargs="*", default=["rules"], metavar="MODULE")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--survivors", action="store_true", help="re-run only the survivors")
    parser.add_argument(
        "--check", action="store_true", help="run nothing: check the last results' survivors"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    modules = modules_of(args.modules)
    if args.child:
        _child(modules[0], args.max_children, survivors_only=args.survivors)
        return 0
    listed = load_survivors()
    failed = False
    for module in modules:
        tests = ", ".join(selected_tests(module))
        print(f"== mutating leadcore.{module} against {tests}", flush=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command = [sys.executable, "-m", "tools.mutate", "--child", module]
        command += ["--max-children", str(args.max_children)]
        if args.survivors:
            command.append("--survivors")
        done = subprocess.run(["true"] if args.check else command, cwd=ROOT, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode:
            print(f"mutmut failed on leadcore.{module} (exit status {done.returncode})")
            failed = True
            continue
        result = figures(module, cpu)
        print(
            f"{module}: {result.mutants} mutants, {result.killed} killed, "
            f"{len(result.survived)} survived: score {result.score:.1f}% ({cpu:.0f} s CPU)"
        )
        missing, stale = unlisted(result, listed)
        for entry in missing:
            print(f"survivor not listed in {SURVIVORS.relative_to(ROOT)}:\n{entry}\n")
        for gone in stale:
            print(f"listed but no longer surviving: {gone.function}: {gone.change}")
        failed = failed or bool(missing) or result.score < THRESHOLD
        # Written after each module: a long run stopped halfway keeps what it measured.
        # A re-run of the survivors keeps the other results, so its counts are the
        # module's; its CPU time is added to that of the run it completes. A check runs
        # nothing: it counts the results again, keeping the row's date, commit and time.
        text = FIGURES.read_text(encoding="utf-8")
        today, commit = dt.datetime.now(dt.UTC).date().isoformat(), _commit()
        if args.survivors or args.check:
            result = result._replace(cpu_seconds=cpu + cpu_of(module, text))
        if args.check:
            found = re.search(
                rf"^\| `{re.escape(module)}` \|(?:[^|]*\|){{4}} ([^|]*) \| ([^|]*) \|",
                text,
                re.MULTILINE,
            )
            if found is None:
                continue
            today, commit = found.group(1), found.group(2)
        rows = {module: row(result, today, commit)}
        FIGURES.write_text(update_figures(rows, text), encoding="utf-8")
        print(f"figures of {module} written to {FIGURES.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
