"""One test per access rule of docs/domain.md §8 that applies to practices and ratings."""

import pytest
from django.urls import reverse

from core.roles import Role
from practices import access as practice_access

from ..factories import CommissionerFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible(user):
    return set(practice_access.practices_for(user).values_list("name", flat=True))


def detail_status(client, user, practice):
    client.force_login(user)
    return client.get(reverse("practices:detail", args=[practice.ods_code])).status_code


ALL = {"Own Practice", "Sibling Practice", "Other Practice", "Far Practice"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.COMMISSIONER_PEER_SUPPORT, {"Own Practice", "Sibling Practice"}),
        (Role.COMMISSIONER_LEAD, {"Own Practice", "Sibling Practice"}),
        (Role.PRACTICE_USER, {"Own Practice"}),
        (Role.PRACTICE_LEAD, {"Own Practice"}),
        (Role.RCGP_ADMIN, ALL),
        (Role.RCGP_DEPUTY_LEAD, ALL),
        (Role.RCGP_ADVISER, set()),
        (Role.NHSE_REPORTING, ALL),
    ],
)
def test_which_practices_each_role_sees(world, client, role, expected):
    user = world["users"][role]
    assert visible(user) == expected
    client.force_login(user)
    page = client.get(reverse("practices:list"), {"status": ""}).content.decode()
    for name in ALL:
        assert (name in page) == (name in expected), name
    for practice in world["practices"].values():
        assert detail_status(client, user, practice) == (200 if practice.name in expected else 404)


def test_practice_user_never_sees_another_practice(world, client):
    user = world["users"][Role.PRACTICE_USER]
    assert detail_status(client, user, world["practices"]["own_sibling"]) == 404
    assert detail_status(client, user, world["practices"]["other"]) == 404


def test_commissioner_sees_only_its_own_commissioners_practices(world, client):
    user = world["users"][Role.COMMISSIONER_PEER_SUPPORT]
    assert detail_status(client, user, world["practices"]["own_sibling"]) == 200
    assert detail_status(client, user, world["practices"]["other"]) == 404
    assert set(practice_access.commissioners_for(user)) == {world["own"]}


def test_icb_user_sees_practices_of_its_sub_icb_locations(db):
    icb = CommissionerFactory(ods_code="QOP", kind="icb")
    sub = CommissionerFactory(ods_code="00Y", parent=icb)
    elsewhere = PracticeFactory()
    inside = PracticeFactory(commissioner=sub)
    user = UserFactory(role=Role.COMMISSIONER_LEAD, commissioner=icb)
    assert list(practice_access.practices_for(user)) == [inside]
    assert elsewhere not in practice_access.practices_for(user)


def test_an_nhse_regional_team_sees_its_regions_practices(world):
    user = world["users"][Role.NHSE_REGIONAL]
    assert visible(user) == {"Own Practice", "Sibling Practice"}
    assert set(practice_access.commissioners_for(user)) == {world["own"]}


def test_rcgp_admin_and_deputy_lead_see_every_practice_and_rating(world):
    for role in (Role.RCGP_ADMIN, Role.RCGP_DEPUTY_LEAD):
        assert visible(world["users"][role]) == ALL


def test_adviser_sees_no_practice_without_a_contract(world, client):
    user = world["users"][Role.RCGP_ADVISER]
    assert visible(user) == set()
    assert detail_status(client, user, world["practices"]["own"]) == 404


def test_hidden_practice_answers_404_not_403(world, client):
    user = world["users"][Role.PRACTICE_LEAD]
    assert detail_status(client, user, world["practices"]["other"]) == 404


def test_user_without_role_or_inactive_sees_nothing(world, client):
    nobody = UserFactory(role="")
    assert visible(nobody) == set()
    inactive = world["users"][Role.RCGP_ADMIN]
    inactive.is_active = False
    inactive.save()
    assert visible(inactive) == set()


@pytest.mark.parametrize("name", ["practices:list", "home"])
def test_anonymous_user_is_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_user_is_sent_to_log_in_from_detail(client, world):
    response = client.get(reverse("practices:detail", args=[world["practices"]["own"].ods_code]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_check_on_one_practice_agrees_with_the_list_for_every_role(world):
    """Practices are register data, changed by imports only: seeing is their one verb, and its check on one
    practice and its queryset come from the same rule."""
    users = [*world["users"].values(), UserFactory(role="")]
    for user, practice in ((u, p) for u in users for p in world["practices"].values()):
        assert practice_access.can(user, "view", practice) == (practice.name in visible(user)), (user.role, practice)


# Which practices each role sees (the same as test_which_practices_each_role_sees, by hand).
SEEN = {
    Role.COMMISSIONER_PEER_SUPPORT: {"Own Practice", "Sibling Practice"},
    Role.COMMISSIONER_LEAD: {"Own Practice", "Sibling Practice"},
    Role.PRACTICE_USER: {"Own Practice"}, Role.PRACTICE_LEAD: {"Own Practice"},
    Role.RCGP_ADMIN: ALL, Role.RCGP_DEPUTY_LEAD: ALL, Role.RCGP_ADVISER: set(), Role.NHSE_REPORTING: ALL,
    Role.NHSE_REGIONAL: {"Own Practice", "Sibling Practice"},  # its region's (North West)
}


@pytest.mark.parametrize("role", list(Role.values))
def test_a_post_to_a_practice_page_changes_nothing_and_hides_what_is_hidden(world, client, role):
    """No practice page writes: a POST shows a practice the user sees as a GET would (200), a hidden one answers
    404, and the practice is unchanged either way."""
    client.force_login(world["users"][role])
    for practice in world["practices"].values():
        before = type(practice).objects.filter(pk=practice.pk).values().get()
        status = client.post(reverse("practices:detail", args=[practice.ods_code]), {"name": "Changed"}).status_code
        assert status == (200 if practice.name in SEEN[role] else 404), (role, practice.name, status)
        assert type(practice).objects.filter(pk=practice.pk).values().get() == before
