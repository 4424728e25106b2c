"""The people pages: the organisations one manages, an organisation's people and invitations, the invite form,
a person's page with its changes, and the change log; who may open each (every kind of organisation, every role);
and the organisation page's queries, which do not grow with its people."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Membership, User
from core.roles import Role
from people.models import Invitation, PeopleChange
from people.services import (
    invitation_create,
    invitation_revoke,
    membership_version,
    person_version,
)
from tests.factories import UserFactory, user_for

pytestmark = pytest.mark.django_db
R = Role


def org_url(name, slug, **kwargs):
    return reverse(f"people:{name}", kwargs={"org": slug, **kwargs})


@pytest.fixture
def slugs(world):
    practices = world["practices"]
    return {"rcgp": "rcgp", "nhse": "nhse", "commissioner": f"commissioner/{world['own'].ods_code}",
            "other_commissioner": f"commissioner/{world['other'].ods_code}",
            "practice": f"practice/{practices['own'].ods_code}",
            "other_practice": f"practice/{practices['other'].ods_code}"}


# Who may open the pages --------------------------------------------------------------------------------------------

# The organisation each world role administers (the NHSE user does not carry the people-admin flag: nhse_admin does).
ADMINISTERS = {R.RCGP_ADMIN: {"rcgp"}, R.COMMISSIONER_LEAD: {"commissioner"}, R.PRACTICE_LEAD: {"practice"},
               "nhse_admin": {"nhse"}}


def test_each_organisations_pages_open_to_its_admins_only_and_404_for_everyone_else(client, world, slugs, orgs,
                                                                                 nhse_admin):
    people = {**world["users"], "nhse_admin": nhse_admin}
    members = {"rcgp": world["users"][R.RCGP_ADVISER], "nhse": world["users"][R.NHSE_REPORTING],
               "commissioner": world["users"][R.COMMISSIONER_PEER_SUPPORT],
               "other_commissioner": user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"]),
               "practice": world["users"][R.PRACTICE_USER],
               "other_practice": user_for(R.PRACTICE_USER, practice=world["practices"]["other"])}
    wrong = []
    for org, slug in slugs.items():
        paths = [org_url("organisation", slug), org_url("invite", slug), org_url("changes", slug),
                 org_url("person", slug, pk=members[org].pk)]
        for who, user in people.items():
            client.force_login(user)
            want = 200 if org in ADMINISTERS.get(who, set()) else 404
            for path in paths:
                response = client.get(path)
                if response.status_code != want:
                    wrong.append((who, path, want, response.status_code))
        client.logout()
        for path in paths:
            if client.get(path).status_code != 302:
                wrong.append(("anonymous", path))
    # A person of another organisation, named under one's own, is not found either.
    client.force_login(world["users"][R.PRACTICE_LEAD])
    assert client.get(org_url("person", slugs["practice"], pk=members["other_practice"].pk)).status_code == 404
    assert client.get("/people/practice/NOSUCH/").status_code == 404
    assert wrong == []


def test_the_people_home_lists_the_organisations_one_manages_and_the_header_links_to_it(client, world):
    lead = world["users"][R.COMMISSIONER_LEAD]
    child = type(world["own"]).objects.create(ods_code="01X", name="Sub-ICB location", parent=world["own"],
                                              region="Y62")
    client.force_login(lead)
    response = client.get(reverse("people:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/people/commissioner/{world["own"].ods_code}/"' in html
    assert 'href="/people/commissioner/01X/"' in html
    assert 'href="/people/"' in client.get("/").content.decode()  # "People" in the header
    assert client.get(f"/people/commissioner/{child.ods_code}/").status_code == 200  # its sub-ICB location's
    for role in (R.PRACTICE_USER, R.RCGP_ADVISER, R.NHSE_REPORTING, R.COMMISSIONER_PEER_SUPPORT):
        client.force_login(world["users"][role])
        assert client.get(reverse("people:home")).status_code == 404
        assert 'href="/people/"' not in client.get("/").content.decode()


# The organisation page ---------------------------------------------------------------------------------------------

def test_the_organisation_page_lists_people_with_their_roles_and_every_state_of_invitation(client, world, slugs,
                                                                                           orgs):
    lead, user = world["users"][R.PRACTICE_LEAD], world["users"][R.PRACTICE_USER]
    User.objects.filter(pk=user.pk).update(first_name="Pat", last_name="User", email="pat@example.nhs.uk",
                                           last_login=timezone.now(), is_active=False)
    made = {state: invitation_create(org=orgs["practice"], email=f"{state}@example.nhs.uk", role=R.PRACTICE_USER,
                                     actor=lead)
            for state in ("pending", "sent", "failed", "expired", "accepted", "revoked")}
    Invitation.objects.filter(pk=made["sent"].pk).update(email_status="sent")
    Invitation.objects.filter(pk=made["failed"].pk).update(
        email_status="failed", email_error="The mail server refused it: 550 No such mailbox")
    Invitation.objects.filter(pk=made["expired"].pk).update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    Invitation.objects.filter(pk=made["accepted"].pk).update(status="accepted")
    invitation_revoke(invitation=made["revoked"], base_version=1, actor=lead)
    client.force_login(lead)
    response = client.get(org_url("organisation", slugs["practice"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pat User" in html and "pat@example.nhs.uk" in html and "Deactivated" in html
    invitations = response.context["invitations"]
    assert {i.email.split("@")[0]: i.state_label for i in invitations} == {
        "pending": "Pending", "sent": "Sent", "failed": "Could not be sent", "expired": "Expired",
        "accepted": "Accepted", "revoked": "Revoked"}
    assert "550 No such mailbox" in html
    for state in ("pending", "sent", "failed", "expired"):  # pending ones: resend and revoke
        assert org_url("invitation_resend", slugs["practice"], pk=made[state].pk) in html
    for state in ("accepted", "revoked"):
        assert org_url("invitation_revoke", slugs["practice"], pk=made[state].pk) not in html
    assert org_url("invite", slugs["practice"]) in html and org_url("changes", slugs["practice"]) in html


def test_the_organisation_page_costs_the_same_queries_for_5_or_20_people(client, world, slugs, orgs):
    lead = world["users"][R.PRACTICE_LEAD]
    practice = world["practices"]["own"]
    client.force_login(lead)
    path = org_url("organisation", slugs["practice"])

    def queries():
        client.get(path)  # warm: the session's first write
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    for n in range(3):
        user_for(R.PRACTICE_USER, practice=practice, username=f"five{n}")
        invitation_create(org=orgs["practice"], email=f"five{n}@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    few = queries()
    for n in range(15):
        user = user_for(R.PRACTICE_USER, practice=practice, username=f"twenty{n}")
        Membership.objects.create(user=user, role=R.PRACTICE_LEAD, practice=practice)  # two roles each
        invitation_create(org=orgs["practice"], email=f"twenty{n}@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    assert User.objects.filter(memberships__practice=practice).distinct().count() == 20
    assert queries() == few


# Inviting -----------------------------------------------------------------------------------------------------------

def test_the_invite_form_offers_only_the_organisations_roles_and_keeps_what_was_typed(client, world, slugs, orgs,
                                                                                     nhse_admin):
    lead = world["users"][R.PRACTICE_LEAD]
    client.force_login(lead)
    path = org_url("invite", slugs["practice"])
    form = client.get(path).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == [R.PRACTICE_USER, R.PRACTICE_LEAD]
    assert "region" not in form.fields and "manages_people" not in form.fields
    response = client.post(path, {"email": "not an address"})
    html = response.content.decode()
    assert response.status_code == 422 and "There is a problem" in html
    assert 'href="#id_email"' in html and 'href="#id_role"' in html and 'value="not an address"' in html
    response = client.post(path, {"email": "x@example.nhs.uk", "role": R.RCGP_ADMIN})
    assert response.status_code == 422 and "Select the role" in response.content.decode()
    assert client.post(path, {"email": "x@example.nhs.uk", "role": R.PRACTICE_USER}).status_code == 302
    response = client.post(path, {"email": "x@example.nhs.uk", "role": R.PRACTICE_USER})
    assert response.status_code == 422 and "resend it instead" in response.content.decode()
    assert 'value="x@example.nhs.uk"' in response.content.decode()
    assert Invitation.objects.count() == 1

    client.force_login(nhse_admin)
    form = client.get(org_url("invite", "nhse")).context["form"]
    assert "region" in form.fields and "manages_people" in form.fields
    response = client.post(org_url("invite", "nhse"), {"email": "r@example.nhs.uk", "role": R.NHSE_REGIONAL,
                                                       "region": "Y62"})
    assert response.status_code == 302
    assert Invitation.objects.get(email="r@example.nhs.uk").region == "Y62"


def test_resend_and_revoke_buttons_change_the_invitation_and_a_stale_button_is_refused(client, world, slugs, orgs):
    lead = world["users"][R.PRACTICE_LEAD]
    invitation = invitation_create(org=orgs["practice"], email="b@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    client.force_login(lead)
    response = client.post(org_url("invitation_resend", slugs["practice"], pk=invitation.pk), {"version": 1},
                           follow=True)
    assert "will be sent again, with a new link" in response.content.decode()
    response = client.post(org_url("invitation_revoke", slugs["practice"], pk=invitation.pk), {"version": 1},
                           follow=True)
    assert "Someone changed this invitation" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
    client.post(org_url("invitation_revoke", slugs["practice"], pk=invitation.pk), {"version": 2})
    assert Invitation.objects.get(pk=invitation.pk).status == "revoked"
    # Under another organisation's slug the invitation is not found.
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    assert client.post(org_url("invitation_resend", slugs["commissioner"], pk=invitation.pk),
                       {"version": 3}).status_code == 404
    assert client.get(org_url("invitation_resend", slugs["practice"], pk=invitation.pk)).status_code == 405


# A person -----------------------------------------------------------------------------------------------------------

def test_the_person_page_changes_a_role_with_a_reason_and_shows_the_changes_about_them(client, world, slugs):
    lead, user = world["users"][R.PRACTICE_LEAD], world["users"][R.PRACTICE_USER]
    membership = Membership.objects.get(user=user)
    client.force_login(lead)
    page = org_url("person", slugs["practice"], pk=user.pk)
    assert client.get(page).status_code == 200
    path = org_url("person_role", slugs["practice"], pk=user.pk)
    data = {"membership": membership.pk, "role": R.PRACTICE_LEAD, "reason": "",
            "version": membership_version(membership)}
    response = client.post(path, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'href="#id_role{membership.pk}_reason"' in html and "Enter the reason for the change of role" in html
    response = client.post(path, {**data, "reason": "Runs the rota now", "version": "stale"})
    assert response.status_code == 409 and "Someone changed this person" in response.content.decode()
    response = client.post(path, {**data, "reason": "Runs the rota now"}, follow=True)
    html = response.content.decode()
    assert "is now Practice lead at" in html
    assert Membership.objects.get(pk=membership.pk).role == R.PRACTICE_LEAD
    changes = response.context["changes"]
    assert [(c.action, c.outcome, c.reason) for c in changes] == [
        ("role_changed", "done", "Runs the rota now"), ("role_changed", "refused", "Runs the rota now")]
    assert "Runs the rota now" in html


def test_ending_the_last_leads_membership_is_refused_on_the_page_with_what_was_typed(client, world, slugs):
    lead = world["users"][R.PRACTICE_LEAD]
    membership = Membership.objects.get(user=lead)
    client.force_login(lead)
    response = client.post(org_url("person_end", slugs["practice"], pk=lead.pk),
                           {"membership": membership.pk, "reason": "Retiring",
                            "version": membership_version(membership)})
    html = response.content.decode()
    assert response.status_code == 422 and "This is the last active admin of Own Practice" in html
    assert "Retiring</textarea>" in html
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert "This is your own account" in html  # no deactivation of oneself offered


def test_deactivation_is_offered_only_for_people_wholly_within_ones_organisations(client, world, slugs):
    lead, user = world["users"][R.PRACTICE_LEAD], world["users"][R.PRACTICE_USER]
    client.force_login(lead)
    page = org_url("person", slugs["practice"], pk=user.pk)
    assert "Deactivate their account" in client.get(page).content.decode()
    Membership.objects.create(user=user, role=R.RCGP_ADVISER)
    User.objects.filter(pk=user.pk).update(other_memberships=1)
    html = client.get(page).content.decode()
    assert "also belongs to organisations you do not administer (RCGP)" in html
    assert "Deactivate their account" not in html
    response = client.post(org_url("person_deactivate", slugs["practice"], pk=user.pk),
                           {"reason": "Left", "version": person_version(User.objects.get(pk=user.pk))})
    assert response.status_code == 422 and "end their membership here instead" in response.content.decode()
    assert User.objects.get(pk=user.pk).is_active
    # Ending the membership here is what the practice lead may do: they stay an RCGP adviser.
    membership = Membership.objects.get(user=user, role=R.PRACTICE_USER)
    response = client.post(org_url("person_end", slugs["practice"], pk=user.pk),
                           {"membership": membership.pk, "reason": "Left the practice",
                            "version": membership_version(membership)})
    assert response.status_code == 302 and response["Location"] == org_url("organisation", slugs["practice"])
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [R.RCGP_ADVISER]


def test_deactivate_and_reactivate_from_the_person_page(client, world, slugs):
    admin, adviser = world["users"][R.RCGP_ADMIN], world["users"][R.RCGP_ADVISER]
    client.force_login(admin)
    path = org_url("person_deactivate", "rcgp", pk=adviser.pk)
    response = client.post(path, {"reason": "", "version": person_version(adviser)})
    assert response.status_code == 422 and 'href="#id_deactivate_reason"' in response.content.decode()
    response = client.post(path, {"reason": "Left", "version": person_version(adviser)}, follow=True)
    assert "is deactivated" in response.content.decode() and not User.objects.get(pk=adviser.pk).is_active
    adviser.refresh_from_db()
    response = client.post(org_url("person_reactivate", "rcgp", pk=adviser.pk),
                           {"reason": "", "version": person_version(adviser)}, follow=True)
    assert "can sign in again" in response.content.decode() and User.objects.get(pk=adviser.pk).is_active


def test_the_change_log_is_newest_first_paged_and_the_organisations_own(client, world, slugs, orgs):
    lead = world["users"][R.PRACTICE_LEAD]
    for n in range(55):
        invitation_create(org=orgs["practice"], email=f"p{n}@example.nhs.uk", role=R.PRACTICE_USER, actor=lead)
    invitation_create(org=orgs["commissioner"], email="c@example.nhs.uk", role=R.COMMISSIONER_PEER_SUPPORT,
                      actor=world["users"][R.COMMISSIONER_LEAD])
    client.force_login(lead)
    response = client.get(org_url("changes", slugs["practice"]))
    rows = list(response.context["changes"].object_list)
    assert len(rows) == 50 and rows[0].subject_email == "p54@example.nhs.uk"
    assert all(row.practice_id == world["practices"]["own"].pk for row in rows)
    html = response.content.decode()
    assert "Invited" in html and "Done" in html and "?page=2" in html
    second = client.get(org_url("changes", slugs["practice"]) + "?page=2").context["changes"].object_list
    assert [row.subject_email for row in second][-1] == "p0@example.nhs.uk"
    assert PeopleChange.objects.count() == 56


def test_an_inactive_admin_manages_nobody(client, world, slugs):
    inactive = UserFactory(role=R.RCGP_ADMIN, is_active=False)
    from people.access import Organisation, administers, is_people_admin

    assert not administers(inactive, Organisation("rcgp")) and not is_people_admin(inactive)
