"""Root causes tagged on actions (issue 21 item 6): the RCGP method's causes for concern, clinical leadership and
practice management, chosen on the action form in their three groups, checked and kept in order by the services,
in the version check and history, shown on the plan and action pages, the CQC action plan, the PDFs and Word
copies, kept in plan versions, and read in the API."""

import io
import re

import docx
import pytest
from django.urls import reverse

from core.errors import DomainError, StaleEdit
from core.roles import Role
from forwardplans import pdf, plan_versions, services
from forwardplans.models import Action
from forwardplans.vocabulary import ROOT_CAUSE_GROUPS, RootCause

from ..docs import ACTION_FIELDS

pytestmark = pytest.mark.django_db
R = Role
FORM = {k: v for k, v in ACTION_FIELDS.items() if k != "regulation"}


def tagged(docs, causes, **fields):
    return services.action_create(plan=docs["plan"], actor=docs["users"][R.RCGP_ADVISER],
                                  **{**FORM, "action_planned": "Appoint a practice manager", "root_causes": causes,
                                     **fields})


def form_data(**changes):
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in FORM.items()}
    data["regulations"] = ["Regulation 12: Safe care and treatment"]
    return {**data, **changes}


# Services ----------------------------------------------------------------------------------------------------------

def test_an_action_keeps_its_root_causes_in_the_methods_order(docs):
    action = tagged(docs, ["cannot_delegate", "lack_of_insight", "cannot_delegate"])
    action.refresh_from_db()
    assert action.root_causes == ["lack_of_insight", "cannot_delegate"]
    assert docs["action"].root_causes == []   # untagged: optional


def test_an_unknown_root_cause_is_refused_and_nothing_is_saved(docs):
    before = Action.objects.count()
    with pytest.raises(DomainError, match="“poor_coffee” is not one of the root causes"):
        tagged(docs, ["no_manager", "poor_coffee"])
    assert Action.objects.count() == before
    action = docs["action"]
    with pytest.raises(DomainError, match="not one of the root causes"):
        services.action_update(action=action, actor=docs["users"][R.RCGP_ADVISER], base_version=action.version,
                               root_causes=["failure_to_engage", "poor_coffee"])
    action.refresh_from_db()
    assert (action.root_causes, action.version) == ([], 1)


def test_an_update_changes_them_with_a_new_version_and_history(docs):
    action, adviser = docs["action"], docs["users"][R.RCGP_ADVISER]
    services.action_update(action=action, actor=adviser, base_version=1,
                           root_causes=["failure_to_engage", "manager_not_allowed"])
    action.refresh_from_db()
    assert (action.root_causes, action.version) == (["failure_to_engage", "manager_not_allowed"], 2)
    assert action.history.order_by("history_date").last().root_causes == ["failure_to_engage", "manager_not_allowed"]
    with pytest.raises(DomainError, match="Nothing to save"):
        services.action_update(action=action, actor=adviser, base_version=2,
                               root_causes=["manager_not_allowed", "failure_to_engage"])


def test_a_stale_edit_says_which_root_causes_were_saved_meanwhile(docs):
    action, adviser = docs["action"], docs["users"][R.RCGP_ADVISER]
    services.action_update(action=action, actor=adviser, base_version=1, root_causes=["lack_of_insight"])
    with pytest.raises(StaleEdit) as stale:
        services.action_update(action=action, actor=adviser, base_version=1, root_causes=["no_manager"])
    assert ("Root causes", "Lack of insight or outright denial") in stale.value.changes
    action.refresh_from_db()
    assert action.root_causes == ["lack_of_insight"]


# Pages -------------------------------------------------------------------------------------------------------------

def test_the_form_offers_them_in_the_three_groups(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    html = client.get(reverse("forwardplans:action_new", args=["DOC-1"])).content.decode()
    legends = re.findall(r"<legend[^>]*>\s*(?:<h\d[^>]*>)?\s*([^<]+?)\s*<", html)
    for group, causes in ROOT_CAUSE_GROUPS:
        assert group in legends, group
        for cause in causes:
            assert f'value="{cause.value}"' in html and cause.label in html, cause
    assert html.index("Causes for concern") < html.index("Clinical leadership") < html.index("Practice management")
    assert 'id="id_root_causes"' in html   # the first box carries the field's id, for the error summary


def test_root_causes_through_the_pages_and_shown_grouped(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    response = client.post(reverse("forwardplans:action_new", args=["DOC-1"]), form_data(
        action_planned="Agree who manages what", root_causes=["inappropriate_appointment", "failure_to_engage"]))
    assert response.status_code == 302
    action = Action.objects.get(action_planned="Agree who manages what")
    assert action.root_causes == ["failure_to_engage", "inappropriate_appointment"]
    page = client.get(reverse("forwardplans:action", args=[action.pk])).content.decode()
    assert ("Causes for concern: Failure to engage<br>Practice management: Inappropriate appointment of the practice "
            "manager") in page
    plan = client.get(reverse("forwardplans:plan", args=["DOC-1"])).content.decode()
    assert ("Root causes: Causes for concern: Failure to engage. Practice management: Inappropriate appointment of "
            "the practice manager") in plan
    edit = client.get(reverse("forwardplans:action_edit", args=[action.pk])).content.decode()
    assert re.search(r'value="failure_to_engage"[^>]*checked', edit)
    assert not re.search(r'value="no_manager"[^>]*checked', edit)
    response = client.post(reverse("forwardplans:action_edit", args=[action.pk]), form_data(
        action_planned="Agree who manages what", version=action.version, root_causes=[]))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.root_causes == []


def test_an_unknown_root_cause_on_the_form_saves_nothing_and_keeps_what_was_typed(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    before = Action.objects.count()
    response = client.post(reverse("forwardplans:action_new", args=["DOC-1"]), form_data(
        action_planned="Typed and kept", root_causes=["no_manager", "poor_coffee"]))
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html and "Choose the root causes from the list" in html
    assert 'href="#id_root_causes"' in html and "Typed and kept" in html
    assert re.search(r'value="no_manager"[^>]*checked', html)
    assert Action.objects.count() == before


def test_the_plan_page_loads_the_tags_without_a_query_per_action(client, docs, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(docs["users"][R.PRACTICE_USER])
    url = reverse("forwardplans:plan", args=["DOC-1"])
    client.get(url)
    counts = []
    for n in (1, 4):
        for i in range(n):
            tagged(docs, ["no_manager", "capability"], action_planned=f"Action {n}-{i}")
        with CaptureQueriesContext(connection) as captured:
            assert "Practice management: No practice manager" in client.get(url).content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_report_section_for_root_causes_shows_the_three_groups(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    html = client.get(reverse("forwardplans:report_section", args=["DOC-1", "root_causes"])).content.decode()
    for group, causes in ROOT_CAUSE_GROUPS:
        assert group in html
        for cause in causes:
            assert f'value="{cause.value}"' in html
    assert re.search(r'value="no_manager"[^>]*checked', html)


def test_the_cqc_action_plan_page_shows_them_beside_the_underlying_issue(client, docs):
    tagged(docs, ["resistance_to_change"])
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    html = client.get(reverse("forwardplans:cqc_action_plan", args=["DOC-1"])).content.decode()
    assert "Root causes: Clinical leadership: Resistance to change" in html


# Copies: PDF, Word, kept versions, API -----------------------------------------------------------------------------

def word_text(response):
    document = docx.Document(io.BytesIO(response.content))
    return "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)


def test_the_word_copies_show_them_under_the_underlying_issue(client, docs):
    tagged(docs, ["lack_of_insight", "no_manager"])
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    for name in ("plan_word", "cqc_action_plan_word"):
        text = word_text(client.get(reverse(f"forwardplans:{name}", args=["DOC-1"])))
        assert ("No clinical lead for prescribing\nRoot causes:\nCauses for concern: Lack of insight or outright "
                "denial\nPractice management: No practice manager") in text, name


@pytest.mark.parametrize("document", ["plan", "cqc_plan"])
def test_the_pdfs_show_them(docs, document):
    tagged(docs, ["single_handed"])
    stored = pdf.request_pdf(contract=docs["contract"], document=document, user=docs["users"][R.PRACTICE_LEAD],
                             enqueue=False)
    html = pdf.html_for(stored)
    assert "<th>Root causes</th>" in html and "Clinical leadership: Single-handed practice" in html
    assert html.count("<th>Root causes</th>") == 1   # the untagged action shows no row


def test_a_kept_plan_version_keeps_them_and_untagged_actions_read_as_before(docs):
    action = tagged(docs, ["capability"])
    plan = docs["plan"]
    plan.refresh_from_db()
    kept = plan_versions.plan_version_record(plan=plan, reason="sent_to_cqc", version=plan.version,
                                             actor=docs["users"][R.PRACTICE_LEAD])
    facts = {a["id"]: a for _kq, members in kept.snapshot["groups"] for a in members}
    assert facts[action.pk]["root_causes"] == [["Clinical leadership", ["Capability"]]]
    assert "root_causes" not in facts[docs["action"].pk]
    assert pdf.plan_version(plan).label == f"Version {kept.number}"


def test_the_api_reads_them(client, docs):
    action = tagged(docs, ["failure_to_engage", "cannot_delegate"])
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    body = client.get(f"/api/v1/actions/{action.pk}/").json()
    assert body["root_causes"] == ["failure_to_engage", "cannot_delegate"]
    assert client.get(f"/api/v1/actions/{docs['action'].pk}/").json()["root_causes"] == []


def test_every_root_cause_is_in_one_group():
    grouped = [cause for _group, causes in ROOT_CAUSE_GROUPS for cause in causes]
    assert sorted(grouped) == sorted(RootCause) and len(grouped) == len(set(grouped))
