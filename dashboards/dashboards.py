"""What each role's home page shows: "what needs me today", read through the access policy."""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from casework.lifecycle import Case
from casework.selectors import next_steps
from contracts import access as contract_access
from contracts.figures import figures_by_programme
from contracts.funding import funding_by_years
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
from forwardplans.risk import practice_risk
from forwardplans.selectors import DUE_SOON_DAYS, summaries_for_plans
from forwardplans.vocabulary import Rag, ReportState
from levels.access import open_practices_for
from levels.selectors import level_summary
from practices.ratings import RATING_ORDER
from practices.selectors import practice_list

# How the commissioner's practices can be ordered; "risk" (practice_risk's rank) is the default, except that a
# practice with nothing flagged but a live contract comes before those with neither: the table is paged, and the
# practices being supported belong on its first pages.
PRACTICE_SORTS = {
    "risk": lambda row: (not row["risk"].reasons and not row["open_contracts"], row["risk"].rank),
    "name": lambda row: (row["practice"].name, row["practice"].pk),
    "rating": lambda row: (RATING_ORDER.get(row["practice"].current_rating, 99), row["risk"].rank),
    "reinspection": lambda row: (row["sm"].reinspection_due or datetime.date.max, row["risk"].rank),
    "overdue": lambda row: (-row["risk"].overdue, row["risk"].rank),
}


def due_items(user, today=None):
    """What needs the user now: every kind of deadline, from the registry that also drives their reminders and
    calendar feed (forwardplans.deadlines), so the three never disagree; each plan item named by its action (one
    more query, through the access policy). Two queries."""
    return deadlines.named(user, deadlines.needs_me(user, today or timezone.localdate()))


def commissioner_contracts(user):
    """The user's live contracts, for the practice table: the ended ones, which grow with the years, are counted
    by contracts_by_state without being read."""
    return list(contract_access.contracts_for(user).filter(state__in=LIVE_STATES)
                .only("reference", "state", "practice_id", "commissioned_on").order_by("commissioned_on", "pk"))


def contract_documents(user, contracts):
    """{contract id: {"report": bool, "plan": bool}}: which of these contracts' documents the user may open now
    (the access policy's reports_for and plans_for). Two queries."""
    ids = [c.pk for c in contracts]
    reports = set(document_access.reports_for(user).filter(contract_id__in=ids).values_list("contract_id", flat=True))
    plans = set(document_access.plans_for(user).filter(contract_id__in=ids).values_list("contract_id", flat=True))
    return {pk: {"report": pk in reports, "plan": pk in plans} for pk in ids}


def commissioner_overview(user, *, sort="risk", rating=None, special_measures=None, today=None, contracts=None):
    """The commissioner's active practices, most at risk first (forwardplans.risk.practice_risk: the reasons
    written out), with their open contracts. Which plans and reports the user may open is added by
    ``attach_documents`` to the rows shown (a page of them)."""
    practices = practice_list(user).filter(status="active")
    if rating:
        practices = practices.filter(current_rating=rating)
    if special_measures in ("yes", "no"):
        practices = practices.in_special_measures(special_measures == "yes")
    ranked = practice_risk(user, within=practices.values("pk"), today=today)
    wanted = {row.practice.pk for row in ranked}
    open_contracts = defaultdict(list)
    for contract in commissioner_contracts(user) if contracts is None else contracts:
        if contract.practice_id in wanted and contract.state in LIVE_STATES:
            open_contracts[contract.practice_id].append(contract)
    rows = [{"practice": risk.practice, "risk": risk, "sm": risk.practice.special_measures,
             "open_contracts": open_contracts.get(risk.practice.pk, []),
             "shared_plans": risk.plans, "rag": risk.by_rag, "overdue_actions": risk.overdue_actions,
             "overdue_milestones": risk.overdue_milestones}
            for risk in ranked]
    rows.sort(key=PRACTICE_SORTS.get(sort, PRACTICE_SORTS["risk"]))
    return rows


def attach_documents(user, rows):
    """``rows`` of commissioner_overview with ``contracts``: each open contract and which of its documents the
    user may open (two queries, however many rows)."""
    documents = contract_documents(user, [c for row in rows for c in row["open_contracts"]])
    for row in rows:
        row["contracts"] = [(c, documents[c.pk]) for c in row["open_contracts"]]
    return rows


def practice_levels(user):
    """Practices per level of support, of the open practices the user sees (one query), linking to /levels/."""
    return level_summary(open_practices_for(user))


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
    figures = figures_by_programme(contracts=contract_access.contracts_for(user),
                                   enquiries=contract_access.enquiry_figures_for(user), **filters)
    return [(Programme(p), figures[p]) for p in Programme.values]


def referrals_awaiting_regional_decision(user):
    """Assessed self-referrals of an NHSE regional team's region with no regional decision yet, oldest first (one
    query): the team's queue on its home page."""
    mine = contract_access.REFERRAL_VERBS["regional_decision"].filter(user, contract_access.referrals_for(user))
    return list(mine.filter(status=Referral.Status.ASSESSED, regional_decision="")
                .select_related("practice", "commissioner").order_by("assessed_at", "pk"))


def funding_by_year(user, years=3, today=None):
    """Contracted, committed (agreements signed) and spent (payments made) per financial year (the latest
    ``years``), with the programmes' rows, over the contracts the user may see (contracts.funding.funding_by_years:
    the page and its download agree)."""
    return funding_by_years(contract_access.contracts_for(user), years=years, today=today)


def next_for(case, user):
    """What ``user`` can do next on the case (``steps``: [(text, url)]: the lifecycle's moves and the report work
    that are theirs now, and first contact while it is theirs to record), and what the case waits for from other
    people (``waiting``: [(who, [move labels])], from the lifecycle table, casework.lifecycle.waiting_for)."""
    contract = case.contract
    steps = next_steps(case, user)
    if (contract.first_contact_on is None and contract.state in LIVE_STATES
            and contract_access.can(user, "record_first_contact", contract)):
        steps = [("Record first contact",
                  reverse("contracts:detail", args=[contract.reference]) + "#first-contact"), *steps]
    return {"steps": steps, "waiting": case.waiting_for(user)}


def risk_by_practice(user, practice_ids):
    """{practice id: PracticeRisk} of these practices (as far as the user may see them): the same reasons and rank
    as the commissioner's table. Three queries."""
    return {row.practice.pk: row for row in practice_risk(user, within=list(set(practice_ids)))}


def _rank(risk, contract):
    row = risk.get(contract.practice_id)
    return row.rank if row else len(risk) + 1


def deputy_lead_overview(user):
    contracts = list(contract_list(user).filter(state__in=BOARD_STATES))
    by_state = Counter(c.state for c in contracts)
    advisers = list(Adviser.objects.filter(active=True).select_related("user"))
    loads = adviser_loads(advisers)
    waiting = [c for c in contracts if c.deputy_lead_id is None]
    without_team = [c for c in contracts if c.deputy_lead_id == user.pk and c.team_size == 0]
    risk = risk_by_practice(user, [c.practice_id for c in waiting + without_team])
    return {
        "board": [(State(s), by_state.get(s, 0)) for s in BOARD_STATES],
        # Most at risk first (practice_risk), then the oldest.
        "waiting_for_lead": sorted(waiting, key=lambda c: (_rank(risk, c), c.commissioned_on)),
        "without_team": sorted(without_team, key=lambda c: (_rank(risk, c), c.commissioned_on)),
        "risk": risk,
        "levels": practice_levels(user),
        "advisers": sorted(((a, loads.get(a.pk, 0)) for a in advisers),
                           key=lambda pair: (-pair[1] / max(pair[0].capacity, 1), str(pair[0]))),
    }


def adviser_overview(user):
    """My contracts, most at risk first (practice_risk), what is next on each, my report and plan drafts, and
    questionnaire responses."""
    # Counted in the contracts' own query, which leaves the page a query for its due items.
    # The diagnostic questionnaire's: closure feedback is evaluation's, counted there.
    responses = (QuestionnaireResponse.objects.filter(questionnaire__contract=OuterRef("pk"),
                                                      questionnaire__purpose="diagnostic").order_by()
                 .values("questionnaire__contract").annotate(n=Count("pk")).values("n"))
    contracts = list(with_current_team(contract_list(user).filter(state__in=LIVE_STATES)
                                       .select_related("diagnostic_report", "forward_plan", "consent")
                                       .annotate(responses=Coalesce(Subquery(responses, output_field=IntegerField()),
                                                                    0))))
    plan_ids = [c.forward_plan.pk for c in contracts if hasattr(c, "forward_plan")]
    summaries = summaries_for_plans(plan_ids)
    risk = risk_by_practice(user, [c.practice_id for c in contracts])
    rows = []
    for contract in contracts:
        report = contract.diagnostic_report if hasattr(contract, "diagnostic_report") else None
        plan = contract.forward_plan if hasattr(contract, "forward_plan") else None
        case = Case(contract, report, contract.consent if hasattr(contract, "consent") else None)
        after = next_for(case, user)
        rows.append({
            "contract": contract, "next": after["steps"], "waiting": after["waiting"],
            "risk": risk.get(contract.practice_id),
            "report": report, "plan_summary": summaries.get(plan.pk) if plan else None,
            "responses": contract.responses,
        })
    rows.sort(key=lambda row: (_rank(risk, row["contract"]), row["contract"].reference))
    return rows


def practice_overview(user, today=None):
    """My forward plan: Reds first, what is due in the next 14 days (the plan summary's measure); my deadlines are
    the page's due items (due_items). My support: what is next on each live contract, and any report waiting for
    my check of its factual accuracy."""
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
    support = []
    for contract in (contract_access.contracts_for(user).filter(state__in=LIVE_STATES)
                     .select_related("diagnostic_report", "consent").order_by("commissioned_on", "reference")):
        case = Case(contract, getattr(contract, "diagnostic_report", None), getattr(contract, "consent", None))
        after = next_for(case, user)
        support.append({"contract": contract, "next": after["steps"], "waiting": after["waiting"],
                        # The practice lead's check of the report's factual accuracy (the lifecycle's moves on the
                        # report page while it is with the practice).
                        "report_to_check": (case.report_state == ReportState.WITH_PRACTICE
                                            and document_access.can(user, "check_accuracy", contract))})
    return {
        "plans": [(plan, summaries[plan.pk]) for plan in plans],
        "actions": actions,
        # The same definition as the plan summary's "due in the next 14 days".
        "due_soon": [a for a in actions if a.rag_status != Rag.GREEN
                     and (today <= a.planned_completion <= soon or a.milestone_due_soon)],
        "today": today,
        "support": support,
        "reports_to_check": [row["contract"] for row in support if row["report_to_check"]],
    }
