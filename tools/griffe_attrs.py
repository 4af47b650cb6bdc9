"""
A Griffe extension: attrs classes get the ``__init__`` attrs writes, so their signature shows.

leadcore's classes are ``@attrs.frozen`` classes: attrs writes their ``__init__`` when the
class is created, so a static reader such as Griffe sees none, and the API reference
would show ``MatchRule`` without the arguments it takes. Griffe does this for dataclasses
itself; this extension does it for attrs, the way attrs does: one parameter per annotated
field, in order, named as attrs names it (``_x`` is ``x``, or its ``alias``), keyword-only
when the class or the field says ``kw_only=True``, with the field's default (``default=``,
a plain value, or ``factory=`` / ``attrs.Factory(f)`` as ``f()``), and without the
fields that say ``init=False``. The annotation shown is the field's type (a converter may
accept more: lists for tuples, strings for enum members, as each class's docstring says).
A class that defines its own ``__init__`` keeps it. mkdocs.yml loads this file through
mkdocstrings' ``extensions`` option; ``merge_init_into_class`` shows the signature on the
class.
"""

from __future__ import annotations

from typing import Any

import griffe

DECORATORS = frozenset(
    {"attrs.frozen", "attrs.define", "attrs.mutable", "attr.s", "attr.attrs", "attr.define"}
)
FIELDS = frozenset({"attrs.field", "attr.ib", "attr.attrib", "attr.field"})
FACTORIES = frozenset({"attrs.Factory", "attr.Factory"})


def _arguments(call: griffe.Expr | str | None) -> dict[str, Any]:
    """The keyword arguments of a call expression (none for anything else)."""
    if not isinstance(call, griffe.ExprCall):
        return {}
    return {a.name: a.value for a in call.arguments if isinstance(a, griffe.ExprKeyword)}


def _decorator(cls: griffe.Class) -> griffe.Expr | None:
    for decorator in cls.decorators:
        value = decorator.value
        if isinstance(value, griffe.Expr) and value.canonical_path in DECORATORS:
            return value
    return None


def _default(attribute: griffe.Attribute, field: dict[str, Any]) -> str | griffe.Expr | None:
    """The default of a field as its source shows it, or ``None`` when it has none."""
    is_field = isinstance(attribute.value, griffe.Expr) and (
        attribute.value.canonical_path in FIELDS
    )
    default = field.get("default") if is_field else attribute.value
    if isinstance(field.get("factory"), griffe.Expr):
        return griffe.ExprCall(function=field["factory"], arguments=[])
    if isinstance(default, griffe.ExprCall) and default.canonical_path in FACTORIES:
        factory = default.arguments[0] if default.arguments else None
        if isinstance(factory, griffe.Expr):
            return griffe.ExprCall(function=factory, arguments=[])
    return default


def parameters(cls: griffe.Class) -> list[griffe.Parameter] | None:
    """The parameters of the ``__init__`` attrs writes for ``cls`` (``None``: not attrs)."""
    decorator = _decorator(cls)
    if decorator is None:
        return None
    kw_only = str(_arguments(decorator).get("kw_only")) == "True"
    found = []
    for member in cls.members.values():
        if not isinstance(member, griffe.Attribute) or member.annotation is None:
            continue
        if "instance-attribute" not in member.labels:
            continue  # a property or a ClassVar
        value = member.value
        field = (
            _arguments(value)
            if isinstance(value, griffe.Expr) and value.canonical_path in FIELDS
            else {}
        )
        if str(field.get("init")) == "False":
            continue
        alias = field.get("alias")
        name = str(alias).strip("'\"") if alias is not None else member.name.lstrip("_")
        keyword = kw_only or str(field.get("kw_only")) == "True"
        found.append(
            griffe.Parameter(
                name,
                annotation=member.annotation,
                kind=griffe.ParameterKind.keyword_only
                if keyword
                else griffe.ParameterKind.positional_or_keyword,
                default=_default(member, field),
                docstring=member.docstring,
            )
        )
    return found


def _apply(obj: griffe.Module | griffe.Class, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if isinstance(obj, griffe.Class) and "__init__" not in obj.members:
        found = parameters(obj)
        if found is not None:
            self_ = griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)
            init = griffe.Function(
                "__init__",
                lineno=obj.lineno,
                endlineno=obj.lineno,
                parent=obj,
                parameters=griffe.Parameters(self_, *found),
                returns="None",
            )
            obj.set_member("__init__", init)
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Module | griffe.Class):
            _apply(member, seen)


class AttrsInit(griffe.Extension):
    """Give every attrs class the ``__init__`` attrs writes for it."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:  # noqa: ARG002, ANN401  # Griffe's hook
        """Once the package is loaded, before the pages are rendered."""
        _apply(pkg, set())
