"""
Hypothesis strategies for the domain model, shared by every property test.

Built from the frozen classes, so they only produce valid objects. Text is drawn from
realistic alphabets plus arbitrary Unicode, datetimes are always timezone-aware.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st

from leadcore.model import (
    Agent,
    Claim,
    ClaimBucket,
    Event,
    EventStatus,
    Lead,
    Person,
    Role,
    User,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def costly(examples: int) -> settings:
    """
    Settings of a property whose examples are costly: ``examples`` under ``thorough``.

    The test command's profile (``fast``, tests/conftest.py) runs as many of them as of
    any property, 60, each run drawing fresh ones; ``LEADCORE_HYPOTHESIS_PROFILE=thorough``
    runs ``examples``. A line only such draws reach has an ``@example`` or a test of its
    own (docs/coverage.md), so that the count changes what is explored, not what is
    covered.
    """
    profile = settings.default
    assert profile is not None  # conftest.py loads one
    return settings(max_examples=min(examples, profile.max_examples))


ids = st.text(alphabet="abcdefghij0123456789", min_size=1, max_size=6)
"""Short ids from a small alphabet, so collisions happen."""

offsets = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-8))]
)


@st.composite
def aware_datetimes(
    draw: st.DrawFn,
    *,
    around: dt.datetime = NOW,
    days: int = 800,
) -> dt.datetime:
    """A timezone-aware datetime within ``days`` of ``around`` (either side)."""
    seconds = draw(st.integers(-days * 86_400, days * 86_400))
    return (around + dt.timedelta(seconds=seconds)).astimezone(draw(offsets))


first_names = st.sampled_from(
    ["Ada", "José", "Zoë", "Jean-Luc", "O'Brien", "Straße", "unknown", "NULL", "", "Li"]
) | st.text(max_size=12)
last_names = st.sampled_from(
    ["Lovelace", "García", "Smith", "smith", "Müller", "Blank", "", "Ng"]
) | st.text(max_size=12)
phones = st.sampled_from(
    [
        "+1 415 867 5309",
        "(415) 867-5309",
        "415.867.5309",
        "+44 20 7946 0018",
        "06 12 34 56 78",
        "+33612345678",
        "12345",
        "",
        "not a phone",
    ]
) | st.text(alphabet="+0123456789 ()-.", max_size=16)
emails = st.sampled_from(
    ["ada@example.com", " ADA@example.com ", "a@b", "bad", "x@@y", "jo@mail.org"]
) | st.emails().map(str)


@st.composite
def people(draw: st.DrawFn) -> Person:
    """A person with any mix of names, phones and emails."""
    return Person(
        first_name=draw(st.none() | first_names),
        last_name=draw(st.none() | last_names),
        phones=draw(st.lists(phones, max_size=3)),
        emails=draw(st.lists(emails, max_size=3)),
    )


@st.composite
def events(draw: st.DrawFn) -> Event:
    """An event at any time around NOW."""
    return Event(
        id=draw(ids), at=draw(aware_datetimes()), status=draw(st.sampled_from(EventStatus))
    )


@st.composite
def leads(draw: st.DrawFn, *, lead_id: st.SearchStrategy[str] = ids) -> Lead:
    """A lead with most fields drawn."""
    return Lead(
        id=draw(lead_id),
        customer=draw(people()),
        co_customer=draw(st.none() | people()),
        project=draw(st.none() | st.sampled_from(["p1", "p2"])),
        status=draw(st.none() | st.sampled_from(["new", "claimed", "interested", "linked"])),
        owner=draw(st.none() | ids),
        viewers=draw(st.lists(ids, max_size=2)),
        source=draw(st.none() | st.sampled_from(["web", "credit_application"])),
        lot=draw(st.none() | st.sampled_from(["lot1", "lot2"])),
        created_at=draw(st.none() | aware_datetimes()),
        last_activity_at=draw(st.none() | aware_datetimes()),
        events=draw(st.lists(events(), max_size=3, unique_by=lambda e: e.id)),
        fields=draw(st.dictionaries(st.sampled_from(["a", "b"]), st.integers() | st.text())),
    )


users = st.builds(
    User,
    id=ids,
    org=st.none() | ids,
    roles=st.frozensets(st.sampled_from(Role)),
    assignment_owner_of=st.frozensets(st.sampled_from(["p1", "p2"])),
)
agents = st.builds(
    Agent,
    id=ids,
    project=st.sampled_from(["p1", "p2"]),
    active=st.booleans(),
    lead_flow=st.booleans(),
    battery_optimization_disabled=st.booleans(),
    autorun_enabled=st.booleans(),
    network_ok=st.booleans(),
)
claims = st.builds(
    Claim, agent=ids, at=aware_datetimes(days=2), bucket=st.sampled_from(ClaimBucket)
)


# -- small pools: leads that collide on every key ------------------------------------------

SMALL_FIRST = st.sampled_from(
    ["Ada", "ada", "Adah", "Ad", "Bob", "Unknown", "Null", "", None, "Adá"]
)
"""First names close to each other (a fold, a typo, an accent), placeholders and blanks."""
SMALL_LAST = st.sampled_from(["Lovelace", "LOVELACE", "Lovelac", "Stone", "Blank", "", None])
SMALL_PHONES = st.sampled_from(
    ["(415) 867-5309", "+1 415 867 5309", "4158675310", "+44 20 7946 0018", "555-555-5555", ""]
)
"""One number written three ways, a near one, a foreign one, one not valid, a blank."""
SMALL_EMAILS = st.sampled_from(
    ["ada@x.io", " ADA@x.io", "bob@x.io", "ada@mail.org", "none@none.com", "bad", ""]
)
"""One address written two ways, others, a filler, one not usable, a blank."""
_VALUE_TEXTS = ["A1", "a1", "a-1", "B2", "B20", "", " ", "Zed", None]
SMALL_VALUES = st.sampled_from(_VALUE_TEXTS) | st.integers(0, 2)
"""Lead and custom field values: equal after a normaliser or not, blanks, numbers."""


@st.composite
def colliding_people(  # a pool a field
    draw: st.DrawFn,
    first: st.SearchStrategy[str | None] = SMALL_FIRST,
    last: st.SearchStrategy[str | None] = SMALL_LAST,
    phones: st.SearchStrategy[str] = SMALL_PHONES,
    emails: st.SearchStrategy[str] = SMALL_EMAILS,
) -> Person:
    """A person from small pools (by default the ones above), so that leads collide on every key."""
    return Person(
        first_name=draw(first),
        last_name=draw(last),
        phones=draw(st.lists(phones, max_size=2)),
        emails=draw(st.lists(emails, max_size=2)),
    )
