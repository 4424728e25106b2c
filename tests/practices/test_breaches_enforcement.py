"""The regulations an inspection found breached and CQC's enforcement, entered by hand from the report: who may,
what is refused (and nothing saved), stale versions, history, and that a CQC import leaves them alone."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.errors import DomainError, NothingChanged, StaleEdit
from core.roles import Role
from practices import access
from practices.imports.cqc import import_cqc_ratings
from practices.models import Enforcement, Inspection
from practices.regulation_services import (
    breaches_version,
    enforcement_record,
    enforcement_update,
    enforcement_withdraw,
    inspection_record_breaches,
    regulation_labels,
)

from ..api_support import Api
from ..conftest import CQC_SAMPLE, ODS_SAMPLE
from ..factories import UserFactory
from .factories import InspectionFactory

pytestmark = pytest.mark.django_db
D = datetime.date
R12, R17 = "Regulation 12: Safe care and treatment", "Regulation 17: Good governance"
WRITERS = {Role.RCGP_ADMIN, Role.COMMISSIONER_LEAD}


@pytest.fixture
def inspection(world):
    return InspectionFactory(practice=world["practices"]["own"], overall_rating="inadequate",
                             inspection_date=D(2024, 1, 10), publication_date=D(2024, 3, 1), report_link_id="r1")


def record(inspection, user, regulations, reason="From the report"):
    return inspection_record_breaches(inspection=inspection, regulations=regulations, reason=reason, actor=user,
                                      base_version=breaches_version(inspection))


# Breaches: the service ----------------------------------------------------------------------------------------

def test_labels_are_cqcs_in_cqcs_order_without_repeats():
    assert regulation_labels(["Regulation 17 Good governance", "reg 12", "12", "Regulation 20A"]) == [
        R12, R17, "Regulation 20A: Requirement as to display of performance assessments"]
    with pytest.raises(DomainError, match="“Bad governance” is not one of CQC's regulations"):
        regulation_labels(["Bad governance"])
    with pytest.raises(DomainError, match="“Regulation 99” is not one of CQC's regulations"):
        regulation_labels(["Regulation 99"])


@pytest.mark.parametrize("role", list(Role))
def test_only_rcgp_admin_and_the_commissioner_lead_record_breaches(world, inspection, role):
    user = world["users"][role]
    assert access.can_record_breaches(user, inspection.practice) == (role in WRITERS)
    if role in WRITERS:
        record(inspection, user, ["17", "Regulation 12 Safe care"])
        inspection.refresh_from_db()
        assert inspection.breached_regulations == [R12, R17]
    else:
        with pytest.raises(PermissionDenied, match="Only RCGP admins and the practice's commissioner leads"):
            record(inspection, user, ["17"])
        inspection.refresh_from_db()
        assert inspection.breached_regulations == []


def test_another_commissioners_lead_may_not(world, inspection):
    stranger = UserFactory(role=Role.COMMISSIONER_LEAD, commissioner=world["other"])
    assert not access.can_record_breaches(stranger, inspection.practice)
    with pytest.raises(PermissionDenied):
        record(inspection, stranger, ["17"])


def test_unknown_wording_and_no_reason_are_refused_and_nothing_is_saved(world, inspection):
    admin = world["users"][Role.RCGP_ADMIN]
    before = inspection.history.count()
    with pytest.raises(DomainError, match="“Poor leadership” is not one of CQC's regulations"):
        record(inspection, admin, ["17", "Poor leadership"])
    with pytest.raises(DomainError, match="Enter why you are changing the breached regulations"):
        record(inspection, admin, ["17"], reason="  ")
    inspection.refresh_from_db()
    assert inspection.breached_regulations == [] and inspection.history.count() == before


def test_history_keeps_each_change_with_its_reason_and_who(world, inspection):
    lead = world["users"][Role.COMMISSIONER_LEAD]
    record(inspection, lead, ["17"], reason="Report page 4")
    record(inspection, lead, ["12", "17"], reason="Report page 9 too")
    rows = list(inspection.history.order_by("-history_id")[:2])
    assert [r.breached_regulations for r in rows] == [[R12, R17], [R17]]
    assert [r.history_change_reason for r in rows] == ["breaches: Report page 9 too", "breaches: Report page 4"]
    assert {r.history_user_id for r in rows} == {lead.pk}


def test_a_stale_version_is_refused_with_what_changed(world, inspection):
    admin, lead = world["users"][Role.RCGP_ADMIN], world["users"][Role.COMMISSIONER_LEAD]
    started_from = breaches_version(inspection)
    record(inspection, admin, ["12"])
    with pytest.raises(StaleEdit) as stale:
        inspection_record_breaches(inspection=inspection, regulations=["17"], reason="x", actor=lead,
                                   base_version=started_from)
    assert stale.value.changes == [("Breached regulations", R12)]
    inspection.refresh_from_db()
    assert inspection.breached_regulations == [R12]


def test_the_same_breaches_again_change_nothing(world, inspection):
    admin = world["users"][Role.RCGP_ADMIN]
    record(inspection, admin, ["12"])
    inspection.refresh_from_db()
    with pytest.raises(NothingChanged):
        record(inspection, admin, ["Regulation 12 Safe care and treatment"])


def test_a_cqc_import_run_again_keeps_hand_entered_breaches():
    from practices.imports.ods import import_ods_practices

    import_ods_practices(ODS_SAMPLE)
    import_cqc_ratings(CQC_SAMPLE)
    inspection = Inspection.objects.filter(practice__ods_code="Y01124", overall_rating="inadequate").first()
    admin = UserFactory(role=Role.RCGP_ADMIN)
    record(inspection, admin, ["12", "17"])
    # The import changes a rating of that very inspection (as a corrected CQC record would), and runs again.
    Inspection.objects.filter(pk=inspection.pk).update(safe="good")
    import_cqc_ratings(CQC_SAMPLE)
    inspection.refresh_from_db()
    assert inspection.safe != "good"  # the import did write this inspection ...
    assert inspection.breached_regulations == [R12, R17]  # ... and left its breaches alone


# Breaches: the page -------------------------------------------------------------------------------------------

def breaches_url(inspection):
    return reverse("practices:inspection_breaches", args=[inspection.practice.ods_code, inspection.pk])


def test_the_form_ticks_stored_free_text_and_lists_what_it_cannot_read(client, world, inspection):
    Inspection.objects.filter(pk=inspection.pk).update(
        breached_regulations=["Regulation 17 Good governance", "Staff not trained"])
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    html = client.get(breaches_url(inspection)).content.decode()
    assert 'value="17" checked' in html and 'value="12" checked' not in html
    assert "Staff not trained" in html and "are not kept when you save" in html


def test_the_page_saves_labels_and_returns_to_the_inspection(client, world, inspection):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    response = client.post(breaches_url(inspection), {"regulations": ["12", "17"], "reason": "Report",
                                                      "version": breaches_version(inspection)})
    assert response.status_code == 302 and response["Location"].endswith(f"#inspection-{inspection.pk}")
    inspection.refresh_from_db()
    assert inspection.breached_regulations == [R12, R17]
    html = client.get(reverse("practices:detail", args=[inspection.practice.ods_code])).content.decode()
    assert f"Breaches: {R12}, {R17}" in html


def test_the_page_refuses_an_unknown_regulation_and_a_missing_reason_by_name(client, world, inspection):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    response = client.post(breaches_url(inspection), {"regulations": ["12", "99"], "reason": "",
                                                      "version": breaches_version(inspection)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "“99” is not one of CQC&#39;s regulations" in html or "“99” is not one of CQC's regulations" in html
    assert "Enter why you are changing them" in html
    inspection.refresh_from_db()
    assert inspection.breached_regulations == []


def test_the_page_answers_a_stale_version_with_409_and_what_changed(client, world, inspection):
    admin = world["users"][Role.RCGP_ADMIN]
    started_from = breaches_version(inspection)
    record(inspection, admin, ["12"])
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    response = client.post(breaches_url(inspection), {"regulations": ["17"], "reason": "Mine",
                                                      "version": started_from})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this inspection" in html and R12 in html
    assert f'name="version" value="{breaches_version(inspection)}"' in html  # saving again goes on from it
    inspection.refresh_from_db()
    assert inspection.breached_regulations == [R12]


def test_the_page_refuses_a_peer_support_commissioner_with_the_reason_and_hides_from_strangers(client, world,
                                                                                                inspection):
    client.force_login(world["users"][Role.COMMISSIONER_PEER_SUPPORT])
    assert client.get(breaches_url(inspection)).status_code == 403
    assert client.post(breaches_url(inspection), {"regulations": ["12"], "reason": "x",
                                                  "version": breaches_version(inspection)}).status_code == 403
    client.force_login(UserFactory(role=Role.COMMISSIONER_LEAD, commissioner=world["other"]))
    assert client.get(breaches_url(inspection)).status_code == 404
    # Another practice's inspection under this practice's address is not found either.
    other = InspectionFactory(practice=world["practices"]["own_sibling"], report_link_id="sib")
    client.force_login(world["users"][Role.RCGP_ADMIN])
    url = reverse("practices:inspection_breaches", args=[inspection.practice.ods_code, other.pk])
    assert client.get(url).status_code == 404
    inspection.refresh_from_db()
    assert inspection.breached_regulations == []


# Enforcement: the services ------------------------------------------------------------------------------------

@pytest.fixture
def breached(world, inspection):
    record(inspection, world["users"][Role.RCGP_ADMIN], ["12", "17"])
    inspection.refresh_from_db()
    return inspection


def notice(inspection, user, **values):
    fields = {"kind": "warning_notice", "regulations": ["12"], "issued_on": D(2024, 3, 15),
              "comply_by": D(2024, 5, 1)} | values
    return enforcement_record(practice=inspection.practice, inspection=inspection, actor=user, **fields)


@pytest.mark.parametrize("role", list(Role))
def test_only_rcgp_admin_and_the_commissioner_lead_record_enforcement(world, breached, role):
    user = world["users"][role]
    if role in WRITERS:
        enforcement = notice(breached, user)
        assert (enforcement.kind, enforcement.regulations, enforcement.recorded_by) == ("warning_notice", [R12],
                                                                                         user)
    else:
        with pytest.raises(PermissionDenied, match="record CQC's enforcement"):
            notice(breached, user)
        assert not Enforcement.objects.exists()


@pytest.mark.parametrize(("values", "message"), [
    ({"regulations": []}, "A warning notice names the regulations it is about"),
    ({"regulations": ["15"]}, "Regulation 15: Premises and equipment: not among the regulations the report "
                              "published 1 March 2024 found breached"),
    ({"regulations": ["Regulation 42"]}, "“Regulation 42” is not one of CQC's regulations"),
    ({"kind": "fine"}, "Choose the kind of enforcement"),
    ({"issued_on": D(2024, 1, 9)}, "on or after the inspection, 10 January 2024"),
    ({"issued_on": D(2099, 1, 1)}, "today or in the past"),
    ({"comply_by": D(2024, 3, 1)}, "The date to comply by must be on or after the date issued"),
    ({"ended_on": D(2024, 3, 14)}, "The date it ended must be on or after the date issued"),
])
def test_enforcement_refusals_name_the_problem_and_save_nothing(world, breached, values, message):
    with pytest.raises(DomainError, match=message):
        notice(breached, world["users"][Role.RCGP_ADMIN], **values)
    assert not Enforcement.objects.exists()


def test_conditions_need_no_regulation(world, breached):
    enforcement = notice(breached, world["users"][Role.RCGP_ADMIN], kind="conditions", regulations=[])
    assert enforcement.get_kind_display() == "Conditions imposed on registration"


def test_update_records_it_lifted_with_a_reason_and_refuses_a_stale_version(world, breached):
    admin, lead = world["users"][Role.RCGP_ADMIN], world["users"][Role.COMMISSIONER_LEAD]
    enforcement = notice(breached, admin)
    updated = enforcement_update(enforcement=enforcement, actor=lead, base_version=1, reason="CQC letter: met",
                                 ended_on=D(2024, 5, 2))
    assert (updated.ended_on, updated.version) == (D(2024, 5, 2), 2)
    latest = updated.history.latest()
    assert (latest.history_change_reason, latest.history_user_id) == ("CQC letter: met", lead.pk)
    with pytest.raises(StaleEdit) as stale:
        enforcement_update(enforcement=enforcement, actor=admin, base_version=1, reason="x", summary="Mine")
    assert stale.value.changes == [("Ended on", "2 May 2024")]
    enforcement.refresh_from_db()
    assert (enforcement.summary, enforcement.version) == ("", 2)
    with pytest.raises(DomainError, match="Enter why you are changing it"):
        enforcement_update(enforcement=enforcement, actor=admin, base_version=2, reason="", summary="x")
    with pytest.raises(NothingChanged):
        enforcement_update(enforcement=enforcement, actor=admin, base_version=2, reason="x", ended_on=D(2024, 5, 2))
    with pytest.raises(PermissionDenied):
        enforcement_update(enforcement=enforcement, actor=world["users"][Role.PRACTICE_LEAD], base_version=2,
                           reason="x", summary="x")


def test_withdraw_needs_a_reason_and_the_current_version_and_keeps_history(world, breached):
    admin = world["users"][Role.RCGP_ADMIN]
    enforcement = notice(breached, admin)
    with pytest.raises(DomainError, match="Enter why you are removing it"):
        enforcement_withdraw(enforcement=enforcement, actor=admin, base_version=1, reason=" ")
    with pytest.raises(StaleEdit):
        enforcement_withdraw(enforcement=enforcement, actor=admin, base_version=7, reason="Error")
    with pytest.raises(PermissionDenied):
        enforcement_withdraw(enforcement=enforcement, actor=world["users"][Role.COMMISSIONER_PEER_SUPPORT],
                             base_version=1, reason="Error")
    assert Enforcement.objects.filter(pk=enforcement.pk).exists()
    enforcement_withdraw(enforcement=enforcement, actor=admin, base_version=1, reason="Entered twice")
    assert not Enforcement.objects.filter(pk=enforcement.pk).exists()
    gone = Enforcement.history.filter(id=enforcement.pk).latest()
    assert (gone.history_type, gone.history_change_reason) == ("-", "removed: Entered twice")


# Enforcement: the pages -----------------------------------------------------------------------------------------

def test_a_lead_adds_enforcement_from_the_inspection_and_the_page_shows_it_beside_it(client, world, breached):
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    url = reverse("practices:enforcement_new", args=[breached.practice.ods_code, breached.pk])
    form = client.get(url).content.decode()
    assert 'value="12"' in form and 'value="17"' in form and 'value="15"' not in form  # the breaches only
    response = client.post(url, {"kind": "requirement_notice", "regulations": ["17"], "issued_on-day": "20",
                                 "issued_on-month": "3", "issued_on-year": "2024", "summary": "Governance"})
    assert response.status_code == 302
    [enforcement] = Enforcement.objects.all()
    assert (enforcement.inspection, enforcement.regulations) == (breached, [R17])
    html = client.get(reverse("practices:detail", args=[breached.practice.ods_code])).content.decode()
    row = html[html.index(f'id="inspection-{breached.pk}"'):]
    assert "Requirement notice issued 20 March 2024, in force" in row[:row.index("</tr>")]
    table = html[html.index('id="enforcement-table"'):]
    assert "Governance" in table[:table.index("</table>")]


def test_the_enforcement_form_names_each_missing_answer(client, world, breached):
    client.force_login(world["users"][Role.RCGP_ADMIN])
    url = reverse("practices:enforcement_new", args=[breached.practice.ods_code, breached.pk])
    response = client.post(url, {"kind": "warning_notice", "issued_on-day": "20"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Select the regulations the notice is about" in html
    assert "Date issued must include a month and year" in html
    assert not Enforcement.objects.exists()


def test_change_and_remove_pages_check_the_version(client, world, breached):
    admin = world["users"][Role.RCGP_ADMIN]
    enforcement = notice(breached, admin)
    enforcement_update(enforcement=enforcement, actor=admin, base_version=1, reason="x", summary="Theirs")
    client.force_login(world["users"][Role.COMMISSIONER_LEAD])
    edit = reverse("practices:enforcement_edit", args=[breached.practice.ods_code, enforcement.pk])
    data = {"kind": "warning_notice", "regulations": ["12"], "issued_on": "2024-03-15", "ended_on": "2024-04-30",
            "summary": "Mine", "reason": "Lifted", "version": 1}
    response = client.post(edit, data)
    assert response.status_code == 409 and "Theirs" in response.content.decode()
    assert 'name="version" value="2"' in response.content.decode()
    response = client.post(edit, data | {"version": 2})
    assert response.status_code == 302
    enforcement.refresh_from_db()
    assert (enforcement.ended_on, enforcement.summary, enforcement.version) == (D(2024, 4, 30), "Mine", 3)
    remove = reverse("practices:enforcement_remove", args=[breached.practice.ods_code, enforcement.pk])
    assert client.post(remove, {"reason": "Error", "version": 2}).status_code == 409
    assert client.post(remove, {"reason": "", "version": 3}).status_code == 422
    assert Enforcement.objects.filter(pk=enforcement.pk).exists()
    assert client.post(remove, {"reason": "Error", "version": 3}).status_code == 302
    assert not Enforcement.objects.filter(pk=enforcement.pk).exists()


def test_enforcement_pages_refuse_readers_and_hide_from_strangers(client, world, breached):
    enforcement = notice(breached, world["users"][Role.RCGP_ADMIN])
    ods = breached.practice.ods_code
    urls = [reverse("practices:enforcement_new", args=[ods, breached.pk]),
            reverse("practices:enforcement_edit", args=[ods, enforcement.pk]),
            reverse("practices:enforcement_remove", args=[ods, enforcement.pk])]
    for role, status in ((Role.PRACTICE_LEAD, 403), (Role.RCGP_DEPUTY_LEAD, 403), (Role.NHSE_REPORTING, 403)):
        client.force_login(world["users"][role])
        assert [client.get(url).status_code for url in urls] == [status] * 3, role
        assert client.post(urls[2], {"reason": "x", "version": 1}).status_code == status
    client.force_login(UserFactory(role=Role.PRACTICE_LEAD, practice=world["practices"]["other"]))
    assert [client.get(url).status_code for url in urls] == [404] * 3
    # Another practice's enforcement is not found under this practice's address.
    client.force_login(world["users"][Role.RCGP_ADMIN])
    other_ods = world["practices"]["own_sibling"].ods_code
    assert client.get(reverse("practices:enforcement_edit", args=[other_ods, enforcement.pk])).status_code == 404
    assert Enforcement.objects.get(pk=enforcement.pk).version == 1


def test_the_practice_page_offers_the_links_only_to_writers(client, world, breached):
    ods = breached.practice.ods_code
    for role in (Role.COMMISSIONER_LEAD, Role.COMMISSIONER_PEER_SUPPORT, Role.RCGP_DEPUTY_LEAD):
        client.force_login(world["users"][role])
        html = client.get(reverse("practices:detail", args=[ods])).content.decode()
        assert ("Record breaches" in html) == ("Add enforcement" in html) == (role == Role.COMMISSIONER_LEAD), role


def test_the_practice_page_query_count_does_not_grow_with_enforcement(client, world, breached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = world["users"][Role.COMMISSIONER_LEAD]
    client.force_login(lead)
    url = reverse("practices:detail", args=[breached.practice.ods_code])
    client.get(url)
    notice(breached, lead)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for day in range(16, 20):
        notice(breached, lead, issued_on=D(2024, 3, day))
    with CaptureQueriesContext(connection) as five:
        html = client.get(url).content.decode()
    assert html.count('class="app-timeline__enforcement"') == 5  # a diamond each on the timeline
    assert len(five) == len(one)


def test_the_api_reads_the_labels_stored(client, world, breached):
    """The API's breached_regulations is the list of strings stored (issue 19 item 5)."""
    body = Api(client, world["users"][Role.COMMISSIONER_LEAD]).get(
        reverse("api:practice-detail", args=[breached.practice.ods_code])).json()
    [shown] = [i for i in body["inspections"] if i["publication_date"] == "2024-03-01"]
    assert shown["breached_regulations"] == [R12, R17]
