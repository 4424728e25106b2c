"""GET /api/v1/offers/: the special-measures offers the caller may see (contracts.access.enquiries_for), filtered by
practice and derived status; read-only."""

import datetime

import pytest
from django.utils import timezone

from contracts.enquiry_services import enquiry_offer_open, enquiry_record_reply
from core.roles import Role

from ..api_support import api_for, error_of, fresh_throttle_cache  # noqa: F401
from ..factories import ContractFactory
from ..practices.factories import EpisodeFactory

pytestmark = pytest.mark.django_db
R = Role
OFFERS = "/api/v1/offers/"
D = datetime.date


def offer(practice, on):
    return enquiry_offer_open(episode=EpisodeFactory(practice=practice, started_on=on), on=on)


@pytest.fixture
def offers(world):
    """Own practice: accepted into a contract. Its sibling (same commissioner): no reply (made in 2026, due long
    ago). Another commissioner's practice: declined. A second offer to the own practice, made today: awaiting."""
    admin, practices = world["users"][R.RCGP_ADMIN], world["practices"]
    contract = ContractFactory(reference="77", practice=practices["own"])
    accepted = offer(practices["own"], D(2026, 3, 23))
    enquiry_record_reply(enquiry=accepted, outcome="accepted", on=D(2026, 4, 1), contract=contract, version=1,
                         actor=admin)
    no_reply = offer(practices["own_sibling"], D(2026, 3, 23))
    declined = offer(practices["other"], D(2026, 3, 23))
    enquiry_record_reply(enquiry=declined, outcome="declined", on=D(2026, 4, 2), version=1, actor=admin)
    awaiting = offer(practices["own"], timezone.localdate())
    return {"accepted": accepted, "no_reply": no_reply, "declined": declined, "awaiting": awaiting}


def ids(response):
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


SEES = {
    R.RCGP_ADMIN: {"accepted", "no_reply", "declined", "awaiting"},
    R.RCGP_DEPUTY_LEAD: {"accepted", "no_reply", "declined", "awaiting"},
    R.COMMISSIONER_LEAD: {"accepted", "no_reply", "awaiting"},
    R.COMMISSIONER_PEER_SUPPORT: {"accepted", "no_reply", "awaiting"},
    R.PRACTICE_LEAD: {"accepted", "awaiting"},
    R.PRACTICE_USER: {"accepted", "awaiting"},
    R.RCGP_ADVISER: set(),
    R.NHSE_REPORTING: set(),
}


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_gets_the_offers_it_may_see(client, world, offers, role):
    api = api_for(client, world, role)
    assert ids(api.get(OFFERS)) == {offers[name].pk for name in SEES[role]}
    for name, enquiry in offers.items():
        status = api.get(f"{OFFERS}{enquiry.pk}/").status_code
        assert status == (200 if name in SEES[role] else 404), (name, status)


def test_the_shape_of_an_offer(client, world, offers):
    row = api_for(client, world, R.RCGP_ADMIN).get(f"{OFFERS}{offers['accepted'].pk}/").json()
    assert row == {"id": offers["accepted"].pk, "practice": world["practices"]["own"].ods_code,
                   "source": "special_measures_offer", "opened_on": "2026-03-23", "reply_due": "2026-04-22",
                   "status": "accepted", "replied_on": "2026-04-01", "contract": "77",
                   "episode_started_on": "2026-03-23"}


@pytest.mark.parametrize(("status", "expected"), [("accepted", {"accepted"}), ("declined", {"declined"}),
                                                  ("no_reply", {"no_reply"}), ("awaiting", {"awaiting"})])
def test_filter_by_status(client, world, offers, status, expected):
    api = api_for(client, world, R.RCGP_ADMIN)
    assert ids(api.get(OFFERS, {"status": status})) == {offers[name].pk for name in expected}


def test_filter_by_practice_narrows_and_never_widens(client, world, offers):
    own = world["practices"]["own"].ods_code
    admin = api_for(client, world, R.RCGP_ADMIN)
    assert ids(admin.get(OFFERS, {"practice": own.lower()})) == {offers["accepted"].pk, offers["awaiting"].pk}
    lead = api_for(client, world, R.PRACTICE_LEAD)
    assert ids(lead.get(OFFERS, {"practice": world["practices"]["other"].ods_code})) == set()


def test_a_bad_status_is_a_400_naming_it(client, world, offers):
    error = error_of(api_for(client, world, R.RCGP_ADMIN).get(OFFERS, {"status": "maybe"}), 400)
    assert "status" in error["fields"]


def test_read_only_and_signed_in_only(client, world, offers):
    assert client.get(OFFERS).status_code == 401
    api = api_for(client, world, R.RCGP_ADMIN)
    response = api.client.post(OFFERS, {}, headers=api.headers())
    assert response.status_code == 405


def test_csv_export(client, world, offers):
    response = api_for(client, world, R.RCGP_ADMIN).get(OFFERS, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert len(lines) == 1 + 4 and "status" in lines[0].split(",")


def test_the_list_costs_the_same_queries_whatever_its_length(client, world, offers, django_assert_max_num_queries):
    api = api_for(client, world, R.RCGP_ADMIN)
    api.get(OFFERS)
    counts = []
    for _round in range(2):
        for _ in range(5):
            offer(world["practices"]["own_sibling"], D(2026, 2, 2))
        with django_assert_max_num_queries(6) as captured:
            assert api.get(OFFERS).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
