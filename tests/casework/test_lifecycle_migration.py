"""Contracts made before the case lifecycle are brought into line with it by the migrations (forwardplans 0007):
old-shape rows are written at the migrations before it, then the database is migrated forward."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.lifecycle import STAGE_DOCUMENTS
from contracts.models import Contract
from forwardplans.models import ConsentToShare, DiagnosticReport, ForwardPlan, ReportVersion

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("contracts", "0001_initial"), ("forwardplans", "0005_action_search_idx")]
D = datetime.date(2026, 1, 5)
# reference: (programme, stage, report state or None (or "empty" for one a page view made), consent or None,
#             imported)
OLD = {
    "SCOPING-EMPTY": ("special_measures", "scoping", "empty", None, False),
    "SCOPING-WRITTEN": ("special_measures", "scoping", "draft", None, False),
    "RD-NONE": ("resilience", "report_drafting", None, None, False),
    "FAR-DRAFT": ("resilience", "factual_accuracy_review", "draft", None, False),
    "FAR-CONFIRMED": ("diagnostic_forward_plan", "factual_accuracy_review", "accuracy_confirmed", None, False),
    "FAR-EARLY-CONSENT": ("special_measures", "factual_accuracy_review", "with_practice", "given", False),
    "RM-UNDECIDED": ("special_measures", "review_meeting", "final", None, False),
    "RM-GIVEN": ("special_measures", "review_meeting", "final", "given", False),
    "AWAY-SCOPING": ("whole_team_away_day", "consent_decision", None, None, False),
    "IMPORTED-RD": ("special_measures", "report_drafting", None, None, True),
    "CLOSED-DRAFT": ("special_measures", "closed", "draft", None, False),
}
# reference: (stage, report state, consent, kept versions, history notes added)
AFTER = {
    "SCOPING-EMPTY": ("scoping", None, None, 0, 0),
    "SCOPING-WRITTEN": ("report_drafting", "draft", None, 0, 1),
    "RD-NONE": ("report_drafting", "draft", None, 0, 0),
    "FAR-DRAFT": ("factual_accuracy_review", "with_practice", None, 1, 0),
    "FAR-CONFIRMED": ("consent_decision", "final", "not_decided", 0, 1),
    "FAR-EARLY-CONSENT": ("factual_accuracy_review", "with_practice", None, 0, 1),
    "RM-UNDECIDED": ("consent_decision", "final", "not_decided", 0, 1),
    "RM-GIVEN": ("review_meeting", "final", "given", 0, 0),
    "AWAY-SCOPING": ("delivery", None, None, 0, 1),
    "IMPORTED-RD": ("delivery", None, None, 0, 1),
    "CLOSED-DRAFT": ("closed", "draft", "not_decided", 0, 0),  # nothing more is asked; consent can be given
}


def _write_old_rows(apps):
    User = apps.get_model("resilience", "User")
    Commissioner = apps.get_model("practices", "Commissioner")
    Practice = apps.get_model("practices", "Practice")
    OldContract = apps.get_model("contracts", "Contract")
    HistoricalContract = apps.get_model("contracts", "HistoricalContract")
    Report = apps.get_model("forwardplans", "DiagnosticReport")
    Plan = apps.get_model("forwardplans", "ForwardPlan")
    Consent = apps.get_model("forwardplans", "ConsentToShare")
    deputy = User.objects.create(username="old-deputy", role="rcgp_deputy_lead", password="!")
    commissioner = Commissioner.objects.create(ods_code="01A", name="Old commissioner", kind="sub_icb")
    practice = Practice.objects.create(ods_code="A10001", name="Old practice", postcode="OL1 1AA",
                                       commissioner=commissioner, status="active")
    for reference, (programme, stage, report, consent, imported) in OLD.items():
        contract = OldContract.objects.create(reference=reference, practice=practice, commissioner=commissioner,
                                              programme=programme, state=stage, commissioned_on=D,
                                              deputy_lead=deputy)
        if imported:
            HistoricalContract.objects.create(
                id=contract.pk, reference=reference, practice=practice, commissioner=commissioner,
                programme=programme, state=stage, commissioned_on=D, history_type="+",
                history_date=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
                history_change_reason="contract import", value=0, nhse_contribution=0, practice_contribution=0,
                spent=0, closure="none", categories=[])
        if report:
            Report.objects.create(contract=contract, state="draft" if report == "empty" else report,
                                  findings="" if report == "empty" else "Governance gaps.", updated_by=deputy)
            Plan.objects.create(contract=contract)
        if consent:
            Consent.objects.create(contract=contract, status=consent)


def test_old_contracts_are_brought_into_line_with_their_documents():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        _write_old_rows(executor.loader.project_state(BEFORE).apps)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    found = {}
    for contract in Contract.objects.order_by("reference"):
        report = DiagnosticReport.objects.filter(contract=contract).first()
        consent = ConsentToShare.objects.filter(contract=contract).first()
        notes = contract.transitions.filter(note__startswith="Brought into line").count()
        found[contract.reference] = (contract.state, report.state if report else None,
                                     consent.status if consent else None,
                                     ReportVersion.objects.filter(report__contract=contract).count(), notes)
        assert ForwardPlan.objects.filter(contract=contract).exists() == (report is not None), contract.reference
        if contract.state in STAGE_DOCUMENTS and contract.state != "closed" and not contract.imported \
                and contract.programme != "whole_team_away_day":
            reports, consents = STAGE_DOCUMENTS[contract.state]
            assert found[contract.reference][1] in reports and found[contract.reference][2] in consents, found
    assert found == AFTER
    assert Contract.objects.get(reference="IMPORTED-RD").imported
    early = Contract.objects.get(reference="FAR-EARLY-CONSENT").transitions.get()
    assert "an early consent decision (given) was set aside" in early.note and early.by is None
