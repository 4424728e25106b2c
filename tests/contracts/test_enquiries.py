"""The special-measures offer as an Enquiry (issue 19 item 3): made once per episode, its reply due in working days,
the reply recorded by whom the table says, "no reply" derived, who sees which offer, and the take-up figures
worked out by hand, without counting an enquiry twice."""

import datetime
import re
from itertools import product

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from contracts import access
from contracts.enquiry_models import Enquiry
from contracts.enquiry_services import REPLIES, enquiry_offer_open, enquiry_record_reply, replies_for
from contracts.figures import offer_figures, programme_figures
from core.errors import DomainError, NotAllowed, StaleEdit
from core.roles import Role
from practices.models import SpecialMeasuresEpisode
from practices.services import episodes_rederive

from ..factories import CommissionerFactory, ContractFactory, PracticeFactory, UserFactory, user_for
from ..practices.factories import EpisodeFactory, InspectionFactory

pytestmark = pytest.mark.django_db
R = Role
D = datetime.date

# Offered on Monday 23 March 2026: day 0. Twenty working days on, Good Friday (3 April) and Easter Monday (6 April)
# skipped: 24-27 Mar (4), 30 Mar-2 Apr (8), 7-10 Apr (12), 13-17 Apr (17), 20-22 Apr (20). Without the two bank
# holidays it would be Monday 20 April.
OFFERED = D(2026, 3, 23)
DUE = D(2026, 4, 22)


def offer(practice, *, on=OFFERED, started_on=None, actor=None):
    episode = EpisodeFactory(practice=practice, started_on=started_on or on, reinspection_due=None)
    return enquiry_offer_open(episode=episode, on=on, actor=actor)


def reply(enquiry, actor, outcome, on, contract=None, version=None):
    return enquiry_record_reply(enquiry=enquiry, outcome=outcome, on=on, contract=contract, actor=actor,
                                version=enquiry.version if version is None else version)


@pytest.fixture
def admin(world):
    return world["users"][R.RCGP_ADMIN]


# Opening the offer -------------------------------------------------------------------------------------------------

def test_the_reply_is_due_twenty_working_days_later_bank_holidays_excluded(world):
    enquiry = offer(world["practices"]["own"])
    assert (enquiry.opened_on, enquiry.reply_due) == (OFFERED, DUE)
    assert enquiry.source == Enquiry.Source.SPECIAL_MEASURES_OFFER and enquiry.outcome == ""
    assert enquiry.history.count() == 1


def test_the_number_of_working_days_is_the_setting(world, settings):
    settings.OFFER_REPLY_WORKING_DAYS = 5
    # 24, 25, 26, 27, 30 March.
    assert offer(world["practices"]["own"]).reply_due == D(2026, 3, 30)


def test_opening_is_idempotent_per_episode(world):
    episode = EpisodeFactory(practice=world["practices"]["own"], started_on=OFFERED)
    first = enquiry_offer_open(episode=episode, on=OFFERED)
    again = enquiry_offer_open(episode=episode, on=D(2026, 5, 1))
    assert again.pk == first.pk and again.opened_on == OFFERED
    assert Enquiry.objects.count() == 1


def test_the_offer_is_made_today_but_never_before_the_episode_began(world):
    practice = world["practices"]["own"]
    episode = EpisodeFactory(practice=practice, started_on=D(2026, 4, 1))
    assert enquiry_offer_open(episode=episode, on=OFFERED).opened_on == D(2026, 4, 1)
    other = EpisodeFactory(practice=world["practices"]["own_sibling"], started_on=D(2026, 1, 5))
    assert enquiry_offer_open(episode=other).opened_on == timezone.localdate()


def test_an_episode_derived_again_keeps_its_offer(world):
    """Re-derivation replaces the episode rows: the offer made since the episode began is the same offer."""
    practice = world["practices"]["own"]
    InspectionFactory(practice=practice, overall_rating="inadequate", publication_date=D(2026, 3, 20))
    episodes_rederive(practice_ids=[practice.pk])
    episode = practice.episodes.get()
    made = enquiry_offer_open(episode=episode, on=OFFERED)
    # A re-inspection still Inadequate extends special measures: the episode is written again.
    InspectionFactory(practice=practice, overall_rating="inadequate", publication_date=D(2026, 9, 30),
                      report_link_id="second")
    episodes_rederive(practice_ids=[practice.pk])
    made.refresh_from_db()
    assert made.episode_id is None
    current = practice.episodes.get()
    assert current.pk != episode.pk
    assert enquiry_offer_open(episode=current).pk == made.pk
    made.refresh_from_db()
    assert made.episode_id == current.pk and Enquiry.objects.count() == 1


def test_no_offer_for_a_six_month_window_or_an_ended_episode(world):
    window = EpisodeFactory(practice=world["practices"]["own"], stage=SpecialMeasuresEpisode.Stage.WINDOW, route="")
    with pytest.raises(DomainError, match="six months"):
        enquiry_offer_open(episode=window)
    ended = EpisodeFactory(practice=world["practices"]["own_sibling"], started_on=D(2024, 3, 1),
                           ended_on=D(2025, 1, 1), outcome="exited")
    with pytest.raises(DomainError, match="left special measures"):
        enquiry_offer_open(episode=ended)
    assert not Enquiry.objects.exists()
    # An offer made while it lasted can be recorded afterwards (from the programme's own records).
    assert enquiry_offer_open(episode=ended, on=D(2024, 3, 4)).opened_on == D(2024, 3, 4)


# The reply ---------------------------------------------------------------------------------------------------------

def test_rcgp_admin_records_an_acceptance_naming_the_contract(world, admin):
    practice = world["practices"]["own"]
    enquiry, contract = offer(practice), ContractFactory(practice=practice)
    saved = reply(enquiry, admin, "accepted", D(2026, 4, 1), contract)
    assert (saved.outcome, saved.outcome_on, saved.contract, saved.recorded_by) == ("accepted", D(2026, 4, 1),
                                                                                    contract, admin)
    assert saved.version == 2 and enquiry.version == 2
    assert saved.status(D(2026, 6, 1)) == Enquiry.Status.ACCEPTED
    assert saved.history.first().history_change_reason == "reply recorded: accepted"


def test_the_practice_lead_records_its_own_reply(world):
    practice, lead = world["practices"]["own"], world["users"][R.PRACTICE_LEAD]
    enquiry = offer(practice)
    assert [r.outcome for r in replies_for(lead, enquiry)] == ["accepted", "declined"]
    saved = reply(enquiry, lead, "declined", D(2026, 4, 2))
    assert saved.outcome == "declined" and saved.contract is None and saved.recorded_by == lead
    # Changing its mind afterwards is RCGP admin's to record.
    assert replies_for(lead, saved) == []
    with pytest.raises(NotAllowed, match="Only RCGP admin"):
        reply(saved, lead, "accepted", D(2026, 4, 3), ContractFactory(practice=practice))


@pytest.mark.parametrize("role", [R.PRACTICE_USER, R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT,
                                  R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.NHSE_REPORTING])
def test_nobody_else_records_a_reply(world, role):
    enquiry = offer(world["practices"]["own"])
    with pytest.raises(NotAllowed):
        reply(enquiry, world["users"][role], "declined", D(2026, 4, 2))
    enquiry.refresh_from_db()
    assert enquiry.outcome == "" and enquiry.version == 1


def test_another_practices_lead_cannot_reply(world):
    enquiry = offer(world["practices"]["own"])
    stranger = user_for(R.PRACTICE_LEAD, practice=world["practices"]["own_sibling"])
    with pytest.raises(NotAllowed):
        reply(enquiry, stranger, "declined", D(2026, 4, 2))


def test_declined_then_accepted_when_the_practice_changes_its_mind(world, admin):
    practice = world["practices"]["own"]
    enquiry = reply(offer(practice), admin, "declined", D(2026, 4, 2))
    contract = ContractFactory(practice=practice)
    saved = reply(enquiry, admin, "accepted", D(2026, 5, 4), contract)
    assert (saved.outcome, saved.contract, saved.version) == ("accepted", contract, 3)
    assert saved.history.first().history_change_reason == "reply recorded: accepted (was declined)"


def test_an_acceptance_is_not_undone_here(world, admin):
    practice = world["practices"]["own"]
    enquiry = reply(offer(practice), admin, "accepted", D(2026, 4, 2), ContractFactory(practice=practice))
    with pytest.raises(DomainError, match="its contract's"):
        reply(enquiry, admin, "declined", D(2026, 4, 3))
    with pytest.raises(DomainError, match="already became a contract"):
        reply(enquiry, admin, "accepted", D(2026, 4, 3), enquiry.contract)


def test_a_stale_reply_is_refused_with_what_was_recorded(world, admin):
    practice = world["practices"]["own"]
    enquiry = offer(practice)
    seen = Enquiry.objects.get(pk=enquiry.pk)  # another person's page, at version 1
    reply(enquiry, admin, "declined", D(2026, 4, 2))
    with pytest.raises(StaleEdit) as refused:
        reply(seen, world["users"][R.PRACTICE_LEAD], "accepted", D(2026, 4, 3), ContractFactory(practice=practice),
              version=1)
    assert ("Outcome", "Declined") in refused.value.changes
    enquiry.refresh_from_db()
    assert (enquiry.outcome, enquiry.version) == ("declined", 2)


@pytest.mark.parametrize(("outcome", "on", "contract", "message"), [
    ("maybe", D(2026, 4, 2), None, "accepted or declined"),
    ("accepted", D(2026, 4, 2), None, "Choose the contract the offer became"),
    ("accepted", D(2026, 4, 2), "other_practice", "not one of its contracts"),
    ("accepted", D(2026, 4, 2), "taken", "already answers another enquiry"),
    ("declined", D(2026, 4, 2), "own", "has no contract"),
    ("declined", D(2026, 3, 20), None, "on or after the offer was made"),
    ("declined", D(2099, 1, 1), None, "today or in the past"),
])
def test_bad_replies_are_refused_and_nothing_is_saved(world, admin, outcome, on, contract, message):
    practice = world["practices"]["own"]
    enquiry = offer(practice)
    contracts = {None: None, "own": ContractFactory(practice=practice),
                 "other_practice": ContractFactory(practice=world["practices"]["other"])}
    if contract == "taken":
        taken = ContractFactory(practice=practice)
        reply(offer(practice, on=D(2026, 3, 2), started_on=D(2026, 3, 1)), admin, "accepted", D(2026, 3, 3), taken)
        contracts["taken"] = taken
    with pytest.raises(DomainError, match=message):
        reply(enquiry, admin, outcome, on, contracts[contract])
    enquiry.refresh_from_db()
    assert (enquiry.outcome, enquiry.contract_id, enquiry.version) == ("", None, 1)


def test_a_group_contract_of_the_practice_may_be_named(world, admin):
    practice = world["practices"]["own_sibling"]
    group = ContractFactory(practice=world["practices"]["own"])
    group.practices.add(practice)
    assert reply(offer(practice), admin, "accepted", D(2026, 4, 2), group).contract == group


def test_no_reply_is_derived_and_a_late_reply_is_still_recorded(world, admin):
    enquiry = offer(world["practices"]["own"])
    assert enquiry.status(DUE) == Enquiry.Status.AWAITING                 # the due day itself is in time
    assert enquiry.status(DUE + datetime.timedelta(days=1)) == Enquiry.Status.NO_REPLY
    for status, today, expected in [("awaiting", DUE, 1), ("no_reply", DUE, 0), ("no_reply", D(2026, 4, 23), 1),
                                    ("awaiting", D(2026, 4, 23), 0)]:
        assert Enquiry.objects.with_status(status, today).count() == expected, (status, today)
    late = reply(enquiry, admin, "declined", D(2026, 5, 1))
    assert late.status(D(2026, 6, 1)) == Enquiry.Status.DECLINED and late.replied_late


def test_the_table_names_every_reply_and_only_rcgp_admin_reopens_a_decline():
    offers = [r for r in REPLIES if "special_measures_offer" in r.sources]
    assert {(r.outcome, tuple(sorted(r.before))) for r in offers} == {
        ("accepted", ("",)), ("declined", ("",)), ("accepted", ("declined",))}
    assert all(r.needs_contract == (r.outcome == "accepted") for r in REPLIES)


# Who sees which offers -----------------------------------------------------------------------------------------------

VISIBLE = {
    # role: (sees the own practice's offer, sees the sibling practice's (same commissioner), sees another
    # commissioner's)
    R.RCGP_ADMIN: (True, True, True),
    R.RCGP_DEPUTY_LEAD: (True, True, True),
    R.RCGP_ADVISER: (False, False, False),
    R.NHSE_REPORTING: (False, False, False),
    R.COMMISSIONER_LEAD: (True, True, False),
    R.COMMISSIONER_PEER_SUPPORT: (True, True, False),
    R.PRACTICE_LEAD: (True, False, False),
    R.PRACTICE_USER: (True, False, False),
}


@pytest.fixture
def three_offers(world):
    return [offer(world["practices"][key]) for key in ("own", "own_sibling", "other")]


def test_who_sees_which_offers(world, three_offers):
    for role, expected in VISIBLE.items():
        visible = set(access.enquiries_for(world["users"][role]).values_list("pk", flat=True))
        assert tuple(o.pk in visible for o in three_offers) == expected, role


def test_the_icb_above_a_sub_icb_location_sees_its_practices_offers(world, three_offers):
    icb = CommissionerFactory(ods_code="QOP", kind="icb")
    world["own"].parent = icb
    world["own"].save()
    lead = user_for(R.COMMISSIONER_LEAD, commissioner=icb)
    assert set(access.enquiries_for(lead)) == set(three_offers[:2])


def test_each_enquiry_rule_gives_the_same_answer_for_one_record_as_its_queryset(world, three_offers):
    users = [*world["users"].values(), UserFactory(role=R.RCGP_ADMIN, is_active=False)]
    verbs = {**access.ENQUIRY_VERBS, "figures": access.VIEW_ENQUIRY | access.is_nhse}
    wrong = []
    for enquiry, user, (verb, rule) in product(three_offers, users, verbs.items()):
        record = Enquiry.objects.select_related("practice__commissioner").get(pk=enquiry.pk)
        one, many = rule.test(user, record), rule.filter(user, Enquiry.objects.filter(pk=record.pk)).exists()
        if one != many:
            wrong.append((verb, user.role, enquiry.practice.name, one, many))
    assert wrong == []


def test_nhse_counts_every_offer_in_the_figures_but_sees_none(world, three_offers):
    nhse = world["users"][R.NHSE_REPORTING]
    assert not access.enquiries_for(nhse).exists()
    assert access.enquiry_figures_for(nhse).count() == 3
    assert access.enquiry_figures_for(world["users"][R.RCGP_ADVISER]).count() == 0


# The take-up figures, worked out by hand -------------------------------------------------------------------------

TODAY = D(2026, 6, 1)


@pytest.fixture
def takeup(world, admin):
    """Seven offers and six contracts (special measures), in 01A unless said:

    offer A (P1) accepted into C1 (commissioned)       offer E (P5) declined late, on 1 May (due 22 April)
    offer B (P2) declined                              offer F (P6, 02B) accepted into C6 (commissioned)
    offer C (P3) no reply (due 22 April, none by 1 June)   offer G (P8) accepted into X3 (imported, at enquiry)
    offer D (P4) awaiting (made 20 May: due in June)
    X1 (P7): imported at enquiry, no offer. X2 (P3): imported at enquiry, not linked to offer C.
    L1 (P2): in scoping, from no offer.
    """
    own, other = world["own"], world["other"]
    p = {n: PracticeFactory(commissioner=other if n == 6 else own, name=f"P{n}") for n in range(1, 9)}
    contracts = {
        "C1": ContractFactory(reference="C1", practice=p[1]),
        "C6": ContractFactory(reference="C6", practice=p[6]),
        "X1": ContractFactory(reference="X1", practice=p[7], state="enquiry", imported=True),
        "X2": ContractFactory(reference="X2", practice=p[3], state="enquiry", imported=True),
        "X3": ContractFactory(reference="X3", practice=p[8], state="enquiry", imported=True),
        "L1": ContractFactory(reference="L1", practice=p[2], state="scoping"),
    }
    offers = {name: offer(p[n]) for name, n in (("A", 1), ("B", 2), ("C", 3), ("E", 5), ("F", 6), ("G", 8))}
    offers["D"] = offer(p[4], on=D(2026, 5, 20))
    reply(offers["A"], admin, "accepted", D(2026, 4, 1), contracts["C1"])
    reply(offers["B"], admin, "declined", D(2026, 4, 10))
    reply(offers["E"], admin, "declined", D(2026, 5, 1))
    reply(offers["F"], admin, "accepted", D(2026, 4, 14), contracts["C6"])
    reply(offers["G"], admin, "accepted", D(2026, 4, 15), contracts["X3"])
    return {"practices": p, "contracts": contracts, "offers": offers}


def takeup_of(made, accepted, declined, no_reply, awaiting, percent):
    return {"made": made, "accepted": accepted, "declined": declined, "no_reply": no_reply, "awaiting": awaiting,
            "take_up_percent": percent}


# Everything: contracts C1, C6, X1, X2, X3, L1 = 6, each an enquiry; offers A, F, G are C1, C6, X3 (counted once, as
# their contracts); B, C, D, E are enquiries of their own: 6 + 4 = 10. Offers: 7 made; accepted A, F, G (3);
# declined B, E (2); no reply C (1); awaiting D (1); take-up 3 / 7 = 42.857... -> 42.9 %.
# Live: C1, C6, L1 (3); X1-X3 still at enquiry.
ALL = {"enquiries": 10, "supported": 3, "live": 3, "offers": takeup_of(7, 3, 2, 1, 1, 42.9)}
# 01A: contracts C1, X1, X2, X3, L1 = 5; offers A (C1), B, C, D, E, G (X3): 5 + 4 = 9. Offers 6: accepted A, G (2);
# declined B, E (2); no reply C; awaiting D; take-up 2 / 6 = 33.3 %.
OWN = {"enquiries": 9, "supported": 2, "live": 2, "offers": takeup_of(6, 2, 2, 1, 1, 33.3)}


def pick(figures):
    return {key: figures[key] for key in ALL}


def test_take_up_figures_by_hand(takeup, admin):
    figures = programme_figures(programme="special_measures", contracts=access.contracts_for(admin),
                                enquiries=access.enquiry_figures_for(admin), today=TODAY)
    assert pick(figures) == ALL
    assert list(figures)[-2:] == ["offers", "enquiry_outcomes"]


def test_take_up_for_one_commissioner(takeup, world, admin):
    assert pick(programme_figures(programme="special_measures", commissioner=world["own"],
                                  enquiries=access.enquiry_figures_for(admin), today=TODAY)) == OWN
    lead = world["users"][R.COMMISSIONER_LEAD]
    assert pick(programme_figures(programme="special_measures", contracts=access.contracts_for(lead),
                                  enquiries=access.enquiry_figures_for(lead), today=TODAY)) == OWN


def test_nhse_figures_count_every_offer(takeup, world):
    nhse = world["users"][R.NHSE_REPORTING]
    assert pick(programme_figures(programme="special_measures", contracts=access.contracts_for(nhse),
                                  enquiries=access.enquiry_figures_for(nhse), today=TODAY)) == ALL


def test_on_the_reply_date_the_unanswered_offer_is_still_awaited(takeup, admin):
    # 22 April: C's reply is due today (awaiting); D is not yet made but counted (no date bound): awaiting too.
    figures = programme_figures(programme="special_measures", enquiries=access.enquiry_figures_for(admin),
                                today=DUE)
    assert figures["offers"] == takeup_of(7, 3, 2, 0, 2, 42.9)


def test_dates_bound_when_offers_were_made(takeup, admin):
    # Contracts are all commissioned on 5 January 2026 (the factory's date): none from 1 May. Offers made from 1 May:
    # D alone, awaiting. Enquiries: D's record alone.
    figures = programme_figures(programme="special_measures", date_from=D(2026, 5, 1),
                                enquiries=access.enquiry_figures_for(admin), today=TODAY)
    assert pick(figures) == {"enquiries": 1, "supported": 0, "live": 0, "offers": takeup_of(1, 0, 0, 0, 1, 0.0)}


def test_an_offer_whose_contract_is_outside_the_figures_counts_as_an_enquiry_of_its_own(takeup, admin):
    # Commissioned up to 4 January 2026: no contract counted, so each of the 7 offers counts once, as itself.
    figures = programme_figures(programme="special_measures", date_to=D(2026, 12, 31),
                                contracts=access.contracts_for(admin).filter(commissioned_on__lt=D(2026, 1, 5)),
                                enquiries=access.enquiry_figures_for(admin), today=TODAY)
    assert figures["enquiries"] == 7


def test_without_enquiries_the_figures_are_the_contracts_alone(takeup):
    figures = programme_figures(programme="special_measures", today=TODAY)
    assert figures["enquiries"] == 6 and "offers" not in figures


def test_other_programmes_count_no_offers(takeup, admin):
    figures = programme_figures(programme="resilience", enquiries=access.enquiry_figures_for(admin), today=TODAY)
    assert figures["enquiries"] == 0 and figures["offers"] == takeup_of(0, 0, 0, 0, 0, 0.0)


def test_offer_figures_are_the_take_up_alone(takeup, admin, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert offer_figures(access.enquiry_figures_for(admin), today=TODAY) == ALL["offers"]


def test_figures_with_enquiries_are_two_queries(takeup, admin, django_assert_num_queries):
    with django_assert_num_queries(2):
        programme_figures(programme="special_measures", contracts=access.contracts_for(admin),
                          enquiries=access.enquiry_figures_for(admin), today=TODAY)


# The pages -----------------------------------------------------------------------------------------------------------

LIST = reverse("contracts:offers")


def test_the_list_filters_by_status(client, takeup, admin):
    client.force_login(admin)
    response = client.get(LIST)
    assert response.status_code == 200 and response.context["page"].paginator.count == 7
    declined = client.get(LIST, {"status": "declined"})
    assert {o.practice.name for o in declined.context["page"].object_list} == {"P2", "P5"}
    assert b"<h1>Enquiries</h1>" in declined.content


@pytest.mark.parametrize("role", [R.RCGP_ADVISER, R.NHSE_REPORTING])
def test_the_list_is_no_page_for_those_who_see_no_offer(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(LIST).status_code == 404


def test_the_list_costs_the_same_queries_whatever_its_length(client, world, admin, django_assert_max_num_queries):
    client.force_login(admin)
    client.get(LIST)
    counts = []
    for _round in range(2):
        for i in range(10):
            practice = PracticeFactory(commissioner=world["own"])
            enquiry = offer(practice)
            if i % 2:
                reply(enquiry, admin, "accepted", D(2026, 4, 2), ContractFactory(practice=practice))
        # session, user, count, the take-up, the header's notifications, the page of offers
        with django_assert_max_num_queries(6) as captured:
            assert client.get(LIST).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_reply_form_keeps_what_was_typed_and_names_the_field(client, world, admin):
    enquiry = offer(world["practices"]["own"])
    client.force_login(admin)
    url = reverse("contracts:offer", args=[enquiry.pk])
    response = client.post(url, {"version": 1, "outcome": "accepted", "outcome_on-day": "2", "outcome_on-month": "4",
                                 "outcome_on-year": "2026"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html and "Choose the contract the offer became" in html
    assert 'value="2026"' in html
    assert re.search(r'value="accepted"[^>]*checked', html) and not re.search(r'value="declined"[^>]*checked', html)
    enquiry.refresh_from_db()
    assert enquiry.outcome == ""


def test_a_reply_from_an_old_page_answers_409_with_what_changed(client, world, admin):
    practice = world["practices"]["own"]
    enquiry = offer(practice)
    reply(enquiry, world["users"][R.PRACTICE_LEAD], "declined", D(2026, 4, 2))
    contract = ContractFactory(practice=practice)
    client.force_login(admin)
    response = client.post(reverse("contracts:offer", args=[enquiry.pk]), {
        "version": 1, "outcome": "accepted", "outcome_on": "2026-04-03", "contract": contract.reference})
    assert response.status_code == 409
    assert "What the other person recorded" in response.content.decode()
    assert response.context["form"]["version"].value() == "2"   # goes on from the version now saved
    enquiry.refresh_from_db()
    assert enquiry.outcome == "declined"


def test_a_reply_recorded_through_the_page(client, world):
    practice, lead = world["practices"]["own"], world["users"][R.PRACTICE_LEAD]
    enquiry = offer(practice)
    client.force_login(lead)
    response = client.post(reverse("contracts:offer", args=[enquiry.pk]), {
        "version": 1, "outcome": "declined", "outcome_on": "2026-04-03"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.outcome, enquiry.recorded_by) == ("declined", lead)


def test_a_reader_who_may_not_reply_is_refused_with_the_reason(client, world):
    enquiry = offer(world["practices"]["own"])
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    url = reverse("contracts:offer", args=[enquiry.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(url, {"version": 1, "outcome": "declined", "outcome_on": "2026-04-03"}).status_code == 403


def test_the_practice_page_lists_its_offers_for_those_who_see_them(client, world):
    practice = world["practices"]["own"]
    enquiry = offer(practice)
    url = reverse("practices:detail", args=[practice.ods_code])
    for role, shown in ((R.COMMISSIONER_PEER_SUPPORT, True), (R.PRACTICE_USER, True), (R.RCGP_ADVISER, False),
                        (R.NHSE_REPORTING, False)):
        client.force_login(world["users"][role])
        html = client.get(url).content.decode()
        assert ('id="practice-offers"' in html) == shown, role
        assert (reverse("contracts:offer", args=[enquiry.pk]) in html) == shown, role


def test_the_take_up_table_the_figures_pages_include(takeup, admin):
    html = render_to_string("contracts/enquiries/_take_up.jinja",
                            {"offers": offer_figures(access.enquiry_figures_for(admin), today=TODAY)})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Offers made 7 " in text and "Accepted (became a contract) 3 " in text
    assert "No reply by the reply date 1 " in text and "Take-up (accepted, of offers made) 42.9%" in text


def test_the_demo_offers_one_of_each_status_and_seeding_again_adds_none():
    from django.core.management import call_command

    from demo.offers import seed_offers

    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for _run in range(2):
        seed_offers(lambda line: None)
    offers = Enquiry.objects.filter(source=Enquiry.Source.SPECIAL_MEASURES_OFFER).select_related("practice", "contract")
    assert {(o.practice.ods_code, o.status().value, o.contract.reference if o.contract else None)
            for o in offers} == {("P85022", "accepted", "H-104"), ("P85607", "declined", None),
                                 ("P85606", "no_reply", None), ("Y01124", "awaiting", None)}
