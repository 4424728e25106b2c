"""The ID-token verification (people.sso.verify_id_token) on tokens signed by keys the test makes: what the real
provider process (tests/people/test_sso_flow.py) never sends: a wrong audience, an expired token, a bad
signature, and the other claims each refused with its own message."""

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from people import sso

ISSUER = "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/oidc"
PROVIDER = sso.Provider(name="nhs", label="NHS CIS2", issuer=ISSUER, client_id="resilience", client_secret="s")
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture(scope="module")
def key():
    return RSAKey.generate_key(2048, parameters={"kid": "provider-key-1"}, private=True)


@pytest.fixture(scope="module")
def keys(key):
    """The provider's published keys (public halves only)."""
    return KeySet([RSAKey.import_key(key.as_dict(private=False))])


def token(key, header=None, **changes):
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "cis2-1", "aud": "resilience", "exp": now + 300, "iat": now, "nonce": NONCE,
              "email": "a@nhs.net", "email_verified": True}
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid, **(header or {})}, claims, key)


def refused(id_token, keys, **kwargs):
    with pytest.raises(sso.SsoRefused) as caught:
        sso.verify_id_token(id_token, provider=PROVIDER, nonce=kwargs.pop("nonce", NONCE), keys=keys, **kwargs)
    return caught.value


def test_a_token_signed_by_the_provider_for_us_with_our_nonce_is_accepted(key, keys):
    claims = sso.verify_id_token(token(key), provider=PROVIDER, nonce=NONCE, keys=keys)
    assert (claims["sub"], claims["email"]) == ("cis2-1", "a@nhs.net")
    # Several audiences are fine when the authorized party is us.
    claims = sso.verify_id_token(token(key, aud=["resilience", "other"], azp="resilience"), provider=PROVIDER,
                                 nonce=NONCE, keys=keys)
    assert claims["azp"] == "resilience"


def test_a_wrong_audience_is_refused(key, keys):
    error = refused(token(key, aud="another-service"), keys)
    assert error.message.startswith("The answer was meant for another service")
    assert "aud" in error.detail
    assert refused(token(key, aud=["another-service", "third"]), keys).message.startswith(
        "The answer was meant for another service")
    # Us among several audiences, but authorized for another party.
    assert "azp" in refused(token(key, aud=["resilience", "other"], azp="other"), keys).detail
    assert "aud" in refused(token(key, aud=None), keys).detail  # no audience at all


def test_an_expired_token_is_refused(key, keys):
    now = int(time.time())
    error = refused(token(key, iat=now - 3600, exp=now - sso.LEEWAY - 1), keys)
    assert error.message.startswith("Your sign-in with your NHS account had expired")
    assert "expired" in error.detail
    # Within the minute allowed for clocks that differ, it is still good.
    assert sso.verify_id_token(token(key, iat=now - 3600, exp=now - 10), provider=PROVIDER, nonce=NONCE, keys=keys)


def test_a_bad_signature_is_refused(key, keys):
    forger = RSAKey.generate_key(2048, parameters={"kid": key.kid}, private=True)  # same kid, another key
    error = refused(token(forger), keys)
    assert error.message.startswith("The NHS sign-in service's answer could not be verified")
    assert "bad signature" in error.detail
    header, payload, signature = token(key).split(".")
    tampered = token(key, sub="cis2-2").split(".")[1]
    assert refused(f"{header}.{tampered}.{signature}", keys).detail.endswith("bad signature or unknown key")
    hmac = jwt.encode({"alg": "HS256"}, {"iss": ISSUER, "sub": "x", "aud": "resilience", "nonce": NONCE,
                                              "exp": int(time.time()) + 60, "iat": int(time.time())},
                          OctKey.import_key("a-shared-secret-that-is-long-enough!"))
    assert "bad signature" in refused(hmac, keys).detail  # an HMAC token is never one of the provider's


def test_a_token_from_another_issuer_or_for_another_sign_in_is_refused(key, keys):
    error = refused(token(key, iss="https://login.microsoftonline.com/other-tenant/v2.0"), keys)
    assert error.message.startswith("The answer came from another sign-in service")
    error = refused(token(key), keys, nonce="another-sessions-nonce")
    assert error.message.startswith("The answer belongs to another sign-in")
    assert "nonce" in refused(token(key, nonce=None), keys).detail  # no nonce at all
    future = int(time.time()) + 3600
    assert refused(token(key, iat=future, exp=future + 300), keys).message.startswith("The answer's time is wrong")
    assert "sub" in refused(token(key, sub=None), keys).detail
    assert refused(None, keys).message.startswith("The NHS sign-in service did not say who you are")
    assert refused("not-a-token", keys).message.startswith("The NHS sign-in service's answer could not be read")
