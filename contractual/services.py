"""The steps of contractual action (002 Chapter 3, Annexes 7-9), in the order of contractual/lifecycle.py.

Each service is keyword-only, atomic, checks the actor itself (contractual/access.py: the practice's commissioner
lead), locks the row it changes and refuses a stale ``version`` with what changed, and raises DomainError with a
message for the person: nothing is saved when it refuses."""

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, StaleEdit
from practices.models import Practice

from . import access, lifecycle
from .models import (
    APPEAL_WITHIN,
    REMEDY_MINIMUM,
    Appeal,
    AppealOutcome,
    ContinuityArrangement,
    ContinuityKind,
    ContractualCase,
    Decision,
    DecisionKind,
    Investigation,
    Level,
    Notice,
    NoticeKind,
    NoticeOutcome,
    RegistrationEvent,
    RiskAssessment,
    RiskOutcome,
    ShorterGround,
    Source,
    State,
)

# The decisions that are carried out by a notice, and the notice each issues.
NOTICE_FOR = {DecisionKind.REMEDIAL: NoticeKind.REMEDIAL, DecisionKind.BREACH: NoticeKind.BREACH,
              DecisionKind.SANCTION: NoticeKind.SANCTION, DecisionKind.TERMINATION: NoticeKind.TERMINATION}


def _text(value):
    return (value or "").strip()


def _required(value, message):
    value = _text(value)
    if not value:
        raise DomainError(message)
    return value


def _not_future(day, what):
    if day is None:
        raise DomainError(f"Enter {what}.")
    if day > timezone.localdate():
        raise DomainError(f"{what[0].upper()}{what[1:]} must be today or in the past.")
    return day


def _allowed(actor, case):
    refused = access.refusal(actor, case)
    if refused:
        raise DomainError(refused)


def _open_practice(practice):
    if practice.status == Practice.Status.CLOSED:
        raise DomainError(f"{practice.name} is closed: contractual action cannot be taken on a closed practice.")


def _locked_case(case, actor, version, step=None):
    locked = ContractualCase.objects.select_for_update().select_related("practice", "commissioner").get(pk=case.pk)
    _allowed(actor, locked)
    if version is not None and locked.version != version:
        raise StaleEdit("Someone else recorded a step on this case while you were on the page. Nothing of yours was "
                        "saved; check the case as it is now, then try again.",
                        [("Step now reached", locked.get_state_display())])
    if step is not None:
        refused = lifecycle.out_of_order(step, locked)
        if refused:
            raise DomainError(refused)
    return locked


def _bump(case, state=None, **fields):
    if state is not None:
        case.state = state
    for name, value in fields.items():
        setattr(case, name, value)
    case.version += 1
    case.save()
    return case


@transaction.atomic
def case_open(*, practice, actor, received_on, source, summary, cqc_visit_on=None):
    """Record a concern notification received about ``practice`` (002 §82: from CQC usually within one working
    day of its visit, whose date is kept so that the page can say whether that was met)."""
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    probe = ContractualCase(practice=practice, commissioner_id=practice.commissioner_id)
    probe.commissioner = practice.commissioner
    _allowed(actor, probe)
    _open_practice(practice)
    if source not in Source.values:
        raise DomainError("Choose where the concern came from.")
    received_on = _not_future(received_on, "the date the concern was received")
    summary = _required(summary, "Summarise the concern.")
    if source == Source.CQC:
        if cqc_visit_on is None:
            raise DomainError("Enter the date of CQC's visit: CQC notifies within one working day of it.")
        if cqc_visit_on > received_on:
            raise DomainError("The date of CQC's visit must be on or before the date the concern was received.")
    elif cqc_visit_on is not None:
        raise DomainError("A CQC visit date is only recorded for a notification from CQC.")
    return ContractualCase.objects.create(practice=practice, commissioner_id=practice.commissioner_id,
                                          received_on=received_on, source=source, cqc_visit_on=cqc_visit_on,
                                          summary=summary, opened_by=actor)


@transaction.atomic
def risk_assess(*, case, actor, version, outcome, assessed_on, notes=""):
    """Record the risk assessment (002 §85): the first step after the concern."""
    case = _locked_case(case, actor, version, "assess_risk")
    if outcome not in RiskOutcome.values:
        raise DomainError("Choose the outcome of the risk assessment.")
    assessed_on = _not_future(assessed_on, "the date of the risk assessment")
    if assessed_on < case.received_on:
        raise DomainError("The risk assessment cannot be dated before the concern was received.")
    RiskAssessment.objects.create(case=case, outcome=outcome, assessed_on=assessed_on, assessed_by=actor,
                                  notes=_text(notes))
    return _bump(case, State.ASSESSED)


@transaction.atomic
def investigation_open(*, case, actor, version, level, started_on):
    """Start the investigation the risk assessment called for: minor, moderate or major (002 §103)."""
    case = _locked_case(case, actor, version, "open_investigation")
    if level not in Level.values:
        raise DomainError("Choose the level of the investigation.")
    started_on = _not_future(started_on, "the date the investigation started")
    Investigation.objects.create(case=case, level=level, started_on=started_on)
    return _bump(case, State.INVESTIGATING)


@transaction.atomic
def investigation_record(*, case, actor, version, complete=False, findings="", assurance_letter_sent_on=None,
                         reply_received_on=None, visit_notice_on=None, visit_on=None, audit_report_on=None,
                         completed_on=None):
    """Record what the investigation found: the assurance letter and the reply (minor), the visit with its notice
    (moderate), the audit report (major); ``complete`` ends it, once what its level needs is recorded."""
    case = _locked_case(case, actor, version, "complete_investigation" if complete else "record_investigation")
    inv = case.investigation
    updates = {"assurance_letter_sent_on": assurance_letter_sent_on, "reply_received_on": reply_received_on,
               "visit_notice_on": visit_notice_on, "visit_on": visit_on, "audit_report_on": audit_report_on}
    for name, value in updates.items():
        if value is not None:
            setattr(inv, name, value)
    if _text(findings):
        inv.findings = _text(findings)
    if inv.reply_received_on and inv.assurance_letter_sent_on and inv.reply_received_on < inv.assurance_letter_sent_on:
        raise DomainError("The reply cannot be received before the assurance letter was sent.")
    if inv.visit_on and inv.visit_notice_on and inv.visit_on < inv.visit_notice_on:
        raise DomainError("The visit cannot be before the practice was given notice of it.")
    if complete:
        missing = {
            Level.MINOR: [("assurance_letter_sent_on", "the date the assurance letter was sent"),
                          ("reply_received_on", "the date the practice's reply was received")],
            Level.MODERATE: [("visit_notice_on", "the date notice of the visit was given"),
                             ("visit_on", "the date of the visit")],
            Level.MAJOR: [("audit_report_on", "the date of the audit report")],
        }[inv.level]
        for field, words in missing:
            if getattr(inv, field) is None:
                # The level's value ("moderate"), not its label ("Moderate: practice visit with notice").
                raise DomainError(f"Enter {words} before completing a {inv.level} investigation.")
        if not inv.findings:
            raise DomainError("Record the findings before completing the investigation.")
        inv.completed_on = _not_future(completed_on or timezone.localdate(), "the date the investigation completed")
        if inv.completed_on < inv.started_on:
            raise DomainError("The investigation cannot be completed before it started.")
    inv.save()
    return _bump(case, State.INVESTIGATED if complete else None)


@transaction.atomic
def decision_record(*, case, actor, version, kind, decided_on, reasons="", legal_advice_on=None,
                    legal_advice_by=""):
    """Record the decision (002 §86-100): no contractual action (a letter), a remedial or breach notice, a sanction,
    or a notice of termination, for which legal advice must be recorded first (002 §99)."""
    case = _locked_case(case, actor, version, "decide")
    if kind not in DecisionKind.values:
        raise DomainError("Choose the decision.")
    decided_on = _not_future(decided_on, "the date of the decision")
    legal_advice_by = _text(legal_advice_by)
    if kind == DecisionKind.TERMINATION:
        if legal_advice_on is None or not legal_advice_by:
            raise DomainError("Record the legal advice (its date and who gave it) before a notice of termination.")
        if legal_advice_on > decided_on:
            raise DomainError("The legal advice must be taken on or before the date of the decision to terminate.")
    if case.state == State.DECIDED:
        # A further decision follows only a notice that was not remedied (or withdrawn).
        if case.notices.filter(outcome="").exists():
            raise DomainError("Record the outcome of the open notice before a further decision.")
        if kind == DecisionKind.NO_ACTION:
            raise DomainError("A decision of no contractual action follows the risk assessment or investigation.")
    Decision.objects.create(case=case, kind=kind, decided_on=decided_on, decided_by=actor, reasons=_text(reasons),
                            legal_advice_on=legal_advice_on, legal_advice_by=legal_advice_by)
    return _bump(case, State.DECIDED)


@transaction.atomic
def notice_issue(*, case, actor, version, terms_breached, actions_required, dated_on, remedy_by=None,
                 shorter_ground="", shorter_reason=""):
    """Issue the notice the latest decision calls for (002 Annex 9). A remedial notice's remedy date is no less than
    28 calendar days from the date of the notice unless a shorter period is necessary to protect the practice's
    patients or the commissioner from material financial loss: the ground and the reason are then recorded."""
    case = _locked_case(case, actor, version, "issue_notice")
    _open_practice(case.practice)
    decision = case.decisions.order_by("-decided_on", "-pk").first()
    kind = NOTICE_FOR.get(decision.kind)
    if kind is None:
        raise DomainError("The decision was to take no contractual action: no notice is issued (send the letter).")
    if case.notices.filter(decision=decision).exists():
        raise DomainError("The notice for this decision has already been issued.")
    terms_breached = _required(terms_breached, "Enter the terms of the contract breached.")
    actions_required = _text(actions_required)
    if dated_on is None:
        raise DomainError("Enter the date of the notice.")
    shorter_ground, shorter_reason = _text(shorter_ground), _text(shorter_reason)
    if kind == NoticeKind.REMEDIAL:
        if not actions_required:
            raise DomainError("Enter the actions the practice must take to remedy the breach.")
        if remedy_by is None:
            raise DomainError("Enter the date by which the breach must be remedied.")
        if remedy_by <= dated_on:
            raise DomainError("The remedy date must be after the date of the notice.")
        if remedy_by - dated_on < REMEDY_MINIMUM:
            if shorter_ground not in ShorterGround.values:
                raise DomainError("The remedy date must be at least 28 days after the date of the notice, unless a "
                                  "shorter period is necessary to protect the safety of the practice's patients or to "
                                  "protect the commissioner from material financial loss: choose the ground.")
            if not shorter_reason:
                raise DomainError("Say why a remedy period shorter than 28 days is necessary.")
        elif shorter_ground or shorter_reason:
            raise DomainError("A ground for a shorter period is only recorded when the remedy period is under 28 days.")
    elif remedy_by is not None or shorter_ground:
        raise DomainError("Only a remedial notice has a remedy date.")
    notice = Notice.objects.create(case=case, decision=decision, kind=kind, terms_breached=terms_breached,
                                   actions_required=actions_required, dated_on=dated_on, remedy_by=remedy_by,
                                   shorter_ground=shorter_ground, shorter_reason=shorter_reason)
    _bump(case)
    return notice


def _locked_notice(notice, actor, version):
    locked = Notice.objects.select_for_update().select_related("case__practice", "case__commissioner").get(pk=notice.pk)
    _allowed(actor, locked.case)
    if version is not None and locked.version != version:
        raise StaleEdit("Someone else changed this notice while you were on the page. Nothing of yours was saved; "
                        "check the notice as it is now, then try again.",
                        [("Served on", locked.served_on or "not yet served"),
                         ("Outcome", locked.get_outcome_display() or "open")])
    if locked.case.state == State.CLOSED:
        raise DomainError("This case is closed: nothing more can be recorded on it.")
    return locked


def _save_notice(notice):
    notice.version += 1
    notice.save()
    return notice


@transaction.atomic
def notice_serve(*, notice, actor, version, served_on):
    """Record the date the notice was served: the practice sees it from then, and its appeal window opens."""
    notice = _locked_notice(notice, actor, version)
    _open_practice(notice.case.practice)
    if notice.served_on is not None:
        raise DomainError("This notice has already been served.")
    served_on = _not_future(served_on, "the date the notice was served")
    if served_on < notice.dated_on:
        raise DomainError("A notice cannot be served before its date.")
    notice.served_on = served_on
    return _save_notice(notice)


@transaction.atomic
def appeal_record(*, notice, actor, version, received_on, consider=None, decision_reason=""):
    """Record an appeal in writing. In time: within 28 calendar days of service (remedial and breach notices
    alike). One received after that is kept as received out of time, with the commissioner's decision whether to
    consider it (``consider`` and ``decision_reason``): it is never silently accepted."""
    notice = _locked_notice(notice, actor, version)
    if notice.served_on is None:
        raise DomainError("Record when the notice was served before recording an appeal against it.")
    if Appeal.objects.filter(notice=notice).exists():
        raise DomainError("An appeal against this notice has already been recorded.")
    received_on = _not_future(received_on, "the date the appeal was received")
    if received_on < notice.served_on:
        raise DomainError("An appeal cannot be received before the notice was served.")
    in_time = received_on <= notice.served_on + APPEAL_WITHIN
    decision_reason = _text(decision_reason)
    if in_time:
        considered = True
    else:
        if consider is None:
            raise DomainError(f"This appeal was received out of time (the window closed on "
                              f"{(notice.served_on + APPEAL_WITHIN):%-d %B %Y}): record whether the commissioner "
                              "will consider it.")
        if not decision_reason:
            raise DomainError("Give the reason for the decision on an appeal received out of time.")
        considered = bool(consider)
    Appeal.objects.create(notice=notice, received_on=received_on, in_time=in_time, considered=considered,
                          out_of_time_decision=decision_reason, recorded_by=actor)
    return _save_notice(notice)


@transaction.atomic
def appeal_decide(*, notice, actor, version, outcome, outcome_on):
    """Record the outcome of an appeal that is being considered."""
    notice = _locked_notice(notice, actor, version)
    appeal = Appeal.objects.select_for_update().filter(notice=notice).first()
    if appeal is None:
        raise DomainError("No appeal has been recorded against this notice.")
    if not appeal.considered:
        raise DomainError("The commissioner decided not to consider this appeal: it has no outcome.")
    if appeal.outcome:
        raise DomainError("The outcome of this appeal has already been recorded.")
    if outcome not in AppealOutcome.values:
        raise DomainError("Choose the outcome of the appeal.")
    outcome_on = _not_future(outcome_on, "the date of the appeal's outcome")
    if outcome_on < appeal.received_on:
        raise DomainError("The appeal's outcome cannot be dated before it was received.")
    appeal.outcome, appeal.outcome_on = outcome, outcome_on
    appeal.save()
    return _save_notice(notice)


@transaction.atomic
def notice_record_outcome(*, notice, actor, version, outcome, outcome_on):
    """Record the outcome of a notice: remedied, not remedied or withdrawn. Its deadlines end with it."""
    notice = _locked_notice(notice, actor, version)
    if notice.outcome:
        raise DomainError("The outcome of this notice has already been recorded.")
    if outcome not in NoticeOutcome.values:
        raise DomainError("Choose the outcome of the notice.")
    if outcome != NoticeOutcome.WITHDRAWN and notice.served_on is None:
        raise DomainError("A notice that was never served can only be withdrawn.")
    outcome_on = _not_future(outcome_on, "the date of the outcome")
    if outcome_on < notice.dated_on:
        raise DomainError("The outcome cannot be dated before the notice.")
    notice.outcome, notice.outcome_on = outcome, outcome_on
    return _save_notice(notice)


@transaction.atomic
def case_flag_performer_referral(*, case, actor, version, referred_on):
    """Record that a concern about an individual performer was referred (002 §104-105)."""
    case = _locked_case(case, actor, version, "flag_performer")
    if case.performer_referred_on is not None:
        raise DomainError("A performer concern referral is already recorded on this case.")
    return _bump(case, performer_referred_on=_not_future(referred_on, "the date of the referral"))


@transaction.atomic
def continuity_record(*, case, actor, version, registration, kind, starts_on, ends_on=None, notes=""):
    """Record how patients keep a service when the registration is suspended or cancelled (002 §120)."""
    case = _locked_case(case, actor, version, "record_continuity")
    if registration not in RegistrationEvent.values:
        raise DomainError("Choose whether the registration was suspended or cancelled.")
    if kind not in ContinuityKind.values:
        raise DomainError("Choose the arrangement: sub-contract, caretaker or list dispersal.")
    if starts_on is None:
        raise DomainError("Enter the date the arrangement starts.")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The arrangement cannot end before it starts.")
    arrangement = ContinuityArrangement.objects.create(case=case, registration=registration, kind=kind,
                                                       starts_on=starts_on, ends_on=ends_on, notes=_text(notes))
    _bump(case)
    return arrangement


@transaction.atomic
def case_close(*, case, actor, version, closed_on=None):
    """Close the case once no notice is open."""
    case = _locked_case(case, actor, version, "close")
    if case.notices.filter(outcome="").exists():
        raise DomainError("Record the outcome of every notice before closing the case.")
    return _bump(case, State.CLOSED, closed_on=_not_future(closed_on or timezone.localdate(), "the date it closed"))
