"""
A MergeIndex built from a table answers as one built from the leads (MRG-6, MRG-7).

``dedupe.merge_index`` fills the buckets from a table's normal forms and builds each
lead on first use; for random tables, rules and policies, ``merge.auto`` and
``merge.duplicates`` against it must answer as against ``MergeIndex(leads)``, and its
candidates, size and updates must agree.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leadcore import dedupe, merge
from leadcore.merge import MergeIndex, MergePolicy
from leadcore.model import Lead, Person
from tests.property.strategies import NOW, costly
from tests.property.strategies import colliding_people as people
from tests.property.test_dedupe_lean import policies, tables


def _auto(answer: merge.AutoMerge) -> object:
    """An auto-merge answer by codes and ids (a reason's message may show a time zone)."""
    return (
        answer.action,
        answer.target,
        answer.lot,
        answer.matched,
        answer.person,
        answer.via,
        answer.codes,
        [
            (c.id, c.matched, c.person, c.via, [r.code for r in c.reasons])
            for c in answer.candidates
        ],
    )


@costly(150)
@given(tables(max_size=7), policies(), st.data())
def test_an_index_of_a_table_answers_as_an_index_of_its_leads(
    leads: list[Lead], policy: MergePolicy, data: st.DataObject
) -> None:
    """MRG-6/7: auto and duplicates against both indexes, for each lead and a new one."""
    fillers = policy.placeholder_email_locals
    of_table = dedupe.merge_index(leads, placeholder_email_locals=fillers)
    of_leads = MergeIndex(leads, placeholder_email_locals=fillers)
    new = Lead(
        id="N", customer=data.draw(people()), source=data.draw(st.sampled_from([None, "web"]))
    )

    for inbound in [new, *leads]:
        one = merge.auto(inbound, of_table, now=NOW, policy=policy)
        two = merge.auto(inbound, of_leads, now=NOW, policy=policy)
        dup_one = merge.duplicates(inbound, of_table, now=NOW, policy=policy)
        dup_two = merge.duplicates(inbound, of_leads, now=NOW, policy=policy)

        assert _auto(one) == _auto(two), inbound.id
        assert dup_one == dup_two, inbound.id
        assert of_table.candidates(inbound.customer) == of_leads.candidates(inbound.customer)


@given(tables(max_size=5), people())
def test_updates_of_an_index_of_a_table(leads: list[Lead], who: Person) -> None:
    """Adding, removing and replacing leads: as in an index of the leads."""
    indexes = [dedupe.merge_index(leads), MergeIndex(leads)]
    changed = Lead(id=leads[1].id, customer=who)

    for index in indexes:
        index.add(Lead(id="N", customer=who))
        assert index.remove(leads[0].id).id == leads[0].id
        assert index.replace(changed).id == leads[1].id

    one, two = indexes
    assert [lead.id for lead in one] == [lead.id for lead in two]
    assert len(one) == len(two) == len(leads)
    assert one.candidates(who) == two.candidates(who)
    assert leads[0].id not in one
