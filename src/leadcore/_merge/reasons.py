"""
The reasons of the merge rules' windows and guards (MRG-2, MRG-3, MRG-7).

Shared by :func:`leadcore.merge.auto` (its candidates' reasons) and
:func:`leadcore.merge.explain` (what stands in the way of two leads), so both say the
same thing in the same words; every reason is built from the catalogue
(:mod:`leadcore.reasons`).
"""

from __future__ import annotations

import datetime as dt

from leadcore._merge.policy import MergePolicy
from leadcore.decisions import Reason
from leadcore.model import Lead
from leadcore.reasons import MergeAuto, MergeExplain

__all__ = ["both_credit", "duplicate_window", "span", "window_reasons"]


def both_credit(inbound: Lead, lead: Lead) -> Reason:
    """The MRG-2 reason: both leads come from a credit application."""
    return MergeAuto.both_credit_applications.reason(
        {"inbound_source": inbound.source, "existing_source": lead.source},
        inbound=inbound.id,
        existing=lead.id,
    )


def window_reasons(lead: Lead, now: dt.datetime, policy: MergePolicy) -> list[Reason]:
    """The MRG-3 reasons an existing lead is not a merge candidate (none when it is)."""
    found = []
    missing = [name for name in ("created_at", "last_activity_at") if getattr(lead, name) is None]
    if missing:
        found.append(
            MergeAuto.missing_dates.reason(
                {"missing": tuple(missing)}, lead=lead.id, missing=" and no ".join(missing)
            )
        )
    if lead.created_at is not None:
        age = now - lead.created_at
        limit = dt.timedelta(days=policy.merge_max_age_days)
        if not age < limit:
            found.append(
                MergeAuto.created_too_long_ago.reason(
                    {"created_at": lead.created_at, "age": age, "limit": limit},
                    lead=lead.id,
                    age=span(age),
                    days=policy.merge_max_age_days,
                )
            )
    if lead.last_activity_at is not None:
        idle = now - lead.last_activity_at
        limit = dt.timedelta(days=policy.merge_max_inactivity_days)
        if not idle <= limit:
            found.append(
                MergeAuto.no_recent_activity.reason(
                    {"last_activity_at": lead.last_activity_at, "idle": idle, "limit": limit},
                    lead=lead.id,
                    idle=span(idle),
                    days=policy.merge_max_inactivity_days,
                )
            )
    return found


def duplicate_window(lead: Lead, now: dt.datetime, policy: MergePolicy) -> list[Reason]:
    """The MRG-7 reasons an existing lead is not a possible duplicate (none when it is)."""
    if lead.last_activity_at is None:
        return [MergeExplain.missing_dates.reason({"missing": ("last_activity_at",)}, lead=lead.id)]
    idle = now - lead.last_activity_at
    limit = dt.timedelta(days=policy.duplicate_max_inactivity_days)
    if idle <= limit:
        return []
    return [
        MergeExplain.no_recent_activity.reason(
            {"last_activity_at": lead.last_activity_at, "idle": idle, "limit": limit},
            lead=lead.id,
            idle=span(idle),
            days=policy.duplicate_max_inactivity_days,
        )
    ]


def span(span: dt.timedelta) -> str:
    """A duration in days, for messages."""
    return f"{span / dt.timedelta(days=1):.6g} days"
