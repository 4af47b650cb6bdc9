"""
What in leadcore's answers is the contract, and what is leadcore's own extension (v1.2).

The contract is the rulebook, the reason-code catalogue (:mod:`leadcore.reasons`) and the
documented decisions. Everything else leadcore answers is an *extension*, which another
implementation may leave out:

* result keys beyond the protocol's table and its conventions (:data:`EXTENSION_KEYS`:
  ``candidates``, ``size``, ``wave_times``...);
* reason codes the catalogue marks ``extension`` (refusals beyond the rule text);
* input keys and policy keys beyond the rulebook's (:data:`SPEC_INPUT_KEYS`,
  :data:`SPEC_POLICY_FIELDS`): a request that uses one is not in the contract at all;
* refusals of requests the rulebook does not make invalid (:data:`EXTENSION_REFUSALS`: a
  dispatch without ``seed``, an event before ``now``, a lead without project...).

:func:`expectation` splits one of leadcore's answers into the contract view (what every
conforming implementation must answer) and the strict view (everything leadcore answers,
messages aside), and says what the difference is. The shipped vectors carry both views
(``expected`` and ``strict``), so other teams can vendor them without this code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from leadcore import protocol, reasons  # noqa: F401  # protocol: every rule registered
from leadcore._attrs import Frozen, checked
from leadcore._protocol import registry

__all__ = [
    "EXTENSION_KEYS",
    "EXTENSION_REFUSALS",
    "SPEC_INPUT_KEYS",
    "SPEC_POLICY_FIELDS",
    "SPEC_RESULT_KEYS",
    "Expectation",
    "Refusal",
    "expectation",
    "extension_refusal",
    "messageless",
]

SPEC_RESULT_KEYS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "link.check": ("allowed", "reasons"),
        "link.apply": (
            "allowed",
            "reasons",
            "primary",
            "secondary",
            "notifications",
            "record",
            "cancelled_events",
        ),
        "link.visibility": ("dashboard_tabs", "tag", "app_access"),
        "merge.auto": ("action", "target", "lot", "matched", "person", "via", "reasons"),
        "merge.duplicates": ("duplicates",),
        "merge.manual": ("lead", "retired", "discarded", "record"),
        "routing.eligible": ("preferred", "fallback", "ineligible"),
        "routing.check_wave": ("legal", "reasons"),
        "routing.dispatch": ("outcome", "agent", "waves", "rejected_events"),
        "routing.fresh_limit": ("limit",),
        "routing.fresh_claim": ("granted", "limit", "used", "reasons"),
        "routing.transfer": ("allowed", "reasons", "lead", "bucket", "record"),
        "routing.diagnose": ("receiving", "reasons"),
        "handover.check": ("allowed", "reasons"),
        "handover.apply": ("allowed", "reasons", "lead", "notifications", "record"),
        "handover.review": ("allowed", "reasons", "lead", "record"),
        "handover.cross_silo": ("allowed", "reasons", "lead", "notifications", "record"),
        "related.find": ("related", "show_icon", "reasons"),
        "related.stop": ("stopped",),
        "normalize.phone": ("normalized",),
        "normalize.email": ("normalized",),
        "normalize.name": ("normalized",),
    }
)
"""Every rule's result keys in the contract: the protocol's table, plus ``record`` (every rule that
changes a lead), ``cancelled_events`` (``link.apply``) and ``reasons`` (``related.find``),
which the rulebook's conventions expect."""

EXTENSION_KEYS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "merge.auto": ("candidates",),
        "merge.duplicates": ("duplicates[].person",),
        "merge.manual": ("discarded[].lead",),
        "routing.check_wave": ("size",),
        "routing.dispatch": ("wave_times", "decided_at"),
        "related.stop": ("not_in_cadence",),
    }
)
"""Result keys leadcore adds beyond the contract, per rule; ``a[].b`` is key ``b`` of every
item of list ``a``."""

_LINK: Final = ("primary", "secondary", "actor", "owner")
_HANDOVER: Final = ("lead", "sender", "target_org", "orgs")
_ROUTING: Final = ("channel", "lead", "agents", "claims", "timezone")
_NORMALIZE: Final = ("value", "region")

SPEC_INPUT_KEYS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "link.check": _LINK,
        "link.apply": _LINK,
        "link.visibility": ("lead", "user"),
        "merge.auto": ("inbound", "existing"),
        "merge.duplicates": ("lead", "existing"),
        "merge.manual": ("master", "other"),
        "routing.eligible": _ROUTING,
        "routing.check_wave": (*_ROUTING, "offered_before", "wave"),
        "routing.dispatch": (*_ROUTING, "seed", "events"),
        "routing.fresh_limit": ("fresh_count", "active_agents"),
        "routing.fresh_claim": ("agent", "claims", "fresh_count", "active_agents", "requested"),
        "routing.transfer": ("lead", "to", "by"),
        "routing.diagnose": ("agent", "channel"),
        "handover.check": _HANDOVER,
        "handover.apply": _HANDOVER,
        "handover.review": ("lead", "manager", "assignee"),
        "handover.cross_silo": _HANDOVER,
        "related.find": ("crm", "connected", "record", "records"),
        "related.stop": ("selected", "current", "include_current", "memberships"),
        "normalize.phone": _NORMALIZE,
        "normalize.email": _NORMALIZE,
        "normalize.name": _NORMALIZE,
    }
)
"""Every rule's input keys in the protocol's table. Another key (``existing`` of ``link.check``)
is leadcore's extension: a request using one is not in the contract."""

SPEC_POLICY_FIELDS: Final = (
    "default_region",
    "default_timezone",
    "wip_statuses",
    "placeholder_names",
    "placeholder_email_locals",
    "credit_application_sources",
    "auto_merge_conditions",
    "auto_merge_min_conditions",
    "merge_max_age_days",
    "merge_max_inactivity_days",
    "duplicate_conditions",
    "duplicate_min_conditions",
    "duplicate_max_inactivity_days",
    "duplicate_name_min_ratio",
    "wave_size",
    "digital_waves",
    "offline_waves",
    "digital_cooldown_minutes",
    "fresh_window_minutes",
)
"""The policy fields of the rulebook ("Policy fields", and v1.2's ``placeholder_email_locals``).
leadcore's policies have more (``sales_licence_roles``, ``relation_keys``...): a request
overriding one of those is not in the contract (a conforming implementation refuses it
as an unknown policy key)."""


# -- refusals beyond the rulebook -----------------------------------------------------------------

Predicate = Callable[[Mapping[str, Any], re.Match[str]], bool]
"""``(request, match of the error path) -> whether this refusal is leadcore's own``."""


@attrs.frozen(kw_only=True)
class Refusal(Frozen):
    """
    A kind of ``invalid_input`` leadcore answers where the rules do not make the request invalid.

    Attributes:
        rules: The protocol rules concerned.
        path: A regular expression the error's path matches in full.
        when: Tells this refusal from a contract one at the same path (a wrong type...).
        note: What leadcore refuses, and where its docs say so.

    """

    rules: tuple[str, ...]
    path: str
    when: Predicate
    note: str


def _get(value: object, *steps: str | int) -> object:
    for step in steps:
        if isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        elif isinstance(step, int) and isinstance(value, list) and 0 <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def _input(request: Mapping[str, Any], *steps: str | int) -> object:
    return _get(request.get("input"), *steps)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _instant(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _event_before_now(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    at = _instant(_input(request, "events", int(match[1]), "at"))
    now = _instant(request.get("now"))
    return at is not None and now is not None and at < now


def _repeated(key: str, field: str = "id") -> Predicate:
    def holds(request: Mapping[str, Any], match: re.Match[str]) -> bool:
        index = int(match[1])
        items = _input(request, key)
        if not isinstance(items, list):
            return False
        value = _get(items, index, field)
        return isinstance(value, str) and any(
            _get(items, i, field) == value for i in range(min(index, len(items)))
        )

    return holds


def _min_above_count(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    policy = request.get("policy")
    given = policy if isinstance(policy, dict) else {}
    kind = match[1]
    defaults = {"auto_merge": (2, 3), "duplicate": (2, 3)}
    least, count = defaults[kind]
    minimum = given.get(f"{kind}_min_conditions", least)
    conditions = given.get(f"{kind}_conditions")
    if isinstance(conditions, list):
        count = len(conditions)
    return isinstance(minimum, int) and not isinstance(minimum, bool) and minimum > count >= 1


def _region_text(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    value = _get(request, *match[0].split("."))
    return isinstance(value, str) and bool(value.strip())


def _named_org(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    value = _get(request, *match[0].split("."))
    return value is None or isinstance(value, str)


def _org_reference(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    value = _input(request, "orgs", int(match[1]), match[2])
    return isinstance(value, str) and bool(value)


def _not_connected(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    del match
    return _input(request, "connected") is False


def _no_current(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    del match
    return _input(request, "include_current") is True and _blank(_input(request, "current"))


def _selected_current(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    current = _input(request, "current")
    return isinstance(current, str) and _input(request, "selected", int(match[1])) == current


def _no_project(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    del match
    lead = _input(request, "lead")
    return isinstance(lead, dict) and _blank(lead.get("project"))


def _not_routed(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    del match
    return _input(request, "channel") in {"fresh", "transfer"}


def _no_seed(request: Mapping[str, Any], match: re.Match[str]) -> bool:
    del match
    return _input(request, "seed") is None


_WAVES: Final = ("routing.eligible", "routing.check_wave", "routing.dispatch")
_TRANSFERS: Final = ("handover.check", "handover.apply", "handover.cross_silo")

EXTENSION_REFUSALS: Final = (
    Refusal(
        rules=("routing.dispatch",),
        path=r"input\.seed",
        when=_no_seed,
        note="a dispatch without seed is refused (leadcore's draw needs one)",
    ),
    Refusal(
        rules=("routing.dispatch",),
        path=r"input\.events\[(\d+)\]\.at",
        when=_event_before_now,
        note="an event before now is refused (docs/routing.md)",
    ),
    Refusal(
        rules=(*_WAVES, "routing.transfer"),
        path=r"input\.lead\.project",
        when=_no_project,
        note="a lead without project is refused in routing (docs/routing.md)",
    ),
    Refusal(
        rules=(*_WAVES, "routing.diagnose"),
        path=r"input\.channel",
        when=_not_routed,
        note="only digital and offline leads are offered in waves (docs/routing.md)",
    ),
    Refusal(
        rules=_WAVES,
        path=r"input\.agents\[(\d+)\]\.id",
        when=_repeated("agents"),
        note="repeated agent ids are refused (docs/routing.md)",
    ),
    Refusal(
        rules=("merge.auto", "merge.duplicates"),
        path=r"input\.existing\[(\d+)\]\.id",
        when=_repeated("existing"),
        note="repeated lead ids are refused (docs/merge.md)",
    ),
    Refusal(
        rules=tuple(SPEC_RESULT_KEYS),
        path=r"policy\.(auto_merge|duplicate)_min_conditions",
        when=_min_above_count,
        note="a minimum of conditions above their number is refused (docs/merge.md)",
    ),
    Refusal(
        rules=tuple(SPEC_RESULT_KEYS),
        path=r"input\.region|policy\.default_region",
        when=_region_text,
        note="a region code phonenumbers does not know is refused (docs/decisions.md)",
    ),
    Refusal(
        rules=_TRANSFERS,
        path=r"input\.target_org|input\.sender\.org",
        when=_named_org,
        note="an organisation missing from orgs is refused (docs/handover.md)",
    ),
    Refusal(
        rules=_TRANSFERS,
        path=r"input\.orgs\[(\d+)\]\.(parent|id)",
        when=_org_reference,
        note="an organisation tree with a cycle, an unknown parent or a repeated id is "
        "refused (docs/handover.md)",
    ),
    Refusal(
        rules=("related.find",),
        path=r"input\.records?(\[\d+\])?\.kind",
        when=_not_connected,
        note="the input is validated even when not connected (docs/related.md)",
    ),
    Refusal(
        rules=("related.find",),
        path=r"input\.records\[(\d+)\]\.id",
        when=_repeated("records"),
        note="two other records with one id are refused (docs/related.md)",
    ),
    Refusal(
        rules=("related.stop",),
        path=r"input\.current",
        when=_no_current,
        note="include_current without current is refused (docs/related.md)",
    ),
    Refusal(
        rules=("related.stop",),
        path=r"input\.selected\[(\d+)\]",
        when=_selected_current,
        note="the current lead among the selected is refused (docs/related.md)",
    ),
)
"""The refusals of leadcore that the rulebook's text does not call for: each documented as a
decision, none part of the contract (v1.2 of the rules: extra refusals are extensions)."""


def extension_refusal(request: Mapping[str, Any], response: Mapping[str, Any]) -> str | None:
    """
    Say why ``response`` (leadcore's) is a refusal beyond the rulebook, or None when it is not one.

    >>> request = {"rule": "routing.dispatch", "input": {"channel": "digital"}}
    >>> print(extension_refusal(request, {"ok": False, "error": {"code": "invalid_input",
    ...                                                         "path": "input.seed"}}))
    a dispatch without seed is refused (leadcore's draw needs one)
    """
    error = response.get("error")
    if response.get("ok") is not False or not isinstance(error, dict):
        return None
    path = error.get("path")
    if error.get("code") != "invalid_input" or not isinstance(path, str):
        return None
    rule = request.get("rule")
    for refusal in EXTENSION_REFUSALS:
        match = re.fullmatch(refusal.path, path)
        if rule in refusal.rules and match is not None and refusal.when(request, match):
            return refusal.note
    return None


# -- the split ----------------------------------------------------------------------------


def messageless(response: object) -> object:
    """
    Strip the messages of reasons and errors (never compared); keep everything else.

    >>> messageless({"ok": False, "error": {"code": "x", "message": "m", "path": "p"}})
    {'ok': False, 'error': {'code': 'x', 'path': 'p'}}
    """
    if isinstance(response, dict):
        # Only reasons and errors carry a message; a lead's ``fields`` may hold any key.
        coded = "code" in response
        return {k: messageless(v) for k, v in response.items() if not (coded and k == "message")}
    if isinstance(response, list):
        return [messageless(v) for v in response]
    return response


@attrs.frozen(kw_only=True)
class Expectation(Frozen):
    """
    One answer of leadcore, split into the contract and leadcore's extensions.

    Attributes:
        contract: False when the request or the answer is an extension as a whole (an
            extension policy or input key, a refusal beyond the rulebook, a refusal for
            extension reasons only): no conforming answer is fixed.
        expected: The contract view (what every implementation must answer); the strict
            view when ``contract`` is false.
        strict: Everything leadcore answers, messages aside.
        extensions: What is extension, one sentence each (empty: nothing).

    """

    contract: bool
    expected: Mapping[str, Any]
    strict: Mapping[str, Any]
    extensions: tuple[str, ...] = ()


def _extension_inputs(request: Mapping[str, Any]) -> list[str]:
    rule = request.get("rule")
    known = SPEC_INPUT_KEYS.get(rule) if isinstance(rule, str) else None
    data = request.get("input")
    found = []
    if known is not None and isinstance(data, dict):
        found += [
            f"request input.{key}: an input key beyond the protocol's table"
            for key in data
            if key not in known
        ]
    policy = request.get("policy")
    if isinstance(policy, dict):
        # A key leadcore does not know either is refused by both: that is the contract.
        ours = registry.policy_fields()
        found += [
            f"request policy.{key}: a policy field beyond the protocol's list"
            for key in policy
            if key in ours and key not in SPEC_POLICY_FIELDS
        ]
    return found


def _strip_key(result: dict[str, Any], path: str, notes: list[str]) -> None:
    head, _, rest = path.partition("[].")
    if not rest:
        if head in result:
            del result[head]
            notes.append(f"result.{head}: a result key beyond the protocol's table")
        return
    items = result.get(head)
    if isinstance(items, list):
        touched = False
        for item in items:
            if isinstance(item, dict) and rest in item:
                del item[rest]
                touched = True
        if touched:
            notes.append(f"result.{head}[].{rest}: a key beyond the protocol's table")


def _strip_codes(value: object, where: str, codes: frozenset[str], notes: list[str]) -> object:
    if isinstance(value, list) and all(isinstance(v, dict) and "code" in v for v in value):
        kept = [v for v in value if v.get("code") not in codes]
        notes.extend(
            f"{where}: {v['code']} (an extension reason code)"
            for v in value
            if v.get("code") in codes
        )
        return kept
    return value


@checked
def expectation(request: Mapping[str, Any], response: Mapping[str, Any]) -> Expectation:
    """
    Split leadcore's ``response`` to ``request`` into the contract and the extensions.

    Works on a whole answer or on a vector's expected part of one (keys left out stay
    out).

    >>> request = {"rule": "related.stop", "input": {}}
    >>> split = expectation(request, {"ok": True, "result": {"stopped": [],
    ...                                                      "not_in_cadence": ["L2"]}})
    >>> split.contract, split.expected
    (True, {'ok': True, 'result': {'stopped': []}})
    >>> print(*split.extensions)
    result.not_in_cadence: a result key beyond the protocol's table
    """
    strict = messageless(dict(response))
    assert isinstance(strict, dict)  # noqa: S101  # an object stays an object
    whole = _extension_inputs(request)
    refusal = extension_refusal(request, strict)
    if refusal is not None:
        whole.append(f"error: {refusal}")
    if whole:
        return Expectation(contract=False, expected=strict, strict=strict, extensions=tuple(whole))
    rule = request.get("rule")
    result = strict.get("result")
    if strict.get("ok") is not True or not isinstance(rule, str) or not isinstance(result, dict):
        return Expectation(contract=True, expected=strict, strict=strict)
    notes: list[str] = []
    kept = messageless(result)
    assert isinstance(kept, dict)  # noqa: S101  # a copy of an object
    for path in EXTENSION_KEYS.get(rule, ()):
        _strip_key(kept, path, notes)
    codes = frozenset(
        c for c in reasons.codes(rule) if c not in reasons.codes(rule, extension=False)
    )
    # Extension codes are answered among a result's reasons (no rule with such codes
    # answers an ineligible map: tests/test_conformance_edges.py checks it).
    if codes and "reasons" in kept:
        kept["reasons"] = _strip_codes(kept["reasons"], "result.reasons", codes, notes)
    if kept.get("allowed") is False and kept.get("reasons") == []:
        notes.append("result.allowed: refused for extension reasons only")
        return Expectation(contract=False, expected=strict, strict=strict, extensions=tuple(notes))
    expected = {**strict, "result": kept}
    return Expectation(contract=True, expected=expected, strict=strict, extensions=tuple(notes))
