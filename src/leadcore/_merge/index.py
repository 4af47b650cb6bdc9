"""
The candidate index of :mod:`leadcore.merge`: existing leads by normalised key.

:class:`MergeIndex` maps every E.164 phone, normalised email and folded full name (first
and last present) of both people on a lead to the lead, so that an inbound lead is
matched against the few leads sharing a key instead of against every lead. It is the one
mutable class of leadcore: a service keeps it in memory and updates it as leads change.

Lookups follow the rule (:class:`~leadcore._merge.engine.Blocking`): for each group
that applies to the inbound lead, the leads sharing a key of every one of its required
key spaces (a compound key: same zip and same last name), or of enough of its optional
spaces that every match shares one (the largest are skipped). Spaces other than phone,
email and full name (a prefix, a domain, a custom field...) get their buckets on first
use, built from every indexed lead and kept up to date from then on. When a group cannot
be blocked on (:attr:`~leadcore._merge.engine.Spec.exact` is False), the index scans its leads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, cast

from leadcore import _attrs as a
from leadcore import normalize
from leadcore._attrs import checked, unchecked
from leadcore._merge.engine import Counter, Probe, Spec
from leadcore._merge.keys import Key, KeySpace
from leadcore.errors import InvalidInput
from leadcore.model import Lead, Person
from leadcore.normalize import NormalizedPerson

__all__ = ["MergeIndex", "from_keys"]

# A bucket holds one id as a plain string (most keys belong to one lead) or a list of
# ids: this halves the index's memory at a million leads.
Bucket = str | list[str]

_EMPTY: Final[tuple[str, ...]] = ()

# Indexed leads are checked as they are added: their persons need no checks again.
_person: Final = unchecked(normalize.person)


def _add(table: dict[Any, Bucket], key: Key, lead_id: str) -> None:
    # The caller adds each key of a lead once, and a lead id is indexed once: no need to
    # look for the id in the bucket, which made n leads sharing a key cost n^2.
    found = table.get(key)
    if found is None:
        table[key] = lead_id
    elif isinstance(found, str):
        table[key] = [found, lead_id]
    else:
        found.append(lead_id)


def _drop(table: dict[Any, Bucket], key: Key, lead_id: str) -> None:
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


def _ids(table: dict[Any, Bucket], key: Key) -> tuple[str, ...] | list[str]:
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

    __slots__ = (
        "_build",
        "_emails",
        "_folded",
        "_leads",
        "_names",
        "_phones",
        "_spaces",
        "placeholder_email_locals",
        "region",
    )

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
        # A lead, or the row of a table it is built from on first use (see from_keys).
        self._leads: dict[str, Lead | int] = {}
        self._build: Callable[[int], Lead] | None = None
        self._phones: dict[str, Bucket] = {}
        self._emails: dict[str, Bucket] = {}
        self._names: dict[str, Bucket] = {}
        # Buckets of other key spaces, built on first use, with the placeholder names
        # they were built with (a space's keys depend on them).
        self._spaces: dict[KeySpace, dict[Key, Bucket]] = {}
        self._folded: dict[KeySpace, frozenset[str]] = {}
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
        return iter(self._all())

    def get(self, lead_id: str) -> Lead | None:
        """Return the indexed lead with id ``lead_id``, or None."""
        found = self._leads.get(lead_id)
        if type(found) is int:
            return self._built(lead_id, found)
        return found  # type: ignore[return-value]  # a Lead or None

    def _built(self, lead_id: str, row: int) -> Lead:
        """The lead of a table's row, built now (once) and kept in its place."""
        build = self._build
        if build is None:  # pragma: no cover  # rows are indexed only with a builder
            raise LookupError(lead_id)
        lead = self._leads[lead_id] = build(row)
        return lead

    def _lead(self, lead_id: str) -> Lead:
        found = self._leads[lead_id]
        return self._built(lead_id, found) if type(found) is int else found  # type: ignore[return-value]  # a Lead

    def _all(self) -> list[Lead]:
        """Every indexed lead (those of a table's rows built now), in order."""
        return [
            self._built(lead_id, found) if type(found) is int else found  # type: ignore[misc]  # a Lead
            for lead_id, found in list(self._leads.items())
        ]

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
        # Other spaces' keys come once each from held_by (either person's, deduplicated).
        for space, buckets in self._spaces.items():
            for held in self._held(space, lead, self._folded[space]):
                _add(buckets, held, lead.id)

    def _delete(self, lead: Lead) -> None:
        del self._leads[lead.id]
        for who in self._people(lead):
            for number in who.phones:
                _drop(self._phones, number, lead.id)
            for address in who.emails:
                _drop(self._emails, address, lead.id)
            if who.has_full_name:
                _drop(self._names, who.full, lead.id)
        for space, table in self._spaces.items():
            for key in self._held(space, lead, self._folded[space]):
                _drop(table, key, lead.id)

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
        lead = self.get(lead_id)
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
        old = self.get(lead.id)
        if old is None:
            raise InvalidInput.single("lead.id", lead.id, "is not in the index (use add())")
        self._delete(old)
        self._insert(lead, "lead")
        return old

    def fill_rows(
        self,
        ids: Sequence[str],
        keys: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]], Sequence[Sequence[str]]],
        build: Callable[[int], Lead],
    ) -> None:
        """
        Index a table's rows by their keys, each lead built on first use (engines' API).

        Not for services: :func:`leadcore.dedupe.merge_index` calls it (through
        ``from_keys``) on a new index, with ``keys`` the rows' phones, emails and
        folded full names as :func:`leadcore.normalize.person` gives them under the
        index's region and fillers, and ``build(i)`` the lead of row ``i``.
        """
        self._build = build
        for table, column in zip((self._phones, self._emails, self._names), keys, strict=True):
            for lead_id, found in zip(ids, column, strict=True):
                for key in found:
                    _add(table, key, lead_id)
        self._leads.update(zip(ids, range(len(ids)), strict=True))

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

    def _held(self, space: KeySpace, lead: Lead, folded: frozenset[str]) -> tuple[Key, ...]:
        return space.held_by(lead, self.region, folded, self.placeholder_email_locals)

    def _table(self, space: KeySpace, folded: frozenset[str]) -> tuple[dict[Any, Bucket], bool]:
        """
        The buckets of ``space`` and whether they are exact (False: a superset by full name).

        Plain phones and emails use the index's own tables; a name compared exactly the
        full-name table (a superset: a folded full name in common); other spaces get
        their own buckets, built from every lead on first use.
        """
        if space.method == "exact" and space.person and space.max_leads is None:
            if space.field == "phone":
                return self._phones, True
            if space.field == "email":
                return self._emails, True
            if space.field == "name":
                return self._names, False
        table = self._spaces.get(space)
        if table is None or self._folded[space] != folded:
            table = {}
            for lead in self._all():
                for key in self._held(space, lead, folded):
                    _add(table, key, lead.id)
            self._spaces[space] = table
            self._folded[space] = folded
        return table, True

    def counter(self, spec: Spec) -> Counter:
        """How many indexed leads hold a key (for items with ``max_leads``)."""

        def count(space: KeySpace, key: Key) -> int:
            table, _ = self._table(space, spec.folded)
            return len(_ids(table, key))

        return count

    def _inbound_keys(self, space: KeySpace, probe: Probe, spec: Spec) -> list[str]:
        if space.person:
            keys = space.of_person(probe.who, spec.folded)
        else:
            # auto() and duplicates() probe with their inbound lead (merge._query).
            keys = space.lead_keys(cast("Lead", probe.lead), spec.region)
        table, exact = self._table(space, spec.folded)
        if not exact:
            # The full-name table: a name (first, last) is found by its full name.
            return [f"{k[0]} {k[1]}" for k in keys]
        found = [k for k in keys]  # noqa: C416  # keys as bucket names
        if space.max_leads is not None:
            found = [k for k in found if len(_ids(table, k)) <= space.max_leads]
        return found  # type: ignore[return-value]  # keys are hashable

    def _ids_of(self, space: KeySpace, probe: Probe, spec: Spec) -> list[str]:
        table, _ = self._table(space, spec.folded)
        ids: list[str] = []
        for key in self._inbound_keys(space, probe, spec):
            ids.extend(_ids(table, key))
        return ids

    def lookup(self, probe: Probe, spec: Spec) -> Iterable[Lead]:
        """
        Return the leads that may match the inbound side under ``spec`` (a superset).

        Internal to :mod:`leadcore.merge`: the caller evaluates each lead returned.
        """
        if not spec.exact:
            return self._all()
        seen: dict[str, None] = {}
        for group in spec.groups:
            blocking = group.blocking
            if blocking is None or not probe.open[group.position]:
                continue
            if blocking.required:
                # Every match shares a key of each required space: the leads of the
                # smallest list that are in every other list too (a compound key).
                lists = [self._ids_of(space, probe, spec) for space in blocking.required]
                lists.sort(key=len)
                smallest: list[str] = lists[0]
                if len(lists) > 1 and smallest:
                    others = [set(ids) for ids in lists[1:]]
                    smallest = [i for i in smallest if all(i in o for o in others)]
                seen.update(dict.fromkeys(smallest))
                continue
            # Options: skip the largest while the rest can still reach `at_least`.
            options = sorted(
                (
                    (self._ids_of(space, probe, spec), weight, space.label)
                    for space, weight in blocking.options
                ),
                key=lambda o: (-len(o[0]), o[2]),
            )
            spare = blocking.at_least - 1
            for ids, weight, _ in options:
                if weight <= spare:
                    spare -= weight
                    continue
                seen.update(dict.fromkeys(ids))
        lead = self._lead
        return [lead(i) for i in seen]


def from_keys(
    ids: Sequence[str],
    phones: Sequence[Sequence[str]],
    emails: Sequence[Sequence[str]],
    names: Sequence[Sequence[str]],
    build: Callable[[int], Lead],
    *,
    region: str,
    placeholder_email_locals: tuple[str, ...],
) -> MergeIndex:
    """
    Return an index of a table's rows, each lead built on first use (the engines' API).

    Row ``i`` is the lead ``build(i)``, of id ``ids[i]``, whose people hold the phones
    ``phones[i]``, emails ``emails[i]`` and folded full names ``names[i]`` (each once,
    in the order :class:`MergeIndex` meets them) as :func:`leadcore.normalize.person`
    computes them with ``region`` and ``placeholder_email_locals``: the caller
    guarantees it (:func:`leadcore.dedupe.merge_index` reads them from a table's
    normal forms). Ids are unique. The buckets are filled from these keys alone; a
    lead is built when a lookup, :meth:`MergeIndex.get` or an update first needs it.
    """
    index = MergeIndex(region=region, placeholder_email_locals=placeholder_email_locals)
    index.fill_rows(ids, (phones, emails, names), build)
    return index
