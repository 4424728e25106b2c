"""The words of the delivery record, from the RCGP method (seed 001: "Scoping visit", "Causes for concern", the
examples of support; DESIGN.md §4-5, §9)."""

from django.db import models


class RecordKind(models.TextChoices):
    SCOPING_VISIT = "scoping_visit", "Scoping visit"
    VISIT = "visit", "Other visit"
    REMOTE_MEETING = "remote_meeting", "Remote meeting (video or phone)"
    INTERVIEW = "interview", "Structured interview"
    REVIEW_MEETING = "review_meeting", "Review meeting"


# The kinds a "visit or meeting" form offers; interviews and review meetings have forms of their own.
MEETING_KINDS = (RecordKind.SCOPING_VISIT, RecordKind.VISIT, RecordKind.REMOTE_MEETING)


class SupportKind(models.TextChoices):
    """The kinds of support the advisers give (seed 001, "Examples of support" and "More examples")."""

    CRITICAL_FRIEND = "critical_friend", "Critical friend"
    PRIORITISING = "prioritising", "Prioritising"
    POLICIES_PROTOCOLS = "policies_protocols", "Policies and protocols"
    SIGNIFICANT_EVENTS_COMPLAINTS = "significant_events_complaints", "Significant events and complaints"
    FORWARD_PLANNING = "forward_planning", "Forward planning"
    STAFFING = "staffing", "Staffing"
    STAKEHOLDER_LIAISON = "stakeholder_liaison", "Liaison with stakeholders"
    MEETINGS_FACILITATED = "meetings_facilitated", "Meetings facilitated"
    CLINICAL_GOVERNANCE = "clinical_governance", "Clinical governance"
    CQC_PREPARATION = "cqc_preparation", "CQC preparation"
    PRACTICE_VIABILITY = "practice_viability", "Practice viability"


# The headings of a structured interview with a key person at scoping: (key, heading, what to ask). Seed 001
# "Scoping visit" (insight into the shortcomings, their magnitude, the work to put them right, positives and quick
# wins), "Causes for concern" (insight, engagement) and the root causes (clinical leadership, practice management).
INTERVIEW_HEADINGS = [
    ("role_in_post", "Role and time in post", "What they do and how long they have done it."),
    ("going_well", "What is going well", "The positives to point out: a demoralised practice needs them."),
    ("insight", "Insight into CQC's findings", "Do they accept the shortcomings that caused the rating?"),
    ("magnitude", "Understanding of their magnitude", "Do they understand how serious the findings are?"),
    ("work_to_rectify", "Understanding of the work to put them right", "What do they think has to change, and "
                                                                      "how?"),
    ("clinical_leadership", "Clinical leadership and the partnership", "Is the partnership working, or "
                                                                       "dysfunctional or inexperienced?"),
    ("practice_management", "Practice management and delegation", "Is the manager allowed to manage and to "
                                                                  "challenge clinicians? Is work delegated?"),
    ("staffing_workload", "Staffing and workload", "Gaps, sickness, list growth, pressure on the team."),
    ("engagement", "Engagement with the support", "Will they do the tasks agreed and reply to the advisers?"),
    ("quick_wins", "Quick wins", "What could be put right soon, to build belief?"),
    ("support_wanted", "Support wanted", "What they would like from the advisers."),
]
HEADING_KEYS = [key for key, _heading, _hint in INTERVIEW_HEADINGS]
HEADINGS = {key: heading for key, heading, _hint in INTERVIEW_HEADINGS}
