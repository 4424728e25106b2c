"""The access log moves from forwardplans to the core (core.audit writes it): the same table, so state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('resilience', '0004_membership'),
        ('contracts', '0001_initial'),
        ('forwardplans', '0010_questionnaire_invitations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DocumentAccess',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('document', models.CharField(choices=[
                            ('report', 'Diagnostic report'), ('report_version', 'Diagnostic report (kept version)'),
                            ('plan', 'Forward plan'), ('action', 'Forward plan action'), ('evidence', 'Evidence file'),
                            ('pdf', 'PDF'), ('word', 'Word copy'), ('questionnaire', 'Staff questionnaire answers'),
                            ('search', 'Search results'), ('api', 'REST API'), ('export', 'List export'),
                            ('ical', 'Calendar feed')], max_length=20)),
                        ('kind', models.CharField(choices=[('viewed', 'Viewed'), ('downloaded', 'Downloaded')],
                                                  max_length=12)),
                        ('detail', models.CharField(blank=True, max_length=200)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                       related_name='document_accesses', to='contracts.contract')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                                   to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'document accesses',
                        'db_table': 'forwardplans_documentaccess',
                        'ordering': ['-at', '-pk'],
                        'indexes': [models.Index(fields=['contract', '-at'], name='document_access_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
