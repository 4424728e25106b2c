"""Two-factor recovery codes (core/security.py makes and checks them): what the recovery codes page reads and the
one write it makes."""

import logging

from django.db import transaction

from core.errors import DomainError
from core.security import RECOVERY_CODES, recovery_codes_left, recovery_codes_make

security_log = logging.getLogger("people.security")

__all__ = ["RECOVERY_CODES", "recovery_codes_left", "recovery_codes_renew"]


@transaction.atomic
def recovery_codes_renew(*, user, actor):
    """A new set of recovery codes for the person (their own only): the old set stops working at once. Returns
    the new codes, to be shown once."""
    if actor is None or actor.pk != user.pk:
        raise DomainError("You can only make recovery codes for yourself.")
    codes = recovery_codes_make(user)
    security_log.info("new recovery codes made by user %s", user.pk)
    return codes
