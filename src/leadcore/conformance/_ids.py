"""
The rulebook's rule ids and protocol rule names, as data the package carries.

The rulebook (``docs/rules.md``) is not inside the installed package, so the list of rule
ids the conformance suite must cover is copied here; ``tests/test_conformance_ids.py``
checks the copy against it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

RULE_IDS: Final = MappingProxyType(
    {
        "GEN-1": "every datetime is timezone-aware; naive ones are refused",
        "GEN-2": "random choices take a seed: every run is reproducible",
        "GEN-3": "inputs are never mutated; effects are returned as values",
        "GEN-4": "every decision carries all the reasons that hold",
        "GEN-5": "bad input is an error of leadcore's own, naming the field",
        "GEN-6": "an operation that changes a lead keeps every replaced value",
        "GEN-7": "every number and list lives in an overridable policy",
        "LNK-1": "linked leads belong to the same project",
        "LNK-2": "both leads are work in progress",
        "LNK-3": "only a super user or an assignment owner may link",
        "LNK-4": "the chosen sales manager owns the primary; the other owner views it",
        "LNK-5": "the secondary's mobile is added to the primary",
        "LNK-6": "the secondary's future events are cancelled",
        "LNK-7": "the secondary becomes linked to the primary; never to itself",
        "LNK-8": "dashboard tabs of primary and secondary",
        "LNK-9": "sales-app access: owner acts, viewer views, others nothing",
        "LNK-10": "both sales managers are notified",
        "HND-1": "handover only between a parent and a direct child",
        "HND-2": "handover enabled in the parent's settings",
        "HND-3": "only sales-licence users send, only their own org's leads",
        "HND-4": "a received lead lands unassigned in the manager pipeline",
        "HND-5": "a receiving manager accepts or assigns to a professional",
        "HND-6": "a sales-feed notification per organisation",
        "HND-7": "a lead generator assigns a new lead to a manager",
        "HND-8": "cross silo between siblings when the parent enables it",
        "REL-1": "related leads only when connected to the CRM",
        "REL-2": "related records per CRM: account name or account",
        "REL-3": "the icon shows only when something is related",
        "REL-4": "records not in the cadence tool are not selectable",
        "REL-5": "stopping selected leads (and the current one) in all cadences",
        "REL-6": "grouping a whole table scales linearly",
        "RTE-1": "channels: digital, offline, fresh bucket, transfer",
        "RTE-2": "digital: waves of min(5, available); first claim wins",
        "RTE-3": "offline: one wave; the first to answer gets the lead",
        "RTE-4": "eligible agents per channel",
        "RTE-5": "cool-down: 10 minutes (digital), same calendar day (offline)",
        "RTE-6": "fresh-bucket quota in a rolling 10 minutes",
        "RTE-7": "transfer to an agent of the lead's project",
        "RTE-8": "diagnosis: why an agent receives no leads",
        "MRG-1": "match conditions: name, email, phone (normalised)",
        "MRG-2": "never auto-merge two credit applications",
        "MRG-3": "created under 365 days ago, active in the last 120 days",
        "MRG-4": "phone-only inbound leads merge",
        "MRG-5": "the closer co-customer is compared instead of the customer",
        "MRG-6": "candidate choice and lots",
        "MRG-7": "possible duplicates in the last 45 days",
        "MRG-8": "manual merge with a chosen master",
    }
)
"""Every rule id of the rulebook, in the rulebook's order, with a short title."""

FAMILIES: Final = MappingProxyType(
    {
        "GEN": "general",
        "LNK": "linking",
        "HND": "handover",
        "REL": "related",
        "RTE": "routing",
        "MRG": "merge",
    }
)
"""Rule-id prefix to rule family (the family's module and vectors file name)."""

PROTOCOL_RULES: Final = MappingProxyType(
    {
        "handover.apply": ("HND-1", "HND-2", "HND-3", "HND-4", "HND-6", "GEN-6"),
        "handover.check": ("HND-1", "HND-2", "HND-3"),
        "handover.cross_silo": ("HND-8", "HND-4", "HND-6"),
        "handover.review": ("HND-5", "HND-7"),
        "link.apply": ("LNK-1", "LNK-2", "LNK-3", "LNK-4", "LNK-5", "LNK-6", "LNK-7", "LNK-10"),
        "link.check": ("LNK-1", "LNK-2", "LNK-3", "LNK-4", "LNK-7"),
        "link.visibility": ("LNK-8", "LNK-9"),
        "merge.auto": ("MRG-1", "MRG-2", "MRG-3", "MRG-4", "MRG-5", "MRG-6"),
        "merge.duplicates": ("MRG-7", "MRG-5"),
        "merge.manual": ("MRG-8", "GEN-6"),
        "normalize.email": ("MRG-1",),
        "normalize.name": ("MRG-1", "REL-2"),
        "normalize.phone": ("MRG-1",),
        "related.find": ("REL-1", "REL-2", "REL-3", "REL-4"),
        "related.stop": ("REL-5",),
        "routing.check_wave": ("RTE-2", "RTE-3", "RTE-5"),
        "routing.diagnose": ("RTE-8",),
        "routing.dispatch": ("RTE-2", "RTE-3", "GEN-2"),
        "routing.eligible": ("RTE-4", "RTE-5"),
        "routing.fresh_claim": ("RTE-6",),
        "routing.fresh_limit": ("RTE-6",),
        "routing.transfer": ("RTE-7",),
    }
)
"""Every protocol rule name, with the rule ids it mainly implements (the rulebook's table)."""


def family_of(rule_id: str) -> str:
    """Return the family of a rule id (``MRG-3`` -> ``merge``)."""
    return FAMILIES[rule_id.split("-", 1)[0]]
