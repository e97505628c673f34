"""Single sign-on for gemeente staff with OpenID Connect (mozilla-django-oidc).

The backend checks what the library leaves out: the ID token's issuer, audience
(and ``azp``), expiry and issue time, on top of its signature and nonce. Role and
team come from configurable claims; a user without a role claim that maps to a
role gets a clear page, not an account. MFA asserted by the identity provider
(``acr`` in ``OIDC_MFA_ACR_VALUES`` or ``amr`` containing one of
``OIDC_MFA_AMR_VALUES``) stands in for our own second factor; without it the
login continues to our own TOTP step (``OIDC_MFA_FALLBACK = "local"``) or is
refused (``"refuse"``). Every refusal is an audit record.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import jwt
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from requests import RequestException

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from toegang.identity import mfa, policy
from toegang.models import Organisatie, Team, User
from toegang.roles import Rol
from toegang.services import user_set_rol

#: Session key: why the last SSO login was refused (a key of ``REFUSALS``).
REFUSAL = "sso_weigering"
REFUSALS = {
    "geen_rol": _(
        "U bent bij uw organisatie aangemeld, maar u heeft geen rol in Brede Toegang. "
        "Vraag uw functioneel beheerder om u een rol te geven."
    ),
    "geen_mfa": _(
        "Uw organisatie heeft niet bevestigd dat u met een tweede factor bent ingelogd. "
        "Log bij uw organisatie in met een tweede factor en probeer het opnieuw."
    ),
    "ongeldig": _(
        "De inlogbevestiging van uw organisatie kon niet worden gecontroleerd. "
        "Probeer het opnieuw of neem contact op met de beheerder."
    ),
}
#: Clock skew allowed on ``exp`` and ``iat`` (seconds).
LEEWAY = 60


def check_id_token(payload: dict[str, Any], *, now: float | None = None) -> None:
    """Raise SuspiciousOperation unless the ID token is for us, from our issuer, current."""
    now = time.time() if now is None else now
    client_id = settings.OIDC_RP_CLIENT_ID
    if payload.get("iss") != settings.OIDC_OP_ISSUER:
        raise SuspiciousOperation("id_token issuer")
    audience = payload.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise SuspiciousOperation("id_token audience")
    if len(audiences) > 1 and payload.get("azp") != client_id:
        raise SuspiciousOperation("id_token azp")
    exp = payload.get("exp")
    if not isinstance(exp, int | float) or exp + LEEWAY < now:
        raise SuspiciousOperation("id_token expired")
    iat = payload.get("iat")
    if not isinstance(iat, int | float) or iat - LEEWAY > now:
        raise SuspiciousOperation("id_token issued in the future")
    if not payload.get("sub"):
        raise SuspiciousOperation("id_token subject")


def mfa_asserted(payload: dict[str, Any]) -> bool:
    if payload.get("acr") and payload["acr"] in settings.OIDC_MFA_ACR_VALUES:
        return True
    amr = payload.get("amr") or []
    return bool(set(amr) & set(settings.OIDC_MFA_AMR_VALUES))


def role_from(claims: dict[str, Any]) -> str | None:
    value = claims.get(settings.OIDC_ROLE_CLAIM)
    values = value if isinstance(value, list) else [value]
    for item in values:
        rol = settings.OIDC_ROLE_MAP.get(str(item))
        if rol in Rol.values:
            return str(rol)
    return None


def _refuse(request: HttpRequest, reden: str, key: str, username: str = "") -> None:
    policy.audit_failure(request, username, reden=f"sso: {reden}")
    request.session[REFUSAL] = key


class Backend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if settings.OIDC_ENABLED:  # the library insists on its settings; off, it has none
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = User

    def verify_token(self, token: Any, **kwargs: Any) -> Any:
        try:  # PyJWT checks the signature and, when present, exp/iat/nbf
            payload = super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"id_token: {type(exc).__name__}") from exc
        check_id_token(payload)
        return payload

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or not settings.OIDC_ENABLED:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, RequestException) as exc:
            _refuse(request, f"token geweigerd ({type(exc).__name__}: {exc})"[:250], "ongeldig")
            return None

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        claims = {**self.get_userinfo(access_token, id_token, payload), **payload}
        user = User.objects.filter(oidc_subject=payload["sub"]).first()
        rol = role_from(claims)
        if rol is None:
            _refuse(self.request, "geen rolclaim", "geen_rol", user.username if user else "")
            return None
        if user is None:
            user = User(oidc_subject=payload["sub"], username=_new_username(claims))
            user.set_unusable_password()
        user.first_name = str(claims.get("given_name", ""))[:150]
        user.last_name = str(claims.get("family_name", ""))[:150]
        user.organisatie = Organisatie.objects.filter(naam=settings.OIDC_ORGANISATIE).first()
        user.team = Team.objects.filter(
            organisatie=user.organisatie, naam=claims.get(settings.OIDC_TEAM_CLAIM) or ""
        ).first()
        user.rol = rol
        user.save()
        user_set_rol(user=user, rol=rol)
        user.sso_mfa = mfa_asserted(payload)  # type: ignore[attr-defined]
        return user


def _new_username(claims: dict[str, Any]) -> str:
    digest = hashlib.sha256(str(claims["sub"]).encode()).hexdigest()
    wanted = str(claims.get("preferred_username") or f"sso-{digest[:12]}")[:140]
    if User.objects.filter(username__iexact=wanted).exists():
        wanted = f"{wanted}-{digest[:8]}"
    return wanted


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)

    def get_extra_params(self, request: HttpRequest) -> dict[str, Any]:
        params = dict(super().get_extra_params(request))
        if settings.OIDC_MFA_ACR_VALUES:  # ask for the assurance we accept (and its acr claim)
            params.setdefault("acr_values", " ".join(settings.OIDC_MFA_ACR_VALUES))
        hint = request.GET.get("login_hint", "")
        if hint and len(hint) <= 200:
            params["login_hint"] = hint
        return params


class CallbackView(OIDCAuthenticationCallbackView):
    """After the provider: log in, or continue to our own second factor, or refuse."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        return redirect("sso_geweigerd")

    def login_success(self) -> HttpResponse:
        from toegang.identity.views import PENDING, complete_login

        request, user = self.request, self.user
        next_url = self.success_url
        if user.sso_mfa:
            response = complete_login(
                request, user, device=None, next_url=next_url, reden="sso, mfa door idp"
            )
            request.session[mfa.IDP_MFA_SESSION_KEY] = True
            return response
        if settings.OIDC_MFA_FALLBACK != "local":
            _refuse(request, "geen mfa van idp", "geen_mfa", user.username)
            return redirect("sso_geweigerd")
        request.session[PENDING] = {
            "user_id": user.pk,
            "backend": user.backend,
            "next": next_url,
            "at": int(time.time()),
        }
        return redirect("login_code" if mfa.has_confirmed_totp(user) else "login_instellen")


def sso_geweigerd(request: HttpRequest) -> HttpResponse:
    key = request.session.pop(REFUSAL, "ongeldig")
    message = REFUSALS.get(key, REFUSALS["ongeldig"])
    return render(request, "toegang/identity/sso_geweigerd.html", {"message": message}, status=403)
