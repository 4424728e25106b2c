"""The access log moved to the core (resilience 0005 takes over its table): state only, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('forwardplans', '0010_questionnaire_invitations'),
        ('resilience', '0005_documentaccess'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='DocumentAccess')],
            database_operations=[],
        ),
    ]
