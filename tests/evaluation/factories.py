"""Evaluation records made through the services, as their writers make them."""

from evaluation import services
from evaluation.vocabulary import PRACTICE_FEEDBACK_STATEMENTS

CASE_STUDY = {"support_category": "diagnostic", "title": "Turning round a single-handed practice",
              "summary": "A diagnostic review and a forward plan.", "what_worked": "Weekly calls.",
              "what_did_not": "The first away day was too early."}


def answers(value=4):
    return dict.fromkeys((key for key, _statement in PRACTICE_FEEDBACK_STATEMENTS), value)


def feedback(contract, lead, value=4, **extra):
    return services.practice_feedback_give(contract=contract, actor=lead, answers=answers(value),
                                           went_well="The advisers listened.", **extra)


def case_study(contract, actor, naming="anonymised", status="draft", **fields):
    return services.case_study_create(contract=contract, actor=actor, naming=naming, status=status,
                                      **{**CASE_STUDY, **fields})


def reflection(contract, actor):
    return services.reflection_save(contract=contract, actor=actor, what_worked="Early visits.",
                                    what_did_not="Too many meetings.", lessons="Agree dates at scoping.")
