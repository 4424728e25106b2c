"""Words of diagnostic reports and forward plans (docs/domain.md §6-§7)."""

from django.db import models

from practices.ratings import KEY_QUESTIONS


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_MEANING = {
    Rag.RED: "Not started or off track",
    Rag.AMBER: "In progress and on track",
    Rag.GREEN: "Completed with evidence",
}
RAG_TAG = {Rag.RED: "nhsuk-tag--red", Rag.AMBER: "nhsuk-tag--orange", Rag.GREEN: "nhsuk-tag--green"}

KEY_QUESTION_CHOICES = [(field, label) for field, _api, label in KEY_QUESTIONS] + [("other", "Other")]


class ReportState(models.TextChoices):
    """The report's states; the case lifecycle (casework.lifecycle) says which move leads to which."""

    DRAFT = "draft", "Draft"
    WITH_PRACTICE = "with_practice", "With the practice for factual accuracy"
    RETURNED = "returned", "Returned by the practice with corrections"
    FINAL = "final", "Final (factual accuracy confirmed)"


# Who reads a report in each state: drafts and reports being corrected are the RCGP team's; the practice (and,
# with its consent, the commissioner) reads what has been sent to it.
TEAM_ONLY_REPORT_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})
EDITABLE_REPORT_STATES = TEAM_ONLY_REPORT_STATES


class CorrectionAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


# The Diagnostic Report's sections, in order: (field, heading).
REPORT_SECTIONS = [
    ("history", "History"),
    ("personnel", "Personnel"),
    ("day_to_day", "Day-to-day function"),
    ("demographics", "Demographics and benchmarks"),
    ("staff_opinion", "Staff opinion"),
    ("patient_opinion", "Patient opinion"),
    ("findings", "Findings"),
    ("conclusions", "Conclusions"),
    ("recommendations", "Recommendations"),
    ("good_practice", "Areas of good practice"),
]


class RootCause(models.TextChoices):
    """Root causes and causes for concern, as the RCGP method names them (seed 001): tagged on the diagnostic report
    and on the forward plan's actions."""

    # Causes for concern: without insight no change is made or embedded; without engagement, none is carried out.
    LACK_OF_INSIGHT = "lack_of_insight", "Lack of insight or outright denial"
    FAILURE_TO_ENGAGE = "failure_to_engage", "Failure to engage"
    # Clinical leadership
    DYSFUNCTIONAL_PARTNERSHIP = "dysfunctional_partnership", "Dysfunctional partnership"
    INEXPERIENCED_PARTNERSHIP = "inexperienced_partnership", "Inexperienced partnership"
    SINGLE_HANDED = "single_handed", "Single-handed practice"
    CAPABILITY = "capability", "Capability"
    RAPID_LIST_GROWTH = "rapid_list_growth", "Rapid list growth"
    RESISTANCE_TO_CHANGE = "resistance_to_change", "Resistance to change"
    # Practice management
    NO_MANAGER = "no_manager", "No practice manager"
    INAPPROPRIATE_APPOINTMENT = "inappropriate_appointment", "Inappropriate appointment of the practice manager"
    MANAGER_NOT_ALLOWED = "manager_not_allowed", "Manager not allowed to manage, or not challenging clinicians"
    CANNOT_DELEGATE = "cannot_delegate", "Inability to delegate or performance manage"


ROOT_CAUSE_GROUPS = [
    ("Causes for concern", [RootCause.LACK_OF_INSIGHT, RootCause.FAILURE_TO_ENGAGE]),
    ("Clinical leadership", [RootCause.DYSFUNCTIONAL_PARTNERSHIP, RootCause.INEXPERIENCED_PARTNERSHIP,
                             RootCause.SINGLE_HANDED, RootCause.CAPABILITY, RootCause.RAPID_LIST_GROWTH,
                             RootCause.RESISTANCE_TO_CHANGE]),
    ("Practice management", [RootCause.NO_MANAGER, RootCause.INAPPROPRIATE_APPOINTMENT, RootCause.MANAGER_NOT_ALLOWED,
                             RootCause.CANNOT_DELEGATE]),
]


class ConsentStatus(models.TextChoices):
    NOT_DECIDED = "not_decided", "Not decided"
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"


# Staff questionnaire: (key, statement) answered on a 1-5 agreement scale, plus free text.
QUESTIONNAIRE_STATEMENTS = [
    ("leadership", "The practice's clinical leadership is clear and effective."),
    ("management", "The practice manager is able to manage and is supported to do so."),
    ("communication", "Important information reaches me in good time."),
    ("workload", "My workload is manageable."),
    ("safety", "I feel able to raise concerns about patient safety."),
    ("morale", "Morale in the practice is good."),
]
AGREEMENT_SCALE = [(1, "Strongly disagree"), (2, "Disagree"), (3, "Neither agree nor disagree"), (4, "Agree"),
                   (5, "Strongly agree")]
# Anonymous staff feedback on the support, asked at closure (a questionnaire of the purpose "closure_feedback"):
# the same scale and anonymity as the staff questionnaire, its own statements.
CLOSURE_FEEDBACK_STATEMENTS = [
    ("involved", "I was involved in the work with the advisers."),
    ("listened", "The advisers listened to staff."),
    ("improved", "The practice is a better place to work since the support began."),
    ("sustained", "I am confident the improvements will last."),
]
# Questionnaire.Purpose value -> its statements.
STATEMENTS_BY_PURPOSE = {"diagnostic": QUESTIONNAIRE_STATEMENTS, "closure_feedback": CLOSURE_FEEDBACK_STATEMENTS}
