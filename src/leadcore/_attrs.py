"""
The one way leadcore checks what callers hand it: frozen classes and public functions.

Every domain class, policy and decision derives from :class:`Frozen` and is decorated with
``@attrs.frozen(kw_only=True)``; fields say how they are checked with
``attrs.field(metadata=check(...))``. The base class gives them two things attrs does not:

* validation of every field after construction, collecting *all* problems into one
  :class:`~leadcore.errors.InvalidInput` (GEN-5), driven by a check function stored in each
  field's metadata under :data:`CHECK`, or, for a field without one, derived from its
  type (:func:`of_type`);
* a clear error when someone subclasses one of our classes, which we do not support.

Every public function is decorated with :func:`checked`, which checks its arguments
against their annotations (the same :func:`of_type` checks, or explicit ones) before it
runs: a wrong type is one :class:`~leadcore.errors.InvalidInput` naming the argument and
the value, never a ``TypeError`` or ``AttributeError`` from deep inside. Enumerations
derive from :class:`ClosedEnum`, whose lookup of an unknown value raises the same error.

Converters here are lenient on purpose: they turn lists into tuples and strings into enum
members when they can, and otherwise hand the value through unchanged, so that the check
reports it with its field name instead of a bare ``TypeError`` from deep inside.

The GEN-5 limits (:data:`MAX_TEXT`, :data:`MAX_ITEMS`) bound input, never output (v1.2 of
the rules): rules build their results inside :func:`results`, where a value over a limit is
accepted, and a result over the limits handed back to a rule is input again, refused by
:func:`checked` at its path (:func:`excess`).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import enum
import functools
import inspect
import math
import random
import sys
import types
import typing
from collections import abc
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, ParamSpec, TypeVar, cast, overload

import attrs

from leadcore._quote import quote_key
from leadcore._text import is_blank
from leadcore.errors import InvalidInput, Problem

MAX_TEXT: Final = 10_000
"""Longest string accepted anywhere (GEN-5)."""

MAX_ITEMS: Final = 100_000
"""Largest collection accepted anywhere (GEN-5)."""

MAX_DEPTH: Final = 64
"""Deepest nesting of a free JSON value (lists and objects) accepted."""

CHECK: Final = "leadcore.check"
"""Metadata key of a field's check function."""

Check = Callable[[str, object], list[Problem]]
"""A check takes a path and a value and returns the problems found (none when fine)."""

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


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
        checks = _FIELD_CHECKS.get(type(self))
        if checks is None:
            checks = _FIELD_CHECKS[type(self)] = _field_checks(type(self))
        always, typed, verify = checks
        problems: list[Problem] = []
        for name, check in always:
            problems += check(name, getattr(self, name))
        if typed and (verify is None or not verify(self)):
            for name, check in typed:
                problems += check(name, getattr(self, name))
        # A set of classes, not getattr: a missing attribute costs an exception each time.
        if not problems and type(self) in _TOGETHER:
            problems.extend(self._check_together())  # type: ignore[attr-defined]  # listed
        if problems:
            raise InvalidInput(problems)


FieldChecks = tuple[
    tuple[tuple[str, Check], ...],
    tuple[tuple[str, Check], ...],
    Callable[[object], bool] | None,
]
"""A class's field checks: its own (always run), typed ones, and their quick test."""

_FIELD_CHECKS: dict[type, FieldChecks] = {}

_TOGETHER: set[type] = set()
"""The classes with a ``_check_together`` method (found with their field checks)."""


def _field_checks(cls: type) -> FieldChecks:
    """
    Each field's check: its own (metadata), else one derived from its type.

    The derived checks whose types have quick expressions are compiled into one test,
    and run one by one only when it fails (to say what is wrong).
    """
    if hasattr(cls, "_check_together"):
        _TOGETHER.add(cls)
    fields = attrs.fields(cast("type[attrs.AttrsInstance]", cls))
    hints: dict[str, object] | None = None
    always: list[tuple[str, Check]] = []
    typed: list[tuple[str, Check]] = []
    quick: list[tuple[str, str]] = []
    for field in fields:
        own: Check | None = field.metadata.get(CHECK)
        derived: TypeCheck | None = None
        if own is None and field.init:
            if hints is None:
                hints = _hints(cls)
            own = derived = of_type(hints.get(field.name, object))
        if own is None:
            continue
        named = own if field.alias == field.name else _named(own, field.alias)
        if derived is not None and derived.quick is not None:
            typed.append((field.name, named))
            quick.append((field.name, derived.quick))
        else:
            always.append((field.name, named))
    verify = _compile(quick) if quick else None
    return tuple(always), tuple(typed), verify


def _compile(quick: list[tuple[str, str]]) -> Callable[[object], bool]:
    """Compile the quick expressions of fields into one test of an object."""
    lines = [f"    v{n} = self.{name}" for n, (name, _) in enumerate(quick)]
    test = " and ".join(expression.format(v=f"v{n}") for n, (_, expression) in enumerate(quick))
    source = "def verify(self):\n" + "\n".join(lines) + f"\n    return bool({test})\n"
    space: dict[str, object] = dict(_CONSTANTS)
    exec(compile(source, "<leadcore field checks>", "exec"), space)  # noqa: S102  # our own expressions
    return cast("Callable[[object], bool]", space["verify"])


def _named(check: Check, alias: str) -> Check:
    """Report a private field's problems under the name callers pass it by."""

    def named(_: str, value: object) -> list[Problem]:
        return check(alias, value)

    return named


def _hints(target: object) -> dict[str, object]:
    # A function's annotations are names of its own module (hypothesis' composite
    # strategies, for one, are wrappers made elsewhere).
    module = None if isinstance(target, type) else sys.modules.get(target.__module__)
    try:
        return typing.get_type_hints(target, globalns=None if module is None else vars(module))
    except NameError as error:  # an annotation names something only type checkers see
        msg = f"cannot resolve the annotations of {target!r}: {error}"
        raise TypeError(msg) from error


def check(function: Check) -> dict[str, Check]:
    """
    Return field metadata that makes :class:`Frozen` validate the field with ``function``.

    Use as ``attrs.field(metadata=check(text), default=None)``.
    """
    return {CHECK: function}


# -- input limits, not output limits -----------------------------------------------------

_BUILDING: Final = contextvars.ContextVar("leadcore_building_results", default=False)
"""True inside :func:`results` (per thread and task, as context variables are)."""


class _Grown:
    """
    Whether this process has built a result over the GEN-5 limits.

    Only such a result can break the limits once built, so until one exists
    :func:`checked` skips looking for one: a switch that saves work, never changes an answer.
    """

    seen: ClassVar[bool] = False


@contextlib.contextmanager
def results() -> Iterator[None]:
    """
    Build results: inside the block, values over the GEN-5 limits are accepted.

    The limits bound what leadcore is given, never what it answers (v1.2 of the rules): a
    merge of two leads with 100,000 phones each holds up to 200,000. Rules check their
    inputs first, then build their results inside this block; everywhere else (a user's
    constructor call, the readers of JSON and CSV) every limit holds. Types and every other
    check still apply inside. A result over the limits given back to a rule is input
    again: :func:`checked` refuses it at its path (:func:`excess`).

    >>> check = collection(text)
    >>> many = ("+14155550134",) * (MAX_ITEMS + 1)
    >>> print(*check("phones", many))
    phones: must hold at most 100000 items, got '<100001 items>'
    >>> with results():
    ...     check("phones", many)
    []
    """
    token = _BUILDING.set(True)
    try:
        yield
    finally:
        _BUILDING.reset(token)


def _over(problems: list[Problem]) -> list[Problem]:
    """The problems of a value over a GEN-5 limit: none while a result is built."""
    if _BUILDING.get():
        _Grown.seen = True
        return []
    return problems


def _too_long(path: str, value: str, note: str = "") -> list[Problem]:
    return _problem(path, value, f"must be at most {MAX_TEXT} characters, has {len(value)}{note}")


def _too_many(path: str, size: int, note: str = "") -> list[Problem]:
    return _problem(path, f"<{size} items>", f"must hold at most {MAX_ITEMS} items{note}")


def _too_many_keys(path: str, note: str = "") -> list[Problem]:
    return _problem(path, "<many keys>", f"must hold at most {MAX_ITEMS} keys{note}")


_LIMIT: Final = "__leadcore_limit__"
"""Attribute of a check that applies a GEN-5 limit: which one (text, items, keys)."""

C = TypeVar("C", bound=Callable[..., object])


def _limited(check: C, limit: str | None) -> C:
    """Note on ``check`` the GEN-5 limit it applies (read by :func:`excess`)."""
    if limit is not None:
        setattr(check, _LIMIT, limit)
    return check


# -- checks -------------------------------------------------------------------------------


def _problem(path: str, value: object, message: str) -> list[Problem]:
    return [Problem(path=path, value=value, message=message)]


def text(path: str, value: object) -> list[Problem]:
    """Check a string of at most :data:`MAX_TEXT` characters (any length in :func:`results`)."""
    if not isinstance(value, str):
        return _problem(path, value, f"must be a string, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        return _over(_too_long(path, value))
    return []


_limited(text, "text")


def string(path: str, value: object) -> list[Problem]:
    """
    Check a string of any length: text leadcore writes itself, such as a reason's message.

    Input limits (:data:`MAX_TEXT`) bound what leadcore is given, never what it answers
    (v1.2 of the rules), so results are not checked against them.
    """
    if not isinstance(value, str):
        return _problem(path, value, f"must be a string, not {type(value).__name__}")
    return []


def ident(path: str, value: object) -> list[Problem]:
    """
    Check an id: a string of at most :data:`MAX_TEXT` characters, not blank.

    Blank text (white space and control characters only) is no id (v1.2 of the rules).
    """
    found = text(path, value)
    if not found and is_blank(value):  # type: ignore[arg-type]  # a str, checked above
        return _problem(path, value, "must be a non-empty id")
    return found


_limited(ident, "text")


def optional(check: Check) -> Check:
    """Make ``check`` accept ``None``."""

    def opt(path: str, value: object) -> list[Problem]:
        return [] if value is None else check(path, value)

    return _limited(opt, getattr(check, _LIMIT, None))


opt_text = optional(text)
opt_ident = optional(ident)


def aware(path: str, value: object) -> list[Problem]:
    """Check a timezone-aware datetime (GEN-1)."""
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


def article(noun: str) -> str:
    """Return ``noun`` with its indefinite article: "a Lead", "an Agent", "a User"."""
    spoken_as_you = noun[:2].lower() in {"us", "un", "eu"} and not noun.lower().startswith(
        ("under", "unk", "unl")
    )
    vowel = noun[:1].lower() in {"a", "e", "i", "o", "u"} and not spoken_as_you
    return f"{'an' if vowel else 'a'} {noun}"


def type_name(value: object) -> str:
    """Return the name of ``value``'s type, as messages show it ("None" for None)."""
    if value is None:
        return "None"
    if isinstance(value, types.ModuleType):
        return f"the module {value.__name__}"
    return type(value).__name__


def instance(cls: type) -> Check:
    """Check an instance of ``cls``."""
    wanted = article(cls.__name__)

    def check(path: str, value: object) -> list[Problem]:
        if not isinstance(value, cls):
            return _problem(path, value, f"must be {wanted}, not {type_name(value)}")
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
    """
    Check a tuple (or frozenset) of at most :data:`MAX_ITEMS` items, each by ``item``.

    In :func:`results` any number of items is accepted (each still checked by ``item``).
    """

    def check(path: str, value: object) -> list[Problem]:
        if kind is frozenset and isinstance(value, tuple):
            # A set converter hands a tuple through when an item cannot be hashed:
            # report the items themselves (one of them is wrong).
            listed = [p for i, e in enumerate(value) for p in item(f"{path}[{i}]", e)]
            return listed or _problem(path, value, "must hold only hashable items")
        if not isinstance(value, kind):
            return _problem(path, value, f"must be a list, not {type_name(value)}")
        items = cast("Iterable[object]", value)
        size = len(cast("tuple[object, ...]", value))
        if size > MAX_ITEMS:
            too_many = _over(_too_many(path, size))
            if too_many:
                return too_many
        if kind is frozenset:
            items = sorted(items, key=repr)
        found: list[Problem] = []
        for index, element in enumerate(items):
            found.extend(item(f"{path}[{index}]", element))
        return found

    return _limited(check, "items")


def json_value(path: str, value: object, depth: int = 0) -> list[Problem]:
    """
    Check a frozen JSON value: None, bool, int, finite float, str, tuple, mapping.

    Texts, lists and keys over the GEN-5 limits are accepted in :func:`results`.
    """
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
            too_many = _over(_problem(path, "<many items>", f"must hold at most {MAX_ITEMS} items"))
            if too_many:
                return too_many
        found: list[Problem] = []
        for index, element in enumerate(value):
            found.extend(json_value(f"{path}[{index}]", element, depth + 1))
        return found
    if isinstance(value, FrozenMap | MappingProxyType):
        return _json_object(path, value, depth)
    return _problem(path, value, f"must be a JSON value, not {type(value).__name__}")


def _json_object(path: str, value: Mapping[Any, object], depth: int) -> list[Problem]:
    found: list[Problem] = []
    for key, element in value.items():
        if not isinstance(key, str):
            found.extend(_problem(path, key, "must have string keys"))
            continue
        if len(key) > MAX_TEXT:
            too_long = _over(
                _problem(path, key, f"must have keys of at most {MAX_TEXT} characters")
            )
            if too_long:
                found.extend(too_long)
                continue
        found.extend(json_value(f"{path}.{quote_key(key)}", element, depth + 1))
    return found


def json_mapping(path: str, value: object) -> list[Problem]:
    """Check a frozen mapping of names to JSON values (any number of keys in :func:`results`)."""
    if not isinstance(value, FrozenMap):
        return _problem(path, value, f"must be a mapping, not {type(value).__name__}")
    if len(value) > MAX_ITEMS:
        too_many = _over(_too_many_keys(path))
        if too_many:
            return too_many
    return json_value(path, value)


_limited(json_mapping, "keys")


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


def blank_none(value: str | None) -> str | None:
    """
    Turn blank text into None (v1.2 of the rules: blank text counts as absent); the rest as is.

    For optional names, ids of references and texts: spaces alone, or a NUL, are None.
    """
    if isinstance(value, str) and is_blank(value):
        return None
    return value


def _present_items(items: Iterable[object]) -> Iterator[object]:
    return (v for v in items if not (isinstance(v, str) and is_blank(v)))


def _has_blank(items: Iterable[object]) -> bool:
    return any(isinstance(v, str) and is_blank(v) for v in items)


def str_tuple_present(value: Iterable[str]) -> tuple[str, ...]:
    """
    Turn an iterable of strings into a tuple without its blank items (v1.2 of the rules).

    Lenient as :func:`to_tuple`: a value that is no list is handed through unchanged.
    """
    items: object = to_tuple(value)
    if isinstance(items, tuple) and _has_blank(items):
        return cast("tuple[str, ...]", tuple(_present_items(items)))
    return cast("tuple[str, ...]", items)


def str_frozenset_present(value: Iterable[str]) -> frozenset[str]:
    """Turn an iterable of strings into a frozenset without its blank items (v1.2 of the rules)."""
    items: object = to_frozenset(value)
    if isinstance(items, frozenset) and _has_blank(items):
        return cast("frozenset[str]", frozenset(_present_items(items)))
    return cast("frozenset[str]", items)


def str_frozenset(value: Iterable[str]) -> frozenset[str]:
    """Turn an iterable of strings into a frozenset (lenient, as :func:`to_frozenset`)."""
    return to_frozenset(value)


def to_frozenset(value: Iterable[T]) -> frozenset[T]:
    """
    Turn an iterable into a frozenset; hand anything else through.

    When an item cannot be hashed the items come back as a tuple, so that the field's
    check reports the item (a converter never raises).
    """
    if isinstance(value, frozenset):
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return cast("frozenset[T]", value)
    items = tuple(value)
    try:
        return frozenset(items)
    except TypeError:  # an unhashable item
        return cast("frozenset[T]", items)


def to_enum(enum_cls: type[E]) -> Callable[[E | str], E]:
    """Return a converter from a member's value to the member, lenient on failure."""
    by_value: dict[object, E] = {m.value: m for m in enum_cls}

    def convert(value: E | str) -> E:
        if isinstance(value, enum_cls):
            return value
        if isinstance(value, str):
            return by_value.get(value, cast("E", value))
        return value  # not a value (perhaps not even hashable): the check says so

    return convert


def to_enum_set(enum_cls: type[E]) -> Callable[[Iterable[E | str]], frozenset[E]]:
    """Return a converter from an iterable of values to a frozenset of members."""
    one = to_enum(enum_cls)

    def convert(values: Iterable[E | str]) -> frozenset[E]:
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
            return cast("frozenset[E]", values)
        return to_frozenset(one(v) for v in values)

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


# -- checks derived from types ------------------------------------------------------------


class TypeCheck:
    """
    A check that a value is of a type: its shape first, then (for containers) its items.

    Built by :func:`of_type` from an annotation. ``materialize`` says that the value may
    be an iterator whose items must be checked, so :func:`checked` turns it into a tuple
    first (checking must not consume what the function is about to read). ``fast`` are
    classes whose every instance is of the type: checks run on hot paths (a rule's
    arguments, every result built), so those are told by one set lookup.
    """

    __slots__ = ("deep", "fast", "materialize", "name", "quick", "shape")

    def __init__(  # all but the name and shape are optional
        self,
        name: str,
        shape: Callable[[object], bool],
        deep: Check | None = None,
        *,
        materialize: bool = False,
        fast: frozenset[type] = frozenset(),
    ) -> None:
        self.name = name
        self.shape = shape
        self.deep = deep
        self.materialize = materialize
        self.fast = fast
        self.quick: str | None = None if not fast or deep is not None else _in_types(fast)

    def __call__(self, path: str, value: object) -> list[Problem]:
        """Return the problems of ``value`` at ``path`` (none when it is of the type)."""
        if type(value) in self.fast:
            return []
        if not self.shape(value):
            return _problem(path, value, f"must be {self.name}, not {type_name(value)}")
        return [] if self.deep is None else self.deep(path, value)


_NOT_A_LIST: Final = (str, bytes, bytearray, Mapping)


# Quick checks: a Python expression true only of values of a type, ``{v}`` standing for
# the value (a local name) and constants named in _CONSTANTS. Frozen classes compile the
# expressions of all their fields into one function, so that a valid object (every
# object leadcore's rules build) is checked without a call per field; the field checks
# run only to say what is wrong.
_CONSTANTS: dict[str, object] = {}


def _name(constant: object) -> str:
    """Return the name a quick expression refers to ``constant`` by."""
    name = f"_k{id(constant)}"
    _CONSTANTS[name] = constant
    return name


def _in_types(types_: frozenset[type]) -> str:
    return f"(type({{v}}) in {_name(types_)})"


def _texts_in(values: object, members: frozenset[str]) -> bool:
    """Whether every item of a tuple is text among ``members`` (unhashables are not)."""
    return (
        all(isinstance(v, str) for v in cast("tuple[object, ...]", values))
        and set(cast("tuple[str, ...]", values)) <= members
    )


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _a_list(value: object) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, _NOT_A_LIST)


def _file(value: object) -> bool:
    return hasattr(value, "read") or hasattr(value, "write")


_LISTS: Final = (list, tuple, set, frozenset)
_SAMPLES: Final[tuple[object, ...]] = (False, 0, 0.0, "", None, [], (), set(), frozenset())
"""One value of each built-in class, to find the classes a shape accepts whole."""

# Classes whose values are told by more than isinstance, or named for people.
_PLAIN: Final[dict[object, tuple[str, Callable[[object], bool], Check | None]]] = {
    bool: ("true or false", lambda v: isinstance(v, bool), None),
    int: ("a whole number", _whole, None),
    float: ("a number", _number, None),
    str: ("a string", lambda v: isinstance(v, str), None),
    type(None): ("None", lambda v: v is None, None),
    dt.datetime: ("a timezone-aware datetime", lambda v: isinstance(v, dt.datetime), aware),
    random.Random: (
        "a random.Random (pass random.Random(seed), never the global generator: GEN-2)",
        lambda v: isinstance(v, random.Random),
        None,
    ),
    typing.IO: ("a file object", _file, None),
    typing.TextIO: ("a file object", _file, None),
    typing.BinaryIO: ("a file object", _file, None),
    abc.Iterable: ("a list", _a_list, None),
    abc.Collection: ("a list", lambda v: isinstance(v, abc.Collection) and _a_list(v), None),
    abc.Sequence: ("a list", lambda v: isinstance(v, abc.Sequence) and _a_list(v), None),
    abc.Mapping: ("a mapping", lambda v: isinstance(v, Mapping), None),
    dict: ("a mapping", lambda v: isinstance(v, Mapping), None),
    abc.Callable: ("a function", callable, None),
}


def _plain(cls: type) -> TypeCheck | None:
    if cls is object:
        return None
    if cls in _PLAIN:
        name, shape, deep = _PLAIN[cls]
        fast = frozenset(type(sample) for sample in _SAMPLES if shape(sample))
        found = TypeCheck(name, shape, deep, fast=frozenset() if deep else fast)
        if cls is dt.datetime:
            found.quick = f"(type({{v}}) is {_name(cls)} and {{v}}.utcoffset() is not None)"
        return found
    if issubclass(cls, enum.Enum):
        values = ", ".join(repr(m.value) for m in cls)
        return TypeCheck(f"one of {values}", lambda v: isinstance(v, cls), fast=frozenset({cls}))
    if getattr(cls, "_is_protocol", False):
        if getattr(cls, "_is_runtime_protocol", False):
            return TypeCheck(article(cls.__name__), lambda v: isinstance(v, cls))
        if "__call__" in getattr(cls, "__protocol_attrs__", ()) or "__call__" in vars(cls):
            return TypeCheck(f"a function ({cls.__name__})", callable)
        return None
    return TypeCheck(article(cls.__name__), lambda v: isinstance(v, cls), fast=frozenset({cls}))


def _collection_of(kind: type) -> Callable[[object], bool]:
    exact = frozenset(t for t in _LISTS if issubclass(t, kind))

    def shape(value: object) -> bool:
        return type(value) in exact or (isinstance(value, kind) and _a_list(value))

    return shape


def _items(item: TypeCheck | None) -> Check | None:
    if item is None:
        return None
    fast = item.fast

    def deep(path: str, value: object) -> list[Problem]:
        if type(value) not in _LISTS and not isinstance(value, abc.Collection):
            return []  # an iterator: checked by checked() once it is a tuple
        items = cast("abc.Collection[object]", value)
        if fast and set(map(type, items)) <= fast:
            return []
        return [p for i, e in enumerate(items) for p in item(f"{path}[{i}]", e)]

    return deep


def _at(path: str, key: object) -> str:
    return f"{path}.{key}" if isinstance(key, str) else f"{path}[{key!r}]"


def _mapping(key: TypeCheck | None, value: TypeCheck | None) -> Check | None:
    if key is None and value is None:
        return None

    def deep(path: str, mapping: object) -> list[Problem]:
        found: list[Problem] = []
        for k, v in cast("Mapping[object, object]", mapping).items():
            if key is not None and not key.shape(k):
                found.extend(_problem(path, k, f"must have keys that are {key.name}"))
            elif value is not None:
                found.extend(value(_at(path, k), v))
        return found

    return deep


def _union(parts: list[TypeCheck]) -> TypeCheck:
    names = list(dict.fromkeys(p.name for p in parts))

    def shape(value: object) -> bool:
        return any(p.shape(value) for p in parts)

    def deep(path: str, value: object) -> list[Problem]:
        # A part without a deep check that fits holds at once (a MergeIndex for
        # ``Iterable[Lead] | MergeIndex``): no need to walk the items of another part.
        for part in parts:
            if part.deep is None and part.shape(value):
                return []
        first: list[Problem] | None = None
        for part in parts:
            if part.shape(value):
                found = [] if part.deep is None else part.deep(path, value)
                if not found:
                    return []
                first = found if first is None else first
        return first or []

    fast = frozenset().union(*(p.fast for p in parts))
    found = TypeCheck(
        " or ".join(names),
        shape,
        deep,
        materialize=any(p.materialize for p in parts),
        fast=fast if all(p.deep is None for p in parts) else frozenset(),
    )
    quick = [p.quick for p in parts]
    if all(q is not None for q in quick):
        found.quick = f"({' or '.join(cast('list[str]', quick))})"
    return found


class _Texts:
    """The shape of a literal of strings: text, one of ``texts``."""

    __slots__ = ("texts",)

    def __init__(self, texts: frozenset[str]) -> None:
        self.texts = texts

    def __call__(self, value: object) -> bool:
        # Text first, so that an unhashable value is simply not one of them.
        return isinstance(value, str) and value in self.texts


def _literal(values: tuple[object, ...]) -> TypeCheck:
    texts = frozenset(v for v in values if isinstance(v, str))
    if len(texts) == len(values):
        found = TypeCheck(f"one of {', '.join(map(repr, values))}", _Texts(texts))
        found.quick = f"(isinstance({{v}}, str) and {{v}} in {_name(texts)})"
        return found

    def shape(value: object) -> bool:
        # By equality and type, so that an unhashable value is simply not one of them.
        return any(isinstance(value, type(v)) and value == v for v in values)

    return TypeCheck(f"one of {', '.join(map(repr, values))}", shape)


_SEQUENCES: Final = {
    tuple: (tuple, "a tuple"),
    list: (list, "a list"),
    frozenset: (frozenset, "a set"),
    set: (abc.Set, "a set"),
    abc.Set: (abc.Set, "a set"),
    abc.Sequence: (abc.Sequence, "a list"),
    abc.Collection: (abc.Collection, "a list"),
    abc.Iterable: (abc.Iterable, "a list"),
}


def of_type(hint: object) -> TypeCheck | None:  # noqa: C901, PLR0912  # one branch per kind of annotation
    """
    Return a check that a value is of the type ``hint`` (a resolved annotation).

    Types only, not limits: ``str`` is any string, ``Iterable[Lead]`` any collection of
    leads (text, bytes and mappings are not collections here), a ``datetime`` must be
    timezone-aware (GEN-1), ``random.Random`` refuses the ``random`` module (GEN-2).
    Returns None when anything goes (``object``, ``Any``).

    >>> from collections.abc import Iterable
    >>> check = of_type(Iterable[str] | None)
    >>> check("wave", ["a", "b"]), check("wave", None)
    ([], [])
    >>> print(*check("wave", "ab"))
    wave: must be a list or None, not str, got 'ab'
    >>> print(*of_type(None)("result", 1))  # an annotation of None alone
    result: must be None, not int, got 1
    """
    if hint is Any or isinstance(hint, TypeVar):
        return None
    if hint is None:
        hint = type(None)
    if isinstance(hint, typing.NewType):
        return of_type(hint.__supertype__)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in {typing.Union, types.UnionType}:
        parts = [of_type(arg) for arg in args]
        if any(p is None for p in parts):
            return None
        return _union(cast("list[TypeCheck]", parts))
    if origin is typing.Literal:
        return _literal(args)
    if origin is typing.ClassVar or origin is typing.Annotated:
        return of_type(args[0])
    if origin is type:
        return TypeCheck("a class", lambda v: isinstance(v, type))
    if origin is abc.Callable:
        return TypeCheck("a function", callable)
    if origin in {abc.Mapping, dict, types.MappingProxyType}:
        key, value = (of_type(args[0]), of_type(args[1])) if args else (None, None)
        return TypeCheck("a mapping", lambda v: isinstance(v, Mapping), _mapping(key, value))
    if origin is tuple and args and (len(args) != 2 or args[1] is not Ellipsis):  # tuple[X, ...]
        fixed = [of_type(arg) for arg in args]
        size = len(args)

        def fixed_items(path: str, value: object) -> list[Problem]:
            items = cast("tuple[object, ...]", value)
            return [
                p
                for i, (c, e) in enumerate(zip(fixed, items, strict=True))
                if c is not None
                for p in c(f"{path}[{i}]", e)
            ]

        return TypeCheck(
            f"a tuple of {size}",
            lambda v: isinstance(v, tuple) and len(v) == size,
            fixed_items,
        )
    if origin in _SEQUENCES:
        kind, name = _SEQUENCES[origin]
        item = of_type(args[0]) if args else None
        lists = frozenset(t for t in _LISTS if issubclass(t, kind))
        found = TypeCheck(
            name,
            _collection_of(kind),
            _items(item),
            materialize=item is not None,
            fast=lists if item is None else frozenset(),
        )
        if item is not None and item.fast and item.deep is None:
            found.quick = (
                f"(type({{v}}) in {_name(lists)} and set(map(type, {{v}})) <= {_name(item.fast)})"
            )
        elif item is not None and isinstance(item.shape, _Texts):
            found.quick = (
                f"(type({{v}}) in {_name(lists)} and "
                f"{_name(_texts_in)}({{v}}, {_name(item.shape.texts)}))"
            )
        return found
    if origin is not None:
        return of_type(origin)
    if isinstance(hint, type):
        return _plain(hint)
    msg = f"cannot check a value against the annotation {hint!r}"
    raise TypeError(msg)


# -- public functions ---------------------------------------------------------------------


CHECKED: Final = "__leadcore_checked__"
"""Attribute set on every function :func:`checked` wraps."""


class _Arguments:
    """The checks of one function's parameters, built on its first call."""

    __slots__ = ("function", "many", "named", "overrides", "positional", "probe", "ready")

    def __init__(
        self, function: Callable[..., object], overrides: Mapping[str, Check | None]
    ) -> None:
        self.function = function
        self.overrides = overrides
        self.ready = False
        self.probe = False
        self.many: dict[str, int] = {}
        self.positional: list[tuple[str, Check | None, frozenset[type]]] = []
        self.named: dict[str, tuple[Check | None, frozenset[type]]] = {}

    def build(self) -> None:
        # Annotations are resolved on first call, when every class they name exists.
        parameters = inspect.signature(self.function).parameters
        unknown = set(self.overrides) - set(parameters)
        if unknown:
            msg = f"{self.function.__qualname__} has no parameter {', '.join(sorted(unknown))}"
            raise TypeError(msg)
        hints = _hints(self.function)
        # Built aside and set at once: two threads making the first calls both build.
        many: dict[str, int] = {}
        positional: list[tuple[str, Check | None, frozenset[type]]] = []
        named: dict[str, tuple[Check | None, frozenset[type]]] = {}
        for index, (name, parameter) in enumerate(parameters.items()):
            if parameter.kind in {parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD}:
                continue
            derived = of_type(hints.get(name, object))
            own = self.overrides.get(name, derived)
            fast = own.fast if isinstance(own, TypeCheck) else frozenset()
            if own is derived and derived is not None and derived.materialize:
                many[name] = -1 if parameter.kind == parameter.KEYWORD_ONLY else index
            if parameter.kind != parameter.KEYWORD_ONLY:
                positional.append((name, own, fast))
            if parameter.kind != parameter.POSITIONAL_ONLY:
                named[name] = (own, fast)
        self.many, self.positional, self.named = many, positional, named
        # Only arguments that may be (or hold) leadcore objects can be results given back.
        self.probe = not getattr(self.function, _TAKES_RESULTS, False) and any(
            _may_hold_objects(hints.get(name, object)) for name in parameters
        )
        self.ready = True

    def settle(
        self, args: tuple[object, ...], kwargs: dict[str, object]
    ) -> tuple[tuple[object, ...], list[Problem]]:
        """
        Check the arguments; return them (one-pass iterators made tuples) and the problems.

        ``kwargs`` is updated in place.
        """
        if not self.ready:
            self.build()
        if self.many:
            args = self.materialize(args, kwargs)
        problems: list[Problem] = []
        for (name, own, fast), value in zip(self.positional, args, strict=False):
            if own is not None and type(value) not in fast:
                problems += own(name, value)
        named = self.named
        for name, value in kwargs.items():
            entry = named.get(name)
            if entry is not None and entry[0] is not None and type(value) not in entry[1]:
                problems += entry[0](name, value)
        return args, problems

    def excess(self, args: tuple[object, ...], kwargs: dict[str, object]) -> list[Problem]:
        """The GEN-5 limits the (settled) arguments break: results given back as input."""
        if not self.probe:
            return []
        problems: list[Problem] = []
        for (name, _, _), value in zip(self.positional, args, strict=False):
            problems += _excess_in(value, name)
        for name, value in kwargs.items():
            problems += _excess_in(value, name)
        return problems

    def materialize(
        self, args: tuple[object, ...], kwargs: dict[str, object]
    ) -> tuple[object, ...]:
        """Turn one-pass iterators given for collections into tuples (``kwargs`` in place)."""
        given = list(args)
        for name, index in self.many.items():
            if 0 <= index < len(given):
                given[index] = _settle(given[index])
            elif name in kwargs:
                kwargs[name] = _settle(kwargs[name])
        return tuple(given)


def _settle(value: object) -> object:
    """Return ``value``, or a tuple of its items when it is a one-pass iterator."""
    if type(value) in _LISTS or not isinstance(value, Iterable):
        return value
    return value if isinstance(value, abc.Collection) else tuple(value)


@overload
def checked(function: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def checked(**overrides: Check | None) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def checked(
    function: Callable[P, R] | None = None, /, **overrides: Check | None
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """
    Check a public function's arguments against their annotations before it runs.

    Every argument given is checked by :func:`of_type` of its annotation, or by the
    check named for it in ``overrides`` (None: the function checks that argument
    itself, reporting every problem of it at once). All problems are raised together
    as one :class:`~leadcore.errors.InvalidInput` naming each argument and value
    (GEN-5), before the function sees anything. A one-pass iterator given for a
    collection is turned into a tuple first, so that checking does not consume it. A
    result of leadcore over the GEN-5 limits (see :func:`results`) given as an argument,
    or as an item of a list argument, is input here and refused at its path
    (:func:`excess`), unless the function takes results (:func:`takes_results`).

    >>> @checked
    ... def shout(text: str, *, times: int = 1) -> str:
    ...     return text.upper() * times
    >>> shout("hi", times=2)
    'HIHI'
    >>> shout(None)
    Traceback (most recent call last):
    ...
    leadcore.errors.InvalidInput: text: must be a string, not None, got None
    """
    if function is None:
        return functools.partial(_wrap, overrides=overrides)
    return _wrap(function, overrides={})


def _wrap(function: Callable[P, R], *, overrides: Mapping[str, Check | None]) -> Callable[P, R]:
    spec = _Arguments(function, overrides)

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        given, problems = spec.settle(args, kwargs)
        if not problems and _Grown.seen:
            problems = spec.excess(given, kwargs)
        if problems:
            raise InvalidInput(problems)
        return function(*given, **kwargs)  # type: ignore[arg-type]  # the same arguments, settled

    setattr(wrapper, CHECKED, True)
    return wrapper


def unchecked(function: Callable[P, R]) -> Callable[P, R]:
    """
    Return a public function without its argument checks, for leadcore's own hot paths.

    Only for callers whose arguments are checked already (fields of a checked lead, rows
    the batch engine built): the checks are for what users hand the library.
    """
    return cast("Callable[P, R]", getattr(function, "__wrapped__", function))


_TAKES_RESULTS: Final = "__leadcore_takes_results__"
"""Attribute set by :func:`takes_results`."""


def takes_results(function: Callable[P, R]) -> Callable[P, R]:
    """
    Mark a public function whose arguments are leadcore's own results, of any size.

    For functions whose contract is to take what a rule returned and give back what it
    was given (undo a link or a merge) or to write it (JSON): :func:`checked` then does not
    refuse a result over the GEN-5 limits among their arguments (it is not input to a rule
    there). Put it under ``@checked``.
    """
    setattr(function, _TAKES_RESULTS, True)
    return function


Plan = tuple[tuple[str, str, str | None, bool], ...]
"""A class's limited fields: (name, alias, the limit applied or None, may hold objects)."""

_PLANS: dict[type, Plan] = {}


def _plan(cls: type) -> Plan:
    """The fields of ``cls`` that :func:`excess` reads (built once per class)."""
    found = _PLANS.get(cls)
    if found is not None:
        return found
    hints = _hints(cls)
    plan: list[tuple[str, str, str | None, bool]] = []
    for field in attrs.fields(cast("type[attrs.AttrsInstance]", cls)):
        limit: str | None = getattr(field.metadata.get(CHECK), _LIMIT, None)
        inner = _frozen_in(hints.get(field.name))
        nested = any(_plan(other) for other in inner)
        if limit is not None or nested:
            plan.append((field.name, field.alias, limit, nested))
    found = _PLANS[cls] = tuple(plan)
    return found


def _may_hold_objects(hint: object) -> bool:
    """Whether a value of the annotation ``hint`` may be or hold a leadcore object."""
    if hint is Any or hint is object or isinstance(hint, TypeVar):
        return True
    if isinstance(hint, type) and issubclass(hint, Frozen):
        return True
    return any(_may_hold_objects(arg) for arg in typing.get_args(hint))


def _frozen_in(hint: object) -> Iterator[type]:
    """The leadcore classes an annotation names (``tuple[Event, ...]``: Event)."""
    if isinstance(hint, type) and issubclass(hint, Frozen):
        yield hint
    for arg in typing.get_args(hint):
        yield from _frozen_in(arg)


_GIVEN_BACK: Final = "; a result given back to leadcore is input (GEN-5)"


def excess(path: str, value: object) -> list[Problem]:
    """
    Return the GEN-5 limits a leadcore object breaks, as input: one problem per field.

    Only results built inside :func:`results` can break them. Read: every limited field of
    the object (text by its length, lists and mappings by their size), the objects in its
    fields, and each object of a list ``value``. :func:`checked` calls it on the arguments
    of every public function once such a result exists: a lead built with 100,001 phones
    inside :func:`results`, given as ``primary``, is one problem at
    ``primary.customer.phones``.
    """
    return _excess_in(value, path)


def _excess_in(value: object, path: str) -> list[Problem]:
    if isinstance(value, Frozen):
        return _excess_of(value, path)
    if type(value) in _LISTS:
        found: list[Problem] = []
        for index, item in enumerate(cast("Iterable[object]", value)):
            if isinstance(item, Frozen) and _plan(type(item)):
                found += _excess_of(item, f"{path}[{index}]")
        return found
    return []


def _excess_of(obj: Frozen, path: str) -> list[Problem]:
    found: list[Problem] = []
    for name, alias, limit, nested in _plan(type(obj)):
        value = getattr(obj, name)
        where = f"{path}.{alias}" if path else alias
        if limit == "text" and isinstance(value, str) and len(value) > MAX_TEXT:
            found += _too_long(where, value, _GIVEN_BACK)
        elif limit in {"items", "keys"} and isinstance(value, abc.Sized) and len(value) > MAX_ITEMS:
            if limit == "keys":
                found += _too_many_keys(where, _GIVEN_BACK)
            else:
                found += _too_many(where, len(value), _GIVEN_BACK)
        elif nested:
            found += _excess_in(value, where)
    return found


# -- enumerations -------------------------------------------------------------------------


class ClosedEnum(enum.StrEnum):
    """
    A closed set of text values: looking up anything else raises InvalidInput.

    >>> class Colour(ClosedEnum):
    ...     RED = "red"
    >>> Colour("red") is Colour.RED
    True
    >>> Colour([])
    Traceback (most recent call last):
    ...
    leadcore.errors.InvalidInput: Colour: must be one of 'red', got []
    """

    @classmethod
    def _missing_(cls, value: object) -> enum.Enum:
        allowed = ", ".join(repr(m.value) for m in cls)
        raise InvalidInput.single(cls.__name__, value, f"must be one of {allowed}")
