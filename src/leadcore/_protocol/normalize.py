"""Protocol rules ``normalize.phone``, ``normalize.email`` and ``normalize.name``."""

from __future__ import annotations

from leadcore import normalize
from leadcore._protocol.registry import Request, Result, rule
from leadcore.normalize import NormalizePolicy


def _region(request: Request[NormalizePolicy]) -> str:
    given = request.input.opt_text("region")
    region = request.policy.default_region if given is None else given
    where = "policy.default_region" if given is None else "input.region"
    return normalize.check_region(region, path=where)


@rule("normalize.phone", policy=NormalizePolicy)
def phone(request: Request[NormalizePolicy]) -> Result:
    """A phone number in E.164 form, or null when unusable (MRG-1)."""
    value = request.input.text("value")
    return {"normalized": normalize.phone(value, region=_region(request))}


# [decided] normalize.email and normalize.name take ``region`` like every normalize rule
# and check it the same way, though neither depends on it: the three rules share one
# input shape, and a bad region is refused wherever it is given (docs/decisions.md).


@rule("normalize.email", policy=NormalizePolicy)
def email(request: Request[NormalizePolicy]) -> Result:
    """An email trimmed and lower-cased, or null when unusable (a filler too: v1.2 of the rules)."""
    value = request.input.text("value")
    _region(request)
    fillers = request.policy.placeholder_email_locals
    return {"normalized": normalize.email(value, placeholder_email_locals=fillers)}


@rule("normalize.name", policy=NormalizePolicy)
def name(request: Request[NormalizePolicy]) -> Result:
    """A name folded (case, accents, punctuation, white space), or null when empty."""
    value = request.input.text("value")
    _region(request)
    return {"normalized": normalize.name(value)}
