"""Every API token expires: tokens made without an expiry get one API_TOKEN_DAYS from now (the day of this
migration), and the column becomes required."""

import datetime

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_open_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("resilience", "ApiToken")
    expires_at = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=expires_at)


class Migration(migrations.Migration):

    dependencies = [
        ("resilience", "0002_apitoken"),
    ]

    operations = [
        migrations.RunPython(give_open_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
