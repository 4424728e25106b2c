"""The access log of Diagnostic Reports and Forward Plans: every view and download, and who may read it."""

from core.roles import is_rcgp_admin

from .models import DocumentAccess
from .permissions import leads_contract

Document, Kind = DocumentAccess.Document, DocumentAccess.Kind
can_read_access_log = is_rcgp_admin | leads_contract


def record_access(*, user, contract, document, kind=Kind.VIEWED, detail=""):
    DocumentAccess.objects.create(user=user, contract=contract, document=document, kind=kind, detail=detail[:200])


def access_log(contract, limit=500):
    return list(DocumentAccess.objects.filter(contract=contract).select_related("user")[:limit])
