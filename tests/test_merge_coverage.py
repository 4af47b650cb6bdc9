"""
Edges of the merge engine's modules that no other test runs (issue 20, branch coverage).

Each test asserts what the code answers there: the error's path, value and message for
``KeyCounts``' refusals and ``MergeIndex``' fillers over the GEN-5 limits, the answers
of a rule when the engine's memos and label cache are full (the same as with room to
spare), the labels of a group whose declared blocking key is also one of its items,
``why_not`` and ``summary`` of an explanation without a closest group, and the texts a
custom field's JSON object or nested list gives.
"""

from __future__ import annotations

import attrs
import pytest

from leadcore import merge, normalize
from leadcore._merge import engine
from leadcore.errors import InvalidInput
from leadcore.merge import KeyCounts, MatchGroup, MatchItem, MatchRule, MergeIndex, MergePolicy
from leadcore.model import Lead, Person

from .helpers import NOW, at, person


def recent(lead_id: str, who: Person, **fields: object) -> Lead:
    """A lead created and active yesterday (inside every window)."""
    return Lead(id=lead_id, customer=who, created_at=at(1), last_activity_at=at(1), **fields)  # type: ignore[arg-type]  # test fields


def refusal(error: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, object, str]:
    """The first problem of an error: (path, value, message)."""
    first = error.value.first
    return first.path, first.value, first.message


LIMITED = MergePolicy(
    duplicate_rule=MatchRule(
        any_of=[MatchGroup(all_of=[MatchItem(field="phone", max_leads=1)], label="phone")]
    )
)


class TestKeyCounts:
    """``KeyCounts`` refuses what is not counts, naming the argument (GEN-5)."""

    def space(self) -> object:
        """The key space of LIMITED's phone item, as KeyCounts.of finds it."""
        shared = [Lead(id=i, customer=person(phones=("800 555 0199",))) for i in "AB"]
        (found,) = KeyCounts.of(shared, policy=LIMITED).counts
        return found

    @pytest.mark.parametrize("count", [-1, True, 1.5, "2"])
    def test_a_count_that_is_not_a_whole_number_is_refused(self, count: object) -> None:
        """A negative count, a boolean, a float or a text: counts must be whole numbers."""
        counts = {self.space(): {"+18005550199": count}}

        with pytest.raises(InvalidInput) as error:
            KeyCounts(region="US", counts=counts)

        assert refusal(error)[0] == "counts"
        assert refusal(error)[2] == "must map keys to counts (whole numbers)"

    def test_a_key_that_is_neither_text_nor_a_tuple_is_refused(self) -> None:
        """Keys are texts (or a name's tuple); a number is not a key."""
        with pytest.raises(InvalidInput) as error:
            KeyCounts(region="US", counts={self.space(): {18005550199: 2}})

        assert refusal(error)[2] == "must map keys to counts (whole numbers)"

    def test_of_refuses_a_policy_that_is_not_one(self) -> None:
        """KeyCounts.of(policy=3): the policy is named, with its value."""
        with pytest.raises(InvalidInput) as error:
            KeyCounts.of([], policy=3)  # type: ignore[arg-type]  # refused

        assert refusal(error) == ("policy", 3, "must be a MergePolicy")

    def test_of_refuses_an_item_that_is_not_a_lead_at_its_position(self) -> None:
        """A person among the leads is refused at leads[1], before anything is counted."""
        who = person(phones=("800 555 0199",))

        with pytest.raises(InvalidInput) as error:
            KeyCounts.of([Lead(id="A", customer=who), who], policy=LIMITED)  # type: ignore[list-item]  # refused

        assert refusal(error) == ("leads[1]", who, "must be a Lead")


class TestMergeIndexFillers:
    """The index's email fillers are texts within the GEN-5 limits."""

    def test_a_filler_over_the_text_limit_is_refused(self) -> None:
        """A filler of 10,001 characters: refused at its position, with its length."""
        with pytest.raises(InvalidInput) as error:
            MergeIndex(placeholder_email_locals=["noreply", "x" * 10_001])

        path, value, message = refusal(error)
        assert (path, value) == ("placeholder_email_locals[1]", "x" * 10_001)
        assert message == "must be at most 10000 characters, has 10001"

    def test_too_many_fillers_are_refused(self) -> None:
        """100,001 fillers: one past the list limit."""
        with pytest.raises(InvalidInput) as error:
            MergeIndex(placeholder_email_locals=["x"] * 100_001)

        assert refusal(error)[0] == "placeholder_email_locals"
        assert refusal(error)[2] == "must hold at most 100000 items"

    def test_candidates_of_a_normalized_person_are_those_of_the_person(self) -> None:
        """A NormalizedPerson is used as it is: the same leads as its Person finds."""
        ada = person("Ada", "Lovelace", phones=("(415) 867-5309",))
        index = MergeIndex([Lead(id="A", customer=ada), Lead(id="B", customer=person("Bo"))])
        normal = normalize.person(ada)

        assert index.candidates(normal) == index.candidates(ada) == frozenset({"A"})


class TestFullCaches:
    """The engine's memos and label cache are bounded; full, they change no answer."""

    # Items compared through the memoised sides: an email domain (a person's emails), a
    # lead field (org), and a name prefix with a domain (a group of two items).
    POLICY = MergePolicy(
        duplicate_rule=MatchRule(
            any_of=[
                MatchGroup(
                    all_of=[
                        MatchItem(field="email", method="domain"),
                        MatchItem(field="last_name", method="prefix", length=3),
                    ],
                    label="domain_and_name",
                ),
                MatchGroup(all_of=[MatchItem(field="org")], label="org"),
            ]
        )
    )
    INBOUND = recent("N", person("Ada", "Lovelace", emails=("ada@acme.io",)), org="o-1")
    EXISTING = (
        recent("A", person("Ann", "Lovett", emails=("ann@acme.io",))),
        recent("B", person("Bo", "Lovelace", emails=("bo@other.io",)), org="o-2"),
        recent("C", person("Cy", "Smith", emails=("cy@else.io",)), org="o-1"),
        recent("D", person("Di", "Love", emails=("di@acme.io",)), org="o-3"),
        recent("E", person("Ed", "Jones", emails=("ed@gmail.com",))),
    )
    EXPECTED = (
        ("A", ("email_domain", "last_name_prefix_3")),
        ("C", ("org",)),
        ("D", ("email_domain", "last_name_prefix_3")),
    )

    def answer(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The possible duplicates of INBOUND, with the items each matched on."""
        found = merge.duplicates(self.INBOUND, self.EXISTING, now=NOW, policy=self.POLICY)
        return tuple((d.id, d.matched) for d in found.duplicates)

    def test_the_rule_as_it_answers_with_room_to_spare(self) -> None:
        """The answer the full caches must give: A and D on domain and name, C on org."""
        assert self.answer() == self.EXPECTED

    @pytest.mark.parametrize("bound", ["_MAX_MEMO", "_MAX_MASKS"])
    def test_a_full_cache_gives_the_same_answer(
        self, bound: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Memos emptied at every new value, no labels kept: the same duplicates."""
        monkeypatch.setattr(engine, bound, 0)
        engine.compile_spec.cache_clear()  # a rule compiled now: empty memos and labels
        try:
            first = self.answer()
            again = self.answer()
        finally:
            engine.compile_spec.cache_clear()  # no rule compiled here is used after

        assert first == again == self.EXPECTED


class TestBlockOnAnItem:
    """A group whose declared blocking key is also one of its items."""

    POLICY = MergePolicy(
        duplicate_rule=MatchRule(
            any_of=[
                MatchGroup(
                    of=[MatchItem(field="phone"), MatchItem(field="email")],
                    at_least=2,
                    block_on=[MatchItem(field="phone")],
                    label="phone_and_email",
                )
            ]
        )
    )

    def test_the_closest_group_names_the_item_once(self) -> None:
        """Phone held (as an item and as the blocking key), email not: phone listed once."""
        inbound = recent("N", person(phones=("415 867 5309",), emails=("a@x.io",)))
        existing = recent("A", person(phones=("+1 415 867 5309",), emails=("b@y.io",)))

        found = merge.match(inbound, existing, policy=self.POLICY, mode="duplicates")
        why = merge.explain(inbound, existing, now=NOW, policy=self.POLICY, mode="duplicates")

        assert (found.matches, found.matched) == (False, ("phone",))
        assert why.closest_group == "phone_and_email"
        (group,) = why.groups
        assert (group.holds, group.held, group.failed) == (False, ("phone", "phone"), ("email",))


class TestExplanationWithoutClosestGroup:
    """``why_not`` and ``summary`` when no closest group is named."""

    def test_a_match_has_no_why_not(self) -> None:
        """A group holds: nothing failed that matters, and the summary says what held."""
        ada = person("Ada", "Lovelace", phones=("415 867 5309",))
        why = merge.explain(
            recent("N", ada), recent("A", ada), now=NOW, policy=MergePolicy(), mode="duplicates"
        )

        assert why.matches
        assert why.closest_group is None
        assert why.why_not == ()
        assert why.summary() == (
            "N -> A (duplicates): duplicate; name_fuzzy+phone on the customer via two_of_n"
        )

    def test_an_explanation_built_without_one_says_only_that_no_group_holds(self) -> None:
        """An explanation whose closest group is unset: no why_not, no closest in summary."""
        why = merge.explain(
            recent("N", person("Ada", emails=("a@x.io",))),
            recent("A", person("Bo", emails=("b@y.io",))),
            now=NOW,
            mode="duplicates",
        )
        bare = attrs.evolve(why, closest_group=None)

        assert why.why_not != ()
        assert bare.why_not == ()
        assert bare.summary() == "N -> A (duplicates): none; no group holds"
        assert why.summary().startswith("N -> A (duplicates): none; no group holds, closest ")


class TestCustomFieldValues:
    """A custom field's JSON value: its scalar texts are compared, nothing else."""

    POLICY = MergePolicy(
        duplicate_rule=MatchRule(
            any_of=[MatchGroup(all_of=[MatchItem(field="fields.crm")], label="crm")]
        )
    )

    def explain(self, mine: object, theirs: object) -> merge.MatchExplanation:
        """The explanation of two leads whose custom field ``crm`` holds these values."""
        return merge.explain(
            recent("N", person("Ada"), fields={"crm": mine}),
            recent("A", person("Bo"), fields={"crm": theirs}),
            now=NOW,
            policy=self.POLICY,
            mode="duplicates",
        )

    def test_an_object_gives_no_text(self) -> None:
        """A JSON object is no value: nothing entered, nothing in common, no match."""
        why = self.explain({"id": "X1"}, {"id": "X1"})

        check = why.condition("fields.crm")
        assert (check.inbound, check.existing, check.common) == ((), (), ())
        assert not why.matches

    def test_a_list_gives_its_scalars_only(self) -> None:
        """Nested lists, objects and nulls in a list are skipped; its texts and numbers count."""
        why = self.explain(["X1", ["X2"], {"id": "X3"}, None, 7], ["X2", 7])

        check = why.condition("fields.crm")
        assert check.inbound == ("X1", "7")
        assert check.common == ("7",)
        assert why.matches
