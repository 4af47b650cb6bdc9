"""Property tests of leadcore.related (REL-2..REL-6): invariants over drawn tables."""

from __future__ import annotations

import copy
import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from leadcore import normalize, related
from leadcore.model import Crm, CrmRecord
from leadcore.related import DEFAULT_RELATION_KEYS, CadenceMembership

crms = st.sampled_from(list(Crm))

# Names chosen so that folding matters: case, accents, punctuation, white space, empty.
account_names = st.sampled_from(
    [
        "Acme Corp",
        "ACME corp.",
        "acme-corp",
        "Société Générale",
        "SOCIETE GENERALE",
        "O'Brien Ltd",
        "OBrien Ltd",
        "Globex",
        "",
        " -- ",
        "'.",
    ]
) | st.text(max_size=8)
account_ids = st.sampled_from(["A1", "A2", "a1", "A 1"])
record_ids = st.text(alphabet="LCP0123456789", min_size=1, max_size=4)
cadence_ids = st.sampled_from(["c1", "c2", "c3"])


@st.composite
def records_of(
    draw: st.DrawFn, crm: Crm, record_id: st.SearchStrategy[str] = record_ids
) -> CrmRecord:
    """A record of a kind ``crm`` has, with any key (or none)."""
    return CrmRecord(
        id=draw(record_id),
        kind=draw(st.sampled_from(list(DEFAULT_RELATION_KEYS[crm]))),
        account_id=draw(st.none() | account_ids),
        account_name=draw(st.none() | account_names),
        in_cadence=draw(st.booleans()),
        cadences=draw(st.lists(cadence_ids, max_size=2, unique=True)),
    )


@st.composite
def tables(draw: st.DrawFn, max_size: int = 12) -> tuple[Crm, list[CrmRecord]]:
    """A CRM and a table of its records with unique ids."""
    crm = draw(crms)
    rows = draw(st.lists(records_of(crm), max_size=max_size, unique_by=lambda r: r.id))
    return crm, rows


@st.composite
def triples(draw: st.DrawFn) -> tuple[Crm, CrmRecord, CrmRecord, CrmRecord]:
    """A CRM and three of its records."""
    crm = draw(crms)
    return crm, draw(records_of(crm)), draw(records_of(crm)), draw(records_of(crm))


class TestRelatedProperties:
    """The pairwise rule (REL-2) is an equivalence within a kind, minus reflexivity."""

    @given(triples())
    def test_relatedness_is_symmetric_rel_2(
        self, drawn: tuple[Crm, CrmRecord, CrmRecord, CrmRecord]
    ) -> None:
        """REL-2: a related to b exactly when b related to a."""
        crm, a, b, _ = drawn

        assert related.related(crm, a, b) == related.related(crm, b, a)

    @given(triples())
    def test_relatedness_is_transitive_within_a_kind_rel_2(
        self, drawn: tuple[Crm, CrmRecord, CrmRecord, CrmRecord]
    ) -> None:
        """REL-2: a~b and b~c (a, c distinct) give a~c, and all three share one kind."""
        crm, a, b, c = drawn

        if related.related(crm, a, b) and related.related(crm, b, c) and a.id != c.id:
            assert related.related(crm, a, c)
            assert a.kind == b.kind == c.kind

    @given(triples())
    def test_a_record_is_never_related_to_itself_rel_2(
        self, drawn: tuple[Crm, CrmRecord, CrmRecord, CrmRecord]
    ) -> None:
        """REL-2: never related to itself, nor to another version with the same id."""
        crm, a, b, _ = drawn
        same_id = CrmRecord(
            id=a.id, kind=a.kind, account_id=b.account_id, account_name=b.account_name
        )

        assert not related.related(crm, a, a)
        assert not related.related(crm, a, same_id)

    @given(triples())
    def test_related_records_share_kind_and_key_rel_2(
        self, drawn: tuple[Crm, CrmRecord, CrmRecord, CrmRecord]
    ) -> None:
        """REL-2: related means same kind and an equal, non-empty key of that kind."""
        crm, a, b, _ = drawn
        key = DEFAULT_RELATION_KEYS[crm][a.kind]

        if related.related(crm, a, b):
            assert a.kind == b.kind
            if key == "account_id":
                assert a.account_id is not None
                assert a.account_id == b.account_id
            else:
                assert a.account_name is not None
                assert b.account_name is not None
                folded = normalize.fold(a.account_name)
                assert folded
                assert folded == normalize.fold(b.account_name)


class TestGroupProperties:
    """group() (REL-6) agrees with the pairwise rule and does not depend on order."""

    @given(tables())
    def test_grouping_agrees_with_pairwise_lookup_rel_6(
        self, drawn: tuple[Crm, list[CrmRecord]]
    ) -> None:
        """REL-6, REL-2: two records share a group exactly when they are related."""
        crm, rows = drawn

        groups = related.group(crm, rows)

        where = {i: g.id for g in groups for i in g.records}
        for a, b in itertools.combinations(rows, 2):
            same = a.id in where and where.get(a.id) == where.get(b.id)
            assert same == related.related(crm, a, b)

    @given(tables())
    def test_groups_are_well_formed_rel_6(self, drawn: tuple[Crm, list[CrmRecord]]) -> None:
        """REL-6: groups of 2+, disjoint, ids sorted, groups sorted by id, ids as documented."""
        crm, rows = drawn

        groups = related.group(crm, rows)

        members = [i for g in groups for i in g.records]
        assert len(members) == len(set(members))
        assert [g.id for g in groups] == sorted(g.id for g in groups)
        for g in groups:
            assert len(g.records) >= 2
            assert list(g.records) == sorted(g.records)
            assert g.id == f"{g.kind.value}:{g.key}:{g.value}"
            assert g.key == DEFAULT_RELATION_KEYS[crm][g.kind]

    @given(tables(), st.randoms(use_true_random=False))
    def test_groups_do_not_depend_on_input_order_rel_6(
        self, drawn: tuple[Crm, list[CrmRecord]], rng: random.Random
    ) -> None:
        """REL-6: the same table in any order gives the same groups and group ids."""
        crm, rows = drawn
        shuffled = list(rows)
        rng.shuffle(shuffled)

        assert related.group(crm, shuffled) == related.group(crm, rows)

    @given(tables())
    def test_inputs_are_never_mutated_gen_3(self, drawn: tuple[Crm, list[CrmRecord]]) -> None:
        """GEN-3: grouping changes nothing it is given."""
        crm, rows = drawn
        before = copy.deepcopy(rows)

        related.group(crm, rows)

        assert rows == before


class TestFindProperties:
    """find() (REL-1..REL-4) agrees with the pairwise rule."""

    @given(tables(), st.booleans())
    def test_find_lists_exactly_the_related_records_rel_2_rel_3_rel_4(
        self, drawn: tuple[Crm, list[CrmRecord]], connected: bool
    ) -> None:
        """REL-1..REL-4: related ones sorted, selectable iff in cadence, icon iff any."""
        crm, rows = drawn
        if not rows:
            return
        current, others = rows[0], rows[1:]
        before = copy.deepcopy(rows)

        result = related.find(crm, current, others, connected=connected)

        if not connected:
            assert result.related == ()
            assert result.codes == ("crm_not_connected",)
        else:
            expected = sorted(r.id for r in others if related.related(crm, current, r))
            assert list(result.ids) == expected
            assert result.reasons == ()
            assert all(r.selectable == r.record.in_cadence for r in result.related)
        assert result.show_icon == bool(result.related)
        assert current.id not in result.ids
        assert rows == before

    @given(tables())
    def test_find_agrees_with_group_rel_6(self, drawn: tuple[Crm, list[CrmRecord]]) -> None:
        """REL-6: a record's related records are the rest of its group."""
        crm, rows = drawn
        groups = related.group(crm, rows)
        by_member = {i: g.records for g in groups for i in g.records}

        for row in rows:
            found = related.find(crm, row, rows, connected=True)
            assert found.ids == tuple(i for i in by_member.get(row.id, ()) if i != row.id)


@st.composite
def stop_inputs(
    draw: st.DrawFn,
) -> tuple[list[str], list[CadenceMembership], str | None, bool]:
    """Selected leads, memberships, the current lead (never selected) and the toggle."""
    leads = st.sampled_from(["L1", "L2", "L3", "L4", "L5"])
    memberships = draw(
        st.lists(st.builds(CadenceMembership, lead=leads, cadence=cadence_ids), max_size=10)
    )
    current = draw(st.none() | leads)
    include = draw(st.booleans()) if current is not None else False
    selected = draw(st.lists(leads.filter(lambda x: x != current), max_size=4))
    return selected, memberships, current, include


class TestStopProperties:
    """stop() (REL-5): exactly the memberships of the leads asked for."""

    @given(stop_inputs())
    def test_stop_is_exactly_the_memberships_of_the_leads_asked_for_rel_5(
        self, drawn: tuple[list[str], list[CadenceMembership], str | None, bool]
    ) -> None:
        """REL-5: sorted, unique, every membership of selected (and current if on), no other."""
        selected, memberships, current, include = drawn
        before = (list(selected), copy.deepcopy(memberships))
        asked = set(selected) | ({current} if include and current else set())

        result = related.stop(selected, memberships, current=current, include_current=include)

        pairs = [(s.lead, s.cadence) for s in result.stopped]
        assert pairs == sorted(set(pairs))
        assert set(pairs) == {(x.lead, x.cadence) for x in memberships if x.lead in asked}
        assert set(result.not_in_cadence) == asked - {x.lead for x in memberships}
        assert list(result.not_in_cadence) == sorted(result.not_in_cadence)
        assert (selected, memberships) == before

    @given(stop_inputs())
    def test_toggle_adds_only_the_current_leads_memberships_rel_5(
        self, drawn: tuple[list[str], list[CadenceMembership], str | None, bool]
    ) -> None:
        """REL-5: toggle on minus toggle off is exactly the current lead's memberships."""
        selected, memberships, current, _ = drawn
        if current is None:
            return

        on = set(related.stop(selected, memberships, current=current, include_current=True).stopped)
        off = set(related.stop(selected, memberships, current=current).stopped)

        assert off <= on
        assert on - off == {x for x in memberships if x.lead == current}
