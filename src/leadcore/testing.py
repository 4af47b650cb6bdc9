"""
Hypothesis strategies for leadcore's domain objects and protocol requests.

For property tests downstream (a service built on leadcore, another implementation's own
suite) and for ``leadcore conformance fuzz``. This module needs `hypothesis
<https://hypothesis.readthedocs.io>`_, which leadcore itself does not depend on: install
it with ``pip install 'leadcore[test]'`` (or ``pip install hypothesis``).

Two kinds of strategies:

* **Domain objects** (:func:`people`, :func:`leads`, :func:`users`, :func:`agents`,
  :func:`claims`, :func:`orgs`, :func:`crm_records`, :func:`events`,
  :func:`notifications`, :func:`reasons`, :func:`verdicts`, :func:`changes`,
  :func:`cancelled_events`) build valid frozen objects. Values come from small pools, so
  that two leads share a phone or a name often enough for the rules to have something to
  decide: names with accents, "ß"/"Straße", placeholders ("Unknown", "NULL"), names of
  other scripts whose marks matter ("राम"/"रमा"), blank text, phones written in several
  ways and some unparseable ones, emails with odd case and white space, fillers
  ("none@none.com").
* **Match rules** (:func:`match_items`, :func:`match_groups`, :func:`match_rules`) draw
  random rules of the match-rule language (any field, method, scorer, threshold, blank
  handling, ``at_least``, ``block_on``...), blockable ones on request, for testing an
  engine against brute force under rules nobody wrote.
* **Protocol requests** (:func:`requests`) build JSON request objects for any rule of the
  protocol, as ``leadcore decide`` reads them. Date-times sit on the rules' boundaries
  with a good probability (exactly 365, 120 and 45 days ago, exactly 10 minutes ago, a
  local midnight in the project's time zone) and are written with various offsets; unless
  ``valid=True``, a few requests carry a naive date-time or a value of the wrong type.

Every strategy is deterministic under hypothesis's seed and shrinks towards simple
values (no claims, no events, the first name of a pool, ``now`` on the hour).

>>> from hypothesis import given
>>> @given(requests("normalize.name"))
... def test_names_fold_the_same_twice(request):
...     from leadcore import protocol
...     assert protocol.decide(request) == protocol.decide(request)
>>> test_names_fold_the_same_twice()
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import random
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, cast

import attrs

try:
    from hypothesis import reject
    from hypothesis import strategies as st
except ImportError as _error:  # tested in a subprocess, measured there too
    _message = (
        "leadcore.testing needs hypothesis, which leadcore does not install by default: "
        "pip install 'leadcore[test]' (or pip install hypothesis)"
    )
    raise ImportError(_message) from _error

from leadcore import _wire, dedupe, handover, linking, merge, related, routing, simulation, wire
from leadcore import reasons as reasons_catalogue
from leadcore._attrs import checked
from leadcore.decisions import CancelledEvent, Change, Reason, Verdict
from leadcore.errors import InvalidInput
from leadcore.merge import (
    MatchGroup,
    MatchItem,
    MatchRule,
    MergePolicy,
    People,
    index_is_exact,
    rule_json,
)
from leadcore.model import (
    WIP_STATUSES,
    Agent,
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
from leadcore.normalize import NormalizePolicy

T = TypeVar("T")

__all__ = [
    "BLANKS",
    "BOUNDARY_AGES",
    "MATCH_FIELDS",
    "MAX_ITEMS",
    "MAX_TEXT",
    "NOW",
    "RULES",
    "RULE_RESULTS",
    "TIMEZONES",
    "agents",
    "aware_datetimes",
    "cancelled_events",
    "changes",
    "claims",
    "crm_records",
    "email_texts",
    "events",
    "leads",
    "match_groups",
    "match_items",
    "match_rules",
    "name_texts",
    "notifications",
    "objects",
    "orgs",
    "people",
    "phone_texts",
    "reasons",
    "requests",
    "users",
    "verdicts",
]


def __dir__() -> list[str]:
    return list(__all__)


NOW: Final = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
"""The instant strategies draw times around by default."""

TIMEZONES: Final = (
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Auckland",
)
"""IANA zones used for the offline cool-down day (RTE-5)."""

_DAY: Final = dt.timedelta(days=1)
_SECOND: Final = dt.timedelta(seconds=1)
_MINUTE: Final = dt.timedelta(minutes=1)

BOUNDARY_AGES: Final = tuple(
    base + shift
    for base in (
        dt.timedelta(0),
        10 * _MINUTE,
        45 * _DAY,
        120 * _DAY,
        365 * _DAY,
    )
    for shift in (dt.timedelta(0), -_SECOND, _SECOND)
    if base + shift >= dt.timedelta(0)
)
"""Ages the rules turn on (exactly, one second less, one second more): 10 minutes
(RTE-5, RTE-6), 45 days (MRG-7), 120 days and 365 days (MRG-3)."""

_OFFSETS: Final = (
    dt.UTC,
    dt.timezone(dt.timedelta(hours=1)),
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
    dt.timezone(dt.timedelta(hours=-8)),
    dt.timezone(dt.timedelta(hours=13)),
)

_NOWS: Final = (
    NOW,
    dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC),  # already the 24th in Paris
    dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),  # Paris changes to summer time
    dt.datetime(2026, 1, 1, 0, 5, tzinfo=dt.UTC),
)

_GIVEN_NAMES: Final = (
    "Ada",
    "José",
    "Jose",
    "Zoë",
    "Jean-Luc",
    "Jean Luc",
    "Unknown",
    "NULL",
    "name",
    "Li",
    "",
    "राम",  # Devanagari names that differ by a vowel sign only (v1.2 of the rules folding)
    "रमा",
)
_FAMILY_NAMES: Final = (
    "Lovelace",
    "Straße",
    "Strasse",
    "García",
    "Garcia",
    "O'Brien",
    "OBrien",
    "Blank",
    "Unknown",
    "Müller",
    "",
)
_PHONES: Final = (
    "+1 415 867 5309",
    "(415) 867-5309",
    "4158675309",
    "+44 20 7946 0018",
    "020 7946 0018",
    "+33 6 12 34 56 78",
    "06 12 34 56 78",
    "12345",
    "call me",
    "",
)
_EMAILS: Final = (
    "ada@example.com",
    " ADA@Example.com ",
    "jose@example.org",
    "zoe@example.net",
    "ada@@example.com",
    "no-at-sign",
    "ada lovelace@example.com",
    "none@none.com",  # fillers: unusable (v1.2 of the rules placeholder emails)
    "NA@NA.COM",
)
_ACCOUNT_NAMES: Final = (
    "Acme Corp.",
    "ACME corp",
    "A.C.M.E. Corp",
    "Straße GmbH",
    "Strasse GmbH",
    "Zoë & Co",
    "Zoe Co",
    "Globex",
    "",
    " - ",
    "राम ट्रेडर्स",
    "रमा ट्रेडर्स",
)


BLANKS: Final = ("", " ", "\t\n", "\u00a0", "\u2003", "\u3000 ", "\x1f", "\x85")
"""Texts that are empty or only white space or control characters: v1.2 of the rules reads them as
absent, everywhere. Drawn among names, phones, emails and account names."""

# Three of them in each pool, so they come up often without crowding the values out.
_SOME_BLANKS: Final = (BLANKS[1], BLANKS[3], BLANKS[7])
_ONE_IN_EIGHT: Final = st.sampled_from([False] * 7 + [True])


@functools.cache
def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@functools.cache
def _pool_or_text(pool: tuple[str, ...], alphabet: str | None = None) -> st.SearchStrategy[str]:
    drawn = st.text(max_size=12) if alphabet is None else st.text(alphabet, max_size=16)
    return st.sampled_from((*pool, *_SOME_BLANKS)) | drawn


@functools.cache
def name_texts() -> st.SearchStrategy[str]:
    """
    Names: given and family names with accents, "ß", placeholders, or any text.

    The pools are there to be found (which name hypothesis finds first is its own
    business, so only the condition is shown):

    >>> from hypothesis import find
    >>> "ß" in find(name_texts(), lambda name: "ß" in name)
    True
    """
    return _pool_or_text((*_GIVEN_NAMES, *_FAMILY_NAMES))


@functools.cache
def phone_texts() -> st.SearchStrategy[str]:
    """Phone numbers as people type them: several ways to write one number, junk too."""
    return _pool_or_text(_PHONES, "+0123456789 ()-.")


@functools.cache
def email_texts() -> st.SearchStrategy[str]:
    """Email addresses: usable ones in odd case and white space, unusable ones too."""
    return st.sampled_from((*_EMAILS, *_SOME_BLANKS)) | st.emails().map(str)


@functools.cache
def _ids(prefix: str, count: int) -> st.SearchStrategy[str]:
    return st.sampled_from([f"{prefix}{i}" for i in range(1, count + 1)])


_PAST_AGES: Final = st.one_of(
    st.sampled_from(BOUNDARY_AGES),
    st.integers(0, 400 * 86_400).map(lambda s: dt.timedelta(seconds=s)),
)
_FUTURE_AGES: Final = st.integers(-30 * 86_400, -1).map(lambda s: dt.timedelta(seconds=s))
_ANY_AGES: Final = _PAST_AGES | _FUTURE_AGES
_OFFSET: Final = st.sampled_from(_OFFSETS)


def _at(draw: st.DrawFn, around: dt.datetime, ages: st.SearchStrategy[dt.timedelta]) -> dt.datetime:
    return (around - draw(ages)).astimezone(draw(_OFFSET))


@checked
def aware_datetimes(
    *, around: dt.datetime = NOW, past: bool = True, future: bool = False
) -> st.SearchStrategy[dt.datetime]:
    """
    Timezone-aware datetimes near ``around``, on the rules' boundaries half of the time.

    Args:
        around: The reference instant (a rule's ``now``).
        past: Draw instants before ``around`` (by one of :data:`BOUNDARY_AGES` or any
            age up to 400 days).
        future: Draw instants after ``around`` (up to 30 days).

    """
    if past and future:
        ages = _ANY_AGES
    elif past:
        ages = _PAST_AGES
    elif future:
        ages = _FUTURE_AGES
    else:
        raise InvalidInput.single("past", past, "aware_datetimes needs past=True or future=True")
    return st.builds(lambda age, offset: (around - age).astimezone(offset), ages, _OFFSET)


@functools.cache
def people() -> st.SearchStrategy[Person]:
    """A customer or co-customer: names, phones and emails from small shared pools."""
    return st.builds(
        Person,
        first_name=_maybe(name_texts()),
        last_name=_maybe(name_texts()),
        phones=st.lists(phone_texts(), max_size=3),
        emails=st.lists(email_texts(), max_size=2),
    )


def _event(draw: st.DrawFn, around: dt.datetime) -> Event:
    return Event(
        id=draw(_ids("e", 6)),
        at=_at(draw, around, _ANY_AGES),
        status=draw(_EVENT_STATUS),
    )


_EVENT_STATUS: Final = st.sampled_from(EventStatus)


@checked
@st.composite
def events(draw: st.DrawFn, *, around: dt.datetime = NOW) -> Event:
    """An event before or after ``around``, in any status."""
    return _event(draw, around)


_STATUSES: Final = (*WIP_STATUSES, "new", "linked", "merged", "lost")


def _lead(draw: st.DrawFn, lead_id: str, around: dt.datetime) -> Lead:
    found: dict[str, Event] = {}
    for _ in range(draw(_SMALL)):
        event = _event(draw, around)
        found.setdefault(event.id, event)
    return Lead(
        id=lead_id,
        customer=draw(people()),
        co_customer=draw(_maybe(people())),
        project=draw(_maybe(_ids("p", 2))),
        status=draw(_maybe(_STATUS)),
        owner=draw(_maybe(_ids("u", 4))),
        viewers=draw(_VIEWERS),
        source=draw(_maybe(_SOURCE)),
        channel=draw(_maybe(_CHANNEL)),
        lot=draw(_maybe(_ids("lot", 3))),
        org=draw(_maybe(_ids("o", 4))),
        pipeline=draw(_maybe(_PIPELINE)),
        created_at=None if draw(_SOMETIMES_NONE) else _at(draw, around, _PAST_AGES),
        last_activity_at=None if draw(_SOMETIMES_NONE) else _at(draw, around, _PAST_AGES),
        events=tuple(found.values()),
        fields=draw(_FIELDS),
    )


_SMALL: Final = st.integers(0, 3)
_STATUS: Final = st.sampled_from(_STATUSES)
_VIEWERS: Final = st.lists(_ids("u", 4), max_size=2, unique=True)
_SOURCE: Final = st.sampled_from(["web", "credit_application", "phone"])
_CHANNEL: Final = st.sampled_from(["digital", "offline", "fresh", "transfer"])
_PIPELINE: Final = st.sampled_from(["sales", "manager"])
_SOMETIMES_NONE: Final = st.sampled_from([False, False, False, True])
_FIELDS: Final = st.dictionaries(
    st.sampled_from(["budget", "note"]), st.integers(-5, 5) | st.text(max_size=5)
)


@checked
@st.composite
def leads(
    draw: st.DrawFn,
    *,
    lead_id: st.SearchStrategy[str] | None = None,
    around: dt.datetime = NOW,
) -> Lead:
    """
    A lead with every field drawn from small pools (projects, owners, lots, orgs).

    Its dates are drawn before ``around`` (created, last activity; one of
    :data:`BOUNDARY_AGES` half of the time) and its events on either side.

    Args:
        draw: Supplied by hypothesis (callers do not pass it).
        lead_id: The id strategy (default: one of ``L1``...``L6``).
        around: The ``now`` its dates are drawn around.

    """
    return _lead(draw, draw(_ids("L", 6) if lead_id is None else lead_id), around)


@functools.cache
def users() -> st.SearchStrategy[User]:
    """A user of one of four organisations, with any roles and assignment ownerships."""
    return st.builds(
        User,
        id=_ids("u", 6),
        org=_maybe(_ids("o", 4)),
        roles=st.frozensets(st.sampled_from(Role), max_size=3),
        assignment_owner_of=st.frozensets(_ids("p", 2)),
    )


@functools.cache
def agents() -> st.SearchStrategy[Agent]:
    """A sales agent of one of two projects, its app's switches mostly on."""
    mostly = st.sampled_from([True, True, True, False])
    return st.builds(
        Agent,
        id=_ids("a", 8),
        project=_ids("p", 2),
        active=mostly,
        lead_flow=mostly,
        battery_optimization_disabled=mostly,
        autorun_enabled=mostly,
        network_ok=mostly,
    )


@checked
def claims(
    *, around: dt.datetime = NOW, agent: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Claim]:
    """
    A claim at a boundary age (exactly 10 minutes ago...) or any time in the last days.

    The rulebook: claims after ``now`` are ignored, so one claim in eight is drawn after
    ``around`` (a second after, or up to an hour).

    Args:
        around: The ``now`` it is drawn near.
        agent: The agent id strategy (default: one of ``a1``...``a8``).

    """
    past = st.one_of(
        # Exactly 10 minutes ago twice as often as its neighbours: the boundary of RTE-5
        # and RTE-6 (``now - at < 10 min``).
        st.sampled_from(
            [10 * _MINUTE, 10 * _MINUTE, 10 * _MINUTE - _SECOND, 10 * _MINUTE + _SECOND, _SECOND]
        ),
        st.integers(0, 3 * 86_400).map(lambda s: dt.timedelta(seconds=s)),
    )
    future = st.one_of(
        st.sampled_from([-_SECOND, -10 * _MINUTE]),
        st.integers(-3_600, -1).map(lambda s: dt.timedelta(seconds=s)),
    )
    recent = _ONE_IN_EIGHT.flatmap(lambda later: future if later else past)
    return st.builds(
        lambda agent, age, bucket: Claim(agent=agent, at=around - age, bucket=bucket),
        _ids("a", 8) if agent is None else agent,
        recent,
        st.sampled_from(ClaimBucket),
    )


@functools.cache
def orgs() -> st.SearchStrategy[Org]:
    """An organisation ``o1``...``o4`` with any parent and settings."""
    return st.builds(
        Org,
        id=_ids("o", 4),
        parent=_maybe(_ids("o", 4)),
        handover_enabled=st.booleans(),
        cross_silo_enabled=st.booleans(),
    )


@functools.cache
def crm_records() -> st.SearchStrategy[CrmRecord]:
    """A CRM record of any kind, account names that fold alike, accounts from a pool."""
    return st.builds(
        CrmRecord,
        id=_ids("r", 6),
        kind=st.sampled_from(RecordKind),
        account_id=_maybe(_ids("acc", 3)),
        account_name=st.none() | st.sampled_from((*_ACCOUNT_NAMES, *_SOME_BLANKS)),
        in_cadence=st.sampled_from([True, True, False]),
        cadences=st.lists(_ids("c", 3), max_size=2, unique=True),
    )


@functools.cache
def notifications() -> st.SearchStrategy[Notification]:
    """A notification effect."""
    return st.builds(
        Notification,
        to=_ids("u", 6) | _ids("o", 4),
        kind=st.sampled_from(["lead_linked", "handover", "cross_silo"]),
        lead=_ids("L", 6),
        channels=st.lists(st.sampled_from(["push", "sales_app", "sales_feed"]), max_size=2),
    )


_CODES: Final = tuple(
    sorted({entry.code for group in reasons_catalogue.CATALOGUE for entry in group.codes})
)


@functools.cache
def reasons() -> st.SearchStrategy[Reason]:
    """A reason with a code of the catalogue (:mod:`leadcore.reasons`) and a message."""
    return st.builds(
        Reason,
        code=st.sampled_from(_CODES),
        message=st.text(min_size=1, max_size=30),
    )


@functools.cache
def verdicts() -> st.SearchStrategy[Verdict]:
    """A verdict: allowed exactly when it has no reason."""
    return st.lists(reasons(), max_size=3, unique_by=lambda r: r.code).map(Verdict.from_reasons)


@functools.cache
def changes() -> st.SearchStrategy[Change]:
    """One changed field of a lead, with its old and new value."""
    return st.builds(
        Change,
        lead=_ids("L", 6),
        field=st.sampled_from(["status", "owner", "lot"]),
        old=st.none() | st.text(max_size=8),
        new=st.none() | st.text(max_size=8),
    )


@functools.cache
def cancelled_events() -> st.SearchStrategy[CancelledEvent]:
    """An event a link cancelled (LNK-6)."""
    return st.builds(
        CancelledEvent, lead=_ids("L", 6), event=_ids("e", 6), at=aware_datetimes(future=True)
    )


# -- match rules --------------------------------------------------------------------------

MATCH_FIELDS: Final = (
    "name",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone",
    "source",
    "lot",
    "fields.budget",
    "fields.note",
)
"""Fields :func:`match_items` draws: every person field, two lead fields, and the custom
fields :func:`leads` fills (``budget``, ``note``)."""

_THRESHOLDS: Final = {
    "token_sort_ratio": st.sampled_from([0, 50, 80, 90, 100]) | st.integers(0, 100),
    "ratio": st.sampled_from([0, 60, 85, 100]) | st.integers(0, 100),
    "jaro_winkler": st.sampled_from([0.0, 0.8, 0.9, 1.0]) | st.floats(0, 1),
    "levenshtein": st.integers(0, 3),
}


@st.composite
def _item(  # noqa: C901  # one option at a time
    draw: st.DrawFn,
    fields: tuple[str, ...],
    keyable: bool | None,  # noqa: FBT001  # private
) -> MatchItem:
    field = draw(st.sampled_from(fields))
    methods = ["exact"] if field == "name" else ["exact", "prefix", "initial", "fuzzy"]
    if field == "email":
        methods.append("domain")
    if keyable is True:
        methods = [m for m in methods if m != "fuzzy"]
    elif keyable is False and field != "name":
        methods = ["fuzzy"]
    method = draw(st.sampled_from(methods))
    options: dict[str, Any] = {"field": field, "method": method}
    if method == "prefix":
        options["length"] = draw(st.integers(1, 4))
    if method == "fuzzy":
        scorer = draw(st.sampled_from(sorted(_THRESHOLDS)))
        options["scorer"] = scorer
        options["threshold"] = draw(_THRESHOLDS[scorer])
    if method == "domain":
        options["free_domains"] = draw(
            st.sampled_from([("example.com",), ("x.io", "mail.org"), ()])
        )
    blanks = "match" if keyable is False and field == "name" else "never"
    if keyable is not True and draw(st.integers(0, 5)) == 0:
        blanks = "match"
    options["blanks"] = blanks
    if field in ("name", "first_name", "last_name", "full_name") and draw(st.booleans()):
        options["placeholders"] = "value"
    if field.startswith("fields.") or field in ("source", "lot"):
        options["normalizer"] = draw(st.sampled_from(["text", "text", "exact"]))
    if method != "fuzzy" and blanks == "never" and draw(st.integers(0, 4)) == 0:
        options["max_leads"] = draw(st.integers(1, 3))
    return MatchItem(**options)


def _check_fields(fields: tuple[str, ...]) -> None:
    if not fields:
        raise InvalidInput.single("fields", fields, "must name at least one field")
    for position, field in enumerate(fields):
        try:
            MatchItem(field=field)
        except InvalidInput as error:
            message = error.problems[0].message
            raise InvalidInput.single(f"fields[{position}]", field, message) from None


@checked
def match_items(
    *, fields: tuple[str, ...] = MATCH_FIELDS, keyable: bool | None = None
) -> st.SearchStrategy[MatchItem]:
    """
    One item of a match rule: any field of ``fields``, any method it allows.

    Thresholds sit on their ends (0, 100, 1.0) often; blanks match one time in six;
    ``max_leads`` (1 to 3) one time in five.

    Args:
        fields: The fields to draw from (default :data:`MATCH_FIELDS`).
        keyable: True: exact-style items only (they can be blocked on); False: fuzzy
            items and items whose blanks match; None: any.

    """
    _check_fields(fields)
    return _item(fields, keyable)


def _relabel(items: list[MatchItem], seen: dict[str, MatchItem]) -> list[MatchItem]:
    found = []
    for item in items:
        label = item.label
        if seen.setdefault(label, item) != item:
            label = f"{label}#{len(seen)}"
            item = attrs.evolve(item, label=label)  # noqa: PLW2901  # the relabelled item
            seen[label] = item
        found.append(item)
    return found


@st.composite
def _group(
    draw: st.DrawFn,
    fields: tuple[str, ...],
    blockable: bool,  # noqa: FBT001  # private
    seen: dict[str, MatchItem],
) -> MatchGroup:
    items = _relabel(draw(st.lists(match_items(fields=fields), min_size=1, max_size=4)), seen)
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        options["all_of"] = items
    else:
        options["of"] = items
        options["at_least"] = draw(st.integers(1, len(items)))
    if draw(st.integers(0, 3)) == 0:
        keys = draw(st.lists(match_items(fields=fields, keyable=True), min_size=1, max_size=2))
        options["block_on"] = _relabel(keys, seen)
    options["people"] = draw(st.sampled_from([None, None, "closest", "either", "customer"]))
    if draw(st.integers(0, 5)) == 0:
        options["inbound_lacks"] = draw(
            st.lists(st.sampled_from(["email", "full_name", "phone", "fields.note"]), max_size=2)
        )
    group = MatchGroup(**options)
    if blockable:
        probe = MergePolicy(duplicate_rule=MatchRule(any_of=[group]))
        if not index_is_exact(probe, mode="duplicates"):
            key = _relabel([draw(match_items(fields=fields, keyable=True))], seen)
            group = attrs.evolve(group, block_on=(*group.block_on, *key))
    return group


@st.composite
def _rule(draw: st.DrawFn, fields: tuple[str, ...], blockable: bool) -> MatchRule:  # noqa: FBT001  # private
    seen: dict[str, MatchItem] = {}
    groups = draw(st.lists(_group(fields, blockable, seen), min_size=1, max_size=3))
    labelled = [
        attrs.evolve(g, label=f"g{i}") if draw(st.booleans()) else g for i, g in enumerate(groups)
    ]
    people: People = draw(st.sampled_from(["closest", "closest", "either", "customer"]))
    return MatchRule(any_of=labelled, people=people)


@checked
def match_groups(
    *, fields: tuple[str, ...] = MATCH_FIELDS, blockable: bool = False
) -> st.SearchStrategy[MatchGroup]:
    """
    One group of a match rule: 1 to 4 items, ``all_of`` or ``at_least`` k ``of`` them.

    A quarter of the groups declare ``block_on`` keys, a sixth ``inbound_lacks``; the
    ``people`` override is drawn too.

    Args:
        fields: The fields its items compare.
        blockable: Give every group a key its matches share (adding a ``block_on`` item
            to a group of fuzzy items), as batch deduplication requires.

    """
    _check_fields(fields)
    return st.builds(dict).flatmap(lambda seen: _group(fields, blockable, seen))


@checked
def match_rules(
    *, fields: tuple[str, ...] = MATCH_FIELDS, blockable: bool = False
) -> st.SearchStrategy[MatchRule]:
    """
    A match rule: 1 to 3 groups of :func:`match_groups`, labelled or not, any ``people``.

    Items are relabelled where two different items would share a label.

    >>> from hypothesis import given, settings
    >>> from leadcore.merge import MergePolicy, index_is_exact
    >>> @settings(max_examples=20)
    ... @given(match_rules(blockable=True))
    ... def test_blockable_rules_can_be_looked_up(rule):
    ...     assert index_is_exact(MergePolicy(duplicate_rule=rule), mode="duplicates")
    >>> test_blockable_rules_can_be_looked_up()

    Args:
        fields: The fields its items compare.
        blockable: Every group has a key its matches share (see :func:`match_groups`).

    """
    _check_fields(fields)
    return _rule(fields, blockable)


# -- protocol requests --------------------------------------------------------------------

Input = dict[str, Any]
_InputFn = Callable[[st.DrawFn, dt.datetime], Input]


def _json(item: object) -> Input:
    written = _wire.value(item)
    assert isinstance(written, dict)  # noqa: S101  # value() writes attrs objects as dicts
    return written


def _lead_json(draw: st.DrawFn, now: dt.datetime, lead_id: str) -> Input:
    return _wire.lead(_lead(draw, lead_id, now))


def _link(draw: st.DrawFn, now: dt.datetime) -> Input:
    project = draw(_ids("p", 2))
    primary = _lead(draw, "L1", now)
    secondary = _lead(draw, draw(st.sampled_from(["L2", "L2", "L1"])), now)
    same_project = draw(st.sampled_from([True, True, False]))
    primary_json = _wire.lead(primary)
    secondary_json = _wire.lead(secondary)
    if same_project:
        primary_json["project"] = secondary_json["project"] = project
    owners = [o for o in (primary.owner, secondary.owner) if o] or ["u1"]
    return {
        "primary": primary_json,
        "secondary": secondary_json,
        "actor": _json(draw(users())),
        "owner": draw(st.sampled_from([*owners, "u5"])),
    }


def _visibility(draw: st.DrawFn, now: dt.datetime) -> Input:
    return {"lead": _lead_json(draw, now, "L1"), "user": _json(draw(users()))}


_PERSON_KEYS: Final = st.sampled_from(["", "", "", "first_name", "last_name", "phones", "emails"])
# Exactly 365 days twice as often as its neighbours: the boundary of MRG-3.
_MERGE_AGES: Final = st.sampled_from(
    [365 * _DAY - _SECOND, 365 * _DAY, 365 * _DAY, 365 * _DAY + _SECOND, 30 * _DAY]
)
_ACTIVITY_AGES: Final = st.sampled_from(
    [_DAY, 45 * _DAY, 45 * _DAY + _SECOND, 120 * _DAY, 120 * _DAY + _SECOND]
)


def _existing(draw: st.DrawFn, now: dt.datetime, inbound: Input) -> list[Input]:
    found = []
    for number in range(2, draw(st.integers(0, 3)) + 2):
        lead = _lead_json(draw, now, f"L{number}")
        if draw(st.booleans()):
            # The same customer, perhaps without one detail: the rules have a match to
            # decide on (MRG-1), and its dates sit on the boundaries half of the time.
            twin = copy.deepcopy(inbound["customer"])
            twin.pop(draw(_PERSON_KEYS), None)
            lead["customer" if draw(_SOMETIMES_NONE) else "co_customer"] = twin
            lead["created_at"] = _at(draw, now, _MERGE_AGES).isoformat()
            lead["last_activity_at"] = _at(draw, now, _ACTIVITY_AGES).isoformat()
        found.append(lead)
    return found


def _merge_auto(draw: st.DrawFn, now: dt.datetime) -> Input:
    inbound = _lead_json(draw, now, "L1")
    return {"inbound": inbound, "existing": _existing(draw, now, inbound)}


def _merge_duplicates(draw: st.DrawFn, now: dt.datetime) -> Input:
    lead = _lead_json(draw, now, "L1")
    return {"lead": lead, "existing": _existing(draw, now, lead)}


def _merge_manual(draw: st.DrawFn, now: dt.datetime) -> Input:
    other = draw(st.sampled_from(["L2", "L2", "L2", "L1"]))
    return {"master": _lead_json(draw, now, "L1"), "other": _lead_json(draw, now, other)}


_MOSTLY_ON: Final = st.sampled_from([True] * 7 + [False])
_ROUTING_AGENTS: Final = st.lists(
    st.builds(
        Agent,
        id=_ids("a", 8),
        project=_ids("p", 2),
        active=_MOSTLY_ON,
        lead_flow=_MOSTLY_ON,
        battery_optimization_disabled=_MOSTLY_ON,
        autorun_enabled=_MOSTLY_ON,
        network_ok=_MOSTLY_ON,
    ),
    max_size=8,
    unique_by=lambda a: a.id,
)


def _agent_pool(draw: st.DrawFn, project: str) -> list[Input]:
    found = [_json(a) for a in draw(_ROUTING_AGENTS)]
    for agent in found:
        if not draw(_SOMETIMES_NONE):
            agent["project"] = project
    return found


def _claim_pool(
    draw: st.DrawFn, now: dt.datetime, zone: str | None, agent_ids: list[str]
) -> list[Input]:
    found = [_json(c) for c in draw(st.lists(claims(around=now), max_size=3))]
    for claim in found:
        # Mostly claims of the agents at hand, so that cool-downs matter (RTE-5).
        if agent_ids and not draw(_SOMETIMES_NONE):
            claim["agent"] = draw(st.sampled_from(agent_ids))
    if zone is not None and draw(st.booleans()):
        # A claim just before or after the local midnight of now's day (RTE-5, offline).
        from zoneinfo import ZoneInfo  # noqa: PLC0415  # only needed here

        local = now.astimezone(ZoneInfo(zone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        # Never after now: a second past midnight only once now is past it (midnight
        # itself always is, so there is a shift to draw).
        shifts = [s for s in (dt.timedelta(0), -_SECOND, _SECOND, -_MINUTE) if midnight + s <= now]
        at = midnight + draw(st.sampled_from(shifts))
        found.append(
            {
                "agent": draw(st.sampled_from(agent_ids) if agent_ids else _ids("a", 8)),
                "at": at.isoformat(),
                "bucket": draw(st.sampled_from(["digital", "offline"])),
            }
        )
    return found


def _routing_base(draw: st.DrawFn, now: dt.datetime) -> Input:
    zone = draw(st.none() | st.sampled_from(TIMEZONES))
    project = draw(_ids("p", 2))
    agents = _agent_pool(draw, project)
    data: Input = {
        "channel": draw(st.sampled_from(["digital", "offline"])),
        "lead": {"id": "L1", "project": project},
        "agents": agents,
        "claims": _claim_pool(draw, now, zone or "UTC", [a["id"] for a in agents]),
    }
    if zone is not None:
        data["timezone"] = zone
    return data


def _eligible(draw: st.DrawFn, now: dt.datetime) -> Input:
    return _routing_base(draw, now)


def _check_wave(draw: st.DrawFn, now: dt.datetime) -> Input:
    data = _routing_base(draw, now)
    known = [a["id"] for a in data["agents"]] + ["a9"]
    data["offered_before"] = draw(st.lists(st.sampled_from(known), max_size=3, unique=True))
    data["wave"] = draw(st.lists(st.sampled_from(known), max_size=6))
    return data


def _dispatch(draw: st.DrawFn, now: dt.datetime) -> Input:
    data = _routing_base(draw, now)
    known = [a["id"] for a in data["agents"]] + ["a9"]
    kinds = ["claim", "decline", "timeout", "answer"]
    events = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(kinds))
        event: Input = {
            "type": kind,
            "at": (now + draw(st.integers(0, 1800)) * _SECOND).isoformat(),
        }
        if kind != "timeout":
            event["agent"] = draw(st.sampled_from(known))
        events.append(event)
    data["seed"] = draw(st.integers(0, 2**31))
    data["events"] = events
    return data


def _counts(draw: st.DrawFn) -> Input:
    return {
        "fresh_count": draw(st.integers(0, 40)),
        "active_agents": draw(st.sampled_from([1, 2, 3, 5, 7]) | st.integers(-1, 10)),
    }


def _fresh_limit(draw: st.DrawFn, now: dt.datetime) -> Input:
    del now
    return _counts(draw)


def _fresh_claim(draw: st.DrawFn, now: dt.datetime) -> Input:
    data = _counts(draw)
    data["agent"] = draw(_ids("a", 3))
    mine = claims(around=now, agent=_ids("a", 3))
    data["claims"] = [_json(c) for c in draw(st.lists(mine, max_size=6))]
    data["requested"] = draw(st.integers(1, 6) | st.integers(-1, 0))
    return data


def _transfer(draw: st.DrawFn, now: dt.datetime) -> Input:
    return {
        "lead": _lead_json(draw, now, "L1"),
        "to": _json(draw(agents())),
        "by": _json(draw(users())),
    }


def _diagnose(draw: st.DrawFn, now: dt.datetime) -> Input:
    del now
    return {
        "agent": _json(draw(agents())),
        "channel": draw(st.sampled_from(["digital", "offline"])),
    }


def _org_tree(draw: st.DrawFn) -> list[Input]:
    # o1 is the root; o2 and o3 its children; o4 a child of o2 or a second root.
    o4_parent = draw(st.sampled_from([None, "o2"]))
    parents = {"o1": None, "o2": "o1", "o3": "o1", "o4": o4_parent}
    return [
        {
            "id": org,
            "parent": parent,
            "handover_enabled": draw(st.sampled_from([True, True, False])),
            "cross_silo_enabled": draw(st.booleans()),
        }
        for org, parent in parents.items()
    ]


def _handover(draw: st.DrawFn, now: dt.datetime) -> Input:
    lead = _lead_json(draw, now, "L1")
    lead["org"] = draw(_ids("o", 4))
    sender = _json(draw(users()))
    sender["org"] = lead["org"] if draw(st.booleans()) else draw(_ids("o", 4))
    return {
        "lead": lead,
        "sender": sender,
        "target_org": draw(_ids("o", 4)),
        "orgs": _org_tree(draw),
    }


def _review(draw: st.DrawFn, now: dt.datetime) -> Input:
    data: Input = {
        "lead": _lead_json(draw, now, "L1"),
        "manager": _json(draw(users())),
    }
    if draw(st.booleans()):
        data["assignee"] = _json(draw(users()))
    return data


_CRM_KINDS: Final = {
    "salesforce": ("lead", "contact"),
    "zoho": ("lead", "contact"),
    "dynamics": ("lead", "contact"),
    "pipedrive": ("person",),
    "hubspot": ("contact",),
    "sellsy": ("contact",),
}


def _related_find(draw: st.DrawFn, now: dt.datetime) -> Input:
    del now
    crm = draw(st.sampled_from(Crm)).value
    kinds = st.sampled_from(_CRM_KINDS[crm])
    found = draw(st.lists(crm_records(), min_size=1, max_size=6, unique_by=lambda r: r.id))
    records = [_json(r) for r in found]
    for record in records:
        record["kind"] = draw(kinds)
    return {
        "crm": crm,
        "connected": draw(st.sampled_from([True, True, True, False])),
        "record": records[0],
        "records": records[1:],
    }


def _related_stop(draw: st.DrawFn, now: dt.datetime) -> Input:
    del now
    pairs = st.fixed_dictionaries({"lead": _ids("r", 4), "cadence": _ids("c", 3)})
    current = draw(_ids("r", 4))
    selected = draw(st.lists(_ids("r", 4), max_size=3, unique=True))
    if not draw(_SOMETIMES_NONE):
        selected = [s for s in selected if s != current]
    return {
        "selected": selected,
        "current": current,
        "include_current": draw(st.booleans()),
        "memberships": draw(st.lists(pairs, max_size=6)),
    }


def _normalize_phone(draw: st.DrawFn, now: dt.datetime) -> Input:
    del now
    data: Input = {"value": draw(phone_texts())}
    region = draw(st.none() | st.sampled_from(["US", "FR", "GB"]))
    if region is not None:
        data["region"] = region
    return data


def _normalize_email(draw: st.DrawFn, now: dt.datetime) -> Input:
    del now
    return {"value": draw(email_texts())}


def _normalize_name(draw: st.DrawFn, now: dt.datetime) -> Input:
    del now
    return {"value": draw(name_texts())}


_INPUTS: Final[Mapping[str, _InputFn]] = {
    "handover.apply": _handover,
    "handover.check": _handover,
    "handover.cross_silo": _handover,
    "handover.review": _review,
    "link.apply": _link,
    "link.check": _link,
    "link.visibility": _visibility,
    "merge.auto": _merge_auto,
    "merge.duplicates": _merge_duplicates,
    "merge.manual": _merge_manual,
    "normalize.email": _normalize_email,
    "normalize.name": _normalize_name,
    "normalize.phone": _normalize_phone,
    "related.find": _related_find,
    "related.stop": _related_stop,
    "routing.check_wave": _check_wave,
    "routing.diagnose": _diagnose,
    "routing.dispatch": _dispatch,
    "routing.eligible": _eligible,
    "routing.fresh_claim": _fresh_claim,
    "routing.fresh_limit": _fresh_limit,
    "routing.transfer": _transfer,
}

RULES: Final = tuple(sorted(_INPUTS))
"""Every protocol rule :func:`requests` can build a request for (the protocol's table)."""

_POLICIES: Final[Mapping[str, tuple[Input, ...]]] = {
    "merge": ({"merge_max_age_days": 30}, {"auto_merge_min_conditions": 1}),
    "routing": ({"wave_size": 2}, {"digital_cooldown_minutes": 5}),
    "normalize": ({"default_region": "FR"},),
}

_DATETIME_KEYS: Final = frozenset({"now", "at", "created_at", "last_activity_at"})


def _datetime_paths(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in _DATETIME_KEYS and isinstance(inner, str):
                found.append((*path, key))
            else:
                found.extend(_datetime_paths(inner, (*path, key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.extend(_datetime_paths(inner, (*path, index)))
    return found


def _set(request: Input, path: tuple[str | int, ...], value: object) -> None:
    target: Any = request
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _get(request: Input, path: tuple[str | int, ...]) -> object:
    target: Any = request
    for step in path:
        target = target[step]
    return target


_JUNK: Final[tuple[object, ...]] = (None, 12, "", [], {}, "x" * 10_001, True)

MAX_TEXT: Final = 10_000
"""The longest string GEN-5 accepts; requests draw strings of this length and one
less (and, when damaged, one more)."""

MAX_ITEMS: Final = 100_000
"""The longest list GEN-5 accepts; requests draw lists of this length and one less
(and, when damaged, one more)."""

# Keys whose texts are not free: date-times, closed sets, and the request's own.
_FIXED_TEXTS: Final = frozenset(
    {"at", "created_at", "last_activity_at", "now", "channel", "kind", "type", "bucket", "crm"}
    | {"status", "rule", "region", "timezone", "source", "pipeline"}
)
# Lists of texts a request may grow to the limit: each costs the rules one pass.
_LONG_LISTS: Final = frozenset(
    {"phones", "emails", "viewers", "cadences", "selected", "offered_before", "wave"}
)


def _paths(
    value: object, want: Callable[[str | int, object], bool], path: tuple[str | int, ...] = ()
) -> list[tuple[str | int, ...]]:
    """Every place in ``value`` (not the request's own keys) whose key and value ``want``."""
    found: list[tuple[str | int, ...]] = []
    items: list[tuple[str | int, object]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, inner in items:
        if path and want(key, inner):
            found.append((*path, key))
        found.extend(_paths(inner, want, (*path, key)))
    return found


def _free_text(key: str | int, value: object) -> bool:
    return isinstance(value, str) and key not in _FIXED_TEXTS


def _long_list(key: str | int, value: object) -> bool:
    return key in _LONG_LISTS and isinstance(value, list)


def _edge(draw: st.DrawFn, request: Input, kind: str, *, over: bool) -> None:
    """
    Put a value on a GEN-5 edge (or, ``over``, one past it) somewhere in the input.

    ``kind``: ``surrogate`` (a lone surrogate in a text), ``long`` (a text) or ``many``
    (a list). An input with no such place is left as it is, and nothing is drawn.
    """
    if kind == "surrogate":
        texts = _paths(request["input"], _free_text, ("input",))
        if texts:
            path = draw(st.sampled_from(texts))
            text = _get(request, path)
            assert isinstance(text, str)  # noqa: S101  # found as a text
            lone = draw(st.sampled_from(["\ud800", "\udfff", "\udc00"]))
            _set(request, path, text[:1] + lone + text[1:])
    elif kind == "long":
        texts = _paths(request["input"], _free_text, ("input",))
        if texts:
            size = MAX_TEXT + draw(st.sampled_from([1] if over else [-1, 0]))
            fill = draw(st.sampled_from(["x", "é", " ", "ß"]))
            # Spaces after a letter: a text of spaces alone is blank, and a blank id is
            # refused whatever its length, which is not the edge drawn here.
            _set(
                request,
                draw(st.sampled_from(texts)),
                fill * size if fill != " " else "x" + fill * (size - 1),
            )
    else:  # many
        lists = _paths(request["input"], _long_list, ("input",))
        if lists:
            path = draw(st.sampled_from(lists))
            items = _get(request, path)
            assert isinstance(items, list)  # noqa: S101  # found as a list
            size = MAX_ITEMS + draw(st.sampled_from([1] if over else [-1, 0]))
            # Repeats of one item: big, yet cheap to build, send and answer.
            _set(request, path, [items[0] if items else "x"] * size)


@st.composite
def _request(draw: st.DrawFn, rule: str, valid: bool) -> Input:  # noqa: FBT001  # private
    base = draw(st.sampled_from(_NOWS))
    now = (base + draw(st.integers(0, 90)) * _MINUTE).astimezone(draw(st.sampled_from(_OFFSETS)))
    request: Input = {
        "id": "fuzz",
        "rule": rule,
        "now": now.isoformat(),
        "input": _INPUTS[rule](draw, now),
    }
    family = rule.split(".", 1)[0]
    overrides = _POLICIES.get(family, ())
    if overrides and draw(st.integers(0, 9)) == 0:
        request["policy"] = dict(draw(st.sampled_from(overrides)))
        if family == "merge" and draw(st.booleans()):
            # A drawn match rule, as JSON, for either mode.
            key = draw(st.sampled_from(["auto_merge_rule", "duplicate_rule"]))
            request["policy"] = {key: rule_json(draw(match_rules()))}
    edge = draw(st.sampled_from(["none"] * 21 + ["long", "many"]))
    if edge != "none":
        _edge(draw, request, edge, over=False)
    if valid:
        return request
    damage = draw(
        st.sampled_from(["none"] * 28 + ["naive"] * 2 + ["junk"] * 2 + ["surrogate", "over"])
    )
    if damage == "surrogate":
        _edge(draw, request, "surrogate", over=True)
    elif damage == "over":
        _edge(draw, request, draw(st.sampled_from(["long", "many"])), over=True)
    elif damage == "naive":
        paths = _datetime_paths(request)
        path = draw(st.sampled_from(paths))
        text = _get(request, path)
        assert isinstance(text, str)  # noqa: S101  # found as a date-time text
        _set(request, path, dt.datetime.fromisoformat(text).replace(tzinfo=None).isoformat())
    elif damage == "junk":
        # Every rule's input has a key (the _INPUTS builders): one of them is junk now.
        keys = sorted(request["input"])
        request["input"][draw(st.sampled_from(keys))] = draw(st.sampled_from(_JUNK))
    return request


@checked
def requests(rule: str | None = None, *, valid: bool = False) -> st.SearchStrategy[Input]:
    """
    Protocol requests (JSON objects) for ``rule``, or for any rule when None.

    The input follows the protocol's table for the rule; ``now`` is one of a few instants near day
    boundaries and time-zone changes, written with various offsets; one request in ten
    overrides a policy field of its family. Texts include blank ones (:data:`BLANKS`) and
    claims include some after ``now``. About one request in eleven puts a value on a
    GEN-5 edge: a text of :data:`MAX_TEXT` characters or one less, or a list of texts of
    :data:`MAX_ITEMS` items or one less. Unless ``valid`` is true, about one request in
    six is damaged: one date-time loses its offset (``naive_datetime``), one input key gets
    a value of the wrong type, a text gets a lone surrogate, or a text or list goes one
    past its GEN-5 limit (``invalid_input``). The request's ``id`` is ``"fuzz"``.

    Args:
        rule: A rule of :data:`RULES` (``"merge.auto"``), or None for any rule.
        valid: Never damage the request.

    Raises:
        InvalidInput: ``rule`` is not a protocol rule (a ``ValueError`` too).

    >>> from hypothesis import find
    >>> request = find(requests("normalize.phone"), lambda r: r["input"]["value"] == "12345")
    >>> request["rule"], request["input"]["value"]
    ('normalize.phone', '12345')

    """
    if rule is None:
        return st.sampled_from(RULES).flatmap(lambda name: _request(name, valid))
    if rule not in _INPUTS:
        raise InvalidInput.single("rule", rule, f"must be a protocol rule: {', '.join(RULES)}")
    return _request(rule, valid)


# -- every input and result type (for JSON round trips) -----------------------------------


def _now(request: Input) -> dt.datetime:
    return _wire.parse_datetime(request["now"], "now")


@st.composite
def _decided(draw: st.DrawFn, rule: str, make: Callable[[Input, dt.datetime], Any]) -> Any:  # noqa: ANN401  # the rule's result
    """The Python result of a valid request of ``rule`` (its input read by leadcore.wire)."""
    request = draw(requests(rule, valid=True))
    try:
        return make(request["input"], _now(request))
    except InvalidInput:
        reject()


def _L(data: object) -> Lead:  # noqa: N802  # short reader names keep the table readable
    return wire.from_json(Lead, data)


def _Ls(data: object) -> list[Lead]:  # noqa: N802  # see _L
    return [_L(x) for x in data or []]  # type: ignore[attr-defined]  # a list or None


def _U(data: object) -> User:  # noqa: N802  # see _L
    return wire.from_json(User, data)


def _agents_of(data: Input) -> list[Agent]:
    return [wire.from_json(Agent, x) for x in data.get("agents") or []]


def _claims_of(data: Input) -> list[Claim]:
    return [wire.from_json(Claim, x) for x in data.get("claims") or []]


def _tree(data: Input) -> handover.OrgTree:
    return handover.OrgTree(orgs=[wire.from_json(Org, x) for x in data.get("orgs") or []])


def _dispatched(data: Input, now: dt.datetime) -> routing.DispatchState:
    events = [wire.from_json(routing.DispatchEvent, e) for e in data.get("events") or []]
    return routing.dispatch(
        data["channel"],
        _L(data["lead"]),
        _agents_of(data),
        _claims_of(data),
        events,
        now=now,
        rng=random.Random(data["seed"]),  # noqa: S311  # seeded draws
        timezone=data.get("timezone"),
    )


def _explained(data: Input, now: dt.datetime) -> merge.MatchExplanation:
    existing = _Ls(data.get("existing"))
    if not existing:
        reject()
    return merge.explain(_L(data["inbound"]), existing[0], now=now)


def _fresh(data: Input, now: dt.datetime) -> routing.FreshGrant:
    agent = data["agent"]
    return routing.fresh_claim(
        agent["id"] if isinstance(agent, dict) else agent,
        _claims_of(data),
        fresh_count=data["fresh_count"],
        active_agents=data["active_agents"],
        requested=data.get("requested", 1),
        now=now,
    )


RULE_RESULTS: Final[dict[type, tuple[str, Callable[[Input, dt.datetime], Any]]]] = {
    linking.LinkResult: (
        "link.apply",
        lambda d, now: linking.apply(
            _L(d["primary"]),
            _L(d["secondary"]),
            _U(d["actor"]),
            d["owner"],
            now=now,
            existing=_Ls(d.get("existing")),
        ),
    ),
    linking.LinkVisibility: (
        "link.visibility",
        lambda d, _: linking.visibility(_L(d["lead"]), _U(d["user"])),
    ),
    merge.AutoMerge: (
        "merge.auto",
        lambda d, now: merge.auto(_L(d["inbound"]), _Ls(d.get("existing")), now=now),
    ),
    merge.Duplicates: (
        "merge.duplicates",
        lambda d, now: merge.duplicates(_L(d["lead"]), _Ls(d.get("existing")), now=now),
    ),
    merge.ManualMerge: ("merge.manual", lambda d, _: merge.manual(_L(d["master"]), _L(d["other"]))),
    merge.MatchExplanation: ("merge.auto", _explained),
    routing.Eligibility: (
        "routing.eligible",
        lambda d, now: routing.eligible(
            d["channel"],
            _L(d["lead"]),
            _agents_of(d),
            _claims_of(d),
            now=now,
            timezone=d.get("timezone"),
        ),
    ),
    routing.WaveCheck: (
        "routing.check_wave",
        lambda d, now: routing.check_wave(
            d["channel"],
            _L(d["lead"]),
            _agents_of(d),
            _claims_of(d),
            d.get("offered_before") or [],
            d.get("wave") or [],
            now=now,
            timezone=d.get("timezone"),
        ),
    ),
    routing.DispatchState: ("routing.dispatch", _dispatched),
    routing.FreshGrant: ("routing.fresh_claim", _fresh),
    routing.TransferDecision: (
        "routing.transfer",
        lambda d, _: routing.transfer(_L(d["lead"]), wire.from_json(Agent, d["to"]), _U(d["by"])),
    ),
    routing.Diagnosis: (
        "routing.diagnose",
        lambda d, _: routing.diagnose(wire.from_json(Agent, d["agent"]), d["channel"]),
    ),
    handover.HandoverResult: (
        "handover.apply",
        lambda d, _: handover.apply(_L(d["lead"]), _U(d["sender"]), d["target_org"], _tree(d)),
    ),
    handover.AssignmentResult: (
        "handover.review",
        lambda d, _: handover.review(
            _L(d["lead"]),
            _U(d["manager"]),
            None if d.get("assignee") is None else _U(d["assignee"]),
        ),
    ),
    handover.OrgTree: ("handover.apply", lambda d, _: _tree(d)),
    related.RelatedLeads: (
        "related.find",
        lambda d, _: related.find(
            d["crm"],
            wire.from_json(CrmRecord, d["record"]),
            [wire.from_json(CrmRecord, r) for r in d.get("records") or []],
            connected=d["connected"],
        ),
    ),
    related.StopResult: (
        "related.stop",
        lambda d, _: related.stop(
            d.get("selected") or [],
            [wire.from_json(related.CadenceMembership, m) for m in d.get("memberships") or []],
            current=d.get("current"),
            include_current=d.get("include_current") or False,
        ),
    ),
}

"""Each result type with a protocol rule: the rule, and how to get the Python result of a
request's input (read by leadcore.wire) at its ``now``."""

# Parts of results: drawn from a result that has some.
_PARTS: Final[dict[type, tuple[type, Callable[[Any], tuple[Any, ...]]]]] = {
    merge.Candidate: (merge.AutoMerge, lambda r: r.candidates),
    merge.Duplicate: (merge.Duplicates, lambda r: r.duplicates),
    merge.MergeRecord: (merge.ManualMerge, lambda r: (r.record,)),
    merge.Discarded: (merge.ManualMerge, lambda r: r.discarded),
    merge.ConditionCheck: (merge.MatchExplanation, lambda r: r.conditions),
    merge.GroupCheck: (merge.MatchExplanation, lambda r: r.groups),
    routing.Rejection: (routing.DispatchState, lambda r: r.rejected),
    related.RelatedRecord: (related.RelatedLeads, lambda r: r.related),
    related.CadenceMembership: (related.StopResult, lambda r: r.stopped),
    dedupe.Decision: (
        dedupe.DedupeResult,
        lambda r: tuple(x for p in r.pairs for x in p.decisions),
    ),
    dedupe.Pair: (dedupe.DedupeResult, lambda r: r.pairs),
    dedupe.Cluster: (dedupe.DedupeResult, lambda r: r.clusters),
    dedupe.Summary: (dedupe.DedupeResult, lambda r: (r.summary,)),
    dedupe.PairChange: (dedupe.PolicyComparison, lambda r: r.changes),
    dedupe.Scores: (dedupe.Accuracy, lambda r: (r.pairwise, r.clusters)),
    simulation.Percentiles: (simulation.SimulationReport, lambda r: (r.time_to_claim,)),
}


@st.composite
def _part(draw: st.DrawFn, whole: type, pick: Callable[[Any], tuple[Any, ...]]) -> Any:  # noqa: ANN401  # a part of a result
    found = pick(draw(objects(whole)))
    if not found:
        reject()
    return draw(st.sampled_from(found))


@st.composite
def _table_leads(draw: st.DrawFn) -> list[Lead]:
    """A few leads, most of them the same person entered again (pairs happen)."""
    first = draw(leads())
    found = [attrs.evolve(first, created_at=NOW - _DAY, last_activity_at=NOW - _DAY)]
    for number in range(draw(st.integers(1, 4))):
        other = draw(leads())
        if draw(st.booleans()):
            other = attrs.evolve(other, customer=first.customer, last_activity_at=NOW - _DAY)
        found.append(attrs.evolve(other, id=f"T{number}"))
    return found


_STRICTER: Final = merge.MergePolicy(auto_merge_min_conditions=3, duplicate_min_conditions=3)


@st.composite
def _dedupe_result(draw: st.DrawFn) -> dedupe.DedupeResult:
    return dedupe.find(draw(_table_leads()), now=NOW)


@st.composite
def _comparison(draw: st.DrawFn) -> dedupe.PolicyComparison:
    return dedupe.what_if(draw(_table_leads()), now=NOW, other=_STRICTER)


def _labels(result: dedupe.DedupeResult, draw: st.DrawFn) -> dict[str, str]:
    table = result.leads
    assert table is not None  # noqa: S101  # found by find()
    return {i: draw(st.sampled_from(["P1", "P2", "P3"])) for i in table.ids}


@st.composite
def _accuracy(draw: st.DrawFn) -> dedupe.Accuracy:
    result = draw(_dedupe_result())
    return result.accuracy(_labels(result, draw))


@st.composite
def _accuracy_comparison(draw: st.DrawFn) -> dedupe.AccuracyComparison:
    comparison = draw(_comparison())
    return comparison.accuracy(_labels(comparison.before, draw))


@st.composite
def _explanation(draw: st.DrawFn) -> dedupe.PairExplanation:
    result = draw(_dedupe_result())
    table = result.leads
    assert table is not None  # noqa: S101  # found by find()
    one, two = draw(st.lists(st.sampled_from(table.ids), min_size=2, max_size=2, unique=True))
    return result.explain(one, two)


@st.composite
def _arrival(draw: st.DrawFn) -> simulation.Arrival:
    return simulation.Arrival(
        lead=draw(_ids("L", 20)),
        at=NOW + dt.timedelta(seconds=draw(st.integers(0, 7_200))),
        channel=draw(st.sampled_from(["digital", "offline"])),
        project="p1",
    )


@st.composite
def _simulation(draw: st.DrawFn) -> simulation.SimulationReport:
    arrivals = draw(st.lists(_arrival(), max_size=8))
    crew = draw(st.lists(agents(), min_size=1, max_size=5, unique_by=lambda agent: agent.id))
    return simulation.simulate(
        arrivals,
        [attrs.evolve(agent, project="p1") for agent in crew],
        rng=random.Random(draw(st.integers(0, 99))),  # noqa: S311  # seeded draws
    )


def _probabilities() -> st.SearchStrategy[simulation.Behaviour]:
    return st.builds(
        lambda claim, share, mean: simulation.Behaviour(
            claim_probability=claim,
            decline_probability=(1 - claim) * share,
            mean_response_seconds=mean,
        ),
        st.sampled_from([0.0, 0.25, 0.5, 1.0]),
        st.sampled_from([0.0, 0.5, 1.0]),
        st.sampled_from([1.0, 20.0, 90.5]),
    )


_SIMPLE: Final[dict[type, Callable[[], st.SearchStrategy[Any]]]] = {
    Person: people,
    Lead: leads,
    Event: events,
    User: users,
    Agent: agents,
    Claim: claims,
    Org: orgs,
    CrmRecord: crm_records,
    Notification: notifications,
    Reason: reasons,
    Verdict: verdicts,
    Change: changes,
    CancelledEvent: cancelled_events,
    routing.DispatchEvent: lambda: st.builds(
        routing.DispatchEvent,
        kind=st.sampled_from(["claim", "decline", "answer"]),
        at=aware_datetimes(),
        agent=_ids("a", 8),
    ),
    merge.Match: lambda: st.builds(merge.match, people(), leads()),
    related.RelatedGroup: lambda: (
        st.lists(
            crm_records().map(lambda r: attrs.evolve(r, kind=RecordKind.LEAD)),
            min_size=2,
            max_size=6,
            unique_by=lambda r: r.id,
        )
        .map(lambda records: related.group(Crm.SALESFORCE, records))
        .filter(bool)
        .map(lambda groups: groups[0])
    ),
    NormalizePolicy: lambda: st.builds(
        NormalizePolicy, default_region=st.sampled_from(["US", "FR"])
    ),
    linking.LinkPolicy: lambda: st.just(linking.LinkPolicy()),
    merge.MergePolicy: lambda: st.builds(
        merge.MergePolicy,
        merge_max_age_days=st.integers(1, 1_000),
        duplicate_name_min_ratio=st.sampled_from([80, 90.5, 100]),
        auto_merge_conditions=st.sampled_from([("name", "email", "phone"), ("email", "phone")]),
        duplicate_rule=st.none() | match_rules(),
    ),
    merge.MatchRule: match_rules,
    routing.RoutingPolicy: lambda: st.builds(
        routing.RoutingPolicy,
        wave_size=st.integers(1, 9),
        default_timezone=st.sampled_from(TIMEZONES),
    ),
    handover.HandoverPolicy: lambda: st.just(handover.HandoverPolicy()),
    related.RelatedPolicy: lambda: st.just(related.RelatedPolicy()),
    dedupe.Columns: lambda: st.builds(
        dedupe.Columns,
        phones=st.sampled_from([("phone",), ("mobile", "work")]),
        labels=st.none() | st.just("true_cluster"),
    ),
    dedupe.DedupePolicy: lambda: st.builds(
        dedupe.DedupePolicy,
        generic_key_rows=st.integers(1, 500),
        cluster_on=st.sampled_from([("merge",), ("merge", "duplicate")]),
    ),
    dedupe.GenericKey: lambda: st.builds(
        dedupe.GenericKey,
        kind=st.sampled_from(["phone", "email", "name"]),
        key=_ids("k", 9),
        rows=st.integers(101, 10_000),
        pairs=st.integers(0, 99),
        handling=st.sampled_from(["refined", "excluded"]),
    ),
    dedupe.BadRow: lambda: st.builds(
        dedupe.BadRow,
        row=st.integers(0, 99),
        line=st.none() | st.integers(2, 99),
        field=st.none() | st.just("created_at"),
        value=st.none() | st.text(max_size=8),
        message=st.just("has no lead id"),
    ),
    dedupe.PairError: lambda: st.builds(
        dedupe.PairError,
        a=_ids("L", 3),
        b=_ids("M", 3),
        label_a=_ids("P", 3),
        label_b=_ids("P", 3),
        kind=st.none() | st.just("merge"),
        matched=st.just(("name", "email")),
        same_cluster=st.booleans(),
    ),
    simulation.Arrival: _arrival,
    simulation.Behaviour: _probabilities,
    simulation.SimulationReport: _simulation,
    dedupe.DedupeResult: _dedupe_result,
    dedupe.PolicyComparison: _comparison,
    dedupe.Accuracy: _accuracy,
    dedupe.AccuracyComparison: _accuracy_comparison,
    dedupe.PairExplanation: _explanation,
}


@functools.cache
def objects(cls: type[T]) -> st.SearchStrategy[T]:
    """
    Valid objects of any type :mod:`leadcore.wire` reads and writes (round-trip tests).

    Model objects come from the strategies above; results from the rules themselves,
    applied to valid protocol requests (:func:`requests`) read by
    :func:`leadcore.wire.from_json`; batch results from :func:`leadcore.dedupe.find`
    on a few generated leads; parts of results (a candidate, a pair) from such results.

    Raises:
        ValueError: ``cls`` is not one of :data:`leadcore.wire.SUPPORTED`.

    >>> from hypothesis import find
    >>> from leadcore import merge
    >>> find(objects(merge.AutoMerge), lambda d: d.action == "merge").action
    'merge'

    """
    if cls in _SIMPLE:
        return cast("st.SearchStrategy[T]", _SIMPLE[cls]())
    if cls in RULE_RESULTS:
        rule, make = RULE_RESULTS[cls]
        return cast("st.SearchStrategy[T]", _decided(rule, make))
    if cls in _PARTS:
        whole, pick = _PARTS[cls]
        return cast("st.SearchStrategy[T]", _part(whole, pick))
    msg = f"no strategy for {getattr(cls, '__name__', cls)!r}; see leadcore.wire.SUPPORTED"
    raise ValueError(msg)
