"""
leadcore: the reference implementation of CRM lead-management rules.

Domain types, policies, decisions and errors are re-exported here; rule functions are
called through their module (``leadcore.normalize.phone(...)``,
``leadcore.protocol.decide(...)``). See the rulebook, ``docs/rules.md``, for every rule by its ID.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from leadcore.decisions import CancelledEvent, Change, Reason, Verdict
from leadcore.dedupe import (
    Accuracy,
    AccuracyComparison,
    BadRow,
    Cluster,
    Columns,
    Decision,
    DedupePolicy,
    DedupeResult,
    GenericKey,
    LeadTable,
    Pair,
    PairChange,
    PairError,
    PairExplanation,
    PolicyComparison,
    Scores,
    Summary,
)
from leadcore.errors import (
    InvalidInput,
    LeadcoreDeprecationWarning,
    LeadcoreError,
    LeadcoreWarning,
    MissingDependency,
    Problem,
    UnknownRule,
)
from leadcore.handover import AssignmentResult, HandoverPolicy, HandoverResult, OrgTree
from leadcore.linking import AppAccess, LinkPolicy, LinkResult, LinkVisibility
from leadcore.merge import (
    AutoMerge,
    Candidate,
    ConditionCheck,
    Discarded,
    Duplicate,
    Duplicates,
    GroupCheck,
    KeyCounts,
    ManualMerge,
    Match,
    MatchExplanation,
    MatchGroup,
    MatchItem,
    MatchRule,
    MergeIndex,
    MergePolicy,
    MergeRecord,
)
from leadcore.model import (
    Agent,
    Channel,
    Claim,
    ClaimBucket,
    Crm,
    CrmRecord,
    Event,
    EventStatus,
    Lead,
    Notification,
    Org,
    Person,
    RecordKind,
    Role,
    User,
)
from leadcore.normalize import NormalizedPerson, NormalizePolicy
from leadcore.related import (
    CadenceMembership,
    RelatedGroup,
    RelatedLeads,
    RelatedPolicy,
    RelatedRecord,
    StopResult,
)
from leadcore.routing import (
    Diagnosis,
    DispatchEvent,
    DispatchState,
    Eligibility,
    EventKind,
    FreshGrant,
    Rejection,
    RoutingPolicy,
    TransferDecision,
    WaveCheck,
)
from leadcore.simulation import Arrival, Behaviour, Percentiles, SimulationReport


def _version() -> str:
    try:
        return version("leadcore")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


__version__ = _version()
"""The installed version of leadcore, as text (``0+unknown`` in a source tree not installed)."""

__all__ = [
    "Accuracy",
    "AccuracyComparison",
    "Agent",
    "AppAccess",
    "Arrival",
    "AssignmentResult",
    "AutoMerge",
    "BadRow",
    "Behaviour",
    "CadenceMembership",
    "CancelledEvent",
    "Candidate",
    "Change",
    "Channel",
    "Claim",
    "ClaimBucket",
    "Cluster",
    "Columns",
    "ConditionCheck",
    "Crm",
    "CrmRecord",
    "Decision",
    "DedupePolicy",
    "DedupeResult",
    "Diagnosis",
    "Discarded",
    "DispatchEvent",
    "DispatchState",
    "Duplicate",
    "Duplicates",
    "Eligibility",
    "Event",
    "EventKind",
    "EventStatus",
    "FreshGrant",
    "GenericKey",
    "GroupCheck",
    "HandoverPolicy",
    "HandoverResult",
    "InvalidInput",
    "KeyCounts",
    "Lead",
    "LeadTable",
    "LeadcoreDeprecationWarning",
    "LeadcoreError",
    "LeadcoreWarning",
    "LinkPolicy",
    "LinkResult",
    "LinkVisibility",
    "ManualMerge",
    "Match",
    "MatchExplanation",
    "MatchGroup",
    "MatchItem",
    "MatchRule",
    "MergeIndex",
    "MergePolicy",
    "MergeRecord",
    "MissingDependency",
    "NormalizePolicy",
    "NormalizedPerson",
    "Notification",
    "Org",
    "OrgTree",
    "Pair",
    "PairChange",
    "PairError",
    "PairExplanation",
    "Percentiles",
    "Person",
    "PolicyComparison",
    "Problem",
    "Reason",
    "RecordKind",
    "Rejection",
    "RelatedGroup",
    "RelatedLeads",
    "RelatedPolicy",
    "RelatedRecord",
    "Role",
    "RoutingPolicy",
    "Scores",
    "SimulationReport",
    "StopResult",
    "Summary",
    "TransferDecision",
    "UnknownRule",
    "User",
    "Verdict",
    "WaveCheck",
    "__version__",
]


def __dir__() -> list[str]:
    return list(__all__)
