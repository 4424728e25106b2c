"""The words of the wider offer (seed 004): kinds of event, who attends, and whether they did."""

from django.db import models


class Kind(models.TextChoices):
    CONFERENCE = "conference", "Conference"
    WORKSHOP = "workshop", "Workshop"
    LEADERSHIP_COURSE = "leadership_course", "Leadership and management course"
    DIPLOMA_PLACE = "diploma_place", "Diploma place"
    BURSARY = "bursary", "Bursary"
    WEBINAR = "webinar", "Webinar or podcast"


class AttendeeRole(models.TextChoices):
    PRACTICE_MANAGER = "practice_manager", "Practice manager"
    GP = "gp", "GP"
    NURSE = "nurse", "Nurse"
    OTHER = "other", "Other staff"


class Attendance(models.TextChoices):
    """What RCGP admin recorded after the event; blank until then."""

    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
