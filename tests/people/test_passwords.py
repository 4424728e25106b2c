"""Forgotten password (people/passwords.py, people/reset_mail.py, people/tasks.py): asking for a link gives
the same answer for a known and an unknown address; the job sends the link made at sending time; a link works once,
expires, and a tampered one changes nothing; every refused link is logged; a reset ends every other session.

The links here are made by the product's own ``reset_mail.reset_link`` (what the job puts in the e-mail); the round
trip through the real Celery worker and SMTP server is in test_passwords_round_trip.py."""

import logging
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.models import SignedInSession, User
from core.roles import Role
from forwardplans.job_models import OutboxJob
from people import passwords, reset_mail
from people.models import PeopleChange, SignInPolicy
from tests.factories import PASSWORD, user_for

pytestmark = pytest.mark.django_db
R = Role
NEW_PASSWORD = "violet-harbour-lantern-42"
REFUSED_PAGE = "This link does not work"
DONE, REFUSED = PeopleChange.Outcome.DONE, PeopleChange.Outcome.REFUSED


@pytest.fixture(autouse=True)
def _no_request_counts():
    """The hourly request limits live in the shared cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(world):
    return user_for(R.PRACTICE_LEAD, practice=world["practices"]["own"], email="pat.lead@example.nhs.uk",
                    username="pat")


def _path(link):
    return re.sub(r"^https?://[^/]+", "", link)


def _reset(client, link, password=NEW_PASSWORD, again=None):
    """Open the link (its token moves into the session) and post the new password twice."""
    opened = client.get(_path(link))
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/"), opened.status_code
    form = client.get(opened["Location"])
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    return client.post(opened["Location"], {"new_password1": password, "new_password2": again or password})


def _works(username, password):
    """Whether signing in with this password works (the sign-in page itself: axes, the backends and all)."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _log(user, outcome=None):
    rows = PeopleChange.objects.filter(subject=user, action=PeopleChange.Action.PASSWORD_RESET).order_by("at", "pk")
    if outcome:
        rows = rows.filter(outcome=outcome)
    return list(rows.values_list("detail", flat=True))


# Asking for a link ------------------------------------------------------------------------------------------------

def _ask(client, email, **extra):
    return client.post(reverse("account:password_reset"), {"email": email}, **extra)


def _answer_page(client, response):
    page = client.get(response["Location"]).content.decode()
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', "", page)  # per response


def test_a_known_and_an_unknown_address_get_the_same_answer_and_the_job_only_knows_ids(client, person):
    known = _ask(client, "Pat.Lead@example.nhs.uk")
    unknown = _ask(Client(), "nobody@example.nhs.uk")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account:password_reset_sent")
    assert _answer_page(client, known) == _answer_page(Client(), unknown)
    assert "If a Practice Resilience account uses that email address" in _answer_page(client, known)
    # Both requests enqueue the job (the same work either way); it carries account ids, never the address.
    jobs = list(OutboxJob.objects.filter(task=passwords.RESET_TASK).order_by("pk").values_list("args", flat=True))
    assert jobs == [[[person.pk]], [[]]]


def test_a_deactivated_account_is_not_sent_a_link(client, person):
    User.objects.filter(pk=person.pk).update(is_active=False)
    _ask(client, person.email)
    assert OutboxJob.objects.get(task=passwords.RESET_TASK).args == [[]]


def test_an_address_that_is_not_one_is_refused_with_the_summary_and_kept(client):
    response = client.post(reverse("account:password_reset"), {"email": "not an address"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in html and 'href="#id_email"' in html
    assert "Enter an email address in the correct format, like name@example.nhs.uk" in html
    assert 'value="not an address"' in html
    assert not OutboxJob.objects.filter(task=passwords.RESET_TASK).exists()


def test_requests_over_the_hourly_limit_get_the_same_answer_and_send_nothing(client, person, caplog):
    answers = [_ask(client, person.email, REMOTE_ADDR="10.1.1.1") for _ in range(passwords.PER_ADDRESS + 1)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("account:password_reset_sent"))}
    jobs = list(OutboxJob.objects.filter(task=passwords.RESET_TASK).order_by("pk").values_list("args", flat=True))
    assert jobs == [[[person.pk]]] * passwords.PER_ADDRESS + [[[]]]
    assert "over the hourly limit" in caplog.text
    # Another address from another client is not held back.
    other = user_for(R.PRACTICE_USER, practice=person.practice, email="sam@example.nhs.uk")
    _ask(client, other.email, REMOTE_ADDR="10.1.1.2")
    assert OutboxJob.objects.filter(task=passwords.RESET_TASK).order_by("-pk").first().args == [[other.pk]]


def test_one_client_asking_for_many_addresses_is_limited_too(client, person):
    for n in range(passwords.PER_CLIENT):
        _ask(client, f"someone{n}@example.nhs.uk", REMOTE_ADDR="10.2.2.2")
    _ask(client, person.email, REMOTE_ADDR="10.2.2.2")
    assert OutboxJob.objects.filter(task=passwords.RESET_TASK).order_by("-pk").first().args == [[]]
    _ask(client, person.email, REMOTE_ADDR="10.2.2.3")
    assert OutboxJob.objects.filter(task=passwords.RESET_TASK).order_by("-pk").first().args == [[person.pk]]


# The e-mail ---------------------------------------------------------------------------------------------------------

def test_the_message_carries_a_working_link_and_says_how_long_it_lasts(person, settings):
    settings.SITE_URL = "https://resilience.example.nhs.uk"
    message = reset_mail.reset_email(person)
    body = message.body
    assert message.to == ["pat.lead@example.nhs.uk"] and message.subject == reset_mail.SUBJECT
    link = re.search(r"https://resilience\.example\.nhs\.uk(/accounts/password/reset/[^/\s]+/[^/\s]+/)", body)
    assert link and "works once and stops working after 60 minutes" in body and "pat" in body


def test_an_account_without_a_password_is_told_to_sign_in_with_its_nhs_account(person):
    person.set_unusable_password()
    person.save()
    message = reset_mail.reset_email(person)
    assert message.subject == reset_mail.SSO_ONLY_SUBJECT
    assert "sign in with your NHS account" in message.body and "/accounts/login/" in message.body
    assert "/accounts/password/reset/" not in message.body


def test_an_account_whose_organisation_turned_password_sign_in_off_gets_no_link(person):
    SignInPolicy.objects.create(organisation_kind="practice", practice=person.practice, password_sign_in=False)
    message = reset_mail.reset_email(person)
    assert message.subject == reset_mail.SSO_ONLY_SUBJECT and "sign in with your NHS account" in message.body
    assert "/accounts/password/reset/" not in message.body


def test_a_deactivated_account_or_one_without_an_address_gets_no_message(person):
    person.is_active = False
    assert reset_mail.reset_email(person) is None
    person.is_active, person.email = True, ""
    assert reset_mail.reset_email(person) is None


# Using a link -------------------------------------------------------------------------------------------------------

def test_a_link_sets_the_new_password_once_and_is_logged(client, person):
    link = reset_mail.reset_link(person)
    done = _reset(client, link)
    assert done.status_code == 302 and done["Location"] == reverse("account:password_reset_complete")
    assert "Your password has been changed" in client.get(done["Location"]).content.decode()
    assert _works("pat", NEW_PASSWORD)
    assert not _works("pat", PASSWORD)
    assert _log(person, DONE) == ["Password reset by e-mail link; 0 signed-in sessions ended."]
    change = PeopleChange.objects.get(subject=person, outcome=DONE)
    assert (change.organisation_kind, change.practice_id, change.actor_id) == ("practice", person.practice_id,
                                                                              person.pk)

    # The same link again: refused, says how to ask for a new one, changes nothing, and is logged.
    again = Client().get(_path(link))
    html = again.content.decode()
    assert REFUSED_PAGE in html and reverse("account:password_reset") in html
    assert "Your password has not been changed" in html
    assert _works("pat", NEW_PASSWORD)
    assert _log(person, REFUSED) == [
        "Password reset link refused: already used (the password or last sign-in changed since), or altered."]


def test_a_link_opened_in_two_tabs_sets_the_password_once(person):
    link = reset_mail.reset_link(person)
    first, second = Client(), Client()
    forms = []
    for tab in (first, second):
        opened = tab.get(_path(link))
        forms.append(opened["Location"])
    assert first.post(forms[0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302
    late = second.post(forms[1], {"new_password1": "another-lantern-harbour-7",
                                  "new_password2": "another-lantern-harbour-7"})
    assert REFUSED_PAGE in late.content.decode()
    assert _works("pat", NEW_PASSWORD)
    assert not _works("pat", "another-lantern-harbour-7")
    assert len(_log(person, DONE)) == 1 and len(_log(person, REFUSED)) == 1


def test_an_expired_link_is_refused_and_changes_nothing(client, person, settings, caplog):
    link = reset_mail.reset_link(person)
    settings.PASSWORD_RESET_TIMEOUT = 1
    time.sleep(2.1)
    with caplog.at_level(logging.WARNING, logger="people.security"):
        response = client.get(_path(link))
    assert response.status_code == 200 and REFUSED_PAGE in response.content.decode()
    assert "It may have been used already, be more than 0 minutes old" in response.content.decode()
    assert _works("pat", PASSWORD)
    assert _log(person, REFUSED) == ["Password reset link refused: expired."]
    assert "refused password_reset on practice" in caplog.text


@pytest.mark.parametrize("tamper", ["token", "account", "garbage"])
def test_a_tampered_link_is_refused_changes_nothing_and_is_logged(client, person, world, caplog, tamper):
    link = _path(reset_mail.reset_link(person))
    _, _, _, _, uid, token, _ = link.split("/")
    other = world["users"][R.PRACTICE_USER]
    if tamper == "token":
        link = link.replace(token, token[:-1] + ("a" if token[-1] != "a" else "b"))
    elif tamper == "account":
        other_uid = _path(reset_mail.reset_link(other)).split("/")[4]
        link = link.replace(uid, other_uid)
    else:
        link = reverse("account:password_reset_confirm", kwargs={"uidb64": "zzzz", "token": "not-a-token"})
    with caplog.at_level(logging.WARNING, logger="people.security"):
        response = client.get(link)
    assert response.status_code == 200 and REFUSED_PAGE in response.content.decode()
    # Nothing to post to: the refused page has no form, and posting anyway changes nothing.
    assert "new_password1" not in response.content.decode()
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _works("pat", PASSWORD)
    assert not _works(other.username, NEW_PASSWORD)
    assert "refused" in caplog.text
    if tamper == "token":
        assert _log(person, REFUSED)[0].startswith("Password reset link refused: already used")
    elif tamper == "account":
        assert _log(other, REFUSED) and not _log(person)
    else:  # no account known: the security log only
        assert not PeopleChange.objects.exists()
        assert "no such account, or the link was altered" in caplog.text


def test_the_new_password_must_pass_the_validators_and_match(client, person):
    link = reset_mail.reset_link(person)
    opened = client.get(_path(link))["Location"]
    client.get(opened)
    short = client.post(opened, {"new_password1": "short", "new_password2": "short"})
    html = short.content.decode()
    assert short.status_code == 422 and "There is a problem" in html and 'href="#id_new_password2"' in html
    assert "too short" in html
    mismatch = client.post(opened, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 422 and "Enter the same new password twice" in mismatch.content.decode()
    assert User.objects.get(pk=person.pk).check_password(PASSWORD)  # (signing in would end the link)
    # The link still works after a refused form.
    assert client.post(opened, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302


def test_a_reset_ends_every_other_session(person):
    browsers = [Client(), Client()]
    for browser in browsers:
        assert browser.post(reverse("login"), {"username": "pat", "password": PASSWORD}).status_code == 302
        assert browser.get(reverse("practices:list")).status_code == 200
    assert SignedInSession.objects.filter(user=person).count() == 2
    person.refresh_from_db()  # the sign-ins changed last_login, which the link signs
    done = _reset(Client(), reset_mail.reset_link(person))
    assert done.status_code == 302
    for browser in browsers:
        response = browser.get(reverse("practices:list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not SignedInSession.objects.filter(user=person).exists()
    assert _log(person, DONE) == ["Password reset by e-mail link; 2 signed-in sessions ended."]


def test_a_link_stops_working_once_the_person_signs_in(client, person):
    """The link signs the last sign-in too: remembering the old password makes an outstanding link useless."""
    link = reset_mail.reset_link(person)
    assert Client().post(reverse("login"), {"username": "pat", "password": PASSWORD}).status_code == 302
    assert REFUSED_PAGE in client.get(_path(link)).content.decode()


def test_a_deactivated_account_cannot_use_a_link_made_before(client, person):
    link = reset_mail.reset_link(person)
    User.objects.filter(pk=person.pk).update(is_active=False)
    response = client.get(_path(link))
    assert REFUSED_PAGE in response.content.decode()
    assert _log(person, REFUSED) == ["Password reset link refused: the account is deactivated."]
