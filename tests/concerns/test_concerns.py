"""The duty to report (docs/domain.md §9): a concern reaches the commissioner's lead and RCGP admin whatever the
practice has agreed to share, and nobody else; it is acknowledged (or escalated to RCGP admin after one working
day in England); the practice is told unless a recorded reason says that would put someone at risk; every read of
it is in the access log, and the retention job keeps it while its outcome is open."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns import access
from concerns.models import Concern, ConcernAction
from concerns.services import concern_acknowledge, concern_raise, concern_record_action
from contracts.models import Contract
from core.errors import DomainError
from core.models import DocumentAccess
from core.roles import Role
from forwardplans import deadlines, reminders
from forwardplans.job_models import Event, Notification, SentReminder
from forwardplans.retention import delete_expired_documents

from ..factories import user_for
from .factories import ConcernFactory

pytestmark = pytest.mark.django_db
R = Role
NHS_NUMBER = "943 476 5919"  # passes the modulus-11 check


def _raise(docs, **overrides):
    users = docs["users"]
    fields = {"category": "safeguarding", "description": "A child was left alone in the waiting room for an hour.",
              "observed_on": timezone.localdate(), "people_involved": "A locum GP and a receptionist."}
    return concern_raise(contract=docs["contract"], actor=users[R.RCGP_ADVISER], **{**fields, **overrides})


@pytest.fixture
def others(world):
    return {"other_lead": user_for(R.COMMISSIONER_LEAD, commissioner=world["other"]),
            "other_peer": user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])}


def test_a_concern_without_consent_reaches_the_commissioner_lead_and_rcgp_admin_and_no_one_else(client, docs,
                                                                                                others):
    users, contract = docs["users"], docs["contract"]
    assert not hasattr(Contract.objects.get(pk=contract.pk), "consent")  # nothing is shared
    concern = _raise(docs)

    raised = Event.objects.get(kind="concern_raised")
    told = set(Notification.objects.filter(event=raised).values_list("recipient", flat=True))
    assert told == {users[R.COMMISSIONER_LEAD].pk, users[R.RCGP_ADMIN].pk}
    # The e-mail and the stored notification carry a neutral title: no category, no text.
    for n in Notification.objects.filter(event=raised):
        assert n.title == f"A concern has been reported on contract {contract.reference}"
        assert "safeguarding" not in n.title.lower() and "child" not in n.title
        assert n.reminder.email_status in ("pending", "no_address")

    may_see = {R.COMMISSIONER_LEAD, R.RCGP_ADMIN, R.RCGP_ADVISER}  # the adviser raised it
    for role, user in {**users, **others}.items():
        client.force_login(user)
        status = client.get(reverse("concerns:detail", args=[concern.pk])).status_code
        assert status == (200 if role in may_see else 404), role
        assert access.concerns_for(user).filter(pk=concern.pk).exists() == (role in may_see), role
    # The receivers' notifications page shows it with a link to the contract's concerns.
    client.force_login(users[R.COMMISSIONER_LEAD])
    shown = client.get(reverse("jobs:notifications")).context["items"]
    assert any(n.shown_link == reverse("concerns:for_contract", args=[contract.reference]) for n in shown)


def test_every_read_of_a_concern_is_in_the_access_log_and_only_its_receivers_see_those_rows(client, docs):
    users, contract = docs["users"], docs["contract"]
    concern = _raise(docs)
    client.force_login(users[R.COMMISSIONER_LEAD])
    client.get(reverse("concerns:detail", args=[concern.pk]))
    row = DocumentAccess.objects.get(user=users[R.COMMISSIONER_LEAD], document="concern")
    assert row.contract_id == contract.pk
    client.get(reverse("concerns:list"))  # a list reads no text: not a read of the concern
    assert DocumentAccess.objects.filter(user=users[R.COMMISSIONER_LEAD]).count() == 1
    # The deputy lead reads the contract's access log but is not told a concern exists; RCGP admin is.
    for role, sees in ((R.RCGP_DEPUTY_LEAD, False), (R.RCGP_ADMIN, True)):
        client.force_login(users[role])
        entries = client.get(reverse("forwardplans:access_log", args=[contract.reference])).context["entries"]
        assert any(e.document == "concern" for e in entries) == sees, role


def test_the_receiver_acknowledges_and_records_what_was_done_with_who_and_when(client, docs):
    users = docs["users"]
    concern = _raise(docs)
    client.force_login(users[R.COMMISSIONER_PEER_SUPPORT])
    assert client.post(reverse("concerns:acknowledge", args=[concern.pk])).status_code == 404
    client.force_login(users[R.RCGP_ADVISER])  # raised it, sees it, does not receive it
    assert client.post(reverse("concerns:acknowledge", args=[concern.pk])).status_code == 403
    with pytest.raises(DomainError):
        concern_acknowledge(concern=concern, actor=users[R.RCGP_DEPUTY_LEAD])

    client.force_login(users[R.COMMISSIONER_LEAD])
    response = client.post(reverse("concerns:acknowledge", args=[concern.pk]))
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.acknowledged_by == users[R.COMMISSIONER_LEAD] and concern.acknowledged_at is not None
    response = client.post(reverse("concerns:action", args=[concern.pk]),
                           {"action": "safeguarding_lead", "note": "Referred to the ICB's safeguarding lead."})
    assert response.status_code == 302
    concern_record_action(concern=concern, actor=users[R.RCGP_ADMIN], action="cqc", note="CQC told.", close=True)
    actions = list(ConcernAction.objects.filter(concern=concern).values_list("action", "by", flat=False))
    assert actions == [("safeguarding_lead", users[R.COMMISSIONER_LEAD].pk), ("cqc", users[R.RCGP_ADMIN].pk)]
    concern.refresh_from_db()
    assert concern.closed_by == users[R.RCGP_ADMIN] and not concern.is_open
    with pytest.raises(DomainError, match="closed"):
        concern_record_action(concern=concern, actor=users[R.RCGP_ADMIN], action="other", note="More.")
    reasons = list(concern.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["Concern raised", "Practice told that a concern was raised", "Concern acknowledged",
                       "Outcome closed"]


def _sweep(day):
    candidates, _users = reminders.visible_only(reminders.collect(day))
    return {(c.recipient_id, c.kind) for c in candidates if c.item_type == "concern"}


def test_an_unacknowledged_concern_escalates_to_rcgp_admin_after_one_working_day_in_england(docs, monkeypatch):
    users = docs["users"]
    friday = datetime.date(2026, 5, 22)  # before the spring bank holiday, Monday 25 May 2026
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: friday)
    concern = _raise(docs)
    assert concern.acknowledgement_due == datetime.date(2026, 5, 26)
    lead, admin, peer = users[R.COMMISSIONER_LEAD], users[R.RCGP_ADMIN], users[R.COMMISSIONER_PEER_SUPPORT]

    assert _sweep(datetime.date(2026, 5, 25)) == {(lead.pk, "due_soon")}
    assert _sweep(datetime.date(2026, 5, 26)) == {(lead.pk, "due_soon")}
    assert _sweep(datetime.date(2026, 5, 27)) == {(lead.pk, "overdue"), (admin.pk, "overdue")}  # escalated
    wednesday = datetime.date(2026, 5, 27)
    for user, expected in ((lead, True), (admin, True), (peer, False), (users[R.RCGP_DEPUTY_LEAD], False)):
        due = {(d.item_type, d.item_id) for d in deadlines.needs_me(user, wednesday)}
        assert (("concern", concern.pk) in due) == expected, user.role
    assert ("concern", concern.pk) not in {(d.item_type, d.item_id)
                                           for d in deadlines.needs_me(admin, datetime.date(2026, 5, 26))}
    reminders.sweep(wednesday, send_emails=False)
    escalation = SentReminder.objects.get(recipient=admin, item_type="concern")
    assert escalation.kind == "overdue"
    concern_acknowledge(concern=concern, actor=lead)
    assert _sweep(datetime.date(2026, 5, 28)) == set()


def test_the_practice_lead_is_told_unless_a_recorded_reason_says_it_would_put_someone_at_risk(docs):
    users, contract = docs["users"], docs["contract"]
    told = _raise(docs)
    notice = Notification.objects.get(event__kind="concern_practice_told")
    assert notice.recipient == users[R.PRACTICE_LEAD]
    assert notice.title == f"Contract {contract.reference}: a concern has been reported to the commissioner"
    assert told.practice_told_at is not None and told.practice_not_told_reason == ""

    with pytest.raises(DomainError, match="put someone at risk"):
        _raise(docs, tell_practice=False)
    withheld = _raise(docs, category="fraud", tell_practice=False,
                      not_told_reason="The practice manager is the person involved.")
    assert withheld.practice_told_at is None
    assert withheld.practice_not_told_reason == "The practice manager is the person involved."
    assert Notification.objects.filter(event__kind="concern_practice_told").count() == 1


def test_bad_input_is_refused_with_clear_messages_and_nothing_is_saved(client, docs):
    users, contract = docs["users"], docs["contract"]
    url = reverse("concerns:new", args=[contract.reference])
    client.force_login(users[R.RCGP_ADVISER])
    assert client.get(url).status_code == 200
    response = client.post(url, {"description": "", "people_involved": "A locum GP.", "tell_practice": "yes",
                                 "observed_on": timezone.localdate().isoformat()})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#id_category"' in html and "Choose what the concern is about." in html
    assert 'href="#id_description"' in html and "Describe what was seen." in html
    assert "A locum GP." in html  # what was typed stays
    typed = {"category": "patient_safety", "description": f"Patient {NHS_NUMBER} was given the wrong dose.",
             "people_involved": "A pharmacist.", "tell_practice": "yes",
             "observed_on": timezone.localdate().isoformat()}
    response = client.post(url, typed)
    assert response.status_code == 422 and "looks like an NHS number" in response.content.decode()
    assert 'name="confirm_no_patient_data"' in response.content.decode()
    assert not Concern.objects.exists()
    response = client.post(url, {**typed, "confirm_no_patient_data": "on"})
    assert response.status_code == 302 and Concern.objects.count() == 1

    # The raise page does not exist for people who cannot raise one; a receiver's acknowledgement is refused to others.
    for role in (R.COMMISSIONER_LEAD, R.PRACTICE_LEAD, R.NHSE_REPORTING, R.RCGP_ADMIN):
        client.force_login(users[role])
        assert client.get(url).status_code == 404, role
    client.force_login(users[R.COMMISSIONER_LEAD])
    concern = Concern.objects.get()
    response = client.post(reverse("concerns:action", args=[concern.pk]), {"note": "Done."})
    assert response.status_code == 422 and "Choose what was done." in response.content.decode()
    assert not ConcernAction.objects.exists()


def test_the_retention_job_never_deletes_a_concern_while_its_outcome_is_open(docs, settings):
    settings.RETENTION_YEARS = 6
    users, contract = docs["users"], docs["contract"]
    still_open = ConcernFactory(contract=contract, raised_by=users[R.RCGP_ADVISER])
    closed = ConcernFactory(contract=contract, raised_by=users[R.RCGP_ADVISER], closed_at=timezone.now(),
                            closed_by=users[R.RCGP_ADMIN])
    Contract.objects.filter(pk=contract.pk).update(state="closed", ended_on=datetime.date(2019, 3, 31),
                                                   end_reason="other")
    delete_expired_documents(datetime.date(2026, 11, 22))
    assert Concern.objects.filter(pk=still_open.pk).exists()
    assert not Concern.objects.filter(pk=closed.pk).exists()
    assert closed.history.exists()  # its history stays
