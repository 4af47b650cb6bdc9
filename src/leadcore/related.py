"""
Related leads per CRM (REL-1..REL-6): look them up, group a table, stop them.

Two records of a CRM are *related* when they are of the same kind and share the key that
CRM relates that kind by: the folded account (company) name for leads of Salesforce, Zoho
and Dynamics, the account id for contacts and persons (REL-2). The rules of the six CRMs
are data, :data:`DEFAULT_RELATION_KEYS`, held by :class:`RelatedPolicy`, not six copies of
code.

* :func:`find` lists the records related to the current one (REL-1 to REL-4): nothing,
  with the reason ``crm_not_connected``, when the user's profile is not connected; the icon
  shows only when something is related; records outside the cadence tool are listed but
  not selectable.
* :func:`related` tells whether two records are related (REL-2).
* :func:`group` sorts a whole table into related groups in linear time (REL-6).
* :func:`stop` lists the (lead, cadence) memberships to stop (REL-5);
  :func:`cadence_memberships` builds them from records.

>>> from leadcore.model import CrmRecord
>>> current = CrmRecord(id="L1", kind="lead", account_name="Acme Corp.")
>>> others = [
...     CrmRecord(id="L2", kind="lead", account_name="ACME corp", cadences=["c1"]),
...     CrmRecord(id="L3", kind="lead", account_name="Globex"),
...     CrmRecord(id="L4", kind="lead", account_name="acme  CORP", in_cadence=False),
... ]
>>> found = find("salesforce", current, others, connected=True)
>>> [(r.id, r.selectable) for r in found.related], found.show_icon
([('L2', True), ('L4', False)], True)
>>> stop(["L2"], cadence_memberships(others), current="L1").stopped
(CadenceMembership(lead='L2', cadence='c1'),)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final, Literal, cast, get_args

import attrs

from leadcore import _attrs as a
from leadcore import _display as d
from leadcore import _fields, _text
from leadcore.decisions import Reason
from leadcore.errors import InvalidInput, Problem
from leadcore.model import Crm, CrmRecord, RecordKind
from leadcore.reasons import RelatedFind

__all__ = [
    "DEFAULT_RELATION_KEYS",
    "CadenceMembership",
    "KeyField",
    "RelatedGroup",
    "RelatedLeads",
    "RelatedPolicy",
    "RelatedRecord",
    "RelationKeys",
    "StopResult",
    "cadence_memberships",
    "find",
    "group",
    "group_key",
    "related",
    "stop",
]


def __dir__() -> list[str]:
    return list(__all__)


KeyField = Literal["account_name", "account_id"]
"""
What relates two records of one kind (REL-2).

``account_name``: the record's ``account_name`` (account or company name) after the rulebook
"Text" fold; ``account_id``: the record's ``account_id``, compared exactly.
"""

_KEY_FIELDS: Final = frozenset(get_args(KeyField))

RelationKeys = Mapping[Crm, Mapping[RecordKind, KeyField]]
"""The per-CRM table: which record kinds a CRM has, and the key relating each kind."""

DEFAULT_RELATION_KEYS: Final[RelationKeys] = MappingProxyType(
    {
        Crm.SALESFORCE: MappingProxyType(
            {RecordKind.LEAD: "account_name", RecordKind.CONTACT: "account_id"}
        ),
        Crm.ZOHO: MappingProxyType(
            {RecordKind.LEAD: "account_name", RecordKind.CONTACT: "account_id"}
        ),
        Crm.DYNAMICS: MappingProxyType(
            {RecordKind.LEAD: "account_name", RecordKind.CONTACT: "account_id"}
        ),
        Crm.PIPEDRIVE: MappingProxyType({RecordKind.PERSON: "account_id"}),
        Crm.HUBSPOT: MappingProxyType({RecordKind.CONTACT: "account_id"}),
        Crm.SELLSY: MappingProxyType({RecordKind.CONTACT: "account_id"}),
    }
)
"""
REL-2 as data: for each CRM, its record kinds and the key relating each kind.

Salesforce, Zoho and Dynamics relate leads by account (Zoho: company) name and contacts by
account; Pipedrive relates persons, HubSpot and Sellsy contacts, by account.
"""

_CRM_NAMES: Final = MappingProxyType(
    {
        Crm.SALESFORCE: "Salesforce",
        Crm.ZOHO: "Zoho",
        Crm.DYNAMICS: "Dynamics",
        Crm.PIPEDRIVE: "Pipedrive",
        Crm.HUBSPOT: "HubSpot",
        Crm.SELLSY: "Sellsy",
    }
)

# -- policy -------------------------------------------------------------------------------

_as_crm = a.to_enum(Crm)
_as_kind = a.to_enum(RecordKind)


def _relation_keys(value: Mapping[Crm | str, Mapping[RecordKind | str, str]]) -> RelationKeys:
    """Freeze a per-CRM table given with enum members or their values (lenient)."""
    return _freeze_table(value)


def _freeze_table(value: object) -> RelationKeys:
    if not isinstance(value, Mapping):
        return cast("RelationKeys", value)
    table: dict[object, object] = {}
    for crm, kinds in cast("Mapping[object, object]", value).items():
        if isinstance(kinds, Mapping):
            kinds_map = cast("Mapping[object, object]", kinds)
            table[_as_crm(cast("str", crm))] = MappingProxyType(
                {_as_kind(cast("str", k)): v for k, v in kinds_map.items()}
            )
        else:
            table[_as_crm(cast("str", crm))] = kinds
    return cast("RelationKeys", MappingProxyType(table))


def _check_relation_keys(path: str, value: object) -> list[Problem]:
    if not isinstance(value, MappingProxyType):
        return [Problem(path, value, "must be a mapping of CRM to {record kind: key}")]
    crms = ", ".join(repr(c.value) for c in Crm)
    kinds_allowed = ", ".join(repr(k.value) for k in RecordKind)
    keys_allowed = ", ".join(repr(k) for k in sorted(_KEY_FIELDS))
    found: list[Problem] = []
    outer = cast("Mapping[object, object]", value)
    for crm, kinds in outer.items():
        where = f"{path}.{crm}"
        if not isinstance(crm, Crm):
            found.append(Problem(where, crm, f"is not a CRM; must be one of {crms}"))
            continue
        if not isinstance(kinds, MappingProxyType):
            found.append(Problem(where, kinds, "must be a mapping of record kind to key"))
            continue
        inner = cast("Mapping[object, object]", kinds)
        for kind, key in inner.items():
            if not isinstance(kind, RecordKind):
                found.append(
                    Problem(f"{where}.{kind}", kind, f"is not a record kind; use {kinds_allowed}")
                )
            elif not isinstance(key, str) or key not in _KEY_FIELDS:
                found.append(Problem(f"{where}.{kind}", key, f"must be one of {keys_allowed}"))
    return found


@attrs.frozen(kw_only=True)
class RelatedPolicy(a.Frozen):
    """
    Knobs of the related-leads rules (GEN-7, REL-2).

    Attributes:
        relation_keys: The per-CRM table: for each CRM, its record kinds and the key
            (``account_name`` or ``account_id``) that relates two records of that kind.
            A CRM missing from the table has no record kinds. Given to the protocol as
            ``{"salesforce": {"lead": "account_name", ...}, ...}``; an override replaces
            the whole table. Defaults to :data:`DEFAULT_RELATION_KEYS`.

    """

    relation_keys: RelationKeys = attrs.field(
        metadata=a.check(_check_relation_keys),
        default=DEFAULT_RELATION_KEYS,
        converter=_relation_keys,
        hash=False,
    )


# -- results ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RelatedRecord(a.Frozen):
    """
    One record related to the current one, as the related-leads list shows it.

    Attributes:
        record: The related record.
        selectable: Whether it can be selected (to be stopped): it is in the cadence
            tool (``record.in_cadence``, REL-4).

    """

    record: CrmRecord
    selectable: bool

    @property
    def id(self) -> str:
        """The related record's id."""
        return self.record.id


def _related_tuple(value: Iterable[RelatedRecord]) -> tuple[RelatedRecord, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True, repr=False)
class RelatedLeads(a.Frozen, d.Shown):
    """
    What :func:`find` answers: the related records and whether to show the icon.

    Attributes:
        related: The related records, sorted by id (code point order).
        reasons: Why nothing was looked up (``crm_not_connected``, REL-1); empty when the
            profile is connected.

    """

    related: tuple[RelatedRecord, ...] = attrs.field(default=(), converter=_related_tuple)
    reasons: tuple[Reason, ...] = attrs.field(default=(), converter=_fields.reason_tuple)

    @property
    def show_icon(self) -> bool:
        """Whether the related-leads icon is shown: something is related (REL-3)."""
        return bool(self.related)

    @property
    def ids(self) -> tuple[str, ...]:
        """The related records' ids, sorted."""
        return tuple(r.id for r in self.related)

    @property
    def selectable_ids(self) -> tuple[str, ...]:
        """The ids of the related records that can be selected (REL-4), sorted."""
        return tuple(r.id for r in self.related if r.selectable)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reasons' codes, in order."""
        return tuple(r.code for r in self.reasons)

    def _view(self, rows: int) -> d.View:
        if self.reasons:
            return d.View(
                "RelatedLeads",
                "not looked up: " + ", ".join(self.codes),
                tables=[d.reasons_table(self.reasons, rows)],
            )
        selectable = sum(1 for r in self.related if r.selectable)
        return d.View(
            "RelatedLeads",
            f"{len(self.related):,} related ({selectable:,} selectable)",
            facts=[("show_icon", self.show_icon), ("related", len(self.related))],
            tables=[
                d.Table(
                    "related",
                    ("id", "kind", "account_id", "account_name", "selectable"),
                    [
                        (
                            r.id,
                            r.record.kind,
                            r.record.account_id,
                            r.record.account_name,
                            r.selectable,
                        )
                        for r in self.related[:rows]
                    ],
                    len(self.related),
                )
            ],
        )


@attrs.frozen(kw_only=True)
class RelatedGroup(a.Frozen):
    """
    A group of two or more records related to each other (REL-6).

    Attributes:
        id: A stable id made of the kind, the key field and the key value
            (``lead:account_name:acme corp``, ``contact:account_id:001A``): it depends
            neither on the order of the table nor on which records are in the group.
        kind: The records' kind.
        key: The key field relating them.
        value: The key value they share (the folded name, or the account id).
        records: The records' ids, sorted (code point order).

    """

    id: str
    kind: RecordKind
    key: KeyField
    value: str
    records: tuple[str, ...]


@attrs.frozen(kw_only=True)
class CadenceMembership(a.Frozen):
    """
    A lead's membership of one cadence; stopping the lead ends it (REL-5).

    Attributes:
        lead: The lead's (record's) id.
        cadence: The cadence's id.

    """

    lead: str = attrs.field(metadata=a.check(a.ident))
    cadence: str = attrs.field(metadata=a.check(a.ident))


def _membership_tuple(value: Iterable[CadenceMembership]) -> tuple[CadenceMembership, ...]:
    return a.to_tuple(value)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return a.to_tuple(value)


@attrs.frozen(kw_only=True, repr=False)
class StopResult(a.Frozen, d.Shown):
    """
    What :func:`stop` answers: the memberships to stop (REL-5).

    Attributes:
        stopped: The (lead, cadence) memberships stopped, sorted by lead then cadence
            (code point order), without duplicates.
        not_in_cadence: The leads asked for (selected, and the current one when included)
            that are in no cadence, so nothing was stopped for them; sorted.

    """

    stopped: tuple[CadenceMembership, ...] = attrs.field(default=(), converter=_membership_tuple)
    not_in_cadence: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def _view(self, rows: int) -> d.View:
        return d.View(
            "StopResult",
            f"{len(self.stopped):,} memberships stopped",
            facts=[("stopped", len(self.stopped)), ("not_in_cadence", self.not_in_cadence[:rows])],
            tables=[
                d.Table(
                    "stopped",
                    ("lead", "cadence"),
                    [(m.lead, m.cadence) for m in self.stopped[:rows]],
                    len(self.stopped),
                )
            ],
        )


# -- helpers ------------------------------------------------------------------------------


def _crm(value: object, path: str = "crm") -> Crm:
    if isinstance(value, Crm):
        return value
    for member in Crm:
        if member.value == value:
            return member
    allowed = ", ".join(repr(c.value) for c in Crm)
    raise InvalidInput.single(path, value, f"must be one of {allowed}")


def _kinds_text(crm: Crm, table: Mapping[RecordKind, KeyField]) -> str:
    if not table:
        return f"{_CRM_NAMES[crm]}, which has none in the policy's relation_keys"
    kinds = " and ".join(repr(k.value) for k in table)
    return f"{_CRM_NAMES[crm]}, which has {kinds}"


def _check_record(
    record: object,
    path: str,
    crm: Crm,
    table: Mapping[RecordKind, KeyField],
    problems: list[Problem],
) -> bool:
    """Check one record; return whether it is usable (problems appended otherwise)."""
    if not isinstance(record, CrmRecord):
        problems.append(Problem(path, record, f"must be a CrmRecord, not {type(record).__name__}"))
        return False
    if record.kind not in table:
        problems.append(
            Problem(
                f"{path}.kind",
                record.kind.value,
                f"is not a record kind of {_kinds_text(crm, table)}",
            )
        )
        return False
    return True


def _records(value: object, path: str, items: str = "CrmRecord") -> tuple[object, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInput.single(path, value, f"must be a list of {items}")
    return tuple(cast("Iterable[object]", value))


def _duplicate_ids(rows: tuple[object, ...], path: str) -> list[Problem]:
    """Problems for each record whose id an earlier record of ``rows`` has."""
    first: dict[str, int] = {}
    found: list[Problem] = []
    for index, record in enumerate(rows):
        if not isinstance(record, CrmRecord):
            continue
        earlier = first.setdefault(record.id, index)
        if earlier != index:
            found.append(
                Problem(
                    f"{path}[{index}].id",
                    record.id,
                    f"is the id of {path}[{earlier}] too; record ids must be unique",
                )
            )
    return found


def _record_index(problem: Problem) -> int:
    """The index in ``records[12].kind``, to list problems in table order."""
    return int(problem.path.partition("[")[2].partition("]")[0])


def _key(record: CrmRecord, field: KeyField) -> str | None:
    """The record's key value, or None when it relates to nothing (REL-2)."""
    if field == "account_id":
        return record.account_id
    name = record.account_name
    if name is None:
        return None
    return _text.fold(name) or None


# -- rules --------------------------------------------------------------------------------


# records: checked by the rule itself, every problem in table order (kinds the CRM
# lacks, duplicate ids, junk) at once.
@a.checked(records=None)
def find(
    crm: Crm | str,
    record: CrmRecord,
    records: Iterable[CrmRecord],
    *,
    connected: bool,
    policy: RelatedPolicy = RelatedPolicy(),
) -> RelatedLeads:
    """
    List the records related to ``record`` among ``records`` (REL-1 to REL-4).

    Related records are looked up only when the user's profile is ``connected`` to the
    CRM; otherwise the answer is empty with the reason ``crm_not_connected`` (REL-1).
    A record of ``records`` is related when :func:`related` says so (REL-2): same kind,
    same key. An entry of ``records`` with ``record``'s id is ``record`` itself and is
    skipped. Each related record is listed, sorted by id, and is selectable only when it
    is in the cadence tool (REL-4); :attr:`RelatedLeads.show_icon` is true exactly when
    one is listed (REL-3). The input is validated in full before the connection is
    looked at.

    Args:
        crm: The CRM (``salesforce``, ``zoho``, ``dynamics``, ``pipedrive``, ``hubspot``,
            ``sellsy``).
        record: The current record (the lead whose page is open).
        records: The CRM's records to look among.
        connected: Whether the user's profile is connected to the CRM.
        policy: The per-CRM table.

    Returns:
        The related records and the reasons.

    Raises:
        InvalidInput: An unknown CRM (``crm``), a record kind the CRM does not have
            (``records[4].kind``), two entries of ``records`` with one id
            (``records[4].id``), or a value that is not a record.

    >>> from leadcore.model import CrmRecord
    >>> me = CrmRecord(id="C1", kind="contact", account_id="A1")
    >>> find("hubspot", me, [CrmRecord(id="C2", kind="contact", account_id="A1")],
    ...      connected=False).codes
    ('crm_not_connected',)
    >>> find("hubspot", me, [CrmRecord(id="C2", kind="contact", account_id="A1")],
    ...      connected=True).ids
    ('C2',)
    """
    which = _crm(crm)
    table = policy.relation_keys.get(which, MappingProxyType({}))
    others = _records(records, "records")
    problems: list[Problem] = []
    problems.extend(a.boolean("connected", connected))
    own_id = record.id if _check_record(record, "record", which, table, problems) else None
    seen: dict[str, int] = {}
    for index, other in enumerate(others):
        path = f"records[{index}]"
        if not _check_record(other, path, which, table, problems):
            continue
        other_id = cast("CrmRecord", other).id
        if other_id == own_id:
            continue
        if other_id in seen:
            problems.append(
                Problem(
                    f"{path}.id",
                    other_id,
                    f"is the id of records[{seen[other_id]}] too; record ids must be unique",
                )
            )
        else:
            seen[other_id] = index
    if problems:
        raise InvalidInput(problems)
    if not connected:
        name = _CRM_NAMES[which]
        return RelatedLeads(
            reasons=(RelatedFind.crm_not_connected.reason({"crm": which.value}, crm=name),)
        )
    field = table[record.kind]
    key = _key(record, field)
    if key is None:
        return RelatedLeads()
    found = [
        RelatedRecord(record=other, selectable=other.in_cadence)
        for other in cast("tuple[CrmRecord, ...]", others)
        if other.id != record.id and other.kind is record.kind and _key(other, field) == key
    ]
    found.sort(key=lambda r: r.record.id)
    return RelatedLeads(related=found)


@a.checked
def related(
    crm: Crm | str,
    a_record: CrmRecord,
    b_record: CrmRecord,
    *,
    policy: RelatedPolicy = RelatedPolicy(),
) -> bool:
    """
    Return whether two records of ``crm`` are related (REL-2).

    They are when they have different ids, the same kind, and the same key for that kind
    in ``crm``: the folded account name (case, accents, punctuation and white space
    folded) or the account id. A record without the key (no account id, or a name that
    folds to nothing) is related to nothing. Symmetric, and transitive within a kind.

    Raises:
        InvalidInput: An unknown CRM, or a record kind the CRM does not have
            (``a_record.kind``).

    >>> from leadcore.model import CrmRecord
    >>> lead = CrmRecord(id="L1", kind="lead", account_name="Société Générale")
    >>> related("zoho", lead, CrmRecord(id="L2", kind="lead", account_name="SOCIETE-generale"))
    True
    >>> related("zoho", lead, CrmRecord(id="C1", kind="contact", account_name="Société Générale"))
    False
    """
    which = _crm(crm)
    table = policy.relation_keys.get(which, MappingProxyType({}))
    problems: list[Problem] = []
    _check_record(a_record, "a_record", which, table, problems)
    _check_record(b_record, "b_record", which, table, problems)
    if problems:
        raise InvalidInput(problems)
    if a_record.id == b_record.id or a_record.kind is not b_record.kind:
        return False
    field = table[a_record.kind]
    key = _key(a_record, field)
    return key is not None and key == _key(b_record, field)


@a.checked(records=None)  # as find
def group(  # noqa: C901, PLR0912  # the hot loop is flat on purpose: a million records (REL-6)
    crm: Crm | str,
    records: Iterable[CrmRecord],
    *,
    policy: RelatedPolicy = RelatedPolicy(),
) -> tuple[RelatedGroup, ...]:
    """
    Group a whole table of records into groups of related records (REL-6).

    One pass over the table puts each record in a dictionary keyed by (kind, key), so the
    work grows linearly with the table (a million records in about 1.1 to 1.8 s, see
    ``benchmarks/related.md``); each account name is folded once however many records
    carry it. Only sorting each group's ids, for a deterministic answer, is O(k log k)
    for a group of k. Groups of two or more records are returned, sorted by their stable
    :attr:`RelatedGroup.id`, each listing its records' ids sorted; a record related to
    nothing is in no group. Two records are in the same group exactly when
    :func:`related` says they are related. There is no size limit here (the protocol's
    100,000 items do not apply to a table in Python).

    Raises:
        InvalidInput: An unknown CRM, a record kind the CRM does not have
            (``records[4].kind``), two records with one id (``records[4].id``), or a
            value that is not a record. Every problem is listed.

    >>> from leadcore.model import CrmRecord
    >>> table = [
    ...     CrmRecord(id="L2", kind="lead", account_name="Acme Inc."),
    ...     CrmRecord(id="C1", kind="contact", account_id="001A"),
    ...     CrmRecord(id="L1", kind="lead", account_name="ACME inc"),
    ...     CrmRecord(id="C2", kind="contact", account_id="001A"),
    ...     CrmRecord(id="L3", kind="lead", account_name="Globex"),
    ... ]
    >>> [(g.id, g.records) for g in group("salesforce", table)]
    [('contact:account_id:001A', ('C1', 'C2')), ('lead:account_name:acme inc', ('L1', 'L2'))]
    """
    which = _crm(crm)
    # A plain dict: looking up through the read-only proxy costs more in the hot loop.
    table = dict(policy.relation_keys.get(which, MappingProxyType({})))
    if type(records).__module__.startswith("pyspark."):
        raise InvalidInput.single(
            "records",
            type(records).__name__,
            "is a Spark DataFrame: group it on Spark with leadcore.spark.group_related "
            "(this rule family runs in this process, on CrmRecord objects)",
        )
    rows = _records(records, "records")
    problems: list[Problem] = []
    ids: list[str] = []
    keep_id = ids.append
    folded: dict[str, str] = {}
    # One dict per kind, keyed by the key value; a value seen once maps to its record's
    # id, a list is made only on the second. A table of a million records then creates
    # few containers, which keeps the cyclic garbage collector (triggered by container
    # allocations) from scanning the growing heap over and over.
    buckets: dict[RecordKind, dict[str, str | list[str]]] = {kind: {} for kind in table}
    fold = _text.fold
    # The hot loop: a million records must take seconds, so it is written flat.
    for index, record in enumerate(rows):
        if type(record) is not CrmRecord or record.kind not in table:
            _check_record(record, f"records[{index}]", which, table, problems)
            continue
        record_id = record.id
        keep_id(record_id)
        kind = record.kind
        if table[kind] == "account_name":
            name = record.account_name
            if name is None:
                continue
            value = folded.get(name)
            if value is None:
                value = folded[name] = fold(name)
            if not value:
                continue
        else:
            account = record.account_id
            if account is None:
                continue
            value = account
        by_value = buckets[kind]
        found = by_value.get(value)
        if found is None:
            by_value[value] = record_id
        elif type(found) is str:
            by_value[value] = [found, record_id]
        else:
            cast("list[str]", found).append(record_id)
    # Duplicate ids are looked for once, in C (a set of the ids), and located only when
    # there are some: a per-record dictionary check cost a third of the time.
    if len(set(ids)) != len(ids):
        problems.extend(_duplicate_ids(rows, "records"))
        problems.sort(key=_record_index)
    if problems:
        raise InvalidInput(problems)
    groups = [
        RelatedGroup(
            id=f"{kind.value}:{table[kind]}:{value}",
            kind=kind,
            key=table[kind],
            value=value,
            records=tuple(sorted(ids)),
        )
        for kind, by_value in buckets.items()
        for value, ids in by_value.items()
        if type(ids) is list
    ]
    groups.sort(key=lambda g: g.id)
    return tuple(groups)


@a.checked(record=None)  # checked by the rule itself, with its path
def group_key(
    crm: Crm | str,
    record: CrmRecord,
    *,
    policy: RelatedPolicy = RelatedPolicy(),
) -> str | None:
    """
    The id of the group ``record`` falls in under REL-6, or None when it relates to nothing.

    Two records of one table are in the same group of :func:`group` exactly when their
    group keys are equal and not None; the key is :attr:`RelatedGroup.id`
    (``kind:key field:value``, the account name folded). Engines that group tables
    elsewhere (Spark) call this for each record.

    >>> group_key("salesforce", CrmRecord(id="L1", kind="lead", account_name="ACME inc."))
    'lead:account_name:acme inc'
    >>> group_key("salesforce", CrmRecord(id="C1", kind="contact")) is None
    True

    Raises:
        InvalidInput: An unknown CRM, a record kind the CRM does not have
            (``record.kind``), or a value that is not a record.

    """
    which = _crm(crm)
    table = policy.relation_keys.get(which, MappingProxyType({}))
    problems: list[Problem] = []
    if not _check_record(record, "record", which, table, problems):
        raise InvalidInput(problems)
    field = table[record.kind]
    value = _key(record, field)
    return None if value is None else f"{record.kind.value}:{field}:{value}"


@a.checked
def cadence_memberships(records: Iterable[CrmRecord]) -> tuple[CadenceMembership, ...]:
    """
    Return every (record, cadence) membership of ``records``, in input order (REL-5).

    Builds the ``memberships`` argument of :func:`stop` from records' ``cadences``.

    Raises:
        InvalidInput: A value that is not a record.

    >>> from leadcore.model import CrmRecord
    >>> [(m.lead, m.cadence) for m in cadence_memberships(
    ...     [CrmRecord(id="L2", cadences=["c1", "c2"]), CrmRecord(id="L3")])]
    [('L2', 'c1'), ('L2', 'c2')]
    """
    rows = _records(records, "records")  # CrmRecords: @a.checked refuses anything else
    return tuple(
        CadenceMembership(lead=r.id, cadence=c)
        for r in cast("tuple[CrmRecord, ...]", rows)
        for c in r.cadences
    )


# Every argument is checked by the rule itself, every problem at once.
@a.checked(selected=None, memberships=None, current=None, include_current=None)
def stop(
    selected: Iterable[str],
    memberships: Iterable[CadenceMembership],
    *,
    current: str | None = None,
    include_current: bool = False,
) -> StopResult:
    """
    Stop the selected related leads in every cadence they are in (REL-5).

    Every membership of a selected lead is stopped; with ``include_current`` (the toggle
    at the bottom of the pop-up) the current lead's are stopped too. The answer lists the
    memberships stopped, sorted by lead then cadence, without duplicates. A lead asked
    for that is in no cadence stops nothing and is listed in
    :attr:`StopResult.not_in_cadence` (the list makes such leads unselectable, so this is
    not an error). Memberships of other leads are left alone. A lead selected twice is
    stopped once.

    Args:
        selected: The ids of the related leads selected.
        memberships: The (lead, cadence) memberships known, at least those of the
            selected leads and of the current lead.
        current: The current lead's id; required when ``include_current`` is on.
        include_current: Whether the current lead is stopped too.

    Raises:
        InvalidInput: ``include_current`` without ``current``; the current lead among
            the selected ones (a record is never related to itself: use the toggle);
            an id that is not a non-empty string; a membership that is not a
            :class:`CadenceMembership`.

    >>> m = [CadenceMembership(lead="L2", cadence="c9"), CadenceMembership(lead="L1", cadence="c1"),
    ...      CadenceMembership(lead="L2", cadence="c1"), CadenceMembership(lead="L3", cadence="c1")]
    >>> [(s.lead, s.cadence) for s in stop(["L2"], m, current="L1", include_current=True).stopped]
    [('L1', 'c1'), ('L2', 'c1'), ('L2', 'c9')]
    >>> stop(["L4"], m, current="L1").not_in_cadence
    ('L4',)
    """
    chosen = _records(selected, "selected", "lead ids")
    rows = _records(memberships, "memberships", "CadenceMembership")
    problems: list[Problem] = []
    problems.extend(a.boolean("include_current", include_current))
    current_problems = [] if current is None else a.ident("current", current)
    problems.extend(current_problems)
    if current is None and include_current:
        problems.append(
            Problem("current", None, "is required when include_current is on (the current lead)")
        )
    for index, lead in enumerate(chosen):
        path = f"selected[{index}]"
        problems.extend(a.ident(path, lead))
        if current is not None and not current_problems and lead == current:
            problems.append(
                Problem(
                    path,
                    lead,
                    "is the current lead, which is never related to itself; "
                    "turn include_current on to stop it",
                )
            )
    problems.extend(
        Problem(f"memberships[{i}]", m, f"must be a CadenceMembership, not {type(m).__name__}")
        for i, m in enumerate(rows)
        if not isinstance(m, CadenceMembership)
    )
    if problems:
        raise InvalidInput(problems)
    leads = set(cast("tuple[str, ...]", chosen))
    if include_current and current is not None:
        leads.add(current)
    stopped = {
        (m.lead, m.cadence) for m in cast("tuple[CadenceMembership, ...]", rows) if m.lead in leads
    }
    with_cadence = {lead for lead, _ in stopped}
    return StopResult(
        stopped=tuple(CadenceMembership(lead=lead, cadence=c) for lead, c in sorted(stopped)),
        not_in_cadence=tuple(sorted(leads - with_cadence)),
    )
