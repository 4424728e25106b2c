"""Reminder sweep in this process: who is told what and when, the access policy, sent-once, e-mail (locmem)."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction

from contracts.models import ContractTransition
from core.roles import Role
from forwardplans import events, notifications, reminders
from forwardplans.job_models import EmailStatus, Notification, SentReminder
from forwardplans.models import ConsentToShare, RagChange

from ..cases import advance
from ..factories import ContractFactory, InspectionFactory, ReferralFactory, user_for

# Reminders only: the lifecycle steps the fixtures make tell people too (tests/casework/test_case_events.py).
REMINDERS = Notification.objects.filter(event__isnull=True)
SENT = SentReminder.objects.exclude(item_type="event")

R = Role
D = datetime.date


def _with_emails(users):
    for role, user in users.items():
        user.email = f"{role}@example.nhs.uk"
        user.save(update_fields=["email"])


@pytest.fixture
def led(docs):
    """The docs fixture with the practice lead leading the action; everyone has an e-mail address."""
    _with_emails(docs["users"])
    action = docs["action"]
    action.lead_user = docs["users"][R.PRACTICE_LEAD]
    action.save(update_fields=["lead_user"])
    docs["contract"].first_contact_on = D(2026, 1, 6)  # no first-contact alerts in these tests
    docs["contract"].save(update_fields=["first_contact_on"])
    return docs


def _shown(notification):
    """(title, body, link) as its recipient's notifications page shows it now."""
    [n] = events.present([Notification.objects.select_related("reminder").get(pk=notification.pk)],
                         notification.recipient)
    return n.shown_title, n.shown_body, n.shown_link


def _told(**filters):
    return sorted(REMINDERS.filter(**filters).values_list("recipient__role", flat=True))


@pytest.mark.django_db
def test_milestone_reminders_a_week_before_the_day_before_and_overdue(led, world):
    users = led["users"]
    other_peer = user_for(R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])

    result = reminders.sweep(D(2026, 1, 3))  # "Searches built" is due on 10 January
    assert (result.sent, result.skipped) == (1, 0)
    week = REMINDERS.get()
    assert week.recipient == users[R.PRACTICE_LEAD] and week.kind == "week_before"
    # Stored (and e-mailed): a neutral title and a link; the page renders the milestone when it is read.
    assert (week.title, week.body) == ("Due within a week: a milestone on contract DOC-1", "")
    title, body, link = _shown(week)
    assert title == "Due within a week: milestone “Searches built” – contract DOC-1"
    assert "is due on Saturday 10 January 2026" in body and "Set up a monthly recall" in body
    assert week.link == link == f"/actions/{led['action'].pk}/"
    assert [m.to for m in mail.outbox] == [["practice_lead@example.nhs.uk"]]
    assert mail.outbox[0].subject == "[Practice Resilience] Due within a week: a milestone on contract DOC-1"
    assert f"http://127.0.0.1:8000/actions/{led['action'].pk}/" in mail.outbox[0].body
    assert "Searches built" not in mail.outbox[0].body and "monthly recall" not in mail.outbox[0].body

    assert reminders.sweep(D(2026, 1, 4)).sent == 0  # still "within a week": already sent
    assert reminders.sweep(D(2026, 1, 9)).sent == 1
    assert _told(kind="day_before") == [R.PRACTICE_LEAD]
    assert _shown(REMINDERS.get(kind="day_before"))[0].startswith("Due tomorrow: milestone “Searches built”")

    # Overdue: the lead and the deputy lead; the commissioner's peer support team only once the plan is shared.
    assert reminders.sweep(D(2026, 1, 11)).sent == 2
    assert _told(kind="overdue") == sorted([R.PRACTICE_LEAD, R.RCGP_DEPUTY_LEAD])
    ConsentToShare.objects.create(contract=led["contract"], status="given")
    result = reminders.sweep(D(2026, 1, 12))
    assert (result.sent, result.skipped) == (1, 2)
    assert _told(kind="overdue") == sorted([R.PRACTICE_LEAD, R.RCGP_DEPUTY_LEAD, R.COMMISSIONER_PEER_SUPPORT])
    assert not REMINDERS.filter(recipient=other_peer).exists()
    assert len(mail.outbox) == 5
    # Past the 14-day catch-up window nothing more is said about it.
    assert reminders.sweep(D(2026, 2, 20)).sent == 0


@pytest.mark.django_db
def test_planned_completion_reminders_and_green_or_closed_work_is_left_alone(led):
    action = led["action"]
    assert reminders.sweep(D(2026, 12, 24)).sent == 1  # planned completion 31 December
    n = REMINDERS.get()
    assert n.title == "Due within a week: an action's planned completion on contract DOC-1"
    assert _shown(n)[0] == ("Due within a week: planned completion of the action “Set up a monthly recall” – "
                            "contract DOC-1")
    assert n.kind == "week_before"
    action.rag_status = "green"
    action.save(update_fields=["rag_status"])
    assert reminders.sweep(D(2026, 12, 30)).sent == 0
    action.rag_status = "amber"
    action.save(update_fields=["rag_status"])
    contract = led["contract"]
    contract.state = "closed"
    contract.save(update_fields=["state"])
    assert reminders.sweep(D(2026, 12, 30)).sent == 0


@pytest.mark.django_db
def test_a_lead_who_can_no_longer_see_the_plan_is_not_reminded(led, world):
    action = led["action"]
    action.lead_user = user_for(R.PRACTICE_LEAD, practice=world["practices"]["other"])
    action.save(update_fields=["lead_user"])
    assert reminders.sweep(D(2026, 1, 3)).sent == 0


@pytest.mark.django_db
def test_command_prints_sent_then_sent_zero(led, capsys):
    call_command("run_reminder_sweep", "--today", "2026-01-03")
    call_command("run_reminder_sweep", "--today", "2026-01-03")
    assert capsys.readouterr().out.splitlines() == ["sent=1 skipped=0", "sent=0 skipped=1"]


@pytest.mark.django_db
def test_first_contact_alert_goes_to_the_deputy_lead_or_rcgp_admins(world):
    users = world["users"]
    contract = ContractFactory(reference="FC-1", practice=world["practices"]["own"])  # commissioned 5 January
    assert reminders.sweep(D(2026, 1, 9)).sent == 0  # due 12 January: told two days ahead
    assert reminders.sweep(D(2026, 1, 10)).sent == 1
    n = REMINDERS.get()
    assert n.recipient == users[R.RCGP_ADMIN] and n.kind == "due_soon"
    assert n.title == "Due soon: first contact on contract FC-1"
    title, body, _link = _shown(n)
    assert title == "Due soon: first contact with Own Practice – contract FC-1" and "has no deputy lead yet" in body
    contract.deputy_lead = users[R.RCGP_DEPUTY_LEAD]
    contract.save(update_fields=["deputy_lead"])
    assert reminders.sweep(D(2026, 1, 13)).sent == 1
    assert _told(kind="overdue") == [R.RCGP_DEPUTY_LEAD]
    contract.first_contact_on = D(2026, 1, 13)
    contract.save(update_fields=["first_contact_on"])
    assert reminders.sweep(D(2026, 1, 14)).sent == 0


@pytest.mark.django_db
def test_referral_acknowledgement_alert_goes_to_that_commissioners_leads_and_rcgp_admins(world):
    """Those who may record the acknowledgement hear of it: the referral's commissioner leads and RCGP admins."""
    users = world["users"]
    other_lead = user_for(R.COMMISSIONER_LEAD, commissioner=world["other"])
    ReferralFactory(practice=world["practices"]["own"])  # received 2 March, acknowledgement due 16 March
    ReferralFactory(practice=world["practices"]["other"], acknowledged_on=D(2026, 3, 3))
    assert reminders.sweep(D(2026, 3, 12)).sent == 0
    assert reminders.sweep(D(2026, 3, 13)).sent == 2
    assert _told(kind="due_soon") == sorted([R.COMMISSIONER_LEAD, R.RCGP_ADMIN])
    n = REMINDERS.get(recipient=users[R.COMMISSIONER_LEAD])
    assert n.title == "Due soon: acknowledge a self-referral received on Monday 2 March 2026"
    assert _shown(n)[0] == "Due soon: acknowledge the referral from Own Practice"
    assert reminders.sweep(D(2026, 3, 17)).sent == 2
    assert _told(kind="overdue") == sorted([R.COMMISSIONER_LEAD, R.RCGP_ADMIN])
    assert not REMINDERS.filter(recipient=other_lead).exists()
    assert not REMINDERS.filter(recipient__role=R.COMMISSIONER_PEER_SUPPORT).exists()


@pytest.mark.django_db
def test_special_measures_reinspection_alert_to_the_commissioners_users_and_rcgp_admins(world):
    own = world["practices"]["own"]
    mine = InspectionFactory(practice=own, publication_date=D(2025, 7, 1), overall_rating="inadequate")  # due 1/1
    theirs = InspectionFactory(practice=world["practices"]["other"], publication_date=D(2025, 7, 1),
                               overall_rating="inadequate")
    assert reminders.sweep(D(2025, 12, 1)).sent == 0  # 31 days ahead
    assert reminders.sweep(D(2025, 12, 2)).sent == 4
    mine, theirs = mine.episodes.get(), theirs.episodes.get()  # the reminders name the episodes
    assert _told(reminder__item_id=mine.pk) == sorted([R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT, R.RCGP_ADMIN])
    assert _told(reminder__item_id=theirs.pk) == [R.RCGP_ADMIN]  # the own commissioner's users cannot see it
    n = REMINDERS.filter(recipient=world["users"][R.COMMISSIONER_LEAD]).get()
    assert n.title == f"Due soon: special-measures re-inspection of practice {own.ods_code}"
    assert _shown(n)[0] == f"Due soon: special-measures re-inspection of Own Practice ({own.ods_code})"
    # Re-inspected (a later published report): no overdue alert.
    InspectionFactory(practice=own, publication_date=D(2025, 12, 20), overall_rating="requires_improvement")
    reminders.sweep(D(2026, 1, 3))
    assert not REMINDERS.filter(kind="overdue", recipient=world["users"][R.COMMISSIONER_LEAD]).exists()


@pytest.mark.django_db
def test_contract_agreement_end_alert_to_the_deputy_lead_or_rcgp_admins_and_the_commissioner_lead(world):
    users = world["users"]
    other_lead = user_for(R.COMMISSIONER_LEAD, commissioner=world["other"])
    contract = ContractFactory(reference="END-1", practice=world["practices"]["own"], state="scoping",
                               first_contact_on=D(2026, 1, 6), mou_ends_on=D(2026, 6, 30))
    ContractFactory(reference="ENDED-1", practice=world["practices"]["own"], state="closed",
                    first_contact_on=D(2026, 1, 6), mou_ends_on=D(2026, 6, 30))
    assert reminders.sweep(D(2026, 5, 30)).sent == 0  # 31 days ahead
    assert reminders.sweep(D(2026, 5, 31)).sent == 2
    assert _told(kind="due_soon") == sorted([R.COMMISSIONER_LEAD, R.RCGP_ADMIN])  # no deputy lead yet
    n = REMINDERS.get(recipient=users[R.COMMISSIONER_LEAD])
    assert n.title == "Due soon: the agreement for contract END-1 ends" and n.body == ""
    title, body, link = _shown(n)
    assert title == "Due soon: the agreement for contract END-1 with Own Practice ends"
    assert "is due on Tuesday 30 June 2026" in body and link == "/contracts/END-1/"
    contract.deputy_lead = users[R.RCGP_DEPUTY_LEAD]
    contract.save(update_fields=["deputy_lead"])
    assert reminders.sweep(D(2026, 7, 1)).sent == 2
    assert _told(kind="overdue") == sorted([R.COMMISSIONER_LEAD, R.RCGP_DEPUTY_LEAD])
    assert not REMINDERS.filter(recipient=other_lead).exists()
    contract.state = "closed"
    contract.save(update_fields=["state"])
    assert reminders.sweep(D(2026, 7, 2)).sent == 0


@pytest.mark.django_db
def test_weekly_digest_says_only_what_the_peer_support_user_may_see(led, world):
    users, contract = led["users"], led["contract"]
    peer = users[R.COMMISSIONER_PEER_SUPPORT]
    RagChange.objects.create(action=led["action"], from_status="amber", to_status="red", by=users[R.RCGP_ADVISER],
                             reason="Slipped")
    # The fixture's start of drafting moved DOC-1 from scoping to report drafting (the lifecycle kept it).
    other = ContractFactory(reference="ELSEWHERE", practice=world["practices"]["other"])
    ContractTransition.objects.create(contract=other, to_state="commissioned", effective_on=D(2026, 1, 5))
    today = datetime.date.today()

    result = reminders.digest(today)  # no consent: no plan content, but the contract's change of state
    assert result.sent == 1
    n = REMINDERS.get(recipient=peer)
    assert n.kind == "weekly" and "0 overdue action(s), 0 plan(s) with new Reds, 1 contract change(s)" in n.title
    assert n.body == ""  # the digest keeps ids; the page renders them
    body = _shown(n)[1]
    assert "Contract DOC-1, Own Practice: Scoping → Report drafting" in body and "ELSEWHERE" not in body
    assert reminders.digest(today).sent == 0  # once a week

    advance(contract, "review_meeting", users)  # sent, confirmed and shared: three more moves
    found = reminders.digest_for(peer, today)
    assert found["overdue"] == [led["action"].pk] and found["new_reds"] == [contract.pk]
    assert list(ContractTransition.objects.filter(pk__in=found["state_changes"]).order_by("at", "pk")
                .values_list("contract__reference", "to_state")) == [
        ("DOC-1", "report_drafting"), ("DOC-1", "factual_accuracy_review"), ("DOC-1", "consent_decision"),
        ("DOC-1", "review_meeting")]
    # Next week's digest lists the shared plan's overdue action while consent stands, and not once it is withdrawn.
    reminders.digest(today + datetime.timedelta(days=7))
    later = REMINDERS.filter(recipient=peer, kind="weekly").order_by("-pk").first()
    assert "Contract DOC-1, Own Practice: Set up a monthly recall" in _shown(later)[1]
    ConsentToShare.objects.filter(contract=contract).update(status="withdrawn")
    body = _shown(later)[1]
    assert "monthly recall" not in body and "Plans with new Red actions" not in body
    assert "Contract DOC-1, Own Practice: Consent decision → Review meeting" in body  # the contract itself is theirs


@pytest.mark.django_db(transaction=True)
def test_a_sweep_racing_another_waits_for_it_and_sends_nothing_twice(led):
    """Sweep A has inserted its reminders but not committed; sweep B's INSERT ... ON CONFLICT DO NOTHING waits
    on the unique index, then skips them: one notification and one e-mail in all."""
    today = D(2026, 1, 3)
    candidates, users = reminders.visible_only(reminders.collect(today))
    outcome = {}

    def sweep_b():
        try:
            outcome["result"] = reminders.sweep(today)
            outcome["finished"] = time.monotonic()
        finally:
            connection.close()

    with transaction.atomic():
        claimed = reminders.claim(candidates, users)
        racer = threading.Thread(target=sweep_b)
        racer.start()
        time.sleep(1.0)
        assert racer.is_alive(), "sweep B should be waiting for sweep A's uncommitted reminders"
        committed = time.monotonic()
    racer.join(timeout=30)
    assert len(claimed) == 1
    assert outcome["finished"] >= committed
    assert (outcome["result"].sent, outcome["result"].skipped) == (0, 1)
    assert SENT.count() == REMINDERS.count() == 1
    notifications.send_pending_emails()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_mail_server_that_is_down_leaves_the_email_waiting_then_it_goes(led, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    result = reminders.sweep(D(2026, 1, 3))
    assert (result.sent, result.emailed, result.email_retry) == (1, 0, 1)
    reminder = SENT.get()
    assert reminder.email_status == EmailStatus.PENDING and "ConnectionRefusedError" in reminder.email_error
    assert REMINDERS.count() == 1  # in the app at once

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = reminders.sweep(D(2026, 1, 3))
    assert (again.sent, again.skipped, again.emailed) == (0, 1, 1)
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.email_status == EmailStatus.SENT and reminder.email_attempts == 2


@pytest.mark.django_db
def test_an_email_that_keeps_failing_is_marked_failed_and_admins_are_told(led, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    reminders.sweep(D(2026, 1, 3))
    for _ in range(notifications.MAX_EMAIL_ATTEMPTS - 1):
        notifications.send_pending_emails()
    reminder = SENT.get(item_type="milestone")
    assert reminder.email_status == EmailStatus.FAILED
    admin_note = REMINDERS.get(recipient=led["users"][R.RCGP_ADMIN])
    assert admin_note.title.startswith("An e-mail to") and "could not be sent" in admin_note.title
    assert admin_note.reminder.email_status == EmailStatus.IN_APP


@pytest.mark.django_db
def test_someone_without_an_email_address_still_sees_the_reminder(led):
    lead = led["users"][R.PRACTICE_LEAD]
    lead.email = ""
    lead.save(update_fields=["email"])
    assert reminders.sweep(D(2026, 1, 3)).sent == 1
    assert SENT.get().email_status == EmailStatus.NO_ADDRESS
    assert REMINDERS.filter(recipient=lead).count() == 1
    assert mail.outbox == []
