"""
The one argument and field check (``leadcore._attrs``) at its edges.

Lead custom fields at the GEN-5 limits; frozen mappings as hashable values; and
``of_type`` / ``checked`` on every kind of annotation they accept, or refuse loudly
(a developer's mistake is a TypeError at the first call, never a check that passes all).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

import attrs
import pytest

from leadcore import _attrs as a
from leadcore.errors import InvalidInput
from leadcore.model import Lead


def _problems(**fields: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(InvalidInput) as caught:
        Lead(id="L1", **fields)
    return [(p.path, str(p.value), p.message) for p in caught.value.problems]


class TestLeadFields:
    """GEN-5 on custom fields: JSON values within the limits, string keys."""

    def test_a_list_over_the_limit_is_named_not_quoted(self) -> None:
        """100,001 items in one field: refused at fields.x, the value summarised."""
        assert _problems(fields={"x": list(range(100_001))}) == [
            ("fields.x", "<many items>", "must hold at most 100000 items")
        ]

    def test_too_many_keys_are_refused(self) -> None:
        """100,001 fields: refused at fields."""
        assert _problems(fields={f"k{i}": 1 for i in range(100_001)}) == [
            ("fields", "<many keys>", "must hold at most 100000 keys")
        ]

    def test_keys_must_be_text_at_every_depth(self) -> None:
        """A number as a key, at the top or nested: refused with the key."""
        assert _problems(fields={1: "a"}) == [("fields", "1", "must have string keys")]
        assert _problems(fields={"x": {2: "b"}}) == [("fields.x", "2", "must have string keys")]

    def test_frozen_fields_hash_and_compare_as_values(self) -> None:
        """Equal fields hash alike (leads in sets); a non-mapping is simply not equal."""
        one = Lead(id="L1", fields={"x": [1, {"y": 2}]})
        same = Lead(id="L1", fields={"x": [1, {"y": 2}]})

        assert hash(one) == hash(same)
        assert len({one, same}) == 1
        assert one.fields == {"x": (1, {"y": 2})}
        assert one.fields.__eq__(3) is NotImplemented


@runtime_checkable
class _Sized(Protocol):
    def __len__(self) -> int: ...


class _Named(Protocol):
    name: str


class TestOfType:
    """Annotations a check is derived from, and the ones refused."""

    def test_annotated_is_its_type(self) -> None:
        """Annotated[int, ...] checks an int."""
        check = a.of_type(Annotated[int, "a count"])

        assert check is not None
        assert check("n", 3) == []
        assert [p.message for p in check("n", "3")] == ["must be a whole number, not str"]

    def test_a_literal_of_numbers_compares_by_type_and_value(self) -> None:
        """Literal[1, 2]: 1 passes; 1.0 (equal, another type), 3 and a list do not."""
        check = a.of_type(Literal[1, 2])

        assert check is not None
        assert check("x", 1) == []
        assert check("x", 1.0) != []
        assert check("x", 3) != []
        assert check("x", [1]) != []

    def test_protocols(self) -> None:
        """A runtime protocol is an isinstance check; another protocol checks nothing."""
        sized = a.of_type(_Sized)

        assert sized is not None
        assert sized("x", [1]) == []
        assert sized("x", 3) != []
        assert a.of_type(_Named) is None

    def test_a_mapping_of_anything_has_no_item_check(self) -> None:
        """Mapping[Any, Any]: a mapping; Mapping[int, str]: keys checked too."""
        loose = a.of_type(Mapping[Any, Any])
        keyed = a.of_type(Mapping[int, str])

        assert loose is not None
        assert loose("m", {"a": object()}) == []
        assert keyed is not None
        assert [(p.path, p.value) for p in keyed("m", {"k": "v"})] == [("m", "k")]

    def test_items_of_any_type_are_not_checked(self) -> None:
        """Iterable[Any]: any collection; its items are not looked at."""
        check = a.of_type(Iterable[Any])

        assert check is not None
        assert check("xs", [object(), 1]) == []
        assert check("xs", "text") != []

    def test_items_of_an_iterator_wait_for_checked(self) -> None:
        """Iterable[int] given an iterator: its items are checked once it is a tuple."""
        check = a.of_type(Iterable[int])

        assert check is not None
        assert check("xs", iter(["a"])) == []

    def test_an_annotation_of_another_kind_is_refused_loudly(self) -> None:
        """A string annotation left unresolved: TypeError naming it."""
        with pytest.raises(TypeError, match="cannot check a value against the annotation"):
            a.of_type(typing.ForwardRef("Nowhere"))


class TestChecked:
    """``checked``: mistakes in its use are TypeErrors at the first call."""

    def test_an_override_for_no_parameter_is_refused(self) -> None:
        """checked(nope=...) on a function without ``nope``."""

        @a.checked(nope=a.ident)
        def f(x: int) -> int:
            return x

        with pytest.raises(TypeError, match="has no parameter nope"):
            f(1)

    def test_an_annotation_only_type_checkers_see_is_refused(self) -> None:
        """A name imported under TYPE_CHECKING only cannot be resolved at run time."""

        @a.checked
        def f(x: NotDefinedAnywhere) -> object:  # type: ignore[name-defined]  # on purpose  # noqa: F821
            return x

        with pytest.raises(TypeError, match="cannot resolve the annotations of"):
            f(1)

    def test_var_arguments_pass_and_positional_only_ones_are_checked(self) -> None:
        """*args and **kwargs are not checked; a positional-only int is."""

        @a.checked
        def f(x: int, /, *rest: object, **more: object) -> int:
            return x + len(rest) + len(more)

        assert f(1, "a", b=2) == 3
        with pytest.raises(InvalidInput) as caught:
            f("1")  # type: ignore[arg-type]  # on purpose
        assert caught.value.problems[0].path == "x"


def _leadcore_classes() -> list[type]:
    """Every leadcore class (a.Frozen's subclasses) of the modules the suite imports."""
    found: list[type] = []
    pending: list[type] = [a.Frozen]
    while pending:
        subclasses: list[type] = pending.pop().__subclasses__()
        for sub in subclasses:
            if sub not in found and attrs.has(sub):
                found.append(sub)
                pending.append(sub)
    return found


def test_no_leadcore_class_holds_itself() -> None:
    """
    GEN-5: excess() reads the objects in a result's fields, class by class, to the end.

    It follows the classes a field's annotation names without a guard against a class
    that holds itself (directly or through others): none does, and none may, since
    leadcore classes are final (a user cannot add one). Every class's plan is finite.
    """
    import leadcore.conformance  # noqa: PLC0415  # every layer's classes, loaded
    import leadcore.dedupe  # noqa: PLC0415
    import leadcore.merge  # noqa: F401, PLC0415

    classes = _leadcore_classes()
    plans = {cls: a._plan(cls) for cls in classes}

    assert len(classes) > 50
    assert ("customer", "customer", None, True) in plans[Lead]
