"""Validators shared by forms and services."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


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
