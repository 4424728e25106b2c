"""The account pages (``account:`` names): forgotten password, two-factor recovery codes, and switching between a
person's memberships. Thin: the rules are people/passwords.py, people/recovery.py and core.services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from core.client_address import client_address
from core.errors import DomainError
from core.models import Membership
from core.services import membership_switch
from core.submit import run_for_button, run_for_form

from . import passwords, recovery
from .account_forms import NewPasswordForm, PasswordResetRequestForm, SwitchMembershipForm

# Forgotten password -------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_view(request):
    """Ask for a reset link. Every valid request goes on to the same page, whether or not an account has the
    address."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        passwords.password_reset_request(email=form.cleaned_data["email"], client=client_address(request))
        return redirect("account:password_reset_sent")
    return render(request, "accounts/password_reset.jinja", {"form": form}, status=422 if form.errors else 200)


def password_reset_sent_view(request):
    return render(request, "accounts/password_reset_sent.jinja", {"minutes": settings.PASSWORD_RESET_TIMEOUT // 60})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view (the link's token moves into the session and out of the address bar), with our form, page and
    service: the password is set by ``passwords.password_reset_complete``; a refused link is logged."""

    template_name = "accounts/password_reset_confirm.jinja"
    form_class = NewPasswordForm
    success_url = reverse_lazy("account:password_reset_complete")

    def get_user(self, uidb64):
        """The account the link names, if it is active (a deactivated one's link is refused, and logged)."""
        user = super().get_user(uidb64)
        self.inactive_user = user if user is not None and not user.is_active else None
        return None if self.inactive_user else user

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and not isinstance(response, HttpResponseRedirect):
            passwords.password_reset_refused(user=self.user or self.inactive_user, token=kwargs.get("token"))
        return response

    def form_valid(self, form):
        token = self.request.session.get(INTERNAL_RESET_SESSION_TOKEN)
        outcome = run_for_form(form, lambda: passwords.password_reset_complete(
            user=self.user, token=token, password=form.cleaned_data["new_password1"]))
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        if not outcome.ok:  # used meanwhile (another tab): the link is refused, nothing changed
            self.validlink = False
            return self.render_to_response(self.get_context_data(form=form))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "refused_text": passwords.link_refused_text()}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response


def password_reset_complete_view(request):
    return render(request, "accounts/password_reset_complete.jinja")


# Two-factor recovery codes -----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recovery_codes_view(request):
    """How many recovery codes are left, and a new set (shown once; the old set stops working). Only in a session
    verified with two-factor authentication."""
    user = request.user
    if not user.is_verified():
        return redirect(f"{reverse('two_factor')}?next={request.path}")
    if request.method == "POST":
        try:
            codes = recovery.recovery_codes_renew(user=user, actor=user)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("account:recovery_codes")
        return render(request, "accounts/recovery_codes_new.jinja", {
            "codes": codes, "next": reverse("account:recovery_codes"), "first_time": False})
    return render(request, "accounts/recovery_codes.jinja", {
        "left": recovery.recovery_codes_left(user), "total": recovery.RECOVERY_CODES})


# Memberships --------------------------------------------------------------------------------------------------------

def own_memberships(user):
    """The person's own memberships, oldest first (the only ones they may switch to)."""
    return (Membership.objects.filter(user_id=user.pk).select_related("commissioner", "practice")
            .order_by("created_at", "pk"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def memberships_view(request):
    """The person's memberships, which one is in use, and switching to another (their home page and navigation
    follow it; what they may see does not change). Another person's membership answers 404."""
    user = request.user
    if request.method == "POST":
        form = SwitchMembershipForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose the membership to use.")
            return redirect("account:memberships")
        membership = get_object_or_404(own_memberships(user), pk=form.cleaned_data["membership"])
        if membership.is_acting(user):
            messages.info(request, "You are already using that membership.")
            return redirect("account:memberships")
        outcome = run_for_button(request, lambda: membership_switch(user=user, membership=membership), done=(
            f"You are now using your membership as {membership.get_role_display()}"
            f"{' – ' + str(membership.organisation) if membership.organisation else ''}."))
        return redirect("home" if outcome.ok else "account:memberships")
    rows = list(own_memberships(user))
    return render(request, "accounts/memberships.jinja", {
        "memberships": rows, "in_use": next((m for m in rows if m.is_acting(user)), None)})
