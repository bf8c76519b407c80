from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_dashboard_covering_indexes")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="values",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="What changed, as codes; shown in the reader's language.",
                verbose_name="details",
            ),
        ),
    ]
