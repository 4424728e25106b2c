"""Validators shared by forms and services."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from core.errors import DomainError

MAX_REASON = 2000


def reason_given(value, *, what="the change", required=True, max_length=MAX_REASON, refuse=DomainError):
    """The reason a person gave for a change, trimmed; refused (``refuse(message)`` is raised) when it is missing
    and ``required``, or longer than ``max_length``."""
    reason = (value or "").strip()
    if required and not reason:
        raise refuse(f"Enter the reason for {what}")
    if len(reason) > max_length:
        raise refuse(f"The reason must be {max_length} characters or fewer")
    return reason


@deconstructible
class MaxWordsValidator:
    """Free-text answers with a word limit (e.g. the self-referral's 200 words)."""

    def __init__(self, limit):
        self.limit = limit

    def __call__(self, value):
        count = len((value or "").split())
        if count > self.limit:
            raise ValidationError(
                f"Use {self.limit} words or fewer (you have used {count}).", code="max_words",
                params={"limit": self.limit, "count": count},
            )

    def __eq__(self, other):
        return isinstance(other, MaxWordsValidator) and other.limit == self.limit
