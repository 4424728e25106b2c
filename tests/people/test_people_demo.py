"""The demo's people: a pending invitation and change-log entries for the demo practice and commissioner, seeded
idempotently (demo/people.py)."""

import pytest

from demo.data import seed_demo
from demo.people import COMMISSIONER_INVITE, PRACTICE_INVITE, seed_people
from people.models import Invitation, PeopleChange

pytestmark = pytest.mark.django_db


def test_the_demo_practice_and_commissioner_have_a_pending_invitation_and_a_change_log_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo(log=lambda *_: None)
    seed_people(log=lambda *_: None)
    practice = Invitation.objects.get(email=PRACTICE_INVITE)
    commissioner = Invitation.objects.get(email=COMMISSIONER_INVITE)
    assert (practice.status, practice.practice.ods_code) == ("pending", "P85022")
    assert (commissioner.status, commissioner.commissioner.ods_code, commissioner.version) == ("pending", "00Y", 2)
    practice_log = list(PeopleChange.objects.filter(practice__ods_code="P85022").order_by("at", "pk")
                        .values_list("action", "outcome"))
    assert practice_log == [("invited", "done"), ("invited", "done"), ("invitation_revoked", "done"),
                            ("role_changed", "refused")]
    assert list(PeopleChange.objects.filter(commissioner__ods_code="00Y").order_by("at", "pk")
                .values_list("action", "outcome")) == [("invited", "done"), ("invitation_resent", "done")]
    changes, invitations = PeopleChange.objects.count(), Invitation.objects.count()
    seed_people(log=lambda *_: None)
    assert (PeopleChange.objects.count(), Invitation.objects.count()) == (changes, invitations)
