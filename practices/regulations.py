"""CQC's fundamental standards: the regulations of the Health and Social Care Act 2008 (Regulated Activities)
Regulations 2014 that an inspection can find breached, in CQC's order, and the kinds of enforcement CQC uses."""

import re

from django.db import models

# (number, label as CQC writes it in a report)
REGULATIONS = [
    ("9", "Regulation 9: Person-centred care"),
    ("10", "Regulation 10: Dignity and respect"),
    ("11", "Regulation 11: Need for consent"),
    ("12", "Regulation 12: Safe care and treatment"),
    ("13", "Regulation 13: Safeguarding service users from abuse and improper treatment"),
    ("14", "Regulation 14: Meeting nutritional and hydration needs"),
    ("15", "Regulation 15: Premises and equipment"),
    ("16", "Regulation 16: Receiving and acting on complaints"),
    ("17", "Regulation 17: Good governance"),
    ("18", "Regulation 18: Staffing"),
    ("19", "Regulation 19: Fit and proper persons employed"),
    ("20", "Regulation 20: Duty of candour"),
    ("20A", "Regulation 20A: Requirement as to display of performance assessments"),
]
REGULATION_LABELS = [label for _number, label in REGULATIONS]
_BY_NUMBER = dict(REGULATIONS)
_NUMBER = re.compile(r"^\s*(?:reg(?:ulation)?\.?\s*)?(\d+[A-Za-z]?)\b", re.IGNORECASE)


def regulation_label(text):
    """CQC's label for a regulation written any usual way ("Regulation 12 Safe care and treatment", "reg 12",
    "12"), or None when it names none of the fundamental standards."""
    match = _NUMBER.match(text or "")
    return _BY_NUMBER.get(match.group(1).upper()) if match else None


def regulation_order(label):
    """Sort key: CQC's order, then anything else alphabetically."""
    canonical = regulation_label(label)
    return (0, REGULATION_LABELS.index(canonical), "") if canonical else (1, 0, label or "")


class EnforcementKind(models.TextChoices):
    REQUIREMENT_NOTICE = "requirement_notice", "Requirement notice"
    WARNING_NOTICE = "warning_notice", "Warning notice"
    CONDITIONS = "conditions", "Conditions imposed on registration"
    SUSPENSION = "suspension", "Registration suspended"
    CANCELLATION = "cancellation", "Registration cancelled"


class PatientChannel(models.TextChoices):
    """Where a practice told its patients (002 §44-48)."""

    WAITING_ROOM = "waiting_room", "Waiting room"
    PRACTICE_WEBSITE = "practice_website", "Practice website"
    NHS_WEBSITE = "nhs_website", "NHS website"
    PPG = "ppg", "Patient participation group"
    HEALTHWATCH = "healthwatch", "Healthwatch"
    COMMISSIONER_WEBSITE = "commissioner_website", "Commissioner website"
