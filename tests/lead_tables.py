"""
Seeded tables of generated leads, dense in duplicates, for comparing dedupe engines.

A small cousin of ``shared/bench/gen_leads.py`` that the suite can rely on: customers
with a name, emails and phones, each appearing in one to five leads that vary the way
real exports do (case, phone formats, a typo in a name, a missing field, a co-customer),
plus what makes batch deduplication hard: a call centre's phone and mailbox held by many
leads (generic keys), filler emails (``none@none.com``), placeholder names, credit
applications (MRG-2), old leads outside the windows, and bad rows (no id, a repeated id,
an unreadable timestamp, a value over 10,000 characters). Every value is text, and every
row has every column. With ``fields``, rows also have the custom columns match rules
compare (:data:`FIELD_COLUMNS`: a car's VIN, an address, a company and a title, and two
columns of small pools), shared by a customer's leads with the variations of real
exports (case, a typo, a missing value).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

COLUMNS: Final = (
    "lead_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "co_first_name",
    "co_last_name",
    "co_email",
    "co_phone",
    "source",
    "lot",
    "created_at",
    "last_activity_at",
)

FIELD_COLUMNS: Final = ("vin", "zip", "company", "title", "street", "city", "budget", "note")
"""The custom columns of ``generate(..., fields=True)``."""

NOW: Final = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)

_FIRST: Final = (
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Ada",
    "Marie",
    "José",
    "Zoë",
    "Li",
    "Anna",
    "Ann",
    "John",
    "Jon",
    "Mary",
    "Maria",
    "Chen",
    "Oluwaseun",
    "Émile",
    "Test",
    "N/A",
)
_LAST: Final = (
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Curie",
    "García",
    "Ng",
    "Smith",
    "Smyth",
    "Okafor",
    "Müller",
    "Mueller",
    "Dupont",
    "Test",
    "Nguyen",
)
_DOMAINS: Final = ("example.com", "mail.test", "corp.example", "x.org")
_SOURCES: Final = ("web", "phone", "credit_application", "partner", "")


def _phone(rng: random.Random) -> str:
    return f"415{rng.randrange(2_000_000, 9_999_999):07d}"


def _show_phone(rng: random.Random, digits: str) -> str:
    style = rng.randrange(5)
    if style == 0:
        return digits
    if style == 1:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    if style == 2:
        return f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}"
    if style == 3:
        return f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"
    return f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def _stamp(rng: random.Random, days_ago: float) -> str:
    moment = NOW - dt.timedelta(days=days_ago, minutes=rng.randrange(1440))
    return moment.isoformat()


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    at = rng.randrange(1, len(text) - 1)
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def generate(
    size: int,
    seed: int,
    *,
    generic: int = 60,
    bad: bool = True,
    fields: bool = False,
    labels: bool = False,
) -> list[dict[str, str]]:
    """
    Return about ``size`` rows (dicts with every column of :data:`COLUMNS`, as text).

    ``generic``: how many leads hold the call centre's phone (and most its mailbox);
    ``fields``: add the columns of :data:`FIELD_COLUMNS` (drawn apart, so that the other
    columns are those of the same seed without them); ``labels``: add ``person``, the
    customer behind each lead (the ground truth of accuracy), blank for one lead in 20.
    """
    rng = random.Random(seed)
    more = random.Random(seed + 1)
    rows: list[dict[str, str]] = []
    customer = 0
    while len(rows) < size:
        customer += 1
        own = _fields(more) if fields else {}
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        emails = [f"{first[0]}.{last}{customer}@{rng.choice(_DOMAINS)}".lower()]
        phones = [_phone(rng) for _ in range(rng.choice((1, 1, 2)))]
        copies = rng.choice((1, 1, 1, 2, 2, 3, 5))
        for _copy in range(copies):
            shown_first = rng.choice((first, first.upper(), first.lower(), _typo(rng, first)))
            shown_last = rng.choice((last, last.upper(), last))
            email = rng.choice((*emails, emails[0].upper(), ""))
            phone = _show_phone(rng, rng.choice(phones)) if rng.random() < 0.8 else ""
            if rng.random() < 0.15:
                shown_first, shown_last = "", ""
            row = dict.fromkeys(COLUMNS, "")
            row.update(
                lead_id=f"L{len(rows):06d}",
                first_name=shown_first,
                last_name=shown_last,
                email=email,
                phone=phone,
                source=rng.choice(_SOURCES),
                lot=rng.choice(("", "north", "south")),
                created_at=_stamp(rng, rng.choice((1, 5, 30, 90, 200, 400))),
            )
            row["last_activity_at"] = rng.choice(
                (row["created_at"], _stamp(rng, rng.choice((0, 2, 20, 60, 150)))),
            )
            if rng.random() < 0.1:
                row.update(
                    co_first_name=rng.choice(_FIRST),
                    co_last_name=shown_last,
                    co_email=rng.choice(("", f"co{customer}@{rng.choice(_DOMAINS)}")),
                    co_phone=_show_phone(rng, _phone(rng)) if rng.random() < 0.5 else "",
                )
            if rng.random() < 0.05:
                row["created_at"] = ""
            if fields:
                row.update(_shown_fields(more, own))
            if labels:
                row["person"] = "" if more.random() < 0.05 else f"P{customer:05d}"
            rows.append(row)
    _generic(rng, rows, generic)
    rows = rows[:size]
    if bad and len(rows) > 10:
        rows[3]["lead_id"] = ""
        rows[5]["lead_id"] = rows[4]["lead_id"]
        rows[7]["created_at"] = "yesterday"
        rows[8]["last_activity_at"] = "2025-02-30T10:00:00+00:00"
        rows[9]["first_name"] = "x" * 10_001
    return rows


def _generic(rng: random.Random, rows: list[dict[str, str]], generic: int) -> None:
    """Give ``generic`` rows the call centre's phone (most its mailbox), a few a filler."""
    centre = "4155550100"
    for index in rng.sample(range(len(rows)), min(generic, len(rows))):
        rows[index]["phone"] = _show_phone(rng, centre)
        if rng.random() < 0.8:
            rows[index]["email"] = "sales@callcentre.example"
    for row in rows:
        if rng.random() < 0.02:  # a filler: unusable under the default policy
            row["email"] = rng.choice(("none@none.com", "NoReply@example.com"))


_COMPANIES: Final = ("Acme Inc.", "Globex", "Initech", "Umbrella Corp", "Hooli", "")
_TITLES: Final = ("CEO", "Chief Executive", "CTO", "Buyer", "Head of Sales", "")
_STREETS: Final = ("1 Main St", "12 Oak Avenue", "400 Market Street", "7 Elm Rd")
_CITIES: Final = ("San Francisco", "Oakland", "Berkeley", "San Jose")
_ZIPS: Final = ("94110", "94103", "94607", "94704", "95112")


def _fields(rng: random.Random) -> dict[str, str]:
    """One customer's custom fields (few values, so that customers share them too)."""
    return {
        "vin": "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(17)),
        "zip": rng.choice(_ZIPS),
        "company": rng.choice(_COMPANIES),
        "title": rng.choice(_TITLES),
        "street": rng.choice(_STREETS),
        "city": rng.choice(_CITIES),
        "budget": rng.choice(("", "100", "250", "1000")),
        "note": rng.choice(("", "a1", "A-1", "B2", "Zed")),
    }


def _shown_fields(rng: random.Random, own: dict[str, str]) -> dict[str, str]:
    """A lead's copy of its customer's fields: as they are, in other case, typos, blanks."""
    shown = {}
    for name, value in own.items():
        style = rng.random()
        if style < 0.1:
            value = ""  # noqa: PLW2901  # a blank in this lead
        elif style < 0.25:
            value = value.lower()  # noqa: PLW2901  # another case
        elif style < 0.35:
            value = _typo(rng, value)  # noqa: PLW2901  # a typo
        shown[name] = value
    return shown
