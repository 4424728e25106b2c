"""Taking a contract along the case lifecycle in tests as its people would, through casework.services.case_move."""

from casework.lifecycle import PATHS, track_of
from casework.services import case_move
from core.roles import Role
from forwardplans import services

# The move that reaches each stage, and who makes it (a role in the ``world`` users).
REACHED_BY = {
    "team_recruited": ("recruit_team", Role.RCGP_DEPUTY_LEAD),
    "scoping": ("start_scoping", Role.RCGP_DEPUTY_LEAD),
    "delivery": ("start_delivery", Role.RCGP_DEPUTY_LEAD),
    "report_drafting": ("start_drafting", Role.RCGP_DEPUTY_LEAD),
    "factual_accuracy_review": ("send_report", Role.RCGP_DEPUTY_LEAD),
    "consent_decision": ("confirm_accuracy", Role.PRACTICE_LEAD),
    "review_meeting": ("give_consent", Role.PRACTICE_LEAD),
    "handed_over": ("hand_over", Role.RCGP_DEPUTY_LEAD),
    "closed": ("close", Role.RCGP_ADMIN),
}


def advance(contract, to_stage, users, *, consent="give_consent"):
    """Make the moves from the contract's stage to ``to_stage`` on its track's path (a report section is written
    before the report is sent). ``users``: {role: user}; ``consent``: the practice's decision at the consent step.
    Returns the contract as it is then."""
    contract.refresh_from_db()
    path = PATHS[track_of(contract)]
    for stage in path[path.index(contract.state) + 1:path.index(to_stage) + 1]:
        move, role = REACHED_BY[stage]
        if stage == "review_meeting":
            move = consent
        if stage == "factual_accuracy_review":
            contract.refresh_from_db()
            report = contract.diagnostic_report
            if not any(report.section_values().values()):
                write_sections(report, users[role], {"findings": "Gaps."})
        contract = case_move(contract=contract, move=move, actor=users[role],
                             end_reason="other" if move == "close" else "")
    contract.refresh_from_db()
    return contract


def with_documents(contract, actor=None):
    """``contract`` (put at scoping) with its report and plan started by the lifecycle, as RCGP admin by default:
    for tests that need a plan and do not care how the contract got there."""
    from contracts.models import Contract

    from .factories import UserFactory

    Contract.objects.filter(pk=contract.pk).update(state="scoping")
    contract.refresh_from_db()
    case_move(contract=contract, move="start_drafting", actor=actor or UserFactory(role=Role.RCGP_ADMIN))
    contract.refresh_from_db()
    return contract


def write_sections(report, actor, sections, root_causes=None):
    """Save each section (and the root causes) from its current version, as a writer who had it open would."""
    from forwardplans.models import DiagnosticReport

    parts = {**sections, **({"root_causes": root_causes} if root_causes is not None else {})}
    for part, value in parts.items():
        report = DiagnosticReport.objects.get(pk=report.pk)
        report = services.report_part_save(report=report, actor=actor, part=part, value=value,
                                           base_version=report.part_version(part))
    return report
