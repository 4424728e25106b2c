"""Access-matrix rows of the account pages (people/account_urls.py, ``account:``): each person's own.

The forgotten-password pages are open to everyone, signed in or not, and answer the same whoever asks (the reset
link's page is tried with a link naming no account: it says the link does not work, and logs only to the security
logger, so the GET writes nothing). The recovery codes page needs a session verified with two-factor
authentication: the matrix's sessions are not, so everyone is sent to the two-factor page (302). Everyone sees
their own memberships. POST: asking for a reset link gives everyone the same answer (on to the "check your email"
page); switching to someone else's membership is 404 for everyone (tests/people/test_memberships_switch.py
switches to one's own)."""

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import Membership
from tests.test_access_matrix import ALL, NONE

MATRIX = {
    "account:password_reset": (None, {"own": ALL}, 404, 200),
    "account:password_reset_sent": (None, {"own": ALL}, 404, 200),
    "account:password_reset_complete": (None, {"own": ALL}, 404, 200),
    "account:password_reset_confirm": ("password_reset_link", {"own": ALL, "other": ALL}, 404, 200),
    "account:recovery_codes": (None, {"own": NONE}, 302, 302),
    "account:memberships": (None, {"own": ALL}, 404, 302),
}


def _someone_elses_membership(objects, scope):
    return {"membership": str(objects["own"]["foreign_membership"])}


WRITES = {
    "account:password_reset": (None, lambda objects, scope: {"email": "nobody-at-all@example.nhs.uk"},
                               {"own": dict.fromkeys(ALL, "ok")}),
    "account:memberships": (None, _someone_elses_membership, {"own": {}}),
}
RECORD_WRITES = {"account:password_reset", "account:memberships"}


def add_objects(world, objects):
    """A reset link naming no account (a user id no row has), and the membership of someone outside the world's
    users (the other practice's lead the matrix adds)."""
    missing = urlsafe_base64_encode(force_bytes(2_000_000_000))
    for scope in ("own", "other"):
        objects[scope]["password_reset_link"] = [missing, "cdn2rk-0123456789abcdef0123456789abcdef"]
    users = {user.pk for user in world["users"].values()}
    objects["own"]["foreign_membership"] = Membership.objects.exclude(user_id__in=users).order_by("pk").first().pk
