""""Your deadlines": an action whose lead is written only in words reaches the practice's lead(s), each entry names
its action, and the page shows every kind of deadline over one window."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from forwardplans import deadlines, reminders

from ..factories import ContractFactory, user_for

pytestmark = pytest.mark.django_db
R = Role
DAY = datetime.timedelta(days=1)


def _told(today):
    """{user id: {(item type, item id)}} the reminder sweep tells, after the access check."""
    candidates, _users = reminders.visible_only(reminders.collect(today))
    told = {}
    for c in candidates:
        told.setdefault(c.recipient_id, set()).add((c.item_type, c.item_id))
    return told


def _home_due(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_an_action_with_a_lead_in_words_only_reaches_the_practice_lead(client, world, docs):
    users, action = world["users"], docs["action"]
    today = timezone.localdate()
    assert action.lead_user is None and action.lead_person == "Lead nurse"
    action.planned_completion = today + 200 * DAY
    action.save(update_fields=["planned_completion"])
    milestone = action.milestones.get(description="Searches built")
    milestone.due_on = today + 3 * DAY
    milestone.save(update_fields=["due_on"])
    action.milestones.exclude(pk=milestone.pk).update(due_on=today + 200 * DAY)
    # A practice lead of another practice: not theirs.
    stranger = user_for(R.PRACTICE_LEAD, practice=world["practices"]["other"])

    response = _home_due(client, users[R.PRACTICE_LEAD])
    [due] = response.context["due"]
    assert (due.item_type, due.item_id, due.action) == ("milestone", milestone.pk, "Set up a monthly recall")
    assert "Milestone due on “Set up a monthly recall” (contract DOC-1)" in response.content.decode()
    assert "Nothing is due for you." not in response.content.decode()
    # Their reminders say the same (the sweep reads the same declaration).
    told = _told(today)
    assert told.get(users[R.PRACTICE_LEAD].pk) == {("milestone", milestone.pk)}
    assert ("milestone", milestone.pk) not in told.get(users[R.PRACTICE_USER].pk, set())
    assert ("milestone", milestone.pk) not in told.get(stranger.pk, set())
    assert _home_due(client, users[R.PRACTICE_USER]).context["due"] == []
    assert _home_due(client, stranger).context["due"] == []

    # Once the action names a person, it is theirs, not the practice lead's.
    action.lead_user = users[R.PRACTICE_USER]
    action.save(update_fields=["lead_user"])
    assert _home_due(client, users[R.PRACTICE_LEAD]).context["due"] == []
    assert [d.item_id for d in _home_due(client, users[R.PRACTICE_USER]).context["due"]] == [milestone.pk]
    assert _told(today).get(users[R.PRACTICE_USER].pk) == {("milestone", milestone.pk)}


def test_the_page_shows_every_kind_over_one_window(client, world):
    """First contact's reminders start two days ahead, a re-inspection's thirty: the page shows both, and
    everything else, as far ahead as the longest notice (deadlines.PAGES_LOOK_AHEAD), and nothing further."""
    today = timezone.localdate()
    deputy = world["users"][R.RCGP_DEPUTY_LEAD]
    assert max(kind.ahead for kind in deadlines.KINDS) == deadlines.PAGES_LOOK_AHEAD
    soon = ContractFactory(reference="FC-SOON", practice=world["practices"]["own"], state="lead_appointed",
                           deputy_lead=deputy, commissioned_on=today - 2 * DAY)  # first contact due in 5 days
    ContractFactory(reference="END-FAR", practice=world["practices"]["own"], state="scoping", deputy_lead=deputy,
                    first_contact_on=today, mou_ends_on=today + (deadlines.PAGES_LOOK_AHEAD + 1) * DAY)
    ending = ContractFactory(reference="END-NEAR", practice=world["practices"]["own"], state="scoping",
                             deputy_lead=deputy, first_contact_on=today,
                             mou_ends_on=today + deadlines.PAGES_LOOK_AHEAD * DAY)
    response = _home_due(client, deputy)
    assert {(d.item_type, d.item_id) for d in response.context["due"]} == {
        ("first_contact", soon.pk), ("contract_end", ending.pk)}
    html = response.content.decode()
    assert "First contact due (contract FC-SOON)" in html and "Agreement ends (contract END-NEAR)" in html
