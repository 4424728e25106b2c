"""Demo data: real Oldham practices and CQC ratings, named commissioners and one user per role.

Idempotent: running it again changes nothing. Practices, inspections and list sizes come from the
real public files bundled in practices/demo_data (see SOURCES.md there).
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from contracts.imports import import_contracts
from core.roles import Role
from core.services import user_upsert
from demo.advisers import seed_advisers
from demo.agreements import seed_agreements
from demo.alerts import seed_alerts
from demo.contractual import seed_contractual
from demo.data_returns import seed_data_returns
from demo.delivery import seed_delivery
from demo.enquiries import seed_enquiries
from demo.evaluation import seed_evaluation
from demo.events import seed_events
from demo.finance import seed_finance
from demo.levels import seed_levels
from demo.memberships import seed_memberships
from demo.monitoring import seed_monitoring
from demo.offers import seed_offers
from demo.people import seed_people
from demo.plans import seed_plan_links
from demo.regional import seed_regional
from demo.regulation import seed_regulation
from demo.returns import seed_returns
from demo.syncs import seed_syncs
from practices.imports.cqc import import_cqc_ratings
from practices.imports.list_sizes import import_list_sizes
from practices.imports.ods import import_ods_practices
from practices.models import Commissioner, Practice

DATA = Path(__file__).resolve().parent.parent / "practices" / "demo_data"
CONTRACT_DATA = Path(__file__).resolve().parent.parent / "contracts" / "demo_data"

DEMO_COMMISSIONER = "00Y"  # Oldham: the sub-ICB location with CQC records in the demo data
OTHER_COMMISSIONER = "16C"  # Tees Valley: a second commissioner, to show what is hidden
DEMO_PRACTICE = "P85022"  # Lees Medical Practice, Oldham
COMMISSIONER_NAMES = {
    "00Y": "NHS Greater Manchester ICB – Oldham",
    "QOP": "NHS Greater Manchester Integrated Care Board",
    "16C": "NHS North East and North Cumbria ICB – Tees Valley",
    "QHM": "NHS North East and North Cumbria Integrated Care Board",
}
ORGANISATION_FOR_ROLE = {
    Role.COMMISSIONER_PEER_SUPPORT: DEMO_COMMISSIONER,
    Role.COMMISSIONER_LEAD: DEMO_COMMISSIONER,
    Role.PRACTICE_USER: DEMO_PRACTICE,
    Role.PRACTICE_LEAD: DEMO_PRACTICE,
    Role.NHSE_REGIONAL: "Y62",  # North West, where the demo's practices are
}


# The demo's people, by username (the advisers' names come with the adviser pool below).
DEMO_NAMES = {
    "demo-commissioner_peer_support": ("Sam", "Taylor"), "demo-commissioner_lead": ("Priti", "Desai"),
    "demo-rcgp_admin": ("Tom", "Price"), "demo-practice_user": ("Jo", "Walker"),
    "demo-practice_lead": ("Aisha", "Khan"), "demo-nhse_reporting": ("Ben", "Morris"),
    "demo-nhse_regional": ("Nadia", "Rahman"),
    "demo-practice_lead-p85610": ("Owen", "Hughes"), "demo-practice_lead-p85026": ("Grace", "Lim"),
}


def _name(user):
    """Give a demo user their name once (a name changed in the demo stays)."""
    first_last = DEMO_NAMES.get(user.username)
    if first_last and not user.first_name:
        user.first_name, user.last_name = first_last
        user.save(update_fields=["first_name", "last_name"])


@dataclass
class DemoLogin:
    username: str
    role: str
    organisation: str


def demo_username(role):
    return f"demo-{role}"


@transaction.atomic
def seed_demo(log=print):
    for label, run in (
        ("ODS practices", lambda: import_ods_practices(DATA / "ods-epraccur-sample.csv")),
        ("CQC ratings", lambda: import_cqc_ratings(DATA / "cqc-oldham-gp-locations")),
        ("list sizes", lambda: import_list_sizes(DATA / "nhs-patients-registered-jan2021-sample.csv")),
        ("historical contracts", lambda: import_contracts(CONTRACT_DATA / "historical_contracts.csv")),
    ):
        log(f"{label}: {run().line()}")
    seed_syncs(log)  # the same files again, through the syncs: before the demo's own names below
    for code, name in COMMISSIONER_NAMES.items():
        Commissioner.objects.filter(ods_code=code).update(name=name)  # the demo's own short names win
    logins = []
    for role in Role:
        user, _created = user_upsert(
            username=demo_username(role.value), role=role.value, org_code=ORGANISATION_FOR_ROLE.get(role),
            password=settings.DEMO_PASSWORD, check_password=False,
        )
        _name(user)
        if user.is_staff or user.is_superuser:
            # The RCGP admin's powers come from its role, in the application; the Django admin is for the server's
            # operators (createsuperuser). Older demo databases made it a superuser: undone here.
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        logins.append(DemoLogin(user.username, role.label, str(user.organisation)))
    _seed_contracts(log)
    _seed_referral()
    _seed_questionnaire()
    _seed_regulatory(log)
    _seed_delivery(log)
    _seed_wider_offer(log)
    _seed_returns(log)
    _seed_people(log)
    for code in SECOND_PRACTICE_LEADS:
        logins.append(DemoLogin(practice_lead_username(code), Role.PRACTICE_LEAD.label,
                                str(Practice.objects.get(ods_code=code))))
    return logins


def _seed_regulatory(log):
    """The regulatory journey around the contracts (each in its own module): breaches, enforcement and what patients
    were told, alerts, the special-measures offers, plans tied to their inspection."""
    seed_regulation(log)
    seed_alerts(log)
    seed_offers(log)
    seed_plan_links(log)
    seed_contractual(log)
    seed_monitoring(log)


def _seed_delivery(log):
    """Each contract's delivery on the record (each in its own module): enquiries from every source, the agreements,
    visits, meetings and interviews, the costed plan with time and payments, and evaluation at closure (after
    seed_monitoring has handed DEMO-SHARED over)."""
    seed_enquiries(log)
    seed_agreements(log)
    seed_delivery(log)
    seed_finance(log)
    seed_evaluation(log)


def _seed_wider_offer(log):
    """Levels of support (derived from the special-measures episodes, some set by hand) and the offer beyond contracts:
    events, training, places and bursaries, and an Excellence practice supporting a Rescue one."""
    seed_levels(log)
    seed_events(log)


def _seed_returns(log):
    """NHS England's side (each in its own module): the regional team's referrals (one waiting for its decision, one
    approved), the year's allocations, and a region's data return submitted and resubmitted (last: it freezes what
    the records say, allocations included)."""
    seed_regional(log)
    seed_returns(log)
    seed_data_returns(log)


def _seed_people(log):
    """Organisations managing their own people: a person with two memberships, NHS England's people admin,
    invitations and the change log at the demo practice and commissioner, the adviser pool's availability and an
    ended conflict of interest."""
    seed_memberships(log)
    seed_people(log)
    seed_advisers(log)


def _seed_referral():
    """A self-referral from Hopwood House, received five working days ago, waiting for the commissioner."""
    import datetime

    from contracts.models import Referral
    from contracts.referral_services import referral_submit
    from contracts.working_days import add_working_days
    from core.models import User
    from practices.models import Practice

    practice = Practice.objects.get(ods_code="P85014")
    if Referral.objects.filter(practice=practice).exists():
        return
    lead = User.objects.get(username=demo_username(Role.COMMISSIONER_LEAD))
    received = add_working_days(datetime.date.today(), -5)
    referral_submit(
        actor=lead, practice=practice, received_on=received, contact_name="Dr Helen Ward",
        contact_role="Senior partner", contact_email="practice.manager@example.nhs.uk", contact_phone="0161 000 0000",
        commissioner_supports="yes", categories=["practice_management", "workforce", "coaching"],
        issues="Two GP vacancies since the spring and a long-serving practice manager retiring in March. "
               "Appointment availability has fallen and complaints have risen.",
        support_needed="Help to recruit and to plan the practice manager's succession; coaching for the new "
                       "partners.",
    )


DEMO_STAFF_EMAILS = ["receptionist@example.nhs.uk", "practice.nurse@example.nhs.uk", "salaried.gp@example.nhs.uk"]


def _seed_questionnaire():
    """An open staff questionnaire on DEMO-SHARED (Lees Medical Practice), to which the practice lead has invited
    three staff by e-mail. To try answering, sign in as the practice lead, print codes from the contract page
    and open one (the e-mailed links appear wherever EMAIL_URL sends mail)."""
    from contracts.models import Contract
    from core.models import User
    from forwardplans.questionnaire_services import questionnaire_invite_by_email, questionnaire_open

    contract = Contract.objects.filter(reference="DEMO-SHARED").first()
    if contract is None or contract.questionnaires.exists():
        return
    adviser = User.objects.get(username=demo_username(Role.RCGP_ADVISER))
    questionnaire = questionnaire_open(contract=contract, actor=adviser)
    questionnaire_invite_by_email(questionnaire=questionnaire, addresses=DEMO_STAFF_EMAILS,
                                  actor=User.objects.get(username=demo_username(Role.PRACTICE_LEAD)))


# Contracts -----------------------------------------------------------------------------------------

ADVISER_POOL = [
    # username, first, last, profession, region, capacity, conflict (practice or commissioner code, why)
    ("demo-rcgp_adviser", "Amira", "Shah", "gp", "North West", 3, None),
    ("demo-rcgp_deputy_lead", "Rachel", "Owens", "practice_nurse", "North West", 4, None),
    ("adviser-helen-brooks", "Helen", "Brooks", "practice_manager", "North West", 3, None),
    ("adviser-priya-raman", "Priya", "Raman", "gp", "North West", 2, None),
    ("adviser-mark-ellis", "Mark", "Ellis", "practice_manager", "Yorkshire and the Humber", 2,
     ("P85022", "Practice manager at Lees Medical Practice until 2024")),
    ("adviser-sunita-patel", "Sunita", "Patel", "clinical_pharmacist", "Midlands", 1,
     ("00Y", "Medicines optimisation lead employed by the Oldham locality")),
    ("adviser-grace-oneill", "Grace", "O'Neill", "practice_nurse", "North East", 2, None),
]

DEMO_CONTRACTS = [
    # reference, practice, programme, days ago commissioned, target stage, team usernames
    ("DEMO-SHARED", DEMO_PRACTICE, "diagnostic_forward_plan", 120, "review_meeting",
     ["demo-rcgp_adviser", "adviser-helen-brooks"]),
    ("DEMO-PRIVATE", "P85610", "special_measures", 60, "consent_decision",
     ["demo-rcgp_adviser", "adviser-priya-raman"]),
    ("DEMO-REPORT", "P85026", "resilience", 45, "report_drafting", ["demo-rcgp_adviser", "adviser-priya-raman"]),
    ("DEMO-AWAYDAY", "P85002", "whole_team_away_day", 20, "delivery", ["adviser-helen-brooks"]),
    ("DEMO-NEW", "P85014", "resilience", 3, "commissioned", []),
]
# The demo practice lead of each demo contract's practice (the demo's own for Lees Medical Practice).
SECOND_PRACTICE_LEADS = ["P85610", "P85026"]


def practice_lead_username(ods_code):
    return demo_username(Role.PRACTICE_LEAD) + ("" if ods_code == DEMO_PRACTICE else f"-{ods_code.lower()}")


def _practice_lead(practice):
    """The lead of a demo contract's practice, who checks its report and decides on consent."""
    user, _created = user_upsert(username=practice_lead_username(practice.ods_code),
                                 role=Role.PRACTICE_LEAD, org_code=practice.ods_code,
                                 password=settings.DEMO_PASSWORD, check_password=False)
    _name(user)
    return user


def _seed_advisers():
    from contracts.models import Adviser, ConflictOfInterest
    from core.models import User
    from practices.models import Practice

    for username, first, last, profession, region, capacity, conflict in ADVISER_POOL:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _ = user_upsert(username=username, role=Role.RCGP_ADVISER)
        if not user.first_name:
            User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
        adviser, created = Adviser.objects.get_or_create(
            user=user, defaults={"profession": profession, "region": region, "capacity": capacity})
        if created and conflict:
            code, why = conflict
            practice = Practice.objects.filter(ods_code=code).first()
            commissioner = None if practice else Commissioner.objects.get(ods_code=code)
            ConflictOfInterest.objects.create(adviser=adviser, practice=practice, commissioner=commissioner,
                                              description=why)


def _seed_contracts(log):
    import datetime

    from contracts import services
    from contracts.models import Contract
    from core.models import User
    from practices.models import Practice

    _seed_advisers()
    lead = User.objects.get(username=demo_username(Role.COMMISSIONER_LEAD))
    deputy = User.objects.get(username=demo_username(Role.RCGP_DEPUTY_LEAD))
    today = datetime.date.today()
    for reference, code, programme, days_ago, target, team in DEMO_CONTRACTS:
        if Contract.objects.filter(reference=reference).exists():
            continue
        commissioned = today - datetime.timedelta(days=days_ago)
        practice = Practice.objects.get(ods_code=code)
        contract = services.contract_commission(
            actor=lead, practice=practice, programme=programme, reference=reference,
            commissioned_on=commissioned, categories=["diagnostic", "change_management"],
            value=10000, nhse_contribution=10000, practice_contribution=0,
            mou_starts_on=commissioned + datetime.timedelta(days=10),
            mou_ends_on=commissioned + datetime.timedelta(days=190),
            objectives_operational_stability="A stable clinical rota and safe prescribing processes.",
            objectives_ways_of_working="Weekly partners' meeting with minutes; delegated practice management.",
            objectives_future_sustainability="A succession plan and a recruited salaried GP.",
        )
        _play(contract, target, team, deputy=deputy, practice_lead=_practice_lead(practice),
              commissioned=commissioned)
        log(f"contract {reference}: {target}")


def _play(contract, target, team, *, deputy, practice_lead, commissioned):
    """Take a demo contract to ``target`` through the case lifecycle, as its people would."""
    import datetime

    from casework.lifecycle import PATHS, track_of
    from casework.services import case_move
    from contracts import services
    from contracts.models import Adviser
    from demo.documents import write_plan, write_report

    path = PATHS[track_of(contract)]
    moves = {"lead_appointed": "appoint_lead", "team_recruited": "recruit_team", "scoping": "start_scoping",
             "delivery": "start_delivery", "report_drafting": "start_drafting",
             "factual_accuracy_review": "send_report", "consent_decision": "confirm_accuracy",
             "review_meeting": "give_consent"}
    for stage in path[1:path.index(target) + 1]:
        if stage == "team_recruited":
            services.contract_record_first_contact(contract=contract, actor=deputy,
                                                   contacted_on=commissioned + datetime.timedelta(days=4))
            for username in team:
                services.team_add_adviser(contract=contract, adviser=Adviser.objects.get(user__username=username),
                                          actor=deputy)
        actor = practice_lead if stage in ("consent_decision", "review_meeting") else deputy
        note = "Happy to share with the ICB quality team." if stage == "review_meeting" else ""
        contract = case_move(contract=contract, move=moves[stage], actor=actor, note=note)
        if stage == "report_drafting":
            contract.refresh_from_db()
            full = target != "report_drafting"
            write_report(contract, actor=deputy, sections=None if full else {
                "history": "A two-partner practice in Oldham; the senior partner plans to retire next year.",
                "personnel": "Two partners, one salaried GP, a practice manager in post for six months."})
            if full:
                write_plan(contract, actor=deputy, practice_lead=practice_lead)
