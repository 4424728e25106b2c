"""The confidential staff questionnaire: who runs it, anonymous answers, aggregates and who sees answers.

Invitations (single-use links and codes, their e-mails and who sees them) are in test_questionnaire_invitations.py."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import TeamMembership
from core.errors import DomainError
from core.roles import Role
from forwardplans import access as document_access
from forwardplans.models import Questionnaire, QuestionnaireResponse
from forwardplans.questionnaire_services import (
    can_read_answers,
    questionnaire_aggregates,
    questionnaire_close,
    questionnaire_issue_codes,
    questionnaire_open,
    questionnaire_submit,
    questionnaire_summary_text,
)
from forwardplans.vocabulary import QUESTIONNAIRE_STATEMENTS

from ..factories import AdviserFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

KEYS = [key for key, _statement in QUESTIONNAIRE_STATEMENTS]


def answers(**values):
    """Every statement answered 3, except those given."""
    return {key: values.get(key, 3) for key in KEYS}


def form_data(comments="", **values):
    return {**{key: str(value) for key, value in answers(**values).items()}, "comments": comments}


@pytest.fixture
def team(world):
    users = world["users"]
    contract = ContractFactory(reference="31", practice=world["practices"]["own"], state="scoping",
                               deputy_lead=users[Role.RCGP_DEPUTY_LEAD], notes="Partners not speaking to each other")
    membership = TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[Role.RCGP_ADVISER]),
                                               added_by=users[Role.RCGP_ADMIN])
    outsider = AdviserFactory().user  # an adviser on another contract's team
    elsewhere = ContractFactory(reference="40", practice=world["practices"]["other"], state="scoping",
                                deputy_lead=UserFactory(role=Role.RCGP_DEPUTY_LEAD))
    TeamMembership.objects.create(contract=elsewhere, adviser=outsider.adviser_profile, added_by=users[Role.RCGP_ADMIN])
    return {"contract": contract, "membership": membership, "outsider": outsider, "users": users}


@pytest.fixture
def questionnaire(team):
    return questionnaire_open(contract=team["contract"], actor=team["users"][Role.RCGP_ADVISER])


def results_url(q):
    return reverse("questionnaires:results", kwargs={"reference": q.contract.reference, "pk": q.pk})


def answer_url(code):
    return reverse("questionnaires:answer", kwargs={"token": code})


def codes(q, n=1):
    """``n`` single-use codes, printed by the practice's lead."""
    lead = q.contract.practice.users.get(role=Role.PRACTICE_LEAD)
    return questionnaire_issue_codes(questionnaire=q, count=n, actor=lead)


def code(q):
    return codes(q)[0]


# Opening and closing ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD])
def test_team_adviser_and_deputy_lead_open_a_questionnaire(client, team, role):
    client.force_login(team["users"][role])
    response = client.post(reverse("questionnaires:open", kwargs={"reference": "31"}))
    questionnaire = Questionnaire.objects.get(contract=team["contract"])
    assert response.status_code == 302
    assert response["Location"] == results_url(questionnaire)
    assert questionnaire.is_open and questionnaire.opened_by == team["users"][role]
    html = client.get(response["Location"]).content.decode()
    assert "Staff questionnaire opened. The practice can now invite its staff" in html


@pytest.mark.parametrize("role", [Role.PRACTICE_LEAD, Role.PRACTICE_USER, Role.COMMISSIONER_LEAD,
                                  Role.COMMISSIONER_PEER_SUPPORT, Role.NHSE_REPORTING])
def test_others_cannot_open_a_questionnaire(client, team, role):
    user = team["users"][role]
    with pytest.raises(DomainError):
        questionnaire_open(contract=team["contract"], actor=user)
    client.force_login(user)
    assert client.post(reverse("questionnaires:open", kwargs={"reference": "31"})).status_code == 404
    assert not Questionnaire.objects.exists()


def test_adviser_not_on_the_team_cannot_open_one(client, team):
    with pytest.raises(DomainError):
        questionnaire_open(contract=team["contract"], actor=team["outsider"])
    client.force_login(team["outsider"])
    assert client.post(reverse("questionnaires:open", kwargs={"reference": "31"})).status_code == 404
    assert not Questionnaire.objects.exists()


def test_rcgp_admin_may_open_but_is_not_shown_the_answers(client, team):
    client.force_login(team["users"][Role.RCGP_ADMIN])
    response = client.post(reverse("questionnaires:open", kwargs={"reference": "31"}))
    assert response["Location"] == reverse("contracts:detail", kwargs={"reference": "31"})
    assert client.get(results_url(Questionnaire.objects.get())).status_code == 404


def test_one_open_questionnaire_per_contract(client, team, questionnaire):
    adviser = team["users"][Role.RCGP_ADVISER]
    with pytest.raises(DomainError, match="already open"):
        questionnaire_open(contract=team["contract"], actor=adviser)
    client.force_login(adviser)
    response = client.post(reverse("questionnaires:open", kwargs={"reference": "31"}), follow=True)
    assert "already open" in response.content.decode()
    assert Questionnaire.objects.count() == 1
    questionnaire_close(questionnaire=questionnaire, actor=adviser)
    assert questionnaire_open(contract=team["contract"], actor=adviser).is_open


def test_no_questionnaire_on_an_ended_contract(team):
    team["contract"].state = "closed"
    team["contract"].save()
    with pytest.raises(DomainError, match="ended"):
        questionnaire_open(contract=team["contract"], actor=team["users"][Role.RCGP_DEPUTY_LEAD])


def test_team_closes_the_questionnaire(client, team, questionnaire):
    client.force_login(team["users"][Role.RCGP_DEPUTY_LEAD])
    url = reverse("questionnaires:close", kwargs={"reference": "31", "pk": questionnaire.pk})
    response = client.post(url)
    assert response["Location"] == results_url(questionnaire)
    questionnaire.refresh_from_db()
    assert not questionnaire.is_open
    with pytest.raises(DomainError, match="already closed"):
        questionnaire_close(questionnaire=questionnaire, actor=team["users"][Role.RCGP_ADVISER])


@pytest.mark.parametrize("role", [Role.PRACTICE_LEAD, Role.COMMISSIONER_LEAD, Role.NHSE_REPORTING])
def test_others_cannot_close_it(client, team, questionnaire, role):
    with pytest.raises(DomainError):
        questionnaire_close(questionnaire=questionnaire, actor=team["users"][role])
    client.force_login(team["users"][role])
    url = reverse("questionnaires:close", kwargs={"reference": "31", "pk": questionnaire.pk})
    assert client.post(url).status_code == 404
    questionnaire.refresh_from_db()
    assert questionnaire.is_open


# Answering anonymously --------------------------------------------------------------------------

def test_staff_answer_through_an_invitation_without_logging_in(client, world, team, questionnaire):
    invitation = code(questionnaire)
    page = client.get(answer_url(invitation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Own Practice" in html
    assert html.count("<fieldset") == len(QUESTIONNAIRE_STATEMENTS)
    for _key, statement in QUESTIONNAIRE_STATEMENTS:
        assert statement.replace("'", "&#39;") in html
    # Nothing else of the practice or contract, and no account in the header.
    for secret in ("Partners not speaking", world["practices"]["own"].ods_code, "Commissioner 01A",
                   team["users"][Role.RCGP_DEPUTY_LEAD].username, "Log out"):
        assert secret not in html
    assert page["Referrer-Policy"] == "no-referrer"

    response = client.post(answer_url(invitation), form_data(comments="Rota is a struggle.", morale=1))
    assert response.status_code == 302
    assert response["Location"] == reverse("questionnaires:thanks", kwargs={"token": invitation})
    assert client.get(response["Location"]).status_code == 200

    stored = QuestionnaireResponse.objects.get()
    assert stored.questionnaire == questionnaire
    assert stored.answers == answers(morale=1)
    assert stored.comments == "Rota is a struggle."
    assert stored.received_on == timezone.localdate()
    assert "_auth_user_id" not in client.session


def test_a_response_keeps_no_user_ip_or_time():
    fields = {f.name for f in QuestionnaireResponse._meta.get_fields()}
    assert fields == {"id", "questionnaire", "answers", "comments", "received_on"}
    assert QuestionnaireResponse._meta.get_field("received_on").get_internal_type() == "DateField"


def test_a_signed_in_user_answering_is_not_recorded(client, team, questionnaire):
    client.force_login(team["users"][Role.PRACTICE_USER])
    client.post(answer_url(code(questionnaire)), form_data())
    stored = QuestionnaireResponse.objects.get()
    assert team["users"][Role.PRACTICE_USER].username not in str(stored.answers) + stored.comments


def test_missing_answers_show_an_error_summary_and_save_nothing(client, questionnaire):
    data = form_data(comments="Half done")
    del data["morale"], data["safety"]
    invitation = code(questionnaire)
    response = client.post(answer_url(invitation), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html and "There is a problem" in html
    assert "Select how much you agree that morale in the practice is good" in html
    assert "Select how much you agree that I feel able to raise concerns about patient safety" in html
    assert 'href="#id_morale"' in html
    assert "Half done" in html, "what was typed is kept"
    assert not QuestionnaireResponse.objects.exists()
    assert client.post(answer_url(invitation), form_data()).status_code == 302, "the invitation is not used up"


def test_answers_outside_the_scale_and_long_comments_are_refused(client, questionnaire):
    invitation = code(questionnaire)
    response = client.post(answer_url(invitation), form_data(morale=7))
    assert "Select how much you agree that morale in the practice is good" in response.content.decode()
    response = client.post(answer_url(invitation), form_data(comments="word " * 501))
    assert "Comments must be 500 words or fewer" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()
    with pytest.raises(DomainError):
        questionnaire_submit(token=invitation, answers={"morale": 3}, comments="")
    with pytest.raises(DomainError):
        questionnaire_submit(token=invitation, answers=answers(morale=0), comments="")
    with pytest.raises(DomainError, match="500 words"):
        questionnaire_submit(token=invitation, answers=answers(), comments="word " * 501)
    assert not QuestionnaireResponse.objects.exists()
    questionnaire_submit(token=invitation, answers=answers(), comments="word " * 500)


def test_closed_questionnaire_is_refused(client, team, questionnaire):
    invitation = code(questionnaire)
    questionnaire_close(questionnaire=questionnaire, actor=team["users"][Role.RCGP_ADVISER])
    page = client.get(answer_url(invitation))
    assert page.status_code == 410
    assert "This questionnaire has closed" in page.content.decode()
    assert client.post(answer_url(invitation), form_data()).status_code == 410
    with pytest.raises(DomainError, match="closed"):
        questionnaire_submit(token=invitation, answers=answers(), comments="")
    assert not QuestionnaireResponse.objects.exists()


def test_unknown_token_is_not_found(client, questionnaire):
    code(questionnaire)
    page = client.get(reverse("questionnaires:answer", kwargs={"token": "not-a-real-token"}))
    assert page.status_code == 404 and "This questionnaire link is not valid" in page.content.decode()
    assert client.get(reverse("questionnaires:answer", kwargs={"token": "ABCD-EFGH-JKMN-PQRS"})).status_code == 404
    assert client.get(reverse("questionnaires:thanks", kwargs={"token": "not-a-real-token"})).status_code == 404
    with pytest.raises(DomainError):
        questionnaire_submit(token="not-a-real-token", answers=answers(), comments="")
    with pytest.raises(DomainError):
        questionnaire_submit(token="", answers=answers(), comments="")


# Aggregates -------------------------------------------------------------------------------------

HAND_MADE = [
    {"leadership": 4, "management": 2, "communication": 3, "workload": 1, "safety": 5, "morale": 1},
    {"leadership": 4, "management": 3, "communication": 3, "workload": 1, "safety": 5, "morale": 2},
    {"leadership": 5, "management": 4, "communication": 3, "workload": 1, "safety": 5, "morale": 2},
    {"leadership": 3, "management": 5, "communication": 4, "workload": 2, "safety": 5, "morale": 5},
]
# Worked by hand: sum / 4, rounded half up to one decimal place.
EXPECTED_MEANS = {
    "leadership": Decimal("4.0"),     # 16 / 4
    "management": Decimal("3.5"),     # 14 / 4
    "communication": Decimal("3.3"),  # 13 / 4 = 3.25
    "workload": Decimal("1.3"),       # 5 / 4 = 1.25
    "safety": Decimal("5.0"),         # 20 / 4
    "morale": Decimal("2.5"),         # 10 / 4
}
EXPECTED_DISTRIBUTION = {
    "leadership": [0, 0, 1, 2, 1],
    "management": [0, 1, 1, 1, 1],
    "communication": [0, 0, 3, 1, 0],
    "workload": [3, 1, 0, 0, 0],
    "safety": [0, 0, 0, 0, 4],
    "morale": [1, 2, 0, 0, 1],
}


def fill(questionnaire, rows):
    for row, invitation in zip(rows, codes(questionnaire, len(rows)), strict=True):
        questionnaire_submit(token=invitation, answers=row, comments="")


def test_aggregates_on_hand_made_responses(questionnaire):
    fill(questionnaire, HAND_MADE)
    aggregates = questionnaire_aggregates(questionnaire)
    assert aggregates.total == 4 and not aggregates.too_few
    by_key = {item.key: item for item in aggregates.statements}
    assert list(by_key) == KEYS
    for key in KEYS:
        assert by_key[key].count == 4
        assert by_key[key].mean == EXPECTED_MEANS[key], key
        assert [p.count for p in by_key[key].distribution] == EXPECTED_DISTRIBUTION[key], key
        assert [p.value for p in by_key[key].distribution] == [1, 2, 3, 4, 5]
    assert by_key["morale"].disagree == 3 and by_key["morale"].agree == 1


def test_aggregates_use_one_query(questionnaire, django_assert_num_queries):
    fill(questionnaire, HAND_MADE)
    with django_assert_num_queries(1):
        questionnaire_aggregates(questionnaire)


def test_summary_text_quotes_the_aggregates(questionnaire):
    fill(questionnaire, HAND_MADE)
    text = questionnaire_summary_text(questionnaire)
    assert text.startswith("4 members of staff responded to the confidential questionnaire.")
    assert ("‘Morale in the practice is good.’: mean 2.5 of 5 (1 of 4 agree or strongly agree, "
            "3 of 4 disagree or strongly disagree).") in text
    assert "‘My workload is manageable.’: mean 1.3 of 5" in text


def test_too_few_responses_hide_the_detail(client, team, questionnaire):
    fill(questionnaire, HAND_MADE[:2])
    aggregates = questionnaire_aggregates(questionnaire)
    assert aggregates.total == 2 and aggregates.too_few
    assert aggregates.message == "Not enough responses to report"
    for item in aggregates.statements:
        assert item.count == 2
        assert item.mean is None and item.distribution == ()
    assert "Not enough responses to report" in questionnaire_summary_text(questionnaire)
    assert "mean" not in questionnaire_summary_text(questionnaire)

    QuestionnaireResponse.objects.filter(questionnaire=questionnaire).update(comments="Only two of us answered")
    client.force_login(team["users"][Role.RCGP_ADVISER])
    html = client.get(results_url(questionnaire)).content.decode()
    assert "Not enough responses to report" in html
    assert "Only two of us answered" not in html, "individual answers are hidden too"


def test_no_responses(questionnaire):
    aggregates = questionnaire_aggregates(questionnaire)
    assert aggregates.total == 0 and aggregates.too_few
    assert questionnaire_summary_text(questionnaire) == "No staff responded to the confidential questionnaire."


# Who sees the results ---------------------------------------------------------------------------

RESULTS_STATUS = {
    Role.RCGP_ADVISER: 200,       # on the team
    Role.RCGP_DEPUTY_LEAD: 200,   # leads the contract
    Role.RCGP_ADMIN: 404,
    Role.PRACTICE_LEAD: 404,
    Role.PRACTICE_USER: 404,
    Role.COMMISSIONER_LEAD: 404,
    Role.COMMISSIONER_PEER_SUPPORT: 404,
    Role.NHSE_REPORTING: 404,
    Role.NHSE_REGIONAL: 404,
}


@pytest.mark.parametrize("role", Role.values)
def test_results_page_for_the_team_and_deputy_lead_only(client, team, questionnaire, role):
    fill(questionnaire, HAND_MADE)
    client.force_login(team["users"][role])
    response = client.get(results_url(questionnaire))
    assert response.status_code == RESULTS_STATUS[role]
    if response.status_code == 200:
        html = response.content.decode()
        assert 'id="aggregates"' in html
        assert "Individual answers" in html and "Response 4" in html
        assert '<p id="invitation-counts">4 members of staff invited, 4 answered.</p>' in html
        assert "/questionnaires/answer/" not in html, "no way in for the team"


def test_results_page_404_for_other_advisers_and_deputy_leads(client, team, questionnaire):
    for user in (team["outsider"], UserFactory(role=Role.RCGP_DEPUTY_LEAD)):
        client.force_login(user)
        assert client.get(results_url(questionnaire)).status_code == 404
    # Nor under another contract's reference.
    client.force_login(team["outsider"])
    url = reverse("questionnaires:results", kwargs={"reference": "40", "pk": questionnaire.pk})
    assert client.get(url).status_code == 404


def test_adviser_removed_from_the_team_loses_access(client, team, questionnaire):
    fill(questionnaire, HAND_MADE)
    adviser = team["users"][Role.RCGP_ADVISER]
    client.force_login(adviser)
    assert client.get(results_url(questionnaire)).status_code == 200
    team["membership"].removed_at = timezone.now()
    team["membership"].save()
    assert client.get(results_url(questionnaire)).status_code == 404
    assert not document_access.questionnaire_responses_for(adviser).exists()
    with pytest.raises(DomainError):
        questionnaire_close(questionnaire=questionnaire, actor=adviser)


@pytest.mark.parametrize("role", Role.values)
def test_results_permission_matches_the_access_policy(team, questionnaire, role):
    fill(questionnaire, HAND_MADE[:1])
    for user in (team["users"][role], team["outsider"]):
        sees_answers = document_access.questionnaire_responses_for(user).filter(questionnaire=questionnaire).exists()
        assert can_read_answers.test(user, team["contract"]) == sees_answers


def test_free_text_is_escaped(client, team, questionnaire):
    fill(questionnaire, HAND_MADE[:2])
    questionnaire_submit(token=code(questionnaire), answers=answers(),
                         comments="<script>alert('x')</script>\n<b>bold</b> & more")
    client.force_login(team["users"][Role.RCGP_DEPUTY_LEAD])
    html = client.get(results_url(questionnaire)).content.decode()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;<br>&lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    assert "<script>alert" not in html and "<b>bold</b>" not in html


def test_results_list_the_contracts_other_questionnaires(client, team, questionnaire):
    adviser = team["users"][Role.RCGP_ADVISER]
    questionnaire_close(questionnaire=questionnaire, actor=adviser)
    second = questionnaire_open(contract=team["contract"], actor=adviser)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(opened_at=timezone.now() - datetime.timedelta(days=30))
    client.force_login(adviser)
    html = client.get(results_url(second)).content.decode()
    assert results_url(questionnaire) in html
    assert "Close the questionnaire" in html
    html = client.get(results_url(questionnaire)).content.decode()
    assert "Close the questionnaire" not in html and "Open a new questionnaire" not in html
