"""The RCGP adviser pool (issue 24, item 1): RCGP admin keeps each adviser's profession, region, capacity and
availability and their conflicts of interest with dates; every change and every refused attempt is in the people
log; an ended conflict no longer bars an adviser from a team, and an adviser away until a day is not offered nor
assignable before it; the pool page costs the same queries at any size."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Adviser, ConflictOfInterest, TeamMembership
from contracts.selectors import adviser_pool
from contracts.services import conflicts_for, team_add_adviser
from core.errors import DomainError, NothingChanged, StaleEdit
from core.roles import Role
from core.services import membership_add
from people import adviser_services as services
from people.adviser_services import version_of
from people.models import PeopleChange
from tests.factories import AdviserFactory, CommissionerFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
Action, Outcome = PeopleChange.Action, PeopleChange.Outcome


def day(offset):
    return TODAY() + datetime.timedelta(days=offset)


@pytest.fixture
def admin(world):
    return world["users"][Role.RCGP_ADMIN]


@pytest.fixture
def adviser(world):
    user = UserFactory(role=Role.RCGP_ADVISER, first_name="Helen", last_name="Brooks", email="helen@example.nhs.uk")
    return AdviserFactory(user=user, profession="practice_manager", region="North West", capacity=3)


@pytest.fixture
def contract(world):
    return ContractFactory(reference="31", practice=world["practices"]["own"], state="scoping",
                           deputy_lead=world["users"][Role.RCGP_DEPUTY_LEAD])


def log_of(user, action=None):
    rows = PeopleChange.objects.filter(subject=user)
    return list((rows.filter(action=action) if action else rows).order_by("at", "pk")
                .values_list("action", "outcome"))


def update(adviser, actor, **changes):
    fields = {"profession": adviser.profession, "region": adviser.region, "capacity": adviser.capacity,
              "active": adviser.active, "unavailable_until": adviser.unavailable_until, "reason": "Agreed at review",
              "base_version": version_of(adviser), **changes}
    return services.adviser_update(adviser=adviser, actor=actor, **fields)


# Adding to the pool --------------------------------------------------------------------------------------------

def test_an_rcgp_adviser_or_deputy_lead_without_a_profile_is_a_candidate_and_is_added_with_a_log_entry(world, admin):
    newcomer = UserFactory(role=Role.RCGP_ADVISER, first_name="Priya", last_name="Raman")
    deputy = UserFactory(role=Role.RCGP_DEPUTY_LEAD)
    UserFactory(role=Role.PRACTICE_LEAD, practice=world["practices"]["own"])
    in_pool = AdviserFactory().user
    second_role = UserFactory(role=Role.PRACTICE_USER, practice=world["practices"]["own"])
    membership_add(user=second_role, role=Role.RCGP_ADVISER)
    found = set(services.candidates().values_list("pk", flat=True))
    assert {newcomer.pk, deputy.pk, second_role.pk} <= found and in_pool.pk not in found
    assert world["users"][Role.PRACTICE_LEAD].pk not in found

    added = services.adviser_add(user=newcomer, profession="gp", region="North West", capacity=2, actor=admin)
    assert (added.user, added.profession, added.capacity, added.active) == (newcomer, "gp", 2, True)
    assert newcomer.pk not in set(services.candidates().values_list("pk", flat=True))
    change = PeopleChange.objects.get(subject=newcomer)
    assert (change.action, change.outcome, change.actor, change.organisation_kind) == (
        Action.ADVISER_UPDATED, Outcome.DONE, admin, "rcgp")
    assert "Added to the adviser pool" in change.detail
    assert added.history.get().history_user == admin


@pytest.mark.parametrize("case, message", [
    ("not_admin", "Only RCGP admin manages the adviser pool"),
    ("already", "already in the adviser pool"),
    ("not_rcgp", "Only active RCGP advisers and deputy leads"),
    ("capacity", "from 0 to 20"),
    ("region", "Enter the region"),
])
def test_adding_to_the_pool_refuses_with_a_clear_message_and_logs_the_attempt(world, admin, case, message):
    user = UserFactory(role=Role.RCGP_ADVISER)
    actor, fields = admin, {"profession": "gp", "region": "North West", "capacity": 3}
    if case == "not_admin":
        actor = world["users"][Role.RCGP_DEPUTY_LEAD]
    elif case == "already":
        AdviserFactory(user=user)
    elif case == "not_rcgp":
        user = UserFactory(role=Role.PRACTICE_USER, practice=world["practices"]["own"])
    elif case == "capacity":
        fields["capacity"] = 21
    else:
        fields["region"] = "  "
    before = Adviser.objects.count()
    with pytest.raises(DomainError, match=message):
        services.adviser_add(user=user, actor=actor, **fields)
    assert Adviser.objects.count() == before
    refused = PeopleChange.objects.get(subject=user)
    assert (refused.action, refused.outcome, refused.actor) == (Action.ADVISER_UPDATED, Outcome.REFUSED, actor)
    assert message in refused.detail


# An adviser's details and availability ------------------------------------------------------------------------

def test_an_update_saves_the_details_logs_what_changed_and_keeps_history_with_the_reason(admin, adviser):
    start = version_of(adviser)
    update(adviser, admin, capacity=5, region="Midlands", unavailable_until=day(30), reason="Back from leave in May")
    adviser.refresh_from_db()
    assert (adviser.capacity, adviser.region, adviser.unavailable_until) == (5, "Midlands", day(30))
    assert version_of(adviser) != start
    change = PeopleChange.objects.get(subject=adviser.user)
    assert (change.action, change.outcome, change.reason) == (Action.ADVISER_UPDATED, Outcome.DONE,
                                                              "Back from leave in May")
    assert "Capacity (live contracts at once): 3 → 5" in change.detail
    assert "Region: North West → Midlands" in change.detail
    latest = adviser.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason, latest.capacity) == (admin, "Back from leave in May", 5)
    assert services.availability(adviser) == f"Unavailable until {day(30):%-d %B %Y}"


def test_not_taking_work_and_back_today_are_told_apart(admin, adviser):
    update(adviser, admin, unavailable_until=TODAY())
    adviser.refresh_from_db()
    assert services.availability(adviser) == "Available"
    update(adviser, admin, active=False)
    adviser.refresh_from_db()
    assert services.availability(adviser) == "Not taking work"


@pytest.mark.parametrize("case, changes, error", [
    ("capacity below 0", {"capacity": -1}, "from 0 to 20"),
    ("capacity above 20", {"capacity": 21}, "from 0 to 20"),
    ("unavailable until in the past", {"unavailable_until": day(-1)}, "must be today or in the future"),
    ("no reason", {"reason": "  "}, "Enter the reason"),
    ("unknown profession", {"profession": "dentist"}, "Select the adviser's profession"),
    ("stale", {"base_version": 1}, "Someone changed this adviser's details"),
    ("not admin", {}, "Only RCGP admin"),
])
def test_an_update_refuses_with_a_clear_message_changes_nothing_and_is_logged_as_refused(world, admin, adviser, case,
                                                                                          changes, error):
    actor = world["users"][Role.COMMISSIONER_LEAD] if case == "not admin" else admin
    if case == "stale":
        changes = {"base_version": version_of(adviser) + 1000, "capacity": 4}
    before = (adviser.capacity, adviser.region, adviser.unavailable_until, version_of(adviser))
    with pytest.raises(DomainError, match=error) as raised:
        update(adviser, actor, **changes)
    if case == "stale":
        assert isinstance(raised.value, StaleEdit)
        assert ("Capacity (live contracts at once)", "3") in raised.value.changes
    adviser.refresh_from_db()
    assert (adviser.capacity, adviser.region, adviser.unavailable_until, version_of(adviser)) == before
    assert log_of(adviser.user) == [(Action.ADVISER_UPDATED, Outcome.REFUSED)]


def test_an_update_that_changes_nothing_says_so_and_saves_nothing(admin, adviser):
    version = version_of(adviser)
    with pytest.raises(NothingChanged):
        update(adviser, admin)
    assert version_of(adviser) == version and log_of(adviser.user) == []


# Conflicts of interest ----------------------------------------------------------------------------------------

def test_a_conflict_is_declared_with_a_practice_or_a_commissioner_by_ods_code_and_logged(world, admin, adviser):
    practice, commissioner = world["practices"]["own"], world["other"]
    first = services.conflict_declare(adviser=adviser, practice_code=practice.ods_code.lower(),
                                      description="Partner's spouse works there", declared_on=day(-10), actor=admin)
    second = services.conflict_declare(adviser=adviser, commissioner_code=commissioner.ods_code,
                                       description="Board member", declared_on=TODAY(), actor=admin)
    assert (first.practice, first.commissioner, first.declared_on, first.ended_on) == (practice, None, day(-10), None)
    assert (second.practice, second.commissioner) == (None, commissioner)
    assert log_of(adviser.user) == [(Action.CONFLICT_DECLARED, Outcome.DONE)] * 2
    assert first.history.get().history_user == admin


@pytest.mark.parametrize("case, fields, error", [
    ("neither", {}, "Enter the ODS code of the practice or of the commissioner"),
    ("both", {"practice_code": "OWN", "commissioner_code": "01A"}, "not both"),
    ("unknown practice", {"practice_code": "Z99999"}, "No practice has the ODS code Z99999"),
    ("unknown commissioner", {"commissioner_code": "99Z"}, "No commissioner has the ODS code 99Z"),
    ("declared in the future", {"commissioner_code": "01A", "declared_on": "tomorrow"}, "today or in the past"),
    ("no description", {"commissioner_code": "01A", "description": " "}, "Describe the conflict"),
    ("a current one already", {"commissioner_code": "01A", "twice": True}, "already has a conflict of interest"),
    ("not admin", {"commissioner_code": "01A", "actor": Role.RCGP_DEPUTY_LEAD}, "Only RCGP admin"),
])
def test_declaring_a_conflict_refuses_with_a_clear_message_and_logs_the_attempt(world, admin, adviser, case, fields,
                                                                                 error):
    fields = dict(fields)
    if fields.get("practice_code") == "OWN":
        fields["practice_code"] = world["practices"]["own"].ods_code
    if fields.pop("declared_on", None) == "tomorrow":
        fields["declared_on"] = day(1)
    actor = world["users"][fields.pop("actor")] if "actor" in fields else admin
    if fields.pop("twice", False):
        services.conflict_declare(adviser=adviser, commissioner_code="01A", description="Employed there",
                                  declared_on=TODAY(), actor=admin)
    before = ConflictOfInterest.objects.count()
    with pytest.raises(DomainError, match=error):
        services.conflict_declare(adviser=adviser, actor=actor, **{"description": "A conflict",
                                                                    "declared_on": TODAY(), **fields})
    assert ConflictOfInterest.objects.count() == before
    assert log_of(adviser.user, Action.CONFLICT_DECLARED)[-1] == (Action.CONFLICT_DECLARED, Outcome.REFUSED)


def test_a_conflict_ends_from_a_day_with_a_reason_and_stays_on_the_record(world, admin, adviser):
    conflict = services.conflict_declare(adviser=adviser, commissioner_code="01A", description="Employed there",
                                         declared_on=day(-100), actor=admin)
    services.conflict_end(conflict=conflict, ended_on=day(-1), reason="Left the ICB in March",
                          base_version=version_of(conflict), actor=admin)
    conflict.refresh_from_db()
    assert conflict.ended_on == day(-1)
    change = PeopleChange.objects.get(subject=adviser.user, action=Action.CONFLICT_ENDED)
    assert (change.outcome, change.reason) == (Outcome.DONE, "Left the ICB in March")
    assert conflict.history.order_by("-history_id").first().history_change_reason == "Left the ICB in March"


@pytest.mark.parametrize("case, error", [
    ("before declared", "must be on or after the day it was declared"),
    ("already ended", "already ended on"),
    ("stale", "Someone changed this conflict of interest"),
    ("no reason", "Enter the reason"),
    ("not admin", "Only RCGP admin"),
])
def test_ending_a_conflict_refuses_with_a_clear_message_and_logs_the_attempt(world, admin, adviser, case, error):
    conflict = services.conflict_declare(adviser=adviser, commissioner_code="01A", description="Employed there",
                                         declared_on=day(-100), actor=admin)
    fields = {"ended_on": day(-1), "reason": "Left", "base_version": version_of(conflict), "actor": admin}
    if case == "before declared":
        fields["ended_on"] = day(-101)
    elif case == "already ended":
        services.conflict_end(conflict=conflict, **fields)
        fields["base_version"] = version_of(conflict)
    elif case == "stale":
        fields["base_version"] += 1000
    elif case == "no reason":
        fields["reason"] = ""
    else:
        fields["actor"] = world["users"][Role.PRACTICE_LEAD]
    ended_before = ConflictOfInterest.objects.get(pk=conflict.pk).ended_on
    with pytest.raises(DomainError, match=error):
        services.conflict_end(conflict=conflict, **fields)
    assert ConflictOfInterest.objects.get(pk=conflict.pk).ended_on == ended_before
    assert log_of(adviser.user, Action.CONFLICT_ENDED)[-1] == (Action.CONFLICT_ENDED, Outcome.REFUSED)


# What assignment to a team makes of them ------------------------------------------------------------------------

def test_an_ended_conflict_no_longer_blocks_from_its_end_date(world, admin, adviser, contract):
    conflict = ConflictOfInterest.objects.create(adviser=adviser, practice=contract.practice,
                                                 description="Former partner", declared_on=day(-200))
    deputy = world["users"][Role.RCGP_DEPUTY_LEAD]
    services.conflict_end(conflict=conflict, ended_on=day(1), reason="Leaves tomorrow",
                          base_version=version_of(conflict), actor=admin)
    assert adviser.pk in conflicts_for(contract)  # ends tomorrow: it stands today
    assert adviser.pk not in conflicts_for(contract, on=day(1))
    with pytest.raises(DomainError, match="declared a conflict of interest"):
        team_add_adviser(contract=contract, adviser=adviser, actor=deputy)
    assert next(e for e in adviser_pool(contract) if e.adviser == adviser).conflicts
    ConflictOfInterest.objects.filter(pk=conflict.pk).update(ended_on=TODAY())  # ends today: no longer counts
    assert conflicts_for(contract) == {}
    assert next(e for e in adviser_pool(contract) if e.adviser == adviser).conflicts == []
    assert team_add_adviser(contract=contract, adviser=adviser, actor=deputy).adviser == adviser


def test_an_ended_conflict_with_the_icb_no_longer_blocks_either(world, admin, adviser, contract):
    icb = CommissionerFactory(ods_code="QXX", kind="icb")
    contract.commissioner.parent = icb
    contract.commissioner.save()
    conflict = services.conflict_declare(adviser=adviser, commissioner_code="QXX", description="Board member",
                                         declared_on=day(-30), actor=admin)
    with pytest.raises(DomainError, match="conflict of interest"):
        team_add_adviser(contract=contract, adviser=adviser, actor=admin)
    services.conflict_end(conflict=conflict, ended_on=day(-1), reason="Stood down",
                          base_version=version_of(conflict), actor=admin)
    assert team_add_adviser(contract=contract, adviser=adviser, actor=admin).adviser == adviser


def test_an_adviser_unavailable_until_a_day_is_not_offered_nor_assignable_before_it(world, admin, adviser, contract):
    deputy = world["users"][Role.RCGP_DEPUTY_LEAD]
    update(adviser, admin, unavailable_until=day(14), reason="On leave")
    adviser.refresh_from_db()
    assert adviser not in [entry.adviser for entry in adviser_pool(contract)]
    with pytest.raises(DomainError, match=f"unavailable until {day(14):%-d %B %Y}"):
        team_add_adviser(contract=contract, adviser=adviser, actor=deputy)
    assert not TeamMembership.objects.filter(adviser=adviser).exists()
    Adviser.objects.filter(pk=adviser.pk).update(unavailable_until=TODAY())  # the day they are back
    adviser.refresh_from_db()
    assert adviser in [entry.adviser for entry in adviser_pool(contract)]
    assert team_add_adviser(contract=contract, adviser=adviser, actor=deputy).adviser == adviser


def test_an_adviser_on_the_team_who_goes_away_is_still_listed_to_be_removed(world, admin, adviser, contract):
    team_add_adviser(contract=contract, adviser=adviser, actor=admin)
    update(adviser, admin, unavailable_until=day(7), reason="Sick leave")
    entry = next(e for e in adviser_pool(contract) if e.adviser == adviser)
    assert entry.on_team


def test_the_team_page_refuses_an_adviser_away_with_the_reason(client, world, admin, adviser, contract):
    Adviser.objects.filter(pk=adviser.pk).update(unavailable_until=day(3))
    client.force_login(world["users"][Role.RCGP_DEPUTY_LEAD])
    page = client.get(reverse("contracts:team", args=[contract.reference])).content.decode()
    assert "Helen Brooks" not in page
    response = client.post(reverse("contracts:team", args=[contract.reference]), {"adviser": adviser.pk})
    assert "unavailable until" in response.content.decode()
    assert not TeamMembership.objects.filter(adviser=adviser).exists()


# The pages ----------------------------------------------------------------------------------------------------

def _row(page, name):
    """The text of the pool table's row naming ``name`` (tags stripped)."""
    for row in re.findall(r"<tr class=\"nhsuk-table__row\" role=\"row\">(.*?)</tr>", page, re.S):
        if name in row:
            row = re.sub(r'<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*</span>', " ", row)
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"{name} not on the page")


def test_the_pool_page_shows_each_member_with_load_availability_and_current_conflicts(client, world, admin, adviser,
                                                                                       contract):
    deputy = world["users"][Role.RCGP_DEPUTY_LEAD]
    deputy.first_name, deputy.last_name = "Rachel", "Owens"
    deputy.save()
    AdviserFactory(user=deputy, profession="practice_nurse", region="North East", capacity=4, active=False)
    team_add_adviser(contract=contract, adviser=adviser, actor=admin)
    ended = ContractFactory(practice=world["practices"]["own_sibling"], state="closed")
    TeamMembership.objects.create(contract=ended, adviser=adviser, added_by=admin)
    ConflictOfInterest.objects.create(adviser=adviser, commissioner=world["other"], description="x")
    ConflictOfInterest.objects.create(adviser=adviser, commissioner=world["own"], description="y",
                                      declared_on=day(-9), ended_on=day(-1))
    away = AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, first_name="Mark", last_name="Ellis"),
                          unavailable_until=day(10))
    client.force_login(admin)
    page = client.get(reverse("people:advisers")).content.decode()
    assert _row(page, "Helen Brooks") == "Helen Brooks Practice manager North West 1 of 3 Available 1"
    assert _row(page, "Rachel Owens") == "Rachel Owens Deputy lead Practice nurse North East 0 of 4 Not taking work 0"
    assert f"Unavailable until {day(10):%-d %B %Y}" in _row(page, "Mark Ellis")
    assert reverse("people:adviser", args=[away.pk]) in page


def test_the_pool_page_filters_by_profession_region_and_availability(client, admin, adviser):
    AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, last_name="Gpnorth"), profession="gp", region="North East")
    AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, last_name="Awayone"), unavailable_until=day(5))
    AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, last_name="Stopped"), active=False)
    client.force_login(admin)

    def names(**query):
        response = client.get(reverse("people:advisers"), query)
        assert response.status_code == 200
        return {a.user.last_name for a in response.context["page"].object_list}

    assert names(profession="practice_manager") == {"Brooks"}
    assert names(region="North East") == {"Gpnorth"}
    assert names(availability="unavailable") == {"Awayone"}
    assert names(availability="not_taking_work") == {"Stopped"}
    assert names(availability="available") == {"Brooks", "Gpnorth"}
    assert client.get(reverse("people:advisers"), {"region": "Atlantis"}).status_code == 422


def test_the_pool_page_is_paged(client, admin):
    for n in range(30):
        AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER, last_name=f"Name{n:02}"))
    client.force_login(admin)
    first = client.get(reverse("people:advisers")).context["page"]
    second = client.get(reverse("people:advisers"), {"page": 2}).context["page"]
    assert (len(first.object_list), len(second.object_list), first.paginator.count) == (25, 5, 30)


QUERIES = []


def _pool_queries(client, size, admin, world):
    for n in range(size):
        adviser = AdviserFactory(user=UserFactory(role=Role.RCGP_ADVISER if n % 2 else Role.RCGP_DEPUTY_LEAD))
        contract = ContractFactory(practice=world["practices"]["own"], state="scoping")
        TeamMembership.objects.create(contract=contract, adviser=adviser, added_by=admin)
        ConflictOfInterest.objects.create(adviser=adviser, commissioner=world["other"], description="x")
        UserFactory(role=Role.RCGP_ADVISER)  # not yet in the pool
    client.get(reverse("people:advisers"))  # the session's first request loads what it keeps
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("people:advisers"))
    assert response.status_code == 200
    QUERIES[:] = [q["sql"][:150] for q in queries.captured_queries]
    return len(queries)


def test_the_pool_page_costs_the_same_queries_at_two_sizes(client, admin, world):
    client.force_login(admin)
    small = _pool_queries(client, 2, admin, world)
    large = _pool_queries(client, 12, admin, world)
    assert small == large, f"{small} queries for 2 advisers, {large} for 14:\n" + "\n".join(QUERIES)
    assert large <= 10


def test_members_not_yet_in_the_pool_are_listed_and_added(client, admin, world):
    newcomer = UserFactory(role=Role.RCGP_DEPUTY_LEAD, first_name="Grace", last_name="ONeill")
    client.force_login(admin)
    page = client.get(reverse("people:advisers")).content.decode()
    add = reverse("people:adviser_add", args=[newcomer.pk])
    assert "Grace ONeill" in _row(page, "Grace ONeill") and add in page
    response = client.post(add, {"profession": "practice_nurse", "region": "North East", "capacity": "25"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'href="#id_capacity"' in body and "from 0 to 20" in body and 'value="North East"' in body
    response = client.post(add, {"profession": "practice_nurse", "region": "North East", "capacity": "2"})
    adviser = Adviser.objects.get(user=newcomer)
    assert response.status_code == 302 and response["Location"] == reverse("people:adviser", args=[adviser.pk])
    assert client.get(add).status_code == 404  # in the pool now


def test_the_adviser_page_saves_a_change_and_refuses_a_past_date_against_its_field(client, admin, adviser):
    client.force_login(admin)
    url = reverse("people:adviser", args=[adviser.pk])
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["form"]["version"].value()
    data = {"profession": "practice_manager", "region": "North West", "capacity": "4", "active": "yes",
            "unavailable_until-day": str(day(-2).day), "unavailable_until-month": str(day(-2).month),
            "unavailable_until-year": str(day(-2).year), "reason": "Asked for fewer", "version": version}
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 422 and 'href="#id_unavailable_until"' in body
    assert "must be today or in the future" in body and "Asked for fewer" in body
    data.update({"unavailable_until-day": "", "unavailable_until-month": "", "unavailable_until-year": ""})
    response = client.post(url, data)
    assert response.status_code == 302
    adviser.refresh_from_db()
    assert adviser.capacity == 4
    page = client.get(url).content.decode()
    assert "Asked for fewer" in page and "Refused" in page  # the log: the change, and the refused attempt


def test_the_adviser_page_answers_a_stale_edit_with_409_and_what_changed(client, admin, adviser):
    client.force_login(admin)
    url = reverse("people:adviser", args=[adviser.pk])
    version = client.get(url).context["form"]["version"].value()
    update(adviser, admin, capacity=6, reason="Someone else")
    response = client.post(url, {"profession": "gp", "region": "North West", "capacity": "2", "active": "yes",
                                 "reason": "Mine", "version": version})
    body = response.content.decode()
    assert response.status_code == 409 and "Someone changed this adviser" in body
    assert "What the other person saved" in body
    assert response.context["form"].data["version"] == str(version_of(adviser))


def test_the_conflict_pages_declare_and_end_with_errors_against_their_fields(client, world, admin, adviser):
    client.force_login(admin)
    new = reverse("people:adviser_conflict_new", args=[adviser.pk])
    declared = {"declared_on-day": "1", "declared_on-month": "1", "declared_on-year": str(TODAY().year - 1),
                "description": "Former partner"}
    response = client.post(new, {**declared, "practice_code": "Z99999"})
    assert response.status_code == 422 and 'href="#id_practice_code"' in response.content.decode()
    response = client.post(new, {**declared, "practice_code": world["practices"]["own"].ods_code,
                                 "commissioner_code": "01A"})
    assert response.status_code == 422 and "not both" in response.content.decode()
    response = client.post(new, {**declared, "practice_code": world["practices"]["own"].ods_code})
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get(adviser=adviser)
    end = reverse("people:adviser_conflict_end", args=[adviser.pk, conflict.pk])
    assert end in client.get(reverse("people:adviser", args=[adviser.pk])).content.decode()
    version = client.get(end).context["form"]["version"].value()
    response = client.post(end, {"ended_on-day": "31", "ended_on-month": "12", "ended_on-year": str(TODAY().year - 2),
                                 "reason": "Left", "version": version})
    assert response.status_code == 422 and 'href="#id_ended_on"' in response.content.decode()
    response = client.post(end, {"ended_on": TODAY().isoformat(), "reason": "Left", "version": version})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.ended_on == TODAY()
    page = client.get(reverse("people:adviser", args=[adviser.pk])).content.decode()
    assert "Ended" in page and f"{TODAY():%-d %B %Y}" in page


def test_a_conflict_of_another_adviser_is_not_found_through_this_one(client, admin, adviser):
    other = AdviserFactory()
    conflict = ConflictOfInterest.objects.create(adviser=other, commissioner=CommissionerFactory(), description="x")
    client.force_login(admin)
    assert client.get(reverse("people:adviser_conflict_end", args=[adviser.pk, conflict.pk])).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.RCGP_ADMIN])
def test_everyone_but_rcgp_admin_finds_no_pool_page_and_changes_nothing(client, world, adviser, role):
    conflict = ConflictOfInterest.objects.create(adviser=adviser, commissioner=world["own"], description="x")
    candidate = UserFactory(role=Role.RCGP_ADVISER)
    client.force_login(world["users"][role])
    urls = [reverse("people:advisers"), reverse("people:adviser", args=[adviser.pk]),
            reverse("people:adviser_add", args=[candidate.pk]),
            reverse("people:adviser_conflict_new", args=[adviser.pk]),
            reverse("people:adviser_conflict_end", args=[adviser.pk, conflict.pk])]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"capacity": "5", "reason": "x"}).status_code == 404, url
    assert not Adviser.objects.filter(user=candidate).exists() and Adviser.objects.get(pk=adviser.pk).capacity == 3


# The demo ------------------------------------------------------------------------------------------------------

def test_the_demo_seed_gives_an_ended_conflict_and_an_absence_once(world):
    from demo.advisers import seed_advisers
    from tests.factories import PracticeFactory

    UserFactory(username="demo-rcgp_admin", role=Role.RCGP_ADMIN)
    grace = AdviserFactory(user=UserFactory(username="adviser-grace-oneill", role=Role.RCGP_ADVISER))
    mark = AdviserFactory(user=UserFactory(username="adviser-mark-ellis", role=Role.RCGP_ADVISER))
    practice = PracticeFactory(ods_code="P85026", commissioner=world["own"])
    contract = ContractFactory(practice=practice, state="scoping")
    lines = []
    seed_advisers(lines.append)
    seed_advisers(lines.append)
    conflict = ConflictOfInterest.objects.get(adviser=grace)
    assert conflict.ended_on == day(-60) and conflict.declared_on == day(-400)
    mark.refresh_from_db()
    assert mark.unavailable_until == day(42)
    assert len(lines) == 2 and PeopleChange.objects.count() == 3  # the second run added nothing
    offered = [entry.adviser for entry in adviser_pool(contract)]
    assert grace in offered and mark not in offered
