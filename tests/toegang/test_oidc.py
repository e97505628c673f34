"""Single sign-on end to end against a real OpenID Connect provider on loopback.

The provider is npm's oidc-provider (``tests/oidc/provider.mjs``, installed by
``make browser-deps``), started by this module. Without node or the package the
end-to-end tests skip, unless ``REQUIRE_BROWSER=1`` (CI) makes that an error.
The token checks the library leaves to us (issuer, audience, expiry, signature)
are also tested on tokens signed here.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.core.exceptions import SuspiciousOperation

from audit.models import Actie, AuditRecord, Uitkomst
from tests.auth import totp_code
from tests.toegang.factories import TeamFactory
from toegang.identity import oidc
from toegang.models import User
from toegang.roles import Rol

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider"
CLIENT_ID, CLIENT_SECRET = "brede-toegang", "loopback-test-secret-" + "s" * 20
CALLBACK = "http://localhost/inloggen/sso/terug/"
TEAM = "Team Noord"
MFA_ACR = "urn:brede-toegang:mfa"

ACCOUNTS = {
    "anna": {
        "claims": {
            "roles": ["consulent"],
            "team": TEAM,
            "given_name": "Anna",
            "family_name": "Vos",
        },
        "acr": MFA_ACR,
        "amr": ["pwd", "otp"],
    },
    "bert": {
        "claims": {"roles": "teamleider"},
        "acr": "urn:brede-toegang:pwd",
        "amr": ["pwd"],
    },
    "carla": {"claims": {}, "acr": MFA_ACR, "amr": ["mfa"]},
    "dirk": {"claims": {"roles": ["stagiair"]}, "acr": MFA_ACR, "amr": ["mfa"]},
}


def _missing() -> str:
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.exists():
        return "node_modules/oidc-provider is missing (run `make browser-deps`)"
    return ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_ready(process, seconds: float = 20) -> str:
    """The provider's output up to its "ready" line (warnings before it are kept)."""
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], deadline - time.monotonic())
        if not readable:
            break
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.strip() == "ready":
            break
    return "\n".join(lines)


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"SSO tests need the OIDC provider: {missing}")
        pytest.skip(missing)
    config = tmp_path_factory.mktemp("oidc") / "config.json"
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [CALLBACK],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
    config.write_text(json.dumps({"clients": [client], "accounts": ACCOUNTS}))
    port = _free_port()
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(port), str(config)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = _wait_for_ready(process)
    if not output.endswith("ready"):
        process.kill()
        pytest.fail(f"the OIDC provider did not start: {output}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso(settings, provider, gemeente, client):
    discovery = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = discovery["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid profile brede_toegang"
    settings.OIDC_ORGANISATIE = gemeente.naam
    settings.OIDC_MFA_ACR_VALUES = [MFA_ACR]
    TeamFactory(naam=TEAM, organisatie=gemeente)
    client.defaults["HTTP_HOST"] = "localhost"
    return client


def _sso_login(client, account: str):
    """Start at our SSO link, let the provider log ``account`` in, return our callback's answer."""
    url = client.get(f"/inloggen/sso/?login_hint={account}").url
    browser = requests.Session()
    for _ in range(10):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text[:500]
        url = urljoin(url, answer.headers["location"])
        if url.startswith(CALLBACK):
            break
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_sso_login_with_provider_mfa_gives_role_team_and_access(sso, gemeente):
    response = _sso_login(sso, "anna")
    assert response.status_code == 302
    user = User.objects.get(oidc_subject="anna")
    assert sso.session["_auth_user_id"] == str(user.pk)
    assert (user.rol, user.team.naam, user.organisatie) == (Rol.CONSULENT, TEAM, gemeente)
    assert not user.has_usable_password()
    assert sso.get("/casussen/").status_code == 200
    login = AuditRecord.objects.get(user_id=user.pk, actie=Actie.LOGIN)
    assert login.reden == "sso, mfa door idp"


def test_sso_login_again_updates_the_same_user(sso):
    _sso_login(sso, "anna")
    sso.post("/uitloggen/")
    _sso_login(sso, "anna")
    assert User.objects.filter(oidc_subject="anna").count() == 1


def test_sso_without_provider_mfa_continues_to_our_own_second_factor(sso):
    response = _sso_login(sso, "bert")
    assert response.url == "/inloggen/instellen/"
    assert "_auth_user_id" not in sso.session
    user = User.objects.get(oidc_subject="bert")
    assert user.rol == Rol.TEAMLEIDER
    sso.get("/inloggen/instellen/")
    TOTPDevice.objects.filter(user=user).update(confirmed=True)
    response = sso.post("/inloggen/code/", {"code": totp_code(user)})
    assert response.status_code == 302
    assert sso.session["_auth_user_id"] == str(user.pk)


def test_sso_without_provider_mfa_is_refused_when_configured(sso, settings):
    settings.OIDC_MFA_FALLBACK = "refuse"
    response = _sso_login(sso, "bert")
    page = sso.get(response.url)
    assert page.status_code == 403
    assert "niet bevestigd dat u met een tweede factor" in page.content.decode()
    assert "_auth_user_id" not in sso.session
    assert AuditRecord.objects.filter(
        actie=Actie.LOGIN_FAILURE, reden="sso: geen mfa van idp"
    ).exists()


@pytest.mark.parametrize("account", ["carla", "dirk"])
def test_no_role_claim_gives_a_clear_dutch_page_and_no_account(sso, account):
    response = _sso_login(sso, account)
    page = sso.get(response.url)
    assert page.status_code == 403
    assert "u heeft geen rol in Brede Toegang" in page.content.decode()
    assert not User.objects.filter(oidc_subject=account).exists()
    failure = AuditRecord.objects.get(actie=Actie.LOGIN_FAILURE)
    assert (failure.reden, failure.uitkomst) == ("sso: geen rolclaim", Uitkomst.DENIED)


@pytest.mark.parametrize("wrong", ["issuer", "signature"])
def test_a_token_from_another_issuer_or_key_is_refused_and_audited(sso, settings, wrong):
    if wrong == "issuer":
        settings.OIDC_OP_ISSUER = "http://127.0.0.1:1"
    else:  # we expect another signing key than the provider's: its signature fails
        settings.OIDC_RP_IDP_SIGN_KEY = _pem(_key())
    response = _sso_login(sso, "anna")
    page = sso.get(response.url)
    assert page.status_code == 403
    assert "kon niet worden gecontroleerd" in page.content.decode()
    assert "_auth_user_id" not in sso.session
    failure = AuditRecord.objects.get(actie=Actie.LOGIN_FAILURE)
    assert failure.reden.startswith("sso: token geweigerd")


def test_sso_is_off_unless_configured(client, db):
    assert client.get("/inloggen/sso/").status_code == 404
    assert "SSO" not in client.get("/inloggen/").content.decode()


# -- the ID token checks, on tokens signed here -------------------------------------


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def signing(settings):
    key = _key()
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = "https://idp.gemeente.example"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_OP_TOKEN_ENDPOINT = settings.OIDC_OP_USER_ENDPOINT = "https://idp.example/x"
    settings.OIDC_RP_IDP_SIGN_KEY = _pem(key)
    return key


def _token(key, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://idp.gemeente.example",
        "aud": CLIENT_ID,
        "sub": "anna",
        "iat": now,
        "exp": now + 300,
        "nonce": "n",
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256")


@pytest.mark.parametrize(
    ("claims", "asserted"),
    [
        ({"acr": MFA_ACR}, True),
        ({"amr": ["pwd", "mfa"]}, True),
        ({"acr": "urn:brede-toegang:pwd", "amr": ["pwd"]}, False),
        ({}, False),
    ],
)
def test_which_provider_assertions_count_as_mfa(settings, claims, asserted):
    settings.OIDC_MFA_ACR_VALUES = [MFA_ACR]
    assert oidc.mfa_asserted(claims) is asserted


def test_a_valid_token_passes(signing):
    assert oidc.Backend().verify_token(_token(signing), nonce="n")["sub"] == "anna"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://evil.example"},
        {"aud": "another-client"},
        {"aud": [CLIENT_ID, "another-client"]},  # several audiences and no azp
        {"exp": None},
        {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200},
        {"sub": None},
    ],
    ids=["issuer", "audience", "azp", "no-exp", "future-iat", "no-sub"],
)
def test_a_token_not_for_us_is_refused(signing, changes):
    with pytest.raises(SuspiciousOperation):
        oidc.Backend().verify_token(_token(signing, **changes), nonce="n")


def test_an_expired_token_is_refused(signing):
    expired = _token(signing, iat=int(time.time()) - 900, exp=int(time.time()) - 600)
    with pytest.raises(SuspiciousOperation):
        oidc.Backend().verify_token(expired, nonce="n")


def test_a_token_signed_with_another_key_is_refused(signing):
    with pytest.raises(SuspiciousOperation):
        oidc.Backend().verify_token(_token(_key()), nonce="n")
