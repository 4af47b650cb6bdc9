"""
The candidate index of :mod:`leadcore.merge`: existing leads by normalised key.

:class:`MergeIndex` maps every E.164 phone, normalised email and folded full name (first
and last present) of both people on a lead to the lead, so that an inbound lead is
matched against the few leads sharing a key instead of against every lead. It is the one
mutable class of leadcore: a service keeps it in memory and updates it as leads change.

Exactness (the index finds every lead a scan would match) follows from the conditions:
only ``name_fuzzy`` can hold without a shared key, so a two-of-n match under a spec with
``minimum`` conditions shares at least ``minimum - [name_fuzzy in conditions]`` kinds of
key (:attr:`~leadcore._merge.engine.Spec.required_kinds`); when that is 0 the index scans
its leads. A lead sharing ``r`` kinds appears in one of the kinds left after skipping the
``r - 1`` largest, so those are never read. A phone-only match (MRG-4) shares a phone:
the phone buckets are always read for a phone-only inbound person.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from leadcore import _attrs as a
from leadcore import normalize
from leadcore._attrs import checked, unchecked
from leadcore._merge.engine import Spec, has_real_full_name
from leadcore.errors import InvalidInput
from leadcore.model import Lead, Person
from leadcore.normalize import NormalizedPerson

__all__ = ["MergeIndex"]

# A bucket holds one id as a plain string (most keys belong to one lead) or a list of
# ids: this halves the index's memory at a million leads.
Bucket = str | list[str]

_EMPTY: Final[tuple[str, ...]] = ()

# Indexed leads are checked as they are added: their persons need no checks again.
_person: Final = unchecked(normalize.person)


def _add(table: dict[str, Bucket], key: str, lead_id: str) -> None:
    # The caller adds each key of a lead once, and a lead id is indexed once: no need to
    # look for the id in the bucket, which made n leads sharing a key cost n^2.
    found = table.get(key)
    if found is None:
        table[key] = lead_id
    elif isinstance(found, str):
        table[key] = [found, lead_id]
    else:
        found.append(lead_id)


def _drop(table: dict[str, Bucket], key: str, lead_id: str) -> None:
    found = table.get(key)
    if found is None:
        return
    if isinstance(found, str):
        if found == lead_id:
            del table[key]
        return
    if lead_id in found:
        found.remove(lead_id)
    if len(found) == 1:
        table[key] = found[0]


def _fillers(value: Iterable[str]) -> tuple[str, ...]:
    items = value if isinstance(value, str) else a.to_tuple(value)
    problems = a.collection(a.text)("placeholder_email_locals", items)
    if problems:
        raise InvalidInput(problems)
    return items  # type: ignore[return-value]  # a tuple of str, checked above


def _ids(table: dict[str, Bucket], key: str) -> tuple[str, ...] | list[str]:
    found = table.get(key)
    if found is None:
        return _EMPTY
    if isinstance(found, str):
        return (found,)
    return found


class MergeIndex:
    """
    Existing leads indexed by normalised phone, email and full name (MRG-6, MRG-7).

    Pass it instead of a list of leads to :func:`leadcore.merge.auto` and
    :func:`leadcore.merge.duplicates`: the answers are the same (the index is exact, or
    scans when a policy makes keys insufficient; see :func:`leadcore.merge.index_is_exact`),
    but an inbound lead is decided against the few leads sharing a key.

    The index holds the leads themselves (immutable objects) and normalises their people
    once, with ``region`` as the default phone region and ``placeholder_email_locals`` as
    the email fillers (unusable, never a key: v1.2 of the rules); the policy of every decision
    made with it must have the same ``default_region`` and ``placeholder_email_locals``.
    :meth:`add`, :meth:`remove` and :meth:`replace` update it in place; it is not
    thread-safe.

    >>> from leadcore.model import Lead, Person
    >>> index = MergeIndex([Lead(id="L1", customer=Person(phones=["(415) 867-5309"]))])
    >>> sorted(index.candidates(Person(phones=["+1 415 867 5309"])))
    ['L1']
    >>> index.remove("L1").id, len(index)
    ('L1', 0)

    Raises:
        InvalidInput: ``region`` is unknown, ``placeholder_email_locals`` is not a list
            of strings, an item is not a Lead, or two leads share an id.

    """

    __slots__ = ("_emails", "_leads", "_names", "_phones", "placeholder_email_locals", "region")

    region: str
    """The default phone region the leads were normalised with."""

    placeholder_email_locals: tuple[str, ...]
    """The email fillers the leads were normalised with (their addresses are no key)."""

    @checked
    def __init__(
        self,
        leads: Iterable[Lead] = (),
        *,
        region: str = normalize.DEFAULT_REGION,
        placeholder_email_locals: Iterable[str] = normalize.DEFAULT_PLACEHOLDER_EMAIL_LOCALS,
    ) -> None:
        self.region = normalize.check_region(region)
        self.placeholder_email_locals = _fillers(placeholder_email_locals)
        self._leads: dict[str, Lead] = {}
        self._phones: dict[str, Bucket] = {}
        self._emails: dict[str, Bucket] = {}
        self._names: dict[str, Bucket] = {}
        for position, lead in enumerate(leads):
            self._insert(lead, f"leads[{position}]")

    def __repr__(self) -> str:
        return f"<MergeIndex of {len(self._leads)} leads, region {self.region!r}>"

    def __len__(self) -> int:
        return len(self._leads)

    def __contains__(self, lead_id: object) -> bool:
        return lead_id in self._leads

    def __iter__(self) -> Iterator[Lead]:
        """Iterate over the indexed leads, in the order they were added."""
        return iter(self._leads.values())

    def get(self, lead_id: str) -> Lead | None:
        """Return the indexed lead with id ``lead_id``, or None."""
        return self._leads.get(lead_id)

    # -- updates ----------------------------------------------------------------------

    def _person(self, who: Person) -> NormalizedPerson:
        return _person(
            who, region=self.region, placeholder_email_locals=self.placeholder_email_locals
        )

    def _people(self, lead: Lead) -> Iterator[NormalizedPerson]:
        yield self._person(lead.customer)
        if lead.co_customer is not None:
            yield self._person(lead.co_customer)

    def _insert(self, lead: Lead, path: str) -> None:
        if not isinstance(lead, Lead):
            raise InvalidInput.single(path, lead, f"must be a Lead, not {type(lead).__name__}")
        if lead.id in self._leads:
            raise InvalidInput.single(
                f"{path}.id",
                lead.id,
                "is already in the index (use replace() to update a lead)",
            )
        self._leads[lead.id] = lead
        # Each key once, though both people may hold it: in the order they are met.
        phones: dict[str, None] = {}
        emails: dict[str, None] = {}
        names: dict[str, None] = {}
        for who in self._people(lead):
            phones.update(dict.fromkeys(who.phones))
            emails.update(dict.fromkeys(who.emails))
            if who.has_full_name:
                names[who.full] = None
        for table, keys in ((self._phones, phones), (self._emails, emails), (self._names, names)):
            for key in keys:
                _add(table, key, lead.id)

    def _delete(self, lead: Lead) -> None:
        del self._leads[lead.id]
        for who in self._people(lead):
            for number in who.phones:
                _drop(self._phones, number, lead.id)
            for address in who.emails:
                _drop(self._emails, address, lead.id)
            if who.has_full_name:
                _drop(self._names, who.full, lead.id)

    def add(self, lead: Lead) -> None:
        """
        Add ``lead`` to the index.

        Raises:
            InvalidInput: ``lead`` is not a Lead, or its id is already indexed.

        """
        self._insert(lead, "lead")

    def remove(self, lead_id: str) -> Lead:
        """
        Remove the lead with id ``lead_id`` and return it.

        Raises:
            InvalidInput: No indexed lead has that id.

        """
        lead = self._leads.get(lead_id)
        if lead is None:
            raise InvalidInput.single("lead_id", lead_id, "is not in the index")
        self._delete(lead)
        return lead

    def replace(self, lead: Lead) -> Lead:
        """
        Replace the indexed lead of the same id by ``lead``; return the old version.

        Raises:
            InvalidInput: ``lead`` is not a Lead, or no indexed lead has its id.

        """
        if not isinstance(lead, Lead):
            raise InvalidInput.single("lead", lead, f"must be a Lead, not {type(lead).__name__}")
        old = self._leads.get(lead.id)
        if old is None:
            raise InvalidInput.single("lead.id", lead.id, "is not in the index (use add())")
        self._delete(old)
        self._insert(lead, "lead")
        return old

    # -- queries ----------------------------------------------------------------------

    def _normal(self, who: Person | NormalizedPerson) -> NormalizedPerson:
        if isinstance(who, NormalizedPerson):
            return who
        if isinstance(who, Person):
            return self._person(who)
        raise InvalidInput.single(
            "who", who, f"must be a Person or NormalizedPerson, not {type(who).__name__}"
        )

    def candidates(self, who: Person | NormalizedPerson) -> frozenset[str]:
        """
        Return the ids of the leads sharing a key with ``who``.

        A lead shares a key when either of its people has a phone (E.164) or a usable
        email (normalised, not a filler) of ``who``, or the same folded full name (first
        and last both present). This is exactly what a scan comparing keys would find.

        Raises:
            InvalidInput: ``who`` is neither a Person nor a NormalizedPerson.

        """
        person = self._normal(who)
        found: set[str] = set()
        for number in person.phones:
            found.update(_ids(self._phones, number))
        for address in person.emails:
            found.update(_ids(self._emails, address))
        if person.has_full_name:
            found.update(_ids(self._names, person.full))
        return frozenset(found)

    def lookup(self, inbound: NormalizedPerson, spec: Spec, *, phone_only: bool) -> Iterable[Lead]:
        """
        Return the leads that may match ``inbound`` under ``spec`` (a superset of them).

        Internal to :mod:`leadcore.merge`: the caller evaluates each lead returned.
        """
        required = spec.required_kinds
        if required <= 0:
            return self._leads.values()
        groups: list[tuple[int, str, list[str]]] = []
        for kind in spec.kinds:
            keys: tuple[str, ...]
            if kind == "phone":
                table, keys = self._phones, inbound.phones
            elif kind == "email":
                table, keys = self._emails, inbound.emails
            else:
                table = self._names
                keys = (inbound.full,) if has_real_full_name(inbound, spec) else ()
            ids: list[str] = []
            for key in keys:
                ids.extend(_ids(table, key))
            groups.append((len(ids), kind, ids))
        # Skip the (required - 1) largest kinds: a match shares `required` kinds, so at
        # least one of the others. Ties are broken by kind name, for determinism.
        groups.sort(key=lambda g: (g[0], g[1]))
        kept = groups[: max(0, len(groups) - (required - 1))]
        seen: dict[str, None] = {}
        for _, _, ids in kept:
            seen.update(dict.fromkeys(ids))
        if phone_only:
            for number in inbound.phones:
                seen.update(dict.fromkeys(_ids(self._phones, number)))
        leads = self._leads
        return [leads[i] for i in seen]
