"""Ending a person's sessions at once: every sign-in is noted, and ``sessions_end_for`` ends each of them in the
configured session store, so the next request of any browser they signed in with is a signed-out one."""

import pytest
from django.test import Client
from django.urls import reverse

from core.models import SignedInSession
from core.roles import Role
from core.sessions import sessions_end_for

from ..factories import user_for

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


def _signed_in(user):
    client = Client(HTTP_HOST="localhost")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_each_sign_in_is_noted_and_ending_them_signs_out_every_browser_and_no_one_else():
    adviser, colleague = user_for(Role.RCGP_ADVISER), user_for(Role.RCGP_ADVISER)
    for person in (adviser, colleague):
        person.set_password(PASSWORD)
        person.save()
    laptop, phone, other = _signed_in(adviser), _signed_in(adviser), _signed_in(colleague)
    assert SignedInSession.objects.filter(user=adviser).count() == 2
    home = reverse("contracts:list")
    assert laptop.get(home).status_code == phone.get(home).status_code == 200

    assert sessions_end_for(adviser) == 2
    for browser in (laptop, phone):
        response = browser.get(home)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert other.get(home).status_code == 200
    assert not SignedInSession.objects.filter(user=adviser).exists()
    assert SignedInSession.objects.filter(user=colleague).count() == 1
