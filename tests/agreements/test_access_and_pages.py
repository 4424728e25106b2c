"""Who reads, changes and signs the agreement, on every door: the rules (one record and queryset agree), the pages
(NHS error summary, what was typed kept, 404 for the hidden, 403 with the reason for the seen), the Word copy,
the contract page's panel and the API."""

import datetime
import io
from itertools import product

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from agreements import access, services
from agreements.models import Agreement, Contribution, Objective
from contracts.models import Contract
from core.roles import Role
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Role
READERS = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD,
           R.PRACTICE_USER, R.PRACTICE_LEAD}
WRITERS = {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.COMMISSIONER_LEAD}
SIGNERS = {"practice": {R.PRACTICE_LEAD}, "commissioner": {R.COMMISSIONER_LEAD},
           "rcgp": {R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD}}


@pytest.fixture
def other(world):
    """Another commissioner's practice's contract, led by another deputy lead, with its agreement."""
    deputy = UserFactory(role=R.RCGP_DEPUTY_LEAD)
    contract = ContractFactory(reference="AG-2", practice=world["practices"]["other"], deputy_lead=deputy)
    services.agreement_draft(contract=contract, actor=deputy)
    return contract


def test_every_verb_gives_the_same_answer_for_one_contract_as_its_queryset(world, agreement, other):
    users = [*world["users"].values(), UserFactory(role=R.RCGP_ADMIN, is_active=False)]
    wrong = []
    for (verb, rule), user, contract in product(access.VERBS.items(), users, (agreement.contract, other)):
        record = Contract.objects.get(pk=contract.pk)
        one = rule.test(user, record)
        many = rule.filter(user, Contract.objects.filter(pk=record.pk)).exists()
        if one != many:
            wrong.append((verb, user.role, contract.reference, one, many))
    assert wrong == []


def test_the_parties_read_it_and_nhse_never_does(world, agreement, other, client):
    for role, user in world["users"].items():
        wanted = role in READERS
        assert access.agreements_for(user).filter(pk=agreement.pk).exists() == wanted, role
        assert access.agreements_for(user).filter(contract=other).exists() == (role == R.RCGP_ADMIN), role
        client.force_login(user)
        for name in ("agreements:detail", "agreements:word"):
            response = client.get(reverse(name, args=[agreement.contract.reference]))
            assert response.status_code == (200 if wanted else 404), (role, name)
        api = client.get(reverse("api:agreement-detail", args=[agreement.contract.reference]))
        assert api.status_code == (200 if wanted else 404), role
        listed = client.get(reverse("api:agreement-list")).json()["results"]
        assert [row["contract"] for row in listed] == (
            ["AG-2", "AG-1"] if role == R.RCGP_ADMIN else ["AG-1"] if wanted else []), role


def test_writers_change_it_and_other_readers_are_refused_with_the_reason(world, agreement, client):
    reference = agreement.contract.reference
    for role, user in world["users"].items():
        client.force_login(user)
        get = client.get(reverse("agreements:terms", args=[reference]))
        post = client.post(reverse("agreements:objective_new", args=[reference]), {
            "version": Agreement.objects.get(pk=agreement.pk).version, "group": "ways_of_working",
            "objective": f"Objective by {role}", "measure": "Minutes", "achieve_by": "2026-12-31"})
        if role in WRITERS:
            assert (get.status_code, post.status_code) == (200, 302), role
        elif role in READERS:
            assert (get.status_code, post.status_code) == (404, 403), role
            assert "commissioner lead, its deputy lead or RCGP admin can change the agreement" in post.content.decode()
        else:
            assert (get.status_code, post.status_code) == (404, 404), role
    assert sorted(Objective.objects.filter(objective__startswith="Objective by").values_list(
        "objective", flat=True)) == sorted(f"Objective by {role}" for role in WRITERS)


def test_a_form_with_errors_shows_the_nhs_error_summary_keeps_what_was_typed_and_saves_nothing(world, agreement,
                                                                                             client):
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    url = reverse("agreements:contribution_new", args=[agreement.contract.reference])
    response = client.post(url, {"version": agreement.version, "theme": "coaching", "description": "Mentoring",
                                 "commissioner_amount": "-5", "practice_in_kind": "Protected time"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "nhsuk-error-summary" in page and 'href="#id_commissioner_amount"' in page
    assert "The NHSE/commissioner contribution must be £0 or more" in page
    assert "Protected time" in page and not Contribution.objects.exists()
    response = client.post(reverse("agreements:terms", args=[agreement.contract.reference]), {
        "version": agreement.version, "starts_on": "2026-05-01", "ends_on": "2026-04-01", "exit_strategy": "Exit",
        "termination_terms": "T", "payment_terms": "P"})
    assert response.status_code == 422
    assert "The end date must be on or after the start date" in response.content.decode()
    response = client.post(reverse("agreements:objective_new", args=[agreement.contract.reference]), {
        "version": agreement.version, "group": "ways_of_working", "objective": "Meet weekly", "measure": "",
        "achieve_by": ""})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Enter how we will know the objective is met" in page
    assert "Enter the date the objective is to be achieved by" in page and "Meet weekly" in page


def test_a_stale_form_is_refused_with_what_the_other_person_saved(world, agreement, client):
    lead, deputy = world["users"][R.COMMISSIONER_LEAD], world["users"][R.RCGP_DEPUTY_LEAD]
    services.agreement_terms_update(agreement=agreement, actor=lead, base_version=agreement.version,
                                    exit_strategy="Federation support after September.")
    client.force_login(deputy)
    response = client.post(reverse("agreements:terms", args=[agreement.contract.reference]), {
        "version": agreement.version, "starts_on": "2026-02-01", "ends_on": "2026-08-31",
        "exit_strategy": "Mine", "termination_terms": "T", "payment_terms": "P"})
    assert response.status_code == 409
    assert "Federation support after September." in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).exit_strategy == "Federation support after September."


def test_the_sign_form_is_for_the_partys_own_people(world, agreement, client):
    reference = agreement.contract.reference
    for (party, signers), (role, user) in product(SIGNERS.items(), world["users"].items()):
        client.force_login(user)
        status = client.get(reverse("agreements:sign", args=[reference, party])).status_code
        assert status == (200 if role in signers else 404), (party, role)
    client.force_login(world["users"][R.PRACTICE_USER])
    refused = client.post(reverse("agreements:sign", args=[reference, "practice"]), {
        "version": agreement.version, "name": "A User", "position": "Receptionist", "signed_on": "2026-01-01"})
    assert refused.status_code == 403
    client.force_login(world["users"][R.PRACTICE_LEAD])
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("agreements:sign", args=[reference, "practice"]), {
        "version": agreement.version, "name": "Dr P Lead", "position": "Senior partner", "signed_on": future})
    assert response.status_code == 422
    assert "The date of the signature must be today or in the past" in response.content.decode()
    response = client.post(reverse("agreements:sign", args=[reference, "practice"]), {
        "version": agreement.version, "name": "Dr P Lead", "position": "Senior partner",
        "signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("agreements:detail", args=[reference])).content.decode()
    assert "Dr P Lead" in page and "Partly signed" in page


def test_the_word_copy_has_the_terms_objectives_contributions_and_the_signatures_given(world, agreement, client):
    users = world["users"]
    services.contribution_add(agreement=agreement, actor=users[R.COMMISSIONER_LEAD], base_version=agreement.version,
                              theme="coaching", description="Mentoring for the partners",
                              commissioner_amount="2500.00", practice_in_kind="Two hours protected a week")
    agreement.refresh_from_db()
    services.agreement_sign(agreement=agreement, actor=users[R.PRACTICE_LEAD], base_version=agreement.version,
                            party="practice", name="Dr P Lead", position="Senior partner",
                            signed_on=timezone.localdate())
    client.force_login(users[R.PRACTICE_USER])
    response = client.get(reverse("agreements:word", args=[agreement.contract.reference]))
    assert response["Content-Disposition"] == 'attachment; filename="agreement-AG-1.docx"'
    document = Document(io.BytesIO(response.content))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    for expected in ("Own Practice", "RCGP responsibilities", "Practice responsibilities",
                     "Commissioner responsibilities", "Securing operational stability", "Recruit a salaried GP",
                     "Seen in the rota", "Mentoring for the partners", "£2,500.00", "Two hours protected a week",
                     "Exit strategy", "three months' notice", "partial refund", "Name: Dr P Lead",
                     "Position: Senior partner", f"Date: {timezone.localdate():%-d %B %Y}", "Strategic lead"):
        assert expected in text, expected
    assert text.count("Signature: signed") == 1


def test_the_contract_page_panel_says_who_signed_and_costs_two_queries(world, agreement, client):
    services.agreement_sign(agreement=agreement, actor=world["users"][R.RCGP_ADMIN], base_version=agreement.version,
                            party="rcgp", name="R Admin", position="Programme manager",
                            signed_on=timezone.localdate())
    from agreements.contract_panels import agreement_panel

    request = type("Request", (), {"user": world["users"][R.PRACTICE_USER], "htmx": False})()
    contract = Contract.objects.select_related("practice", "commissioner").get(pk=agreement.contract_id)
    with CaptureQueriesContext(connection) as queries:
        html = agreement_panel(request, contract)
    assert len(queries) <= 2
    assert "RCGP: signed by R Admin (Programme manager)" in html and "Practice: not signed" in html
    request.user = world["users"][R.NHSE_REPORTING]
    with CaptureQueriesContext(connection) as queries:
        assert agreement_panel(request, contract) == ""
    assert len(queries) == 0
    client.force_login(world["users"][R.COMMISSIONER_PEER_SUPPORT])
    page = client.get(reverse("contracts:detail", args=[agreement.contract.reference])).content.decode()
    assert 'id="agreement-heading"' in page and reverse("agreements:detail", args=["AG-1"]) in page


def test_the_agreement_page_costs_the_same_few_queries_however_many_rows(world, agreement, client,
                                                                          django_assert_max_num_queries):
    lead = world["users"][R.COMMISSIONER_LEAD]
    client.force_login(lead)
    url = reverse("agreements:detail", args=[agreement.contract.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        agreement.refresh_from_db()
        services.contribution_add(agreement=agreement, actor=lead, base_version=agreement.version, theme="other",
                                  description=f"Service {n}", rcgp_amount="100")
        agreement.refresh_from_db()
        services.objective_add(agreement=agreement, actor=lead, base_version=agreement.version,
                               group="future_sustainability", objective=f"Objective {n}", measure="Seen",
                               achieve_by=datetime.date(2026, 12, 1))
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert "Sums given: NHSE/commissioner £0.00; RCGP £500.00." in response.content.decode()


def test_a_writer_drafts_it_from_the_page(world, contract, client):
    client.force_login(world["users"][R.PRACTICE_LEAD])
    assert client.post(reverse("agreements:draft", args=[contract.reference])).status_code == 403
    client.force_login(world["users"][R.COMMISSIONER_LEAD])
    page = client.get(reverse("agreements:detail", args=[contract.reference])).content.decode()
    assert "Draft the agreement" in page
    response = client.post(reverse("agreements:draft", args=[contract.reference]), follow=True)
    assert "Recruit a salaried GP" in response.content.decode() and Agreement.objects.filter(contract=contract).exists()
    assert client.get(reverse("agreements:draft", args=[contract.reference])).status_code == 405


def test_objectives_and_contributions_are_changed_and_removed_from_their_pages(world, agreement, client):
    reference = agreement.contract.reference
    client.force_login(world["users"][R.RCGP_DEPUTY_LEAD])
    objective = agreement.objectives.get(objective="Recruit a salaried GP")
    response = client.post(reverse("agreements:objective_edit", args=[reference, objective.pk]), {
        "version": agreement.version, "group": "operational_stability", "objective": "Recruit two salaried GPs",
        "measure": "Both in post", "achieve_by": "2026-10-31"})
    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.objective, objective.measure, objective.achieve_by) == (
        "Recruit two salaried GPs", "Both in post", datetime.date(2026, 10, 31))
    agreement.refresh_from_db()
    response = client.post(reverse("agreements:contribution_new", args=[reference]), {
        "version": agreement.version, "theme": "workforce", "description": "Locum cover", "rcgp_amount": "250"})
    contribution = Contribution.objects.get()
    response = client.post(reverse("agreements:contribution_edit", args=[reference, contribution.pk]), {
        "version": agreement.version + 1, "theme": "workforce", "description": "Locum cover, two sessions a week",
        "rcgp_amount": "300.00", "practice_in_kind": "A room"})
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert (contribution.description, str(contribution.rcgp_amount), contribution.practice_in_kind) == (
        "Locum cover, two sessions a week", "300.00", "A room")
    stale = client.post(reverse("agreements:contribution_remove", args=[reference, contribution.pk]),
                        {"version": agreement.version}, follow=True)
    assert "Someone else changed the agreement" in stale.content.decode() and Contribution.objects.exists()
    for name, pk in (("agreements:contribution_remove", contribution.pk), ("agreements:objective_remove",
                                                                           objective.pk)):
        version = Agreement.objects.get(pk=agreement.pk).version
        assert client.post(reverse(name, args=[reference, pk]), {"version": version}).status_code == 302
    assert not Contribution.objects.exists() and not Objective.objects.filter(pk=objective.pk).exists()
    assert client.get(reverse("agreements:objective_edit", args=[reference, objective.pk])).status_code == 404
