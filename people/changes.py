"""The log of changes to an organisation's people (``PeopleChange``), written by every people service: one row per
change or refused attempt, with who, when, what and why. A refused attempt is logged too, as a warning on the
``people.security`` logger, without the personal data the row keeps for the organisation's admins."""

import logging

from .access import Organisation
from .models import PeopleChange

security_log = logging.getLogger("people.security")


def change_record(*, org, action, actor=None, subject=None, subject_email="", detail="", reason="", refused=False):
    """Record one change (or, with ``refused``, a refused attempt) to ``org``'s people (an ``Organisation``)."""
    if refused:
        security_log.warning("refused %s on %s by user %s: %s", action, org.kind,
                             getattr(actor, "pk", None), detail)
    return PeopleChange.objects.create(
        **org.fields(), action=action, actor=actor if getattr(actor, "pk", None) else None, subject=subject,
        subject_email=subject_email or (subject.email if subject is not None else ""), detail=detail[:300],
        reason=reason, outcome=PeopleChange.Outcome.REFUSED if refused else PeopleChange.Outcome.DONE)


__all__ = ["Organisation", "change_record"]
