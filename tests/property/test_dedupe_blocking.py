"""
The fast paths of blocking and deciding answer as their definitions (issue 19, third round).

Blocking builds a space's blocks two ways (:data:`leadcore._dedupe.block.SPARSE`): from
the keys of the rows that may be existing leads (few of them: the default policy's
windows), or from every key held by several rows, told by their counts, then keeping
those the search reads (windows opened). Both must give the blocks of the definition:
every key the search reads (a possible existing row's, on either person, or a guarded
group's inbound row's) held by two rows or more, with its rows ascending, and the
blocks holding a row through its co-customer only told apart; and grouped by polars
(the email and phone blocks of large tables), the same blocks in the same order. A group of
options only is checked without a call per space (:meth:`Finder._enough`): the same
answer as :func:`leadcore._dedupe.block.shares_enough`. A run's rows lost their fillers
already, so its lean records are read from the columns (:func:`decide.lean_at`): the
records :func:`decide.lean_of` makes of the row. Random rules, policies and leads drawn
from small pools, as in ``test_dedupe_lean.py``.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

from hypothesis import given, reject
from hypothesis import strategies as st

from leadcore import dedupe, normalize
from leadcore._dedupe import block, decide, inputs, joins
from leadcore._merge.engine import compile_spec
from leadcore._merge.keys import Key, KeySpace
from leadcore.dedupe import _modes
from leadcore.errors import InvalidInput
from leadcore.merge import MatchRule, MergePolicy
from leadcore.model import Lead, Person
from tests.property.strategies import NOW, costly
from tests.property.test_dedupe_lean import policies, tables


def _prepared(
    leads: list[Lead], policy: MergePolicy
) -> tuple[inputs.Chunk, list[block.Mode], list[block.Plan]]:
    """A run's table (fillers left out), its modes and each mode's plan."""
    table = dedupe.load(leads, region=policy.default_region).data
    data = inputs.without_fillers(table, policy.placeholder_email_locals)
    try:
        modes = _modes(data, NOW, policy)
    except InvalidInput:  # a rule with a group of no key: refused, nothing to block
        reject()
    keys = block.Keys(data, modes[0].spec.region, modes[0].spec.folded)
    return data, modes, [block.plan(m.spec, keys, limit=1_000) for m in modes]


def _read(
    keys: block.Keys, space: KeySpace, modes: list[block.Mode], plans: list[block.Plan]
) -> set[Key]:
    """The keys the search reads: possible existing rows' (either person), guarded inbound's."""
    rows = range(len(keys.table.ids))
    wanted: set[Key] = set()
    for mode, chosen in zip(modes, plans, strict=True):
        if space in chosen:
            wanted.update(k for r in rows if mode.eligible[r] for k in keys.anyone(space, r))
            for group in (t.group for t in chosen[space] if t.group.lacks):
                wanted.update(k for r in rows if keys.lacks(group, r) for k in keys.own(space)(r))
    return wanted


def _definition(
    keys: block.Keys, space: KeySpace, modes: list[block.Mode], plans: list[block.Plan]
) -> dict[Key, list[int]]:
    """The blocks the search reads, row by row from their definition."""
    wanted = _read(keys, space, modes, plans)
    found: dict[Key, list[int]] = {}
    for row in range(len(keys.table.ids)):
        for key in keys.anyone(space, row):
            if key in wanted:
                found.setdefault(key, []).append(row)
    return {k: r for k, r in found.items() if len(r) > 1}


@costly(300)
@given(tables(max_size=9), policies(), st.sampled_from([0, 1, 2, block.SPARSE, 10**9]))
def test_blocks_either_way_are_the_definition(
    leads: list[Lead], policy: MergePolicy, sparse: int
) -> None:
    """Sparse (the wanted keys) or dense (the counts, then the blocks read): the same blocks."""
    data, modes, plans = _prepared(leads, policy)
    spec = modes[0].spec
    for space in dict.fromkeys(s for chosen in plans for s in chosen):
        keys = block.Keys(data, spec.region, spec.folded)
        block._blocks(keys, space, modes, plans, sparse=sparse)
        reference = block.Keys(data, spec.region, spec.folded)
        blocks = keys.blocks(space)
        assert blocks == _definition(reference, space, modes, plans), space.label
        # A block not mixed holds its key on every row's customer (or lead).
        own = reference.own(space)
        mixed = {k for k, rows in blocks.items() if any(k not in own(r) for r in rows)}
        assert mixed == keys.mixed(space) & blocks.keys(), space.label


def _built(
    data: inputs.Chunk,
    modes: list[block.Mode],
    plans: list[block.Plan],
    sparse: int,
    grouped_at: int,
) -> dict[str, tuple[list[tuple[Key, list[int]]], set[Key]]]:
    """Every searched space's blocks (in their order) and mixed keys, built one way."""
    spec = modes[0].spec
    keys = block.Keys(data, spec.region, spec.folded, grouped_at=grouped_at)
    found = {}
    for space in dict.fromkeys(s for chosen in plans for s in chosen):
        block._blocks(keys, space, modes, plans, sparse=sparse)
        blocks = keys.blocks(space)
        found[space.label] = (list(blocks.items()), keys.mixed(space) & blocks.keys())
    return found


@costly(150)
@given(tables(max_size=9), policies(), st.sampled_from([0, 1, 2, block.SPARSE, 10**9]))
def test_blocks_grouped_by_polars_are_pythons(
    leads: list[Lead], policy: MergePolicy, sparse: int
) -> None:
    """Email and phone blocks grouped by polars: the same blocks, rows, order and mixed keys."""
    data, modes, plans = _prepared(leads, policy)
    grouped = _built(data, modes, plans, sparse, grouped_at=0)
    assert grouped == _built(data, modes, plans, sparse, grouped_at=10**9)


def test_blocks_grouped_by_polars_from_a_size_and_without_it_in_python() -> None:
    """Email and phone blocks are grouped by polars from GROUPED_AT rows; without it, in Python."""
    leads = [
        Lead(
            id=f"L{i}",
            customer=Person(
                first_name="Ada",
                last_name="Ng",
                emails=[f"ada{i % 2}@acme.com"],
                phones=["4158675309"],
            ),
            co_customer=Person(first_name="Bo", last_name="Ng", emails=["ada0@acme.com"])
            if i == 3
            else None,
            created_at=NOW,
            last_activity_at=NOW,
        )
        for i in range(4)
    ]
    data, modes, plans = _prepared(leads, MergePolicy())
    python = _built(data, modes, plans, 10**9, grouped_at=10**9)
    assert python == {
        "email": ([("ada0@acme.com", [0, 2, 3]), ("ada1@acme.com", [1, 3])], {"ada0@acme.com"}),
        "phone": ([("+14158675309", [0, 1, 2, 3])], set()),
    }
    # Row 3 holds ada0 through its co-customer only: its block is mixed, ada1's is not.
    with mock.patch.object(block, "_grouped", wraps=block._grouped) as grouped:
        assert _built(data, modes, plans, 10**9, grouped_at=4) == python
        assert grouped.call_count == 2
        assert _built(data, modes, plans, 10**9, grouped_at=5) == python
        assert grouped.call_count == 2  # 4 rows, fewer than 5: Python
    with mock.patch.object(joins, "polars_or_none", return_value=None):
        assert block._grouped(data.emails, [], None) is None
        assert _built(data, modes, plans, 10**9, grouped_at=0) == python


def test_an_inbound_rows_co_customer_keys_are_not_read_for_it() -> None:
    """
    MRG-4: a phone-only inbound row has its customer's phone blocks read, not its co's.

    L0 (no date: never an existing lead) is the inbound lead of ``phone_only``; its
    co-customer's number is L1's (no date either), whose customer has a name: nothing
    reads that block, grouped by polars or in Python.
    """
    leads = [
        Lead(
            id="L0",
            customer=Person(phones=["4158675309"]),
            co_customer=Person(phones=["4158675310"]),
        ),
        Lead(id="L1", customer=Person(first_name="Bo", last_name="Li", phones=["4158675310"])),
        Lead(id="L2", customer=Person(phones=["4158675309"]), created_at=NOW, last_activity_at=NOW),
    ]
    data, modes, plans = _prepared(leads, MergePolicy())
    python = _built(data, modes, plans, 10**9, grouped_at=10**9)

    assert python["phone"] == ([("+14158675309", [0, 2])], set())
    assert _built(data, modes, plans, 10**9, grouped_at=0) == python


def test_without_polars_there_is_no_grouping_by_it() -> None:
    """Without polars installed, polars_or_none answers None (the blocks are built in Python)."""
    with mock.patch("importlib.import_module", side_effect=ImportError("polars")):
        assert inputs.polars_or_none() is None
    assert inputs.polars_or_none() is not None  # the dev extra installs it


@costly(300)
@given(tables(max_size=7), policies())
def test_options_checked_at_once_as_shares_enough(leads: list[Lead], policy: MergePolicy) -> None:
    """A group of options only: Finder._enough answers as shares_enough, every pair."""
    data, modes, _ = _prepared(leads, policy)
    spec = modes[0].spec
    keys = block.Keys(data, spec.region, spec.folded)
    size = len(data.ids)
    for mode in modes:
        finder = block.Finder(keys, mode, {})
        for group in mode.spec.groups:
            blocking = group.blocking
            if blocking is None or blocking.required or block.unkeyed_items(group):
                continue
            for x in range(size):
                for y in range(size):
                    people = 2 if group.people != "customer" and y in data.co else 1

                    def shared(
                        space: KeySpace,
                        person: int,
                        x: int = x,
                        y: int = y,
                        finder: block.Finder = finder,
                    ) -> bool:
                        return finder._shared(space, x, y, person == 1)

                    expected = block.shares_enough(blocking, shared, people)
                    assert finder.shares(group, x, y) is expected, (group.label, x, y)


@costly(200)
@given(tables(max_size=9), policies(), st.data())
def test_rows_lacking_a_groups_fields_at_once_are_those_lacking_them_each(
    leads: list[Lead], policy: MergePolicy, data: st.DataObject
) -> None:
    """Keys.lacking of some rows: the rows Keys.lacks, in the order given (any guards)."""
    table, modes, _ = _prepared(leads, policy)
    spec = modes[0].spec
    keys = block.Keys(table, spec.region, spec.folded)
    rows = data.draw(st.lists(st.integers(0, len(table.ids) - 1), unique=True))
    for mode in modes:
        for group in mode.spec.groups:
            expected = [r for r in rows if keys.lacks(group, r)]
            assert keys.lacking(group, iter(rows)) == expected, group.label


@costly(200)
@given(tables(), policies())
def test_lean_records_from_the_columns_are_the_rows(leads: list[Lead], policy: MergePolicy) -> None:
    """decide.lean_at of a run's row (no fillers, no field read) is lean_of of the row."""
    data, _, _ = _prepared(leads, policy)
    for index in range(len(data.ids)):
        expected = decide.lean_of(decide.row(data, index), fields=False)
        assert decide.lean_at(data, index) == expected


def test_a_clean_run_reads_its_lean_records_from_the_columns() -> None:
    """MRG-1: a run's decider (fillers gone, a rule of people) decides from lean_at's records."""
    policy = MergePolicy()
    leads = [
        Lead(
            id=f"L{i}",
            customer=Person(first_name="Ada", last_name="Ng", phones=["4158675309"]),
            created_at=NOW,
            last_activity_at=NOW,
        )
        for i in range(2)
    ]
    data, _, _ = _prepared(leads, policy)
    decider = decide.Decider(decide.State(data, NOW, policy, None, clean=True))
    assert not decider.fields
    assert not decider.fillers
    found = decider.decide(1, 0, decide.AUTO)
    assert [(d.action, d.via, d.matched) for d in found] == [
        ("merge", "two_of_n", ("name", "phone"))
    ]
    assert decider.lean(0) == decide.lean_at(data, 0)
    assert compile_spec(policy, "auto").groups[0].label == "two_of_n"


def test_a_co_customer_of_filler_emails_only_is_no_co_customer_in_a_lean_record() -> None:
    """
    MRG-5: a co-customer of filler emails only is no co-customer when fillers are looked for.

    Deciding on a table that still holds fillers (not a run's): the customer's filler is
    left out too.
    """
    policy = MergePolicy()
    lead = Lead(
        id="L1",
        customer=Person(first_name="Ada", last_name="Ng", emails=["none@none.com", "ada@acme.com"]),
        co_customer=Person(emails=["none@none.com"]),
    )
    data = dedupe.load([lead], region=policy.default_region).data
    fillers = normalize.placeholder_email_set(policy.placeholder_email_locals)
    kept = decide.lean_of(decide.row(data, 0), fields=False, fillers=fillers)
    assert kept.co is None
    assert kept.customer.emails == ("ada@acme.com",)
    whole = decide.lean_of(decide.row(data, 0), fields=False)
    assert whole.co is not None
    assert whole.co.emails == ("none@none.com",)
    decider = decide.Decider(decide.State(data, NOW, policy, None))
    assert decider.fillers == fillers
    assert decider.lean(0) == kept


def test_a_key_polars_cannot_hold_is_grouped_in_python() -> None:
    """
    A lone surrogate in an email (not Unicode, so no UTF-8 for polars): grouped in Python.

    A ``Lead`` or a mapping may carry such text; the blocks are the same as in Python,
    not an error from polars.
    """
    leads = [
        Lead(
            id=f"L{i}",
            customer=Person(emails=["\ud800@acme.com"], phones=["4158675309"]),
            created_at=NOW,
            last_activity_at=NOW,
        )
        for i in range(3)
    ]
    data, modes, plans = _prepared(leads, MergePolicy())
    python = _built(data, modes, plans, 10**9, grouped_at=10**9)

    assert block._grouped(data.emails, [], None) is None
    assert python["email"] == ([("\ud800@acme.com", [0, 1, 2])], set())
    assert _built(data, modes, plans, 10**9, grouped_at=0) == python


def _found(
    data: inputs.Chunk, modes: list[block.Mode], *, limit: int, joined_at: int
) -> tuple[dict[tuple[int, int], int], list[block.Generic], dict[int, tuple[str, ...]]]:
    """A search's pairs, generic keys and enumerated spaces (not its cost: ``examined``)."""
    found = block.find(data, modes, limit=limit, joined_at=joined_at)
    return found.pairs, found.generic, found.enumerated


@costly(150)
@given(tables(max_size=9), policies(), st.sampled_from([1, 2, 1_000]))
def test_pairs_found_by_a_join_are_those_of_the_blocks(
    leads: list[Lead], policy: MergePolicy, limit: int
) -> None:
    """
    Email and phone spaces searched by a polars join: the blocks' pairs and generic keys.

    Every table is taken as sparse (``SPARSE`` 0), so the join is tried on every email
    and phone space a search allows it for (not with compound keys or unkeyed items);
    the generic keys (``limit`` 1 and 2 make many) are refined from the join's blocks
    of them, and counted as through the blocks.
    """
    data, modes, _ = _prepared(leads, policy)
    blocks = _found(data, modes, limit=limit, joined_at=10**9)
    with mock.patch.object(block, "SPARSE", 0):
        assert _found(data, modes, limit=limit, joined_at=0) == blocks


def _joinable() -> list[Lead]:
    """
    Leads whose email and phone spaces the default rules search by a join (3 of 15 recent).

    E0 and O1 share an email and a phone (auto-merge and duplicates); P2, a phone-only
    lead, E0's phone (MRG-4's inbound); C3 holds E0's email through its co-customer
    only, as E4 does (an existing lead through its co-customer); E5 and four old leads
    share a call centre's number (generic above 4 rows: refined), five old leads a
    mailbox no possible existing lead holds (generic, not read: not reported).
    """
    ann = ("a@x.io",), ("4155550101",)
    leads = [
        _lead("E0", Person(first_name="Ann", last_name="Lee", emails=ann[0], phones=ann[1]), 1),
        _lead("O1", Person(first_name="Ann", last_name="Lee", emails=ann[0], phones=ann[1])),
        _lead("P2", Person(phones=ann[1])),
        _lead(
            "C3",
            Person(first_name="Cy", last_name="Dee"),
            co=Person(first_name="Ann", last_name="Lee", emails=ann[0]),
        ),
        _lead(
            "E4",
            Person(first_name="Di", last_name="Fox"),
            1,
            co=Person(first_name="Ann", last_name="Lee", emails=ann[0]),
        ),
        _lead("E5", Person(first_name="Ed", last_name="Gil", phones=["4155550199"]), 1),
    ]
    leads += [
        _lead(f"Q{i}", Person(first_name="Ed", last_name=f"Gil{i}", phones=["4155550199"]))
        for i in range(4)
    ]
    leads += [
        _lead(f"M{i}", Person(first_name="Fay", last_name=f"Hu{i}", emails=["team@x.io"]))
        for i in range(5)
    ]
    return leads


def _lead(lead_id: str, customer: Person, days: int = 400, co: Person | None = None) -> Lead:
    """A lead last active ``days`` ago (400: idle for over a year, never an existing lead)."""
    when = NOW - dt.timedelta(days=days)
    return Lead(
        id=lead_id, customer=customer, co_customer=co, created_at=when, last_activity_at=when
    )


def test_a_large_tables_emails_and_phones_are_searched_by_a_join() -> None:
    """
    The default rules on a sparse table: both spaces joined, the blocks' answer.

    One join a space (email, phone); the pairs, the generic keys refined (the call
    centre's, its 5 rows) and their pairs' counts are the blocks'; the mailbox no
    possible existing lead holds is not reported; ``error`` lists the same keys.
    """
    data, modes, _ = _prepared(_joinable(), MergePolicy())
    blocks = _found(data, modes, limit=4, joined_at=10**9)
    with mock.patch.object(block, "join", wraps=joins.join) as join:
        joined = _found(data, modes, limit=4, joined_at=0)
    assert join.call_count == 2
    assert joined == blocks
    assert [(g.kind, g.key, g.rows) for g in joined[1]] == [("phone", "+14155550199", 5)]
    assert {(data.ids[x], data.ids[y]) for x, y in joined[0]} >= {
        ("O1", "E0"),
        ("P2", "E0"),
        ("O1", "E4"),
    }
    errors = []
    for joined_at in (0, 10**9):
        try:
            block.find(data, modes, limit=4, on_generic="error", joined_at=joined_at)
        except InvalidInput as error:
            errors.append(error.problems)
    assert len(errors) == 2
    assert errors[0] == errors[1]


def test_a_search_the_join_cannot_make_goes_through_the_blocks() -> None:
    """
    Where the join cannot search a space, the blocks do: the same answer.

    Without polars, with a key polars cannot hold, for many possible existing leads, for
    a compound key or an unkeyed item, or for a space not of a column.
    """
    leads = _joinable()
    data, modes, _ = _prepared(leads, MergePolicy())
    blocks = _found(data, modes, limit=4, joined_at=10**9)
    with (
        mock.patch.object(joins, "polars_or_none", return_value=None),
        mock.patch.object(block, "join", wraps=joins.join) as join,
    ):
        assert _found(data, modes, limit=4, joined_at=0) == blocks
    assert join.call_count == 2  # tried, None: the blocks
    assert joins.join([("\ud800@x.io",)], [], [(1, [True])], 3) is None  # no UTF-8 form
    fresh = [_lead(lead.id, lead.customer, 1, lead.co_customer) for lead in leads]
    rules = [
        None,  # every lead recent: dense
        {"any_of": [{"all_of": ["email", "name"]}]},  # compound key: email, then name
        {
            "any_of": [
                {"all_of": ["email", {"field": "full_name", "method": "fuzzy", "threshold": 90}]}
            ]
        },
        {"any_of": [{"all_of": ["name"]}]},  # names: no column
    ]
    for rule in rules:
        if rule is None:
            policy, table = MergePolicy(), fresh
        else:
            both = MatchRule.from_json(rule)
            policy, table = MergePolicy(auto_merge_rule=both, duplicate_rule=both), leads
        data, modes, _ = _prepared(table, policy)
        with mock.patch.object(block, "join", wraps=joins.join) as join:
            assert _found(data, modes, limit=4, joined_at=0) == _found(
                data, modes, limit=4, joined_at=10**9
            )
        assert join.call_count == 0, rule
