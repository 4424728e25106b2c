"""Reads of the people pages, each starting from people/access.py: an organisation the user does not administer,
and anything of it, answers 404 like a missing one."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from core.models import Membership, User

from . import access
from .access import Organisation
from .models import Invitation, OrganisationKind
from .services import membership_of

RECENT_ENDED_INVITATIONS = 10


@dataclass(frozen=True)
class OrganisationPage:
    """An organisation as the pages show it: the ``Organisation``, its name and the slug in its URLs
    ("rcgp", "nhse", "commissioner/<ODS code>", "practice/<ODS code>")."""

    org: Organisation
    name: str
    slug: str


def _model(name):
    return apps.get_model("practices", name)


def page_of(org):
    """The ``OrganisationPage`` of ``org`` (one query for a commissioner or practice)."""
    if org.kind == OrganisationKind.COMMISSIONER:
        row = _model("Commissioner").objects.get(pk=org.commissioner_id)
        return OrganisationPage(org, str(row), f"commissioner/{row.ods_code}")
    if org.kind == OrganisationKind.PRACTICE:
        row = _model("Practice").objects.get(pk=org.practice_id)
        return OrganisationPage(org, str(row), f"practice/{row.ods_code}")
    return OrganisationPage(org, OrganisationKind(org.kind).label, org.kind)


def organisations_of(user):
    """The organisations ``user`` administers, as pages, in the order people/access.py gives them."""
    return [page_of(org) for org in access.organisations_administered(user)]


def get_organisation_or_404(user, slug):
    """The organisation a URL's slug names, if ``user`` administers it; 404 otherwise (as for a missing one)."""
    kind, _sep, code = (slug or "").partition("/")
    if kind in (OrganisationKind.RCGP, OrganisationKind.NHSE) and not code:
        org = Organisation(kind)
    elif kind == OrganisationKind.COMMISSIONER and code:
        pk = _model("Commissioner").objects.filter(ods_code=code.upper()).values_list("pk", flat=True).first()
        org = Organisation(kind, commissioner_id=pk) if pk else None
    elif kind == OrganisationKind.PRACTICE and code:
        pk = _model("Practice").objects.filter(ods_code=code.upper()).values_list("pk", flat=True).first()
        org = Organisation(kind, practice_id=pk) if pk else None
    else:
        org = None
    if org is None or not access.administers(user, org):
        raise Http404
    return page_of(org)


def memberships_there(user, org):
    """The memberships of ``org`` that ``user`` may see (all of them, for its admin)."""
    return access.memberships_for(user).filter(membership_of(org))


def people_of(user, org):
    """The people of ``org``, each with ``roles_here`` (their memberships there): two queries whatever the
    number of people."""
    here = memberships_there(user, org)
    return (User.objects.filter(pk__in=here.values("user"))
            .prefetch_related(Prefetch("memberships", queryset=here.order_by("role"), to_attr="roles_here"))
            .order_by("last_name", "first_name", "username", "pk"))


def get_person_or_404(user, org, pk):
    """A person holding a membership of ``org`` (administered by ``user``), or 404."""
    person = access.get_person_or_404(user, pk)
    if not memberships_there(user, org).filter(user_id=person.pk).exists():
        raise Http404
    return person


def invitations_of(user, org):
    return access.invitations_for(user).filter(**org.fields()).select_related("invited_by")


def get_invitation_or_404(user, org, pk):
    invitation = access.get_invitation_or_404(user, pk)
    if Organisation.of(invitation) != org:
        raise Http404
    return invitation


def invitation_state(invitation, now=None):
    """What the page says of an invitation: (key, label). Pending, sent, could not be sent, expired, accepted
    or revoked."""
    now = now or timezone.now()
    if invitation.status == Invitation.Status.ACCEPTED:
        return "accepted", "Accepted"
    if invitation.status == Invitation.Status.REVOKED:
        return "revoked", "Revoked"
    if invitation.expires_at <= now:
        return "expired", "Expired"
    if invitation.email_status == Invitation.EmailStatus.FAILED:
        return "failed", "Could not be sent"
    if invitation.email_status == Invitation.EmailStatus.SENT:
        return "sent", "Sent"
    return "pending", "Pending"


def invitations_listed(user, org):
    """The invitations the organisation page lists: every pending one, then the latest that have ended."""
    rows = invitations_of(user, org)
    pending = list(rows.filter(status=Invitation.Status.PENDING))
    ended = list(rows.exclude(status=Invitation.Status.PENDING)[:RECENT_ENDED_INVITATIONS])
    now = timezone.now()
    for invitation in [*pending, *ended]:
        invitation.state, invitation.state_label = invitation_state(invitation, now)
    return pending + ended


def changes_of(user, org):
    """The organisation's change log (changes and refused attempts), newest first."""
    return access.changes_for(user).filter(**org.fields()).select_related("actor", "subject")


def changes_about(user, org, person):
    """The organisation's log entries about ``person`` (by account, or by the address invited)."""
    q = Q(subject=person)
    if person.email:
        q |= Q(subject_email__iexact=person.email)
    return changes_of(user, org).filter(q)


def memberships_of_person(person):
    """Every membership the person holds (for the page to say which are in other organisations)."""
    return list(Membership.objects.filter(user_id=person.pk).select_related("commissioner", "practice"))
