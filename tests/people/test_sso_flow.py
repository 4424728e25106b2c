"""Signing in with an NHS account, end to end against a real OpenID Connect provider process (tests/oidc.py: the
oidc-provider-mock package on Authlib): our start page sends the browser to the provider, the person submits the
provider's authorization form (plain HTTP), the provider sends them back with a code, our callback exchanges it
(PKCE), verifies the ID token and signs the person in, or refuses, saying why and changing nothing."""

import base64
import hashlib
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from markupsafe import escape

from core.models import Membership, User
from core.roles import Role
from people import services, sso
from people.access import Organisation
from people.models import Invitation, PeopleChange, SsoIdentity
from tests.factories import UserFactory
from tests.oidc import client_key, oidc_provider, oidc_provider_plain  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nhs(settings, oidc_provider):  # noqa: F811
    """Our service set up with the provider (client_secret_basic)."""
    settings.OIDC_PROVIDERS = [oidc_provider.config()]
    found = sso.provider("nhs")
    sso.forget_cached(found)
    yield oidc_provider
    sso.forget_cached(found)


def start(client, name="nhs", next_url=""):
    """Our start page: returns the provider's authorization URL it redirects to, and its query."""
    response = client.get(reverse("sso:start", args=[name]) + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response
    url = response["Location"]
    return url, {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def callback(client, location):
    """Follow the provider's redirect back to our callback (``location``: the URL it sends the browser to)."""
    parts = urlsplit(location)
    assert parts.path.endswith("/callback/")
    return client.get(parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()})


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


def refusal(response):
    """The messages of a refused sign-in: the callback sends the person back to the sign-in page, which shows them."""
    assert response.status_code == 302 and response["Location"] == reverse("login")
    found = [str(message) for message in get_messages(response.wsgi_request)]
    page = response.client.get(response["Location"]).content.decode()
    assert found and all(escape(message) in page for message in found), page
    return found


def person(email, **claims):
    return {"email": email, "email_verified": True, "given_name": "Asha", "family_name": "Patel", **claims}


def test_a_person_with_an_account_signs_in_with_their_nhs_account_and_it_is_linked(client, nhs, world):
    user = world["users"][Role.PRACTICE_LEAD]
    user.email = "Asha.Patel@nhs.net"
    user.save(update_fields=["email"])
    nhs.set_user("cis2-1001", person("asha.patel@nhs.net"))
    url, query = start(client, next_url="/levels/")

    # The authorization request: the code flow, PKCE S256 from the verifier kept in the session, state and nonce.
    assert url.startswith(f"{nhs.base}/oauth2/authorize?")
    pending = client.session[sso.PENDING_KEY][query["state"]]
    assert query["response_type"] == "code" and query["client_id"] == "resilience-test"
    assert query["scope"] == "openid email profile"
    assert query["redirect_uri"] == "http://127.0.0.1:8000/accounts/sso/nhs/callback/"
    assert query["code_challenge_method"] == "S256"
    assert query["code_challenge"] == base64.urlsafe_b64encode(
        hashlib.sha256(pending["verifier"].encode()).digest()).rstrip(b"=").decode()
    assert query["nonce"] == pending["nonce"] and len(query["state"]) >= 32

    response = callback(client, nhs.authorize(url, "cis2-1001"))
    assert response.status_code == 302 and response["Location"] == "/levels/"
    assert signed_in_as(client) == str(user.pk)
    identity = SsoIdentity.objects.get()
    assert (identity.user, identity.provider, identity.issuer, identity.subject) == (user, "nhs", nhs.issuer,
                                                                                     "cis2-1001")
    linked = PeopleChange.objects.get(action=PeopleChange.Action.SSO_LINKED)
    assert linked.subject == user and linked.practice_id == user.practice_id
    assert sso.PENDING_KEY not in client.session or not client.session[sso.PENDING_KEY]
    assert client.get(reverse("home")).status_code == 200

    # The next time, the linked identity is enough, whatever e-mail address the provider now gives.
    client.logout()
    nhs.set_user("cis2-1001", person("someone.else@nhs.net"))
    url, _query = start(client)
    response = callback(client, nhs.authorize(url, "cis2-1001"))
    assert response["Location"] == reverse("home") and signed_in_as(client) == str(user.pk)
    assert SsoIdentity.objects.count() == 1


def test_the_provider_checks_the_pkce_verifier_so_a_code_with_a_wrong_one_signs_nobody_in(client, nhs, world,
                                                                                             caplog):
    user = world["users"][Role.RCGP_ADVISER]
    user.email = "adviser@nhs.net"
    user.save(update_fields=["email"])
    nhs.set_user("cis2-2002", person("adviser@nhs.net"))
    url, query = start(client)
    location = nhs.authorize(url, "cis2-2002")
    session = client.session
    session[sso.PENDING_KEY][query["state"]]["verifier"] = "w" * 64  # not the one the challenge was made from
    session.save()
    with caplog.at_level(logging.WARNING, logger="people.security"):
        messages = refusal(callback(client, location))
    assert messages == ["The NHS sign-in service did not confirm your sign-in. " + sso.START_AGAIN]
    assert "Code challenge failed" in caplog.text  # the provider's own answer: invalid_grant
    assert signed_in_as(client) is None and not SsoIdentity.objects.exists()
    assert not PeopleChange.objects.filter(action=PeopleChange.Action.SSO_LINKED).exists()


def test_a_wrong_state_is_refused_and_a_state_works_once(client, nhs, world, caplog):
    user = world["users"][Role.COMMISSIONER_LEAD]
    user.email = "lead@nhs.net"
    user.save(update_fields=["email"])
    nhs.set_user("cis2-3003", person("lead@nhs.net"))
    url, query = start(client)
    location = nhs.authorize(url, "cis2-3003")
    wrong = location.replace(f"state={query['state']}", "state=" + "x" * 43)
    with caplog.at_level(logging.WARNING, logger="people.security"):
        messages = refusal(callback(client, wrong))
    assert "could not be checked" in messages[0] and "wrong state" in caplog.text
    assert signed_in_as(client) is None

    # The right state still works (the code was not used), once.
    assert callback(client, location)["Location"] == reverse("home")
    assert signed_in_as(client) == str(user.pk)
    client.logout()
    assert "could not be checked" in refusal(callback(client, location))[0]
    assert signed_in_as(client) is None


def test_a_callback_with_no_sign_in_started_is_refused_and_writes_nothing(client, nhs):
    before = PeopleChange.objects.count()
    messages = refusal(client.get(reverse("sso:callback", args=["nhs"]), {"code": "abc", "state": "def"}))
    assert "could not be checked" in messages[0]
    assert PeopleChange.objects.count() == before and not User.objects.exists()


def test_a_code_from_another_sign_in_carries_the_other_sessions_nonce_and_is_refused(
        client, settings, oidc_provider_plain, world, caplog):  # noqa: F811
    """The provider as shipped does not check PKCE: the nonce still ties the ID token to this browser's sign-in."""
    settings.OIDC_PROVIDERS = [oidc_provider_plain.config()]
    sso.forget_cached(sso.provider("nhs"))
    user = world["users"][Role.PRACTICE_USER]
    user.email = "victim@nhs.net"
    user.save(update_fields=["email"])
    oidc_provider_plain.set_user("cis2-4004", person("victim@nhs.net"))
    other = Client()
    mine_url, mine = start(client)
    theirs_url, theirs = start(other)
    assert mine["nonce"] != theirs["nonce"]
    their_location = oidc_provider_plain.authorize(theirs_url, "cis2-4004")
    code = parse_qs(urlsplit(their_location).query)["code"][0]
    with caplog.at_level(logging.WARNING, logger="people.security"):
        response = client.get(reverse("sso:callback", args=["nhs"]), {"code": code, "state": mine["state"]})
    assert refusal(response) == ["The answer belongs to another sign-in (perhaps in another window), so you were "
                                 "not signed in. " + sso.START_AGAIN]
    assert "nonce" in caplog.text
    assert signed_in_as(client) is None and not SsoIdentity.objects.exists()


def test_a_provider_answering_under_another_issuer_is_refused(client, settings, oidc_provider, world):  # noqa: F811
    """Configured as http://localhost:<port>, the provider names itself http://127.0.0.1:<port>."""
    user = world["users"][Role.RCGP_ADMIN]
    user.email = "admin@nhs.net"
    user.save(update_fields=["email"])
    oidc_provider.set_user("cis2-5005", person("admin@nhs.net"))
    right = oidc_provider.config()
    settings.OIDC_PROVIDERS = [right]
    sso.forget_cached(sso.provider("nhs"))
    # Started while the configuration was right; the provider signs the person in; the callback then finds the
    # provider is not the issuer now configured (an operator's change, or a provider impersonated).
    url, _query = start(client)
    location = oidc_provider.authorize(url, "cis2-5005")
    settings.OIDC_PROVIDERS = [{**right, "issuer": f"http://localhost:{oidc_provider.port}",
                                "discovery_url": f"{oidc_provider.base}/.well-known/openid-configuration"}]
    messages = refusal(callback(client, location))
    assert messages[0].startswith("The NHS sign-in service is not the one this service is set up for")
    assert signed_in_as(client) is None and not SsoIdentity.objects.exists()
    # And a sign-in cannot start with it.
    assert refusal(client.get(reverse("sso:start", args=["nhs"])))[0].startswith(
        "The NHS sign-in service is not the one")


def test_an_unverified_email_address_is_refused_and_logged_for_the_organisation(client, nhs, world):
    user = world["users"][Role.PRACTICE_LEAD]
    user.email = "lead.practice@nhs.net"
    user.save(update_fields=["email"])
    for sub, claims in (("cis2-6006", person("lead.practice@nhs.net", email_verified=False)),
                        ("cis2-6007", {"email": "lead.practice@nhs.net"})):  # no email_verified claim at all
        nhs.set_user(sub, claims)
        url, _query = start(client)
        messages = refusal(callback(client, nhs.authorize(url, sub)))
        assert messages[0].startswith("Your NHS account's e-mail address has not been verified")
        assert signed_in_as(client) is None
    assert not SsoIdentity.objects.exists()
    refused = PeopleChange.objects.filter(action=PeopleChange.Action.SSO_REFUSED)
    assert refused.count() == 2
    assert {(r.practice_id, r.subject_id, r.outcome) for r in refused} == {
        (user.practice_id, user.pk, PeopleChange.Outcome.REFUSED)}


def test_an_unknown_email_address_without_an_invitation_is_refused_and_no_account_is_made(client, nhs, world):
    nhs.set_user("cis2-7007", person("stranger@nhs.net"))
    users = User.objects.count()
    url, _query = start(client)
    messages = refusal(callback(client, nhs.authorize(url, "cis2-7007")))
    assert messages == ["There is no account or invitation for your NHS e-mail address here. Ask your "
                        "organisation's admin to invite you."]
    assert User.objects.count() == users and not SsoIdentity.objects.exists()
    assert not Membership.objects.filter(user__email__iexact="stranger@nhs.net").exists()


def test_an_invitation_matched_by_email_makes_the_account_with_exactly_that_membership(client, nhs, world):
    lead = world["users"][Role.PRACTICE_LEAD]
    practice = world["practices"]["own"]
    invitation = services.invitation_create(org=Organisation("practice", practice_id=practice.pk),
                                            email="new.colleague@nhs.net", role=Role.PRACTICE_USER, actor=lead)
    nhs.set_user("cis2-8008", person("New.Colleague@nhs.net", given_name="Nia", family_name="Jones"))
    url, _query = start(client)
    response = callback(client, nhs.authorize(url, "cis2-8008"))
    assert response["Location"] == reverse("home")
    user = User.objects.get(email__iexact="new.colleague@nhs.net")
    assert signed_in_as(client) == str(user.pk)
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Nia", "Jones", False)
    assert list(user.memberships.values_list("role", "practice_id", "commissioner_id")) == [
        (Role.PRACTICE_USER, practice.pk, None)]
    assert (user.role, user.practice_id) == (Role.PRACTICE_USER, practice.pk)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by == user
    assert SsoIdentity.objects.get().user == user


def test_two_invitations_for_one_address_give_both_memberships(client, nhs, world):
    practice, commissioner = world["practices"]["own"], world["own"]
    services.invitation_create(org=Organisation("practice", practice_id=practice.pk), email="both@nhs.net",
                               role=Role.PRACTICE_USER, actor=world["users"][Role.PRACTICE_LEAD])
    services.invitation_create(org=Organisation("commissioner", commissioner_id=commissioner.pk),
                               email="both@nhs.net", role=Role.COMMISSIONER_PEER_SUPPORT,
                               actor=world["users"][Role.COMMISSIONER_LEAD])
    nhs.set_user("cis2-8009", person("both@nhs.net"))
    url, _query = start(client)
    callback(client, nhs.authorize(url, "cis2-8009"))
    user = User.objects.get(email="both@nhs.net")
    assert signed_in_as(client) == str(user.pk)
    assert set(user.memberships.values_list("role", "practice_id", "commissioner_id")) == {
        (Role.PRACTICE_USER, practice.pk, None), (Role.COMMISSIONER_PEER_SUPPORT, None, commissioner.pk)}


def test_a_deactivated_person_is_refused_whether_linked_or_matched_by_email(client, nhs, world):
    linked = UserFactory(role=Role.RCGP_ADVISER, email="gone@nhs.net", is_active=False)
    SsoIdentity.objects.create(user=linked, provider="nhs", issuer=nhs.issuer, subject="cis2-9009")
    matched = UserFactory(role=Role.RCGP_ADVISER, email="left@nhs.net", is_active=False)
    nhs.set_user("cis2-9009", person("gone@nhs.net"))
    nhs.set_user("cis2-9010", person("left@nhs.net"))
    for sub in ("cis2-9009", "cis2-9010"):
        url, _query = start(client)
        assert refusal(callback(client, nhs.authorize(url, sub)))[0].startswith("Your account has been deactivated")
        assert signed_in_as(client) is None
    assert SsoIdentity.objects.count() == 1
    assert set(PeopleChange.objects.filter(action=PeopleChange.Action.SSO_REFUSED).values_list(
        "subject", flat=True)) == {linked.pk, matched.pk}


def test_a_person_who_declines_at_the_provider_is_told_and_not_signed_in(client, nhs):
    url, _query = start(client)

    answer = requests.post(url, data={"action": "deny"}, timeout=10, allow_redirects=False)
    location = answer.headers["Location"]
    assert answer.status_code == 302 and "error=access_denied" in location
    # The mock leaves the state out of its error answer (RFC 6749 §4.1.2.1 says to send it back, as real providers
    # do): without it the answer is refused as not ours; with it, as the provider's refusal.
    assert "could not be checked" in refusal(callback(client, location))[0]
    url, query = start(client)
    answer = requests.post(url, data={"action": "deny"}, timeout=10, allow_redirects=False)
    assert refusal(callback(client, f"{answer.headers['Location']}&state={query['state']}")) == [
        "The NHS sign-in service did not sign you in. " + sso.START_AGAIN]
    assert signed_in_as(client) is None


def test_private_key_jwt_authenticates_our_service_to_the_provider(client, settings, oidc_provider, client_key,  # noqa: F811
                                                                   world):
    from joserfc.jwk import RSAKey

    user = world["users"][Role.NHSE_REPORTING]
    user.email = "nhse@nhs.net"
    user.save(update_fields=["email"])
    oidc_provider.set_user("cis2-1111", person("nhse@nhs.net"))
    pem = client_key.as_pem(private=True).decode()
    config = {key: value for key, value in oidc_provider.config().items() if key != "client_secret"}
    settings.OIDC_PROVIDERS = [{**config, "private_key": pem, "key_id": "resilience-test-key"}]
    sso.forget_cached(sso.provider("nhs"))
    assert sso.provider("nhs").auth_method == "private_key_jwt"
    url, _query = start(client)
    assert callback(client, oidc_provider.authorize(url, "cis2-1111"))["Location"] == reverse("home")
    assert signed_in_as(client) == str(user.pk)

    # A key the provider does not know: the provider refuses our service (invalid_client).
    client.logout()
    stranger = RSAKey.generate_key(2048, parameters={"kid": "resilience-test-key"}, private=True)
    settings.OIDC_PROVIDERS = [{**config, "private_key": stranger.as_pem(private=True).decode(),
                                "key_id": "resilience-test-key"}]
    url, _query = start(client)
    assert refusal(callback(client, oidc_provider.authorize(url, "cis2-1111")))[0].startswith(
        "The NHS sign-in service did not confirm your sign-in")
    assert signed_in_as(client) is None


def test_two_factor_still_applies_after_signing_in_with_an_nhs_account(client, nhs, settings, world):
    settings.REQUIRE_TWO_FACTOR = True
    user = world["users"][Role.RCGP_DEPUTY_LEAD]
    user.email = "deputy@nhs.net"
    user.save(update_fields=["email"])
    nhs.set_user("cis2-1212", person("deputy@nhs.net"))
    url, _query = start(client)
    callback(client, nhs.authorize(url, "cis2-1212"))
    assert signed_in_as(client) == str(user.pk)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor"))


def test_the_login_page_offers_each_provider_and_the_start_page_refuses_what_it_should(client, settings, nhs,
                                                                                       oidc_provider):  # noqa: F811
    settings.OIDC_PROVIDERS = [oidc_provider.config(), oidc_provider.config(name="nhsmail", label="NHSmail")]
    page = client.get(reverse("login") + "?next=/levels/").content.decode()
    assert page.count("Sign in with your NHS account") == 2
    assert f'href="{reverse("sso:start", args=["nhsmail"])}?next=%2Flevels%2F"' in page
    assert "Forgotten your password?" in page
    assert client.get(reverse("sso:start", args=["unknown"])).status_code == 404
    assert client.get(reverse("sso:callback", args=["unknown"])).status_code == 404
    client.force_login(UserFactory(role=Role.RCGP_ADMIN))
    assert client.get(reverse("sso:start", args=["nhs"]))["Location"] == reverse("home")


def test_keys_the_provider_has_rotated_are_fetched_again_and_a_provider_that_does_not_answer_is_refused(
        client, nhs, world, settings):
    from django.core.cache import cache
    from joserfc.jwk import RSAKey

    user = world["users"][Role.COMMISSIONER_PEER_SUPPORT]
    user.email = "peer@nhs.net"
    user.save(update_fields=["email"])
    nhs.set_user("cis2-1313", person("peer@nhs.net"))
    provider = sso.provider("nhs")
    document = sso.metadata(provider)
    old = RSAKey.generate_key(2048, private=True)
    cache.set(sso._cache_key("jwks", document["jwks_uri"]), {"keys": [old.as_dict(private=False)]}, 300)
    url, _query = start(client)
    assert callback(client, nhs.authorize(url, "cis2-1313"))["Location"] == reverse("home")
    assert signed_in_as(client) == str(user.pk)
    # The cache now holds the provider's own keys.
    assert cache.get(sso._cache_key("jwks", document["jwks_uri"])) == requests.get(document["jwks_uri"],
                                                                                   timeout=10).json()

    client.logout()
    from tests.servers import free_port

    settings.OIDC_PROVIDERS = [{**nhs.config(), "name": "down", "issuer": f"http://127.0.0.1:{free_port()}"}]
    settings.OIDC_TIMEOUT = 2
    assert refusal(client.get(reverse("sso:start", args=["down"]))) == [
        "The NHS sign-in service did not answer. Try again in a few minutes."]


def test_an_email_address_shared_by_two_active_accounts_is_refused(client, nhs, world):
    for role in (Role.RCGP_ADVISER, Role.RCGP_DEPUTY_LEAD):
        UserFactory(role=role, email="shared@nhs.net")
    nhs.set_user("cis2-1414", person("SHARED@nhs.net"))
    url, _query = start(client)
    assert refusal(callback(client, nhs.authorize(url, "cis2-1414")))[0].startswith(
        "More than one account has your e-mail address")
    assert signed_in_as(client) is None and not SsoIdentity.objects.exists()
