"""
Properties of batch deduplication (MRG-1 to MRG-7 over tables).

The central one: the blocked search finds exactly the pairs that comparing every pair
with ``merge.auto`` and ``merge.duplicates`` finds, for any table and policy drawn,
including tiny generic-key limits that force the refined search. Then: any row order
gives the same result, inputs are never changed, and the fast normalisation equals the
foundation's.
"""

from __future__ import annotations

import copy
import datetime as dt
from unittest import mock

from hypothesis import example, given
from hypothesis import strategies as st

from leadcore import dedupe, normalize
from leadcore._dedupe import inputs as _dedupe_input
from leadcore.merge import MergePolicy
from leadcore.model import Lead, Person
from tests.property.strategies import NOW, colliding_people

# Devanagari names that differ by a vowel sign only (v1.2 of the rules keeps their marks), blank
# text (absent), and fillers (none@none.com, NA@NA.COM: unusable) are in the pools.
FIRST = st.sampled_from(
    ["Ada", "ada", "ADA ", "Ad", "Bob", "Unknown", "Null", "", None, "राम", "रमा", " \t", "Adá"]
)
LAST = st.sampled_from(["Lovelace", "LOVELACE", "Lovelac", "Stone", "Blank", "", None, "\x00"])
PHONES = st.sampled_from(
    ["(415) 867-5309", "+1 415 867 5309", "4158675310", "+44 20 7946 0018", "555-555-5555", ""]
)
EMAILS = st.sampled_from(
    ["ada@x.io", " ADA@x.io", "bob@x.io", "none@none.com", "NA@NA.COM", "bad", "", "\u3000"]
)
SOURCES = st.sampled_from([None, "web", "credit_application"])


@st.composite
def when(draw: st.DrawFn) -> dt.datetime | None:
    """A moment up to 400 days before NOW (a few after), or nothing."""
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    hours = draw(st.integers(-48, 400 * 24))
    return NOW - dt.timedelta(hours=hours)


def people() -> st.SearchStrategy[Person]:
    """A person from this file's pools, so that leads collide on every key."""
    return colliding_people(FIRST, LAST, PHONES, EMAILS)


@st.composite
def tables(draw: st.DrawFn, max_size: int = 10) -> list[Lead]:
    """Leads with unique ids, drawn from small pools."""
    size = draw(st.integers(0, max_size))
    return [
        Lead(
            id=f"L{index}",
            customer=draw(people()),
            co_customer=draw(st.none() | people()),
            source=draw(SOURCES),
            lot=draw(st.sampled_from([None, "north", "south"])),
            created_at=draw(when()),
            last_activity_at=draw(when()),
        )
        for index in range(size)
    ]


POLICIES = st.builds(
    MergePolicy,
    placeholder_email_locals=st.sampled_from(
        [MergePolicy().placeholder_email_locals, (), ("ada", "none")]
    ),
    merge_max_age_days=st.sampled_from([30, 365, 1000]),
    merge_max_inactivity_days=st.sampled_from([10, 120, 1000]),
    duplicate_max_inactivity_days=st.sampled_from([45, 500]),
    auto_merge_min_conditions=st.just(2),
    auto_merge_conditions=st.sampled_from(
        [("name", "email", "phone"), ("email", "phone"), ("name", "name_fuzzy", "phone")]
    ),
    duplicate_name_min_ratio=st.sampled_from([80, 90, 100]),
)

DEDUPE_POLICIES = st.builds(
    dedupe.DedupePolicy,
    merge=POLICIES,
    generic_key_rows=st.sampled_from([1, 2, 3, 100]),
)


@given(tables(), DEDUPE_POLICIES)
def test_blocked_search_equals_brute_force(leads: list[Lead], policy: dedupe.DedupePolicy) -> None:
    """MRG-1..7: exactly the pairs comparing every pair finds, refined or not."""
    found = dedupe.find(leads, now=NOW, policy=policy)

    assert found.pairs == dedupe.reference(leads, now=NOW, policy=policy)


@given(tables(), DEDUPE_POLICIES, st.randoms(use_true_random=False))
def test_any_row_order_gives_the_same_result(
    leads: list[Lead], policy: dedupe.DedupePolicy, rng: object
) -> None:
    """Determinism: same pairs, clusters and cluster ids in any row order."""
    shuffled = list(leads)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]  # a random.Random

    one = dedupe.find(leads, now=NOW, policy=policy)
    two = dedupe.find(shuffled, now=NOW, policy=policy)

    assert one.pairs == two.pairs
    assert one.clusters == two.clusters


@given(tables(max_size=8), POLICIES)
def test_exclude_equals_brute_force_without_the_generic_values(
    leads: list[Lead], policy: MergePolicy
) -> None:
    """Excluded generic emails and phones: the brute force on the table without them."""
    chosen = dedupe.DedupePolicy(merge=policy, generic_key_rows=2, generic_keys="exclude")
    result = dedupe.find(leads, now=NOW, policy=chosen)
    gone = {(g.kind, g.key) for g in result.generic_keys}

    def strip(who: Person | None) -> Person | None:
        if who is None:
            return None
        region, fillers = policy.default_region, policy.placeholder_email_locals
        return Person(
            first_name=who.first_name,
            last_name=who.last_name,
            phones=[
                p for p in who.phones if ("phone", normalize.phone(p, region=region)) not in gone
            ],
            emails=[
                e
                for e in who.emails
                if ("email", normalize.email(e, placeholder_email_locals=fillers)) not in gone
            ],
        )

    stripped = [
        Lead(
            id=item.id,
            customer=strip(item.customer) or Person(),
            co_customer=strip(item.co_customer),
            source=item.source,
            lot=item.lot,
            created_at=item.created_at,
            last_activity_at=item.last_activity_at,
        )
        for item in leads
    ]

    assert result.pairs == dedupe.reference(stripped, now=NOW, policy=chosen)


@given(tables(max_size=6))
def test_inputs_are_not_changed(leads: list[Lead]) -> None:
    """GEN-3: the leads passed in are equal before and after."""
    before = copy.deepcopy(leads)

    dedupe.find(leads, now=NOW)

    assert leads == before


@given(tables(max_size=6))
def test_clusters_are_the_components_of_merge_pairs(leads: list[Lead]) -> None:
    """Every merge pair lies inside one cluster; every cluster is named by its smallest id."""
    result = dedupe.find(leads, now=NOW)

    for pair in result.pairs:
        if pair.kind == "merge":
            assert result.cluster_id(pair.a) == result.cluster_id(pair.b)
    for cluster in result.clusters:
        assert cluster.id == min(cluster.members)
        assert all(result.cluster_id(m) == cluster.id for m in cluster.members)


@given(st.text(max_size=40))
@example("ann lee@x.io")  # white space inside: no address (inputs.email's split test)
@example("ann@x\u00a0io")
@example(" Ann@X.io ")
def test_fast_email_equals_the_foundation(text: str) -> None:
    """MRG-1: the column-wise email rule is normalize.email (fillers kept), exactly."""
    expected = normalize.email(text, placeholder_email_locals=())

    assert _dedupe_input.email(text) == expected
    assert _dedupe_input.emails_column([text]) == [() if expected is None else (expected,)]


@given(
    st.text(alphabet="abcABC@ .\t\u00a0\u2028x", max_size=20)
    | st.sampled_from(["a@b", "@b", "a@", "a@@b", " A@B ", "a b@c"])
)
def test_fast_email_on_tricky_text(text: str) -> None:
    """MRG-1: at signs and every kind of white space, as normalize.email reads them."""
    expected = normalize.email(text, placeholder_email_locals=())

    assert _dedupe_input.emails_column([text]) == [() if expected is None else (expected,)]


@given(people())
def test_normal_forms_of_normal_forms_are_themselves(who: Person) -> None:
    """The Leads built from normal forms normalise to those same forms (see _dedupe_decide)."""
    from leadcore._dedupe import decide as _dedupe_decide  # noqa: PLC0415  # the module under test

    first = normalize.person(who)
    rebuilt = Person(
        first_name=first.first or None,
        last_name=first.last or None,
        phones=first.phones,
        emails=first.emails,
    )

    assert normalize.person(rebuilt) == first
    seeded = _dedupe_decide.person(first.first, first.last, first.emails, first.phones, "US")
    assert normalize.person(seeded) == first
    # A loaded table keeps fillers: a person seeded from it leaves them out (v1.2 of the rules).
    kept = normalize.person(who, placeholder_email_locals=())
    seeded = _dedupe_decide.person(kept.first, kept.last, kept.emails, kept.phones, "US")
    assert normalize.person(seeded) == first
    assert normalize.person(Person(emails=seeded.emails)).emails == seeded.emails


@given(
    st.lists(people(), max_size=6),
    st.sampled_from([normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS, (), ("ada", "N-A")]),
)
def test_a_tables_emails_are_the_foundations_under_any_fillers(
    who: list[Person], fillers: tuple[str, ...]
) -> None:
    """Rules v1.2: a table without a policy's fillers holds normalize.person's emails."""
    leads = [Lead(id=f"L{i}", customer=p, co_customer=p) for i, p in enumerate(who)]

    table = _dedupe_input.without_fillers(_dedupe_input.prepare_leads(leads, "US"), fillers)

    for row, person in enumerate(who):
        expected = normalize.person(person, placeholder_email_locals=fillers)
        assert table.emails[row] == expected.emails
        co = table.co.get(row)
        assert (co[2] if co else ()) == expected.emails


_STAMPS = st.sampled_from(
    [
        "2024-02-29 23:59:59",
        "2023-02-29 10:00:00",
        "2024-12-31T00:00:00",
        "2024-12-31t08:30:15",
        "2024-01-01 24:00:00",
        "2024-01-01 23:59:60",
        "2024-13-01 10:00:00",
        "2024-W01-1 10:00:00",
        "2024-01-01 10:00:00Z",
        "2024-01-01 10:00:00+02:00",
        "2024-01-01 10:00:00.5",
        "2024-01-01",
        "2024-01-01x10:00:00",
        "\uff12\uff10\uff12\uff14-01-01 10:00:00",  # full-width digits
        " 2024-01-01 10:00:00",
        "                   ",
        "",
        None,
    ]
)


@given(
    st.lists(
        _STAMPS
        | st.datetimes(timezones=st.none() | st.just(dt.UTC)).map(lambda d: d.isoformat(sep=" ")),
        max_size=8,
    ),
    st.sampled_from(["UTC", "Europe/Paris", None]),
)
def test_a_column_of_timestamps_reads_as_each_cell(cells: list[str | None], tz: str | None) -> None:
    """The column-wise reading of timestamps (by distinct date and time) is the cell's."""
    instants = _dedupe_input._Instants(_dedupe_input.zone(tz))

    found = instants.column(list(cells))

    assert found == [_dedupe_input._Instants(_dedupe_input.zone(tz))(c) for c in cells]


@given(
    st.lists(
        st.sampled_from(
            [
                "none",
                "No.Ne",
                "n-a",
                "NA",
                "ada",
                "ñone",
                "\uff4e\uff4f\uff4e\uff45",
                "",
                "..",
                "x+y",
            ]
        ).map(lambda local: f"{local}@x.io".lower())
        | st.emails().map(str.lower),
        max_size=12,
    ),
    st.lists(st.sampled_from(["none", "na", "N.A.", "", "ñone", "...", "noreply"]), max_size=3),
)
@example(["none@x.io", "ann@x.io"], [])  # no fillers: none found (no bulk reduction)
@example(["No.Ne@X.io", "n-o-n-e-@x.io", "non@x.io", "nonee@x.io", "\u017fone@x.io"], ["none"])
@example(["n4@x.io", "N-4@x.io", "4n@x.io"], ["n4"])  # digits, either case of letters
@example(["\u00f1one@x.io", "none@x.io"], ["\u00f1one"])  # no ASCII filler: no pattern
@example(["\ud800none@x.io", "none@x.io"], ["none"])  # a lone surrogate: no UTF-8 for polars
def test_filler_emails_in_bulk_are_those_reduced_one_by_one(
    emails: list[str], locals_: list[str]
) -> None:
    """v1.2 fillers: the bulk reduction finds exactly the addresses reduced one by one."""
    fillers = normalize.placeholder_email_set(locals_)

    found = _dedupe_input.filler_emails(emails, fillers)
    by_polars = _dedupe_input.filler_emails(emails, fillers, bulk_at=0)
    with mock.patch.object(_dedupe_input, "polars_or_none", return_value=None):
        without_polars = _dedupe_input.filler_emails(emails, fillers, bulk_at=0)

    expected = {e for e in emails if normalize.reduce_local(e.partition("@")[0]) in fillers}
    assert found == by_polars == without_polars == expected
