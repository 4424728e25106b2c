"""Demo data: real Oldham practices and CQC ratings, named commissioners and one user per role.

Idempotent: running it again changes nothing. Practices, inspections and list sizes come from the
real public files bundled in practices/demo_data (see SOURCES.md there).
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from practices.imports.cqc import import_cqc_ratings
from practices.imports.list_sizes import import_list_sizes
from practices.imports.ods import import_ods_practices
from practices.models import Commissioner

from .roles import Role
from .services import user_upsert

DATA = Path(__file__).resolve().parent.parent / "practices" / "demo_data"

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
}


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
    ):
        log(f"{label}: {run().line()}")
    for code, name in COMMISSIONER_NAMES.items():
        Commissioner.objects.filter(ods_code=code, name=code).update(name=name)
    logins = []
    for role in Role:
        user, _created = user_upsert(
            username=demo_username(role.value), role=role.value, org_code=ORGANISATION_FOR_ROLE.get(role),
            password=settings.DEMO_PASSWORD, check_password=False,
        )
        if role == Role.RCGP_ADMIN and not user.is_staff:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        logins.append(DemoLogin(user.username, role.label, str(user.organisation)))
    return logins
