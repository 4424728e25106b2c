"""Optional TOTP two-factor authentication (django-otp) for RCGP and commissioner roles, and no stored copies of
pages in browsers and proxies.

When settings.REQUIRE_TWO_FACTOR is on, those users must set up an authenticator app once and then
enter a code after each login before any page will open.
"""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.forms import Form
from core.roles import COMMISSIONER_ROLES, RCGP_ROLES

OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/health/")


def needs_two_factor(user):
    return (settings.REQUIRE_TWO_FACTOR and user.is_authenticated
            and (user.role in RCGP_ROLES or user.role in COMMISSIONER_ROLES))


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if needs_two_factor(user) and not user.is_verified() and not request.path.startswith(OPEN_PATHS):
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


class TokenForm(Form):
    token = forms.CharField(label="Code from your authenticator app", max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


PENDING_KEY = "two_factor_pending_key"


@login_required
def two_factor_view(request):
    """Set up an authenticator (first time) or enter its code (every login). While setting up, the new secret
    waits in the session: a GET shows it and creates nothing; the POST that proves the app works saves it."""
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
        if setting_up:  # failed codes are counted (throttled) on the device being set up
            device, _created = TOTPDevice.objects.get_or_create(
                user=user, key=device.key, confirmed=False, defaults={"name": "Authenticator app"})
        if device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                request.session.pop(PENDING_KEY, None)
            otp_login(request, device)
            target = request.GET.get("next") or reverse("home")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("home")
            return redirect(target)
        form.add_error("token", "The code is not right. Check the time on your phone and try the newest code.")
    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        context.update(secret=base64.b32encode(device.bin_key).decode(),
                       qr=segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code to scan"))
    return render(request, "accounts/two_factor.jinja", context)
