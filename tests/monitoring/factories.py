"""Monitoring records made through the services, as the commissioner's users make them."""

import datetime

from django.utils import timezone

from monitoring.models import READINESS_AREAS
from monitoring.services import monitoring_record_create


def record(practice, actor, *, shared=False, follow_ups=(), days_ago=1, kind="visit", summary="Visited."):
    return monitoring_record_create(practice=practice, actor=actor, kind=kind,
                                    happened_on=timezone.localdate() - datetime.timedelta(days=days_ago),
                                    people="Dr A Patel\nPractice manager", summary=summary,
                                    shared_with_practice=shared, follow_ups=list(follow_ups))


def checklist(status="yes"):
    return {key: {"status": status, "note": ""} for key, _question in READINESS_AREAS}
