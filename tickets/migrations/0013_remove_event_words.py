"""The words 0012 read back into codes go; going back, 0012 writes them again (in English)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tickets", "0012_event_words_to_codes")]

    operations = [
        migrations.RemoveField(model_name="event", name="from_value"),
        migrations.RemoveField(model_name="event", name="to_value"),
        migrations.RemoveField(model_name="event", name="reason"),
    ]
