from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("resilience", "0005_documentaccess"),
    ]

    operations = [
        migrations.AlterField(
            model_name="documentaccess",
            name="document",
            field=models.CharField(choices=[
                ("report", "Diagnostic report"), ("report_version", "Diagnostic report (kept version)"),
                ("plan", "Forward plan"), ("action", "Forward plan action"), ("evidence", "Evidence file"),
                ("pdf", "PDF"), ("word", "Word copy"), ("questionnaire", "Staff questionnaire answers"),
                ("search", "Search results"), ("api", "REST API"), ("export", "List export"),
                ("ical", "Calendar feed"), ("concern", "Reported concern")], max_length=20),
        ),
    ]
