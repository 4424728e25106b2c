"""The header's links are worked out once per kind of user and kept (dashboards/navigation.py): two people of the
same kind must get the same links from the access rules, whatever else differs between them (which organisation,
which region, their names), or the kept links would show one person another's."""

import itertools

import pytest
from django.test import RequestFactory

from core.models import User
from core.regions import Region
from core.roles import Role
from dashboards import navigation


def _people():
    """Unsaved people of every role, with and without an organisation or region, people-admin flag, superuser and
    staff flags, active or not, each in two versions that differ only in what the links must not depend on."""
    for role, has_org, region, manages, superuser, staff, active in itertools.product(
            ["", *Role.values], (False, True), ("", Region.LONDON), (False, True), (False, True), (False, True),
            (True, False)):
        twins = []
        for n, (org_id, other_region) in enumerate(((11, Region.LONDON), (22, Region.MIDLANDS))):
            person = User(pk=1000 + n, username=f"person-{n}", first_name=f"Name{n}", role=role, is_active=active,
                          is_superuser=superuser, is_staff=staff, manages_people=manages,
                          region=other_region if region else "")
            person.commissioner_id = org_id if has_org and role.startswith("commissioner") else None
            person.practice_id = org_id if has_org and role.startswith("practice") else None
            twins.append(person)
        yield twins


def test_two_people_of_the_same_kind_get_the_same_links_from_the_rules():
    links_of_kind, people = {}, 0
    for twins in _people():
        for person in twins:
            links = links_of_kind.setdefault(navigation._kind_of(person), navigation.links_of(person))
            assert navigation.links_of(person) == links, (person.role, navigation._kind_of(person))
            people += 1
    assert people == (len(Role.values) + 1) * 2 ** 6 * 2
    assert len(set(links_of_kind.values())) > 10  # the kinds do tell the links apart


@pytest.mark.django_db
def test_the_kept_links_are_the_rules_links_for_each_user_of_every_role(world):
    for role, user in world["users"].items():
        request = RequestFactory().get("/")
        request.user = user
        shown = [(item["text"], item["href"]) for item in navigation.navigation_for(request)]
        assert shown[:len(navigation.links_of(user))] == list(navigation.links_of(user)), role
        assert shown[len(navigation.links_of(user))][0].startswith("Notifications")
