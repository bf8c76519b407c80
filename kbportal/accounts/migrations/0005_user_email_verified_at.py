from django.db import migrations, models
from django.db.models import F


def existing_accounts_are_confirmed(apps, schema_editor):
    # Every account made before confirmation links existed was usable at once: it keeps working.
    apps.get_model("accounts", "User").objects.update(email_verified_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_support_managers_reset_two_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the owner opened the confirmation link. A new account can sign in only after that.",
                null=True,
                verbose_name="e-mail address confirmed",
            ),
        ),
        migrations.RunPython(existing_accounts_are_confirmed, migrations.RunPython.noop),
    ]
