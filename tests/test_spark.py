"""
The Spark engine gives exactly the local engine's answers (MRG-1..MRG-7 in batch, REL-6).

Every test here runs on the one local Spark session of the test run (``spark`` in
``conftest.py``) and compares the Spark run with the local run on the same rows, row for
row: pairs, decisions, clusters, generic keys, bad rows and the summary. The default
rule on a 4k table (several Arrow batches a partition) and on random dense tables, the
docs' example rules, and random match rules (``leadcore.testing.match_rules``) over
random dense tables with custom columns. Each Spark job costs seconds, so examples are
few and each run checks much: ``what_if`` runs two policies on one table read once.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcore import dedupe, related, testing
from leadcore.errors import InvalidInput
from leadcore.merge import MatchGroup, MatchRule, MergePolicy
from leadcore.model import CrmRecord
from tests.lead_tables import COLUMNS, FIELD_COLUMNS, NOW, generate

CUSTOM = dedupe.Columns(fields=list(FIELD_COLUMNS))
"""The custom columns of ``generate(..., fields=True)``, as custom fields."""


def frame(spark: Any, rows: Sequence[Mapping[str, str]]) -> Any:
    """A Spark DataFrame of generated rows (every column as text), in their order."""
    names = list(rows[0])
    schema = ", ".join(f"{c} string" for c in names)
    return spark.createDataFrame([tuple(r[c] for c in names) for r in rows], schema)


def _plain(rows: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """Rows with bad rows' values as text, as the Spark tables hold them."""
    out = []
    for row in rows:
        item = dict(row)
        if "value" in item and item["value"] is not None and not isinstance(item["value"], str):
            item["value"] = str(item["value"])
        out.append(item)
    return out


def assert_same(local: dedupe.DedupeResult, on_spark: Any) -> None:
    """Every table and the summary of a Spark run equal the local run's, row for row."""
    for name in dedupe.TABLES:
        mine = [r.asDict() for r in on_spark.table(name).collect()]
        assert mine == _plain(local.table(name, kind="rows")), name
    assert on_spark.summary == local.summary


def test_a_4k_table_in_several_batches_gives_the_local_answers(spark: Any) -> None:
    """
    4k generated leads with generic keys and bad rows: the same tables (MRG-1..7).

    Two partitions of two Arrow batches each (the test session's ``maxRecordsPerBatch``
    is 1,000): rows are placed across batches and partitions as locally, and blocks,
    generic keys (80 leads share the call centre's phone) and clusters span them.
    """
    rows = generate(4_000, seed=16, generic=80)
    policy = dedupe.DedupePolicy(generic_key_rows=50, cluster_on=("merge", "route"))
    table = frame(spark, rows)

    local = dedupe.find(rows, now=NOW, policy=policy)
    on_spark = dedupe.find(table, now=NOW, policy=policy)

    assert table.rdd.getNumPartitions() == 2
    assert local.summary.merge_pairs > 2_000
    assert local.summary.duplicate_pairs > 300
    assert local.summary.largest_cluster > 50
    assert {g.kind for g in local.generic_keys} >= {"phone", "email"}
    assert len(local.bad_rows) == 6
    assert_same(local, on_spark)


_POLICIES = [
    dedupe.DedupePolicy(),
    dedupe.DedupePolicy(generic_key_rows=4),
    dedupe.DedupePolicy(generic_key_rows=3, generic_keys="exclude", cluster_on=("duplicate",)),
    dedupe.DedupePolicy(
        merge=MergePolicy(auto_merge_conditions=("email", "phone"), auto_merge_min_conditions=1),
        generic_key_rows=5,
    ),
    dedupe.DedupePolicy(
        merge=MergePolicy(
            duplicate_conditions=("name", "email", "phone"),
            duplicate_min_conditions=2,
            auto_merge_min_conditions=3,
            merge_max_inactivity_days=30,
        ),
        generic_key_rows=4,
        cluster_on=("merge", "route", "duplicate"),
    ),
]


def concatenated(tables: Sequence[tuple[int, int]]) -> list[dict[str, str]]:
    """Generated tables (size, seed) in one, their ids kept apart (``T1L000004``)."""
    return [
        {**row, "lead_id": row["lead_id"] and f"T{at}{row['lead_id']}"}
        for at, (size, seed) in enumerate(tables)
        for row in generate(size, seed=seed, generic=size // 4)
    ]


@settings(max_examples=2, deadline=None, derandomize=True)
@given(
    tables=st.lists(
        st.tuples(st.integers(min_value=12, max_value=60), st.integers(0, 10_000)),
        min_size=3,
        max_size=3,
    ),
    policy=st.sampled_from(_POLICIES),
)
def test_small_dense_tables_give_the_local_answers(
    spark: Any, tables: list[tuple[int, int]], policy: dedupe.DedupePolicy
) -> None:
    """
    Random small tables, dense in duplicates and generic keys, under several policies.

    Three tables in one DataFrame, one Spark run: their leads meet across tables too
    (the call centre's phone, common names), and each table's bad rows are reported at
    their positions in the whole.
    """
    rows = concatenated(tables)

    local = dedupe.find(rows, now=NOW, policy=policy)

    assert_same(local, dedupe.find(frame(spark, rows), now=NOW, policy=policy))


def _fuzzy(field: str, threshold: float, scorer: str = "token_sort_ratio") -> dict[str, Any]:
    return {"field": field, "method": "fuzzy", "scorer": scorer, "threshold": threshold}


_FIRST, _LAST = _fuzzy("first_name", 0.85, "jaro_winkler"), _fuzzy("last_name", 0.9, "jaro_winkler")
_TITLE, _COMPANY = _fuzzy("fields.title", 50), _fuzzy("fields.company", 70)
_STREET, _CITY = _fuzzy("fields.street", 80), _fuzzy("fields.city", 85)
_INITIAL = {"field": "first_name", "method": "initial"}
_COMPANY_KEY = {"field": "fields.company", "method": "prefix", "length": 5}
_STREET_KEY = {"field": "fields.street", "method": "prefix", "length": 5}

SALESFORCE: Final = MatchRule.from_json(
    {
        "people": "customer",
        "any_of": [
            {
                "label": "title_company",
                "all_of": [_FIRST, _LAST, _TITLE, _COMPANY],
                "block_on": [_INITIAL, _COMPANY_KEY],
            },
            {"label": "email", "all_of": [_FIRST, _LAST, "email"]},
            {"label": "phone_company", "all_of": [_FIRST, _LAST, "phone", _COMPANY]},
            {
                "label": "street_city",
                "all_of": [_FIRST, _LAST, _STREET, _CITY],
                "block_on": [_INITIAL, _STREET_KEY],
            },
            {"label": "street_zip", "all_of": [_FIRST, _LAST, _STREET, "fields.zip"]},
            {"label": "street_phone", "all_of": [_FIRST, _LAST, _STREET, "phone"]},
            {
                "label": "street_title",
                "all_of": [_FIRST, _LAST, _STREET, _TITLE],
                "block_on": [_INITIAL, _STREET_KEY],
            },
            {"label": "title_email", "all_of": [_FIRST, _LAST, _TITLE, "email"]},
            {"label": "phone", "all_of": [_FIRST, _LAST, "phone"]},
        ],
    }
)
"""Salesforce's standard lead matching rule, as docs/match_rules.md writes it."""

EITHER: Final = MatchRule.from_json(
    {"any_of": [{"label": "contact", "of": ["email", "phone"], "at_least": 1}]}
)
VIN: Final = MatchRule.from_json({"any_of": [{"label": "vin", "all_of": ["fields.vin"]}]})
ZIP_NAME: Final = MatchRule(
    any_of=[MatchGroup(label="zip_name", all_of=["fields.zip", "last_name"])]
)


def test_the_docs_example_rules_and_what_if_give_the_local_answers(spark: Any) -> None:
    """
    The docs' rules as two policies of ``what_if``: the local runs, changes and counts.

    Salesforce's rule, any of email/phone, same VIN, zip + last name. Their generic keys
    (zips, prefixes of streets and companies, the call centre's phone) are split by
    another key, searched for close first names, or paired whole.
    """
    rows = generate(500, seed=15, generic=25, fields=True, labels=True)
    columns = attrs.evolve(CUSTOM, labels="person")
    first = dedupe.DedupePolicy(
        merge=MergePolicy(auto_merge_rule=EITHER, duplicate_rule=SALESFORCE),
        generic_key_rows=20,
    )
    second = dedupe.DedupePolicy(
        merge=MergePolicy(auto_merge_rule=VIN, duplicate_rule=ZIP_NAME, merge_max_age_days=90),
        generic_key_rows=20,
        cluster_on=("merge", "duplicate"),
    )

    # Rows read once (an iterator): the local explanations show normal forms, as Spark's.
    local = dedupe.what_if(iter(rows), now=NOW, policy=first, other=second, columns=columns)
    on_spark = dedupe.what_if(
        frame(spark, rows), now=NOW, policy=first, other=second, columns=columns
    )

    vias = {d.via for p in (*local.before.pairs, *local.after.pairs) for d in p.decisions}
    assert {"contact", "vin", "zip_name", "title_company", "street_city", "email"} <= vias
    kinds = {g.kind for g in (*local.before.generic_keys, *local.after.generic_keys)}
    assert {"phone", "fields.zip", "fields.street prefix 5", "fields.company prefix 5"} <= kinds
    assert local.changes
    assert_same(local.before, on_spark.before)
    assert_same(local.after, on_spark.after)
    assert [r.asDict() for r in on_spark.table("changes").collect()] == local.table(
        "changes", kind="rows"
    )
    assert [r.asDict() for r in on_spark.table("counts").collect()] == local.table(
        "counts", kind="rows"
    )
    assert on_spark.changes.columns == list(dedupe.CHANGE_COLUMNS)
    assert on_spark.counts() == local.counts()
    assert_same_analysis(local.after, on_spark.after)
    scored, expected = on_spark.accuracy(limit=5), local.accuracy(limit=5)
    for mine, theirs in ((scored.before, expected.before), (scored.after, expected.after)):
        assert theirs.false_negatives
        assert len(theirs.false_positives) > 5
        # On Spark the false positives are the first `limit` too; all else is the same.
        assert mine.false_positives == theirs.false_positives[:5]
        assert attrs.asdict(attrs.evolve(mine, false_positives=())) == attrs.asdict(
            attrs.evolve(theirs, false_positives=())
        )


COMPOUND: Final = MatchRule.from_json(
    {
        "any_of": [
            {"label": "contact", "all_of": ["email", "phone"], "people": "either"},
            {
                "label": "zip_name",
                "all_of": ["fields.zip", {"field": "last_name", "max_leads": 6}, _FIRST],
            },
        ]
    }
)
"""Compound keys: email + phone (several a person, either person), zip + a limited name."""


def test_compound_keys_give_the_local_answers(spark: Any) -> None:
    """Groups joined on two keys at once: the local pairs, generic zips refined as locally."""
    rows = generate(300, seed=7, generic=30, fields=True)
    policy = dedupe.DedupePolicy(
        merge=MergePolicy(auto_merge_rule=COMPOUND, duplicate_rule=COMPOUND),
        generic_key_rows=15,
    )

    local = dedupe.find(rows, now=NOW, policy=policy, columns=CUSTOM)

    assert {d.via for p in local.pairs for d in p.decisions} == {"contact", "zip_name"}
    assert_same(local, dedupe.find(frame(spark, rows), now=NOW, policy=policy, columns=CUSTOM))


def assert_same_analysis(local: dedupe.DedupeResult, on_spark: Any) -> None:
    """A pair found and two leads not paired: the same pair() and explain() as locally."""
    found = local.pairs[-1]
    lonely = next(i for i in local.leads.ids if i not in {found.a, found.b})  # type: ignore[union-attr]  # a table
    assert on_spark.pair(found.b, found.a) == found
    for a, b in ((found.b, found.a), (found.a, lonely)):
        # The explanation holds the pair (None for two leads not paired).
        assert attrs.asdict(on_spark.explain(a, b)) == attrs.asdict(local.explain(a, b))


@st.composite
def rule_policies(draw: st.DrawFn) -> dedupe.DedupePolicy:
    """A policy whose rules are drawn (either may stay the seed's), with a generic-key policy."""
    merge = MergePolicy(
        auto_merge_rule=draw(st.none() | testing.match_rules(blockable=True)),
        duplicate_rule=draw(st.none() | testing.match_rules(blockable=True)),
        merge_max_age_days=draw(st.sampled_from([30, 365, 1000])),
        duplicate_max_inactivity_days=draw(st.sampled_from([45, 500])),
    )
    return dedupe.DedupePolicy(
        merge=merge,
        generic_key_rows=draw(st.sampled_from([2, 4, 100])),
        generic_keys=draw(st.sampled_from(["refine", "refine", "exclude"])),
        cluster_on=draw(st.sampled_from([("merge",), ("merge", "route", "duplicate")])),
    )


@settings(max_examples=2, deadline=None)
@given(
    size=st.integers(min_value=30, max_value=80),
    seed=st.integers(min_value=0, max_value=10_000),
    first=rule_policies(),
    second=rule_policies(),
)
def test_random_rules_give_the_local_answers(
    spark: Any, size: int, seed: int, first: dedupe.DedupePolicy, second: dedupe.DedupePolicy
) -> None:
    """Random match rules over random dense tables with custom columns: the same tables."""
    rows = generate(size, seed=seed, generic=size // 5, fields=True)

    on_spark = dedupe.what_if(
        frame(spark, rows), now=NOW, policy=first, other=second, columns=CUSTOM
    )

    assert_same(dedupe.find(rows, now=NOW, policy=first, columns=CUSTOM), on_spark.before)
    after = dedupe.find(iter(rows), now=NOW, policy=second, columns=CUSTOM)
    assert_same(after, on_spark.after)
    if after.pairs:
        assert_same_analysis(after, on_spark.after)


def test_a_custom_field_without_a_column_is_refused_as_locally(spark: Any) -> None:
    """A rule comparing a field no column is mapped to: the local error, at columns."""
    rows = generate(20, seed=2, bad=False, fields=True)
    policy = MergePolicy(duplicate_rule=VIN)

    with pytest.raises(InvalidInput) as local:
        dedupe.find(rows, now=NOW, policy=policy)
    with pytest.raises(InvalidInput) as on_spark:
        dedupe.find(frame(spark, rows), now=NOW, policy=policy)

    assert on_spark.value.problems == local.value.problems
    assert local.value.problems[0].path == "columns"


def test_generic_keys_error_names_the_same_keys(spark: Any) -> None:
    """generic_keys='error' stops with the same problems as locally."""
    rows = generate(200, seed=5, generic=30, bad=False)
    policy = dedupe.DedupePolicy(generic_key_rows=10, generic_keys="error")

    with pytest.raises(InvalidInput) as local:
        dedupe.find(rows, now=NOW, policy=policy)
    with pytest.raises(InvalidInput) as on_spark:
        dedupe.find(frame(spark, rows), now=NOW, policy=policy)

    assert on_spark.value.problems == local.value.problems


def test_a_naive_timestamp_without_tz_stops_as_locally(spark: Any) -> None:
    """GEN-1: the first naive timestamp is named, at the same row."""
    rows = generate(30, seed=1, bad=False)
    rows[17]["last_activity_at"] = "2025-06-01T10:00:00"
    rows[21]["created_at"] = "2025-06-01 10:00:00"

    with pytest.raises(InvalidInput) as local:
        dedupe.find(rows, now=NOW)
    with pytest.raises(InvalidInput) as on_spark:
        dedupe.find(frame(spark, rows), now=NOW)

    assert on_spark.value.problems == local.value.problems
    assert "row 21" in str(on_spark.value)


def test_a_missing_column_is_named(spark: Any) -> None:
    """A mapped column that the frame lacks: the same error as for a local frame."""
    data = frame(spark, generate(5, seed=1, bad=False)).drop("lot")

    with pytest.raises(InvalidInput) as caught:
        dedupe.find(data, now=NOW)

    assert caught.value.path == "columns.lot"


def test_related_grouping_gives_the_local_groups(spark: Any) -> None:
    """REL-6 on Spark: the groups of related.group, one row per record."""
    from leadcore import spark as on_spark  # noqa: PLC0415  # the public Spark module

    names = ["Acme Inc.", "ACME inc", "Globex", "globex ", "Initech", None, ""]
    records = [
        CrmRecord(
            id=f"R{i:04d}",
            kind="lead" if i % 3 else "contact",
            account_name=names[i % len(names)] if i % 3 else None,
            account_id=None if i % 3 else f"00{i % 7}",
        )
        for i in range(300)
    ]
    table = spark.createDataFrame(
        [(r.id, r.kind.value, r.account_name, r.account_id) for r in records],
        "id string, kind string, account_name string, account_id string",
    )

    groups = on_spark.group_related("salesforce", table)
    expected = [
        {"group_id": g.id, "kind": g.kind.value, "key": g.key, "value": g.value, "record_id": r}
        for g in related.group("salesforce", records)
        for r in g.records
    ]

    assert [r.asDict() for r in groups.collect()] == expected


def test_related_grouping_reports_bad_records_as_locally(spark: Any) -> None:
    """An unknown kind and a repeated id: InvalidInput naming the records."""
    from leadcore import spark as on_spark  # noqa: PLC0415  # the public Spark module

    table = spark.createDataFrame(
        [("A", "lead", "Acme", None), ("B", "opportunity", "Acme", None), ("A", "lead", "X", None)],
        "id string, kind string, account_name string, account_id string",
    )

    with pytest.raises(InvalidInput) as caught:
        on_spark.group_related("salesforce", table)

    assert [p.path for p in caught.value.problems] == ["records[1].kind", "records[2].id"]


def test_related_group_given_a_spark_frame_says_where_to_go(spark: Any) -> None:
    """related.group is a rule family: it points a Spark DataFrame to the engine."""
    table = spark.createDataFrame(
        [("A", "lead", "Acme", None)],
        "id string, kind string, account_name string, account_id string",
    )

    with pytest.raises(InvalidInput, match=r"leadcore\.spark\.group_related"):
        related.group("salesforce", table)


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # this interpreter, fixed code
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_without_java_the_error_says_what_to_install(tmp_path: Path) -> None:
    """No Java on JAVA_HOME or PATH: a LeadcoreError naming Java 17, no JVM stack trace."""
    env = {**os.environ, "JAVA_HOME": str(tmp_path / "nothing"), "PATH": str(tmp_path)}
    code = """
        from leadcore import spark
        from leadcore.errors import LeadcoreError
        try:
            spark.session()
        except LeadcoreError as error:
            print("ERROR", error)
    """

    shown = _python(code, env)

    assert shown.returncode == 0, shown.stderr
    assert "ERROR Java was not found" in shown.stdout
    assert "Java 17" in shown.stdout
    assert "openjdk-17" in shown.stdout
    assert "Exception" not in shown.stdout + shown.stderr


def test_the_cli_without_java_exits_with_the_message(tmp_path: Path) -> None:
    """The CLI with --engine spark and no Java: exit status 2 and the message, no trace."""
    env = {**os.environ, "JAVA_HOME": str(tmp_path / "nothing"), "PATH": str(tmp_path)}
    path = tmp_path / "leads.csv"
    path.write_text("lead_id\nA\n", encoding="utf-8")

    shown = subprocess.run(  # noqa: S603  # this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "leadcore",
            "dedupe",
            "--engine",
            "spark",
            str(path),
            "--now",
            "2025-07-01T00:00Z",
            "--tz",
            "UTC",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert shown.returncode == 2
    assert "Java was not found" in shown.stderr
    assert "Traceback" not in shown.stderr


def test_dispatch_imports_no_pyspark_for_other_inputs() -> None:
    """Finding pairs in rows, pandas or a CSV never imports pyspark."""
    code = """
        import sys, datetime as dt
        from leadcore import dedupe
        dedupe.find([{"lead_id": "A"}], now=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        print("pyspark" in sys.modules)
    """

    shown = _python(code, dict(os.environ))

    assert shown.stdout.strip() == "False", shown.stderr


def test_pyspark_python_is_set_to_this_interpreter_when_unset() -> None:
    """Executors run the interpreter that has leadcore, unless the user chose one."""
    env = {k: v for k, v in os.environ.items() if k != "PYSPARK_PYTHON"}
    code = """
        import os
        from leadcore._spark import session
        session.prepare()
        print(os.environ["PYSPARK_PYTHON"])
    """
    chosen = {**env, "PYSPARK_PYTHON": "/opt/other/python"}

    assert _python(code, env).stdout.strip() == sys.executable
    assert _python(code, chosen).stdout.strip() == "/opt/other/python"


def _instants(rows: Sequence[Mapping[str, str]]) -> list[dict[str, object]]:
    """Rows whose timestamps are aware datetimes (Spark TIMESTAMP columns in Parquet)."""
    return [
        {
            **r,
            **{
                name: dt.datetime.fromisoformat(r[name]) if r[name] else None
                for name in ("created_at", "last_activity_at")
            },
        }
        for r in rows
    ]


@pytest.mark.usefixtures("spark")  # the command uses the session running
def test_the_cli_runs_on_spark_from_parquet_to_parquet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """
    ``leadcore dedupe --engine spark``: Parquet in, the local tables out, with progress.

    The timestamps are Parquet (Spark) TIMESTAMP columns: instants, read as the aware
    datetimes of a local table are (MRG-3).
    """
    import pyarrow as pa  # noqa: PLC0415  # the test's own reading and writing
    import pyarrow.parquet as pq  # noqa: PLC0415

    from leadcore import _cli  # noqa: PLC0415  # the command, in this process

    rows = _instants(generate(400, seed=9, bad=False))
    source = tmp_path / "leads.parquet"
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, source)
    out = io.StringIO()

    code = _cli.main(
        [
            "dedupe",
            "--engine",
            "spark",
            str(source),
            "--now",
            "2025-07-01T00:00:00Z",
            "--tz",
            "UTC",
            "--out",
            str(tmp_path / "out"),
            "--progress",
        ],
        out,
    )

    local = dedupe.find(rows, now=NOW)
    assert pa.types.is_timestamp(table.schema.field("created_at").type)
    assert local.summary.merge_pairs > 10
    assert code == 0
    assert "on Spark" in out.getvalue()
    assert f"auto-merge   {local.summary.merge_pairs:>10,} pairs" in out.getvalue()
    for name in ("pairs", "decisions", "clusters"):
        written = pq.read_table(tmp_path / "out" / f"{name}.parquet").to_pylist()
        assert written == local.table(name, kind="rows"), name
    shown = capsys.readouterr().err
    assert "decide [" in shown
    assert "cluster [" in shown


def test_the_cli_reads_a_csv_export_with_spark(spark: Any, tmp_path: Path) -> None:
    """CSV in (RFC 4180 quoting, a value with a newline): every column as text, every row."""
    import csv  # noqa: PLC0415  # writing the export

    from leadcore._cli import spark as command  # noqa: PLC0415  # the CLI's reader

    rows = generate(50, seed=2, bad=False)
    rows[4]["last_name"] = 'Ng, "Jr"\nthe second'
    source = tmp_path / "leads.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)

    read = command.read(spark, str(source))

    assert read.columns == list(COLUMNS)
    assert [tuple(r) for r in read.collect()] == [
        tuple(r[c] or None for c in COLUMNS) for r in rows
    ]


def test_components_are_named_by_their_smallest_id(spark: Any) -> None:
    """Large-star / small-star on a long path and random edges: union-find's components."""
    import random  # noqa: PLC0415  # a seeded generator (GEN-2)

    from leadcore._spark.components import components  # noqa: PLC0415  # the unit under test

    rng = random.Random(4)
    path = [(f"P{i:03d}", f"P{i + 1:03d}") for i in range(40)]
    rng.shuffle(path)
    scattered = [(f"N{rng.randrange(60):02d}", f"N{rng.randrange(60):02d}") for _ in range(45)]
    edges = spark.createDataFrame(path + scattered, "a string, b string")
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        while parent.setdefault(item, item) != item:
            item = parent[item]
        return item

    for a, b in path + scattered:
        one, two = sorted((root(a), root(b)))
        parent[two] = one

    found, rounds = components(edges)

    linked = {node for edge in path + scattered if edge[0] != edge[1] for node in edge}
    expected = sorted((node, root(node)) for node in linked)
    assert sorted(tuple(r) for r in found.collect()) == expected
    assert rounds > 1
