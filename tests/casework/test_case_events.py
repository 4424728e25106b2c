"""Every step of a case tells the right people (forwardplans.events): in the application, rendered when read through
the access policy, and by an e-mail with a neutral title and a link only."""

import pytest
from django.core import mail
from django.urls import reverse

from casework.services import case_answer_correction, case_move
from contracts.models import TeamMembership
from core.roles import Role
from forwardplans import services
from forwardplans.delivery import unread_counts
from forwardplans.events import HIDDEN_TITLE
from forwardplans.job_models import EmailStatus, Notification, SentReminder
from forwardplans.notifications import send_pending_emails

from ..cases import advance
from ..factories import UserFactory

pytestmark = pytest.mark.django_db
R = Role
REPORT_TEXT = ["Founded 1974.", "Governance gaps."]  # the docs fixture's report


def told(contract, kind):
    """{role: user} of everyone told of the contract's latest event of ``kind``."""
    notes = Notification.objects.filter(event__contract=contract, event__kind=f"case_{kind}").select_related(
        "recipient")
    return {n.recipient.role for n in notes}


@pytest.fixture
def with_emails(docs):
    for user in docs["users"].values():
        user.email = f"{user.username}@example.nhs.uk"
        user.save(update_fields=["email"])
    return docs


def test_each_step_tells_the_people_the_table_names_who_may_see_it_and_not_the_actor(docs):
    users, contract = docs["users"], docs["contract"]
    assert told(contract, "start_drafting") == {R.RCGP_ADVISER}  # the team, less the deputy lead who started it
    case_move(contract=contract, move="send_report", actor=users[R.RCGP_DEPUTY_LEAD])
    assert told(contract, "send_report") == {R.PRACTICE_LEAD, R.RCGP_ADVISER}
    services.correction_add(report=docs["report"], actor=users[R.PRACTICE_LEAD], section="findings",
                            passage="Governance gaps.", correction="Few gaps.")
    case_move(contract=contract, move="return_report", actor=users[R.PRACTICE_LEAD])
    assert told(contract, "return_report") == {R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}
    correction = docs["report"].corrections.get()
    case_answer_correction(correction=correction, actor=users[R.RCGP_ADVISER], answer="declined",
                               reason="It is in the log.")
    case_move(contract=contract, move="resend_report", actor=users[R.RCGP_ADMIN])
    assert told(contract, "resend_report") == {R.PRACTICE_LEAD, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}
    case_move(contract=contract, move="confirm_accuracy", actor=users[R.PRACTICE_LEAD])
    assert told(contract, "confirm_accuracy") == {R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}
    case_move(contract=contract, move="refuse_consent", actor=users[R.PRACTICE_LEAD])
    assert told(contract, "refuse_consent") == {R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}
    case_move(contract=contract, move="give_consent", actor=users[R.PRACTICE_LEAD])
    assert told(contract, "give_consent") == {R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.COMMISSIONER_LEAD,
                                              R.COMMISSIONER_PEER_SUPPORT}
    case_move(contract=contract, move="hand_over", actor=users[R.COMMISSIONER_LEAD])
    assert told(contract, "hand_over") == {R.COMMISSIONER_PEER_SUPPORT, R.PRACTICE_LEAD, R.RCGP_DEPUTY_LEAD,
                                           R.RCGP_ADVISER}
    # Never NHSE, never the practice's other users, never another organisation's.
    assert not Notification.objects.filter(event__contract=contract, recipient__role__in=[
        R.NHSE_REPORTING, R.PRACTICE_USER, R.RCGP_ADMIN]).exists()


def test_the_commissioner_hears_of_a_shared_report_only_while_consent_stands(client, docs):
    users, contract = docs["users"], docs["contract"]
    advance(contract, "review_meeting", users)
    peer = users[R.COMMISSIONER_PEER_SUPPORT]
    client.force_login(peer)
    page = client.get(reverse("jobs:notifications")).content.decode()
    assert "Contract DOC-1: the practice has agreed to share the diagnostic report and forward plan" in page
    assert reverse("forwardplans:consent", args=["DOC-1"]) in page
    case_move(contract=contract, move="withdraw_consent", actor=users[R.PRACTICE_LEAD])
    page = client.get(reverse("jobs:notifications")).content.decode()
    assert "agreed to share" not in page and HIDDEN_TITLE in page  # the earlier notice, redacted now
    assert "Contract DOC-1: the practice has withdrawn its consent" in page
    assert reverse("forwardplans:consent", args=["DOC-1"]) not in page


def test_an_adviser_taken_off_the_team_sees_only_that_there_were_notifications(client, docs):
    users, contract = docs["users"], docs["contract"]
    case_move(contract=contract, move="send_report", actor=users[R.RCGP_DEPUTY_LEAD])
    client.force_login(users[R.RCGP_ADVISER])
    assert "Contract DOC-1: the diagnostic report has been sent" in client.get(
        reverse("jobs:notifications")).content.decode()
    TeamMembership.objects.filter(contract=contract).update(removed_at="2026-01-01T00:00:00Z")
    response = client.get(reverse("jobs:notifications"))
    assert "DOC-1" not in response.content.decode()
    assert [(n.shown_title, n.shown_body, n.shown_link) for n in response.context["items"]] == [
        (HIDDEN_TITLE, "", "")] * 2  # sent; started drafting


def test_a_link_leads_where_its_reader_may_go_now(client, docs):
    users, contract = docs["users"], docs["contract"]
    case_move(contract=contract, move="send_report", actor=users[R.RCGP_DEPUTY_LEAD])
    client.force_login(users[R.PRACTICE_LEAD])
    page = client.get(reverse("jobs:notifications")).content.decode()
    assert f'href="{reverse("forwardplans:report", args=["DOC-1"])}"' in page
    services.correction_add(report=docs["report"], actor=users[R.PRACTICE_LEAD], section="findings",
                            passage="Governance gaps.", correction="Few gaps.")
    case_move(contract=contract, move="return_report", actor=users[R.PRACTICE_LEAD])
    page = client.get(reverse("jobs:notifications")).content.decode()  # the report is the advisers' again
    assert f'href="{reverse("forwardplans:report", args=["DOC-1"])}"' not in page
    assert f'href="{reverse("contracts:detail", args=["DOC-1"])}"' in page


def test_the_email_says_what_kind_of_thing_happened_and_links_to_it_never_the_text(with_emails):
    docs = with_emails
    users, contract = docs["users"], docs["contract"]
    case_move(contract=contract, move="send_report", actor=users[R.RCGP_DEPUTY_LEAD])
    pending = SentReminder.objects.filter(item_type="event", email_status=EmailStatus.PENDING)
    assert {r.recipient.role for r in pending} == {R.PRACTICE_LEAD, R.RCGP_ADVISER}
    assert send_pending_emails().sent == 2
    for message in mail.outbox:
        text = message.subject + message.body
        assert message.subject == ("[Practice Resilience] Contract DOC-1: the diagnostic report has been sent to "
                                   "the practice to check its factual accuracy")
        assert reverse("forwardplans:report", args=["DOC-1"]) in message.body
        assert not any(words in text for words in [*REPORT_TEXT, "Own Practice", "Set up a monthly recall"])


def test_the_notifications_page_costs_the_same_for_many_events(client, docs, django_assert_max_num_queries):
    users, contract = docs["users"], docs["contract"]
    advance(contract, "review_meeting", users)  # events of every scope and link: contract, report, documents, consent
    reader = users[R.RCGP_ADVISER]
    client.force_login(reader)
    client.get(reverse("jobs:notifications"))
    # Both measured pages count the unread notifications afresh (new ones were delivered before each).
    unread_counts.forget([reader.pk])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("jobs:notifications"))
    for n in range(12):  # the lead changes back and forth: each change tells the team
        lead = UserFactory(role=R.RCGP_DEPUTY_LEAD, username=f"lead-{n}")
        case_move(contract=contract, move="change_lead", actor=users[R.RCGP_ADMIN], deputy_lead=lead)
    assert Notification.objects.filter(recipient=reader).count() == 16
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("jobs:notifications"))


def test_every_emailed_link_opens_for_its_recipient_when_it_is_sent(client, docs):
    users, contract = docs["users"], docs["contract"]
    seen = set()

    def links_open():
        for n in Notification.objects.filter(event__contract=contract).exclude(pk__in=seen).select_related(
                "recipient", "event"):
            seen.add(n.pk)
            client.force_login(n.recipient)
            assert client.get(n.link).status_code == 200, (n.recipient.role, n.event.kind, n.link)

    links_open()
    case_move(contract=contract, move="send_report", actor=users[R.RCGP_DEPUTY_LEAD])
    links_open()
    correction = services.correction_add(report=docs["report"], actor=users[R.PRACTICE_LEAD], section="findings",
                                         passage="Governance gaps.", correction="Few gaps.")
    case_move(contract=contract, move="return_report", actor=users[R.PRACTICE_LEAD])
    links_open()
    case_answer_correction(correction=correction, actor=users[R.RCGP_ADVISER], answer="accepted")
    links_open()
    for move, actor in (("resend_report", R.RCGP_DEPUTY_LEAD), ("confirm_accuracy", R.PRACTICE_LEAD),
                        ("give_consent", R.PRACTICE_LEAD), ("withdraw_consent", R.PRACTICE_LEAD),
                        ("hand_over", R.COMMISSIONER_LEAD)):
        case_move(contract=contract, move=move, actor=users[actor])
        links_open()
    kinds = set(Notification.objects.filter(pk__in=seen).values_list("event__kind", flat=True))
    assert {"case_withdraw_consent", "case_corrections_answered", "case_return_report"} <= kinds
    withdrawn = Notification.objects.get(event__kind="case_withdraw_consent",
                                         recipient=users[R.COMMISSIONER_PEER_SUPPORT])
    assert withdrawn.link == reverse("contracts:detail", args=["DOC-1"])  # the consent page is no longer theirs


def test_the_last_answer_to_the_corrections_tells_the_team_and_every_answer_is_in_the_history(docs):
    users, contract = docs["users"], docs["contract"]
    case_move(contract=contract, move="send_report", actor=users[R.RCGP_DEPUTY_LEAD])
    first, second = (services.correction_add(report=docs["report"], actor=users[R.PRACTICE_LEAD], section=s,
                                             passage="Founded 1974.", correction="1975.")
                     for s in ("history", "findings"))
    case_move(contract=contract, move="return_report", actor=users[R.PRACTICE_LEAD])
    case_answer_correction(correction=first, actor=users[R.RCGP_ADVISER], answer="accepted")
    assert not Notification.objects.filter(event__kind="case_corrections_answered").exists()
    case_answer_correction(correction=second, actor=users[R.RCGP_ADVISER], answer="declined", reason="It is right.")
    assert told(contract, "corrections_answered") == {R.RCGP_DEPUTY_LEAD}
    case_answer_correction(correction=second, actor=users[R.RCGP_ADVISER], answer="accepted")  # a change of mind
    assert Notification.objects.filter(event__kind="case_corrections_answered").count() == 1
    notes = list(contract.transitions.order_by("pk").values_list("note", flat=True))[-3:]
    assert notes == ["A correction to the diagnostic report was accepted",
                     "A correction to the diagnostic report was declined",
                     "A correction to the diagnostic report was accepted"]
