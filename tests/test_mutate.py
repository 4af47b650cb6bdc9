"""
The mutation-testing command's settings (tools/mutate.py) are valid.

The command itself is too slow for the test suite (``python3 dev.py mutate``, issue 20);
these tests check what it relies on: every rule module is mapped to test files that
exist, the survivors list names real modules and says why, and the figures page has its
table.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from tools import mutate

ROOT = Path(__file__).resolve().parent.parent


def test_every_rule_module_is_mapped_to_tests() -> None:
    """Each rule module exists and runs against a mapping of its own."""
    assert set(mutate.RULE_MODULES) <= set(mutate.TESTS)
    for module in mutate.RULE_MODULES:
        assert (ROOT / mutate.source(module)).is_file(), module


def test_every_mapped_test_file_exists() -> None:
    """A renamed or deleted test file would silently drop out of a module's run."""
    for module, files in mutate.TESTS.items():
        assert (ROOT / mutate.source(module)).is_file(), module
        assert files, module
        for name in mutate.selected_tests(module):
            assert (ROOT / name).is_file(), f"{module}: {name}"
            assert name.startswith("tests/"), name


def test_every_mutant_test_file_belongs_to_a_module() -> None:
    """``tests/test_<module>_mutants.py`` joins its module's run; no orphan."""
    own = {f"tests/test_{m.replace('.', '_').lstrip('_')}_mutants.py": m for m in mutate.TESTS}
    for path in ROOT.glob("tests/test_*_mutants.py"):
        name = path.relative_to(ROOT).as_posix()
        assert name in own, name
        assert name in mutate.selected_tests(own[name])


def test_modules_are_named_as_on_the_command_line() -> None:
    """A module path, a dotted name or ``rules``; anything else is refused."""
    assert mutate.modules_of(["rules"]) == list(mutate.RULE_MODULES)
    assert mutate.modules_of(["routing", "src/leadcore/routing.py"]) == ["routing"]
    with pytest.raises(SystemExit, match=r"no module leadcore\.nothing"):
        mutate.modules_of(["nothing"])


def test_the_survivors_list_is_well_formed() -> None:
    """Each listed survivor names a known module, a change and why it is equivalent."""
    data = tomllib.loads(mutate.SURVIVORS.read_text(encoding="utf-8"))
    assert set(data) <= {"survivor"}
    for entry in data.get("survivor", []):
        assert set(entry) == {"module", "function", "change", "why"}, entry
        assert entry["module"] in mutate.TESTS, entry
        assert entry["function"], entry
        lines = entry["change"].strip().splitlines()
        assert lines, entry
        assert all(line[:2] in {"- ", "+ "} for line in lines), entry
        assert len(entry["why"]) > 20, entry
    assert len(mutate.load_survivors()) == len(data.get("survivor", []))


def test_the_figures_page_has_its_table() -> None:
    """The command rewrites the rows between the markers; they must be there."""
    text = mutate.FIGURES.read_text(encoding="utf-8")
    updated = mutate.update_figures({"linking": "| `linking` | 1 | 1 | 0 | 100.0% |"}, text)
    assert "| `linking` | 1 | 1 | 0 | 100.0% |" in updated
    again = mutate.update_figures({"linking": "| `linking` | 2 | 2 | 0 | 100.0% |"}, updated)
    assert "| `linking` | 1 |" not in again
    assert again.count("| `linking` |") == 1


def test_survivor_changes_match_whatever_the_indentation() -> None:
    """Entries match a survivor by its stripped changed lines, not by mutant number."""
    diff = "--- f\n+++ f\n@@ -1,2 +1,2 @@\n def f():\n-        return a < b\n+        return a <= b"

    assert mutate.change_of(diff) == "- return a < b\n+ return a <= b"
    assert mutate.function_of("leadcore._routing.dispatch.x_dispatch__mutmut_7") == "dispatch"


def test_a_rerun_of_survivors_keeps_the_earlier_catches() -> None:
    """When the test selection grows mutmut drops its verdicts: caught mutants stay caught."""
    before = {"caught": 1, "timed out": 36, "survived": 0, "untested": 33, "new": None}
    after: dict[str, int | None] = {
        "caught": None,
        "timed out": None,
        "survived": 1,
        "untested": None,
        "new": None,
        "unknown": None,
    }
    kept = mutate.kept_verdicts(before, after, ["survived", "untested"])
    assert kept == {
        "caught": 1,
        "timed out": 36,
        "survived": 1,
        "untested": None,
        "new": None,
        "unknown": None,
    }
    assert mutate.kept_verdicts({"a": 1}, {"a": 0}, ["a"]) == {"a": 0}


def test_a_rerun_of_survivors_skips_the_listed_and_the_casts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Listed equivalents (each as often as listed) and cast-only mutants are not re-run."""
    diffs = {
        "leadcore.linking.x_f__mutmut_1": "-    x = 1\n+    x = 2",
        "leadcore.linking.x_f__mutmut_2": "-    x = 1\n+    x = 2",
        "leadcore.linking.x_f__mutmut_3": '-    y = cast("Lead", v)\n+    y = cast(None, v)',
        "leadcore.linking.x_f__mutmut_4": "-    z = 1\n+    z = 0",
    }
    monkeypatch.setattr(mutate, "_diff", lambda name, _module: diffs[name])
    listed = [mutate.Survivor("linking", "f", "- x = 1\n+ x = 2", "why")]
    assert mutate._unlisted_names("linking", list(diffs), listed) == [
        "leadcore.linking.x_f__mutmut_2",
        "leadcore.linking.x_f__mutmut_4",
    ]
    assert mutate._unlisted_names("handover", list(diffs), listed) == [
        "leadcore.linking.x_f__mutmut_1",
        "leadcore.linking.x_f__mutmut_2",
        "leadcore.linking.x_f__mutmut_4",
    ]


_DECORATED = """
from leadcore import _attrs as a

@a.checked
def plain(x: int) -> int:
    return x + 1

@a.checked
@a.takes_results
def undo(x: int) -> int:
    return x - 1

@functools.cache
def cached(x: int) -> int:
    return x * 2
"""


def test_functions_under_checked_and_takes_results_are_mutated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``@a.checked`` alone or over ``@a.takes_results`` is mutated; another decorator is not."""
    from mutmut.mutation import file_mutation  # noqa: PLC0415

    # Undone after the test: the tool patches mutmut in its own process only.
    visitor = file_mutation.MutationVisitor
    monkeypatch.setattr(visitor, "_skip_node_and_children", visitor._skip_node_and_children)
    monkeypatch.setattr(
        file_mutation,
        "function_trampoline_arrangement",
        file_mutation.function_trampoline_arrangement,
    )
    mutate._allow_checked_functions()
    mutated = file_mutation.mutate_file_contents("example.py", _DECORATED)
    functions = {name.rpartition("__mutmut_")[0] for name in mutated.mutant_names}
    assert functions == {"x_plain", "x_undo"}
    # The trampoline keeps both decorators (checked reads takes_results' mark on it); the
    # mutants lose @a.checked only, so that a.unchecked reaches an unchecked mutant.
    code = mutated.code
    trampoline = code.index("def undo(")
    assert code[:trampoline].rstrip().endswith("@_mutmut_mutated(mutants_x_undo__mutmut)")
    assert "@a.checked\n@a.takes_results\n@_mutmut_mutated(mutants_x_undo__mutmut)" in code
    first = code.index("def x_undo__mutmut_1(")
    assert code[:first].rstrip().endswith("@a.takes_results")
    assert not code[:first].rstrip().endswith("@a.checked\n@a.takes_results")
