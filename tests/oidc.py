"""A real OpenID Connect provider for the tests: the ``oidc-provider-mock`` package (a Flask app on Authlib's
authorization server) in its own process on a free port, reached over HTTP like CIS2 or Entra ID would be.

As shipped, the mock issues codes and RS256 ID tokens (its own key, its JWKS), keeps the nonce of the authorization
request and answers any client id; its issuer is the address it is reached at. Two things a real NHS provider does
that it does not, this process turns on with Authlib's own server code (``--pkce``, ``--client-jwks``):
- PKCE: Authlib's ``CodeChallenge`` extension (required), with the code challenge kept beside each code, so that
  the token endpoint refuses a wrong or missing ``code_verifier`` (RFC 7636 §4.6);
- private_key_jwt: Authlib's ``JWTBearerClientAssertion`` at the token endpoint, verifying the client's assertion
  against the public keys the test gives (RFC 7523).
Without them (``oidc_provider_plain``) it is the package as shipped.

Each person is set up on the provider as the mock expects (``provider.set_user(sub, claims)``: PUT /users/<sub>)
and signs in by submitting its authorization form (``provider.authorize(url, sub)``): the answer is the redirect
back to our callback, with the code and the state.

Run as ``python -m tests.oidc --port N [--pkce] [--client-jwks FILE]`` by the fixtures below.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .servers import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class OidcProvider:
    base: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def issuer(self):
        return self.base

    def set_user(self, sub, claims):
        """Make (or change) the person ``sub`` with these ID-token claims (email, email_verified, names...)."""
        response = requests.put(f"{self.base}/users/{urllib.parse.quote(sub, safe='')}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url, sub):
        """Submit the provider's authorization form at ``authorization_url`` as ``sub`` (plain HTTP, as the
        person's browser would) and return the URL the provider sends the browser back to."""
        page = requests.get(authorization_url, timeout=10, allow_redirects=False)
        assert page.status_code == 200, page.text
        assert 'name="sub"' in page.text  # the mock's authorization form
        answer = requests.post(authorization_url, data={"sub": sub}, timeout=10, allow_redirects=False)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def config(self, *, name="nhs", label="NHS CIS2", client_id="resilience-test", **extra):
        """An entry of settings.OIDC_PROVIDERS for this provider."""
        return {"name": name, "label": label, "issuer": self.issuer, "client_id": client_id,
                "client_secret": "test-client-secret", **extra}


def _ready(base):
    try:
        return requests.get(f"{base}/.well-known/openid-configuration", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@contextlib.contextmanager
def oidc_provider_process(tmp_path, *, pkce=True, client_jwks=None):
    """Start the provider process on a free port; yield an ``OidcProvider`` once it answers; stop it after."""
    port = free_port()
    options = ["--port", str(port)]
    if pkce:
        options.append("--pkce")
    if client_jwks is not None:
        path = tmp_path / f"client-jwks-{port}.json"
        path.write_text(json.dumps(client_jwks))
        options += ["--client-jwks", str(path)]
    log_path = tmp_path / f"oidc-{port}.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "tests.oidc", *options], cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
        try:
            deadline = time.monotonic() + 30
            while not _ready(base):
                if process.poll() is not None:
                    pytest.fail(f"the OIDC provider exited: {log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"the OIDC provider did not answer: {log_path.read_text()}")
                time.sleep(0.1)
            yield OidcProvider(base=base, port=port, process=process, log=log_path)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@pytest.fixture(scope="module")
def client_key():
    """The RSA key our service signs its private_key_jwt assertions with (the provider gets the public half)."""
    from joserfc.jwk import RSAKey

    return RSAKey.generate_key(2048, parameters={"kid": "resilience-test-key"}, private=True)


@pytest.fixture(scope="module")
def oidc_provider(tmp_path_factory, client_key):
    """The provider checking PKCE and private_key_jwt (the client's public key: ``client_key``)."""
    jwks = {"keys": [client_key.as_dict(private=False)]}
    with oidc_provider_process(tmp_path_factory.mktemp("oidc"), pkce=True, client_jwks=jwks) as provider:
        yield provider


@pytest.fixture(scope="module")
def oidc_provider_plain(tmp_path_factory):
    """The provider as the package ships it: it does not check PKCE."""
    with oidc_provider_process(tmp_path_factory.mktemp("oidc-plain"), pkce=False) as provider:
        yield provider


# The provider process ----------------------------------------------------------------------------------------------

def _serve(port, *, pkce, client_jwks_path):  # pragma: no cover - runs in the provider's process
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the provider is on http://127.0.0.1
    import authlib.integrations.flask_oauth2 as flask_oauth2
    import flask
    import werkzeug.serving
    from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
    from authlib.oauth2.rfc7636 import CodeChallenge
    from joserfc.jwk import KeySet
    from oidc_provider_mock import _app, app

    challenges = {}  # code -> (code_challenge, code_challenge_method), as a real provider keeps them with the code

    class Pkce(CodeChallenge):
        def validate_code_challenge(self, grant, redirect_uri):
            if not grant.request.payload.data.get("code_challenge"):
                from authlib.oauth2.rfc6749 import InvalidRequestError

                raise InvalidRequestError("Missing 'code_challenge'")
            super().validate_code_challenge(grant, redirect_uri)

        def get_authorization_code_challenge(self, authorization_code):
            return challenges.get(authorization_code.code, (None, None))[0]

        def get_authorization_code_challenge_method(self, authorization_code):
            return challenges.get(authorization_code.code, (None, None))[1]

    save = _app.AuthorizationCodeGrant.save_authorization_code

    def save_with_challenge(self, code, request):
        save(self, code, request)
        data = request.payload.data
        challenges[code] = (data.get("code_challenge"), data.get("code_challenge_method"))

    class ClientAssertion(JWTBearerClientAssertion):
        seen = set()

        def get_audiences(self):
            return [flask.request.base_url]

        def validate_jti(self, claims, jti):
            if jti in self.seen:
                return False
            self.seen.add(jti)
            return True

        def resolve_client_public_key(self, client):
            return KeySet.import_key_set(json.loads(Path(client_jwks_path).read_text()))

    register_grant = flask_oauth2.AuthorizationServer.register_grant

    def register_grant_with(self, grant_cls, extensions=None):
        if grant_cls is _app.AuthorizationCodeGrant:
            if pkce:
                extensions = [*(extensions or []), Pkce(required=True)]
            if client_jwks_path:
                self.register_client_auth_method("private_key_jwt", ClientAssertion())
        return register_grant(self, grant_cls, extensions)

    if pkce:
        _app.AuthorizationCodeGrant.save_authorization_code = save_with_challenge
    if client_jwks_path:
        _app.AuthorizationCodeGrant.TOKEN_ENDPOINT_AUTH_METHODS = [
            "client_secret_basic", "client_secret_post", "private_key_jwt"]
    flask_oauth2.AuthorizationServer.register_grant = register_grant_with
    server = werkzeug.serving.make_server("127.0.0.1", port, app(), threaded=True)
    server.serve_forever()


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser(description="Run oidc-provider-mock for the tests")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pkce", action="store_true")
    parser.add_argument("--client-jwks")
    arguments = parser.parse_args()
    _serve(arguments.port, pkce=arguments.pkce, client_jwks_path=arguments.client_jwks)
