"""
GEN-5: the limits apply to input, never to output (v1.2 of the rules; issue 13).

A request within the limits (lists of up to 100,000 items, text of up to 10,000
characters) never fails because of what its answer holds: link.apply gives a lead of
100,000 numbers or viewers one more, merge.manual unites two leads' numbers, emails,
viewers, events and fields. Every rule that can grow a list is shown here at exactly the
limit plus one, on the typed API and on the protocol (answered, and written as one line
the schema accepts). Input is checked exactly as before. And a result over the limits
given back is input again: refused with a clear error at its path, except by the
functions whose contract is to take results (undo, write).

Big inputs are built once per module from repeated or numbered text (no phone parsing
of 100,000 distinct numbers); nothing here is timed.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any, Final

import attrs
import pytest

from leadcore import _attrs, decisions, linking, merge, normalize, protocol, wire
from leadcore.conformance import schema, validate
from leadcore.errors import InvalidInput
from leadcore.model import Event, EventStatus, Lead, Person, User

from .helpers import NOW, request

N: Final = _attrs.MAX_ITEMS
"""The GEN-5 limit of a list: 100,000 items."""

BOSS: Final = User(id="boss", roles=["super_user"])
LATER: Final = NOW + dt.timedelta(days=1)
GIVEN_BACK: Final = "a result given back to leadcore is input"


def numbered(prefix: str, count: int = N) -> tuple[str, ...]:
    """``count`` distinct texts: ``prefix0``, ``prefix1``..."""
    return tuple(f"{prefix}{i}" for i in range(count))


def scribbles(first: str, count: int = N) -> tuple[str, ...]:
    """
    ``count`` distinct texts typed in a phone field, none of them a number: ``~#``, ``~*``...

    No plan parses them, so they compare as trimmed text, as unusable numbers do (MRG-8);
    they cost no phone parsing, where 100,000 real numbers would.
    """
    found = []
    for i in range(count):
        text, rest = first, i
        while True:
            text += "#*-."[rest % 4]
            rest //= 4
            if not rest:
                break
        found.append(text)
    return tuple(found)


def linkable(lead_id: str, owner: str, **fields: Any) -> Lead:
    """A WIP lead of project P (LNK-1, LNK-2)."""
    return Lead(id=lead_id, project="P", status="claimed", owner=owner, **fields)


@pytest.fixture(scope="module")
def many_events() -> tuple[Event, ...]:
    """100,000 scheduled events due after NOW, distinct ids."""
    return tuple(Event(id=f"e{i}", at=LATER) for i in range(N))


@pytest.fixture(scope="module")
def linked_big() -> tuple[Lead, Lead, linking.LinkResult]:
    """link.apply on a primary of 100,000 numbers (one number, repeated) and 100,000 viewers."""
    primary = linkable(
        "L1",
        "sm1",
        customer=Person(phones=("+1 415 555 0100",) * N),
        viewers=numbered("viewer"),
    )
    secondary = linkable("L2", "sm2", customer=Person(phones=["+1 650 555 0199"]))
    return primary, secondary, linking.apply(primary, secondary, BOSS, "sm1", now=NOW)


@pytest.fixture(scope="module")
def merged_big(many_events: tuple[Event, ...]) -> tuple[Lead, Lead, merge.ManualMerge]:
    """
    merge.manual of a master with 100,000 of everything and another lead with one more.

    The numbers are :func:`scribbles`: the merge keeps them all, as it would real ones.
    """
    master = Lead(
        id="A",
        status="interested",
        customer=Person(phones=scribbles("~"), emails=_emails()),
        co_customer=Person(phones=scribbles("^"), emails=numbered("ca")),
        viewers=numbered("v"),
        events=many_events,
        fields={f"k{i}": i for i in range(N)},
    )
    other = Lead(
        id="B",
        status="claimed",
        customer=Person(phones=["q"], emails=["b@x.io"]),
        co_customer=Person(phones=["cq"], emails=["cb@x.io"]),
        viewers=["w"],
        events=[Event(id="x", at=LATER)],
        fields={"z": 1},
    )
    return master, other, merge.manual(master, other)


def _emails() -> tuple[str, ...]:
    return tuple(f"a{i}@x.io" for i in range(N))


# -- link.apply ---------------------------------------------------------------------------


@pytest.mark.unmeasured  # 100,000 items: smaller tests reach these lines
class TestLinkApply:
    """LNK-4, LNK-5 grow the primary: its 100,001st number or viewer is an answer."""

    def test_a_primary_with_100000_numbers_gets_the_secondarys_as_the_100001st(
        self, linked_big: tuple[Lead, Lead, linking.LinkResult]
    ) -> None:
        """LNK-5 at the GEN-5 limit: the number is added, the record holds both lists."""
        primary, _, result = linked_big

        assert result.allowed
        assert result.primary is not None
        phones = result.primary.customer.phones
        assert len(phones) == N + 1
        assert phones[-1] == "+16505550199"
        change = next(c for c in result.record if c.field == "customer")
        assert change.old == primary.customer
        assert len(change.new.phones) == N + 1

    def test_a_primary_with_100000_viewers_gets_the_other_owner_as_the_100001st(
        self, linked_big: tuple[Lead, Lead, linking.LinkResult]
    ) -> None:
        """LNK-4 at the GEN-5 limit: the secondary's owner becomes a viewer, once."""
        _, _, result = linked_big

        assert result.primary is not None
        assert len(result.primary.viewers) == N + 1
        assert result.primary.viewers[-1] == "sm2"

    def test_events_of_the_secondary_at_the_limit_are_all_cancelled(
        self, many_events: tuple[Event, ...]
    ) -> None:
        """
        LNK-6 at the GEN-5 limit: 100,000 due events, 100,000 cancelled.

        No list of link.apply's result is longer than its input's but the primary's
        numbers and viewers (above): events are cancelled in place, never added.
        """
        secondary = linkable("L2", "sm1", events=many_events)

        result = linking.apply(linkable("L1", "sm1"), secondary, BOSS, "sm1", now=NOW)

        assert result.secondary is not None
        assert len(result.cancelled_events) == N
        assert {e.status for e in result.secondary.events} == {EventStatus.CANCELLED}


# -- merge.manual -------------------------------------------------------------------------


@pytest.mark.unmeasured  # 100,000 items: smaller tests reach these lines
class TestMergeManual:
    """MRG-8 unites lists: 100,000 of the master's and one of the other's make 100,001."""

    @pytest.mark.parametrize(
        "where",
        [
            "customer.phones",
            "customer.emails",
            "co_customer.phones",
            "co_customer.emails",
            "viewers",
            "events",
            "fields",
        ],
    )
    def test_a_list_of_100000_and_one_more_unite_into_100001(
        self, merged_big: tuple[Lead, Lead, merge.ManualMerge], where: str
    ) -> None:
        """MRG-8 at the GEN-5 limit: every list of the master, one item of the other more."""
        master, other, result = merged_big

        merged: object = result.lead
        before: object = master
        for name in where.split("."):
            merged, before = getattr(merged, name), getattr(before, name)

        assert len(merged) == N + 1  # type: ignore[arg-type]  # a list or mapping
        assert len(before) == N  # type: ignore[arg-type]  # a list or mapping
        assert result.retired.merged_into == master.id
        assert other.id == result.record.other

    def test_more_than_100000_discarded_values_are_all_kept(self) -> None:
        """GEN-6 at the GEN-5 limit: 100,000 losing fields and the status, 100,001 in all."""
        master = Lead(id="A", status="won", fields={f"k{i}": i for i in range(N)})
        other = Lead(id="B", status="lost", fields={f"k{i}": -i - 1 for i in range(N)})

        result = merge.manual(master, other)

        assert len(result.record.discarded) == N + 1
        assert result.lead.fields == master.fields

    def test_the_merge_undoes_to_both_leads(
        self, merged_big: tuple[Lead, Lead, merge.ManualMerge]
    ) -> None:
        """MRG-8: unmerge takes the merge's result, whatever its size (its contract)."""
        master, other, result = merged_big

        assert merge.unmerge(result.lead, result.record) == (master, other)


# -- the protocol -------------------------------------------------------------------------


def _answer(line: dict[str, Any]) -> dict[str, Any]:
    """Answer a request as ``leadcore decide`` does: one line read, one line written."""
    response = protocol.decide_line(json.dumps(line))
    assert response is not None
    written = protocol.dumps(response)
    assert "\n" not in written
    read: dict[str, Any] = json.loads(written)
    assert read == response
    return read


@pytest.mark.unmeasured  # 100,000 items: smaller tests reach these lines
class TestProtocol:
    """The refusals the sweep of benchmarks/limits.md found answer ok, in a valid line."""

    def test_link_apply_answers_a_primary_of_100001_numbers_and_viewers(self) -> None:
        """Were ``invalid_input`` at ``phones`` and ``viewers``: paths of no request."""
        data = {
            "primary": {
                "id": "L1",
                "project": "P",
                "status": "claimed",
                "owner": "sm1",
                "customer": {"phones": ["+1 415 555 0100"] * N},
                "viewers": list(numbered("viewer")),
            },
            "secondary": {
                "id": "L2",
                "project": "P",
                "status": "claimed",
                "owner": "sm2",
                "customer": {"phones": ["+1 650 555 0199"]},
            },
            "actor": {"id": "boss", "roles": ["super_user"]},
            "owner": "sm1",
        }

        response = _answer(request("link.apply", data))

        assert response["ok"], response
        primary = response["result"]["primary"]
        assert len(primary["customer"]["phones"]) == N + 1
        assert len(primary["viewers"]) == N + 1
        assert validate(response, "response.link.apply") == []

    def test_merge_manual_answers_a_lead_of_100001_numbers_emails_viewers_and_fields(
        self,
    ) -> None:
        """Were ``invalid_input`` at ``input.phones``, ``input.emails``... (no such path)."""
        data = {
            "master": {
                "id": "A",
                "customer": {"phones": list(scribbles("~")), "emails": list(_emails())},
                "viewers": list(numbered("v")),
                "fields": {f"k{i}": i for i in range(N)},
            },
            "other": {
                "id": "B",
                "customer": {"phones": ["q"], "emails": ["b@x.io"]},
                "viewers": ["w"],
                "fields": {"z": 1},
            },
        }

        response = _answer(request("merge.manual", data))

        assert response["ok"], response
        lead = response["result"]["lead"]
        assert len(lead["customer"]["phones"]) == N + 1
        assert len(lead["customer"]["emails"]) == N + 1
        assert len(lead["viewers"]) == N + 1
        assert len(lead["fields"]) == N + 1

    def test_a_lead_of_the_answer_sent_back_is_input_refused_at_its_path(
        self, linked_big: tuple[Lead, Lead, linking.LinkResult]
    ) -> None:
        """A result over the limits, sent as a request, is input: refused where it is."""
        _, secondary, result = linked_big
        assert result.primary is not None
        data = {
            "primary": wire.to_json(result.primary),
            "secondary": wire.to_json(secondary),
            "actor": {"id": "boss", "roles": ["super_user"]},
            "owner": "sm1",
        }

        response = _answer(request("link.check", data))

        assert response["ok"] is False
        assert response["error"]["code"] == "invalid_input"
        assert response["error"]["path"] == "input.primary.customer.phones"


class TestSchemas:
    """Output schemas claim no limit the rules do not keep; input schemas keep GEN-5's."""

    @staticmethod
    def _max_items(node: object, defs: dict[str, Any], seen: frozenset[str]) -> list[str]:
        """Every ``maxItems`` reachable from ``node``, following ``$ref`` once each."""
        if isinstance(node, list):
            return [m for inner in node for m in TestSchemas._max_items(inner, defs, seen)]
        if not isinstance(node, dict):
            return []
        found = [str(node["maxItems"])] if "maxItems" in node else []
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                found += TestSchemas._max_items(defs[name], defs, seen | {name})
        for key, inner in node.items():
            if key != "$ref":
                found += TestSchemas._max_items(inner, defs, seen)
        return found

    def test_no_result_schema_limits_a_list(self) -> None:
        """GEN-5: an answer's list may hold more than 100,000 items (merge.manual)."""
        defs = schema()["$defs"]

        limited = {
            name: found
            for name, node in defs.items()
            if name.startswith("result.")
            and (found := self._max_items(node, defs, frozenset({name})))
        }

        assert not limited

    def test_input_schemas_keep_the_limits(self) -> None:
        """GEN-5: the lists of a request hold at most 100,000 items, as before."""
        defs = schema()["$defs"]

        for name in ("input.link.apply", "input.merge.manual", "input.routing.dispatch"):
            assert self._max_items(defs[name], defs, frozenset({name})), name


# -- input is checked exactly as before ---------------------------------------------------


class TestInputStaysChecked:
    """Outside the rules' results, every limit holds: constructors, readers, requests."""

    @pytest.mark.parametrize(
        ("build", "path"),
        [
            (lambda: Person(phones=numbered("p", N + 1)), "phones"),
            (lambda: Person(emails=numbered("e", N + 1)), "emails"),
            (lambda: Lead(id="L", viewers=numbered("v", N + 1)), "viewers"),
            (lambda: Lead(id="L", fields={f"k{i}": i for i in range(N + 1)}), "fields"),
            (lambda: Lead(id="L", status="x" * 10_001), "status"),
        ],
    )
    def test_a_value_a_user_builds_over_the_limit_is_refused(self, build: Any, path: str) -> None:
        """GEN-5: 100,001 items or 10,001 characters, refused naming the field."""
        with pytest.raises(InvalidInput) as refused:
            build()

        assert refused.value.path == path
        assert GIVEN_BACK not in str(refused.value)

    def test_a_request_over_the_limit_is_refused_at_its_path(self) -> None:
        """GEN-5 on the protocol: 100,001 numbers in the request, at their place."""
        data = {
            "primary": {"id": "L1", "customer": {"phones": ["1"] * (N + 1)}},
            "secondary": {"id": "L2"},
            "actor": {"id": "boss"},
            "owner": "sm1",
        }

        response = _answer(request("link.apply", data))

        assert response["error"] == {
            "code": "invalid_input",
            "message": (
                "input.primary.customer.phones: must hold at most 100000 items, "
                "got '<100001 items>'"
            ),
            "path": "input.primary.customer.phones",
        }

    def test_reading_json_of_a_lead_over_the_limit_is_input(self) -> None:
        """wire.from_json reads input: a lead of 100,001 viewers is refused at its path."""
        with pytest.raises(InvalidInput) as refused:
            wire.from_json(Lead, {"id": "L", "viewers": list(numbered("v", N + 1))})

        assert refused.value.path == "viewers"


# -- results given back -------------------------------------------------------------------


class TestResultsGivenBack:
    """A result over the limits given back to a rule is input there: refused at its path."""

    def test_a_rule_refuses_it_naming_the_argument_and_the_field(
        self, linked_big: tuple[Lead, Lead, linking.LinkResult]
    ) -> None:
        """GEN-5: both lists over the limit, each problem at its path."""
        _, secondary, result = linked_big
        assert result.primary is not None

        with pytest.raises(InvalidInput) as refused:
            linking.check(result.primary, secondary, BOSS, "sm1")

        assert [p.path for p in refused.value.problems] == [
            "primary.customer.phones",
            "primary.viewers",
        ]
        assert all(GIVEN_BACK in p.message for p in refused.value.problems)

    def test_in_a_list_it_is_named_by_its_place(
        self, merged_big: tuple[Lead, Lead, merge.ManualMerge]
    ) -> None:
        """GEN-5: the merged lead among existing leads, at ``existing[1]``."""
        master, _, result = merged_big

        with pytest.raises(InvalidInput) as refused:
            merge.auto(Lead(id="N"), [master, result.lead], now=NOW)

        paths = [p.path for p in refused.value.problems]
        assert paths[0] == "existing[1].customer.phones"
        assert "existing[1].events" in paths
        assert "existing[1].fields" in paths
        assert not any(path.startswith("existing[0]") for path in paths)

    def test_a_person_of_the_result_is_refused_too(
        self, merged_big: tuple[Lead, Lead, merge.ManualMerge]
    ) -> None:
        """GEN-5: the merged customer given to normalize.person, at ``who.phones``."""
        _, _, result = merged_big

        with pytest.raises(InvalidInput) as refused:
            normalize.person(result.lead.customer)

        assert [p.path for p in refused.value.problems] == ["who.phones", "who.emails"]

    def test_building_a_lead_from_it_is_input(
        self, linked_big: tuple[Lead, Lead, linking.LinkResult]
    ) -> None:
        """A user's ``attrs.evolve`` of the result builds a lead: its limits hold."""
        _, _, result = linked_big
        assert result.primary is not None

        with pytest.raises(InvalidInput) as refused:
            attrs.evolve(result.primary, status="won")

        assert refused.value.path == "viewers"

    def test_reading_its_json_back_is_input(
        self, linked_big: tuple[Lead, Lead, linking.LinkResult]
    ) -> None:
        """wire: written at any size; read back, the result is input, refused at its path."""
        _, _, result = linked_big

        written = wire.to_json(result)

        assert len(written["primary"]["viewers"]) == N + 1
        with pytest.raises(InvalidInput) as refused:
            wire.from_json(linking.LinkResult, written)
        assert refused.value.path == "primary.customer.phones"

    def test_the_undo_functions_take_it(
        self, linked_big: tuple[Lead, Lead, linking.LinkResult]
    ) -> None:
        """GEN-6: unlink, revert and changes_between take results by contract, any size."""
        primary, secondary, result = linked_big
        assert result.primary is not None
        assert result.secondary is not None

        undone = linking.unlink(result.primary, result.secondary, result.record)
        reverted = decisions.revert(result.primary, result.record)
        changes = decisions.changes_between(primary, result.primary)

        assert undone == (primary, secondary)
        assert reverted == primary
        assert {c.field for c in changes} == {"customer", "viewers"}


# -- the results block --------------------------------------------------------------------


class TestResultsBlock:
    """leadcore._attrs.results: where rules build results, and only there."""

    def test_inside_values_over_the_limits_are_accepted_and_typed_still(self) -> None:
        """Limits off, types on: a number that is not text is still refused."""
        with _attrs.results():
            big = Person(phones=numbered("p", N + 1), first_name="x" * 10_001)
            with pytest.raises(InvalidInput) as refused:
                Person(phones=[1])  # type: ignore[list-item]  # the wrong type on purpose

        assert len(big.phones) == N + 1
        assert refused.value.path == "phones[0]"

    def test_outside_and_after_an_error_inside_the_limits_hold(self) -> None:
        """The block ends with its ``with``, raised through or not, and nests."""

        def build_then_fail() -> None:
            with _attrs.results():
                with _attrs.results():
                    pass
                Person(phones=numbered("p", N + 1))
                message = "inside"
                raise ValueError(message)

        with pytest.raises(ValueError, match="inside"):
            build_then_fail()

        with pytest.raises(InvalidInput):
            Person(phones=numbered("p", N + 1))

    def test_the_block_is_the_threads_own(self) -> None:
        """Context variables: another thread building meanwhile keeps every limit."""
        refused: list[str] = []

        def build() -> None:
            try:
                Person(phones=numbered("p", N + 1))
            except InvalidInput as error:
                refused.append(error.path)

        with _attrs.results():
            worker = threading.Thread(target=build)
            worker.start()
            worker.join()

        assert refused == ["phones"]

    def test_json_values_keys_and_texts_over_the_limits_are_results_inside(self) -> None:
        """A lead's free fields: long lists, long keys and long text, built as a result."""
        value = {"k" * 10_001: ["x" * 10_001] * (N + 1)}

        with _attrs.results():
            lead = Lead(id="L", fields=value)
        with pytest.raises(InvalidInput) as refused:
            Lead(id="L", fields=value)

        assert _attrs.thaw_json(lead.fields) == value
        assert refused.value.path == "fields"

    def test_excess_reads_objects_in_lists_and_nothing_else(self) -> None:
        """_attrs.excess: within the limits, nothing; not a leadcore object, nothing."""
        with _attrs.results():
            big = Lead(id="L", events=[Event(id="e" * 10_001, at=NOW)])

        assert _attrs.excess("lead", Lead(id="L")) == []
        assert _attrs.excess("x", ["text", 1, None]) == []
        assert [p.path for p in _attrs.excess("leads", [Lead(id="L"), big])] == [
            "leads[1].events[0].id"
        ]
