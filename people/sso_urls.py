"""Signing in with an NHS identity (OpenID Connect), at /accounts/sso/: the start, which sends the person to the
provider, and the callback the provider sends them back to (the redirect URI to register: SITE_URL +
/accounts/sso/<provider>/callback/)."""

from django.urls import path

from . import sso_views

app_name = "sso"
urlpatterns = [
    path("<slug:provider>/start/", sso_views.start_view, name="start"),
    path("<slug:provider>/callback/", sso_views.callback_view, name="callback"),
]
