"""generate_scale_data (bench/, installed in the test settings) on a tiny scale: every table filled, history rows
written, sequences moved on."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from contracts.models import Contract
from core.models import Membership, User
from forwardplans.models import Action, Milestone, RagChange
from practices.models import Commissioner, Inspection, Practice

pytestmark = pytest.mark.django_db


def test_a_small_england_with_its_history():
    out = io.StringIO()
    call_command("generate_scale_data", "--scale", "0.003", "--today", "2026-06-01", stdout=out)
    practices, contracts = Practice.objects.count(), Contract.objects.count()
    assert practices == 20 and contracts == 9 and Commissioner.objects.count() == 2
    assert Inspection.objects.count() == 4 * practices
    assert Action.objects.count() == 40 * contracts and Milestone.objects.count() == 3 * 40 * contracts
    # History as the services would have written it: a "+" row per action and a "~" row per RAG change.
    assert Action.history.filter(history_type="+").count() == Action.objects.count()
    assert Action.history.filter(history_type="~").count() == RagChange.objects.count() > 0
    assert Practice.history.count() == practices and Contract.history.filter(history_type="+").count() == contracts
    # A user per role per organisation.
    assert User.objects.filter(role="practice_lead").count() == practices
    assert User.objects.filter(role="commissioner_lead").count() == 2
    # Each holds the membership they act in.
    assert Membership.objects.count() == User.objects.count()
    assert not Membership.objects.exclude(role=F("user__role")).exists()
    User.objects.create(username="after")  # the users' and memberships' sequences moved on too
    Membership.objects.create(user=User.objects.get(username="after"), role="nhse_reporting")
    # The sequences were moved past the copied ids: ordinary inserts work.
    Practice.objects.create(ods_code="Z99999", name="After", commissioner=Commissioner.objects.first())
    assert "generated in" in out.getvalue()


def test_refuses_a_database_that_has_practices(world):
    with pytest.raises(CommandError, match="empty database"):
        call_command("generate_scale_data", "--scale", "0.003", stdout=io.StringIO())
