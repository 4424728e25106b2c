"""The people pages of an organisation's admins, and the invitation link. Thin: who administers what is
people/access.py (through people/selectors.py); the rules are people/services.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pagination import paginate
from core.roles import Role
from core.submit import page_status, run_for_button, run_for_form

from . import access, selectors, services
from .access import Organisation
from .forms import (
    DeactivateForm,
    EndMembershipForm,
    InviteForm,
    NewAccountForm,
    ReactivateForm,
    RoleChangeForm,
    VersionForm,
)
from .models import OrganisationKind
from .services import InvitationLinkError

PER_PAGE = 25
CHANGES_PER_PAGE = 50
PERSON_CHANGES = 50
OUT_OF_DATE = "The page was out of date: look at it again and try again."


def _organisation_url(page):
    return reverse("people:organisation", kwargs={"org": page.slug})


def _person_url(page, person):
    return reverse("people:person", kwargs={"org": page.slug, "pk": person.pk})


@login_required
def home_view(request):
    """The organisations whose people the user manages."""
    organisations = selectors.organisations_of(request.user)
    if not organisations:
        raise Http404
    return render(request, "people/home.jinja", {"organisations": organisations})


@login_required
def organisation_view(request, org):
    """An organisation's people (paged) and its invitations."""
    page = selectors.get_organisation_or_404(request.user, org)
    people = paginate(request, selectors.people_of(request.user, page.org), per_page=PER_PAGE)
    return render(request, "people/organisation.jinja", {
        "organisation": page, "people": people, "invitations": selectors.invitations_listed(request.user, page.org),
        "may_invite": bool(access.grantable_roles(request.user, page.org))})


@login_required
def invite_view(request, org):
    page = selectors.get_organisation_or_404(request.user, org)
    roles = access.grantable_roles(request.user, page.org)
    form = InviteForm(request.POST if request.method == "POST" else None, roles=roles,
                      nhse=page.org.kind == OrganisationKind.NHSE)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.invitation_create(
            org=page.org, actor=request.user, email=data["email"], role=data["role"],
            region=data.get("region", ""), manages_people=data.get("manages_people", False)))
        if outcome.ok:
            # No address in the banner: a long one would push a phone's screen sideways. The table shows it.
            messages.success(request, f"The invitation will be sent by e-mail. The link in it works until "
                                      f"{outcome.value.expires_at:%-d %B %Y}.")
            return redirect(_organisation_url(page))
    return render(request, "people/invite.jinja", {"organisation": page, "form": form,
                                                   "invitation_days": settings.INVITATION_DAYS},
                  status=page_status(form, outcome))


def _invitation_button(request, org, pk, call, done):
    page = selectors.get_organisation_or_404(request.user, org)
    invitation = selectors.get_invitation_or_404(request.user, page.org, pk)
    form = VersionForm(request.POST)
    if form.is_valid():
        run_for_button(request, lambda: call(invitation, form.cleaned_data["version"]), done=done)
    else:
        messages.error(request, OUT_OF_DATE)
    return redirect(_organisation_url(page))


@require_POST
@login_required
def invitation_resend_view(request, org, pk):
    return _invitation_button(request, org, pk, lambda invitation, version: services.invitation_resend(
        invitation=invitation, base_version=version, actor=request.user),
        done="The invitation will be sent again, with a new link. The earlier link no longer works.")


@require_POST
@login_required
def invitation_revoke_view(request, org, pk):
    return _invitation_button(request, org, pk, lambda invitation, version: services.invitation_revoke(
        invitation=invitation, base_version=version, actor=request.user),
        done="The invitation is revoked: its link no longer works.")


# A person ---------------------------------------------------------------------------------------------------------

def _person(request, org, pk):
    page = selectors.get_organisation_or_404(request.user, org)
    return page, selectors.get_person_or_404(request.user, page.org, pk)


def _other_roles(request, page, membership):
    return [role for role in access.grantable_roles(request.user, page.org)
            if role != membership.role and Role.NHSE_REGIONAL not in (role, membership.role)]


def _role_form(request, page, membership, data=None):
    return RoleChangeForm(data, roles=_other_roles(request, page, membership), auto_id=f"id_role{membership.pk}_%s",
                          initial={"membership": membership.pk, "version": services.membership_version(membership)})


def _end_form(membership, data=None):
    return EndMembershipForm(data, auto_id=f"id_end{membership.pk}_%s",
                             initial={"membership": membership.pk,
                                      "version": services.membership_version(membership)})


def _render_person(request, page, person, bound=None, status=200):
    """The person's page; ``bound``: {(form kind, membership pk or None): a form sent with errors}."""
    bound = bound or {}
    user = request.user
    memberships = list(selectors.memberships_there(user, page.org).filter(user_id=person.pk)
                       .select_related("commissioner", "practice"))
    for membership in memberships:
        membership.role_form = bound.get(("role", membership.pk)) or _role_form(request, page, membership)
        membership.end_form = bound.get(("end", membership.pk)) or _end_form(membership)
        membership.is_admin = services.is_admin_membership(membership)
    version = services.person_version(person)
    outside = services.outside_memberships(user, person)
    deactivate = bound.get(("deactivate", None)) or DeactivateForm(auto_id="id_deactivate_%s",
                                                                   initial={"version": version})
    reactivate = bound.get(("reactivate", None)) or ReactivateForm(auto_id="id_reactivate_%s",
                                                                   initial={"version": version})
    forms = [form for form in bound.values() if form is not None]
    return render(request, "people/person.jinja", {
        "organisation": page, "person": person, "memberships": memberships, "outside": outside,
        "deactivate_form": deactivate, "reactivate_form": reactivate, "is_self": person.pk == user.pk,
        "errored_forms": forms,
        "changes": list(selectors.changes_about(user, page.org, person)[:PERSON_CHANGES])}, status=status)


@login_required
def person_view(request, org, pk):
    """A person within an organisation: their memberships there, and what its admin may change."""
    page, person = _person(request, org, pk)
    return _render_person(request, page, person)


def _membership_posted(request, page, person):
    """The membership of this person and organisation the form names, or None (ended meanwhile)."""
    try:
        pk = int(request.POST.get("membership", ""))
    except ValueError:
        return None
    return selectors.memberships_there(request.user, page.org).filter(user_id=person.pk, pk=pk).first()


def _gone(request, page, person):
    messages.error(request, "That membership has ended since you opened the page.")
    return redirect(_person_url(page, person))


def _membership_write(request, org, pk, kind, make_form, call, after):
    """A change to the posted membership of this person here: ``call(membership, data)`` with the version the form
    started from; on success ``after(person, membership, data)`` gives the message and where to go."""
    page, person = _person(request, org, pk)
    membership = _membership_posted(request, page, person)
    if membership is None:
        return _gone(request, page, person)
    form = make_form(page, membership)
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: call(membership, data),
                               current_version=lambda: services.membership_version(membership))
        if outcome.ok:
            message, url = after(page, person, membership, data)
            messages.success(request, message)
            return redirect(url)
    return _render_person(request, page, person, {(kind, membership.pk): form}, status=page_status(form, outcome))


def _name(person):
    return person.get_full_name() or person.username


@require_POST
@login_required
def person_role_view(request, org, pk):
    return _membership_write(
        request, org, pk, "role", lambda page, membership: _role_form(request, page, membership, request.POST),
        lambda membership, data: services.membership_role_change(
            membership=membership, role=data["role"], reason=data["reason"], base_version=data["version"],
            actor=request.user),
        lambda page, person, membership, data: (
            f"{_name(person)} is now {Role(data['role']).label} at {page.name}.", _person_url(page, person)))


@require_POST
@login_required
def person_end_view(request, org, pk):
    def after(page, person, membership, data):
        still_here = selectors.memberships_there(request.user, page.org).filter(user_id=person.pk).exists()
        return (f"{_name(person)}'s membership as {membership.get_role_display()} at {page.name} has ended.",
                _person_url(page, person) if still_here else _organisation_url(page))

    return _membership_write(
        request, org, pk, "end", lambda page, membership: _end_form(membership, request.POST),
        lambda membership, data: services.membership_end(
            membership=membership, reason=data["reason"], base_version=data["version"], actor=request.user),
        after)


def _person_write(request, org, pk, form_class, kind, call, done):
    page, person = _person(request, org, pk)
    form = form_class(request.POST, auto_id=f"id_{kind}_%s")
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: call(person, page.org, data),
                               current_version=lambda: services.person_version(person))
        if outcome.ok:
            messages.success(request, done(person))
            return redirect(_person_url(page, person))
    return _render_person(request, page, person, {(kind, None): form}, status=page_status(form, outcome))


@require_POST
@login_required
def person_deactivate_view(request, org, pk):
    return _person_write(
        request, org, pk, DeactivateForm, "deactivate",
        lambda person, org_, data: services.person_deactivate(person=person, org=org_, reason=data["reason"],
                                                              base_version=data["version"], actor=request.user),
        lambda person: f"{_name(person)} is deactivated: they have been signed out "
                       f"and their API tokens no longer work.")


@require_POST
@login_required
def person_reactivate_view(request, org, pk):
    return _person_write(
        request, org, pk, ReactivateForm, "reactivate",
        lambda person, org_, data: services.person_reactivate(person=person, org=org_, reason=data["reason"],
                                                              base_version=data["version"], actor=request.user),
        lambda person: f"{_name(person)} can sign in again.")


@login_required
def changes_view(request, org):
    """The organisation's change log, newest first: who, when, what, done or refused, and why."""
    page = selectors.get_organisation_or_404(request.user, org)
    changes = paginate(request, selectors.changes_of(request.user, page.org), per_page=CHANGES_PER_PAGE)
    return render(request, "people/changes.jinja", {"organisation": page, "changes": changes})


# The invitation link (open without signing in) -------------------------------------------------------------------

def _ended(request, exc):
    return render(request, "people/invitation_ended.jinja", {"error": exc}, status=exc.status)


def accept_view(request, token):
    """Accept an invitation: a new person makes their account; someone who has one signs in to it and confirms."""
    user = request.user if request.user.is_authenticated else None
    try:
        invitation = services.invitation_for_token(token, actor=user)
    except InvitationLinkError as exc:
        return _ended(request, exc)
    org = Organisation.of(invitation)
    account = services.account_for_email(invitation.email)
    context = {"invitation": invitation, "organisation_name": org.name(), "account": account}
    posted = request.method == "POST"
    if account is not None and user is None:
        return redirect_to_login(request.get_full_path())
    if user is not None and (account is None or account.pk != user.pk):
        # Signed in as someone else: nothing is accepted in their name.
        return render(request, "people/invitation_accept.jinja", {**context, "other_account": True},
                      status=403 if posted else 200)
    if account is not None:
        error = None
        if posted:
            try:
                services.invitation_accept(invitation=invitation, user=user, actor=user)
            except InvitationLinkError as exc:
                return _ended(request, exc)
            except DomainError as exc:
                error = str(exc)
            else:
                messages.success(request, f"You are now {invitation.get_role_display()} at "
                                          f"{context['organisation_name']}.")
                return redirect("home")
        return render(request, "people/invitation_accept.jinja", {**context, "error": error},
                      status=422 if error else 200)
    form = NewAccountForm(request.POST if posted else None, email=invitation.email)
    outcome = None
    if posted and form.is_valid():
        data = form.cleaned_data
        outcome = run_for_form(form, lambda: services.invitation_accept(
            invitation=invitation, first_name=data["first_name"], last_name=data["last_name"],
            password=data["password1"]))
        if outcome.ok:
            login(request, outcome.value, backend="core.auth.UserBackend")
            messages.success(request, f"Welcome, {outcome.value.first_name}. You are "
                                      f"{invitation.get_role_display()} at {context['organisation_name']}.")
            return redirect("home")
    return render(request, "people/invitation_accept.jinja", {**context, "form": form},
                  status=page_status(form, outcome))
