"""
Junk sweep (GEN-5): every protocol rule fed bad input answers with our error, quickly.

Driven by the shipped conformance vectors: for each rule, the first valid request is
taken and every key of its input (and of the objects inside) is replaced in turn by junk.
Whatever the junk, the answer must be a response (never an exception), and a refusal must
carry one of the protocol's error codes with a path, never ``internal_error``.
"""

from __future__ import annotations

import copy
import enum
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from leadcore import _attrs, conformance, protocol
from leadcore._protocol import registry

from .test_vectors import CASES

JUNK: list[object] = [
    None,
    True,
    -1,
    1.5,
    "",
    "x" * 10_001,
    "2026-01-01T00:00:00",
    [],
    [None],
    {},
    {"id": 1},
    [[[]]],
]


def _first_ok_request_per_rule() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for _, case in CASES:
        rule = case["request"].get("rule")
        if case["expected"].get("ok") and rule not in found:
            found[rule] = case["request"]
    return found


def _paths(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*path, key)
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:2]):
            yield (*path, index)
            yield from _paths(inner, (*path, index))


def _replace(request: dict[str, Any], path: tuple[str | int, ...], junk: object) -> dict[str, Any]:
    changed = copy.deepcopy(request)
    target: Any = changed["input"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = junk
    return changed


BASES = _first_ok_request_per_rule()


@pytest.mark.parametrize("rule", sorted(BASES))
def test_junk_never_escapes(rule: str) -> None:
    """GEN-5: junk anywhere in the input yields a response with our error codes."""
    base = BASES[rule]
    seen = 0

    for path in _paths(base["input"]):
        for junk in JUNK:
            response = protocol.decide(json.loads(json.dumps(_replace(base, path, junk))))
            seen += 1

            if not response["ok"]:
                error = response["error"]
                assert isinstance(error, dict)
                assert error["code"] in {"invalid_input", "naive_datetime"}, (path, junk, error)
                assert error["message"]
                assert str(error["path"]).startswith(("input", "now", "policy")), error

    assert seen > 0


@pytest.mark.parametrize("rule", sorted(BASES))
def test_whole_input_junk(rule: str) -> None:
    """GEN-5: an input that is not an object, or is empty, is refused or answered."""
    junk: object
    for junk in (None, [], "x", 3, {}):
        response = protocol.decide(BASES[rule] | {"input": junk})

        if not response["ok"]:
            assert response["error"]["code"] == "invalid_input"  # type: ignore[index]


def test_every_rule_has_a_vector() -> None:
    """Every registered rule is covered by at least one shipped vector."""
    assert set(BASES) == set(protocol.rules())


# -- the classes of fault of issue 13 -------------------------------------------------------
#
# Each class is swept over every rule: every string, every key, every list, every policy
# collection of the rule's first valid vector. The lines of a class go through
# ``protocol.run`` together, with a valid request last: one answer per line, and the run
# goes on to the end (v1.2 of the rules "One bad line, one answer").

Path = tuple[str | int, ...]

LONGEST_MESSAGE = 600
"""Messages quote at most 80 characters of a value; none comes near this (v1.2 of the rules)."""


def _dotted(path: Path) -> str:
    text = ""
    for step in path:
        text = f"{text}[{step}]" if isinstance(step, int) else f"{text}.{step}" if text else step
    return text


def _walk(value: object, path: Path = ()) -> Iterator[tuple[Path, object]]:
    """Every value of a JSON value with its path, lists in full, the root first."""
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(inner, (*path, index))


def _with(request: dict[str, Any], path: Path, new: object) -> dict[str, Any]:
    changed = copy.deepcopy(request)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return changed


def _answers(requests: list[dict[str, Any] | str]) -> list[dict[str, Any]]:
    """Run the requests as JSON Lines, a valid one last; return the answers but the last."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in requests]
    lines.append(json.dumps(BASES["normalize.name"]))
    out = io.StringIO()

    written = protocol.run(io.BytesIO("\n".join(lines).encode("utf-8", "surrogatepass")), out)

    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert written == len(lines) == len(answers)
    assert answers[-1]["ok"], answers[-1]
    return answers[:-1]


def _messages(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("message"), str):
            yield value["message"]
        for inner in value.values():
            yield from _messages(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _messages(inner)


def _short_and_ours(answer: dict[str, Any], request: dict[str, Any]) -> None:
    """Messages stay short; a refusal names a place of the request, never our own text."""
    assert all(len(m) <= LONGEST_MESSAGE for m in _messages(answer)), answer
    if not answer["ok"]:
        error = answer["error"]
        assert error["code"] in {"invalid_input", "naive_datetime"}, (request["rule"], error)
        assert str(error["path"]).startswith(("input", "policy", "now")), error
        assert "message" not in str(error["path"]).split("."), error


SURROGATES = ["\ud800", "Ada\udfff", "\udc80\ud800x"]


@pytest.mark.parametrize("rule", sorted(BASES))
def test_a_lone_surrogate_in_any_string_or_key_is_one_invalid_input(rule: str) -> None:
    """
    v1.2 of the rules, GEN-5: an escaped lone surrogate anywhere is refused at its path.

    In the id, the rule, ``now``, any input string and any key: ``invalid_input`` naming
    the field (the id null when it is the id), and the run goes on.
    """
    base = BASES[rule]
    cases: list[tuple[dict[str, Any], str]] = []
    for path, value in _walk(base):
        if isinstance(value, str):
            cases.extend((_with(base, path, junk), _dotted(path)) for junk in SURROGATES)
        if isinstance(value, dict):
            bad_key = {**value, "\ud800": 1}
            where = _dotted((*path, "\\ud800"))
            cases.append((_with(base, path, bad_key) if path else base | bad_key, where))

    answers = _answers([request for request, _ in cases])

    for (request, where), answer in zip(cases, answers, strict=True):
        assert answer["ok"] is False, request
        assert answer["error"]["code"] == "invalid_input", answer
        assert answer["error"]["path"] == where, answer
        assert answer["id"] == (None if where == "id" else base["id"])
        assert "surrogate" in answer["error"]["message"]


def test_a_line_holding_a_lone_surrogate_itself_is_invalid_json() -> None:
    """Rules v1.2: text that is not Unicode (not UTF-8 bytes, or a surrogate) is invalid_json."""
    line = json.dumps(BASES["normalize.name"], ensure_ascii=False).replace("Zo", "Z\ud800", 1)

    as_text = protocol.decide_line(line)
    answers = _answers([line])

    assert as_text is not None
    assert as_text["error"]["code"] == "invalid_json"  # type: ignore[index]
    assert answers[0]["error"]["code"] == "invalid_json"
    assert answers[0]["id"] is None


@pytest.mark.parametrize(
    ("number", "code", "echoed"),
    [
        ("1e400", "invalid_input", False),
        ("-1e400", "invalid_input", False),
        ("1" + "0" * 4_000, None, True),
        ("1" + "0" * 5_000, "invalid_json", False),
    ],
)
def test_huge_number_ids_are_answered(number: str, code: str | None, echoed: bool) -> None:
    """Rules v1.2: an id no double holds is refused at ``id``; a long integer is echoed."""
    line = json.dumps(BASES["normalize.email"] | {"id": "@"}).replace('"@"', number)

    (answer,) = _answers([line])

    assert answer.get("error", {}).get("code") == code
    if code == "invalid_input":
        assert answer["error"]["path"] == "id"
    assert (answer["id"] == int(number)) if echoed else answer["id"] is None


def test_a_huge_id_or_rule_name_is_not_echoed_in_messages() -> None:
    """Rules v1.2: a 5 MB id is echoed as the id, once; a 5 MB rule name is quoted, cut."""
    huge = "x" * 5_000_000
    requests: list[dict[str, Any] | str] = [
        BASES["normalize.email"] | {"id": huge},
        BASES["normalize.email"] | {"rule": huge},
        BASES["normalize.email"] | {"policy": {huge: 1}},
    ]

    by_id, by_rule, by_policy_key = _answers(requests)

    assert by_id["id"] == huge
    assert by_id["ok"]
    assert by_rule["error"]["code"] == "unknown_rule"
    assert by_policy_key["error"]["code"] == "invalid_input"
    for answer in (by_rule, by_policy_key):
        assert len(json.dumps(answer["error"])) < 1_000, answer


@pytest.mark.parametrize("rule", sorted(BASES))
def test_ten_thousand_characters_in_any_string_never_break_a_message(rule: str) -> None:
    """
    v1.2 of the rules "Limits apply to input, never to output": 10,000 characters are valid.

    Every string of the input, made 10,000 characters long, is answered with messages of
    leadcore's own that quote at most 80 characters of it; never a refusal at a path the
    request does not have (``input.message``).
    """
    base = BASES[rule]
    requests: list[dict[str, Any] | str] = [
        _with(base, path, (value + "#" * 10_000)[:10_000])
        for path, value in _walk(base["input"], ("input",))
        if isinstance(value, str)
    ]

    for request, answer in zip(requests, _answers(requests), strict=True):
        assert isinstance(request, dict)
        _short_and_ours(answer, request)


@pytest.mark.parametrize("rule", sorted(BASES))
def test_two_thousand_items_in_any_list_never_break_a_message(rule: str) -> None:
    """Rules v1.2: long lists of ids or texts (input or policy) give short messages."""
    base = BASES[rule]
    requests: list[dict[str, Any] | str] = [
        _with(base, path, [f"{value[0]}-{i}" for i in range(2_000)])
        for path, value in _walk(base["input"], ("input",))
        if isinstance(value, list) and value and isinstance(value[0], str)
    ]
    for field, default in _policy_collections().items():
        if all(isinstance(item, str) for item in default):
            requests.append(base | {"policy": {field: [f"status-{i}" for i in range(2_000)]}})

    for request, answer in zip(requests, _answers(requests), strict=True):
        assert isinstance(request, dict)
        _short_and_ours(answer, request)


def _policy_collections() -> dict[str, tuple[object, ...]]:
    """Every policy field whose value is a collection, with its default's items."""
    found: dict[str, tuple[object, ...]] = {}
    for name, policy in registry.policy_fields().items():
        default = getattr(policy(), name)
        if isinstance(default, tuple | frozenset):
            found[name] = tuple(v.value if isinstance(v, enum.Enum) else v for v in default)
    return found


UNHASHABLE: list[object] = [[[]], [{}], [["a"]], [[[]]], [{"a": []}], ["ok", []]]


@pytest.mark.parametrize("field", sorted(_policy_collections()))
def test_nested_unhashables_in_a_policy_collection_are_invalid_input(field: str) -> None:
    """GEN-5, GEN-7: a list nested in a policy list (a set too) is refused at its path."""
    requests: list[dict[str, Any] | str] = [
        BASES[rule] | {"policy": {field: junk}} for rule in sorted(BASES) for junk in UNHASHABLE
    ]

    for answer in _answers(requests):
        assert answer["ok"] is False
        assert answer["error"]["code"] == "invalid_input", answer
        assert answer["error"]["path"].startswith(f"policy.{field}["), answer


def test_every_policy_collection_is_swept() -> None:
    """The sweep knows the set-valued policy fields the issue named, and the list ones."""
    assert {"sales_licence_roles", "manager_roles", "lead_generator_roles"} <= set(
        _policy_collections()
    )
    assert "wip_statuses" in _policy_collections()


@pytest.mark.parametrize("rule", sorted(BASES))
def test_a_missing_or_null_input_is_invalid_input(rule: str) -> None:
    """GEN-5 [decided]: every rule needs its input object, related.stop too."""
    missing = {k: v for k, v in BASES[rule].items() if k != "input"}

    answers = _answers([missing, missing | {"input": None}])

    for answer in answers:
        assert answer["error"]["code"] == "invalid_input"
        assert answer["error"]["path"] == "input"


@pytest.mark.parametrize("rule", sorted(BASES))
def test_a_key_given_twice_is_invalid_json_naming_it(rule: str) -> None:
    """[decided] A duplicate key is refused (an oracle must not pick one value silently)."""
    base = json.dumps(BASES[rule])
    first_key = next(iter(BASES[rule]["input"]))
    line = base.replace('"input": {', f'"input": {{"{first_key}": null, ', 1)

    (answer,) = _answers([line])

    assert answer["error"]["code"] == "invalid_json"
    assert repr(first_key) in answer["error"]["message"]


@pytest.mark.parametrize("rule", ["normalize.email", "normalize.name", "normalize.phone"])
def test_every_normalize_rule_checks_its_region(rule: str) -> None:
    """Any type or size of ``input.region`` is refused alike by the three normalize rules."""
    junk: list[object] = [3, True, [], {}, ["FR"], "", "ZZ", "F" * 10_001, "\ud800"]
    requests: list[dict[str, Any] | str] = [
        _with(BASES[rule], ("input", "region"), value) for value in junk
    ]

    for answer in _answers(requests):
        assert answer["error"]["code"] == "invalid_input", answer
        assert answer["error"]["path"] == "input.region"


# -- results over the limits (GEN-5: the limits apply to input, never to output) ----------
#
# Every list of every rule's input, found by walking the rule's JSON Schema (so that a list
# the vector leaves out is swept too), and every lead's free ``fields``, filled to exactly
# the limit: one at a time, then all at once (two leads merged, each at the limit). For
# this sweep the limit is lowered to a few items (``leadcore._attrs.MAX_ITEMS``, which every
# check reads when it runs), so that every list of every rule costs milliseconds;
# tests/test_output_limits.py shows the same at 100,000. A request at the limit is
# answered, or refused at a place of the request (an agent listed twice, an organisation
# tree with a cycle...), never at a path the request does not have: the answer may hold
# more than the limit (a merge of two lists at the limit holds twice as many).


def _longest_list(value: object) -> int:
    """The most items of any list in a JSON value."""
    if isinstance(value, dict):
        return max((_longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    return 0


_DEFS: dict[str, Any] = conformance.schema()["$defs"]


def _node(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its ``$ref`` followed and its null option dropped."""
    while "$ref" in node:
        node = _DEFS[node["$ref"].rsplit("/", 1)[-1]]
    for option in node.get("anyOf", ()):
        found = _node(option)
        if found.get("type") != "null":
            return found
    return node


def _kind(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    return kind if isinstance(kind, str) else None


def _item(node: dict[str, Any], index: int, now: str) -> object:
    """A valid-looking ``index``-th value of a schema node: distinct where it can be."""
    node = _node(node)
    kind = _kind(node)
    if "enum" in node:
        return node["enum"][index % len(node["enum"])]
    if kind == "string":
        return now if node.get("pattern") else f"v{index}"
    if kind == "object":
        return {key: _item(node["properties"][key], index, now) for key in node.get("required", ())}
    if kind in {"integer", "number"}:
        return index
    return index % 2 == 1 if kind == "boolean" else None


def _lists(node: dict[str, Any], path: Path, depth: int = 0) -> Iterator[tuple[Path, Any]]:
    """Every list (and lead ``fields``) inside a schema node, the first item's own too."""
    node = _node(node)
    kind = _kind(node)
    if kind == "array":
        yield path, node
        if _kind(_node(node.get("items", {}))) == "object" and depth < 3:
            yield from _lists(node["items"], (*path, 0), depth + 1)
    elif kind == "object" and depth < 4:
        if path and path[-1] == "fields" and not node.get("properties"):
            yield path, node
        for key, inner in node.get("properties", {}).items():
            yield from _lists(inner, (*path, key), depth + 1)


def _fill(request: dict[str, Any], path: Path, node: dict[str, Any]) -> None:
    """Put a value at the limit at ``path``, making the objects and first items on the way."""
    now = request["now"]
    here: Any = request
    schema_here: dict[str, Any] = {"properties": {"input": _DEFS[f"input.{request['rule']}"]}}
    for step in path[:-1]:
        schema_here = _node(schema_here)
        if isinstance(step, int):
            schema_here = _node(schema_here["items"])
            if not here:
                here.append(_item(schema_here, 0, now))
            here = here[step]
            continue
        schema_here = _node(schema_here["properties"][step])
        if here.get(step) is None:
            here[step] = [] if _kind(schema_here) == "array" else _item(schema_here, 0, now)
        here = here[step]
    if _kind(_node(node)) == "array":
        items = _node(node).get("items", {})
        here[path[-1]] = [_item(items, i, now) for i in range(LIMIT)]
    else:
        here[path[-1]] = {f"k{i}": i for i in range(LIMIT)}


def _places(rule: str) -> list[tuple[Path, Any]]:
    """Every list (and lead ``fields``) of ``rule``'s input, by its path in the request."""
    return list(_lists({"type": "object", "properties": {"input": _DEFS[f"input.{rule}"]}}, ()))


LISTED: list[str] = sorted(rule for rule in BASES if _places(rule))
"""The rules whose input has lists."""


def _frozen_classes(cls: type = _attrs.Frozen) -> Iterator[type]:
    """Every leadcore class (attrs rebuilds slotted classes: the drafts are not ones)."""
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        if attrs.has(sub):
            yield sub
        yield from _frozen_classes(sub)


def _longest_default() -> int:
    """The most items of a default value of any field of any leadcore class."""
    return max(
        len(field.default)
        for cls in _frozen_classes()
        for field in attrs.fields(cls)
        if isinstance(field.default, tuple | frozenset)
    )


LIMIT: int = max(_longest_default(), *(_longest_list(base["input"]) for base in BASES.values()))
"""The lowered limit: no list of a base request or default value (a policy's) is longer."""


def _in_request(request: dict[str, Any], path: str) -> bool:
    """
    Whether ``path`` (``input.primary.viewers[2]``) names a place of ``request``.

    A key its object lacks is a place too when the rule's schema has it there
    (``input.events[0].agent``: a field the event needs); ``input.phones`` is none.
    """
    steps = re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    here: Any = request
    node: dict[str, Any] = {"properties": {"input": _DEFS[f"input.{request['rule']}"]}}
    for position, (key, index) in enumerate(steps):
        node = _node(node)
        if key and isinstance(here, dict) and key in here:
            here, node = here[key], node.get("properties", {}).get(key, {})
        elif index and isinstance(here, list) and int(index) < len(here):
            here, node = here[int(index)], node.get("items", {})
        else:
            last = position == len(steps) - 1
            return last and isinstance(here, dict) and key in node.get("properties", {})
    return bool(steps)


@pytest.mark.parametrize("rule", LISTED)
def test_lists_at_the_limit_are_answered_whatever_the_answer_holds(
    rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GEN-5 v1.2: limits bound input, never output; a refusal names a place of the request."""
    monkeypatch.setattr(_attrs, "MAX_ITEMS", LIMIT)
    base = BASES[rule]
    places = _places(rule)
    requests: list[dict[str, Any]] = []
    for path, node in places:
        one = copy.deepcopy(base)
        _fill(one, path, node)
        requests.append(one)
    every = copy.deepcopy(base)
    for path, node in places:
        _fill(every, path, node)
    requests.append(every)

    answers: list[dict[str, Any]] = [protocol.decide(request) for request in requests]

    for request, answer in zip(requests, answers, strict=True):
        assert json.loads(protocol.dumps(answer)) == answer
        if not answer["ok"]:
            error = answer["error"]
            assert error["code"] in {"invalid_input", "naive_datetime"}, (rule, error)
            assert _in_request(request, error["path"]), (rule, error)
            assert "given back" not in error["message"], (rule, error)


def test_the_limit_sweep_reaches_the_lists_results_grow() -> None:
    """The sweep fills the lists link.apply and merge.manual grow, absent from the vectors."""
    assert set(BASES) - set(LISTED) == {
        "normalize.email",
        "normalize.name",
        "normalize.phone",
        "routing.diagnose",
        "routing.fresh_limit",
    }
    places = {_dotted(path) for rule in ("link.apply", "merge.manual") for path, _ in _places(rule)}

    assert {
        "input.primary.customer.phones",
        "input.primary.viewers",
        "input.master.customer.phones",
        "input.master.co_customer.emails",
        "input.master.events",
        "input.master.fields",
        "input.other.viewers",
    } <= places
