"""Signing in with an NHS identity: OpenID Connect's authorization-code flow with PKCE (S256), state and nonce,
through Authlib's client, against each provider of ``settings.OIDC_PROVIDERS`` (README, "Signing in with an NHS
account").

- ``providers()`` / ``provider(name)``: the configured providers.
- ``metadata(provider)`` and ``signing_keys(provider)``: the provider's discovery document and its JWKS, fetched with
  ``settings.OIDC_TIMEOUT`` and kept in the cache for ``CACHE_SECONDS`` (keys are fetched again, once, when a token
  names a key the cached set does not hold: the provider has rotated its keys).
- ``authorization_url(session, provider, next_url=...)``: where to send the person; the state, nonce and PKCE
  verifier wait in the session, keyed by the state, until the provider sends the person back.
- ``authorization_finish(session, provider, params)``: the callback's checks (the state, once; the provider's
  error), the code exchange (client_secret_basic / client_secret_post, or private_key_jwt) and
  ``verify_id_token``: signature against the provider's keys, iss, aud (and azp), exp, iat, nonce.
- ``person_for(provider=..., claims=...)``: who the verified identity is: a linked ``SsoIdentity``; else an active
  account with the verified e-mail address (linked now); else that address's pending invitations (accepted now,
  making the account with exactly the memberships granted). Anything else is refused: nobody gets an account with
  a role nobody granted.

Every refusal is an ``SsoRefused``: a message for the person, a detail for the ``people.security`` log, and the
organisation (with the person) when one is known, for the organisation's log of changes (``refusal_record``).
"""

import hashlib
import logging
import time
from dataclasses import dataclass, field

import requests
from authlib.common.security import generate_token, is_secure_transport
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from core.errors import DomainError
from core.models import User

from . import services
from .access import Organisation
from .changes import change_record
from .models import PeopleChange, SsoIdentity

security_log = logging.getLogger("people.security")

DEFAULT_SCOPES = "openid email profile"
CACHE_SECONDS = 300  # the discovery document and the keys are fetched again after this long
PENDING_KEY = "sso_pending"  # in the session: {state: {provider, nonce, verifier, next, at}}
PENDING_SECONDS = 600  # a sign-in not finished within ten minutes must start again
PENDING_MAX = 5  # sign-ins started at once (tabs) kept in one session
LEEWAY = 60  # seconds of clock difference allowed on exp and iat
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
START_AGAIN = "Go back to the sign-in page and choose to sign in with your NHS account again."


class SsoRefused(Exception):
    """A refused sign-in: ``message`` for the person, ``detail`` for the security log; ``org`` and ``subject`` (a
    user) when the attempt concerns a known organisation's person."""

    def __init__(self, message, detail, *, org=None, subject=None, email=""):
        super().__init__(message)
        self.message, self.detail, self.org, self.subject, self.email = message, detail, org, subject, email


@dataclass(frozen=True)
class Provider:
    """One provider of ``settings.OIDC_PROVIDERS`` (README): ``name`` (in URLs), ``label`` (on the button),
    ``issuer``, ``client_id``, and ``client_secret`` or ``private_key`` (a PEM key: private_key_jwt)."""

    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    private_key: str = field(default="", repr=False)
    key_id: str = ""  # the kid of private_key, as registered with the provider
    certificate_thumbprint: str = ""  # Microsoft Entra ID: the x5t of the certificate registered for private_key
    token_endpoint_auth_method: str = ""  # client_secret_basic (default with a secret) or client_secret_post
    scopes: str = DEFAULT_SCOPES
    discovery_url: str = ""  # default: the issuer's /.well-known/openid-configuration
    email_claim: str = "email"
    email_verified_by_provider: bool = False  # only for a provider whose addresses are its own accounts (NHSmail)

    @property
    def auth_method(self):
        if self.private_key:
            return "private_key_jwt"
        return self.token_endpoint_auth_method or "client_secret_basic"

    @property
    def metadata_url(self):
        return self.discovery_url or f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


def providers():
    """The configured providers, in the order configured."""
    found = []
    for entry in settings.OIDC_PROVIDERS or []:
        fields = {key: value for key, value in entry.items() if key in Provider.__dataclass_fields__}
        if isinstance(fields.get("scopes"), list):
            fields["scopes"] = " ".join(fields["scopes"])
        fields.setdefault("label", fields.get("name", ""))
        found.append(Provider(**fields))
    return found


def provider(name):
    """The provider called ``name``, or None."""
    return next((each for each in providers() if each.name == name), None)


def redirect_uri(provider_):
    """The redirect URI to register with the provider: SITE_URL + this provider's callback."""
    return settings.SITE_URL + reverse("sso:callback", args=[provider_.name])


# Discovery and keys ------------------------------------------------------------------------------------------------

def _cache_key(kind, url):
    return f"oidc:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def _get_json(url, what):
    if not is_secure_transport(url):
        raise SsoRefused("The NHS sign-in service is not set up correctly. Sign in with your password, or ask the "
                         "service desk.", f"{what} is not on https: {url}")
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise SsoRefused("The NHS sign-in service did not answer. Try again in a few minutes.",
                         f"{what} could not be fetched from {url}: {error}") from error


def metadata(provider_):
    """The provider's discovery document (cached), checked: its issuer must be the configured one."""
    key = _cache_key("metadata", provider_.metadata_url)
    document = cache.get(key)
    if document is None:
        document = _get_json(provider_.metadata_url, "the discovery document")
        if not isinstance(document, dict):
            raise SsoRefused("The NHS sign-in service did not answer properly. Try again in a few minutes.",
                             f"the discovery document of {provider_.name} is not a JSON object")
        cache.set(key, document, CACHE_SECONDS)
    if document.get("issuer") != provider_.issuer:
        raise SsoRefused("The NHS sign-in service is not the one this service is set up for, so you were not "
                         "signed in. Sign in with your password, or ask the service desk.",
                         f"wrong issuer: {provider_.name}'s discovery document names {document.get('issuer')!r}, "
                         f"configured {provider_.issuer!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(name), str) or not is_secure_transport(document[name]):
            raise SsoRefused("The NHS sign-in service is not set up correctly. Sign in with your password, or ask "
                             "the service desk.", f"{provider_.name}'s discovery document has no usable {name}")
    return document


def signing_keys(provider_, *, refresh=False):
    """The provider's signing keys (its JWKS, cached; ``refresh`` fetches them again)."""
    uri = metadata(provider_)["jwks_uri"]
    key = _cache_key("jwks", uri)
    document = None if refresh else cache.get(key)
    if document is None:
        document = _get_json(uri, "the signing keys")
        cache.set(key, document, CACHE_SECONDS)
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise SsoRefused("The NHS sign-in service did not answer properly. Try again in a few minutes.",
                         f"{provider_.name}'s signing keys could not be read: {error}") from error


def forget_cached(provider_):
    """Drop the cached discovery document and keys of a provider (its keys are fetched again on next use)."""
    document = cache.get(_cache_key("metadata", provider_.metadata_url))
    cache.delete(_cache_key("metadata", provider_.metadata_url))
    if isinstance(document, dict) and isinstance(document.get("jwks_uri"), str):
        cache.delete(_cache_key("jwks", document["jwks_uri"]))


# The flow -----------------------------------------------------------------------------------------------------------

def _client(provider_, document=None):
    secret = provider_.private_key or provider_.client_secret
    client = OAuth2Session(provider_.client_id, secret, scope=provider_.scopes, redirect_uri=redirect_uri(provider_),
                           token_endpoint_auth_method=provider_.auth_method, code_challenge_method="S256")
    if provider_.private_key and document is not None:
        headers = {}
        if provider_.key_id:
            headers["kid"] = provider_.key_id
        if provider_.certificate_thumbprint:
            headers["x5t"] = provider_.certificate_thumbprint
        client.register_client_auth_method(PrivateKeyJWT(document["token_endpoint"], headers=headers or None))
    return client


def authorization_url(session, provider_, *, next_url=""):
    """Start a sign-in: keep a new state, nonce and PKCE verifier in ``session`` and return the provider's
    authorization URL (response_type=code, S256 code challenge, the scopes, the registered redirect URI)."""
    document = metadata(provider_)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    now = int(time.time())
    pending = {key: value for key, value in session.get(PENDING_KEY, {}).items()
               if now - value.get("at", 0) < PENDING_SECONDS}
    for old in sorted(pending, key=lambda key: pending[key]["at"])[:max(0, len(pending) - PENDING_MAX + 1)]:
        del pending[old]
    pending[state] = {"provider": provider_.name, "nonce": nonce, "verifier": verifier, "next": next_url, "at": now}
    session[PENDING_KEY] = pending
    url, _state = _client(provider_).create_authorization_url(
        document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier)
    return url


def _pending_take(session, state):
    """The sign-in started with ``state`` (taken: a state works once), or None."""
    pending = dict(session.get(PENDING_KEY, {}))
    found = pending.pop(state, None) if isinstance(state, str) else None
    if found is not None:
        session[PENDING_KEY] = pending
    return found


def authorization_finish(session, provider_, params):
    """Finish a sign-in from the provider's answer (``params``: the callback's query): the verified ID token's
    claims, or ``SsoRefused``. Returns (claims, the URL the person was going to)."""
    pending = _pending_take(session, params.get("state"))
    if pending is None or pending["provider"] != provider_.name:
        raise SsoRefused(f"Your sign-in with your NHS account could not be checked (it may have been started in "
                         f"another window or too long ago). {START_AGAIN}",
                         f"wrong state from {provider_.name}")
    if time.time() - pending["at"] >= PENDING_SECONDS:
        raise SsoRefused(f"Your sign-in with your NHS account took too long. {START_AGAIN}",
                         f"state from {provider_.name} expired")
    if params.get("error"):
        raise SsoRefused(f"The NHS sign-in service did not sign you in. {START_AGAIN}",
                         f"provider error from {provider_.name}: {params.get('error')} "
                         f"{params.get('error_description', '')}"[:250])
    if not params.get("code"):
        raise SsoRefused(f"The NHS sign-in service did not say who you are. {START_AGAIN}",
                         f"no code from {provider_.name}")
    document = metadata(provider_)
    if params.get("iss") and params["iss"] != provider_.issuer:  # RFC 9207: the answer names its issuer
        raise SsoRefused("The answer came from another sign-in service than the one you chose, so you were not "
                         f"signed in. {START_AGAIN}", f"wrong issuer in the callback: {params['iss']!r}")
    token = exchange_code(provider_, document, params["code"], pending["verifier"])
    claims = verify_id_token(token.get("id_token"), provider=provider_, nonce=pending["nonce"])
    return claims, pending.get("next", "")


def exchange_code(provider_, document, code, verifier):
    """The token endpoint's answer for ``code`` and the PKCE ``verifier``."""
    client = _client(provider_, document)
    try:
        return client.fetch_token(document["token_endpoint"], grant_type="authorization_code", code=code,
                                  code_verifier=verifier, timeout=settings.OIDC_TIMEOUT)
    except OAuthError as error:
        raise SsoRefused(f"The NHS sign-in service did not confirm your sign-in. {START_AGAIN}",
                         f"token request to {provider_.name} refused: {error.error} {error.description or ''}"
                         ) from error
    except (requests.RequestException, ValueError) as error:
        raise SsoRefused("The NHS sign-in service did not answer. Try again in a few minutes.",
                         f"token request to {provider_.name} failed: {error}") from error
    finally:
        client.close()


def _keys_for(keys, token):
    """The keys of ``keys`` that may have signed ``token``: the one its kid names; without a kid, every one."""
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError) as error:
        raise SsoRefused(f"The NHS sign-in service's answer could not be read. {START_AGAIN}",
                         f"ID token not a JWS: {error}") from error
    kid = header.get("kid")
    return [key for key in keys.keys if not kid or key.kid == kid]


def verify_id_token(id_token, *, provider, nonce, keys=None, now=None):
    """The claims of ``id_token`` once verified (``SsoRefused`` otherwise): signed by one of the provider's keys
    (``keys``, default: its JWKS, fetched again once if no key fits), issued by the configured issuer, for this
    client (aud; azp when there are several audiences), not expired, issued at a sensible time, with our
    ``nonce``. ``now`` (seconds) is for tests."""
    if not isinstance(id_token, str) or not id_token:
        raise SsoRefused(f"The NHS sign-in service did not say who you are. {START_AGAIN}", "no ID token")
    fixed_keys = keys is not None
    decoded = None
    for attempt in range(1 if fixed_keys else 2):
        keyset = keys if fixed_keys else signing_keys(provider, refresh=attempt > 0)
        for key in _keys_for(keyset, id_token):
            try:
                decoded = jwt.decode(id_token, key, algorithms=ALGORITHMS)
                break
            except JoseError:
                continue
        if decoded is not None:
            break
    if decoded is None:
        raise SsoRefused(f"The NHS sign-in service's answer could not be verified, so you were not signed in. "
                         f"{START_AGAIN}", f"ID token from {provider.name}: bad signature or unknown key")
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        now=now, leeway=LEEWAY, iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id}, sub={"essential": True},
        exp={"essential": True}, iat={"essential": True}, nonce={"essential": True, "value": nonce})
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise SsoRefused(f"Your sign-in with your NHS account had expired. {START_AGAIN}",
                         f"ID token from {provider.name} expired") from error
    except ClaimError as error:
        messages = {"iss": "The answer came from another sign-in service than the one you chose",
                    "aud": "The answer was meant for another service",
                    "nonce": "The answer belongs to another sign-in (perhaps in another window)",
                    "iat": "The answer's time is wrong"}
        raise SsoRefused(f"{messages.get(error.claim, 'The answer could not be checked')}, so you were not signed "
                         f"in. {START_AGAIN}", f"ID token from {provider.name}: {error.description}") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SsoRefused(f"The answer was meant for another service, so you were not signed in. {START_AGAIN}",
                         f"ID token from {provider.name}: several audiences and azp {claims.get('azp')!r}")
    return claims


# Who the person is --------------------------------------------------------------------------------------------------

def _verified_email(provider_, claims):
    email = claims.get(provider_.email_claim)
    email = email.strip() if isinstance(email, str) else ""
    verified = claims.get("email_verified")
    return email, provider_.email_verified_by_provider or verified is True or verified == "true"


def _org_of(user):
    return Organisation.of(user) if user.role else None


def _refuse_for(user, message, detail, email):
    return SsoRefused(message, detail, org=_org_of(user), subject=user, email=email)


@transaction.atomic
def person_for(*, provider, claims):
    """The active person the verified ``claims`` identify (linking the identity, or accepting invitations, as the
    module's doc says), or ``SsoRefused``: nothing is changed then."""
    issuer, subject = claims["iss"], str(claims["sub"])
    email, verified = _verified_email(provider, claims)
    identity = SsoIdentity.objects.select_for_update().select_related("user").filter(
        issuer=issuer, subject=subject).first()
    if identity is not None:
        if not identity.user.is_active:
            raise _refuse_for(identity.user, "Your account has been deactivated. Ask your organisation's admin "
                              "if you need it again.", "deactivated user signed in with a linked identity", email)
        identity.last_used_at = timezone.now()
        identity.save(update_fields=["last_used_at"])
        return identity.user
    if not email:
        raise SsoRefused("Your NHS account did not give this service your e-mail address, so it cannot tell who "
                         "you are. Sign in with your password, or ask your organisation's admin.",
                         f"no e-mail address from {provider.name}")
    accounts = list(User.objects.filter(email__iexact=email))
    if not verified:
        target = accounts[0] if len(accounts) == 1 else None
        refusal = ("Your NHS account's e-mail address has not been verified, so this service cannot match it to "
                   "an account. Sign in with your password, or ask your organisation's admin.")
        detail = f"unverified e-mail address from {provider.name}"
        raise _refuse_for(target, refusal, detail, email) if target else SsoRefused(refusal, detail, email=email)
    active = [user for user in accounts if user.is_active]
    if len(active) > 1:
        raise SsoRefused("More than one account has your e-mail address, so this service cannot tell which is "
                         "yours. Ask your organisation's admin.", f"{len(active)} accounts share the e-mail address",
                         email=email)
    if not active and accounts:
        raise _refuse_for(accounts[0], "Your account has been deactivated. Ask your organisation's admin if you "
                          "need it again.", "deactivated user's e-mail address", email)
    user = active[0] if active else _accept_invitations(email, claims)
    if user is None:
        raise SsoRefused("There is no account or invitation for your NHS e-mail address here. Ask your "
                         "organisation's admin to invite you.", f"no account or invitation for the e-mail address "
                         f"from {provider.name}", email=email)
    SsoIdentity.objects.create(user=user, provider=provider.name, issuer=issuer, subject=subject, email=email,
                               last_used_at=timezone.now())
    org = _org_of(user)
    if org is not None:
        change_record(org=org, action=PeopleChange.Action.SSO_LINKED, actor=user, subject=user,
                      detail=f"Signed in with {provider.label} for the first time: identity linked by e-mail address")
    return user


def _accept_invitations(email, claims):
    """Accept every pending invitation for ``email`` (people/services.py): the first makes the account, the others
    add their memberships to it. None if there is none."""
    invitations = list(services.pending_invitations_for_email(email))
    if not invitations:
        return None
    names = {"first_name": str(claims.get("given_name") or "")[:150],
             "last_name": str(claims.get("family_name") or "")[:150]}
    try:
        user = services.invitation_accept(invitation=invitations[0], user=None, password=None, actor=None, **names)
        for invitation in invitations[1:]:
            services.invitation_accept(invitation=invitation, user=user, actor=user)
    except DomainError as error:
        raise SsoRefused(f"Your invitation could not be accepted: {error}", f"invitation refused: {error}",
                         org=Organisation.of(invitations[0]), email=email) from error
    return user


def refusal_record(refused, provider_name=""):
    """Log a refused sign-in: the security log always; the organisation's log of changes when one is known."""
    security_log.warning("refused NHS sign-in with %s: %s", provider_name or "?", refused.detail)
    if refused.org is not None:
        change_record(org=refused.org, action=PeopleChange.Action.SSO_REFUSED, subject=refused.subject,
                      subject_email=refused.email, detail=f"{provider_name}: {refused.detail}", refused=True)


__all__ = ["SsoRefused", "Provider", "providers", "provider", "redirect_uri", "metadata", "signing_keys",
           "authorization_url", "authorization_finish", "exchange_code", "verify_id_token", "person_for",
           "refusal_record"]
