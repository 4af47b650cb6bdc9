"""
The one way leadcore builds its frozen classes, and the field checks they share.

Every domain class, policy and decision derives from :class:`Frozen` and is decorated with
``@attrs.frozen(kw_only=True)``; fields say how they are checked with
``attrs.field(metadata=check(...))``. The base class gives them two things attrs does not:

* validation of every field after construction, collecting *all* problems into one
  :class:`~leadcore.errors.InvalidInput` (GEN-5), driven by a check function stored in each
  field's metadata under :data:`CHECK`;
* a clear error when someone subclasses one of our classes, which we do not support.

Converters here are lenient on purpose: they turn lists into tuples and strings into enum
members when they can, and otherwise hand the value through unchanged, so that the check
reports it with its field name instead of a bare ``TypeError`` from deep inside.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeVar, cast

import attrs

from leadcore._quote import quote_key
from leadcore.errors import InvalidInput, Problem

MAX_TEXT: Final = 10_000
"""Longest string accepted anywhere (SPEC GEN-5)."""

MAX_ITEMS: Final = 100_000
"""Largest collection accepted anywhere (SPEC GEN-5)."""

MAX_DEPTH: Final = 64
"""Deepest nesting of a free JSON value (lists and objects) accepted."""

CHECK: Final = "leadcore.check"
"""Metadata key of a field's check function."""

Check = Callable[[str, object], list[Problem]]
"""A check takes a path and a value and returns the problems found (none when fine)."""

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


class Frozen:
    """Base of every leadcore attrs class: validation after init, no subclassing."""

    __slots__ = ()
    _leadcore_final: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:  # noqa: ANN401  # passed through
        # attrs rebuilds slotted classes with the same bases, so a class whose direct
        # base is Frozen is one of ours (or its attrs rebuild); anything deeper is a
        # user's subclass of a concrete leadcore class.
        if Frozen not in cls.__bases__:
            msg = (
                f"{cls.__name__} subclasses a leadcore class; leadcore classes are final: "
                "wrap one in a class of your own instead"
            )
            raise TypeError(msg)
        super().__init_subclass__(**kwargs)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(self))):
            check = field.metadata.get(CHECK)
            if check is not None:
                problems.extend(check(field.name, getattr(self, field.name)))
        extra = getattr(self, "_check_together", None)
        if extra is not None and not problems:
            problems.extend(extra())
        if problems:
            raise InvalidInput(problems)


def check(function: Check) -> dict[str, Check]:
    """
    Return field metadata that makes :class:`Frozen` validate the field with ``function``.

    Use as ``attrs.field(metadata=check(text), default=None)``.
    """
    return {CHECK: function}


# -- checks -------------------------------------------------------------------------------


def _problem(path: str, value: object, message: str) -> list[Problem]:
    return [Problem(path=path, value=value, message=message)]


def text(path: str, value: object) -> list[Problem]:
    """Check a string of at most :data:`MAX_TEXT` characters."""
    if not isinstance(value, str):
        return _problem(path, value, f"must be a string, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        return _problem(path, value, f"must be at most {MAX_TEXT} characters, has {len(value)}")
    return []


def string(path: str, value: object) -> list[Problem]:
    """
    Check a string of any length: text leadcore writes itself, such as a reason's message.

    Input limits (:data:`MAX_TEXT`) bound what leadcore is given, never what it answers
    (SPEC v1.2), so results are not checked against them.
    """
    if not isinstance(value, str):
        return _problem(path, value, f"must be a string, not {type(value).__name__}")
    return []


def ident(path: str, value: object) -> list[Problem]:
    """Check an id: a non-empty string of at most :data:`MAX_TEXT` characters."""
    found = text(path, value)
    if not found and value == "":
        return _problem(path, value, "must be a non-empty id")
    return found


def optional(check: Check) -> Check:
    """Make ``check`` accept ``None``."""

    def opt(path: str, value: object) -> list[Problem]:
        return [] if value is None else check(path, value)

    return opt


opt_text = optional(text)
opt_ident = optional(ident)


def aware(path: str, value: object) -> list[Problem]:
    """Check a timezone-aware datetime (SPEC GEN-1)."""
    if not isinstance(value, dt.datetime):
        return _problem(path, value, f"must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        return [
            Problem(
                path=path,
                value=value,
                message="must be timezone-aware (add an offset such as +00:00)",
                code="naive_datetime",
            )
        ]
    return []


opt_aware = optional(aware)


def boolean(path: str, value: object) -> list[Problem]:
    """Check a bool (not merely something truthy)."""
    if not isinstance(value, bool):
        return _problem(path, value, f"must be true or false, not {type(value).__name__}")
    return []


def count(path: str, value: object) -> list[Problem]:
    """Check a non-negative int (bools are refused)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return _problem(path, value, f"must be a whole number, not {type(value).__name__}")
    if value < 0:
        return _problem(path, value, "must not be negative")
    return []


def positive(path: str, value: object) -> list[Problem]:
    """Check an int of at least 1."""
    found = count(path, value)
    if not found and cast("int", value) < 1:
        return _problem(path, value, "must be at least 1")
    return found


def instance(cls: type) -> Check:
    """Check an instance of ``cls``."""

    def check(path: str, value: object) -> list[Problem]:
        if not isinstance(value, cls):
            return _problem(path, value, f"must be a {cls.__name__}, not {type(value).__name__}")
        return []

    return check


def member(enum_cls: type[enum.Enum]) -> Check:
    """Check a member of ``enum_cls`` (its values are listed in the message)."""
    allowed = ", ".join(repr(m.value) for m in enum_cls)

    def check(path: str, value: object) -> list[Problem]:
        if not isinstance(value, enum_cls):
            return _problem(path, value, f"must be one of {allowed}")
        return []

    return check


def collection(item: Check, kind: type = tuple) -> Check:
    """Check a tuple (or frozenset) of at most :data:`MAX_ITEMS` items, each by ``item``."""

    def check(path: str, value: object) -> list[Problem]:
        # A set's converter hands a tuple through when an item is unhashable: its items
        # are checked as a list's, and the unhashable one is named.
        handed_through = kind is frozenset and isinstance(value, tuple)
        if not isinstance(value, kind) and not handed_through:
            return _problem(path, value, f"must be a list, not {type(value).__name__}")
        items = cast("Iterable[object]", value)
        size = len(cast("tuple[object, ...]", value))
        if size > MAX_ITEMS:
            return _problem(path, f"<{size} items>", f"must hold at most {MAX_ITEMS} items")
        if kind is frozenset and not handed_through:
            items = sorted(items, key=repr)
        found: list[Problem] = []
        for index, element in enumerate(items):
            found.extend(item(f"{path}[{index}]", element))
        if handed_through and not found:
            return _problem(path, value, "must hold only hashable items, as a set does")
        return found

    return check


def json_value(path: str, value: object, depth: int = 0) -> list[Problem]:  # noqa: C901  # one branch per JSON type
    """Check a frozen JSON value: None, bool, int, finite float, str, tuple, mapping."""
    if depth > MAX_DEPTH:
        return _problem(path, "<deep value>", f"is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool | int):
        return []
    if isinstance(value, float):
        return [] if math.isfinite(value) else _problem(path, value, "must be a finite number")
    if isinstance(value, str):
        return text(path, value)
    if isinstance(value, tuple):
        if len(value) > MAX_ITEMS:
            return _problem(path, "<many items>", f"must hold at most {MAX_ITEMS} items")
        found: list[Problem] = []
        for index, element in enumerate(value):
            found.extend(json_value(f"{path}[{index}]", element, depth + 1))
        return found
    if isinstance(value, FrozenMap | MappingProxyType):
        found = []
        for key, element in value.items():
            if not isinstance(key, str):
                found.extend(_problem(path, key, "must have string keys"))
            elif len(key) > MAX_TEXT:
                found.extend(
                    _problem(path, key, f"must have keys of at most {MAX_TEXT} characters")
                )
            else:
                found.extend(json_value(f"{path}.{quote_key(key)}", element, depth + 1))
        return found
    return _problem(path, value, f"must be a JSON value, not {type(value).__name__}")


def json_mapping(path: str, value: object) -> list[Problem]:
    """Check a frozen mapping of names to JSON values."""
    if not isinstance(value, FrozenMap):
        return _problem(path, value, f"must be a mapping, not {type(value).__name__}")
    if len(value) > MAX_ITEMS:
        return _problem(path, "<many keys>", f"must hold at most {MAX_ITEMS} keys")
    return json_value(path, value)


# -- frozen JSON --------------------------------------------------------------------------


class FrozenMap(Mapping[str, object]):
    """
    A read-only, hashable mapping for frozen JSON objects (a lead's free ``fields``).

    Unlike ``types.MappingProxyType`` it can be copied, deep-copied and pickled, so
    callers can snapshot objects that hold one.
    """

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, object] | None = None) -> None:
        self._data: dict[str, object] = dict(data or {})
        self._hash: int | None = None

    def __getitem__(self, key: str) -> object:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap], tuple[dict[str, object]]]:
        return (FrozenMap, (self._data,))


# -- lenient converters -------------------------------------------------------------------


def to_tuple(value: Iterable[T]) -> tuple[T, ...]:
    """Turn a list (any non-text iterable) into a tuple; hand anything else through."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return cast("tuple[T, ...]", value)
    return tuple(value)


def str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """Turn an iterable of strings into a tuple (lenient, as :func:`to_tuple`)."""
    return to_tuple(value)


def str_frozenset(value: Iterable[str]) -> frozenset[str]:
    """Turn an iterable of strings into a frozenset (lenient, as :func:`to_frozenset`)."""
    return to_frozenset(value)


def to_frozenset(value: Iterable[T]) -> frozenset[T]:
    """
    Turn an iterable into a frozenset; hand anything else through.

    An iterable holding an unhashable item (``[[]]``) comes through as a tuple, so that
    the field's check names the item (``roles[0]``) instead of a bare ``TypeError``.
    """
    if isinstance(value, frozenset):
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return cast("frozenset[T]", value)
    items = tuple(value)
    try:
        return frozenset(items)
    except TypeError:
        return cast("frozenset[T]", items)


def _unhashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return True
    return False


def to_enum(enum_cls: type[E]) -> Callable[[E | str], E]:
    """Return a converter from a member's value to the member, lenient on failure."""
    by_value: dict[object, E] = {m.value: m for m in enum_cls}

    def convert(value: E | str) -> E:
        if isinstance(value, enum_cls):
            return value
        return by_value.get(value, cast("E", value))

    return convert


def to_enum_set(enum_cls: type[E]) -> Callable[[Iterable[E | str]], frozenset[E]]:
    """Return a converter from an iterable of values to a frozenset of members."""
    one = to_enum(enum_cls)

    def convert(values: Iterable[E | str]) -> frozenset[E]:
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
            return cast("frozenset[E]", values)
        items = tuple(values)
        try:
            return frozenset(one(v) for v in items)
        except TypeError:
            # An unhashable item: handed through as a tuple for the check to name it.
            return cast("frozenset[E]", tuple(v if _unhashable(v) else one(v) for v in items))

    return convert


def freeze_json(value: object, depth: int = 0) -> object:
    """
    Deep-freeze a JSON value: lists become tuples, dicts read-only mappings.

    Past :data:`MAX_DEPTH` levels the value is handed through unfrozen, so that the
    field's check reports it as too deep instead of Python running out of stack.
    """
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, list | tuple):
        return tuple(freeze_json(v, depth + 1) for v in value)
    if isinstance(value, Mapping):
        return FrozenMap({k: freeze_json(v, depth + 1) for k, v in value.items()})
    return value


def to_json_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    """Freeze a mapping of JSON values; hand anything else through."""
    return cast("Mapping[str, object]", freeze_json(value))


def thaw_json(value: object) -> object:
    """Undo :func:`freeze_json`: tuples become lists, mappings dicts."""
    if isinstance(value, tuple):
        return [thaw_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: thaw_json(v) for k, v in value.items()}
    return value
