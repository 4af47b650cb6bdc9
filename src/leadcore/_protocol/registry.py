"""
The registry of protocol rules: the rule modules' wire handlers add themselves here.

A handler is registered with :func:`rule`, under the rulebook's rule name and the policy
class whose fields ``policy`` overrides may name. Handlers live in the private package
``leadcore._protocol`` (one module per rule family); :mod:`leadcore.protocol` imports
every module of that package, so a new family plugs in by adding a file there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs

from leadcore import _attrs as a
from leadcore._wire import Obj
from leadcore.errors import InvalidInput

P = TypeVar("P")
T = TypeVar("T")

Result = dict[str, object]


@attrs.frozen(kw_only=True)
class NoPolicy(a.Frozen):
    """The policy of a rule that has no knobs."""


@attrs.frozen(kw_only=True)
class Request(Generic[P]):
    """A validated protocol request, as a handler receives it."""

    rule: str
    now: dt.datetime
    policy: P
    input: Obj


Handler = Callable[[Request[Any]], Result]


@attrs.frozen(kw_only=True)
class Rule:
    """A registered protocol rule."""

    name: str
    policy: type[Any]
    handler: Handler
    summary: str


RULES: dict[str, Rule] = {}


def rule(name: str, *, policy: type[P]) -> Callable[[Callable[[Request[P]], Result]], Handler]:
    """Register the decorated function as the handler of rule ``name``."""

    def register(handler: Callable[[Request[P]], Result]) -> Handler:
        if name in RULES:
            msg = f"rule {name!r} is registered twice"
            raise RuntimeError(msg)
        doc = (handler.__doc__ or "").strip().splitlines()
        RULES[name] = Rule(name=name, policy=policy, handler=handler, summary=doc[0] if doc else "")
        return handler

    return register


def under_input(call: Callable[[], T]) -> T:
    """
    Run a rule function, giving the problems it reports their protocol paths.

    Rule functions name their arguments (``existing[2].created_at``); on the wire those
    live under ``input.``. Problems about the policy (``policy.*``) keep their path.
    """
    try:
        return call()
    except InvalidInput as error:
        problems = [p if p.path.startswith("policy") else p.under("input") for p in error.problems]
        raise InvalidInput(problems) from None


def policy_fields() -> dict[str, type[Any]]:
    """Return every policy field name any registered rule knows, with its policy class."""
    found: dict[str, type[Any]] = {}
    for entry in RULES.values():
        for field in attrs.fields(entry.policy):
            found.setdefault(field.name, entry.policy)
    return found
