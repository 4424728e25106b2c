"""Access-matrix rows of signing in: the NHS-account pages (people/sso_urls.py, ``sso:``) and each organisation's
sign-in policy (people/sign_in_urls.py, ``people:sign_in``, at each organisation's slug).

The NHS-account pages are open to anyone, like the login page: a signed-in person is sent on to their home page
(302). The matrix's settings configure no provider, so for a visitor not signed in the provider the rows name does
not exist (404); with one configured, the start page sends them to the provider and the callback checks its answer
(tests/people/test_sso_flow.py, against a real provider process).

The sign-in policy page of an organisation is for its admins only (people/access.py): RCGP admin for RCGP, the
commissioner lead for their commissioner, the practice lead for their practice, an NHS England member with the
people-admin flag for NHS England (none among the world's users); anyone else finds nothing (404). The GET row is
a practice's (one row per URL name; tests/people/test_sign_in_policy.py goes through every kind for every role);
the POST rows cover the four kinds. The POST turns password sign-in back on (the rows add each organisation's
policy turned off), from the version stored."""

from people.models import SignInPolicy
from tests.test_access_matrix import ADM, CL, NONE, PL

MATRIX = {
    "sso:start": ("sso_provider", {"own": NONE, "other": NONE}, 302, 404),
    "sso:callback": ("sso_provider", {"own": NONE, "other": NONE}, 302, 404),
    # One row for the four kinds of organisation: the rows below (name/kind) are the same URL name.
    "people:sign_in": ("sign_in_practice", {"own": frozenset({PL}), "other": NONE}, 404, 302),
}


def _turn_on(kind):
    def data(objects, scope):
        policy = SignInPolicy.objects.get(pk=objects[scope][f"policy_{kind}"])
        return {"password_sign_in": "on", "reason": "Smartcard readers are down", "version": str(policy.version)}
    return data


WRITES = {
    "people:sign_in/rcgp": ("sign_in_rcgp", _turn_on("rcgp"), {"own": {ADM: "ok"}, "other": {ADM: "ok"}}),
    "people:sign_in/nhse": ("sign_in_nhse", _turn_on("nhse"), {"own": {}, "other": {}}),
    "people:sign_in/commissioner": ("sign_in_commissioner", _turn_on("commissioner"),
                                    {"own": {CL: "ok"}, "other": {}}),
    "people:sign_in/practice": ("sign_in_practice", _turn_on("practice"), {"own": {PL: "ok"}, "other": {}}),
}
RECORD_WRITES = {"people:sign_in"}


def add_objects(world, objects):
    """A provider name (not configured in the matrix), the organisations' ODS codes, and each organisation's policy
    with password sign-in turned off."""
    for scope in ("own", "other"):
        commissioner, practice = world[scope], world["practices"][scope]
        objects[scope]["sso_provider"] = ["nhs"]
        objects[scope]["sign_in_commissioner"] = [f"commissioner/{commissioner.ods_code}"]
        objects[scope]["sign_in_practice"] = [f"practice/{practice.ods_code}"]
        objects[scope]["sign_in_rcgp"] = ["rcgp"]
        objects[scope]["sign_in_nhse"] = ["nhse"]
        objects[scope]["policy_commissioner"] = SignInPolicy.objects.create(
            organisation_kind="commissioner", commissioner=commissioner, password_sign_in=False).pk
        objects[scope]["policy_practice"] = SignInPolicy.objects.create(
            organisation_kind="practice", practice=practice, password_sign_in=False).pk
    for kind in ("rcgp", "nhse"):
        policy = SignInPolicy.objects.create(organisation_kind=kind, password_sign_in=False).pk
        objects["own"][f"policy_{kind}"] = objects["other"][f"policy_{kind}"] = policy
