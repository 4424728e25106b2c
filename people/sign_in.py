"""Signing in with a password, and each organisation's choice to turn it off.

- ``PolicySignInForm``: the sign-in form (core/login_form.py) that refuses a password to a person any of whose
  organisations has turned password sign-in off (``SignInPolicy.password_sign_in``), pointing them to the NHS
  account button. ``SignInView``: the login page, with the configured NHS sign-in providers as buttons.
- ``sign_in_policy_set``: an organisation's admin turns password sign-in off (only when an NHS sign-in provider is
  configured) or on again, with a reason; each change and each refused attempt is kept (``SIGN_IN_POLICY``).
- ``policy_view``: the page of the policy (``people:sign_in``), for the organisation's admins only (people/
  selectors.py ``get_organisation_or_404``): anyone else finds nothing there (404).
"""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import redirect, render

from core.errors import DomainError, StaleEdit
from core.forms import Form
from core.login_form import SignInForm
from core.submit import page_status, run_for_form
from core.validators import MAX_REASON, reason_given

from . import access, selectors, sso
from .access import Organisation
from .changes import change_record
from .models import PeopleChange, SignInPolicy

security_log = logging.getLogger("people.security")

TURNED_OFF = ("Your organisation has turned off signing in with a password. Use the “Sign in with your NHS account” "
              "button below.")
TURNED_OFF_NO_PROVIDER = ("Your organisation has turned off signing in with a password, and signing in with an NHS "
                          "account is not available at the moment. Ask your organisation's admin or the service desk.")
STALE = "Someone changed the sign-in setting while you were looking at it: check it and try again."


# Password sign-in ---------------------------------------------------------------------------------------------------

def organisations_of(user):
    """The organisations ``user`` holds a membership of (their acting one if they have no membership rows)."""
    found = {Organisation.of(membership) for membership in user.memberships.all()}
    if not found and user.role:
        found.add(Organisation.of(user))
    return found


def password_turned_off_for(user):
    """The organisations of ``user`` that have turned password sign-in off (a queryset of ``SignInPolicy``)."""
    condition = Q(pk__in=[])
    for org in organisations_of(user):
        condition |= Q(**org.fields())
    return SignInPolicy.objects.filter(condition, password_sign_in=False)


class PolicySignInForm(SignInForm):
    """The sign-in form, refusing a right password when an organisation of the person's has turned passwords off."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if password_turned_off_for(user).exists():
            security_log.warning("refused password sign-in by user %s: password sign-in is off for an "
                                 "organisation of theirs", user.pk)
            raise ValidationError(TURNED_OFF if sso.providers() else TURNED_OFF_NO_PROVIDER,
                                  code="password_sign_in_off")


class SignInView(auth_views.LoginView):
    """The login page: a username and password, and a "Sign in with your NHS account" button per provider."""

    template_name = "accounts/login.jinja"
    authentication_form = PolicySignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_providers": sso.providers()}


# The policy ---------------------------------------------------------------------------------------------------------

def policy_of(org):
    """The organisation's policy row, or an unsaved one (password sign-in on, version 0) if none was ever set."""
    found = SignInPolicy.objects.filter(**org.fields()).first()
    return found or SignInPolicy(**org.fields(), password_sign_in=True, version=0)


def _reason(value):
    return reason_given(value, max_length=MAX_REASON)


@transaction.atomic
def _policy_set(*, org, password_sign_in, reason, base_version, actor):
    if not access.administers(actor, org):
        raise DomainError(access.NOT_YOURS)
    reason = _reason(reason)
    policy = SignInPolicy.objects.select_for_update().filter(**org.fields()).first()
    current_version = policy.version if policy else 0
    if base_version != current_version:
        raise StaleEdit(STALE, [("Password sign-in", "On" if policy is None or policy.password_sign_in else "Off")])
    if (policy.password_sign_in if policy else True) == password_sign_in:
        raise DomainError(f"Password sign-in is already {'on' if password_sign_in else 'off'}")
    if not password_sign_in and not sso.providers():
        raise DomainError("Password sign-in cannot be turned off: no NHS sign-in service is set up for this "
                          "service, so nobody could sign in")
    if policy is None:
        try:
            with transaction.atomic():
                policy = SignInPolicy.objects.create(**org.fields(), password_sign_in=password_sign_in,
                                                     updated_by=actor, version=1)
        except IntegrityError as error:  # someone set it first
            raise StaleEdit(STALE, []) from error
    else:
        policy.password_sign_in = password_sign_in
        policy.updated_by = actor
        policy.version += 1
        policy.save(update_fields=["password_sign_in", "updated_by", "version", "updated_at"])
    change_record(org=org, action=PeopleChange.Action.SIGN_IN_POLICY, actor=actor, reason=reason,
                  detail=f"Password sign-in turned {'on' if password_sign_in else 'off'}")
    return policy


def sign_in_policy_set(*, org, password_sign_in, reason, base_version, actor):
    """Turn password sign-in for ``org`` (an ``Organisation``) on or off, from the version the admin saw. Refused
    (``DomainError``, and the attempt kept in the organisation's log) for someone who does not administer it, without
    a reason, when nothing would change, or when turning it off while no NHS sign-in provider is configured."""
    try:
        return _policy_set(org=org, password_sign_in=password_sign_in, reason=reason, base_version=base_version,
                           actor=actor)
    except StaleEdit:
        raise
    except DomainError as error:
        change_record(org=org, action=PeopleChange.Action.SIGN_IN_POLICY, actor=actor, detail=str(error),
                      reason=(reason or "")[:MAX_REASON], refused=True)
        raise


# The page -----------------------------------------------------------------------------------------------------------

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}


class PolicyForm(Form):
    password_sign_in = forms.ChoiceField(
        label="Can people sign in with a password?", widget=forms.RadioSelect,
        choices=[("on", "Yes: a password or an NHS account"), ("off", "No: an NHS account only")],
        error_messages={"required": "Select whether people can sign in with a password",
                        "invalid_choice": "Select whether people can sign in with a password"})
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea, max_length=MAX_REASON,
                             error_messages={"required": "Enter the reason for the change"},
                             help_text="It is kept in your organisation's log of changes.")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, error_messages=OUT_OF_DATE)


@login_required
def policy_view(request, org):
    """The organisation's sign-in policy (``org``: its slug, people/admin_urls.py), for its admins only."""
    page = selectors.get_organisation_or_404(request.user, org)
    org = page.org
    policy = access.policies_for(request.user).filter(**org.fields()).first() or policy_of(org)
    form = PolicyForm(request.POST if request.method == "POST" else None,
                      initial={"version": policy.version, "password_sign_in": "on" if policy.password_sign_in
                               else "off"})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        turn_on = data["password_sign_in"] == "on"  # noqa: S105 - a choice
        outcome = run_for_form(form, lambda: sign_in_policy_set(
            org=org, password_sign_in=turn_on, reason=data["reason"], base_version=data["version"],
            actor=request.user), current_version=lambda: policy_of(org).version)
        if outcome.ok:
            messages.success(request, f"Password sign-in is now {'on' if turn_on else 'off'} for {page.name}.")
            return redirect(request.path)
        policy = policy_of(org)
    changes = access.changes_for(request.user).filter(**org.fields(), action=PeopleChange.Action.SIGN_IN_POLICY)
    return render(request, "people/sign_in/policy.jinja", {
        "org": org, "org_name": page.name, "org_slug": page.slug, "policy": policy, "form": form,
        "providers": sso.providers(),
        "changes": list(changes.select_related("actor")[:20]),
        "conflict": outcome.conflict if outcome else None}, status=page_status(form, outcome))
