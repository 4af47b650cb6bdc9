"""
The lean records batch deduplication decides on answer as merge.auto and merge.duplicates.

Batch deduplication does not build a :class:`~leadcore.model.Lead` per row nor call the
public functions per pair: it decides on a lean record of each row (its people's normal
forms, source, instants; :class:`leadcore._dedupe.decide.Lean`) with the same compiled
rules. For random rules (any rule, blockable or not, lead and custom fields included),
random policies (windows, credit sources, fillers) and random leads drawn from small
pools (so that they collide on every field), every ordered pair of a table is decided
both ways, MRG-1 to MRG-7: the lean answer (action, via, matched, person, reason codes)
must be the public functions' answer for the inbound lead against a list holding only
the other.
"""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from leadcore import dedupe, merge, testing
from leadcore._dedupe import block, decide, inputs, match
from leadcore._merge.engine import compile_spec
from leadcore.merge import KeyCounts, MatchItem, MatchRule, MergePolicy
from leadcore.model import Lead, Person
from tests.property.strategies import NOW, costly
from tests.property.strategies import SMALL_VALUES as VALUES
from tests.property.strategies import colliding_people as people

SOURCES = st.sampled_from([None, "web", "Web", "credit_application"])


@st.composite
def when(draw: st.DrawFn) -> dt.datetime | None:
    """A moment up to 400 days before NOW (a few after, and on the day limits), or nothing."""
    if draw(st.integers(0, 4)) == 0:
        return None
    days = draw(st.sampled_from([30, 45, 120, 365, 500]))
    exact = NOW - dt.timedelta(days=days)
    near = exact + dt.timedelta(microseconds=draw(st.sampled_from([-1, 0, 1])))
    if draw(st.booleans()):
        return near
    return NOW - dt.timedelta(hours=draw(st.integers(-48, 400 * 24)))


@st.composite
def tables(draw: st.DrawFn, max_size: int = 6) -> list[Lead]:
    """Leads with unique ids, lead fields and custom fields."""
    size = draw(st.integers(2, max_size))
    found = []
    for index in range(size):
        fields = {
            name: value
            for name in ("budget", "note")
            if (value := draw(VALUES)) is not None or draw(st.booleans())
        }
        found.append(
            Lead(
                id=f"L{index}",
                customer=draw(people()),
                co_customer=draw(st.none() | people()),
                source=draw(SOURCES),
                lot=draw(st.sampled_from([None, "north", "south"])),
                project=draw(st.sampled_from([None, "P1", "P2"])),
                created_at=draw(when()),
                last_activity_at=draw(when()),
                fields=fields,
            )
        )
    return found


PEOPLE_FIELDS = ("name", "first_name", "last_name", "full_name", "email", "phone")
"""The fields of people: rules of them only are decided on rows' normal forms."""


def _plain(item: MatchItem) -> MatchItem:
    if item.method == "fuzzy":
        return item
    return MatchItem(field=item.field, placeholders=item.placeholders, label=item.label)


def _of_people(rule: MatchRule) -> MatchRule:
    """
    ``rule`` with its exact-style items plain: exact, no ``max_leads``, blanks never.

    Of :data:`PEOPLE_FIELDS`, such a rule is decided on rows' normal forms
    (:func:`leadcore._dedupe.match.served`).
    """
    groups = tuple(
        attrs.evolve(
            g,
            all_of=tuple(map(_plain, g.all_of)),
            of=tuple(map(_plain, g.of)),
            block_on=tuple(map(_plain, g.block_on)),
        )
        for g in rule.any_of
    )
    return attrs.evolve(rule, any_of=groups)


@st.composite
def policies(draw: st.DrawFn, *, people: bool = False) -> MergePolicy:
    """
    Any rules (or the seed's), windows, credit sources and email fillers.

    ``people``: rules of people only (:func:`_of_people`).
    """
    rules = (
        testing.match_rules(fields=PEOPLE_FIELDS).map(_of_people)
        if people
        else testing.match_rules()
    )
    auto = draw(st.none() | rules)
    duplicate = draw(st.none() | rules)
    keys: dict[str, object] = {}
    if auto is None:
        keys["auto_merge_min_conditions"] = draw(st.sampled_from([1, 2, 3]))
    if duplicate is None:
        keys["duplicate_min_conditions"] = draw(st.sampled_from([1, 2]))
    return MergePolicy(
        auto_merge_rule=auto,
        duplicate_rule=duplicate,
        **keys,  # type: ignore[arg-type]  # whole numbers
        merge_max_age_days=draw(st.sampled_from([30, 365, 1000])),
        merge_max_inactivity_days=draw(st.sampled_from([45, 120])),
        duplicate_max_inactivity_days=draw(st.sampled_from([45, 500])),
        credit_application_sources=draw(
            st.sampled_from([("credit_application",), (), ("web", "credit_application")])
        ),
        placeholder_email_locals=draw(
            st.sampled_from([merge.MergePolicy().placeholder_email_locals, (), ("ada",)])
        ),
    )


Answer = tuple[str, str, tuple[str, ...], str, tuple[str, ...]]


def _public(one: Lead, other: Lead, policy: MergePolicy, counts: KeyCounts | None) -> list[Answer]:
    """What the public functions answer for ``one`` against ``[other]``."""
    found: list[Answer] = []
    verdict = merge.auto(one, [other], now=NOW, policy=policy, counts=counts)
    if verdict.action != "create":
        assert verdict.via is not None
        assert verdict.person is not None
        found.append((verdict.action, verdict.via, verdict.matched, verdict.person, verdict.codes))
    listed = merge.duplicates(one, [other], now=NOW, policy=policy, counts=counts).duplicates
    found.extend(("duplicate", d.via, d.matched, d.person, ()) for d in listed)
    return found


def _lean(
    table: inputs.Chunk, policy: MergePolicy, *, filtered: bool = True, by_rows: bool = True
) -> list[list[list[Answer]]]:
    """
    What the lean decider answers for every ordered pair of rows of ``table``.

    ``filtered``: the table lost the policy's email fillers first, as in a run (else the
    lean records leave them out themselves, as for the Spark engine's rows).
    ``by_rows``: on rows' normal forms when the rules are of people (else on lean
    records whatever the rules).
    """
    data = inputs.without_fillers(table, policy.placeholder_email_locals) if filtered else table
    # A run's table lost its fillers: the decider does not look for them (clean).
    state = decide.State(data, NOW, policy, block.table_counts(data, policy), clean=filtered)
    decider = decide.Decider(state, by_rows=by_rows)
    assert decider.by_rows == (
        by_rows
        and match.served(compile_spec(policy, "auto"))
        and match.served(compile_spec(policy, "duplicates"))
    )
    size = len(data.ids)
    return [
        [
            [
                (d.action, d.via, d.matched, d.person, d.reasons)
                for d in decider.decide(x, y, decide.AUTO | decide.DUPLICATES)
            ]
            if x != y
            else []
            for y in range(size)
        ]
        for x in range(size)
    ]


_FILLER_ONLY = [
    Lead(
        id="L0",
        customer=Person(first_name="Ada", emails=["ada@x.io", "none@none.com"]),
        co_customer=Person(emails=["none@none.com"]),
        created_at=NOW,
    ),
    Lead(
        id="L1",
        customer=Person(first_name="Ada", emails=["ADA@x.io"]),
        co_customer=Person(first_name="Bob", emails=["none@none.com", "bob@x.io"]),
        created_at=NOW,
    ),
]
"""Fillers kept by the table (not filtered): the lean records must leave them out, and a
co-customer holding only a filler is no co-customer (reached every run, not by draws)."""


@costly(300)
@given(tables(), policies(), st.booleans())
@example(_FILLER_ONLY, MergePolicy(), False)
def test_lean_records_decide_as_auto_and_duplicates(
    leads: list[Lead], policy: MergePolicy, filtered: bool
) -> None:
    """MRG-1..7: every ordered pair, decided on lean records and by the public functions."""
    table = dedupe.load(leads, region=policy.default_region).data
    counts = KeyCounts.of(leads, policy=policy)

    lean = _lean(table, policy, filtered=filtered)

    for x, one in enumerate(leads):
        for y, other in enumerate(leads):
            if x != y:
                assert lean[x][y] == _public(one, other, policy, counts), (one.id, other.id)


_TIE = [
    Lead(id="L0", customer=Person(first_name="Ada", last_name="Ng", emails=["a@x.io"])),
    Lead(
        id="L1",
        customer=Person(first_name="Ada", last_name="Ng", emails=["a@x.io"]),
        co_customer=Person(first_name="Ada", last_name="Ng", emails=["a@x.io"]),
        created_at=NOW,
        last_activity_at=NOW,
    ),
]
"""MRG-5: customer and co-customer as close by name: the customer is compared."""


@costly(300)
@given(tables(), policies(people=True), st.booleans())
@example(_FILLER_ONLY, MergePolicy(duplicate_name_min_ratio=50), False)
@example(_TIE, MergePolicy(), True)
def test_rules_of_people_decide_alike_on_rows_and_lean_records(
    leads: list[Lead], policy: MergePolicy, filtered: bool
) -> None:
    """
    MRG-1..7: rules of people decide on rows' normal forms as the public functions do.

    Every ordered pair, decided on rows' normal forms (when both rules are of people),
    on lean records, and by the public functions: the same answers, MRG-5's choice of
    person and the labels that hold included.
    """
    table = dedupe.load(leads, region=policy.default_region).data
    counts = KeyCounts.of(leads, policy=policy)

    rows = _lean(table, policy, filtered=filtered)
    lean = _lean(table, policy, filtered=filtered, by_rows=False)

    assert rows == lean
    for x, one in enumerate(leads):
        for y, other in enumerate(leads):
            if x != y:
                assert rows[x][y] == _public(one, other, policy, counts), (one.id, other.id)


def _text_row(lead: Lead) -> dict[str, object]:
    """A lead as a table's row of text: one email and phone a person."""
    co = lead.co_customer or Person()
    return {
        "lead_id": lead.id,
        "first_name": lead.customer.first_name or "",
        "last_name": lead.customer.last_name or "",
        "email": (lead.customer.emails or ("",))[0],
        "phone": (lead.customer.phones or ("",))[0],
        "co_first_name": co.first_name or "",
        "co_last_name": co.last_name or "",
        "co_email": (co.emails or ("",))[0],
        "co_phone": (co.phones or ("",))[0],
        "source": lead.source or "",
        "created_at": "" if lead.created_at is None else lead.created_at.isoformat(),
        "last_activity_at": ""
        if lead.last_activity_at is None
        else lead.last_activity_at.isoformat(),
        "budget": "" if (v := lead.fields.get("budget")) is None else str(v),
        "project": lead.project or "",
    }


def _as_read(row: dict[str, object]) -> Lead:
    """The lead a row of text stands for (what the public functions are given)."""
    fields = {"budget": v} if isinstance(v := row["budget"], str) and v.strip() else {}

    def person(prefix: str) -> Person:
        return Person(
            first_name=str(row[f"{prefix}first_name"]) or None,
            last_name=str(row[f"{prefix}last_name"]) or None,
            emails=[e for e in (str(row[f"{prefix}email"]),) if e],
            phones=[p for p in (str(row[f"{prefix}phone"]),) if p],
        )

    co = person("co_")
    return Lead(
        id=str(row["lead_id"]),
        customer=person(""),
        co_customer=None if co == Person() else co,
        source=str(row["source"]) or None,
        project=str(row["project"]) or None,
        created_at=dt.datetime.fromisoformat(str(c)) if (c := row["created_at"]) else None,
        last_activity_at=dt.datetime.fromisoformat(str(a))
        if (a := row["last_activity_at"])
        else None,
        fields=fields,
    )


@costly(150)
@given(tables(), policies())
def test_lean_records_of_text_rows_decide_as_the_leads_they_stand_for(
    leads: list[Lead], policy: MergePolicy
) -> None:
    """The same from rows of text (the CSV path: fast phones, folds, text fields)."""
    rows = [_text_row(lead) for lead in leads]
    columns = dedupe.Columns(fields=["budget"], project="project", co_emails=("co_email",))
    table = dedupe.load(rows, columns=columns, region=policy.default_region).data
    read = [_as_read(row) for row in rows]
    counts = KeyCounts.of(read, policy=policy)

    lean = _lean(table, policy)

    for x, one in enumerate(read):
        for y, other in enumerate(read):
            if x != y:
                assert lean[x][y] == _public(one, other, policy, counts), (one.id, other.id)


@given(people())
def test_a_lean_persons_forms_equal_the_constructors(who: Person) -> None:
    """The unchecked NormalizedPerson of a row equals the checked one, field by field."""
    import attrs  # noqa: PLC0415  # only here

    from leadcore import normalize  # noqa: PLC0415  # only here
    from leadcore.normalize import NormalizedPerson  # noqa: PLC0415  # only here

    built = normalize.person(who, region="US")
    fast = decide._forms(built.first, built.last, built.emails, built.phones)

    assert tuple(f.name for f in attrs.fields(NormalizedPerson)) == decide._PERSON_FIELDS
    assert type(fast) is NormalizedPerson
    assert fast == built
    assert hash(fast) == hash(built)
    for name in decide._PERSON_FIELDS:
        assert getattr(fast, name) == getattr(built, name)
