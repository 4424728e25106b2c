"""Plans tied to what the inspection found (issue 19): each action's regulations (CQC's labels) and other key
questions, the plan's inspection and version, kept plan versions, and the CQC action plan's stored PDFs.

The data step reads each action's old free-text regulation: the regulations it names become ``regulations`` (CQC's
labels, in CQC's order); text naming none stays readable as ``regulation_other``; ``regulation`` becomes the one line
the services write from the two. Each plan answers the practice's latest rated inspection published by the day the
plan was started (none if there was none)."""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from practices.regulations import REGULATION_LABELS, regulation_label

# "Regulation 12", "Reg. 17", "Regs 12, 17 and 18": a mention, and the numbers listed after it.
_MENTION = re.compile(r"\breg(?:ulation)?s?\.?\s*(\d+[A-Za-z]?(?:\s*(?:,|&|/|\band\b)\s*\d+[A-Za-z]?)*)",
                      re.IGNORECASE)


def _links(text):
    """(labels, other wording) named by an action's old regulation text."""
    text = " ".join((text or "").split())
    found = {regulation_label(text)} | {regulation_label(number) for listed in _MENTION.findall(text)
                                          for number in re.findall(r"\d+[A-Za-z]?", listed)}
    labels = sorted(found - {None}, key=REGULATION_LABELS.index)
    return labels, ("" if labels else text[:200])


def links_from_text(apps, schema_editor):
    Action = apps.get_model("forwardplans", "Action")
    changed = []
    for action in Action.objects.exclude(regulation="").only("pk", "regulation").iterator(chunk_size=2000):
        action.regulations, action.regulation_other = _links(action.regulation)
        action.regulation = "; ".join([*action.regulations, *filter(None, [action.regulation_other])])
        changed.append(action)
    Action.objects.bulk_update(changed, ["regulations", "regulation_other", "regulation"], batch_size=2000)

    ForwardPlan = apps.get_model("forwardplans", "ForwardPlan")
    Inspection = apps.get_model("practices", "Inspection")
    for plan in ForwardPlan.objects.filter(inspection__isnull=True).select_related("contract"):
        latest = (Inspection.objects.filter(practice_id=plan.contract.practice_id, publication_date__isnull=False,
                                            publication_date__lte=plan.created_at.date())
                  .exclude(overall_rating="").order_by("-publication_date", "-inspection_date", "-pk").first())
        if latest is not None:
            ForwardPlan.objects.filter(pk=plan.pk).update(inspection=latest)


def text_from_links(apps, schema_editor):
    """Back: ``regulation`` already holds the line written from the links; nothing to undo."""


class Migration(migrations.Migration):

    dependencies = [
        ('forwardplans', '0014_alert_and_episode_reminders'),
        ('practices', '0007_enforcement_and_patient_information'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='action',
            name='other_key_questions',
            field=models.JSONField(blank=True, db_default=[], default=list, help_text='Keys of the other key questions it answers besides key_question (the plan is grouped by that).', verbose_name='other key questions'),
        ),
        migrations.AddField(
            model_name='action',
            name='regulation_other',
            field=models.CharField(blank=True, db_default='', help_text="Wording naming none of CQC's fundamental standards (a contract clause, say).", max_length=200, verbose_name='other regulation or standard'),
        ),
        migrations.AddField(
            model_name='action',
            name='regulations',
            field=models.JSONField(blank=True, db_default=[], default=list, help_text='The regulations it answers, labels of practices.regulations ("Regulation 12: Safe care and treatment"), in CQC\'s order.', verbose_name='CQC regulations'),
        ),
        migrations.AddField(
            model_name='forwardplan',
            name='inspection',
            field=models.ForeignKey(blank=True, help_text="The inspection the plan answers: the practice's latest rated one when the plan was started, changed by the RCGP team.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='forward_plans', to='practices.inspection'),
        ),
        migrations.AddField(
            model_name='forwardplan',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, help_text='Bumped when the plan itself changes (its inspection, a version recorded); stale writes are refused.'),
        ),
        migrations.AddField(
            model_name='historicalaction',
            name='other_key_questions',
            field=models.JSONField(blank=True, db_default=[], default=list, help_text='Keys of the other key questions it answers besides key_question (the plan is grouped by that).', verbose_name='other key questions'),
        ),
        migrations.AddField(
            model_name='historicalaction',
            name='regulation_other',
            field=models.CharField(blank=True, db_default='', help_text="Wording naming none of CQC's fundamental standards (a contract clause, say).", max_length=200, verbose_name='other regulation or standard'),
        ),
        migrations.AddField(
            model_name='historicalaction',
            name='regulations',
            field=models.JSONField(blank=True, db_default=[], default=list, help_text='The regulations it answers, labels of practices.regulations ("Regulation 12: Safe care and treatment"), in CQC\'s order.', verbose_name='CQC regulations'),
        ),
        migrations.AddField(
            model_name='historicalforwardplan',
            name='inspection',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="The inspection the plan answers: the practice's latest rated one when the plan was started, changed by the RCGP team.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='practices.inspection'),
        ),
        migrations.AddField(
            model_name='historicalforwardplan',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, help_text='Bumped when the plan itself changes (its inspection, a version recorded); stale writes are refused.'),
        ),
        migrations.AlterField(
            model_name='action',
            name='regulation',
            field=models.CharField(blank=True, max_length=1000, verbose_name='CQC regulation'),
        ),
        migrations.AlterField(
            model_name='historicalaction',
            name='regulation',
            field=models.CharField(blank=True, max_length=1000, verbose_name='CQC regulation'),
        ),
        migrations.AlterField(
            model_name='storedpdf',
            name='document',
            field=models.CharField(choices=[('report', 'Diagnostic report'), ('plan', 'Forward plan'), ('cqc_plan', 'CQC action plan')], max_length=10),
        ),
        migrations.CreateModel(
            name='PlanVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('reason', models.CharField(choices=[('shared', 'Shared with the commissioner'), ('sent_to_cqc', 'Sent to CQC'), ('agreed', 'Agreed')], max_length=12)),
                ('agreed_by', models.CharField(blank=True, choices=[('practice', 'The practice'), ('commissioner', 'The commissioner'), ('rcgp', 'RCGP')], help_text='The party that agreed it, when the reason is agreed.', max_length=12, verbose_name='agreed for')),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('snapshot', models.JSONField(help_text='The plan as it was (forwardplans.pdf.plan_snapshot).')),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('inspection', models.ForeignKey(blank=True, help_text='The inspection the plan answered then.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='practices.inspection')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='forwardplans.forwardplan')),
            ],
            options={
                'ordering': ['number'],
                'constraints': [models.UniqueConstraint(fields=('plan', 'number'), name='uniq_plan_version'), models.CheckConstraint(condition=models.Q(models.Q(('agreed_by__in', ['practice', 'commissioner', 'rcgp']), ('reason', 'agreed')), models.Q(models.Q(('reason', 'agreed'), _negated=True), ('agreed_by', '')), _connector='OR'), name='plan_version_agreed_by_party')],
            },
        ),
        migrations.RunPython(links_from_text, text_from_links),
    ]
