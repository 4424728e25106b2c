"""Access-matrix rows of an organisation's people pages (people/access.py, people/admin_urls.py).

An organisation's pages answer its admins only: RCGP admin for RCGP, the commissioner's lead for the commissioner
(OWN: 01A), the practice's lead for the practice (OWN: the world's own practice); everyone else finds nothing
(404), including the admins of other organisations, so OTHER (commissioner 02B, the other practice) answers 404 to
every world role. RCGP has no other RCGP: its rows' OTHER is NHS England, which no world user administers (the
world's NHSE user does not carry the people-admin flag; tests/people covers an NHSE admin). Each GET row takes
one kind of organisation (the organisation page a commissioner, the invite form and a person's page a practice,
the change log RCGP); tests/people/test_people_pages.py opens every page of every kind as every role. The
buttons and forms post to their own URLs (GET: 405). The invitation link is open to anyone, signed in or not: the
matrix's invitations are to new addresses, so everyone is shown the invitation (200).

Writes: the organisation's admin "ok" (the change made), everyone else 404. Each POST is rolled back."""

import datetime
import secrets

from django.utils import timezone

from core.models import Membership, User
from core.roles import Role
from people.access import Organisation
from people.models import Invitation
from people.services import membership_version, person_deactivate, person_version, token_hash
from tests.factories import user_for
from tests.test_access_matrix import ADM, CL, PL, _only

ALL = frozenset(Role.values)
NONE = frozenset()
POST_ONLY = ({"own": NONE, "other": NONE}, 405, 405)


def _membership(objects, scope):
    return Membership.objects.get(pk=objects[scope]["people_membership"])


def _person_role(objects, scope):
    membership = _membership(objects, scope)
    return {"membership": membership.pk, "role": Role.PRACTICE_LEAD, "reason": "Runs the rota now",
            "version": membership_version(membership)}


def _person_end(objects, scope):
    membership = _membership(objects, scope)
    return {"membership": membership.pk, "reason": "Left the practice", "version": membership_version(membership)}


def _person(objects, scope, key):
    return User.objects.get(pk=objects[scope][key][1])


MATRIX = {
    "people:home": (None, {"own": frozenset({ADM, CL, PL})}, 404, 302),
    "people:organisation": ("people_org_commissioner", {"own": frozenset({CL}), "other": NONE}, 404, 302),
    "people:invite": ("people_org_practice", {"own": frozenset({PL}), "other": NONE}, 404, 302),
    "people:changes": ("people_org_rcgp", {"own": frozenset({ADM}), "other": NONE}, 404, 302),
    "people:person": ("people_person", {"own": frozenset({PL}), "other": NONE}, 404, 302),
    "people:invitation_accept": ("people_token", {"own": ALL, "other": ALL}, 404, 200),
    "people:invitation_resend": ("people_invitation", *POST_ONLY),
    "people:invitation_revoke": ("people_invitation", *POST_ONLY),
    "people:person_role": ("people_person", *POST_ONLY),
    "people:person_end": ("people_person", *POST_ONLY),
    "people:person_deactivate": ("people_person", *POST_ONLY),
    "people:person_reactivate": ("people_inactive_person", *POST_ONLY),
}

WRITES = {
    "people:invite/practice": ("people_org_practice", lambda o, s: {"email": f"new-{s}@example.nhs.uk",
                                                                    "role": Role.PRACTICE_USER}, _only({PL})),
    "people:invite/commissioner": ("people_org_commissioner",
                                   lambda o, s: {"email": f"new-{s}@example.nhs.uk",
                                                 "role": Role.COMMISSIONER_PEER_SUPPORT}, _only({CL})),
    "people:invite/rcgp": ("people_org_rcgp", lambda o, s: {"email": f"new-{s}@example.nhs.uk",
                                                            "role": Role.RCGP_ADVISER}, _only({ADM})),
    "people:invitation_resend": ("people_invitation", lambda o, s: {"version": 1}, _only({PL})),
    "people:invitation_revoke": ("people_invitation", lambda o, s: {"version": 1}, _only({PL})),
    "people:person_role": ("people_person", _person_role, _only({PL})),
    "people:person_end": ("people_person", _person_end, _only({PL})),
    "people:person_deactivate": ("people_person", lambda o, s: {
        "reason": "Left the practice", "version": person_version(_person(o, s, "people_person"))}, _only({PL})),
    "people:person_reactivate": ("people_inactive_person", lambda o, s: {
        "reason": "Back from leave", "version": person_version(_person(o, s, "people_inactive_person"))},
        _only({PL})),
}
RECORD_WRITES = {"people:invite", "people:invitation_resend", "people:invitation_revoke", "people:person_role",
                 "people:person_end", "people:person_deactivate", "people:person_reactivate"}


def add_objects(world, objects):
    """Per scope: the organisations' slugs, a pending invitation with a working link, a practice user and a
    deactivated one of the practice (OWN: the world's own practice; OTHER: the other practice)."""
    for scope, commissioner, org_rcgp in (("own", world["own"], "rcgp"), ("other", world["other"], "nhse")):
        practice = world["practices"][scope]
        lead = world["users"][PL] if scope == "own" else objects["other"]["practice_lead"]
        slug = f"practice/{practice.ods_code}"
        person = user_for(Role.PRACTICE_USER, practice=practice, username=f"people-{scope}")
        inactive = user_for(Role.PRACTICE_USER, practice=practice, username=f"people-inactive-{scope}")
        practice_lead = user_for(Role.PRACTICE_LEAD, practice=practice, username=f"people-lead-{scope}")
        person_deactivate(person=inactive, org=Organisation("practice", practice_id=practice.pk), reason="On leave",
                          base_version=person_version(inactive), actor=practice_lead)
        invitation = Invitation.objects.create(
            organisation_kind="practice", practice=practice, email=f"invited-{scope}@example.nhs.uk",
            role=Role.PRACTICE_USER, invited_by=lead, expires_at=timezone.now() + datetime.timedelta(days=7))
        for_link = Invitation.objects.create(
            organisation_kind="practice", practice=practice, email=f"link-{scope}@example.nhs.uk",
            role=Role.PRACTICE_USER, invited_by=lead, expires_at=invitation.expires_at)
        secret = secrets.token_urlsafe(32)
        Invitation.objects.filter(pk=for_link.pk).update(token_hash=token_hash(secret), email_status="sent")
        objects[scope].update({
            "people_org_commissioner": [f"commissioner/{commissioner.ods_code}"],
            "people_org_practice": [slug], "people_org_rcgp": [org_rcgp],
            "people_invitation": [slug, invitation.pk], "people_token": [secret],
            "people_person": [slug, person.pk], "people_membership": Membership.objects.get(user=person).pk,
            "people_inactive_person": [slug, inactive.pk]})
