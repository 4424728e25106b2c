"""The access log of Diagnostic Reports and Forward Plans, and who may read it. It is written by default, not here:
core.audit logs every read of confidential content, by whatever door, once per request (forwardplans/models.py
declares what is confidential)."""

from core.models import DocumentAccess
from core.relations import concern_receivers
from core.roles import is_rcgp_admin

from .permissions import leads_contract

Document, Kind = DocumentAccess.Document, DocumentAccess.Kind
can_read_access_log = is_rcgp_admin | leads_contract


def access_log(contract, limit=500, *, reader=None):
    """The contract's access log; reads of a concern under the duty to report only for those who receive it (a
    deputy lead is not told that a concern exists)."""
    entries = DocumentAccess.objects.filter(contract=contract)
    if reader is None or not concern_receivers.test(reader, contract):
        entries = entries.exclude(document=Document.CONCERN)
    return list(entries.select_related("user")[:limit])
