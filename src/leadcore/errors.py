"""
Errors and warnings raised by leadcore.

Every error derives from :class:`LeadcoreError`, so ``except LeadcoreError`` catches
anything the library raises on purpose (GEN-5). Concrete errors also derive from the
built-in class that fits (``ValueError``, ``LookupError``), so existing handlers keep
working.

Bad input is reported as one :class:`InvalidInput` that lists every problem found, each
with the path of the offending field, the value and a sentence that says what is wrong and,
where we can tell, how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, cast

import attrs

from leadcore._quote import quote

__all__ = [
    "InvalidInput",
    "LeadcoreDeprecationWarning",
    "LeadcoreError",
    "LeadcoreWarning",
    "MissingDependency",
    "Problem",
    "ProblemCode",
    "UnknownRule",
]

ProblemCode = Literal["invalid_input", "naive_datetime"]
"""The protocol error code of a problem: most are ``invalid_input``."""

_CODES: Final = ("invalid_input", "naive_datetime")


def __dir__() -> list[str]:
    return list(__all__)


class LeadcoreError(Exception):
    """Root of every error leadcore raises on purpose."""


@attrs.frozen
class Problem:
    """
    One thing wrong with an input.

    Attributes:
        path: Where the value is, dotted from the root of the input
            (``input.existing[2].created_at``); empty for the root itself.
        value: The offending value (shown with ``repr`` in messages).
        message: What is wrong and, when known, how to fix it.
        code: ``naive_datetime`` for a datetime without an offset (GEN-1), otherwise
            ``invalid_input``.

    """

    path: str
    value: object
    message: str
    code: ProblemCode = "invalid_input"

    def __attrs_post_init__(self) -> None:
        # Checked by hand: the field checks of leadcore._attrs are built on this class.
        fields: tuple[tuple[str, object], ...] = (("path", self.path), ("message", self.message))
        found = [
            Problem(name, given, f"must be a string, not {type(given).__name__}")
            for name, given in fields
            if not isinstance(given, str)
        ]
        code: object = self.code
        if not isinstance(code, str) or code not in _CODES:
            found.append(Problem("code", self.code, f"must be one of {', '.join(_CODES)}"))
        if found:
            raise InvalidInput(found)

    def under(self, prefix: str) -> Problem:
        """Return the same problem with ``prefix`` put in front of its path."""
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        # Built directly, not with attrs.evolve: an error may carry 100,000 problems.
        return Problem(path, self.value, self.message, self.code)

    def __str__(self) -> str:
        where = self.path or "input"
        return f"{where}: {self.message}, got {quote(self.value)}"


class InvalidInput(LeadcoreError, ValueError):
    """
    Input that leadcore refuses, with every problem found in it.

    Nothing has been changed when this is raised: inputs are validated in full before
    any rule runs (GEN-5).

    Attributes:
        problems: Every problem found, in the order found (at least one).

    """

    problems: tuple[Problem, ...]

    def __init__(self, problems: Iterable[Problem]) -> None:
        given: object = problems
        found: tuple[object, ...] = ()
        if isinstance(given, Iterable) and not isinstance(given, str | bytes):
            found = tuple(given)
        if not found or not all(isinstance(p, Problem) for p in found):
            raise InvalidInput.single(
                "problems",
                given,
                "must be a non-empty list of Problem (InvalidInput needs at least one problem)",
            )
        self.problems = cast("tuple[Problem, ...]", found)
        super().__init__(self._describe())

    @classmethod
    def single(
        cls,
        path: str,
        value: object,
        message: str,
        *,
        code: ProblemCode = "invalid_input",
    ) -> InvalidInput:
        """Build an error with one problem."""
        return cls([Problem(path=path, value=value, message=message, code=code)])

    def under(self, prefix: str) -> InvalidInput:
        """Return the same error with ``prefix`` put in front of every path."""
        return InvalidInput(p.under(prefix) for p in self.problems)

    @property
    def first(self) -> Problem:
        """The first problem found (the one the protocol reports)."""
        return self.problems[0]

    @property
    def path(self) -> str:
        """The path of the first problem."""
        return self.first.path

    @property
    def value(self) -> object:
        """The value of the first problem."""
        return self.first.value

    @property
    def code(self) -> ProblemCode:
        """The protocol code of the first problem."""
        return self.first.code

    def _describe(self) -> str:
        if len(self.problems) == 1:
            return str(self.first)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{len(self.problems)} problems in the input:\n{lines}"


class UnknownRule(LeadcoreError, LookupError):
    """A protocol request named a rule leadcore does not have."""

    def __init__(self, rule: str, known: Iterable[str]) -> None:
        listed: object = known
        names = (
            tuple(listed) if isinstance(listed, Iterable) and not isinstance(listed, str) else ()
        )
        name: object = rule
        problems = [] if isinstance(name, str) else [Problem("rule", rule, "must be a string")]
        if not isinstance(listed, Iterable) or not all(isinstance(k, str) for k in names):
            problems.append(Problem("known", known, "must be a list of rule names"))
        if problems:
            raise InvalidInput(problems)
        self.rule = rule
        self.known = tuple(sorted(cast("tuple[str, ...]", names)))
        super().__init__(f"unknown rule {quote(rule)}; known rules: {', '.join(self.known)}")


class MissingDependency(LeadcoreError, ImportError):
    """
    An optional feature needs a package that is not installed; the message says which.

    Charts need ``altair``, progress bars ``tqdm``, the HTML report ``vl-convert-python``:
    ``pip install 'leadcore[notebook]'`` installs them all.

    Attributes:
        package: The package to install (``tqdm``).
        feature: What needs it (``progress=True``).

    """

    def __init__(self, package: str, feature: str) -> None:
        given: tuple[tuple[str, object], ...] = (("package", package), ("feature", feature))
        for name, value in given:
            if not isinstance(value, str) or not value:
                raise InvalidInput.single(name, value, "must be a non-empty string")
        self.package = package
        self.feature = feature
        super().__init__(
            f"{feature} needs {package}, which is not installed: "
            f"pip install 'leadcore[notebook]' (or pip install {package})",
            name=package,
        )


class LeadcoreWarning(UserWarning):
    """Base class of every warning leadcore emits."""


class LeadcoreDeprecationWarning(LeadcoreWarning, DeprecationWarning):
    """
    A public name or behaviour is deprecated and will be removed.

    It derives from :class:`LeadcoreWarning` first, so it is shown by default (Python
    hides plain ``DeprecationWarning`` outside ``__main__``).
    """
