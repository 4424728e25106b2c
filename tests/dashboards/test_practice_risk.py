"""forwardplans.risk.practice_risk: the practices a user may see, most at risk first, with the reasons written out,
counted only from the plans the user may read, and the commissioner's home ranked by it."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from forwardplans.models import Action, ConsentToShare, ForwardPlan, Milestone
from forwardplans.risk import practice_risk
from forwardplans.selectors import PLAN_PAGE_FIELDS, plan_actions, summary_of_groups

from ..cases import advance
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory, InspectionFactory, PracticeFactory

pytestmark = pytest.mark.django_db
R = Role
DAY = datetime.timedelta(days=1)


def _rated(practice, rating, published):
    InspectionFactory(practice=practice, overall_rating=rating, publication_date=published,
                      inspection_date=published - 30 * DAY, report_link_id=f"{practice.ods_code}-{published}")


def _shared_plan(practice, *, red=1, overdue_milestones=1, today):
    """A live contract of ``practice`` whose plan the practice shares with its commissioner: ``red`` Red actions,
    one of them past its planned completion, and ``overdue_milestones`` open milestones past due."""
    contract = ContractFactory(practice=practice, state="review_meeting")
    ConsentToShare.objects.create(contract=contract, status="given")
    plan = ForwardPlan.objects.create(contract=contract)
    for n in range(red):
        action = Action.objects.create(plan=plan, **{**ACTION_FIELDS, "priority": n, "rag_status": "red",
                                                     "planned_completion": today - DAY if n == 0 else today + DAY})
        if n == 0:
            Milestone.objects.bulk_create([Milestone(action=action, description=f"Step {k}", due_on=today - DAY)
                                           for k in range(overdue_milestones)])
    return plan


def test_ranked_by_special_measures_reinspection_red_and_overdue_with_the_reasons_in_words(world):
    today = timezone.localdate()
    own = world["own"]
    overdue_sm = PracticeFactory(commissioner=own, name="Zeta Practice")  # last by name, first by risk
    _rated(overdue_sm, "inadequate", today - relativedelta(months=7))
    due_sm = PracticeFactory(commissioner=own, name="Beta Practice")
    _rated(due_sm, "inadequate", today - relativedelta(months=6) + 10 * DAY)
    later_sm = PracticeFactory(commissioner=own, name="Alpha Practice")
    _rated(later_sm, "inadequate", today - relativedelta(months=1))
    many_red = PracticeFactory(commissioner=own, name="Gamma Practice")
    _shared_plan(many_red, red=3, overdue_milestones=2, today=today)
    one_red = PracticeFactory(commissioner=own, name="Delta Practice")
    _shared_plan(one_red, red=1, overdue_milestones=0, today=today)
    improving = PracticeFactory(commissioner=own, name="Epsilon Practice")
    _rated(improving, "requires_improvement", today - relativedelta(months=2))

    ranked = practice_risk(world["users"][R.COMMISSIONER_LEAD], today=today)
    assert [row.practice.name for row in ranked] == [
        "Zeta Practice", "Beta Practice", "Alpha Practice", "Gamma Practice", "Delta Practice", "Epsilon Practice",
        "Own Practice", "Sibling Practice"]  # nothing at risk: by name, after every practice with a reason
    assert [row.rank for row in ranked] == list(range(1, 9))
    rows = {row.practice.name: row for row in ranked}
    due_on = (today - relativedelta(months=7)) + relativedelta(months=6)
    published = (today - relativedelta(months=7)).strftime("%-d %B %Y")
    assert rows["Zeta Practice"].reasons == [
        f"In special measures since {published}",  # the episode began with the Inadequate report
        f"Re-inspection overdue: it was due by {due_on.strftime('%-d %B %Y')}"]
    assert rows["Beta Practice"].reinspection == "due" and rows["Alpha Practice"].reinspection == ""
    assert rows["Gamma Practice"].reasons == ["3 Red actions", "1 overdue action", "2 overdue milestones"]
    assert rows["Delta Practice"].reasons == ["1 Red action", "1 overdue action"]
    assert rows["Epsilon Practice"].reasons == ["Rated Requires improvement overall"]
    assert rows["Own Practice"].reasons == []
    # The other commissioner's practices are not the lead's to see.
    assert "Other Practice" not in rows


def test_counts_equal_the_plan_page_and_only_from_plans_the_user_may_read(world, docs):
    """Before the practice consents to share, its plan adds nothing to the commissioner's view (no counts from a
    plan they may not see); the practice's own staff and the RCGP team see the same figures as the plan page."""
    today = timezone.localdate()
    users, plan, action = world["users"], docs["plan"], docs["action"]
    Milestone.objects.filter(action=action).update(due_on=today - DAY)  # both overdue
    own = world["practices"]["own"]

    def row_for(user):
        return next(row for row in practice_risk(user, today=today) if row.practice == own)

    def plan_page(plan):
        # What the plan page shows: summary_of_groups over plan_actions (forwardplans/views.py).
        return summary_of_groups(plan_actions(plan, fields=PLAN_PAGE_FIELDS), today=today)

    hidden = row_for(users[R.COMMISSIONER_PEER_SUPPORT])
    assert (hidden.plans, hidden.red_actions, hidden.overdue_actions, hidden.overdue_milestones) == (0, 0, 0, 0)
    assert hidden.reasons == []
    page = plan_page(plan)
    assert page.overdue_milestones == 2 and page.by_rag["red"] == 1
    for role in (R.PRACTICE_USER, R.RCGP_ADVISER, R.RCGP_DEPUTY_LEAD, R.RCGP_ADMIN):
        row = row_for(users[role])
        assert (row.plans, row.by_rag, row.overdue_actions, row.overdue_milestones) == (
            1, page.by_rag, page.overdue_actions, page.overdue_milestones), role
    advance(docs["contract"], "review_meeting", users)  # the practice consents to share
    shared = row_for(users[R.COMMISSIONER_PEER_SUPPORT])
    page = plan_page(plan)
    assert (shared.plans, shared.by_rag, shared.overdue_actions, shared.overdue_milestones) == (
        1, page.by_rag, page.overdue_actions, page.overdue_milestones)
    assert "2 overdue milestones" in shared.reasons


def test_a_fixed_number_of_queries_whatever_the_number_of_practices(world):
    today = timezone.localdate()
    lead = world["users"][R.COMMISSIONER_LEAD]

    def add(n):
        for _ in range(n):
            practice = PracticeFactory(commissioner=world["own"])
            _rated(practice, "inadequate", today - relativedelta(months=3))
            _shared_plan(practice, red=2, overdue_milestones=2, today=today)

    counts = []
    for n in (3, 6):
        add(n)
        with CaptureQueriesContext(connection) as captured:
            ranked = practice_risk(lead, today=today)
            assert all(row.reasons is not None for row in ranked)
        counts.append(len(captured))
    assert counts == [3, 3]
    assert len(ranked) == 2 + 9


def test_commissioner_home_lists_practices_most_at_risk_first_with_reasons_and_links(client, world, docs):
    """The default order is the risk; the overdue column counts overdue milestones too (it showed 0 for a practice
    whose milestones were overdue); each practice links to its open contracts and the plans and reports the
    commissioner may open."""
    today = timezone.localdate()
    users, action = world["users"], docs["action"]
    action.planned_completion = today + 100 * DAY
    action.save(update_fields=["planned_completion"])
    Milestone.objects.filter(action=action).update(due_on=today - DAY)
    advance(docs["contract"], "review_meeting", users)
    client.force_login(users[R.COMMISSIONER_PEER_SUPPORT])
    response = client.get(reverse("home"))
    rows = response.context["rows"]
    assert [row["practice"].name for row in rows] == ["Own Practice", "Sibling Practice"]
    own = rows[0]
    assert (own["overdue_actions"], own["overdue_milestones"]) == (0, 2)
    assert own["risk"].reasons == ["1 Red action", "2 overdue milestones"]
    [(contract, documents)] = own["contracts"]
    assert contract.reference == "DOC-1" and documents == {"report": True, "plan": True}
    html = response.content.decode()
    assert "0 actions, 2 milestones" in html and "2 overdue milestones" in html
    for link in (reverse("forwardplans:plan", args=["DOC-1"]), reverse("forwardplans:report", args=["DOC-1"]),
                 reverse("practices:detail", args=[world["practices"]["own"].ods_code])):
        assert f'href="{link}"' in html
    # Headers say what they mean: no bare "SM" or "RI".
    assert ">SM<" not in html and ">RI<" not in html
    by_name = client.get(reverse("home"), {"sort": "name"}).context["rows"]
    assert [row["practice"].name for row in by_name] == ["Own Practice", "Sibling Practice"]
    by_overdue = client.get(reverse("home"), {"sort": "overdue"}).context["rows"]
    assert by_overdue[0]["practice"].name == "Own Practice"


def test_rcgp_homes_show_the_practices_risk(client, world):
    today = timezone.localdate()
    sibling = world["practices"]["own_sibling"]
    _rated(sibling, "inadequate", today - relativedelta(months=7))
    ContractFactory(reference="NEW-CALM", practice=world["practices"]["own"], state="commissioned",
                    commissioned_on=today - 3 * DAY)
    ContractFactory(reference="NEW-SM", practice=sibling, state="commissioned", commissioned_on=today - DAY)
    client.force_login(world["users"][R.RCGP_DEPUTY_LEAD])
    response = client.get(reverse("home"))
    # The practice in special measures comes first, although its contract is newer.
    assert [c.reference for c in response.context["waiting_for_lead"]] == ["NEW-SM", "NEW-CALM"]
    assert "Re-inspection overdue" in response.content.decode()
