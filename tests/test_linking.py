"""Linking leads of the same customer: leadcore.linking by example (LNK-1 to LNK-10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from leadcore import linking
from leadcore.decisions import CancelledEvent, Change
from leadcore.errors import InvalidInput
from leadcore.linking import AppAccess, LinkPolicy, LinkResult, LinkVisibility
from leadcore.model import WIP_STATUSES, Event, EventStatus, Lead, Notification, Role, User

from .helpers import NOW, lead, person

PROJECT = "tower-a"
SUPER = User(id="admin", roles=[Role.SUPER_USER])
OWNER_OF_PROJECT = User(id="ao", roles=[Role.SALES_MANAGER], assignment_owner_of=[PROJECT])


def primary(**fields: Any) -> Lead:
    """The lead that stays: Asha Rao's enquiry, owned by sm1."""
    base: dict[str, Any] = {
        "project": PROJECT,
        "status": "interested",
        "owner": "sm1",
        "customer": person("Asha", "Rao", phones=("+91 98200 12345",)),
        "fields": {"mandate": "acme-builders"},
    }
    return lead(fields.pop("id", "L1"), **(base | fields))


def secondary(**fields: Any) -> Lead:
    """The second enquiry of the same customer, another number, owned by sm2."""
    base: dict[str, Any] = {
        "project": PROJECT,
        "status": "claimed",
        "owner": "sm2",
        "customer": person("Asha", "Rao", phones=("+91 98200 54321",)),
        "fields": {"mandate": "acme-builders"},
    }
    return lead(fields.pop("id", "L2"), **(base | fields))


def codes(
    first: Lead, second: Lead, actor: User = SUPER, owner: str = "sm1", **kw: Any
) -> tuple[str, ...]:
    """The reason codes of ``linking.check``."""
    return linking.check(first, second, actor, owner, **kw).codes


def linked(
    first: Lead | None = None, second: Lead | None = None, owner: str = "sm1", **kw: Any
) -> LinkResult:
    """Apply a link at NOW as a super user."""
    return linking.apply(first or primary(), second or secondary(), SUPER, owner, now=NOW, **kw)


class TestCheck:
    """linking.check: eligibility with every failing reason."""

    def test_lnk1_leads_of_the_same_project_may_be_linked(self) -> None:
        """LNK-1: two WIP leads of one project, a super user, an owner: allowed."""
        verdict = linking.check(primary(), secondary(), SUPER, "sm1")

        assert verdict.allowed
        assert verdict.reasons == ()

    def test_lnk1_same_mandate_but_different_project_is_refused(self) -> None:
        """LNK-1: the same mandate (client) is not enough; the project must match."""
        other = secondary(project="tower-b")

        assert codes(primary(), other) == ("different_project",)

    def test_lnk1_a_lead_without_project_matches_no_project(self) -> None:
        """LNK-1 [decided]: no project on either side is never "the same project"."""
        assert codes(primary(project=None), secondary(project=None)) == ("different_project",)
        assert codes(primary(), secondary(project=None)) == ("different_project",)

    @pytest.mark.parametrize("status", WIP_STATUSES)
    def test_lnk2_every_wip_status_may_be_linked(self, status: str) -> None:
        """LNK-2: claimed, interested, meeting_done, visit_done, final_negotiation are WIP."""
        assert codes(primary(status=status), secondary(status=status)) == ()

    @pytest.mark.parametrize("status", ["new", "booked", "lost", "Claimed", None, "merged"])
    def test_lnk2_a_primary_not_in_progress_is_refused(self, status: str | None) -> None:
        """LNK-2: a primary whose status is not WIP (compared exactly) is refused."""
        assert codes(primary(status=status), secondary()) == ("primary_not_wip",)

    def test_lnk2_a_secondary_not_in_progress_is_refused(self) -> None:
        """LNK-2: a secondary whose status is not WIP is refused."""
        assert codes(primary(), secondary(status="booked")) == ("secondary_not_wip",)

    def test_lnk2_both_not_in_progress_gives_both_reasons(self) -> None:
        """LNK-2, GEN-4: each lead that is not WIP has its own reason."""
        assert codes(primary(status="new"), secondary(status="lost")) == (
            "primary_not_wip",
            "secondary_not_wip",
        )

    def test_lnk2_wip_statuses_come_from_the_policy(self) -> None:
        """LNK-2, GEN-7: the WIP list is a policy knob."""
        policy = LinkPolicy(wip_statuses=["claimed", "booked"])

        assert codes(primary(status="booked"), secondary(), policy=policy) == ()
        assert codes(primary(status="interested"), secondary(), policy=policy) == (
            "primary_not_wip",
        )

    def test_lnk3_an_assignment_owner_of_the_project_may_link(self) -> None:
        """LNK-3: an assignment owner of the leads' project may link."""
        assert codes(primary(), secondary(), OWNER_OF_PROJECT) == ()

    def test_lnk3_an_assignment_owner_of_another_project_may_not(self) -> None:
        """LNK-3: owning the assignment of another project gives no right here."""
        actor = User(id="ao2", assignment_owner_of=["tower-b"])

        assert codes(primary(), secondary(), actor) == ("not_permitted",)

    @pytest.mark.parametrize("role", [r for r in Role if r is not Role.SUPER_USER])
    def test_lnk3_other_roles_may_not_link(self, role: Role) -> None:
        """LNK-3: only super users or assignment owners; a sales manager, say, may not."""
        actor = User(id="x", roles=[role])

        assert codes(primary(), secondary(), actor) == ("not_permitted",)

    def test_lnk3_an_assignment_owner_of_only_one_of_two_projects_may_not(self) -> None:
        """LNK-3 [decided]: with two projects the actor must own both; LNK-1 refuses anyway."""
        actor = User(id="ao", assignment_owner_of=[PROJECT])

        assert codes(primary(), secondary(project="tower-b"), actor) == (
            "different_project",
            "not_permitted",
        )

    def test_lnk3_a_super_user_may_link_leads_without_project_rights(self) -> None:
        """LNK-3: a super user needs no assignment."""
        assert SUPER.assignment_owner_of == frozenset()
        assert codes(primary(), secondary(), SUPER) == ()

    def test_lnk4_the_owner_of_the_secondary_may_be_chosen(self) -> None:
        """LNK-4: the chosen sales manager may own either lead."""
        assert codes(primary(), secondary(), owner="sm2") == ()

    def test_lnk4_a_manager_owning_neither_lead_is_refused(self) -> None:
        """LNK-4: the chosen sales manager must own one of the two leads."""
        verdict = linking.check(primary(), secondary(), SUPER, "sm3")

        assert verdict.codes == ("invalid_owner",)
        assert verdict.reasons[0].facts["owners"] == ("sm1", "sm2")

    def test_lnk4_leads_without_owners_admit_no_manager(self) -> None:
        """LNK-4: when neither lead has an owner, nobody can be chosen."""
        assert codes(primary(owner=None), secondary(owner=None)) == ("invalid_owner",)

    def test_lnk7_a_lead_cannot_be_linked_to_itself(self) -> None:
        """LNK-7: same id on both sides is refused with same_lead."""
        assert codes(primary(), primary()) == ("same_lead",)

    def test_gen4_a_refusal_lists_every_reason_in_spec_order(self) -> None:
        """GEN-4, LNK-1..4, LNK-7: every failing condition, in the order the rulebook lists them."""
        first = primary(status="new", project="tower-a")
        second = primary(status="lost", project="tower-b")

        verdict = linking.check(first, second, User(id="nobody"), "sm9")

        assert verdict.codes == (
            "different_project",
            "primary_not_wip",
            "secondary_not_wip",
            "not_permitted",
            "invalid_owner",
            "same_lead",
        )
        assert all(r.message for r in verdict.reasons)

    def test_lnk7_a_linked_secondary_cannot_be_linked_again(self) -> None:
        """LNK-7 [decided]: a linked lead (status linked, not WIP) gets both reasons."""
        done = secondary(status="linked", linked_to="L9")

        verdict = linking.check(primary(), done, SUPER, "sm1")

        assert verdict.codes == ("secondary_not_wip", "secondary_already_linked")
        assert verdict.reasons[1].facts["linked_to"] == "L9"

    def test_lnk7_a_linked_to_id_alone_marks_a_linked_lead(self) -> None:
        """LNK-7 [decided]: a lead with linked_to set counts as linked, whatever its status."""
        assert codes(primary(), secondary(linked_to="L9")) == ("secondary_already_linked",)
        assert codes(primary(linked_to="L9"), secondary()) == ("primary_is_linked",)

    def test_lnk7_no_chains_a_secondary_cannot_be_a_primary(self) -> None:
        """LNK-7 [decided]: linking to a linked secondary would make a chain: refused."""
        first = primary(status="linked", linked_to="L0")

        assert codes(first, secondary()) == ("primary_not_wip", "primary_is_linked")

    def test_lnk7_no_chains_a_primary_with_secondaries_cannot_become_a_secondary(self) -> None:
        """LNK-7 [decided]: given the other leads, a primary is not linked under another."""
        below = secondary(id="L3", status="linked", linked_to="L2")

        verdict = linking.check(primary(), secondary(), SUPER, "sm1", existing=[below])

        assert verdict.codes == ("secondary_has_secondaries",)
        assert verdict.reasons[0].facts["secondaries"] == ("L3",)

    def test_lnk7_no_cycles_a_primary_cannot_be_linked_under_its_secondary(self) -> None:
        """LNK-7 [decided]: reversing a link is refused: the old primary's secondary is linked."""
        done = linked()
        assert done.primary is not None
        assert done.secondary is not None

        verdict = linking.check(
            done.secondary, done.primary, SUPER, "sm1", existing=[done.secondary]
        )

        assert verdict.codes == (
            "primary_not_wip",
            "primary_is_linked",
            "secondary_has_secondaries",
        )

    def test_lnk7_the_reason_order_is_the_documented_one(self) -> None:
        """GEN-4: REASON_CODES lists every code check may give, in order."""
        everything = primary(status="linked", linked_to="L1", project=None)
        below = secondary(id="L3", linked_to="L1")

        verdict = linking.check(everything, everything, User(id="x"), "sm9", existing=[below])

        assert verdict.codes == linking.REASON_CODES


class TestApply:
    """linking.apply: the linked leads, the effects and the record."""

    def test_lnk4_the_chosen_manager_owns_the_primary_and_the_other_views_it(self) -> None:
        """LNK-4: the secondary's owner becomes a viewer of the primary."""
        result = linked(owner="sm1")

        assert result.primary is not None
        assert result.primary.owner == "sm1"
        assert result.primary.viewers == ("sm2",)

    def test_lnk4_choosing_the_secondary_owner_hands_the_primary_over(self) -> None:
        """LNK-4: the primary's former owner becomes a viewer; the new owner leaves viewers."""
        first = primary(viewers=["sm2", "boss"])

        result = linked(first, owner="sm2")

        assert result.primary is not None
        assert result.primary.owner == "sm2"
        assert result.primary.viewers == ("boss", "sm1")

    def test_lnk4_the_other_owner_becomes_a_viewer_once(self) -> None:
        """LNK-4: a viewer already listed is not listed twice."""
        result = linked(primary(viewers=["sm2"]))

        assert result.primary is not None
        assert result.primary.viewers == ("sm2",)

    def test_lnk4_one_owner_of_both_leads_adds_no_viewer(self) -> None:
        """LNK-4: "the other lead's owner (if different)": same owner, no viewer."""
        result = linked(second=secondary(owner="sm1"))

        assert result.primary is not None
        assert result.primary.viewers == ()

    def test_lnk5_the_secondary_mobile_is_added_in_e164(self) -> None:
        """LNK-5: the secondary's first phone is added to the primary's customer, E.164."""
        first = primary(customer=person("Asha", "Rao", phones=("(415) 867-5309",)))
        second = secondary(customer=person("Asha", phones=("415 555 0134", "415 555 0199")))

        result = linked(first, second)

        assert result.primary is not None
        assert result.primary.customer.phones == ("(415) 867-5309", "+14155550134")

    def test_lnk5_a_number_the_primary_has_in_another_format_is_not_added(self) -> None:
        """LNK-5: compared as E.164, so a formatting difference is the same number."""
        first = primary(customer=person("Asha", phones=("+1 415 555 0134",)))
        second = secondary(customer=person("Asha", phones=("(415) 555-0134",)))

        result = linked(first, second)

        assert result.primary is not None
        assert result.primary.customer == first.customer

    def test_lnk5_a_number_of_the_co_customer_is_not_added(self) -> None:
        """LNK-5: "unless either person of the primary already has that number"."""
        first = primary(co_customer=person("Ravi", "Rao", phones=("415-555-0134",)))
        second = secondary(customer=person("Ravi", phones=("+14155550134",)))

        result = linked(first, second)

        assert result.primary is not None
        assert result.primary.customer == first.customer

    def test_lnk5_only_the_first_phone_is_added(self) -> None:
        """LNK-5: only the mobile (first phone), even when the others are new."""
        second = secondary(customer=person(phones=("+91 98200 54321", "+91 99300 11223")))

        result = linked(second=second)

        assert result.primary is not None
        assert result.primary.customer.phones == ("+91 98200 12345", "+919820054321")

    def test_lnk5_an_unusable_number_is_added_as_written(self) -> None:
        """LNK-5: a number phonenumbers cannot use is added as raw text."""
        second = secondary(customer=person(phones=("ext. 42",)))

        result = linked(second=second)

        assert result.primary is not None
        assert result.primary.customer.phones == ("+91 98200 12345", "ext. 42")

    def test_lnk5_an_unusable_number_already_there_is_not_added(self) -> None:
        """LNK-5 [decided]: unusable numbers compare as trimmed text."""
        first = primary(customer=person(phones=("ext. 42",)))
        second = secondary(customer=person(phones=(" ext. 42 ",)))

        result = linked(first, second)

        assert result.primary is not None
        assert result.primary.customer.phones == ("ext. 42",)

    @pytest.mark.parametrize("phones", [(), ("",), ("   ", "\x00\t")])
    def test_lnk5_no_mobile_adds_nothing(self, phones: tuple[str, ...]) -> None:
        """LNK-5 [decided]: no phone, or only blank ones (absent, rules v1.2), adds nothing."""
        result = linked(second=secondary(customer=person("Asha", phones=phones)))

        assert result.primary is not None
        assert result.primary.customer == primary().customer

    def test_lnk5_a_blank_phone_is_absent_so_the_next_is_the_mobile(self) -> None:
        """LNK-5, v1.2 of the rules: blank text is absent, so the first phone is the next one."""
        second = secondary(customer=person("Asha", phones=("   ", "+91 98200 54321")))

        result = linked(second=second)

        assert second.customer.phones == ("+91 98200 54321",)
        assert result.primary is not None
        assert result.primary.customer.phones == ("+91 98200 12345", "+919820054321")

    def test_lnk5_the_region_for_local_numbers_is_a_policy_knob(self) -> None:
        """LNK-5, GEN-7: default_region reads a number written without country code."""
        second = secondary(customer=person(phones=("98200 54321",)))

        in_india = linked(second=second, policy=LinkPolicy(default_region="IN"))
        in_us = linked(second=second)

        assert in_india.primary is not None
        assert in_india.primary.customer.phones[-1] == "+919820054321"
        assert in_us.primary is not None
        assert in_us.primary.customer.phones[-1] == "98200 54321"

    def test_lnk6_only_future_scheduled_events_are_cancelled(self) -> None:
        """LNK-6: scheduled events due after now are cancelled; the rest untouched."""
        hour = dt.timedelta(hours=1)
        events = [
            Event(id="past", at=NOW - hour),
            Event(id="now", at=NOW),
            Event(id="soon", at=NOW + dt.timedelta(seconds=1)),
            Event(id="done", at=NOW + hour, status="done"),
            Event(id="gone", at=NOW + hour, status="cancelled"),
            Event(id="later", at=NOW + 48 * hour),
        ]

        result = linked(second=secondary(events=events))

        assert result.secondary is not None
        assert [(e.id, e.status.value) for e in result.secondary.events] == [
            ("past", "scheduled"),
            ("now", "scheduled"),
            ("soon", "cancelled"),
            ("done", "done"),
            ("gone", "cancelled"),
            ("later", "cancelled"),
        ]
        assert result.cancelled_events == (
            CancelledEvent(lead="L2", event="soon", at=NOW + dt.timedelta(seconds=1)),
            CancelledEvent(lead="L2", event="later", at=NOW + 48 * hour),
        )

    def test_lnk6_the_primary_events_are_untouched(self) -> None:
        """LNK-6: only the secondary's events are cancelled."""
        first = primary(events=[Event(id="visit", at=NOW + dt.timedelta(days=1))])

        result = linked(first)

        assert result.primary is not None
        assert result.primary.events == first.events

    def test_lnk6_future_is_judged_in_any_offset(self) -> None:
        """LNK-6, GEN-1: an event in another offset compares by instant."""
        ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
        same_instant = Event(id="e", at=NOW.astimezone(ist))

        result = linked(second=secondary(events=[same_instant]))

        assert result.cancelled_events == ()

    def test_lnk7_the_secondary_is_linked_to_the_primary(self) -> None:
        """LNK-7: the secondary's status becomes linked and it records the primary."""
        result = linked()

        assert result.secondary is not None
        assert result.secondary.status == "linked"
        assert result.secondary.linked_to == "L1"
        assert result.secondary.owner == "sm2"

    def test_lnk7_the_primary_keeps_its_status(self) -> None:
        """LNK-7, LNK-8: the primary stays under its own status."""
        result = linked()

        assert result.primary is not None
        assert result.primary.status == "interested"
        assert result.primary.linked_to is None

    def test_lnk7_a_primary_may_have_several_secondaries(self) -> None:
        """LNK-7: link two secondaries in turn to one primary."""
        first = linked()
        assert first.primary is not None
        third = secondary(id="L3", owner="sm3", customer=person(phones=("+91 99300 11223",)))

        second = linking.apply(first.primary, third, SUPER, "sm1", now=NOW)

        assert second.allowed
        assert second.primary is not None
        assert second.primary.viewers == ("sm2", "sm3")
        assert second.primary.customer.phones == (
            "+91 98200 12345",
            "+919820054321",
            "+919930011223",
        )
        assert first.secondary is not None
        assert second.secondary is not None
        assert linking.secondaries(second.primary, [first.secondary, second.secondary]) == (
            "L2",
            "L3",
        )

    def test_lnk10_both_sales_managers_are_notified(self) -> None:
        """LNK-10: one notification per manager, push and sales app, sorted by recipient."""
        result = linked(owner="sm2")

        assert result.notifications == (
            Notification(to="sm1", kind="lead_linked", lead="L1", channels=["push", "sales_app"]),
            Notification(to="sm2", kind="lead_linked", lead="L1", channels=["push", "sales_app"]),
        )

    def test_lnk10_one_manager_of_both_leads_is_notified_once(self) -> None:
        """LNK-10 [decided]: the same manager on both leads gets one notification."""
        result = linked(second=secondary(owner="sm1"))

        assert [n.to for n in result.notifications] == ["sm1"]

    def test_gen6_the_record_holds_every_replaced_value(self) -> None:
        """GEN-6: the record lists each field of each lead the link changed."""
        events = [Event(id="e1", at=NOW + dt.timedelta(days=1))]
        first, second = primary(), secondary(events=events)

        result = linked(first, second)

        assert result.primary is not None
        assert result.secondary is not None
        assert [(c.lead, c.field) for c in result.record] == [
            ("L1", "customer"),
            ("L1", "viewers"),
            ("L2", "status"),
            ("L2", "events"),
            ("L2", "linked_to"),
        ]
        assert result.record[0] == Change(
            lead="L1", field="customer", old=first.customer, new=result.primary.customer
        )
        assert result.record[2].old == "claimed"
        assert result.record[3].old == second.events

    def test_gen4_a_refused_apply_returns_reasons_and_no_leads(self) -> None:
        """GEN-4: a refusal carries its reasons, no leads, no effects, no record."""
        result = linked(second=secondary(project="tower-b", status="new"))

        assert not result.allowed
        assert result.codes == ("different_project", "secondary_not_wip")
        assert (result.primary, result.secondary) == (None, None)
        assert (result.notifications, result.cancelled_events, result.record) == ((), (), ())
        assert result.verdict.codes == result.codes

    def test_lnk7_applying_the_same_link_twice_is_refused_and_harmless(self) -> None:
        """LNK-7 [decided]: idempotent-safe: a repeat is refused, nothing changes."""
        once = linked()
        assert once.primary is not None
        assert once.secondary is not None

        again = linking.apply(once.primary, once.secondary, SUPER, "sm1", now=NOW)

        assert again.codes == ("secondary_not_wip", "secondary_already_linked")
        assert "made before" in again.reasons[1].message
        assert again.primary is None

    def test_gen3_inputs_are_not_changed(self) -> None:
        """GEN-3: apply returns new leads and leaves its arguments as they were."""
        first = primary(viewers=["boss"])
        second = secondary(events=[Event(id="e", at=NOW + dt.timedelta(days=1))])
        before = (attrs.evolve(first), attrs.evolve(second))

        linked(first, second)

        assert (first, second) == before
        assert second.events[0].status is EventStatus.SCHEDULED


class TestUnlink:
    """linking.unlink: the link record restores both leads."""

    def test_gen6_unlink_restores_both_leads(self) -> None:
        """GEN-6, LNK-7: link then unlink gives back the two leads."""
        first = primary()
        second = secondary(events=[Event(id="e", at=NOW + dt.timedelta(days=1))])
        done = linked(first, second)
        assert done.primary is not None
        assert done.secondary is not None

        assert linking.unlink(done.primary, done.secondary, done.record) == (first, second)

    def test_gen6_unlink_keeps_later_changes_to_other_fields(self) -> None:
        """GEN-6: fields the link did not change keep their current value."""
        done = linked()
        assert done.primary is not None
        assert done.secondary is not None
        later = attrs.evolve(done.primary, status="visit_done")

        restored, _ = linking.unlink(later, done.secondary, done.record)

        assert restored.status == "visit_done"
        assert restored.owner == "sm1"
        assert restored.viewers == ()

    def test_gen6_several_secondaries_unlink_last_first(self) -> None:
        """GEN-6: undo links to one primary in the reverse order."""
        third = secondary(id="L3", owner="sm3", customer=person(phones=("+91 99300 11223",)))
        one = linked()
        assert one.primary is not None
        assert one.secondary is not None
        two = linking.apply(one.primary, third, SUPER, "sm1", now=NOW)
        assert two.primary is not None
        assert two.secondary is not None

        back, three_back = linking.unlink(two.primary, two.secondary, two.record)
        first_back, two_back = linking.unlink(back, one.secondary, one.record)

        assert (first_back, two_back, three_back) == (primary(), secondary(), third)

    def test_gen6_unlinking_out_of_order_is_refused_not_overwritten(self) -> None:
        """GEN-6: a field changed since the link is not overwritten."""
        third = secondary(id="L3", owner="sm3", customer=person(phones=("+91 99300 11223",)))
        one = linked()
        assert one.primary is not None
        assert one.secondary is not None
        two = linking.apply(one.primary, third, SUPER, "sm1", now=NOW)
        assert two.primary is not None

        with pytest.raises(InvalidInput) as caught:
            linking.unlink(two.primary, one.secondary, one.record)

        assert caught.value.path == "record[0].new"
        assert "changed since" in str(caught.value)

    def test_gen5_a_record_of_another_link_is_refused(self) -> None:
        """GEN-5: the record must be the one of linking these two leads."""
        done = linked()
        assert done.primary is not None
        other = secondary(id="L7")

        with pytest.raises(InvalidInput) as caught:
            linking.unlink(done.primary, other, done.record)

        assert [p.path for p in caught.value.problems][-1] == "record"
        assert any(p.path.endswith(".lead") for p in caught.value.problems)

    def test_gen5_a_record_naming_no_lead_field_is_refused(self) -> None:
        """GEN-5: a forged change of a field a lead does not have is refused."""
        done = linked()
        assert done.primary is not None
        assert done.secondary is not None
        forged = (*done.record, Change(lead="L1", field="colour", old=None, new="red"))

        with pytest.raises(InvalidInput) as caught:
            linking.unlink(done.primary, done.secondary, forged)

        assert caught.value.path == f"record[{len(done.record)}].field"

    @pytest.mark.parametrize(
        ("args", "path"),
        [
            (("L1", lead("L2"), ()), "primary"),
            ((lead("L1"), None, ()), "secondary"),
            ((lead("L1"), lead("L2"), 5), "record"),
            ((lead("L1"), lead("L2"), "abc"), "record"),
            ((lead("L1"), lead("L2"), [object()]), "record[0]"),
        ],
    )
    def test_gen5_wrong_types_are_named(self, args: tuple[Any, ...], path: str) -> None:
        """GEN-5: each wrong argument is reported by name."""
        with pytest.raises(InvalidInput) as caught:
            linking.unlink(*args)

        assert caught.value.path == path


class TestSecondaries:
    """linking.secondaries: the leads reached from a primary's details."""

    def test_lnk9_secondaries_are_sorted_ids_linked_to_the_primary(self) -> None:
        """LNK-9: the sorted ids of leads whose linked_to is the primary."""
        leads = [
            lead("L9", linked_to="L1"),
            lead("L3", linked_to="L2"),
            lead("L4"),
            lead("L2", linked_to="L1"),
            lead("L2", linked_to="L1"),
        ]

        assert linking.secondaries("L1", leads) == ("L2", "L9")
        assert linking.secondaries(primary(), iter(leads)) == ("L2", "L9")

    def test_lnk9_a_lead_is_never_its_own_secondary(self) -> None:
        """LNK-7: a corrupt self-link is not listed."""
        assert linking.secondaries("L1", [lead("L1", linked_to="L1")]) == ()

    @pytest.mark.parametrize(
        ("args", "path"),
        [
            (("", []), "primary"),
            ((5, []), "primary"),
            (("L1", 3), "leads"),
            (("L1", [1]), "leads[0]"),
        ],
    )
    def test_gen5_bad_arguments_are_named(self, args: tuple[Any, ...], path: str) -> None:
        """GEN-5: a bad primary or collection is an InvalidInput naming it."""
        with pytest.raises(InvalidInput) as caught:
            linking.secondaries(*args)

        assert caught.value.path == path


class TestVisibility:
    """linking.visibility: dashboard tabs and tag, sales-app access."""

    def test_lnk8_a_primary_shows_under_its_status_and_all(self) -> None:
        """LNK-8: the primary's status tab and ALL, no tag."""
        seen = linking.visibility(primary(), User(id="sm1"))

        assert seen == LinkVisibility(
            dashboard_tabs=("interested", "ALL"), tag=None, app_access=AppAccess.ACT
        )

    def test_lnk8_a_linked_secondary_shows_only_under_all_tagged_linked(self) -> None:
        """LNK-8: a linked secondary: ALL only, tag linked."""
        done = linked()
        assert done.secondary is not None

        seen = linking.visibility(done.secondary, User(id="sm2"))

        assert (seen.dashboard_tabs, seen.tag) == (("ALL",), "linked")

    def test_lnk8_a_lead_without_status_shows_under_all(self) -> None:
        """LNK-8 [decided]: no status, no status tab."""
        assert linking.visibility(lead("L1"), User(id="u")).dashboard_tabs == ("ALL",)

    def test_lnk9_owner_acts_viewer_views_others_have_no_access(self) -> None:
        """LNK-9: on a primary, the owner acts, the viewer views, anyone else: none."""
        done = linked()
        assert done.primary is not None

        access = {
            who: linking.visibility(done.primary, User(id=who)).app_access
            for who in ("sm1", "sm2", "sm3")
        }

        assert access == {"sm1": AppAccess.ACT, "sm2": AppAccess.VIEW, "sm3": AppAccess.NONE}

    def test_lnk9_a_super_user_has_no_sales_app_access_by_role(self) -> None:
        """LNK-9 [decided]: access follows owner and viewers only, not roles."""
        assert linking.visibility(primary(), SUPER).app_access is AppAccess.NONE

    def test_lnk9_on_a_linked_secondary_owner_and_viewers_only_view(self) -> None:
        """LNK-9: a linked secondary is view-only for its owner and viewers."""
        second = secondary(status="linked", linked_to="L1", viewers=["sm5"])

        access = [linking.visibility(second, User(id=u)).app_access for u in ("sm2", "sm5", "x")]

        assert access == [AppAccess.VIEW, AppAccess.VIEW, AppAccess.NONE]

    @pytest.mark.parametrize(
        ("args", "path"), [(("L1", User(id="u")), "lead"), ((lead(), "u"), "user")]
    )
    def test_gen5_wrong_types_are_named(self, args: tuple[Any, ...], path: str) -> None:
        """GEN-5: the wrong argument is named."""
        with pytest.raises(InvalidInput) as caught:
            linking.visibility(*args)

        assert caught.value.path == path


class TestPolicyAndInput:
    """LinkPolicy defaults and GEN-5 argument checks."""

    def test_gen7_policy_defaults_are_the_spec_values(self) -> None:
        """GEN-7, LNK-2: the five WIP statuses and region US."""
        policy = LinkPolicy()

        assert policy.wip_statuses == (
            "claimed",
            "interested",
            "meeting_done",
            "visit_done",
            "final_negotiation",
        )
        assert policy.default_region == "US"

    @pytest.mark.parametrize(
        ("fields", "path"),
        [
            ({"default_region": "XX"}, "default_region"),
            ({"default_region": 5}, "default_region"),
            ({"wip_statuses": [1]}, "wip_statuses[0]"),
            ({"wip_statuses": "claimed"}, "wip_statuses"),
        ],
    )
    def test_gen5_bad_policy_values_are_refused(self, fields: dict[str, Any], path: str) -> None:
        """GEN-5: a policy field of the wrong kind is an InvalidInput naming it."""
        with pytest.raises(InvalidInput) as caught:
            LinkPolicy(**fields)

        assert caught.value.path == path

    def test_gen5_every_bad_argument_is_reported_at_once(self) -> None:
        """GEN-5: check reports all bad arguments together, nothing is decided."""
        bad: Any = "nope"

        with pytest.raises(InvalidInput) as caught:
            linking.check(bad, bad, bad, "", existing=[bad], policy=bad)

        assert [p.path for p in caught.value.problems] == [
            "primary",
            "secondary",
            "actor",
            "owner",
            "existing[0]",
            "policy",
        ]

    def test_gen1_apply_refuses_a_naive_now(self) -> None:
        """GEN-1: now must be timezone-aware."""
        with pytest.raises(InvalidInput) as caught:
            linking.apply(primary(), secondary(), SUPER, "sm1", now=NOW.replace(tzinfo=None))

        assert (caught.value.path, caught.value.code) == ("now", "naive_datetime")

    def test_gen5_existing_must_be_a_collection(self) -> None:
        """GEN-5: existing is a collection of leads."""
        bad: Any = 7

        with pytest.raises(InvalidInput) as caught:
            linking.check(primary(), secondary(), SUPER, "sm1", existing=bad)

        assert caught.value.path == "existing"

    def test_gen4_link_result_is_consistent(self) -> None:
        """GEN-4: a made link has leads and no reasons; a refusal has reasons only."""
        reason = linked(second=secondary(status="new")).reasons

        with pytest.raises(InvalidInput):
            LinkResult(allowed=True)
        with pytest.raises(InvalidInput):
            LinkResult(allowed=False)
        with pytest.raises(InvalidInput):
            LinkResult(allowed=False, reasons=reason, primary=primary())
