"""Sign-in lockout (django-axes) with a limit of its own for each kind of lockout.

Two lockouts, each counting failed sign-ins within ``AXES_COOLOFF_TIME``:

- one username from one address (``AXES_FAILURE_LIMIT``, 5): guessing one person's password. Keyed by the pair, so
  someone failing elsewhere cannot lock a real user out of their own address;
- one address, whatever the usernames (``AXES_ADDRESS_FAILURE_LIMIT``, 20): password spraying, a few guesses at
  many accounts.

Axes compares every combination of ``AXES_LOCKOUT_PARAMETERS`` with one limit; this handler measures each
combination against its own limit. A successful sign-in clears only that username's failures from that address,
so an attacker cannot clear the address's count by signing in to an account of their own.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

ADDRESS_ONLY = "ip_address"


def _limit_of(parameters, user_limit):
    return settings.AXES_ADDRESS_FAILURE_LIMIT if parameters == ADDRESS_ONLY else user_limit


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        """The failures of the combination nearest to its limit, in units of ``AXES_FAILURE_LIMIT`` (which axes
        compares them with): 20 failures from an address against a limit of 20 count as 5 against 5."""
        user_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for combination, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, failures * user_limit // _limit_of(combination, user_limit))
        return worst

    def reset_user_attempts(self, request, credentials=None):
        """After a successful sign-in: forget that username's failures from that address, nothing else."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
