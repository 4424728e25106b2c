from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("forwardplans", "0012_contract_end_reminders"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sentreminder",
            name="item_type",
            field=models.CharField(choices=[
                ("milestone", "Milestone"), ("action", "Action planned completion"), ("first_contact", "First contact"),
                ("referral", "Referral acknowledgement"), ("reinspection", "Special-measures re-inspection"),
                ("contract_end", "Contract agreement end"), ("concern", "Concern acknowledgement"),
                ("digest", "Weekly digest"), ("pdf_failure", "PDF failure"), ("email_failure", "E-mail failure"),
                ("event", "Event")], max_length=20),
        ),
    ]
