"""
Junk sweep of the typed API (GEN-5): every public function and class, fed hostile values.

The callables are found by introspection, in the public modules of ``tests/public_api.txt``,
so a new public function or class is swept without being listed here. For each one a
valid call is built from its annotations (one sample value per type, and a few related
values in :data:`BASELINES` where a rule needs them); then every parameter in turn gets
every value of :data:`HOSTILE`: None, numbers, text where a collection is expected,
unhashable values, objects of other leadcore types, the ``random`` module.

Whatever the value, only a :class:`~leadcore.errors.LeadcoreError` may escape. And a value
that is not of the parameter's annotated type must be refused with
:class:`~leadcore.errors.InvalidInput` naming the parameter: whether it is of the type is
judged by beartype, a checker independent of leadcore's own (``leadcore._attrs.of_type``).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import importlib
import inspect
import io
import itertools
import random
import sys
import types
import typing
from collections import abc
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from beartype import BeartypeConf
from beartype.door import is_bearable

from leadcore import _attrs, conformance, decisions, handover, linking, merge, reasons, routing
from leadcore.errors import InvalidInput, LeadcoreError
from leadcore.model import Agent, Claim, Event, Lead, Org, Person, User

from .test_public_api import PUBLIC_MODULES

NOW: Final = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

ADA: Final = Person(
    first_name="Ada", last_name="Lee", phones=("+1 415 867 5309",), emails=("ada@x.io",)
)
LEAD: Final = Lead(
    id="L1",
    customer=ADA,
    project="p",
    status="claimed",
    owner="u1",
    org="o1",
    channel="digital",
    created_at=NOW - dt.timedelta(days=3),
    last_activity_at=NOW - dt.timedelta(days=1),
    events=(Event(id="e1", at=NOW + dt.timedelta(days=1)),),
)
OTHER: Final = Lead(
    id="L2",
    customer=ADA,
    project="p",
    status="interested",
    owner="u2",
    org="o1",
    created_at=NOW - dt.timedelta(days=2),
    last_activity_at=NOW - dt.timedelta(days=1),
)
BOSS: Final = User(id="u1", org="o1", roles=("super_user", "manager"), assignment_owner_of=("p",))
AGENT: Final = Agent(id="a1", project="p")
ORGS: Final = (Org(id="o0", handover_enabled=True), Org(id="o1", parent="o0"))
CLAIM_EVENT: Final = routing.DispatchEvent(kind="claim", agent="a1", at=NOW)
OFFERED: Final = routing.offer(routing.open_dispatch("digital", "L1", now=NOW), ["a1"])
MANUAL: Final = merge.manual(LEAD, OTHER)
LINKED: Final = linking.apply(LEAD, OTHER, BOSS, "u1", now=NOW)
NO: Final = decisions.Reason(code="no", message="refused")
DONE: Final = ["true"] if Path("/bin/true").exists() else [sys.executable, "-c", "pass"]
"""A command that starts and ends at once: the conformance runs ask it nothing."""


class _Lazy:
    """A baseline value made when the baseline is built (a Spark DataFrame needs a JVM)."""

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def _spark_records() -> object:
    from tests.spark_session import shared  # noqa: PLC0415  # a JVM only for these

    return shared().createDataFrame(
        [("A", "lead", "Acme", None)],
        "id string, kind string, account_name string, account_id string",
    )


def _spark_master() -> object:
    from tests.spark_session import shared  # noqa: PLC0415  # a JVM only for these

    shared()  # the call returns the session running, as it does in a notebook
    return "local[2]"


BASELINES: Final[dict[str, dict[str, object]]] = {
    # Values that must fit each other for the call to succeed (related ids, records).
    "leadcore.decisions:revert": {
        "lead": OTHER,
        "changes": decisions.changes_between(Lead(id="L2"), OTHER),
    },
    "leadcore.normalize:check_region": {"region": "US"},
    "leadcore.protocol:run": {"infile": io.StringIO(""), "outfile": io.StringIO()},
    "leadcore.linking:LinkResult": {"allowed": False, "reasons": [NO]},
    "leadcore.linking:unlink": {
        "primary": LINKED.primary,
        "secondary": LINKED.secondary,
        "record": LINKED.record,
    },
    "leadcore.merge:manual": {"master": LEAD, "other": OTHER},
    "leadcore.merge:explain": {"inbound": LEAD, "existing": OTHER},
    "leadcore.merge:MatchItem": {"field": "email"},
    "leadcore.merge:MatchGroup": {"all_of": ["email"]},
    "leadcore.merge:MatchRule": {"any_of": [merge.MatchGroup(all_of=["email"])]},
    "leadcore.merge:KeyCounts": {"region": "US", "counts": {}},
    "leadcore.merge:rule_json": {"rule": merge.MatchRule(any_of=[merge.PHONE_ONLY])},
    "leadcore.wire:from_json": {"cls": Lead, "data": {"id": "L1"}},
    "leadcore.merge:unmerge": {"lead": MANUAL.lead, "record": MANUAL.record},
    "leadcore.routing:DispatchEvent": {"kind": "claim", "agent": "a1", "at": NOW},
    "leadcore.routing:Rejection": {"event": CLAIM_EVENT},
    "leadcore.routing:apply_event": {"state": OFFERED, "event": CLAIM_EVENT},
    "leadcore.routing:offer": {"state": routing.open_dispatch("digital", "L1", now=NOW)},
    "leadcore.routing:dispatch": {"events": [CLAIM_EVENT]},
    "leadcore.routing:check_wave": {"offered_before": [], "wave": ["a1"]},
    "leadcore.routing:judge_wave": {"offered_before": [], "wave": ["a1"]},
    "leadcore.routing:transfer": {"by": BOSS},
    "leadcore.handover:AssignmentResult": {"allowed": False, "reasons": [NO]},
    "leadcore.handover:HandoverResult": {"allowed": False, "reasons": [NO]},
    "leadcore.handover:OrgTree": {"orgs": ORGS},
    "leadcore.handover:apply": {"target_org": "o0", "orgs": ORGS},
    "leadcore.handover:check": {"target_org": "o0", "orgs": ORGS},
    "leadcore.handover:check_cross_silo": {"target_org": "o0", "orgs": ORGS},
    "leadcore.handover:cross_silo": {"target_org": "o0", "orgs": ORGS},
    "leadcore.dedupe:find": {"source": [{"lead_id": "A"}]},
    "leadcore.dedupe:load": {"source": [{"lead_id": "A"}]},
    "leadcore.dedupe:merge_index": {"source": [{"lead_id": "A"}]},
    "leadcore.dedupe:what_if": {"source": [{"lead_id": "A"}]},
    "leadcore.spark:group_related": {"records": _Lazy(_spark_records)},
    "leadcore.spark:session": {"master": _Lazy(_spark_master)},
    "leadcore.conformance:covered": {"found": conformance.vectors(["normalize"])[:1]},
    "leadcore.conformance:fuzz": {"command": DONE, "count": 0},
    "leadcore.conformance:run": {"command": DONE, "cases": ()},
    "leadcore.conformance:Implementation": {"command": DONE},
    "leadcore.conformance:dump": {"path": "vectors.jsonl"},
    "leadcore.conformance:load": {
        "path": str(resources.files("leadcore").joinpath("data", "vectors", "normalize.jsonl"))
    },
}

SAMPLES: Final[dict[object, object]] = {
    str: "x",
    int: 1,
    float: 0.5,
    bool: True,
    dt.datetime: NOW,
    dt.date: NOW.date(),
    random.Random: random.Random(7),
    Lead: LEAD,
    User: BOSS,
    Agent: AGENT,
    Org: ORGS[1],
    Claim: Claim(agent="a1", at=NOW - dt.timedelta(hours=1)),
}


def _hostile() -> list[object]:
    others = [
        Person(),
        User(id="u9"),
        Lead(id="z"),
        Agent(id="a9"),
        Org(id="o9"),
        merge.MergePolicy(),
        routing.RoutingPolicy(),
        decisions.Reason(code="c", message="m"),
    ]
    return [
        None,
        0,
        -1,
        1.5,
        float("nan"),
        True,
        "",
        "abc",
        b"x",
        [],
        [None],
        [[]],
        {},
        {"k": []},
        set(),
        (1, 2),
        object(),
        random,
        *others,
    ]


HOSTILE: Final = _hostile()
CONF: Final = BeartypeConf(is_pep484_tower=True)


# -- the callables ------------------------------------------------------------------------


def _public() -> Iterator[tuple[str, Callable[..., object]]]:
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        if module_name == "leadcore":
            continue  # re-exports of the modules below
        module = importlib.import_module(module_name)
        for name in module.__all__:
            item = getattr(module, name)
            if id(item) in seen or not (inspect.isclass(item) or inspect.isfunction(item)):
                continue
            seen.add(id(item))
            if inspect.isclass(item) and (
                getattr(item, "_is_protocol", False) or issubclass(item, reasons.ReasonGroup)
            ):
                # Namespaces, not constructors: a typing Protocol (conformance.Judge) and
                # the groups of reason codes refuse instances by design.
                continue
            yield f"{module_name}:{name}", item


PUBLIC: Final = dict(_public())
ENUMS: Final = sorted(
    name for name, item in PUBLIC.items() if inspect.isclass(item) and issubclass(item, enum.Enum)
)
CALLABLES: Final = sorted(set(PUBLIC) - set(ENUMS))


def _target(item: Callable[..., object]) -> Any:  # a function or __init__
    return inspect.unwrap(item.__init__ if inspect.isclass(item) else item)


def _hints(item: Callable[..., object]) -> dict[str, object]:
    target = _target(item)
    if not inspect.isfunction(target):
        return {}  # an exception's built-in __init__
    # Names in annotations are those of the module that defines the public name.
    module = sys.modules[item.__module__ if inspect.isfunction(item) else target.__module__]
    return typing.get_type_hints(target, globalns=vars(module))


def _parameters(item: Callable[..., object]) -> list[inspect.Parameter]:
    try:
        signature = inspect.signature(item)
    except ValueError:  # a built-in signature (an exception class): nothing to sweep
        return []
    return [
        p for p in signature.parameters.values() if p.kind not in {p.VAR_POSITIONAL, p.VAR_KEYWORD}
    ]


def _sample(hint: object) -> object:  # noqa: C901  # one branch per kind of type
    if hint in SAMPLES:
        return SAMPLES[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None) or hint is None:
        return None
    if origin in {typing.Union, types.UnionType}:
        return _sample(next(a for a in args if a is not type(None)))
    if origin is typing.Literal:
        return args[0]
    if isinstance(hint, typing.NewType):
        return _sample(hint.__supertype__)
    if hint in {object, Any}:
        return "x"
    if origin is tuple:
        return tuple(_sample(a) for a in args if a is not Ellipsis)
    if origin is abc.Callable:
        return lambda *_, **__: None
    if origin in {dict, abc.Mapping}:
        return {_sample(args[0]): _sample(args[1])}
    if origin in {list, set, frozenset, abc.Iterable, abc.Sequence, abc.Collection}:
        return [_sample(args[0])]
    if inspect.isclass(hint) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if inspect.isclass(hint):
        return _build(hint)
    msg = f"no sample value for {hint!r}: add one to SAMPLES or BASELINES"
    raise LookupError(msg)


def _build(cls: type) -> object:
    hints = _hints(cls)
    return cls(
        **{
            p.name: _sample(hints.get(p.name, object))
            for p in _parameters(cls)
            if p.default is inspect.Parameter.empty
        }
    )


def _baseline(name: str) -> dict[str, object]:
    item = PUBLIC[name]
    hints = _hints(item)
    given = {
        key: value.make() if isinstance(value, _Lazy) else value
        for key, value in BASELINES.get(name, {}).items()
    }
    return {
        p.name: given[p.name] if p.name in given else _sample(hints.get(p.name, object))
        for p in _parameters(item)
        if p.default is inspect.Parameter.empty or p.name in given
    }


def _call(item: Callable[..., object], arguments: dict[str, object]) -> object:
    positional = [
        arguments[p.name]
        for p in _parameters(item)
        if p.kind is p.POSITIONAL_ONLY and p.name in arguments
    ]
    named = {
        k: v
        for k, v in arguments.items()
        if k not in {p.name for p in _parameters(item) if p.kind is p.POSITIONAL_ONLY}
    }
    result = item(*positional, **named)
    if isinstance(result, Iterator):  # a generator does its work when read
        return list(itertools.islice(result, 1_000))
    return result


def _of_type(value: object, hint: Any) -> bool:  # any annotation
    try:
        return bool(is_bearable(value, hint, conf=CONF))
    except Exception:  # noqa: BLE001  # a hint beartype cannot check: anything goes
        return True


@pytest.fixture(autouse=True)
def _scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths given as junk ("abc") land in a scratch folder."""
    monkeypatch.chdir(tmp_path)


# -- the sweep ----------------------------------------------------------------------------


def test_every_public_callable_is_found() -> None:
    """The sweep sees the functions and classes the issue names, among all the others."""
    for name in (
        "leadcore.model:Lead",
        "leadcore.normalize:email",
        "leadcore.related:find",
        "leadcore.simulation:gini",
        "leadcore.dedupe:reference",
        "leadcore.errors:InvalidInput",
    ):
        assert name in PUBLIC

    assert len(CALLABLES) > 130


@pytest.mark.parametrize("name", CALLABLES)
def test_the_baseline_call_succeeds(name: str) -> None:
    """Each callable's valid call works, so that the sweep reaches every parameter."""
    item = PUBLIC[name]

    _call(item, _baseline(name))


@pytest.mark.parametrize("name", CALLABLES)
def test_hostile_arguments_raise_only_leadcore_errors(name: str) -> None:
    """GEN-5: any hostile argument is refused with our error, naming the argument."""
    item = PUBLIC[name]
    hints = _hints(item)
    base = _baseline(name)
    foreign: list[str] = []
    silent: list[str] = []
    unnamed: list[str] = []

    for parameter in _parameters(item):
        for value in HOSTILE:
            arguments = {**base, parameter.name: value}
            wrong = parameter.name in hints and not _of_type(value, hints[parameter.name])
            try:
                _call(item, arguments)
            except InvalidInput as error:
                paths = [p.path for p in error.problems]
                if wrong and not any(path.startswith(parameter.name) for path in paths):
                    unnamed.append(f"{parameter.name}={value!r}: {paths}")
            except LeadcoreError:
                pass
            except Exception as error:  # noqa: BLE001  # what the sweep looks for
                foreign.append(f"{parameter.name}={value!r}: {type(error).__name__}: {error}")
            else:
                if wrong:
                    silent.append(f"{parameter.name}={value!r}")

    assert not foreign, f"{name} let foreign errors escape:\n" + "\n".join(foreign)
    assert not silent, f"{name} accepted values of the wrong type:\n" + "\n".join(silent)
    assert not unnamed, f"{name} refused without naming the argument:\n" + "\n".join(unnamed)


@pytest.mark.parametrize("name", ENUMS)
def test_enumerations_refuse_unknown_values(name: str) -> None:
    """Looking up anything but a member's value raises InvalidInput, unhashables included."""
    cls = PUBLIC[name]

    for value in HOSTILE:
        with pytest.raises(InvalidInput):
            cls(value)


def test_every_public_function_checks_its_arguments() -> None:
    """One mechanism: every public function is wrapped by leadcore._attrs.checked."""
    unchecked = [
        name
        for name, item in PUBLIC.items()
        if inspect.isfunction(item)
        and _parameters(item)
        and not getattr(item, _attrs.CHECKED, False)
    ]

    assert not unchecked


# -- results over the limits, given back (GEN-5: the limits apply to input) ---------------
#
# A rule's result may hold more than 100,000 items (a merge of two leads of 100,000 phones);
# given back to a function, it is input there and refused at its path, unless the
# function's contract is to take results (undo a link or a merge, write JSON). Every
# checked public callable is swept with such a lead, a list of one, and such a person, for
# every parameter that takes them.


@functools.cache
def _over_the_limits() -> tuple[Lead, Person]:
    """A lead and a person over the GEN-5 limits, as only a rule's result can be."""
    with _attrs.results():
        person = Person(first_name="Ada", phones=("+1 415 867 5309",) * (_attrs.MAX_ITEMS + 1))
        lead = attrs.evolve(
            LEAD, customer=person, viewers=tuple(f"v{i}" for i in range(_attrs.MAX_ITEMS + 1))
        )
    return lead, person


def _is_checked(item: Callable[..., object]) -> bool:
    return bool(getattr(item.__init__ if inspect.isclass(item) else item, _attrs.CHECKED, False))


def _takes_results(item: Callable[..., object]) -> bool:
    return bool(getattr(_target(item), "__leadcore_takes_results__", False))


def _names_a_lead(hint: object) -> bool:
    """Whether an annotation is anything, or names Lead or Person (not a Protocol's guess)."""
    if any(hint is kind for kind in (object, Any, Lead, Person)):
        return True
    return any(_names_a_lead(arg) for arg in typing.get_args(hint))


def _given_back_places() -> dict[str, list[tuple[str, int]]]:
    """Each swept callable's parameters taking a lead, leads or a person (which of the three)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for name in CALLABLES:
        item = PUBLIC[name]
        if name.startswith("leadcore.spark:") or not _is_checked(item):
            continue  # Spark takes DataFrames; attrs classes hold results (they are results)
        hints = _hints(item)
        places = [
            (p.name, which)
            for p in _parameters(item)
            if _names_a_lead(hints.get(p.name, object))
            for which in [
                next(
                    (
                        i
                        for i, sample in enumerate((LEAD, [LEAD], ADA))
                        if _of_type(sample, hints.get(p.name, object))
                    ),
                    -1,
                )
            ]
            if which >= 0
        ]
        if places:
            found[name] = places
    return found


GIVEN_BACK: Final = _given_back_places()


def test_the_given_back_sweep_reaches_the_rules_and_the_result_takers() -> None:
    """Rules of every family, and the functions that take results by contract."""
    assert {
        "leadcore.linking:check",
        "leadcore.merge:auto",
        "leadcore.merge:compare",
        "leadcore.routing:eligible",
        "leadcore.handover:apply",
        "leadcore.normalize:person",
        "leadcore.dedupe:reference",
        "leadcore.merge:MergeIndex",
        "leadcore.protocol:decide",
    } <= set(GIVEN_BACK)
    assert {name for name in GIVEN_BACK if _takes_results(PUBLIC[name])} == {
        "leadcore.decisions:changes_between",
        "leadcore.decisions:revert",
        "leadcore.linking:unlink",
        "leadcore.merge:unmerge",
        "leadcore.wire:to_json",
    }


@pytest.mark.parametrize("name", sorted(GIVEN_BACK))
def test_results_over_the_limits_given_back_are_refused_at_their_path(name: str) -> None:
    """GEN-5: a result over the limits given to a function is input: refused, named."""
    item = PUBLIC[name]
    base = _baseline(name)
    takes = _takes_results(item)
    lead, person = _over_the_limits()
    wrong: list[str] = []

    for parameter, which in GIVEN_BACK[name]:
        value = (lead, [lead], person)[which]
        try:
            _call(item, {**base, parameter: value})
        except InvalidInput as error:
            refused = [p for p in error.problems if "given back" in p.message]
        else:
            refused = []
        if takes and refused:
            wrong.append(f"{parameter}: refused a result it takes: {refused}")
        if not takes and not (refused and all(p.path.startswith(parameter) for p in refused)):
            wrong.append(f"{parameter}: not refused at its path: {refused}")

    assert not wrong, f"{name}:\n" + "\n".join(wrong)


class TestNamedInTheIssue:
    """The cases issue 13 found, one by one (GEN-2, GEN-5)."""

    @pytest.mark.parametrize("field", ["channel", "status", "bucket", "kind"])
    def test_unhashable_enum_values_are_refused_naming_the_field(self, field: str) -> None:
        """Lead(channel=[]), Event(status={}), Claim, CrmRecord, DispatchEvent: our error."""
        build: dict[str, Callable[[], object]] = {
            "channel": lambda: Lead(id="L", channel=[]),  # type: ignore[arg-type]  # junk on purpose
            "status": lambda: Event(id="e", at=NOW, status={}),  # type: ignore[arg-type]  # junk
            "bucket": lambda: Claim(agent="a", at=NOW, bucket=[]),  # type: ignore[arg-type]  # junk
            "kind": lambda: routing.DispatchEvent(kind=[], at=NOW),  # type: ignore[arg-type]  # junk
        }

        with pytest.raises(InvalidInput) as error:
            build[field]()

        assert error.value.path == field

    @pytest.mark.parametrize("function", [merge.match, merge.compare])
    def test_an_unknown_mode_is_refused(self, function: Callable[..., object]) -> None:
        """mode="autoo" was read as the duplicates rules (turning a non-match into two_of_n)."""
        with pytest.raises(InvalidInput) as error:
            function(ADA, LEAD if function is merge.match else ADA, mode="autoo")

        assert error.value.path == "mode"
        with pytest.raises(InvalidInput):
            merge.index_is_exact(mode="autoo")  # type: ignore[arg-type]  # junk on purpose

    def test_a_string_is_not_a_wave(self) -> None:
        """A string given as wave or offered_before was read as one-letter agent ids."""
        eligibility = routing.eligible("digital", LEAD, [AGENT], [], now=NOW)

        with pytest.raises(InvalidInput) as wave:
            routing.judge_wave(eligibility, [], "a1")
        with pytest.raises(InvalidInput) as before:
            routing.judge_wave(eligibility, "a1", ["a1"])

        assert (wave.value.path, before.value.path) == ("wave", "offered_before")

    def test_revert_refuses_a_user(self) -> None:
        """revert(User) returned the user."""
        with pytest.raises(InvalidInput) as error:
            decisions.revert(BOSS, ())  # type: ignore[arg-type]  # junk on purpose

        assert error.value.path == "lead"
        assert "must be a Lead, not User" in error.value.first.message

    @pytest.mark.parametrize("rng", [random, None])
    def test_the_global_generator_is_refused_gen_2(self, rng: object) -> None:
        """GEN-2: rng must be a random.Random; the random module itself is refused."""
        eligibility = routing.eligible("digital", LEAD, [AGENT], [], now=NOW)

        with pytest.raises(InvalidInput) as error:
            routing.next_wave(eligibility, rng=rng)  # type: ignore[arg-type]  # junk on purpose

        assert error.value.path == "rng"
        assert "GEN-2" in error.value.first.message

    def test_messages_use_the_right_article(self) -> None:
        """Messages say "must be an Agent", "an Org", "a User", never "a Agent"."""
        with pytest.raises(InvalidInput) as agent:
            routing.diagnose(BOSS, "digital")  # type: ignore[arg-type]  # junk on purpose
        with pytest.raises(InvalidInput) as org:
            handover.OrgTree(orgs=[BOSS])  # type: ignore[list-item]  # junk on purpose
        with pytest.raises(InvalidInput) as user:
            linking.visibility(LEAD, AGENT)  # type: ignore[arg-type]  # junk on purpose

        assert "must be an Agent, not User" in agent.value.first.message
        assert "must be an Org, not User" in org.value.first.message
        assert "must be a User, not Agent" in user.value.first.message

    def test_a_generator_is_read_once_and_checked(self) -> None:
        """A one-pass iterator given for a collection is checked and still fully read."""
        leads = (lead for lead in [OTHER])

        result = merge.auto(LEAD, leads, now=NOW)

        assert result.target == "L2"
        with pytest.raises(InvalidInput) as error:
            merge.auto(LEAD, (x for x in [OTHER, "junk"]), now=NOW)  # type: ignore[misc]  # junk on purpose
        assert error.value.path == "existing[1]"
