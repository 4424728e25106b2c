"""Contracts with an RCGP team, and delivery records made through the services, as the team makes them."""

import datetime

from django.utils import timezone

from contracts.models import TeamMembership
from core.roles import Role
from delivery.services import delivery_record_create
from tests.factories import AdviserFactory, ContractFactory

COMMISSIONED = datetime.date(2026, 1, 5)


def contract_with_team(practice, deputy, adviser, *, reference=None, state="delivery"):
    contract = ContractFactory(practice=practice, deputy_lead=deputy, state=state, commissioned_on=COMMISSIONED,
                               **({"reference": reference} if reference else {}))
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=adviser), added_by=deputy)
    return contract


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def meeting(contract, actor, *, kind="scoping_visit", days=3, shared=False, support=("critical_friend",),
            purpose="Scoping the practice.", notes="Team only notes."):
    return delivery_record_create(contract=contract, actor=actor, kind=kind, happened_on=days_ago(days),
                                  attendees="Dr A Patel, GP partner\nPractice manager", purpose=purpose,
                                  notes=notes, support_kinds=list(support), shared=shared)


def interview(contract, actor, *, days=3, role="Senior partner", answers=None):
    return delivery_record_create(contract=contract, actor=actor, kind="interview", happened_on=days_ago(days),
                                  attendees="An adviser", interviewee_role=role,
                                  answers=answers or {"insight": "Denies the findings.", "quick_wins": "Rota."},
                                  support_kinds=["critical_friend"])


def review(contract, actor, *, days=1, shared=True, support=("prioritising", "cqc_preparation")):
    return delivery_record_create(contract=contract, actor=actor, kind="review_meeting", happened_on=days_ago(days),
                                  attendees="Practice\nCommissioner\nRCGP", decisions="Agree the plan.",
                                  support_plan="Monthly visits.", support_kinds=list(support), shared=shared)


def team_of(world):
    users = world["users"]
    return users[Role.RCGP_DEPUTY_LEAD], users[Role.RCGP_ADVISER]
