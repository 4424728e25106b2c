"""The commissioner's review notes on a forward plan's actions after handover: written by the commissioner's team
once the contract is handed over (with consent), read by the practice, the RCGP team and the commissioner while
consent stands, never changing the action's RAG status (nor its version)."""

import pytest
from django.urls import reverse

from casework.services import case_move
from contracts.models import TeamMembership
from core.errors import NotAllowed
from core.roles import Role
from forwardplans import services as plan_services
from forwardplans.models import Action
from monitoring import access
from monitoring.models import ActionReviewNote
from monitoring.services import action_review_note_add
from tests.cases import advance
from tests.docs import ACTION_FIELDS
from tests.factories import AdviserFactory, ContractFactory, UserFactory

pytestmark = pytest.mark.django_db
R = Role
COMMISSIONER = {R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD}
READERS = {R.COMMISSIONER_PEER_SUPPORT, R.COMMISSIONER_LEAD, R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER,
           R.PRACTICE_USER, R.PRACTICE_LEAD}


@pytest.fixture
def case(world):
    """A contract of the world's own practice, its plan with one action, taken to ``stage`` on demand."""
    users = world["users"]
    contract = ContractFactory(practice=world["practices"]["own"], deputy_lead=users[R.RCGP_DEPUTY_LEAD],
                               state="scoping")
    TeamMembership.objects.create(contract=contract, adviser=AdviserFactory(user=users[R.RCGP_ADVISER]),
                                  added_by=users[R.RCGP_DEPUTY_LEAD])
    contract = advance(contract, "consent_decision", users)
    action = plan_services.action_create(plan=contract.forward_plan, actor=users[R.RCGP_DEPUTY_LEAD],
                                         **ACTION_FIELDS)
    return {"contract": contract, "action": action, "users": users}


def _handed_over(case):
    case["contract"] = advance(case["contract"], "handed_over", case["users"])
    return case["contract"]


def test_the_commissioners_team_notes_after_handover_and_the_rag_status_never_moves(case, client):
    contract, action, users = case["contract"], case["action"], case["users"]
    peer = users[R.COMMISSIONER_PEER_SUPPORT]
    before = Action.objects.values("rag_status", "version", "updated_at").get(pk=action.pk)
    for stage in ("consent_decision", "review_meeting"):  # not yet: RCGP still holds the plan
        contract = advance(contract, stage, users)
        with pytest.raises(NotAllowed, match="handed over"):
            action_review_note_add(action=Action.objects.get(pk=action.pk), actor=peer, note="Early.")
    contract = _handed_over(case)
    action = Action.objects.select_related("plan__contract").get(pk=action.pk)
    note = action_review_note_add(action=action, actor=peer, note="Visited: governance meetings now monthly.")
    action_review_note_add(action=action, actor=users[R.COMMISSIONER_LEAD], note="Agreed with the practice.")
    assert note.recorded_by == peer and ActionReviewNote.objects.filter(action=action).count() == 2
    assert Action.objects.values("rag_status", "version", "updated_at").get(pk=action.pk) == before
    # Through the page too: the note is saved, the action is as it was.
    client.force_login(peer)
    response = client.post(reverse("monitoring:action_note_add", args=[action.pk]), {"note": "By the page."})
    assert response.status_code == 302
    assert ActionReviewNote.objects.filter(action=action, note="By the page.").exists()
    assert Action.objects.values("rag_status", "version", "updated_at").get(pk=action.pk) == before


@pytest.mark.parametrize("role", [R.RCGP_ADMIN, R.RCGP_DEPUTY_LEAD, R.RCGP_ADVISER, R.PRACTICE_USER,
                                  R.PRACTICE_LEAD, R.NHSE_REPORTING])
def test_nobody_but_the_commissioner_writes_a_note(case, role):
    _handed_over(case)
    with pytest.raises(NotAllowed):
        action_review_note_add(action=Action.objects.get(pk=case["action"].pk), actor=case["users"][role],
                               note="Mine.")
    assert not ActionReviewNote.objects.exists()


def test_another_commissioner_and_a_withdrawn_consent_write_nothing(case, world):
    contract = _handed_over(case)
    stranger = UserFactory(role=R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])
    with pytest.raises(NotAllowed):
        action_review_note_add(action=case["action"], actor=stranger, note="Not ours.")
    case_move(contract=contract, move="withdraw_consent", actor=case["users"][R.PRACTICE_LEAD])
    with pytest.raises(NotAllowed, match="consents"):
        action_review_note_add(action=Action.objects.get(pk=case["action"].pk),
                               actor=case["users"][R.COMMISSIONER_PEER_SUPPORT], note="After withdrawal.")
    assert not ActionReviewNote.objects.exists()


def test_the_practice_and_the_rcgp_team_read_the_notes_only_while_consent_stands(case, client, world):
    contract = _handed_over(case)
    users = case["users"]
    action_review_note_add(action=Action.objects.get(pk=case["action"].pk), actor=users[R.COMMISSIONER_LEAD],
                           note="Support visit: the recall is running.")
    url = reverse("monitoring:action_notes", args=[case["action"].pk])
    other_peer = UserFactory(role=R.COMMISSIONER_PEER_SUPPORT, commissioner=world["other"])
    for role, user in [*users.items(), ("other", other_peer)]:
        sees = role in READERS
        assert access.review_notes_for(user).exists() == sees, role
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == (200 if sees else 404), role
        if sees:
            assert "Support visit: the recall is running." in response.content.decode()
            assert ("review-note-form" in response.content.decode()) == (role in {R.COMMISSIONER_PEER_SUPPORT,
                                                                                   R.COMMISSIONER_LEAD}), role
    case_move(contract=contract, move="withdraw_consent", actor=users[R.PRACTICE_LEAD])
    for role, user in users.items():
        assert not access.review_notes_for(user).exists(), role
        client.force_login(user)
        assert client.get(url).status_code == 404, role
        # The action page's slot answers nothing in place to those who still read the action.
        hx = client.get(url, headers={"HX-Request": "true"})
        if role in READERS - COMMISSIONER:
            assert (hx.status_code, hx.content) == (200, b""), role
        else:
            assert hx.status_code == 404, role


def test_a_refused_note_on_the_page_says_why(case, client):
    client.force_login(case["users"][R.PRACTICE_LEAD])
    response = client.post(reverse("monitoring:action_note_add", args=[case["action"].pk]), {"note": "Ours."})
    assert response.status_code == 403
    assert not ActionReviewNote.objects.exists()


def test_an_empty_note_is_refused_with_the_error_summary(case, client):
    _handed_over(case)
    client.force_login(case["users"][R.COMMISSIONER_PEER_SUPPORT])
    response = client.post(reverse("monitoring:action_note_add", args=[case["action"].pk]), {"note": ""})
    assert response.status_code == 422
    assert "Enter the review note" in response.content.decode()
    assert not ActionReviewNote.objects.exists()


def test_on_the_action_page_a_note_is_added_in_place_and_says_the_rag_status_is_unchanged(case, client):
    """In place (htmx): the panel comes back with the note, a fresh form and the result where focus goes
    (static/js/panels.js), never a redirect that would reload the action page; refusals come back in the panel."""
    _handed_over(case)
    action, peer = case["action"], case["users"][R.COMMISSIONER_PEER_SUPPORT]
    url = reverse("monitoring:action_note_add", args=[action.pk])
    client.force_login(peer)
    empty = client.post(url, {"note": ""}, headers={"HX-Request": "true"})
    assert empty.status_code == 422
    html = empty.content.decode()
    assert html.lstrip().startswith('<section id="review-notes"') and "<html" not in html
    assert 'data-module="nhsuk-error-summary"' in html and "Enter the review note" in html
    saved = client.post(url, {"note": "Support visit in place."}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "<html" not in saved.content.decode()
    html = saved.content.decode()
    assert "Support visit in place." in html and 'role="status"' in html
    assert "The review note is saved. The action&#39;s RAG status is unchanged." in html
    assert 'hx-post="' + url + '"' in html  # a fresh form for the next note
    assert ActionReviewNote.objects.get(action=action).note == "Support visit in place."
    # Consent withdrawn while the page was open: the panel says why, and nothing is saved.
    case_move(contract=case["contract"], move="withdraw_consent", actor=case["users"][R.PRACTICE_LEAD])
    client.force_login(case["users"][R.COMMISSIONER_LEAD])
    refused = client.post(url, {"note": "Too late."}, headers={"HX-Request": "true"})
    # The commissioner no longer reads the plan at all: the action is hidden (404), like a missing one.
    assert refused.status_code == 404
    assert ActionReviewNote.objects.count() == 1


def test_a_reader_who_may_not_write_is_refused_in_place_with_the_reason(case, client):
    _handed_over(case)
    client.force_login(case["users"][R.PRACTICE_LEAD])  # reads the notes, never writes one
    response = client.post(reverse("monitoring:action_note_add", args=[case["action"].pk]), {"note": "Ours."},
                           headers={"HX-Request": "true"})
    assert response.status_code == 403
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review-notes"') and "<html" not in html
    assert access.NOTE_REFUSALS["write"].replace("'", "&#39;") in html and 'data-module="nhsuk-error-summary"' in html
    assert "review-note-form" not in html
    assert not ActionReviewNote.objects.exists()


def test_the_action_pages_slot_loads_the_notes_in_place_once_handed_over(case, rf):
    from django.template.loader import render_to_string

    def slot():
        return render_to_string("monitoring/_action_slot.jinja", {"action": case["action"],
                                                                  "contract": case["contract"]})
    assert "review-notes" not in slot()  # before handover there are no notes to show
    _handed_over(case)
    html = slot()
    assert f'hx-get="{reverse("monitoring:action_notes", args=[case["action"].pk])}"' in html


def test_each_note_rule_gives_the_same_answer_for_one_contract_as_its_queryset(case, world):
    from contracts.models import Contract

    users = [*world["users"].values(), UserFactory(role=R.COMMISSIONER_LEAD, commissioner=world["other"])]
    wrong = []
    for stage in ("consent_decision", "handed_over"):
        if stage == "handed_over":
            _handed_over(case)
        contract = Contract.objects.get(pk=case["contract"].pk)
        for user, (verb, rule) in ((u, v) for u in users for v in access.NOTE_VERBS.items()):
            one = rule.test(user, contract)
            many = rule.filter(user, Contract.objects.filter(pk=contract.pk)).exists()
            if one != many:
                wrong.append((stage, verb, user.role, one, many))
    assert wrong == []
