"""
The Spark engine's rarer paths: the local engine's answers and errors, all the same.

Tables without leads, bad values of other types than text, an empty first partition
(rows placed by the counts of the others), generic emails and phones excluded, no
filler emails, a key limited by ``max_leads`` on a lead field, generic keys refined only
by close values; and what a Spark result refuses (ids, labels, kinds, limits, table
names) with the local result's problems. Each Spark run is asked all its questions.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import pytest

from leadcore import dedupe
from leadcore.errors import InvalidInput
from leadcore.merge import MatchRule, MergePolicy
from tests.lead_tables import COLUMNS, NOW, generate
from tests.test_spark import _FIRST, CUSTOM, assert_same, assert_same_analysis, frame


def _after_an_empty_partition(spark: Any, table: Any) -> Any:
    """The same rows, after a first partition that is empty."""
    empty = spark.createDataFrame(spark.sparkContext.parallelize([], 1), table.schema)
    return empty.union(table)


def _problems(caught: pytest.ExceptionInfo[InvalidInput]) -> list[tuple[str, object, str]]:
    return [(p.path, p.value, p.message) for p in caught.value.problems]


def _refusals(result: Any, a: str) -> list[list[tuple[str, object, str]]]:
    """What ``explain`` and ``pair`` say to a bad id, an unknown id and the same id twice."""
    said = []
    for ask in (result.explain, result.pair):
        for ids in ((1, a), (a, "NOT-A-LEAD"), (a, a)):
            with pytest.raises(InvalidInput) as caught:
                ask(*ids)
            said.append(_problems(caught))
    return said


def test_tables_without_leads_give_the_local_answers_on_spark(spark: Any) -> None:
    """
    No rows at all, then rows that are all bad: the local (empty) tables and summary.

    Generic keys are excluded, of which such tables hold none. The bad values are a
    missing id, whole numbers and decimals where date-times belong (typed Spark
    columns), reported as the local run reports them, as text.
    """
    text = ", ".join(f"{c} string" for c in COLUMNS)
    empty = spark.createDataFrame([], text)
    rows: list[dict[str, object]] = [
        {**r, "created_at": at, "last_activity_at": last}
        for r, at, last in zip(
            generate(3, seed=3, bad=False), [20250101, None, 7], [None, 1.5, 2.25], strict=True
        )
    ]
    rows[1]["lead_id"] = None
    typed = text.replace("created_at string", "created_at long").replace(
        "last_activity_at string", "last_activity_at double"
    )
    bad = spark.createDataFrame([tuple(r[c] for c in COLUMNS) for r in rows], typed)
    unlabelled = dedupe.DedupePolicy(cluster_on=("merge", "duplicate"), generic_keys="exclude")

    for source, table in (([], empty), (rows, _after_an_empty_partition(spark, bad))):
        local = dedupe.find(source, now=NOW, policy=unlabelled)
        on_spark = dedupe.find(table, now=NOW, policy=unlabelled)
        assert_same(local, on_spark)
        assert on_spark.summary.leads == 0
        assert on_spark.summary.records == len(source)
        assert local.generic_keys == ()

    assert [(b.row, b.field, b.value) for b in local.bad_rows] == [
        (0, "created_at", 20250101),
        (1, "id", ""),
        (2, "created_at", 7),
        (2, "last_activity_at", 2.25),
    ]
    with pytest.raises(InvalidInput) as caught:
        on_spark.accuracy()
    with pytest.raises(InvalidInput) as expected:
        local.accuracy()
    assert _problems(caught) == _problems(expected)
    assert caught.value.path == "labels"


_PHONE_AND_LOT: Final = MatchRule.from_json(
    {"any_of": [{"label": "phone_lot", "all_of": ["phone", {"field": "lot", "max_leads": 3}]}]}
)
_EMAIL_AND_SOURCE: Final = MatchRule.from_json(
    {"any_of": [{"label": "email_source", "all_of": ["email", "source"]}]}
)
"""Possible duplicates: an email and the lead's source (a column of its own) in common."""
_PHONE_AND_NAME: Final = MatchRule.from_json(
    {
        "any_of": [
            {
                "label": "phone_name",
                "all_of": ["phone", {**_FIRST, "threshold": 0.8}],
            }
        ]
    }
)
"""A generic phone refined only by close first names (no other key splits it)."""


def _labels_of(result: dedupe.DedupeResult) -> dict[str, object]:
    """A ground truth the run gets right: one merged pair, under one label."""
    merged = next(p for p in result.pairs if p.kind == "merge")
    return {merged.a: "together", merged.b: "together"}


def test_excluded_keys_limited_lots_and_close_refinement_give_the_local_answers_on_spark(
    spark: Any,
) -> None:
    """
    Generic emails and phones excluded, no fillers, lots limited; then phones refined by name.

    The first policy excludes the generic emails and phones from every row and leaves
    filler emails as they are; its rules pair a phone with a lot that at most three
    leads share, and an email with a source. The second pairs a phone with a close
    first name, and refines its generic phones only that way. The tables, pairs,
    explanations (of leads of a lot over its limit, and of leads without a lot, too)
    and accuracy are the local run's; bad ids, labels, kinds, limits and table names
    are refused as locally.
    """
    rows = generate(70, seed=21, generic=12, fields=True, labels=True)
    for row in rows:  # a lot per customer (1 to 5 leads: some over max_leads), or none
        row["lot"] = row["person"] and "lot-" + row["person"]
    columns = attrs.evolve(CUSTOM, labels="person")
    first = dedupe.DedupePolicy(
        merge=MergePolicy(
            auto_merge_rule=_PHONE_AND_LOT,
            duplicate_rule=_EMAIL_AND_SOURCE,
            placeholder_email_locals=(),
        ),
        generic_key_rows=4,
        generic_keys="exclude",
    )
    second = dedupe.DedupePolicy(
        merge=MergePolicy(auto_merge_rule=_PHONE_AND_NAME, duplicate_rule=_PHONE_AND_NAME),
        generic_key_rows=4,
    )
    table = _after_an_empty_partition(spark, frame(spark, rows))

    local = dedupe.what_if(iter(rows), now=NOW, policy=first, other=second, columns=columns)
    on_spark = dedupe.what_if(table, now=NOW, policy=first, other=second, columns=columns)

    assert {g.handling for g in local.before.generic_keys} == {"excluded"}
    assert {g.kind for g in local.after.generic_keys} == {"phone"}
    assert {d.via for p in local.before.pairs for d in p.decisions} == {"phone_lot", "email_source"}
    assert_same(local.before, on_spark.before)
    assert_same(local.after, on_spark.after)
    assert_same_analysis(local.before, on_spark.before)
    assert_same_analysis(local.after, on_spark.after)
    # Two leads of a lot over max_leads (its count looked up among the run's), then the
    # two leads without a lot (no limited key to look up): explained as locally.
    leads = set(local.before.leads.ids)  # type: ignore[union-attr]  # a table
    crowded = [r["lead_id"] for r in rows if r["lot"] == "lot-P00014" and r["lead_id"] in leads]
    lotless = [r["lead_id"] for r in rows if not r["lot"] and r["lead_id"] in leads]
    assert (len(crowded), len(lotless)) == (5, 2)
    for a, b in (crowded[:2], lotless):
        explained = local.before.explain(a, b)
        assert attrs.asdict(on_spark.before.explain(a, b)) == attrs.asdict(explained)
        [lot] = [c for c in explained.directions[0].conditions if c.condition == "lot"]
        assert lot.ignored == (("lot p00014",) if a == crowded[0] else ())
        assert lot.holds is False
    some = local.before.pairs[0].a
    assert _refusals(on_spark.before, some) == _refusals(local.before, some)
    truth = _labels_of(local.before)
    by_mapping = on_spark.before.accuracy(truth, limit=5)
    assert attrs.asdict(by_mapping) == attrs.asdict(local.before.accuracy(truth, limit=5))
    assert by_mapping.pairwise.true_positives == 1
    assert by_mapping.false_positives == by_mapping.false_negatives == ()
    unlisted = on_spark.before.accuracy(limit=0)
    assert attrs.asdict(unlisted) == attrs.asdict(local.before.accuracy(limit=0))
    assert unlisted.false_positives == unlisted.false_negatives == ()
    said = {}
    for name, wrong in (("kinds", ["nothing"]), ("limit", -1), ("labels", "lot")):
        asked: dict[str, Any] = {name: wrong}
        with pytest.raises(InvalidInput) as caught:
            on_spark.before.accuracy(**asked)
        with pytest.raises(InvalidInput) as expected:
            local.before.accuracy(**asked)
        said[name] = (_problems(caught), _problems(expected))
    assert said["kinds"][0] == said["kinds"][1]
    assert said["limit"][0] == said["limit"][1]
    # Another column than the labels read: locally it is read again; on Spark, refused.
    [(path, value, message)] = said["labels"][0]
    assert (path, value) == said["labels"][1][0][:2] == ("labels", "lot")
    assert "a Spark run does not read its input again" in message
    _refused_names(on_spark, local)


def _refused_names(on_spark: Any, local: dedupe.PolicyComparison) -> None:
    """Unknown table names, and a result built by hand without its run."""
    for mine, theirs in ((on_spark.before, local.before), (on_spark, local)):
        with pytest.raises(InvalidInput) as caught:
            mine.table("nothing")
        with pytest.raises(InvalidInput) as expected:
            theirs.table("nothing")
        assert caught.value.path == expected.value.path == "name"
        assert caught.value.value == "nothing"
    bare = attrs.evolve(on_spark.before, run=None)
    with pytest.raises(InvalidInput) as caught:
        bare.pair("A", "B")
    assert caught.value.path == "result"
    assert "holds no run" in str(caught.value)


def _desk_row(i: int) -> dict[str, str]:
    """
    Row ``i`` of a desk's table: seven leads on its two mailboxes and two numbers.

    The eighth lead has the first number and no name nor email (a phone-only lead,
    MRG-4); its co-customer has the second number. Two leads of their own.
    """
    first, last = (("Ada", "Lovelace"), ("Bob", "Stone"), ("Cy", "Young"))[i % 3]
    at = "2025-06-01T00:00:00+00:00"
    desk, lone = i < 7, i == 7  # the desk's leads
    return {
        "lead_id": f"D{i:02d}",
        "first_name": "" if lone else first,
        "last_name": "" if lone else last,
        "email": "desk@x.io" if desk else ("" if lone else f"own{i}@x.io"),
        "email2": "shared@x.io" if desk else "",
        "phone": "4158675309" if desk or lone else f"41555500{i:02d}",
        "phone2": "4158675310" if desk else "",
        "co_first_name": "Di" if lone else "",
        "co_last_name": "Vo" if lone else "",
        "co_phone": "4158675310" if lone else "",
        "created_at": at,
        "last_activity_at": at,
    }


def test_generic_keys_held_by_the_same_rows_count_their_pairs_as_locally(spark: Any) -> None:
    """
    Two generic emails of the same seven leads (twins) count the same pairs, as locally.

    The Spark engine refines one of them for both (``_twins``). Two generic numbers of
    the same eight leads are no twins: the phone-only lead holds the second through its
    co-customer, so it is the inbound lead of the first's pairs only (MRG-4). Pairs,
    decisions, clusters, generic keys and their counts: the local run's.
    """
    rows = [_desk_row(i) for i in range(10)]
    names = list(rows[0])
    table = spark.createDataFrame(
        [tuple(r[c] for c in names) for r in rows], ", ".join(f"{c} string" for c in names)
    )
    columns = dedupe.Columns(
        emails=["email", "email2"],
        phones=["phone", "phone2"],
        co_emails=[],
        source=None,
        lot=None,
    )
    policy = dedupe.DedupePolicy(generic_key_rows=4)

    local = dedupe.find(rows, now=NOW, policy=policy, columns=columns)
    on_spark = dedupe.find(table, now=NOW, policy=policy, columns=columns)

    counts = {g.key: (g.rows, g.pairs) for g in local.generic_keys}
    assert counts["desk@x.io"] == counts["shared@x.io"]
    assert counts["+14158675309"][0] == counts["+14158675310"][0] == 8
    assert counts["+14158675309"][1] > counts["+14158675310"][1]
    assert_same(local, on_spark)
