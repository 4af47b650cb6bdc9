"""
JSON Schemas (draft 2020-12) of every protocol request and result, and a small validator.

:func:`schema` returns one schema document whose ``$defs`` hold, for every rule ``R`` of
the protocol's table, ``request.R`` (the whole request, its ``input`` as the rule reads it) and
``response.R`` (an answer to it: the ``result`` as the protocol's table gives it, or an error),
plus the shared objects (``lead``, ``lead_out``, ``reason``...). The same document ships
as ``leadcore/conformance/schemas/protocol.schema.json`` for other teams' tools;
``tests/test_schemas.py`` keeps both in step with the code.

The schemas say what a well-formed message looks like, not what the rules decide:
unknown keys are allowed (the rulebook: comparers ignore them), absent and null mean the same,
and a request the schema accepts may still be refused (an unknown id, say). Requests carry
GEN-5's limits (``maxItems`` 100,000, ``maxLength`` 10,000); results carry no ``maxItems``,
as the limits bound input, never output (a merge of two leads of 100,000 phones answers a
lead of up to 200,000). Text in results keeps its ``maxLength``: results carry the input's
text unchanged, and messages quote at most 80 characters of a value. Reason codes
are enumerated per rule from the catalogue (:mod:`leadcore.reasons`), leadcore's extension
codes included (a ``description`` names them).

:func:`validate` implements the subset of JSON Schema these documents use (``type``,
``enum``, ``const``, ``properties``, ``required``, ``additionalProperties``, ``items``,
``minLength``, ``maxLength``, ``minimum``, ``maxItems``, ``pattern``, ``anyOf``,
``allOf``, local ``$ref``), so leadcore needs no JSON Schema library.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from typing import Any, Final

from leadcore import reasons
from leadcore._attrs import checked
from leadcore.errors import InvalidInput

__all__ = ["RESULT_KEYS", "schema", "validate"]

Schema = dict[str, Any]

_MAX_TEXT: Final = 10_000
_MAX_ITEMS: Final = 100_000

_DATETIME_IN: Final = (
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)\s*$"
)
_DATETIME_OUT: Final = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?[+-]\d{2}:\d{2}$"


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _nullable(inner: Schema) -> Schema:
    return {"anyOf": [inner, {"type": "null"}]}


def _list(inner: Schema) -> Schema:
    """A list of input (a policy's): at most GEN-5's 100,000 items."""
    return {"type": "array", "items": inner, "maxItems": _MAX_ITEMS}


def _out(inner: Schema) -> Schema:
    """A list of an answer: no limit, as the limits bound input, never output (GEN-5)."""
    return {"type": "array", "items": inner}


def _opt_list(inner: Schema) -> Schema:
    return {"type": ["array", "null"], "items": inner, "maxItems": _MAX_ITEMS}


def _obj(required: list[str], **properties: Schema) -> Schema:
    found: Schema = {"type": "object", "properties": properties}
    if required:
        found["required"] = required
    return found


def _enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


_ID: Final = _ref("id")
_OPT_ID: Final = _nullable(_ref("id"))
_TEXT: Final = _ref("text")
_OPT_TEXT: Final = _nullable(_ref("text"))
_BOOL: Final = {"type": "boolean"}
_OPT_BOOL: Final = {"type": ["boolean", "null"]}
_INT: Final = {"type": "integer"}
_REASONS: Final = _out(_ref("reason"))
_ROLES: Final = (
    "super_user",
    "sales_manager",
    "manager",
    "professional",
    "lead_generator",
    "team_lead",
    "call_center",
    "agent",
)
_CHANNELS: Final = ("digital", "offline", "fresh", "transfer")
_MATCHED: Final = {
    "type": "string",
    "description": "A condition (name, name_fuzzy, email, phone) or a match rule item's label.",
    "maxLength": _MAX_TEXT,
}
_VIA: Final = {
    "type": ["string", "null"],
    "description": "two_of_n, phone_only, or the label of the match rule's group that holds.",
    "maxLength": _MAX_TEXT,
}


def _objects() -> dict[str, Schema]:
    person = _obj(
        [],
        first_name=_OPT_TEXT,
        last_name=_OPT_TEXT,
        phones=_opt_list(_TEXT),
        emails=_opt_list(_TEXT),
    )
    event = _obj(
        ["id", "at"],
        id=_ID,
        at=_ref("datetime"),
        status=_nullable(_enum("scheduled", "done", "cancelled")),
    )
    lead_fields: dict[str, Schema] = {
        "id": _ID,
        "customer": _nullable(_ref("person")),
        "co_customer": _nullable(_ref("person")),
        "project": _OPT_ID,
        "status": _OPT_TEXT,
        "owner": _OPT_ID,
        "viewers": _opt_list(_ID),
        "source": _OPT_TEXT,
        "channel": _nullable(_enum(*_CHANNELS)),
        "lot": _OPT_ID,
        "org": _OPT_ID,
        "pipeline": _OPT_TEXT,
        "created_at": _nullable(_ref("datetime")),
        "last_activity_at": _nullable(_ref("datetime")),
        "events": _opt_list(_ref("event")),
        "linked_to": _OPT_ID,
        "merged_into": _OPT_ID,
        "fields": {"type": ["object", "null"]},
    }
    person_out = _obj(
        ["first_name", "last_name", "phones", "emails"],
        first_name=_OPT_TEXT,
        last_name=_OPT_TEXT,
        phones=_out(_TEXT),
        emails=_out(_TEXT),
    )
    event_out = _obj(
        ["id", "at", "status"],
        id=_ID,
        at=_ref("datetime_out"),
        status=_enum("scheduled", "done", "cancelled"),
    )
    lead_out: Schema = {
        "type": "object",
        "description": "A lead in full canonical form: every key present (protocol conventions).",
        "required": list(lead_fields),
        "properties": {
            **lead_fields,
            # Absent and null mean the same: an implementation may write a lead without
            # a customer as null, where leadcore writes an empty person.
            "customer": _nullable(_ref("person_out")),
            "co_customer": _nullable(_ref("person_out")),
            "viewers": _out(_ID),
            "channel": _nullable(_enum(*_CHANNELS)),
            "created_at": _nullable(_ref("datetime_out")),
            "last_activity_at": _nullable(_ref("datetime_out")),
            "events": _out(_ref("event_out")),
            "fields": {"type": "object"},
        },
    }
    return {
        "id": {"type": "string", "minLength": 1, "maxLength": _MAX_TEXT},
        "text": {"type": "string", "maxLength": _MAX_TEXT},
        "datetime": {
            "type": "string",
            "description": "ISO 8601 date-time with an offset (Z accepted); naive is refused.",
            "pattern": _DATETIME_IN,
        },
        "datetime_out": {
            "type": "string",
            "description": "A date-time as leadcore writes it: YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM.",
            "pattern": _DATETIME_OUT,
        },
        "person": person,
        "person_out": person_out,
        "event": event,
        "event_out": event_out,
        "lead": {"type": "object", "required": ["id"], "properties": lead_fields},
        "lead_out": lead_out,
        "user": _obj(
            ["id"],
            id=_ID,
            org=_OPT_ID,
            roles=_opt_list(_enum(*_ROLES)),
            assignment_owner_of=_opt_list(_ID),
        ),
        "agent": _obj(
            ["id"],
            id=_ID,
            project=_OPT_ID,
            active=_OPT_BOOL,
            lead_flow=_OPT_BOOL,
            battery_optimization_disabled=_OPT_BOOL,
            autorun_enabled=_OPT_BOOL,
            network_ok=_OPT_BOOL,
        ),
        "claim": _obj(
            ["agent", "at", "bucket"],
            agent=_ID,
            at=_ref("datetime"),
            bucket=_enum("digital", "offline", "fresh", "transfer"),
        ),
        "org": _obj(
            ["id"],
            id=_ID,
            parent=_OPT_ID,
            handover_enabled=_OPT_BOOL,
            cross_silo_enabled=_OPT_BOOL,
        ),
        "crm_record": _obj(
            ["id", "kind"],
            id=_ID,
            kind=_enum("lead", "contact", "person"),
            account_id=_OPT_ID,
            account_name=_OPT_TEXT,
            in_cadence=_OPT_BOOL,
            cadences=_opt_list(_ID),
        ),
        "membership": _obj(["lead", "cadence"], lead=_ID, cadence=_ID),
        "dispatch_event": _obj(
            ["type", "at"],
            type=_enum("claim", "decline", "answer", "timeout"),
            agent=_OPT_ID,
            at=_ref("datetime"),
        ),
        "reason": _obj(["code", "message"], code=_ID, message=_TEXT),
        "notification": _obj(
            ["to", "kind", "lead", "channels"],
            to=_ID,
            kind=_ID,
            lead=_ID,
            channels=_out(_ID),
        ),
        "change": _obj(["lead", "field", "old", "new"], lead=_ID, field=_ID, old={}, new={}),
        "cancelled_event": _obj(
            ["lead", "event", "at"], lead=_ID, event=_ID, at=_ref("datetime_out")
        ),
        "policy": {
            "type": ["object", "null"],
            "description": "Overrides of policy defaults by field name (policy fields).",
            "properties": _policy_fields(),
            "additionalProperties": False,
        },
        **_match_rule_defs(),
        "error": _obj(
            ["code", "message", "path"],
            code=_enum(
                "invalid_json", "unknown_rule", "invalid_input", "naive_datetime", "internal_error"
            ),
            message=_TEXT,
            path={"type": "string"},
        ),
    }


MATCH_METHODS: Final = ("exact", "domain", "prefix", "initial", "fuzzy")
MATCH_SCORERS: Final = ("token_sort_ratio", "ratio", "jaro_winkler", "levenshtein")
MATCH_NORMALIZERS: Final = ("text", "email", "phone", "exact")
MATCH_PEOPLE: Final = ("closest", "either", "customer")
_MATCH_FIELD: Final = (
    r"^(name|first_name|last_name|full_name|email|phone|source|lot|project|status|owner|org"
    r"|pipeline|channel|fields\..+)$"
)


def _match_rule_defs() -> dict[str, Schema]:
    """A match rule (``auto_merge_rule``, ``duplicate_rule``): groups of items."""
    field = {"type": "string", "pattern": _MATCH_FIELD, "maxLength": _MAX_TEXT}
    item_object: Schema = {
        "type": "object",
        "required": ["field"],
        "properties": {
            "field": field,
            "method": _nullable(_enum(*MATCH_METHODS)),
            "length": {"type": ["integer", "null"], "minimum": 1},
            "scorer": _nullable(_enum(*MATCH_SCORERS)),
            "threshold": {"type": ["number", "null"], "minimum": 0},
            "blanks": _nullable(_enum("never", "match")),
            "placeholders": _nullable(_enum("blank", "value")),
            "normalizer": _nullable(_enum(*MATCH_NORMALIZERS)),
            "free_domains": _opt_list(_TEXT),
            "max_leads": {"type": ["integer", "null"], "minimum": 1},
            "label": _OPT_TEXT,
        },
        "additionalProperties": False,
    }
    items = {"type": ["array", "null"], "items": _ref("match_item"), "maxItems": 64}
    return {
        "match_item": {
            "description": "One comparison: a field's name (exact), or an object.",
            "anyOf": [field, item_object],
        },
        "match_group": {
            "type": "object",
            "description": "All of its items hold (all_of), or at least at_least of 'of'.",
            "properties": {
                "all_of": items,
                "of": items,
                "at_least": {"type": ["integer", "null"], "minimum": 1},
                "block_on": items,
                "people": _nullable(_enum(*MATCH_PEOPLE)),
                "inbound_lacks": {"type": ["array", "null"], "items": field, "maxItems": 64},
                "label": _OPT_TEXT,
            },
            "additionalProperties": False,
        },
        "match_rule": {
            "type": "object",
            "description": "A match rule: any of its groups holds (docs/match_rules.md).",
            "required": ["any_of"],
            "properties": {
                "any_of": {"type": "array", "items": _ref("match_group"), "maxItems": 64},
                "people": _nullable(_enum(*MATCH_PEOPLE)),
            },
            "additionalProperties": False,
        },
    }


def _policy_fields() -> dict[str, Schema]:
    count = {"type": "integer", "minimum": 0}
    positive = {"type": "integer", "minimum": 1}
    names = _list(_TEXT)
    return {
        "default_region": {"type": "string"},
        "default_timezone": {"type": "string"},
        "wip_statuses": names,
        "placeholder_names": names,
        "placeholder_email_locals": names,
        "credit_application_sources": names,
        "auto_merge_conditions": _list(_enum("name", "email", "phone")),
        "auto_merge_min_conditions": positive,
        "merge_max_age_days": count,
        "merge_max_inactivity_days": count,
        "duplicate_conditions": _list(_enum("name_fuzzy", "email", "phone")),
        "duplicate_min_conditions": positive,
        "duplicate_max_inactivity_days": count,
        "duplicate_name_min_ratio": {"type": "number", "minimum": 0, "maximum": 100},
        "wave_size": positive,
        "digital_waves": positive,
        "offline_waves": positive,
        "digital_cooldown_minutes": count,
        "fresh_window_minutes": positive,
        # Fields the rule families add beyond the protocol's list (their docs pages say so).
        "sales_licence_roles": _list(_enum(*_ROLES)),
        "manager_roles": _list(_enum(*_ROLES)),
        "lead_generator_roles": _list(_enum(*_ROLES)),
        "manager_pipeline": {"type": "string"},
        "notification_channels": names,
        "auto_merge_rule": _nullable(_ref("match_rule")),
        "duplicate_rule": _nullable(_ref("match_rule")),
        "relation_keys": {
            "type": "object",
            "description": "Per CRM, per record kind, the key relating records (REL-2).",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": _enum("account_name", "account_id"),
            },
        },
    }


def _link_input() -> Schema:
    return _obj(
        ["primary", "secondary", "actor", "owner"],
        primary=_ref("lead"),
        secondary=_ref("lead"),
        actor=_ref("user"),
        owner=_ID,
        existing=_opt_list(_ref("lead")),
    )


def _routing_input(required: list[str], **extra: Schema) -> Schema:
    return _obj(
        ["channel", "lead", *required],
        channel=_enum(*_CHANNELS),
        lead=_ref("lead"),
        agents=_opt_list(_ref("agent")),
        claims=_opt_list(_ref("claim")),
        timezone=_OPT_TEXT,
        **extra,
    )


def _handover_input() -> Schema:
    return _obj(
        ["lead", "sender", "target_org"],
        lead=_ref("lead"),
        sender=_ref("user"),
        target_org=_ID,
        orgs=_opt_list(_ref("org")),
    )


def _verdict(**extra: Schema) -> Schema:
    return _obj(["allowed", "reasons", *extra], allowed=_BOOL, reasons=_REASONS, **extra)


def _changed(**extra: Schema) -> Schema:
    """A result that may change a lead: ``lead`` (null when refused) and ``record``."""
    return _verdict(lead=_nullable(_ref("lead_out")), record=_out(_ref("change")), **extra)


def _normalize() -> tuple[Schema, Schema]:
    return (
        _obj(["value"], value=_TEXT, region=_OPT_TEXT),
        _obj(["normalized"], normalized={"type": ["string", "null"]}),
    )


def _rules() -> dict[str, tuple[Schema, Schema]]:
    """Every rule: (input schema, result schema), from the protocol's table."""
    record = {"record": _out(_ref("change"))}
    notified = {"notifications": _out(_ref("notification"))}
    out_or_null = _nullable(_ref("lead_out"))
    return {
        "handover.apply": (_handover_input(), _changed(**notified)),
        "handover.check": (_handover_input(), _verdict()),
        "handover.cross_silo": (_handover_input(), _changed(**notified)),
        "handover.review": (
            _obj(
                ["lead", "manager"],
                lead=_ref("lead"),
                manager=_ref("user"),
                assignee=_nullable(_ref("user")),
            ),
            _changed(),
        ),
        "link.apply": (
            _link_input(),
            _obj(
                ["allowed", "reasons", "primary", "secondary", "notifications"],
                allowed=_BOOL,
                reasons=_REASONS,
                primary=out_or_null,
                secondary=out_or_null,
                cancelled_events=_out(_ref("cancelled_event")),
                **notified,
                **record,
            ),
        ),
        "link.check": (_link_input(), _verdict()),
        "link.visibility": (
            _obj(["lead", "user"], lead=_ref("lead"), user=_ref("user")),
            _obj(
                ["dashboard_tabs", "tag", "app_access"],
                dashboard_tabs=_out(_TEXT),
                tag=_OPT_TEXT,
                app_access=_enum("act", "view", "none"),
            ),
        ),
        "merge.auto": (
            _obj(["inbound"], inbound=_ref("lead"), existing=_opt_list(_ref("lead"))),
            _obj(
                ["action", "target", "lot", "matched", "person", "via", "reasons"],
                action=_enum("merge", "route", "create"),
                target=_OPT_ID,
                lot=_OPT_ID,
                matched=_out(_MATCHED),
                person=_nullable(_enum("customer", "co_customer")),
                via=_VIA,
                reasons=_REASONS,
                candidates=_out(
                    _obj(
                        ["id", "matched", "reasons"],
                        id=_ID,
                        matched=_out(_MATCHED),
                        person=_nullable(_enum("customer", "co_customer")),
                        via=_VIA,
                        reasons=_REASONS,
                    )
                ),
            ),
        ),
        "merge.duplicates": (
            _obj(["lead"], lead=_ref("lead"), existing=_opt_list(_ref("lead"))),
            _obj(
                ["duplicates"],
                duplicates=_out(
                    _obj(
                        ["id", "matched"],
                        id=_ID,
                        matched=_out(_MATCHED),
                        person=_nullable(_enum("customer", "co_customer")),
                        via=_VIA,
                    )
                ),
            ),
        ),
        "merge.manual": (
            _obj(["master", "other"], master=_ref("lead"), other=_ref("lead")),
            _obj(
                ["lead", "retired", "discarded"],
                lead=_ref("lead_out"),
                retired=_ref("lead_out"),
                discarded=_out(_obj(["field"], field=_ID, lead=_OPT_ID, value={})),
                **record,
            ),
        ),
        "normalize.email": _normalize(),
        "normalize.name": _normalize(),
        "normalize.phone": _normalize(),
        "related.find": (
            _obj(
                ["crm", "connected", "record"],
                crm=_enum("salesforce", "zoho", "dynamics", "pipedrive", "hubspot", "sellsy"),
                connected=_BOOL,
                record=_ref("crm_record"),
                records=_opt_list(_ref("crm_record")),
            ),
            _obj(
                ["related", "show_icon"],
                related=_out(_obj(["id", "selectable"], id=_ID, selectable=_BOOL)),
                show_icon=_BOOL,
                reasons=_REASONS,
            ),
        ),
        "related.stop": (
            _obj(
                [],
                selected=_opt_list(_ID),
                current=_OPT_ID,
                include_current=_OPT_BOOL,
                memberships=_opt_list(_ref("membership")),
            ),
            _obj(["stopped"], stopped=_out(_ref("membership")), not_in_cadence=_out(_ID)),
        ),
        "routing.check_wave": (
            _routing_input([], offered_before=_opt_list(_ID), wave=_opt_list(_ID)),
            _obj(
                ["legal", "reasons"],
                legal=_BOOL,
                reasons=_REASONS,
                size={"type": "integer", "minimum": 0},
            ),
        ),
        "routing.diagnose": (
            _obj(["agent", "channel"], agent=_ref("agent"), channel=_enum(*_CHANNELS)),
            _obj(["receiving", "reasons"], receiving=_BOOL, reasons=_REASONS),
        ),
        "routing.dispatch": (
            _routing_input(["seed"], seed=_INT, events=_opt_list(_ref("dispatch_event"))),
            _obj(
                ["outcome", "agent", "waves", "rejected_events"],
                outcome=_enum("claimed", "fresh", "pending"),
                agent=_OPT_ID,
                waves=_out(_out(_ID)),
                rejected_events=_out(
                    _obj(
                        ["index", "type", "at", "reason"],
                        index={"type": "integer", "minimum": 0},
                        type=_TEXT,
                        agent=_OPT_ID,
                        at={"type": ["string", "null"]},
                        reason=_TEXT,
                    )
                ),
                wave_times=_out(_ref("datetime_out")),
                decided_at=_nullable(_ref("datetime_out")),
            ),
        ),
        "routing.eligible": (
            _routing_input([]),
            _obj(
                ["preferred", "fallback", "ineligible"],
                preferred=_out(_ID),
                fallback=_out(_ID),
                ineligible={"type": "object", "additionalProperties": _REASONS},
            ),
        ),
        "routing.fresh_claim": (
            _obj(
                ["agent", "fresh_count", "active_agents"],
                agent=_ID,
                claims=_opt_list(_ref("claim")),
                fresh_count={"type": "integer", "minimum": 0},
                active_agents=_INT,
                requested={"type": ["integer", "null"], "description": "default 1"},
            ),
            _obj(
                ["granted", "limit", "used", "reasons"],
                granted={"type": "integer", "minimum": 0},
                limit={"type": "integer", "minimum": 0},
                used={"type": "integer", "minimum": 0},
                reasons=_REASONS,
            ),
        ),
        "routing.fresh_limit": (
            _obj(
                ["fresh_count", "active_agents"],
                fresh_count={"type": "integer", "minimum": 0},
                active_agents=_INT,
            ),
            _obj(["limit"], limit={"type": "integer", "minimum": 0}),
        ),
        "routing.transfer": (
            _obj(["lead", "to", "by"], lead=_ref("lead"), to=_ref("agent"), by=_ref("user")),
            _changed(bucket=_OPT_TEXT),
        ),
    }


def _reason_defs() -> dict[str, Schema]:
    """One reason schema per group of the catalogue: its codes, contract and extension."""
    found: dict[str, Schema] = {}
    for group in reasons.CATALOGUE:
        codes = [entry.code for entry in group.codes]
        extension = [entry.code for entry in group.codes if entry.extension]
        note = f"A reason of {group.name} (leadcore.reasons, docs/reasons.md)"
        if extension:
            note += f"; leadcore's extension codes, which others need not give: {extension}"
        found[f"reason.{group.name}"] = {
            **_obj(["code", "message"], code=_enum(*codes), message=_TEXT),
            "description": note + ".",
        }
    return found


def _coded(rule: str, result: Schema) -> Schema:
    """A result schema whose reason codes are the catalogue's for ``rule``."""
    groups = reasons.groups(rule)
    if not groups:
        return result
    group = groups[0]
    properties = dict(result["properties"])
    listed = _out(_ref(f"reason.{group.name}"))
    if group.where == "reasons":
        properties["reasons"] = listed
        if "candidates" in properties:
            candidate = copy.deepcopy(properties["candidates"])
            candidate["items"]["properties"]["reasons"] = listed
            properties["candidates"] = candidate
    elif group.where == "ineligible":
        properties["ineligible"] = {"type": "object", "additionalProperties": listed}
    else:
        events = copy.deepcopy(properties["rejected_events"])
        events["items"]["properties"]["reason"] = _enum(*(e.code for e in group.codes))
        properties["rejected_events"] = events
    return {**result, "properties": properties}


RESULT_KEYS: Final = {name: tuple(result["properties"]) for name, (_, result) in _rules().items()}
"""The result keys each rule's schema describes: the protocol's table's, ``record`` and
``cancelled_events`` (the protocol's conventions) and the leadcore extensions of the rule families
(``candidates``, ``size``, ``wave_times``...), which other implementations may omit."""


@functools.cache
def _document() -> Schema:
    defs = {**_objects(), **_reason_defs()}
    defs["request"] = {
        "type": "object",
        "description": "Any protocol request (the rulebook Oracle protocol).",
        "required": ["rule", "now"],
        "properties": {
            "id": {},
            "rule": {"type": "string"},
            "now": _ref("datetime"),
            "policy": _ref("policy"),
            "input": {"type": ["object", "null"]},
        },
    }
    defs["response"] = {
        "description": "Any protocol response: a result or an error.",
        "anyOf": [
            _obj(["id", "ok", "result"], id={}, ok={"const": True}, result={"type": "object"}),
            _obj(["id", "ok", "error"], id={}, ok={"const": False}, error=_ref("error")),
        ],
    }
    for name, (given, result) in _rules().items():
        defs[f"input.{name}"] = given
        defs[f"result.{name}"] = _coded(name, result)
        defs[f"request.{name}"] = {
            "allOf": [
                _ref("request"),
                _obj(["rule", "input"], rule={"const": name}, input=_ref(f"input.{name}")),
            ]
        }
        defs[f"response.{name}"] = {
            "anyOf": [
                _obj(
                    ["id", "ok", "result"],
                    id={},
                    ok={"const": True},
                    result=_ref(f"result.{name}"),
                ),
                _obj(["id", "ok", "error"], id={}, ok={"const": False}, error=_ref("error")),
            ]
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:leadcore:protocol:v1",
        "title": "leadcore oracle protocol v1: requests and responses of every rule",
        "description": (
            "Each rule R has $defs request.R and response.R (input.R and result.R inside). "
            "Unknown keys are allowed; absent and null mean the same."
        ),
        "$ref": "#/$defs/request",
        "$defs": dict(sorted(defs.items())),
    }


@checked
def schema(name: str | None = None) -> Schema:
    """
    Return the protocol's JSON Schema document, or one of its definitions by name.

    Args:
        name: ``request.merge.auto``, ``response.merge.auto``, ``lead``... (a key of
            ``$defs``; references inside still point into the whole document), or None
            for the whole document.

    Raises:
        InvalidInput: No definition has that name.

    >>> sorted(schema()["$defs"]["result.routing.fresh_limit"]["required"])
    ['limit']
    """
    document = _document()
    if name is None:
        return copy.deepcopy(document)
    return copy.deepcopy(_definition(document, name))


def _definition(document: Schema, name: str) -> Schema:
    definitions: dict[str, Schema] = document["$defs"]
    if name not in definitions:
        raise InvalidInput.single(
            "name", name, "is not a definition of the schema (see schema()['$defs'])"
        )
    return definitions[name]


# -- validation ---------------------------------------------------------------------------

_TYPES: Final = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}
_ANNOTATIONS: Final = frozenset({"$schema", "$id", "$defs", "title", "description", "default"})


def _same(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return left == right


def _check(  # noqa: C901, PLR0912  # one branch per keyword
    value: object, rule: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> list[str]:
    errors: list[str] = []
    for keyword in rule:
        if keyword not in _KEYWORDS and keyword not in _ANNOTATIONS:
            msg = f"unsupported JSON Schema keyword {keyword!r}"
            raise ValueError(msg)
    where = path or "(root)"
    if "$ref" in rule:
        ref = rule["$ref"]
        if ref == "#":
            target: Mapping[str, Any] = root
        elif ref.startswith("#/$defs/"):
            target = root["$defs"][ref.removeprefix("#/$defs/")]
        else:
            msg = f"only local references are supported, not {ref!r}"
            raise ValueError(msg)
        errors.extend(_check(value, target, root, path))
    if "type" in rule:
        kinds = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
        if not any(_TYPES[k](value) for k in kinds):
            return [*errors, f"{where}: {value!r:.80} is not of type {' or '.join(kinds)}"]
    if "const" in rule and not _same(value, rule["const"]):
        errors.append(f"{where}: must be {rule['const']!r}, not {value!r:.80}")
    if "enum" in rule and not any(_same(value, v) for v in rule["enum"]):
        errors.append(f"{where}: {value!r:.80} is not one of {rule['enum']}")
    if isinstance(value, str):
        if len(value) < rule.get("minLength", 0):
            errors.append(f"{where}: shorter than {rule['minLength']} characters")
        if len(value) > rule.get("maxLength", len(value)):
            errors.append(f"{where}: longer than {rule['maxLength']} characters")
        if "pattern" in rule and not re.search(rule["pattern"], value):
            errors.append(f"{where}: {value!r:.80} does not match the pattern {rule['pattern']}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in rule and value < rule["minimum"]:
            errors.append(f"{where}: {value} is less than {rule['minimum']}")
        if "maximum" in rule and value > rule["maximum"]:
            errors.append(f"{where}: {value} is more than {rule['maximum']}")
    if isinstance(value, list):
        if len(value) > rule.get("maxItems", len(value)):
            errors.append(f"{where}: more than {rule['maxItems']} items")
        if "items" in rule:
            for index, item in enumerate(value):
                errors.extend(_check(item, rule["items"], root, f"{path}[{index}]"))
    if isinstance(value, dict):
        errors.extend(_check_object(value, rule, root, path))
    for part in rule.get("allOf", ()):
        errors.extend(_check(value, part, root, path))
    if "anyOf" in rule:
        tried = [_check(value, part, root, path) for part in rule["anyOf"]]
        if all(tried):
            best = min(tried, key=len)
            errors.extend(best)
    return errors


def _check_object(
    value: Mapping[str, Any], rule: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> list[str]:
    errors = [
        f"{path or '(root)'}: {key!r} is required"
        for key in rule.get("required", ())
        if key not in value
    ]
    properties = rule.get("properties", {})
    extra = rule.get("additionalProperties", True)
    for key, item in value.items():
        inner = f"{path}.{key}" if path else key
        if key in properties:
            errors.extend(_check(item, properties[key], root, inner))
        elif extra is False:
            errors.append(f"{inner}: is not allowed here")
        elif isinstance(extra, dict):
            errors.extend(_check(item, extra, root, inner))
    return errors


_KEYWORDS: Final = frozenset(
    {
        "$ref",
        "type",
        "const",
        "enum",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "maxItems",
        "items",
        "properties",
        "required",
        "additionalProperties",
        "allOf",
        "anyOf",
    }
)


@checked
def validate(instance: object, name: str | None = None) -> list[str]:
    r"""
    Validate a JSON value against the protocol schema; return the problems (none: valid).

    Args:
        instance: The parsed JSON value.
        name: The definition to check against (``request.merge.auto``,
            ``response.merge.auto``, ``lead``...); the generic ``request`` when None.

    >>> validate({"id": 1, "rule": "normalize.name", "now": "2026-01-01T00:00:00Z",
    ...           "input": {"value": "Ada"}}, "request.normalize.name")
    []
    >>> validate({"rule": "normalize.name", "now": "2026-01-01T00:00:00"})
    ["now: '2026-01-01T00:00:00' does not match the pattern ^\\d{4}-..."]
    """
    document = _document()
    rule = document if name is None else _definition(document, name)
    return _check(instance, rule, document, "")
