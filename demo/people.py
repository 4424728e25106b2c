"""The demo's people pages: the demo practice (Lees, P85022) and commissioner (Oldham, 00Y) each have a pending
invitation and a few entries in their change log, made through the services by their demo leads: the practice
lead invites a new receptionist, invites a mistyped address and revokes it, and is refused stepping down as the
practice's last lead; the commissioner lead invites an analyst and sends the invitation again.

Idempotent: an organisation whose demo invitation exists already is left as it is, so running the seed again adds
nothing. (Without Redis the invitation e-mails go out in-process, to the console backend.)"""

import contextlib

from core.errors import DomainError
from core.models import Membership, User
from core.roles import Role
from people.access import Organisation
from people.models import Invitation
from people.services import (
    invitation_create,
    invitation_resend,
    invitation_revoke,
    membership_role_change,
    membership_version,
)
from practices.models import Commissioner, Practice

PRACTICE, COMMISSIONER = "P85022", "00Y"  # demo/data.py DEMO_PRACTICE, DEMO_COMMISSIONER
PRACTICE_INVITE = "new.receptionist@lees-medical.example.nhs.uk"
MISTYPED = "new.receptionst@lees-medical.example.nhs.uk"
COMMISSIONER_INVITE = "new.analyst@oldham-icb.example.nhs.uk"


def _lead(role):
    return User.objects.filter(username=f"demo-{role}", is_active=True).first()


def _seed_practice(log):
    lead = _lead(Role.PRACTICE_LEAD)
    practice = Practice.objects.filter(ods_code=PRACTICE).first()
    if lead is None or practice is None:
        log("people: no demo practice lead, nothing seeded for the practice")
        return
    org = Organisation("practice", practice_id=practice.pk)
    if Invitation.objects.filter(practice=practice, email=PRACTICE_INVITE).exists():
        return
    invitation_create(org=org, email=PRACTICE_INVITE, role=Role.PRACTICE_USER, actor=lead)
    mistyped = invitation_create(org=org, email=MISTYPED, role=Role.PRACTICE_USER, actor=lead)
    invitation_revoke(invitation=mistyped, base_version=mistyped.version, actor=lead)
    own = Membership.objects.filter(user=lead, role=Role.PRACTICE_LEAD, practice=practice).first()
    leads = Membership.objects.filter(role=Role.PRACTICE_LEAD, practice=practice, user__is_active=True).count()
    if own is not None and leads == 1:
        with contextlib.suppress(DomainError):  # refused while they are its only lead: the log keeps the attempt
            membership_role_change(membership=own, role=Role.PRACTICE_USER, reason="Handing over to a new lead",
                                   base_version=membership_version(own), actor=lead)
    log(f"people: {practice} invited {PRACTICE_INVITE}; a mistyped invitation revoked")


def _seed_commissioner(log):
    lead = _lead(Role.COMMISSIONER_LEAD)
    commissioner = Commissioner.objects.filter(ods_code=COMMISSIONER).first()
    if lead is None or commissioner is None:
        log("people: no demo commissioner lead, nothing seeded for the commissioner")
        return
    if Invitation.objects.filter(commissioner=commissioner, email=COMMISSIONER_INVITE).exists():
        return
    org = Organisation("commissioner", commissioner_id=commissioner.pk)
    invitation = invitation_create(org=org, email=COMMISSIONER_INVITE, role=Role.COMMISSIONER_PEER_SUPPORT,
                                   actor=lead)
    invitation_resend(invitation=invitation, base_version=invitation.version, actor=lead)
    log(f"people: {commissioner} invited {COMMISSIONER_INVITE} and sent the invitation again")


def seed_people(log=print):
    _seed_practice(log)
    _seed_commissioner(log)
