"""Property tests of leadcore.merge (MRG-1 to MRG-8): invariants, boundaries, the index."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from leadcore import _wire, merge, normalize
from leadcore._merge.manual import present
from leadcore.merge import CONDITIONS, MergeIndex, MergePolicy
from leadcore.model import Event, Lead, Person

from .strategies import NOW, offsets

DAY = dt.timedelta(days=1)
TICK = dt.timedelta(microseconds=1)

# Small pools, so that people collide on names, phones and emails often.
first_names = st.sampled_from(
    [None, "", "Ada", "ada", " ADA ", "Adah", "Bob", "Unknown", "null", "Jean Luc", "Jean"]
)
last_names = st.sampled_from(
    [None, "", "Lovelace", "lovelace", "Lovelac", "Stone", "Blank", "Luc Picard", "Picard"]
)
phones = st.sampled_from(
    [
        "(415) 867-5309",
        "+14158675309",
        "(212) 736-5000",
        "617-253-1000",
        "+44 20 7946 0018",
        "12345",
        "",
    ]
)
emails = st.sampled_from(["ada@example.com", " ADA@example.com", "bob@x.io", "bad", "z@z.io"])
people = st.builds(
    Person,
    first_name=first_names,
    last_name=last_names,
    phones=st.lists(phones, max_size=2),
    emails=st.lists(emails, max_size=2),
)
# Days before NOW, crowded around the windows' boundaries.
day_marks = st.sampled_from([0, 1, 44, 45, 46, 119, 120, 121, 364, 365, 366, 900])
ticks = st.sampled_from([-TICK, dt.timedelta(0), TICK]) | st.timedeltas(
    min_value=-DAY, max_value=DAY
)


@st.composite
def moments(draw: st.DrawFn) -> dt.datetime | None:
    """A moment before NOW near a window boundary, in any offset, or None."""
    if draw(st.integers(0, 9)) == 0:
        return None
    when = NOW - draw(day_marks) * DAY + draw(ticks)
    return when.astimezone(draw(offsets))


@st.composite
def leads(draw: st.DrawFn, lead_id: str | None = None) -> Lead:
    """A lead whose people often collide with others'."""
    return Lead(
        id=lead_id or draw(st.sampled_from([f"L{i}" for i in range(8)])),
        customer=draw(people),
        co_customer=draw(st.none() | people),
        source=draw(st.sampled_from([None, "web", "credit_application"])),
        lot=draw(st.sampled_from([None, "A", "B"])),
        created_at=draw(moments()),
        last_activity_at=draw(moments()),
    )


existing_leads = st.lists(leads(), max_size=6, unique_by=lambda lead: lead.id)
inbound_leads = leads(lead_id="N1")


@st.composite
def echoes(draw: st.DrawFn, who: Person) -> Person:
    """A person that copies most of ``who``'s names, phones and emails (matches happen)."""

    def some(items: tuple[str, ...], pool: st.SearchStrategy[str]) -> list[str]:
        copied = [i for i in items if draw(st.integers(0, 3))]
        return copied + draw(st.lists(pool, max_size=1))

    return Person(
        first_name=who.first_name if draw(st.integers(0, 3)) else draw(first_names),
        last_name=who.last_name if draw(st.integers(0, 3)) else draw(last_names),
        phones=some(who.phones, phones),
        emails=some(who.emails, emails),
    )


@st.composite
def like(draw: st.DrawFn, who: Person, lead_id: str) -> Lead:
    """A lead whose customer or co-customer often echoes ``who``."""
    lead = draw(leads(lead_id=lead_id))
    return attrs.evolve(
        lead,
        customer=draw(echoes(who) | people),
        co_customer=draw(st.none() | echoes(who) | people),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Lead, list[Lead]]:
    """An inbound lead and existing leads, many of them echoing its customer."""
    new = attrs.evolve(draw(inbound_leads), customer=draw(rich_people))
    ids = draw(st.lists(st.sampled_from([f"L{i}" for i in range(8)]), max_size=6, unique=True))
    return new, [draw(like(new.customer, i)) for i in ids]


rich_people = st.builds(
    Person,
    first_name=st.sampled_from(["Ada", "ada", "Unknown", "Jean Luc"]) | first_names,
    last_name=st.sampled_from(["Lovelace", "Stone", "Null"]) | last_names,
    phones=st.lists(phones, min_size=1, max_size=2),
    emails=st.lists(emails, max_size=2),
)
"""People with more to match on (a name and a phone more often than not)."""


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Person, Lead]:
    """An inbound person and a lead often echoing it."""
    who = draw(rich_people)
    return who, draw(like(who, "L1"))


@st.composite
def policies(draw: st.DrawFn) -> MergePolicy:
    """A policy with any conditions and minimums the rules allow."""
    auto_conditions = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, unique=True))
    duplicate_conditions = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, unique=True))
    return MergePolicy(
        auto_merge_conditions=auto_conditions,
        auto_merge_min_conditions=draw(st.integers(1, len(auto_conditions))),
        duplicate_conditions=duplicate_conditions,
        duplicate_min_conditions=draw(st.integers(1, len(duplicate_conditions))),
        duplicate_name_min_ratio=draw(st.sampled_from([0, 80, 90, 100])),
    )


modes = st.sampled_from(["auto", "duplicates"])


def _compared(lead: Lead, found: merge.Match) -> Person:
    person = lead.customer if found.person == "customer" else lead.co_customer
    assert person is not None
    return person


class TestSymmetry:
    """MRG-1, MRG-7: the conditions between two people do not depend on the order."""

    @given(people, people, policies(), modes)
    def test_compare_is_symmetric(
        self, one: Person, two: Person, policy: MergePolicy, mode: Any
    ) -> None:
        """MRG-1, MRG-7: compare(a, b) == compare(b, a)."""
        assert merge.compare(one, two, policy=policy, mode=mode) == merge.compare(
            two, one, policy=policy, mode=mode
        )

    @given(people, people)
    def test_two_of_n_between_single_person_leads_is_symmetric(
        self, one: Person, two: Person
    ) -> None:
        """MRG-1: without co-customers, a two-of-n match works both ways."""
        forward = merge.match(one, Lead(id="b", customer=two))
        backward = merge.match(two, Lead(id="a", customer=one))

        assert forward.matched == backward.matched
        assert (forward.via == "two_of_n") == (backward.via == "two_of_n")

    @given(people, people)
    def test_name_implies_name_fuzzy(self, one: Person, two: Person) -> None:
        """MRG-1, MRG-7: equal folded names score 100."""
        policy = MergePolicy(duplicate_conditions=["name", "name_fuzzy"])

        found = merge.compare(one, two, policy=policy, mode="duplicates")

        assert "name" not in found or "name_fuzzy" in found


class TestSpecV12:
    """Rules v1.2: name_fuzzy on real names only; filler emails count for nothing."""

    @given(people, people, st.sampled_from([0, 50, 90]))
    def test_name_fuzzy_holds_only_between_real_names(
        self, one: Person, two: Person, ratio: int
    ) -> None:
        """MRG-7, v1.2 of the rules: both folded full names present, neither a placeholder."""
        policy = MergePolicy(duplicate_name_min_ratio=ratio)

        found = merge.compare(one, two, policy=policy, mode="duplicates")

        if "name_fuzzy" in found:
            for who in (one, two):
                normal = normalize.person(who)
                assert normal.full
                assert not normal.is_placeholder(policy.placeholder_names)

    @given(pairs(), st.sampled_from(["none@none.com", "NA@NA.COM", "No-Reply@x.io"]), modes)
    def test_a_filler_email_changes_no_match(
        self, pair: tuple[Person, Lead], filler: str, mode: Any
    ) -> None:
        """MRG-1, MRG-4, v1.2 of the rules: adding a filler to both sides changes nothing."""
        who, lead = pair
        with_filler = attrs.evolve(who, emails=(*who.emails, filler))
        customer = attrs.evolve(lead.customer, emails=(filler, *lead.customer.emails))
        lead_with_filler = attrs.evolve(lead, customer=customer)

        assert merge.match(with_filler, lead_with_filler, mode=mode) == merge.match(
            who, lead, mode=mode
        )


class TestMonotonicity:
    """MRG-1, MRG-4: more evidence never turns a merge into a non-merge."""

    @given(pairs(), st.data())
    def test_adding_a_phone_of_the_compared_person_keeps_the_match(
        self, pair: tuple[Person, Lead], data: st.DataObject
    ) -> None:
        """MRG-1, MRG-4: a two-of-n or phone-only match survives one more shared phone."""
        who, lead = pair
        found = merge.match(who, lead)
        theirs = _compared(lead, found)
        if not found.matches or not theirs.phones:
            return
        extra = data.draw(st.sampled_from(theirs.phones))

        again = merge.match(attrs.evolve(who, phones=(*who.phones, extra)), lead)

        assert again.matches
        assert set(found.matched) <= set(again.matched) or again.via == "two_of_n"

    @given(pairs(), st.data())
    def test_adding_an_email_of_the_compared_person_keeps_a_two_of_n_match(
        self, pair: tuple[Person, Lead], data: st.DataObject
    ) -> None:
        """MRG-1: a two-of-n match survives one more shared email."""
        who, lead = pair
        found = merge.match(who, lead)
        theirs = _compared(lead, found)
        if found.via != "two_of_n" or not theirs.emails:
            return
        extra = data.draw(st.sampled_from(theirs.emails))

        again = merge.match(attrs.evolve(who, emails=(*who.emails, extra)), lead)

        assert again.via == "two_of_n"
        assert set(found.matched) <= set(again.matched)

    @given(pairs(), policies(), st.sampled_from(CONDITIONS))
    def test_counting_more_conditions_or_fewer_needed_keeps_the_match(
        self, pair: tuple[Person, Lead], policy: MergePolicy, extra: Any
    ) -> None:
        """MRG-1, GEN-7: a wider condition list or a lower minimum keeps every match."""
        who, lead = pair
        found = merge.match(who, lead, policy=policy)
        if not found.matches:
            return
        conditions = tuple(dict.fromkeys((*policy.auto_merge_conditions, extra)))
        wider = attrs.evolve(policy, auto_merge_conditions=conditions)
        lower = attrs.evolve(
            policy, auto_merge_min_conditions=max(1, policy.auto_merge_min_conditions - 1)
        )

        assert merge.match(who, lead, policy=wider).matches
        assert merge.match(who, lead, policy=lower).matches

    @given(scenarios(), st.data())
    def test_adding_a_phone_of_the_target_keeps_a_merge(
        self, scenario: tuple[Lead, list[Lead]], data: st.DataObject
    ) -> None:
        """MRG-6: more shared evidence with the target never turns merge into create."""
        new, old = scenario
        decision = merge.auto(new, old, now=NOW)
        if decision.action != "merge":
            return
        target = next(lead for lead in old if lead.id == decision.target)
        theirs = target.customer if decision.person == "customer" else target.co_customer
        assert theirs is not None
        if not theirs.phones:
            return
        extra = data.draw(st.sampled_from(theirs.phones))
        customer = attrs.evolve(new.customer, phones=(*new.customer.phones, extra))

        again = merge.auto(attrs.evolve(new, customer=customer), old, now=NOW)

        assert again.action == "merge"


class TestBoundaries:
    """MRG-3, MRG-7: windows at exactly 365, 120 and 45 days."""

    MATCHING = Person(first_name="Ada", last_name="Lovelace", emails=["ada@example.com"])

    @given(st.sampled_from([-TICK, dt.timedelta(0), TICK]), offsets)
    def test_created_365_days_before_now_is_out(self, delta: dt.timedelta, tz: dt.tzinfo) -> None:
        """MRG-3: a candidate was created strictly less than 365 days before now."""
        created = (NOW - 365 * DAY + delta).astimezone(tz)
        lead = Lead(id="L1", customer=self.MATCHING, created_at=created, last_activity_at=NOW)

        decision = merge.auto(Lead(id="N1", customer=self.MATCHING), [lead], now=NOW)

        assert (decision.action == "merge") == (delta > dt.timedelta(0))

    @given(st.sampled_from([-TICK, dt.timedelta(0), TICK]), offsets)
    def test_activity_120_days_before_now_is_in(self, delta: dt.timedelta, tz: dt.tzinfo) -> None:
        """MRG-3: a candidate had activity at most 120 days before now."""
        active = (NOW - 120 * DAY + delta).astimezone(tz)
        lead = Lead(id="L1", customer=self.MATCHING, created_at=NOW, last_activity_at=active)

        decision = merge.auto(Lead(id="N1", customer=self.MATCHING), [lead], now=NOW)

        assert (decision.action == "merge") == (delta >= dt.timedelta(0))

    @given(st.sampled_from([-TICK, dt.timedelta(0), TICK]), offsets)
    def test_activity_45_days_before_now_is_a_duplicate(
        self, delta: dt.timedelta, tz: dt.tzinfo
    ) -> None:
        """MRG-7: a possible duplicate had activity at most 45 days before now."""
        active = (NOW - 45 * DAY + delta).astimezone(tz)
        lead = Lead(id="L1", customer=self.MATCHING, last_activity_at=active)

        found = merge.duplicates(Lead(id="N1", customer=self.MATCHING), [lead], now=NOW)

        assert (found.ids == ("L1",)) == (delta >= dt.timedelta(0))

    @given(scenarios())
    def test_merge_and_route_targets_are_inside_the_windows(
        self, scenario: tuple[Lead, list[Lead]]
    ) -> None:
        """MRG-3, MRG-6: a target qualifies; a merge target is not blocked by MRG-2."""
        new, old = scenario
        decision = merge.auto(new, old, now=NOW)

        if decision.action == "create":
            assert decision.target is None
            return
        target = next(lead for lead in old if lead.id == decision.target)
        assert target.created_at is not None
        assert target.last_activity_at is not None
        assert NOW - target.created_at < 365 * DAY
        assert NOW - target.last_activity_at <= 120 * DAY
        assert decision.lot == target.lot
        both_credit = new.source == target.source == "credit_application"
        assert (decision.action == "route") == both_credit


class TestChoice:
    """MRG-6: the candidates' order and the explanation of each."""

    @given(scenarios())
    def test_candidates_are_ranked_and_every_match_is_listed(
        self, scenario: tuple[Lead, list[Lead]]
    ) -> None:
        """MRG-6: most conditions, most recent activity, smallest id; every match listed."""
        new, old = scenario
        decision = merge.auto(new, old, now=NOW)
        by_id = {lead.id: lead for lead in old}
        matching = {
            lead.id for lead in old if lead.id != new.id and merge.match(new.customer, lead).matches
        }

        assert {c.id for c in decision.candidates} == matching
        keys = [
            (
                -len(c.matched),
                by_id[c.id].last_activity_at is None,
                -(by_id[c.id].last_activity_at or NOW).timestamp(),
                c.id,
            )
            for c in decision.candidates
        ]
        assert keys == sorted(keys)
        if decision.action == "merge":
            first = next(c for c in decision.candidates if c.id == decision.target)
            assert first.reasons == ()
        if decision.action == "create" and decision.candidates:
            assert all(
                not c.qualifies or "both_credit_applications" in [r.code for r in c.reasons]
                for c in decision.candidates
            )


class TestIndex:
    """The index returns exactly what a scan returns."""

    @given(scenarios())
    def test_candidates_are_the_leads_sharing_a_key(
        self, scenario: tuple[Lead, list[Lead]]
    ) -> None:
        """Index lookup == brute force over every lead's normalised keys."""
        from leadcore import normalize  # noqa: PLC0415  # local to this test

        new, old = scenario
        who = new.customer
        mine = normalize.person(who)

        def shares(lead: Lead) -> bool:
            for other in lead.people:
                theirs = normalize.person(other)
                if mine.phone_set & theirs.phone_set or mine.email_set & theirs.email_set:
                    return True
                if mine.has_full_name and theirs.has_full_name and mine.full == theirs.full:
                    return True
            return False

        expected = {lead.id for lead in old if shares(lead)}

        assert MergeIndex(old).candidates(who) == expected

    @given(scenarios(), policies())
    def test_auto_and_duplicates_answer_the_same_with_the_index(
        self, scenario: tuple[Lead, list[Lead]], policy: MergePolicy
    ) -> None:
        """MRG-6, MRG-7: same answers with and without the index, under any policy."""
        new, old = scenario
        index = MergeIndex(old)

        assert merge.auto(new, index, now=NOW, policy=policy) == merge.auto(
            new, old, now=NOW, policy=policy
        )
        assert merge.duplicates(new, index, now=NOW, policy=policy) == merge.duplicates(
            new, old, now=NOW, policy=policy
        )

    @given(
        existing_leads,
        st.lists(st.tuples(st.sampled_from(["add", "remove", "replace"]), leads()), max_size=8),
        people,
    )
    def test_updates_keep_the_index_exact(
        self, start: list[Lead], steps: list[tuple[str, Lead]], who: Person
    ) -> None:
        """Adding, removing and replacing leave the index as if built from the current leads."""
        index = MergeIndex(start)
        current = {lead.id: lead for lead in start}

        for op, lead in steps:
            if op == "add" and lead.id not in current:
                index.add(lead)
                current[lead.id] = lead
            elif op == "remove" and lead.id in current:
                index.remove(lead.id)
                del current[lead.id]
            elif op == "replace" and lead.id in current:
                index.replace(lead)
                current[lead.id] = lead

        assert index.candidates(who) == MergeIndex(current.values()).candidates(who)
        assert sorted(lead.id for lead in index) == sorted(current)


events = st.builds(
    Event,
    id=st.sampled_from(["e1", "e2", "e3"]),
    at=st.sampled_from([NOW, NOW - DAY]),
    status=st.sampled_from(["scheduled", "done"]),
)


@st.composite
def full_leads(draw: st.DrawFn, lead_id: str) -> Lead:
    """A lead with every kind of field set or not, for manual merges."""
    maybe = st.sampled_from([None, "", " ", "x", "y"])
    return Lead(
        id=lead_id,
        customer=draw(people),
        co_customer=draw(st.none() | people),
        project=draw(st.sampled_from([None, "p1", "p2"])),
        status=draw(st.sampled_from([None, "claimed", "interested", " "])),
        owner=draw(st.sampled_from([None, "u1", "u2"])),
        viewers=draw(st.lists(st.sampled_from(["u1", "u2", "u3"]), max_size=2, unique=True)),
        source=draw(maybe),
        lot=draw(st.sampled_from([None, "A", "B"])),
        created_at=draw(moments()),
        last_activity_at=draw(moments()),
        events=draw(st.lists(events, max_size=2, unique_by=lambda e: e.id)),
        linked_to=draw(st.sampled_from([None, "P1"])),
        merged_into=draw(st.sampled_from([None, None, "M1"])),
        fields=draw(
            st.dictionaries(st.sampled_from(["a", "b"]), st.none() | st.integers(0, 2) | maybe)
        ),
    )


# Values equal in Python but written differently: one instant at several offsets, 1 /
# True / 1.0, an event id at one instant in two offsets, spellings of one number.
instants = st.sampled_from([NOW, NOW - DAY]).flatmap(lambda moment: offsets.map(moment.astimezone))
loose_events = st.builds(
    Event,
    id=st.sampled_from(["e1", "e2"]),
    at=instants,
    status=st.sampled_from(["scheduled", "done"]),
)
json_values = st.sampled_from(
    [None, 0, 1, True, False, 1.0, 0.0, -0.0, "1", "", " ", "\x00", "x", (1,), (True,)]
) | st.builds(lambda v: {"k": v}, st.sampled_from([1, True, 1.0]))
texts = st.sampled_from([None, "", " ", "\t\x85", "x", "X", "y"])
loose_people = st.builds(
    Person,
    first_name=texts,
    last_name=texts,
    phones=st.lists(phones | st.sampled_from(["4158675309", " +1 415 867 5309 "]), max_size=4),
    emails=st.lists(
        emails | st.sampled_from(["al@x.io", "AL@x.io", "none@none.com", "NONE@none.com"]),
        max_size=4,
    ),
)


@st.composite
def loose_leads(draw: st.DrawFn, lead_id: str) -> Lead:
    """A lead whose lists hold duplicates and whose values repeat in other spellings."""
    return Lead(
        id=lead_id,
        customer=draw(loose_people),
        co_customer=draw(st.none() | loose_people),
        project=draw(st.sampled_from([None, "p1", " "])),
        status=draw(texts),
        owner=draw(st.sampled_from([None, "u1", "u2"])),
        viewers=draw(st.lists(st.sampled_from(["u1", "u2", " "]), max_size=3)),
        source=draw(texts),
        channel=draw(st.sampled_from([None, "digital", "offline"])),
        lot=draw(texts),
        created_at=draw(st.none() | instants),
        last_activity_at=draw(st.none() | instants),
        events=draw(st.lists(loose_events, max_size=3)),
        linked_to=draw(st.sampled_from([None, "P1"])),
        merged_into=draw(st.sampled_from([None, "M1", "M2"])),
        fields=draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), json_values, max_size=3)),
    )


def written(value: object) -> str:
    """A value as the protocol writes it: the representation GEN-6 compares."""
    return json.dumps(_wire.value(value), sort_keys=True)


def _values(lead: Lead) -> list[tuple[str, object]]:
    """Every value of a lead but its id, with its field as ``discarded`` names it."""
    found: list[tuple[str, object]] = []
    for role in ("customer", "co_customer"):
        who = getattr(lead, role)
        if who is None:
            continue
        found.extend((f"{role}.{name}", getattr(who, name)) for name in ("first_name", "last_name"))
        found.extend((f"{role}.phones", v) for v in who.phones)
        found.extend((f"{role}.emails", v) for v in who.emails)
    for field in attrs.fields(Lead):
        value = getattr(lead, field.name)
        if field.name in {"id", "customer", "co_customer"}:
            continue
        if field.name in {"viewers", "events"}:
            found.extend((field.name, v) for v in value)
        elif field.name == "fields":
            found.extend((f"fields.{k}", v) for k, v in value.items())
        else:
            found.append((field.name, value))
    return [(field, value) for field, value in found if value is not None]


class TestManual:
    """MRG-8: manual merge and its undo."""

    @given(loose_leads("A"), loose_leads("B"))
    def test_nothing_is_lost_by_representation(self, master: Lead, other: Lead) -> None:
        """GEN-6, MRG-8: each value of both leads is in the merged lead or discarded."""
        result = merge.manual(master, other)
        held = {(f, written(v)) for f, v in _values(result.lead)}
        lost = {(d.lead, d.field, written(d.value)) for d in result.discarded}

        for lead in (master, other):
            for field, value in _values(lead):
                assert (field, written(value)) in held or (
                    lead.id,
                    field,
                    written(value),
                ) in lost, (field, value)
        back = merge.unmerge(result.lead, result.record)
        assert back == (master, other)
        assert [written(x) for x in back] == [written(master), written(other)]

    @given(loose_leads("A"), loose_leads("B"))
    def test_no_list_of_the_merged_lead_holds_a_duplicate(self, master: Lead, other: Lead) -> None:
        """MRG-8, v1.2 of the rules: duplicates dropped in every list, both people, events by id."""
        lead = merge.manual(master, other).lead

        for who in lead.people:
            phones = [normalize.phone(p) or f"raw:{p.strip()}" for p in who.phones]
            emails = [
                normalize.email(e, placeholder_email_locals=()) or f"raw:{e.strip()}"
                for e in who.emails
            ]
            assert len(phones) == len(set(phones))
            assert len(emails) == len(set(emails))
        assert len({e.id for e in lead.events}) == len(lead.events)
        assert len(set(lead.viewers)) == len(lead.viewers)

    @given(full_leads("A"), full_leads("B"))
    def test_merge_then_unmerge_restores_both_leads(self, master: Lead, other: Lead) -> None:
        """MRG-8, GEN-6: unmerge(manual(a, b)) == (a, b)."""
        result = merge.manual(master, other)

        assert merge.unmerge(result.lead, result.record) == (master, other)
        assert merge.unmerge(result.lead, result.record, retired=result.retired) == (
            master,
            other,
        )

    @given(full_leads("A"), full_leads("B"))
    def test_master_wins_and_nothing_is_lost(self, master: Lead, other: Lead) -> None:
        """MRG-8: master's values kept; every value of the other is kept or discarded."""
        result = merge.manual(master, other)
        lead = result.lead
        lost = {(d.field, repr(d.value)) for d in result.discarded}

        for name in ("project", "status", "owner", "source", "lot", "created_at", "linked_to"):
            mine, theirs, merged = getattr(master, name), getattr(other, name), getattr(lead, name)
            if present(mine):
                assert merged == mine
            elif present(theirs):
                assert merged == theirs
            if theirs is not None and merged != theirs:
                assert (name, repr(theirs)) in lost
        for phone in other.customer.phones:
            assert phone in lead.customer.phones or ("customer.phones", repr(phone)) in lost
        assert set(master.viewers) | set(other.viewers) == set(lead.viewers)
        assert {e.id for e in master.events} | {e.id for e in other.events} == {
            e.id for e in lead.events
        }
        for phone in master.customer.phones:
            assert phone in lead.customer.phones or ("customer.phones", repr(phone)) in lost
        keys = [normalize.phone(p) or f"raw:{p.strip()}" for p in lead.customer.phones]
        assert len(keys) == len(set(keys)), "MRG-8: duplicates by normalised value dropped"
        kept_master = [p for p in lead.customer.phones if p in master.customer.phones]
        assert kept_master == sorted(kept_master, key=master.customer.phones.index)
        assert result.retired == attrs.evolve(other, status="merged", merged_into="A")
        assert lead.merged_into == master.merged_into


class TestPurity:
    """GEN-3: inputs are never mutated."""

    @given(scenarios(), full_leads("A"), full_leads("B"))
    def test_inputs_are_unchanged(
        self, scenario: tuple[Lead, list[Lead]], master: Lead, other: Lead
    ) -> None:
        """GEN-3: auto, duplicates, manual and the index leave their inputs as they were."""
        new, old = scenario
        before = copy.deepcopy((new, old, master, other))

        merge.auto(new, old, now=NOW)
        merge.auto(new, MergeIndex(old), now=NOW)
        merge.duplicates(new, old, now=NOW)
        merge.manual(master, other)

        assert (new, old, master, other) == before


class TestExplain:
    """``merge.explain`` agrees with the decisions it explains (MRG-1 to MRG-7)."""

    @given(pairs(), policies(), st.sampled_from(["auto", "duplicates"]))
    def test_explanation_agrees_with_match(
        self, pair: tuple[Person, Lead], policy: MergePolicy, mode: Any
    ) -> None:
        """MRG-1, MRG-4, MRG-5, MRG-7: person, conditions and match are the engine's."""
        who, existing = pair
        inbound = Lead(id="N1", customer=who)

        why = merge.explain(inbound, existing, now=NOW, policy=policy, mode=mode)
        found = merge.match(who, existing, policy=policy, mode=mode)

        assert (why.person, why.matched, why.via) == (found.person, found.matched, found.via)
        counted = tuple(c.condition for c in why.conditions if c.counted and c.holds)
        if found.via == "two_of_n":
            assert counted == found.matched
        assert why.matches == any(g.holds for g in why.groups)
        assert (why.closest_group is None) == why.matches
        first = next((g.name for g in why.groups if g.holds), None)
        assert first == why.via
        for check in why.conditions:
            assert check.holds == (
                check.condition
                in merge.compare(
                    who, _compared(existing, found), policy=_counting_all(policy), mode=mode
                )
            )

    @given(scenarios(), policies())
    def test_outcome_is_the_rules_outcome(
        self, scenario: tuple[Lead, list[Lead]], policy: MergePolicy
    ) -> None:
        """MRG-2, MRG-3, MRG-7: the outcome and guards are those of auto and duplicates."""
        inbound, existing = scenario
        for lead in existing:
            auto = merge.explain(inbound, lead, now=NOW, policy=policy)
            listed = merge.explain(inbound, lead, now=NOW, policy=policy, mode="duplicates")

            decision = merge.auto(inbound, [lead], now=NOW, policy=policy)
            assert auto.outcome == decision.action
            duplicates = merge.duplicates(inbound, [lead], now=NOW, policy=policy).ids
            assert listed.outcome == ("duplicate" if duplicates else "none")
            if decision.candidates:
                assert {r.code for r in auto.blocked_by} == {
                    r.code for r in decision.candidates[0].reasons
                }
            if listed.matches and not listed.blocked_by:
                assert listed.outcome == "duplicate"


def _counting_all(policy: MergePolicy) -> MergePolicy:
    """The policy counting every condition in both modes (what explain reports holds)."""
    return attrs.evolve(policy, auto_merge_conditions=CONDITIONS, duplicate_conditions=CONDITIONS)
