"""Writes of an organisation's people: invitations (create, resend, revoke, accept), role changes, ended
memberships, deactivation and reactivation.

Each service checks the actor itself (people/access.py: an admin changes only the organisations they administer,
with those organisations' own roles), runs in one transaction and raises ``DomainError`` with a message for the
person. Every change is logged (people/changes.py) and so is every refused attempt: the refusal is recorded after
the service's own transaction has been rolled back, so nothing else of it stays.

Memberships are written only through core.services (``membership_add``, ``membership_set_role``,
``membership_remove``). An organisation always keeps an active admin of its own: RCGP an RCGP admin, a commissioner
a commissioner lead, a practice a practice lead, NHS England a national member who manages people.

An edit carries the version it started from: an invitation's ``version``, and for a membership or a person a
fingerprint of what the page showed (``membership_version``, ``person_version``); a stale one is refused.
"""

import functools
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import services as core_services
from core.api_tokens import revoke_tokens
from core.errors import DomainError, StaleEdit
from core.models import ApiToken, Membership, User
from core.regions import Region
from core.roles import Role
from core.sessions import sessions_end_for
from core.validators import MAX_REASON, reason_given
from forwardplans.outbox import enqueue

from . import access
from .access import Organisation
from .changes import change_record
from .models import Invitation, OrganisationKind, PeopleChange

security_log = logging.getLogger("people.security")
SEND_TASK = "people.tasks.send_people_invitation"
Action = PeopleChange.Action
ADMIN_ROLE = {OrganisationKind.RCGP: Role.RCGP_ADMIN, OrganisationKind.COMMISSIONER: Role.COMMISSIONER_LEAD,
              OrganisationKind.PRACTICE: Role.PRACTICE_LEAD, OrganisationKind.NHSE: Role.NHSE_REPORTING}
STALE_PERSON = "Someone changed this person's memberships or account since you opened the page: check them and " \
               "try again."
STALE_INVITATION = "Someone changed this invitation since you opened the page: check it and try again."
ASK_ADMIN = "Ask your organisation's admin to send you the invitation again."
ask_admin = "ask your organisation's admin to send you the invitation again"


class InvitationLinkError(DomainError):
    """An invitation link that does not open an invitation: unknown or tampered (``status`` 404), or ended:
    expired, already used or revoked (410). ``kind`` says which."""

    def __init__(self, message, *, status, kind, invitation=None):
        super().__init__(message)
        self.status, self.kind, self.invitation = status, kind, invitation


# Helpers ------------------------------------------------------------------------------------------------------------

def token_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _reason(value, *, required=True, what="the change"):
    return reason_given(value, what=what, required=required, max_length=MAX_REASON)


def _fingerprint(*parts):
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def membership_version(membership):
    """What a page showed of a membership, as the version a change of it starts from."""
    return _fingerprint(membership.pk, membership.role, membership.region, membership.manages_people)


def person_version(person):
    """What a page showed of a person (active or not, and their memberships), as the version a change starts
    from (one query)."""
    rows = Membership.objects.filter(user_id=person.pk).order_by("pk").values_list(
        "pk", "role", "commissioner_id", "practice_id", "region", "manages_people")
    return _fingerprint(person.is_active, *rows)


def _check_version(base_version, current, message=STALE_PERSON):
    if base_version is None or str(base_version) != str(current):
        raise StaleEdit(message, [])


def membership_of(org):
    """The memberships of ``org`` (a Q on Membership)."""
    q = Q(role__in=access.ROLES_OF[org.kind])
    if org.kind == OrganisationKind.COMMISSIONER:
        q &= Q(commissioner_id=org.commissioner_id)
    elif org.kind == OrganisationKind.PRACTICE:
        q &= Q(practice_id=org.practice_id)
    return q


def _admin_q(org):
    q = membership_of(org) & Q(role=ADMIN_ROLE[org.kind])
    if org.kind == OrganisationKind.NHSE:
        q &= Q(manages_people=True)
    return q


def is_admin_membership(membership):
    org = Organisation.of(membership)
    if membership.role != ADMIN_ROLE[org.kind]:
        return False
    return org.kind != OrganisationKind.NHSE or membership.manages_people


def _keeps_an_admin(org, *, leaving_memberships=(), leaving_user=None):
    """Whether ``org`` still has an active admin once these memberships end (or this person is deactivated)."""
    others = Membership.objects.filter(_admin_q(org), user__is_active=True).exclude(
        pk__in=[m.pk for m in leaving_memberships])
    if leaving_user is not None:
        others = others.exclude(user_id=leaving_user.pk)
    return others.exists()


def _last_admin(org):
    return DomainError(f"This is the last active admin of {org.name()}: make someone else an admin first, so that "
                       f"the organisation can still manage its people")


def _require_admin(actor, org):
    if not access.administers(actor, org):
        raise DomainError(access.NOT_YOURS)


def _logged(action, about):
    """Run the service in its own transaction; on a refusal, log the attempt (``about(**kwargs)`` gives the
    organisation, and the person concerned) once the transaction has been rolled back, then refuse."""
    def wrap(function):
        atomic = transaction.atomic(function)

        @functools.wraps(function)
        def service(**kwargs):
            try:
                return atomic(**kwargs)
            except DomainError as exc:
                where = about(**kwargs)
                change_record(org=where["org"], action=action, actor=kwargs.get("actor"),
                              subject=where.get("subject"), subject_email=where.get("email", ""),
                              detail=str(exc), reason=(kwargs.get("reason") or "").strip(), refused=True)
                raise
        return service
    return wrap


def _about_invitation(**kwargs):
    invitation = kwargs["invitation"]
    return {"org": Organisation.of(invitation), "email": invitation.email}


def _about_membership(**kwargs):
    membership = kwargs["membership"]
    return {"org": Organisation.of(membership), "subject": User.objects.filter(pk=membership.user_id).first()}


def _about_person(**kwargs):
    return {"org": kwargs["org"], "subject": kwargs["person"]}


def _role_label(role):
    return Role(role).label


def _lock_person(pk):
    return User.objects.select_for_update().get(pk=pk)


# Invitations --------------------------------------------------------------------------------------------------------

def _email(value):
    return (value or "").strip().lower()


def _organisation_objects(org):
    from django.apps import apps

    return {"commissioner": apps.get_model("practices", "Commissioner").objects.get(pk=org.commissioner_id)
            if org.commissioner_id else None,
            "practice": apps.get_model("practices", "Practice").objects.get(pk=org.practice_id)
            if org.practice_id else None}


def pending_invitations_for_email(email):
    """The invitations waiting for this address (pending and not expired), newest first."""
    return Invitation.objects.filter(email__iexact=_email(email), status=Invitation.Status.PENDING,
                                     expires_at__gt=timezone.now())


def account_for_email(email):
    """The account this address belongs to (its username, or its e-mail address), or None."""
    email = _email(email)
    if not email:
        return None
    return (User.objects.filter(username=email).first()
            or User.objects.filter(email__iexact=email).order_by("pk").first())


@_logged(Action.INVITED, lambda **kw: {"org": kw["org"], "email": _email(kw.get("email"))})
def invitation_create(*, org, email, role, actor, region="", manages_people=False):
    """Invite ``email`` to hold ``role`` at ``org``: an e-mail with a single-use link that works for
    INVITATION_DAYS is sent by a job once this is saved."""
    _require_admin(actor, org)
    if not access.may_grant(actor, org, role):
        label = _role_label(role) if role in Role.values else repr(role)
        raise DomainError(f"You cannot give the role {label} at {org.name()}: choose one of its own roles")
    email = _email(email)
    if not email:
        raise DomainError("Enter the e-mail address of the person to invite")
    region = (region or "").strip().upper()
    if role == Role.NHSE_REGIONAL:
        if region not in Region.values:
            raise DomainError("Choose the regional team's region")
    elif region:
        raise DomainError("Only an NHS England regional team role has a region")
    if manages_people and not (org.kind == OrganisationKind.NHSE and role == Role.NHSE_REPORTING):
        raise DomainError("Only a national NHS England member can be made to manage people")
    key = {"role": role, **{k: v for k, v in org.fields().items() if k != "organisation_kind"}}
    person = account_for_email(email)
    if person is not None and Membership.objects.filter(
            user=person, role=role, commissioner_id=org.commissioner_id, practice_id=org.practice_id,
            region=region).exists():
        raise DomainError(f"{email} already holds the role {_role_label(role)} at {org.name()}")
    if pending_invitations_for_email(email).filter(**key, region=region).exists():
        raise DomainError(f"{email} has already been invited as {_role_label(role)} and the invitation has not "
                          f"expired: resend it instead")
    invitation = Invitation.objects.create(
        **org.fields(), email=email, role=role, region=region, manages_people=bool(manages_people),
        invited_by=actor, expires_at=timezone.now() + timezone.timedelta(days=settings.INVITATION_DAYS))
    enqueue(SEND_TASK, invitation.pk)
    change_record(org=org, action=Action.INVITED, actor=actor, subject=person, subject_email=email,
                  detail=f"Invited as {_role_label(role)}")
    return invitation


def _lock_invitation(invitation):
    return Invitation.objects.select_for_update().get(pk=invitation.pk)


@_logged(Action.INVITATION_RESENT, _about_invitation)
def invitation_resend(*, invitation, base_version, actor):
    """Send a pending invitation again, with a new link (the earlier one stops working) and a new expiry."""
    org = Organisation.of(invitation)
    _require_admin(actor, org)
    invitation = _lock_invitation(invitation)
    _check_version(base_version, invitation.version, STALE_INVITATION)
    if invitation.status != Invitation.Status.PENDING:
        raise DomainError(f"This invitation has been {invitation.get_status_display().lower()}: it cannot be sent "
                          f"again")
    invitation.token_hash = ""  # the earlier link stops working now; the job makes the new one
    invitation.expires_at = timezone.now() + timezone.timedelta(days=settings.INVITATION_DAYS)
    invitation.email_status, invitation.email_attempts, invitation.email_error = (
        Invitation.EmailStatus.PENDING, 0, "")
    invitation.claimed_at = invitation.sent_at = None
    invitation.version += 1
    invitation.save()
    enqueue(SEND_TASK, invitation.pk)
    change_record(org=org, action=Action.INVITATION_RESENT, actor=actor, subject_email=invitation.email,
                  detail=f"Invitation as {_role_label(invitation.role)} sent again")
    return invitation


@_logged(Action.INVITATION_REVOKED, _about_invitation)
def invitation_revoke(*, invitation, base_version, actor):
    """Revoke a pending invitation: its link stops working."""
    org = Organisation.of(invitation)
    _require_admin(actor, org)
    invitation = _lock_invitation(invitation)
    _check_version(base_version, invitation.version, STALE_INVITATION)
    if invitation.status != Invitation.Status.PENDING:
        raise DomainError(f"This invitation has already been {invitation.get_status_display().lower()}")
    invitation.status, invitation.revoked_at, invitation.revoked_by = (Invitation.Status.REVOKED, timezone.now(),
                                                                       actor)
    invitation.version += 1
    invitation.save()
    change_record(org=org, action=Action.INVITATION_REVOKED, actor=actor, subject_email=invitation.email,
                  detail=f"Invitation as {_role_label(invitation.role)} revoked")
    return invitation


def _ended(invitation, now=None):
    """Why an invitation's link no longer works (a message and a kind), or None while it does."""
    now = now or timezone.now()
    if invitation.status == Invitation.Status.ACCEPTED:
        return f"This invitation has already been used. If you accepted it, sign in; if not, {ask_admin}.", "used"
    if invitation.status == Invitation.Status.REVOKED:
        return f"This invitation has been withdrawn. {ASK_ADMIN}", "revoked"
    if invitation.expires_at <= now:
        return f"This invitation expired on {timezone.localtime(invitation.expires_at):%-d %B %Y}. {ASK_ADMIN}", \
            "expired"
    return None


def _refuse_link(invitation, message, kind, actor=None):
    change_record(org=Organisation.of(invitation), action=Action.INVITATION_REFUSED, actor=actor,
                  subject_email=invitation.email, detail=f"Link {kind}: {message}", refused=True)
    return InvitationLinkError(message, status=410, kind=kind, invitation=invitation)


def invitation_for_token(token, *, actor=None):
    """The pending invitation a link's secret opens. Refused (``InvitationLinkError``, and logged): an unknown or
    tampered link (404), an expired, used or revoked one (410)."""
    token = (token or "").strip()
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first() if token else None
    if invitation is None:
        security_log.warning("unknown invitation link opened by user %s", getattr(actor, "pk", None))
        raise InvitationLinkError(f"This invitation link is not recognised: it may have been mistyped, or replaced "
                                  f"by a newer invitation. Use the link in the latest e-mail, or {ask_admin}.",
                                  status=404, kind="unknown")
    ended = _ended(invitation)
    if ended:
        raise _refuse_link(invitation, *ended, actor=actor)
    return invitation


def invitation_accept(*, invitation, user=None, first_name="", last_name="", password=None, actor=None):
    """Accept ``invitation``: the membership is added to ``user`` (whose e-mail address it was sent to), or, with
    no user, a new account is made (username: the e-mail address lower-cased; ``password`` None: an unusable
    password, for someone who signs in with their NHS identity). Returns the user. Refused and logged: an ended
    invitation, another person's, one already held."""
    try:
        with transaction.atomic():
            return _accept(invitation=invitation, user=user, first_name=first_name, last_name=last_name,
                           password=password, actor=actor)
    except InvitationLinkError as exc:
        if exc.invitation is None or exc.status == 404:
            raise
        change_record(org=Organisation.of(invitation), action=Action.INVITATION_REFUSED,
                      actor=actor or user, subject_email=invitation.email, detail=str(exc), refused=True)
        raise
    except DomainError as exc:
        change_record(org=Organisation.of(invitation), action=Action.INVITATION_REFUSED, actor=actor or user,
                      subject=user, subject_email=invitation.email, detail=str(exc), refused=True)
        raise


def _accept(*, invitation, user, first_name, last_name, password, actor):
    invitation = _lock_invitation(invitation)
    ended = _ended(invitation)
    if ended:
        raise InvitationLinkError(ended[0], status=410, kind=ended[1], invitation=invitation)
    email = _email(invitation.email)
    org = Organisation.of(invitation)
    if user is None:
        if account_for_email(email) is not None:
            raise DomainError(f"An account already uses {email}: sign in to it to accept the invitation")
        user = User(username=email, email=email, first_name=(first_name or "").strip()[:150],
                    last_name=(last_name or "").strip()[:150])
        if password is None:
            user.set_unusable_password()
        else:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages)) from None
            user.set_password(password)
        user._change_reason = "created from an invitation"
        user.save()
        created = True
    else:
        user = _lock_person(user.pk)
        if _email(user.email) != email and user.username != email:
            raise DomainError(f"This invitation is for {email}, not the account you are signed in with: sign in "
                              f"as {email} to accept it")
        if not user.is_active:
            raise DomainError(f"Your account has been deactivated. {ASK_ADMIN}")
        created = False
    if Membership.objects.filter(user=user, role=invitation.role, commissioner_id=invitation.commissioner_id,
                                 practice_id=invitation.practice_id, region=invitation.region).exists():
        raise DomainError(f"You already hold the role {_role_label(invitation.role)} at {org.name()}")
    objects = _organisation_objects(org)
    core_services.membership_add(user=user, role=invitation.role, region=invitation.region,
                                 manages_people=invitation.manages_people, **objects)
    invitation.status, invitation.accepted_at, invitation.accepted_by = (Invitation.Status.ACCEPTED,
                                                                         timezone.now(), user)
    invitation.version += 1
    invitation.save()
    change_record(org=org, action=Action.INVITATION_ACCEPTED, actor=actor or user, subject=user,
                  detail=f"{'New account' if created else 'Existing account'}: {_role_label(invitation.role)}")
    user.refresh_from_db()
    return user


# Memberships --------------------------------------------------------------------------------------------------------

@_logged(Action.ROLE_CHANGED, _about_membership)
def membership_role_change(*, membership, role, reason, base_version, actor):
    """Change the role of ``membership`` to another role of the same organisation, with a reason."""
    org = Organisation.of(membership)
    _require_admin(actor, org)
    reason = _reason(reason, what="the change of role")
    if not access.may_grant(actor, org, role):
        raise DomainError(f"You cannot give that role at {org.name()}: choose one of its own roles")
    _lock_person(membership.user_id)
    membership = Membership.objects.filter(pk=membership.pk).first()
    if membership is None:
        raise StaleEdit(STALE_PERSON, [])
    _check_version(base_version, membership_version(membership))
    if membership.role == role:
        raise DomainError(f"They already hold the role {_role_label(role)} here: choose a different role")
    if Role.NHSE_REGIONAL in (role, membership.role):
        raise DomainError("A regional team role has its own region: end this membership and invite them to the "
                          "role instead")
    if is_admin_membership(membership) and not _keeps_an_admin(org, leaving_memberships=[membership]):
        raise _last_admin(org)
    before = membership.role
    core_services.membership_set_role(membership=membership, role=role)
    change_record(org=org, action=Action.ROLE_CHANGED, actor=actor, subject=membership.user,
                  detail=f"From {_role_label(before)} to {_role_label(role)}", reason=reason)
    return membership


@_logged(Action.MEMBERSHIP_ENDED, _about_membership)
def membership_end(*, membership, reason, base_version, actor):
    """End ``membership`` (the person keeps their account and any other memberships)."""
    org = Organisation.of(membership)
    _require_admin(actor, org)
    reason = _reason(reason, what="ending the membership")
    person = _lock_person(membership.user_id)
    membership = Membership.objects.filter(pk=membership.pk).first()
    if membership is None:
        raise StaleEdit(STALE_PERSON, [])
    _check_version(base_version, membership_version(membership))
    if is_admin_membership(membership) and not _keeps_an_admin(org, leaving_memberships=[membership]):
        raise _last_admin(org)
    role = membership.role
    core_services.membership_remove(membership=membership)
    change_record(org=org, action=Action.MEMBERSHIP_ENDED, actor=actor, subject=person,
                  detail=f"Membership as {_role_label(role)} ended", reason=reason)
    return person


# People -------------------------------------------------------------------------------------------------------------

def outside_memberships(actor, person):
    """The person's memberships in organisations ``actor`` does not administer (deactivation needs none)."""
    return [m for m in Membership.objects.filter(user_id=person.pk).select_related("commissioner", "practice")
            if not access.administers(actor, Organisation.of(m))]


def _person_checks(*, person, org, actor):
    _require_admin(actor, org)
    if not Membership.objects.filter(membership_of(org), user_id=person.pk).exists():
        raise DomainError(f"They are not one of {org.name()}'s people")
    if outside_memberships(actor, person):
        raise DomainError("They also belong to organisations you do not administer: end their membership here "
                          "instead")
    if person.is_superuser and not actor.is_superuser:
        raise DomainError("This is an operator's account: only an operator can change it")


@_logged(Action.DEACTIVATED, _about_person)
def person_deactivate(*, person, org, reason, base_version, actor):
    """Deactivate ``person``: they cannot sign in; their sessions end and their API tokens are revoked at once.
    Only when every membership they hold is in organisations ``actor`` administers."""
    reason = _reason(reason, what="deactivating them")
    if person.pk == actor.pk:
        raise DomainError("You cannot deactivate yourself: ask another admin")
    person = _lock_person(person.pk)
    _check_version(base_version, person_version(person))
    _person_checks(person=person, org=org, actor=actor)
    if not person.is_active:
        raise DomainError("They are already deactivated")
    for membership in Membership.objects.filter(user_id=person.pk):
        if is_admin_membership(membership):
            where = Organisation.of(membership)
            if not _keeps_an_admin(where, leaving_user=person):
                raise _last_admin(where)
    person.is_active = False
    person._change_reason = "deactivated"
    person.save(update_fields=["is_active"])
    sessions = sessions_end_for(person)
    tokens = revoke_tokens(ApiToken.objects.filter(user=person))
    change_record(org=org, action=Action.DEACTIVATED, actor=actor, subject=person, reason=reason,
                  detail=f"Signed out of {sessions} session{'' if sessions == 1 else 's'}; {tokens} API "
                         f"token{'' if tokens == 1 else 's'} revoked")
    return person


@_logged(Action.REACTIVATED, _about_person)
def person_reactivate(*, person, org, reason="", base_version, actor):
    """Let a deactivated person sign in again (with their memberships; their API tokens stay revoked)."""
    reason = _reason(reason, required=False)
    person = _lock_person(person.pk)
    _check_version(base_version, person_version(person))
    _person_checks(person=person, org=org, actor=actor)
    if person.is_active:
        raise DomainError("They are already active")
    person.is_active = True
    person._change_reason = "reactivated"
    person.save(update_fields=["is_active"])
    change_record(org=org, action=Action.REACTIVATED, actor=actor, subject=person, reason=reason,
                  detail="Reactivated")
    return person
