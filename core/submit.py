"""The one way a page runs a write: a form or a button calls a service, and the person is told what happened.

A refusal (``DomainError``) saves nothing: on a form it becomes the error summary and what was typed stays; on a
button it becomes the error message of the page the person goes back to. A stale edit (someone saved first) also
moves the form on to the version now saved, so that saving again keeps the person's text over the newer one, on
purpose, after they have seen what changed."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404

from .errors import DomainError, NotAllowed, NothingChanged, StaleEdit


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: object = None
    conflict: StaleEdit | None = None


def run_for_form(form, call, *, field=None, current_version=None):
    """Call the service (``call()``) for a valid form. A refusal is added to ``field`` (None: the whole form); on a
    stale edit ``current_version()`` gives the version the form goes on from. ``NothingChanged`` is not a refusal
    and passes through, for the page to say so in its own words."""
    try:
        return Outcome(True, call())
    except NothingChanged:
        raise
    except StaleEdit as exc:
        form.add_error(field, str(exc))
        if current_version is not None:
            form.data = form.data.copy()
            form.data["version"] = str(current_version())
        return Outcome(False, conflict=exc)
    except DomainError as exc:
        form.add_error(field, str(exc))
        return Outcome(False)


def run_for_button(request, call, *, done):
    """Call the service for a button: ``done`` (text, or a function of the service's result) as the success
    message, or the refusal as the error message. Returns the Outcome; the view redirects either way."""
    try:
        value = call()
    except DomainError as exc:
        messages.error(request, str(exc))
        return Outcome(False, conflict=exc if isinstance(exc, StaleEdit) else None)
    messages.success(request, done(value) if callable(done) else done)
    return Outcome(True, value)


def page_status(form, outcome=None):
    """The HTTP status of a form page: 409 after a stale edit, 422 with errors, 200 otherwise."""
    if outcome is not None and outcome.conflict is not None:
        return 409
    return 422 if form.errors else 200


def refuse(request, refusal):
    """Refuse a request on a record the person can see but may not act on (``refusal``: the access rules' reason,
    or None to go on). A page they may not use does not exist for them (404, like a hidden record); a write is
    refused with the reason (403), so someone whose button went stale learns why nothing changed."""
    if not refusal:
        return
    if request.method in ("GET", "HEAD", "OPTIONS"):
        raise Http404
    raise NotAllowed(refusal)
