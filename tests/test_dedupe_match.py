"""
Rules of people matched on rows' normal forms (``leadcore._dedupe.match``).

:class:`~leadcore._dedupe.match.RowMatcher` answers as
:func:`leadcore._merge.engine.match_people` for the rules :func:`served` takes; the
property tests (``tests/property/test_dedupe_lean.py``) check it against the public
functions on random rules. These pin which rules it takes, and check every shape of
item, guard and group it has on a fixed table, every pair both ways, every run.
"""

from __future__ import annotations

import itertools

import pytest

from leadcore import dedupe, normalize
from leadcore._dedupe import decide
from leadcore._dedupe.match import RowMatcher, served, side
from leadcore._merge.engine import compile_spec, match_people
from leadcore.merge import MatchGroup, MatchItem, MatchRule, MergePolicy
from leadcore.model import Lead
from leadcore.normalize import NormalizedPerson
from tests.helpers import NOW, at, lead, person

_PEOPLE = [
    ("ada", "ng", ("ada@x.io",), ("+14155550100",)),
    ("ada", "ng", ("ada@y.io",), ()),
    ("ng", "ada", (), ("+14155550100",)),
    ("adah", "ng", ("ada@x.io", "a@z.io"), ("+14155550101",)),
    ("", "ng", (), ("+14155550101",)),
    ("test", "test", ("t@x.io",), ()),
    ("", "", ("ada@y.io",), ("+14155550100",)),
    ("bo", "li", (), ()),
    ("", "", (), ("+14155550101",)),
]
"""Normal forms of people: equal, swapped and close names, blanks, a placeholder name."""

_RULE = MatchRule(
    any_of=(
        MatchGroup(
            label="names",
            of=(MatchItem(field="full_name"), MatchItem(field="email")),
            block_on=(
                MatchItem(field="first_name"),
                MatchItem(field="last_name", placeholders="value"),
            ),
            at_least=1,
        ),
        MatchGroup(
            label="close",
            of=(
                MatchItem(field="full_name", method="fuzzy", threshold=80),
                MatchItem(
                    field="first_name", method="fuzzy", scorer="ratio", threshold=90, blanks="match"
                ),
                MatchItem(field="phone"),
                MatchItem(field="name"),
            ),
            at_least=2,
            people="either",
            inbound_lacks=("first_name",),
        ),
        MatchGroup(label="email", of=(MatchItem(field="email"),), at_least=1, people="customer"),
        MatchGroup(
            label="phone_only",
            all_of=(MatchItem(field="phone"),),
            people="closest",
            inbound_lacks=("email", "full_name"),
        ),
    ),
    people="closest",
)
"""Every shape RowMatcher has: plain names of each field, emails and phones, fuzzy items
(MRG-5's ratio reused, blanks matching), all_of, of and block_on groups, each ``people``, guards of
names, emails and phones."""


def _forms(
    first: str, last: str, emails: tuple[str, ...], phones: tuple[str, ...]
) -> NormalizedPerson:
    return NormalizedPerson(
        first=normalize.FoldedName(first),
        last=normalize.FoldedName(last),
        full=normalize.FoldedName(f"{first} {last}".strip()),
        emails=tuple(normalize.NormalizedEmail(e) for e in emails),
        phones=tuple(normalize.E164Phone(p) for p in phones),
    )


@pytest.mark.parametrize("mode", ["auto", "duplicates"])
def test_a_rule_of_every_shape_matches_on_rows_as_on_people(mode: str) -> None:
    """MRG-1, MRG-4, MRG-5, MRG-7: every inbound person against every pair of people."""
    policy = MergePolicy(auto_merge_rule=_RULE, duplicate_rule=_RULE)
    spec = compile_spec(policy, mode)
    assert served(spec)
    rows = RowMatcher(spec)
    answers = set()

    for one, customer, co in itertools.product(_PEOPLE, _PEOPLE, [None, *_PEOPLE]):
        probe = spec.probe(_forms(*one))
        expected = match_people(
            probe, _forms(*customer), None if co is None else _forms(*co), None, spec
        )

        got = rows.match(rows.probe(side(*one)), side(*customer), None if co is None else side(*co))

        assert got == expected, (one, customer, co)
        answers.add((got[0], got[2]))

    # Every group matched, on each person it compares, and nothing matched too.
    assert answers >= {
        ("customer", "names"),
        ("co_customer", "names"),
        ("customer", "close"),
        ("co_customer", "close"),
        ("customer", "email"),
        ("customer", "phone_only"),
        ("customer", None),
        ("co_customer", None),
    }


@pytest.mark.parametrize(
    ("rule", "taken"),
    [
        (MatchRule(any_of=(MatchGroup(of=(MatchItem(field="email"),), at_least=1),)), True),
        (MatchRule(any_of=(MatchGroup(of=(MatchItem(field="source"),), at_least=1),)), False),
        (
            MatchRule(
                any_of=(MatchGroup(of=(MatchItem(field="email", method="domain"),), at_least=1),)
            ),
            False,
        ),
        (
            MatchRule(
                any_of=(
                    MatchGroup(
                        of=(MatchItem(field="first_name", method="prefix", length=2),), at_least=1
                    ),
                )
            ),
            False,
        ),
        (
            MatchRule(
                any_of=(MatchGroup(of=(MatchItem(field="phone", max_leads=3),), at_least=1),)
            ),
            False,
        ),
        (
            MatchRule(any_of=(MatchGroup(of=(MatchItem(field="name", max_leads=3),), at_least=1),)),
            False,
        ),
        (
            MatchRule(
                any_of=(MatchGroup(of=(MatchItem(field="name", blanks="match"),), at_least=1),)
            ),
            False,
        ),
        (
            MatchRule(
                any_of=(
                    MatchGroup(of=(MatchItem(field="phone"),), at_least=1, inbound_lacks=("lot",)),
                )
            ),
            False,
        ),
    ],
)
def test_rules_of_people_only_are_matched_on_rows(
    rule: MatchRule, taken: bool
) -> None:  # the case's answer
    """Lead fields, domains, prefixes, max_leads, blanks matching exactly: matched on people."""
    assert served(compile_spec(MergePolicy(auto_merge_rule=rule), "auto")) is taken


def _recent(lead_id: str, first: str, email: str, phone: str) -> Lead:
    return lead(
        lead_id,
        customer=person(first, "Ng", emails=(email,), phones=(phone,)),
        created_at=at(9),
        last_activity_at=at(2),
    )


def test_a_workers_rows_decide_a_rule_of_people_as_the_table() -> None:
    """MRG-1, MRG-7: a batch sent with its rows (a worker's task) answers as the table does."""
    leads = [
        _recent("L0", "Ada", "ada@x.io", "4158675309"),
        _recent("L1", "Ada", "ada@x.io", "4158675310"),
        _recent("L2", "Adah", "ng@y.io", "4158675310"),
    ]
    data = dedupe.load(leads).data
    policy = MergePolicy()
    pairs = [(x, y, decide.AUTO | decide.DUPLICATES) for x in range(3) for y in range(3) if x != y]
    rows = {r: decide.row(data, r) for r in range(3)}

    sent = decide.decide_batch(decide.State(None, NOW, policy, None, clean=True), (pairs, rows))
    kept = decide.decide_batch(decide.State(data, NOW, policy, None, clean=True), (pairs, None))

    assert decide.of_people(policy)
    assert sent == kept
    assert sorted((d.inbound, d.existing, d.action, d.matched) for d in sent) == [
        (0, 1, "duplicate", ("name_fuzzy", "email")),
        (0, 1, "merge", ("name", "email")),
        (1, 0, "duplicate", ("name_fuzzy", "email")),
        (1, 0, "merge", ("name", "email")),
        (1, 2, "duplicate", ("name_fuzzy", "phone")),
        (2, 1, "duplicate", ("name_fuzzy", "phone")),
    ]
