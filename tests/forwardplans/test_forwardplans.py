"""Diagnostic Reports, Forward Plans, RAG history, Green-needs-evidence and consent to share."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.services import case_answer_correction, case_move
from core.errors import DomainError
from core.roles import Role
from forwardplans import access as document_access
from forwardplans import services
from forwardplans.models import (
    Action,
    Milestone,
    ProgressEntry,
    RagChange,
    ReportCorrection,
    ReportVersion,
    SectionDraft,
)

from ..cases import advance, with_documents, write_sections
from ..docs import ACTION_FIELDS

pytestmark = pytest.mark.django_db
R = Role
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# Diagnostic Report: versions and the factual-accuracy exchange ----------------------------------

def move(contract, name, user, **kwargs):
    return case_move(contract=contract, move=name, actor=user, **kwargs)


def test_sent_and_final_versions_are_kept_and_compared(client, docs):
    users, contract = docs["users"], docs["contract"]
    move(contract, "send_report", users[R.RCGP_DEPUTY_LEAD])
    correction = services.correction_add(report=docs["report"], actor=users[R.PRACTICE_LEAD], section="history",
                                         passage="Founded 1974.", correction="Founded 1974 in Lees.")
    move(contract, "return_report", users[R.PRACTICE_LEAD])
    report = write_sections(docs["report"], users[R.RCGP_ADVISER], {"history": "Founded 1974 in Lees."})
    case_answer_correction(correction=correction, actor=users[R.RCGP_ADVISER], answer="accepted")
    move(contract, "resend_report", users[R.RCGP_DEPUTY_LEAD])
    move(contract, "confirm_accuracy", users[R.PRACTICE_LEAD])
    versions = list(ReportVersion.objects.filter(report=report).order_by("number"))
    assert [(v.number, v.state) for v in versions] == [(1, "with_practice"), (2, "with_practice"), (3, "final")]
    assert versions[0].sections["history"] == "Founded 1974."
    assert versions[1].sections["history"] == "Founded 1974 in Lees."
    client.force_login(users[R.PRACTICE_LEAD])
    html = client.get(reverse("forwardplans:report_version", args=["DOC-1", 2])).content.decode()
    assert "Changes since version 1" in html
    assert "<del>1974.</del>" in html and "<ins>1974 in Lees.</ins>" in html


def test_corrections_are_the_practices_until_returned_then_answered_beside_their_section(client, docs):
    users, contract, report = docs["users"], docs["contract"], docs["report"]
    with pytest.raises(DomainError, match="while the report is with the practice"):
        services.correction_add(report=report, actor=users[R.PRACTICE_LEAD], section="findings", passage="a",
                                correction="b")
    move(contract, "send_report", users[R.RCGP_DEPUTY_LEAD])
    for role in (R.PRACTICE_USER, R.RCGP_ADVISER, R.RCGP_DEPUTY_LEAD, R.COMMISSIONER_LEAD):
        with pytest.raises(DomainError, match="Only the practice lead"):
            services.correction_add(report=report, actor=users[role], section="findings", passage="a",
                                    correction="b")
    client.force_login(users[R.PRACTICE_LEAD])
    response = client.post(reverse("forwardplans:correction_new", args=["DOC-1"]),
                           {"section": "findings", "passage": "", "correction": "Mostly in place"})
    assert response.status_code == 422 and "Copy the passage that is wrong." in response.content.decode()
    assert "Mostly in place" in response.content.decode()  # what was typed stays
    client.post(reverse("forwardplans:correction_new", args=["DOC-1"]),
                {"section": "findings", "passage": "Governance gaps.", "correction": "Governance mostly in place."})
    client.post(reverse("forwardplans:correction_new", args=["DOC-1"]),
                {"section": "history", "passage": "Founded 1974.", "correction": "Founded 1975."})
    drafted = list(ReportCorrection.objects.filter(report=report).order_by("pk"))
    client.force_login(users[R.RCGP_ADVISER])
    html = client.get(reverse("forwardplans:report", args=["DOC-1"])).content.decode()
    assert "Governance mostly in place." not in html  # a draft is the practice's own
    move(contract, "return_report", users[R.PRACTICE_LEAD])
    html = client.get(reverse("forwardplans:report", args=["DOC-1"])).content.decode()
    assert "Governance mostly in place." in html and "Waiting for an answer" in html
    answer_url = reverse("forwardplans:correction_answer", args=["DOC-1", drafted[0].pk])
    response = client.post(answer_url, {"answer": "declined", "reason": ""})
    assert response.status_code == 422 and "Say why the correction is declined" in response.content.decode()
    client.post(answer_url, {"answer": "declined", "reason": "The log was last reviewed in 2023."})
    with pytest.raises(DomainError, match="Answer every correction the practice returned first: 1 still"):
        move(contract, "resend_report", users[R.RCGP_DEPUTY_LEAD])
    client.post(reverse("forwardplans:correction_answer", args=["DOC-1", drafted[1].pk]), {"answer": "accepted"})
    move(contract, "resend_report", users[R.RCGP_DEPUTY_LEAD])
    client.force_login(users[R.PRACTICE_LEAD])
    html = client.get(reverse("forwardplans:report", args=["DOC-1"])).content.decode()
    assert "The log was last reviewed in 2023." in html and "Declined" in html and "Accepted" in html
    with pytest.raises(DomainError, match="Only advisers on this contract"):
        case_answer_correction(correction=drafted[0], actor=users[R.PRACTICE_LEAD], answer="accepted")
    client.force_login(users[R.COMMISSIONER_LEAD])
    move(contract, "confirm_accuracy", users[R.PRACTICE_LEAD])
    move(contract, "give_consent", users[R.PRACTICE_LEAD])
    html = client.get(reverse("forwardplans:report", args=["DOC-1"])).content.decode()
    assert "Governance gaps." in html and "Governance mostly in place." not in html  # the exchange is not theirs


def test_a_returned_report_is_the_teams_until_it_is_resent(client, docs):
    users, contract = docs["users"], docs["contract"]
    move(contract, "send_report", users[R.RCGP_DEPUTY_LEAD])
    services.correction_add(report=docs["report"], actor=users[R.PRACTICE_LEAD], section="findings",
                            passage="Governance gaps.", correction="None.")
    client.force_login(users[R.PRACTICE_LEAD])
    response = client.post(reverse("contracts:move", args=["DOC-1", "return_report"]), {"from": "report"})
    assert response.status_code == 302 and response["Location"] == reverse("contracts:detail", args=["DOC-1"])
    page = client.get(response["Location"]).content.decode()
    assert "gone back to the advisers with your corrections" in page
    assert "the advisers are answering the corrections" in page
    assert client.get(reverse("forwardplans:report", args=["DOC-1"])).status_code == 404
    assert "Governance gaps." not in page


def test_report_is_edited_section_by_section_by_the_team_while_it_is_a_draft(client, docs):
    users, report = docs["users"], docs["report"]
    with pytest.raises(DomainError, match="Only advisers on this contract"):
        services.report_part_save(report=report, actor=users[R.PRACTICE_LEAD], part="history", value="x",
                                  base_version=1)
    client.force_login(users[R.RCGP_ADVISER])
    section = reverse("forwardplans:report_section", args=["DOC-1", "findings"])
    assert 'name="version" value="2"' in client.get(section).content.decode()  # written once by the fixture
    assert client.post(section, {"version": 2, "text": "<b>bold</b>"}).status_code == 302
    causes = reverse("forwardplans:report_section", args=["DOC-1", "root_causes"])
    assert client.post(causes, {"version": 2, "root_causes": ["single_handed", "cannot_delegate"]}).status_code == 302
    same = client.post(section, {"version": 3, "text": "<b>bold</b>"}, follow=True)
    assert "Nothing to save: “Findings” is as it was." in same.content.decode()
    report.refresh_from_db()
    assert (report.findings, report.root_causes) == ("<b>bold</b>", ["cannot_delegate", "single_handed"])
    assert report.section_versions == {"history": 2, "findings": 3, "root_causes": 3}
    html = client.get(reverse("forwardplans:report", args=["DOC-1"])).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "Single-handed practice" in html
    assert client.get(reverse("forwardplans:report_section", args=["DOC-1", "nonsense"])).status_code == 404
    advance(docs["contract"], "factual_accuracy_review", users)
    assert client.get(section).status_code == 404  # with the practice: nobody edits it


def test_practice_sees_the_report_only_once_sent(client, docs):
    users = docs["users"]
    client.force_login(users[R.PRACTICE_USER])
    assert client.get(reverse("forwardplans:report", args=["DOC-1"])).status_code == 404
    move(docs["contract"], "send_report", users[R.RCGP_DEPUTY_LEAD])
    assert client.get(reverse("forwardplans:report", args=["DOC-1"])).status_code == 200


# Forward Plan fields ---------------------------------------------------------------------------

def test_every_forward_plan_field_round_trips_through_the_pages(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    data = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in ACTION_FIELDS.items()}
    del data["regulation"]  # the form ticks regulations (tests/forwardplans/test_plan_regulations.py)
    data.update(key_question="well_led", regulations=["Regulation 17: Good governance"], priority=5,
                lead_user=docs["users"][R.PRACTICE_LEAD].pk, milestone_1="Draft agreed", milestone_1_due="2026-12-01")
    response = client.post(reverse("forwardplans:action_new", args=["DOC-1"]), data)
    assert response.status_code == 302
    action = Action.objects.exclude(pk=docs["action"].pk).get()
    for field, value in data.items():
        if field.startswith("milestone"):
            continue
        stored = getattr(action, "lead_user_id" if field == "lead_user" else field)
        assert str(stored) == str(value), field
    milestones = list(action.milestones.values_list("description", "due_on"))
    assert milestones == [("Draft agreed", datetime.date(2026, 12, 1))]
    page = client.get(reverse("forwardplans:action", args=[action.pk])).content.decode()
    for value in ("Well-led", "Regulation 17: Good governance", "No recall for high-risk drugs",
                  "No clinical lead for prescribing", "Set up a monthly recall", "Lead nurse", "Nurse team", "Dr Khan",
                  "Two hours a month", "ICB medicines team", "Recall log", "Every patient monitored on time",
                  "31 December 2026", "Build the searches", "Draft agreed"):
        assert value in page, value
    data["action_planned"] = "Set up a fortnightly recall"
    data["version"] = action.version
    assert client.post(reverse("forwardplans:action_edit", args=[action.pk]), data).status_code == 302
    action.refresh_from_db()
    assert action.action_planned == "Set up a fortnightly recall" and action.version == 2


def test_plan_groups_actions_by_key_question_and_orders_by_priority(client, docs):
    users, plan = docs["users"], docs["plan"]
    fields = dict(ACTION_FIELDS)
    for kq, priority, text in (("well_led", 1, "Governance"), ("safe", 1, "First safe"), ("safe", 50, "Last safe")):
        fields.update(key_question=kq, priority=priority, action_planned=text)
        services.action_create(plan=plan, actor=users[R.RCGP_ADVISER], **fields)
    client.force_login(users[R.PRACTICE_USER])
    groups = client.get(reverse("forwardplans:plan", args=["DOC-1"])).context["groups"]
    assert [(kq, [a.action_planned for a in actions]) for kq, actions in groups] == [
        ("Safe", ["First safe", "Set up a monthly recall", "Last safe"]), ("Well-led", ["Governance"])]


@pytest.mark.parametrize("role", [R.PRACTICE_USER, R.PRACTICE_LEAD, R.COMMISSIONER_LEAD, R.NHSE_REPORTING])
def test_only_the_rcgp_team_writes_the_plan(client, docs, role):
    with pytest.raises(DomainError):
        services.action_create(plan=docs["plan"], actor=docs["users"][role], **ACTION_FIELDS)
    client.force_login(docs["users"][role])
    assert client.get(reverse("forwardplans:action_new", args=["DOC-1"])).status_code == 404


def test_plan_summary(docs):
    from forwardplans.selectors import plan_summary

    users, plan = docs["users"], docs["plan"]
    today = datetime.date(2026, 12, 20)
    second = services.action_create(plan=plan, actor=users[R.RCGP_ADVISER],
                                    **dict(ACTION_FIELDS, planned_completion=datetime.date(2027, 1, 2)))
    services.action_set_rag(action=second, actor=users[R.PRACTICE_USER], to_status="green", reason="Done",
                            evidence_justification="Log in the governance folder", base_version=second.version)
    summary = plan_summary(plan, today=today)
    # action 1: red, one overdue milestone (10 January 2026), completion 31 December 2026 within 14 days.
    # action 2: green, so not counted as due.
    assert (summary.total, summary.by_rag, summary.percent_complete) == (
        2, {"red": 1, "amber": 0, "green": 1}, 50.0)
    assert (summary.overdue_milestones, summary.due_soon) == (1, 1)


def test_a_loaded_plans_summary_is_the_databases(docs):
    """The plan page, its PDF and its Word copy count the loaded actions (summary_of_groups); lists and the API
    count in PostgreSQL (summaries_for_plans). Both must give the same figures, on every kind of action and day."""
    from forwardplans.selectors import plan_actions, summaries_for_plans, summary_of_groups

    plan, start = docs["plan"], datetime.date(2026, 12, 1)
    for n in range(12):
        action = Action.objects.create(plan=plan, **{**ACTION_FIELDS, "priority": 20 + n,
                                                     "rag_status": ["red", "amber", "green"][n % 3],
                                                     "planned_completion": start + datetime.timedelta(days=5 * n - 20)})
        Milestone.objects.bulk_create([
            Milestone(action=action, description=f"M{k}", due_on=start + datetime.timedelta(days=7 * k - 3 * n),
                      done_on=start if (n + k) % 4 == 0 else None) for k in range(n % 4)])
    other = with_documents(docs["contract"].__class__.objects.create(
        reference="DOC-2", practice=docs["contract"].practice, commissioner=docs["contract"].commissioner,
        programme=docs["contract"].programme, commissioned_on=datetime.date(2026, 1, 5))).forward_plan
    seen = []
    for today in (start - datetime.timedelta(days=30), start, start + datetime.timedelta(days=9),
                  start + datetime.timedelta(days=45)):
        in_database = summaries_for_plans([plan.pk, other.pk], today=today)
        assert summary_of_groups(plan_actions(plan), today=today) == in_database[plan.pk]
        assert summary_of_groups(plan_actions(other), today=today) == in_database[other.pk]
        seen.append(in_database[plan.pk])
    # Not trivially equal: every figure is non-zero on some day, and the empty plan's are all zero.
    assert all(s.total == 13 for s in seen) and in_database[other.pk].total == 0
    assert all(any(getattr(s, name) for s in seen) for name in ("overdue_milestones", "overdue_actions", "due_soon"))


# RAG, progress, milestones, evidence -----------------------------------------------------------

def test_rag_change_keeps_who_when_from_to_and_why_and_the_page_shows_it(client, docs):
    users, action = docs["users"], docs["action"]
    client.force_login(users[R.PRACTICE_USER])
    response = client.post(reverse("forwardplans:action_rag", args=[action.pk]),
                           {"to_status": "amber", "reason": "Searches built", "version": action.version},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="rag-panel-{action.pk}"' in html and "<html" not in html  # only the panel, swapped in place
    assert "RAG status changed to Amber" in html
    change = RagChange.objects.get(action=action)
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        "red", "amber", users[R.PRACTICE_USER], "Searches built")
    assert change.at is not None
    assert "Searches built" in client.get(reverse("forwardplans:action", args=[action.pk])).content.decode()


def test_rag_change_needs_a_reason(docs):
    with pytest.raises(DomainError, match="why"):
        services.action_set_rag(action=docs["action"], actor=docs["users"][R.PRACTICE_LEAD], to_status="amber",
                                reason=" ", base_version=docs["action"].version)


def test_green_needs_evidence_or_a_written_justification(docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, action = docs["users"], docs["action"]
    with pytest.raises(DomainError, match="Green means completed with evidence"):
        services.action_set_rag(action=action, actor=users[R.PRACTICE_LEAD], to_status="green", reason="Done",
                                base_version=action.version)
    action.refresh_from_db()
    assert action.rag_status == "red" and not RagChange.objects.exists()
    services.evidence_upload(action=action, actor=users[R.PRACTICE_LEAD], base_version=action.version,
                             uploaded_file=SimpleUploadedFile("log.pdf", PDF))
    done = services.action_set_rag(action=action, actor=users[R.PRACTICE_LEAD], to_status="green", reason="Done",
                                   base_version=action.version)
    assert done.rag_status == "green"
    other = services.action_create(plan=docs["plan"], actor=users[R.RCGP_ADVISER], **ACTION_FIELDS)
    justified = services.action_set_rag(action=other, actor=users[R.PRACTICE_LEAD], to_status="green",
                                        reason="Done", base_version=other.version,
                                        evidence_justification="CQC saw the recall log on site")
    assert justified.rag_status == "green"
    assert RagChange.objects.get(action=other).evidence_justification == "CQC saw the recall log on site"


def version_of(action):
    return Action.objects.get(pk=action.pk).version


def test_progress_and_milestones_in_place_each_a_new_version(client, docs):
    users, action = docs["users"], docs["action"]
    client.force_login(users[R.PRACTICE_USER])
    start = version_of(action)
    response = client.post(reverse("forwardplans:action_progress", args=[action.pk]),
                           {"text": "Searches written", "entry_date": "2026-02-01", "version": start},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="progress-panel"' in html and "Searches written" in html
    # Every other form of the page goes on from the new version (htmx swaps them out of band).
    assert f'value="{start + 1}" hx-swap-oob="outerHTML:.app-action-version-{action.pk}"' in html
    assert ProgressEntry.objects.get(action=action).entry_date == datetime.date(2026, 2, 1)
    milestone = action.milestones.first()
    client.post(reverse("forwardplans:milestone_toggle", args=[action.pk, milestone.pk]),
                {"done": "1", "version": start + 1}, HTTP_HX_REQUEST="true")
    milestone.refresh_from_db()
    assert milestone.done_on is not None and milestone.done_by == users[R.PRACTICE_USER]
    again = client.post(reverse("forwardplans:milestone_toggle", args=[action.pk, milestone.pk]),
                        {"done": "1", "version": start + 2}, HTTP_HX_REQUEST="true")
    assert again.status_code == 422 and "is already done" in again.content.decode()
    future = client.post(reverse("forwardplans:action_progress", args=[action.pk]),
                         {"text": "x", "entry_date": "2099-01-01", "version": start + 2}, HTTP_HX_REQUEST="true")
    assert future.status_code == 422 and "Date of the progress must be today or in the past" in future.content.decode()
    client.post(reverse("forwardplans:milestone_add", args=[action.pk]),
                {"description": "Audit", "due_on": "2027-02-01", "version": start + 2}, HTTP_HX_REQUEST="true")
    assert Milestone.objects.filter(action=action, description="Audit").exists()
    assert version_of(action) == start + 3  # three changes saved, the refused ones moved nothing


def test_a_stale_panel_write_is_refused_with_what_changed_and_keeps_what_was_typed(client, docs):
    users, action = docs["users"], docs["action"]
    start = version_of(action)
    services.progress_add(action=action, actor=users[R.RCGP_ADVISER], text="The adviser's note", base_version=start)
    client.force_login(users[R.PRACTICE_USER])
    url = reverse("forwardplans:action_progress", args=[action.pk])
    stale = client.post(url, {"text": "My own careful note", "version": start}, HTTP_HX_REQUEST="true")
    html = stale.content.decode()
    assert stale.status_code == 409 and "Someone else changed this action" in html
    assert "The adviser&#39;s note" in html and "My own careful note" in html
    assert f'value="{start + 1}"' in html  # to try again from the version now saved
    without_js = client.post(url, {"text": "My own careful note", "version": start})
    page = without_js.content.decode()
    assert without_js.status_code == 409 and "Someone else changed this action" in page and "My own careful" in page
    assert f'id="rag-panel-{action.pk}"' in page  # the whole action page, the error in the progress panel
    assert list(ProgressEntry.objects.filter(action=action).values_list("text", flat=True)) == ["The adviser's note"]


def test_evidence_is_stored_outside_the_web_root_and_served_through_the_policy(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users, action = docs["users"], docs["action"]
    client.force_login(users[R.PRACTICE_USER])
    response = client.post(reverse("forwardplans:evidence_upload", args=[action.pk]),
                           {"file": SimpleUploadedFile("recall log.pdf", PDF), "version": action.version},
                           HTTP_HX_REQUEST="true")
    assert "recall log.pdf uploaded" in response.content.decode()
    evidence = action.evidence.get()
    assert str(tmp_path) in evidence.file.path and "recall" not in evidence.file.name
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    download = client.get(reverse("forwardplans:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(users[R.COMMISSIONER_PEER_SUPPORT])
    assert client.get(reverse("forwardplans:evidence_download", args=[evidence.pk])).status_code == 404
    lying = client.post(reverse("forwardplans:evidence_upload", args=[action.pk]),
                        {"file": SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf"), "version": 2},
                        HTTP_HX_REQUEST="true")
    assert lying.status_code == 404  # the commissioner cannot even reach the action


# Consent gate ----------------------------------------------------------------------------------

def document_urls(docs):
    action = docs["action"]
    return [reverse("forwardplans:report", args=["DOC-1"]), reverse("forwardplans:plan", args=["DOC-1"]),
            reverse("forwardplans:action", args=[action.pk]), reverse("forwardplans:consent", args=["DOC-1"]),
            reverse("forwardplans:report_version", args=["DOC-1", 2])]  # version 2: the final one


@pytest.mark.parametrize("role", [R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD])
def test_commissioner_sees_documents_only_while_the_practice_consents(client, docs, role):
    users = docs["users"]
    advance(docs["contract"], "consent_decision", users)
    commissioner = users[role]
    client.force_login(commissioner)

    def visible():
        statuses = {url: client.get(url).status_code for url in document_urls(docs)}
        counts = (document_access.reports_for(commissioner).count(), document_access.plans_for(commissioner).count(),
                  document_access.actions_for(commissioner).count())
        detail = client.get(reverse("contracts:detail", args=["DOC-1"])).content.decode()
        return statuses, counts, "Forward plan</a>" in detail

    statuses, counts, linked = visible()
    assert set(statuses.values()) == {404} and counts == (0, 0, 0) and not linked
    move(docs["contract"], "refuse_consent", users[R.PRACTICE_LEAD])
    assert set(visible()[0].values()) == {404}
    move(docs["contract"], "give_consent", users[R.PRACTICE_LEAD])
    statuses, counts, linked = visible()
    assert set(statuses.values()) == {200} and counts == (1, 1, 1) and linked
    assert "Governance gaps." in client.get(reverse("forwardplans:report", args=["DOC-1"])).content.decode()
    # The version sent for factual accuracy belongs to the practice's exchange with the advisers.
    assert client.get(reverse("forwardplans:report_version", args=["DOC-1", 1])).status_code == 404
    move(docs["contract"], "withdraw_consent", users[R.PRACTICE_LEAD])
    statuses, counts, linked = visible()
    assert set(statuses.values()) == {404} and counts == (0, 0, 0) and not linked


def test_commissioner_sees_rag_history_after_consent(client, docs):
    users, action = docs["users"], docs["action"]
    services.action_set_rag(action=action, actor=users[R.PRACTICE_USER], to_status="amber", reason="Started",
                            base_version=action.version)
    advance(docs["contract"], "review_meeting", users)
    client.force_login(users[R.COMMISSIONER_PEER_SUPPORT])
    assert "Started" in client.get(reverse("forwardplans:action", args=[action.pk])).content.decode()


@pytest.mark.parametrize("role", [r for r in Role.values if r != R.PRACTICE_LEAD])
def test_only_the_practice_lead_decides_consent(client, docs, role):
    advance(docs["contract"], "consent_decision", docs["users"])
    with pytest.raises(DomainError, match="Only the practice lead"):
        move(docs["contract"], "give_consent", docs["users"][role])
    if document_access.document_contracts_for(docs["users"][role]).filter(pk=docs["contract"].pk).exists():
        client.force_login(docs["users"][role])
        response = client.post(reverse("forwardplans:consent", args=["DOC-1"]), {"move": "give_consent"})
        assert response.status_code == 404


def test_consent_decisions_follow_their_order_and_are_kept(client, docs):
    lead = docs["users"][R.PRACTICE_LEAD]
    client.force_login(lead)
    assert client.get(reverse("forwardplans:consent", args=["DOC-1"])).status_code == 404  # not asked yet
    advance(docs["contract"], "consent_decision", docs["users"])
    with pytest.raises(DomainError, match="Contract DOC-1 is at “Consent decision”: “Withdraw consent” is not "):
        move(docs["contract"], "withdraw_consent", lead)
    response = client.post(reverse("forwardplans:consent", args=["DOC-1"]), {"move": "withdraw_consent"})
    assert response.status_code == 422  # not one of the choices offered now
    client.post(reverse("forwardplans:consent", args=["DOC-1"]), {"move": "give_consent", "note": "Fine to share"})
    client.post(reverse("forwardplans:consent", args=["DOC-1"]), {"move": "withdraw_consent"})
    html = client.get(reverse("forwardplans:consent", args=["DOC-1"])).content.decode()
    assert "Consent withdrawn" in html and "Fine to share" in html
    with pytest.raises(DomainError, match="Consent is “Consent withdrawn”: “Withdraw consent” is not possible now."):
        move(docs["contract"], "withdraw_consent", lead)
    docs["contract"].refresh_from_db()
    assert docs["contract"].state == "review_meeting"


@pytest.mark.parametrize("role", [R.NHSE_REPORTING])
def test_nhse_never_reads_documents(client, docs, role):
    advance(docs["contract"], "review_meeting", docs["users"])
    client.force_login(docs["users"][role])
    for url in document_urls(docs):
        assert client.get(url).status_code == 404, url


def test_other_organisations_never_see_the_documents(client, docs, world):
    from ..factories import UserFactory

    other_practice = UserFactory(role=R.PRACTICE_LEAD, practice=world["practices"]["other"])
    other_commissioner = UserFactory(role=R.COMMISSIONER_LEAD, commissioner=world["other"])
    outsider_adviser = UserFactory(role=R.RCGP_ADVISER)
    other_deputy = UserFactory(role=R.RCGP_DEPUTY_LEAD)
    advance(docs["contract"], "review_meeting", docs["users"])
    for user in (other_practice, other_commissioner, outsider_adviser, other_deputy):
        client.force_login(user)
        for url in document_urls(docs):
            assert client.get(url).status_code == 404, (user.role, url)


def test_report_editor_offers_the_questionnaire_aggregates_to_quote(client, docs):
    from forwardplans.questionnaire_services import questionnaire_issue_codes, questionnaire_open, questionnaire_submit

    users = docs["users"]
    questionnaire = questionnaire_open(contract=docs["contract"], actor=users[R.RCGP_ADVISER])
    codes = questionnaire_issue_codes(questionnaire=questionnaire, count=4, actor=users[R.PRACTICE_LEAD])
    for morale, code in zip((1, 2, 2, 4), codes, strict=True):
        answers = {"leadership": 3, "management": 3, "communication": 3, "workload": 3, "safety": 4,
                   "morale": morale}
        questionnaire_submit(token=code, answers=answers, comments="")
    client.force_login(users[R.RCGP_ADVISER])
    html = client.get(reverse("forwardplans:report_section", args=["DOC-1", "staff_opinion"])).content.decode()
    assert "4 members of staff responded" in html
    assert "mean 2.3 of 5" in html  # morale: (1 + 2 + 2 + 4) / 4 = 2.25, shown to one decimal place


def test_views_and_downloads_are_logged_for_the_deputy_lead_and_admin(client, docs, settings, tmp_path):
    from core.models import DocumentAccess

    settings.MEDIA_ROOT = tmp_path
    users, action = docs["users"], docs["action"]
    evidence = services.evidence_upload(action=action, actor=users[R.PRACTICE_USER], base_version=action.version,
                                        uploaded_file=SimpleUploadedFile("log.pdf", PDF))
    client.force_login(users[R.PRACTICE_USER])
    client.get(reverse("forwardplans:plan", args=["DOC-1"]))
    client.get(reverse("forwardplans:action", args=[action.pk]))
    client.get(reverse("forwardplans:evidence_download", args=[evidence.pk]))
    client.get(reverse("forwardplans:plan_word", args=["DOC-1"]))
    logged = list(DocumentAccess.objects.order_by("at", "pk").values_list("user__username", "document", "kind",
                                                                           "detail"))
    who = users[R.PRACTICE_USER].username
    # Logged by what was read (the plan page and the action page both show the action's text), one row a request.
    assert logged == [(who, "action", "viewed", ""), (who, "action", "viewed", ""),
                      (who, "evidence", "downloaded", "log.pdf"), (who, "word", "downloaded", "Forward plan action")]
    assert client.get(reverse("forwardplans:access_log", args=["DOC-1"])).status_code == 404
    client.force_login(users[R.RCGP_DEPUTY_LEAD])
    html = client.get(reverse("forwardplans:access_log", args=["DOC-1"])).content.decode()
    assert "Downloaded: Evidence file (log.pdf)" in html and who in html


# Drafts of report sections, and the session around them ----------------------------------------------------

@pytest.mark.parametrize("role", [R.PRACTICE_LEAD, R.COMMISSIONER_LEAD, R.NHSE_REPORTING, R.PRACTICE_USER])
def test_only_the_reports_writers_keep_a_draft(client, docs, role):
    url = reverse("forwardplans:section_draft", args=["DOC-1", "findings"])
    client.force_login(docs["users"][role])
    assert client.post(url, {"text": "Not mine to write", "version": 2}).status_code == 404
    client.force_login(docs["users"][R.RCGP_ADVISER])
    assert client.post(url, {"text": "Governance gaps (so far).", "version": 2}).status_code == 204
    assert client.post(url, {"text": "Governance gaps.", "version": 2}).status_code == 204  # as saved: no draft
    assert not SectionDraft.objects.exists()
    client.post(url, {"text": "Governance gaps, and more.", "version": 2})
    assert SectionDraft.objects.get().user == docs["users"][R.RCGP_ADVISER]


def test_drafts_go_when_the_report_is_sent_and_nobody_can_edit_it(client, docs):
    users = docs["users"]
    client.force_login(users[R.RCGP_ADVISER])
    client.post(reverse("forwardplans:section_draft", args=["DOC-1", "findings"]), {"text": "Half a thought",
                                                                                     "version": 2})
    assert SectionDraft.objects.count() == 1
    move(docs["contract"], "send_report", users[R.RCGP_DEPUTY_LEAD])
    assert not SectionDraft.objects.exists()


def test_a_refused_panel_write_keeps_the_version_it_was_posted_with(client, docs):
    """A rule refusing a write (422) must not bring the form up to a version whose changes its writer has not
    seen: only a saved change, or a stale one shown with what changed, moves the form's version."""
    users, action = docs["users"], docs["action"]
    start = version_of(action)
    services.progress_add(action=action, actor=users[R.RCGP_ADVISER], text="Meanwhile", base_version=start)
    client.force_login(users[R.PRACTICE_USER])
    refused = client.post(reverse("forwardplans:action_progress", args=[action.pk]),
                          {"text": "  ", "version": start}, HTTP_HX_REQUEST="true")
    html = refused.content.decode()
    assert refused.status_code == 422 and f'value="{start}"' in html and "hx-swap-oob" not in html


def test_staying_signed_in_and_a_countdown_that_ran_out_elsewhere(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    extended = client.post(reverse("session_extend"))
    assert extended.status_code == 204 and extended["X-Session-Seconds"] == "1800"
    # Another tab kept the session alive: a page whose countdown ran out is opened again, still signed in.
    back = client.post(reverse("session_ended"), {"next": "/contracts/DOC-1/report/"})
    assert back.status_code == 302 and back["Location"] == "/contracts/DOC-1/report/"
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    assert client.post(reverse("session_extend")).status_code == 401
    ended = client.post(reverse("session_ended"), {"next": "https://elsewhere.example/"})
    assert ended["Location"] == f"{reverse('login')}?timeout=1"  # never sent off the site
