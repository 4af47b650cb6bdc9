"""
``leadcore.dedupe`` at its edges: repeated ids, a table of another region, the pool.

The engine's answers are pinned by ``test_dedupe.py`` against ``dedupe.reference``;
these pin the refusals (their paths and values) and that a run large enough for the
worker pool gives the answers of one process.
"""

from __future__ import annotations

from typing import Any, Final
from unittest import mock

import pytest

from leadcore import dedupe
from leadcore._dedupe import block, decide
from leadcore._merge.engine import compile_spec
from leadcore.errors import InvalidInput
from leadcore.merge import MatchRule, MergePolicy
from leadcore.model import Lead, Person
from tests.helpers import NOW, at, lead, person


def _lead(lead_id: str, first: str, email: str) -> Any:
    return lead(
        lead_id,
        customer=person(first, "Shared", emails=(email,)),
        created_at=at(10),
        last_activity_at=at(1),
    )


def test_reference_refuses_a_repeated_id_at_its_position() -> None:
    """Two leads with one id: InvalidInput at the second's ``id``, with the id."""
    leads = [_lead("A", "Ann", "a@x.io"), _lead("B", "Bo", "b@x.io"), _lead("A", "Al", "c@x.io")]

    with pytest.raises(InvalidInput) as caught:
        dedupe.reference(leads, now=NOW)

    problem = caught.value.problems[0]
    assert (problem.path, problem.value, problem.message) == ("leads[2].id", "A", "must be unique")


def test_a_table_is_found_with_the_region_it_was_loaded_with() -> None:
    """A LeadTable normalised for GB, found with a US policy: refused, naming both regions."""
    table = dedupe.load([{"lead_id": "A", "phone": "020 7946 0018"}], region="GB")

    with pytest.raises(InvalidInput) as caught:
        dedupe.find(table, now=NOW, policy=MergePolicy(default_region="US"))

    problem = caught.value.problems[0]
    assert (problem.path, problem.value) == ("policy.merge.default_region", "US")
    assert problem.message == "must be the region the table was loaded with ('GB')"


_OF_A_LEAD_FIELD = MergePolicy(
    auto_merge_rule=MatchRule.from_json(
        {"any_of": [{"of": ["email", "name", "source"], "at_least": 2}]}
    )
)
"""A rule comparing a lead field: decided on lean records, in the pool."""


@pytest.mark.parametrize("policy", [MergePolicy(), _OF_A_LEAD_FIELD], ids=["people", "lead"])
def test_a_run_of_many_candidate_pairs_gives_the_same_answers_on_two_workers(
    policy: MergePolicy,
) -> None:
    """
    90 leads sharing an email (8,010 directed candidate pairs, four batches and more).

    Rules of people are decided in this process; others in the pool, whose workers get
    each batch's rows with the task: the pairs, decisions and clusters are those of one
    process either way.
    """
    leads = [_lead(f"L{i:03}", f"Name{i}", "desk@x.io") for i in range(90)]
    leads += [_lead("M1", "Ann", "ann@x.io"), _lead("M2", "Ann", "ann@x.io")]
    assert decide.of_people(policy) is (policy == MergePolicy())

    one = dedupe.find(leads, now=NOW, workers=1, policy=policy)
    two = dedupe.find(leads, now=NOW, workers=2, policy=policy)

    assert two.pairs == one.pairs
    assert two.clusters == one.clusters
    assert [(p.a, p.b, p.kind) for p in one.pairs if p.kind == "merge"] == [("M1", "M2", "merge")]


def test_a_spark_what_if_keeps_the_region(spark: Any) -> None:
    """On Spark, the second policy must normalise phones as the first: refused before any job."""
    frame = spark.createDataFrame([("A", "Ann")], "lead_id string, first_name string")

    with pytest.raises(InvalidInput) as caught:
        dedupe.what_if(frame, now=NOW, other=MergePolicy(default_region="GB"))

    problem = caught.value.problems[0]
    assert (problem.path, problem.value) == ("other.merge.default_region", "GB")
    assert problem.message == "must be the first policy's region ('US')"


def test_a_merge_index_of_a_loaded_table_keeps_the_table_region() -> None:
    """Numbers read in the table's region; another region than the table's is refused."""
    rows = [{"lead_id": "A", "first_name": "Zoe", "phone": "06 12 34 56 78"}]
    table = dedupe.load(rows, region="FR")

    index = dedupe.merge_index(table, region="FR")

    found = index.get("A")
    assert found is not None
    assert found.customer.phones == ("+33612345678",)
    assert sorted(index.candidates(Person(phones=["+33 6 12 34 56 78"]))) == ["A"]
    with pytest.raises(InvalidInput) as caught:
        dedupe.merge_index(table)
    assert [(p.path, p.value, p.message) for p in caught.value.problems] == [
        ("region", "US", "must be the region the table was loaded with ('FR')")
    ]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ([3], ("source[0]", 3, "must be a mapping or a Lead, not int")),
        (
            [Lead(id="A"), 3],
            ("source[1]", 3, "must be a Lead as source[0] is (a list of leads), not int"),
        ),
        (
            [Lead(id="A"), {"lead_id": "B"}],
            (
                "source[1]",
                {"lead_id": "B"},
                "must be a Lead as source[0] is (a list of leads), not dict",
            ),
        ),
        (
            [{"lead_id": "B"}, Lead(id="A")],
            (
                "source[1]",
                Lead(id="A"),
                "must be a mapping as source[0] is (a list of rows), not Lead",
            ),
        ),
    ],
)
def test_a_list_mixing_rows_and_leads_names_the_item_that_differs(
    source: list[object], problem: tuple[object, ...]
) -> None:
    """A list is of rows (mappings) or of leads, as its first item: the odd one is named."""
    with pytest.raises(InvalidInput) as caught:
        dedupe.find(source, now=NOW)

    assert [(p.path, p.value, p.message) for p in caught.value.problems] == [problem]


def test_an_inbound_lacks_guard_on_a_lead_field_then_a_phone() -> None:
    """
    Guards tried in order: a blank custom field passes on to the phone, a phone closes it.

    Three leads share an email; the group applies only to an inbound lead with neither a
    VIN nor a phone. A (neither) is inbound of both pairs; B (a phone) and C (a VIN) are
    inbound of none, so B and C are no pair. The blocked search agrees with the reference.
    """

    def _guarded(lead_id: str, first: str, phones: tuple[str, ...] = (), vin: str = "") -> Lead:
        return lead(
            lead_id,
            customer=person(first, f"Lee{first}", emails=("ann@x.io",), phones=phones),
            fields={"vin": vin} if vin else {},
            created_at=at(10),
            last_activity_at=at(1),
        )

    leads = [
        _guarded("A", "Ann"),
        _guarded("B", "Bo", phones=("4158675309",)),
        _guarded("C", "Cy", vin="VF1"),
    ]
    rule = MatchRule.from_json(
        {
            "any_of": [
                {"label": "mail", "all_of": ["email"], "inbound_lacks": ["fields.vin", "phone"]}
            ]
        }
    )
    policy = MergePolicy(duplicate_rule=rule)

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [
        [(d.inbound, d.existing, d.action, d.via, d.matched) for d in p.decisions]
        for p in result.pairs
    ] == [
        [("A", "B", "duplicate", "mail", ("email",))],
        [("A", "C", "duplicate", "mail", ("email",))],
    ]
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


_SHARED = "4158675309"


def _holder(lead_id: str, first: str, *, co: Person | None = None, mine: bool = True) -> Lead:
    """A lead whose customer holds the shared phone (unless not ``mine``), or whose co does."""
    return lead(
        lead_id,
        customer=person(
            first,
            "Lee",
            phones=(_SHARED,) if mine else (),
            emails=(f"{first.lower()}@x.io",),
        ),
        co_customer=co,
        created_at=at(10),
        last_activity_at=at(1),
    )


def _holders() -> list[Lead]:
    """Five customers and two co-customers hold one phone; one co-customer holds only it."""
    return [
        *(_holder(f"L{n}", f"Ann{n}") for n in range(5)),
        _holder("C1", "Bo", co=Person(phones=(_SHARED,)), mine=False),
        _holder(
            "C2",
            "Cy",
            co=Person(first_name="Ann0", last_name="Lee", emails=("ann0@x.io",), phones=(_SHARED,)),
            mine=False,
        ),
    ]


def test_an_excluded_phone_is_taken_from_co_customers_too() -> None:
    """
    ``exclude``: the phone goes from customers and co-customers (counted among its rows).

    C1's co-customer, who held only the phone, is no person any more; C2's keeps the name
    and email by which C2 pairs with L0 on the co-customer. The same pairs as the brute
    force on the leads without the phone.
    """
    leads = _holders()
    policy = dedupe.DedupePolicy(generic_key_rows=5, generic_keys="exclude")
    stripped = [
        lead(
            item.id,
            customer=Person(
                first_name=item.customer.first_name, last_name="Lee", emails=item.customer.emails
            ),
            co_customer=None
            if item.id != "C2"
            else Person(first_name="Ann0", last_name="Lee", emails=("ann0@x.io",)),
            created_at=at(10),
            last_activity_at=at(1),
        )
        for item in leads
    ]

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [(g.kind, g.key, g.rows, g.handling) for g in result.generic_keys] == [
        ("phone", "+14158675309", 7, "excluded")
    ]
    assert [
        [(d.inbound, d.existing, d.action, d.matched, d.person) for d in p.decisions]
        for p in result.pairs
    ] == [
        [
            ("L0", "C2", "merge", ("name", "email"), "co_customer"),
            ("L0", "C2", "duplicate", ("name_fuzzy", "email"), "co_customer"),
        ]
    ]
    assert result.pairs == dedupe.reference(stripped, now=NOW, policy=policy)


def test_exclude_without_a_generic_key_leaves_the_table_as_it_is() -> None:
    """
    Under the limit, ``exclude`` removes nothing: no generic key, the pairs of ``refine``.

    The phone is kept: P, who gives only the phone, merges with both holders (MRG-4).
    """
    only_phone = lead("P", customer=person(phones=(_SHARED,)), created_at=at(5))
    leads = [*_holders()[:2], only_phone]
    excluded = dedupe.DedupePolicy(generic_key_rows=5, generic_keys="exclude")

    result = dedupe.find(leads, now=NOW, policy=excluded)

    assert result.generic_keys == ()
    assert result.pairs == dedupe.find(leads, now=NOW).pairs
    assert [(p.a, p.b, p.kind) for p in result.pairs] == [
        ("L0", "P", "merge"),
        ("L1", "P", "merge"),
    ]


def _car(lead_id: str, vin: str | None, *, phoned: bool = False) -> Lead:
    """A lead of Ann <ann@x.io> (a phone if ``phoned``) about a car, by its VIN if any."""
    return lead(
        lead_id,
        customer=person(
            f"Ann{lead_id}",
            "Lee",
            emails=("ann@x.io",),
            phones=("+14155550123",) if phoned else (),
        ),
        fields={} if vin is None else {"vin": vin},
        created_at=at(10),
        last_activity_at=at(1),
    )


_VIN_WITHIN_ONE_BLANKS_MATCHING: Final = {
    "field": "fields.vin",
    "method": "fuzzy",
    "scorer": "levenshtein",
    "threshold": 1,
    "blanks": "match",
}
"""A fuzzy VIN item: within one edit, two blanks matching."""


@pytest.mark.parametrize(
    ("vins", "vin", "pairs", "matched"),
    [
        pytest.param(
            [None, None, "VF1", "vf1", "VF2", "VF3", "VF3", "VF4"],
            {"field": "fields.vin", "blanks": "match"},
            [("L0", "L1"), ("L2", "L3"), ("L5", "L6")],
            ("email", "fields.vin"),
            id="exact",
        ),
        pytest.param(
            [None, "VF1000", None, "VF1001", "AB2000", "XY3000", "XY3000", "QQ9999"],
            _VIN_WITHIN_ONE_BLANKS_MATCHING,
            [("L0", "L2"), ("L1", "L3"), ("L5", "L6")],
            ("email", "fields.vin_fuzzy"),
            id="fuzzy",
        ),
    ],
)
def test_a_large_block_searches_an_unkeyed_item_matching_blanks_by_its_values(
    vins: list[str | None],
    vin: dict[str, Any],
    pairs: list[tuple[str, str]],
    matched: tuple[str, ...],
) -> None:
    """
    A block of 64 pairs or more: an unkeyed item (``blanks: match``) by its values.

    Eight leads share an email; the group also needs the same VIN (exact: any case) or
    VINs within one edit (fuzzy: a blank against a VIN of six characters is six edits,
    no match), two blanks matching. The pairs are those of equal or close VINs and of
    the two leads without one, as the brute force finds them, every run (not only when
    a random rule draws this path: the fuzzy case reaches ``block._close_fuzzy``).
    """
    leads = [_car(f"L{n}", value) for n, value in enumerate(vins)]
    assert len(leads) ** 2 >= block.CLOSE_AT
    rule = MatchRule.from_json({"any_of": [{"label": "vin", "all_of": ["email", vin]}]})
    policy = MergePolicy(duplicate_rule=rule)

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [(p.a, p.b, p.kind) for p in result.pairs] == [(a, b, "duplicate") for a, b in pairs]
    assert {d.matched for p in result.pairs for d in p.decisions} == {matched}
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


def test_close_pairs_of_a_fuzzy_item_matching_blanks_are_the_pairs_it_holds_on() -> None:
    """
    block.close_pairs of a fuzzy item (``blanks: match``): blanks on either side, too.

    A blank inbound side meets every existing side the item holds on (the other blank);
    a VIN meets the close VINs rapidfuzz finds and, its blanks matching, the blank sides,
    kept only where the item holds (a blank against six characters is six edits: no).
    The same pairs as the item's own check of every pair, every run (random rules drew
    this path only now and then).
    """
    vin = _VIN_WITHIN_ONE_BLANKS_MATCHING
    rule = MatchRule.from_json({"any_of": [{"label": "vin", "of": ["email", vin], "at_least": 1}]})
    item = compile_spec(MergePolicy(duplicate_rule=rule), "duplicates").groups[0].items[1]
    mine: list[tuple[str, ...]] = [(), ("VF1000",)]
    theirs: list[tuple[str, ...]] = [("VF1001",), (), ("XY3000",)]

    found = block.close_pairs(item, mine, theirs)

    assert found == [((), ()), (("VF1000",), ("VF1001",))]
    assert found == [(v, o) for v in mine for o in theirs if item.may_hold(v, o)]


def test_a_generic_block_keeps_the_close_pairs_whose_inbound_lead_the_group_applies_to() -> None:
    """
    A generic key's block (over ``generic_key_rows``) refined through a fuzzy item.

    Eight cars share an email, one more than the limit of seven: the block is refined
    (``include``) by searching the VINs within one edit. The group applies only to an
    inbound customer without a phone: L1 and L3 are close, but only L1 (no phone) is
    compared with L3, not L3 with L1; as the brute force finds them.
    """
    vins = [None, "VF1000", None, "VF1001", "AB2000", "XY3000", "XY3000", "QQ9999"]
    leads = [_car(f"L{n}", vin, phoned=n == 3) for n, vin in enumerate(vins)]
    vin = {"field": "fields.vin", "method": "fuzzy", "scorer": "levenshtein", "threshold": 1}
    rule = MatchRule.from_json(
        {"any_of": [{"label": "car", "all_of": ["email", vin], "inbound_lacks": ["phone"]}]}
    )
    policy = dedupe.DedupePolicy(generic_key_rows=7, merge=MergePolicy(duplicate_rule=rule))

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [(g.kind, g.key, g.rows, g.handling) for g in result.generic_keys] == [
        ("email", "ann@x.io", 8, "refined")
    ]
    assert [
        (p.a, p.b, [(d.inbound, d.existing, d.action) for d in p.decisions]) for p in result.pairs
    ] == [
        ("L1", "L3", [("L1", "L3", "duplicate")]),
        ("L5", "L6", [("L5", "L6", "duplicate"), ("L6", "L5", "duplicate")]),
    ]
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


def test_blank_co_customer_cells_are_no_co_customer() -> None:
    """
    A row whose co-customer cells are all blank has no co-customer; another row's does.

    B's co-customer is A's customer (name and email): the pair is found on her, the
    same as the brute force over the table's leads.
    """
    blank = {"co_first_name": "", "co_last_name": " ", "co_email": "", "co_phone": ""}
    rows = [
        {"lead_id": "A", "first_name": "Ann", "last_name": "Lee", "email": "ann@x.io", **blank},
        {
            "lead_id": "B",
            "first_name": "Bo",
            "last_name": "Ng",
            "co_first_name": "Ann",
            "co_last_name": "Lee",
            "co_email": "ann@x.io",
        },
    ]
    rows = [
        row | {"created_at": at(10).isoformat(), "last_activity_at": at(1).isoformat()}
        for row in rows
    ]

    table = dedupe.load(rows)
    result = dedupe.find(table, now=NOW)

    assert [table.lead(i).co_customer for i in table.ids] == [
        None,
        Person(first_name="Ann", last_name="Lee", emails=("ann@x.io",)),
    ]
    assert [
        [(d.inbound, d.existing, d.action, d.person) for d in p.decisions] for p in result.pairs
    ] == [[("A", "B", "merge", "co_customer"), ("A", "B", "duplicate", "co_customer")]]
    assert result.pairs == dedupe.reference([table.lead(i) for i in table.ids], now=NOW)


def test_leads_lead_fields_and_a_co_customer_without_normal_forms() -> None:
    """
    Leads as input: a rule's lead field (``project``) is read from each lead.

    A's co-customer gives only a number that is no phone: it is no person to compare
    (the pairs are the brute force's), and A pairs with B on the project alone.
    """
    leads = [
        lead(
            "A",
            customer=person("Ann", "Lee"),
            co_customer=Person(phones=("12",)),
            project="p1",
            created_at=at(10),
            last_activity_at=at(1),
        ),
        lead(
            "B",
            customer=person("Bo", "Ng"),
            project="p1",
            created_at=at(10),
            last_activity_at=at(1),
        ),
        lead(
            "C",
            customer=person("Cy", "Ox"),
            project="p2",
            created_at=at(10),
            last_activity_at=at(1),
        ),
    ]
    rule = MatchRule.from_json({"any_of": [{"label": "project", "all_of": ["project"]}]})
    policy = MergePolicy(duplicate_rule=rule)

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [
        [(d.inbound, d.existing, d.action, d.matched, d.person) for d in p.decisions]
        for p in result.pairs
    ] == [
        [
            ("A", "B", "duplicate", ("project",), "customer"),
            ("B", "A", "duplicate", ("project",), "customer"),
        ]
    ]
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


@pytest.mark.parametrize(
    ("max_leads", "pairs"),
    [(3, [("A", "B"), ("A", "C"), ("B", "C")]), (2, [])],
)
def test_a_max_leads_item_ignores_a_phone_only_over_its_limit(
    max_leads: int, pairs: list[tuple[str, str]]
) -> None:
    """Three leads share a phone: an item with ``max_leads`` 3 keeps it (every pair), 2 not."""
    leads = [
        lead(
            i,
            customer=person(f, "Lee", phones=("4158675309",)),
            created_at=at(10),
            last_activity_at=at(1),
        )
        for i, f in (("A", "Ann"), ("B", "Bo"), ("C", "Cy"))
    ]
    rule = MatchRule.from_json(
        {"any_of": [{"label": "tel", "all_of": [{"field": "phone", "max_leads": max_leads}]}]}
    )
    policy = MergePolicy(duplicate_rule=rule)

    result = dedupe.find(leads, now=NOW, policy=policy)

    assert [(p.a, p.b) for p in result.pairs] == pairs
    assert {(d.via, d.matched) for p in result.pairs for d in p.decisions} <= {("tel", ("phone",))}
    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)


def test_generic_keys_of_one_same_block_check_its_pairs_once() -> None:
    """
    Eight leads sharing six generic emails and a number: each pair is checked once.

    Every email's block is the same eight rows: its pairs are looked for once, by the
    split on the other keys and by the close names (not once an email and a sub-block),
    each generic key still counts them, and the pairs are the brute force's.
    """
    leads = [
        lead(
            f"L{i}",
            customer=person("Ada", "Ng", emails=tuple(f"desk{j}@x.io" for j in range(6))),
            created_at=at(10),
            last_activity_at=at(1),
        )
        for i in range(8)
    ]
    policy = dedupe.DedupePolicy(generic_key_rows=5)

    with mock.patch.object(
        block.Finder, "passes", autospec=True, wraps=block.Finder.passes
    ) as seen:
        result = dedupe.find(leads, now=NOW, policy=policy)

    assert result.pairs == dedupe.reference(leads, now=NOW, policy=policy)
    assert len(result.pairs) == 28
    assert [(g.key, g.rows, g.pairs) for g in result.generic_keys] == [
        (f"desk{j}@x.io", 8, 112) for j in range(6)
    ]
    checked = [(c.args[2], c.args[3]) for c in seen.call_args_list]
    # Each directed pair once a mode (672 checks before: once a key and a sub-block).
    assert len(checked) == len(set(checked)) * 2 == 112
