"""Retention: documents of contracts ended more than RETENTION_YEARS ago are listed, then deleted with --apply."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from contracts.models import Contract
from core.roles import Role
from forwardplans import services
from forwardplans.models import Action, DiagnosticReport, Evidence, ForwardPlan

from ..docs import ACTION_FIELDS
from ..factories import ContractFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_lists_then_deletes_expired_documents_and_keeps_the_contract(docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_YEARS = 6
    users, contract = docs["users"], docs["contract"]
    evidence = services.evidence_upload(action=docs["action"], actor=users[Role.PRACTICE_USER],
                                        base_version=docs["action"].version,
                                        uploaded_file=SimpleUploadedFile("log.pdf", b"%PDF-1.4\n%%EOF\n"))
    Contract.objects.filter(pk=contract.pk).update(state="closed", ended_on=datetime.date(2019, 3, 31),
                                                   end_reason="other")
    recent = ContractFactory(practice=contract.practice, state="closed", ended_on=datetime.date(2024, 1, 1))
    ForwardPlan.objects.create(contract=recent)
    listed = run("--today", "2026-11-22")
    assert "DOC-1" in listed and "would delete 1 report, 1 plan, 1 evidence files" in listed
    assert recent.reference not in listed
    assert "1 contracts past retention (ended before 2020-11-22); nothing deleted" in listed
    assert ForwardPlan.objects.filter(contract=contract).exists()

    applied = run("--apply", "--today", "2026-11-22")
    assert "DOC-1" in applied and "deleted" in applied
    assert not DiagnosticReport.objects.filter(contract=contract).exists()
    assert not ForwardPlan.objects.filter(contract=contract).exists()
    assert not Action.objects.filter(plan__contract=contract).exists()
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not (tmp_path / evidence.file.name).exists()
    assert Contract.objects.filter(pk=contract.pk).exists()  # the record and its outcome stay
    assert ForwardPlan.objects.filter(contract=recent).exists()
    assert "0 contracts past retention" in run("--today", "2026-11-22")


def test_live_contracts_are_never_expired(docs):
    services.action_create(plan=docs["plan"], actor=docs["users"][Role.RCGP_ADVISER], **ACTION_FIELDS)
    assert "0 contracts past retention" in run("--today", "2040-01-01")
