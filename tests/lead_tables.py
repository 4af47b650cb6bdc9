"""
Seeded tables of generated leads, dense in duplicates, for comparing dedupe engines.

A small cousin of ``shared/bench/gen_leads.py`` that the suite can rely on: customers
with a name, emails and phones, each appearing in one to five leads that vary the way
real exports do (case, phone formats, a typo in a name, a missing field, a co-customer),
plus what makes batch deduplication hard: a call centre's phone and mailbox held by many
leads (generic keys), filler emails (``none@none.com``), placeholder names, credit
applications (MRG-2), old leads outside the windows, and bad rows (no id, a repeated id,
an unreadable timestamp, a value over 10,000 characters). Every value is text, and every
row has every column.
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


def generate(size: int, seed: int, *, generic: int = 60, bad: bool = True) -> list[dict[str, str]]:
    """
    Return about ``size`` rows (dicts with every column of :data:`COLUMNS`, as text).

    ``generic``: how many leads hold the call centre's phone (and most its mailbox).
    """
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    customer = 0
    while len(rows) < size:
        customer += 1
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
