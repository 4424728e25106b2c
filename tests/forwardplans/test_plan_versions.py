"""Kept versions of a forward plan: recorded when it is shared with the commissioner, sent to CQC or agreed, by the
party the recorder stands for (forwardplans/plan_versions.py: the table of who may record which), frozen, listed on
the plan page, and numbering the plan's copies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import DomainError, StaleEdit
from core.roles import Role
from forwardplans import pdf, plan_versions, services, word
from forwardplans.models import ForwardPlan, PlanVersion

from ..cases import advance

pytestmark = pytest.mark.django_db
R = Role


def _record(docs, role, reason, party=None):
    plan = ForwardPlan.objects.get(pk=docs["plan"].pk)
    return plan_versions.plan_version_record(plan=plan, reason=reason, party=party, version=plan.version,
                                             actor=docs["users"][role])


ONLY_RCGP_TEAM_SHARES = "Only the contract's RCGP team records that the plan was shared."
NOT_SHARED = "The practice has not consented to share its plan with the commissioner."
ONLY_LEAD_SENDS = "Only the practice lead records that the plan was sent to CQC."
ONLY_LEAD_AGREES = "Only the practice lead agrees the plan for the practice."
ONLY_COMMISSIONER_LEAD = "Only a lead of the practice's commissioner agrees the plan for the commissioner."
ONLY_RCGP_LEAD = "Only the contract's deputy lead or RCGP admin agrees the plan for RCGP."

# (role, reason, party) → None (recorded) or the refusal, before the practice consents to share and after.
TABLE = [
    (R.PRACTICE_LEAD, "sent_to_cqc", None, None, None),
    (R.PRACTICE_USER, "sent_to_cqc", None, ONLY_LEAD_SENDS, ONLY_LEAD_SENDS),
    (R.RCGP_ADVISER, "sent_to_cqc", None, ONLY_LEAD_SENDS, ONLY_LEAD_SENDS),
    (R.PRACTICE_LEAD, "agreed", "practice", None, None),
    (R.RCGP_ADMIN, "agreed", "practice", ONLY_LEAD_AGREES, ONLY_LEAD_AGREES),
    (R.COMMISSIONER_LEAD, "agreed", "commissioner", NOT_SHARED, None),
    (R.COMMISSIONER_PEER_SUPPORT, "agreed", "commissioner", ONLY_COMMISSIONER_LEAD, ONLY_COMMISSIONER_LEAD),
    (R.PRACTICE_LEAD, "agreed", "commissioner", ONLY_COMMISSIONER_LEAD, ONLY_COMMISSIONER_LEAD),
    (R.RCGP_DEPUTY_LEAD, "agreed", "rcgp", None, None),
    (R.RCGP_ADMIN, "agreed", "rcgp", None, None),
    (R.RCGP_ADVISER, "agreed", "rcgp", ONLY_RCGP_LEAD, ONLY_RCGP_LEAD),
    (R.PRACTICE_LEAD, "agreed", "rcgp", ONLY_RCGP_LEAD, ONLY_RCGP_LEAD),
    (R.RCGP_ADVISER, "shared", None, NOT_SHARED, None),
    (R.RCGP_DEPUTY_LEAD, "shared", None, NOT_SHARED, None),
    (R.PRACTICE_LEAD, "shared", None, ONLY_RCGP_TEAM_SHARES, ONLY_RCGP_TEAM_SHARES),
    (R.COMMISSIONER_LEAD, "shared", None, ONLY_RCGP_TEAM_SHARES, ONLY_RCGP_TEAM_SHARES),
    (R.NHSE_REPORTING, "sent_to_cqc", None, ONLY_LEAD_SENDS, ONLY_LEAD_SENDS),
]


@pytest.mark.parametrize("shared", [False, True], ids=["before consent", "after consent"])
def test_each_party_records_what_the_table_lets_it_and_nobody_else_does(docs, shared):
    if shared:
        advance(docs["contract"], "review_meeting", docs["users"])  # the practice consents to share
    wrong = []
    for role, reason, party, before, after in TABLE:
        expected = after if shared else before
        count = PlanVersion.objects.count()
        try:
            kept = _record(docs, role, reason, party)
        except DomainError as exc:
            outcome = str(exc)
            assert PlanVersion.objects.count() == count  # a refusal keeps nothing
        else:
            outcome = None
            assert (kept.reason, kept.agreed_by, kept.by) == (reason, party or "", docs["users"][role])
        if outcome != expected:
            wrong.append((role, reason, party, expected, outcome))
    assert wrong == []
    numbers = list(PlanVersion.objects.filter(plan=docs["plan"]).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1)) and numbers  # numbered one after another


def test_an_agreement_names_its_party_and_only_an_agreement_does(docs):
    with pytest.raises(DomainError, match="Say who agreed the plan: the practice, the commissioner or RCGP."):
        _record(docs, R.PRACTICE_LEAD, "agreed")
    with pytest.raises(DomainError, match="Only an agreement names who agreed"):
        _record(docs, R.PRACTICE_LEAD, "sent_to_cqc", "practice")
    with pytest.raises(DomainError, match="Choose why the version is kept"):
        _record(docs, R.PRACTICE_LEAD, "lost")


def test_a_stale_record_is_refused_with_what_changed(docs):
    plan = ForwardPlan.objects.get(pk=docs["plan"].pk)
    seen = plan.version
    _record(docs, R.PRACTICE_LEAD, "sent_to_cqc")
    with pytest.raises(StaleEdit) as stale:
        plan_versions.plan_version_record(plan=plan, reason="agreed", party="rcgp", version=seen,
                                          actor=docs["users"][R.RCGP_DEPUTY_LEAD])
    lead = docs["users"][R.PRACTICE_LEAD]
    assert ("Version 1", f"Sent to CQC by {lead.get_full_name() or lead.username}") in stale.value.changes
    assert PlanVersion.objects.count() == 1


def test_a_version_is_frozen_and_numbers_the_plans_copies(docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan, action, adviser = docs["plan"], docs["action"], docs["users"][R.RCGP_ADVISER]
    assert word.plan_filename(plan) == f"forward-plan-DOC-1-draft-r{action.version}.docx"
    first = _record(docs, R.PRACTICE_LEAD, "sent_to_cqc")
    assert pdf.plan_version(plan).label == "Version 1" and word.plan_filename(plan) == "forward-plan-DOC-1-v1.docx"
    stored = pdf.render(pdf.request_pdf(contract=docs["contract"], document="plan", enqueue=False).pk)
    assert (stored.source_version, stored.content["file_version"]) == ("Version 1", "v1")

    services.action_set_rag(action=action, actor=adviser, to_status="amber", reason="Started",
                            base_version=action.version)
    assert pdf.plan_version(plan).label == f"Version 1, edited since (revision {action.version})"
    assert word.plan_filename(plan) == f"forward-plan-DOC-1-v1-edited-r{action.version}.docx"
    first.refresh_from_db()
    [[_label, [kept]]] = first.snapshot["groups"]
    assert (kept["rag"], kept["action_planned"], kept["regulations"]) == (
        "red", "Set up a monthly recall", ["Regulation 12: Safe care and treatment"])  # as it was when sent

    second = _record(docs, R.PRACTICE_LEAD, "agreed", "practice")
    assert second.number == 2 and pdf.plan_version(plan).label == "Version 2"
    assert second.snapshot["groups"][0][1][0]["rag"] == "amber"
    again = pdf.request_pdf(contract=docs["contract"], document="plan", enqueue=False)
    assert (again.number, again.source_version) == (2, "Version 2")  # the second PDF made, of the plan's version 2


def _plan_page(client):
    return client.get(reverse("forwardplans:plan", args=["DOC-1"]))


def test_the_plan_page_lists_the_versions_and_offers_each_person_what_they_may_record(client, docs):
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    html = _plan_page(client).content.decode()
    assert "No version kept yet" in html
    assert 'value="sent_to_cqc"' in html and 'value="agreed:practice"' in html
    assert 'value="shared"' not in html and 'value="agreed:rcgp"' not in html
    response = client.post(reverse("forwardplans:plan_version", args=["DOC-1"]),
                           {"version": 1, "kind": "sent_to_cqc"})
    assert response.status_code == 302 and response["Location"].endswith("/plan/#versions")
    html = _plan_page(client).content.decode()
    lead = docs["users"][R.PRACTICE_LEAD]
    assert "Sent to CQC" in html and (lead.get_full_name() or lead.username) in html

    stale = client.post(reverse("forwardplans:plan_version", args=["DOC-1"]),
                        {"version": 1, "kind": "agreed:practice"})
    assert stale.status_code == 409 and "Someone else changed the plan" in stale.content.decode()
    not_offered = client.post(reverse("forwardplans:plan_version", args=["DOC-1"]), {"version": 2, "kind": "shared"})
    assert not_offered.status_code == 422 and "There is a problem" in not_offered.content.decode()
    assert PlanVersion.objects.count() == 1

    client.force_login(docs["users"][R.PRACTICE_USER])  # reads the plan, may record nothing
    assert 'action="/contracts/DOC-1/plan/versions/"' not in _plan_page(client).content.decode()
    assert client.post(reverse("forwardplans:plan_version", args=["DOC-1"]),
                       {"version": 2, "kind": "sent_to_cqc"}).status_code == 403
    client.force_login(docs["users"][R.COMMISSIONER_LEAD])  # no consent: the plan is not there for them
    assert client.post(reverse("forwardplans:plan_version", args=["DOC-1"]),
                       {"version": 2, "kind": "agreed:commissioner"}).status_code == 404


def test_the_versions_list_costs_the_same_queries_however_long_it_is(client, docs):
    client.force_login(docs["users"][R.RCGP_ADMIN])
    _record(docs, R.PRACTICE_LEAD, "sent_to_cqc")
    _plan_page(client)  # the session's first request does more
    with CaptureQueriesContext(connection) as one:
        assert _plan_page(client).status_code == 200
    for _n in range(4):
        _record(docs, R.RCGP_DEPUTY_LEAD, "agreed", "rcgp")
    with CaptureQueriesContext(connection) as five:
        html = _plan_page(client).content.decode()
    listed = html[html.index('id="versions"'):html.index('action="/contracts/DOC-1/plan/versions/"')]
    assert listed.count("Agreed by RCGP") == 4 and listed.count("Sent to CQC") == 1
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]
