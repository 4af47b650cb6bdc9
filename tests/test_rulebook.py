"""
The site's build helpers (tools/): what they find about each rule, how they link.

``tools/rulebook.py`` finds, at every build, each rule's reason codes, code, decisions,
tests and vectors for the rulebook (docs/rules.md); ``tools/mkdocs_hooks.py`` shows files
from outside docs/ and links rule IDs; ``tools/griffe_roles.py`` turns docstring roles
into cross-references. ``tests/test_docs_site.py`` checks the built site; these tests
check the pieces on small inputs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tools import rulebook

from leadcore import conformance

mkdocs_hooks = pytest.importorskip("tools.mkdocs_hooks", reason="the docs extra builds the site")
griffe = pytest.importorskip("griffe", reason="the docs extra builds the site")

ROOT = Path(__file__).resolve().parents[1]


class TestRuleIds:
    """Rule IDs in text, in test names and in the rulebook's headings."""

    def test_ranges_name_every_rule_in_them(self) -> None:
        """MRG-1 to MRG-3, HND-1..HND-2 and RTE-2 (en dash) 4 name each rule between them."""
        text = "MRG-1 to MRG-3; HND-1..HND-2; RTE-2\u20134; LNK-10"

        found = rulebook.rule_ids(text)

        assert found == {"MRG-1", "MRG-2", "MRG-3", "HND-1", "HND-2", "RTE-2", "RTE-3"} | {
            "RTE-4",
            "LNK-10",
        }

    def test_an_id_inside_a_longer_word_is_not_a_rule(self) -> None:
        """XMRG-1 and MRG-12a are not rule IDs; MRG-12 would be (and is unknown elsewhere)."""
        assert rulebook.rule_ids("XMRG-1 MRG-12a") == set()

    def test_the_rulebook_defines_the_packages_rule_ids_in_order(self) -> None:
        """GEN-1...MRG-8: docs/rules.md has a heading for each of RULE_IDS, in their order."""
        text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")

        assert rulebook.rulebook_ids(text) == list(conformance.RULE_IDS)


class TestTestsByRule:
    """A test names a rule in its name or anywhere in its source."""

    def test_names_bodies_and_ranges_are_found(self, tmp_path: Path) -> None:
        """MRG-3 in a name, MRG-4 in a body, HND-1..HND-2 in a docstring; helpers ignored."""
        tests = tmp_path / "tests"
        tests.mkdir()
        (tests / "test_x.py").write_text(
            textwrap.dedent(
                '''
                def helper():
                    """MRG-8 is not a test."""

                def test_old_leads_are_not_candidates_mrg_3():
                    pass

                class TestThing:
                    def test_phone_only(self):
                        assert "MRG-4"

                    def test_handover(self):
                        """HND-1..HND-2: both."""
                '''
            ),
            encoding="utf-8",
        )

        found = rulebook.tests_by_rule(tests)

        assert found == {
            "MRG-3": ["tests/test_x.py::test_old_leads_are_not_candidates_mrg_3"],
            "MRG-4": ["tests/test_x.py::TestThing::test_phone_only"],
            "HND-1": ["tests/test_x.py::TestThing::test_handover"],
            "HND-2": ["tests/test_x.py::TestThing::test_handover"],
        }

    def test_every_rule_is_named_by_a_test_of_the_suite(self) -> None:
        """Every rule ID is named by at least one test of tests/ (GEN-1...MRG-8)."""
        found = rulebook.tests_by_rule(ROOT / "tests")

        assert [i for i in conformance.RULE_IDS if not found.get(i)] == []


class TestDecisions:
    """Decisions are the entries of a family page's "Decisions" section, and of decisions.md."""

    def test_only_the_decisions_section_counts_on_a_family_page(self, tmp_path: Path) -> None:
        """Entries naming MRG-3 under "Decisions" (and its subsections) count; others not."""
        (tmp_path / "merge.md").write_text(
            textwrap.dedent(
                """
                # Merge

                | MRG-3 | a rule row, not a decision |

                ## Decisions

                | topic | decision |
                |---|---|
                | windows | MRG-3 counts strictly |

                ### More

                - MRG-3 again; MRG-6 too

                ```text
                - MRG-3 inside code is not an entry
                ```

                ## Protocol

                - MRG-3 after the section
                """
            ),
            encoding="utf-8",
        )

        found = rulebook.decisions_by_rule(tmp_path, ["merge.md"])

        assert found == {
            "MRG-3": [
                rulebook.Decision("merge.md", "decisions", "Decisions", 1),
                rulebook.Decision("merge.md", "more", "More", 1),
            ],
            "MRG-6": [rulebook.Decision("merge.md", "more", "More", 1)],
        }

    def test_every_section_of_the_decisions_page_counts(self, tmp_path: Path) -> None:
        """On decisions.md every section's entries count, under the section's anchor."""
        (tmp_path / "decisions.md").write_text(
            "# Decisions\n\n## From the rulebook\n\n| MRG-1 | **rulebook** x |\n"
            "\n### Linking (LNK)\n\n- LNK-4 and LNK-4\n",
            encoding="utf-8",
        )

        found = rulebook.decisions_by_rule(tmp_path, ["decisions.md"])

        assert found == {
            "MRG-1": [
                rulebook.Decision("decisions.md", "from-the-rulebook", "From the rulebook", 1)
            ],
            "LNK-4": [rulebook.Decision("decisions.md", "linking-lnk", "Linking (LNK)", 1)],
        }


def _facts(**kwargs: object) -> rulebook.Facts:
    empty: dict[str, object] = {
        "codes": {},
        "protocol": {},
        "code": {},
        "decisions": {},
        "tests": {},
        "vectors": {},
    }
    return rulebook.Facts(**{**empty, **kwargs})  # type: ignore[arg-type]  # test data


class TestFacts:
    """What the rulebook shows after each rule."""

    def test_each_rule_gets_its_facts_before_the_next_heading(self) -> None:
        """The facts of MRG-1 come after its text, before MRG-2; the last rule gets its too."""
        markdown = "## MRG\n\n### MRG-1 One {#mrg-1}\n\nText one.\n\n### MRG-2 Two {#mrg-2}\n\nTwo."
        found = _facts(tests={"MRG-1": ["tests/test_a.py::test_a"]})

        out = rulebook.expand(markdown, found)

        one, two = out.split("### MRG-2")
        assert one.index("Text one.") < one.index("Proof: 1 test and 0 conformance vectors")
        assert "`tests/test_a.py::test_a`" in one
        assert "Proof: 0 tests and 0 conformance vectors name MRG-2" in two

    def test_codes_code_decisions_and_vectors_are_listed_and_linked(self) -> None:
        """Codes link to their catalogue table, code to its API entry, decisions to sections."""
        found = _facts(
            codes={"MRG-2": [("merge.auto", "both_credit_applications", False)]},
            protocol={"MRG-2": ["merge.auto"]},
            code={"MRG-2": ["leadcore.merge.auto"]},
            decisions={"MRG-2": [rulebook.Decision("merge.md", "decisions", "Decisions", 2)]},
            vectors={"MRG-2": [("merge.jsonl:4", "both from a *credit* application")]},
        )

        text = rulebook.facts("MRG-2", found)

        assert "[`both_credit_applications`](reasons.md#mergeauto)" in text
        assert "**Protocol:** `merge.auto`" in text
        assert "[`leadcore.merge.auto`][leadcore.merge.auto]" in text
        assert "[merge: Decisions](merge.md#decisions) (2)" in text
        assert "`merge.jsonl:4`: both from a \\*credit\\* application" in text

    def test_extension_codes_say_so(self) -> None:
        """A code the catalogue marks extension is shown as one."""
        found = _facts(codes={"LNK-7": [("link", "same_lead", False), ("link", "x", True)]})

        text = rulebook.facts("LNK-7", found)

        assert "[`x`](reasons.md#link) (extension)" in text
        assert "[`same_lead`](reasons.md#link)," in text


class TestLinks:
    """Links of a page (or of a file shown from outside docs/), rewritten for the site."""

    @pytest.fixture(autouse=True)
    def _included(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(
            mkdocs_hooks,
            "_included",
            {"CHANGELOG.md": "changelog.md", "benchmarks/dedupe.md": "benchmarks/dedupe.md"},
        )

    def _rewrite(self, markdown: str, source: str, page: str) -> str:
        rewritten: str = mkdocs_hooks._outside_code(
            markdown,
            lambda text: mkdocs_hooks.LINK.sub(
                lambda m: mkdocs_hooks._link(m, source, page, "docs", ROOT), text
            ),
        )
        return rewritten

    def test_a_link_to_a_shown_file_goes_to_its_page(self) -> None:
        """docs/index.md's ../CHANGELOG.md is the changelog page on the site."""
        out = self._rewrite(
            "See [the changes](../CHANGELOG.md#unreleased).", "docs/index.md", "index.md"
        )

        assert out == "See [the changes](changelog.md#unreleased)."

    def test_links_of_a_shown_file_follow_it(self) -> None:
        """benchmarks/README.md, shown at benchmarks/index.md, links its neighbours and docs/."""
        text = "[dedupe](dedupe.md), [merge rules](../docs/merge.md#rules)"

        out = self._rewrite(text, "benchmarks/README.md", "benchmarks/index.md")

        assert out == "[dedupe](dedupe.md), [merge rules](../merge.md#rules)"

    def test_a_file_without_a_page_becomes_its_path(self) -> None:
        """A script of the repository is shown as its path: the site has no page for it."""
        out = self._rewrite(
            "[the script](dedupe_bench.py)", "benchmarks/dedupe.md", "benchmarks/dedupe.md"
        )

        assert out == "the script (`benchmarks/dedupe_bench.py`)"

    def test_code_web_links_and_missing_files_are_left_alone(self) -> None:
        """Links in code, to the web, to an anchor or to nothing are not touched."""
        text = "`[x](../CHANGELOG.md)` [w](https://example.org) [a](#top) [gone](../nothing.md)"

        assert self._rewrite(text, "docs/index.md", "index.md") == text


class TestRuleIdLinks:
    """Rule IDs in a page's HTML link to the rulebook, outside code, links and headings."""

    @pytest.fixture(autouse=True)
    def _rules(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(mkdocs_hooks, "_rules", {"MRG-3": "mrg-3"})

    def test_ids_in_text_link_and_ids_in_code_links_and_headings_do_not(self) -> None:
        """<p>MRG-3</p> links; <code>, <a>, <h2> and <summary> keep theirs as text."""
        html = (
            "<p>see MRG-3 and MRG-9</p><code>MRG-3</code><a href='x'>MRG-3</a>"
            "<h2 id='h'>MRG-3 <em>x</em></h2><summary>MRG-3</summary><br/><p>MRG-3</p>"
        )

        out, unknown = mkdocs_hooks.link_rule_ids(html, "../rules/")

        link = '<a class="rule-id" href="../rules/#mrg-3">MRG-3</a>'
        assert out == (
            f"<p>see {link} and MRG-9</p><code>MRG-3</code><a href='x'>MRG-3</a>"
            f"<h2 id='h'>MRG-3 <em>x</em></h2><summary>MRG-3</summary><br/><p>{link}</p>"
        )
        assert unknown == {"MRG-9"}


class TestRoles:
    """Docstring roles become cross-references to documented objects, code otherwise."""

    def test_roles_resolve_from_the_docstrings_scope(self, tmp_path: Path) -> None:
        """:func:`run` links, ~ shortens, private and outside names stay code; doctests fence."""
        package = tmp_path / "pkg"
        package.mkdir()
        (package / "__init__.py").write_text(
            textwrap.dedent(
                '''
                """
                Use :func:`run`, :class:`~pkg.Thing`, :func:`_hidden` and :func:`str.join`.

                >>> run()
                [1]
                """

                __all__ = ["Thing", "run"]


                class Thing:
                    """A thing."""


                def run():
                    """Run."""


                def _hidden():
                    """Not public."""
                '''
            ),
            encoding="utf-8",
        )
        from tools.griffe_roles import SphinxRoles  # noqa: PLC0415  # needs griffe

        loaded = griffe.load(
            "pkg", search_paths=[str(tmp_path)], extensions=griffe.load_extensions(SphinxRoles)
        )

        text = loaded.docstring.value
        assert "[`run`][pkg.run]" in text
        assert "[`Thing`][pkg.Thing]" in text
        assert "`_hidden`" in text
        assert "[`_hidden`]" not in text
        assert "`str.join`" in text
        assert "```pycon\n>>> run()\n[1]\n```" in text
