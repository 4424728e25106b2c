"""Contractual action's rules (002 Chapter 3, Annex 9): the order of the steps, the 28-day remedy minimum and its
two grounds, calendar days that a bank holiday does not move, CQC's one working day, appeal windows, a closed
practice, termination without legal advice. A refusal says why and saves nothing."""

import datetime

import pytest
from django.utils import timezone

from contractual import services
from contractual.models import Appeal, ContractualCase, Decision, Notice, State
from core.errors import DomainError, StaleEdit
from core.roles import Role
from practices.models import Practice

pytestmark = pytest.mark.django_db
D = datetime.date
# 25 May 2026 is the spring bank holiday (a Monday).
FRIDAY, BANK_HOLIDAY, TUESDAY = D(2026, 5, 22), D(2026, 5, 25), D(2026, 5, 26)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 7, 31))


@pytest.fixture
def lead(world):
    return world["users"][Role.COMMISSIONER_LEAD]


@pytest.fixture
def practice(world):
    return world["practices"]["own"]


def _open(practice, lead, **kw):
    fields = {"received_on": TUESDAY, "source": "cqc", "cqc_visit_on": FRIDAY, "summary": "Unsafe prescribing."}
    return services.case_open(practice=practice, actor=lead, **{**fields, **kw})


def _decided(practice, lead, kind="remedial", **kw):
    case = _open(practice, lead)
    case = services.risk_assess(case=case, actor=lead, version=case.version, outcome="high", assessed_on=TUESDAY)
    return services.decision_record(case=case, actor=lead, version=case.version, kind=kind, decided_on=D(2026, 6, 1),
                                    **kw)


def _notice(case, lead, **kw):
    fields = {"terms_breached": "Clause 7.1", "actions_required": "Audit repeat prescribing.",
              "dated_on": D(2026, 6, 1), "remedy_by": D(2026, 6, 29)}
    return services.notice_issue(case=case, actor=lead, version=case.version, **{**fields, **kw})


def test_cqc_one_working_day_is_met_or_late_across_a_bank_holiday(practice, lead):
    # Visit on Friday; Monday is a bank holiday, so Tuesday is the next working day: met.
    assert _open(practice, lead).cqc_notification_text == "CQC notified within one working day: met"
    late = _open(practice, lead, received_on=D(2026, 5, 27))
    assert late.cqc_notified_within_one_working_day is False
    assert late.cqc_notification_text == "CQC notified within one working day: late"
    assert _open(practice, lead, source="patient", cqc_visit_on=None).cqc_notification_text == ""


def test_the_order_of_steps(practice, lead):
    case = _open(practice, lead)
    with pytest.raises(DomainError, match="completed risk assessment"):
        services.decision_record(case=case, actor=lead, version=case.version, kind="no_action",
                                 decided_on=TUESDAY)
    with pytest.raises(DomainError, match="completed risk assessment"):
        services.investigation_open(case=case, actor=lead, version=case.version, level="minor", started_on=TUESDAY)
    assert not Decision.objects.exists()
    case = services.risk_assess(case=case, actor=lead, version=case.version, outcome="medium", assessed_on=TUESDAY)
    case = services.investigation_open(case=case, actor=lead, version=case.version, level="moderate",
                                       started_on=TUESDAY)
    with pytest.raises(DomainError, match="complete any investigation"):
        services.decision_record(case=case, actor=lead, version=case.version, kind="remedial", decided_on=TUESDAY)
    with pytest.raises(DomainError, match="date of the visit"):
        services.investigation_record(case=case, actor=lead, version=case.version, complete=True,
                                      visit_notice_on=D(2026, 5, 27), findings="Poor records.")
    case = ContractualCase.objects.get(pk=case.pk)
    assert case.investigation.visit_notice_on is None  # nothing saved by the refusal
    case = services.investigation_record(case=case, actor=lead, version=case.version, complete=True,
                                         visit_notice_on=D(2026, 5, 27), visit_on=D(2026, 6, 3),
                                         findings="Poor records.")
    assert case.state == State.INVESTIGATED
    with pytest.raises(DomainError, match="decision to issue a notice"):
        _notice(case, lead)
    case = services.decision_record(case=case, actor=lead, version=case.version, kind="remedial",
                                    decided_on=D(2026, 6, 4))
    notice = _notice(case, lead, dated_on=D(2026, 6, 4), remedy_by=D(2026, 7, 2))
    assert notice.kind == "remedial"


def test_a_stale_version_is_refused(practice, lead):
    case = _open(practice, lead)
    services.risk_assess(case=case, actor=lead, version=case.version, outcome="low", assessed_on=TUESDAY)
    with pytest.raises(StaleEdit):
        services.case_flag_performer_referral(case=case, actor=lead, version=1, referred_on=TUESDAY)


def test_the_remedy_date_is_at_least_28_calendar_days_unless_one_of_two_grounds_is_recorded(practice, lead):
    case = _decided(practice, lead)
    with pytest.raises(DomainError, match="at least 28 days"):
        _notice(case, lead, remedy_by=D(2026, 6, 28))
    with pytest.raises(DomainError, match="Say why"):
        _notice(case, lead, remedy_by=D(2026, 6, 8), shorter_ground="patient_safety")
    assert not Notice.objects.exists()
    notice = _notice(case, lead, remedy_by=D(2026, 6, 8), shorter_ground="financial_loss",
                     shorter_reason="Claims for services not provided.")
    assert (notice.shorter_ground, notice.remedy_by) == ("financial_loss", D(2026, 6, 8))


def test_a_bank_holiday_does_not_move_a_28_day_period(practice, lead):
    case = _decided(practice, lead)
    # 28 calendar days from 28 April 2026 is 26 May, across the early May and spring bank holidays: accepted as is.
    notice = _notice(case, lead, dated_on=D(2026, 4, 28), remedy_by=D(2026, 5, 26))
    assert notice.remedy_by == D(2026, 5, 26)
    notice = services.notice_serve(notice=notice, actor=lead, version=notice.version, served_on=D(2026, 4, 28))
    assert notice.appeal_by == D(2026, 5, 26)  # not moved to the next working day


def test_appeal_windows_in_time_and_out_of_time_with_the_commissioners_decision(practice, lead):
    case = _decided(practice, lead, kind="breach")
    notice = _notice(case, lead, actions_required="", remedy_by=None)
    with pytest.raises(DomainError, match="served"):
        services.appeal_record(notice=notice, actor=lead, version=notice.version, received_on=D(2026, 6, 5))
    notice = services.notice_serve(notice=notice, actor=lead, version=notice.version, served_on=D(2026, 6, 2))
    with pytest.raises(DomainError, match="received out of time"):
        services.appeal_record(notice=notice, actor=lead, version=notice.version, received_on=D(2026, 7, 1))
    with pytest.raises(DomainError, match="reason"):
        services.appeal_record(notice=notice, actor=lead, version=notice.version, received_on=D(2026, 7, 1),
                               consider=False)
    assert not Appeal.objects.exists()
    services.appeal_record(notice=notice, actor=lead, version=notice.version, received_on=D(2026, 7, 1),
                           consider=False, decision_reason="No reason given for the delay.")
    appeal = Appeal.objects.get()
    assert (appeal.in_time, appeal.considered, appeal.timing_text) == (False, False, "Received out of time")


def test_an_appeal_on_the_28th_day_after_service_is_in_time(practice, lead):
    case = _decided(practice, lead)
    notice = _notice(case, lead)
    notice = services.notice_serve(notice=notice, actor=lead, version=notice.version, served_on=D(2026, 6, 2))
    notice = services.appeal_record(notice=notice, actor=lead, version=notice.version, received_on=D(2026, 6, 30))
    assert Appeal.objects.get().in_time
    notice = services.appeal_decide(notice=notice, actor=lead, version=notice.version, outcome="dismissed",
                                    outcome_on=D(2026, 7, 10))
    notice = services.notice_record_outcome(notice=notice, actor=lead, version=notice.version, outcome="remedied",
                                            outcome_on=D(2026, 7, 20))
    assert notice.outcome == "remedied"


def test_no_notice_on_a_closed_practice(practice, lead):
    case = _decided(practice, lead)
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.CLOSED)
    with pytest.raises(DomainError, match="closed practice"):
        _notice(case, lead)
    with pytest.raises(DomainError, match="closed practice"):
        _open(Practice.objects.get(pk=practice.pk), lead)
    assert not Notice.objects.exists()


def test_termination_needs_legal_advice_recorded_first(practice, lead):
    with pytest.raises(DomainError, match="legal advice"):
        _decided(practice, lead, kind="termination")
    assert not Decision.objects.exists()
    case = _decided(practice, lead, kind="termination", legal_advice_on=D(2026, 5, 29),
                    legal_advice_by="Capsticks LLP")
    assert case.decisions.get().legal_advice_by == "Capsticks LLP"


@pytest.mark.parametrize("role", [Role.COMMISSIONER_PEER_SUPPORT, Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD,
                                  Role.NHSE_REPORTING, Role.PRACTICE_LEAD])
def test_only_the_commissioners_lead_may_record_contractual_action(world, practice, role):
    with pytest.raises(DomainError, match="commissioner lead"):
        _open(practice, world["users"][role])
    assert not ContractualCase.objects.exists()
