"""Retention: closed contracts' documents are deleted a set number of years after the contract ended.

The contract itself, its workflow history and its outcome stay (they feed the programme figures);
the Diagnostic Report with its versions, the Forward Plan with its actions, evidence files, stored
PDFs and staff questionnaires go, files included. Concerns raised under the duty to report go too once their
outcome is closed; an open one is never deleted, however old its contract (the concerns app sits above this one,
so its model is named by label).
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.db import transaction

from contracts.models import Contract
from contracts.workflow import ENDED_STATES

from . import pdf as pdfs
from .job_models import StoredPdf
from .models import DiagnosticReport, Evidence, ForwardPlan, Questionnaire


@dataclass
class Expired:
    contract: Contract
    reports: int
    plans: int
    evidence: int
    pdfs: int
    questionnaires: int
    concerns: int = 0  # closed concerns, deleted
    open_concerns: int = 0  # kept until their outcome is closed


def retention_cutoff(today=None):
    return (today or datetime.date.today()) - relativedelta(years=settings.RETENTION_YEARS)


def _concerns():
    return apps.get_model("concerns", "Concern").objects


def expired_documents(today=None):
    """Ended contracts past retention that still hold documents."""
    cutoff = retention_cutoff(today)
    found = []
    for contract in (Contract.objects.filter(state__in=ENDED_STATES, ended_on__lt=cutoff)
                     .select_related("practice").order_by("ended_on", "reference")):
        counts = Expired(
            contract, DiagnosticReport.objects.filter(contract=contract).count(),
            ForwardPlan.objects.filter(contract=contract).count(),
            Evidence.objects.filter(action__plan__contract=contract).count(),
            StoredPdf.objects.filter(contract=contract).count(),
            Questionnaire.objects.filter(contract=contract).count(),
            _concerns().filter(contract=contract, closed_at__isnull=False).count(),
            _concerns().filter(contract=contract, closed_at__isnull=True).count())
        if counts.reports or counts.plans or counts.evidence or counts.pdfs or counts.questionnaires or counts.concerns:
            found.append(counts)
    return found


def delete_expired_documents(today=None):
    """Delete what expired_documents() lists; files are removed after the database rows are gone."""
    expired = expired_documents(today)
    files = []
    with transaction.atomic():
        for item in expired:
            contract = item.contract
            files += [Path(e.file.path) for e in Evidence.objects.filter(action__plan__contract=contract)]
            files += [pdfs.file_path(p) for p in StoredPdf.objects.filter(contract=contract) if p.file]
            StoredPdf.objects.filter(contract=contract).delete()
            ForwardPlan.objects.filter(contract=contract).delete()
            DiagnosticReport.objects.filter(contract=contract).delete()
            Questionnaire.objects.filter(contract=contract).delete()
            _concerns().filter(contract=contract, closed_at__isnull=False).delete()
    for path in files:
        if str(path).startswith(str(Path(settings.MEDIA_ROOT))):
            path.unlink(missing_ok=True)
    return expired
