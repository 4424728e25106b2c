"""What each action answers (the regulations CQC found breached, and key questions besides its main one) and the
inspection each plan answers: the services' rules, the action form, the plan page, and migration 0015 on old rows."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core.errors import DomainError, NothingChanged, StaleEdit
from core.roles import Role
from forwardplans import services
from forwardplans.models import Action, ForwardPlan

from ..cases import with_documents
from ..docs import ACTION_FIELDS
from ..factories import ContractFactory, InspectionFactory

R = Role
REG12, REG17, REG18 = ("Regulation 12: Safe care and treatment", "Regulation 17: Good governance",
                       "Regulation 18: Staffing")
BASE = {k: v for k, v in ACTION_FIELDS.items() if k != "regulation"}


def _add(docs, **fields):
    return services.action_create(plan=docs["plan"], actor=docs["users"][R.RCGP_ADVISER], **{**BASE, **fields})


# The services ---------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_regulations_written_any_usual_way_are_kept_as_cqcs_labels_in_cqcs_order(docs):
    action = _add(docs, regulations=["18", "Reg 12", "regulation 17 good governance", "12"],
                  regulation_other="  GMS   contract clause 7 ")
    assert action.regulations == [REG12, REG17, REG18]
    assert action.regulation_other == "GMS contract clause 7"
    assert action.regulation == f"{REG12}; {REG17}; {REG18}; GMS contract clause 7"  # the line copies and search read


@pytest.mark.django_db
def test_the_old_free_text_regulation_still_works_for_callers_that_send_it(docs):
    assert docs["action"].regulations == [REG12]  # tests/docs.py sends "Regulation 12 Safe care and treatment"
    assert (docs["action"].regulation_other, docs["action"].regulation) == ("", REG12)
    both = _add(docs, regulation="Regs 12 and 17")
    assert both.regulations == [REG12, REG17]
    other = _add(docs, regulation="Local enhanced service spec")
    assert (other.regulations, other.regulation_other, other.regulation) == (
        [], "Local enhanced service spec", "Local enhanced service spec")


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "message"), [
    ({"regulations": ["Regulation 99"]}, "“Regulation 99” is not one of CQC's fundamental standards"),
    ({"regulation_other": "reg 17"}, "“reg 17” is Regulation 17: Good governance: tick it"),
    ({"other_key_questions": ["kindness"]}, "Unknown key question(s): kindness."),
])
def test_what_an_action_answers_is_checked(docs, fields, message):
    with pytest.raises(DomainError) as refused:
        _add(docs, **fields)
    assert str(refused.value).startswith(message)


@pytest.mark.django_db
def test_other_key_questions_leave_out_the_main_one_and_follow_it_when_it_changes(docs):
    action = _add(docs, key_question="well_led", other_key_questions=["safe", "well_led", "effective"])
    assert action.other_key_questions == ["safe", "effective"]  # CQC's order, without the main one
    updated = services.action_update(action=action, actor=docs["users"][R.RCGP_ADVISER],
                                     base_version=action.version, key_question="safe")
    assert (updated.key_question, updated.other_key_questions) == ("safe", ["effective"])
    updated = services.action_update(action=action, actor=docs["users"][R.RCGP_ADVISER], base_version=updated.version,
                                     regulations=[REG17])
    assert (updated.regulations, updated.regulation) == ([REG17], REG17)
    history = Action.history.filter(id=action.pk).order_by("history_date")
    assert [h.regulation for h in history] == ["", "", REG17]


@pytest.mark.django_db
def test_a_stale_edit_of_the_regulations_says_what_changed(docs):
    action, adviser = docs["action"], docs["users"][R.RCGP_ADVISER]
    services.action_update(action=action, actor=adviser, base_version=1, regulations=[REG12, REG18])
    with pytest.raises(StaleEdit) as stale:
        services.action_update(action=action, actor=adviser, base_version=1, regulations=[REG17])
    assert ("CQC regulations", f"{REG12}; {REG18}") in stale.value.changes


# The action form -----------------------------------------------------------------------------------------------

def _form_data(**changes):
    data = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in BASE.items()}
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_form_offers_the_inspections_breached_regulations_first_and_saves_the_ticks(client, docs):
    inspection = InspectionFactory(practice=docs["contract"].practice, overall_rating="inadequate",
                                   breached_regulations=["Regulation 18 Staffing", "Regulation 17: Good governance"])
    plan = docs["plan"]
    services.plan_set_inspection(plan=plan, actor=docs["users"][R.RCGP_ADVISER], inspection=inspection,
                                 base_version=plan.version)
    client.force_login(docs["users"][R.RCGP_ADVISER])
    html = client.get(reverse("forwardplans:action_new", args=["DOC-1"])).content.decode()
    boxes = [html.index(f'value="{label}"') for label in (REG17, REG18, "Regulation 9: Person-centred care", REG12)]
    assert boxes == sorted(boxes)  # the breached ones first, in CQC's order, then the rest in CQC's order
    assert html.count("Found breached at the inspection this plan answers") == 2

    response = client.post(reverse("forwardplans:action_new", args=["DOC-1"]), _form_data(
        key_question="well_led", other_key_questions=["safe", "caring"], regulations=[REG18, REG17],
        regulation_other=""))
    assert response.status_code == 302
    action = Action.objects.get(action_planned=BASE["action_planned"], key_question="well_led")
    assert (action.regulations, action.other_key_questions) == ([REG17, REG18], ["safe", "caring"])
    page = client.get(reverse("forwardplans:action", args=[action.pk])).content.decode()
    assert f"{REG17}<br>{REG18}" in page and "Safe, Caring" in page
    plan_page = client.get(reverse("forwardplans:plan", args=["DOC-1"])).content.decode()
    assert f"{REG17}; {REG18}" in plan_page and "Also answers: Safe, Caring" in plan_page

    edit = client.get(reverse("forwardplans:action_edit", args=[action.pk])).content.decode()
    assert f'value="{REG18}" checked' in edit and 'value="safe" checked' in edit


@pytest.mark.django_db
def test_the_form_says_what_is_wrong_on_the_field_it_is_about(client, docs):
    client.force_login(docs["users"][R.RCGP_ADVISER])
    response = client.post(reverse("forwardplans:action_new", args=["DOC-1"]), _form_data(
        key_question="safe", other_key_questions=["safe"], regulation_other="Reg 12", regulations=["Regulation 99"]))
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["other_key_questions"] == [
        "Safe is already the main key question: untick it here, or choose another main key question"]
    assert form.errors["regulation_other"] == [
        "“Reg 12” is Regulation 12: Safe care and treatment: tick it in the list of regulations instead"]
    assert form.errors["regulations"]  # not one of the choices
    html = response.content.decode()
    assert 'href="#id_other_key_questions"' in html and 'href="#id_regulation_other"' in html


# The inspection a plan answers ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_new_plan_answers_the_practices_latest_rated_inspection(world):
    practice = world["practices"]["own"]
    InspectionFactory(practice=practice, publication_date=datetime.date(2023, 1, 5), overall_rating="good")
    latest = InspectionFactory(practice=practice, publication_date=datetime.date(2025, 6, 1),
                               overall_rating="inadequate")
    InspectionFactory(practice=practice, publication_date=None, overall_rating="")  # not published yet
    InspectionFactory(practice=world["practices"]["other"], publication_date=datetime.date(2026, 1, 1))
    contract = with_documents(ContractFactory(practice=practice))
    assert ForwardPlan.objects.get(contract=contract).inspection == latest
    assert with_documents(ContractFactory(practice=world["practices"]["own_sibling"])).forward_plan.inspection is None


@pytest.mark.django_db
def test_the_rcgp_team_changes_the_inspection_among_the_practices_own(docs, world):
    plan, adviser = docs["plan"], docs["users"][R.RCGP_ADVISER]
    older = InspectionFactory(practice=docs["contract"].practice, publication_date=datetime.date(2022, 2, 2))
    elsewhere = InspectionFactory(practice=world["practices"]["other"])
    with pytest.raises(DomainError, match="Only advisers on this contract"):
        services.plan_set_inspection(plan=plan, actor=docs["users"][R.PRACTICE_LEAD], inspection=older,
                                     base_version=plan.version)
    with pytest.raises(DomainError, match="Choose one of the practice's own inspections."):
        services.plan_set_inspection(plan=plan, actor=adviser, inspection=elsewhere, base_version=plan.version)
    services.plan_set_inspection(plan=plan, actor=adviser, inspection=older, base_version=1)
    assert ForwardPlan.objects.get(pk=plan.pk).inspection == older and plan.version == 2
    with pytest.raises(NothingChanged):
        services.plan_set_inspection(plan=plan, actor=adviser, inspection=older, base_version=2)
    with pytest.raises(StaleEdit) as stale:
        services.plan_set_inspection(plan=plan, actor=adviser, inspection=None, base_version=1)
    assert stale.value.changes == [("The inspection it answers", "Inspection published 2 February 2022: Good")]


@pytest.mark.django_db
def test_the_plan_page_shows_the_inspection_and_lets_the_team_choose_it(client, docs):
    inspection = InspectionFactory(practice=docs["contract"].practice, overall_rating="requires_improvement",
                                   publication_date=datetime.date(2025, 9, 9),
                                   report_url="https://www.cqc.org.uk/location/1-1",
                                   breached_regulations=["Regulation 12: Safe care and treatment"])
    client.force_login(docs["users"][R.PRACTICE_LEAD])
    page = client.get(reverse("forwardplans:plan", args=["DOC-1"])).content.decode()
    assert "No inspection is chosen for this plan." in page
    assert 'action="/contracts/DOC-1/plan/inspection/"' not in page  # not the practice's to choose
    refused = client.post(reverse("forwardplans:plan_inspection", args=["DOC-1"]),
                          {"version": 1, "inspection": inspection.pk})
    assert refused.status_code == 403

    client.force_login(docs["users"][R.RCGP_ADVISER])
    page = client.get(reverse("forwardplans:plan", args=["DOC-1"])).content.decode()
    assert 'action="/contracts/DOC-1/plan/inspection/"' in page and "Published 9 September 2025: Requires" in page
    response = client.post(reverse("forwardplans:plan_inspection", args=["DOC-1"]),
                           {"version": 1, "inspection": inspection.pk})
    assert response.status_code == 302
    page = client.get(reverse("forwardplans:plan", args=["DOC-1"])).content.decode()
    assert "Published 9 September 2025 (inspected 10 January 2024)." in page
    assert 'href="https://www.cqc.org.uk/location/1-1"' in page and "Regulations found breached: Regulation 12" in page

    stale = client.post(reverse("forwardplans:plan_inspection", args=["DOC-1"]), {"version": 1, "inspection": ""})
    assert stale.status_code == 409 and "Someone else changed the plan" in stale.content.decode()
    assert ForwardPlan.objects.get(pk=docs["plan"].pk).inspection == inspection


# Migration 0015 on rows written before it ---------------------------------------------------------------------

BEFORE = [("forwardplans", "0014_alert_and_episode_reminders")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_reads_the_old_regulation_text_and_ties_plans_to_their_inspection():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        Commissioner, Practice = apps.get_model("practices", "Commissioner"), apps.get_model("practices", "Practice")
        Inspection, Contract = apps.get_model("practices", "Inspection"), apps.get_model("contracts", "Contract")
        OldPlan, OldAction = apps.get_model("forwardplans", "ForwardPlan"), apps.get_model("forwardplans", "Action")
        commissioner = Commissioner.objects.create(ods_code="99Z", name="Old ICB")
        practice = Practice.objects.create(ods_code="Z99001", name="Old Practice", commissioner=commissioner)
        answered = Inspection.objects.create(practice=practice, publication_date=datetime.date(2020, 5, 1),
                                             overall_rating="inadequate")
        Inspection.objects.create(practice=practice, publication_date=datetime.date(2030, 1, 1),
                                  overall_rating="good")  # after the plan was started: not the one it answers
        contract = Contract.objects.create(reference="OLD-1", practice=practice, commissioner=commissioner,
                                           programme="special_measures", commissioned_on=datetime.date(2024, 1, 1))
        plan = OldPlan.objects.create(contract=contract)
        texts = ["Regulation 12 Safe care and treatment", "Reg 17: governance and Regulation 18", "12",
                 "Local enhanced service", ""]
        for n, text in enumerate(texts):
            OldAction.objects.create(plan=plan, key_question="safe", regulation=text, problem="p",
                                     underlying_issue="u", action_planned=f"Action {n}", lead_person="L",
                                     evidence_needed="e", planned_completion=datetime.date(2026, 1, 1), priority=n)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        rows = list(Action.objects.filter(plan_id=plan.pk).order_by("priority")
                    .values_list("regulations", "regulation_other", "regulation", "other_key_questions"))
        assert rows == [
            ([REG12], "", REG12, []),
            ([REG17, REG18], "", f"{REG17}; {REG18}", []),
            ([REG12], "", REG12, []),
            ([], "Local enhanced service", "Local enhanced service", []),  # names none: stays readable
            ([], "", "", []),
        ]
        assert ForwardPlan.objects.get(pk=plan.pk).inspection_id == answered.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
