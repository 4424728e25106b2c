"""The case lifecycle (casework/lifecycle.py), read as a table.

The reachable cases are found by walking the table's own moves from "commissioned" (stage, report state, consent
state, whether a deputy lead is appointed). For every programme, every reachable case, every role and every move,
the answer must be the one written here by hand from docs/domain.md §6-§8: which programmes have documents, who may make
each move, and each refusal's words; the stages and document states a move needs are read from the table. Every
move allowed in a reachable case is then made on a real case in the database and must do what the table says.
"""

import datetime
from itertools import product

import pytest
from django.db import transaction

from casework import lifecycle
from casework.lifecycle import BY_NAME, MOVES, PATHS, STAGE_DOCUMENTS, Case, Track, refusal
from casework.services import case_move
from contracts.imports import import_contracts
from contracts.models import Contract, ContractTransition, TeamMembership
from contracts.vocabulary import Programme
from contracts.workflow import SIDE_EXITS, State
from core.errors import DomainError
from core.roles import Role
from forwardplans.job_models import Event, Notification
from forwardplans.models import (
    ConsentToShare,
    DiagnosticReport,
    ForwardPlan,
    ReportCorrection,
    ReportVersion,
)

from ..cases import advance
from ..factories import AdviserFactory, ContractFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Role
ADMIN, DEPUTY, ADVISER = R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER
C_LEAD, P_LEAD = R.COMMISSIONER_LEAD, R.PRACTICE_LEAD

# Written by hand from docs/domain.md §8: which programmes have a diagnostic report, a forward plan and consent.
WITH_DOCUMENTS = {"special_measures", "diagnostic_forward_plan", "resilience"}
TRACK_WORDS = {"documents": "with a diagnostic report, a forward plan and consent to share",
               "direct": "support delivered without a diagnostic report"}
DOCUMENT_MOVES = {"start_scoping", "start_drafting", "send_report", "return_report", "resend_report",
                  "confirm_accuracy", "give_consent", "refuse_consent", "withdraw_consent"}
DIRECT_MOVES = {"start_delivery"}
# Who may make each move: "LEAD" is the deputy lead who leads the contract (any deputy lead may take the lead of a
# contract without one); the adviser is on the team; the practice and commissioner users are the contract's.
LEAD = "lead"
WHO = {
    "appoint_lead": {ADMIN, DEPUTY},
    "change_lead": {ADMIN},
    "recruit_team": {ADMIN, LEAD},
    "start_scoping": {ADMIN, LEAD, ADVISER},
    "start_delivery": {ADMIN, LEAD, ADVISER},
    "start_drafting": {ADMIN, LEAD, ADVISER},
    "send_report": {ADMIN, LEAD},
    "return_report": {P_LEAD},
    "resend_report": {ADMIN, LEAD},
    "confirm_accuracy": {P_LEAD},
    "give_consent": {P_LEAD},
    "refuse_consent": {P_LEAD},
    "withdraw_consent": {P_LEAD},
    "hand_over": {ADMIN, LEAD, C_LEAD},
    "close": {ADMIN, C_LEAD},
    "declined_by_practice": {ADMIN, LEAD, C_LEAD, P_LEAD},
    "withdrawn": {ADMIN, LEAD, C_LEAD},
    "failed_to_engage": {ADMIN, LEAD, C_LEAD},
}
# The conditions a move has beyond its stage and documents, and their words: (flag that blocks it, message).
GUARDS = {
    "recruit_team": ("no_team", "Add at least one adviser to the team first."),
    "send_report": ("unwritten", "Write at least one section of the report before sending it."),
    "return_report": ("no_drafts", "Note at least one correction (the passage and what it should say) before "
                                   "returning the report, or confirm it is accurate."),
    "resend_report": ("unanswered", "Answer every correction the practice returned first: 1 still to answer."),
    "confirm_accuracy": ("drafts", "You have noted 1 correction: return the report with it, or remove it, before "
                                   "confirming it is accurate."),
}


def test_the_table_has_the_moves_written_here():
    assert {m.name for m in MOVES} == set(WHO)
    assert {p for p in Programme.values if lifecycle.track_of(Contract(programme=p)) == Track.DOCUMENTS} == \
        WITH_DOCUMENTS


# Reachable cases, by walking the table ------------------------------------------------------------------

def reachable(track):
    """Every (stage, report state, consent state, has a lead) the table's moves reach from "commissioned"."""
    start = (State.COMMISSIONED, None, None, False)
    seen, todo = {start}, [start]
    while todo:
        stage, report, consent, lead = todo.pop()
        for move in MOVES:
            if track not in move.tracks or stage not in move.stages:
                continue
            if move.report and report not in move.report.before:
                continue
            if move.consent and consent not in move.consent.before:
                continue
            after = (move.to_stage(stage), move.report.after if move.report and move.report.after else report,
                     move.consent.after if move.consent and move.consent.after else consent,
                     lead or move.name == "appoint_lead")
            if after not in seen:
                seen.add(after)
                todo.append(after)
    return seen


def test_every_reachable_case_keeps_its_stage_and_documents_together():
    documents = reachable(Track.DOCUMENTS)
    for stage, report, consent, _lead in documents:
        allowed = STAGE_DOCUMENTS.get(stage)
        if stage in SIDE_EXITS:  # the documents of the stage it left from
            assert any((report, consent) in product(*docs) for docs in STAGE_DOCUMENTS.values()), (stage, report)
        else:
            assert report in allowed[0] and consent in allowed[1], (stage, report, consent)
    stages = {s for s, *_ in documents}
    assert stages == set(PATHS[Track.DOCUMENTS]) | set(SIDE_EXITS)
    assert {(s, r, c) for s, r, c, _l in documents if s == State.REVIEW_MEETING} == {
        (State.REVIEW_MEETING, "final", c) for c in ("given", "refused", "withdrawn")}
    direct = reachable(Track.DIRECT)
    assert {s for s, *_ in direct} == set(PATHS[Track.DIRECT]) | set(SIDE_EXITS)
    assert all(report is None and consent is None for _s, report, consent, _l in direct)


# Every move × role × reachable case × programme: the refusal, in words --------------------------------

@pytest.fixture
def cast(world):
    users = dict(world["users"])
    users["other_deputy"] = UserFactory(role=DEPUTY, first_name="Other", last_name="Deputy")
    return users


def expected_refusal(move, role, programme, case, flags):
    contract = case.contract
    track = "documents" if programme in WITH_DOCUMENTS else "direct"
    if (move.name in DOCUMENT_MOVES and track != "documents") or (move.name in DIRECT_MOVES and track != "direct"):
        return (f"“{move.label}” is not a step of this contract: {Programme(programme).label} is "
                f"{TRACK_WORDS[track]}.")
    who = WHO[move.name]
    if not (role in who or (role == DEPUTY and LEAD in who and contract.deputy_lead_id is not None)):
        return f"Only {move.who_text} can do this: “{move.label}”."
    if contract.state not in move.stages:
        return (f"Contract {contract.reference} is at “{State(contract.state).label}”: “{move.label}” is not "
                "possible now.")
    if move.report and case.report_state not in move.report.before:
        if case.report is None:
            return "The diagnostic report has not been started yet."
        return f"The diagnostic report is “{case.report.get_state_display()}”: “{move.label}” is not possible now."
    if move.consent and case.consent_state not in move.consent.before:
        if case.consent is None:
            return "The practice is asked for consent to share once it has confirmed the report is accurate."
        return f"Consent is “{case.consent.get_status_display()}”: “{move.label}” is not possible now."
    flag, message = GUARDS.get(move.name, (None, None))
    return message if flag in flags else None


def in_memory_case(contract, stage, report, consent, lead, flags, deputy):
    """The case as the table reads it, without touching the database (guards' counts given by ``flags``)."""
    contract.state, contract.deputy_lead_id = stage, deputy.pk if lead else None
    case = Case(contract=contract,
                report=DiagnosticReport(contract=contract, state=report,
                                        findings="" if "unwritten" in flags else "Written.") if report else None,
                consent=ConsentToShare(contract=contract, status=consent) if consent else None)
    case.__dict__.update(has_team="no_team" not in flags, draft_corrections=int("drafts" in flags),
                         unanswered_corrections=int("unanswered" in flags))
    return case


# Sets of guard flags to look at in each case: the conditions met, and (where a guard applies) not met.
FLAG_SETS = [frozenset(), frozenset({"no_team", "unwritten", "drafts", "unanswered"})]


@pytest.mark.parametrize("programme", Programme.values)
def test_every_move_for_every_role_in_every_reachable_case(cast, world, programme, capsys):
    contract = ContractFactory(reference="LIFE-1", practice=world["practices"]["own"], programme=programme)
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=cast[ADVISER]),
                                  added_by=cast[ADMIN])
    track = Track.DOCUMENTS if programme in WITH_DOCUMENTS else Track.DIRECT
    checked, allowed, wrong = 0, 0, []
    for stage, report, consent, lead in sorted(reachable(track), key=str):
        for flags in FLAG_SETS:
            case = in_memory_case(contract, stage, report, consent, lead, flags, cast[DEPUTY])
            flags_seen = flags if "drafts" in flags else flags | {"no_drafts"}  # no draft correction
            for move, role in product(MOVES, Role.values):
                want = expected_refusal(move, role, programme, case, flags_seen)
                got = refusal(move, case, cast[role])
                checked += 1
                allowed += want is None
                if got != want:
                    wrong.append(f"{stage}/{report}/{consent}/lead={lead}/{sorted(flags)} {move.name} by {role}: "
                                 f"expected {want!r}, got {got!r}")
    with capsys.disabled():
        print(f"\nlifecycle {programme}: {checked} cases, {allowed} allowed")
    assert wrong == [], "\n".join(wrong[:30])
    assert allowed > 20


# Every allowed move, made for real ------------------------------------------------------------------------

def make_case(contract, stage, report, consent, lead, deputy, adviser_user, *, drafts):
    """Put the contract in the database in this case: its stage, lead, report (with a written section, its kept
    versions, corrections all answered, or one draft), plan and consent."""
    Contract.objects.filter(pk=contract.pk).update(state=stage, deputy_lead=deputy if lead else None)
    DiagnosticReport.objects.filter(contract=contract).delete()
    ForwardPlan.objects.filter(contract=contract).delete()
    ConsentToShare.objects.filter(contract=contract).delete()
    if report:
        made = DiagnosticReport.objects.create(contract=contract, state=report, findings="Written.")
        ForwardPlan.objects.create(contract=contract)
        if report != "draft":
            ReportVersion.objects.create(report=made, number=1, state="with_practice", sections={},
                                         created_by=adviser_user)
        if report == "returned":
            ReportCorrection.objects.create(report=made, section="findings", passage="a", correction="b",
                                            raised_by=adviser_user, returned_in=1, returned_at=datetime.datetime.now(
                                                datetime.UTC), answer="accepted", answered_by=adviser_user)
        if report == "with_practice" and drafts:
            ReportCorrection.objects.create(report=made, section="findings", passage="a", correction="b",
                                            raised_by=adviser_user)
    if consent:
        ConsentToShare.objects.create(contract=contract, status=consent)
    contract.refresh_from_db()
    return contract


@pytest.mark.parametrize("programme", Programme.values)
def test_every_allowed_move_does_what_the_table_says(cast, world, programme):
    contract = ContractFactory(reference="LIFE-2", practice=world["practices"]["own"], programme=programme,
                               commissioned_on=datetime.date(2026, 1, 5))
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=cast[ADVISER]),
                                  added_by=cast[ADMIN])
    track = Track.DOCUMENTS if programme in WITH_DOCUMENTS else Track.DIRECT
    made = 0
    for (stage, report, consent, lead), drafts in product(sorted(reachable(track), key=str), (False, True)):
        if drafts and report != "with_practice":
            continue
        contract = make_case(contract, stage, report, consent, lead, cast[DEPUTY], cast[ADVISER], drafts=drafts)
        case = Case(contract, DiagnosticReport.objects.filter(contract=contract).first(),
                    ConsentToShare.objects.filter(contract=contract).first())
        for move, role in product(MOVES, Role.values):
            if refusal(move, case, cast[role]) is not None:
                continue
            versions = ReportVersion.objects.filter(report__contract=contract).count()
            deputy_lead = cast["other_deputy"] if move.name == "change_lead" else cast[DEPUTY]
            try:
                with transaction.atomic():
                    moved = case_move(contract=contract, move=move.name, actor=cast[role], note="Why",
                                      end_reason="other", deputy_lead=deputy_lead)
                    check_effects(move, moved, stage, report, consent, versions, cast[role], cast)
                    made += 1
                    raise _Undo
            except _Undo:
                pass
            contract.refresh_from_db()
            assert contract.state == stage
    assert made > 15


class _Undo(Exception):
    pass


# Whom each audience of the table is, among the contract's people (written by hand from docs/domain.md §8).
AUDIENCE_PEOPLE = {"deputy_lead": {LEAD}, "team": {LEAD, ADVISER}, "practice_leads": {P_LEAD},
                   "commissioner_leads": {C_LEAD}, "commissioner_users": {C_LEAD, R.COMMISSIONER_PEER_SUPPORT}}


def check_effects(move, contract, stage, report, consent, versions, actor, cast):
    to = move.to_stage(stage)
    assert contract.state == to
    found_report = DiagnosticReport.objects.filter(contract=contract).first()
    found_consent = ConsentToShare.objects.filter(contract=contract).first()
    want_report = move.report.after if move.report and move.report.after else report
    want_consent = move.consent.after if move.consent and move.consent.after else consent
    assert (found_report.state if found_report else None) == want_report, move.name
    assert (found_consent.status if found_consent else None) == want_consent, move.name
    assert ForwardPlan.objects.filter(contract=contract).exists() == (want_report is not None)
    assert ReportVersion.objects.filter(report__contract=contract).count() == versions + (
        lifecycle.Record.REPORT_VERSION in move.creates)
    # Every move is in the contract's history, and is an event its audiences are told of.
    last = ContractTransition.objects.filter(contract=contract).order_by("-pk").first()
    assert (last.from_state, last.to_state, last.by) == (stage, to, actor)
    event = Event.objects.filter(contract=contract).order_by("-pk").first()
    assert (event.kind, event.actor, event.detail["from"], event.detail["to"]) == (
        f"case_{move.name}", actor, stage, to)
    people = {who for audience in move.notifies for who in AUDIENCE_PEOPLE[audience]}
    expected = {cast[who] for who in people - {LEAD}} | ({contract.deputy_lead} if LEAD in people else set())
    told = {n.recipient for n in Notification.objects.filter(event=event)}
    assert told == expected - {actor, None}, (move.name, told, expected)


# The lifecycle's own rules, made through the service -------------------------------------------------------

@pytest.fixture
def team_contract(cast, world):
    contract = ContractFactory(practice=world["practices"]["own"], deputy_lead=cast[DEPUTY],
                               commissioned_on=datetime.date(2026, 1, 5), state="team_recruited")
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=cast[ADVISER]),
                                  added_by=cast[ADMIN])
    return contract


def test_a_move_records_who_when_and_the_note(cast, team_contract):
    case_move(contract=team_contract, move="start_scoping", actor=cast[ADVISER], note="Visit booked",
              effective_on=datetime.date(2026, 2, 1))
    move = ContractTransition.objects.get(contract=team_contract, to_state=State.SCOPING)
    assert (move.from_state, move.by, move.effective_on) == ("team_recruited", cast[ADVISER], datetime.date(2026, 2, 1))
    assert move.note == "The advisers have started scoping – Visit booked"


def test_side_exit_needs_a_reason_and_records_the_end(cast, team_contract):
    with pytest.raises(DomainError, match="Give the reason"):
        case_move(contract=team_contract, move="failed_to_engage", actor=cast[C_LEAD], note=" ")
    case_move(contract=team_contract, move="failed_to_engage", actor=cast[C_LEAD], note="Cancelled three visits",
              effective_on=datetime.date(2026, 3, 1))
    team_contract.refresh_from_db()
    assert team_contract.state == State.FAILED_TO_ENGAGE and team_contract.status == "ended"
    assert (team_contract.ended_on, team_contract.exit_reason, team_contract.end_reason) == (
        datetime.date(2026, 3, 1), "Cancelled three visits", "early_withdrawal")


def test_closing_needs_an_end_reason(cast, team_contract):
    Contract.objects.filter(pk=team_contract.pk).update(state=State.HANDED_OVER)
    with pytest.raises(DomainError, match="why the contract ended"):
        case_move(contract=team_contract, move="close", actor=cast[ADMIN])
    case_move(contract=team_contract, move="close", actor=cast[ADMIN], end_reason="carried_forward_for_reinspection")
    team_contract.refresh_from_db()
    assert team_contract.end_reason == "carried_forward_for_reinspection" and team_contract.awaiting_reinspection


def test_future_dates_and_dates_before_commissioning_are_refused(cast, team_contract):
    with pytest.raises(DomainError, match="future"):
        case_move(contract=team_contract, move="start_scoping", actor=cast[ADMIN],
                  effective_on=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(DomainError, match="before the contract was commissioned"):
        case_move(contract=team_contract, move="start_scoping", actor=cast[ADMIN],
                  effective_on=datetime.date(2025, 12, 1))
    team_contract.refresh_from_db()
    assert team_contract.state == "team_recruited"


def test_a_removed_adviser_and_a_deputy_who_does_not_lead_cannot_move_it(cast, team_contract):
    TeamMembership.objects.filter(contract=team_contract).update(removed_at=datetime.datetime(2026, 1, 1,
                                                                                              tzinfo=datetime.UTC))
    with pytest.raises(DomainError, match="Only the contract's RCGP team"):
        case_move(contract=team_contract, move="start_scoping", actor=cast[ADVISER])
    with pytest.raises(DomainError, match="Only the contract's RCGP team"):
        case_move(contract=team_contract, move="start_scoping", actor=cast["other_deputy"])


def test_a_deputy_lead_takes_the_lead_and_admin_gives_or_changes_it(cast, world):
    contract = ContractFactory(practice=world["practices"]["own"])
    case_move(contract=contract, move="appoint_lead", actor=cast[DEPUTY])
    contract.refresh_from_db()
    assert (contract.state, contract.deputy_lead) == (State.LEAD_APPOINTED, cast[DEPUTY])
    with pytest.raises(DomainError, match="Only RCGP admin"):
        case_move(contract=contract, move="change_lead", actor=cast["other_deputy"], deputy_lead=cast["other_deputy"])
    case_move(contract=contract, move="change_lead", actor=cast[ADMIN], deputy_lead=cast["other_deputy"])
    contract.refresh_from_db()
    assert (contract.state, contract.deputy_lead) == (State.LEAD_APPOINTED, cast["other_deputy"])
    with pytest.raises(DomainError, match="not an RCGP deputy lead"):
        case_move(contract=contract, move="change_lead", actor=cast[ADMIN], deputy_lead=cast[ADVISER])
    assert [t.note for t in contract.transitions.order_by("pk")] == [
        f"{cast[DEPUTY].username} leads the contract", "Other Deputy leads the contract"]


def test_the_documents_are_made_by_the_step_that_starts_them(cast, world):
    contract = ContractFactory(practice=world["practices"]["own"], deputy_lead=cast[DEPUTY], state="scoping")
    assert not DiagnosticReport.objects.filter(contract=contract).exists()
    contract = advance(contract, "report_drafting", cast)
    assert contract.diagnostic_report.state == "draft" and contract.forward_plan.actions.count() == 0
    assert not ConsentToShare.objects.filter(contract=contract).exists()
    contract = advance(contract, "consent_decision", cast)
    assert contract.diagnostic_report.state == "final" and contract.consent.status == "not_decided"


def test_consent_moves_the_contract_to_the_review_meeting_once_and_can_change_later(cast, world):
    contract = ContractFactory(practice=world["practices"]["own"], deputy_lead=cast[DEPUTY], state="scoping")
    contract = advance(contract, "consent_decision", cast)
    case_move(contract=contract, move="refuse_consent", actor=cast[P_LEAD])
    contract.refresh_from_db()
    assert (contract.state, contract.consent.status) == ("review_meeting", "refused")
    case_move(contract=contract, move="give_consent", actor=cast[P_LEAD])
    case_move(contract=contract, move="withdraw_consent", actor=cast[P_LEAD])
    contract.refresh_from_db()
    assert (contract.state, contract.consent.status) == ("review_meeting", "withdrawn")
    assert [h.status for h in contract.consent.history.order_by("history_date")] == [
        "not_decided", "refused", "given", "withdrawn"]


def test_imported_contracts_keep_their_stage_and_take_the_direct_track(tmp_path, cast, world):
    practice = PracticeFactory(ods_code="A10001", commissioner=world["own"])
    path = tmp_path / "contracts.csv"
    path.write_text(
        "reference,practice_ods_code,programme,commissioned_on,status,ended_on,end_reason,rating_before,"
        "rating_after,in_special_measures_after,closure,notes\n"
        f"70,{practice.ods_code},special_measures,2020-01-06,live,,,inadequate,,,none,\n"
        f"71,{practice.ods_code},special_measures,2020-01-06,ended,2020-06-30,other,inadequate,good,no,none,\n")
    import_contracts(path)
    live, ended = Contract.objects.get(reference="70"), Contract.objects.get(reference="71")
    assert (live.state, live.imported, ended.state, ended.imported) == ("commissioned", True, "closed", True)
    assert lifecycle.track_of(live) == Track.DIRECT
    case_move(contract=live, move="appoint_lead", actor=cast[DEPUTY])
    TeamMembership.objects.create(contract=live, adviser=AdviserFactory(user=cast[ADVISER]), added_by=cast[ADMIN])
    case_move(contract=live, move="recruit_team", actor=cast[DEPUTY])
    with pytest.raises(DomainError, match="imported from the RCGP's records is support delivered without"):
        case_move(contract=live, move="start_scoping", actor=cast[DEPUTY])
    case_move(contract=live, move="start_delivery", actor=cast[DEPUTY])
    case_move(contract=live, move="hand_over", actor=cast[C_LEAD])
    live.refresh_from_db()
    assert live.state == "handed_over" and not DiagnosticReport.objects.filter(contract=live).exists()
    import_contracts(path)  # a re-import keeps the stage it has reached
    live.refresh_from_db()
    assert live.state == "handed_over"


def test_an_unknown_move_is_refused(cast, team_contract):
    with pytest.raises(DomainError, match="not a step"):
        case_move(contract=team_contract, move="skip_ahead", actor=cast[ADMIN])
    assert BY_NAME.get("skip_ahead") is None


def test_the_documented_table_is_the_table():
    from ..conftest import ROOT

    text = (ROOT / "docs" / "lifecycle.md").read_text()
    documented = text.split("<!-- lifecycle-table:start -->\n")[1].split("\n<!-- lifecycle-table:end -->")[0]
    assert documented == lifecycle.table_markdown(), "run casework.lifecycle.table_markdown() into docs/lifecycle.md"
