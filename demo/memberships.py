"""Several memberships in the demo: the commissioner peer-support account also covers Tees Valley (so it sees both
commissioners' contracts, and can switch which one its home page follows), and national NHS England's demo account
manages NHS England's people."""

from core.models import Membership, User
from core.roles import Role
from core.services import membership_add, membership_set_manages_people
from practices.models import Commissioner

OTHER_COMMISSIONER = "16C"  # Tees Valley (demo/data.py)


def seed_memberships(log):
    peer = User.objects.get(username=f"demo-{Role.COMMISSIONER_PEER_SUPPORT}")
    other = Commissioner.objects.get(ods_code=OTHER_COMMISSIONER)
    if not Membership.objects.filter(user=peer, commissioner=other).exists():
        membership_add(user=peer, role=Role.COMMISSIONER_PEER_SUPPORT, commissioner=other)
    nhse = User.objects.get(username=f"demo-{Role.NHSE_REPORTING}")
    membership_set_manages_people(membership=Membership.objects.get(user=nhse, role=Role.NHSE_REPORTING),
                                  manages_people=True)
    log(f"memberships: {peer.username} also at {other}; {nhse.username} manages NHS England's people")
