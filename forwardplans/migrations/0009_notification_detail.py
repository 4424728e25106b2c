"""Reminders stop keeping copies of plan text: their notifications are rendered from the item when read.

The copies already stored are redacted: a reminder's title becomes a neutral one and its body is emptied (the page
renders the rest from the milestone, action, contract, referral or inspection it is about). A weekly digest sent
before digests kept their ids keeps its title (counts only) and shows that its list is no longer kept.
"""

from django.db import migrations, models

RENDERED = {"milestone": "A reminder about a milestone", "action": "A reminder about an action's planned completion",
            "first_contact": "A reminder about first contact", "referral": "A reminder about a self-referral",
            "reinspection": "A reminder about a special-measures re-inspection"}


def redact(apps, schema_editor):
    Notification = apps.get_model("forwardplans", "Notification")
    for item_type, title in RENDERED.items():
        Notification.objects.filter(event__isnull=True, reminder__item_type=item_type).update(title=title, body="")
    Notification.objects.filter(event__isnull=True, reminder__item_type="digest").update(body="")


class Migration(migrations.Migration):

    dependencies = [
        ("forwardplans", "0008_report_sections"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="detail",
            field=models.JSONField(blank=True, default=dict,
                                   help_text="Ids the page renders it from when it is read (never free text)."),
        ),
        migrations.RunPython(redact, migrations.RunPython.noop),
    ]
