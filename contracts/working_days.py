"""Working days in England: Monday to Friday, bank holidays (and their substitute days) excluded.

The self-referral acknowledgement SLA (docs/domain.md §5) is counted in these days: the day of
receipt is day 0 and the acknowledgement is due by the end of working day 10.
"""

import datetime
import functools

import holidays

ACKNOWLEDGEMENT_WORKING_DAYS = 10
_ONE_DAY = datetime.timedelta(days=1)


@functools.cache
def _bank_holidays(year):
    """England's bank holidays in ``year``, substitute days included ("Christmas Day (observed)")."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start, n):
    """The date ``n`` working days after ``start`` (``start`` itself is day 0, working day or not).

    ``n`` may be negative to count backwards; ``add_working_days(d, 0)`` is ``d``.
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a, b):
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    For ``n >= 0`` the inverse of ``add_working_days``: ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    if b < a:
        return -working_days_between(b, a)
    count, day = 0, a
    while day < b:
        day += _ONE_DAY
        if is_working_day(day):
            count += 1
    return count


def acknowledgement_due(received_on):
    """When a self-referral received on ``received_on`` must be acknowledged by."""
    return add_working_days(received_on, ACKNOWLEDGEMENT_WORKING_DAYS)
