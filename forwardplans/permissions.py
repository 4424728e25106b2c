"""Who may change what on a contract's documents: the names the services and pages test (``.test(user,
contract)``), each the rule of a verb in forwardplans/access.py (DOCUMENT_VERBS), where its queryset face is too.
"""
from core.relations import led_by as leads_contract  # noqa: F401  (the access log's rule reads it from here)
from core.relations import on_team, practice_of_contract  # noqa: F401

from .access import DOCUMENT_VERBS

can_write_documents = DOCUMENT_VERBS["write"]
can_update_progress = DOCUMENT_VERBS["update_progress"]
can_check_accuracy = DOCUMENT_VERBS["check_accuracy"]
can_read_corrections = DOCUMENT_VERBS["read_corrections"]
can_run_questionnaire = DOCUMENT_VERBS["run_questionnaire"]
can_read_answers = DOCUMENT_VERBS["read_answers"]
can_invite_staff = DOCUMENT_VERBS["invite_staff"]
