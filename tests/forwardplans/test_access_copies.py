"""The access matrix for copies of confidential text: notifications (the page), their e-mails and the calendar feed,
for every role, before consent, while the practice shares, after it withdraws, and after an adviser leaves the team.

A marker is planted in the action and milestone text. It may appear on a person's notifications page only while
they may read the plan (the access policy decides at read time, whatever was true when the reminder was sent); it
never appears in an e-mail or a calendar feed, which keep copies beyond the policy's reach.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from casework.services import case_move
from contracts.models import TeamMembership
from contracts.services import team_remove_adviser
from core.roles import COMMISSIONER_ROLES, NHSE_ROLES, PRACTICE_ROLES, Role
from forwardplans import events, ical, reminders
from forwardplans.job_models import ReminderItem, ReminderKind
from forwardplans.models import Action, Milestone

from ..cases import advance

pytestmark = pytest.mark.django_db
R = Role
MARKER_ACTION = "ZQX-ACTION-MARKER"
MARKER_MILESTONE = "ZQX-MILESTONE-MARKER"
TEAM = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}


def may_read(role, phase):
    """Who may read DOC-1's plan in each phase (docs/domain.md §8), written out by hand."""
    if role == R.RCGP_ADVISER and phase == "adviser_removed":
        return False
    if role in TEAM or role in PRACTICE_ROLES:
        return True
    return role in COMMISSIONER_ROLES and phase == "shared"


def _remind_everyone(docs, due_on, *, digest=False):
    """A reminder about the milestone to every role that may see the plan now (the sweep's own path), and (once a
    week) the weekly digest to the peer-support team."""
    milestone = docs["action"].milestones.get(description=MARKER_MILESTONE)
    contract = docs["contract"]
    candidates = [reminders.Candidate(user.pk, ReminderItem.MILESTONE, milestone.pk, ReminderKind.OVERDUE, due_on,
                                      "document", contract.pk, f"Overdue: a milestone on contract {contract.reference}",
                                      "", reverse("forwardplans:action", args=[docs["action"].pk]))
                  for user in docs["users"].values()]
    visible, users = reminders.visible_only(candidates)
    reminders.claim(visible, users)
    if digest:
        reminders.digest(due_on, send_emails=False)


def _page(client, user):
    client.force_login(user)
    response = client.get(reverse("jobs:notifications"))
    assert response.status_code == 200
    return response.content.decode()


def _feed(client, token):
    client.logout()
    response = client.get(reverse("jobs:calendar_feed", args=[token]))
    assert response.status_code == 200
    return response.content.decode(), [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]


def test_notifications_emails_and_calendar_feeds_follow_the_access_policy_after_they_are_made(client, docs):
    users, contract = docs["users"], docs["contract"]
    for role, user in users.items():
        user.email = f"{role}@example.nhs.uk"
        user.save(update_fields=["email"])
    today = datetime.date.today()
    Action.objects.filter(pk=docs["action"].pk).update(action_planned=MARKER_ACTION,
                                                       planned_completion=today - datetime.timedelta(days=3))
    # Overdue, so the registry (forwardplans.deadlines) puts it in the deputy lead's feed, and peer support's while
    # the plan is shared; the action names its lead only in words, so it is in the practice lead's feed too.
    Milestone.objects.filter(action=docs["action"], description="Searches built").update(
        description=MARKER_MILESTONE, due_on=today - datetime.timedelta(days=3))
    tokens = {role: ical.issue(user) for role, user in users.items()}
    contract = advance(contract, "consent_decision", users)
    checked, wrong = 0, []

    def check(phase):
        nonlocal checked
        for role, user in users.items():
            page = _page(client, user)
            shown = MARKER_MILESTONE in page and MARKER_ACTION in page
            told = user.notifications.filter(reminder__item_type=ReminderItem.MILESTONE).exists()
            if told and shown != may_read(role, phase):
                wrong.append((phase, role, "page", may_read(role, phase), shown))
            if told and not shown and events.HIDDEN_TITLE not in page:
                wrong.append((phase, role, "page says it is hidden", True, False))
            feed, summaries = _feed(client, tokens[role])
            if "ZQX" in feed:
                wrong.append((phase, role, "calendar carries text", False, True))
            listed = f"Milestone due (contract {contract.reference})" in summaries
            feeds = may_read(role, phase) and role in (R.RCGP_DEPUTY_LEAD, R.COMMISSIONER_PEER_SUPPORT,
                                                       R.PRACTICE_LEAD)
            if listed != feeds:
                wrong.append((phase, role, "calendar entry", feeds, listed))
            checked += 1
        for message in mail.outbox:
            if "ZQX" in message.subject + message.body:
                wrong.append((phase, message.to, "e-mail carries text", False, True))

    # Before consent: the commissioner is told nothing and its calendar has no plan dates.
    _remind_everyone(docs, today - datetime.timedelta(days=1))
    reminders.sweep(today)
    check("before_consent")
    assert not users[R.COMMISSIONER_PEER_SUPPORT].notifications.filter(reminder__item_type="milestone").exists()

    case_move(contract=contract, move="give_consent", actor=users[R.PRACTICE_LEAD])
    _remind_everyone(docs, today, digest=True)
    reminders.sweep(today + datetime.timedelta(days=1))
    check("shared")
    peer = users[R.COMMISSIONER_PEER_SUPPORT]
    assert peer.notifications.filter(reminder__item_type="milestone").exists()
    digest = peer.notifications.get(reminder__item_type="digest")
    [shown] = events.present([digest], peer)
    assert MARKER_ACTION in shown.shown_body

    case_move(contract=contract, move="withdraw_consent", actor=users[R.PRACTICE_LEAD])
    check("withdrawn")
    [shown] = events.present([digest], peer)
    assert MARKER_ACTION not in shown.shown_body

    team_remove_adviser(contract=contract, adviser=TeamMembership.objects.get(contract=contract).adviser,
                        actor=users[R.RCGP_DEPUTY_LEAD])
    check("adviser_removed")

    assert len(mail.outbox) >= 6  # e-mails were sent, and none of them carried the text
    assert wrong == [], "\n".join(map(str, wrong))
    assert checked == 4 * len(users)


NOTE = "ZQX-MOVE-NOTE"
OBJECTIVE = "ZQX-OBJECTIVE"


def test_move_notes_follow_the_document_rule_and_objectives_are_for_the_contracts_parties(client, docs):
    """Move notes: the RCGP team and practice; the commissioner only while the practice shares; never NHSE.
    Objectives: the contract's parties (practice, commissioner, RCGP team), never NHSE (national or regional)."""
    users, contract = docs["users"], docs["contract"]
    type(contract).objects.filter(pk=contract.pk).update(objectives_operational_stability=OBJECTIVE)
    contract = advance(contract, "factual_accuracy_review", users)
    contract.transitions.update(note=NOTE)
    contract = advance(contract, "consent_decision", users)
    wrong = []
    for phase in ("before_consent", "shared", "withdrawn"):
        if phase == "shared":
            case_move(contract=contract, move="give_consent", actor=users[R.PRACTICE_LEAD])
        if phase == "withdrawn":
            case_move(contract=contract, move="withdraw_consent", actor=users[R.PRACTICE_LEAD])
        for role, user in users.items():
            client.force_login(user)
            page = client.get(reverse("contracts:detail", args=[contract.reference])).content.decode()
            if (NOTE in page) != may_read(role, phase):
                wrong.append((phase, role, "note", may_read(role, phase)))
            if (OBJECTIVE in page) != (role not in NHSE_ROLES):
                wrong.append((phase, role, "objectives", role not in NHSE_ROLES))
    assert wrong == [], wrong
