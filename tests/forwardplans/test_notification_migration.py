"""Copies of plan text stored by reminders before they were rendered when read are redacted by the migration
(forwardplans 0009): rows written at 0008 keep nothing confidential after it."""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from forwardplans.job_models import Notification

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("forwardplans", "0008_report_sections")]
SECRET = "Dr X's prescribing is unsafe"


def _write_old_rows(apps):
    User = apps.get_model("resilience", "User")
    SentReminder = apps.get_model("forwardplans", "SentReminder")
    Notification = apps.get_model("forwardplans", "Notification")
    user = User.objects.create(username="old-lead", role="practice_lead", password="!")
    for item_type, title in (("milestone", f"Overdue: milestone “{SECRET}”"), ("action", f"Due: “{SECRET}”"),
                             ("digest", "Weekly digest: 1 overdue action(s)"), ("pdf_failure", "A PDF failed")):
        reminder = SentReminder.objects.create(recipient=user, item_type=item_type, item_id=1, kind="overdue",
                                               due_on=datetime.date(2026, 1, 5), batch=uuid.uuid4())
        Notification.objects.create(recipient=user, reminder=reminder, kind="overdue", title=title,
                                    body=f"Action: {SECRET}" if item_type != "pdf_failure" else "TypeError")


def test_stored_copies_of_plan_text_are_redacted():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        _write_old_rows(executor.loader.project_state(BEFORE).apps)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        rows = dict(Notification.objects.values_list("reminder__item_type", "title"))
        assert not Notification.objects.filter(title__contains=SECRET).exists()
        assert not Notification.objects.filter(body__contains=SECRET).exists()
        assert rows == {"milestone": "A reminder about a milestone",
                        "action": "A reminder about an action's planned completion",
                        "digest": "Weekly digest: 1 overdue action(s)", "pdf_failure": "A PDF failed"}
        assert Notification.objects.get(reminder__item_type="pdf_failure").body == "TypeError"  # admins' own
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
