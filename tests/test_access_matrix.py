"""The access matrix: every URL pattern (collected from the URL resolver, so a new URL without a row fails)
× every role × own / other organisation's object × before / after consent to share, against the answer
written here by hand from docs/domain.md §8.

Rows give, for each scope, the roles that get 200; every other role gets the row's refusal (404 unless
said otherwise). POST-only URLs answer 405 to GET for everyone. Anonymous visitors are sent to log in
(302), except public pages, and the API answers 401.
"""

import datetime
from itertools import product

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casework.services import case_answer_correction, case_move
from concerns.services import concern_raise
from contracts.models import TeamMembership
from core.roles import Role
from forwardplans import ical, services
from forwardplans import pdf as pdfs
from forwardplans.job_models import Notification, PdfStatus, StoredPdf
from forwardplans.questionnaire_services import questionnaire_issue_codes, questionnaire_open, questionnaire_submit
from forwardplans.services import latest_version_number

from .cases import advance
from .docs import ACTION_FIELDS
from .factories import AdviserFactory, ContractFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Role
ALL = frozenset(Role.values)
COMMISSIONER = frozenset({R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD})
PRACTICE = frozenset({R.PRACTICE_USER, R.PRACTICE_LEAD})
# For OWN the deputy lead leads the contract and the adviser is on its team.
TEAM = frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER})
RCGP = TEAM
NONE = frozenset()
ADMIN = frozenset({R.RCGP_ADMIN})
# The NHSE regional team of OWN's region (North West, Y62); OTHER is in another region (Y63). It sees its region's
# practices, contracts' metadata, referrals and figures, never a document.
REGIONAL = frozenset({R.NHSE_REGIONAL})
# The programme figures and their downloads: RCGP admin, commissioner leads and NHSE (a regional team its region's).
FIGURES = frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN, R.NHSE_REPORTING, R.NHSE_REGIONAL})

# Documents (report, plan, actions, evidence, PDFs, consent page): the contract's RCGP team and practice;
# the commissioner only after consent; NHSE never. Another organisation's: RCGP admin only.
DOCS = {"own": TEAM | PRACTICE, "own_shared": TEAM | PRACTICE | COMMISSIONER, "other": ADMIN}
WRITERS = {"own": TEAM, "other": ADMIN}
PUBLIC = "public"
SERVICE_STATE = (200, 503)  # a status that follows the services' state, not the asker

# name: (scope builder key, {scope: roles with 200}, refusal for the others, anonymous answer)
MATRIX = {
    "home": (None, {"own": ALL}, 404, 302),
    "health": (None, {"own": ALL}, 404, 200),
    # Operators' endpoints, the same for everyone whoever asks: readiness answers 200 or 503 by the state of the
    # services (a worker's heartbeat, beat's jobs), never by who asks; metrics answer 404 without METRICS_TOKEN.
    "health_ready": (None, {"own": NONE}, SERVICE_STATE, SERVICE_STATE),
    "metrics": (None, {"own": NONE}, 404, 404),
    "search": (None, {"own": ALL}, 404, 302),
    "login": (None, {"own": NONE}, 302, 200),          # a logged-in user is sent on
    "logout": (None, {"own": NONE}, 405, 405),         # POST only
    "two_factor": (None, {"own": ALL}, 404, 302),
    "password_change": (None, {"own": ALL}, 404, 302),
    "password_change_done": (None, {"own": ALL}, 404, 302),
    "api_tokens": (None, {"own": ALL}, 404, 302),                 # each person's own tokens
    "api_tokens_all": (None, {"own": ADMIN}, 404, 302),
    "surveillance:runs": (None, {"own": ADMIN}, 404, 302),             # CQC and ODS sync reports
    "api_token_revoke": (None, {"own": NONE}, 405, 302),          # POST only
    "practices:list": (None, {"own": ALL}, 404, 302),
    "practices:detail": ("practice", {"own": ALL, "other": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD,
                                                                        R.NHSE_REPORTING})}, 404, 302),
    # Special-measures episodes: RCGP admin and the practice's commissioner lead correct them; whoever else sees
    # the practice is refused with the reason (FORBIDDEN).
    "practices:episode_new": ("practice", {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN}), "other": ADMIN},
                              404, 302),
    "practices:episode_correct": ("episode", {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN}),
                                              "other": ADMIN}, 404, 302),
    # Breaches and CQC's enforcement, entered from the report: the same people as episodes (403s in FORBIDDEN).
    **{name: (key, {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN}), "other": ADMIN}, 404, 302)
       for name, key in (("practices:inspection_breaches", "inspection_page"),
                         ("practices:enforcement_new", "inspection_page"),
                         ("practices:enforcement_edit", "enforcement"),
                         ("practices:enforcement_remove", "enforcement"))},
    # What patients were told: the practice's people and its commissioner's only; nobody else finds the pages.
    "practices:patient_information_new": ("practice", {"own": COMMISSIONER | PRACTICE, "other": NONE}, 404, 302),
    "practices:patient_information_edit": ("patient_information", {"own": COMMISSIONER | PRACTICE, "other": NONE},
                                           404, 302),
    "contracts:list": (None, {"own": ALL}, 404, 302),
    "contracts:board": (None, {"own": RCGP}, 404, 302),
    "contracts:commission": (None, {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN})}, 404, 302),
    "contracts:detail": ("contract", {"own": ALL, "other": frozenset({R.RCGP_ADMIN, R.NHSE_REPORTING})}, 404, 302),
    "contracts:move": ("contract_move", {"own": NONE, "other": NONE}, 405, 405),
    "contracts:first_contact": ("contract", {"own": NONE, "other": NONE}, 405, 405),
    "contracts:outcome": ("contract", {"own": NONE, "other": NONE}, 405, 405),
    "contracts:team": ("contract", {"own": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD}), "other": ADMIN},
                       404, 302),
    "forwardplans:report": ("contract", DOCS, 404, 302),
    "forwardplans:report_section": ("report_section", {"own": NONE, "other": NONE}, 404, 302),  # final: not editable
    "forwardplans:section_draft": ("report_section", {"own": NONE, "other": NONE}, 405, 405),
    "session_extend": (None, {"own": NONE}, 405, 405),
    "session_ended": (None, {"own": NONE}, 405, 405),  # POST only: signs out, and asks to sign in again
    # Corrections are noted while the report is with the practice and answered while it is returned: at the
    # consent decision neither is possible, for anyone.
    "forwardplans:correction_new": ("contract", {"own": NONE, "other": NONE}, 404, 302),
    "forwardplans:correction_answer": ("correction", {"own": NONE, "other": NONE}, 404, 302),
    "forwardplans:correction_remove": ("correction", {"own": NONE, "other": NONE}, 405, 405),
    "forwardplans:report_version": ("report_version", DOCS, 404, 302),
    "forwardplans:report_word": ("contract", DOCS, 404, 302),
    "forwardplans:plan": ("contract", DOCS, 404, 302),
    "forwardplans:plan_word": ("contract", DOCS, 404, 302),
    "forwardplans:cqc_action_plan": ("contract", DOCS, 404, 302),
    "forwardplans:cqc_action_plan_word": ("contract", DOCS, 404, 302),
    # The plan's inspection and kept versions: POST only (who may write: tests/forwardplans/test_plan_*.py).
    "forwardplans:plan_inspection": ("contract", {"own": NONE, "other": NONE}, 405, 405),
    "forwardplans:plan_version": ("contract", {"own": NONE, "other": NONE}, 405, 405),
    "forwardplans:action_new": ("contract", WRITERS, 404, 302),
    "forwardplans:consent": ("contract", DOCS, 404, 302),
    "forwardplans:access_log": ("contract", {"own": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD}), "other": ADMIN},
                                404, 302),
    "forwardplans:action": ("action", DOCS, 404, 302),
    "forwardplans:action_edit": ("action", WRITERS, 404, 302),
    "forwardplans:action_rag": ("action", DOCS, 404, 302),
    "forwardplans:action_progress": ("action", {"own": NONE, "other": NONE}, 405, 405),
    "forwardplans:milestone_add": ("action", {"own": NONE, "other": NONE}, 405, 405),
    "forwardplans:milestone_toggle": ("milestone", {"own": NONE, "other": NONE}, 405, 405),
    "forwardplans:evidence_upload": ("action", {"own": NONE, "other": NONE}, 405, 405),
    "forwardplans:evidence_download": ("evidence", DOCS, 404, 302),
    "questionnaires:code": (None, {"own": ALL}, 404, 200),
    "questionnaires:answer": ("token", {"own": ALL, "other": ALL}, 404, 200),
    "questionnaires:thanks": ("used_token", {"own": ALL, "other": ALL}, 404, 200),
    # Invitations and staff e-mail addresses: the contract's practice only, never the RCGP team.
    "questionnaires:invitations": ("questionnaire", {"own": PRACTICE, "other": NONE}, 404, 302),
    "questionnaires:codes": ("questionnaire", {"own": NONE, "other": NONE}, 405, 302),
    "questionnaires:open": ("contract", {"own": NONE, "other": NONE}, 405, 302),
    "questionnaires:close": ("questionnaire", {"own": NONE, "other": NONE}, 405, 302),
    # Individual answers: the contract's advisers and deputy lead only, not even RCGP admin.
    "questionnaires:results": ("questionnaire", {"own": frozenset({R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}),
                                                 "other": NONE}, 404, 302),
    "referrals:list": (None, {"own": ALL}, 404, 302),  # a list shows only what its reader may see
    "referrals:new": (None, {"own": frozenset({R.COMMISSIONER_LEAD, R.PRACTICE_LEAD})}, 404, 302),
    "referrals:detail": ("referral", {"own": COMMISSIONER | PRACTICE | ADMIN | REGIONAL, "other": ADMIN}, 404, 302),
    # Seen but not theirs to act on: 403; not seen at all: 404 (see refusal_for below).
    "referrals:assess": ("referral", {"own": frozenset({R.COMMISSIONER_LEAD}), "other": NONE}, 404, 302),
    "referrals:acknowledge": ("referral", {"own": NONE, "other": NONE}, 405, 302),
    "referrals:decline": ("referral", {"own": frozenset({R.COMMISSIONER_LEAD}), "other": NONE}, 404, 302),
    # NHS England's regional decision (003 Annex B): the regional team of the referral's region only.
    "referrals:regional_decision": ("referral", {"own": REGIONAL, "other": NONE}, 404, 302),
    "reports:programme_figures": (None, {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN})}, 404, 302),
    # Downloads of the home pages' programme figures: for those whose home shows them.
    "reports:programme_outcomes": (None, {"own": FIGURES}, 404, 302),
    "reports:funding_by_year": (None, {"own": FIGURES}, 404, 302),
    "reports:outcomes_by_year": (None, {"own": FIGURES}, 404, 302),
    # The home pages' RAG chart, downloaded: commissioners (shared plans) and NHSE (the figures' scope).
    "rag_by_commissioner": (None, {"own": COMMISSIONER | frozenset({R.NHSE_REPORTING, R.NHSE_REGIONAL})}, 404, 302),
    "jobs:notifications": (None, {"own": ALL}, 404, 302),
    "jobs:notifications_read_all": (None, {"own": NONE}, 405, 405),
    "jobs:notification_read": ("notification", {"own": NONE, "other": NONE}, 405, 405),
    "jobs:pdf": ("pdf_document", DOCS, 404, 302),
    "jobs:pdf_panel": ("pdf_document", DOCS, 404, 302),
    "jobs:pdf_download": ("pdf", DOCS, 404, 302),
    "jobs:calendar": (None, {"own": ALL}, 404, 302),
    "jobs:calendar_feed": ("calendar_token", {"own": ALL, "other": ALL}, 404, 200),
    "api:practice-list": (None, {"own": ALL}, 404, 401),
    "api:practice-detail": ("api_practice", {"own": ALL, "other": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD,
                                                                               R.NHSE_REPORTING})}, 404, 401),
    "api:inspection-list": (None, {"own": ALL}, 404, 401),
    "api:inspection-detail": ("inspection", {"own": ALL, "other": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD,
                                                                               R.NHSE_REPORTING})}, 404, 401),
    "api:contract-list": (None, {"own": ALL}, 404, 401),
    "api:contract-detail": ("api_contract", {"own": ALL, "other": frozenset({R.RCGP_ADMIN, R.NHSE_REPORTING})},
                            404, 401),
    "api:action-list": (None, {"own": ALL}, 404, 401),
    "api:action-detail": ("api_action", DOCS, 404, 401),
    "api:plan-summary": (None, {"own": ALL}, 404, 401),
    "api:programme-outcomes": ("programme", {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN,
                                                               R.NHSE_REPORTING}) | REGIONAL}, 403, 401),
    "api:funding": ("financial_year", {"own": FIGURES},
                    403, 401),
    "api:rag": (None, {"own": ALL}, 404, 401),
    "api:schema": (None, {"own": ALL}, 404, 401),  # signed in only (API_DOCS_PUBLIC)
    "api:docs": (None, {"own": ALL}, 404, 302),
    # Practices' alerts: a list for everyone, holding only the alerts they were sent (tests/api/test_alerts_api.py).
    "api:alert-list": (None, {"own": ALL}, 404, 401),
    # Concerns under the duty to report (docs/domain.md §9), whatever consent says: the commissioner's lead and
    # RCGP admin receive them; the contract's deputy lead and team raise them (the adviser raised OWN's and OTHER's
    # and sees what they raised); nobody else finds them.
    "concerns:list": (None, {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD,
                                               R.RCGP_ADVISER})}, 404, 302),
    "concerns:for_contract": ("contract", {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD,
                                                             R.RCGP_ADVISER}), "other": ADMIN}, 404, 302),
    "concerns:new": ("contract", {"own": frozenset({R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER}), "other": NONE}, 404, 302),
    "concerns:detail": ("concern", {"own": frozenset({R.COMMISSIONER_LEAD, R.RCGP_ADMIN, R.RCGP_ADVISER}),
                                    "other": ADMIN}, 404, 302),
    "concerns:acknowledge": ("concern", {"own": NONE, "other": NONE}, 405, 405),
    "concerns:action": ("concern", {"own": NONE, "other": NONE}, 405, 405),
    # Special-measures offers: RCGP admin and deputy leads all; the practice's commissioner and the practice their
    # own; advisers and NHSE none (the list is no page for them). The API list answers everyone, with what they see.
    "contracts:offers": (None, {"own": COMMISSIONER | PRACTICE | frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD})},
                         404, 302),
    "contracts:offer": ("offer", {"own": COMMISSIONER | PRACTICE | frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD}),
                                  "other": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD})}, 404, 302),
    "api:offer-list": (None, {"own": ALL}, 404, 401),
    "api:offer-detail": ("offer", {"own": COMMISSIONER | PRACTICE | frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD}),
                                   "other": frozenset({R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD})}, 404, 401),
    # Monitoring (issue 20): the practice's commissioner's users; the practice's users read the records shared with
    # it (the matrix's record and follow-up are of a shared record) but never change them; never RCGP nor NHSE.
    "monitoring:practice": ("practice", {"own": COMMISSIONER | PRACTICE, "other": NONE}, 404, 302),
    "monitoring:record_new": ("practice", {"own": COMMISSIONER, "other": NONE}, 404, 302),
    "monitoring:readiness_new": ("practice", {"own": COMMISSIONER, "other": NONE}, 404, 302),
    "monitoring:record": ("monitoring_record", {"own": COMMISSIONER | PRACTICE, "other": NONE}, 404, 302),
    "monitoring:record_edit": ("monitoring_record", {"own": COMMISSIONER, "other": NONE}, 404, 302),
    "monitoring:follow_up_add": ("monitoring_record", {"own": COMMISSIONER, "other": NONE}, 404, 302),
    "monitoring:follow_up_done": ("follow_up", {"own": COMMISSIONER, "other": NONE}, 404, 302),
    "monitoring:readiness": ("monitoring_readiness", {"own": COMMISSIONER, "other": NONE}, 404, 302),
    "monitoring:readiness_edit": ("monitoring_readiness", {"own": COMMISSIONER, "other": NONE}, 404, 302),
    # Review notes on an action: read only while consent stands, written after handover (the matrix's contracts are
    # at the consent decision, before consent: nobody). With consent and after handover:
    # tests/monitoring/test_review_notes.py.
    "monitoring:action_notes": ("action", {"own": NONE, "other": NONE}, 404, 302),
    "monitoring:action_note_add": ("action", {"own": NONE, "other": NONE}, 405, 302),  # POST only
    "api:monitoring-record-list": (None, {"own": ALL}, 404, 401),  # each sees what monitoring.access gives them
    "api:monitoring-record-detail": ("monitoring_record", {"own": COMMISSIONER | PRACTICE, "other": NONE}, 404, 401),
    # The risk register and its download: commissioner staff (their practices) and RCGP admin (the caseload); the
    # notices in it for commissioner leads only (tests/dashboards/test_risk_register.py); nobody else finds it.
    "dashboards:risk_register": (None, {"own": COMMISSIONER | ADMIN}, 404, 302),
    "dashboards:risk_register_download": (None, {"own": COMMISSIONER | ADMIN}, 404, 302),
    # Contractual action (002 Chapter 3): the practice's commissioner lead; NHSE the metadata (every commissioner's);
    # the practice's users only the notices served on it; never RCGP nor peer support. Writes: WRITES below.
    "contractual:practice": ("practice", {"own": frozenset({R.COMMISSIONER_LEAD, R.NHSE_REPORTING}) | PRACTICE,
                                          "other": frozenset({R.NHSE_REPORTING})}, 404, 302),
    "contractual:open": ("practice", {"own": NONE, "other": NONE}, 405, 405),
    "contractual:step": ("contractual_decide", {"own": NONE, "other": NONE}, 405, 405),
    "contractual:notice_step": ("contractual_notice_outcome", {"own": NONE, "other": NONE}, 405, 405),
    "contractual:notice": ("contractual_notice", {"own": frozenset({R.COMMISSIONER_LEAD, R.NHSE_REPORTING}) | PRACTICE,
                                                  "other": frozenset({R.NHSE_REPORTING})}, 404, 302),
    "contractual:notice_letter": ("contractual_notice_letter", {"own": frozenset({R.COMMISSIONER_LEAD}) | PRACTICE,
                                                                "other": NONE}, 404, 302),
    "contractual:decision_letter": ("contractual_decision_letter", {"own": frozenset({R.COMMISSIONER_LEAD}),
                                                                    "other": NONE}, 404, 302),
    "api:contractual-action-list": (None, {"own": ALL}, 404, 401),  # each sees what contractual.access gives them
}

# Refusals other than 404 for users who may see the object but not act on it (written out by hand).
FORBIDDEN = {
    # A referral its users can see but whose assessment belongs to the commissioner lead.
    ("referrals:assess", "own"): {R.COMMISSIONER_PEER_SUPPORT: 403, R.PRACTICE_USER: 403, R.PRACTICE_LEAD: 403,
                                  R.RCGP_ADMIN: 403, R.NHSE_REGIONAL: 403},
    ("referrals:assess", "other"): {R.RCGP_ADMIN: 403},
    ("referrals:decline", "own"): {R.COMMISSIONER_PEER_SUPPORT: 403, R.PRACTICE_USER: 403, R.PRACTICE_LEAD: 403,
                                   R.RCGP_ADMIN: 403, R.NHSE_REGIONAL: 403},
    ("referrals:decline", "other"): {R.RCGP_ADMIN: 403},
    # The regional team sees its region's referrals but neither assesses nor declines them; the referral's other
    # readers may not record the regional decision.
    ("referrals:regional_decision", "own"): {R.COMMISSIONER_PEER_SUPPORT: 403, R.COMMISSIONER_LEAD: 403,
                                             R.PRACTICE_USER: 403, R.PRACTICE_LEAD: 403, R.RCGP_ADMIN: 403},
    ("referrals:regional_decision", "other"): {R.RCGP_ADMIN: 403},
    **{(name, scope): dict.fromkeys(roles, 403) for name in ("practices:episode_new", "practices:episode_correct",
                                                             "practices:inspection_breaches",
                                                             "practices:enforcement_new", "practices:enforcement_edit",
                                                             "practices:enforcement_remove")
       for scope, roles in (("own", (R.COMMISSIONER_PEER_SUPPORT, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER,
                                     R.PRACTICE_USER, R.PRACTICE_LEAD, R.NHSE_REPORTING, R.NHSE_REGIONAL)),
                            ("other", (R.RCGP_DEPUTY_LEAD, R.NHSE_REPORTING)))},
}
CONSENT_SENSITIVE = {name for name, (_k, spec, _r, _a) in MATRIX.items() if spec is DOCS}


def url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name
    return set(walk(get_resolver().url_patterns))


def test_every_url_has_a_row():
    assert url_names() == set(MATRIX), (
        f"URLs without a row: {sorted(url_names() - set(MATRIX))}; rows without a URL: "
        f"{sorted(set(MATRIX) - url_names())}")


@pytest.fixture
def organisations(world, settings, tmp_path):
    """Two contracts at the consent decision, with every kind of document, reached through the lifecycle (a
    correction returned, answered and the report resent): OWN (the world users' organisations; the deputy lead
    leads it, the adviser is on it) and OTHER (another commissioner's practice, another RCGP team)."""
    settings.MEDIA_ROOT = tmp_path
    users = world["users"]
    other_deputy, other_adviser = UserFactory(role=R.RCGP_DEPUTY_LEAD), UserFactory(role=R.RCGP_ADVISER)
    other_lead = UserFactory(role=R.PRACTICE_LEAD, practice=world["practices"]["other"])
    objects = {}
    for scope, practice, deputy, adviser, practice_lead in (
            ("own", world["practices"]["own"], users[R.RCGP_DEPUTY_LEAD], users[R.RCGP_ADVISER],
             users[R.PRACTICE_LEAD]),
            ("other", world["practices"]["other"], other_deputy, other_adviser, other_lead)):
        contract = ContractFactory(reference=f"{scope.upper()}-1", practice=practice, deputy_lead=deputy,
                                   state="scoping")
        TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=adviser), added_by=deputy)
        cast = {R.RCGP_DEPUTY_LEAD: deputy, R.PRACTICE_LEAD: practice_lead}
        contract = advance(contract, "factual_accuracy_review", cast)
        correction = services.correction_add(report=contract.diagnostic_report, actor=practice_lead,
                                             section="findings", passage="Gaps.", correction="Few gaps.")
        case_move(contract=contract, move="return_report", actor=practice_lead)
        case_answer_correction(correction=correction, actor=adviser, answer="accepted")
        case_move(contract=contract, move="resend_report", actor=deputy)
        contract = advance(contract, "consent_decision", cast)
        plan = contract.forward_plan
        action = services.action_create(plan=plan, actor=deputy, **ACTION_FIELDS,
                                        milestones=[("First", datetime.date(2026, 12, 1))])
        evidence = services.evidence_upload(action=action, actor=deputy, base_version=action.version,
                                            uploaded_file=SimpleUploadedFile("e.pdf", b"%PDF-1.4\n%%EOF\n"))
        questionnaire = questionnaire_open(contract=contract, actor=adviser)
        *answered, unused_code = questionnaire_issue_codes(questionnaire=questionnaire, count=4, actor=practice_lead)
        for code in answered:
            answers = dict.fromkeys(("leadership", "management", "communication", "workload", "safety", "morale"), 3)
            questionnaire_submit(token=code, answers=answers, comments="")
        stored = pdfs.request_pdf(contract=contract, document="plan", user=deputy, enqueue=False)
        relative = pdfs.relative_path(stored)
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"%PDF-1.4\n%%EOF\n")
        StoredPdf.objects.filter(pk=stored.pk).update(status=PdfStatus.READY, file=relative, size=15)
        referral = ReferralFactory(practice=practice)
        notification = Notification.objects.create(recipient=deputy, kind="overdue", title="x")
        concern = concern_raise(contract=contract, actor=adviser, category="safeguarding",
                                description="A child left alone.", observed_on=datetime.date(2026, 1, 5),
                                people_involved="A locum GP.")
        objects[scope] = {
            "practice": [practice.ods_code], "contract": [contract.reference],
            "contract_move": [contract.reference, "give_consent"],
            # The final version: the earlier ones are the practice's exchange with the advisers.
            "report_version": [contract.reference, latest_version_number(contract.diagnostic_report)],
            "correction": [contract.reference, correction.pk], "practice_lead": practice_lead,
            "report_section": [contract.reference, "findings"],
            "action": [action.pk], "milestone": [action.pk, action.milestones.first().pk],
            "evidence": [evidence.pk], "token": [unused_code], "used_token": [answered[0]],
            "questionnaire": [contract.reference, questionnaire.pk], "referral": [referral.pk],
            "notification": [notification.pk], "pdf_document": [contract.reference, "plan"], "pdf": [stored.pk],
            "calendar_token": [ical.issue(deputy)], "api_practice": [practice.ods_code],
            "inspection": [], "api_contract": [contract.reference], "api_action": [action.pk],
            "contract_object": contract, "adviser": [TeamMembership.objects.get(contract=contract).adviser.pk],
            "referral_object": referral, "concern": [concern.pk],
        }
    from .factories import InspectionFactory
    from .practices.factories import EpisodeFactory

    for scope, practice in (("own", world["practices"]["own"]), ("other", world["practices"]["other"])):
        objects[scope]["inspection"] = [InspectionFactory(practice=practice, report_link_id=f"m-{scope}").pk]
        objects[scope]["episode"] = [practice.ods_code, EpisodeFactory(practice=practice).pk]
    from contracts.enquiry_services import enquiry_offer_open
    from practices.models import SpecialMeasuresEpisode

    for scope in ("own", "other"):  # the special-measures offer made for that episode
        episode = SpecialMeasuresEpisode.objects.get(pk=objects[scope]["episode"][1])
        objects[scope]["offer"] = [enquiry_offer_open(episode=episode).pk]
    from practices.models import Enforcement, PatientInformation

    for scope, practice in (("own", world["practices"]["own"]), ("other", world["practices"]["other"])):
        inspection_pk = objects[scope]["inspection"][0]
        objects[scope]["inspection_page"] = [practice.ods_code, inspection_pk]
        objects[scope]["enforcement"] = [practice.ods_code, Enforcement.objects.create(
            practice=practice, inspection_id=inspection_pk, kind="conditions",
            issued_on=datetime.date(2024, 3, 15)).pk]
        objects[scope]["patient_information"] = [practice.ods_code, PatientInformation.objects.create(
            practice=practice, told_on=datetime.date(2024, 3, 20), what="Our plan.", channels=["waiting_room"],
            senior_responsible_person="Dr A Patel").pk]
    from monitoring.services import monitoring_record_create, readiness_review_record

    from .monitoring.factories import checklist

    for scope, practice in (("own", world["practices"]["own"]), ("other", world["practices"]["other"])):
        lead = (users[R.COMMISSIONER_LEAD] if scope == "own"
                else UserFactory(role=R.COMMISSIONER_LEAD, commissioner=world["other"]))
        monitored = monitoring_record_create(
            practice=practice, actor=lead, kind="visit", happened_on=datetime.date(2026, 1, 5), summary="Visited.",
            shared_with_practice=True, follow_ups=[{"what": "Call back", "due_on": datetime.date(2026, 2, 1)}])
        review = readiness_review_record(practice=practice, actor=lead, reviewed_on=datetime.date(2026, 1, 6),
                                         checklist=checklist(), readiness="ready")
        objects[scope].update({"monitoring_record": [monitored.pk], "follow_up": [monitored.follow_ups.get().pk],
                               "monitoring_readiness": [review.pk]})
    from .contractual.factories import CaseFactory, DecisionFactory, NoticeFactory

    for scope, practice in (("own", world["practices"]["own"]), ("other", world["practices"]["other"])):
        notice = NoticeFactory(decision__case__practice=practice)  # served: the practice sees it
        no_action = DecisionFactory(case__practice=practice, kind="no_action")
        assessed = CaseFactory(practice=practice, state="assessed")
        objects[scope].update({
            "contractual_notice": [notice.pk], "contractual_notice_letter": [notice.pk, "docx"],
            "contractual_notice_outcome": [notice.pk, "outcome"], "contractual_decide": [assessed.pk, "decide"],
            "contractual_flag": [assessed.pk, "flag_performer"],
            "contractual_continuity": [assessed.pk, "record_continuity"],
            "contractual_decision_letter": [no_action.case_id, "docx"]})
    from .access_rows import add_objects

    add_objects(world, objects)
    return objects


QUERY = {"programme": "?programme=special_measures", "financial_year": "?financial_year=2025"}


def request_path(name, key, objects, scope):
    if key is None or key in QUERY:
        return reverse(name) + QUERY.get(key, "")
    return reverse(name, args=objects[scope][key])


def expected(name, scope, role, shared):
    key, spec, refusal, _anonymous = MATRIX[name]
    allowed = spec.get("own_shared" if (scope == "own" and shared and "own_shared" in spec) else scope, NONE)
    if role in allowed:
        return 200
    return FORBIDDEN.get((name, scope), {}).get(role, refusal)


def _answers(status, want):
    """Whether ``status`` is what the row wants: one status, or any of a tuple (SERVICE_STATE)."""
    return status in want if isinstance(want, tuple) else status == want


def sharing(organisations):
    """Before, then after, both practices consent to share (the loop's body runs once for each)."""
    yield False
    for scope in ("own", "other"):
        case_move(contract=organisations[scope]["contract_object"], move="give_consent",
                  actor=organisations[scope]["practice_lead"])
    yield True


def test_access_matrix(client, world, organisations, capsys):
    checked, wrong = 0, []
    for shared in sharing(organisations):
        for name, (key, _spec, _refusal, anonymous) in sorted(MATRIX.items()):
            if shared and name not in CONSENT_SENSITIVE:
                continue
            scopes = ["own"] if key is None or key in QUERY else ["own", "other"]
            for scope in scopes:
                path = request_path(name, key, organisations, scope)
                client.logout()
                status = client.get(path).status_code
                checked += 1
                if not _answers(status, anonymous):
                    wrong.append((name, scope, "anonymous", shared, anonymous, status))
                for role in Role.values:
                    client.force_login(world["users"][role])
                    response = client.get(path)
                    status = response.status_code
                    checked += 1
                    want = expected(name, scope, role, shared)
                    if not _answers(status, want):
                        wrong.append((name, scope, role, shared, want, status))
                    if "no-store" not in response.get("Cache-Control", ""):  # no copy kept by browsers or proxies
                        wrong.append((name, scope, role, shared, "Cache-Control: no-store", response.get(
                            "Cache-Control")))
    with capsys.disabled():
        print(f"\naccess matrix: {checked} cases checked")
    assert wrong == [], "\n".join(f"{n} [{s}] {r} shared={sh}: expected {w}, got {g}" for n, s, r, sh, w, g in wrong)
    assert checked > 1000


# GETs change nothing ------------------------------------------------------------------------------------
# What a GET may write: the session (refreshed at most once a minute), the access log of documents (PDF downloads
# included), and when a calendar feed was last read. Nothing else, and no history row anywhere.
GET_MAY_WRITE = {"django_session", "forwardplans_documentaccess", "forwardplans_calendarfeed"}


def _writes():
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL's own counters)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return dict(cursor.fetchall())


def test_a_get_of_any_url_as_anyone_writes_nothing_but_the_session_and_the_access_log(client, world, organisations,
                                                                                       capsys):
    checked, wrong = 0, []
    for shared in sharing(organisations):
        for name, (key, _spec, _refusal, _anonymous) in sorted(MATRIX.items()):
            scopes = ["own"] if key is None or key in QUERY else ["own", "other"]
            for scope, who in product(scopes, [None, *Role.values]):
                path = request_path(name, key, organisations, scope)
                client.logout()
                if who:
                    client.force_login(world["users"][who])
                before = _writes()
                client.get(path)
                after = _writes()
                changed = {table for table, n in after.items() if n != before.get(table, 0)}
                checked += 1
                if changed - GET_MAY_WRITE or any("historical" in table for table in changed):
                    wrong.append(f"GET {path} as {who or 'anonymous'} (shared={shared}): wrote {sorted(changed)}")
    with capsys.disabled():
        print(f"\nGETs that write nothing else: {checked} checked")
    assert wrong == [], "\n".join(wrong)
    assert checked > 1000


# The factual-accuracy exchange's pages, at the stages they belong to (the matrix above is at the consent decision).

CORRECTION_PAGES = {
    # (report state, URL name): roles that get 200; everyone else 404, anonymous visitors are sent to sign in.
    ("with_practice", "forwardplans:correction_new"): {R.PRACTICE_LEAD},
    ("with_practice", "forwardplans:correction_answer"): set(),        # a draft is the practice lead's own
    ("returned", "forwardplans:correction_new"): set(),
    ("returned", "forwardplans:correction_answer"): TEAM,
    ("returned", "forwardplans:report"): TEAM,                         # the advisers' again until it is resent
}


def test_the_correction_pages_answer_only_their_people_and_a_get_writes_nothing(client, world, docs):
    users, contract = world["users"], docs["contract"]
    case_move(contract=contract, move="send_report", actor=users[R.RCGP_DEPUTY_LEAD])
    correction = services.correction_add(report=docs["report"], actor=users[R.PRACTICE_LEAD], section="findings",
                                         passage="Governance gaps.", correction="Few gaps.")
    wrong = []
    for state in ("with_practice", "returned"):
        if state == "returned":
            case_move(contract=contract, move="return_report", actor=users[R.PRACTICE_LEAD])
        for (when, name), allowed in CORRECTION_PAGES.items():
            if when != state:
                continue
            args = [contract.reference, correction.pk] if name.endswith("answer") else [contract.reference]
            path = reverse(name, args=args)
            client.logout()
            if client.get(path).status_code != 302:
                wrong.append((state, name, "anonymous"))
            for role in Role.values:
                client.force_login(users[role])
                before = _writes()
                status = client.get(path).status_code
                changed = {t for t, n in _writes().items() if n != before.get(t, 0)} - GET_MAY_WRITE
                if status != (200 if role in allowed else 404) or changed:
                    wrong.append((state, name, role, status, sorted(changed)))
    assert wrong == []


# Writes: every state-changing URL of a record, POSTed by every role ----------------------------------------------
# The same two contracts at the consent decision (OWN: the world users' organisations; OTHER: another commissioner's
# practice and RCGP team), each POST made and then rolled back, so every row starts from the same case. Written by
# hand from docs/domain.md §8 and the lifecycle's "who may" column (docs/lifecycle.md), not read from the code.
#
# Outcomes: "ok" (the change is made, or its form is shown again with its own errors), "refused" (the change was
# theirs to make but its page flashes why not now), 403 (a record the user can see but may not change this way:
# refused with the reason), 404 (a record the user cannot see, or a page the user's role has no use for). Roles not
# named get 404.
ADM, DL, AD = R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER
CPS, CL, PU, PL, NHSE, NR = (R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD, R.PRACTICE_USER, R.PRACTICE_LEAD,
                             R.NHSE_REPORTING, R.NHSE_REGIONAL)
SEE_CONTRACT = {"own": set(Role.values), "other": {ADM, NHSE}}


def _on_contract(allowed_own, refusal, *, other_allowed=(ADM,)):
    """A contract verb: ``allowed_own`` may do it on OWN, RCGP admin (and ``other_allowed``) on OTHER; everyone
    else who sees the contract gets ``refusal``."""
    own = {role: "ok" if role in allowed_own else refusal for role in SEE_CONTRACT["own"]}
    other = {role: "ok" if role in other_allowed else refusal for role in SEE_CONTRACT["other"]}
    return {"own": own, "other": other}


def _only(own, other=()):
    """Only these may; everyone else gets 404 (the page answers 404 to whoever may not use it)."""
    return {"own": dict.fromkeys(own, "ok"), "other": dict.fromkeys(other, "ok")}


def _on_documents(allowed_own):
    """A write to a document: the readers who may not write get 403 and the reason; after consent the commissioner
    reads too."""
    readers = {ADM, DL, AD, PU, PL}
    own = {role: "ok" if role in allowed_own else 403 for role in readers}
    return {"own": own, "other": {ADM: "ok"}, "own_shared": {**own, CPS: 403, CL: 403}}


def _on_referral(allowed_own, forbidden_own, other):
    return {"own": {**dict.fromkeys(forbidden_own, 403), **dict.fromkeys(allowed_own, "ok")}, "other": other}


def _today():
    return timezone.localdate().isoformat()


def _version(objects, scope):
    from forwardplans.models import Action

    return Action.objects.get(pk=objects[scope]["action"][0]).version


def _plan_version(objects, scope):
    from forwardplans.models import ForwardPlan

    return ForwardPlan.objects.get(contract__reference=objects[scope]["contract"][0]).version


def _rag(objects, scope):
    from forwardplans.models import Action

    action = Action.objects.get(pk=objects[scope]["action"][0])
    return {"version": action.version, "to_status": "red" if action.rag_status != "red" else "amber",
            "reason": "Checked"}


# name: (URL arguments, POST data, {scope: {role: outcome}})
WRITES = {
    "contracts:commission": (None, lambda o, s: {}, _only({CL, ADM})),
    # A write to a contract the user sees but may not make is refused with the reason (403).
    "contracts:first_contact": ("contract", lambda o, s: {"contacted_on": _today()},
                                _on_contract({ADM, DL, AD}, 403)),
    "contracts:outcome": ("contract", lambda o, s: {"closure": "none"}, _on_contract({ADM}, 403)),
    "contracts:team": ("contract", lambda o, s: {"remove": o[s]["adviser"][0]}, _on_contract({ADM, DL}, 403)),
    "contracts:move/give_consent": ("move:give_consent", lambda o, s: {}, _on_contract({PL}, 403, other_allowed=())),
    "contracts:move/withdrawn": ("move:withdrawn", lambda o, s: {"note": "Reason"},
                                 _on_contract({ADM, DL, CL}, 403)),
    "contracts:move/declined_by_practice": ("move:declined_by_practice", lambda o, s: {"note": "Reason"},
                                            _on_contract({ADM, DL, CL, PL}, 403)),
    "contracts:move/change_lead": ("move:change_lead", lambda o, s: {"deputy_lead": o["spare_deputy"]},
                                   _on_contract({ADM}, 403)),
    # The plan's actions: the RCGP team writes them; the team and the practice update their progress.
    "forwardplans:action_new": ("contract", lambda o, s: {}, {
        "own": {**dict.fromkeys({PU, PL}, 403), **dict.fromkeys({ADM, DL, AD}, "ok")}, "other": {ADM: "ok"},
        "own_shared": {**dict.fromkeys({PU, PL, CPS, CL}, 403), **dict.fromkeys({ADM, DL, AD}, "ok")}}),
    "forwardplans:action_rag": ("action", _rag, _on_documents({ADM, DL, AD, PU, PL})),
    "forwardplans:action_progress": ("action", lambda o, s: {"version": _version(o, s), "text": "Done."},
                                     _on_documents({ADM, DL, AD, PU, PL})),
    "forwardplans:milestone_add": ("action", lambda o, s: {"version": _version(o, s), "description": "Next",
                                                           "due_on": "2026-12-24"},
                                   _on_documents({ADM, DL, AD, PU, PL})),
    # The plan's inspection: the RCGP team chooses it; the plan's other readers are refused with the reason.
    "forwardplans:plan_inspection": ("contract", lambda o, s: {"version": _plan_version(o, s), "inspection": ""},
                                     _on_documents({ADM, DL, AD})),
    # A version agreed for RCGP (forwardplans/plan_versions.py): the deputy lead who leads it and RCGP admin. A reader
    # who may keep no version at all is refused (403); one who may keep others is offered only those (422).
    "forwardplans:plan_version": ("contract", lambda o, s: {"version": _plan_version(o, s), "kind": "agreed:rcgp"}, {
        "own": {ADM: "ok", DL: "ok", AD: 403, PU: 403, PL: 422}, "other": {ADM: "ok"},
        "own_shared": {ADM: "ok", DL: "ok", AD: 422, PU: 403, PL: 422, CPS: 403, CL: 422}}),
    # The staff questionnaire: the RCGP team runs it, the practice invites its staff; nobody else finds it.
    "questionnaires:close": ("questionnaire", lambda o, s: {}, _only({ADM, DL, AD}, {ADM})),
    "questionnaires:codes": ("questionnaire", lambda o, s: {"count": 2}, _only({PU, PL})),
    # Self-referrals: a lead of the referral's commissioner assesses and declines; RCGP admin acknowledges too.
    "referrals:new": (None, lambda o, s: {}, _only({CL, PL})),
    "referrals:assess": ("referral", lambda o, s: {}, _on_referral({CL}, {CPS, PU, PL, ADM, NR}, {ADM: 403})),
    "referrals:decline": ("referral", lambda o, s: {}, _on_referral({CL}, {CPS, PU, PL, ADM, NR}, {ADM: 403})),
    "referrals:acknowledge": ("referral", lambda o, s: {"acknowledged_on": _today()},
                              _on_referral({CL, ADM}, {CPS, PU, PL, NR}, {ADM: "ok"})),
    # The regional decision: its region's team only. The matrix's referral is not assessed yet, so the team's
    # decision is refused on the form (422, nothing saved: tests/contracts/test_regional_decision.py).
    "referrals:regional_decision": ("referral", lambda o, s: {"decision": "approved", "reason": "Meets it.",
                                                              "version": 1},
                                    {"own": {**dict.fromkeys({CPS, CL, PU, PL, ADM}, 403), NR: 422},
                                     "other": {ADM: 403}}),
    # Concerns: the contract's deputy lead and team raise them (others who see the contract are refused with the
    # reason); the receivers acknowledge them and record what was done; the adviser who raised one sees it but is
    # refused; nobody else finds it.
    "concerns:new": ("contract", lambda o, s: {"category": "fraud", "description": "Claims for work not done.",
                                               "observed_on": _today(), "people_involved": "A partner.",
                                               "tell_practice": "yes"},
                     _on_contract({DL, AD}, 403, other_allowed=())),
    # Special measures: RCGP admin and the practice's commissioner lead correct them; others who see it get 403.
    "practices:episode_correct": ("episode", lambda o, s: {"route": "overall_inadequate", "started_on": "2024-03-01",
                                                           "reason": "CQC letter"},
                                  {"own": {**dict.fromkeys({CPS, DL, AD, PU, PL, NHSE, NR}, 403), CL: "ok", ADM: "ok"},
                                   "other": {DL: 403, NHSE: 403, ADM: "ok"}}),
    "concerns:acknowledge": ("concern", lambda o, s: {}, {"own": {CL: "ok", ADM: "ok", AD: 403},
                                                          "other": {ADM: "ok"}}),
    "concerns:action": ("concern", lambda o, s: {"action": "cqc", "note": "Told CQC."},
                        {"own": {CL: "ok", ADM: "ok", AD: 403}, "other": {ADM: "ok"}}),
    # The reply to a special-measures offer: RCGP admin and the practice's lead record it; others who see the offer
    # are refused with the reason (contracts/enquiry_services.py REPLIES).
    "contracts:offer": ("offer", lambda o, s: {"version": 1, "outcome": "declined", "outcome_on": _today()},
                        {"own": {**dict.fromkeys({CPS, CL, DL, PU}, 403), ADM: "ok", PL: "ok"},
                         "other": {DL: 403, ADM: "ok"}}),
    # Breaches and enforcement: RCGP admin and the practice's commissioner lead; others who see it get 403.
    **{name: (key, data, {"own": {**dict.fromkeys({CPS, DL, AD, PU, PL, NHSE, NR}, 403), CL: "ok", ADM: "ok"},
                          "other": {DL: 403, NHSE: 403, ADM: "ok"}})
       for name, key, data in (
           ("practices:inspection_breaches", "inspection_page", lambda o, s: _breaches_post(o, s)),
           ("practices:enforcement_new", "inspection_page", lambda o, s: {"kind": "conditions",
                                                                          "issued_on": "2024-03-15"}),
           ("practices:enforcement_edit", "enforcement", lambda o, s: {"kind": "conditions", "issued_on": "2024-03-15",
                                                                       "ended_on": "2024-04-01", "reason": "Lifted",
                                                                       "version": 1}),
           ("practices:enforcement_remove", "enforcement", lambda o, s: {"reason": "In error", "version": 1}))},
    # What patients were told: the practice's people and its commissioner's; nobody else finds it.
    **{name: (key, lambda o, s, v=version: {"told_on": "2024-03-21", "what": "Our plan.", "channels": ["ppg"],
                                            "senior_responsible_person": "Dr A Patel", **v},
              _only({CPS, CL, PU, PL}))
       for name, key, version in (("practices:patient_information_new", "practice", {}),
                                  ("practices:patient_information_edit", "patient_information", {"version": 1}))},
    # Monitoring: the practice's commissioner's users; the practice reads the shared record and is refused (403).
    "monitoring:record_new": ("practice", lambda o, s: {"kind": "visit", "happened_on": _today(), "summary": "Seen.",
                                                        "shared": "no"}, _only({CPS, CL})),
    "monitoring:record_edit": ("monitoring_record", lambda o, s: {"kind": "call", "happened_on": "2026-01-05",
                                                                  "summary": "Called.", "shared": "yes", "version": 1},
                               {"own": {CPS: "ok", CL: "ok", PU: 403, PL: 403}, "other": {}}),
    "monitoring:follow_up_add": ("monitoring_record", lambda o, s: {"what": "Visit", "due_on": "2026-03-01"},
                                 {"own": {CPS: "ok", CL: "ok", PU: 403, PL: 403}, "other": {}}),
    "monitoring:follow_up_done": ("follow_up", lambda o, s: {}, {"own": {CPS: "ok", CL: "ok", PU: 403, PL: 403},
                                                                 "other": {}}),
    **{name: (key, lambda o, s, v=version: {"reviewed_on": _today(), "readiness": "partly", **v,
                                            **{f"area_{k}": "yes" for k in checklist_keys()}}, _only({CPS, CL}))
       for name, key, version in (("monitoring:readiness_new", "practice", {}),
                                  ("monitoring:readiness_edit", "monitoring_readiness", {"version": 1}))},
    # A review note: whoever reads the action is refused until handover (tests/monitoring/test_review_notes.py).
    "monitoring:action_note_add": ("action", lambda o, s: {"note": "Supported."}, {
        "own": dict.fromkeys({ADM, DL, AD, PU, PL}, 403), "other": {ADM: 403},
        "own_shared": dict.fromkeys({ADM, DL, AD, PU, PL, CPS, CL}, 403)}),
    # Contractual action: the practice's commissioner lead only; NHSE (and the practice, for a served notice) see it
    # and are refused with the reason; nobody else finds it (RCGP never).
    "contractual:open": ("practice", lambda o, s: {"received_on": _today(), "source": "patient",
                                                   "summary": "A complaint."}, _only({CL})),
    "contractual:step/decide": ("contractual_decide", lambda o, s: {"version": 1, "kind": "no_action",
                                                                    "decided_on": _today()},
                                {"own": {CL: "ok", NHSE: 403}, "other": {NHSE: 403}}),
    "contractual:step/flag_performer": ("contractual_flag", lambda o, s: {"version": 1, "referred_on": _today()},
                                        {"own": {CL: "ok", NHSE: 403}, "other": {NHSE: 403}}),
    "contractual:step/record_continuity": ("contractual_continuity",
                                           lambda o, s: {"version": 1, "registration": "suspended",
                                                         "kind": "caretaker", "starts_on": _today()},
                                           {"own": {CL: "ok", NHSE: 403}, "other": {NHSE: 403}}),
    "contractual:notice_step/outcome": ("contractual_notice_outcome",
                                        lambda o, s: {"version": 1, "outcome": "withdrawn", "outcome_on": _today()},
                                        {"own": {CL: "ok", NHSE: 403, PU: 403, PL: 403}, "other": {NHSE: 403}}),
}


def checklist_keys():
    from monitoring.models import AREA_KEYS

    return AREA_KEYS


def _breaches_post(objects, scope):
    from practices.models import Inspection
    from practices.regulation_services import breaches_version

    inspection = Inspection.objects.get(pk=objects[scope]["inspection_page"][1])
    return {"regulations": ["12"], "reason": "From the report", "version": breaches_version(inspection)}


from .access_rows import extend  # noqa: E402  (its modules import the helpers above)

extend(MATRIX, WRITES)
DOCUMENT_WRITES = {name for name, (_k, _d, table) in WRITES.items() if "own_shared" in table}
# Not here: signing in and out, the session, one's own API tokens and notifications (each person's own, with no
# organisation to stand in), the report's sections and corrections (not writable at the consent decision, for
# anyone: test_the_correction_pages_... and tests/forwardplans/test_forwardplans.py), and the consent page's POST,
# which makes the same moves as contracts:move.


def test_every_state_changing_url_of_a_record_has_a_write_row():
    posted = {name.split("/")[0] for name in WRITES}
    record_writes = {"contracts:commission", "contracts:first_contact", "contracts:outcome", "contracts:team",
                     "contracts:move", "forwardplans:action_new", "forwardplans:action_rag",
                     "forwardplans:action_progress", "forwardplans:milestone_add", "questionnaires:close",
                     "questionnaires:codes", "referrals:new", "referrals:assess", "referrals:decline",
                     "referrals:acknowledge", "referrals:regional_decision", "concerns:new", "concerns:acknowledge",
                     "concerns:action",
                     "practices:episode_correct", "contracts:offer", "practices:inspection_breaches",
                     "practices:enforcement_new", "practices:enforcement_edit", "practices:enforcement_remove",
                     "practices:patient_information_new", "practices:patient_information_edit",
                     "forwardplans:plan_inspection", "forwardplans:plan_version",
                     "monitoring:record_new", "monitoring:record_edit", "monitoring:follow_up_add",
                     "monitoring:follow_up_done", "monitoring:readiness_new", "monitoring:readiness_edit",
                     "monitoring:action_note_add",
                     "contractual:open", "contractual:step", "contractual:notice_step"}
    from .access_rows import record_writes as delivery_writes

    assert posted == record_writes | delivery_writes()


def write_outcome(response):
    status = response.status_code
    if status in (200, 302):
        refused = [m for m in get_messages(response.wsgi_request) if m.level >= messages.ERROR]
        return "refused" if refused else "ok"
    return status


def write_path(name, key, objects, scope):
    url = name.split("/")[0]
    if key is None:
        return reverse(url)
    if key.startswith("move:"):
        return reverse(url, args=[objects[scope]["contract"][0], key.split(":")[1]])
    return reverse(url, args=objects[scope][key])


def test_write_matrix(client, world, organisations, capsys):
    organisations["spare_deputy"] = UserFactory(role=R.RCGP_DEPUTY_LEAD).pk
    checked, wrong = 0, []
    for shared in sharing(organisations):
        for name, (key, data, table) in sorted(WRITES.items()):
            if shared and name not in DOCUMENT_WRITES:
                continue
            for scope in ["own"] if key is None else ["own", "other"]:
                want = table["own_shared" if shared and scope == "own" and "own_shared" in table else scope]
                path = write_path(name, key, organisations, scope)
                for role in [None, *Role.values]:
                    client.logout()
                    if role:
                        client.force_login(world["users"][role])
                    with transaction.atomic():
                        response = client.post(path, data(organisations, scope))
                        transaction.set_rollback(True)
                    got = write_outcome(response)
                    expected_outcome = want.get(role, 404) if role else 302
                    if role is None:
                        got = response.status_code  # sent to sign in
                    checked += 1
                    if got != expected_outcome:
                        wrong.append(f"POST {name} [{scope}] {role or 'anonymous'} shared={shared}: "
                                     f"expected {expected_outcome}, got {got}")
    with capsys.disabled():
        print(f"\nwrite matrix: {checked} POSTs checked")
    assert wrong == [], "\n".join(wrong)


def test_each_rule_gives_the_same_answer_for_one_record_as_its_queryset(world, organisations):
    """Each verb's per-record check and its queryset come from one rule: they agree for every role and record."""
    from concerns import access as concern_access
    from contracts import access as contract_access
    from contracts.models import Contract, Referral
    from forwardplans import access as document_access

    users = [*world["users"].values(), UserFactory(role=R.RCGP_ADMIN, is_active=False)]
    rules_by_model = [(Contract, "contract_object", {**contract_access.CONTRACT_VERBS,
                                                     **document_access.DOCUMENT_VERBS,
                                                     **{f"concern_{verb}": rule for verb, rule
                                                        in concern_access.CONCERN_VERBS.items()}}),
                      (Referral, "referral_object", contract_access.REFERRAL_VERBS)]
    wrong = []
    for shared in sharing(organisations):
        for model, key, verbs in rules_by_model:
            for scope, user, (verb, rule) in product(("own", "other"), users, verbs.items()):
                record = model.objects.get(pk=organisations[scope][key].pk)
                one = rule.test(user, record)
                many = rule.filter(user, model.objects.filter(pk=record.pk)).exists()
                if one != many:
                    wrong.append((model.__name__, verb, scope, user.role, user.is_active, shared, one, many))
    assert wrong == []
