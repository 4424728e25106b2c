"""The words of the costed turnaround plan (seed 001): what an adviser's day is spent on."""

from django.db import models


class Activity(models.TextChoices):
    PRE_SCOPING = "pre_scoping", "Pre-scoping"
    SCOPING = "scoping", "Scoping"
    DIAGNOSTIC_REPORT = "diagnostic_report", "Diagnostic report"
    FORWARD_PLAN = "forward_plan", "Forward plan"
    REVIEW_MEETING = "review_meeting", "Review meeting"
    ONGOING_SUPPORT = "ongoing_support", "Ongoing support"
    TRAVEL = "travel", "Travel"
    ADMINISTRATION = "administration", "Administration"
