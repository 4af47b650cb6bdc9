"""
The reason-code catalogue: every code each rule can give, with its rule id, place and message.

Every reason a rule function returns (GEN-4) is built from this catalogue, so the codes
live in one place, the one other implementations read (v1.2 of the rules: the catalogue is part
of the contract; ``docs/reasons.md`` is generated from it, ``leadcore conformance
reasons`` prints it as JSON). A code is never renamed without a deprecation.

The catalogue is a set of *groups*, one per reason list a rule function writes: the
codes :func:`leadcore.linking.check` gives, those of :func:`leadcore.routing.eligible`...
A group is a class whose attributes are its codes, in the order the function lists them
(the rule text's order, then leadcore's additions); each code has the rule ID it
comes from and the template of its message. A rule builds a reason with
:meth:`ReasonCode.reason`, filling the template's fields:

>>> reason = Link.same_lead.reason(lead="L1")
>>> reason.code, reason.message
('same_lead', "lead 'L1' cannot be linked to itself")
>>> Link.same_lead.rule_id, Link.same_lead.order, Link.rules
('LNK-7', 6, ('link.check', 'link.apply'))
>>> [code.code for code in Transfer.codes]
['not_owner', 'not_permitted', 'wrong_project']

A code marked ``extension`` is a refusal (or a value) beyond the rule text: leadcore gives
it, another implementation need not, and ``leadcore conformance run`` ignores it unless
asked to be strict (``docs/qa.md``). Adding a code to a group is one line.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, ClassVar, Final, Literal, Self

from leadcore._attrs import checked
from leadcore._quote import cut, quote
from leadcore.decisions import Reason

__all__ = [
    "CATALOGUE",
    "CheckWave",
    "CreateLead",
    "CrossSilo",
    "Diagnose",
    "DispatchRejection",
    "Eligible",
    "FreshClaim",
    "Handover",
    "Link",
    "MergeAuto",
    "MergeExplain",
    "ReasonCode",
    "ReasonGroup",
    "RelatedFind",
    "Review",
    "Transfer",
    "catalogue",
    "codes",
    "groups",
    "markdown",
]


def __dir__() -> list[str]:
    return list(__all__)


Where = Literal["reasons", "ineligible", "rejected_events[].reason"]
"""Where a group's codes appear in a protocol result: the ``reasons`` list, the lists of
``ineligible`` (by agent id), or the ``reason`` of each rejected dispatch event."""


class _Quoted(str):
    """A value already quoted by :func:`leadcore._quote.quote` (not cut again)."""

    __slots__ = ()


class _Formatter(string.Formatter):
    """
    Fills message templates: the one place input values enter reason messages.

    A field converted with ``!r`` is quoted (:func:`leadcore._quote.quote`); any other is
    formatted as usual and cut: no message shows more than 80 characters of one value
    (v1.2 of the rules), whatever the input holds.
    """

    def convert_field(self, value: Any, conversion: str | None) -> Any:  # noqa: ANN401
        if conversion == "r":
            return _Quoted(quote(value))
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:  # noqa: ANN401
        if isinstance(value, _Quoted):
            return str(value)
        return cut(super().format_field(value, format_spec))


_FORMATTER: Final = _Formatter()


class ReasonCode:
    """
    One code of a group: its rule ID, its message template, its place in the group.

    Declared as an attribute of a :class:`ReasonGroup`, whose name is the code:
    ``same_lead = ReasonCode("LNK-7", "lead {lead!r} cannot be linked to itself")``.

    Attributes:
        code: The stable snake_case code (the attribute's name).
        rule_id: The rule ID the condition comes from (``LNK-7``).
        template: The message, a :meth:`str.format` template over named fields.
        extension: True for a refusal beyond the rule text (leadcore's own addition).
        group: The name of the group that lists it (``link``).
        order: Its place in the group, from 1.

    """

    __slots__ = ("_code", "_extension", "_owner", "_rule_id", "_template")

    @checked
    def __init__(self, rule_id: str, template: str, *, extension: bool = False) -> None:
        self._rule_id = rule_id
        self._template = template
        self._extension = extension
        self._code = ""
        self._owner: type[ReasonGroup] | None = None

    def __set_name__(self, owner: type[Any], name: str) -> None:
        if self._code:
            msg = f"reason code {self._code!r} is declared twice ({owner.__name__}.{name})"
            raise TypeError(msg)
        self._code = name
        self._owner = owner

    @property
    def code(self) -> str:
        """The stable snake_case code."""
        return self._code

    @property
    def rule_id(self) -> str:
        """The rule ID the condition comes from."""
        return self._rule_id

    @property
    def template(self) -> str:
        """The message template (named :meth:`str.format` fields)."""
        return self._template

    @property
    def extension(self) -> bool:
        """True for a refusal beyond the rule text, which other implementations may omit."""
        return self._extension

    @property
    def group(self) -> str:
        """The name of the group that lists it."""
        return "" if self._owner is None else self._owner.name

    @property
    def order(self) -> int:
        """Its place in the group's order, from 1."""
        return 0 if self._owner is None else self._owner.codes.index(self) + 1

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the template's fields, in order of first use."""
        names = (name for _, name, _, _ in _FORMATTER.parse(self._template) if name)
        return tuple(dict.fromkeys(names))

    def reason(self, facts: Mapping[str, object] | None = None, /, **values: object) -> Reason:
        """
        Return a reason with this code, its message filled with ``values``.

        Args:
            facts: The facts the rule used (default: ``values``).
            values: The template's fields, each formatted as the template says.

        Raises:
            TypeError: ``values`` does not name exactly the template's fields (a bug).

        """
        if set(values) != set(self.fields):
            msg = (
                f"reason {self._code!r} takes the fields {list(self.fields)}, not {sorted(values)}"
            )
            raise TypeError(msg)
        message = _FORMATTER.vformat(self._template, (), values)
        return Reason(code=self._code, message=message, facts=values if facts is None else facts)

    def __repr__(self) -> str:
        return f"<ReasonCode {self.group}.{self._code} ({self._rule_id})>"


class ReasonGroup:
    """
    Base of the catalogue's groups: the codes one rule function can give, in its order.

    A group is never instantiated; its class attributes are its :class:`ReasonCode`
    entries, in declaration order. Class variables say which functions give them.

    Attributes:
        name: The group's name (``link``).
        rules: The protocol rules whose result carries these codes.
        functions: The Python functions that give them.
        where: Where they appear in a protocol result (see :data:`Where`).
        ordered: True when the rule text fixes their order, so comparisons check it.
        codes: The codes, in order (set when the class is made).

    """

    name: ClassVar[str] = ""
    rules: ClassVar[tuple[str, ...]] = ()
    functions: ClassVar[tuple[str, ...]] = ()
    where: ClassVar[Where] = "reasons"
    ordered: ClassVar[bool] = True
    codes: ClassVar[tuple[ReasonCode, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:  # noqa: ANN401  # passed through
        super().__init_subclass__(**kwargs)
        found = [v for v in vars(cls).values() if isinstance(v, ReasonCode)]
        cls.codes = tuple(found)

    def __new__(cls) -> Self:
        """Refuse instances: a group is a namespace of codes."""
        msg = f"{cls.__name__} is a group of reason codes, not a class to instantiate"
        raise TypeError(msg)

    @classmethod
    def get(cls, code: str) -> ReasonCode | None:
        """Return the entry of ``code`` in this group, or None."""
        return next((entry for entry in cls.codes if entry.code == code), None)


# -- the catalogue ------------------------------------------------------------------------
# One line per code, in the order the function lists them: the rule text's order, then
# leadcore's additions. Templates take the values as the rule formats them.


class Link(ReasonGroup):
    """Why two leads cannot be linked (``link.check``, ``link.apply``; LNK)."""

    name = "link"
    rules = ("link.check", "link.apply")
    functions = ("linking.check", "linking.apply")

    different_project = ReasonCode(
        "LNK-1",
        "leads of different projects cannot be linked ({primary!r} and {secondary!r}); "
        "the same mandate is not enough",
    )
    primary_not_wip = ReasonCode(
        "LNK-2", "the primary lead's status {status!r} is not work in progress ({wip})"
    )
    secondary_not_wip = ReasonCode(
        "LNK-2", "the secondary lead's status {status!r} is not work in progress ({wip})"
    )
    not_permitted = ReasonCode(
        "LNK-3",
        "user {actor!r} is neither a super user nor an assignment owner of the leads' project",
    )
    invalid_owner = ReasonCode(
        "LNK-4", "the chosen sales manager {owner!r} owns neither lead (owners: {owners})"
    )
    same_lead = ReasonCode("LNK-7", "lead {lead!r} cannot be linked to itself")
    primary_is_linked = ReasonCode(
        "LNK-7",
        "the primary {primary!r} is itself a linked secondary (status {status!r}, linked to "
        "{linked_to!r}); link to its primary instead (no chains)",
        extension=True,
    )
    secondary_already_linked = ReasonCode(
        "LNK-7",
        "the secondary {secondary!r} is already linked (status {status!r}, linked to "
        "{linked_to!r}){again}",
        extension=True,
    )
    secondary_has_secondaries = ReasonCode(
        "LNK-7",
        "the secondary {secondary!r} is the primary of {secondaries}; make it the primary "
        "instead (no chains)",
        extension=True,
    )


class MergeAuto(ReasonGroup):
    """Why an inbound lead does not merge into a lead (``merge.auto``; MRG)."""

    name = "merge.auto"
    rules = ("merge.auto",)
    functions = ("merge.auto",)

    no_match = ReasonCode("MRG-1", "no existing lead matches lead {inbound!r} (MRG-1, MRG-4)")
    both_credit_applications = ReasonCode(
        "MRG-2",
        "lead {inbound!r} and lead {existing!r} both come from a credit application; they "
        "never merge automatically (MRG-2)",
    )
    missing_dates = ReasonCode(
        "MRG-3", "lead {lead!r} has no {missing}, so it is not a candidate (MRG-3)"
    )
    created_too_long_ago = ReasonCode(
        "MRG-3",
        "lead {lead!r} was created {age} before now; candidates were created less than "
        "{days} days before (MRG-3)",
    )
    no_recent_activity = ReasonCode(
        "MRG-3",
        "lead {lead!r} had its last activity {idle} before now; candidates have activity in "
        "the last {days} days (MRG-3)",
    )
    # Given only in ``candidates``, itself an extension of the result.
    outranked = ReasonCode(
        "MRG-6",
        "lead {lead!r} qualifies but lead {winner!r} ranks first (most conditions, then most "
        "recent activity, then smallest id; MRG-6)",
        extension=True,
    )


class MergeExplain(ReasonGroup):
    """
    What keeps a possible duplicate out, in ``merge.explain`` (MRG-7; Python only).

    In auto mode :func:`leadcore.merge.explain` gives :class:`MergeAuto`'s MRG-2 and
    MRG-3 codes; in duplicates mode, these: the 45-day activity window of MRG-7, which
    :func:`leadcore.merge.duplicates` applies silently.
    """

    name = "merge.explain"
    functions = ("merge.explain",)

    missing_dates = ReasonCode(
        "MRG-7",
        "lead {lead!r} has no last_activity_at, so it is not a possible duplicate (MRG-7)",
        extension=True,
    )
    no_recent_activity = ReasonCode(
        "MRG-7",
        "lead {lead!r} had its last activity {idle} before now; possible duplicates have "
        "activity in the last {days} days (MRG-7)",
        extension=True,
    )


_INACTIVE: Final = "the agent has set the app status to inactive"
_LEAD_FLOW_OFF: Final = "the agent's lead flow is switched off"
_BATTERY: Final = "battery optimisation is not disabled for the Sales and Sales Connect apps"
_AUTORUN: Final = "auto-run is not enabled for the Sales and Sales Connect apps"
_NETWORK: Final = "the agent's phone cannot be reached (network problem)"


class Eligible(ReasonGroup):
    """Why an agent is not eligible for a lead (``routing.eligible``; RTE-4)."""

    name = "routing.eligible"
    rules = ("routing.eligible",)
    functions = ("routing.eligible",)
    where = "ineligible"

    wrong_project = ReasonCode(
        "RTE-4", "the agent works on project {agent_project!r}, not on the lead's {lead_project!r}"
    )
    inactive = ReasonCode("RTE-4", _INACTIVE)
    lead_flow_off = ReasonCode("RTE-4", _LEAD_FLOW_OFF)
    battery_optimization_on = ReasonCode("RTE-4", _BATTERY)
    autorun_off = ReasonCode("RTE-4", _AUTORUN)
    network_problem = ReasonCode("RTE-4", _NETWORK)


class CheckWave(ReasonGroup):
    """Why a wave is not legal (``routing.check_wave``; RTE-2, RTE-3, RTE-5)."""

    name = "routing.check_wave"
    rules = ("routing.check_wave",)
    functions = ("routing.check_wave", "routing.judge_wave")

    unknown_agent = ReasonCode("RTE-2", "not among the agents given: {agents}")
    ineligible_agent = ReasonCode("RTE-4", "not eligible for this lead (RTE-4): {agents}")
    offered_before = ReasonCode("RTE-2", "already offered this lead in an earlier wave: {agents}")
    duplicate_agent = ReasonCode("RTE-2", "listed more than once: {agents}")
    wrong_size = ReasonCode(
        "RTE-2",
        "the wave has {size} agents; it must have min({wave_size}, {available} available) "
        "= {expected}",
    )
    fallback_before_preferred = ReasonCode(
        "RTE-5",
        "cooling-down agents {fallback} offered while preferred agents {preferred} were left "
        "out (RTE-5)",
    )
    fallback_out_of_order = ReasonCode(
        "RTE-5",
        "cooling-down agents must be taken in round-robin order: expected {expected}, got "
        "{fallback}",
    )
    offline_second_wave = ReasonCode(
        "RTE-3",
        "an offline call rings {waves} wave(s) only (RTE-3), and {offered} agents were "
        "offered it before",
    )


class DispatchRejection(ReasonGroup):
    """Why a dispatch event is rejected: the first that holds (``routing.dispatch``; RTE-2)."""

    name = "routing.dispatch"
    rules = ("routing.dispatch",)
    functions = ("routing.dispatch", "routing.apply_event")
    where = "rejected_events[].reason"
    # One reason per rejected event, the first that holds, so there is no list to order.
    ordered = False

    wrong_event_type = ReasonCode("RTE-2", "{channel} leads take {accepted} events, not {kind}")
    lead_taken = ReasonCode("RTE-2", "the lead was already claimed by {agent!r}")
    lead_in_fresh_bucket = ReasonCode("RTE-2", "the lead already went to the fresh bucket")
    not_in_wave = ReasonCode("RTE-2", "agent {agent!r} is not in the current wave")
    declined_before = ReasonCode("RTE-2", "agent {agent!r} declined this lead")


class FreshClaim(ReasonGroup):
    """Why a fresh-bucket claim is cut (``routing.fresh_claim``; RTE-6)."""

    name = "routing.fresh_claim"
    rules = ("routing.fresh_claim",)
    functions = ("routing.fresh_claim",)

    quota_exhausted = ReasonCode(
        "RTE-6",
        "the agent may claim {limit} fresh leads per {minutes} minutes and claimed {used}: "
        "{left} left, {requested} requested",
    )
    not_enough_fresh_leads = ReasonCode(
        "RTE-6", "the fresh bucket holds {fresh_count} leads, {requested} requested"
    )


class Transfer(ReasonGroup):
    """Why a transfer is refused (``routing.transfer``; RTE-7)."""

    name = "routing.transfer"
    rules = ("routing.transfer",)
    functions = ("routing.transfer",)

    not_owner = ReasonCode(
        "RTE-7", "an agent may transfer only its own leads; {lead!r} is owned by {owner!r}"
    )
    not_permitted = ReasonCode(
        "RTE-7", "only the owning agent, a team lead or the call centre may transfer a lead"
    )
    wrong_project = ReasonCode(
        "RTE-7",
        "agent {agent!r} works on project {agent_project!r}, not on the lead's {lead_project!r}",
    )


class Diagnose(ReasonGroup):
    """Why an agent receives no leads of a channel (``routing.diagnose``; RTE-8)."""

    name = "routing.diagnose"
    rules = ("routing.diagnose",)
    functions = ("routing.diagnose",)

    lead_flow_off = ReasonCode("RTE-8", _LEAD_FLOW_OFF)
    inactive = ReasonCode("RTE-8", _INACTIVE)
    battery_optimization_on = ReasonCode("RTE-8", _BATTERY)
    autorun_off = ReasonCode("RTE-8", _AUTORUN)
    network_problem = ReasonCode("RTE-8", _NETWORK)


_NO_SALES_LICENCE: Final = "{sender!r} has no Sales Licence role ({roles})"
_NOT_IN_SENDER_ORG: Final = (
    "lead {lead!r} belongs to {lead_org!r}, not to the sender's organisation {sender_org!r}"
)
_SAME_ORG: Final = "the lead is already in organisation {target!r}"
_NOT_RECEIVING_MANAGER: Final = "{manager!r} is not a manager of organisation {org!r}"


class Handover(ReasonGroup):
    """Why a handover is refused (``handover.check``, ``handover.apply``; HND-1 to HND-3)."""

    name = "handover"
    rules = ("handover.check", "handover.apply")
    functions = ("handover.check", "handover.apply")

    use_cross_silo = ReasonCode(
        "HND-1",
        "{source!r} and {target!r} are children of the same parent: child to child needs the "
        "cross-silo transfer",
    )
    not_related = ReasonCode(
        "HND-1",
        "{source!r} and {target!r} are not a parent and one of its direct children: a handover "
        "goes only between them",
    )
    same_org = ReasonCode("HND-1", _SAME_ORG)
    handover_disabled = ReasonCode(
        "HND-2",
        "handover is not enabled in the settings of the parent organisation {parent!r}",
    )
    no_sales_licence = ReasonCode("HND-3", _NO_SALES_LICENCE)
    not_in_sender_org = ReasonCode("HND-3", _NOT_IN_SENDER_ORG)


class CrossSilo(ReasonGroup):
    """Why a cross-silo transfer is refused (``handover.cross_silo``; HND-8, HND-3)."""

    name = "handover.cross_silo"
    rules = ("handover.cross_silo",)
    functions = ("handover.check_cross_silo", "handover.cross_silo")

    use_handover = ReasonCode(
        "HND-8", "{source!r} and {target!r} are a parent and its child: use a handover"
    )
    not_siblings = ReasonCode(
        "HND-8", "{source!r} and {target!r} are not children of the same parent"
    )
    cross_silo_disabled = ReasonCode(
        "HND-8",
        "cross silo is not enabled in the settings of the parent organisation {parent!r}",
    )
    same_org = ReasonCode("HND-8", _SAME_ORG)
    no_sales_licence = ReasonCode("HND-3", _NO_SALES_LICENCE)
    not_in_sender_org = ReasonCode("HND-3", _NOT_IN_SENDER_ORG)


class Review(ReasonGroup):
    """Why a review is refused (``handover.review``; HND-5)."""

    name = "handover.review"
    rules = ("handover.review",)
    functions = ("handover.review",)

    not_receiving_manager = ReasonCode("HND-5", _NOT_RECEIVING_MANAGER)
    invalid_assignee = ReasonCode(
        "HND-5", "{assignee!r} is not a Sales Licence user of organisation {org!r}"
    )


class CreateLead(ReasonGroup):
    """Why a lead generator cannot create a lead (Python only: ``handover.create``; HND-7)."""

    name = "handover.create"
    functions = ("handover.create",)

    not_lead_generator = ReasonCode(
        "HND-7", "{generator!r} is not a lead generator", extension=True
    )
    not_in_sender_org = ReasonCode(
        "HND-7",
        "lead {lead!r} belongs to {lead_org!r}, not to the lead generator's organisation "
        "{sender_org!r}",
    )
    not_receiving_manager = ReasonCode("HND-7", _NOT_RECEIVING_MANAGER)


class RelatedFind(ReasonGroup):
    """Why no related record is looked up (``related.find``; REL-1)."""

    name = "related.find"
    rules = ("related.find",)
    functions = ("related.find",)

    crm_not_connected = ReasonCode(
        "REL-1", "the user's profile is not connected to {crm}: connect it to see related leads"
    )


CATALOGUE: Final[tuple[type[ReasonGroup], ...]] = (
    Link,
    MergeAuto,
    MergeExplain,
    Eligible,
    CheckWave,
    DispatchRejection,
    FreshClaim,
    Transfer,
    Diagnose,
    Handover,
    CrossSilo,
    Review,
    CreateLead,
    RelatedFind,
)
"""Every group, family by family (the rulebook's order of the protocol table)."""


@checked
def groups(rule: str) -> tuple[type[ReasonGroup], ...]:
    """
    Return the groups whose codes the protocol rule ``rule`` can give (none: no reasons).

    >>> [g.name for g in groups("handover.apply")]
    ['handover']
    """
    return tuple(group for group in CATALOGUE if rule in group.rules)


@checked
def codes(rule: str, *, extension: bool = True) -> tuple[str, ...]:
    """
    Return every code the protocol rule ``rule`` can give, in order.

    Args:
        rule: A protocol rule (``routing.transfer``).
        extension: Include leadcore's extension codes.

    >>> codes("link.check", extension=False)
    ('different_project', 'primary_not_wip', 'secondary_not_wip', 'not_permitted', 'invalid_owner', 'same_lead')
    """  # noqa: E501  # a doctest's output is one line
    found = (
        entry.code
        for group in groups(rule)
        for entry in group.codes
        if extension or not entry.extension
    )
    return tuple(dict.fromkeys(found))


def catalogue() -> list[dict[str, Any]]:
    """
    Return the catalogue as JSON: one object per group, its codes in order.

    This is what ``leadcore conformance reasons`` prints, for other teams to vendor.

    >>> catalogue()[0]["codes"][0]["code"]
    'different_project'
    """
    return [
        {
            "group": group.name,
            "rules": list(group.rules),
            "functions": list(group.functions),
            "where": group.where,
            "ordered": group.ordered,
            "codes": [
                {
                    "code": entry.code,
                    "order": entry.order,
                    "rule_id": entry.rule_id,
                    "status": "extension" if entry.extension else "contract",
                    "message": entry.template,
                }
                for entry in group.codes
            ],
        }
        for group in CATALOGUE
    ]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """Return ``docs/reasons.md``: the catalogue as a page (a test keeps the file in step)."""
    lines = [
        "# Reason codes",
        "",
        "Every reason code each rule can give, generated from `leadcore.reasons` by",
        "`leadcore conformance reasons --markdown > docs/reasons.md` (a test keeps this page",
        "in step with the code; `leadcore conformance reasons` prints the same as JSON).",
        "",
        "Since v1.2 of the rules the catalogue is part of the contract: a code is never renamed",
        "without a deprecation. Reasons come in the order of each table (the rule text's",
        "order, then leadcore's additions); where the rule text fixes the order",
        "(*ordered*), `leadcore conformance run` compares it. Codes marked **extension**",
        "are refusals beyond the rule text: leadcore gives them, another implementation",
        "need not, and `conformance run` ignores them unless run with `--strict`.",
        "Messages are for people and never compared; `{field}` marks a value filled in.",
    ]
    for group in CATALOGUE:
        rules = ", ".join(f"`{r}`" for r in group.rules) or "none (Python only)"
        functions = ", ".join(f"`leadcore.{f}`" for f in group.functions)
        order = "ordered" if group.ordered else "one reason, the first that holds"
        lines += [
            "",
            f"## {group.name}",
            "",
            (group.__doc__ or "").strip().replace("``", "`"),
            "",
            f"Protocol rules: {rules}; in `{group.where}`; {order}. Python: {functions}.",
            "",
            "| # | code | rule id | status | message |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {e.order} | `{e.code}` | {e.rule_id} | "
            f"{'extension' if e.extension else 'contract'} | {_cell(e.template)} |"
            for e in group.codes
        ]
    return "\n".join(lines) + "\n"
