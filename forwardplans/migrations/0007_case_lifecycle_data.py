"""Contracts made before the case lifecycle are brought into line with it.

Before it, a contract's stage and its documents moved separately, and a report, plan or consent record was made
when someone first opened its page. After this migration:

- a report the practice confirmed ("accuracy confirmed") is final;
- a contract without documents by programme (an away day, CQC preparation, ongoing support) or imported from the
  RCGP's records that stood at a stage only reports have (scoping to the review meeting) is at "support being
  delivered";
- a contract with documents that stood before report drafting loses the empty report and plan a page view made,
  or, if they were written in, moves on to the stage of its documents;
- a live contract whose documents were ahead of its stage moves on to the stage they are at; one whose stage was
  ahead of its report gets the report in the state the stage needs (a version of it is kept), since the practice
  saw it outside the service;
- every contract from the consent decision on has a consent record, and none before it (an early decision is set
  aside, with a note in the history: the practice decides once it has confirmed the report); one at the review
  meeting whose practice had not decided goes back to the consent decision (the decision takes it on again);
- handed-over, closed and ended contracts keep their stage and documents (nothing more is asked of them).

Every change of stage is kept in the contract's history, recorded by the service.
"""

import datetime

from django.db import migrations

DOCUMENT_PROGRAMMES = {"special_measures", "diagnostic_forward_plan", "resilience"}
DOCUMENT_ONLY = {"scoping", "report_drafting", "factual_accuracy_review", "consent_decision", "review_meeting"}
ORDER = ["commissioned", "lead_appointed", "team_recruited", "scoping", "report_drafting", "factual_accuracy_review",
         "consent_decision", "review_meeting"]
SECTIONS = ["history_text", "personnel", "day_to_day", "demographics", "staff_opinion", "patient_opinion",
            "findings", "conclusions", "recommendations", "good_practice"]
NOTE = "Brought into line with its documents when the case lifecycle began"


def _stage_of(report, consent):
    """The stage a contract's documents say it has reached."""
    if report is None:
        return None
    if report.state == "final":
        return "review_meeting" if consent is not None and consent.status != "not_decided" else "consent_decision"
    return {"draft": "report_drafting", "with_practice": "factual_accuracy_review",
            "returned": "factual_accuracy_review"}[report.state]


def follow_the_lifecycle(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ContractTransition = apps.get_model("contracts", "ContractTransition")
    DiagnosticReport = apps.get_model("forwardplans", "DiagnosticReport")
    ReportVersion = apps.get_model("forwardplans", "ReportVersion")
    ForwardPlan = apps.get_model("forwardplans", "ForwardPlan")
    ConsentToShare = apps.get_model("forwardplans", "ConsentToShare")
    today = datetime.date.today()
    DiagnosticReport.objects.filter(state="accuracy_confirmed").update(state="final")

    def move(contract, to_state):
        ContractTransition.objects.create(contract=contract, from_state=contract.state, to_state=to_state, by=None,
                                          effective_on=max(today, contract.commissioned_on), note=NOTE)
        contract.state = to_state
        contract.save(update_fields=["state"])

    for contract in Contract.objects.exclude(state__in=["enquiry", "handed_over", "closed", "declined_by_practice",
                                                          "withdrawn", "failed_to_engage"]).order_by("pk"):
        report = DiagnosticReport.objects.filter(contract=contract).first()
        plan = ForwardPlan.objects.filter(contract=contract).first()
        consent = ConsentToShare.objects.filter(contract=contract).first()
        if contract.imported or contract.programme not in DOCUMENT_PROGRAMMES:
            if contract.state in DOCUMENT_ONLY:
                move(contract, "delivery")
            continue
        if contract.state not in ORDER:
            continue
        written = report is not None and (any(getattr(report, f) for f in SECTIONS) or report.root_causes
                                          or report.state != "draft")
        if ORDER.index(contract.state) < ORDER.index("report_drafting"):
            if report is not None and not written and not (plan and plan.actions.exists()):
                DiagnosticReport.objects.filter(pk=report.pk).delete()
                ForwardPlan.objects.filter(contract=contract).delete()
                ConsentToShare.objects.filter(contract=contract, status="not_decided").delete()
                continue
            if report is None and plan is not None and plan.actions.exists():
                report = DiagnosticReport.objects.create(contract=contract)
            if report is None:
                continue
        report = report or DiagnosticReport.objects.create(contract=contract)
        plan = plan or ForwardPlan.objects.create(contract=contract)
        reached = _stage_of(report, consent)
        if ORDER.index(reached) > ORDER.index(contract.state):
            move(contract, reached)
        elif ORDER.index(reached) < ORDER.index(contract.state) and report.state != (
                needed := "with_practice" if contract.state == "factual_accuracy_review" else "final"):
            report.state = needed
            report.save(update_fields=["state"])
            author = report.updated_by_id or report.approved_by_id or contract.deputy_lead_id or \
                contract.commissioned_by_id
            if author:
                number = (ReportVersion.objects.filter(report=report).order_by("-number")
                          .values_list("number", flat=True).first() or 0) + 1
                ReportVersion.objects.create(
                    report=report, number=number, state=needed, root_causes=report.root_causes,
                    sections={("history" if f == "history_text" else f): getattr(report, f) for f in SECTIONS},
                    created_by_id=author)
        if ORDER.index(contract.state) < ORDER.index("consent_decision") and consent is not None:
            # Opened by a page view before the practice confirmed the report: the lifecycle asks it at confirmation.
            if consent.status != "not_decided":
                ContractTransition.objects.create(
                    contract=contract, from_state=contract.state, to_state=contract.state, by=None,
                    effective_on=max(today, contract.commissioned_on),
                    note=f"{NOTE}: an early consent decision ({consent.status}) was set aside; the practice decides "
                         "once it has confirmed the report")
            ConsentToShare.objects.filter(pk=consent.pk).delete()
            consent = None
        if ORDER.index(contract.state) >= ORDER.index("consent_decision") and consent is None:
            consent = ConsentToShare.objects.create(contract=contract)
        if contract.state == "review_meeting" and consent.status == "not_decided":
            move(contract, "consent_decision")
    # Contracts that no longer change still get a consent record where their stage had one.
    for contract in Contract.objects.filter(state__in=["handed_over", "closed"], imported=False,
                                            programme__in=DOCUMENT_PROGRAMMES).exclude(
            pk__in=ConsentToShare.objects.values("contract_id")).filter(
            pk__in=DiagnosticReport.objects.values("contract_id")):
        ConsentToShare.objects.create(contract=contract)


class Migration(migrations.Migration):

    dependencies = [
        ("forwardplans", "0006_case_lifecycle"),
        ("contracts", "0002_case_lifecycle"),
    ]

    operations = [migrations.RunPython(follow_the_lifecycle, migrations.RunPython.noop)]
