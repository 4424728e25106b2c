"""Query budgets: every page and API list that `make bench` measures answers in a fixed number of
queries, however many rows there are.

Each test builds a small data set, measures the page inside ``django_assert_max_num_queries(BUDGET)``, doubles
the data (more practices, inspections, contracts, actions, milestones, RAG changes, progress entries,
referrals) and measures again: both within the budget, and the second exactly as many queries as the first,
so one extra query per row cannot hide under the budget. The budgets are today's counts: if a change needs
more, raise the number here on purpose.
"""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.urls import reverse

from api.auth import issue_token
from casework.services import case_move
from contracts.models import ContractTransition, TeamMembership
from core.roles import Role
from forwardplans import services
from forwardplans.models import (
    Action,
    ConsentToShare,
    DiagnosticReport,
    ForwardPlan,
    Milestone,
    ProgressEntry,
    RagChange,
)

from ..cases import advance, with_documents
from ..docs import ACTION_FIELDS
from ..factories import (
    AdviserFactory,
    ContractFactory,
    InspectionFactory,
    PracticeFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)
BOARD_STATES = ["commissioned", "lead_appointed", "scoping", "report_drafting", "review_meeting", "handed_over"]
ENDED = [("closed", "carried_forward_for_reinspection", "good"), ("closed", "other", ""),
         ("withdrawn", "early_withdrawal", ""), ("closed", "carried_forward_for_reinspection", "inadequate")]


# Data -------------------------------------------------------------------------------------------------

def add_inspections(practice, count):
    for _ in range(count):
        n = next(_serial)
        InspectionFactory(practice=practice, report_link_id=f"budget-{n}",
                          inspection_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=40 * n),
                          publication_date=datetime.date(2015, 3, 1) + datetime.timedelta(days=40 * n),
                          overall_rating=["good", "requires_improvement", "inadequate"][n % 3])


def add_actions(plan, count, user, *, milestones=3, rag_changes=3, progress=2):
    """Actions with every field filled, their milestones (some overdue, some due soon), RAG history and progress."""
    today = datetime.date.today()
    for _ in range(count):
        n = next(_serial)
        action = Action.objects.create(plan=plan, **{**ACTION_FIELDS, "priority": n,
                                                     "key_question": ["safe", "well_led", "effective"][n % 3],
                                                     "planned_completion": today + datetime.timedelta(days=n % 20)})
        Milestone.objects.bulk_create([
            Milestone(action=action, description=f"Milestone {k}", due_on=today + datetime.timedelta(days=k * 9 - 10),
                      done_on=today if k == 2 else None, done_by=user if k == 2 else None)
            for k in range(milestones)])
        statuses = ["red", "amber", "green", "amber"]
        RagChange.objects.bulk_create([
            RagChange(action=action, from_status=statuses[k % 4], to_status=statuses[(k + 1) % 4], by=user,
                      reason=f"Change {k}") for k in range(rag_changes)])
        ProgressEntry.objects.bulk_create([
            ProgressEntry(action=action, entry_date=today, text=f"Progress {k}", by=user) for k in range(progress)])
        action.rag_status = statuses[rag_changes % 4]
        action.save()


def add_contracts(world, count, *, practices=None, state=None):
    """Contracts of the own commissioner: a team of one, consent given, a plan of three actions; live ones on the
    board, others ended with an outcome."""
    users = world["users"]
    contracts = []
    for i in range(count):
        n = next(_serial)
        practice = practices[i % len(practices)] if practices else PracticeFactory(commissioner=world["own"])
        live = state or BOARD_STATES[n % len(BOARD_STATES)]
        extra = {}
        if state == "ended":
            live, reason, after = ENDED[n % len(ENDED)]
            extra = {"end_reason": reason, "rating_after": after, "ended_on": datetime.date(2025, 6, 1)}
        contract = ContractFactory(reference=f"B{n}", practice=practice, state=live,
                                   programme=["special_measures", "resilience"][n % 2],
                                   deputy_lead=users[Role.RCGP_DEPUTY_LEAD], **extra)
        TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(), added_by=users[Role.RCGP_ADMIN])
        ContractTransition.objects.create(contract=contract, to_state=live, by=users[Role.RCGP_ADMIN],
                                          effective_on=contract.commissioned_on)
        ConsentToShare.objects.create(contract=contract, status="given")
        add_actions(ForwardPlan.objects.create(contract=contract), 3, users[Role.PRACTICE_USER])
        contracts.append(contract)
    return contracts


def add_everything(world, docs=None):
    """One unit of data: called once for the small set and once more to double it."""
    practices = [PracticeFactory(commissioner=world["own"]) for _ in range(13)]
    practices += [PracticeFactory(commissioner=world["other"]) for _ in range(13)]
    for practice in practices + list(world["practices"].values()):
        add_inspections(practice, 2)
    add_contracts(world, 4, practices=practices[:4])
    add_contracts(world, 4, practices=practices[4:8], state="ended")
    for practice in practices[:2]:
        ReferralFactory(practice=practice)
    if docs:
        add_actions(docs["plan"], 5, world["users"][Role.PRACTICE_USER])


def assert_flat(client, url, budget, grow, django_assert_max_num_queries, **kwargs):
    """The page answers 200 within ``budget`` queries, and in the same number after the data is doubled."""
    response = client.get(url, **kwargs)  # warm-up: sessions, caches, the token's last use
    assert response.status_code == 200, (url, response.status_code)
    counts = []
    for step in range(2):
        if step:
            grow()
        cache.clear()  # API throttle counts
        with django_assert_max_num_queries(budget) as captured:
            response = client.get(url, **kwargs)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{url}: {counts[0]} queries, then {counts[1]} with twice the data"
    return response


@pytest.fixture
def grow(world, docs):
    add_everything(world, docs)
    return lambda: add_everything(world, docs)


# Pages ----------------------------------------------------------------------------------------------------

def test_practice_list_filtered_by_commissioner(client, world, grow, django_assert_max_num_queries):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    response = assert_flat(client, reverse("practices:list") + "?commissioner=01A", 10, grow,
                           django_assert_max_num_queries)
    assert len(response.context["page"].object_list) == 25


def test_practice_list_deep_page(client, world, grow, django_assert_max_num_queries):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    response = assert_flat(client, reverse("practices:list") + "?page=2", 9, grow, django_assert_max_num_queries)
    assert response.context["page"].number == 2


def test_practice_list_as_commissioner(client, world, grow, django_assert_max_num_queries):
    client.force_login(world["users"][Role.COMMISSIONER_PEER_SUPPORT])
    assert_flat(client, reverse("practices:list") + "?page=1", 9, grow, django_assert_max_num_queries)


def test_practice_detail(client, world, grow, django_assert_max_num_queries):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    practice = world["practices"]["own"]
    # 11: its special-measures episodes (the regulatory timeline) are one query, whatever their number, and when its
    # CQC data was last refreshed (the newest sync runs) one more; 15: CQC's enforcement one, what patients were told
    # one (for the practice's and its commissioner's users), the special-measures offers one and the alerts one;
    # 17: the commissioner's monitoring record one and its contractual action one (for its leads); 18: its level
    # of support and the latest changes of it, one.
    response = assert_flat(client, reverse("practices:detail", args=[practice.ods_code]), 18, grow,
                           django_assert_max_num_queries)
    assert len(response.context["inspections"]) == 4  # two per unit of data
    assert response.content.count(b'href="/contracts/') >= 2  # the support section: its contracts, whatever number


def test_contract_board(client, world, grow, django_assert_max_num_queries):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    response = assert_flat(client, reverse("contracts:board"), 4, grow, django_assert_max_num_queries)
    assert sum(len(contracts) for _state, contracts in response.context["board"]) >= 9


def test_forward_plan_page(client, world, docs, grow, django_assert_max_num_queries):
    client.force_login(world["users"][Role.PRACTICE_LEAD])
    # 11: the page links to the report only when its reader may open it (a draft is the advisers'), and lists
    # the plan's kept versions (one query, however many).
    response = assert_flat(client, reverse("forwardplans:plan", args=[docs["contract"].reference]), 11, grow,
                           django_assert_max_num_queries)
    assert response.context["summary"].total == 11  # the fixture's action and five per unit of data


def test_rag_update(client, world, docs, grow, django_assert_max_num_queries):
    """The POST the action page sends (htmx): the change, its history row and the RAG panel back."""
    client.force_login(world["users"][Role.PRACTICE_USER])
    action = docs["action"]
    url = reverse("forwardplans:action_rag", args=[action.pk])
    counts = []
    for step in range(3):  # a warm-up, then the small and the doubled data
        if step == 2:
            grow()
            RagChange.objects.bulk_create([RagChange(action=action, from_status="red", to_status="amber",
                                                     by=world["users"][Role.PRACTICE_USER], reason=f"More {k}")
                                           for k in range(6)])
            Milestone.objects.bulk_create([Milestone(action=action, description=f"More {k}",
                                                     due_on=datetime.date.today()) for k in range(4)])
        action.refresh_from_db()
        to = "amber" if action.rag_status == "red" else "red"
        # 13, and the access log's one INSERT: the panel sent back shows the RAG changes' reasons (core/audit.py).
        with django_assert_max_num_queries(14) as captured:
            response = client.post(url, {"version": action.version, "to_status": to, "reason": "Budget check"},
                                   headers={"HX-Request": "true"})
        assert response.status_code == 200 and b"RAG status changed" in response.content
        if step:
            counts.append(len(captured))
    assert counts[0] == counts[1], f"RAG update: {counts[0]} queries, then {counts[1]} with twice the data"


def test_commissioner_home(client, world, grow, django_assert_max_num_queries):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    # 12: the open concerns reported to the lead (the duty to report) are one query of their own; 15: which open
    # contracts' reports and plans the lead may open (two, for the links beside each practice), and the actions
    # the deadlines name (one); 16: the special-measures offers in the programme table; 17: practices per level of
    # support (one); 18: the contracts counted by state apart from the live ones read for the table (one).
    response = assert_flat(client, reverse("home"), 18, grow, django_assert_max_num_queries)
    # The world's own two and 13 per unit of data, a page of them shown.
    assert response.context["page"].paginator.count == 2 + 2 * 13 and len(response.context["rows"]) == 25


# API lists ---------------------------------------------------------------------------------------------------

def test_api_practices(client, world, grow, django_assert_max_num_queries):
    key = issue_token(world["users"][Role.NHSE_REPORTING])[1]
    response = assert_flat(client, "/api/v1/practices/", 3, grow, django_assert_max_num_queries,
                           headers={"Authorization": f"Token {key}"})
    assert len(response.json()["results"]) == 4 + 2 * 26  # the world's four and 26 per unit of data


def test_api_programme_outcomes(client, world, grow, django_assert_max_num_queries):
    key = issue_token(world["users"][Role.NHSE_REPORTING])[1]
    # 3: the contracts' figures, their outcomes, and the special-measures offers' take-up.
    response = assert_flat(client, "/api/v1/reports/programme-outcomes/?programme=special_measures", 3, grow,
                           django_assert_max_num_queries, headers={"Authorization": f"Token {key}"})
    assert response.json()["enquiries"] >= 8


# The case lifecycle's pages: their history, team and corrections grow with the case, their queries do not.

def _more_of_the_case(docs):
    """More moves in the contract's history, another adviser on its team, two more corrections (drafts)."""
    users, contract = docs["users"], docs["contract"]
    for _ in range(2):
        lead = UserFactory(role=Role.RCGP_DEPUTY_LEAD)
        case_move(contract=contract, move="change_lead", actor=users[Role.RCGP_ADMIN], deputy_lead=lead)
    case_move(contract=contract, move="change_lead", actor=users[Role.RCGP_ADMIN],
              deputy_lead=users[Role.RCGP_DEPUTY_LEAD])
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(), added_by=users[Role.RCGP_ADMIN])
    report = DiagnosticReport.objects.get(contract=contract)
    if report.state == "with_practice":
        for section in ("history", "findings"):
            services.correction_add(report=report, actor=users[Role.PRACTICE_LEAD],
                                    section=section, passage="Founded 1974.", correction="Founded 1975.")


def test_contract_page(client, world, docs, django_assert_max_num_queries):
    client.force_login(world["users"][Role.RCGP_DEPUTY_LEAD])
    # 17 for the case and its documents; the delivery record's panels (agreement, delivery, time and money) and
    # whether an agreement holds the objectives yet add one each, whatever the number of records.
    assert_flat(client, reverse("contracts:detail", args=[docs["contract"].reference]), 21,
                lambda: _more_of_the_case(docs), django_assert_max_num_queries)


def test_report_page_with_corrections(client, world, docs, django_assert_max_num_queries):
    advance(docs["contract"], "factual_accuracy_review", docs["users"])
    _more_of_the_case(docs)
    client.force_login(world["users"][Role.PRACTICE_LEAD])
    response = assert_flat(client, reverse("forwardplans:report", args=[docs["contract"].reference]), 12,
                           lambda: _more_of_the_case(docs), django_assert_max_num_queries)
    assert sum(len(found) for *_rest, found in response.context["sections"]) == 4


def test_adviser_home(client, world, docs, django_assert_max_num_queries):
    """What is next on each of the adviser's contracts comes from the lifecycle without a query per contract."""
    adviser = TeamMembership.objects.get(contract=docs["contract"]).adviser  # the docs fixture's

    def more():
        for state in ("team_recruited", "scoping", "report_drafting"):
            contract = ContractFactory(practice=world["practices"]["own"], state=state,
                                       deputy_lead=world["users"][Role.RCGP_DEPUTY_LEAD])
            TeamMembership.objects.create(contract=contract, adviser=adviser, added_by=world["users"][Role.RCGP_ADMIN])
            if state == "report_drafting":
                with_documents(contract)

    more()
    client.force_login(world["users"][Role.RCGP_ADVISER])
    # 7, and the practices' risk (forwardplans.risk.practice_risk: three, whatever the number of practices).
    response = assert_flat(client, reverse("home"), 10, more, django_assert_max_num_queries)
    assert len(response.context["rows"]) == 1 + 2 * 3
    assert {text for row in response.context["rows"] for text, _url in row["next"]} >= {
        "Start scoping", "Start the diagnostic report and forward plan", "Write the diagnostic report"}


def test_notifications_page_renders_every_kind_of_reminder_in_a_query_per_kind(client, world, docs,
                                                                                django_assert_max_num_queries):
    # (not the ``grow`` fixture: the page shows the newest 200, so it is the notifications that double here)
    """Reminders are rendered when read, through the access policy: one query per kind of item on the page, however
    many there are."""
    from contracts.models import Contract, Referral
    from forwardplans import reminders
    from forwardplans.job_models import ReminderItem, ReminderKind
    from forwardplans.models import Action, Milestone
    from practices.models import Inspection

    from ..factories import InspectionFactory

    admin = world["users"][Role.RCGP_ADMIN]
    rounds = iter(range(1, 10))

    def remind():  # every item again, under a new date: twice the notifications of every kind
        InspectionFactory(practice=world["practices"]["own"], overall_rating="inadequate")
        ReferralFactory(practice=world["practices"]["own"])
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=next(rounds))
        items = [(ReminderItem.MILESTONE, m) for m in Milestone.objects.values_list("pk", flat=True)]
        items += [(ReminderItem.ACTION, a) for a in Action.objects.values_list("pk", flat=True)]
        items += [(ReminderItem.FIRST_CONTACT, c) for c in Contract.objects.values_list("pk", flat=True)]
        items += [(ReminderItem.REFERRAL, r) for r in Referral.objects.values_list("pk", flat=True)]
        items += [(ReminderItem.REINSPECTION, i) for i in Inspection.objects.values_list("pk", flat=True)]
        candidates = [reminders.Candidate(admin.pk, item_type, pk, ReminderKind.OVERDUE, day, "self", admin.pk,
                                          "A reminder", "", "/") for item_type, pk in items]
        candidates.append(reminders.Candidate(admin.pk, ReminderItem.DIGEST, admin.pk, ReminderKind.WEEKLY, day,
                                              "self", admin.pk, "Weekly digest", "", "/",
                                              detail=reminders.digest_for(admin, day)))
        reminders.claim(candidates, email=False)

    remind()
    client.force_login(admin)
    response = assert_flat(client, reverse("jobs:notifications"), 14, remind, django_assert_max_num_queries)
    shown = response.context["items"]
    assert len(shown) >= 14 and {n.reminder.item_type for n in shown} >= {
        "milestone", "action", "first_contact", "referral", "reinspection", "digest"}
    assert not [n for n in shown if n.shown_title == "A reminder"]  # each rendered from its item
