"""``leadcore.testing``: hypothesis strategies for domain objects and requests (issue 9)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from leadcore import protocol, testing
from leadcore.decisions import CancelledEvent, Change, Reason, Verdict
from leadcore.errors import InvalidInput
from leadcore.model import Agent, Claim, CrmRecord, Event, Lead, Notification, Org, Person, User

PYTHON = sys.executable


def _decide(request: object) -> Any:
    """Answer a request through the protocol, typed loosely for the test's reading."""
    return protocol.decide(request)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own interpreter
        [PYTHON, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


class TestOptionalDependency:
    """hypothesis stays optional: leadcore never imports it; leadcore.testing says so."""

    def test_importing_leadcore_and_its_tools_does_not_import_hypothesis(self) -> None:
        """``import leadcore``, the protocol and the conformance runner load no hypothesis."""
        done = _run(
            "import sys, leadcore, leadcore.protocol, leadcore.conformance, leadcore._cli\n"
            "leadcore._cli.parser()\n"
            "assert 'hypothesis' not in sys.modules, 'hypothesis was imported'\n"
        )

        assert done.returncode == 0, done.stderr

    def test_without_hypothesis_the_error_says_how_to_install_it(self) -> None:
        """leadcore.testing raises ImportError naming the extra to install."""
        done = _run(
            "import sys\n"
            "sys.modules['hypothesis'] = None\n"
            "try:\n"
            "    import leadcore.testing\n"
            "except ImportError as error:\n"
            "    print(error)\n"
        )

        assert "pip install 'leadcore[test]'" in done.stdout, done.stderr

    def test_the_fuzz_command_says_hypothesis_is_missing(self) -> None:
        """``leadcore conformance fuzz`` without hypothesis exits 2 with the fix."""
        done = _run(
            "import sys\n"
            "sys.modules['hypothesis'] = None\n"
            "from leadcore._cli import main\n"
            f"sys.exit(main(['conformance', 'fuzz', '--impl', {PYTHON!r}, '--count', '1']))\n"
        )

        assert done.returncode == 2
        assert "needs hypothesis" in done.stderr


class TestDomainStrategies:
    """Every domain strategy builds valid frozen objects."""

    @given(
        st.tuples(
            testing.people(),
            testing.events(),
            testing.leads(),
            testing.users(),
            testing.agents(),
            testing.claims(),
            testing.orgs(),
            testing.crm_records(),
            testing.notifications(),
        )
    )
    def test_objects_are_of_their_class(self, drawn: tuple[object, ...]) -> None:
        """GEN-3: each strategy draws an instance of its (frozen, validated) class."""
        classes = (Person, Event, Lead, User, Agent, Claim, Org, CrmRecord, Notification)

        assert [type(x) for x in drawn] == list(classes)

    @given(testing.reasons(), testing.verdicts(), testing.changes(), testing.cancelled_events())
    def test_decisions(
        self, reason: Reason, verdict: Verdict, change: Change, cancelled: CancelledEvent
    ) -> None:
        """GEN-4: a verdict allows exactly when it has no reason."""
        assert reason.code
        assert verdict.allowed == (not verdict.reasons)
        assert change.field
        assert cancelled.at.tzinfo is not None

    @given(testing.leads(around=testing.NOW))
    def test_lead_dates_are_aware_and_before_now(self, lead: Lead) -> None:
        """GEN-1: drawn datetimes are timezone-aware; created and active before now."""
        for when in (lead.created_at, lead.last_activity_at):
            assert when is None or (when.tzinfo is not None and when <= testing.NOW)

    def test_boundaries_are_drawn(self) -> None:
        """MRG-3, RTE-5: exactly 365 days and exactly 10 minutes ago are drawn."""
        year = find(testing.aware_datetimes(), lambda t: testing.NOW - t == dt.timedelta(days=365))
        minutes = find(testing.claims(), lambda c: testing.NOW - c.at == dt.timedelta(minutes=10))

        assert testing.NOW - year == dt.timedelta(days=365)
        assert minutes.agent.startswith("a")

    def test_names_include_placeholders_and_sharp_s(self) -> None:
        """MRG-4: placeholders and "ß" are in the name pool."""
        assert find(testing.name_texts(), lambda n: n == "Unknown") == "Unknown"
        assert "ß" in find(testing.name_texts(), lambda n: "ß" in n)
        assert find(testing.phone_texts(), lambda p: p == "call me") == "call me"
        assert "@" in find(testing.email_texts(), lambda e: e.count("@") == 2)

    @given(testing.aware_datetimes(past=False, future=True))
    def test_future_datetimes(self, when: dt.datetime) -> None:
        """Future-only datetimes are after the reference instant."""
        assert when > testing.NOW

    def test_a_datetime_strategy_needs_a_direction(self) -> None:
        """Neither past nor future is refused."""
        with pytest.raises(ValueError, match="past=True or future=True"):
            testing.aware_datetimes(past=False)


class TestRequests:
    """Protocol request strategies for every rule of the protocol's table."""

    def test_every_spec_rule_has_a_strategy(self) -> None:
        """Every rule the protocol answers has a request strategy."""
        assert set(protocol.rules()) <= set(testing.RULES)

    def test_an_unknown_rule_is_refused(self) -> None:
        """A rule without a strategy raises ValueError listing the known ones."""
        with pytest.raises(ValueError, match=r"merge\.auto"):
            testing.requests("merge.nothing")

    @given(testing.requests())
    def test_leadcore_answers_every_request_without_internal_error(self, request: dict) -> None:  # type: ignore[type-arg]
        """GEN-5: generated requests, damaged or not, never make leadcore fail."""
        response = _decide(json.loads(json.dumps(request)))

        assert response["id"] == "fuzz"
        if not response["ok"]:
            assert response["error"]["code"] != "internal_error", response

    @given(
        st.sampled_from(sorted(protocol.rules())).flatmap(lambda r: testing.requests(r, valid=True))
    )
    def test_valid_requests_have_no_naive_datetime(self, request: dict) -> None:  # type: ignore[type-arg]
        """GEN-1: ``valid=True`` requests never carry a naive date-time."""
        response = _decide(request)

        assert response.get("error", {}).get("code") != "naive_datetime"

    def test_damaged_requests_are_drawn(self) -> None:
        """GEN-1, GEN-5: some requests carry a naive date-time or junk."""
        naive = find(
            testing.requests("normalize.email"),
            lambda r: _decide(r).get("error", {}).get("code") == "naive_datetime",
        )
        junk = find(
            testing.requests("normalize.email"),
            lambda r: _decide(r).get("error", {}).get("code") == "invalid_input",
        )

        assert naive["rule"] == junk["rule"] == "normalize.email"

    def test_gen5_edges_are_drawn(self) -> None:
        """GEN-5: texts of 10,000 characters (or one less) and lists of 100,000 items."""
        long_text = find(
            testing.requests("normalize.name", valid=True),
            lambda r: len(r["input"].get("value") or "") >= testing.MAX_TEXT - 1,
        )
        many = find(
            testing.requests("related.stop", valid=True),
            lambda r: len(r["input"].get("selected") or []) >= testing.MAX_ITEMS - 1,
        )

        assert testing.MAX_TEXT - 1 <= len(long_text["input"]["value"]) <= testing.MAX_TEXT
        assert testing.MAX_ITEMS - 1 <= len(many["input"]["selected"]) <= testing.MAX_ITEMS

    def test_damage_goes_one_past_the_limits_and_holds_lone_surrogates(self) -> None:
        """GEN-5, v1.2 of the rules: one past a limit, or a lone surrogate, only when not valid."""
        over = find(
            testing.requests("normalize.email"),
            lambda r: len(str(r["input"].get("value"))) > testing.MAX_TEXT,
        )
        lone = find(
            testing.requests("normalize.name"),
            lambda r: any(0xD800 <= ord(c) <= 0xDFFF for c in str(r["input"].get("value"))),
        )

        assert _decide(over)["error"]["code"] == "invalid_input"
        assert lone["rule"] == "normalize.name"

    @given(testing.requests(valid=True))
    def test_valid_requests_stay_within_the_limits(self, request: dict) -> None:  # type: ignore[type-arg]
        """``valid=True`` never goes past a GEN-5 limit nor holds a lone surrogate."""
        text = json.dumps(request, ensure_ascii=False)
        texts = _texts(request)

        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        assert all(len(t) <= testing.MAX_TEXT for t in texts)
        # A text at the limit is not spaces alone (an id of spaces is blank, refused).
        assert all(t.strip() for t in texts if len(t) >= testing.MAX_TEXT - 1)

    @pytest.mark.parametrize("kind", ["surrogate", "long", "many"])
    def test_an_edge_with_no_place_in_the_input_changes_nothing(self, kind: str) -> None:
        """GEN-5 edges go in free texts and long lists; an input of neither stays as it is."""
        request = {"id": "fuzz", "input": {"count": 3, "flags": [True], "status": "open"}}

        def draw(strategy: object) -> object:
            raise AssertionError(f"nothing to draw: {strategy!r}")

        testing._edge(draw, request, kind, over=True)  # type: ignore[arg-type]  # draws nothing

        assert request == {"id": "fuzz", "input": {"count": 3, "flags": [True], "status": "open"}}

    def test_claims_after_now_and_blank_texts_are_drawn(self) -> None:
        """The rulebook: claims after now are ignored; v1.2: blank texts count as absent."""
        later = find(testing.claims(), lambda c: c.at > testing.NOW)
        blank = find(testing.name_texts(), lambda n: n != "" and not n.strip())
        email = find(testing.email_texts(), lambda e: e in testing.BLANKS and e != "")
        zone = find(
            testing.requests("routing.eligible", valid=True),
            lambda r: any(_after(c["at"], r["now"]) for c in r["input"]["claims"]),
        )

        assert later.at > testing.NOW
        assert blank in testing.BLANKS
        assert not email.strip(" \t\n\u00a0\u2003\u3000\x1f\x85")
        assert zone["input"]["claims"]

    def test_public_names(self) -> None:
        """The module's public names are sorted and listed by dir()."""
        assert testing.__all__ == sorted(testing.__all__)
        assert dir(testing) == testing.__all__


def _after(at: str, now: str) -> bool:
    return dt.datetime.fromisoformat(at) > dt.datetime.fromisoformat(now)


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value[:50] for t in _texts(v)]
    return []


@pytest.mark.parametrize(
    "strategy", [testing.match_items, testing.match_groups, testing.match_rules]
)
def test_match_rule_strategies_refuse_no_field_or_an_unknown_one(strategy: Any) -> None:
    """The fields to draw from: at least one, each a field a rule can compare (by position)."""
    with pytest.raises(InvalidInput) as none:
        strategy(fields=())
    with pytest.raises(InvalidInput) as unknown:
        strategy(fields=("email", "nope"))

    assert [(p.path, p.value, p.message) for p in none.value.problems] == [
        ("fields", (), "must name at least one field")
    ]
    [problem] = unknown.value.problems
    assert (problem.path, problem.value) == ("fields[1]", "nope")
    assert problem.message.startswith("is not a field; known: name, first_name, last_name")


def test_objects_of_a_type_leadcore_does_not_write_is_an_error() -> None:
    """Only the types of leadcore.wire.SUPPORTED have a strategy."""
    with pytest.raises(ValueError, match=r"^no strategy for 'int'; see leadcore.wire.SUPPORTED$"):
        testing.objects(int)


def test_match_items_keyable_or_not_draw_only_the_methods_they_promise() -> None:
    """
    ``keyable=True`` draws no fuzzy item; ``keyable=False`` only items that cannot key.

    A field other than ``name`` is then fuzzy; ``name`` is exact with blanks matching.
    Found by search rather than drawn at random: every run reaches each case.
    """
    keyed = find(testing.match_items(fields=("email",), keyable=True), lambda i: bool(i.field))
    fuzzy = find(testing.match_items(fields=("email",), keyable=False), lambda i: bool(i.field))
    name = find(testing.match_items(fields=("name",), keyable=False), lambda i: bool(i.field))

    assert keyed.field == "email"
    assert keyed.method in {"exact", "prefix", "initial", "domain"}
    assert (fuzzy.field, fuzzy.method) == ("email", "fuzzy")
    assert (name.field, name.method, name.blanks) == ("name", "exact", "match")
