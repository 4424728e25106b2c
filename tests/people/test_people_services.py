"""The people services (people/services.py): invitations, role changes, ended memberships, deactivation and
reactivation, and every refusal: nothing changed, a clear message, and the attempt in the change log."""

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from core.api_tokens import api_token_create
from core.errors import DomainError, StaleEdit
from core.models import ApiToken, Membership, SignedInSession, User
from core.roles import Role
from forwardplans.job_models import OutboxJob
from people import services
from people.models import Invitation, PeopleChange
from people.services import (
    InvitationLinkError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    membership_end,
    membership_role_change,
    membership_version,
    pending_invitations_for_email,
    person_deactivate,
    person_reactivate,
    person_version,
)
from tests.factories import PASSWORD, user_for

from .conftest import give_link, log_of

pytestmark = pytest.mark.django_db
R = Role
GOOD_PASSWORD = "violet-harbour-lantern-42"
DONE, REFUSED = PeopleChange.Outcome.DONE, PeopleChange.Outcome.REFUSED


def _membership(user):
    return Membership.objects.get(user=user)


def _sign_in(client, user):
    client.logout()
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def _token(path):
    return path.rstrip("/").rsplit("/", 1)[1]


# Invitations ------------------------------------------------------------------------------------------------------

def test_a_practice_lead_invites_a_colleague_and_the_e_mail_job_is_queued(world, orgs):
    lead = world["users"][R.PRACTICE_LEAD]
    invitation = invitation_create(org=orgs["practice"], email=" Sam.Jones@Example.NHS.uk ", role=R.PRACTICE_USER,
                                   actor=lead)
    assert (invitation.email, invitation.role, invitation.status, invitation.email_status, invitation.token_hash) == (
        "sam.jones@example.nhs.uk", R.PRACTICE_USER, "pending", "pending", "")
    assert invitation.practice_id == world["practices"]["own"].pk and invitation.invited_by == lead
    days = (invitation.expires_at - timezone.now()).total_seconds() / 86400
    assert 6.99 < days <= 7  # INVITATION_DAYS
    job = OutboxJob.objects.get(task="people.tasks.send_people_invitation")
    assert job.args == [invitation.pk]
    change = PeopleChange.objects.get()
    assert (change.action, change.outcome, change.actor, change.subject_email, change.practice_id) == (
        "invited", DONE, lead, "sam.jones@example.nhs.uk", world["practices"]["own"].pk)


@pytest.mark.parametrize(("who", "org", "role", "message"), [
    (R.PRACTICE_LEAD, "other_practice", R.PRACTICE_USER, "only manage the people of the organisations you administer"),
    (R.PRACTICE_LEAD, "practice", R.RCGP_ADMIN, "cannot give the role RCGP programme admin"),
    (R.PRACTICE_USER, "practice", R.PRACTICE_USER, "only manage the people"),
    (R.COMMISSIONER_LEAD, "practice", R.PRACTICE_LEAD, "only manage the people"),
    (R.COMMISSIONER_LEAD, "other_commissioner", R.COMMISSIONER_LEAD, "only manage the people"),
    (R.COMMISSIONER_PEER_SUPPORT, "commissioner", R.COMMISSIONER_LEAD, "only manage the people"),
    (R.RCGP_DEPUTY_LEAD, "rcgp", R.RCGP_ADMIN, "only manage the people"),
    (R.RCGP_ADMIN, "rcgp", R.NHSE_REPORTING, "cannot give the role NHSE national reporting"),
    (R.RCGP_ADMIN, "nhse", R.NHSE_REPORTING, "only manage the people"),
    (R.NHSE_REPORTING, "nhse", R.NHSE_REPORTING, "only manage the people"),  # without the people-admin flag
])
def test_a_role_outside_the_organisations_one_administers_is_refused_and_logged(world, orgs, who, org, role, message):
    actor = world["users"][who]
    with pytest.raises(DomainError, match=message):
        invitation_create(org=orgs[org], email="new@example.nhs.uk", role=role, actor=actor)
    assert not Invitation.objects.exists() and not OutboxJob.objects.exists()
    change = PeopleChange.objects.get()
    assert (change.action, change.outcome, change.actor, change.subject_email) == (
        "invited", REFUSED, actor, "new@example.nhs.uk")
    assert message.split(" ")[0] in change.detail


def test_inviting_someone_who_holds_that_membership_or_is_invited_already_is_refused(world, orgs):
    lead = world["users"][R.PRACTICE_LEAD]
    user = world["users"][R.PRACTICE_USER]
    User.objects.filter(pk=user.pk).update(email="Held@Example.nhs.uk")
    with pytest.raises(DomainError, match="already holds the role Practice user"):
        invitation_create(org=orgs["practice"], email="held@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    # The same address may be invited to another role of the practice.
    invitation_create(org=orgs["practice"], email="held@example.nhs.uk", role=R.PRACTICE_LEAD, actor=lead)
    first = invitation_create(org=orgs["practice"], email="twice@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    with pytest.raises(DomainError, match="already been invited as Practice user.*resend it instead"):
        invitation_create(org=orgs["practice"], email="TWICE@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    assert Invitation.objects.count() == 2
    assert log_of(orgs["practice"]) == [("invited", REFUSED), ("invited", DONE), ("invited", DONE),
                                        ("invited", REFUSED)]
    # Once the first has expired, a new invitation may be made.
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    invitation_create(org=orgs["practice"], email="twice@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)


def test_nhs_england_invitations_name_a_region_for_a_regional_team_and_only_nhse_manages_people(world, orgs,
                                                                                               nhse_admin):
    with pytest.raises(DomainError, match="Choose the regional team's region"):
        invitation_create(org=orgs["nhse"], email="r@example.nhs.uk", role=R.NHSE_REGIONAL, actor=nhse_admin)
    with pytest.raises(DomainError, match="Only an NHS England regional team role has a region"):
        invitation_create(org=orgs["nhse"], email="r@example.nhs.uk", role=R.NHSE_REPORTING, region="Y62",
                          actor=nhse_admin)
    with pytest.raises(DomainError, match="Only a national NHS England member can be made to manage people"):
        invitation_create(org=orgs["practice"], email="p@example.nhs.uk", role=R.PRACTICE_USER, manages_people=True,
                          actor=world["users"][R.PRACTICE_LEAD])
    regional = invitation_create(org=orgs["nhse"], email="r@example.nhs.uk", role=R.NHSE_REGIONAL, region="y63",
                                 actor=nhse_admin)
    national = invitation_create(org=orgs["nhse"], email="n@example.nhs.uk", role=R.NHSE_REPORTING,
                                 manages_people=True, actor=nhse_admin)
    assert (regional.region, national.manages_people) == ("Y63", True)
    user = invitation_accept(invitation=national, first_name="Nat", last_name="Ional", password=GOOD_PASSWORD)
    assert _membership(user).manages_people and user.manages_people


def test_resend_gives_a_new_expiry_and_kills_the_old_link_and_revoke_ends_it(world, orgs):
    lead = world["users"][R.PRACTICE_LEAD]
    invitation = invitation_create(org=orgs["practice"], email="a@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    old = _token(give_link(invitation))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1),
                                                       email_status="failed", email_error="550 no")
    invitation.refresh_from_db()
    with pytest.raises(StaleEdit):
        invitation_resend(invitation=invitation, base_version=invitation.version - 1, actor=lead)
    resent = invitation_resend(invitation=invitation, base_version=invitation.version, actor=lead)
    assert (resent.version, resent.token_hash, resent.email_status, resent.email_error, resent.email_attempts) == (
        2, "", "pending", "", 0)
    assert resent.expires_at > timezone.now() + datetime.timedelta(days=6)
    assert OutboxJob.objects.filter(task=services.SEND_TASK).count() == 2
    with pytest.raises(InvitationLinkError) as error:
        invitation_for_token(old)
    assert error.value.status == 404
    with pytest.raises(DomainError, match="Only manage|only manage"):
        invitation_revoke(invitation=resent, base_version=2, actor=world["users"][R.PRACTICE_USER])
    revoked = invitation_revoke(invitation=resent, base_version=2, actor=lead)
    assert (revoked.status, revoked.revoked_by, revoked.version) == ("revoked", lead, 3)
    with pytest.raises(DomainError, match="has been revoked: it cannot be sent again"):
        invitation_resend(invitation=revoked, base_version=3, actor=lead)
    with pytest.raises(DomainError, match="already been revoked"):
        invitation_revoke(invitation=revoked, base_version=3, actor=lead)
    assert log_of(orgs["practice"]) == [
        ("invited", DONE), ("invitation_resent", REFUSED), ("invitation_resent", DONE),
        ("invitation_revoked", REFUSED), ("invitation_revoked", DONE), ("invitation_resent", REFUSED),
        ("invitation_revoked", REFUSED)]


def test_links_that_are_unknown_expired_used_or_revoked_are_refused_and_logged(world, orgs, caplog):
    lead = world["users"][R.PRACTICE_LEAD]
    caplog.set_level(logging.WARNING, logger="people.security")
    with pytest.raises(InvitationLinkError) as error:
        invitation_for_token("not-a-real-link")
    assert (error.value.status, error.value.kind) == (404, "unknown")
    assert "unknown invitation link" in caplog.text
    assert not PeopleChange.objects.exists()  # nothing known to log it against: the security log has it

    invitations = {kind: invitation_create(org=orgs["practice"], email=f"{kind}@example.nhs.uk",
                                           role=R.PRACTICE_USER, actor=lead) for kind in ("expired", "used", "revoked")}
    tokens = {kind: _token(give_link(invitation)) for kind, invitation in invitations.items()}
    Invitation.objects.filter(pk=invitations["expired"].pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    invitation_accept(invitation=invitations["used"], first_name="U", last_name="Sed", password=GOOD_PASSWORD)
    invitation_revoke(invitation=invitations["revoked"], base_version=1, actor=lead)
    for kind, token in tokens.items():
        with pytest.raises(InvitationLinkError) as error:
            invitation_for_token(token)
        assert (error.value.status, error.value.kind) == (410, kind)
    refused = PeopleChange.objects.filter(action="invitation_refused", outcome=REFUSED).order_by("pk")
    assert [row.subject_email for row in refused] == ["expired@example.nhs.uk", "used@example.nhs.uk",
                                                      "revoked@example.nhs.uk"]
    # An expired invitation cannot be accepted either, by any route (the SSO helper's included).
    with pytest.raises(InvitationLinkError, match="expired"):
        invitation_accept(invitation=invitations["expired"], first_name="E", last_name="X", password=GOOD_PASSWORD)
    assert not User.objects.filter(username="expired@example.nhs.uk").exists()


def test_accepting_makes_an_account_with_the_membership_or_adds_it_to_the_existing_account(world, orgs):
    lead = world["users"][R.PRACTICE_LEAD]
    invitation = invitation_create(org=orgs["practice"], email="New.Person@Example.nhs.uk", role=R.PRACTICE_USER,
                                   actor=lead)
    assert list(pending_invitations_for_email("new.person@EXAMPLE.nhs.uk")) == [invitation]
    with pytest.raises(DomainError, match="too short"):
        invitation_accept(invitation=invitation, first_name="New", last_name="Person", password="short")
    assert not User.objects.filter(username="new.person@example.nhs.uk").exists()
    user = invitation_accept(invitation=invitation, first_name="New", last_name="Person", password=GOOD_PASSWORD)
    assert (user.username, user.email, user.get_full_name(), user.role, user.practice_id, user.is_active) == (
        "new.person@example.nhs.uk", "new.person@example.nhs.uk", "New Person", R.PRACTICE_USER,
        world["practices"]["own"].pk, True)
    assert user.check_password(GOOD_PASSWORD)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by, invitation.version) == ("accepted", user, 2)
    assert list(pending_invitations_for_email("new.person@example.nhs.uk")) == []

    # The same person invited by their commissioner: the membership is added to their account.
    second = invitation_create(org=orgs["commissioner"], email="new.person@example.nhs.uk",
                               role=R.COMMISSIONER_PEER_SUPPORT, actor=world["users"][R.COMMISSIONER_LEAD])
    with pytest.raises(DomainError, match="An account already uses new.person@example.nhs.uk"):
        invitation_accept(invitation=second, first_name="X", last_name="Y", password=GOOD_PASSWORD)
    with pytest.raises(DomainError, match="not the account you are signed in with"):
        invitation_accept(invitation=second, user=world["users"][R.PRACTICE_USER])
    accepted = invitation_accept(invitation=second, user=user)
    assert accepted.pk == user.pk and accepted.role == R.PRACTICE_USER and accepted.other_memberships == 1
    assert sorted(Membership.objects.filter(user=user).values_list("role", flat=True)) == [
        R.COMMISSIONER_PEER_SUPPORT, R.PRACTICE_USER]
    assert log_of(orgs["practice"]) == [("invited", DONE), ("invitation_refused", REFUSED),
                                        ("invitation_accepted", DONE)]
    assert log_of(orgs["commissioner"]) == [("invited", DONE), ("invitation_refused", REFUSED),
                                            ("invitation_refused", REFUSED), ("invitation_accepted", DONE)]


def test_accepting_without_a_password_gives_an_unusable_one_for_single_sign_on(world, orgs):
    invitation = invitation_create(org=orgs["rcgp"], email="sso@example.nhs.uk", role=R.RCGP_ADVISER,
                                   actor=world["users"][R.RCGP_ADMIN])
    user = invitation_accept(invitation=invitation, first_name="S", last_name="So")
    assert not user.has_usable_password() and user.role == R.RCGP_ADVISER


# Memberships and people ---------------------------------------------------------------------------------------------

def test_a_role_change_needs_a_reason_is_logged_and_never_leaves_an_organisation_without_its_admin(world, orgs):
    lead, user = world["users"][R.PRACTICE_LEAD], world["users"][R.PRACTICE_USER]
    membership = _membership(user)
    with pytest.raises(DomainError, match="Enter the reason"):
        membership_role_change(membership=membership, role=R.PRACTICE_LEAD, reason=" ",
                               base_version=membership_version(membership), actor=lead)
    with pytest.raises(DomainError, match="cannot give that role"):
        membership_role_change(membership=membership, role=R.RCGP_ADMIN, reason="Promoted",
                               base_version=membership_version(membership), actor=lead)
    with pytest.raises(StaleEdit):
        membership_role_change(membership=membership, role=R.PRACTICE_LEAD, reason="Promoted", base_version="old",
                               actor=lead)
    own = _membership(lead)
    with pytest.raises(DomainError, match="last active admin of Own Practice"):
        membership_role_change(membership=own, role=R.PRACTICE_USER, reason="Stepping down",
                               base_version=membership_version(own), actor=lead)
    membership_role_change(membership=membership, role=R.PRACTICE_LEAD, reason="Promoted",
                           base_version=membership_version(membership), actor=lead)
    user.refresh_from_db()
    assert user.role == R.PRACTICE_LEAD  # the membership they act in: the user's copy follows
    # Now there are two leads: the first may step down.
    membership_role_change(membership=own, role=R.PRACTICE_USER, reason="Stepping down",
                           base_version=membership_version(own), actor=lead)
    assert _membership(lead).role == R.PRACTICE_USER
    done = PeopleChange.objects.filter(action="role_changed", outcome=DONE).order_by("pk")
    assert [(c.subject, c.detail, c.reason) for c in done] == [
        (user, "From Practice user to Practice lead", "Promoted"),
        (lead, "From Practice lead to Practice user", "Stepping down")]
    assert PeopleChange.objects.filter(action="role_changed", outcome=REFUSED).count() == 4


def test_ending_a_membership_keeps_the_account_and_never_the_last_admin(world, orgs):
    admin = world["users"][R.RCGP_ADMIN]
    adviser = world["users"][R.RCGP_ADVISER]
    own = _membership(admin)
    with pytest.raises(DomainError, match="last active admin of RCGP"):
        membership_end(membership=own, reason="Leaving", base_version=membership_version(own), actor=admin)
    membership = _membership(adviser)
    with pytest.raises(DomainError, match="Enter the reason"):
        membership_end(membership=membership, reason="", base_version=membership_version(membership), actor=admin)
    membership_end(membership=membership, reason="Left the pool", base_version=membership_version(membership),
                   actor=admin)
    adviser.refresh_from_db()
    assert adviser.is_active and adviser.role == "" and not Membership.objects.filter(user=adviser).exists()
    assert log_of(orgs["rcgp"]) == [("membership_ended", REFUSED), ("membership_ended", REFUSED),
                                    ("membership_ended", DONE)]


def test_a_deactivated_adviser_is_signed_out_and_their_api_tokens_stop_at_once(world, orgs, client):
    admin, adviser = world["users"][R.RCGP_ADMIN], world["users"][R.RCGP_ADVISER]
    client.force_login(adviser)
    assert client.get("/").status_code == 200 and SignedInSession.objects.filter(user=adviser).count() == 1
    token, secret = api_token_create(owner=adviser, name="scripts", actor=adviser)
    assert client.get("/api/v1/contracts/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    version = person_version(adviser)
    with pytest.raises(DomainError, match="Enter the reason"):
        person_deactivate(person=adviser, org=orgs["rcgp"], reason="", base_version=version, actor=admin)
    person_deactivate(person=adviser, org=orgs["rcgp"], reason="Left the programme", base_version=version,
                      actor=admin)
    adviser.refresh_from_db()
    assert not adviser.is_active
    assert not SignedInSession.objects.filter(user=adviser).exists()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.logout()
    assert client.get("/api/v1/contracts/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401
    assert _sign_in(client, adviser).status_code == 200  # the sign-in page again: not signed in
    change = PeopleChange.objects.get(action="deactivated", outcome=DONE)
    assert (change.subject, change.reason, change.detail) == (
        adviser, "Left the programme", "Signed out of 1 session; 1 API token revoked")

    with pytest.raises(DomainError, match="already deactivated"):
        person_deactivate(person=adviser, org=orgs["rcgp"], reason="Again", base_version=person_version(adviser),
                          actor=admin)
    with pytest.raises(StaleEdit):
        person_reactivate(person=adviser, org=orgs["rcgp"], base_version=version, actor=admin)
    person_reactivate(person=adviser, org=orgs["rcgp"], reason="Back", base_version=person_version(adviser),
                      actor=admin)
    adviser.refresh_from_db()
    assert adviser.is_active and _sign_in(client, adviser).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None  # tokens stay revoked


def test_deactivation_refuses_oneself_the_last_admin_and_people_of_other_organisations(world, orgs):
    lead, user = world["users"][R.PRACTICE_LEAD], world["users"][R.PRACTICE_USER]
    with pytest.raises(DomainError, match="cannot deactivate yourself"):
        person_deactivate(person=lead, org=orgs["practice"], reason="x", base_version=person_version(lead),
                          actor=lead)
    # Another lead, who deactivates the first: refused while the first is... not the last any more, so done.
    second = user_for(R.PRACTICE_LEAD, practice=world["practices"]["own"])
    # The practice user also advises for RCGP: the practice lead may not deactivate them, only end the membership.
    Membership.objects.create(user=user, role=R.RCGP_ADVISER)
    User.objects.filter(pk=user.pk).update(other_memberships=1)
    user.refresh_from_db()
    with pytest.raises(DomainError, match="also belong to organisations you do not administer"):
        person_deactivate(person=user, org=orgs["practice"], reason="Left", base_version=person_version(user),
                          actor=lead)
    assert User.objects.get(pk=user.pk).is_active
    person_deactivate(person=second, org=orgs["practice"], reason="Left", base_version=person_version(second),
                      actor=lead)
    with pytest.raises(DomainError, match="last active admin of Own Practice"):
        # The second lead is deactivated: the first is now the last active one (an operator deactivates here).
        person_deactivate(person=lead, org=orgs["practice"], reason="x", base_version=person_version(lead),
                          actor=User.objects.create_superuser("operator", "op@example.nhs.uk", PASSWORD))
    assert User.objects.get(pk=lead.pk).is_active
    details = [c.detail for c in PeopleChange.objects.filter(action="deactivated", outcome=REFUSED).order_by("pk")]
    assert details[:2] == [
        "You cannot deactivate yourself: ask another admin",
        "They also belong to organisations you do not administer: end their membership here instead"]
    assert details[2].startswith("This is the last active admin of Own Practice") and len(details) == 3


def test_nhs_england_keeps_a_member_who_manages_people(world, orgs, nhse_admin):
    membership = _membership(nhse_admin)
    with pytest.raises(DomainError, match="last active admin of NHS England"):
        membership_end(membership=membership, reason="Leaving", base_version=membership_version(membership),
                       actor=nhse_admin)
    reporting = world["users"][R.NHSE_REPORTING]
    other = _membership(reporting)
    membership_end(membership=other, reason="Moved on", base_version=membership_version(other), actor=nhse_admin)
    assert log_of(orgs["nhse"]) == [("membership_ended", REFUSED), ("membership_ended", DONE)]
