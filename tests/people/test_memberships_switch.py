"""Switching between a person's memberships (``account:memberships``, core.services.membership_switch): the home
page, the navigation and the header follow the one in use; what the person may see is the union of all of them,
before and after."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.access import contracts_for
from core.models import Membership, User
from core.roles import Role
from core.services import membership_add
from tests.factories import ContractFactory, user_for

pytestmark = pytest.mark.django_db
R = Role


@pytest.fixture
def two_hats(world):
    """A commissioner lead at the first commissioner who is also a practice user at the other commissioner's
    practice, acting as the commissioner lead; a contract at each organisation."""
    person = user_for(R.COMMISSIONER_LEAD, commissioner=world["own"], username="robin", first_name="Robin")
    membership_add(user=person, role=R.PRACTICE_USER, practice=world["practices"]["other"])
    person.refresh_from_db()
    contracts = {"own": ContractFactory(practice=world["practices"]["own"], reference="OWN-7"),
                 "other": ContractFactory(practice=world["practices"]["other"], reference="OTHER-7")}
    return {"person": person, "contracts": contracts,
            "lead": Membership.objects.get(user=person, role=R.COMMISSIONER_LEAD),
            "practice": Membership.objects.get(user=person, role=R.PRACTICE_USER)}


def _header_role(html):
    text = re.sub(r"<[^>]+>", "", re.search(r'app-header__account-role">(.*?)</li>', html, re.S).group(1))
    return re.sub(r"\s+", " ", text).strip()


def _visible(user):
    user = User.objects.get(pk=user.pk)
    return set(contracts_for(user).values_list("reference", flat=True))


def test_the_page_lists_both_memberships_and_the_one_in_use(client, two_hats, world):
    client.force_login(two_hats["person"])
    html = client.get(reverse("account:memberships")).content.decode()
    rows = re.findall(r'<tr class="nhsuk-table__row" id="membership-(\d+)">(.*?)</tr>', html, re.S)
    assert [int(pk) for pk, _row in rows] == [two_hats["lead"].pk, two_hats["practice"].pk]
    assert "Commissioner lead" in rows[0][1] and world["own"].name in rows[0][1] and "In use" in rows[0][1]
    assert "Practice user" in rows[1][1] and "Other Practice" in rows[1][1] and "Use this" in rows[1][1]
    assert f'href="{reverse("account:memberships")}"' in html  # the header's "Switch"


def test_switching_changes_the_home_page_and_header_but_not_what_they_see(client, two_hats, world):
    person = two_hats["person"]
    before = _visible(person)
    assert {"OWN-7", "OTHER-7"} <= before
    client.force_login(person)
    home = client.get(reverse("home")).content.decode()
    assert "<h1>Your practices today</h1>" in home
    assert _header_role(home) == f"In use: Commissioner lead – {world['own'].name}"
    assert client.get(reverse("contracts:detail", args=["OTHER-7"])).status_code == 200

    switched = client.post(reverse("account:memberships"), {"membership": two_hats["practice"].pk})
    assert switched.status_code == 302 and switched["Location"] == reverse("home")
    person.refresh_from_db()
    assert (person.role, person.practice_id, person.commissioner_id, person.other_memberships) == (
        R.PRACTICE_USER, world["practices"]["other"].pk, None, 1)
    home = client.get(reverse("home")).content.decode()
    assert "Your practices today" not in home and "You are now using your membership as Practice user" in home
    assert _header_role(home) == f"In use: Practice user – {world['practices']['other']}"
    assert _visible(person) == before
    for reference in ("OWN-7", "OTHER-7"):
        assert client.get(reverse("contracts:detail", args=[reference])).status_code == 200

    # And back.
    client.post(reverse("account:memberships"), {"membership": two_hats["lead"].pk})
    person.refresh_from_db()
    assert person.role == R.COMMISSIONER_LEAD and _visible(person) == before


def test_someone_elses_membership_is_not_found_and_nothing_changes(client, two_hats, world):
    person = two_hats["person"]
    client.force_login(person)
    theirs = Membership.objects.get(user=world["users"][R.PRACTICE_LEAD])
    for value in (theirs.pk, 2_000_000_000):
        response = client.post(reverse("account:memberships"), {"membership": value})
        assert response.status_code == 404
    person.refresh_from_db()
    assert person.role == R.COMMISSIONER_LEAD
    assert client.post(reverse("account:memberships"), {"membership": "x"}).status_code == 302
    person.refresh_from_db()
    assert person.role == R.COMMISSIONER_LEAD


def test_switching_to_the_one_in_use_changes_nothing(client, two_hats):
    client.force_login(two_hats["person"])
    response = client.post(reverse("account:memberships"), {"membership": two_hats["lead"].pk}, follow=True)
    assert "You are already using that membership" in response.content.decode()


def test_a_person_with_one_membership_sees_it_with_no_switch_and_no_query_for_others(client, world):
    user = world["users"][R.PRACTICE_LEAD]
    client.force_login(user)
    html = client.get(reverse("account:memberships")).content.decode()
    assert "You hold one role, at one organisation." in html and "Use this" not in html and "In use" in html
    with CaptureQueriesContext(connection) as queries:
        home = client.get(reverse("practices:list")).content.decode()
    assert f'href="{reverse("account:memberships")}"' not in home
    assert _header_role(home) == f"Practice lead – {world['practices']['own']}"
    assert not [q["sql"] for q in queries.captured_queries if "resilience_membership" in q["sql"]]
