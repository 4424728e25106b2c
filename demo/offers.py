"""The demo's special-measures offers (contracts.Enquiry): one of each status, on the demo practices' own
special-measures episodes (the real Oldham history that seed_demo imports). Idempotent: the offer is one per
episode, and a reply is recorded only while none is."""

import datetime

from contracts.enquiry_services import enquiry_offer_open, enquiry_record_reply
from contracts.models import Contract
from core.models import User
from core.roles import Role
from practices.models import SpecialMeasuresEpisode

D = datetime.date

# (practice ODS code, the episode's start, the day the offer was made (None: today), the reply, its date, the
# contract an acceptance became)
OFFERS = [
    # Lees Medical Practice took the offer up: the special-measures support of its imported contract H-104.
    ("P85022", D(2017, 7, 6), D(2017, 7, 10), "accepted", D(2017, 7, 24), "H-104"),
    # Chadderton South Health Centre declined.
    ("P85607", D(2021, 5, 28), D(2021, 6, 1), "declined", D(2021, 6, 15), None),
    # Moorside Medical Practice never replied: past its reply date with none recorded, it shows as no reply.
    ("P85606", D(2021, 9, 23), D(2021, 9, 27), None, None, None),
    # The Duru Practice, in special measures now: offered today, awaiting a reply.
    ("Y01124", D(2023, 6, 23), None, None, None, None),
]


def seed_offers(log=print):
    admin = User.objects.filter(role=Role.RCGP_ADMIN, username="demo-rcgp_admin").first()
    for ods_code, started_on, on, outcome, replied_on, reference in OFFERS:
        episode = SpecialMeasuresEpisode.objects.special_measures().filter(
            practice__ods_code=ods_code, started_on=started_on).first()
        if episode is None:
            log(f"offer to {ods_code}: no special-measures episode from {started_on}, skipped")
            continue
        enquiry = enquiry_offer_open(episode=episode, on=on, actor=admin)
        if outcome and not enquiry.outcome and admin is not None:
            contract = Contract.objects.filter(reference=reference).first() if reference else None
            enquiry = enquiry_record_reply(enquiry=enquiry, outcome=outcome, on=replied_on, contract=contract,
                                           version=enquiry.version, actor=admin)
        log(f"offer to {ods_code}: {enquiry.status().label.lower()}")
