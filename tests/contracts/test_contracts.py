"""Commissioning, first contact, adviser teams (conflicts, capacity) and who sees which contract."""

import datetime
import re

import pytest
from django.urls import reverse

from contracts import access as contract_access
from contracts.models import ConflictOfInterest, Contract, TeamMembership
from contracts.services import contract_commission, team_add_adviser, team_remove_adviser
from core.errors import DomainError
from core.roles import Role
from practices import access as practice_access

from ..factories import AdviserFactory, CommissionerFactory, ContractFactory, InspectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contracts(world):
    users = world["users"]
    own = ContractFactory(reference="31", practice=world["practices"]["own"], deputy_lead=users[Role.RCGP_DEPUTY_LEAD],
                          state="scoping", notes="Partners not speaking to each other")
    sibling = ContractFactory(reference="32", practice=world["practices"]["own_sibling"], state="commissioned")
    other = ContractFactory(reference="40", practice=world["practices"]["other"], state="report_drafting",
                            deputy_lead=UserFactory(role=Role.RCGP_DEPUTY_LEAD))
    adviser = AdviserFactory(user=users[Role.RCGP_ADVISER])
    TeamMembership.objects.create(contract=own, adviser=adviser, added_by=users[Role.RCGP_ADMIN])
    return {"own": own, "sibling": sibling, "other": other, "adviser": adviser}


VISIBLE = {
    Role.COMMISSIONER_PEER_SUPPORT: {"31", "32"},
    Role.COMMISSIONER_LEAD: {"31", "32"},
    Role.PRACTICE_USER: {"31"},
    Role.PRACTICE_LEAD: {"31"},
    Role.RCGP_ADMIN: {"31", "32", "40"},
    Role.RCGP_DEPUTY_LEAD: {"31", "32"},  # leads 31; 32 is new and waiting for a lead
    Role.RCGP_ADVISER: {"31"},
    Role.NHSE_REPORTING: {"31", "32", "40"},
    Role.NHSE_REGIONAL: {"31", "32"},  # its region's (North West: own and own_sibling)
}


@pytest.mark.parametrize("role", Role.values)
def test_who_sees_which_contract(client, world, contracts, role):
    user = world["users"][role]
    assert set(contract_access.contracts_for(user).values_list("reference", flat=True)) == VISIBLE[role]
    client.force_login(user)
    listed = {c.reference for c in client.get(reverse("contracts:list")).context["page"].object_list}
    assert listed == VISIBLE[role]
    for reference in ("31", "32", "40"):
        status = client.get(reverse("contracts:detail", args=[reference])).status_code
        assert status == (200 if reference in VISIBLE[role] else 404), reference


@pytest.mark.parametrize("role", Role.values)
def test_adviser_only_notes_are_for_rcgp_eyes(client, world, contracts, role):
    if "31" not in VISIBLE[role]:
        return
    client.force_login(world["users"][role])
    html = client.get(reverse("contracts:detail", args=["31"])).content.decode()
    rcgp = role in (Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD, Role.RCGP_ADVISER)
    assert ("Partners not speaking to each other" in html) == rcgp


def test_adviser_loses_access_when_removed_from_the_team(world, contracts):
    users = world["users"]
    adviser_user = users[Role.RCGP_ADVISER]
    assert contract_access.contracts_for(adviser_user).filter(reference="31").exists()
    assert practice_access.practices_for(adviser_user).filter(pk=world["practices"]["own"].pk).exists()
    team_remove_adviser(contract=contracts["own"], adviser=contracts["adviser"], actor=users[Role.RCGP_DEPUTY_LEAD])
    assert not contract_access.contracts_for(adviser_user).exists()
    assert not practice_access.practices_for(adviser_user).exists()


def test_adviser_sees_group_practices_of_their_contract(world, contracts):
    contracts["own"].practices.add(world["practices"]["own_sibling"])
    seen = set(practice_access.practices_for(world["users"][Role.RCGP_ADVISER]).values_list("name", flat=True))
    assert seen == {"Own Practice", "Sibling Practice"}


def test_practice_of_a_group_contract_sees_it(world, contracts):
    contracts["other"].practices.add(world["practices"]["own"])
    assert contract_access.contracts_for(world["users"][Role.PRACTICE_USER]).filter(reference="40").exists()


def test_deputy_lead_board_shows_contracts_by_state(client, world, contracts):
    client.force_login(world["users"][Role.RCGP_DEPUTY_LEAD])
    board = dict(client.get(reverse("contracts:board")).context["board"])
    assert [c.reference for c in board["scoping"]] == ["31"]
    assert [c.reference for c in board["commissioned"]] == ["32"]
    assert all(c.reference != "40" for column in board.values() for c in column)


@pytest.mark.parametrize("role", [Role.PRACTICE_LEAD, Role.COMMISSIONER_LEAD, Role.NHSE_REPORTING])
def test_board_is_for_rcgp_only(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("contracts:board")).status_code == 404


# Conflicts and capacity ------------------------------------------------------------------------

@pytest.mark.parametrize("conflict_with", ["practice", "commissioner", "parent_icb"])
def test_conflicted_adviser_cannot_be_assigned_and_the_page_says_why(client, world, contracts, conflict_with):
    users = world["users"]
    contract = contracts["own"]
    conflicted = AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, first_name="Connie", last_name="Flict"))
    if conflict_with == "practice":
        ConflictOfInterest.objects.create(adviser=conflicted, practice=contract.practice, description="Former partner")
    elif conflict_with == "commissioner":
        ConflictOfInterest.objects.create(adviser=conflicted, commissioner=contract.commissioner,
                                          description="Employed by the ICB")
    else:
        icb = CommissionerFactory(ods_code="QXX", kind="icb")
        contract.commissioner.parent = icb
        contract.commissioner.save()
        ConflictOfInterest.objects.create(adviser=conflicted, commissioner=icb, description="ICB board member")
    with pytest.raises(DomainError, match="conflict of interest"):
        team_add_adviser(contract=contract, adviser=conflicted, actor=users[Role.RCGP_ADMIN])
    assert not TeamMembership.objects.filter(adviser=conflicted).exists()
    client.force_login(users[Role.RCGP_DEPUTY_LEAD])
    page = client.get(reverse("contracts:team", args=[contract.reference])).content.decode()
    assert "Connie Flict" in page and "Cannot be assigned: Conflict of interest declared" in page
    response = client.post(reverse("contracts:team", args=[contract.reference]), {"adviser": conflicted.pk})
    assert "There is a problem" in response.content.decode()
    assert not TeamMembership.objects.filter(adviser=conflicted).exists()


def test_conflict_elsewhere_does_not_block(world, contracts):
    adviser = AdviserFactory()
    ConflictOfInterest.objects.create(adviser=adviser, practice=world["practices"]["other"], description="x")
    membership = team_add_adviser(contract=contracts["own"], adviser=adviser,
                                  actor=world["users"][Role.RCGP_DEPUTY_LEAD])
    assert membership.contract == contracts["own"]


def test_over_capacity_needs_rcgp_admin_and_a_reason(world, contracts):
    users = world["users"]
    busy = AdviserFactory(capacity=1)
    TeamMembership.objects.create(contract=contracts["other"], adviser=busy, added_by=users[Role.RCGP_ADMIN])
    with pytest.raises(DomainError, match="at capacity"):
        team_add_adviser(contract=contracts["own"], adviser=busy, actor=users[Role.RCGP_DEPUTY_LEAD])
    with pytest.raises(DomainError, match="give a reason"):
        team_add_adviser(contract=contracts["own"], adviser=busy, actor=users[Role.RCGP_ADMIN])
    membership = team_add_adviser(contract=contracts["own"], adviser=busy, actor=users[Role.RCGP_ADMIN],
                                  capacity_override_reason="Only GP with turnaround experience")
    assert membership.capacity_override_reason == "Only GP with turnaround experience"


def test_ended_contracts_do_not_count_towards_load(world, contracts):
    users = world["users"]
    adviser = AdviserFactory(capacity=1)
    ended = ContractFactory(practice=world["practices"]["own"], state="closed")
    TeamMembership.objects.create(contract=ended, adviser=adviser, added_by=users[Role.RCGP_ADMIN])
    team_add_adviser(contract=contracts["own"], adviser=adviser, actor=users[Role.RCGP_DEPUTY_LEAD])


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD)])
def test_only_the_lead_or_admin_change_the_team(client, world, contracts, role):
    adviser = AdviserFactory()
    with pytest.raises(DomainError):
        team_add_adviser(contract=contracts["own"], adviser=adviser, actor=world["users"][role])
    client.force_login(world["users"][role])
    assert client.get(reverse("contracts:team", args=["31"])).status_code == 404


def test_team_page_shows_profession_region_load_and_assigns(client, world, contracts):
    users = world["users"]
    pm = AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, first_name="Pat", last_name="Manager"),
                        profession="practice_manager", region="Yorkshire", capacity=2)
    client.force_login(users[Role.RCGP_DEPUTY_LEAD])
    html = client.get(reverse("contracts:team", args=["31"])).content.decode()
    assert "Pat Manager" in html and "Practice manager" in html and "Yorkshire" in html and "0 of 2" in html
    response = client.post(reverse("contracts:team", args=["31"]), {"adviser": pm.pk})
    assert response.status_code == 302
    assert TeamMembership.objects.filter(contract=contracts["own"], adviser=pm, removed_at__isnull=True).exists()
    assert "1 of 2" in client.get(reverse("contracts:team", args=["31"])).content.decode()


# First contact ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("contacted", "today", "expected"),
    [
        (datetime.date(2026, 1, 12), None, "met"),   # commissioned 5 January: due 12 January
        (datetime.date(2026, 1, 13), None, "late"),
        (None, datetime.date(2026, 1, 12), "due"),
        (None, datetime.date(2026, 1, 13), "overdue"),
    ],
)
def test_first_contact_within_one_week(contacted, today, expected):
    contract = Contract(commissioned_on=datetime.date(2026, 1, 5), first_contact_on=contacted)
    assert contract.first_contact_due == datetime.date(2026, 1, 12)
    assert contract.first_contact_status(today=today) == expected


def test_first_contact_recorded_by_the_team_and_shown(client, world, contracts):
    client.force_login(world["users"][Role.RCGP_ADVISER])
    response = client.post(reverse("contracts:first_contact", args=["31"]), {"contacted_on": "2026-01-09"})
    assert response.status_code == 302
    contracts["own"].refresh_from_db()
    assert contracts["own"].first_contact_on == datetime.date(2026, 1, 9)
    html = client.get(reverse("contracts:detail", args=["31"])).content.decode()
    assert "Met" in html and "9 January 2026" in html
    early = client.post(reverse("contracts:first_contact", args=["31"]), {"contacted_on": "2025-12-01"}, follow=True)
    assert "cannot be before the contract was commissioned" in early.content.decode()


# Commissioning ---------------------------------------------------------------------------------

def commission_data(practice, **overrides):
    data = {"practice": practice.ods_code, "programme": "special_measures", "categories": ["diagnostic", "coaching"],
            "commissioned_on": "2026-02-02", "value": "10000", "nhse_contribution": "5000",
            "practice_contribution": "5000", "mou_starts_on": "2026-02-10",
            "mou_ends_on": "2026-08-10", "objectives_operational_stability": "Stable rota",
            "objectives_ways_of_working": "Weekly meetings", "objectives_future_sustainability": "Succession plan"}
    data.update(overrides)
    return data


def test_commissioner_lead_commissions_a_contract_in_the_browser(client, world):
    practice = world["practices"]["own"]
    InspectionFactory(practice=practice, overall_rating="inadequate", publication_date=datetime.date(2025, 11, 1))
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    assert client.get(reverse("contracts:commission")).status_code == 200
    response = client.post(reverse("contracts:commission"), commission_data(practice))
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert response["Location"] == reverse("contracts:detail", args=[contract.reference])
    assert contract.reference == "1" and contract.state == "commissioned"
    assert contract.categories == ["diagnostic", "coaching"]
    assert contract.commissioner == world["own"] and contract.commissioned_by == world["users"][Role.COMMISSIONER_LEAD]
    assert (contract.rating_before, contract.in_special_measures_before) == ("inadequate", True)
    assert contract.transitions.get().to_state == "commissioned"


def test_commissioning_refuses_bad_input_and_saves_nothing(client, world):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    other = client.post(reverse("contracts:commission"), commission_data(world["practices"]["other"]))
    assert "Choose the practice from the list" in other.content.decode()
    sums = client.post(reverse("contracts:commission"), commission_data(world["practices"]["own"], value="9000"))
    assert "The contributions add up to £10,000.00, not the value £9,000.00" in sums.content.decode()
    dates = client.post(reverse("contracts:commission"),
                        commission_data(world["practices"]["own"], mou_ends_on="2026-01-01"))
    assert "The agreement must end after it starts" in dates.content.decode()
    unknown = client.post(reverse("contracts:commission"), commission_data(world["practices"]["own"],
                                                                           programme="magic"))
    assert "Choose the programme from the list" in unknown.content.decode()
    assert not Contract.objects.exists()


def test_follow_on_contract_links_to_its_parent(world):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    practice = world["practices"]["own"]
    parent = ContractFactory(reference="31", practice=practice)
    first = contract_commission(actor=lead, practice=practice, programme="ongoing_support", parent=parent,
                                commissioned_on=datetime.date(2026, 3, 1))
    second = contract_commission(actor=lead, practice=practice, programme="ongoing_support", parent=first,
                                 commissioned_on=datetime.date(2026, 6, 1))
    assert (first.reference, first.parent, second.reference, second.parent) == ("31A", parent, "31B", first)


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (Role.COMMISSIONER_LEAD, Role.RCGP_ADMIN)])
def test_only_commissioner_leads_commission(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("contracts:commission")).status_code == 404
    with pytest.raises(DomainError):
        contract_commission(actor=world["users"][role], practice=world["practices"]["own"],
                            programme="resilience", commissioned_on=datetime.date(2026, 1, 1))


def test_moves_through_the_page_and_refused_ones_keep_what_was_typed(client, world, contracts):
    client.force_login(world["users"][Role.RCGP_ADVISER])
    page = client.get(reverse("contracts:detail", args=["31"])).content.decode()
    assert "Start the diagnostic report and forward plan" in page and "Withdrawn" not in page  # not theirs
    ok = client.post(reverse("contracts:move", args=["31", "start_drafting"]), {"note": "Visit done"}, follow=True)
    assert "Contract 31 is at “Report drafting”" in ok.content.decode()
    assert "Diagnostic report</a>: Draft" in ok.content.decode()
    client.force_login(world["users"][Role.RCGP_DEPUTY_LEAD])
    refused = client.post(reverse("contracts:move", args=["31", "withdrawn"]),
                          {"note": "", "effective_on-day": "1", "effective_on-month": "2", "effective_on-year": "2026"})
    html = refused.content.decode()
    assert refused.status_code == 422 and "There is a problem" in html and "Give the reason." in html
    assert 'href="#move-withdrawn"' in html  # the date typed is still there, in the NHS date input's boxes
    for box, typed in (("day", "1"), ("month", "2"), ("year", "2026")):
        assert re.search(rf'name="effective_on-{box}"[^>]*value="{typed}"', html), box
    early = client.post(reverse("contracts:move", args=["31", "close"]), {"end_reason": "other"})
    # Not the deputy lead's move to make: refused with the reason (403), not shown as a form error.
    assert early.status_code == 403 and "Only RCGP admin or the commissioner" in early.content.decode()
    contracts["own"].refresh_from_db()
    assert contracts["own"].state == "report_drafting"
    hidden = client.post(reverse("contracts:move", args=["40", "withdrawn"]), {"note": "x"})
    assert hidden.status_code == 404
    assert client.post(reverse("contracts:move", args=["31", "teleport"])).status_code == 404


def test_deputy_lead_takes_lead_in_the_browser(client, world, contracts):
    client.force_login(world["users"][Role.RCGP_DEPUTY_LEAD])
    html = client.get(reverse("contracts:detail", args=["32"])).content.decode()
    assert "Take the lead" in html
    client.post(reverse("contracts:move", args=["32", "appoint_lead"]))
    contracts["sibling"].refresh_from_db()
    assert contracts["sibling"].deputy_lead == world["users"][Role.RCGP_DEPUTY_LEAD]
    assert contracts["sibling"].state == "lead_appointed"


def test_contract_list_query_count_is_flat(client, world, django_assert_max_num_queries):
    for n in range(30):
        ContractFactory(practice=world["practices"]["own"], reference=f"9{n:02d}")
    client.force_login(world["users"][Role.RCGP_ADMIN])
    with django_assert_max_num_queries(8):
        client.get(reverse("contracts:list"))


def test_commission_from_an_assessed_referral(client, world):
    from contracts.models import Referral

    from ..factories import ReferralFactory

    referral = ReferralFactory(practice=world["practices"]["own"], status=Referral.Status.ASSESSED,
                               categories=["coaching"])
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    detail = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert f"?referral={referral.pk}" in detail
    form = client.get(reverse("contracts:commission"), {"referral": referral.pk})
    assert form.context["form"].initial["categories"] == ["coaching"]
    data = commission_data(world["practices"]["own"], referral=referral.pk)
    assert client.post(reverse("contracts:commission"), data).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert Contract.objects.get().referral == referral


def test_commission_from_a_hidden_referral_is_404(client, world):
    from ..factories import ReferralFactory

    hidden = ReferralFactory(practice=world["practices"]["other"])
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    assert client.get(reverse("contracts:commission"), {"referral": hidden.pk}).status_code == 404
