"""The demo's adviser pool, as the demo's RCGP admin keeps it (after the pool and the contracts' teams are seeded):
Grace O'Neill declared a conflict of interest with Quayside Medical Practice (P85026) while she was a locum practice
nurse there, ended since, so it stays on her record with its dates but no longer bars her; Mark Ellis is on
parental leave, unavailable until a day six weeks after the seed, so the deputy lead's team page does not offer him
before then.

Through the services (people/adviser_services.py), so each change is in the people log and the advisers' history.
Idempotent: a conflict already declared with that practice, or an absence already recorded once, is left as it is,
so running the seed again adds nothing and keeps what people changed since."""

import datetime

from django.utils import timezone

from contracts.models import Adviser
from core.models import User
from people.adviser_services import adviser_update, conflict_declare, conflict_end, version_of
from practices.models import Practice

ADMIN = "demo-rcgp_admin"
ENDED_CONFLICT = ("adviser-grace-oneill", "P85026", "Locum practice nurse at the practice for a year", 400, 60,
                  "Her locum contract there ended; no other tie to the practice.")
AWAY = ("adviser-mark-ellis", 42, "Parental leave: back from the date agreed with RCGP.")


def _adviser(username):
    return Adviser.objects.select_related("user").filter(user__username=username).first()


def _ended_conflict(admin, today, log):
    username, code, description, declared_days_ago, ended_days_ago, reason = ENDED_CONFLICT
    adviser, practice = _adviser(username), Practice.objects.filter(ods_code=code).first()
    if adviser is None or practice is None:
        log(f"advisers: no {username} or no practice {code}, no ended conflict")
        return
    if adviser.conflicts.filter(practice=practice).exists():
        return
    conflict = conflict_declare(adviser=adviser, practice_code=code, description=description,
                                declared_on=today - datetime.timedelta(days=declared_days_ago), actor=admin)
    conflict_end(conflict=conflict, ended_on=today - datetime.timedelta(days=ended_days_ago), reason=reason,
                 base_version=version_of(conflict), actor=admin)
    log(f"advisers: {adviser}'s conflict with {practice.name} declared and ended")


def _away(admin, today, log):
    username, days, reason = AWAY
    adviser = _adviser(username)
    if adviser is None:
        log(f"advisers: no {username}, nobody away")
        return
    if adviser.unavailable_until is not None or adviser.history.filter(unavailable_until__isnull=False).exists():
        return
    back = today + datetime.timedelta(days=days)
    adviser_update(adviser=adviser, profession=adviser.profession, region=adviser.region, capacity=adviser.capacity,
                   active=adviser.active, unavailable_until=back, reason=reason, base_version=version_of(adviser),
                   actor=admin)
    log(f"advisers: {adviser} unavailable until {back:%-d %B %Y}")


def seed_advisers(log=print):
    admin = User.objects.filter(username=ADMIN, is_active=True).first()
    if admin is None:
        log("advisers: no demo RCGP admin, the pool left as it is")
        return
    today = timezone.localdate()
    _ended_conflict(admin, today, log)
    _away(admin, today, log)
