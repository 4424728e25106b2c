"""The API's one write: a RAG change and/or a progress note on an action, in one transaction, through
the forward-plan services (which check the permission and, under a row lock, the version)."""

from django.db import transaction

from forwardplans import services as plan_services
from forwardplans.models import Action
from forwardplans.services import StaleEdit


@transaction.atomic
def action_update_progress(*, action, actor, base_version, rag_status=None, progress_note="", reason="",
                           evidence_justification=""):
    """Change the RAG status (if it differs) and add the progress note, only if the action is still at
    ``base_version``; either both are saved or neither is. Raises StaleEdit or DomainError."""
    note = (progress_note or "").strip()
    if rag_status and rag_status != action.rag_status:
        action = plan_services.action_set_rag(
            action=action, actor=actor, to_status=rag_status, reason=(reason or "").strip() or note,
            base_version=base_version, evidence_justification=evidence_justification)
    else:
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.version != base_version:
            raise StaleEdit("Someone else changed this action since you read it. Nothing of yours was saved: read "
                            "it again, then retry.", [])
        locked.plan = action.plan
        action = locked
    if note:
        plan_services.progress_add(action=action, actor=actor, text=note)
    return action
