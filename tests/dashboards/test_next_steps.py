"""The next step of each contract, stated truthfully for the person looking: their own steps (the lifecycle's moves,
the report work, first contact), or what the case waits for from whom, read from the lifecycle table."""

from html import unescape

import pytest
from django.urls import reverse

from casework.lifecycle import PATHS, Case, Track, forward_moves, moves_for
from casework.selectors import case_of
from contracts.models import Contract
from core.roles import Role
from dashboards.dashboards import next_for

from ..cases import advance

pytestmark = pytest.mark.django_db
R = Role
PEOPLE = (R.RCGP_ADVISER, R.RCGP_DEPUTY_LEAD, R.RCGP_ADMIN, R.PRACTICE_LEAD, R.PRACTICE_USER,
          R.COMMISSIONER_LEAD, R.COMMISSIONER_PEER_SUPPORT)


def test_at_every_stage_each_person_is_told_their_step_or_whom_the_case_waits_for(world, docs):
    """Walk DOC-1 along the documents track. At each live stage, for each person: the moves that take the case on
    and are theirs appear among their steps, those that are not theirs are what it waits for, under the table's
    words for who may make them, and nobody is left with neither."""
    users, contract = world["users"], docs["contract"]
    contract.first_contact_on = contract.commissioned_on  # first contact is its own step (tested below)
    contract.save(update_fields=["first_contact_on"])
    path = PATHS[Track.DOCUMENTS]
    for stage in path[path.index("report_drafting"):path.index("closed")]:
        contract = advance(contract, stage, users)
        case = case_of(contract)
        forward = forward_moves(case)
        assert forward, stage
        for role in PEOPLE:
            user = users[role]
            told = next_for(case, user)
            mine = [m for m in forward if m.who.test(user, contract)]
            if mine:
                assert told["waiting"] == [], (stage, role)
                assert told["steps"], (stage, role)
            else:
                expected = {}
                for move in forward:
                    expected.setdefault(move.who_text, []).append(move.label)
                assert told["waiting"] == list(expected.items()), (stage, role)
            for text, _url in told["steps"]:
                # Every step is the person's to take: a move of theirs, or report work of the RCGP team.
                labels = {m.label for m, _b in moves_for(case, user)}
                assert text in labels or role in (R.RCGP_ADVISER, R.RCGP_DEPUTY_LEAD, R.RCGP_ADMIN) or (
                    text.startswith(("Check the diagnostic report", "Decide whether", "Change your decision"))), (
                    stage, role, text)


def test_the_adviser_home_never_says_waiting_while_the_report_is_theirs_to_write(client, world, docs):
    client.force_login(world["users"][R.RCGP_ADVISER])
    html = unescape(client.get(reverse("home")).content.decode())
    assert "Write the diagnostic report" in html
    assert "Waiting for" not in html
    # What follows is the deputy lead's, in the table's words.
    assert "Next, for the contract's deputy lead or RCGP admin: “Approve and send the report" in html


def test_the_contract_page_offers_first_contact_and_does_not_say_nothing_to_do(client, world, docs):
    users, contract = world["users"], docs["contract"]
    assert contract.first_contact_on is None
    Contract.objects.filter(pk=contract.pk).update(state="team_recruited")
    client.force_login(users[R.RCGP_ADVISER])
    html = client.get(reverse("contracts:detail", args=[contract.reference])).content.decode()
    assert 'id="first-contact"' in html and "Record first contact" in html
    assert "Nothing for you to do" not in html
    # The practice user has no move at this stage: what it waits for, and then "nothing for you to do".
    client.force_login(users[R.PRACTICE_USER])
    html = client.get(reverse("contracts:detail", args=[contract.reference])).content.decode()
    assert "Record first contact" not in html
    assert "Waiting for the contract&#39;s RCGP team: “Start scoping”" in html
    assert "Nothing for you to do on this contract now." in html


def test_the_practice_lead_home_says_a_report_is_waiting_for_their_check(client, world, docs):
    users = world["users"]
    advance(docs["contract"], "factual_accuracy_review", users)
    client.force_login(users[R.PRACTICE_LEAD])
    response = client.get(reverse("home"))
    assert [c.reference for c in response.context["reports_to_check"]] == ["DOC-1"]
    html = response.content.decode()
    assert "The diagnostic report for contract DOC-1 is waiting for your check of its factual accuracy." in html
    assert f'href="{reverse("forwardplans:report", args=["DOC-1"])}"' in html
    # A practice user may not check it: they are told the practice lead has it.
    client.force_login(users[R.PRACTICE_USER])
    response = client.get(reverse("home"))
    assert response.context["reports_to_check"] == []
    assert "Waiting for the practice lead: “Return the report to the advisers with my corrections” or " \
           "“Confirm the report is factually accurate”" in response.content.decode()


def test_waiting_words_come_from_the_table(world, docs):
    """At the consent decision the practice lead decides: everyone else is told so, in the table's words."""
    users = world["users"]
    contract = advance(docs["contract"], "consent_decision", users)
    case = Case(contract, contract.diagnostic_report, contract.consent)
    moves = {m.name: m for m in forward_moves(case)}
    assert set(moves) == {"give_consent", "refuse_consent"}
    assert case.waiting_for(users[R.RCGP_ADVISER]) == [
        (moves["give_consent"].who_text, [moves["give_consent"].label, moves["refuse_consent"].label])]
    assert case.waiting_for(users[R.PRACTICE_LEAD]) == []
