"""Who sees and does what with the evaluation, on every door: the access rules (each verb's one-record face agrees
with its queryset face), the pages (with the NHS error summary, and what was typed kept), the contract page's panel
(and its queries) and the API, where an anonymised case study never shows its practice."""

from itertools import product

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Contract
from core.roles import Role
from evaluation import access
from evaluation.contract_panels import evaluation_panel
from evaluation.models import CaseStudy, PracticeFeedback, Reflection
from tests.factories import UserFactory

from .factories import CASE_STUDY, answers, case_study, feedback, reflection

pytestmark = pytest.mark.django_db
R = Role
PRACTICE = {R.PRACTICE_USER, R.PRACTICE_LEAD}
COMMISSIONER = {R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD}
TEAM = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}


@pytest.fixture
def evaluated(world, closing):
    users = world["users"]
    own, other = closing["own"], closing["other"]
    records = {
        "feedback": feedback(own, users[R.PRACTICE_LEAD]),
        "reflection": reflection(own, users[R.RCGP_ADVISER]),
        "anonymised": case_study(own, users[R.RCGP_DEPUTY_LEAD], status="final"),
        "draft": case_study(own, users[R.COMMISSIONER_LEAD], naming="named", title="A named draft"),
        "far": case_study(other, closing["other_lead"], naming="named", status="final", title="Far away"),
    }
    return {**closing, **records}


def test_each_rule_gives_the_same_answer_for_one_record_as_its_queryset(world, evaluated):
    users = [*world["users"].values(), UserFactory(role=R.RCGP_ADMIN, is_active=False),
             evaluated["other_lead"], evaluated["other_practice_lead"], evaluated["other_deputy"]]
    contracts = [evaluated["own"], evaluated["other"]]
    wrong = []
    for user, (verb, rule), contract in product(users, access.CONTRACT_VERBS.items(), contracts):
        if rule.test(user, contract) != rule.filter(user, Contract.objects.filter(pk=contract.pk)).exists():
            wrong.append((user.role, verb, contract.reference))
    for user, rule, model in product(users, (access.CASE_STUDY_LIST, access.CASE_STUDY_READERS,
                                             access.FEEDBACK_READERS, access.REFLECTION_READERS),
                                     (CaseStudy, PracticeFeedback, Reflection)):
        if model is not CaseStudy and rule in (access.CASE_STUDY_LIST,):
            continue
        for record in model.objects.all():
            if rule.test(user, record) != rule.filter(user, model.objects.filter(pk=record.pk)).exists():
                wrong.append((user.role, rule.name, model.__name__, record.pk))
    assert wrong == []


def test_who_reads_what(world, evaluated):
    users = world["users"]
    for role, user in users.items():
        feedback_seen = set(access.feedback_for(user))
        reflections_seen = set(access.reflections_for(user))
        case_studies = {cs.title for cs in access.case_studies_for(user)}
        assert (feedback_seen == {evaluated["feedback"]}) == (role in TEAM | PRACTICE), role
        assert (reflections_seen == {evaluated["reflection"]}) == (role in TEAM), role
        if role == R.RCGP_ADMIN:
            assert case_studies == {CASE_STUDY["title"], "A named draft", "Far away"}
        elif role == R.NHSE_REPORTING:  # final ones only
            assert case_studies == {CASE_STUDY["title"], "Far away"}
        elif role == R.NHSE_REGIONAL:  # final ones of its region (OWN's, North West) only
            assert case_studies == {CASE_STUDY["title"]}
        else:
            assert case_studies == {CASE_STUDY["title"], "A named draft"}, role


# Pages -------------------------------------------------------------------------------------------------------------

def test_feedback_form_shows_the_error_summary_keeps_what_was_typed_and_saves_nothing(client, world, closing):
    client.force_login(world["users"][R.PRACTICE_LEAD])
    url = reverse("evaluation:feedback", args=["EV-OWN"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"understood": "4", "went_well": "The visits."})
    assert response.status_code == 422
    html = response.content.decode()
    assert "nhsuk-error-summary" in html and 'href="#id_useful' in html
    assert "Select how much you agree that the support was useful to the practice" in html
    assert "The visits." in html and not PracticeFeedback.objects.exists()
    saved = client.post(url, {**{k: str(v) for k, v in answers(5).items()}, "went_well": "The visits."})
    assert saved.status_code == 302 and PracticeFeedback.objects.get().answers == answers(5)


def test_a_case_study_without_the_naming_choice_is_refused_on_the_page(client, world, closing):
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    url = reverse("evaluation:case_study_new", args=["EV-OWN"])
    data = {**CASE_STUDY, "status": "draft"}
    response = client.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Select whether the practice chose to be named or anonymised" in html
    assert 'href="#id_naming' in html and CASE_STUDY["title"] in html
    assert not CaseStudy.objects.exists()
    saved = client.post(url, {**data, "naming": "anonymised"})
    created = CaseStudy.objects.get()
    assert saved.url == reverse("evaluation:case_study", args=[created.pk]) and created.anonymised


def test_a_stale_case_study_edit_shows_what_changed(client, world, evaluated):
    draft = evaluated["draft"]
    client.force_login(world["users"][R.RCGP_ADVISER])
    url = reverse("evaluation:case_study_edit", args=[draft.pk])
    fields = {name: getattr(draft, name) for name in ("title", "support_category", "naming", "summary", "what_worked",
                                                      "what_did_not", "status")}
    assert client.post(url, {**fields, "title": "First", "version": 1}).status_code == 302
    stale = client.post(url, {**fields, "title": "Second", "version": 1})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "What the other person saved" in html and "First" in html
    assert CaseStudy.objects.get(pk=draft.pk).title == "First"


def test_the_practice_lead_changes_the_naming_on_its_page(client, world, evaluated):
    draft = evaluated["draft"]
    client.force_login(world["users"][R.PRACTICE_LEAD])
    page = client.get(reverse("evaluation:case_study", args=[draft.pk])).content.decode()
    assert reverse("evaluation:case_study_naming", args=[draft.pk]) in page
    assert reverse("evaluation:case_study_edit", args=[draft.pk]) not in page
    client.post(reverse("evaluation:case_study_naming", args=[draft.pk]), {"naming": "anonymised", "version": 1})
    assert CaseStudy.objects.get(pk=draft.pk).anonymised


@pytest.mark.parametrize("role, status", [(R.PRACTICE_LEAD, 403), (R.PRACTICE_USER, 403), (R.NHSE_REPORTING, 404)])
def test_a_reader_may_not_change_a_case_study(client, world, evaluated, role, status):
    client.force_login(world["users"][role])
    url = reverse("evaluation:case_study_edit", args=[evaluated["draft"].pk])
    response = client.post(url, {"title": "Ours", "version": 1})
    assert response.status_code == status
    if status == 403:
        assert "changes a case study" in response.content.decode()
    assert client.get(url).status_code == 404


def test_reflections_are_rcgp_only(client, world, evaluated):
    url = reverse("evaluation:reflections", args=["EV-OWN"])
    for role, user in world["users"].items():
        client.force_login(user)
        assert client.get(url).status_code == (200 if role in TEAM else 404), role
    client.force_login(world["users"][R.RCGP_ADVISER])
    page = client.get(url).content.decode()
    assert "Too many meetings." in page and "Change your reflection" in page


# The contract page's panel -----------------------------------------------------------------------------------------

def _panel(user, contract):
    request = RequestFactory().get("/")
    request.user = user
    contract = Contract.objects.select_related("practice").get(pk=contract.pk)
    with CaptureQueriesContext(connection) as queries:
        html = evaluation_panel(request, contract)
    return str(html), len(queries)


def test_the_panel_shows_each_role_what_is_due_and_given(world, evaluated):
    users, own = world["users"], evaluated["own"]
    html, queries = _panel(users[R.RCGP_ADVISER], own)
    assert queries <= 4  # the team, the state, the case studies, the staff questionnaires
    assert "Given on" in html and "1 written; yours is written" in html and "Ask staff for feedback" in html
    assert CASE_STUDY["title"] in html and "Practice anonymised" in html
    html, queries = _panel(users[R.PRACTICE_LEAD], own)
    assert queries <= 3 and "Change<span" in html
    assert "Advisers' reflections" not in html and "Draft a case study" not in html
    html, queries = _panel(users[R.COMMISSIONER_LEAD], own)
    assert queries <= 2 and "Draft a case study" in html and "Read<span" not in html and "Staff feedback" not in html
    html, queries = _panel(users[R.NHSE_REPORTING], own)
    assert html == "" and queries == 0


def test_no_panel_before_closure(world):
    from tests.factories import ContractFactory

    contract = ContractFactory(practice=world["practices"]["own"], state="delivery")
    html, queries = _panel(world["users"][R.RCGP_ADMIN], contract)
    assert html == "" and queries == 0


def test_the_contract_page_shows_the_panel(client, world, evaluated):
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    html = client.get(reverse("contracts:detail", args=["EV-OWN"])).content.decode()
    assert 'id="evaluation"' in html and reverse("evaluation:case_study", args=[evaluated["draft"].pk]) in html


# The API -----------------------------------------------------------------------------------------------------------

def test_the_api_never_shows_the_practice_of_an_anonymised_case_study(client, world, evaluated):
    client.force_login(world["users"][R.NHSE_REPORTING])
    rows = {row["title"]: row for row in client.get(reverse("api:case-study-list")).json()["results"]}
    assert set(rows) == {CASE_STUDY["title"], "Far away"}
    hidden = rows[CASE_STUDY["title"]]
    assert hidden["practice"] is None and hidden["practice_name"] is None and hidden["contract"] is None
    assert hidden["commissioner"] == "01A" and hidden["naming"] == "anonymised"
    assert rows["Far away"]["practice_name"] == "Other Practice" and rows["Far away"]["contract"] == "EV-OTHER"
    exported = client.get(reverse("api:case-study-list") + "?format=csv").content.decode("utf-8-sig")
    assert "Own Practice" not in exported and "Other Practice" in exported


def test_the_api_lists_a_partys_case_studies(client, world, evaluated):
    client.force_login(world["users"][R.PRACTICE_USER])
    rows = client.get(reverse("api:case-study-list")).json()["results"]
    assert {row["title"] for row in rows} == {CASE_STUDY["title"], "A named draft"}
    client.force_login(world["users"][R.RCGP_ADVISER])
    rows = client.get(reverse("api:case-study-list") + "?status=draft").json()["results"]
    assert [row["title"] for row in rows] == ["A named draft"]
