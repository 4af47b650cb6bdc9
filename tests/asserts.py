"""
Assertion helpers that compare what the rules say in full.

Reasons with their message and facts, errors with every problem's path, value, message
and code.

``Reason`` compares by code and message only (its facts are excluded from ``==``), and an
``InvalidInput`` is often checked by its first path alone: mutation testing (issue 20)
showed that facts, values and the later problems of an error then go unchecked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from leadcore.decisions import Reason
from leadcore.errors import InvalidInput


def explained(reasons: Iterable[Reason]) -> list[tuple[str, str, dict[str, object]]]:
    """Each reason as (code, message, facts)."""
    return [(r.code, r.message, dict(r.facts)) for r in reasons]


def problems(call: Callable[..., Any], *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
    """
    Call ``call`` expecting ``InvalidInput``; return its problems as (path, value, message).

    A problem whose code is not ``invalid_input`` gets its code as a fourth item.
    """
    with pytest.raises(InvalidInput) as raised:
        call(*args, **kwargs)
    return [
        (p.path, p.value, p.message) + (() if p.code == "invalid_input" else (p.code,))
        for p in raised.value.problems
    ]
