"""
A :class:`~leadcore.merge.MergeIndex` of a table's rows, from their normal forms.

Building an index from :class:`~leadcore.model.Lead` objects normalises every person
(:func:`leadcore.normalize.person`) and needs every Lead built and validated first:
about a minute for a million leads. A table read by :func:`leadcore.dedupe.load` holds
the normal forms already (read column by column, phones by the fast path), so the
index's buckets are filled from them directly, and the Lead of a row is built when a
lookup or an update first needs it (:func:`leadcore._merge.index.from_keys`), from the
same normal forms: its people are the row's normal forms, their normalisation cache
filled (:func:`leadcore._dedupe.decide.lead`).
"""

from __future__ import annotations

from functools import partial

from leadcore._dedupe import inputs
from leadcore._dedupe.decide import lead
from leadcore._merge.index import MergeIndex, from_keys

__all__ = ["of_table"]


def _merged(own: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """Keys of both people, each once, in the order met (the customer's first)."""
    if not other:
        return own
    return own + tuple(k for k in dict.fromkeys(other) if k not in own)


def of_table(table: inputs.Chunk, region: str, fillers: tuple[str, ...]) -> MergeIndex:
    """
    Return the index of ``table``'s rows (normal forms for ``region``).

    Keys are what :class:`MergeIndex` takes from each lead's people: their phones,
    their emails but ``fillers`` (the policy's ``placeholder_email_locals``), and their
    folded full names when first and last are both present.
    """
    data = inputs.without_fillers(table, fillers)
    phones = list(data.phones)
    emails = list(data.emails)
    names: list[tuple[str, ...]] = [
        (f"{first} {last}",) if first and last else ()
        for first, last in zip(data.first, data.last, strict=True)
    ]
    for row, (first, last, co_emails, co_phones) in data.co.items():
        phones[row] = _merged(phones[row], co_phones)
        emails[row] = _merged(emails[row], co_emails)
        if first and last:
            names[row] = _merged(names[row], (f"{first} {last}",))
    return from_keys(
        data.ids,
        phones,
        emails,
        names,
        partial(lead, table, region=region, fillers=fillers),
        region=region,
        placeholder_email_locals=fillers,
    )
