"""
GEN-7: every number and list of the rules lives in a frozen policy with the rulebook's default.

The table below is the rulebook's "Policy fields" list, copied by hand: a policy that drifts from
it, or a field that no policy holds, fails here.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from leadcore import protocol
from leadcore._protocol import registry as _registry
from leadcore.errors import InvalidInput

SPEC_DEFAULTS: dict[str, object] = {
    "default_region": "US",
    "default_timezone": "UTC",
    "wip_statuses": ("claimed", "interested", "meeting_done", "visit_done", "final_negotiation"),
    "placeholder_names": ("Unknown", "Name", "Empty", "Blank", "Null"),
    # v1.2 of the rules "Placeholder emails".
    "placeholder_email_locals": (
        "none",
        "noemail",
        "nomail",
        "na",
        "null",
        "unknown",
        "noreply",
        "donotreply",
    ),
    "credit_application_sources": ("credit_application",),
    "auto_merge_conditions": ("name", "email", "phone"),
    "auto_merge_min_conditions": 2,
    "merge_max_age_days": 365,
    "merge_max_inactivity_days": 120,
    "duplicate_conditions": ("name_fuzzy", "email", "phone"),
    "duplicate_min_conditions": 2,
    "duplicate_max_inactivity_days": 45,
    "duplicate_name_min_ratio": 90,
    "wave_size": 5,
    "digital_waves": 2,
    "offline_waves": 1,
    "digital_cooldown_minutes": 10,
    "fresh_window_minutes": 10,
}


def _policies() -> list[type[Any]]:
    return sorted({rule.policy for rule in _registry.RULES.values()}, key=lambda c: c.__name__)


def _as_comparable(value: object) -> object:
    if isinstance(value, frozenset):
        return value
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


@pytest.mark.parametrize("name", sorted(SPEC_DEFAULTS))
def test_every_spec_policy_field_lives_in_a_policy_with_its_default(name: str) -> None:
    """GEN-7: each protocol policy field is a field of a policy, with the rulebook's default."""
    holders = [cls for cls in _policies() if name in attrs.fields_dict(cls)]

    assert holders, f"no policy holds {name}"
    for cls in holders:
        default = _as_comparable(getattr(cls(), name))
        expected = SPEC_DEFAULTS[name]
        if isinstance(default, frozenset) and isinstance(expected, tuple):
            expected = frozenset(expected)
        assert default == expected, (cls.__name__, name)


@pytest.mark.parametrize("policy", _policies(), ids=lambda c: c.__name__)
def test_policies_are_frozen_and_validated(policy: type[Any]) -> None:
    """GEN-7: policies are frozen; a value of the wrong type is refused naming the field."""
    instance = policy()

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        object.__getattribute__(instance, "__setattr__")("x", 1)
    for field in attrs.fields(policy):
        with pytest.raises(InvalidInput) as caught:
            attrs.evolve(instance, **{field.name: object()})
        assert caught.value.path.startswith(field.name)


@pytest.mark.parametrize("name", sorted(SPEC_DEFAULTS))
def test_every_spec_policy_field_is_a_known_protocol_key(name: str) -> None:
    """GEN-7: every default policy field may be named in a request's policy."""
    request = {
        "id": 1,
        "rule": "normalize.name",
        "now": "2026-11-23T09:00:00Z",
        "policy": {name: SPEC_DEFAULTS[name]},
        "input": {"value": "Ada"},
    }
    value = SPEC_DEFAULTS[name]
    if isinstance(value, tuple):
        request["policy"] = {name: list(value)}

    response = protocol.decide(request)

    assert response["ok"] is True, response
