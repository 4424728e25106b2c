"""Working days in England and the 10-working-day acknowledgement SLA.

Every expected date below was counted by hand on a calendar (receipt day = day 0), not computed.
"""

import datetime

import pytest

from contracts.working_days import acknowledgement_due, add_working_days, is_working_day, working_days_between

D = datetime.date


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        # Fri 19 Dec 2025: Mon 22 (1), Tue 23 (2), Wed 24 (3), Thu 25 + Fri 26 Christmas/Boxing Day,
        # Mon 29 (4), Tue 30 (5), Wed 31 (6), Thu 1 Jan New Year's Day, Fri 2 (7), Mon 5 (8), Tue 6 (9), Wed 7 (10).
        (D(2025, 12, 19), D(2026, 1, 7), "Christmas, Boxing Day and New Year's Day 2025-26"),
        # Wed 1 Apr 2026: Thu 2 (1), Fri 3 Good Friday, Mon 6 Easter Monday, Tue 7 (2), Wed 8 (3), Thu 9 (4),
        # Fri 10 (5), Mon 13 (6), Tue 14 (7), Wed 15 (8), Thu 16 (9), Fri 17 (10).
        (D(2026, 4, 1), D(2026, 4, 17), "Good Friday and Easter Monday 2026"),
        # Fri 24 Dec 2027: Christmas Day and Boxing Day fall on Sat/Sun, so Mon 27 and Tue 28 are substitute
        # bank holidays; Wed 29 (1), Thu 30 (2), Fri 31 (3); New Year's Day is a Saturday so Mon 3 Jan 2028 is
        # its substitute; Tue 4 (4), Wed 5 (5), Thu 6 (6), Fri 7 (7), Mon 10 (8), Tue 11 (9), Wed 12 (10).
        (D(2027, 12, 24), D(2028, 1, 12), "substitute days for Christmas 2027 and New Year 2028"),
        # Wed 23 Dec 2026: Thu 24 (1), Fri 25 Christmas, Boxing Day is Sat 26 so Mon 28 is its substitute,
        # Tue 29 (2), Wed 30 (3), Thu 31 (4), Fri 1 Jan, Mon 4 (5), ... Fri 8 (9), Mon 11 (10).
        (D(2026, 12, 23), D(2027, 1, 11), "Boxing Day 2026 substitute"),
        # Mon 2 Mar 2026, no bank holidays: two plain weeks later.
        (D(2026, 3, 2), D(2026, 3, 16), "plain weeks"),
        # Thu 5 Mar 2026: Fri 6 (1), Mon 9..Fri 13 (2-6), Mon 16..Thu 19 (7-10).
        (D(2026, 3, 5), D(2026, 3, 19), "plain weeks from mid-week"),
        # Sat 7 Mar 2026 (received at the weekend): Mon 9 is day 1, Fri 20 is day 10.
        (D(2026, 3, 7), D(2026, 3, 20), "received on a Saturday"),
        # Tue 28 Apr 2026: Wed 29 (1), Thu 30 (2), Fri 1 May (3), Mon 4 May early May bank holiday,
        # Tue 5 (4), ... Fri 8 (7), Mon 11 (8), Tue 12 (9), Wed 13 (10).
        (D(2026, 4, 28), D(2026, 5, 13), "early May bank holiday"),
    ],
)
def test_acknowledgement_due_counts_working_days_by_hand(received, due, why):
    assert acknowledgement_due(received) == due, why
    assert add_working_days(received, 10) == due, why
    assert working_days_between(received, due) == 10, why


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(D(2025, 12, 25))  # Christmas Day, Thursday
    assert not is_working_day(D(2026, 4, 3))  # Good Friday
    assert not is_working_day(D(2026, 4, 6))  # Easter Monday
    assert not is_working_day(D(2027, 12, 27))  # substitute for Christmas Day (Saturday)
    assert not is_working_day(D(2027, 12, 28))  # substitute for Boxing Day (Sunday)
    assert not is_working_day(D(2026, 3, 7))  # Saturday
    assert not is_working_day(D(2026, 3, 8))  # Sunday
    assert is_working_day(D(2025, 12, 24))  # Christmas Eve is a working day
    assert is_working_day(D(2026, 3, 17))  # St Patrick's Day is a holiday in Northern Ireland, not England
    assert is_working_day(D(2026, 11, 30))  # St Andrew's Day: Scotland only


def test_add_working_days_small_steps_and_backwards():
    assert add_working_days(D(2026, 3, 6), 0) == D(2026, 3, 6)
    assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday + 1 = Monday
    assert add_working_days(D(2026, 4, 2), 1) == D(2026, 4, 7)  # Thursday before Easter + 1 = Tuesday after
    assert add_working_days(D(2026, 4, 7), -1) == D(2026, 4, 2)
    assert add_working_days(D(2026, 1, 7), -10) == D(2025, 12, 19)


def test_working_days_between():
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 8)) == 0  # Friday to Sunday
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9)) == 1
    assert working_days_between(D(2025, 12, 24), D(2025, 12, 29)) == 1  # over Christmas and Boxing Day
    assert working_days_between(D(2026, 3, 16), D(2026, 3, 2)) == -10
