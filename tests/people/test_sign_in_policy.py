"""Each organisation's choice to turn password sign-in off (people/sign_in.py): its admins' page, and the sign-in
form refusing a right password to anyone holding a membership of an organisation that turned it off."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from markupsafe import escape

from core.models import Membership
from core.roles import Role
from core.services import membership_add, membership_set_manages_people
from people import sign_in
from people.models import PeopleChange, SignInPolicy
from tests.core.factories import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PROVIDER = {"name": "nhs", "label": "NHS CIS2", "issuer": "https://cis2.example.nhs.uk", "client_id": "resilience",
            "client_secret": "secret"}


@pytest.fixture
def with_provider(settings):
    settings.OIDC_PROVIDERS = [PROVIDER]


def log_in(client, user):
    client.logout()
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def practice_page(world, scope="own"):
    return reverse("people:sign_in", args=[f"practice/{world['practices'][scope].ods_code}"])


def set_policy(client, path, value, version, reason="Everyone has signed in with their smartcard"):
    return client.post(path, {"password_sign_in": value, "version": str(version), "reason": reason})


def test_a_password_is_refused_while_the_organisation_has_turned_it_off_and_works_again_when_turned_on(
        client, world, with_provider):
    lead, colleague = world["users"][Role.PRACTICE_LEAD], world["users"][Role.PRACTICE_USER]
    path = practice_page(world)
    client.force_login(lead)
    page = client.get(path)
    assert page.status_code == 200 and "password-sign-in-status" in page.content.decode()
    response = set_policy(client, path, "off", 0)
    assert response.status_code == 302 and response["Location"] == path
    policy = SignInPolicy.objects.get(practice=world["practices"]["own"])
    assert (policy.password_sign_in, policy.version, policy.updated_by) == (False, 1, lead)
    change = PeopleChange.objects.get(action=PeopleChange.Action.SIGN_IN_POLICY)
    assert (change.actor, change.outcome) == (lead, "done")
    assert change.reason == "Everyone has signed in with their smartcard"
    assert "Password sign-in turned off" in client.get(path).content.decode()

    refused = log_in(client, colleague)
    assert refused.status_code == 200 and SESSION_KEY not in client.session
    assert escape(sign_in.TURNED_OFF) in refused.content.decode()
    assert log_in(client, lead).status_code == 200 and SESSION_KEY not in client.session  # the lead too
    # Another practice's people are not affected.
    other = UserFactory(role=Role.PRACTICE_USER, practice=world["practices"]["other"])
    assert log_in(client, other).status_code == 302

    client.force_login(lead)  # as after signing in with their NHS account
    assert set_policy(client, path, "on", 1, reason="The smartcard readers are broken").status_code == 302
    assert SignInPolicy.objects.get(pk=policy.pk).password_sign_in is True
    response = log_in(client, colleague)
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(colleague.pk)


def test_someone_belonging_to_two_organisations_needs_both_to_allow_passwords(client, world, with_provider):
    person = world["users"][Role.PRACTICE_USER]
    membership_add(user=person, role=Role.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])
    SignInPolicy.objects.create(organisation_kind="commissioner", commissioner=world["other"], password_sign_in=False)
    assert log_in(client, person).status_code == 200 and SESSION_KEY not in client.session
    SignInPolicy.objects.filter(commissioner=world["other"]).update(password_sign_in=True)
    assert log_in(client, person).status_code == 302


def test_without_an_nhs_sign_in_provider_passwords_cannot_be_turned_off_and_the_refusal_is_kept(client, world,
                                                                                                settings):
    settings.OIDC_PROVIDERS = []
    lead = world["users"][Role.COMMISSIONER_LEAD]
    path = reverse("people:sign_in", args=[f"commissioner/{world['own'].ods_code}"])
    client.force_login(lead)
    response = set_policy(client, path, "off", 0)
    assert response.status_code == 422
    assert "no NHS sign-in service is set up" in response.content.decode()
    assert not SignInPolicy.objects.exists()
    refused = PeopleChange.objects.get(action=PeopleChange.Action.SIGN_IN_POLICY)
    assert (refused.outcome, refused.actor, refused.commissioner) == ("refused", lead, world["own"])
    # A policy turned off while a provider was configured shows its members the other message at sign-in.
    SignInPolicy.objects.create(organisation_kind="commissioner", commissioner=world["own"], password_sign_in=False)
    answer = log_in(client, world["users"][Role.COMMISSIONER_PEER_SUPPORT])
    assert escape(sign_in.TURNED_OFF_NO_PROVIDER) in answer.content.decode()


def test_the_page_refuses_a_missing_reason_a_stale_version_and_no_change(client, world, with_provider):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    path = reverse("people:sign_in", args=["rcgp"])
    response = set_policy(client, path, "off", 0, reason="  ")
    assert response.status_code == 422 and "Enter the reason for the change" in response.content.decode()
    response = set_policy(client, path, "on", 0)
    assert response.status_code == 422 and "Password sign-in is already on" in response.content.decode()
    assert set_policy(client, path, "off", 0).status_code == 302
    stale = set_policy(client, path, "on", 0, reason="Typed in an old tab")
    assert stale.status_code == 409 and "Someone changed the sign-in setting" in stale.content.decode()
    assert 'name="version" value="1"' in stale.content.decode()  # the form goes on from the saved version
    assert "Typed in an old tab" in stale.content.decode()  # what was typed stays
    assert SignInPolicy.objects.get(organisation_kind="rcgp").password_sign_in is False
    outcomes = list(PeopleChange.objects.filter(action=PeopleChange.Action.SIGN_IN_POLICY).order_by("pk")
                    .values_list("outcome", flat=True))
    assert outcomes == ["refused", "done"]  # the blank reason is the form's; the no-change refusal is kept


def test_only_the_organisations_admins_find_the_page(client, world, with_provider):
    users = world["users"]
    nhse_admin = UserFactory(role=Role.NHSE_REPORTING)
    membership_set_manages_people(membership=Membership.objects.get(user=nhse_admin), manages_people=True)
    pages = {  # slug: who administers it (everyone else: 404)
        "rcgp": {users[Role.RCGP_ADMIN]},
        "nhse": {nhse_admin},
        f"commissioner/{world['own'].ods_code}": {users[Role.COMMISSIONER_LEAD]},
        f"commissioner/{world['other'].ods_code}": set(),
        f"practice/{world['practices']['own'].ods_code}": {users[Role.PRACTICE_LEAD]},
        f"practice/{world['practices']['other'].ods_code}": set(),
    }
    for slug, admins in pages.items():
        path = reverse("people:sign_in", args=[slug])
        for user in [*users.values(), nhse_admin]:
            client.force_login(user)
            assert client.get(path).status_code == (200 if user in admins else 404), (slug, user.role)
            if user not in admins:
                assert set_policy(client, path, "off", 0).status_code == 404, (slug, user.role)
    assert not SignInPolicy.objects.exists()
    client.force_login(users[Role.PRACTICE_LEAD])
    assert client.get(reverse("people:sign_in", args=["practice/NOSUCH"])).status_code == 404
    client.logout()
    assert client.get(practice_page(world))["Location"].startswith(reverse("login"))
