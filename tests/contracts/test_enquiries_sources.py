"""Enquiries from every source (issue 21 item 1): the initial conversations from a practice, commissioner, CQC or
NHSE beside the special-measures offer; who records them and their outcomes; who sees which; and the figures
"enquiries -> supported -> declined" and the enquiry take-up, worked out by hand and checked through the service,
the page and the API, never counting one enquiry twice."""

import datetime
import re
from itertools import product

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import access
from contracts.enquiry_models import Enquiry, status_q
from contracts.enquiry_services import enquiry_offer_open, enquiry_record, enquiry_record_reply, replies_for
from contracts.figures import enquiry_outcome_figures, programme_figures
from core.errors import DomainError, NotAllowed
from core.roles import Role

from ..factories import ContractFactory, PracticeFactory, user_for
from ..practices.factories import EpisodeFactory

pytestmark = pytest.mark.django_db
R = Role
D = datetime.date
NEW = reverse("contracts:enquiry_new")
LIST = reverse("contracts:offers")
API = "/api/v1/enquiries/"
FIGURES_API = "/api/v1/reports/programme-outcomes/"
HELD, DECIDED, OFFERED = D(2026, 4, 1), D(2026, 4, 20), D(2026, 3, 23)


def conversation(practice, actor, *, source="practice", programme="resilience", on=HELD,
                 asked="Can you help us with a CQC re-inspection?", contact_name=""):
    return enquiry_record(practice=practice, source=source, programme=programme, opened_on=on, asked=asked,
                          contact_name=contact_name, actor=actor)


def outcome(enquiry, actor, value, on=DECIDED, contract=None):
    return enquiry_record_reply(enquiry=enquiry, outcome=value, on=on, contract=contract, version=enquiry.version,
                                actor=actor)


def offer(practice, on=OFFERED):
    return enquiry_offer_open(episode=EpisodeFactory(practice=practice, started_on=on, reinspection_due=None), on=on)


@pytest.fixture
def admin(world):
    return world["users"][R.RCGP_ADMIN]


# Recording a conversation ------------------------------------------------------------------------------------------

def test_a_conversation_is_recorded_with_what_was_asked_and_who_got_in_touch(world, admin):
    enquiry = conversation(world["practices"]["other"], admin, source="cqc", programme="cqc_preparation",
                           contact_name="  Ann   Inspector ")
    assert (enquiry.source, enquiry.programme, enquiry.opened_on) == ("cqc", "cqc_preparation", D(2026, 4, 1))
    assert (enquiry.asked, enquiry.contact_name, enquiry.reply_due) == (
        "Can you help us with a CQC re-inspection?", "Ann Inspector", None)
    assert enquiry.status() == Enquiry.Status.AWAITING and not enquiry.is_offer
    assert enquiry.history.get().history_change_reason == "enquiry recorded"


@pytest.mark.parametrize("role, practice, allowed", [
    (R.RCGP_ADMIN, "other", True), (R.RCGP_DEPUTY_LEAD, "other", True),
    (R.COMMISSIONER_LEAD, "own_sibling", True), (R.COMMISSIONER_LEAD, "other", False),
    (R.COMMISSIONER_PEER_SUPPORT, "own", False), (R.PRACTICE_LEAD, "own", False), (R.RCGP_ADVISER, "own", False),
    (R.NHSE_REPORTING, "own", False),
])
def test_who_records_a_conversation_about_which_practice(world, role, practice, allowed):
    record = lambda: conversation(world["practices"][practice], world["users"][role])  # noqa: E731
    if allowed:
        assert record().practice == world["practices"][practice]
    else:
        with pytest.raises(NotAllowed):
            record()
        assert not Enquiry.objects.exists()


@pytest.mark.parametrize("change, message", [
    ({"practice": None}, "Choose the practice"),
    ({"asked": "   "}, "Enter what was asked"),
    ({"on": timezone.localdate() + datetime.timedelta(days=1)}, "today or in the past"),
    ({"source": "special_measures_offer"}, "Select who got in touch"),
    ({"programme": "knitting"}, "Select the support asked about"),
])
def test_bad_conversations_are_refused_and_nothing_is_saved(world, admin, change, message):
    kwargs = {"practice": world["practices"]["own"], **change}
    with pytest.raises(DomainError, match=message):
        conversation(kwargs.pop("practice"), admin, **kwargs)
    assert not Enquiry.objects.exists()


# Its outcome -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["declined", "not_eligible", "no_reply"])
def test_each_outcome_is_recorded_and_no_reply_is_stored_for_a_conversation(world, admin, value):
    enquiry = outcome(conversation(world["practices"]["own"], admin), admin, value)
    assert (enquiry.outcome, enquiry.outcome_on, enquiry.recorded_by, enquiry.contract) == (
        value, D(2026, 4, 20), admin, None)
    assert enquiry.status() == value
    assert Enquiry.objects.filter(status_q(value)).get() == enquiry


def test_became_a_contract_names_a_contract_of_that_practice(world, admin):
    practice = world["practices"]["own"]
    contract = ContractFactory(practice=practice, programme="resilience")
    enquiry = outcome(conversation(practice, admin), admin, "accepted", contract=contract)
    assert (enquiry.outcome, enquiry.contract) == ("accepted", contract)
    assert enquiry.get_outcome_display() == "Became a contract"


def test_became_a_contract_is_refused_without_one_with_another_practices_or_one_already_linked(world, admin):
    practice = world["practices"]["own"]
    enquiry = conversation(practice, admin)
    with pytest.raises(DomainError, match="Choose the contract the enquiry became"):
        outcome(enquiry, admin, "accepted")
    with pytest.raises(DomainError, match="Choose a contract for Own Practice"):
        outcome(enquiry, admin, "accepted", contract=ContractFactory(practice=world["practices"]["other"]))
    linked = ContractFactory(practice=practice)
    outcome(conversation(practice, admin), admin, "accepted", contract=linked)
    with pytest.raises(DomainError, match="already answers another enquiry"):
        outcome(enquiry, admin, "accepted", contract=linked)
    enquiry.refresh_from_db()
    assert (enquiry.outcome, enquiry.contract, enquiry.version) == ("", None, 1)


def test_an_outcome_before_the_conversation_or_in_the_future_is_refused(world, admin):
    enquiry = conversation(world["practices"]["own"], admin)
    with pytest.raises(DomainError, match="on or after the enquiry was recorded"):
        outcome(enquiry, admin, "declined", on=D(2026, 3, 31))
    with pytest.raises(DomainError, match="today or in the past"):
        outcome(enquiry, admin, "declined", on=timezone.localdate() + datetime.timedelta(days=1))


def test_an_offer_has_no_recorded_no_reply_nor_not_eligible(world, admin):
    enquiry = offer(world["practices"]["own"])
    for value in ("no_reply", "not_eligible"):
        with pytest.raises(DomainError, match="accepted or declined the offer"):
            outcome(enquiry, admin, value)
    assert {reply.outcome for reply in replies_for(admin, enquiry)} == {"accepted", "declined"}


def test_a_declined_or_unanswered_conversation_may_still_become_a_contract(world):
    practice, deputy = world["practices"]["own"], world["users"][R.RCGP_DEPUTY_LEAD]
    enquiry = outcome(conversation(practice, deputy), deputy, "no_reply")
    enquiry = outcome(enquiry, deputy, "declined", on=D(2026, 5, 1))
    enquiry = outcome(enquiry, deputy, "accepted", on=D(2026, 5, 2), contract=ContractFactory(practice=practice))
    assert enquiry.outcome == "accepted"
    with pytest.raises(DomainError, match="became a contract: its support goes on"):
        outcome(enquiry, deputy, "declined", on=D(2026, 5, 3))


@pytest.mark.parametrize("role, allowed", [
    (R.RCGP_ADMIN, True), (R.RCGP_DEPUTY_LEAD, True), (R.COMMISSIONER_LEAD, True),
    (R.COMMISSIONER_PEER_SUPPORT, False), (R.PRACTICE_LEAD, False), (R.PRACTICE_USER, False),
])
def test_who_records_a_conversations_outcome(world, admin, role, allowed):
    enquiry = conversation(world["practices"]["own"], admin)
    user = world["users"][role]
    if allowed:
        assert outcome(enquiry, user, "not_eligible").recorded_by == user
    else:
        with pytest.raises(NotAllowed, match="commissioner lead can record what came of the enquiry"):
            outcome(enquiry, user, "not_eligible")


def test_another_commissioners_lead_may_not_record_the_outcome(world, admin):
    enquiry = conversation(world["practices"]["other"], admin)
    assert not access.can_enquiry(world["users"][R.COMMISSIONER_LEAD], "record_reply", enquiry)


# Who sees which ----------------------------------------------------------------------------------------------------

@pytest.fixture
def sources(world, admin):
    """An enquiry of each source about the own practice, and a practice conversation about another commissioner's."""
    own = world["practices"]["own"]
    made = {"special_measures_offer": offer(own)}
    for source in ("practice", "commissioner", "cqc", "nhse"):
        made[source] = conversation(own, admin, source=source)
    made["other"] = conversation(world["practices"]["other"], admin)
    return made


SEES = {
    R.RCGP_ADMIN: {"special_measures_offer", "practice", "commissioner", "cqc", "nhse", "other"},
    R.RCGP_DEPUTY_LEAD: {"special_measures_offer", "practice", "commissioner", "cqc", "nhse", "other"},
    R.COMMISSIONER_LEAD: {"special_measures_offer", "practice", "commissioner", "cqc", "nhse"},
    R.COMMISSIONER_PEER_SUPPORT: {"special_measures_offer", "practice", "commissioner", "cqc", "nhse"},
    # The practice reads what it said or was sent, not what others raised about it.
    R.PRACTICE_LEAD: {"special_measures_offer", "practice"},
    R.PRACTICE_USER: {"special_measures_offer", "practice"},
    R.RCGP_ADVISER: set(),
    R.NHSE_REPORTING: set(),
}


def test_who_sees_which_enquiries(world, sources):
    for role, expected in SEES.items():
        visible = set(access.enquiries_for(world["users"][role]))
        assert {name for name, enquiry in sources.items() if enquiry in visible} == expected, role


def test_each_rule_answers_the_same_for_one_record_as_its_queryset(world, sources):
    verbs = {**access.ENQUIRY_VERBS, "outcome": access.CONVERSATION_OUTCOME}
    wrong = []
    for enquiry, user, (verb, rule) in product(sources.values(), world["users"].values(), verbs.items()):
        record = Enquiry.objects.select_related("practice__commissioner").get(pk=enquiry.pk)
        one, many = rule.test(user, record), rule.filter(user, Enquiry.objects.filter(pk=record.pk)).exists()
        if one != many:
            wrong.append((verb, user.role, enquiry.source, one, many))
    assert wrong == []


# The figures, worked out by hand -----------------------------------------------------------------------------------

@pytest.fixture
def figures_data(world, admin):
    """Three offers and five conversations over two programmes; two became contracts; one contract imported at
    enquiry. Every practice is the own commissioner's (01A) but P8's (02B). Everything is dated before today, so the
    offers' reply dates have passed.

    special measures:  O1 offer (P1)  -> became contract C1 (commissioned: live)
                       O2 offer (P2)  declined
                       O3 offer (P3)  no reply (derived: due 22 April 2026, none recorded)
                       V3 CQC (P6)    not eligible
                       X1 contract (P9), imported at enquiry, no Enquiry record
    resilience:        V1 practice (P4)      -> became contract C4 (commissioned: live)
                       V2 commissioner (P5)  declined
                       V4 NHSE (P7)          no reply (recorded)
                       V5 practice (P8, 02B) awaiting
    """
    own, other = world["own"], world["other"]
    p = {n: PracticeFactory(commissioner=other if n == 8 else own, name=f"P{n}") for n in range(1, 10)}
    c1 = ContractFactory(reference="C1", practice=p[1], programme="special_measures")
    c4 = ContractFactory(reference="C4", practice=p[4], programme="resilience")
    ContractFactory(reference="X1", practice=p[9], programme="special_measures", state="enquiry", imported=True)
    o1, o2, _o3 = offer(p[1]), offer(p[2]), offer(p[3])
    outcome(o1, admin, "accepted", on=D(2026, 4, 1), contract=c1)
    outcome(o2, admin, "declined", on=D(2026, 4, 2))
    outcome(conversation(p[4], admin, source="practice"), admin, "accepted", contract=c4)
    outcome(conversation(p[5], admin, source="commissioner"), admin, "declined")
    outcome(conversation(p[6], admin, source="cqc", programme="special_measures"), admin, "not_eligible")
    outcome(conversation(p[7], admin, source="nhse"), admin, "no_reply")
    conversation(p[8], admin, source="practice")
    return p


def take_up(made, accepted, declined, not_eligible, no_reply, awaiting, percent):
    return {"made": made, "accepted": accepted, "declined": declined, "not_eligible": not_eligible,
            "no_reply": no_reply, "awaiting": awaiting, "take_up_percent": percent}


# Special measures, everything: contracts C1, X1 (2), each an enquiry; records O1 (is C1: counted once), O2, O3, V3
# (3 of their own): enquiries 2 + 3 = 5. Supported: C1 (1; X1 is still at enquiry). Offers: 3 made, 1 became a
# contract, 1 declined, 1 no reply: take-up 1/3 = 33.3 %. All sources: 4 recorded (O1, O2, O3, V3), 1 became a
# contract, 1 declined, 1 not eligible, 1 no reply: 1/4 = 25.0 %.
SM = {"enquiries": 5, "supported": 1,
      "offers": {"made": 3, "accepted": 1, "declined": 1, "no_reply": 1, "awaiting": 0, "take_up_percent": 33.3},
      "enquiry_outcomes": take_up(4, 1, 1, 1, 1, 0, 25.0)}
# Resilience, everything: contract C4 (1); records V1 (is C4), V2, V4, V5 (3 of their own): 4. Supported: C4 (1).
# No offers. All sources: 4 recorded, 1 became a contract, 1 declined, 1 no reply, 1 awaiting: 1/4 = 25.0 %.
RES = {"enquiries": 4, "supported": 1,
       "offers": {"made": 0, "accepted": 0, "declined": 0, "no_reply": 0, "awaiting": 0, "take_up_percent": 0.0},
       "enquiry_outcomes": take_up(4, 1, 1, 0, 1, 1, 25.0)}
# Resilience for the own commissioner (01A): V5 (P8) is 02B's. C4 + V2, V4 = 3; 3 recorded, 1 became a contract,
# 1 declined, 1 no reply: 1/3 = 33.3 %.
RES_OWN = {"enquiries": 3, "supported": 1, "offers": RES["offers"],
           "enquiry_outcomes": take_up(3, 1, 1, 0, 1, 0, 33.3)}


def pick(figures):
    return {key: figures[key] for key in SM}


def test_figures_by_hand_through_the_service(figures_data, world, admin):
    for programme, expected in (("special_measures", SM), ("resilience", RES)):
        assert pick(programme_figures(programme=programme, contracts=access.contracts_for(admin),
                                      enquiries=access.enquiry_figures_for(admin))) == expected, programme
    nhse = world["users"][R.NHSE_REPORTING]
    assert pick(programme_figures(programme="resilience", contracts=access.contracts_for(nhse),
                                  enquiries=access.enquiry_figures_for(nhse))) == RES
    lead = world["users"][R.COMMISSIONER_LEAD]
    assert pick(programme_figures(programme="resilience", contracts=access.contracts_for(lead),
                                  enquiries=access.enquiry_figures_for(lead))) == RES_OWN


def test_figures_by_hand_through_the_api(client, figures_data, world):
    client.force_login(world["users"][R.NHSE_REPORTING])
    for programme, expected in (("special_measures", SM), ("resilience", RES)):
        response = client.get(FIGURES_API, {"programme": programme})
        assert response.status_code == 200
        assert pick(response.json()) == expected, programme


def test_figures_by_hand_on_the_page(client, figures_data, admin):
    client.force_login(admin)
    html = client.get(reverse("reports:programme_figures"), {"programme": "resilience"}).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Enquiries recorded 4 " in text and "Became a contract 1 " in text and "Not eligible 0 " in text
    assert "Awaiting an outcome 1 " in text and "Take-up (became a contract, of enquiries recorded) 25.0%" in text
    assert 'id="offers-table"' not in html   # no offers in this programme
    html = client.get(reverse("reports:programme_figures"), {"programme": "special_measures"}).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Enquiries recorded 4 " in text and "Not eligible 1 " in text and "25.0%" in text
    assert "Offers made 3 " in text and "Take-up (accepted, of offers made) 33.3%" in text


def test_the_nhse_home_shows_the_enquiry_take_up(client, figures_data, world):
    client.force_login(world["users"][R.NHSE_REPORTING])
    html = client.get(reverse("home")).content.decode()
    assert "Enquiries taken up" in html and "1 of 4 (25.0%)" in html


def test_the_list_shows_the_take_up_of_what_it_shows(client, figures_data, admin):
    client.force_login(admin)
    response = client.get(LIST)
    assert response.context["figures"] == take_up(8, 2, 2, 1, 2, 1, 25.0)
    response = client.get(LIST, {"source": "practice"})
    assert response.context["figures"] == take_up(2, 1, 0, 0, 0, 1, 50.0)
    assert {e.practice.name for e in response.context["page"].object_list} == {"P4", "P8"}
    no_reply = client.get(LIST, {"status": "no_reply"})
    assert {e.practice.name for e in no_reply.context["page"].object_list} == {"P3", "P7"}   # derived and recorded
    both = client.get(LIST, {"source": "nhse", "status": "no_reply"})
    assert [e.practice.name for e in both.context["page"].object_list] == ["P7"]


def test_enquiry_outcome_figures_are_one_query(figures_data, admin, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert enquiry_outcome_figures(access.enquiry_figures_for(admin))["made"] == 8


# Pages -------------------------------------------------------------------------------------------------------------

def test_the_list_costs_the_same_queries_whatever_its_length(client, world, admin, django_assert_max_num_queries):
    client.force_login(admin)
    client.get(LIST)   # the session's first refresh is written once, not per page
    counts = []
    for n in (1, 6):
        for _ in range(n):
            conversation(PracticeFactory(commissioner=world["own"]), admin)
        # session, user, count, the take-up, the header's notifications, the page of enquiries
        with django_assert_max_num_queries(6) as captured:
            assert client.get(LIST).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_conversation_recorded_through_the_page(client, world):
    lead = world["users"][R.COMMISSIONER_LEAD]
    client.force_login(lead)
    page = client.get(LIST)
    assert NEW in page.content.decode()
    form = client.get(NEW)
    assert form.status_code == 200
    practices = {p.ods_code for p in form.context["form"].fields["practice"].queryset}
    assert practices == {world["practices"]["own"].ods_code, world["practices"]["own_sibling"].ods_code}
    response = client.post(NEW, {
        "practice": world["practices"]["own_sibling"].ods_code, "source": "commissioner", "contact_name": "Jo Bloggs",
        "opened_on-day": "1", "opened_on-month": "4", "opened_on-year": "2026", "programme": "resilience",
        "asked": "Partners in dispute: could you help?"})
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("contracts:offer", args=[enquiry.pk])
    assert (enquiry.source, enquiry.contact_name, enquiry.practice) == (
        "commissioner", "Jo Bloggs", world["practices"]["own_sibling"])
    detail = client.get(response["Location"]).content.decode()
    assert "Partners in dispute: could you help?" in detail and "Record what came of it" in detail


@pytest.mark.parametrize("change, field, message", [
    ({"practice": ""}, "practice", "Select the practice"),
    ({"asked": ""}, "asked", "Enter what was asked"),
    ({"opened_on-year": str(timezone.localdate().year + 1)}, None, "must be today or in the past"),
])
def test_bad_input_on_the_page_saves_nothing_and_keeps_what_was_typed(client, world, admin, change, field, message):
    client.force_login(admin)
    data = {"practice": world["practices"]["own"].ods_code, "source": "cqc", "contact_name": "Ann Inspector",
            "opened_on-day": "1", "opened_on-month": "4", "opened_on-year": "2026", "programme": "special_measures",
            "asked": "Can you support this practice?", **change}
    response = client.post(NEW, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    if field:
        assert f'href="#id_{field}"' in html
    assert 'value="Ann Inspector"' in html
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize("role", [R.RCGP_ADVISER, R.NHSE_REPORTING, R.PRACTICE_LEAD, R.COMMISSIONER_PEER_SUPPORT])
def test_the_form_is_no_page_for_those_who_may_not_record(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, {}).status_code == 404
    assert not Enquiry.objects.exists()


def test_became_a_contract_on_the_page_with_another_practices_contract_saves_nothing(client, world, admin):
    enquiry = conversation(world["practices"]["own"], admin)
    ContractFactory(practice=world["practices"]["own"], reference="MINE")
    ContractFactory(practice=world["practices"]["other"], reference="THEIRS")
    client.force_login(admin)
    url = reverse("contracts:offer", args=[enquiry.pk])
    page = client.get(url)
    assert {c.reference for c in page.context["form"].fields["contract"].queryset} == {"MINE"}
    assert [label for _v, label in page.context["form"].fields["outcome"].choices] == [
        "Became a contract", "Declined", "Not eligible", "No reply"]
    response = client.post(url, {"version": 1, "outcome": "accepted", "outcome_on": "2026-04-20",
                                 "contract": "THEIRS"})
    assert response.status_code == 422
    response = client.post(url, {"version": 1, "outcome": "accepted", "outcome_on": "2026-04-20"})
    assert response.status_code == 422 and "Choose the contract the enquiry became" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.outcome == ""
    response = client.post(url, {"version": 1, "outcome": "not_eligible", "outcome_on": "2026-04-20"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.outcome == "not_eligible"


def test_the_practice_panel_shows_what_the_practice_may_read(client, world, sources):
    url = reverse("practices:detail", args=[world["practices"]["own"].ods_code])
    client.force_login(world["users"][R.PRACTICE_USER])
    html = client.get(url).content.decode()
    shown = {name for name, e in sources.items() if reverse("contracts:offer", args=[e.pk]) + '"' in html}
    assert shown == {"special_measures_offer", "practice"}


# API ---------------------------------------------------------------------------------------------------------------

def test_the_api_lists_every_source_with_what_was_asked(client, world, sources):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    body = client.get(API).json()
    assert {row["source"] for row in body["results"]} == {"special_measures_offer", "practice", "commissioner",
                                                          "cqc", "nhse"}
    cqc = client.get(API, {"source": "cqc"}).json()["results"]
    assert len(cqc) == 1 and cqc[0]["asked"] == "Can you help us with a CQC re-inspection?"
    assert (cqc[0]["programme"], cqc[0]["status"], cqc[0]["reply_due"]) == ("resilience", "awaiting", None)
    # /offers/ keeps to the offers
    assert [row["source"] for row in client.get("/api/v1/offers/").json()["results"]] == ["special_measures_offer"]


def test_nhse_and_advisers_read_no_enquiry_in_the_api(client, world, sources):
    for role in (R.NHSE_REPORTING, R.RCGP_ADVISER):
        client.force_login(world["users"][role])
        response = client.get(API)
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert response.json()["results"] == []
        assert "CQC re-inspection" not in response.content.decode()
        assert client.get(f"{API}{sources['cqc'].pk}/").status_code in (403, 404)


def test_the_practice_reads_its_own_word_in_the_api(client, world, sources):
    client.force_login(world["users"][R.PRACTICE_LEAD])
    rows = client.get(API).json()["results"]
    assert {row["source"] for row in rows} == {"special_measures_offer", "practice"}
    assert client.get(f"{API}{sources['commissioner'].pk}/").status_code == 404


def test_a_commissioner_lead_of_an_icb_records_about_its_sub_icb_practices(world):
    from tests.factories import CommissionerFactory

    icb = CommissionerFactory(ods_code="QOP", kind="icb")
    world["own"].parent = icb
    world["own"].save()
    lead = user_for(R.COMMISSIONER_LEAD, commissioner=icb)
    assert conversation(world["practices"]["own"], lead).practice == world["practices"]["own"]
    with pytest.raises(NotAllowed):
        conversation(world["practices"]["other"], lead)


# Demo --------------------------------------------------------------------------------------------------------------

def test_the_demo_conversations_one_of_each_outcome_and_seeding_again_adds_none():
    from django.core.management import call_command

    from demo.enquiries import seed_enquiries

    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for _run in range(2):
        seed_enquiries(lambda line: None)
    conversations = Enquiry.objects.exclude(source="special_measures_offer").select_related("practice", "contract")
    assert {(e.practice.ods_code, e.source, e.status().value, e.contract.reference if e.contract else None)
            for e in conversations} == {("P85014", "practice", "accepted", "DEMO-NEW"),
                                        ("P85004", "commissioner", "declined", None),
                                        ("P85003", "cqc", "not_eligible", None),
                                        ("P85007", "nhse", "awaiting", None)}
