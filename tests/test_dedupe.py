"""
Batch deduplication: the merge rules (MRG-1 to MRG-7) over whole tables.

Every pair :func:`leadcore.dedupe.find` lists must be what :func:`leadcore.dedupe.reference`
(every pair compared with ``merge.auto`` and ``merge.duplicates``) lists; these examples
pin each rule's effect on pairs, the input layer and the reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest

from leadcore import _cli, dedupe
from leadcore._dedupe import decide as _dedupe_decide
from leadcore._dedupe import pool as _dedupe_pool
from leadcore.errors import InvalidInput
from leadcore.merge import MergePolicy
from leadcore.model import Lead
from tests.helpers import NOW, at, lead, person

SAMPLE = Path(str(resources.files("leadcore").joinpath("data", "sample_leads.csv")))
SAMPLE_NOW = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def recent(lead_id: str, **fields: Any) -> Lead:
    """A lead created 10 days ago and active yesterday: a candidate for every window."""
    return lead(lead_id, created_at=at(10), last_activity_at=at(1), **fields)


def kinds(result: dedupe.DedupeResult) -> list[tuple[str, str, str]]:
    """The pairs as (a, b, kind)."""
    return [(p.a, p.b, p.kind) for p in result.pairs]


def sample_leads(limit: int) -> list[Lead]:
    """The first leads of the bundled sample, built as plain Lead objects (raw values)."""
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:limit]

    def when(text: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) if text else None

    found = []
    for r in rows:
        co = None
        if any(r[k] for k in ("co_first_name", "co_last_name", "co_email", "co_phone")):
            co = person(
                r["co_first_name"] or None,
                r["co_last_name"] or None,
                phones=(r["co_phone"],) if r["co_phone"] else (),
                emails=(r["co_email"],) if r["co_email"] else (),
            )
        found.append(
            Lead(
                id=r["lead_id"],
                customer=person(
                    r["first_name"] or None,
                    r["last_name"] or None,
                    phones=(r["phone"],) if r["phone"] else (),
                    emails=(r["email"],) if r["email"] else (),
                ),
                co_customer=co,
                source=r["source"] or None,
                lot=r["lot"] or None,
                created_at=when(r["created_at"]),
                last_activity_at=when(r["last_activity_at"]),
            )
        )
    return found


class TestPairs:
    """What makes a pair, per rule."""

    def test_two_of_three_pairs_merge_both_ways(self) -> None:
        """MRG-1: same name and email merge, with either lead inbound."""
        leads = [
            recent("A", customer=person("Ada", "Lovelace", emails=("ada@x.io",))),
            recent("B", customer=person("ADA", "lovelace", emails=(" Ada@X.io",))),
        ]

        result = dedupe.find(leads, now=NOW)

        assert kinds(result) == [("A", "B", "merge")]
        merges = [d for d in result.pairs[0].decisions if d.action == "merge"]
        assert [(d.inbound, d.existing, d.matched) for d in merges] == [
            ("A", "B", ("name", "email")),
            ("B", "A", ("name", "email")),
        ]

    def test_one_condition_is_not_a_pair(self) -> None:
        """MRG-1: a shared phone alone, with real names, merges nothing."""
        leads = [
            recent("A", customer=person("Ada", "Lovelace", phones=("4158675309",))),
            recent("B", customer=person("Bob", "Stone", phones=("(415) 867-5309",))),
        ]

        assert dedupe.find(leads, now=NOW).pairs == ()

    def test_credit_applications_route_instead_of_merging(self) -> None:
        """MRG-2: both from a credit application: the pair is a route, with the reason."""
        who = person("Ada", "Lovelace", emails=("ada@x.io",))
        leads = [
            recent("A", customer=who, source="credit_application"),
            recent("B", customer=who, source="credit_application"),
        ]

        pair = dedupe.find(leads, now=NOW).pairs[0]

        assert pair.kind == "route"
        assert pair.decisions[0].reasons == ("both_credit_applications",)

    def test_windows_apply_to_the_existing_lead_only(self) -> None:
        """MRG-3: only the lead created within 365 days and active within 120 is existing."""
        who = person("Ada", "Lovelace", emails=("ada@x.io",))
        leads = [
            lead("OLD", customer=who, created_at=at(400), last_activity_at=at(1)),
            lead("NEW", customer=who, created_at=at(5), last_activity_at=at(120)),
        ]

        result = dedupe.find(leads, now=NOW)

        merges = [(d.inbound, d.existing) for d in result.pairs[0].decisions if d.action == "merge"]
        assert merges == [("OLD", "NEW")]

    def test_window_boundaries_are_exact(self) -> None:
        """MRG-3: created 365 days ago is out; active exactly 120 days ago is in."""
        who = person("Ada", "Lovelace", emails=("ada@x.io",))
        inbound = lead("IN", customer=who)
        out = lead("OUT", customer=who, created_at=at(365), last_activity_at=at(1))
        edge = lead("EDGE", customer=who, created_at=at(364.99), last_activity_at=at(120))

        result = dedupe.find([inbound, out, edge], now=NOW)

        existing = sorted(
            {d.existing for p in result.pairs for d in p.decisions if d.action == "merge"}
        )
        assert existing == ["EDGE"]

    def test_phone_only_lead_merges_on_the_phone(self) -> None:
        """MRG-4: no email and a placeholder name: the shared phone is enough."""
        leads = [
            recent("A", customer=person("Bob", "Stone", phones=("4158675309",))),
            lead("B", customer=person("Unknown", None, phones=("+1 415 867 5309",))),
        ]

        pair = dedupe.find(leads, now=NOW).pairs[0]

        assert pair.kind == "merge"
        assert [(d.inbound, d.action, d.via) for d in pair.decisions] == [
            ("B", "merge", "phone_only")
        ]

    def test_co_customer_closer_name_is_compared(self) -> None:
        """MRG-5: the co-customer's closer name makes her the person compared."""
        leads = [
            recent(
                "A",
                customer=person("Bob", "Stone", phones=("4158675309",)),
                co_customer=person("Alice", "Stone", emails=("al@x.io",)),
            ),
            lead("B", customer=person("Alice", "Stone", emails=("AL@x.io",))),
        ]

        decision = dedupe.find(leads, now=NOW).pairs[0].decisions[0]

        assert (decision.person, decision.matched) == ("co_customer", ("name", "email"))

    def test_possible_duplicates_need_recent_activity(self) -> None:
        """MRG-7: a close name and an email, active within 45 days: a duplicate pair."""
        leads = [
            lead("A", customer=person("Jon", "Smith", emails=("js@x.io",))),
            lead(
                "B", customer=person("John", "Smith", emails=("JS@x.io",)), last_activity_at=at(45)
            ),
            lead(
                "C", customer=person("John", "Smith", emails=("js@x.io",)), last_activity_at=at(46)
            ),
        ]

        result = dedupe.find(leads, now=NOW)

        assert kinds(result) == [("A", "B", "duplicate"), ("B", "C", "duplicate")]
        assert {(d.inbound, d.existing) for p in result.pairs for d in p.decisions} == {
            ("A", "B"),
            ("C", "B"),
        }

    def test_names_of_other_scripts_keep_their_marks(self) -> None:
        """v1.2 of the rules Folding: "राम" and "रमा" differ in a table as in merge.auto."""
        leads = [
            recent("A", customer=person("राम", "शर्मा", phones=("4158675309",))),
            recent("B", customer=person("रमा", "शर्मा", phones=("(415) 867-5309",))),
            recent("C", customer=person("राम", "शर्मा", phones=("+1 415 867 5309",))),
            recent("D", customer=person("José", "García", phones=("2127365000",))),
            recent("E", customer=person("JOSE", "GARCIA", phones=("212-736-5000",))),
        ]

        result = dedupe.find(leads, now=NOW)

        assert result.pairs == dedupe.reference(leads, now=NOW)
        assert kinds(result) == [("A", "C", "merge"), ("D", "E", "merge")]
        rows = [
            {
                "lead_id": x.id,
                "first_name": x.customer.first_name,
                "last_name": x.customer.last_name,
                "phone": x.customer.phones[0],
                "created_at": x.created_at,
                "last_activity_at": x.last_activity_at,
            }
            for x in leads
        ]
        assert kinds(dedupe.find(rows, now=NOW)) == kinds(result)  # the columnar path

    def test_explanations_name_conditions_and_person(self) -> None:
        """GEN-4: each decision says which conditions held, on whom, how."""
        decision = dedupe.Decision(
            inbound="B",
            existing="A",
            action="merge",
            via="phone_only",
            matched=("phone",),
            person="co_customer",
        )

        assert decision.explain() == "B -> A: merge (phone, phone only on the co-customer)"


class TestExactness:
    """The blocked search finds exactly what comparing every pair finds."""

    @pytest.mark.parametrize("days", [120, 2_000])
    def test_sample_equals_brute_force(self, days: int) -> None:
        """MRG-1..7: on 150 generated leads, same pairs as the brute force."""
        leads = sample_leads(150)
        policy = dedupe.DedupePolicy(
            merge=MergePolicy(
                merge_max_age_days=days * 3,
                merge_max_inactivity_days=days,
                duplicate_max_inactivity_days=days,
            ),
            generic_key_rows=2,
        )

        found = dedupe.find(leads, now=SAMPLE_NOW, policy=policy)

        assert found.pairs == dedupe.reference(leads, now=SAMPLE_NOW, policy=policy)
        assert found.pairs

    def test_file_and_leads_give_the_same_pairs(self) -> None:
        """The CSV reader and Lead objects normalise alike."""
        leads = sample_leads(500)

        from_file = dedupe.find(SAMPLE, now=SAMPLE_NOW, tz="UTC")
        from_leads = dedupe.find(leads, now=SAMPLE_NOW)

        assert from_file.pairs == from_leads.pairs
        assert from_file.summary == from_leads.summary

    def test_workers_change_nothing(self) -> None:
        """Two processes give the same result as one."""
        one = dedupe.find(SAMPLE, now=SAMPLE_NOW, tz="UTC")
        two = dedupe.find(SAMPLE, now=SAMPLE_NOW, tz="UTC", workers=2)

        assert one.pairs == two.pairs
        assert one.clusters == two.clusters

    def test_csv_ranges_read_by_workers(self, tmp_path: Path) -> None:
        """A file split in byte ranges over processes reads as one (rows, lines, pairs)."""
        text = SAMPLE.read_text(encoding="utf-8").splitlines()
        header, body = text[0], text[1:]
        copies = [line.replace("L000", f"C{k}L", 1) for k in range(8) for line in body]
        path = tmp_path / "big.csv"
        path.write_text("\n".join([header, *copies, "broken,row"]) + "\n", encoding="utf-8")

        one = dedupe.load(path, tz="UTC")
        two = dedupe.load(path, tz="UTC", workers=2)

        assert list(two.ids) == list(one.ids)
        assert two.bad_rows == one.bad_rows == (two.bad_rows[0],)
        assert two.bad_rows[0].line == len(copies) + 2
        assert (
            dedupe.find(two, now=SAMPLE_NOW, workers=2).pairs
            == dedupe.find(one, now=SAMPLE_NOW).pairs
        )

    @pytest.mark.parametrize("spawn", [False, True])
    def test_worker_pool_gives_inline_results(self, spawn: bool) -> None:
        """Forked or spawned (when threads run), workers compute what one process does."""
        table = dedupe.load(SAMPLE, tz="UTC")
        pairs = [(0, 1, 3), (1, 0, 3), (2, 3, 1), (4, 5, 2)]
        state = _dedupe_decide.State(table.data, SAMPLE_NOW, MergePolicy())
        rows = {r: _dedupe_decide.row(table.data, r) for r in range(6)}
        tasks: list[_dedupe_decide.Task] = [(pairs[:2], None), (pairs[2:], rows)]
        stop = threading.Event()
        other = threading.Thread(target=stop.wait, daemon=True)
        if spawn:
            other.start()
        try:
            pooled = _dedupe_pool.pmap(_dedupe_decide.decide_batch, tasks, workers=2, state=state)
        finally:
            stop.set()
            if spawn:
                other.join()

        assert pooled == [_dedupe_decide.decide_batch(state, (t[0], None)) for t in tasks]

    def test_policy_without_keys_is_refused(self) -> None:
        """A fuzzy name alone cannot be blocked on: refused, with the field named."""
        policy = MergePolicy(duplicate_min_conditions=1)

        with pytest.raises(InvalidInput) as caught:
            dedupe.find([lead("A")], now=NOW, policy=policy)

        assert caught.value.path == "policy.merge.duplicate_min_conditions"


class TestGenericKeys:
    """Keys held by very many leads are reported and handled by policy."""

    def leads(self) -> list[Lead]:
        """Ten leads sharing a call centre's number; two also share a name."""
        found = [
            recent(f"L{i}", customer=person(f"Name{i}", "Caller", phones=("800-555-0199",)))
            for i in range(8)
        ]
        found.append(recent("X1", customer=person("Ada", "Lovelace", phones=("8005550199",))))
        found.append(recent("X2", customer=person("ada", "lovelace", phones=("+18005550199",))))
        found.append(lead("P", customer=person("Null", None, phones=("8005550199",))))
        return found

    def test_refine_is_exact(self) -> None:
        """The shared number is reported; the pairs still equal the brute force."""
        policy = dedupe.DedupePolicy(generic_key_rows=5)

        result = dedupe.find(self.leads(), now=NOW, policy=policy)

        assert [(g.kind, g.key, g.rows, g.handling) for g in result.generic_keys] == [
            ("phone", "+18005550199", 11, "refined")
        ]
        assert result.pairs == dedupe.reference(self.leads(), now=NOW, policy=policy)
        # MRG-4: the phone-only lead P merges with every holder of the number.
        assert sum(1 for p in result.pairs if "P" in (p.a, p.b)) == 10

    def test_exclude_treats_the_number_as_unusable(self) -> None:
        """Excluded: the same as the brute force on the table without the number."""
        policy = dedupe.DedupePolicy(generic_key_rows=5, generic_keys="exclude")
        stripped = [
            attrs.evolve(item, customer=attrs.evolve(item.customer, phones=()))
            for item in self.leads()
        ]

        result = dedupe.find(self.leads(), now=NOW, policy=policy)

        assert result.generic_keys[0].handling == "excluded"
        assert result.pairs == dedupe.reference(stripped, now=NOW, policy=policy)

    def test_error_stops_with_the_keys(self) -> None:
        """Error: stop and name each generic key."""
        policy = dedupe.DedupePolicy(generic_key_rows=5, generic_keys="error")

        with pytest.raises(InvalidInput) as caught:
            dedupe.find(self.leads(), now=NOW, policy=policy)

        assert caught.value.path == "generic_keys.phone"
        assert caught.value.value == "+18005550199"


class TestClusters:
    """Clusters are connected components with stable ids."""

    def test_chain_makes_one_cluster_named_by_smallest_id(self) -> None:
        """A-B and B-C merge: one cluster {A, B, C} called A."""
        leads = [
            recent("C", customer=person("Li", "Ng", phones=("4158675309",), emails=("c@x.io",))),
            recent("B", customer=person("Li", "Ng", phones=("4158675309",), emails=("b@x.io",))),
            recent("A", customer=person("Li", "Ng", phones=("4155550100",), emails=("b@x.io",))),
        ]

        result = dedupe.find(leads, now=NOW)

        assert [(c.id, c.members) for c in result.clusters] == [("A", ("A", "B", "C"))]
        assert result.cluster_id("C") == "A"
        assert result.summary.customers == 1

    def test_any_row_order_gives_the_same_result(self) -> None:
        """Determinism: reversed and shuffled inputs give the same pairs and clusters."""
        leads = sample_leads(500)
        first = dedupe.find(leads, now=SAMPLE_NOW)

        again = dedupe.find(list(reversed(leads)), now=SAMPLE_NOW)
        shuffled = dedupe.find(leads[1::2] + leads[::2], now=SAMPLE_NOW)

        for other in (again, shuffled):
            assert other.pairs == first.pairs
            assert other.clusters == first.clusters

    def test_duplicates_join_clusters_only_when_asked(self) -> None:
        """cluster_on: possible duplicates make clusters only when listed."""
        leads = [
            lead("A", customer=person("Jon", "Smith", emails=("js@x.io",))),
            lead(
                "B", customer=person("John", "Smith", emails=("JS@x.io",)), last_activity_at=at(1)
            ),
        ]

        default = dedupe.find(leads, now=NOW)
        wider = dedupe.find(
            leads, now=NOW, policy=dedupe.DedupePolicy(cluster_on=("merge", "duplicate"))
        )

        assert default.clusters == ()
        assert [c.id for c in wider.clusters] == ["A"]


class TestInput:
    """CSV files, mappings and dataframes; bad rows reported, never fatal."""

    def write(self, tmp_path: Path, text: str) -> Path:
        """Write a CSV file."""
        path = tmp_path / "leads.csv"
        path.write_text(text, encoding="utf-8")
        return path

    def test_bad_rows_are_reported_with_row_and_line(self, tmp_path: Path) -> None:
        """Missing columns, unparseable dates, no id: reported, the run goes on."""
        path = self.write(
            tmp_path,
            "lead_id,first_name,phone,created_at\n"
            "A,Ada,4158675309,2025-06-01 10:00:00\n"
            "B,Bob\n"
            "C,Cy,4158675309,yesterday\n"
            ",Di,4158675309,2025-06-01 10:00:00\n"
            "E,Ed,4158675309,2025-06-01\n",
        )
        columns = dedupe.Columns(
            last_name=None,
            emails=(),
            co_first_name=None,
            co_last_name=None,
            co_emails=(),
            co_phones=(),
            source=None,
            lot=None,
            last_activity_at=None,
        )

        table = dedupe.load(path, columns=columns, tz="UTC")

        assert list(table.ids) == ["A"]
        assert [(b.row, b.line, b.field) for b in table.bad_rows] == [
            (1, 3, None),
            (2, 4, "created_at"),
            (3, 5, "id"),
            (4, 6, "created_at"),
        ]

    def test_quoted_newlines_keep_line_numbers(self, tmp_path: Path) -> None:
        """RFC 4180 quoting: a value spanning lines; later lines still counted right."""
        path = self.write(
            tmp_path,
            'lead_id,first_name\nA,"Ada\nLovelace"\nB,\n,Cy\n',
        )
        columns = dedupe.Columns.parse(
            [
                "last_name=",
                "emails=",
                "phones=",
                "co_first_name=",
                "co_last_name=",
                "co_emails=",
                "co_phones=",
                "source=",
                "lot=",
                "created_at=",
                "last_activity_at=",
            ]
        )

        table = dedupe.load(path, columns=columns, workers=2)

        assert list(table.ids) == ["A", "B"]
        assert [(b.row, b.line) for b in table.bad_rows] == [(2, 5)]

    def test_naive_timestamps_need_a_time_zone(self) -> None:
        """GEN-1: the sample's naive timestamps are refused without tz, never guessed."""
        with pytest.raises(InvalidInput) as caught:
            dedupe.load(SAMPLE)

        assert caught.value.code == "naive_datetime"
        assert "--tz" in str(caught.value)

    def test_time_zone_is_applied_to_naive_timestamps(self) -> None:
        """GEN-1: naive times are read in the stated zone (Paris is UTC+2 in June)."""
        rows = [{"lead_id": "A", "created_at": "2025-06-01 12:00:00"}]

        table = dedupe.load(rows, tz="Europe/Paris")

        assert (
            table.data.created[0]
            == dedupe.load(
                [{"lead_id": "A", "created_at": "2025-06-01T10:00:00+00:00"}]
            ).data.created[0]
        )

    def test_missing_mapped_column_is_an_input_error(self, tmp_path: Path) -> None:
        """A mapped column absent from the header: refused, naming it."""
        path = self.write(tmp_path, "id,name\nA,Ada\n")

        with pytest.raises(InvalidInput) as caught:
            dedupe.load(path)

        assert caught.value.path == "columns.id"

    def test_column_mapping_for_real_exports(self, tmp_path: Path) -> None:
        """Columns map fields; contacts may take several columns."""
        path = self.write(
            tmp_path,
            "Lead ID,Given,Family,Mobile,Work,Created,Active\n"
            "A,Ada,Lovelace,4158675309,,2025-06-01T00:00Z,2025-06-20T00:00Z\n"
            "B,Ada,Lovelace,,+1 415 867 5309,2025-06-02T00:00Z,2025-06-21T00:00Z\n",
        )
        columns = dedupe.Columns.parse(
            [
                "id=Lead ID",
                "first_name=Given",
                "last_name=Family",
                "phones=Mobile,Work",
                "email=",
                "co_first_name=",
                "co_last_name=",
                "co_email=",
                "co_phone=",
                "source=",
                "lot=",
                "created_at=Created",
                "last_activity_at=Active",
            ]
        )

        result = dedupe.find(path, now=SAMPLE_NOW, columns=columns)

        assert kinds(result) == [("A", "B", "merge")]

    def test_duplicate_ids_are_all_left_out(self) -> None:
        """Two rows with one id: both reported (either could be right)."""
        table = dedupe.load([{"lead_id": "A"}, {"lead_id": "B"}, {"lead_id": "A"}])

        assert list(table.ids) == ["B"]
        assert [b.row for b in table.bad_rows] == [0, 2]

    def test_missing_file_is_an_input_error(self, tmp_path: Path) -> None:
        """GEN-5: a file that cannot be read is refused, naming it."""
        with pytest.raises(InvalidInput) as caught:
            dedupe.load(tmp_path / "nope.csv")

        assert caught.value.path == "path"

    def test_unknown_source_is_an_input_error(self) -> None:
        """GEN-5: something that is no table is refused."""
        with pytest.raises(InvalidInput):
            dedupe.load(42)

    @pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
    def test_dataframes_in_and_out(self, library: str) -> None:
        """pandas, polars and pyarrow tables in; the same kind of table out."""
        module = pytest.importorskip(library)
        rows: list[dict[str, str | None]] = [
            {
                "lead_id": "A",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "a@x.io",
                "created_at": "2025-06-01 00:00:00",
                "last_activity_at": "2025-06-20 00:00:00",
            },
            {
                "lead_id": "B",
                "first_name": "ADA",
                "last_name": "LOVELACE",
                "email": "A@x.io",
                "created_at": None,
                "last_activity_at": None,
            },
        ]
        columns = {k: [r[k] for r in rows] for k in rows[0]}
        frame = module.table(columns) if library == "pyarrow" else module.DataFrame(columns)
        mapping = dedupe.Columns.parse(
            [
                "phones=",
                "co_first_name=",
                "co_last_name=",
                "co_emails=",
                "co_phones=",
                "source=",
                "lot=",
            ]
        )

        result = dedupe.find(frame, now=SAMPLE_NOW, columns=mapping, tz="UTC")
        pairs = result.table("pairs")

        assert kinds(result) == [("A", "B", "merge")]
        assert type(pairs).__module__.split(".")[0] == library
        assert len(pairs) == 1


class TestTables:
    """Results as tables."""

    def test_tables_have_their_columns(self) -> None:
        """Each table is rows of the documented columns."""
        result = dedupe.find(SAMPLE, now=SAMPLE_NOW, tz="UTC")

        pairs = result.table("pairs")
        clusters = result.table("clusters")

        assert list(pairs[0]) == ["lead_a", "lead_b", "kind", "cluster", "matched", "explanation"]
        assert len(clusters) == result.summary.clustered_leads
        assert {r["cluster_id"] for r in clusters} == {c.id for c in result.clusters}

    def test_unknown_table_is_an_input_error(self) -> None:
        """GEN-5: an unknown table name is refused."""
        result = dedupe.find([], now=NOW)

        with pytest.raises(InvalidInput):
            result.table("nope")


class TestWhatIf:
    """Two policies on one table: the decisions that differ."""

    def test_a_shorter_activity_window_drops_merges(self) -> None:
        """MRG-3: with a 90-day window, leads idle 91-120 days stop merging."""
        who = person("Ada", "Lovelace", emails=("ada@x.io",))
        leads = [
            lead("A", customer=who, created_at=at(100), last_activity_at=at(100)),
            lead("B", customer=who),
        ]

        comparison = dedupe.what_if(leads, now=NOW, other=MergePolicy(merge_max_inactivity_days=90))

        assert [(c.a, c.b, c.before, c.after) for c in comparison.changes] == [
            ("A", "B", "merge", None)
        ]
        assert comparison.counts() == {"merge -> none": 1}

    def test_fillers_as_addresses_is_a_question_one_table_answers(self) -> None:
        """v1.2 of the rules, GEN-7: a table keeps fillers; each policy leaves out its own."""
        who = person("Ada", "Lovelace", emails=("none@none.com",))
        ada = {"first_name": "Ada", "last_name": "Lovelace"}
        rows = [
            {
                "lead_id": "A",
                **ada,
                "email": "NONE@none.com",
                "created_at": "2026-11-13T12:00:00Z",
                "last_activity_at": "2026-11-22T12:00:00Z",
            },
            {"lead_id": "B", **ada, "email": "none@none.com"},
        ]
        leads = [recent("A", customer=who), lead("B", customer=who)]
        table = dedupe.load(rows)
        usable = MergePolicy(placeholder_email_locals=())

        comparison = dedupe.what_if(table, now=NOW, other=usable)

        assert [(c.a, c.b, c.before, c.after) for c in comparison.changes] == [
            ("A", "B", None, "merge")
        ]
        assert dedupe.find(leads, now=NOW).pairs == dedupe.reference(leads, now=NOW) == ()
        assert kinds(dedupe.find(leads, now=NOW, policy=usable)) == [("A", "B", "merge")]
        assert dedupe.find(leads, now=NOW, policy=usable).pairs == dedupe.reference(
            leads, now=NOW, policy=usable
        )

    def test_same_policy_changes_nothing(self) -> None:
        """The same policy twice: no change."""
        comparison = dedupe.what_if(SAMPLE, now=SAMPLE_NOW, tz="UTC", other=MergePolicy())

        assert comparison.changes == ()

    def test_one_direction_dropping_out_is_not_a_change(self) -> None:
        """MRG-3: still merging, one way instead of both, on the same conditions: no change."""
        who = person("Ada", "Lovelace", emails=("ada@x.io",))
        leads = [
            lead("A", customer=who, created_at=at(10), last_activity_at=at(100)),
            lead("B", customer=who, created_at=at(10), last_activity_at=at(1)),
        ]
        strict = MergePolicy(merge_max_inactivity_days=90)

        comparison = dedupe.what_if(leads, now=NOW, other=strict)

        before = comparison.before.pair("A", "B")
        after = comparison.after.pair("A", "B")
        assert before is not None
        assert after is not None
        assert [x.inbound for x in before.decisions if x.action == "merge"] == ["A", "B"]
        assert [x.inbound for x in after.decisions if x.action == "merge"] == ["A"]
        assert comparison.changes == ()
        assert comparison.counts() == {}

    def test_a_change_of_matched_conditions_is_a_change(self) -> None:
        """MRG-1: the same kind on other conditions is a change, with both sides listed."""
        who = person("Ada", "Lovelace", emails=("ada@x.io",), phones=("4158675309",))
        leads = [recent("A", customer=who), recent("B", customer=who)]
        fewer = MergePolicy(duplicate_conditions=("email", "phone"))

        comparison = dedupe.what_if(leads, now=NOW, other=fewer)

        (change,) = comparison.changes
        assert change.transition == "merge -> merge"
        assert change.matched_before == ("name", "name_fuzzy", "email", "phone")
        assert change.matched_after == ("name", "email", "phone")

    def test_tables_by_name_like_every_result(self) -> None:
        """``table(name)`` takes a name, as DedupeResult's does, and refuses unknown ones."""
        who = person("Ada", "Lovelace", emails=("ada@x.io",))
        leads = [
            lead("A", customer=who, created_at=at(100), last_activity_at=at(100)),
            lead("B", customer=who),
        ]
        comparison = dedupe.what_if(leads, now=NOW, other=MergePolicy(merge_max_inactivity_days=90))

        changes = comparison.table("changes", kind="rows")
        counts = comparison.table("counts", kind="rows")

        assert list(changes[0]) == list(dedupe.CHANGE_COLUMNS)
        assert changes[0]["matched_before"] == "name+email"
        assert counts == [{"change": "merge -> none", "pairs": 1}]
        with pytest.raises(InvalidInput) as caught:
            comparison.table("pairs")
        assert caught.value.path == "name"


class TestCommand:
    """``leadcore dedupe``: the README's main job."""

    def test_writes_tables_and_summary(self, tmp_path: Path) -> None:
        """The command writes every table and a summary.json."""
        out = io.StringIO()

        code = _cli.main(
            [
                "dedupe",
                str(SAMPLE),
                "--now",
                "2025-07-01T00:00:00Z",
                "--tz",
                "UTC",
                "--out",
                str(tmp_path),
                "--what-if",
                "merge_max_inactivity_days=90",
                "--workers",
                "1",
            ],
            out,
        )

        assert code == 0
        summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
        assert summary["leads"] == 500
        assert (tmp_path / "pairs.csv").exists()
        assert (tmp_path / "changes.csv").exists()
        assert "auto-merge" in out.getvalue()

    def test_progress_bar_and_sample(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--sample reads the bundled export; --progress draws the bar on stderr."""
        out = io.StringIO()

        code = _cli.main(
            ["dedupe", "--sample", "--now", "2025-07-01T00:00:00", "--tz", "UTC", "--progress"],
            out,
        )

        assert code == 0
        assert "customers" in out.getvalue()
        assert "read [" in capsys.readouterr().err

    def test_policy_changes_from_the_command_line(self) -> None:
        """--policy and --column reach the rules and the reader; unknown fields exit 2."""
        out = io.StringIO()

        code = _cli.main(
            [
                "dedupe",
                "--sample",
                "--now",
                "2025-07-01T00:00:00Z",
                "--tz",
                "UTC",
                "--policy",
                "merge_max_inactivity_days=90",
                "--policy",
                "credit_application_sources=",
                "--column",
                "lot=",
                "--workers",
                "1",
            ],
            out,
        )
        bad = _cli.main(
            ["dedupe", "--sample", "--now", "2025-07-01T00:00:00Z", "--policy", "nope=1"],
            io.StringIO(),
        )

        assert code == 0
        assert "auto-merge           17 pairs" in out.getvalue()
        assert bad == 2

    def test_bad_input_exits_with_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Naive timestamps without --tz: exit status 2 and the reason on stderr."""
        code = _cli.main(["dedupe", str(SAMPLE), "--now", "2025-07-01T00:00:00Z"], io.StringIO())

        assert code == 2
        assert "never guesses" in capsys.readouterr().err
