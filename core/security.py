"""Two-factor authentication (django-otp: an authenticator app, TOTP, with single-use recovery codes) for the roles
that see most, and no stored copies of pages in browsers and proxies.

When settings.REQUIRE_TWO_FACTOR is on (production's default), a person holding any RCGP, commissioner or NHS
England membership (``needs_two_factor``) must set up an authenticator app once and then enter a code after each
sign-in before any page will open. When they first confirm the app they get RECOVERY_CODES recovery codes, shown
once: each works once in place of the app's code (django-otp's static plugin). Only a hash of each is stored.
"""

import base64
import hashlib
import logging
import re
import secrets

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.forms import Form
from core.roles import COMMISSIONER_ROLES, NHSE_ROLES, RCGP_ROLES

security_log = logging.getLogger("people.security")

TWO_FACTOR_PATH = "/accounts/two-factor/"
# Open to a signed-in person who has not yet entered their code: the code page itself (exactly: the recovery codes
# page below it is not), signing out, static files and the health check.
OPEN_PATHS = ("/accounts/logout/", "/static/", "/health/", "/metrics/")
TWO_FACTOR_ROLES = RCGP_ROLES | COMMISSIONER_ROLES | NHSE_ROLES
RECOVERY_CODES = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper and typed again
_CODE_LENGTH = 12  # about 59 bits each


def needs_two_factor(user):
    """Whether the person must use two-factor authentication: settings.REQUIRE_TWO_FACTOR is on and any of their
    memberships (``User.personas``: no query for someone who holds one) is an RCGP, commissioner or NHS England
    role."""
    if not settings.REQUIRE_TWO_FACTOR or not getattr(user, "is_authenticated", False):
        return False
    return any(persona.role in TWO_FACTOR_ROLES for persona in user.personas())


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path
        if needs_two_factor(user) and not user.is_verified() and path != TWO_FACTOR_PATH \
                and not path.startswith(OPEN_PATHS):
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)


class NoStoreMiddleware:
    """Every response the application makes (pages, panels, downloads, feeds, the API) tells browsers and proxies
    not to keep a copy: a shared computer's back button or disk cache must not show a plan after sign-out. Static
    assets are served before this (WhiteNoise) and keep their long cache lifetimes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


# Recovery codes -------------------------------------------------------------------------------------------------

def normalise_code(text):
    """A recovery code as typed (any case, with spaces or hyphens) in the form it was made."""
    return re.sub(r"[\s\-]", "", str(text or "")).lower()


def code_hash(code):
    """What is stored for a recovery code: the start of its sha256 (django-otp's token column holds 16
    characters)."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()[:16]


def _new_code():
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, _CODE_LENGTH, 4))


@transaction.atomic
def recovery_codes_make(user):
    """A new set of RECOVERY_CODES codes for ``user``: the old set stops working. Returns the codes, to be shown
    once; only their hashes are kept."""
    device, _created = StaticDevice.objects.select_for_update().get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code_hash(code)) for code in codes])
    device.throttle_reset(commit=False)
    device.confirmed = True
    device.save()
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _verify_recovery_code(user, text):
    """The recovery device if ``text`` is one of the person's unused codes (it is used up), else None."""
    code = normalise_code(text)
    if len(code) != _CODE_LENGTH:
        return None
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code_hash(code)):
            return device
    return None


# The two-factor page --------------------------------------------------------------------------------------------

class TokenForm(Form):
    token = forms.CharField(
        label="Code from your authenticator app", max_length=40,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))


WRONG_CODE = "The code is not right. Check the time on your phone and try the newest code."
THROTTLED = ("The code is not right. After a wrong code you must wait a little longer before each try: wait a "
             "minute, then enter the newest code.")


def _throttled(user, device):
    """Whether django-otp now makes the person wait before another try (it doubles the wait after each failure)."""
    devices = [device, *StaticDevice.objects.filter(user=user, confirmed=True)] if device.pk else [device]
    return any(not candidate.verify_is_allowed()[0] for candidate in devices)
PENDING_KEY = "two_factor_pending_key"


def _target(request):
    target = request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return target


@login_required
def two_factor_view(request):
    """Set up an authenticator (first time) or enter its code (every sign-in). While setting up, the new secret
    waits in the session: a GET shows it and creates nothing; the POST that proves the app works saves it and shows
    the person's recovery codes, once. Once set up, a recovery code is accepted in place of the app's code."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        key = request.session.get(PENDING_KEY)
        if not key:
            key = request.session[PENDING_KEY] = random_hex(20)
        device = TOTPDevice(user=user, key=key, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        if setting_up:  # failed codes are counted (throttled) on the device being set up
            device, _created = TOTPDevice.objects.get_or_create(
                user=user, key=device.key, confirmed=False, defaults={"name": "Authenticator app"})
        throttled = _throttled(user, device)  # a try now is refused whatever the code: say so
        verified = device if token.isdigit() and len(token) == 6 and device.verify_token(token) else None
        recovery = None
        if verified is None and not setting_up:
            verified = recovery = _verify_recovery_code(user, token)
        if verified is not None:
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                request.session.pop(PENDING_KEY, None)
            otp_login(request, verified)
            if setting_up:
                security_log.info("two-factor set up by user %s", user.pk)
                return render(request, "accounts/recovery_codes_new.jinja", {
                    "codes": recovery_codes_make(user), "next": _target(request), "first_time": True})
            if recovery is not None:
                left = recovery_codes_left(user)
                security_log.info("recovery code used by user %s (%s left)", user.pk, left)
                messages.warning(request, f"You signed in with a recovery code. It will not work again. You have "
                                          f"{left} recovery code{'' if left == 1 else 's'} left: make a new set on the "
                                          f"recovery codes page if you are running out.")
            return redirect(_target(request))
        security_log.warning("wrong two-factor code for user %s", user.pk)
        form.add_error("token", THROTTLED if throttled else WRONG_CODE)
    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        context.update(secret=base64.b32encode(device.bin_key).decode(),
                       qr=segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code to scan"))
    return render(request, "accounts/two_factor.jinja", context, status=422 if form.errors else 200)
