"""The practice's contractual-action page carries every step the services offer: completing the investigation,
recording that a performer concern was referred, and the continuity arrangements when the registration is suspended
or cancelled. Each form shows the NHS error summary, carries the case's version (a stale one answers 409 and saves
nothing) and says why a step is refused."""

import datetime
import html

import pytest
from django.urls import reverse

from contractual import services
from contractual.models import ContinuityArrangement, ContractualCase, State
from core.roles import Role

pytestmark = pytest.mark.django_db
D = datetime.date
R = Role


@pytest.fixture
def lead(world):
    return world["users"][R.COMMISSIONER_LEAD]


@pytest.fixture
def practice(world):
    return world["practices"]["own"]


def _assessed(practice, lead):
    case = services.case_open(practice=practice, actor=lead, received_on=D(2026, 5, 26), source="cqc",
                              cqc_visit_on=D(2026, 5, 22), summary="Unsafe prescribing.")
    return services.risk_assess(case=case, actor=lead, version=case.version, outcome="high",
                                assessed_on=D(2026, 5, 27))


@pytest.fixture
def investigating(practice, lead):
    case = _assessed(practice, lead)
    return services.investigation_open(case=case, actor=lead, version=case.version, level="moderate",
                                       started_on=D(2026, 5, 28))


def _date(name, day):
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _post(client, case, step, data):
    return client.post(reverse("contractual:step", args=[case.pk, step]), data)


def _errors(response):
    """The messages in the page's NHS error summary."""
    body = response.content.decode()
    assert 'class="nhsuk-error-summary"' in body, "no error summary"
    return html.unescape(body.split('class="nhsuk-error-summary"', 1)[1].split("</ul>", 1)[0])


def test_the_investigation_is_completed_from_its_own_form_once_the_visit_is_recorded(client, lead, investigating):
    client.force_login(lead)
    case = investigating
    page = client.get(reverse("contractual:practice", args=[case.practice.ods_code])).content.decode()
    action = reverse("contractual:step", args=[case.pk, "complete_investigation"])
    assert f'action="{action}" id="step-{case.pk}-complete_investigation"' in page
    assert f'id="id_{case.pk}_complete_investigation_completed_on"' in page  # its own ids beside the record form

    response = _post(client, case, "complete_investigation", {"version": case.version})
    assert response.status_code == 422 and "Enter the date the investigation was completed" in _errors(response)
    # Complete before the visit is recorded: refused, and it says what is missing.
    response = _post(client, case, "complete_investigation",
                     {"version": case.version, "findings": "Overdue reviews.", **_date("completed_on", D(2026, 6, 5))})
    assert response.status_code == 422
    assert "Enter the date notice of the visit was given before completing a moderate investigation" in \
        _errors(response)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING and case.investigation.completed_on is None

    response = _post(client, case, "record_investigation", {
        "version": case.version, "findings": "Medication reviews overdue.",
        **_date("visit_notice_on", D(2026, 5, 29)), **_date("visit_on", D(2026, 6, 3))})
    assert response.status_code == 302
    stale = case.version  # the page the lead opened before recording the visit
    response = _post(client, case, "complete_investigation", {"version": stale, **_date("completed_on", D(2026, 6, 5))})
    assert response.status_code == 409 and "Someone else recorded a step" in _errors(response)
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING
    response = _post(client, case, "complete_investigation",
                     {"version": case.version, **_date("completed_on", D(2026, 5, 27))})
    assert response.status_code == 422 and "cannot be completed before it started" in _errors(response)

    response = _post(client, case, "complete_investigation",
                     {"version": case.version, **_date("completed_on", D(2026, 6, 5))})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.INVESTIGATED and case.investigation.completed_on == D(2026, 6, 5)
    assert case.investigation.findings == "Medication reviews overdue."  # kept: the completion form left it empty
    page = client.get(reverse("contractual:practice", args=[case.practice.ods_code])).content.decode()
    assert "completed 5 June 2026" in page and "complete_investigation" not in page


def test_a_performer_referral_is_recorded_once(client, lead, practice):
    client.force_login(lead)
    case = _assessed(practice, lead)
    url = reverse("contractual:practice", args=[practice.ods_code])
    assert f'id="step-{case.pk}-flag_performer"' in client.get(url).content.decode()

    response = _post(client, case, "flag_performer", {"version": case.version})
    assert response.status_code == 422 and "Enter the date of the referral" in _errors(response)
    response = _post(client, case, "flag_performer", {"version": case.version, **_date("referred_on", D(2099, 1, 1))})
    assert response.status_code == 422 and "The date of the referral must be today or in the past" in _errors(response)
    response = _post(client, case, "flag_performer", {"version": case.version - 1, **_date("referred_on",
                                                                                            D(2026, 5, 29))})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.performer_referred_on is None

    response = _post(client, case, "flag_performer", {"version": case.version, **_date("referred_on", D(2026, 5, 29))})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.performer_referred_on == D(2026, 5, 29)
    page = client.get(url).content.decode()
    assert f'id="performer-referred-{case.pk}"' in page and "29 May 2026" in page
    assert f'id="step-{case.pk}-flag_performer"' not in page  # recorded once: its form has gone
    response = _post(client, case, "flag_performer", {"version": case.version, **_date("referred_on", D(2026, 6, 1))})
    assert response.status_code == 422 and "already recorded" in _errors(response)
    case.refresh_from_db()
    assert case.performer_referred_on == D(2026, 5, 29)


def test_continuity_arrangements_when_registration_is_suspended_or_cancelled(client, lead, practice):
    client.force_login(lead)
    case = _assessed(practice, lead)
    url = reverse("contractual:practice", args=[practice.ods_code])
    assert f'id="step-{case.pk}-record_continuity"' in client.get(url).content.decode()

    response = _post(client, case, "record_continuity", {"version": case.version})
    summary = _errors(response)
    assert response.status_code == 422
    assert "Select whether the registration was suspended or cancelled" in summary
    assert "Select the arrangement for patients" in summary and "Enter the date the arrangement starts" in summary
    fields = {"version": case.version, "registration": "suspended", "kind": "caretaker", "notes": "Dr Okafor's group",
              **_date("starts_on", D(2026, 6, 10))}
    response = _post(client, case, "record_continuity", {**fields, **_date("ends_on", D(2026, 6, 1))})
    assert response.status_code == 422 and "The arrangement cannot end before it starts" in _errors(response)
    response = _post(client, case, "record_continuity", {**fields, "version": case.version + 1})
    assert response.status_code == 409
    assert not ContinuityArrangement.objects.exists()

    response = _post(client, case, "record_continuity", {**fields, **_date("ends_on", D(2026, 9, 10))})
    assert response.status_code == 302
    arrangement = ContinuityArrangement.objects.get()
    assert (arrangement.registration, arrangement.kind, arrangement.starts_on, arrangement.ends_on) == (
        "suspended", "caretaker", D(2026, 6, 10), D(2026, 9, 10))
    page = client.get(url).content.decode()
    assert "Caretaker arrangement (registration suspended) from 10 June 2026 to 10 September 2026" in page
    assert "Dr Okafor&#39;s group" in page
    case.refresh_from_db()
    response = _post(client, case, "record_continuity", {**fields, "version": case.version, "registration": "cancelled",
                                                         "kind": "list_dispersal"})
    assert response.status_code == 302 and ContinuityArrangement.objects.count() == 2


def test_the_new_steps_are_refused_to_others_and_on_a_closed_case(client, world, lead, practice):
    case = _assessed(practice, lead)
    steps = {"flag_performer": _date("referred_on", D(2026, 5, 29)),
             "record_continuity": {"registration": "cancelled", "kind": "sub_contract",
                                   **_date("starts_on", D(2026, 6, 1))},
             "complete_investigation": _date("completed_on", D(2026, 6, 1))}
    # NHSE sees the case (its metadata) but may not act: 403 with the reason. Everyone else does not find it.
    for role, status in ((R.NHSE_REPORTING, 403), (R.COMMISSIONER_PEER_SUPPORT, 404), (R.PRACTICE_LEAD, 404),
                         (R.RCGP_ADMIN, 404)):
        client.force_login(world["users"][role])
        for step, data in steps.items():
            assert _post(client, case, step, {"version": case.version, **data}).status_code == status, (role, step)
    client.force_login(lead)
    # No investigation under way: completing one is refused with the reason, where the form was filled in.
    response = _post(client, case, "complete_investigation", {"version": case.version, **steps[
        "complete_investigation"]})
    assert response.status_code == 422 and "There is no investigation under way to complete" in _errors(response)
    case = services.case_close(case=case, actor=lead, version=case.version, closed_on=D(2026, 6, 1))
    page = client.get(reverse("contractual:practice", args=[practice.ods_code])).content.decode()
    assert f'id="step-{case.pk}-' not in page  # a closed case offers no step
    for step in ("flag_performer", "record_continuity"):
        response = _post(client, case, step, {"version": case.version, **steps[step]})
        assert response.status_code == 422 and "This case is closed" in _errors(response), step
    case = ContractualCase.objects.get()
    assert case.performer_referred_on is None and not ContinuityArrangement.objects.exists()
