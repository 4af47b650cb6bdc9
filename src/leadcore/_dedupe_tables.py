"""
The result tables of :class:`leadcore.dedupe.DedupeResult`, as rows (dicts) with columns.

:meth:`~leadcore.dedupe.DedupeResult.table` turns them into the caller's kind of table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import attrs

if TYPE_CHECKING:
    from leadcore.dedupe import DedupeResult

__all__ = ["BUILDERS"]

Rows = tuple[list[str], list[dict[str, object]]]


def _pairs_table(result: DedupeResult) -> Rows:
    rows: list[dict[str, object]] = []
    for pair in result.pairs:
        one, other = result.cluster_id(pair.a), result.cluster_id(pair.b)
        rows.append(
            {
                "lead_a": pair.a,
                "lead_b": pair.b,
                "kind": pair.kind,
                "cluster": one if one == other and result.in_cluster(pair.a) else "",
                "matched": "+".join(pair.matched),
                "explanation": pair.explain(),
            }
        )
    return ["lead_a", "lead_b", "kind", "cluster", "matched", "explanation"], rows


def _decisions_table(result: DedupeResult) -> Rows:
    names = ["inbound", "existing", "action", "via", "matched", "person", "reasons"]
    rows: list[dict[str, object]] = [
        {
            "inbound": d.inbound,
            "existing": d.existing,
            "action": d.action,
            "via": d.via,
            "matched": "+".join(d.matched),
            "person": d.person,
            "reasons": "+".join(d.reasons),
        }
        for pair in result.pairs
        for d in pair.decisions
    ]
    return names, rows


def _clusters_table(result: DedupeResult) -> Rows:
    rows: list[dict[str, object]] = [
        {"lead_id": member, "cluster_id": c.id, "cluster_size": c.size}
        for c in result.clusters
        for member in c.members
    ]
    return ["lead_id", "cluster_id", "cluster_size"], rows


def _generic_table(result: DedupeResult) -> Rows:
    names = ["kind", "key", "rows", "pairs", "handling"]
    return names, [attrs.asdict(g) for g in result.generic_keys]


def _bad_table(result: DedupeResult) -> Rows:
    names = ["row", "line", "field", "value", "message"]
    rows: list[dict[str, object]] = [
        {
            "row": b.row,
            "line": b.line,
            "field": b.field,
            "value": b.value
            if b.value is None or isinstance(b.value, str | int)
            else repr(b.value),
            "message": b.message,
        }
        for b in result.bad_rows
    ]
    return names, rows


BUILDERS: Final[dict[str, Callable[[DedupeResult], Rows]]] = {
    "pairs": _pairs_table,
    "decisions": _decisions_table,
    "clusters": _clusters_table,
    "generic_keys": _generic_table,
    "bad_rows": _bad_table,
}
