"""
The facts linking's reasons carry (GEN-4): every LNK code with the values it used.

``test_linking.py`` pins which codes ``linking.check`` gives; these pin each reason's
``facts``, which the protocol sends and other implementations are checked against.
"""

from __future__ import annotations

from leadcore import linking
from leadcore.decisions import Verdict
from leadcore.model import WIP_STATUSES, Role, User
from tests.test_linking import SUPER, primary, secondary

WIP = tuple(WIP_STATUSES)


def _facts(verdict: Verdict) -> list[tuple[str, dict[str, object]]]:
    return [(r.code, dict(r.facts)) for r in verdict.reasons]


def test_every_failing_condition_names_what_it_read() -> None:
    """LNK-1..LNK-4, LNK-7: projects, statuses, the actor, the owner, the existing link."""
    manager = User(id="rahul", roles=[Role.SALES_MANAGER])
    first = primary(status="lost")
    second = secondary(project="tower-b", status="linked", linked_to="L9")

    verdict = linking.check(first, second, manager, "sm9")

    assert not verdict.allowed
    assert _facts(verdict) == [
        ("different_project", {"primary": "tower-a", "secondary": "tower-b"}),
        ("primary_not_wip", {"status": "lost", "wip_statuses": WIP}),
        ("secondary_not_wip", {"status": "linked", "wip_statuses": WIP}),
        ("not_permitted", {"actor": "rahul", "project": "tower-a"}),
        ("invalid_owner", {"owner": "sm9", "owners": ("sm1", "sm2")}),
        ("secondary_already_linked", {"linked_to": "L9", "status": "linked"}),
    ]


def test_a_lead_linked_to_itself_names_the_lead() -> None:
    """LNK-7: the same lead on both sides."""
    verdict = linking.check(primary(), primary(), SUPER, "sm1")

    assert _facts(verdict) == [("same_lead", {"lead": "L1"})]


def test_a_primary_that_is_a_secondary_names_its_own_primary() -> None:
    """LNK-7 (no chains): the primary is linked to L0; its status and link are the facts."""
    verdict = linking.check(primary(status="linked", linked_to="L0"), secondary(), SUPER, "sm1")

    assert _facts(verdict) == [
        ("primary_not_wip", {"status": "linked", "wip_statuses": WIP}),
        ("primary_is_linked", {"linked_to": "L0", "status": "linked"}),
    ]
