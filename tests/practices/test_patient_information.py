"""Informing patients (002 §44-48): what a practice rated Inadequate or in special measures told its patients, where,
when, and the named senior responsible person. The practice's people and its commissioner's see and record it;
nobody else, RCGP admin included."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.errors import DomainError, NothingChanged, StaleEdit
from core.roles import Role
from practices import access
from practices.models import PatientInformation
from practices.regulation_services import patient_information_record, patient_information_update

from ..factories import UserFactory
from .factories import InspectionFactory

pytestmark = pytest.mark.django_db
D = datetime.date
SEES = {Role.PRACTICE_USER, Role.PRACTICE_LEAD, Role.COMMISSIONER_PEER_SUPPORT, Role.COMMISSIONER_LEAD}
VALUES = {"told_on": D(2024, 3, 10), "what": "What the rating means and our plan.",
          "channels": ["practice_website", "waiting_room"], "senior_responsible_person": "Dr A Patel, GP partner"}


@pytest.fixture
def failing(world):
    """Own Practice rated Inadequate on 1 March 2024: in special measures since then."""
    own = world["practices"]["own"]
    InspectionFactory(practice=own, overall_rating="inadequate", publication_date=D(2024, 3, 1),
                      report_link_id="inadequate")
    return own


def detail(client, user, practice):
    client.force_login(user)
    return client.get(reverse("practices:detail", args=[practice.ods_code])).content.decode()


# The services -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(Role))
def test_the_practice_and_its_commissioner_record_and_nobody_else(world, failing, role):
    user = world["users"][role]
    assert access.can_see_patient_information(user, failing) == (role in SEES)
    if role in SEES:
        record = patient_information_record(practice=failing, actor=user, **VALUES)
        # Channels kept in the vocabulary's order; linked to the episode that was open when patients were told.
        assert record.channels == ["waiting_room", "practice_website"]
        assert record.episode == failing.episodes.get(stage="special_measures")
        assert list(access.patient_information_for(user)) == [record]
    else:
        with pytest.raises(PermissionDenied, match="Only the practice and its commissioner"):
            patient_information_record(practice=failing, actor=user, **VALUES)
        assert not PatientInformation.objects.exists()


def test_other_organisations_neither_see_nor_record(world, failing):
    record = patient_information_record(practice=failing, actor=world["users"][Role.PRACTICE_LEAD], **VALUES)
    strangers = [UserFactory(role=Role.PRACTICE_LEAD, practice=world["practices"]["own_sibling"]),
                 UserFactory(role=Role.COMMISSIONER_LEAD, commissioner=world["other"]),
                 UserFactory(role=Role.RCGP_ADMIN), UserFactory(role=Role.NHSE_REPORTING)]
    for user in strangers:
        assert not access.patient_information_for(user).filter(pk=record.pk).exists(), user.role
        with pytest.raises(PermissionDenied):
            patient_information_update(record=record, actor=user, base_version=1, what="Changed")
    assert PatientInformation.objects.get(pk=record.pk).what == VALUES["what"]


@pytest.mark.parametrize(("values", "message"), [
    ({"channels": []}, "Select where patients were told"),
    ({"channels": ["billboard"]}, "“billboard” is not a place patients are told"),
    ({"senior_responsible_person": "  "}, "Enter the name of the senior responsible person"),
    ({"what": ""}, "Enter what patients were told"),
    ({"told_on": D(2099, 1, 1)}, "must be today or in the past"),
])
def test_refusals_name_the_problem_and_save_nothing(world, failing, values, message):
    with pytest.raises(DomainError, match=message):
        patient_information_record(practice=failing, actor=world["users"][Role.PRACTICE_USER], **(VALUES | values))
    assert not PatientInformation.objects.exists()


def test_update_checks_the_version_and_keeps_history(world, failing):
    practice_user, commissioner = world["users"][Role.PRACTICE_USER], world["users"][Role.COMMISSIONER_LEAD]
    record = patient_information_record(practice=failing, actor=practice_user, **VALUES)
    updated = patient_information_update(record=record, actor=commissioner, base_version=1,
                                         channels=["healthwatch", "commissioner_website"])
    assert (updated.version, updated.channels) == (2, ["healthwatch", "commissioner_website"])
    with pytest.raises(StaleEdit) as stale:
        patient_information_update(record=record, actor=practice_user, base_version=1, what="Mine")
    assert stale.value.changes == [("Where patients were told", "Healthwatch, Commissioner website")]
    with pytest.raises(NothingChanged):
        patient_information_update(record=record, actor=practice_user, base_version=2,
                                   channels=["commissioner_website", "healthwatch"])
    rows = list(record.history.order_by("history_id"))
    assert [(r.version, r.history_user_id) for r in rows] == [(1, practice_user.pk), (2, commissioner.pk)]
    assert PatientInformation.objects.get(pk=record.pk).what == VALUES["what"]


# The practice page ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(Role))
def test_only_the_practice_and_its_commissioner_see_the_section(client, world, failing, role):
    patient_information_record(practice=failing, actor=world["users"][Role.PRACTICE_LEAD], **VALUES)
    html = detail(client, world["users"][role], failing)
    assert ('id="informing-patients"' in html) == (role in SEES)
    assert ("Dr A Patel, GP partner" in html) == (role in SEES)


def test_a_prompt_until_patients_are_told_since_the_episode_began(client, world, failing):
    lead = world["users"][Role.PRACTICE_LEAD]
    html = detail(client, lead, failing)
    assert "Tell patients what the rating means" in html and "(since 1 March 2024)" in html
    # Told before this episode began: still prompted.
    patient_information_record(practice=failing, actor=lead, **(VALUES | {"told_on": D(2024, 2, 1)}))
    assert "Tell patients what the rating means" in detail(client, lead, failing)
    patient_information_record(practice=failing, actor=lead, **VALUES)
    html = detail(client, lead, failing)
    assert "Tell patients what the rating means" not in html
    section = html[html.index('id="informing-patients"'):html.index("<h2>Inspection history</h2>")]
    assert "Waiting room, Practice website" in section and "Told on 10 March 2024" in section


def test_no_prompt_for_a_practice_rated_good(client, world):
    own = world["practices"]["own"]
    InspectionFactory(practice=own, overall_rating="good", publication_date=D(2024, 3, 1), report_link_id="good")
    html = detail(client, world["users"][Role.PRACTICE_LEAD], own)
    assert 'id="informing-patients"' in html and "Tell patients what the rating means" not in html


def test_a_window_after_an_inadequate_key_question_prompts_too(client, world):
    own = world["practices"]["own"]
    InspectionFactory(practice=own, overall_rating="requires_improvement", well_led="inadequate",
                      publication_date=D(2024, 3, 1), report_link_id="window")
    html = detail(client, world["users"][Role.COMMISSIONER_PEER_SUPPORT], own)
    assert "Tell patients what the rating means" in html and "(since 1 March 2024)" in html


# The forms --------------------------------------------------------------------------------------------------------

def post_data(**changes):
    data = {"told_on-day": "10", "told_on-month": "3", "told_on-year": "2024", "what": "Our plan.",
            "channels": ["nhs_website", "ppg"], "senior_responsible_person": "Ms B Jones, practice manager"}
    data.update(changes)
    return data


def test_the_commissioner_records_on_the_practices_behalf(client, world, failing):
    client.force_login(world["users"][Role.COMMISSIONER_PEER_SUPPORT])
    response = client.post(reverse("practices:patient_information_new", args=[failing.ods_code]), post_data())
    assert response.status_code == 302 and response["Location"].endswith("#informing-patients")
    record = PatientInformation.objects.get()
    assert (record.told_on, record.channels, record.recorded_by) == (
        D(2024, 3, 10), ["nhs_website", "ppg"], world["users"][Role.COMMISSIONER_PEER_SUPPORT])


def test_the_form_names_each_missing_answer_and_saves_nothing(client, world, failing):
    client.force_login(world["users"][Role.PRACTICE_USER])
    response = client.post(reverse("practices:patient_information_new", args=[failing.ods_code]),
                           post_data(**{"told_on-month": "", "channels": [], "senior_responsible_person": ""}))
    assert response.status_code == 422
    html = response.content.decode()
    for message in ("Date patients were told must include a month", "Select where patients were told",
                    "Enter the name of the senior responsible person"):
        assert message in html
    assert not PatientInformation.objects.exists()


def test_the_edit_form_refuses_a_stale_version_with_409(client, world, failing):
    lead = world["users"][Role.PRACTICE_LEAD]
    record = patient_information_record(practice=failing, actor=lead, **VALUES)
    patient_information_update(record=record, actor=world["users"][Role.COMMISSIONER_LEAD], base_version=1,
                               senior_responsible_person="Dr C Khan, clinical director")
    client.force_login(lead)
    url = reverse("practices:patient_information_edit", args=[failing.ods_code, record.pk])
    assert 'name="told_on-day" type="text" value="10"' in client.get(url).content.decode()
    response = client.post(url, post_data(version="1"))
    assert response.status_code == 409 and "Dr C Khan, clinical director" in response.content.decode()
    response = client.post(url, post_data(version="2"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.version, record.senior_responsible_person) == (3, "Ms B Jones, practice manager")


def test_the_pages_are_not_found_by_anyone_else(client, world, failing):
    record = patient_information_record(practice=failing, actor=world["users"][Role.PRACTICE_LEAD], **VALUES)
    urls = [reverse("practices:patient_information_new", args=[failing.ods_code]),
            reverse("practices:patient_information_edit", args=[failing.ods_code, record.pk])]
    for user in (world["users"][Role.RCGP_ADMIN], world["users"][Role.RCGP_DEPUTY_LEAD],
                 world["users"][Role.NHSE_REPORTING],
                 UserFactory(role=Role.PRACTICE_LEAD, practice=world["practices"]["own_sibling"])):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404], user.role
        assert client.post(urls[1], post_data(version="1")).status_code == 404
    # A record of another practice is not found under this practice's address.
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    sibling = world["practices"]["own_sibling"].ods_code
    url = reverse("practices:patient_information_edit", args=[sibling, record.pk])
    assert client.get(url).status_code == 404
    assert PatientInformation.objects.get(pk=record.pk).version == 1


def test_each_new_rule_agrees_for_one_practice_and_its_queryset(world):
    from practices.models import Practice

    users = [*world["users"].values(), UserFactory(role=Role.PRACTICE_LEAD, is_active=False,
                                                   practice=world["practices"]["own"])]
    wrong = []
    for rule_name in ("RECORD_REGULATION", "PATIENT_INFORMATION"):
        rule = getattr(access, rule_name)
        for user in users:
            for practice in world["practices"].values():
                one = rule.test(user, practice)
                many = rule.filter(user, Practice.objects.filter(pk=practice.pk)).exists()
                if one != many:
                    wrong.append((rule_name, user.role, practice.name, one, many))
    assert wrong == []
