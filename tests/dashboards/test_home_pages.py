"""Each role's home page answers "what needs me today", through the access policy."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.lifecycle import BY_NAME
from core.roles import Role
from dashboards import charts
from forwardplans import services
from forwardplans.charts import rag_over_time
from forwardplans.models import RagChange

from ..cases import advance
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory, InspectionFactory, PracticeFactory, ReferralFactory

pytestmark = pytest.mark.django_db
R = Role


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_every_role_has_a_home_page(client, world, docs):
    templates = {}
    for role, user in world["users"].items():
        response = home(client, user)
        templates[role] = response.templates[0].template.name
    assert templates == {
        R.COMMISSIONER_PEER_SUPPORT: "home/commissioner.jinja", R.COMMISSIONER_LEAD: "home/commissioner.jinja",
        R.RCGP_DEPUTY_LEAD: "home/rcgp.jinja", R.RCGP_ADMIN: "home/rcgp.jinja", R.RCGP_ADVISER: "home/adviser.jinja",
        R.PRACTICE_USER: "home/practice.jinja", R.PRACTICE_LEAD: "home/practice.jinja",
        R.NHSE_REPORTING: "home/nhse.jinja", R.NHSE_REGIONAL: "home/nhse.jinja"}


def test_commissioner_home_shows_own_practices_and_shared_plans_only_after_consent(client, world, docs):
    own = world["practices"]["own"]
    InspectionFactory(practice=own, overall_rating="inadequate", publication_date=datetime.date(2026, 6, 1))
    response = home(client, world["users"][R.COMMISSIONER_PEER_SUPPORT])
    rows = {row["practice"].name: row for row in response.context["rows"]}
    assert set(rows) == {"Own Practice", "Sibling Practice"}
    assert rows["Own Practice"]["sm"].reinspection_due == datetime.date(2026, 12, 1)
    assert [c.reference for c, _documents in rows["Own Practice"]["contracts"]] == ["DOC-1"]
    assert rows["Own Practice"]["shared_plans"] == 0  # not shared yet
    advance(docs["contract"], "review_meeting", world["users"])
    rows = {row["practice"].name: row for row in home(client, world["users"][R.COMMISSIONER_PEER_SUPPORT])
            .context["rows"]}
    assert rows["Own Practice"]["shared_plans"] == 1
    assert rows["Own Practice"]["rag"] == {"red": 1, "amber": 0, "green": 0}


def test_commissioner_home_sorts_and_filters(client, world):
    InspectionFactory(practice=world["practices"]["own_sibling"], overall_rating="inadequate")
    InspectionFactory(practice=world["practices"]["own"], overall_rating="good")
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    by_rating = client.get(reverse("home"), {"sort": "rating"}).context["rows"]
    assert [r["practice"].name for r in by_rating] == ["Sibling Practice", "Own Practice"]
    in_sm = client.get(reverse("home"), {"special_measures": "yes"}).context["rows"]
    assert [r["practice"].name for r in in_sm] == ["Sibling Practice"]


def test_commissioner_home_pages_its_practices_with_those_being_supported_first(client, world):
    """25 practices a page; a practice with a live contract and nothing flagged comes before those with neither, so
    the practices being supported are on the first page, however many the commissioner has."""
    for n in range(30):
        PracticeFactory(commissioner=world["own"], name=f"A Quiet Practice {n:02}")
    supported = PracticeFactory(commissioner=world["own"], name="Zz Supported Practice")
    ContractFactory(practice=supported, state="scoping", reference="PAGED-1")
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    first = client.get(reverse("home"))
    page = first.context["page"]
    assert page.paginator.count == 2 + 31 and len(first.context["rows"]) == 25
    names = [row["practice"].name for row in first.context["rows"]]
    assert names.index("Zz Supported Practice") < names.index("A Quiet Practice 00")
    assert "Practices 1 to 25 of 33." in first.content.decode()
    second = client.get(reverse("home"), {"page": 2}).context["rows"]
    assert len(second) == 8 and not {row["practice"].name for row in second} & set(names)
    by_name = client.get(reverse("home"), {"sort": "name", "page": 2}).context["rows"]
    assert by_name[-1]["practice"].name == "Zz Supported Practice"  # the other orders are as they were


def test_commissioner_lead_sees_referrals_with_the_working_day_clock(client, world):
    today = timezone.localdate()
    ReferralFactory(practice=world["practices"]["own"], received_on=today, acknowledgement_due=today
                    + datetime.timedelta(days=14))
    ReferralFactory(practice=world["practices"]["other"])
    response = home(client, world["users"][R.COMMISSIONER_LEAD])
    [row] = response.context["referrals"]
    assert row["referral"].practice == world["practices"]["own"]
    assert row["working_days_left"] >= 9
    assert 'id="referral-queue"' in response.content.decode()


def test_deputy_lead_home(client, world, docs):
    deputy = world["users"][R.RCGP_DEPUTY_LEAD]
    ContractFactory(reference="NEW-1", practice=world["practices"]["other"], state="commissioned")
    ContractFactory(reference="LONELY", practice=world["practices"]["own"], state="lead_appointed",
                    deputy_lead=deputy)
    response = home(client, deputy)
    assert [c.reference for c in response.context["waiting_for_lead"]] == ["NEW-1"]
    assert [c.reference for c in response.context["without_team"]] == ["LONELY"]
    [(adviser, load)] = response.context["advisers"]
    assert (adviser.user, load) == (world["users"][R.RCGP_ADVISER], 1)


def test_adviser_home_lists_only_my_contracts_with_what_is_next(client, world, docs):
    ContractFactory(reference="NOT-MINE", practice=world["practices"]["own"], state="scoping")
    response = home(client, world["users"][R.RCGP_ADVISER])
    [row] = response.context["rows"]
    assert row["contract"].reference == "DOC-1"
    assert row["plan_summary"].total == 1 and row["report"].state == "draft"
    # First contact is not recorded yet, and the team may record it; writing the report is the adviser's (sending
    # it is the deputy lead's: what the case waits for next, in the lifecycle table's words).
    assert row["next"] == [("Record first contact", reverse("contracts:detail", args=["DOC-1"]) + "#first-contact"),
                           ("Write the diagnostic report", reverse("forwardplans:report", args=["DOC-1"]))]
    send = BY_NAME["send_report"]
    assert row["waiting"] == [(send.who_text, [send.label])]


def test_practice_home_reds_first_and_due_soon_matches_the_summary(client, world, docs):
    users, plan = world["users"], docs["plan"]
    today = timezone.localdate()
    green = services.action_create(plan=plan, actor=users[R.RCGP_ADVISER],
                                   **dict(ACTION_FIELDS, action_planned="Done already", planned_completion=today))
    services.action_set_rag(action=green, actor=users[R.PRACTICE_LEAD], to_status="green", reason="Done",
                            evidence_justification="Seen", base_version=green.version)
    soon = services.action_create(plan=plan, actor=users[R.RCGP_ADVISER],
                                  **dict(ACTION_FIELDS, action_planned="Due soon",
                                         planned_completion=today + datetime.timedelta(days=60)),
                                  milestones=[("Halfway", today + datetime.timedelta(days=3))])
    response = home(client, users[R.PRACTICE_USER])
    statuses = [a.rag_status for a in response.context["actions"]]
    assert statuses == sorted(statuses, key=["red", "amber", "green"].index)
    [(_, summary)] = response.context["plans"]
    assert soon in response.context["due_soon"]
    assert len(response.context["due_soon"]) == summary.due_soon


def test_practice_home_deadlines_are_what_the_lead_is_reminded_of(client, world, docs):
    """"Your deadlines" comes from the deadline registry: the action's lead has its milestone due in three days,
    named by its action; a practice user who leads nothing has none (the plan's own dates stay in the plan
    summary)."""
    users, action = world["users"], docs["action"]
    today = timezone.localdate()
    action.lead_user = users[R.PRACTICE_LEAD]
    action.planned_completion = today + datetime.timedelta(days=200)  # beyond any page's window
    action.save(update_fields=["lead_user", "planned_completion"])
    action.milestones.filter(description="Searches built").update(due_on=today + datetime.timedelta(days=3))
    action.milestones.filter(description="First recall").update(due_on=today + datetime.timedelta(days=200))
    response = home(client, users[R.PRACTICE_LEAD])
    [due] = response.context["due"]
    assert (due.item_type, due.due_on, due.summary) == ("milestone", today + datetime.timedelta(days=3),
                                                        "Milestone due (contract DOC-1)")
    assert due.text == "Milestone due on “Set up a monthly recall” (contract DOC-1)"
    html = response.content.decode()
    assert f'<a href="/actions/{action.pk}/">Milestone due on “Set up a monthly recall” (contract DOC-1)</a>' in html
    response = home(client, users[R.PRACTICE_USER])
    assert response.context["due"] == [] and "Nothing is due for you." in response.content.decode()


def test_practice_home_opens_the_rag_update_in_place(client, world, docs):
    client.force_login(world["users"][R.PRACTICE_USER])
    html = client.get(reverse("home")).content.decode()
    panel_url = reverse("forwardplans:action_rag", args=[docs["action"].pk])
    assert f'hx-get="{panel_url}"' in html
    panel = client.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert f'id="rag-panel-{docs["action"].pk}"' in panel and "Update RAG status" in panel


def test_nhse_home_shows_figures_only(client, world, docs):
    response = home(client, world["users"][R.NHSE_REPORTING])
    html = response.content.decode()
    assert "Programme outcomes" in html
    assert ("Commissioner 01A", [1, 0, 0]) in response.context["rag_by_commissioner"]
    assert "Set up a monthly recall" not in html  # no plan text


def test_commissioner_home_query_count_is_flat(client, world, django_assert_max_num_queries):
    for n in range(25):
        practice = PracticeFactory(commissioner=world["own"])
        InspectionFactory(practice=practice, report_link_id=f"q{n}")
        ContractFactory(practice=practice, state="scoping")
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    with django_assert_max_num_queries(40):
        client.get(reverse("home"))


def test_rag_over_time_replays_the_history(world, docs):
    users, action, plan = world["users"], docs["action"], docs["plan"]
    now = timezone.now()
    services.action_set_rag(action=action, actor=users[R.PRACTICE_USER], to_status="amber", reason="Started",
                            base_version=action.version)
    RagChange.objects.update(at=now - datetime.timedelta(days=10))
    action.history.filter(history_type="+").update(history_date=now - datetime.timedelta(days=20))
    weeks = rag_over_time(plan, weeks=4, today=timezone.localdate())
    # created 20 days ago (Red), Amber 10 days ago: 3 weeks ago Red, 2 weeks ago Red, 1 week ago Amber, now Amber.
    assert [values for _label, values in weeks] == [[1, 0, 0], [0, 1, 0], [0, 1, 0]]
    assert len(weeks) == 3  # the empty week before the plan began is left out


def test_outcomes_chart_counts_completed_contracts_by_programme_and_year(world):
    from contracts.models import Contract

    for rating, closure in (("good", "none"), ("good", "none"), ("requires_improvement", "emergency")):
        ContractFactory(practice=world["practices"]["own"], state="closed", commissioned_on=datetime.date(2019, 5, 1),
                        end_reason="carried_forward_for_reinspection", rating_after=rating, closure=closure,
                        in_special_measures_after=False)
    ContractFactory(practice=world["practices"]["own"], state="scoping")
    rows = charts.outcomes_by_programme_year(Contract.objects.all())
    assert rows == [("Special measures support, 2019", [2, 0, 0, 0, 1, 0])]



def test_nhse_home_shows_funding_by_financial_year(client, world):
    from decimal import Decimal

    today = timezone.localdate()
    start = today.year if today.month >= 4 else today.year - 1
    from contracts.models import Payment

    # Committed counts the agreement in the year it was signed; spent, payments in the year they were made.
    signed = ContractFactory(practice=world["practices"]["own"], commissioned_on=datetime.date(start, 4, 1),
                             value=Decimal("6000"), state="scoping", mou_signed_on=datetime.date(start, 4, 1))
    Payment.objects.create(contract=signed, funder="nhse", amount=Decimal("1500"), invoiced_on=signed.commissioned_on,
                           paid_on=datetime.date(start, 4, 1))
    ContractFactory(practice=world["practices"]["other"], commissioned_on=datetime.date(start, 3, 31),
                    value=Decimal("4000"), state="enquiry")  # the previous financial year
    response = home(client, world["users"][R.NHSE_REPORTING])
    funding = response.context["funding"]
    assert [(y["contracts"], y["contracted"], y["committed"], y["spent"]) for y in funding[:2]] == [
        (1, Decimal("6000"), Decimal("6000"), Decimal("1500")), (1, Decimal("4000"), Decimal("0"), Decimal("0"))]
    assert "Spent is the payments made in the year" in response.content.decode()
