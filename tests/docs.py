"""Fixtures for tests of Diagnostic Reports and Forward Plans: a contract with a team, a plan and actions."""

import datetime

import pytest

from contracts.models import TeamMembership
from core.roles import Role
from forwardplans import services

from .cases import advance, write_sections
from .factories import AdviserFactory, ContractFactory

ACTION_FIELDS = {
    "key_question": "safe", "regulation": "Regulation 12 Safe care and treatment",
    "problem": "No recall for high-risk drugs", "underlying_issue": "No clinical lead for prescribing",
    "action_planned": "Set up a monthly recall", "lead_person": "Lead nurse", "responsible": "Nurse team",
    "accountable": "Dr Khan", "resources": "Two hours a month", "sources_of_support": "ICB medicines team",
    "evidence_needed": "Recall log", "eventual_goal": "Every patient monitored on time",
    "planned_completion": datetime.date(2026, 12, 31), "next_steps": "Build the searches", "priority": 10,
}


@pytest.fixture
def docs(world):
    """DOC-1 of the world's own practice, at report drafting (report and plan started by the lifecycle), with
    a written report and one action."""
    users = world["users"]
    contract = ContractFactory(reference="DOC-1", practice=world["practices"]["own"],
                               deputy_lead=users[Role.RCGP_DEPUTY_LEAD], state="scoping")
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[Role.RCGP_ADVISER]),
                                  added_by=users[Role.RCGP_ADMIN])
    contract = advance(contract, "report_drafting", users)
    plan = contract.forward_plan
    action = services.action_create(plan=plan, actor=users[Role.RCGP_ADVISER], **ACTION_FIELDS,
                                    milestones=[("Searches built", datetime.date(2026, 1, 10)),
                                                ("First recall", datetime.date(2027, 1, 10))])
    report = contract.diagnostic_report
    report = write_sections(report, users[Role.RCGP_ADVISER],
                            {"history": "Founded 1974.", "findings": "Governance gaps."}, root_causes=["no_manager"])
    return {"contract": contract, "plan": plan, "action": action, "report": report, "users": users}
