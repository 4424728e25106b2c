"""Submitting a region's data return for a deadline: a frozen copy of what the records say now
(returns/builder.py). A resubmission is a new numbered copy with its reason; the earlier ones are kept."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import DomainError, StaleEdit, require_allowed
from core.regions import Region

from . import access
from .builder import missing_mous, return_build
from .models import DataReturn, Deadline
from .targets import deadlines_ensure


def _saved_deadline(deadline):
    """``deadline`` saved (an unsaved default of the year is saved now) and locked, so that two submissions for it
    cannot take the same number."""
    if deadline.pk is None:
        numbers = {saved.number: saved for saved in deadlines_ensure(deadline.financial_year)}
        if deadline.number not in numbers:
            raise DomainError(f"The {deadline.financial_year} returns have no deadline {deadline.number}.")
        deadline = numbers[deadline.number]
    return Deadline.objects.select_for_update().get(pk=deadline.pk)


def _contracts(references):
    listed = ", ".join(references[:20]) + (f" and {len(references) - 20} more" if len(references) > 20 else "")
    return f"contract {listed}" if len(references) == 1 else f"contracts {listed}"


@transaction.atomic
def data_return_submit(*, region, deadline, actor, reason="", base_number=None):
    """Freeze ``region``'s return for ``deadline`` as submitted by ``actor``.

    ``base_number`` is the latest submitted number the person saw (0: none); if someone submitted since, the
    submission is refused as stale, so a first submission never becomes an unexplained resubmission. Refused, with
    nothing saved, while a supported contract has no MoU at all, or for a resubmission without a reason."""
    if region not in Region.values:
        raise DomainError("Choose an NHS England region.")
    require_allowed(access.refusal(actor, "submit", region))
    deadline = _saved_deadline(deadline)
    latest = DataReturn.objects.filter(region=region, deadline=deadline).aggregate(n=Max("number"))["n"] or 0
    if base_number is not None and base_number != latest:
        raise StaleEdit("Someone submitted this return while you were looking at it: look at the submitted "
                        "versions, then submit again if it still needs it.", [("Latest submission", latest)])
    reason = (reason or "").strip()
    if latest and not reason:
        raise DomainError(f"Enter the reason for resubmitting: return {latest} was already submitted.")
    now = timezone.now()
    content = return_build(region=region, deadline=deadline, now=now)
    missing = missing_mous(content)
    if missing:
        raise DomainError(f"The return cannot be submitted: {_contracts(missing)} of the region "
                          f"{'has' if len(missing) == 1 else 'have'} no MoU (no agreement drafted). Draft each "
                          "agreement first.")
    return DataReturn.objects.create(region=region, deadline=deadline, number=latest + 1,
                                     reason=reason if latest else "", content=content, submitted_by=actor,
                                     submitted_at=now)
