"""Events, registrations and practices' levels for the events tests."""

import datetime

from django.utils import timezone

from events.models import Event, Registration
from levels.models import PracticeLevel, Source

NOW = timezone.now()


def event(*, places=3, starts_in=datetime.timedelta(days=10), open_to_all=True, practices=(), commissioners=(),
          **fields):
    starts = NOW + starts_in
    made = Event.objects.create(title=fields.pop("title", "Practice managers' workshop"),
                                kind=fields.pop("kind", "workshop"), starts_at=starts,
                                ends_at=starts + datetime.timedelta(hours=3), venue="Oldham", places=places,
                                registration_closes_on=fields.pop("closes", timezone.localtime(starts).date()),
                                open_to_all=open_to_all, **fields)
    made.invited_practices.set(practices)
    made.invited_commissioners.set(commissioners)
    return made


def registration(event, practice, name="Sam Jones", role="practice_manager", **fields):
    return Registration.objects.create(event=event, practice=practice, attendee_name=name, attendee_role=role,
                                       **fields)


def set_level(practice, level):
    """A level by hand (levels' own service is the other helper's; this writes the row its selectors read)."""
    PracticeLevel.objects.update_or_create(practice=practice, defaults={"level": level, "since": NOW,
                                                                          "source": Source.SET})
