"""The demo's evaluation at closure. On DEMO-SHARED (Lees Medical Practice), once seed_monitoring has handed it over:
the practice lead's feedback, the staff's anonymous feedback (a closure questionnaire with two answers), the
adviser's reflection and an anonymised draft case study; on H-104 (an imported, closed contract of the same practice)
a named final case study.

Through the services, as the demo's users. Idempotent: each is made only once (seed_demo may run again)."""

from contracts.models import Contract
from core.models import User
from evaluation.access import CLOSURE_STATES
from evaluation.models import CaseStudy, PracticeFeedback, Reflection
from evaluation.services import case_study_create, practice_feedback_give, reflection_save
from evaluation.vocabulary import PRACTICE_FEEDBACK_STATEMENTS
from forwardplans.models import Questionnaire
from forwardplans.questionnaire_services import questionnaire_issue_codes, questionnaire_open, questionnaire_submit
from forwardplans.vocabulary import CLOSURE_FEEDBACK_STATEMENTS

FEEDBACK = {"understood": 5, "useful": 4, "plan": 4, "recommend": 5}
STAFF_ANSWERS = [({"involved": 4, "listened": 5, "improved": 4, "sustained": 3}, "The away day helped."),
                 ({"involved": 3, "listened": 4, "improved": 4, "sustained": 4}, "")]


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def seed_evaluation(log=print):
    users = {name: _user(f"demo-{name}") for name in ("practice_lead", "rcgp_adviser", "rcgp_deputy_lead",
                                                        "rcgp_admin")}
    if None in users.values():
        log("evaluation: demo users missing, skipped")
        return
    shared = Contract.objects.filter(reference="DEMO-SHARED").first()
    if shared is None or shared.state not in CLOSURE_STATES:
        log("evaluation: DEMO-SHARED is not handed over, its evaluation skipped")
    else:
        _seed_closure(shared, users, log)
    _seed_named_case_study(users["rcgp_admin"], log)


def _seed_closure(contract, users, log):
    assert set(FEEDBACK) == {key for key, _s in PRACTICE_FEEDBACK_STATEMENTS}
    if not PracticeFeedback.objects.filter(contract=contract).exists():
        practice_feedback_give(contract=contract, actor=users["practice_lead"], answers=FEEDBACK,
                               went_well="The advisers listened to the whole team, and the plan is ours.",
                               could_be_better="More notice of the advisers' visits.")
        log("evaluation: the practice's feedback on DEMO-SHARED")
    if not contract.questionnaires.filter(purpose=Questionnaire.Purpose.CLOSURE_FEEDBACK).exists():
        assert all(set(answers) == {key for key, _s in CLOSURE_FEEDBACK_STATEMENTS} for answers, _c in STAFF_ANSWERS)
        questionnaire = questionnaire_open(contract=contract, actor=users["rcgp_adviser"],
                                           purpose=Questionnaire.Purpose.CLOSURE_FEEDBACK)
        codes = questionnaire_issue_codes(questionnaire=questionnaire, count=3, actor=users["practice_lead"])
        for code, (answers, comments) in zip(codes, STAFF_ANSWERS, strict=False):
            questionnaire_submit(token=code, answers=answers, comments=comments)
        log("evaluation: staff feedback on DEMO-SHARED, two answers")
    if not Reflection.objects.filter(contract=contract, author=users["rcgp_adviser"]).exists():
        reflection_save(contract=contract, actor=users["rcgp_adviser"],
                        what_worked="Meeting the partners separately before the first joint meeting.",
                        what_did_not="The first staff survey was sent before staff knew who we were.",
                        lessons="Introduce the team at a practice meeting before any questionnaire.")
        log("evaluation: the adviser's reflection on DEMO-SHARED")
    if not CaseStudy.objects.filter(contract=contract).exists():
        case_study_create(
            contract=contract, actor=users["rcgp_deputy_lead"], support_category="change_management",
            naming="anonymised", title="Rebuilding a partnership's ways of working",
            summary="A diagnostic review and a forward plan that the partners own, handed over to the commissioner.",
            what_worked="Weekly partners' meetings with minutes; a practice manager trusted to manage.",
            what_did_not="Too many actions in the first plan: the practice could not see where to start.")
        log("evaluation: an anonymised case study on DEMO-SHARED")


def _seed_named_case_study(admin, log):
    contract = Contract.objects.filter(reference="H-104").first()
    if contract is None or contract.state not in CLOSURE_STATES or contract.case_studies.exists():
        return
    case_study_create(
        contract=contract, actor=admin, support_category="rapid_intervention", naming="named", status="final",
        title="Out of special measures in a year",
        summary="Lees Medical Practice agreed to be named: from Inadequate to Requires improvement.",
        what_worked="A clinical lead from the advisers' team for the first three months.",
        what_did_not="Recruiting a salaried GP took twice as long as planned.")
    log("evaluation: a named final case study on H-104")
