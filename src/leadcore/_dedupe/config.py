"""
Batch deduplication's configuration: its columns, its policy and their vocabulary.

:class:`~leadcore.dedupe.Columns`, :class:`~leadcore.dedupe.DedupePolicy`, the actions
and the table names.

Re-exported by :mod:`leadcore.dedupe`, the public face of these names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, cast

import attrs

from leadcore import _attrs as a
from leadcore._dedupe import frames, inputs
from leadcore.errors import InvalidInput, Problem
from leadcore.merge import MergePolicy

__all__ = [
    "ACTIONS",
    "LEAD_COLUMNS",
    "TABLES",
    "Action",
    "Columns",
    "DedupePolicy",
    "GenericHandling",
    "TableKind",
]

Action = Literal["merge", "route", "duplicate"]
"""What the merge rules decide for a pair: auto-merge, route (MRG-2), possible duplicate."""

ACTIONS: Final[tuple[Action, ...]] = ("merge", "route", "duplicate")
"""Every action, strongest first (a pair's kind is its strongest decision)."""

GenericHandling = Literal["refine", "exclude", "error"]
"""What to do with keys held by more than ``generic_key_rows`` leads (see DedupePolicy)."""

TableKind = frames.TableKind
"""Kinds of output tables: ``rows`` (a list of dicts), ``pandas``, ``polars``, ``pyarrow``."""

TABLES: Final = ("pairs", "decisions", "clusters", "generic_keys", "bad_rows")
"""The tables of a :class:`DedupeResult`, by name."""


_DEFAULT_MERGE: Final = MergePolicy()


# -- configuration ------------------------------------------------------------------------


def _opt_name_tuple(value: Iterable[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return a.str_tuple(value)


_names = a.collection(a.text)

LEAD_COLUMNS: Final = ("project", "status", "owner", "org", "pipeline")
"""Lead fields a rule may compare that have no column unless mapped (besides source, lot)."""


def _custom_map(value: Mapping[str, str] | Iterable[str] | None) -> Mapping[str, str]:
    """Custom fields: a mapping of field name to column, or column names (same name)."""
    found: object = value
    if value is None:
        found = a.FrozenMap()
    elif isinstance(value, Mapping):
        found = a.FrozenMap(dict(value))
    elif isinstance(value, str):
        found = a.FrozenMap({value: value})
    elif isinstance(value, Iterable):
        items = list(value)
        if all(isinstance(i, str) for i in items):
            found = a.FrozenMap({i: i for i in items})
    return found  # type: ignore[return-value]  # a FrozenMap of text, or the check reports it


def _custom_check(path: str, value: object) -> list[Problem]:
    if not isinstance(value, a.FrozenMap):
        return [Problem(path, value, "must map custom field names to column names")]
    problems = []
    for name, column in value.items():
        problems.extend(a.ident(f"{path}.{name}", name))
        problems.extend(a.ident(f"{path}.{name}", column))
    return problems


@attrs.frozen(kw_only=True)
class Columns(a.Frozen):
    """
    Where each field of a lead is in a table: column names, for real exports.

    The defaults are the columns of the synthetic exports in ``benchmarks/`` and of the
    bundled sample (``leadcore/data/sample_leads.csv``). Map a field to None (or, for
    contacts, to no column) when the table does not have it; contacts may take several
    columns (``phones=("mobile", "work_phone")``).

    >>> Columns(id="Lead ID", phones=("Mobile", "Phone")).phones
    ('Mobile', 'Phone')
    >>> Columns.parse(["id=Lead ID", "co_email=", "phones=Mobile,Phone"]).co_emails
    ()

    Attributes:
        id: The lead id column (required).
        first_name: The customer's first name.
        last_name: The customer's last name.
        emails: The customer's email columns.
        phones: The customer's phone columns.
        co_first_name: The co-customer's first name.
        co_last_name: The co-customer's last name.
        co_emails: The co-customer's email columns.
        co_phones: The co-customer's phone columns.
        source: The lead source (``credit_application`` matters to MRG-2).
        lot: The lot (reported with routing decisions).
        created_at: When the lead was created (MRG-3).
        last_activity_at: When anything last happened on it (MRG-3, MRG-7).
        labels: A ground-truth column (the real person behind each row, such as the
            generated exports' ``true_cluster``), read for
            :meth:`~leadcore.dedupe.DedupeResult.accuracy`; for leads, the key of their
            ``fields`` holding it. None (default): no labels.
        project: The project (only needed when a match rule compares it).
        status: The status (likewise).
        owner: The owner (likewise).
        org: The organisation (likewise).
        pipeline: The pipeline (likewise).
        fields: Custom fields a match rule compares (``fields.<name>``): a mapping of
            name to column, or column names (the field takes the column's name).

    >>> Columns(fields=["vin", "zip"]).fields["vin"]
    'vin'
    >>> Columns.parse(["fields.zip=Postal Code"]).fields["zip"]
    'Postal Code'

    """

    id: str = attrs.field(metadata=a.check(a.ident), default="lead_id")
    first_name: str | None = attrs.field(metadata=a.check(a.opt_ident), default="first_name")
    last_name: str | None = attrs.field(metadata=a.check(a.opt_ident), default="last_name")
    emails: tuple[str, ...] = attrs.field(
        metadata=a.check(_names), default=("email",), converter=_opt_name_tuple
    )
    phones: tuple[str, ...] = attrs.field(
        metadata=a.check(_names), default=("phone",), converter=_opt_name_tuple
    )
    co_first_name: str | None = attrs.field(metadata=a.check(a.opt_ident), default="co_first_name")
    co_last_name: str | None = attrs.field(metadata=a.check(a.opt_ident), default="co_last_name")
    co_emails: tuple[str, ...] = attrs.field(
        metadata=a.check(_names), default=("co_email",), converter=_opt_name_tuple
    )
    co_phones: tuple[str, ...] = attrs.field(
        metadata=a.check(_names), default=("co_phone",), converter=_opt_name_tuple
    )
    source: str | None = attrs.field(metadata=a.check(a.opt_ident), default="source")
    lot: str | None = attrs.field(metadata=a.check(a.opt_ident), default="lot")
    created_at: str | None = attrs.field(metadata=a.check(a.opt_ident), default="created_at")
    last_activity_at: str | None = attrs.field(
        metadata=a.check(a.opt_ident), default="last_activity_at"
    )
    labels: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)
    project: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)
    status: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)
    owner: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)
    org: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)
    pipeline: str | None = attrs.field(metadata=a.check(a.opt_ident), default=None)
    fields: Mapping[str, str] = attrs.field(
        metadata=a.check(_custom_check), factory=a.FrozenMap, converter=_custom_map, hash=False
    )

    @classmethod
    def parse(cls, items: Iterable[str], base: Columns | None = None) -> Columns:
        """
        Return ``base`` (the defaults) with ``field=column`` overrides, as the CLI takes them.

        ``field=`` maps a field to nothing; contacts take comma-separated columns. The
        singular ``email``, ``phone``, ``co_email``, ``co_phone`` are accepted too, and
        ``fields.<name>=column`` maps a custom field.

        Raises:
            InvalidInput: An item is not ``field=column`` or names no field.

        """
        changes: dict[str, object] = {}
        names = {f.name for f in attrs.fields(cls)}
        problems = []
        custom = dict((base or cls()).fields)
        for index, item in enumerate(items):
            field, equal, column = item.partition("=")
            field = field.strip()
            if equal and field.startswith("fields.") and len(field) > len("fields."):
                name = field[len("fields.") :]
                if column.strip():
                    custom[name] = column.strip()
                else:
                    custom.pop(name, None)
                changes["fields"] = custom
                continue
            field = {"email": "emails", "phone": "phones"}.get(field, field)
            field = {"co_email": "co_emails", "co_phone": "co_phones"}.get(field, field)
            if not equal or field not in names:
                problems.append(
                    Problem(
                        f"columns[{index}]",
                        item,
                        f"must be FIELD=COLUMN with FIELD one of {', '.join(sorted(names))}, "
                        "or fields.<name>",
                    )
                )
                continue
            column = column.strip()
            if field in inputs.MULTI:
                changes[field] = tuple(c.strip() for c in column.split(",") if c.strip())
            else:
                changes[field] = column or None
        if problems:
            raise InvalidInput(problems)
        return attrs.evolve(base or cls(), **cast("dict[str, Any]", changes))

    def layout_spec(self) -> list[tuple[str, tuple[str, ...]]]:
        """
        The (field, columns) pairs in layout order, for the input layer.

        The lead fields and custom fields a rule may compare follow the fixed fields,
        when mapped, as ``project`` or ``fields.<name>``.
        """
        found = []
        for field in inputs.FIELDS:
            value = getattr(self, field)
            if isinstance(value, tuple):
                found.append((field, value))
            else:
                found.append((field, () if value is None else (value,)))
        for field in LEAD_COLUMNS:
            column = getattr(self, field)
            if column is not None:
                found.append((field, (column,)))
        for name, column in self.fields.items():
            found.append((f"fields.{name}", (column,)))
        return found


def _handling_check(path: str, value: object) -> list[Problem]:
    if value not in ("refine", "exclude", "error"):
        return [Problem(path, value, "must be 'refine', 'exclude' or 'error'")]
    return []


def _cluster_on_check(path: str, value: object) -> list[Problem]:
    found = _names(path, value)
    if found:
        return found
    items: tuple[str, ...] = value  # type: ignore[assignment]  # a tuple of str
    if not items:
        return [Problem(path, value, "must name at least one action")]
    return [
        Problem(f"{path}[{i}]", item, "must be 'merge', 'route' or 'duplicate'")
        for i, item in enumerate(items)
        if item not in ACTIONS
    ]


def _actions(value: Iterable[str]) -> tuple[Action, ...]:
    return a.to_tuple(value)  # type: ignore[arg-type]  # the check reports unknown names


def _policy_check(path: str, value: object) -> list[Problem]:
    if not isinstance(value, MergePolicy):
        return [Problem(path, value, f"must be a MergePolicy, not {type(value).__name__}")]
    return []


@attrs.frozen(kw_only=True)
class DedupePolicy(a.Frozen):
    """
    The merge rules to apply and how to run them over a table (GEN-7).

    >>> policy = DedupePolicy(merge=MergePolicy(merge_max_inactivity_days=90))
    >>> policy.merge.merge_max_inactivity_days, policy.generic_keys
    (90, 'refine')

    Attributes:
        merge: The merge rules' policy (windows, conditions, placeholders...).
        generic_key_rows: A phone, email or name held by more leads than this is a
            *generic key* (a call centre's number, a shared mailbox; fillers such as
            ``none@none.com`` are unusable, no key): reported, and handled as
            ``generic_keys`` says.
        generic_keys: ``refine`` (default): exact; a generic key's block is not compared
            pair by pair, only its pairs that can still match are (those sharing another
            key too, phone-only inbound leads, and close names for possible duplicates).
            ``exclude``: generic emails and phones are treated as unusable values (the
            answer is then that of the table without them); generic names are refined.
            ``error``: stop, listing the generic keys.
        cluster_on: The actions whose pairs join clusters (default: auto-merges only).

    """

    merge: MergePolicy = attrs.field(metadata=a.check(_policy_check), default=_DEFAULT_MERGE)
    generic_key_rows: int = attrs.field(metadata=a.check(a.positive), default=100)
    generic_keys: GenericHandling = attrs.field(metadata=a.check(_handling_check), default="refine")
    cluster_on: tuple[Action, ...] = attrs.field(
        metadata=a.check(_cluster_on_check), default=("merge",), converter=_actions
    )
