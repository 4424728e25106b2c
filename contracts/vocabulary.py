"""Words of the RCGP support process (docs/domain.md §5, §6, §10) as choices."""

from django.db import models


class Programme(models.TextChoices):
    SPECIAL_MEASURES = "special_measures", "Special measures support"
    DIAGNOSTIC_FORWARD_PLAN = "diagnostic_forward_plan", "Diagnostic report and forward plan"
    RESILIENCE = "resilience", "Resilience programme"
    WHOLE_TEAM_AWAY_DAY = "whole_team_away_day", "Whole-team away day"
    PARTNERS_AWAY_DAY = "partners_away_day", "Partners' away day"
    CQC_PREPARATION = "cqc_preparation", "CQC visit preparation"
    ONGOING_SUPPORT = "ongoing_support", "Ongoing tailored support"


class SupportCategory(models.TextChoices):
    RAPID_INTERVENTION = (
        "rapid_intervention", "Rapid intervention and management support for practices at risk of closure")
    DIAGNOSTIC = "diagnostic", "Diagnostic services"
    SPECIALIST_ADVICE = "specialist_advice", "Specialist advice (HR, IT, management, finance)"
    COACHING = "coaching", "Coaching, supervision and mentorship"
    PRACTICE_MANAGEMENT = "practice_management", "Practice management capacity support"
    WORKFORCE = "workforce", "Coordinated support for workforce issues"
    CHANGE_MANAGEMENT = "change_management", "Change management and improvement support"
    PERSONAL_RESILIENCE = "personal_resilience", "Personal resilience training"
    OTHER = "other", "Other (linked to an agreed plan)"


class EndReason(models.TextChoices):
    EARLY_WITHDRAWAL = "early_withdrawal", "Early withdrawal"
    GP_RETIRED = "gp_retired", "GP retired or resigned"
    OTHER = "other", "Other"
    CARRIED_FORWARD_FOR_REINSPECTION = "carried_forward_for_reinspection", "Carried forward for re-inspection"


class Closure(models.TextChoices):
    NONE = "none", "Not closed"
    EMERGENCY = "emergency", "Emergency closure"
    WITH_NOTICE = "with_notice", "Closed with notice"


class Outcome(models.TextChoices):
    """Outcome of completed support (docs/domain.md §10). A closure outranks a rating."""

    GOOD = "good", "Re-inspected Good (or Outstanding)"
    REQUIRES_IMPROVEMENT_EXITED_SM = "requires_improvement_exited_sm", "Re-inspected RI, exited special measures"
    REQUIRES_IMPROVEMENT_IN_SM = "requires_improvement_in_sm", "Re-inspected RI, stays in special measures"
    INADEQUATE_IN_SM = "inadequate_in_sm", "Inadequate, stays in special measures"
    EMERGENCY_CLOSURE = "emergency_closure", "Emergency closure"
    CLOSED_WITH_NOTICE = "closed_with_notice", "Closed with notice"


class Profession(models.TextChoices):
    GP = "gp", "GP"
    PRACTICE_MANAGER = "practice_manager", "Practice manager"
    PRACTICE_NURSE = "practice_nurse", "Practice nurse"
    CLINICAL_PHARMACIST = "clinical_pharmacist", "Clinical pharmacist"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    DONT_KNOW = "dont_know", "Don't know"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# National criteria for assessing need (docs/domain.md §5): (key, domain, label).
NATIONAL_CRITERIA = [
    ("cqc_inadequate", "Safety", "CQC rated Inadequate"),
    ("cqc_requires_improvement", "Safety", "CQC rated Requires improvement"),
    ("professional_performance", "Safety", "Individual professional performance issues"),
    ("patients_per_wte", "Workforce", "High patients per WTE GP or WTE nurse"),
    ("vacancies", "Workforce", "Vacancies, including long-term illness (and share of staff aged 55+)"),
    ("external_concerns", "External perspective", "Concerns of the LMC, commissioner or NHSE"),
    ("web_tool_outliers", "External perspective", "Primary Care Web Tool outliers (5-6 or more)"),
    ("leadership", "Organisational", "Leadership or partner relationships"),
    ("significant_change", "Organisational", "Significant practice changes (merger, split)"),
    ("professional_isolation", "Organisational", "Professional isolation (single-handed)"),
    ("qof_low", "Efficiency", "QOF achievement well below average (under 80% is rare)"),
    ("referral_prescribing_outlier", "Efficiency", "Referral or prescribing outlier (top/bottom 5%)"),
    ("list_closure", "Patient experience and access", "List closure, or an application to close"),
    ("gpps_recommend", "Patient experience and access", "GP Patient Survey: would not recommend"),
    ("gpps_phone", "Patient experience and access", "GP Patient Survey: phone not at all easy"),
    ("gpps_appointment", "Patient experience and access", "GP Patient Survey: could not get an appointment"),
]
CRITERIA_KEYS = [key for key, _domain, _label in NATIONAL_CRITERIA]

SCOPE_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Very likely"}
IMPACT_LABELS = {1: "Very minor", 2: "Minor", 3: "Moderate", 4: "Significant", 5: "Very significant"}
