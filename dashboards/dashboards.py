"""What each role's home page shows: "what needs me today", read through the access policy."""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.lifecycle import Case
from casework.selectors import next_steps
from contracts import access as contract_access
from contracts.figures import figures_by_programme, financial_year, funding_by_programme
from contracts.models import Adviser, Referral
from contracts.referral_services import acknowledgement_status
from contracts.selectors import contract_list, with_current_team
from contracts.services import adviser_loads
from contracts.vocabulary import Programme
from contracts.workflow import BOARD_STATES, LIVE_STATES, State
from contracts.working_days import working_days_between
from forwardplans import access as document_access
from forwardplans import deadlines
from forwardplans.models import Milestone, QuestionnaireResponse
from forwardplans.selectors import DUE_SOON_DAYS, summaries_for_plans
from forwardplans.vocabulary import Rag
from practices.ratings import RATING_ORDER
from practices.selectors import practice_list

PRACTICE_SORTS = {
    "name": lambda row: row["practice"].name,
    "rating": lambda row: RATING_ORDER.get(row["practice"].current_rating, 99),
    "reinspection": lambda row: row["sm"].reinspection_due or datetime.date.max,
    "overdue": lambda row: -row["overdue_actions"],
}


def due_items(user, today=None):
    """What needs the user now: every kind of deadline, from the registry that also drives their reminders and
    calendar feed (forwardplans.deadlines), so the three never disagree. One query."""
    return deadlines.needs_me(user, today or timezone.localdate())


def commissioner_contracts(user):
    """The user's contracts, read once for both the practice table and the counts by state (a commissioner has a
    few hundred at most)."""
    return list(contract_access.contracts_for(user).only("reference", "state", "practice_id", "commissioned_on")
                .order_by("commissioned_on", "pk"))


def commissioner_overview(user, *, sort="name", rating=None, special_measures=None, today=None, contracts=None):
    """The commissioner's active practices at a glance: rating, SM and re-inspection due, open
    contracts and their state, shared plans' RAG counts and overdue actions."""
    # Only what the table shows: a commissioner has up to a few hundred practices.
    practices = practice_list(user).filter(status="active").only("ods_code", "name")
    if rating:
        practices = practices.filter(current_rating=rating)
    if special_measures in ("yes", "no"):
        practices = practices.in_special_measures(special_measures == "yes")
    practices = list(practices)
    ids = [p.pk for p in practices]
    open_contracts = defaultdict(list)
    wanted = set(ids)
    for contract in commissioner_contracts(user) if contracts is None else contracts:
        if contract.practice_id in wanted and contract.state in LIVE_STATES:
            open_contracts[contract.practice_id].append(contract)
    plans = dict(document_access.plans_for(user).filter(contract__practice_id__in=ids)
                 .values_list("pk", "contract__practice_id"))
    summaries = summaries_for_plans(list(plans), today=today)
    by_practice = defaultdict(list)
    for plan_id, practice_id in plans.items():
        by_practice[practice_id].append(summaries[plan_id])
    rows = []
    for practice in practices:
        plan_summaries = by_practice.get(practice.pk, [])
        rag = Counter()
        for summary in plan_summaries:
            rag.update(summary.by_rag)
        rows.append({
            "practice": practice, "sm": practice.special_measures, "contracts": open_contracts.get(practice.pk, []),
            "shared_plans": len(plan_summaries), "rag": {r: rag.get(r, 0) for r in Rag.values},
            "overdue_actions": sum(s.overdue_actions for s in plan_summaries),
        })
    rows.sort(key=PRACTICE_SORTS.get(sort, PRACTICE_SORTS["name"]))
    return rows


def referral_queue(user, today=None):
    """Referrals waiting for the commissioner: to assess, or to acknowledge, with the working-day clock."""
    today = today or datetime.date.today()
    waiting = (contract_access.referrals_for(user).select_related("practice")
               .filter(Q(status=Referral.Status.SUBMITTED) | Q(acknowledged_on__isnull=True))
               .exclude(status=Referral.Status.DECLINED).order_by("acknowledgement_due", "pk"))
    rows = []
    for referral in waiting:
        left = working_days_between(today, referral.acknowledgement_due) if referral.acknowledged_on is None else None
        rows.append({"referral": referral, "ack": acknowledgement_status(referral, today=today),
                     "working_days_left": left, "needs_assessment": referral.status == Referral.Status.SUBMITTED})
    return rows


def contracts_by_state(user, contracts=None):
    if contracts is not None:
        counts = Counter(c.state for c in contracts)
    else:
        counts = dict(contract_access.contracts_for(user).values_list("state").annotate(n=Count("pk")).order_by())
    return [(State(state), counts.get(state, 0)) for state in State.values if counts.get(state)]


def programme_table(user, **filters):
    """Programme figures for every programme the user may see contracts of (one query)."""
    figures = figures_by_programme(contracts=contract_access.contracts_for(user), **filters)
    return [(Programme(p), figures[p]) for p in Programme.values]


def funding_by_year(user, years=3, today=None):
    """Allocated, committed and spent per financial year (the latest ``years``), with the programmes' rows."""
    today = today or datetime.date.today()
    current = today.year if today.month >= 4 else today.year - 1
    contracts = contract_access.contracts_for(user)
    table = []
    for year in range(current, current - years, -1):
        rows = [row for row in funding_by_programme(contracts, year=year) if row["contracts"]]
        table.append({"label": financial_year(year)[2], "rows": rows,
                      **{key: sum(r[key] for r in rows) for key in ("contracts", "allocated", "committed", "spent")}})
    return table


def deputy_lead_overview(user):
    contracts = list(contract_list(user).filter(state__in=BOARD_STATES))
    by_state = Counter(c.state for c in contracts)
    advisers = list(Adviser.objects.filter(active=True).select_related("user"))
    loads = adviser_loads(advisers)
    return {
        "board": [(State(s), by_state.get(s, 0)) for s in BOARD_STATES],
        "waiting_for_lead": [c for c in contracts if c.deputy_lead_id is None],
        "without_team": [c for c in contracts if c.deputy_lead_id == user.pk and c.team_size == 0],
        "advisers": sorted(((a, loads.get(a.pk, 0)) for a in advisers),
                           key=lambda pair: (-pair[1] / max(pair[0].capacity, 1), str(pair[0]))),
    }


def adviser_overview(user):
    """My contracts, what is next on each, my report and plan drafts, and questionnaire responses."""
    # Counted in the contracts' own query, which leaves the page a query for its due items.
    responses = (QuestionnaireResponse.objects.filter(questionnaire__contract=OuterRef("pk")).order_by()
                 .values("questionnaire__contract").annotate(n=Count("pk")).values("n"))
    contracts = list(with_current_team(contract_list(user).filter(state__in=LIVE_STATES)
                                       .select_related("diagnostic_report", "forward_plan", "consent")
                                       .annotate(responses=Coalesce(Subquery(responses, output_field=IntegerField()),
                                                                    0))))
    plan_ids = [c.forward_plan.pk for c in contracts if hasattr(c, "forward_plan")]
    summaries = summaries_for_plans(plan_ids)
    rows = []
    for contract in contracts:
        report = contract.diagnostic_report if hasattr(contract, "diagnostic_report") else None
        plan = contract.forward_plan if hasattr(contract, "forward_plan") else None
        case = Case(contract, report, contract.consent if hasattr(contract, "consent") else None)
        rows.append({
            "contract": contract, "next": next_steps(case, user),
            "report": report, "plan_summary": summaries.get(plan.pk) if plan else None,
            "responses": contract.responses,
        })
    return rows


def practice_overview(user, today=None):
    """My forward plan: Reds first, what is due in the next 14 days (the plan summary's measure); my deadlines are
    the page's due items (due_items)."""
    today = today or datetime.date.today()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    plans = list(document_access.plans_for(user).select_related("contract"))
    summaries = summaries_for_plans([p.pk for p in plans], today=today)
    order = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
    milestone_soon = Milestone.objects.filter(action=OuterRef("pk"), done_on__isnull=True,
                                              due_on__gte=today, due_on__lte=soon)
    actions = sorted(document_access.actions_for(user).select_related("plan__contract")
                     .annotate(milestone_due_soon=Exists(milestone_soon)),
                     key=lambda a: (order[a.rag_status], a.planned_completion, a.priority))
    return {
        "plans": [(plan, summaries[plan.pk]) for plan in plans],
        "actions": actions,
        # The same definition as the plan summary's "due in the next 14 days".
        "due_soon": [a for a in actions if a.rag_status != Rag.GREEN
                     and (today <= a.planned_completion <= soon or a.milestone_due_soon)],
        "today": today,
        "support": [{"contract": c, "next": next_steps(Case(c, getattr(c, "diagnostic_report", None),
                                                             getattr(c, "consent", None)), user)}
                    for c in contract_access.contracts_for(user).filter(state__in=LIVE_STATES)
                    .select_related("diagnostic_report", "consent").order_by("commissioned_on", "reference")],
    }
