"""Demo: NHS England's regional team for the region the demo's practices sit in (North West, Y62, Oldham's), and two
self-referrals of its region assessed by the demo commissioner lead: one waiting for the team's regional decision,
the other approved (so resilience-programme support may be commissioned from it). Idempotent: run twice, nothing is
added twice."""

import datetime

from django.conf import settings
from django.db import transaction

from contracts.models import Referral, RegionalDecision
from contracts.referral_services import referral_assess, referral_regional_decide, referral_submit
from contracts.working_days import add_working_days
from core.models import User
from core.roles import Role
from core.services import user_upsert
from practices.models import Practice

# Named like the other demo users (demo/data.py demo_username: "demo-<role>"), not imported from there: demo.data
# seeds this module, and an import back would be a cycle.
REGIONAL_USERNAME = f"demo-{Role.NHSE_REGIONAL}"
REGIONAL_NAME = ("Nadia", "Rahman")
DEMO_COMMISSIONER = "00Y"  # Oldham, whose practices the demo's people work with
COMMISSIONER_LEAD = f"demo-{Role.COMMISSIONER_LEAD}"
# (practice, decision): one waits for the regional decision, one was approved.
REFERRALS = (("P85016", ""), ("P85019", RegionalDecision.APPROVED))


def _demo_region():
    """The region most of the demo commissioner's practices sit in (North West if none is known yet)."""
    regions = list(Practice.objects.filter(commissioner__ods_code=DEMO_COMMISSIONER).exclude(region="")
                   .values_list("region", flat=True))
    return max(set(regions), key=regions.count) if regions else "Y62"


def _regional_user():
    user, _created = user_upsert(username=REGIONAL_USERNAME, role=Role.NHSE_REGIONAL, org_code=_demo_region(),
                                 password=settings.DEMO_PASSWORD, check_password=False)
    if not user.first_name:
        user.first_name, user.last_name = REGIONAL_NAME
        user.save(update_fields=["first_name", "last_name"])
    return user


def _referral(practice, lead, received_on):
    return referral_submit(
        actor=lead, practice=practice, received_on=received_on, contact_name="Dr Sam Okafor",
        contact_role="Managing partner", contact_email="practice.manager@example.nhs.uk", commissioner_supports="yes",
        categories=["workforce", "coaching"],
        issues="A partner retiring and a salaried GP leaving in the same quarter; the waiting time for routine "
               "appointments has doubled.",
        support_needed="Help with a workforce plan and coaching for the remaining partners.")


@transaction.atomic
def seed_regional(log=print):
    """The demo's NHSE regional team (``demo-nhse_regional``) and its two referrals."""
    regional = _regional_user()
    log(f"NHSE regional team: {regional.username} ({regional.region})")
    lead = User.objects.filter(username=COMMISSIONER_LEAD).first()
    if lead is None:
        return regional
    today = datetime.date.today()
    for offset, (code, decision) in enumerate(REFERRALS):
        practice = Practice.objects.filter(ods_code=code).first()
        if practice is None or Referral.objects.filter(practice=practice).exists():
            continue
        referral = _referral(practice, lead, add_working_days(today, -(12 + 4 * offset)))
        referral = referral_assess(
            referral=referral, actor=lead, statement_of_support="The practice engages well and we support it.",
            priority="high", criteria=[], matrix_scope=4, matrix_impact=4,
            matrix_justification="Workforce gaps the practice cannot close alone.")
        if decision:
            referral_regional_decide(referral=referral, actor=regional, decision=decision,
                                     reason="Meets the national criteria; the region's allocation has room.",
                                     base_version=referral.version)
        log(f"referral from {practice.name}: {'approved by the region' if decision else 'waiting for the region'}")
    return regional
