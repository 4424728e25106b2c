"""Single-use invitations to the staff questionnaire: one answer each, the threshold, anonymity, who sees them,
hashed secrets, and the invitation e-mails over a real SMTP server (in this process and on a real Celery worker).
"""

import hashlib
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.db import connection, transaction
from django.urls import reverse

from contracts.models import TeamMembership
from core.errors import DomainError
from core.roles import Role
from forwardplans import access as document_access
from forwardplans import outbox, tasks
from forwardplans.models import (
    InvitationStatus,
    Questionnaire,
    QuestionnaireInvitation,
    QuestionnaireResponse,
)
from forwardplans.questionnaire_mail import SUBJECT
from forwardplans.questionnaire_services import (
    SEND_INVITATIONS_TASK,
    can_invite_staff,
    questionnaire_close,
    questionnaire_invite_by_email,
    questionnaire_issue_codes,
    questionnaire_open,
)
from forwardplans.vocabulary import QUESTIONNAIRE_STATEMENTS

from ..celery_worker import publishing_to, wait_for
from ..factories import AdviserFactory, ContractFactory, UserFactory

R = Role
KEYS = [key for key, _statement in QUESTIONNAIRE_STATEMENTS]
CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
LINK = re.compile(r"(https?://\S+?)(/questionnaires/answer/([^/\s]+)/)")
SECRET_NOTE = "Partners not speaking to each other"


def form_data(comments="", **values):
    return {**{key: str(values.get(key, 3)) for key in KEYS}, "comments": comments}


@pytest.fixture
def team(world):
    users = world["users"]
    # A reference no code can contain (L, U and O are not in the code alphabet), so "not in the e-mail" means it.
    contract = ContractFactory(reference="LUO-31", practice=world["practices"]["own"], state="scoping",
                               deputy_lead=users[R.RCGP_DEPUTY_LEAD], notes=SECRET_NOTE)
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[R.RCGP_ADVISER]),
                                  added_by=users[R.RCGP_ADMIN])
    other_lead = UserFactory(role=R.PRACTICE_LEAD, practice=world["practices"]["other"])
    return {"contract": contract, "users": users, "other_lead": other_lead}


@pytest.fixture
def questionnaire(team):
    return questionnaire_open(contract=team["contract"], actor=team["users"][R.RCGP_ADVISER])


def invitations_url(q):
    return reverse("questionnaires:invitations", kwargs={"reference": q.contract.reference, "pk": q.pk})


def codes_url(q):
    return reverse("questionnaires:codes", kwargs={"reference": q.contract.reference, "pk": q.pk})


def results_url(q):
    return reverse("questionnaires:results", kwargs={"reference": q.contract.reference, "pk": q.pk})


def answer_url(token):
    return reverse("questionnaires:answer", kwargs={"token": token})


def print_codes(client, user, q, n):
    """The practice asks for ``n`` codes on its page; returns the codes the printable page shows."""
    client.force_login(user)
    response = client.post(codes_url(q), {"count": str(n)})
    assert response.status_code == 200, response.content.decode()[:500]
    client.logout()
    codes = CODE.findall(response.content.decode())
    assert len(codes) == n == len(set(codes))
    return codes


def invite(client, user, q, *addresses):
    client.force_login(user)
    response = client.post(invitations_url(q), {"addresses": "\n".join(addresses)})
    client.logout()
    return response


def results_html(client, team, q):
    client.force_login(team["users"][R.RCGP_ADVISER])
    html = client.get(results_url(q)).content.decode()
    client.logout()
    return html


# One answer per invitation, and the threshold ------------------------------------------------------------

@pytest.mark.django_db
def test_an_invitation_lets_in_one_answer_and_the_second_is_refused(client, team, questionnaire):
    [code] = print_codes(client, team["users"][R.PRACTICE_LEAD], questionnaire, 1)
    # Staff type the code as they read it: any case, spaces for hyphens.
    typed = code.lower().replace("-", " ")
    response = client.post(reverse("questionnaires:code"), {"code": typed})
    assert response.status_code == 302 and response["Location"] == answer_url(code)

    assert client.post(answer_url(code), form_data(comments="First and only", morale=1)).status_code == 302
    again = client.post(answer_url(code), form_data(comments="A second go", morale=5))
    assert again.status_code == 410
    html = again.content.decode()
    assert "This invitation has already been used" in html and "Nothing you entered now has been saved" in html
    assert client.get(answer_url(code)).status_code == 410
    assert list(QuestionnaireResponse.objects.values_list("comments", flat=True)) == ["First and only"]
    assert client.get(reverse("questionnaires:thanks", kwargs={"token": code})).status_code == 200


@pytest.mark.django_db
def test_three_answers_through_three_invitations_show_aggregates_and_two_do_not(client, team, questionnaire):
    codes = print_codes(client, team["users"][R.PRACTICE_LEAD], questionnaire, 3)
    for n, code in enumerate(codes[:2]):
        assert client.post(answer_url(code), form_data(comments=f"Comment number {n}")).status_code == 302
    # An adviser holding a used invitation cannot stuff the questionnaire past the threshold.
    for code in codes[:2]:
        assert client.post(answer_url(code), form_data(comments="Dummy answer")).status_code == 410
    html = results_html(client, team, questionnaire)
    assert "Not enough responses to report" in html
    assert 'id="aggregates"' not in html and "Comment number 0" not in html and "Dummy answer" not in html
    assert QuestionnaireResponse.objects.count() == 2

    assert client.post(answer_url(codes[2]), form_data(comments="Comment number 2")).status_code == 302
    html = results_html(client, team, questionnaire)
    assert 'id="aggregates"' in html and "Not enough responses to report" not in html
    assert all(f"Comment number {n}" in html for n in range(3)) and "Dummy answer" not in html
    assert '<p id="invitation-counts">3 members of staff invited, 3 answered.</p>' in html


def _answer_over_http(base, path, comments, barrier, outcomes):
    """GET the answer page (for the CSRF token), wait for the others, then POST the answers."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    with opener.open(base + path, timeout=30) as page:  # noqa: S310  # nosec B310 - our own live server
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
    body = urllib.parse.urlencode({**form_data(comments=comments), "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(base + path, data=body, headers={"Referer": base + path})  # noqa: S310
    barrier.wait(timeout=30)
    try:
        with opener.open(request, timeout=30) as response:  # noqa: S310  # nosec B310
            outcomes.append(response.status)
    except urllib.error.HTTPError as exc:
        outcomes.append(exc.code)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.django_db(transaction=True)
def test_simultaneous_answers_with_one_invitation_count_once(client, team, questionnaire, live_server):
    [code] = print_codes(client, team["users"][R.PRACTICE_LEAD], questionnaire, 1)
    clients = 8
    barrier, outcomes = threading.Barrier(clients), []
    threads = [threading.Thread(target=_answer_over_http,
                                args=(live_server.url, answer_url(code), f"racer {n}", barrier, outcomes))
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [302] + [410] * (clients - 1)
    assert QuestionnaireResponse.objects.count() == 1
    assert QuestionnaireInvitation.objects.get().used


@pytest.mark.django_db
def test_a_code_page_refuses_a_malformed_or_unknown_code_and_keeps_what_was_typed(client, team, questionnaire):
    print_codes(client, team["users"][R.PRACTICE_LEAD], questionnaire, 1)
    for typed, message in (("ABC", "Enter the code as it is printed"),
                           ("ABCD-EFGH-JKMN-PQRS", "This code is not valid")):
        response = client.post(reverse("questionnaires:code"), {"code": typed})
        assert response.status_code == 200
        html = response.content.decode()
        assert "nhsuk-error-summary" in html and message in html and 'href="#id_code"' in html
        assert f'value="{typed}"' in html
    empty = client.post(reverse("questionnaires:code"), {"code": ""}).content.decode()
    assert "Enter the code printed on your invitation" in empty
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
def test_the_old_shared_link_is_gone_and_unknown_links_get_a_clear_page(client, questionnaire):
    assert "token" not in {field.name for field in Questionnaire._meta.get_fields()}
    page = client.get(answer_url("Zx1T4hQm9wP0aBcDeFgHiJkLmNoPqRsT"))  # what an old shared link looked like
    assert page.status_code == 404
    html = page.content.decode()
    assert "This questionnaire link is not valid" in html and reverse("questionnaires:code") in html
    assert page["Referrer-Policy"] == "no-referrer"
    assert client.post(answer_url("Zx1T4hQm9wP0aBcDeFgHiJkLmNoPqRsT"), form_data()).status_code == 404
    assert not QuestionnaireResponse.objects.exists()


# Anonymity and secrets -----------------------------------------------------------------------------------

def _columns(model):
    with connection.cursor() as cursor:
        return {c.name: c for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}


def _foreign_keys(model):
    with connection.cursor() as cursor:
        return {column: target for column, (target_column, target) in
                connection.introspection.get_relations(cursor, model._meta.db_table).items()}


@pytest.mark.django_db
def test_a_response_keeps_no_link_to_the_invitation_that_opened_it(client, team, questionnaire):
    assert set(_columns(QuestionnaireResponse)) == {"id", "questionnaire_id", "answers", "comments", "received_on"}
    assert _foreign_keys(QuestionnaireResponse) == {"questionnaire_id": "forwardplans_questionnaire"}
    assert _foreign_keys(QuestionnaireInvitation) == {"questionnaire_id": "forwardplans_questionnaire"}
    with connection.cursor() as cursor:  # no other table points at either
        cursor.execute("""SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f'
                          AND confrelid IN ('forwardplans_questionnaireresponse'::regclass,
                                            'forwardplans_questionnaireinvitation'::regclass)""")
        assert cursor.fetchall() == []

    [code] = print_codes(client, team["users"][R.PRACTICE_LEAD], questionnaire, 1)
    before = QuestionnaireInvitation.objects.values().get()
    assert client.post(answer_url(code), form_data(comments="Anonymous")).status_code == 302
    after = QuestionnaireInvitation.objects.values().get()
    # Using an invitation sets "used" (and clears an address): no time, no response id, nothing else.
    assert {k for k in after if after[k] != before[k]} == {"used"}
    response = QuestionnaireResponse.objects.values().get()
    assert set(response) == {"id", "questionnaire_id", "answers", "comments", "received_on"}
    assert str(response["id"]) not in {str(v) for k, v in after.items() if k not in ("id", "questionnaire_id")}


def _database_holds(text):
    """Every text, JSON and character column of every table in the database that contains ``text``."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("""SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = 'public'
                          AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'character')""")
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                           [f"%{text}%"])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.mark.django_db
def test_codes_are_stored_only_as_sha256_hashes(client, team, questionnaire):
    codes = print_codes(client, team["users"][R.PRACTICE_LEAD], questionnaire, 3)
    client.post(answer_url(codes[0]), form_data())
    stored = set(QuestionnaireInvitation.objects.values_list("token_hash", flat=True))
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    for code in codes:
        assert _database_holds(code) == [] and _database_holds(code.replace("-", "")) == []
    # The printed page is shown once: nothing lists the codes again.
    client.force_login(team["users"][R.PRACTICE_LEAD])
    page = client.get(invitations_url(questionnaire))
    assert not CODE.findall(page.content.decode())
    assert "no-store" in client.post(codes_url(questionnaire), {"count": "1"})["Cache-Control"]


# Who sees invitations ------------------------------------------------------------------------------------

PRACTICE = {R.PRACTICE_LEAD, R.PRACTICE_USER}
# (URL, method) -> the status each role of the contract's organisations gets; every role not listed gets 404.
EXPECTED = {
    ("invitations", "GET"): dict.fromkeys(PRACTICE, 200),
    ("invitations", "POST"): dict.fromkeys(PRACTICE, 302),   # addresses saved, back to the page
    ("codes", "POST"): dict.fromkeys(PRACTICE, 200),         # the printable page
    ("codes", "GET"): dict.fromkeys(Role.values, 405),      # POST only, for everyone
}
REFUSAL = {("codes", "GET"): 405}
URLS = {"invitations": invitations_url, "codes": codes_url}
BODIES = {"invitations": {"addresses": "someone@example.nhs.uk"}, "codes": {"count": "2"}}


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name, method", list(EXPECTED))
def test_invitation_pages_are_for_the_contracts_practice_only(client, team, questionnaire, role, name, method):
    client.force_login(team["users"][role])
    url = URLS[name](questionnaire)
    response = client.post(url, BODIES[name]) if method == "POST" else client.get(url)
    want = EXPECTED[(name, method)].get(role, 404)
    assert response.status_code == want
    made = QuestionnaireInvitation.objects.count()
    assert made == ({"invitations": 1, "codes": 2}[name] if want in (200, 302) and method == "POST" else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("name, method", list(EXPECTED))
def test_invitation_pages_refuse_anonymous_and_other_practices(client, team, questionnaire, name, method):
    url = URLS[name](questionnaire)
    call = (lambda: client.post(url, BODIES[name])) if method == "POST" else (lambda: client.get(url))
    response = call()
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for user in (team["other_lead"], AdviserFactory().user, UserFactory(role=R.RCGP_DEPUTY_LEAD)):
        client.force_login(user)
        assert call().status_code == REFUSAL.get((name, method), 404)
    assert not QuestionnaireInvitation.objects.exists()
    with pytest.raises(DomainError):
        questionnaire_issue_codes(questionnaire=questionnaire, count=1, actor=team["users"][R.RCGP_ADVISER])
    with pytest.raises(DomainError):
        questionnaire_invite_by_email(questionnaire=questionnaire, addresses=["a@example.nhs.uk"],
                                      actor=team["users"][R.RCGP_ADMIN])


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_the_invitation_policy_and_the_permission_agree(team, questionnaire, role):
    questionnaire_issue_codes(questionnaire=questionnaire, count=1, actor=team["users"][R.PRACTICE_LEAD])
    for user in (team["users"][role], team["other_lead"]):
        sees = document_access.questionnaire_invitations_for(user).filter(questionnaire=questionnaire).exists()
        assert can_invite_staff.test(user, team["contract"]) == sees


@pytest.mark.django_db
def test_no_rcgp_commissioner_or_nhse_page_shows_an_invitation_or_address(client, team, questionnaire):
    lead = team["users"][R.PRACTICE_LEAD]
    invite(client, lead, questionnaire, "waiting.person@example.nhs.uk")
    codes = print_codes(client, lead, questionnaire, 2)
    contract = team["contract"]
    pages = [reverse("contracts:detail", kwargs={"reference": contract.reference}), results_url(questionnaire),
             reverse("home"), reverse("jobs:notifications"), reverse("search") + "?q=example.nhs.uk",
             reverse("api:contract-detail", kwargs={"reference": contract.reference})]
    for role in set(Role.values) - PRACTICE:
        client.force_login(team["users"][role])
        for page in pages:
            html = client.get(page).content.decode()
            assert "waiting.person" not in html, (role, page)
            assert not any(code in html or code.replace("-", "") in html for code in codes), (role, page)
            assert "/questionnaires/answer/" not in html and "/invitations/" not in html, (role, page)
    client.force_login(team["users"][R.RCGP_ADVISER])
    assert '<p id="invitation-counts">3 members of staff invited, 0 answered.</p>' in (
        client.get(results_url(questionnaire)).content.decode())
    # The practice's own page has the link to inviting staff.
    client.force_login(lead)
    assert invitations_url(questionnaire) in client.get(pages[0]).content.decode()


# Inviting by e-mail: the addresses ------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_invalid_address_refuses_the_lot_and_keeps_what_was_typed(client, team, questionnaire):
    typed = "good.one@example.nhs.uk\nnot an address@\nalso-bad"
    response = invite(client, team["users"][R.PRACTICE_USER], questionnaire, typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "nhsuk-error-summary" in html and 'href="#id_addresses"' in html
    assert "These are not valid e-mail addresses: not, an, address@, also-bad." in html
    assert "good.one@example.nhs.uk\nnot an address@\nalso-bad" in html
    assert not QuestionnaireInvitation.objects.exists()
    empty = invite(client, team["users"][R.PRACTICE_USER], questionnaire, "").content.decode()
    assert "Enter at least one e-mail address" in empty


@pytest.mark.django_db
def test_a_bad_number_of_codes_is_refused_on_the_page_and_makes_none(client, team, questionnaire):
    client.force_login(team["users"][R.PRACTICE_LEAD])
    for typed, message in (("", "Enter how many codes you need"), ("lots", "Enter how many codes you need as a number"),
                           ("0", "Ask for at least 1 code"), ("101", "Ask for at most 100 codes at a time")):
        response = client.post(codes_url(questionnaire), {"count": typed})
        assert response.status_code == 200
        html = response.content.decode()
        assert "nhsuk-error-summary" in html and message in html and 'href="#id_count"' in html
        assert not CODE.findall(html)
    questionnaire_close(questionnaire=questionnaire, actor=team["users"][R.RCGP_ADVISER])
    html = client.post(codes_url(questionnaire), {"count": "2"}).content.decode()
    assert "This questionnaire has closed, so no more staff can be invited." in html
    assert not QuestionnaireInvitation.objects.exists()


@pytest.mark.django_db
def test_a_questionnaire_has_a_ceiling_on_invitations(team, questionnaire, monkeypatch):
    from forwardplans import questionnaire_services

    monkeypatch.setattr(questionnaire_services, "MAX_INVITATIONS", 3)
    lead = team["users"][R.PRACTICE_LEAD]
    questionnaire_issue_codes(questionnaire=questionnaire, count=2, actor=lead)
    with pytest.raises(DomainError, match="at most 3 invitations"):
        questionnaire_invite_by_email(questionnaire=questionnaire, addresses=["a@example.nhs.uk", "b@example.nhs.uk"],
                                      actor=lead)
    with pytest.raises(DomainError, match="at most 3 invitations"):
        questionnaire_issue_codes(questionnaire=questionnaire, count=2, actor=lead)
    assert QuestionnaireInvitation.objects.count() == 2
    questionnaire_invite_by_email(questionnaire=questionnaire, addresses=["a@example.nhs.uk"], actor=lead)
    assert QuestionnaireInvitation.objects.count() == 3


@pytest.mark.django_db
def test_the_same_person_is_not_invited_twice_even_after_answering(client, team, questionnaire, smtp_server,
                                                                   smtp_settings):
    lead = team["users"][R.PRACTICE_LEAD]
    invite(client, lead, questionnaire, "Alice@Example.NHS.uk, bob@example.nhs.uk; alice@example.nhs.uk")
    assert QuestionnaireInvitation.objects.count() == 2
    tasks.send_questionnaire_invitations.apply(args=[None])
    link = smtp_server.link_for("Alice@example.nhs.uk")
    assert client.post(link, form_data()).status_code == 302
    alice = QuestionnaireInvitation.objects.get(used=True)
    assert alice.email == "" and alice.address_key != ""

    client.force_login(lead)
    response = client.post(invitations_url(questionnaire), {"addresses": "alice@example.nhs.uk carol@example.nhs.uk"},
                           follow=True)
    html = response.content.decode()
    assert "1 invitation will be sent by e-mail." in html
    assert "Already invited, so not sent again: alice@example.nhs.uk." in html
    assert QuestionnaireInvitation.objects.count() == 3


@pytest.mark.django_db
def test_addresses_are_deleted_once_sent_and_the_rest_when_the_questionnaire_closes(client, team, questionnaire,
                                                                                   smtp_server, smtp_settings):
    lead = team["users"][R.PRACTICE_LEAD]
    smtp_server.mailbox.refused.add("gone@example.nhs.uk")
    invite(client, lead, questionnaire, "answers@example.nhs.uk", "waits@example.nhs.uk", "gone@example.nhs.uk")
    assert QuestionnaireInvitation.objects.exclude(email="").count() == 3
    tasks.send_questionnaire_invitations.apply(args=[None])
    invite(client, lead, questionnaire, "late@example.nhs.uk")  # not sent before the questionnaire closes
    client.post(smtp_server.link_for("answers@example.nhs.uk"), form_data())
    for address in ("answers", "waits"):
        assert _database_holds(f"{address}@example.nhs.uk") == [], address
    kept = dict(QuestionnaireInvitation.objects.exclude(email="").values_list("email", "status"))
    assert kept == {"gone@example.nhs.uk": InvitationStatus.FAILED, "late@example.nhs.uk": InvitationStatus.PENDING}

    questionnaire_close(questionnaire=questionnaire, actor=team["users"][R.RCGP_ADVISER])
    assert not QuestionnaireInvitation.objects.exclude(email="").exists()
    assert not QuestionnaireInvitation.objects.exclude(address_key="").exists()
    assert QuestionnaireInvitation.objects.get(status=InvitationStatus.NOT_SENT).email == ""
    for address in ("waits", "gone", "late", "answers"):
        assert _database_holds(f"{address}@example.nhs.uk") == [], address
    # The link that was sent no longer lets anyone in, and nothing more is sent.
    assert client.get(smtp_server.link_for("waits@example.nhs.uk")).status_code == 410
    tasks.send_questionnaire_invitations.apply(args=[None])
    assert smtp_server.mailbox.recipients() == ["answers@example.nhs.uk", "waits@example.nhs.uk"]
    with pytest.raises(DomainError, match="closed"):
        questionnaire_invite_by_email(questionnaire=questionnaire, addresses=["new@example.nhs.uk"], actor=lead)
    with pytest.raises(DomainError, match="closed"):
        questionnaire_issue_codes(questionnaire=questionnaire, count=1, actor=lead)


@pytest.mark.django_db
def test_the_demo_has_an_open_questionnaire_whose_practice_can_print_codes_to_try_it(client):
    from core.models import User
    from demo.data import DEMO_STAFF_EMAILS, demo_username, seed_demo

    seed_demo(log=lambda *_: None)
    # The diagnostic one: at closure the demo also asks the staff for feedback (demo/evaluation.py).
    questionnaire = Questionnaire.objects.get(contract__reference="DEMO-SHARED", purpose="diagnostic")
    assert questionnaire.is_open and questionnaire.invitations.count() == len(DEMO_STAFF_EMAILS)
    [code] = print_codes(client, User.objects.get(username=demo_username(R.PRACTICE_LEAD)), questionnaire, 1)
    assert client.post(answer_url(code), form_data()).status_code == 302
    seed_demo(log=lambda *_: None)
    assert Questionnaire.objects.filter(contract__reference="DEMO-SHARED", purpose="diagnostic").count() == 1
    assert Questionnaire.objects.filter(contract__reference="DEMO-SHARED", purpose="closure_feedback").count() == 1


# The e-mail job over real SMTP -----------------------------------------------------------------------------



def test_the_invitation_email_job_sends_over_real_smtp_on_the_worker_and_carries_on_past_a_refusal(
        client, team, questionnaire, smtp_server, start_worker):
    queue = f"invitations-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue=queue, env={"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
                                            "SITE_URL": "https://resilience.example.nhs.uk"})
    mailbox = smtp_server.mailbox
    mailbox.refused.add("nobody@example.nhs.uk")
    mailbox.busy_once.add("busy@example.nhs.uk")
    addresses = ["first@example.nhs.uk", "nobody@example.nhs.uk", "busy@example.nhs.uk", "last@example.nhs.uk"]
    with publishing_to(queue):
        response = invite(client, team["users"][R.PRACTICE_LEAD], questionnaire, *addresses)
    assert response.status_code == 302
    job = outbox.OutboxJob.objects.get(task=SEND_INVITATIONS_TASK)
    assert job.published_at is not None, job.last_error
    assert all(isinstance(pk, int) for pk in job.args[0]), "the job carries ids, never addresses or secrets"

    def settled():
        rows = QuestionnaireInvitation.objects.all()
        return not rows.filter(status__in=[InvitationStatus.PENDING, InvitationStatus.SENDING]).exists()

    # The busy address is retried after the task's back-off (up to 30 s with jitter).
    wait_for(settled, timeout=120, message="every invitation sent or failed")
    refused = QuestionnaireInvitation.objects.get(status=InvitationStatus.FAILED)
    assert refused.email == "nobody@example.nhs.uk" and refused.token_hash is None
    assert refused.error == "The mail server refused it: 550 5.1.1 No such mailbox here"
    sent = QuestionnaireInvitation.objects.filter(status=InvitationStatus.SENT)
    # Sent invitations keep no address; the busy one was retried once after its 451.
    assert sorted(sent.values_list("email", "attempts")) == [("", 1), ("", 1), ("", 2)], worker.log()[-3000:]
    assert mailbox.recipients() == ["busy@example.nhs.uk", "first@example.nhs.uk", "last@example.nhs.uk"]

    tokens = []
    for tos, message in mailbox.messages:
        body = message.get_content()
        assert message["Subject"] == SUBJECT and message["To"] == tos[0]
        for secret in (team["contract"].practice.name, team["contract"].reference, SECRET_NOTE, "Contract"):
            assert secret not in body and secret not in message["Subject"]
        site, path, token = LINK.search(body).groups()
        assert site == "https://resilience.example.nhs.uk"
        tokens.append(token)
        assert _database_holds(token) == [] and _database_holds(token.replace("-", "")) == []
        assert client.get(path).status_code == 200, "each e-mailed link opens the questionnaire"
    assert len(set(tokens)) == 3

    # The practice sees the address that was refused, and why; the RCGP team sees counts only.
    client.force_login(team["users"][R.PRACTICE_LEAD])
    html = client.get(invitations_url(questionnaire)).content.decode()
    failed = html[html.index('id="failed-addresses"'):]
    assert "nobody@example.nhs.uk" in failed and "550" in failed and "first@example.nhs.uk" not in html
    client.force_login(team["users"][R.RCGP_DEPUTY_LEAD])
    results = client.get(results_url(questionnaire)).content.decode()
    assert '<p id="invitation-counts">3 members of staff invited, 0 answered.</p>' in results
    assert "example.nhs.uk" not in results

    # A redelivered job sends nothing again.
    with publishing_to(queue), transaction.atomic():
        again = outbox.enqueue(SEND_INVITATIONS_TASK, job.args[0])
    again.refresh_from_db()
    pattern = re.compile(rf"\[{re.escape(again.task_id)}\] succeeded in [0-9.]+s: (.*)")
    result = wait_for(lambda: (m := pattern.search(worker.log())) and m.group(1), timeout=60,
                      message="the repeated job to finish")
    assert result == "{'sent': 0, 'failed': 0}"
    assert len(mailbox.messages) == 3
