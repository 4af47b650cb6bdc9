"""
A Griffe extension: docstrings' Sphinx roles become site cross-references, doctests code.

leadcore's docstrings name other objects the way ``help()`` readers and Sphinx know,
``:func:`auto``` or ``:class:`~leadcore.model.Lead```. mkdocstrings renders Markdown,
where such a role would show as text. Once the package is loaded, each role is resolved
from the scope of the docstring that holds it (as Python would resolve the name there):

- to a documented object (a public module, a name in its ``__all__``, or a public member
  of one), it becomes a cross-reference, ``[`auto`][leadcore.merge.auto]``, which
  autorefs links and, in a strict build, refuses when it points nowhere (a member without
  a docstring of its own, an attrs field, links to its class, which describes it);
- to anything else (a private helper, the standard library, another package), it stays
  code, ``auto``: the site has no page for it.

The ``~`` prefix shows the last part of the name only, as in Sphinx. Doctest blocks
(``>>>`` up to the next blank line) become fenced ``pycon`` code, so that their output is
shown as code, not read as Markdown. mkdocs.yml loads
this file through mkdocstrings' ``extensions`` option; the docstrings themselves are not
changed.
"""

from __future__ import annotations

import re
from functools import partial

import griffe

DOCTEST = re.compile(r"^([ \t]*)>>> .*?(?=\n[ \t]*\n|\Z)", re.MULTILINE | re.DOTALL)
ROLE = re.compile(r":(?:func|class|meth|attr|data|mod|exc|obj|const):`(~?)([^`<>]+?)(?:\(\))?`")


def _public(path: str) -> bool:
    return not any(part.startswith("_") for part in path.split("."))


def _documented(package: griffe.Module) -> tuple[set[str], set[str]]:
    """The public modules, and every name (and canonical name) their ``__all__`` exports."""
    modules: set[str] = set()
    names: set[str] = set()
    pending: list[griffe.Module] = [package]
    while pending:
        module = pending.pop()
        pending.extend(m for m in module.modules.values() if not m.is_alias)
        if not _public(module.path) or module.exports is None:
            continue
        modules.add(module.path)
        for export in module.exports:
            name = str(export)
            member = module.members.get(name)
            names.add(f"{module.path}.{name}")
            if isinstance(member, griffe.Alias):
                try:
                    names.add(member.final_target.path)
                except griffe.AliasResolutionError:
                    continue
    return modules, names


class SphinxRoles(griffe.Extension):
    """Rewrite ``:role:`name``` in every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:  # noqa: ARG002
        """Convert the roles of every docstring in ``pkg``."""
        modules, names = _documented(pkg)
        pending: list[griffe.Object] = [pkg]
        while pending:
            obj = pending.pop()
            pending.extend(m for m in obj.members.values() if isinstance(m, griffe.Object))
            if obj.docstring is not None:
                text = ROLE.sub(partial(_reference, obj, modules, names), obj.docstring.value)
                obj.docstring.value = DOCTEST.sub(_fenced, text)


def _fenced(match: re.Match[str]) -> str:
    """A doctest block as a fenced ``pycon`` block, so Markdown shows it as code."""
    indent = match[1]
    return f"{indent}```pycon\n{match[0]}\n{indent}```"


def _reference(obj: griffe.Object, modules: set[str], names: set[str], match: re.Match[str]) -> str:
    short, target = match[1] == "~", match[2].strip()
    shown = target.rsplit(".", 1)[-1] if short else target
    head, _, rest = target.partition(".")
    try:
        path = (
            target if head == obj.package.name else obj.resolve(head) + (f".{rest}" if rest else "")
        )
    except griffe.NameResolutionError:
        return f"`{shown}`"
    if path in modules or path in names:
        return f"[`{shown}`][{path}]"
    owner = next((n for n in names if path.startswith(f"{n}.") and _public(path[len(n) :])), None)
    if owner is None:
        return f"`{shown}`"
    # A member the site shows only if it has a docstring of its own; an attrs field is
    # described in its class's "Attributes" instead, so the link goes to the class.
    member = _lookup(obj.package, path)
    has_entry = member is not None and member.docstring is not None
    return f"[`{shown}`][{path if has_entry else owner}]"


def _lookup(package: griffe.Module, path: str) -> griffe.Object | griffe.Alias | None:
    try:
        found: griffe.Object | griffe.Alias = package[path.removeprefix(f"{package.name}.")]
    except (KeyError, griffe.AliasResolutionError):
        return None
    return found
