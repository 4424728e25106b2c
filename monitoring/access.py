"""Who may see and write the commissioner's monitoring of its practices (docs/architecture.md, "Access").

- Monitoring records, their follow-ups and readiness reviews are the commissioner's: the users (peer support and
  leads) of the practice's commissioner, or of the ICB above it. A record marked shared with the practice is also
  read by the practice's own users, with its follow-ups (what, when, whose: the people the practice deals with);
  never a readiness review. Never RCGP (admin included), never NHSE, never another commissioner or practice.
- A review note on a forward plan's action (after handover) is read by whoever may read that action now, and only
  while the practice's consent to share stands (so the commissioner who wrote it, the practice and the contract's
  RCGP team; nobody once consent is withdrawn). It is written by the commissioner's users, with consent, once the
  contract has been handed over (casework/lifecycle.py: HANDED_OVER; a closed case is finished and its notes are
  kept, read-only).

Each verb is one ``Rule`` with its queryset face and its one-record face (core/roles.py), so a list and a check
cannot disagree; single records come from the ``get_*_or_404`` helpers, so a hidden one answers 404 like a missing
one.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from contracts.models import Contract
from contracts.workflow import State
from core import relations
from core.roles import COMMISSIONER_ROLES, PRACTICE_ROLES, Rule
from forwardplans import access as document_access
from forwardplans.access import shared_with_commissioner

from .models import ActionReviewNote, FollowUp, MonitoringRecord, ReadinessReview


def _commissioner_of_practice(user, practice):
    if practice is None or not relations.of_commissioner(user):
        return False
    if practice.commissioner_id == user.commissioner_id:
        return True
    return practice.commissioner.parent_id == user.commissioner_id


def _practice_commissioner_rule(path):
    """"The user is commissioner staff of the record's practice (or of the ICB above it)", for records whose
    practice is reached by ``path`` ("practice", "record__practice")."""

    def test(user, record=None):
        if record is None:
            return False
        practice = record
        for step in path.split("__"):
            practice = getattr(practice, step)
        return _commissioner_of_practice(user, practice)

    def q(user):
        if not relations.of_commissioner(user):
            return False
        return Q(**{f"{path}__commissioner__in": relations.commissioner_ids(user)})

    return Rule(test, f"commissioner_of_{path}", q=q)


def _shared_with_own_practice(user, record=None):
    return (record is not None and relations.of_practice(user) and record.shared_with_practice
            and record.practice_id == user.practice_id)


commissioner_of_practice = _practice_commissioner_rule("practice")
shared_with_own_practice = Rule(
    _shared_with_own_practice, "shared_with_own_practice",
    q=lambda user: Q(practice_id=user.practice_id, shared_with_practice=True) if relations.of_practice(user) else False)

# Records: the commissioner's users read and write them; the practice reads those shared with it.
RECORD_VERBS = {
    "view": commissioner_of_practice | shared_with_own_practice,
    "write": commissioner_of_practice,
}
RECORD_REFUSALS = {
    "write": "Only the practice's commissioner records and changes its monitoring.",
}
# Readiness reviews (and monitoring of a practice as a whole): the commissioner's users only.
PRACTICE_MONITORING = Rule(lambda user, practice=None: _commissioner_of_practice(user, practice),
                           "commissioner_of_practice_itself",
                           q=lambda user: (Q(commissioner__in=relations.commissioner_ids(user))
                                           if relations.of_commissioner(user) else False))


def can(user, verb, record):
    """May ``user`` do ``verb`` ("view", "write") with the monitoring ``record``?"""
    return RECORD_VERBS[verb].test(user, record)


def refusal(user, verb, record):
    return None if can(user, verb, record) else RECORD_REFUSALS.get(verb, "You cannot do this.")


def may_monitor(user, practice):
    """Whether ``user`` records the monitoring of ``practice`` (its commissioner's users): the practice's monitoring
    pages, new records and readiness reviews."""
    return PRACTICE_MONITORING.test(user, practice)


def may_read_monitoring(user):
    """Whether the user's role could ever read a monitoring record (no query): the practice page's panel and the
    API answer nothing at once for everyone else."""
    return relations.active(user) and user.role in COMMISSIONER_ROLES | PRACTICE_ROLES


def records_for(user):
    """Monitoring records the user may read."""
    return RECORD_VERBS["view"].filter(user, MonitoringRecord.objects.all())


def get_record_or_404(user, pk):
    return get_object_or_404(records_for(user).select_related("practice", "practice__commissioner", "recorded_by"),
                             pk=pk)


def follow_ups_for(user):
    """Follow-ups of the records the user may read."""
    return FollowUp.objects.filter(record__in=records_for(user))


def get_follow_up_or_404(user, pk):
    return get_object_or_404(follow_ups_for(user).select_related("record__practice__commissioner"), pk=pk)


def readiness_reviews_for(user):
    """Readiness reviews: the practice's commissioner's users only."""
    if not relations.of_commissioner(user):
        return ReadinessReview.objects.none()
    return ReadinessReview.objects.filter(practice__commissioner__in=relations.commissioner_ids(user))


def get_readiness_review_or_404(user, pk):
    return get_object_or_404(readiness_reviews_for(user).select_related("practice", "episode", "recorded_by"), pk=pk)


# Review notes on a forward plan's actions ------------------------------------------------------------------------

def _handed_over(user, contract=None):
    return contract is not None and contract.state == State.HANDED_OVER


handed_over = Rule(_handed_over, "handed_over", q=lambda user: Q(state=State.HANDED_OVER))
is_commissioner_staff = Rule(lambda user, record=None: relations.of_commissioner(user), "of_commissioner",
                             q=lambda user: relations.of_commissioner(user))

# Rules on the action's contract.
NOTE_VERBS = {
    "read": document_access.READ_DOCUMENTS & shared_with_commissioner,
    "write": is_commissioner_staff & relations.commissioner_of_contract & shared_with_commissioner & handed_over,
}
NOTE_REFUSALS = {
    "read": "Review notes are read while the practice consents to share its plan.",
    "write": "Only the commissioner's team writes review notes, once the contract has been handed over and while "
             "the practice consents to share its plan.",
}


def can_note(user, verb, contract):
    """May ``user`` do ``verb`` ("read", "write") with the review notes of ``contract``'s actions?"""
    return NOTE_VERBS[verb].test(user, contract)


def note_refusal(user, verb, contract):
    return None if can_note(user, verb, contract) else NOTE_REFUSALS[verb]


def review_notes_for(user):
    """Review notes the user may read: those of actions they may read now, while consent stands."""
    contracts = NOTE_VERBS["read"].filter(user, Contract.objects.all())
    return ActionReviewNote.objects.filter(action__plan__contract__in=contracts.values("pk"))


def get_review_note_or_404(user, pk):
    return get_object_or_404(review_notes_for(user), pk=pk)
