"""Dates and times as the NHS writes them, for pages, PDFs, Word files and e-mails."""

import datetime

from django.utils import timezone


def uk_date(value, fmt="%-d %B %Y"):
    """Dates as the NHS writes them: 2 June 2023. Datetimes in Europe/London."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return value.strftime(fmt)


def uk_datetime(value):
    return uk_date(value, "%-d %B %Y at %H:%M") if value else ""
