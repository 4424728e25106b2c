"""Forgotten passwords: asking for a reset link by e-mail, and setting a new password with it.

Asking gives the same answer whether or not an account has the address (no user enumeration): the request looks
the address up and enqueues the sending job (people/tasks.py, through forwardplans.outbox) in every case,
with the matching accounts' ids (none for an unknown address), so the page does the same work either way and sends
nothing itself. The job makes the link when it sends (people/reset_mail.py).

The link is Django's ``default_token_generator``: it names the account and carries a signature over the account's
password and last sign-in, so it stops working once the password changes (single use) or once
settings.PASSWORD_RESET_TIMEOUT has passed. Nothing about it is stored. Setting the new password checks the link
again with the account's row locked, so two tabs cannot both use it; it ends every session the person had signed in
with (core.sessions.sessions_end_for) and is recorded in the people log (``PASSWORD_RESET``), as is every refused
link of a known account.

Requests are limited per address and per client address (PER_ADDRESS and PER_CLIENT an hour, in the shared
cache): over the limit the answer is the same and nothing is sent.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from core.errors import DomainError
from core.models import User
from core.sessions import sessions_end_for
from forwardplans import outbox

from .changes import Organisation, change_record
from .models import PeopleChange

security_log = logging.getLogger("people.security")

RESET_TASK = "people.tasks.send_password_reset_emails"
PER_ADDRESS = 5  # requests an hour for one e-mail address
PER_CLIENT = 30  # requests an hour from one client address
WINDOW_SECONDS = 60 * 60


def link_refused_text():
    """What a person is told about a link that does not work (whatever the reason: the log says which)."""
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    return (f"This link does not work. It may have been used already, be more than {minutes} minute"
            f"{'' if minutes == 1 else 's'} old, or be incomplete. Ask for a new link.")


# Asking for a link --------------------------------------------------------------------------------------------------

def _key(kind, value):
    return f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _count(key):
    """Count one request against ``key`` in this window; returns the count so far."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def over_limit(address, client):
    """Count this request for the address and the client; whether either is over its hourly limit."""
    by_address = _count(_key("address", address.lower())) > PER_ADDRESS
    by_client = bool(client) and _count(_key("client", client)) > PER_CLIENT
    return by_address or by_client


@transaction.atomic
def password_reset_request(*, email, client=""):
    """Ask for a reset link for ``email``. Says nothing about whether an account has it: the e-mail (a link, or a
    note that the account signs in with an NHS identity) goes out from the job, to each active account with that
    address. Returns nothing, on purpose."""
    address = (email or "").strip()
    if over_limit(address, client):
        security_log.warning("password reset requests over the hourly limit from client %s", client or "unknown")
        ids = []
    else:
        ids = list(User.objects.filter(email__iexact=address, is_active=True).order_by("pk")
                   .values_list("pk", flat=True))
    outbox.enqueue(RESET_TASK, ids)


# Using a link -------------------------------------------------------------------------------------------------------

def _organisation(user):
    """The organisation of the membership the person acts in (None for an account with no role)."""
    return Organisation.of(user) if user.role else None


def link_problem(user, token):
    """Why a link was refused, for the log (never shown: the person sees link_refused_text())."""
    if user is None:
        return "no such account, or the link was altered"
    if not user.is_active:
        return "the account is deactivated"
    if token == PasswordResetConfirmView.reset_url_token:
        return "no reset in progress in this browser session (already used, or opened in another browser)"
    try:
        stamp = base36_to_int(str(token).split("-")[0])
    except ValueError:
        return "the link was altered"
    generator = default_token_generator
    secrets = [generator.secret, *generator.secret_fallbacks]
    signed = any(constant_time_compare(generator._make_token_with_timestamp(user, stamp, secret), token)
                 for secret in secrets)
    if signed and generator._num_seconds(generator._now()) - stamp > settings.PASSWORD_RESET_TIMEOUT:
        return "expired"
    return "already used (the password or last sign-in changed since), or altered"


def password_reset_refused(*, user, token):
    """Log a refused link: on the ``people.security`` logger, and in the people log when the account is known."""
    problem = link_problem(user, token)
    org = _organisation(user) if user is not None else None
    if org is not None:
        change_record(org=org, action=PeopleChange.Action.PASSWORD_RESET, subject=user, refused=True,
                      detail=f"Password reset link refused: {problem}.")
    else:
        security_log.warning("refused password reset link for user %s: %s", getattr(user, "pk", None), problem)
    return problem


def password_reset_complete(*, user, token, password):
    """Set the person's new password with a reset link (``token``), once: checked again with their row locked, so
    a second use (another tab) is refused. Ends every session they had signed in with. The password has passed the
    validators (the form). Atomic; a refusal is logged after its transaction, so that the log row stays."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        usable = locked.is_active and default_token_generator.check_token(locked, token)
        if usable:
            locked.set_password(password)
            locked._change_reason = "password reset by e-mail link"
            locked.save(update_fields=["password"])
            ended = sessions_end_for(locked)
            org = _organisation(locked)
            detail = f"Password reset by e-mail link; {ended} signed-in session{'' if ended == 1 else 's'} ended."
            if org is not None:
                change_record(org=org, action=PeopleChange.Action.PASSWORD_RESET, actor=locked, subject=locked,
                              detail=detail)
            security_log.info("password reset for user %s; %s session(s) ended", locked.pk, ended)
    if not usable:
        password_reset_refused(user=locked, token=token)
        raise DomainError(link_refused_text())
    return locked
