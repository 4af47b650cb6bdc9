"""
The JSON Lines oracle protocol (docs/protocol.md): one request in, one response out.

Other implementations are checked against leadcore through this protocol, so its field
names, rule names and reason codes are part of the contract.

A request is ``{"id", "rule", "now", "policy", "input"}``; the response is
``{"id", "ok": true, "result": {...}}`` or ``{"id", "ok": false, "error": {"code",
"message", "path"}}``. :func:`decide` never raises on bad input: every problem becomes an
error response with the first problem found (the protocol's conventions).

>>> decide({"id": 1, "rule": "normalize.email", "now": "2026-01-01T00:00:00Z",
...         "input": {"value": " Ada@Example.com "}})
{'id': 1, 'ok': True, 'result': {'normalized': 'ada@example.com'}}
>>> decide({"id": 2, "rule": "normalize.email", "now": "2026-01-01T00:00:00",
...         "input": {"value": "x"}})["error"]["code"]
'naive_datetime'
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO, Final, TextIO

import attrs

from leadcore import _protocol, _wire
from leadcore._attrs import checked, of_type
from leadcore._protocol import registry
from leadcore._quote import quote
from leadcore._wire import Obj, join, parse_datetime
from leadcore.errors import InvalidInput, LeadcoreError

__all__ = [
    "ERROR_CODES",
    "answers",
    "decide",
    "decide_line",
    "dumps",
    "rules",
    "run",
]


def __dir__() -> list[str]:
    return list(__all__)


ERROR_CODES: Final = frozenset(
    {"invalid_json", "unknown_rule", "invalid_input", "naive_datetime", "internal_error"}
)
"""Every ``error.code`` a response may carry. ``internal_error`` means a leadcore bug."""


def _load_rule_modules() -> None:
    # Every module of the package registers its rules (none is private).
    for info in sorted(pkgutil.iter_modules(_protocol.__path__), key=lambda m: m.name):
        importlib.import_module(f"{_protocol.__name__}.{info.name}")


_load_rule_modules()


_ORDER: Final = ("id", "rule", "now", "policy", "input")
"""The order in which a request's keys are read (and its first problem found)."""


def rules() -> tuple[str, ...]:
    """
    Return the names of every rule the protocol answers, sorted.

    >>> "normalize.phone" in rules()
    True
    """
    return tuple(sorted(registry.RULES))


def _error(request_id: object, code: str, message: str, path: str) -> dict[str, object]:
    return {
        "id": request_id,
        "ok": False,
        "error": {"code": code, "message": message, "path": path},
    }


def _invalid(request_id: object, error: InvalidInput) -> dict[str, object]:
    problem = error.first
    return _error(request_id, problem.code, str(problem), problem.path)


def _policy(entry: registry.Rule, raw: object) -> object:
    base = entry.policy()
    if raw is None:
        return base
    given = Obj.at(raw, "policy")
    own = {f.name for f in attrs.fields(entry.policy)}
    known = registry.policy_fields()
    overrides: dict[str, Any] = {}
    for key, value in given.data.items():
        if key in own:
            overrides[key] = value
        elif key in known:
            # [decided] A key of another rule family's policy is accepted and has no
            # effect here, but its value must still be valid for that policy
            # (docs/decisions.md).
            try:
                attrs.evolve(known[key](), **{key: value})
            except InvalidInput as error:
                raise error.under("policy") from None
        else:
            raise InvalidInput.single(
                join("policy", key),
                value,
                f"is not a policy field; known fields: {', '.join(sorted(known))}",
            )
    try:
        return attrs.evolve(base, **overrides)
    except InvalidInput as error:
        raise error.under("policy") from None


def _refuse_unwritable(request: dict[str, object]) -> dict[str, object] | None:
    """
    Refuse a request holding a value no response can carry, or return None.

    A lone surrogate or a number out of range is refused first, wherever it is, looking in
    the order a request is read; a response cannot echo such an id, so its ``id`` is null.
    """
    problem = _wire.unwritable({k: request[k] for k in _ORDER if k in request} | request)
    if problem is None:
        return None
    request_id = request.get("id")
    if problem.path == "id" or problem.path.startswith(("id.", "id[")):
        request_id = None
    return _error(request_id, "invalid_input", str(problem), problem.path)


@checked
def decide(request: Mapping[str, object] | object) -> dict[str, object]:
    """
    Answer one protocol request (already parsed from JSON).

    Never raises for bad input: a request that cannot be answered yields an error
    response naming the first problem (code, message, path).

    Args:
        request: The request object: ``id``, ``rule``, ``now``, ``policy``, ``input``.

    Returns:
        The response object, ready for ``json.dumps``.

    """
    if not isinstance(request, dict):
        return _error(None, "invalid_input", "a request must be a JSON object", "")
    request_id = request.get("id")
    refused = _refuse_unwritable(request)
    if refused is not None:
        return refused
    name = request.get("rule")
    try:
        if not isinstance(name, str):
            raise InvalidInput.single("rule", name, "is required: the name of a rule")
        entry = registry.RULES.get(name)
        if entry is None:
            known = ", ".join(rules())
            return _error(
                request_id, "unknown_rule", f"unknown rule {quote(name)}; known: {known}", "rule"
            )
        if request.get("now") is None:
            raise InvalidInput.single("now", None, "is required: an ISO date-time with offset")
        now = parse_datetime(request["now"], "now")
        policy = _policy(entry, request.get("policy"))
        # [decided] Every rule's input is an object, even one whose keys are all optional
        # (related.stop): a missing or null input is refused (docs/decisions.md).
        raw_input = request.get("input")
        if raw_input is None:
            raise InvalidInput.single("input", None, "is required: an object with the rule's input")
        data = Obj.at(raw_input, "input")
        result = entry.handler(registry.Request(rule=name, now=now, policy=policy, input=data))
    except InvalidInput as error:
        return _invalid(request_id, error)
    except LeadcoreError as error:
        return _error(request_id, "invalid_input", str(error), "input")
    except Exception as error:  # noqa: BLE001  # the protocol must answer every line
        return _error(
            request_id,
            "internal_error",
            f"leadcore failed on this request ({type(error).__name__}: {quote(str(error))}); "
            "please report it with the request",
            "",
        )
    return {"id": request_id, "ok": True, "result": result}


def _reject_constant(name: str) -> object:
    msg = f"{name} is not valid JSON"
    raise ValueError(msg)


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found = dict(pairs)
    if len(found) < len(pairs):
        # [decided] A key given twice in one object is refused, not "last one wins": an
        # oracle must not pick one of two values silently (docs/decisions.md).
        seen: set[str] = set()
        for key, _ in pairs:  # pragma: no branch  # some key repeats: the loop raises
            if key in seen:
                msg = f"the key {quote(key)} appears twice in one object"
                raise ValueError(msg)
            seen.add(key)
    return found


_JSON_SPACE: Final = " \t\r\n"
"""White space as JSON defines it: a line of nothing else is skipped."""


@checked
def decide_line(line: str | bytes) -> dict[str, object] | None:
    """
    Answer one JSON Lines request; None for a line of (JSON) white space only.

    A line that is not JSON, or (given as bytes) not UTF-8, yields an ``invalid_json``
    response with ``id`` null. A byte-order mark at the start of a line is ignored.
    """
    if isinstance(line, bytes):
        if not line.strip(_JSON_SPACE.encode()):
            return None
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            return _error(None, "invalid_json", f"the line is not UTF-8 text: {error}", "")
    line = line.removeprefix("\ufeff")
    if not line.strip(_JSON_SPACE):
        return None
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as error:
        # Text holding a lone surrogate itself (not its escape) is not Unicode: as for
        # bytes that are not UTF-8, the line is not JSON text (v1.2 of the rules).
        message = f"the line holds a lone surrogate at character {error.start}, not Unicode text"
        return _error(None, "invalid_json", message, "")
    try:
        request = json.loads(line, parse_constant=_reject_constant, object_pairs_hook=_object)
    except (ValueError, RecursionError) as error:
        return _error(None, "invalid_json", f"the line is not valid JSON: {error}", "")
    return decide(request)


@checked
def dumps(response: Mapping[str, object]) -> str:
    r"""
    Write a response as one line of JSON; never raises.

    Text is written as it is (UTF-8 on the wire), except what UTF-8 cannot carry: a lone
    surrogate is written escaped (``\ud800``), so the line is still valid JSON. A response
    that is not JSON at all (a number out of range, an object of another type: a bug, as
    :func:`decide` refuses such input) becomes an ``internal_error`` answer.
    """
    try:
        text = json.dumps(response, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (ValueError, TypeError, RecursionError) as error:
        request_id = response.get("id")
        if _wire.unwritable(request_id) is not None:
            request_id = None
        failed = _error(
            request_id,
            "internal_error",
            f"leadcore could not write its answer ({type(error).__name__}: "
            f"{quote(str(error))}); please report it with the request",
            "",
        )
        return json.dumps(failed, ensure_ascii=True, separators=(",", ":"), default=repr)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


_STREAM: Final = of_type(Iterable)


# A stream (stdin) is answered line by line: only its shape is checked, never read ahead.
@checked(lines=_STREAM)
def answers(lines: Iterable[str] | Iterable[bytes]) -> Iterator[dict[str, object]]:
    """
    Yield a response for every request line, in order (white-space lines skipped).

    Raises:
        InvalidInput: An item of ``lines`` is neither text nor bytes (not a line).

    """
    for index, line in enumerate(lines):
        if not isinstance(line, str | bytes):
            raise InvalidInput.single(f"lines[{index}]", line, "must be a line (str or bytes)")
        response = decide_line(line)
        if response is not None:
            yield response


@checked
def run(infile: TextIO | BinaryIO, outfile: TextIO) -> int:
    """
    Answer every line of ``infile`` on ``outfile``, flushing each; return the count.

    This is ``leadcore decide``: a bad line yields an error response and later lines
    go on. Give a binary stream to have lines split at line feeds only and decoded one by
    one (a line that is not UTF-8 is then one ``invalid_json`` answer, not a crash);
    ``leadcore decide`` does.
    """
    written = 0
    for response in answers(infile):
        outfile.write(dumps(response) + "\n")
        outfile.flush()
        written += 1
    return written
