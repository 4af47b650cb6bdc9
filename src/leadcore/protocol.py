"""
The JSON Lines oracle protocol (SPEC "Oracle protocol"): one request in, one response out.

Other implementations are checked against leadcore through this protocol, so its field
names, rule names and reason codes are part of the contract.

A request is ``{"id", "rule", "now", "policy", "input"}``; the response is
``{"id", "ok": true, "result": {...}}`` or ``{"id", "ok": false, "error": {"code",
"message", "path"}}``. :func:`decide` never raises on bad input: every problem becomes an
error response with the first problem found (SPEC "Conventions").

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

from leadcore import _protocol
from leadcore._protocol import registry
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
    for info in sorted(pkgutil.iter_modules(_protocol.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{_protocol.__name__}.{info.name}")


_load_rule_modules()


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
    name = request.get("rule")
    try:
        if not isinstance(name, str):
            raise InvalidInput.single("rule", name, "is required: the name of a rule")
        entry = registry.RULES.get(name)
        if entry is None:
            known = ", ".join(rules())
            return _error(
                request_id, "unknown_rule", f"unknown rule {name!r}; known: {known}", "rule"
            )
        if request.get("now") is None:
            raise InvalidInput.single("now", None, "is required: an ISO date-time with offset")
        now = parse_datetime(request["now"], "now")
        policy = _policy(entry, request.get("policy"))
        raw_input = request.get("input")
        data = Obj.at({} if raw_input is None else raw_input, "input")
        result = entry.handler(registry.Request(rule=name, now=now, policy=policy, input=data))
    except InvalidInput as error:
        return _invalid(request_id, error)
    except LeadcoreError as error:
        return _error(request_id, "invalid_input", str(error), "input")
    except Exception as error:  # noqa: BLE001  # the protocol must answer every line
        return _error(
            request_id,
            "internal_error",
            f"leadcore failed on this request ({type(error).__name__}: {error}); "
            "please report it with the request",
            "",
        )
    return {"id": request_id, "ok": True, "result": result}


def _reject_constant(name: str) -> object:
    msg = f"{name} is not valid JSON"
    raise ValueError(msg)


_JSON_SPACE: Final = " \t\r\n"
"""White space as JSON defines it: a line of nothing else is skipped."""


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
        request = json.loads(line, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        return _error(None, "invalid_json", f"the line is not valid JSON: {error}", "")
    return decide(request)


def dumps(response: Mapping[str, object]) -> str:
    """Write a response as one line of JSON (a lone surrogate stays escaped: UTF-8 has none)."""
    text = json.dumps(response, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def answers(lines: Iterable[str] | Iterable[bytes]) -> Iterator[dict[str, object]]:
    """Yield a response for every request line, in order (white-space lines skipped)."""
    for line in lines:
        response = decide_line(line)
        if response is not None:
            yield response


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
